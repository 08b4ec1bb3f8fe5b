"""Streaming pcap / pcapng reader: records in batches, parsed with ``struct`` and NumPy.

A capture is read in chunks (``chunk_size`` bytes, 32 MiB by default), so a capture larger
than RAM works: memory holds one chunk plus the per-stream state of the analysis. Each chunk
gives one :class:`Batch`: the raw bytes and, per packet, NumPy arrays of its frame number,
UTC time in nanoseconds, link type, where its data starts in the chunk, its captured and
original lengths, and the byte offset of its record in the file (the provenance locator).

Formats (constants from the IETF drafts, as Wireshark's ``wiretap/libpcap.c`` and
``wiretap/pcapng.c`` read them):

* pcap, draft-ietf-opsawg-pcap section 4: a 24-byte file header whose magic 0xA1B2C3D4
  (microseconds) or 0xA1B23C4D (nanoseconds) also gives the byte order; the link type is
  the low 28 bits of the last field (the top bits carry FCS information); 16-byte record
  headers ``ts_sec, ts_frac, incl_len, orig_len`` (24 bytes in the "modified" pcap of
  Kuznetzov's patched libpcap, magic 0xA1B2CD34, as libpcap.c reads it).
* Microsoft Network Monitor 1.x / 2.x: see :mod:`forensics_lib.voip.netmon`.
* pcapng, draft-ietf-opsawg-pcapng section 4: blocks ``type, total_length, body,
  total_length``; Section Header Block 0x0A0D0D0A with byte-order magic 0x1A2B3C4D (each
  section may have its own byte order and its own interfaces); Interface Description Block
  1 (link type, snaplen, options ``if_tsresol`` = 9, ``if_tsoffset`` = 14); Enhanced Packet
  Block 6 (interface, 64-bit timestamp, captured and original length); Simple Packet Block 3
  (no interface, no timestamp: interface 0, and the time of the packet before it); the
  obsolete Packet Block 2. Other blocks are skipped by their length.
"""

from __future__ import annotations

import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import numpy as np
import numpy.typing as npt

from forensics_lib.core.errors import ParseError, TruncatedInputWarning, UnsupportedFormat
from forensics_lib.sources import Source, display_path, open_binary
from forensics_lib.voip.batch import UNMAPPED_MEDIA, Batch

__all__ = [
    "NETMON_MAGICS",
    "PCAPNG_MAGIC",
    "PCAP_MAGICS",
    "UNMAPPED_MEDIA",
    "Batch",
    "Packet",
    "iter_batches",
    "iter_packets",
    "sniff_format",
]

I64 = npt.NDArray[np.int64]

# draft-ietf-opsawg-pcap section 4: magic as written by a little- / big-endian host.
PCAP_MAGICS: dict[bytes, tuple[str, int]] = {
    b"\xd4\xc3\xb2\xa1": ("<", 1_000),  # 0xA1B2C3D4 little-endian, microseconds
    b"\xa1\xb2\xc3\xd4": (">", 1_000),
    b"\x4d\x3c\xb2\xa1": ("<", 1),  # 0xA1B23C4D little-endian, nanoseconds
    b"\xa1\xb2\x3c\x4d": (">", 1),
    # Alexey Kuznetzov's patched libpcap (Wireshark libpcap.c PCAP_MODIFIED_MAGIC): µs,
    # and 24-byte record headers (+ ifindex, protocol, packet type, padding)
    b"\x34\xcd\xb2\xa1": ("<", 1_000),
    b"\xa1\xb2\xcd\x34": (">", 1_000),
}
_MODIFIED = (b"\x34\xcd\xb2\xa1", b"\xa1\xb2\xcd\x34")
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"  # Section Header Block type, a palindrome
NETMON_MAGICS = (b"RTSS", b"GMBU")  # Microsoft Network Monitor 1.x / 2.x (netmon.py)
_BYTE_ORDER_MAGIC = 0x1A2B3C4D

# pcapng block types (draft-ietf-opsawg-pcapng section 10.1)
_SHB = 0x0A0D0D0A
_IDB = 1
_PB = 2  # obsolete Packet Block
_SPB = 3
_EPB = 6
# IDB options (section 4.2)
_IF_TSRESOL = 9
_IF_TSOFFSET = 14

# Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD is 262144; a record claiming more than this
# (and more than the file's snaplen) is corruption, not a packet.
_MAX_RECORD = 262_144
_MAX_BLOCK = 16 << 20
DEFAULT_CHUNK = 32 << 20


@dataclass(frozen=True)
class Packet:
    """One captured packet (the slow, convenient view; analysis uses :class:`Batch`)."""

    frame: int
    time_ns: int
    linktype: int
    data: bytes
    origlen: int
    offset: int


def sniff_format(head: bytes) -> str | None:
    """``"pcap"``, ``"pcapng"``, ``"netmon"`` or ``None`` from the first four bytes."""
    if head[:4] in PCAP_MAGICS:
        return "pcap"
    if head[:4] == PCAPNG_MAGIC:
        return "pcapng"
    if head[:4] in NETMON_MAGICS:
        return "netmon"
    return None


def iter_batches(source: Source, chunk_size: int = DEFAULT_CHUNK) -> Iterator[Batch]:
    """Read ``source`` (pcap, pcapng or Microsoft Network Monitor) batch by batch.

    Raises :class:`UnsupportedFormat` when it is neither, :class:`ParseError` (with the byte
    offset) when a record or block header is impossible; a file that ends inside a record
    gives a :class:`TruncatedInputWarning` and everything before it.
    """
    where = display_path(source)
    with open_binary(source) as fh:
        head = fh.read(4)
        kind = sniff_format(head)
        if kind == "pcap":
            yield from _pcap_batches(fh, head, where, chunk_size)
        elif kind == "pcapng":
            yield from _pcapng_batches(fh, head, where, chunk_size)
        elif kind == "netmon":
            from forensics_lib.voip.netmon import netmon_batches

            yield from netmon_batches(fh, head, where, chunk_size)
        elif not head:
            raise UnsupportedFormat(where, "empty file (0 bytes): no capture to read")
        else:
            raise UnsupportedFormat(
                where,
                "not a pcap or pcapng capture, nor a Network Monitor one "
                f"(starts with {head.hex()})",
            )


def iter_packets(source: Source, chunk_size: int = DEFAULT_CHUNK) -> Iterator[Packet]:
    """Every packet of the capture, in file order (convenient; slower than batches)."""
    for batch in iter_batches(source, chunk_size):
        for i in range(len(batch)):
            start = int(batch.data_off[i])
            yield Packet(
                frame=int(batch.frame[i]),
                time_ns=int(batch.time_ns[i]),
                linktype=int(batch.linktype[i]),
                data=batch.buf[start : start + int(batch.caplen[i])],
                origlen=int(batch.origlen[i]),
                offset=int(batch.rec_off[i]),
            )


def _u32_fields(buf: bytes, starts: I64, count: int, endian: str) -> npt.NDArray[np.int64]:
    """``count`` consecutive uint32 fields at each of ``starts`` in ``buf`` -> (n, count)."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    idx = starts[:, None] + np.arange(4 * count, dtype=np.int64)[None, :]
    raw = np.ascontiguousarray(arr[idx])
    return raw.view(np.dtype(f"{endian}u4")).reshape(len(starts), count).astype(np.int64)


def _truncated(where: str, offset: int, what: str) -> None:
    warnings.warn(
        TruncatedInputWarning(
            f"{where}: the capture ends inside {what} at offset {offset} (0x{offset:x}); "
            "the packets before it were read"
        ),
        stacklevel=4,
    )


# --------------------------------------------------------------------------------------------
# pcap
# --------------------------------------------------------------------------------------------


def _pcap_batches(fh: IO[bytes], head: bytes, where: str, chunk: int) -> Iterator[Batch]:
    rest = fh.read(20)
    if len(rest) < 20:
        raise ParseError(where, 0, "pcap file header is shorter than 24 bytes")
    endian, unit_ns = PCAP_MAGICS[head]
    rec = 24 if head in _MODIFIED else 16
    _major, _minor, _res1, _res2, snaplen, network = struct.unpack(endian + "HHIIII", rest)
    linktype = network & 0x0FFF_FFFF  # top 4 bits: FCS length (draft-ietf-opsawg-pcap 4)
    limit = min(max(_MAX_RECORD, snaplen), _MAX_BLOCK)
    incl_at = struct.Struct(endian + "I").unpack_from
    carry = b""
    file_pos = 24  # file offset of buf[0]
    frame = 0
    while True:
        data = fh.read(chunk)
        buf = carry + data if carry else data
        pos = 0
        end = len(buf)
        offs: list[int] = []
        append = offs.append
        bad: ParseError | None = None
        while pos + rec <= end:
            incl = incl_at(buf, pos + 8)[0]
            if incl > limit:  # the records before it are still handed on, then the error
                bad = ParseError(
                    where, file_pos + pos, f"pcap record claims {incl:,} captured bytes"
                )
                break
            nxt = pos + rec + incl
            if nxt > end:
                break
            append(pos)
            pos = nxt
        if offs:
            starts = np.array(offs, dtype=np.int64)
            fields = _u32_fields(buf, starts, 4, endian)
            n = len(starts)
            yield Batch(
                buf=buf,
                frame=np.arange(frame + 1, frame + n + 1, dtype=np.int64),
                time_ns=fields[:, 0] * 1_000_000_000 + fields[:, 1] * unit_ns,
                linktype=np.full(n, linktype, dtype=np.int64),
                data_off=starts + rec,
                caplen=fields[:, 2],
                origlen=fields[:, 3],
                rec_off=starts + file_pos,
            )
            frame += n
        if bad is not None:
            raise bad
        if not data:
            if pos < end:
                _truncated(where, file_pos + pos, "a packet record")
            return
        carry = buf[pos:]
        file_pos += pos


# --------------------------------------------------------------------------------------------
# pcapng
# --------------------------------------------------------------------------------------------


@dataclass
class _Interface:
    linktype: int
    snaplen: int
    # timestamp units per second as (base, exponent): 10**6 by default (if_tsresol absent)
    base: int = 10
    exponent: int = 6
    offset_s: int = 0

    def to_ns(self, ts: I64) -> I64:
        if self.base == 10:
            if self.exponent <= 9:
                ns = ts * (10 ** (9 - self.exponent))
            else:
                ns = ts // (10 ** (self.exponent - 9))
        else:
            k = self.exponent
            whole = ts >> k
            frac = ts & ((1 << k) - 1) if k < 63 else ts
            if k > 33:  # keep frac * 10**9 inside int64: drop the bits finer than 2^-33 s
                frac, k2 = frac >> (k - 33), 33
            else:
                k2 = k
            ns = whole * 1_000_000_000 + ((frac * 1_000_000_000) >> k2)
        out: I64 = ns + self.offset_s * 1_000_000_000
        return out


def _parse_options(body: bytes, endian: str) -> Iterator[tuple[int, bytes]]:
    pos = 0
    while pos + 4 <= len(body):
        code, length = struct.unpack_from(endian + "HH", body, pos)
        if code == 0:
            return
        value = body[pos + 4 : pos + 4 + length]
        yield code, value
        pos += 4 + ((length + 3) & ~3)


def _parse_idb(block: bytes, endian: str, where: str, offset: int) -> _Interface:
    if len(block) < 20:
        raise ParseError(where, offset, "pcapng Interface Description Block is too short")
    linktype, _reserved, snaplen = struct.unpack_from(endian + "HHI", block, 8)
    iface = _Interface(linktype=linktype, snaplen=snaplen)
    for code, value in _parse_options(block[16:-4], endian):
        if code == _IF_TSRESOL and value:
            v = value[0]
            iface.base, iface.exponent = (2, v & 0x7F) if v & 0x80 else (10, v)
            if iface.base == 10 and iface.exponent > 18:
                raise ParseError(where, offset, f"pcapng if_tsresol 10^-{v} is not plausible")
        elif code == _IF_TSOFFSET and len(value) >= 8:
            iface.offset_s = struct.unpack_from(endian + "q", value)[0]
    return iface


@dataclass
class _Section:
    endian: str = "<"
    base: int = 0  # global index of this section's interface 0


def _pcapng_batches(fh: IO[bytes], head: bytes, where: str, chunk: int) -> Iterator[Batch]:
    interfaces: list[_Interface] = []
    section = _Section()
    carry = head
    file_pos = 0
    frame = 0
    last_ns = 0
    eof = pending_flush = False
    while True:
        data = b"" if pending_flush else fh.read(chunk)
        eof = eof or (not pending_flush and not data)
        buf = carry + data if carry else data
        end = len(buf)
        pos = 0
        epb: list[int] = []
        other: list[tuple[int, int, int, int, int, int]] = []  # pos, iface, ts, cap, orig, data
        endian = section.endian
        hdr = struct.Struct(endian + "II").unpack_from
        flush_after = False
        bad: ParseError | None = None
        while pos + 12 <= end:
            btype, blen = hdr(buf, pos)
            if btype == _SHB:
                if epb or other:
                    flush_after = True  # a new section may change the byte order: flush
                    break
                bom = buf[pos + 8 : pos + 12]
                if bom == b"\x4d\x3c\x2b\x1a":
                    endian = "<"
                elif bom == b"\x1a\x2b\x3c\x4d":
                    endian = ">"
                else:
                    raise ParseError(
                        where, file_pos + pos, "pcapng section has no byte-order magic"
                    )
                hdr = struct.Struct(endian + "II").unpack_from
                btype, blen = hdr(buf, pos)
            if blen < 12 or blen % 4 or blen > _MAX_BLOCK:
                bad = ParseError(where, file_pos + pos, f"pcapng block length {blen} is invalid")
                break
            if pos + blen > end:
                break
            if btype == _EPB:
                epb.append(pos)
            elif btype == _SHB:
                section = _Section(endian=endian, base=len(interfaces))
            elif btype == _IDB:
                interfaces.append(_parse_idb(buf[pos : pos + blen], endian, where, file_pos + pos))
            elif btype == _SPB and blen >= 16:
                orig = struct.unpack_from(endian + "I", buf, pos + 8)[0]
                snap = interfaces[section.base].snaplen if len(interfaces) > section.base else 0
                cap = min(orig, blen - 16, snap or orig)
                other.append((pos, 0, -1, cap, orig, pos + 12))
            elif btype == _PB and blen >= 32:
                if_id, _drops, hi, lo, cap, orig = struct.unpack_from(
                    endian + "HHIIII", buf, pos + 8
                )
                if cap > blen - 32:
                    raise ParseError(
                        where, file_pos + pos, "pcapng packet is longer than its block"
                    )
                other.append((pos, if_id, (hi << 32) | lo, cap, orig, pos + 28))
            pos += blen
        section.endian = endian
        batch = _pcapng_batch(buf, epb, other, endian, interfaces, section, where, file_pos, frame)
        if batch is not None:
            # Simple Packet Blocks carry no time: give them the time of the packet before.
            t = batch.time_ns
            if (t < 0).any():
                fill = np.where(t < 0, np.int64(0), t)
                idx = np.maximum.accumulate(np.where(t >= 0, np.arange(len(t)), -1))
                t = np.where(idx >= 0, fill[np.maximum(idx, 0)], last_ns)
                batch = Batch(
                    batch.buf,
                    batch.frame,
                    t,
                    batch.linktype,
                    batch.data_off,
                    batch.caplen,
                    batch.origlen,
                    batch.rec_off,
                )
            if len(batch):
                last_ns = int(batch.time_ns[-1])
                frame += len(batch)
                yield batch
        if bad is not None:  # raised after the packets before it were handed on
            raise bad
        pending_flush = flush_after
        if eof and not flush_after:
            if pos < end:
                _truncated(where, file_pos + pos, "a pcapng block")
            return
        carry = buf[pos:]
        file_pos += pos


def _pcapng_batch(
    buf: bytes,
    epb: list[int],
    other: list[tuple[int, int, int, int, int, int]],
    endian: str,
    interfaces: list[_Interface],
    section: _Section,
    where: str,
    file_pos: int,
    frame: int,
) -> Batch | None:
    if not epb and not other:
        return None
    starts = np.array(epb, dtype=np.int64)
    if len(starts):
        f = _u32_fields(buf, starts + 4, 6, endian)  # blen, if_id, ts_hi, ts_lo, cap, orig
        blen, if_id, ts, cap, orig = f[:, 0], f[:, 1], (f[:, 2] << 32) | f[:, 3], f[:, 4], f[:, 5]
        bad = np.flatnonzero(cap > blen - 32)
        if len(bad):
            raise ParseError(
                where, file_pos + int(starts[bad[0]]), "pcapng packet is longer than its block"
            )
        data_off = starts + 28
    else:
        if_id = ts = cap = orig = data_off = np.zeros(0, dtype=np.int64)
    if other:
        o = np.array(other, dtype=np.int64)
        starts = np.concatenate([starts, o[:, 0]])
        if_id = np.concatenate([if_id, o[:, 1]])
        ts = np.concatenate([ts, o[:, 2]])
        cap = np.concatenate([cap, o[:, 3]])
        orig = np.concatenate([orig, o[:, 4]])
        data_off = np.concatenate([data_off, o[:, 5]])
        order = np.argsort(starts, kind="stable")
        starts, if_id, ts, cap, orig, data_off = (
            a[order] for a in (starts, if_id, ts, cap, orig, data_off)
        )
    gidx = if_id + section.base
    if len(gidx) and (gidx.max() >= len(interfaces) or (if_id < 0).any()):
        first = int(np.flatnonzero(gidx >= len(interfaces))[0])
        raise ParseError(
            where,
            file_pos + int(starts[first]),
            f"packet names interface {int(if_id[first])}, "
            "which no Interface Description Block of its section declares",
        )
    n = len(starts)
    time_ns = np.empty(n, dtype=np.int64)
    linktype = np.empty(n, dtype=np.int64)
    for g in np.unique(gidx):
        sel = gidx == g
        iface = interfaces[int(g)]
        linktype[sel] = iface.linktype
        time_ns[sel] = iface.to_ns(ts[sel])
    time_ns[ts < 0] = -1  # Simple Packet Blocks: no timestamp
    return Batch(
        buf=buf,
        frame=np.arange(frame + 1, frame + n + 1, dtype=np.int64),
        time_ns=time_ns,
        linktype=linktype,
        data_off=data_off,
        caplen=cap,
        origlen=orig,
        rec_off=starts + file_pos,
    )
