"""Packets and their link layers: IPv4/IPv6 with checksums, the encapsulations (Ethernet, VLAN,
PPPoE, IP-in-IP, GRE, MPLS, VXLAN, SLL, loopback) and the packet-record writer the VoIP
generator uses."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

# Link layers and encapsulations a capture can be written in -> the file's link type
# (tcpdump.org LINKTYPE): every one wraps the same inner IPv4 packet (see link_frame).
LINKS = {
    "ethernet": 1, "vlan": 1, "qinq": 1, "pppoe": 1, "ipip": 1, "4in6": 1, "gre": 1,
    "mpls": 1, "vxlan": 1, "sll": 113, "sll2": 276, "raw": 101, "ipv4": 228, "null": 0,
    "loop": 108,
}  # fmt: skip
# Outer tunnel endpoints (documentation ranges, RFC 5737 / RFC 3849)
TUNNEL_V4 = ("192.0.2.1", "192.0.2.2")
TUNNEL_V6 = (bytes.fromhex("20010db8000000000000000000000001"),
             bytes.fromhex("20010db8000000000000000000000002"))  # fmt: skip
NOISE_LINKTYPE = 147  # LINKTYPE_USER0: a link type no reader decodes
NOISE_IFACE = 2


# ---------------------------------------------------------------------------------------------
# Packets
# ---------------------------------------------------------------------------------------------


def _checksum(header: bytes) -> int:
    total = sum(struct.unpack(f">{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4_packet(
    src: str, dst: str, proto: int, payload: bytes, ident: int, frag: int = 0x4000
) -> bytes:
    head = struct.pack(
        ">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, frag, 64, proto, 0,
        bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))),
    )  # fmt: skip
    return head[:10] + struct.pack(">H", _checksum(head)) + head[12:] + payload


def _ip6(src: bytes, dst: bytes, nxt: int, payload: bytes) -> bytes:
    return struct.pack(">IHBB16s16s", 6 << 28, len(payload), nxt, 64, src, dst) + payload


def link_frame(kind: str, ip: bytes) -> bytes:
    """The frame that carries the IPv4 packet ``ip`` in link layer / encapsulation ``kind``
    (as Wireshark's packet-eth/vlan/pppoe/gre/mpls/vxlan/null dissectors read them)."""
    mac_a, mac_b = bytes.fromhex("02005e000001"), bytes.fromhex("02005e000002")

    def eth(ethertype: int) -> bytes:
        return mac_b + mac_a + struct.pack(">H", ethertype)

    if kind == "qinq":  # 802.1ad service tag, then 802.1Q customer tag
        return mac_b + mac_a + struct.pack(">HHHHH", 0x88A8, 100, 0x8100, 42, 0x0800) + ip
    if kind == "pppoe":  # RFC 2516 session: ver/type 0x11, code 0, session id, length; PPP
        ppp = struct.pack(">H", 0x0021) + ip
        return eth(0x8864) + struct.pack(">BBHH", 0x11, 0, 0x1234, len(ppp)) + ppp
    if kind == "ipip":  # RFC 2003: IPv4 in IPv4 (protocol 4)
        return eth(0x0800) + ipv4_packet(*TUNNEL_V4, 4, ip, 0)
    if kind == "4in6":  # RFC 2473: IPv4 in IPv6 (next header 4)
        return eth(0x86DD) + _ip6(*TUNNEL_V6, 4, ip)
    if kind == "gre":  # RFC 2890: key and sequence number present (K and S bits)
        gre = struct.pack(">HHII", 0x3000, 0x0800, 0x0000_1234, 0)
        return eth(0x0800) + ipv4_packet(*TUNNEL_V4, 47, gre + ip, 0)
    if kind == "mpls":  # RFC 3032: two labels, bottom of stack on the second
        labels = struct.pack(">II", (1000 << 12) | 64, (2000 << 12) | (1 << 8) | 64)
        return eth(0x8847) + labels + ip
    if kind == "vxlan":  # RFC 7348: UDP 4789, I flag, VNI 5001, inner Ethernet
        inner = eth(0x0800) + ip
        vx = struct.pack(">II", 0x0800_0000, 5001 << 8)
        udp = struct.pack(">HHHH", 49152, 4789, 8 + len(vx) + len(inner), 0)
        return eth(0x0800) + ipv4_packet(*TUNNEL_V4, 17, udp + vx + inner, 0)
    if kind == "null":  # BSD loopback: AF_INET in the writer's (little-endian) byte order
        return struct.pack("<I", 2) + ip
    if kind == "loop":  # OpenBSD loopback: AF_INET in network byte order
        return struct.pack(">I", 2) + ip
    return link_header(kind) + ip


def link_header(kind: str, ethertype: int = 0x0800) -> bytes:
    mac_a, mac_b = bytes.fromhex("02005e000001"), bytes.fromhex("02005e000002")
    if kind == "ethernet":
        return mac_b + mac_a + struct.pack(">H", ethertype)
    if kind == "vlan":
        return mac_b + mac_a + struct.pack(">HHH", 0x8100, 42, ethertype)
    if kind == "sll":  # packet type 0 (to us), ARPHRD_ETHER 1, 6-byte address
        return struct.pack(">HHH8sH", 0, 1, 6, mac_a + b"\0\0", ethertype)
    if kind == "sll2":  # protocol, reserved, ifindex, ARPHRD, packet type, addr len, addr
        return struct.pack(">HHIHBB8s", ethertype, 0, 2, 1, 0, 6, mac_a + b"\0\0")
    return b""  # raw IPv4


@dataclass
class PacketWriter:
    """Collects variable-size packets (SIP, events) with their times, as IPv4 packets; the
    link layer of their interface is added when the file is written."""

    link: str
    mtu: int
    times: list[int] = field(default_factory=list)
    frames: list[bytes] = field(default_factory=list)  # IPv4 packets (or whole noise frames)
    ifaces: list[int] = field(default_factory=list)
    ident: int = 0

    def udp(self, t_ns: int, src: tuple[str, int], dst: tuple[str, int], payload: bytes) -> None:
        segment = struct.pack(">HHHH", src[1], dst[1], 8 + len(payload), 0) + payload
        self.ident += 1
        limit = (self.mtu - 20) // 8 * 8
        if 20 + len(segment) <= self.mtu:
            self._add(t_ns, ipv4_packet(src[0], dst[0], 17, segment, self.ident))
            return
        for offset in range(0, len(segment), limit):  # RFC 791 fragmentation
            part = segment[offset : offset + limit]
            more = 0x2000 if offset + limit < len(segment) else 0
            self._add(t_ns, ipv4_packet(src[0], dst[0], 17, part, self.ident, more | offset // 8))

    def tcp(
        self, t_ns: int, src: tuple[str, int], dst: tuple[str, int], seq: int, payload: bytes,
        flags: int = 0x18,
    ) -> None:  # fmt: skip
        head = struct.pack(">HHIIBBHHH", src[1], dst[1], seq, 0, 5 << 4, flags, 65535, 0, 0)
        self.ident += 1
        self._add(t_ns, ipv4_packet(src[0], dst[0], 6, head + payload, self.ident))

    def _add(self, t_ns: int, ip: bytes, iface: int = 0) -> None:
        self.times.append(t_ns)
        self.frames.append(ip)
        self.ifaces.append(iface)
