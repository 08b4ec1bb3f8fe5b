"""Link, network and transport layers: from a :class:`~.pcap.Batch` to UDP datagrams.

The common case (Ethernet / 802.1Q / Linux SLL / SLL2 / raw IP, IPv4 without
fragmentation, UDP) is decoded for the whole batch at once with NumPy; every other frame
goes through a per-packet path in Python that decodes the encapsulations Wireshark decodes
under SIP/RTP (VLAN stacks, PPPoE, MPLS, GRE, ERSPAN II, VXLAN, Geneve, IP-in-IP 4in4 / 6in4 / 4in6
/ 6in6, LLC/SNAP, PPP, Cisco HDLC, BSD loopback, 802.11 data frames bare or under
radiotap / PPI), reassembles IPv4 / IPv6 fragments, hands TCP segments to the caller and
counts every frame it cannot use in :class:`FrameCounts`, by reason.

Constants: link types from tcpdump.org's LINKTYPE list (Ethernet 1, RAW 101, LINUX_SLL 113,
IPV4 228, IPV6 229, LINUX_SLL2 276, NULL 0, LOOP 108, PPP 9, PPP_HDLC 50, C_HDLC 104,
IEEE802_11 105, IEEE802_11_RADIOTAP 127, PPI 192, and the DLT_RAW values 12 / 14 some
systems write); EtherTypes 0x0800 IPv4, 0x86DD IPv6, 0x8100 / 0x88A8 / 0x9100 VLAN tags
(IEEE 802.1Q / 802.1ad, packet-vlan.c), 0x8864 PPPoE session (RFC 2516, packet-pppoe.c),
0x8847 / 0x8848 MPLS (RFC 3032, packet-mpls.c), 0x6558 transparent Ethernet bridging and
0x88BE ERSPAN over GRE (RFC 2784 / 2890, packet-gre.c); VXLAN on UDP 4789 (RFC 7348,
packet-vxlan.c) and Geneve on UDP 6081 (RFC 8926, packet-geneve.c); MPLS pseudowires with
a control word (RFC 4385 / 4448); SLL header 16 bytes with the protocol at byte 14, SLL2
header 20 bytes with the protocol at byte 0 (packet-sll.c); BSD loopback address families
(packet-null.c);
IPv4 (RFC 791): IHL, total length at 2, flags+fragment offset at 6 (MF = 0x2000, offset in
8-byte units), protocol at 9 (4 IP-in-IP, 41 IPv6, 47 GRE); IPv6 (RFC 8200): next header at
6, extension headers 0 / 43 / 60 (length in 8-byte units, +1), 51 AH (4-byte units, +2) and
44 (fragment, 8 bytes); UDP (RFC 768) and TCP (RFC 9293, data offset in the top nibble of
byte 12).
"""

from __future__ import annotations

import ipaddress
import struct
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from forensics_lib.core.errors import ForensicsWarning
from forensics_lib.voip.batch import UNMAPPED_MEDIA, Batch

__all__ = ["HARMLESS", "AddressBook", "Datagrams", "Decoder", "FrameCounts", "TcpSegment"]

I64 = npt.NDArray[np.int64]

LINK_ETHERNET = 1
LINK_RAW = (101, 12, 14)
LINK_IPV4 = 228
LINK_IPV6 = 229
LINK_SLL = 113
LINK_SLL2 = 276
LINK_NULL = 0
LINK_LOOP = 108
LINK_PPP = (9, 50)  # PPP, PPP in HDLC-like framing
LINK_C_HDLC = 104
LINK_IEEE802_11 = 105
LINK_RADIOTAP = 127
LINK_PPI = 192
ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_VLAN = (0x8100, 0x88A8, 0x9100)
ETH_PPPOE_SESSION = 0x8864
ETH_MPLS = (0x8847, 0x8848)
ETH_TEB = 0x6558  # transparent Ethernet bridging (GRE carrying Ethernet)
ETH_ERSPAN_II = 0x88BE  # Cisco ERSPAN type II over GRE (mirrored Ethernet frames)
PPP_IPV4 = 0x0021
PPP_IPV6 = 0x0057
PROTO_IPIP = 4
PROTO_TCP = 6
PROTO_UDP = 17
PROTO_IPV6 = 41
PROTO_GRE = 47
IPV6_EXT = (0, 43, 60)
IPV6_FRAG = 44
IPV6_AH = 51
VXLAN_PORT = 4789
GENEVE_PORT = 6081
AF_INET6 = (10, 23, 24, 28, 30)
IP_PROTOCOLS = {1: "ICMP", 2: "IGMP", 50: "ESP", 58: "ICMPv6", 89: "OSPF", 132: "SCTP"}

# EtherTypes that never carry IP (IEEE registry): skipped, counted, but not worth a warning.
NON_IP = {
    0x0806: "ARP",
    0x8035: "RARP",
    0x8809: "slow protocols (LACP)",
    0x8863: "PPPoE discovery",
    0x888E: "EAPOL",
    0x88CC: "LLDP",
    0x88F7: "PTP",
    0x9000: "configuration test protocol",
}
LLC = "non-IP (IEEE 802.3 length field, LLC)"
WIFI_NOT_DATA = "non-IP (802.11 management or control frame)"
WIFI_NULL = "non-IP (802.11 null data frame)"
HARMLESS = frozenset(
    {LLC, WIFI_NOT_DATA, WIFI_NULL, *(f"non-IP ({name})" for name in NON_IP.values())}
)

_MAX_PENDING_FRAGMENTS = 4096
_MAX_DEPTH = 8
_MAX_LABELS = 16

Pkt = tuple[int, int, int]  # frame number, time (ns), record offset


@dataclass
class FrameCounts:
    """What became of every frame of a capture (each frame is counted exactly once).

    ``read`` = ``sip + rtp + rtcp + sum(other.values()) + sum(skipped.values())``:
    ``other`` holds frames that were decoded but carry something else (other UDP or TCP
    traffic, ICMP, fragments of a reassembled datagram), ``skipped`` the frames that could
    not be decoded, by reason ("unsupported link type 147", "truncated", "non-IP
    (EtherType 0x0806)", "fragment not reassembled", ...).
    """

    read: int = 0
    sip: int = 0
    rtp: int = 0
    rtcp: int = 0
    other: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n

    def note(self, what: str, n: int = 1) -> None:
        if n:
            self.other[what] = self.other.get(what, 0) + n

    @property
    def decoded(self) -> int:
        return self.sip + self.rtp + self.rtcp + sum(self.other.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "read": self.read,
            "sip": self.sip,
            "rtp": self.rtp,
            "rtcp": self.rtcp,
            "other": dict(sorted(self.other.items())),
            "skipped": dict(sorted(self.skipped.items(), key=lambda kv: (-kv[1], kv[0]))),
        }


class AddressBook:
    """Intern IP addresses as small integers (so streams can be keyed by NumPy arrays)."""

    def __init__(self) -> None:
        self._ids: dict[bytes, int] = {}
        self._packed: list[bytes] = []

    def intern(self, packed: bytes) -> int:
        found = self._ids.get(packed)
        if found is None:
            found = self._ids[packed] = len(self._packed)
            self._packed.append(packed)
        return found

    def intern_text(self, text: str) -> int | None:
        try:
            return self.intern(ipaddress.ip_address(text.strip().strip("[]")).packed)
        except ValueError:
            return None

    def intern_v4(self, values: I64) -> I64:
        uniq, inverse = np.unique(values, return_inverse=True)
        ids = np.array(
            [self.intern(int(v).to_bytes(4, "big")) for v in uniq.tolist()], dtype=np.int64
        )
        return ids[inverse] if len(ids) else np.zeros(0, dtype=np.int64)

    def text(self, ident: int) -> str:
        return str(ipaddress.ip_address(self._packed[ident]))

    def packed(self, ident: int) -> bytes:
        return self._packed[ident]


@dataclass(frozen=True)
class Datagrams:
    """UDP datagrams of one batch; payloads are ``buf[poff : poff + plen]``."""

    buf: bytes
    frame: I64
    time_ns: I64
    rec_off: I64
    src: I64
    dst: I64
    sport: I64
    dport: I64
    poff: I64
    plen: I64  # captured payload bytes
    rlen: I64  # payload bytes the UDP header announces

    def __len__(self) -> int:
        return len(self.frame)


@dataclass(frozen=True)
class TcpSegment:
    frame: int
    time_ns: int
    rec_off: int
    src: int
    dst: int
    sport: int
    dport: int
    seq: int
    flags: int
    payload: bytes


@dataclass
class _Fragments:
    parts: dict[int, bytes] = field(default_factory=dict)
    total: int | None = None
    frames: list[int] = field(default_factory=list)


@dataclass
class _SlowUdp:
    frame: list[int] = field(default_factory=list)
    time_ns: list[int] = field(default_factory=list)
    rec_off: list[int] = field(default_factory=list)
    src: list[int] = field(default_factory=list)
    dst: list[int] = field(default_factory=list)
    sport: list[int] = field(default_factory=list)
    dport: list[int] = field(default_factory=list)
    payload: list[bytes] = field(default_factory=list)
    rlen: list[int] = field(default_factory=list)


def _u16(data: bytes, at: int) -> int:
    return (data[at] << 8) | data[at + 1]


def _be16(arr: npt.NDArray[np.uint8], idx: I64) -> I64:
    return (arr[idx].astype(np.int64) << 8) | arr[idx + 1]


def _be32(arr: npt.NDArray[np.uint8], idx: I64) -> I64:
    return (_be16(arr, idx) << 16) | _be16(arr, idx + 2)


class Decoder:
    """Decode batches into UDP datagrams (and TCP segments), keeping fragment state."""

    def __init__(self, where: str, addresses: AddressBook) -> None:
        self.where = where
        self.addresses = addresses
        self._fragments: OrderedDict[tuple[object, ...], _Fragments] = OrderedDict()
        self.tcp: list[TcpSegment] = []
        self.counts = FrameCounts()

    # -- the vectorised common case --------------------------------------------------------
    def decode(self, batch: Batch) -> Datagrams:
        """The UDP datagrams of ``batch``; TCP segments are appended to :attr:`tcp`."""
        n = len(batch)
        buf = batch.buf
        arr = np.frombuffer(buf, dtype=np.uint8)
        top = len(arr) - 1
        off, cap, link = batch.data_off, batch.caplen, batch.linktype
        end = off + cap
        l3 = np.full(n, -1, dtype=np.int64)
        etype = np.zeros(n, dtype=np.int64)

        def clip(idx: I64) -> I64:
            return np.minimum(idx, top - 1)

        eth = (link == LINK_ETHERNET) & (cap >= 14)
        if eth.any():
            e_l3 = off + 14
            e_type = _be16(arr, clip(off + 12))
            for _ in range(2):  # 802.1Q / QinQ tags
                tagged = np.isin(e_type, ETH_VLAN) & (end >= e_l3 + 4)
                e_type = np.where(tagged, _be16(arr, clip(e_l3 + 2)), e_type)
                e_l3 = np.where(tagged, e_l3 + 4, e_l3)
            l3 = np.where(eth, e_l3, l3)
            etype = np.where(eth, e_type, etype)
        sll = (link == LINK_SLL) & (cap >= 16)
        if sll.any():
            l3 = np.where(sll, off + 16, l3)
            etype = np.where(sll, _be16(arr, clip(off + 14)), etype)
        sll2 = (link == LINK_SLL2) & (cap >= 20)
        if sll2.any():
            l3 = np.where(sll2, off + 20, l3)
            etype = np.where(sll2, _be16(arr, clip(off)), etype)
        raw = (np.isin(link, (*LINK_RAW, LINK_IPV4, LINK_IPV6))) & (cap >= 1)
        if raw.any():
            version = arr[clip(off)] >> 4
            l3 = np.where(raw, off, l3)
            etype = np.where(
                raw, np.where(version == 4, ETH_IPV4, np.where(version == 6, ETH_IPV6, 0)), etype
            )
        ip4 = (etype == ETH_IPV4) & (end >= l3 + 20) & (l3 >= 0)
        l3c = clip(np.maximum(l3, 0))
        vihl = arr[l3c].astype(np.int64)
        ihl = (vihl & 0x0F) * 4
        ip4 &= ((vihl >> 4) == 4) & (ihl >= 20)
        total = _be16(arr, clip(l3c + 2))
        frag = _be16(arr, clip(l3c + 6)) & 0x3FFF
        proto = arr[clip(l3c + 9)].astype(np.int64)
        l4 = l3 + ihl
        ulen = _be16(arr, clip(l4 + 4))
        dport_all = _be16(arr, clip(l4 + 2))
        fast = (
            ip4
            & (frag == 0)
            & (proto == PROTO_UDP)
            & (total >= ihl + 8)
            & (end >= l4 + 8)
            & (ulen >= 8)
            & (dport_all != VXLAN_PORT)  # VXLAN / Geneve carry a whole inner frame: slow path
            & (dport_all != GENEVE_PORT)
        )
        # Every other frame goes through the per-packet path, which decodes what it can
        # (encapsulations, IPv6, fragments, TCP) and counts the rest by reason.
        slow = ~fast

        idx = np.flatnonzero(fast)
        l4f = l4[idx]
        ip_end = np.minimum(l3[idx] + total[idx], end[idx])
        ulen = ulen[idx]
        poff = l4f + 8
        plen = np.clip(np.minimum(ulen - 8, ip_end - poff), 0, None)
        src = self.addresses.intern_v4(_be32(arr, clip(l3[idx] + 12)))
        dst = self.addresses.intern_v4(_be32(arr, clip(l3[idx] + 16)))
        fast_part = Datagrams(
            buf=buf,
            frame=batch.frame[idx],
            time_ns=batch.time_ns[idx],
            rec_off=batch.rec_off[idx],
            src=src,
            dst=dst,
            sport=_be16(arr, clip(l4f)),
            dport=_be16(arr, clip(l4f + 2)),
            poff=poff,
            plen=plen,
            rlen=ulen - 8,
        )
        slow_idx = np.flatnonzero(slow)
        if not len(slow_idx):
            return fast_part
        extra = _SlowUdp()
        for i in slow_idx.tolist():
            start, stop = int(off[i]), int(end[i])
            pkt = (int(batch.frame[i]), int(batch.time_ns[i]), int(batch.rec_off[i]))
            self._link(int(link[i]), buf[start:stop], pkt, extra)
        return _merge(fast_part, extra)

    def finish(self) -> None:
        """Count the frames of fragment sets that never completed (call after the last batch)."""
        for entry in self._fragments.values():
            self.counts.skip("fragment not reassembled", len(entry.frames))
        self._fragments.clear()

    # -- the per-packet path ---------------------------------------------------------------
    def _link(self, link: int, data: bytes, pkt: Pkt, out: _SlowUdp) -> None:
        """Decode one frame by its link type (tcpdump.org LINKTYPE values)."""
        if link == LINK_ETHERNET:
            self._ethernet(data, pkt, out, 0)
        elif link == LINK_SLL:  # packet-sll.c: 16-byte header, protocol at byte 14
            if len(data) < 16:
                self.counts.skip("truncated")
            else:
                self._ethertype(_u16(data, 14), data[16:], pkt, out, 0)
        elif link == LINK_SLL2:  # packet-sll.c (SLL2): 20-byte header, protocol at byte 0
            if len(data) < 20:
                self.counts.skip("truncated")
            else:
                self._ethertype(_u16(data, 0), data[20:], pkt, out, 0)
        elif link in (*LINK_RAW, LINK_IPV4, LINK_IPV6):
            self._ip_any(data, pkt, out, 0)
        elif link in (LINK_NULL, LINK_LOOP):
            self._null(link, data, pkt, out)
        elif link in LINK_PPP:  # RFC 1661 / 1662: PPP, optionally in HDLC-like framing
            self._ppp(data, pkt, out, 0)
        elif link == LINK_C_HDLC:  # Cisco HDLC: address, control, then an EtherType
            if len(data) < 4:
                self.counts.skip("truncated")
            else:
                self._ethertype(_u16(data, 2), data[4:], pkt, out, 0)
        elif link == LINK_IEEE802_11:
            self._wifi(data, pkt, out)
        elif link == LINK_RADIOTAP:  # radiotap: little-endian header length at byte 2
            if len(data) < 4:
                self.counts.skip("truncated")
            else:
                self._wifi(data[data[2] | (data[3] << 8) :], pkt, out)
        elif link == LINK_PPI:  # PPI: header length (LE) at byte 2, inner DLT at byte 4
            if len(data) < 8:
                self.counts.skip("truncated")
            elif struct.unpack_from("<I", data, 4)[0] != LINK_IEEE802_11:
                self.counts.skip(
                    f"unsupported PPI link type {struct.unpack_from('<I', data, 4)[0]}"
                )
            else:
                self._wifi(data[data[2] | (data[3] << 8) :], pkt, out)
        else:
            name = (
                f"NetMon media type {link - UNMAPPED_MEDIA}"
                if link >= UNMAPPED_MEDIA
                else f"link type {link}"
            )
            self.counts.skip(f"unsupported {name}")  # the reader's summary warning names it

    def _null(self, link: int, data: bytes, pkt: Pkt, out: _SlowUdp) -> None:
        # packet-null.c: a 4-byte address family, in the writer's byte order for NULL (0)
        # and in network byte order for LOOP (108); AF_INET is 2 everywhere, AF_INET6 is
        # 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux), 23 (Windows).
        if len(data) < 4:
            self.counts.skip("truncated")
            return
        family = struct.unpack_from(">I" if link == LINK_LOOP else "<I", data, 0)[0]
        if family > 0xFFFF:
            family = struct.unpack_from("<I" if link == LINK_LOOP else ">I", data, 0)[0]
        if family == 2:
            self._ipv4(data[4:], pkt, out, 0)
        elif family in AF_INET6:
            self._ipv6(data[4:], pkt, out, 0)
        else:
            self.counts.skip(f"non-IP (loopback address family {family})")

    def _wifi(self, data: bytes, pkt: Pkt, out: _SlowUdp) -> None:
        # IEEE 802.11 (packet-ieee80211.c): frame control (type in bits 2-3, subtype in bits
        # 4-7; flags: to/from DS 0x03, protected 0x40, +HTC/order 0x80); a 24-byte header,
        # +6 for the fourth address (to and from DS), +2 for QoS data (subtype bit 3), +4
        # for an HT control field; then LLC/SNAP and the EtherType.
        if len(data) < 24:
            self.counts.skip("truncated")
            return
        fc, flags = data[0], data[1]
        ftype, subtype = (fc >> 2) & 3, fc >> 4
        if ftype != 2:
            self.counts.skip(WIFI_NOT_DATA)
            return
        if subtype & 0x4:  # null data / QoS null: no payload
            self.counts.skip(WIFI_NULL)
            return
        if flags & 0x40:
            self.counts.skip("802.11 protected frame (encrypted; not decoded)")
            return
        hlen = 24 + (6 if flags & 0x03 == 0x03 else 0)
        if subtype & 0x8:
            hlen += 2 + (4 if flags & 0x80 else 0)
        body = data[hlen:]
        if body[:3] == b"\xaa\xaa\x03" and len(body) >= 8:  # RFC 1042 / 802.1H SNAP
            self._ethertype(_u16(body, 6), body[8:], pkt, out, 1)
        elif len(body) < 8:
            self.counts.skip("truncated")
        else:
            self.counts.skip(LLC)

    def _ethernet(self, data: bytes, pkt: Pkt, out: _SlowUdp, depth: int) -> None:
        if len(data) < 14:
            self.counts.skip("truncated")
            return
        self._ethertype(_u16(data, 12), data[14:], pkt, out, depth)

    def _ethertype(self, etype: int, data: bytes, pkt: Pkt, out: _SlowUdp, depth: int) -> None:
        """Dispatch on an EtherType, as packet-eth.c / packet-vlan.c / packet-pppoe.c /
        packet-mpls.c do; ``depth`` bounds nested encapsulations."""
        if depth > _MAX_DEPTH:
            self.counts.skip("encapsulation nested too deep")
            return
        for _ in range(_MAX_DEPTH):
            if etype not in ETH_VLAN:
                break
            if len(data) < 4:  # packet-vlan.c: TCI (2 bytes), then the inner EtherType
                self.counts.skip("truncated")
                return
            etype, data = _u16(data, 2), data[4:]
        if etype == ETH_IPV4:
            self._ipv4(data, pkt, out, depth)
        elif etype == ETH_IPV6:
            self._ipv6(data, pkt, out, depth)
        elif etype == ETH_PPPOE_SESSION:
            self._pppoe(data, pkt, out, depth)
        elif etype in ETH_MPLS:
            self._mpls(data, pkt, out, depth)
        elif etype == ETH_TEB:  # GRE transparent Ethernet bridging: an inner Ethernet frame
            self._ethernet(data, pkt, out, depth + 1)
        elif etype < 0x0600:
            # IEEE 802.3 length; LLC with a SNAP header (AA AA 03, OUI 00-00-00) still
            # carries an EtherType (RFC 1042, packet-llc.c)
            if data[:6] == b"\xaa\xaa\x03\x00\x00\x00" and len(data) >= 8:
                self._ethertype(_u16(data, 6), data[8:], pkt, out, depth + 1)
            else:
                self.counts.skip(LLC)
        elif etype == ETH_ERSPAN_II:  # packet-erspan.c: 8-byte type II header, then Ethernet
            self._ethernet(data[8:], pkt, out, depth + 1)
        elif etype in NON_IP:
            self.counts.skip(f"non-IP ({NON_IP[etype]})")
        else:
            self.counts.skip(f"non-IP (EtherType 0x{etype:04x})")

    def _pppoe(self, data: bytes, pkt: Pkt, out: _SlowUdp, depth: int) -> None:
        # RFC 2516 / packet-pppoe.c: ver/type, code, session id, payload length; then the
        # PPP protocol (RFC 1661; one byte when protocol-field compression is used).
        if len(data) < 8:
            self.counts.skip("truncated")
            return
        length = _u16(data, 4)
        body = data[6 : 6 + length] if length else data[6:]
        if body[:1] and body[0] & 1:
            proto, body = body[0], body[1:]
        else:
            proto, body = _u16(body, 0) if len(body) >= 2 else -1, body[2:]
        if proto == PPP_IPV4:
            self._ipv4(body, pkt, out, depth + 1)
        elif proto == PPP_IPV6:
            self._ipv6(body, pkt, out, depth + 1)
        elif proto < 0:
            self.counts.skip("truncated")
        else:
            self.counts.skip(f"non-IP (PPP protocol 0x{proto:04x})")

    def _mpls(self, data: bytes, pkt: Pkt, out: _SlowUdp, depth: int) -> None:
        # RFC 3032 / packet-mpls.c: 4-byte label entries up to the bottom-of-stack bit,
        # then IPv4 or IPv6 by the first nibble (Wireshark's default for a label stack).
        pos = 0
        while True:
            if len(data) < pos + 4:
                self.counts.skip("truncated")
                return
            bottom = data[pos + 2] & 1
            pos += 4
            if bottom:
                break
            if pos > 4 * _MAX_LABELS:
                self.counts.skip("MPLS label stack too deep")
                return
        payload = data[pos:]
        if payload[:1] and payload[0] >> 4 == 0 and len(payload) >= 18:
            # a pseudowire control word (RFC 4385: first nibble 0), then an Ethernet frame
            # (RFC 4448), as packet-mpls.c decodes a PW with a control word by default
            self._ethernet(payload[4:], pkt, out, depth + 1)
            return
        self._ip_any(payload, pkt, out, depth + 1, what="MPLS payload")

    def _ip_any(
        self, data: bytes, pkt: Pkt, out: _SlowUdp, depth: int, what: str = "raw frame"
    ) -> None:
        if not data:
            self.counts.skip("truncated")
            return
        version = data[0] >> 4
        if version == 4:
            self._ipv4(data, pkt, out, depth)
        elif version == 6:
            self._ipv6(data, pkt, out, depth)
        else:
            self.counts.skip(f"non-IP ({what} starts with version nibble {version})")

    def _ipv4(self, data: bytes, pkt: Pkt, out: _SlowUdp, depth: int) -> None:
        if len(data) < 20:
            self.counts.skip("truncated")
            return
        ihl = (data[0] & 0x0F) * 4
        total, ident, flags_frag, proto = struct.unpack_from(">HHHxB", data, 2)
        if data[0] >> 4 != 4 or ihl < 20 or total < ihl:
            self.counts.skip("bad IPv4 header")
            return
        if len(data) < ihl:
            self.counts.skip("truncated")
            return
        payload = data[ihl:total]
        src, dst = data[12:16], data[16:20]
        mf, offset = flags_frag & 0x2000, (flags_frag & 0x1FFF) * 8
        if mf or offset:
            whole = self._reassemble(
                ("4", src, dst, proto, ident), offset, bool(mf), payload, pkt[0]
            )
            if whole is None:
                return
            payload = whole
        self._transport(proto, src, dst, payload, pkt, out, depth)

    def _ipv6(self, data: bytes, pkt: Pkt, out: _SlowUdp, depth: int) -> None:
        if len(data) < 40:
            self.counts.skip("truncated")
            return
        if data[0] >> 4 != 6:
            self.counts.skip("bad IPv6 header")
            return
        plen, nxt = struct.unpack_from(">HB", data, 4)
        src, dst = data[8:24], data[24:40]
        payload = data[40 : 40 + plen] if plen else data[40:]
        for _ in range(8):  # extension headers (RFC 8200 section 4)
            if nxt in IPV6_EXT and len(payload) >= 8:
                nxt, hlen = payload[0], (payload[1] + 1) * 8
                payload = payload[hlen:]
            elif nxt == IPV6_AH and len(payload) >= 8:  # RFC 4302: length in 4-byte units, +2
                nxt, hlen = payload[0], (payload[1] + 2) * 4
                payload = payload[hlen:]
            elif nxt == IPV6_FRAG and len(payload) >= 8:
                nxt2, _r, offm, ident = struct.unpack_from(">BBHI", payload, 0)
                offset, mf = offm & 0xFFF8, offm & 1
                body = payload[8:]
                if not mf and not offset:
                    payload, nxt = body, nxt2
                    continue
                whole = self._reassemble(("6", src, dst, ident), offset, bool(mf), body, pkt[0])
                if whole is None:
                    return
                payload, nxt = whole, nxt2
            else:
                break
        self._transport(nxt, src, dst, payload, pkt, out, depth)

    def _reassemble(
        self, key: tuple[object, ...], offset: int, more: bool, body: bytes, frame: int
    ) -> bytes | None:
        """RFC 791 / RFC 8200 reassembly; the frames of a completed set other than the last
        are counted as "IP fragment (reassembled)"; unfinished sets by :meth:`finish`."""
        entry = self._fragments.get(key)
        if entry is None:
            entry = self._fragments[key] = _Fragments()
            if len(self._fragments) > _MAX_PENDING_FRAGMENTS:
                _key, oldest = self._fragments.popitem(last=False)
                self.counts.skip("fragment not reassembled", len(oldest.frames))
                warnings.warn(
                    ForensicsWarning(
                        f"{self.where}: more than {_MAX_PENDING_FRAGMENTS} unfinished IP "
                        "fragment sets; the oldest was dropped"
                    ),
                    stacklevel=4,
                )
        entry.parts[offset] = body
        entry.frames.append(frame)
        if not more:
            entry.total = offset + len(body)
        if entry.total is None:
            return None
        pos = 0
        chunks = []
        for start in sorted(entry.parts):
            if start > pos:
                return None  # a hole remains
            part = entry.parts[start]
            if start + len(part) > pos:
                chunks.append(part[pos - start :])
                pos = start + len(part)
        if pos < entry.total:
            return None
        del self._fragments[key]
        self.counts.note("IP fragment (reassembled)", len(entry.frames) - 1)
        return b"".join(chunks)[: entry.total]

    def _transport(
        self,
        proto: int,
        src: bytes,
        dst: bytes,
        payload: bytes,
        pkt: Pkt,
        out: _SlowUdp,
        depth: int,
    ) -> None:
        frame, time_ns, rec_off = pkt
        if proto == PROTO_UDP:
            if len(payload) < 8:
                self.counts.skip("truncated")
                return
            sport, dport, ulen = struct.unpack_from(">HHH", payload, 0)
            if ulen < 8:
                self.counts.skip("bad UDP header")
                return
            body = payload[8:ulen]
            # RFC 7348 / packet-vxlan.c: UDP 4789, 8-byte header with the I flag (0x08),
            # then an inner Ethernet frame.
            if dport == VXLAN_PORT and len(body) >= 8 and body[0] & 0x08:
                self._ethernet(body[8:], pkt, out, depth + 1)
                return
            # RFC 8926 / packet-geneve.c: version 0, options length (4-byte units) in the
            # low 6 bits of byte 0, protocol type (an EtherType) at byte 2
            if dport == GENEVE_PORT and len(body) >= 8 and body[0] >> 6 == 0:
                inner = body[8 + 4 * (body[0] & 0x3F) :]
                self._ethertype(_u16(body, 2), inner, pkt, out, depth + 1)
                return
            out.frame.append(frame)
            out.time_ns.append(time_ns)
            out.rec_off.append(rec_off)
            out.src.append(self.addresses.intern(src))
            out.dst.append(self.addresses.intern(dst))
            out.sport.append(sport)
            out.dport.append(dport)
            out.payload.append(body)
            out.rlen.append(ulen - 8)
        elif proto == PROTO_TCP:
            if len(payload) < 20:
                self.counts.skip("truncated")
                return
            sport, dport, seq, _ack, off_flags = struct.unpack_from(">HHIIH", payload, 0)
            hlen = (off_flags >> 12) * 4
            if hlen < 20:
                self.counts.skip("bad TCP header")
                return
            self.tcp.append(
                TcpSegment(
                    frame,
                    time_ns,
                    rec_off,
                    self.addresses.intern(src),
                    self.addresses.intern(dst),
                    sport,
                    dport,
                    seq,
                    off_flags & 0x1FF,
                    payload[hlen:],
                )
            )
        elif proto in (PROTO_IPIP, PROTO_IPV6) and depth < _MAX_DEPTH:
            # IP-in-IP (RFC 2003 4in4/4in6, RFC 4213 6in4/6in6): an inner IP packet.
            if proto == PROTO_IPIP:
                self._ipv4(payload, pkt, out, depth + 1)
            else:
                self._ipv6(payload, pkt, out, depth + 1)
        elif proto == PROTO_GRE and depth < _MAX_DEPTH:
            self._gre(payload, pkt, out, depth)
        elif proto in (PROTO_IPIP, PROTO_IPV6, PROTO_GRE):
            self.counts.skip("encapsulation nested too deep")
        else:
            self.counts.note(IP_PROTOCOLS.get(proto, f"IP protocol {proto}"))

    def _gre(self, data: bytes, pkt: Pkt, out: _SlowUdp, depth: int) -> None:
        # RFC 2784 / RFC 2890 / packet-gre.c: flags and version, protocol type; checksum
        # and reserved (C, 0x8000), key (K, 0x2000), sequence number (S, 0x1000) follow
        # when their bit is set. Version 1 is PPTP's enhanced GRE (RFC 2637).
        if len(data) < 4:
            self.counts.skip("truncated")
            return
        flags, proto = struct.unpack_from(">HH", data, 0)
        version = flags & 0x7
        if version not in (0, 1) or flags & 0x4000:  # routing present (RFC 1701): rare
            self.counts.skip(f"unsupported GRE (flags 0x{flags:04x})")
            return
        pos = 4
        if flags & 0x8000:
            pos += 4
        if flags & 0x2000:
            pos += 4
        if flags & 0x1000:
            pos += 4
        if version == 1 and flags & 0x0080:  # enhanced GRE acknowledgment number
            pos += 4
        if len(data) < pos:
            self.counts.skip("truncated")
            return
        body = data[pos:]
        if version == 1:
            if proto != 0x880B or not body:
                self.counts.skip(f"unsupported GRE (version 1, protocol 0x{proto:04x})")
                return
            self._ppp(body, pkt, out, depth + 1)
            return
        self._ethertype(proto, body, pkt, out, depth + 1)

    def _ppp(self, data: bytes, pkt: Pkt, out: _SlowUdp, depth: int) -> None:
        # RFC 1662 HDLC-like framing (address 0xFF, control 0x03) may precede the protocol.
        if data[:2] == b"\xff\x03":
            data = data[2:]
        if data[:1] and data[0] & 1:
            proto, body = data[0], data[1:]
        elif len(data) >= 2:
            proto, body = _u16(data, 0), data[2:]
        else:
            self.counts.skip("truncated")
            return
        if proto == PPP_IPV4:
            self._ipv4(body, pkt, out, depth)
        elif proto == PPP_IPV6:
            self._ipv6(body, pkt, out, depth)
        else:
            self.counts.skip(f"non-IP (PPP protocol 0x{proto:04x})")


def _merge(fast: Datagrams, extra: _SlowUdp) -> Datagrams:
    if not extra.frame:
        return fast
    base = len(fast.buf)
    lengths = np.array([len(p) for p in extra.payload], dtype=np.int64)
    starts = base + np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    buf = fast.buf + b"".join(extra.payload)

    def cat(a: I64, b: list[int] | I64) -> I64:
        return np.concatenate([a, np.asarray(b, dtype=np.int64)])

    merged = Datagrams(
        buf=buf,
        frame=cat(fast.frame, extra.frame),
        time_ns=cat(fast.time_ns, extra.time_ns),
        rec_off=cat(fast.rec_off, extra.rec_off),
        src=cat(fast.src, extra.src),
        dst=cat(fast.dst, extra.dst),
        sport=cat(fast.sport, extra.sport),
        dport=cat(fast.dport, extra.dport),
        poff=cat(fast.poff, starts),
        plen=cat(fast.plen, lengths),
        rlen=cat(fast.rlen, extra.rlen),
    )
    order = np.argsort(merged.frame, kind="stable")
    return Datagrams(
        buf=buf,
        **{
            name: getattr(merged, name)[order]
            for name in (
                "frame",
                "time_ns",
                "rec_off",
                "src",
                "dst",
                "sport",
                "dport",
                "poff",
                "plen",
                "rlen",
            )
        },
    )
