"""Link, network and transport layers: from a :class:`~.pcap.Batch` to UDP datagrams.

The common case (Ethernet / 802.1Q / Linux SLL / SLL2 / raw IP, IPv4 without
fragmentation, UDP) is decoded for the whole batch at once with NumPy; every other packet
(IPv6, fragments, TCP, BSD loopback) goes through a small per-packet path in Python that
reassembles IPv4 / IPv6 fragments and hands TCP segments to the caller.

Constants: link types from tcpdump.org's LINKTYPE list (Ethernet 1, RAW 101, LINUX_SLL 113,
IPV4 228, IPV6 229, LINUX_SLL2 276, NULL 0, LOOP 108, and the DLT_RAW values 12 / 14 some
systems write); EtherTypes 0x0800 IPv4, 0x86DD IPv6, 0x8100 / 0x88A8 / 0x9100 VLAN tags
(IEEE 802.1Q / 802.1ad); SLL header 16 bytes with the protocol at byte 14, SLL2 header 20
bytes with the protocol at byte 0 (tcpdump.org LINKTYPE_LINUX_SLL / _SLL2 pages, Wireshark
``epan/dissectors/packet-sll.c``); IPv4 (RFC 791): IHL, total length at 2, flags+fragment
offset at 6 (MF = 0x2000, offset in 8-byte units), protocol at 9; IPv6 (RFC 8200): next
header at 6, extension headers 0 / 43 / 60 (length in 8-byte units, +1) and 44 (fragment, 8
bytes); UDP (RFC 768) and TCP (RFC 9293, data offset in the top nibble of byte 12).
"""

from __future__ import annotations

import ipaddress
import struct
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from forensics_lib.errors import ForensicsWarning
from forensics_lib.voip.pcap import Batch

__all__ = ["AddressBook", "Datagrams", "Decoder", "TcpSegment"]

I64 = npt.NDArray[np.int64]

LINK_ETHERNET = 1
LINK_RAW = (101, 12, 14)
LINK_IPV4 = 228
LINK_IPV6 = 229
LINK_SLL = 113
LINK_SLL2 = 276
LINK_NULL = 0
LINK_LOOP = 108
ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_VLAN = (0x8100, 0x88A8, 0x9100)
PROTO_TCP = 6
PROTO_UDP = 17
IPV6_EXT = (0, 43, 60)
IPV6_FRAG = 44

_MAX_PENDING_FRAGMENTS = 4096


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
        self._unknown_links: set[int] = set()
        self.tcp: list[TcpSegment] = []

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
        null = np.isin(link, (LINK_NULL, LINK_LOOP)) & (cap >= 4)
        known = eth | sll | sll2 | raw | null
        for lt in np.unique(link[~known & (cap > 0)]).tolist():
            if lt not in self._unknown_links and lt not in (
                LINK_ETHERNET,
                LINK_SLL,
                LINK_SLL2,
                LINK_IPV4,
                LINK_IPV6,
                LINK_NULL,
                LINK_LOOP,
                *LINK_RAW,
            ):
                self._unknown_links.add(lt)
                warnings.warn(
                    ForensicsWarning(f"{self.where}: link type {lt} is not decoded; skipped"),
                    stacklevel=3,
                )

        ip4 = (etype == ETH_IPV4) & (end >= l3 + 20) & (l3 >= 0)
        vihl = arr[clip(np.maximum(l3, 0))].astype(np.int64)
        ihl = (vihl & 0x0F) * 4
        ip4 &= ((vihl >> 4) == 4) & (ihl >= 20)
        l3c = clip(np.maximum(l3, 0))
        total = _be16(arr, clip(l3c + 2))
        frag = _be16(arr, clip(l3c + 6)) & 0x3FFF
        proto = arr[clip(l3c + 9)].astype(np.int64)
        l4 = l3 + ihl
        fast = ip4 & (frag == 0) & (proto == PROTO_UDP) & (total >= ihl + 8) & (end >= l4 + 8)
        slow = (ip4 & ~fast) | (etype == ETH_IPV6) | null
        # IPv4 packets with bad headers and non-IP traffic are dropped here.
        slow &= ~(ip4 & (frag == 0) & (proto != PROTO_UDP) & (proto != PROTO_TCP))

        idx = np.flatnonzero(fast)
        l4f = l4[idx]
        ip_end = np.minimum(l3[idx] + total[idx], end[idx])
        ulen = _be16(arr, clip(l4f + 4))
        ok = ulen >= 8
        idx, l4f, ip_end, ulen = idx[ok], l4f[ok], ip_end[ok], ulen[ok]
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
            start, stop = int(l3[i]), int(end[i])
            if int(link[i]) in (LINK_NULL, LINK_LOOP):
                start, kind = self._null_header(buf, int(off[i]))
                if kind == 0:
                    continue
                et = kind
            else:
                et = int(etype[i])
            pkt = (int(batch.frame[i]), int(batch.time_ns[i]), int(batch.rec_off[i]))
            data = buf[start:stop]
            if et == ETH_IPV4:
                self._ipv4(data, pkt, extra)
            elif et == ETH_IPV6:
                self._ipv6(data, pkt, extra)
        return _merge(fast_part, extra)

    @staticmethod
    def _null_header(buf: bytes, off: int) -> tuple[int, int]:
        # BSD loopback: a 4-byte address family in the writer's byte order (LOOP: network).
        family = struct.unpack_from("<I", buf, off)[0]
        if family > 0xFFFF:
            family = struct.unpack_from(">I", buf, off)[0]
        if family == 2:
            return off + 4, ETH_IPV4
        if family in (10, 23, 24, 28, 30):  # AF_INET6 on Linux, Windows, BSDs, macOS
            return off + 4, ETH_IPV6
        return off + 4, 0

    # -- the per-packet path ---------------------------------------------------------------
    def _ipv4(self, data: bytes, pkt: tuple[int, int, int], out: _SlowUdp) -> None:
        if len(data) < 20 or data[0] >> 4 != 4:
            return
        ihl = (data[0] & 0x0F) * 4
        total, ident, flags_frag, proto = struct.unpack_from(">HHHxB", data, 2)
        if ihl < 20 or total < ihl:
            return
        payload = data[ihl:total]
        src, dst = data[12:16], data[16:20]
        mf, offset = flags_frag & 0x2000, (flags_frag & 0x1FFF) * 8
        if mf or offset:
            whole = self._reassemble(("4", src, dst, proto, ident), offset, bool(mf), payload)
            if whole is None:
                return
            payload = whole
        self._transport(proto, src, dst, payload, pkt, out)

    def _ipv6(self, data: bytes, pkt: tuple[int, int, int], out: _SlowUdp) -> None:
        if len(data) < 40 or data[0] >> 4 != 6:
            return
        plen, nxt = struct.unpack_from(">HB", data, 4)
        src, dst = data[8:24], data[24:40]
        payload = data[40 : 40 + plen] if plen else data[40:]
        for _ in range(8):  # extension headers
            if nxt in IPV6_EXT and len(payload) >= 8:
                nxt, hlen = payload[0], (payload[1] + 1) * 8
                payload = payload[hlen:]
            elif nxt == IPV6_FRAG and len(payload) >= 8:
                nxt2, _r, offm, ident = struct.unpack_from(">BBHI", payload, 0)
                offset, mf = offm & 0xFFF8, offm & 1
                body = payload[8:]
                if not mf and not offset:
                    payload, nxt = body, nxt2
                    continue
                whole = self._reassemble(("6", src, dst, ident), offset, bool(mf), body)
                if whole is None:
                    return
                payload, nxt = whole, nxt2
            else:
                break
        self._transport(nxt, src, dst, payload, pkt, out)

    def _reassemble(
        self, key: tuple[object, ...], offset: int, more: bool, body: bytes
    ) -> bytes | None:
        entry = self._fragments.get(key)
        if entry is None:
            entry = self._fragments[key] = _Fragments()
            if len(self._fragments) > _MAX_PENDING_FRAGMENTS:
                self._fragments.popitem(last=False)
                warnings.warn(
                    ForensicsWarning(
                        f"{self.where}: more than {_MAX_PENDING_FRAGMENTS} unfinished IP "
                        "fragment sets; the oldest was dropped"
                    ),
                    stacklevel=4,
                )
        entry.parts[offset] = body
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
        return b"".join(chunks)[: entry.total]

    def _transport(
        self,
        proto: int,
        src: bytes,
        dst: bytes,
        payload: bytes,
        pkt: tuple[int, int, int],
        out: _SlowUdp,
    ) -> None:
        frame, time_ns, rec_off = pkt
        if proto == PROTO_UDP and len(payload) >= 8:
            sport, dport, ulen = struct.unpack_from(">HHH", payload, 0)
            if ulen < 8:
                return
            out.frame.append(frame)
            out.time_ns.append(time_ns)
            out.rec_off.append(rec_off)
            out.src.append(self.addresses.intern(src))
            out.dst.append(self.addresses.intern(dst))
            out.sport.append(sport)
            out.dport.append(dport)
            out.payload.append(payload[8:ulen])
            out.rlen.append(ulen - 8)
        elif proto == PROTO_TCP and len(payload) >= 20:
            sport, dport, seq, _ack, off_flags = struct.unpack_from(">HHIIH", payload, 0)
            hlen = (off_flags >> 12) * 4
            if hlen < 20:
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
