"""Microsoft Network Monitor 1.x / 2.x capture files (``.cap``, magic ``RTSS`` / ``GMBU``).

Layout as Wireshark's ``wiretap/netmon.c`` reads it (after the NetMon 3.x help files' "Capture
File Format"): a 128-byte file header of the magic, version minor and major, the media type
(1 = Ethernet), the capture start as a SYSTEMTIME (year, month, day of week, day, hour,
minute, second, millisecond: the capturing machine's local clock, zone not recorded), then
the offset and length of the frame table, an array of uint32 file offsets, one per frame (the
frames need not follow each other: there can be holes, and the table's order is the frame
order). Each frame: a header (1.x: uint32 ms since the start, uint16 original and captured
length; 2.x: uint64 µs since the start, uint32 original and captured length), the data, and
from 2.1 on a trailer whose first two bytes are the frame's own media type (2.2 adds a
process index, 2.3 a UTC FILETIME, which replaces the start + offset time). All little-endian.

Media types map to tcpdump.org link types: 0 and 1 Ethernet (netmon.c maps 0 to Ethernet
for NetMon 3.4 VPN captures), 7 / 8 / 9 raw IP; 0xE000 + N is a pcap file converted by
NetMon, link type N. Metadata frames that Wireshark does not show as frames (payload header
0xFFFC, network info 0xFFFD, DNS cache 0xFFFE) are left out, so frame numbers are
Wireshark's; the other media types (Token Ring, FDDI, 802.11 with NetMon's radio header,
NetMon events and filters) are handed on as link types the decoder counts as unsupported.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import warnings
from collections.abc import Iterator
from typing import IO

import numpy as np

from forensics_lib.core.errors import (
    ForensicsWarning,
    ParseError,
    TruncatedInputWarning,
    UnsupportedFormat,
)
from forensics_lib.voip.batch import UNMAPPED_MEDIA, Batch

__all__ = ["NETMON_MAGICS", "netmon_batches"]

NETMON_MAGICS = (b"RTSS", b"GMBU")  # 1.x, 2.x
_HEADER = struct.Struct("<BBH8H10I")  # after the 4-byte magic
# NetMon media type -> tcpdump.org link type (netmon.c netmon_encap[]); None: not a frame
_MEDIA = {0: 1, 1: 1, 2: 6, 3: 10, 7: 101, 8: 101, 9: 101}
_NOT_FRAMES = (0xFFFC, 0xFFFD, 0xFFFE)
_TRAILER = {1: 2, 2: 6}  # 2.1 / 2.2 trailer sizes; 2.3 and later: 15
_FILETIME_UNIX = 116_444_736_000_000_000  # 100 ns units from 1601-01-01 to 1970-01-01
_MAX_RECORD = 262_144


def _media_link(media: int) -> int:
    if media in _MEDIA:
        return _MEDIA[media]
    if media & 0xF000 == 0xE000 and not 0xE080 <= media <= 0xE08A:
        return media & 0x0FFF  # a converted pcap file: the LINKTYPE value
    return UNMAPPED_MEDIA + media  # counted by the decoder as unsupported


def _start_ns(fields: tuple[int, ...], where: str) -> int:
    year, month, _dow, day, hour, minute, second, msec = fields
    try:
        start = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    except ValueError:
        raise ParseError(where, 8, "NetMon capture start time is not a valid date") from None
    return int(start.timestamp()) * 1_000_000_000 + msec * 1_000_000


def netmon_batches(fh: IO[bytes], head: bytes, where: str, chunk: int) -> Iterator[Batch]:
    """Batches of a NetMon capture (``head`` is its first four bytes, already read)."""
    if not fh.seekable():
        fh = io.BytesIO(head + fh.read())
        fh.seek(4)
    raw = fh.read(_HEADER.size)
    if len(raw) < _HEADER.size:
        raise ParseError(where, 0, "NetMon file header is shorter than 68 bytes")
    minor, major, network, *rest = _HEADER.unpack(raw)
    stamp, (table_at, table_len) = tuple(rest[:8]), rest[8:10]
    if major not in (1, 2):
        raise UnsupportedFormat(where, f"Network Monitor major version {major}")
    if table_len % 4 or not table_len:
        raise ParseError(where, 52, f"NetMon frame table length {table_len} is not n x 4 bytes")
    per_frame_media = major == 2 and minor >= 1
    utc_trailer = major == 2 and minor >= 3
    if not per_frame_media and network not in _MEDIA:
        raise UnsupportedFormat(where, f"Network Monitor media type {network}")
    start_ns = _start_ns(stamp, where)
    if not utc_trailer:
        warnings.warn(
            ForensicsWarning(
                f"{where}: Network Monitor {major}.{minor} records its start time on the "
                "capturing machine's clock without its zone; times are read as if it were UTC"
            ),
            stacklevel=4,
        )
    fh.seek(table_at)
    table_raw = fh.read(table_len)
    if len(table_raw) < table_len:
        raise ParseError(where, table_at, "NetMon frame table runs past the end of the file")
    offsets = struct.unpack(f"<{table_len // 4}I", table_raw)
    rec = struct.Struct("<QII" if major == 2 else "<IHH")
    trailer = (_TRAILER.get(minor, 15) if per_frame_media else 0) if major == 2 else 0

    buf = bytearray()
    cols: list[list[int]] = [[] for _ in range(6)]  # time, link, data_off, cap, orig, rec_off
    frame = 0
    for n, offset in enumerate(offsets):
        fh.seek(offset)
        header = fh.read(rec.size)
        if len(header) < rec.size:
            _truncated(where, offset, len(offsets) - n)
            break
        delta, orig, cap = rec.unpack(header)
        if cap > _MAX_RECORD:
            raise ParseError(where, offset, f"NetMon frame claims {cap:,} captured bytes")
        data = fh.read(cap)
        tail = fh.read(trailer) if trailer else b""
        if len(data) < cap or len(tail) < trailer:
            _truncated(where, offset, len(offsets) - n)
            break
        media = struct.unpack_from("<H", tail)[0] if per_frame_media else network
        if per_frame_media and media in _NOT_FRAMES:
            continue  # netmon.c: RETRY, metadata that is not shown as a frame
        if utc_trailer:
            filetime = struct.unpack_from("<Q", tail, 6)[0]
            time_ns = (filetime - _FILETIME_UNIX) * 100
        elif major == 2:
            ticks = (delta * 10) & 0xFFFF_FFFF_FFFF_FFFF  # netmon.c: x10, then signed
            if ticks >= 1 << 63:
                ticks -= 1 << 64
            time_ns = start_ns + ticks * 100
        else:
            time_ns = start_ns + delta * 1_000_000
        for col, value in zip(
            cols, (time_ns, _media_link(media), len(buf), cap, orig, offset), strict=True
        ):
            col.append(value)
        buf += data
        if len(buf) >= chunk:
            yield _batch(bytes(buf), cols, frame)
            frame += len(cols[0])
            buf = bytearray()
            cols = [[] for _ in range(6)]
    if cols[0]:
        yield _batch(bytes(buf), cols, frame)


def _batch(buf: bytes, cols: list[list[int]], frame: int) -> Batch:
    a = [np.array(c, dtype=np.int64) for c in cols]
    n = len(a[0])
    return Batch(
        buf=buf,
        frame=np.arange(frame + 1, frame + n + 1, dtype=np.int64),
        time_ns=a[0],
        linktype=a[1],
        data_off=a[2],
        caplen=a[3],
        origlen=a[4],
        rec_off=a[5],
    )


def _truncated(where: str, offset: int, missing: int) -> None:
    warnings.warn(
        TruncatedInputWarning(
            f"{where}: the NetMon frame table names a frame at offset {offset} (0x{offset:x}) "
            f"that the file does not hold; {missing:,} frames from there on were not read"
        ),
        stacklevel=4,
    )
