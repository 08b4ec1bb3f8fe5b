"""Seeded, format-faithful VoIP captures (pcap or pcapng) and their answer keys.

What a capture holds: for each phone a REGISTER challenged by a 401 and repeated with a
correct RFC 2617 / RFC 8760 digest (MD5, qop=auth; the password is a weak word so the
trainee can recover it from a word list); then calls between the phones, each answered
(INVITE / 100 / 180 / 200 / ACK / RTP both ways / BYE / 200), cancelled (INVITE / 100 / 180
/ CANCEL / 200 / 487 / ACK) or rejected (INVITE / 100 / 486 / ACK). Answered calls carry
G.711 (PCMU or PCMA) RTP with a sine tone per direction, DTMF digits sent as RFC 4733
events (with the end packet sent three times, RFC 4733 2.5.1.4) and other digits as
in-band tones; loss, jitter and reordering are configurable. Link layer: Ethernet
(optionally 802.1Q or QinQ tagged), PPPoE, IP-in-IP, GRE, MPLS, VXLAN, Linux SLL / SLL2,
raw IPv4 or BSD loopback; SIP over UDP (fragmented when larger than the MTU) or TCP.

The RTP packets are built as one NumPy array of fixed-size records, so a 1,000,000-packet
capture is written in seconds. Identities follow ``datasets/README.md``: documentation
IP ranges, ``example.org`` hosts, invented names.
"""

from __future__ import annotations

import json
import random
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from forensics_lib.voip.auth import digest_response

__all__ = [
    "VOIP_VERSION",
    "PlannedCall",
    "SipPhone",
    "VoipCase",
    "g711_encode",
    "make_voip_capture",
]

VOIP_VERSION = 1
BASE_TIME = pd.Timestamp("2024-03-14T08:00:00Z")
REALM = "pbx.example.org"
NAMES = ("alex", "sam", "robin", "charlie", "jo", "kim", "lou", "max", "noor", "ari")
WEAK_PASSWORDS = ("sunshine", "letmein", "dragon", "monkey", "football", "welcome", "qwerty1")
DTMF_FREQS = {  # ITU-T Q.23 (low, high) Hz
    "1": (697, 1209), "2": (697, 1336), "3": (697, 1477), "A": (697, 1633),
    "4": (770, 1209), "5": (770, 1336), "6": (770, 1477), "B": (770, 1633),
    "7": (852, 1209), "8": (852, 1336), "9": (852, 1477), "C": (852, 1633),
    "*": (941, 1209), "0": (941, 1336), "#": (941, 1477), "D": (941, 1633),
}  # fmt: skip
RFC4733_CODES = {d: i for i, d in enumerate("0123456789*#ABCD")}
# Link layers and encapsulations a capture can be written in -> the file's link type
# (tcpdump.org LINKTYPE): every one wraps the same inner IPv4 packet (see _frame).
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
PT_EVENT = 101
PT_ILBC = 98  # a dynamic payload type, named only by the SDP rtpmap
CODECS = {0: "g711U", 8: "g711A", PT_ILBC: "iLBC"}  # the names tshark prints
FRAME_MS = 20
SAMPLES = 160  # 20 ms at 8 kHz


# ---------------------------------------------------------------------------------------------
# G.711 encoding (ITU-T G.711): the nearest code of the decoding table, for every sample
# ---------------------------------------------------------------------------------------------


def _decode_tables() -> dict[str, npt.NDArray[np.int32]]:
    b = ~np.arange(256, dtype=np.int32) & 0xFF
    mu = (((b & 0x0F) << 3) + 0x84 << ((b >> 4) & 7)) - 0x84
    mu = np.where(b & 0x80, -mu, mu)
    a = np.arange(256, dtype=np.int32) ^ 0x55
    mag = (a & 0x0F) * 16 + 8
    e = (a >> 4) & 7
    mag = np.where(e != 0, (mag + 0x100) << np.maximum(e - 1, 0), mag)
    return {"u": mu, "a": np.where(a & 0x80, mag, -mag)}


def _encode_table(decoded: npt.NDArray[np.int32]) -> npt.NDArray[np.uint8]:
    order = np.argsort(decoded, kind="stable")
    values = decoded[order]
    x = np.arange(-32768, 32768)
    right = np.clip(np.searchsorted(values, x), 1, len(values) - 1)
    left = right - 1
    pick = np.where(np.abs(values[left] - x) <= np.abs(values[right] - x), left, right)
    return order[pick].astype(np.uint8)


_DECODE = _decode_tables()
_ENCODE = {law: _encode_table(t) for law, t in _DECODE.items()}


def g711_encode(samples: npt.NDArray[np.int16], law: str) -> npt.NDArray[np.uint8]:
    """16-bit samples to G.711 bytes (``law`` "u" or "a"), the nearest code."""
    return _ENCODE[law][samples.astype(np.int32) + 32768]


# ---------------------------------------------------------------------------------------------
# Packets
# ---------------------------------------------------------------------------------------------


def _checksum(header: bytes) -> int:
    total = sum(struct.unpack(f">{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _ip4(src: str, dst: str, proto: int, payload: bytes, ident: int, frag: int = 0x4000) -> bytes:
    head = struct.pack(
        ">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, frag, 64, proto, 0,
        bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))),
    )  # fmt: skip
    return head[:10] + struct.pack(">H", _checksum(head)) + head[12:] + payload


def _ip6(src: bytes, dst: bytes, nxt: int, payload: bytes) -> bytes:
    return struct.pack(">IHBB16s16s", 6 << 28, len(payload), nxt, 64, src, dst) + payload


def _frame(kind: str, ip: bytes) -> bytes:
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
        return eth(0x0800) + _ip4(*TUNNEL_V4, 4, ip, 0)
    if kind == "4in6":  # RFC 2473: IPv4 in IPv6 (next header 4)
        return eth(0x86DD) + _ip6(*TUNNEL_V6, 4, ip)
    if kind == "gre":  # RFC 2890: key and sequence number present (K and S bits)
        gre = struct.pack(">HHII", 0x3000, 0x0800, 0x0000_1234, 0)
        return eth(0x0800) + _ip4(*TUNNEL_V4, 47, gre + ip, 0)
    if kind == "mpls":  # RFC 3032: two labels, bottom of stack on the second
        labels = struct.pack(">II", (1000 << 12) | 64, (2000 << 12) | (1 << 8) | 64)
        return eth(0x8847) + labels + ip
    if kind == "vxlan":  # RFC 7348: UDP 4789, I flag, VNI 5001, inner Ethernet
        inner = eth(0x0800) + ip
        vx = struct.pack(">II", 0x0800_0000, 5001 << 8)
        udp = struct.pack(">HHHH", 49152, 4789, 8 + len(vx) + len(inner), 0)
        return eth(0x0800) + _ip4(*TUNNEL_V4, 17, udp + vx + inner, 0)
    if kind == "null":  # BSD loopback: AF_INET in the writer's (little-endian) byte order
        return struct.pack("<I", 2) + ip
    if kind == "loop":  # OpenBSD loopback: AF_INET in network byte order
        return struct.pack(">I", 2) + ip
    return _link(kind) + ip


def _link(kind: str, ethertype: int = 0x0800) -> bytes:
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
class _Writer:
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
            self._add(t_ns, _ip4(src[0], dst[0], 17, segment, self.ident))
            return
        for offset in range(0, len(segment), limit):  # RFC 791 fragmentation
            part = segment[offset : offset + limit]
            more = 0x2000 if offset + limit < len(segment) else 0
            self._add(t_ns, _ip4(src[0], dst[0], 17, part, self.ident, more | offset // 8))

    def tcp(
        self, t_ns: int, src: tuple[str, int], dst: tuple[str, int], seq: int, payload: bytes,
        flags: int = 0x18,
    ) -> None:  # fmt: skip
        head = struct.pack(">HHIIBBHHH", src[1], dst[1], seq, 0, 5 << 4, flags, 65535, 0, 0)
        self.ident += 1
        self._add(t_ns, _ip4(src[0], dst[0], 6, head + payload, self.ident))

    def _add(self, t_ns: int, ip: bytes, iface: int = 0) -> None:
        self.times.append(t_ns)
        self.frames.append(ip)
        self.ifaces.append(iface)


# ---------------------------------------------------------------------------------------------
# SIP
# ---------------------------------------------------------------------------------------------


def _sip(start: str, headers: list[tuple[str, str]], body: str = "") -> bytes:
    lines = [start, *(f"{k}: {v}" for k, v in headers)]
    if body:
        lines.append("Content-Type: application/sdp")
    lines.append(f"Content-Length: {len(body.encode())}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def _sdp(ip: str, port: int, session: int, pts: list[int]) -> str:
    names = {0: "PCMU/8000", 8: "PCMA/8000", PT_EVENT: "telephone-event/8000",
             PT_ILBC: "iLBC/8000"}  # fmt: skip
    lines = [
        "v=0", f"o=- {session} {session} IN IP4 {ip}", "s=call", f"c=IN IP4 {ip}", "t=0 0",
        f"m=audio {port} RTP/AVP {' '.join(map(str, pts))}",
        *(f"a=rtpmap:{p} {names[p]}" for p in pts), f"a=fmtp:{PT_EVENT} 0-15", "a=sendrecv",
    ]  # fmt: skip
    return "\r\n".join(lines) + "\r\n"


@dataclass(frozen=True)
class _Phone:
    user: str
    ip: str
    password: str

    @property
    def aor(self) -> str:
        return f"{self.user}@{REALM}"


def _digest(phone: _Phone, method: str, uri: str, nonce: str, cnonce: str) -> str:
    # The one implementation of RFC 2617 digest (qop=auth, first use of the nonce: nc 1).
    return digest_response(
        username=phone.user,
        realm=REALM,
        password=phone.password,
        method=method,
        uri=uri,
        nonce=nonce,
        qop="auth",
        nc="00000001",
        cnonce=cnonce,
    )


# ---------------------------------------------------------------------------------------------
# The case
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoipCase:
    """Where the capture is and what it holds."""

    path: Path
    answer_key: dict[str, Any]


@dataclass
class _Stream:
    ssrc: int
    src: tuple[str, int]
    dst: tuple[str, int]
    pt: int
    seq0: int
    ts0: int
    t0_ns: int
    slots: int
    tone_hz: float
    events: list[tuple[int, str]] = field(default_factory=list)  # (slot, digit)
    inband: list[tuple[int, str]] = field(default_factory=list)


def _tone(stream: _Stream) -> npt.NDArray[np.int16]:
    n = stream.slots * SAMPLES
    t = np.arange(n) / 8000.0
    audio = 6000.0 * np.sin(2 * np.pi * stream.tone_hz * t)
    for slot, digit in stream.inband:
        lo, hi = DTMF_FREQS[digit]
        a, b = slot * SAMPLES, (slot + 6) * SAMPLES  # 120 ms of tone
        tt = t[a:b]
        audio[a:b] = 7000.0 * (np.sin(2 * np.pi * lo * tt) + np.sin(2 * np.pi * hi * tt))
    return np.clip(np.round(audio), -32768, 32767).astype(np.int16)


@dataclass(frozen=True)
class SipPhone:
    """A phone of a composed capture: its SIP user (at ``REALM``), address and password."""

    user: str
    ip: str
    password: str


@dataclass(frozen=True)
class PlannedCall:
    """One call of a composed capture. ``caller`` is a phone's user; ``callee`` a phone's
    user or an outside number (``+447700900123``), reached through the gateway."""

    caller: str
    callee: str
    start: pd.Timestamp
    outcome: str = "answered"  # answered | cancelled | rejected
    seconds: float = 4.0
    digits: str = ""  # sent as RFC 4733 events
    inband_digits: str = ""  # sent as in-band tones


_Leg = tuple[_Phone, _Phone, int, str, float, str, str]


def _call_plan(
    phones: list[_Phone],
    plan: Sequence[PlannedCall] | None,
    start_ns: int,
    gateway_ip: str,
    counts: tuple[int, int, int],
    media: tuple[float, str, str],
) -> list[_Leg]:
    """(caller, callee, start ns, outcome, seconds, digits, in-band digits) per call."""
    if plan is None:
        answered, cancelled, rejected = counts
        outcomes = ["answered"] * answered + ["cancelled"] * cancelled + ["rejected"] * rejected
        n_phones = len(phones)
        return [
            (
                phones[(2 * n) % n_phones],
                phones[(2 * n + 1) % n_phones],
                start_ns + 1_000_000_000 + n * 200_000_000,
                outcome,
                *media,
            )
            for n, outcome in enumerate(outcomes)
        ]
    by_user = {p.user: p for p in phones}
    legs: list[_Leg] = []
    for call in plan:
        if call.outcome not in ("answered", "cancelled", "rejected"):
            raise ValueError(f"unknown outcome {call.outcome!r}")
        caller = by_user[call.caller]
        callee = by_user.get(call.callee) or _Phone(call.callee, gateway_ip, "")
        legs.append(
            (
                caller,
                callee,
                call.start.value,
                call.outcome,
                call.seconds,
                call.digits,
                call.inband_digits,
            )
        )
    return legs


def make_voip_capture(
    out: str | Path,
    *,
    seed: int = 0,
    answered: int = 2,
    cancelled: int = 1,
    rejected: int = 1,
    seconds: float = 4.0,
    loss: float = 0.0,
    jitter_ms: float = 0.0,
    reorder: float = 0.0,
    fmt: str = "pcap",
    link: str = "ethernet",
    sip_transport: str = "udp",
    mtu: int = 1500,
    nanoseconds: bool = False,
    big_endian: bool = False,
    digits: str = "1590",
    inband_digits: str = "27",
    phones: Sequence[SipPhone] | None = None,
    plan: Sequence[PlannedCall] | None = None,
    start: pd.Timestamp | None = None,
    gateway_ip: str = "203.0.113.20",
    rtp_link: str | None = None,
    noise: int = 0,
    early_media: bool = False,
    renegotiate: str | None = None,
) -> VoipCase:
    """Write one capture to ``out`` (a file path) and return its answer key.

    ``answered`` calls carry ``seconds`` of G.711 RTP in each direction (50 packets a
    second); ``loss`` / ``reorder`` are per-packet probabilities, ``jitter_ms`` the scale of
    random extra delay. ``fmt`` is "pcap" or "pcapng" (two interfaces: SIP on one with
    microsecond, RTP on the other with nanosecond timestamps).

    ``link`` is the link layer or encapsulation every packet is written in (one of
    :data:`LINKS`: Ethernet, 802.1Q, QinQ, PPPoE, IP-in-IP, 4in6, GRE, MPLS, VXLAN, Linux
    SLL / SLL2, raw IPv4, BSD loopback); in pcapng, ``rtp_link`` gives the RTP interface a
    different one. SIP datagrams larger than ``mtu`` are sent as IPv4 fragments. ``noise``
    adds that many frames the reader must skip; the answer key's ``skipped`` gives the
    reason it should report for them.

    ``early_media`` makes answered calls send a 183 Session Progress with the SDP answer and
    start the callee's RTP at once (before the 200 OK); ``renegotiate`` ("update" or
    "reinvite") moves answered calls mid-way to new ports and the dynamic payload type 98,
    named "iLBC" only by the new SDP's rtpmap: two more streams per call.

    A composed case passes its own ``phones`` (who registers, with which password) and
    ``plan`` (who calls whom, when, how it ends, which digits), starting at ``start``;
    a callee that is not one of the phones (an outside number) is reached through the
    PBX's gateway ``gateway_ip``. Without them, ``answered`` / ``cancelled`` /
    ``rejected`` calls are made between seeded phones.
    """
    if fmt not in ("pcap", "pcapng") or link not in LINKS or sip_transport not in ("udp", "tcp"):
        raise ValueError("fmt is pcap|pcapng, link one of LINKS, sip_transport udp|tcp")
    if renegotiate not in (None, "update", "reinvite"):
        raise ValueError("renegotiate is None, 'update' or 'reinvite'")
    if rtp_link is not None and (rtp_link not in LINKS or fmt != "pcapng"):
        raise ValueError("rtp_link (the RTP interface's link) is one of LINKS, pcapng only")
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    path = Path(out)
    start_ns = (BASE_TIME + pd.Timedelta(days=seed % 365) if start is None else start).value
    if phones is None:
        n_phones = max(2, min(len(NAMES), 2 * max(answered + cancelled + rejected, 1)))
        registered = [
            _Phone(
                f"{NAMES[i % len(NAMES)]}{i:03d}",
                f"198.51.100.{10 + i}",
                rng.choice(WEAK_PASSWORDS),
            )
            for i in range(n_phones)
        ]
    else:
        registered = [_Phone(p.user, p.ip, p.password) for p in phones]
        n_phones = len(registered)
    writer = _Writer(link=link, mtu=mtu)
    tcp_seq: dict[tuple[str, str], int] = {}
    key: dict[str, Any] = {"version": VOIP_VERSION, "seed": seed, "format": fmt, "link": link,
                           "rtp_link": rtp_link or link}  # fmt: skip

    def send(t_ns: int, src: _Phone | str, dst: _Phone | str, msg: bytes) -> None:
        s_ip = src.ip if isinstance(src, _Phone) else src
        d_ip = dst.ip if isinstance(dst, _Phone) else dst
        if sip_transport == "udp":
            writer.udp(t_ns, (s_ip, 5060), (d_ip, 5060), msg)
            return
        flow = (s_ip, d_ip)
        if flow not in tcp_seq:
            tcp_seq[flow] = rng.randrange(1 << 32)
            writer.tcp(t_ns - 2000, (s_ip, 5060), (d_ip, 5060), tcp_seq[flow], b"", 0x02)
            tcp_seq[flow] = (tcp_seq[flow] + 1) & 0xFFFFFFFF
        writer.tcp(t_ns, (s_ip, 5060), (d_ip, 5060), tcp_seq[flow], msg)
        tcp_seq[flow] = (tcp_seq[flow] + len(msg)) & 0xFFFFFFFF

    registrar = "203.0.113.10"
    proto = sip_transport.upper()
    t = start_ns
    registrations = []
    for phone in registered:
        call_id = f"reg-{rng.randrange(1 << 40):x}@{phone.ip}"
        nonce = f"{rng.randrange(1 << 64):016x}"
        cnonce = f"{rng.randrange(1 << 32):08x}"
        uri = f"sip:{REALM}"
        base = [
            ("Via", f"SIP/2.0/{proto} {phone.ip}:5060;branch=z9hG4bK{rng.randrange(1 << 30)}"),
            ("From", f"<sip:{phone.aor}>;tag={rng.randrange(1 << 30)}"),
            ("To", f"<sip:{phone.aor}>"), ("Call-ID", call_id), ("Max-Forwards", "70"),
            ("Contact", f"<sip:{phone.user}@{phone.ip}:5060>"), ("User-Agent", "ExamplePhone/1.0"),
        ]  # fmt: skip
        send(t, phone, registrar, _sip(f"REGISTER {uri} SIP/2.0", [*base, ("CSeq", "1 REGISTER")]))
        challenge = f'Digest realm="{REALM}", nonce="{nonce}", algorithm=MD5, qop="auth"'
        send(t + 3_000_000, registrar, phone, _sip("SIP/2.0 401 Unauthorized", [
            *base[:4], ("CSeq", "1 REGISTER"), ("WWW-Authenticate", challenge)]))  # fmt: skip
        response = _digest(phone, "REGISTER", uri, nonce, cnonce)
        auth = (
            f'Digest username="{phone.user}", realm="{REALM}", nonce="{nonce}", uri="{uri}", '
            f'response="{response}", algorithm=MD5, cnonce="{cnonce}", qop=auth, nc=00000001'
        )
        send(t + 6_000_000, phone, registrar, _sip(f"REGISTER {uri} SIP/2.0", [
            *base, ("CSeq", "2 REGISTER"), ("Authorization", auth)]))  # fmt: skip
        send(t + 9_000_000, registrar, phone, _sip("SIP/2.0 200 OK", [
            *base[:4], ("CSeq", "2 REGISTER")]))  # fmt: skip
        registrations.append({"username": phone.user, "realm": REALM, "password": phone.password,
                              "client": phone.ip, "response": response})  # fmt: skip
        t += 50_000_000
    key["registrations"] = registrations

    calls, streams = [], []
    legs = _call_plan(
        registered, plan, start_ns, gateway_ip, (answered, cancelled, rejected),
        (seconds, digits, inband_digits),
    )  # fmt: skip
    for n, (caller, callee, t, outcome, call_s, call_digits, call_inband) in enumerate(legs):
        call_id = f"{rng.randrange(1 << 48):012x}@{caller.ip}"
        law_pt = 0 if n % 2 == 0 else 8
        ports = (10000 + 4 * n, 20000 + 4 * n)
        frm = f'"{caller.user.title()} Example" <sip:{caller.aor}>;tag={rng.randrange(1 << 30)}'
        to = f"<sip:{callee.aor}>"
        to_tag = f"{to};tag={rng.randrange(1 << 30)}"
        via = f"SIP/2.0/{proto} {caller.ip}:5060;branch=z9hG4bK{rng.randrange(1 << 30)}"

        def hdrs(
            cseq: str, to_value: str = to, via: str = via, frm: str = frm, call_id: str = call_id
        ) -> list[tuple[str, str]]:
            return [
                ("Via", via),
                ("From", frm),
                ("To", to_value),
                ("Call-ID", call_id),
                ("CSeq", cseq),
            ]

        offer = _sdp(caller.ip, ports[0], rng.randrange(1 << 30), [law_pt, PT_EVENT])
        invite = _sip(f"INVITE sip:{callee.aor} SIP/2.0", [
            *hdrs("1 INVITE"), ("Max-Forwards", "70"),
            ("Contact", f"<sip:{caller.user}@{caller.ip}>"), ("User-Agent", "ExamplePhone/1.0"),
        ], offer)  # fmt: skip
        send(t, caller, callee, invite)
        send(t + 2_000_000, callee, caller, _sip("SIP/2.0 100 Trying", hdrs("1 INVITE")))
        call = {"call_id": call_id, "caller": caller.aor, "callee": callee.aor, "outcome": outcome,
                "caller_ip": caller.ip, "callee_ip": callee.ip, "start_ns": t}  # fmt: skip
        if outcome == "rejected":
            send(
                t + 400_000_000,
                callee,
                caller,
                _sip("SIP/2.0 486 Busy Here", hdrs("1 INVITE", to_tag)),
            )
            send(
                t + 402_000_000,
                caller,
                callee,
                _sip(f"ACK sip:{callee.aor} SIP/2.0", hdrs("1 ACK", to_tag)),
            )
            call.update(state="REJECTED", status_code=486, ssrcs=[])
            calls.append(call)
            continue
        send(t + 50_000_000, callee, caller, _sip("SIP/2.0 180 Ringing", hdrs("1 INVITE", to_tag)))
        if outcome == "cancelled":
            send(
                t + 3_000_000_000,
                caller,
                callee,
                _sip(f"CANCEL sip:{callee.aor} SIP/2.0", hdrs("1 CANCEL")),
            )
            send(
                t + 3_002_000_000, callee, caller, _sip("SIP/2.0 200 OK", hdrs("1 CANCEL", to_tag))
            )
            send(
                t + 3_003_000_000,
                callee,
                caller,
                _sip("SIP/2.0 487 Request Terminated", hdrs("1 INVITE", to_tag)),
            )
            send(
                t + 3_005_000_000,
                caller,
                callee,
                _sip(f"ACK sip:{callee.aor} SIP/2.0", hdrs("1 ACK", to_tag)),
            )
            call.update(state="CANCELLED", status_code=487, ssrcs=[])
            calls.append(call)
            continue
        answer = _sdp(callee.ip, ports[1], rng.randrange(1 << 30), [law_pt, PT_EVENT])
        t_ok = t + 2_000_000_000
        early_t0 = t + 100_000_000
        if early_media:  # RFC 3960: 183 with the answer's SDP, ringback RTP before the 200
            send(t + 60_000_000, callee, caller, _sip("SIP/2.0 183 Session Progress",
                 [*hdrs("1 INVITE", to_tag), ("Contact", f"<sip:{callee.user}@{callee.ip}>")],
                 answer))  # fmt: skip
        send(t_ok, callee, caller, _sip("SIP/2.0 200 OK", [*hdrs("1 INVITE", to_tag),
             ("Contact", f"<sip:{callee.user}@{callee.ip}>"),
             ("Server", "ExamplePhone/1.0")], answer))  # fmt: skip
        send(
            t_ok + 5_000_000,
            caller,
            callee,
            _sip(f"ACK sip:{callee.aor} SIP/2.0", hdrs("1 ACK", to_tag)),
        )
        media_t0 = t_ok + 20_000_000
        slots = max(int(call_s * 1000 / FRAME_MS), 20)
        first_slots = slots // 2 if renegotiate else slots
        pair = []
        for direction, (src, dst, sp, dp, hz) in enumerate(
            (
                (caller, callee, ports[0], ports[1], 440.0),
                (callee, caller, ports[1], ports[0], 620.0),
            )
        ):
            t0 = media_t0 + direction * 3_000_000
            n_slots = first_slots
            if early_media and direction == 1:  # the callee's stream starts at the 183
                n_slots += (t0 - early_t0) // (FRAME_MS * 1_000_000)
                t0 -= (t0 - early_t0) // (FRAME_MS * 1_000_000) * FRAME_MS * 1_000_000
            st = _Stream(
                ssrc=rng.randrange(1 << 32), src=(src.ip, sp), dst=(dst.ip, dp), pt=law_pt,
                seq0=rng.randrange(1 << 16), ts0=rng.randrange(1 << 32),
                t0_ns=t0, slots=n_slots, tone_hz=hz,
            )  # fmt: skip
            if direction == 0:
                gap = max(first_slots // (len(call_digits) + len(call_inband) + 2), 10)
                at = gap
                for d in call_digits:  # an event takes 7 packets; digits that do not fit
                    if at + 7 <= n_slots:  # in a short call are not sent (nor in the key)
                        st.events.append((at, d))
                    at += gap
                for d in call_inband:  # 120 ms (6 packets) of tone
                    if at + 6 <= n_slots:
                        st.inband.append((at, d))
                    at += gap
                sent_digits = "".join(d for _, d in st.events)
                sent_inband = "".join(d for _, d in st.inband)
            pair.append(st)
        media_end = media_t0 + slots * FRAME_MS * 1_000_000
        bye_cseq = 2
        if renegotiate:  # mid-call UPDATE / re-INVITE: new ports, dynamic PT 98 (iLBC)
            t_re = media_t0 + first_slots * FRAME_MS * 1_000_000 + 10_000_000
            method = "UPDATE" if renegotiate == "update" else "INVITE"
            new_ports = (ports[0] + 2, ports[1] + 2)
            offer2 = _sdp(caller.ip, new_ports[0], rng.randrange(1 << 30), [PT_ILBC, PT_EVENT])
            answer2 = _sdp(callee.ip, new_ports[1], rng.randrange(1 << 30), [PT_ILBC, PT_EVENT])
            send(t_re, caller, callee, _sip(f"{method} sip:{callee.aor} SIP/2.0",
                 [*hdrs(f"2 {method}", to_tag), ("Contact", f"<sip:{caller.user}@{caller.ip}>")],
                 offer2))  # fmt: skip
            send(t_re + 5_000_000, callee, caller, _sip("SIP/2.0 200 OK",
                 [*hdrs(f"2 {method}", to_tag), ("Contact", f"<sip:{callee.user}@{callee.ip}>")],
                 answer2))  # fmt: skip
            if method == "INVITE":
                send(t_re + 8_000_000, caller, callee,
                     _sip(f"ACK sip:{callee.aor} SIP/2.0", hdrs("2 ACK", to_tag)))  # fmt: skip
            t0 = t_re + 20_000_000
            for direction, (src, dst, sp, dp, hz) in enumerate(
                (
                    (caller, callee, new_ports[0], new_ports[1], 440.0),
                    (callee, caller, new_ports[1], new_ports[0], 620.0),
                )
            ):
                pair.append(_Stream(
                    ssrc=rng.randrange(1 << 32), src=(src.ip, sp), dst=(dst.ip, dp), pt=PT_ILBC,
                    seq0=rng.randrange(1 << 16), ts0=rng.randrange(1 << 32),
                    t0_ns=t0 + direction * 3_000_000, slots=slots - first_slots, tone_hz=hz,
                ))  # fmt: skip
            media_end = t0 + (slots - first_slots) * FRAME_MS * 1_000_000
            bye_cseq = 3
        streams.extend(pair)
        t_end = media_end + 100_000_000
        bye = f"{bye_cseq} BYE"
        send(t_end, caller, callee, _sip(f"BYE sip:{callee.aor} SIP/2.0", hdrs(bye, to_tag)))
        send(t_end + 3_000_000, callee, caller, _sip("SIP/2.0 200 OK", hdrs(bye, to_tag)))
        call.update(state="COMPLETED", status_code=200, answer_ns=t_ok, end_ns=t_end + 3_000_000,
                    ssrcs=[f"0x{s.ssrc:08X}" for s in pair],
                    digits_rfc4733=sent_digits, digits_inband=sent_inband,
                    early_media=early_media, renegotiate=renegotiate)  # fmt: skip
        calls.append(call)

    stream_keys, blocks = _rtp(writer, streams, link, nrng, loss, jitter_ms, reorder)
    key["calls"] = calls
    key["streams"] = stream_keys
    key["skipped"] = _noise(writer, noise, fmt, link, start_ns, rng)
    packets = _write(path, writer, blocks, fmt, nanoseconds, big_endian, link, rtp_link or link)
    key["packets"] = packets
    return VoipCase(path=path, answer_key=key)


def _rtp(
    writer: _Writer,
    streams: list[_Stream],
    link: str,
    nrng: np.random.Generator,
    loss: float,
    jitter_ms: float,
    reorder: float,
) -> tuple[list[dict[str, Any]], list[Any]]:
    keys = []
    blocks = []
    for st in streams:
        n = st.slots
        event_slots: dict[int, tuple[str, int, bool]] = {}  # slot -> (digit, duration, end)
        for slot, digit in st.events:
            for k in range(7):  # 5 updates then the end packet twice more (3 in all)
                event_slots[slot + k] = (digit, 160 * min(k + 1, 5), k >= 4)
        slot = np.arange(n)
        keep = np.ones(n, dtype=bool)
        if loss:
            drop = nrng.random(n) < loss
            drop[:2] = drop[-2:] = False
            drop[list(event_slots)] = False
            keep &= ~drop
        arrival = st.t0_ns + slot.astype(np.int64) * FRAME_MS * 1_000_000
        if jitter_ms:
            arrival += (np.abs(nrng.normal(0, jitter_ms, n)) * 1e6).astype(np.int64)
        if reorder:
            swap = np.flatnonzero(nrng.random(n - 5) < reorder) + 2
            swap = swap[np.diff(np.concatenate([[-2], swap])) > 1]  # no overlapping swaps
            swap = np.array(
                [s for s in swap if s not in event_slots and s + 1 not in event_slots],
                dtype=np.int64,
            )
            if len(swap):
                a, b = arrival[swap].copy(), arrival[swap + 1].copy()
                arrival[swap], arrival[swap + 1] = b + 1000, a
        arrival = arrival // 1000 * 1000  # microsecond capture resolution
        seq = (st.seq0 + slot) & 0xFFFF
        ts = (st.ts0 + slot * SAMPLES) & 0xFFFFFFFF
        law = "u" if st.pt == 0 else "a"
        payload = g711_encode(_tone(st), law).reshape(n, SAMPLES)
        is_event = np.isin(slot, list(event_slots))
        audio = keep & ~is_event
        blocks.append((st, arrival[audio], seq[audio], ts[audio], payload[audio], slot[audio] == 0))
        event_ts: dict[str, int] = {}
        for s in sorted(event_slots):
            digit, duration, end = event_slots[s]
            start_slot = (
                s
                - [
                    k for k in range(7) if (s - k) in event_slots and event_slots[s - k][0] == digit
                ][-1]
            )
            ev_ts = int(ts[start_slot])
            event_ts[digit] = ev_ts
            body = struct.pack(">BBH", RFC4733_CODES[digit], (0x80 if end else 0) | 10, duration)
            marker = 0x80 if s == start_slot else 0
            rtp = struct.pack(">BBHII", 0x80, marker | PT_EVENT, int(seq[s]), ev_ts, st.ssrc) + body
            writer.udp(int(arrival[s]), st.src, st.dst, rtp)
            writer.ifaces[-1] = 1
        written = np.sort(slot[keep])
        last_slot = int(slot[keep][np.argmax(arrival[keep])])
        first_slot = int(slot[keep][np.argmin(arrival[keep])])
        packets = int(keep.sum())
        expected = last_slot - first_slot + 1
        keys.append({
            "ssrc": f"0x{st.ssrc:08X}", "src_ip": st.src[0], "src_port": st.src[1],
            "dst_ip": st.dst[0], "dst_port": st.dst[1], "payload_type": st.pt,
            "codec": CODECS[st.pt], "packets": packets,
            "expected": expected, "lost": expected - packets, "first_seq": int(seq[written[0]]),
            "rfc4733": [d for _, d in st.events], "inband": [d for _, d in st.inband],
            "tone_hz": st.tone_hz,
        })  # fmt: skip
    return keys, blocks


def _audio_records(
    link: str, blocks: list[Any]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """All audio packets as one (n, length) array of link+IP+UDP+RTP bytes, and their times."""
    ip_len = 20 + 8 + 12 + SAMPLES
    head = _frame(link, bytes(ip_len))[:-ip_len]  # same size packets: the same link prefix
    length = len(head) + ip_len
    total = sum(len(b[1]) for b in blocks)
    rows = np.zeros((total, length), dtype=np.uint8)
    times = np.zeros(total, dtype=np.int64)
    at = 0
    ident = 0
    for st, arrival, seq, ts, payload, first in blocks:
        n = len(arrival)
        r = rows[at : at + n]
        times[at : at + n] = arrival
        r[:, : len(head)] = np.frombuffer(head, dtype=np.uint8)
        o = len(head)
        ip = np.frombuffer(
            _ip4(st.src[0], st.dst[0], 17, bytes(8 + 12 + SAMPLES), 0), dtype=np.uint8
        )[:20]
        r[:, o : o + 20] = ip
        ids = (ident + np.arange(n)) & 0xFFFF
        ident += n
        r[:, o + 4], r[:, o + 5] = ids >> 8, ids & 0xFF
        words = r[:, o : o + 20].astype(np.uint32)
        words[:, 10:12] = 0
        total16 = (words[:, 0::2] << 8 | words[:, 1::2]).sum(axis=1)
        while (total16 >> 16).any():
            total16 = (total16 & 0xFFFF) + (total16 >> 16)
        csum = ~total16 & 0xFFFF
        r[:, o + 10], r[:, o + 11] = csum >> 8, csum & 0xFF
        u = o + 20
        udp = struct.pack(">HHHH", st.src[1], st.dst[1], 8 + 12 + SAMPLES, 0)
        r[:, u : u + 8] = np.frombuffer(udp, dtype=np.uint8)
        h = u + 8
        r[:, h] = 0x80
        r[:, h + 1] = st.pt | np.where(first, 0x80, 0)
        r[:, h + 2], r[:, h + 3] = seq >> 8, seq & 0xFF
        for k in range(4):
            r[:, h + 4 + k] = (ts >> (24 - 8 * k)) & 0xFF
            r[:, h + 8 + k] = (st.ssrc >> (24 - 8 * k)) & 0xFF
        r[:, h + 12 :] = payload
        at += n
    order = np.argsort(times, kind="stable")
    return times[order], rows[order]


def _noise(
    writer: _Writer, n: int, fmt: str, link: str, start_ns: int, rng: random.Random
) -> dict[str, int]:
    """``n`` frames no reader can take for VoIP, and the reason the reader should give:
    in pcapng, frames of an interface with an undecodable link type; in pcap, ARP on the
    Ethernet and Linux cooked links, IPv4 headers cut short on the others."""
    if not n:
        return {}
    arp = struct.pack(">HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, bytes(6), bytes(4), bytes(6),
                      bytes(4))  # fmt: skip
    for k in range(n):
        t = start_ns + 500_000 + k * 7_000_000 + rng.randrange(1000)
        if fmt == "pcapng":
            frame = bytes(rng.randrange(256) for _ in range(40))
        elif LINKS[link] == 1 or link in ("sll", "sll2"):
            frame = _link("ethernet" if LINKS[link] == 1 else link, 0x0806) + arp
        else:
            frame = _frame(link, b"\x45\x00\x00")  # an IPv4 header cut after 3 bytes
        writer.times.append(t)
        writer.frames.append(frame)
        writer.ifaces.append(NOISE_IFACE)
    if fmt == "pcapng":
        return {f"unsupported link type {NOISE_LINKTYPE}": n}
    if LINKS[link] == 1 or link in ("sll", "sll2"):
        return {"non-IP (ARP)": n}
    return {"truncated": n}


def _write(
    path: Path,
    writer: _Writer,
    blocks: list[Any],
    fmt: str,
    nanoseconds: bool,
    big_endian: bool,
    link: str,
    rtp_link: str,
) -> int:
    rtp_link = rtp_link if fmt == "pcapng" else link
    times, rows = _audio_records(rtp_link, blocks)
    var_order = sorted(range(len(writer.times)), key=lambda i: writer.times[i])
    var_times = np.array([writer.times[i] for i in var_order], dtype=np.int64)
    cut = np.searchsorted(times, var_times, side="right")
    linktype = LINKS[link]
    e = ">" if big_endian else "<"
    iface_links = (link, rtp_link)
    with path.open("wb") as fh:
        if fmt == "pcap":
            magic = 0xA1B23C4D if nanoseconds else 0xA1B2C3D4
            fh.write(struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, 262144, linktype))
        else:
            ifaces = [(linktype, 6), (LINKS[rtp_link], 9)]  # SIP in µs, RTP in ns
            if any(i == NOISE_IFACE for i in writer.ifaces):
                ifaces.append((NOISE_LINKTYPE, 6))
            _pcapng_header(fh, e, ifaces)
        prev = 0
        for k, i in enumerate(var_order):
            _write_rows(fh, fmt, e, nanoseconds, times[prev : cut[k]], rows[prev : cut[k]])
            prev = int(cut[k])
            iface = writer.ifaces[i]
            raw = writer.frames[i]
            if iface != NOISE_IFACE:
                raw = _frame(iface_links[iface] if fmt == "pcapng" else link, raw)
            data = np.frombuffer(raw, dtype=np.uint8)[None, :]
            _write_rows(fh, fmt, e, nanoseconds, var_times[k : k + 1], data, writer.ifaces[i])
        _write_rows(fh, fmt, e, nanoseconds, times[prev:], rows[prev:])
    return len(times) + len(var_times)


def _pcapng_header(fh: IO[bytes], e: str, ifaces: list[tuple[int, int]]) -> None:
    shb = struct.pack(e + "IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack(e + "I", 28)
    fh.write(shb)
    for linktype, resol in ifaces:  # interface 0: µs (SIP); 1: ns (RTP); 2: µs (noise)
        opts = struct.pack(e + "HH", 9, 1) + bytes([resol, 0, 0, 0]) + struct.pack(e + "HH", 0, 0)
        body = struct.pack(e + "HHI", linktype, 0, 262144) + opts
        blen = 12 + len(body)
        fh.write(struct.pack(e + "II", 1, blen) + body + struct.pack(e + "I", blen))


def _write_rows(
    fh: IO[bytes], fmt: str, e: str, nanoseconds: bool, times: npt.NDArray[np.int64],
    rows: npt.NDArray[np.uint8], iface: int = 1,
) -> None:  # fmt: skip
    n, length = rows.shape
    if not n:
        return
    u4 = np.dtype(e + "u4")
    if fmt == "pcap":
        head = np.zeros((n, 4), dtype=u4)
        head[:, 0] = times // 1_000_000_000
        frac = times % 1_000_000_000
        head[:, 1] = frac if nanoseconds else frac // 1000
        head[:, 2] = head[:, 3] = length
        out = np.concatenate([head.view(np.uint8).reshape(n, 16), rows], axis=1)
    else:
        pad = (-length) % 4
        blen = 28 + length + pad + 4
        head = np.zeros((n, 7), dtype=u4)
        ticks = times if iface == 1 else times // 1000
        head[:, 0], head[:, 1], head[:, 2] = 6, blen, iface
        head[:, 3], head[:, 4] = ticks >> 32, ticks & 0xFFFFFFFF
        head[:, 5] = head[:, 6] = length
        tail = np.zeros((n, 1), dtype=u4)
        tail[:, 0] = blen
        out = np.concatenate(
            [head.view(np.uint8).reshape(n, 28), rows, np.zeros((n, pad), dtype=np.uint8),
             tail.view(np.uint8).reshape(n, 4)], axis=1,
        )  # fmt: skip
    fh.write(out.tobytes())


def write_answer_key(case: VoipCase, path: str | Path) -> None:
    """Save a case's answer key as JSON."""
    Path(path).write_text(json.dumps(case.answer_key, indent=2, default=str))
