"""A MAVLink telemetry-log (``.tlog``) frame scanner: framing, CRC, and vectorised decoding.

Layouts (cited, not guessed):

* tlog: each MAVLink frame is preceded by an 8-byte **big-endian** Unix time in microseconds
  (pymavlink ``mavutil.mavlogfile.pre_message``: ``struct.unpack('>Q', tbuf)``).
* MAVLink 1 frame (https://mavlink.io/en/guide/serialization.html#v1_packet_format):
  ``0xFE len seq sysid compid msgid payload[len] crc16`` (8 + len bytes).
* MAVLink 2 frame (https://mavlink.io/en/guide/serialization.html#mavlink2_packet_format):
  ``0xFD len incompat compat seq sysid compid msgid[3, little-endian] payload[len] crc16``
  then a 13-byte signature when ``incompat & 0x01`` (12 + len [+ 13] bytes). Trailing zero
  bytes of the payload are truncated by the sender and must be restored before decoding.
* Checksum: CRC-16/MCRF4XX ("X.25", reflected polynomial 0x1021, initial 0xFFFF) over the frame
  after the start byte, followed by the message's ``CRC_EXTRA`` byte (pymavlink
  ``generator/mavcrc.py``; ``MAVLink.decode`` in the generated dialect). We compute it with the
  C routine :func:`binascii.crc_hqx` (the same polynomial, unreflected) on bit-reversed bytes.
* Payload field order and types: pymavlink's generated ``ardupilotmega`` dialect (v2.0), whose
  ``unpacker.format`` and ``ordered_fieldnames`` give the wire layout of every message.

The scanner first walks frame to frame reading only the length bytes (the only Python loop),
then checks every frame's CRC at once, vectorised over all frames of one length. From the
first frame that fails (or where the walk stops) it goes on frame by frame, checking each CRC
as it goes, and on a bad byte resynchronises on the next start byte whose frame checks out;
each skipped range is reported with its offset. Both passes accept exactly the same frames.
Decoding then gathers the payloads of one message type into a NumPy
structured array in one step, so only the message types asked for are decoded at all.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
from pymavlink.dialects.v20 import ardupilotmega as dialect

__all__ = [
    "DETECT_LIMIT",
    "Frames",
    "crc_extras",
    "crc_x25",
    "decode",
    "first_frame",
    "frame_length",
    "message_class",
    "message_id",
    "scan_frames",
]

STX_V1 = 0xFE
STX_V2 = 0xFD
TLOG_STAMP = 8  # big-endian uint64 Unix microseconds before each frame
_SIGNED = 0x01  # MAVLINK_IFLAG_SIGNED
_SIGNATURE_LEN = 13
_CRC_CHUNK = 65536  # frames whose CRCs are checked in one vectorised step

# Bit-reversal of every byte, and its inverse use for the 16-bit result.
_REV = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


def crc_x25(data: bytes, extra: int | None = None) -> int:
    """MAVLink's CRC-16/MCRF4XX of ``data`` (+ the ``CRC_EXTRA`` byte when given).

    CRC-16/MCRF4XX is CRC-CCITT (poly 0x1021, init 0xFFFF) with reflected input and output, so
    it equals the bit-reversal of :func:`binascii.crc_hqx` over bit-reversed bytes.
    """
    raw = binascii.crc_hqx(data.translate(_REV), 0xFFFF)
    if extra is not None:
        raw = binascii.crc_hqx(_REV[extra : extra + 1], raw)
    return (_REV[raw & 0xFF] << 8) | _REV[raw >> 8]


@cache
def crc_extras() -> dict[int, int]:
    """The CRC_EXTRA byte of every message id of the dialect (pymavlink ``mavlink_map``)."""
    return {msgid: cls.crc_extra for msgid, cls in dialect.mavlink_map.items()}


def message_class(msgid: int) -> Any:
    """pymavlink's generated class for ``msgid`` (layout, field names, CRC_EXTRA)."""
    return dialect.mavlink_map[msgid]


@cache
def _ids_by_name() -> dict[str, int]:
    return {cls.msgname: msgid for msgid, cls in dialect.mavlink_map.items()}


def message_id(name: str) -> int:
    """The numeric id of a MAVLink message name (``"GLOBAL_POSITION_INT"`` -> 33)."""
    return _ids_by_name()[name]


def message_name(msgid: int) -> str:
    cls = dialect.mavlink_map.get(msgid)
    return str(cls.msgname) if cls is not None else f"UNKNOWN_{msgid}"


@dataclass(frozen=True)
class Frames:
    """Where every good frame is, as parallel NumPy arrays, plus the unreadable ranges."""

    data: npt.NDArray[np.uint8]
    offset: npt.NDArray[np.int64]  # start of the 8-byte stamp
    time_us: npt.NDArray[np.int64]
    msgid: npt.NDArray[np.int64]
    sysid: npt.NDArray[np.int64]
    compid: npt.NDArray[np.int64]
    payload_at: npt.NDArray[np.int64]
    payload_len: npt.NDArray[np.int64]
    bad: tuple[tuple[int, int, str], ...]
    truncated_at: int | None

    def __len__(self) -> int:
        return len(self.offset)


def _frame_status(buf: bytes, at: int, size: int, extras: dict[int, int]) -> tuple[int, str]:
    """``(total length, status)`` of a frame starting at ``at`` (its STX): status ``ok`` (CRC
    checks out), ``unknown`` (an id outside the dialect: no CRC_EXTRA to check it with),
    ``bad`` (no start byte, or the CRC fails) or ``short`` (cut by the end of the buffer)."""
    if at + 8 > size:
        return 0, "short" if at < size and buf[at] in (STX_V1, STX_V2) else "bad"
    stx = buf[at]
    plen = buf[at + 1]
    if stx == STX_V1:
        header = 6
        msgid = buf[at + 5]
        total = plen + 8
    elif stx == STX_V2:
        header = 10
        if at + 12 > size:
            return 0, "short"
        msgid = buf[at + 7] | (buf[at + 8] << 8) | (buf[at + 9] << 16)
        total = plen + 12 + (_SIGNATURE_LEN if buf[at + 2] & _SIGNED else 0)
    else:
        return 0, "bad"
    if at + total > size:
        return 0, "short"
    extra = extras.get(msgid)
    if extra is None:
        return total, "unknown"
    crc_at = at + header + plen
    stored = buf[crc_at] | (buf[crc_at + 1] << 8)
    if crc_x25(buf[at + 1 : crc_at], extra) != stored:
        return 0, "bad"
    return total, "ok"


def _swallows_a_frame(buf: bytes, at: int, total: int, size: int, extras: dict[int, int]) -> bool:
    """Whether a CRC-checked frame starts inside the unchecked frame at ``at`` (its STX): then
    the unchecked one is foreign bytes that merely look like a frame (a partial frame whose
    id bytes run into the next frame), and the checked one wins."""
    end = at + total
    for stx in (b"\xfe", b"\xfd"):
        hit = buf.find(stx, at + 1, end)
        while hit >= 0:
            if _frame_status(buf, hit, size, extras)[1] == "ok":
                return True
            hit = buf.find(stx, hit + 1, end)
    return False


def _unknown_run_ok(buf: bytes, pos: int, size: int, extras: dict[int, int]) -> bool:
    """Whether the frames of unknown ids from ``pos`` (a stamp) on are real: they are when
    none hides a CRC-checked frame inside it and the run ends exactly at the end of the file,
    in a frame cut by it, or in a frame whose CRC checks out. Unchecked lengths read out of
    foreign bytes (console text, a partial frame) would otherwise swallow good frames."""
    while pos < size:
        if pos + TLOG_STAMP >= size:
            return True  # the file ends inside the next stamp: a truncation, reported as such
        total, status = _frame_status(buf, pos + TLOG_STAMP, size, extras)
        if status in ("ok", "short"):
            return True
        if status == "bad" or _swallows_a_frame(buf, pos + TLOG_STAMP, total, size, extras):
            return False
        pos += TLOG_STAMP + total
    return True


def frame_length(buf: bytes, at: int, size: int, extras: dict[int, int], strict: bool) -> int:
    """Length of a valid frame starting at ``at`` (its STX), 0 if invalid, -1 if cut short.

    A frame of an id outside the dialect cannot be checked: never resynchronised on
    (``strict``), and accepted in step only when what follows it checks out
    (:func:`_unknown_run_ok`)."""
    total, status = _frame_status(buf, at, size, extras)
    if status == "ok":
        return total
    if status == "short":
        return -1
    if (
        status == "unknown"
        and not strict
        and not _swallows_a_frame(buf, at, total, size, extras)
        and _unknown_run_ok(buf, at + total, size, extras)
    ):
        return total
    return 0


def _checked_frame_after(buf: bytes, pos: int, extras: dict[int, int]) -> bool:
    """Whether a CRC-checked frame starts after ``pos``: then a "frame" at ``pos`` that runs
    past the end of the file is foreign bytes before it, not the log's truncated last frame."""
    size = len(buf)
    nxt = _next_candidate(buf, pos + 1)
    while nxt >= 0:
        if _frame_status(buf, nxt + TLOG_STAMP, size, extras)[1] == "ok":
            return True
        nxt = _next_candidate(buf, nxt + 1)
    return False


#: How far :func:`first_frame` looks for a tlog's first frame (pymavlink has no limit: its
#: ``parse_char`` skips any number of bytes). Text holds no start byte (0xFE and 0xFD are
#: never UTF-8), so ``bytes.find`` skips it at memory speed; 8 MiB of random bytes, a
#: start byte every 128 on average, take about 0.4 s to refuse.
DETECT_LIMIT = 8 << 20


def first_frame(buf: bytes, limit: int = DETECT_LIMIT) -> int | None:
    """Offset (of the 8-byte stamp) of the first frame in ``buf[:limit]`` whose CRC checks out
    and which is followed by a second good frame (or the end of the file), or None.

    This is how a tlog whose first bytes are not a frame (console text, a partial frame) is
    recognised: pymavlink's ``MAVLink.parse_char`` likewise skips to the next start byte
    (0xFE v1, 0xFD v2) until a frame's CRC with its CRC_EXTRA checks out. The offset is the
    number of bytes skipped before the log.
    """
    extras = crc_extras()
    size = len(buf)
    pos = 0
    while 0 <= pos < min(size, limit):
        total, status = _frame_status(buf, pos + TLOG_STAMP, size, extras)
        if status == "ok":
            after = pos + TLOG_STAMP + total
            if after == size or pos == 0:
                return pos
            if _frame_status(buf, after + TLOG_STAMP, size, extras)[1] in ("ok", "short"):
                return pos
        pos = _next_candidate(buf, pos + 1)
    return None


def _next_candidate(buf: bytes, start: int) -> int:
    """The next offset whose byte 8 on is a start byte, or -1."""
    hits = [
        i for i in (buf.find(b"\xfe", start + TLOG_STAMP), buf.find(b"\xfd", start + TLOG_STAMP))
    ]
    hits = [i for i in hits if i >= 0]
    return min(hits) - TLOG_STAMP if hits else -1


@cache
def _crc_extra_table() -> npt.NDArray[np.int64]:
    """CRC_EXTRA by message id as an array (-1 where the dialect has no such message)."""
    extras = crc_extras()
    table = np.full(max(extras) + 1, -1, dtype=np.int64)
    for msgid, extra in extras.items():
        table[msgid] = extra
    return table


def _walk(buf: bytes) -> tuple[list[int], int]:
    """Offsets of consecutive frames read from their length bytes alone (no CRC yet), and
    where the walk stopped: at a byte that is no start byte, or a frame cut by the end."""
    size = len(buf)
    starts: list[int] = []
    append = starts.append
    pos = 0
    while pos + TLOG_STAMP < size:
        at = pos + TLOG_STAMP
        stx = buf[at]
        if stx == STX_V2:
            if at + 12 > size:
                break
            total = buf[at + 1] + (12 + _SIGNATURE_LEN if buf[at + 2] & _SIGNED else 12)
        elif stx == STX_V1:
            if at + 8 > size:
                break
            total = buf[at + 1] + 8
        else:
            break
        if at + total > size:
            break
        append(pos)
        pos = at + total
    return starts, pos


def _crc_accumulate(crc: npt.NDArray[np.uint32], byte: npt.NDArray[Any]) -> npt.NDArray[np.uint32]:
    """One step of MAVLink's ``crc_accumulate`` (mavlink checksum.h / pymavlink
    ``x25crc.accumulate``) for many frames at once."""
    tmp = (byte.astype(np.uint32) ^ (crc & 0xFF)) & 0xFF
    tmp ^= (tmp << 4) & 0xFF
    out = ((crc >> 8) ^ (tmp << 8) ^ (tmp << 3) ^ (tmp >> 4)) & 0xFFFF
    return out.astype(np.uint32, copy=False)


def _crcs_ok(
    data: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64],
    unknown: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.bool_]:
    """Whether each frame's stored CRC matches, computed for all frames of one checked length
    together; frames of ids outside the dialect pass (the caller decides on them: see
    :func:`_fast_prefix`). ``unknown``, when given, is filled with where those frames are."""
    base = offsets + TLOG_STAMP
    v2 = data[base] == STX_V2
    plen = data[base + 1].astype(np.int64)
    span = np.where(v2, 9, 5) + plen  # checked bytes: after the start byte, before the CRC
    msgid = np.where(
        v2,
        data[base + 7].astype(np.int64)
        | (data[base + 8].astype(np.int64) << 8)
        | (data[base + 9].astype(np.int64) << 16),
        data[base + 5].astype(np.int64),
    )
    table = _crc_extra_table()
    extra = np.where(msgid < len(table), table[np.minimum(msgid, len(table) - 1)], -1)
    ok = np.ones(len(offsets), dtype=bool)
    known = extra >= 0
    if unknown is not None:
        unknown[:] = ~known
    for length in np.unique(span[known]):
        group = np.flatnonzero(known & (span == length))
        for chunk in range(0, len(group), _CRC_CHUNK):  # bounded memory on long logs
            idx = group[chunk : chunk + _CRC_CHUNK]
            ok[idx] = _crc_group(data, base[idx] + 1, int(length), extra[idx])
    return ok


def _crc_group(
    data: npt.NDArray[np.uint8],
    first: npt.NDArray[np.int64],
    length: int,
    extra: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """CRC check of frames whose checked bytes start at ``first`` and are ``length`` long."""
    rows = data[first[:, None] + np.arange(length + 2, dtype=np.int64)]
    crc = np.full(len(first), 0xFFFF, dtype=np.uint32)
    for j in range(length):
        crc = _crc_accumulate(crc, rows[:, j])
    crc = _crc_accumulate(crc, extra)
    stored = rows[:, length].astype(np.uint32) | (rows[:, length + 1].astype(np.uint32) << 8)
    ok: npt.NDArray[np.bool_] = crc == stored
    return ok


def _fast_prefix(buf: bytes) -> tuple[list[int], int]:
    """The longest run of frames from the start whose CRCs all check out, and the offset just
    after it, where the frame-by-frame scan takes over."""
    starts, pos = _walk(buf)
    if not starts:
        return [], 0
    offsets = np.asarray(starts, dtype=np.int64)
    unknown = np.zeros(len(offsets), dtype=bool)
    ok = _crcs_ok(np.frombuffer(buf, dtype=np.uint8), offsets, unknown)
    if unknown.any():
        # A run of unchecked frames stands only if none hides a checked frame and what
        # follows it checks out (as frame_length decides): back to front.
        extras = crc_extras()
        tail_ok = _unknown_run_ok(buf, pos, len(buf), extras) if pos < len(buf) else True
        for i in np.flatnonzero(unknown)[::-1]:
            at = starts[i] + TLOG_STAMP
            total = (starts[i + 1] if i + 1 < len(starts) else pos) - starts[i] - TLOG_STAMP
            ok[i] = (ok[i + 1] if i + 1 < len(ok) else tail_ok) and not _swallows_a_frame(
                buf, at, total, len(buf), extras
            )
    if ok.all():
        return starts, pos
    first_bad = int(np.argmin(ok))
    return starts[:first_bad], starts[first_bad]


def scan_frames(buf: bytes, vectorised: bool = True) -> Frames:
    """Find every frame of a tlog held in ``buf``; bad ranges are skipped and listed.

    ``vectorised=False`` checks frame by frame from the start (the reference the fast path is
    tested against; both give the same frames)."""
    extras = crc_extras()
    size = len(buf)
    starts, pos = _fast_prefix(buf) if vectorised else ([], 0)
    bad: list[tuple[int, int, str]] = []
    truncated_at: int | None = None
    bad_from = -1
    while pos + TLOG_STAMP < size:
        length = frame_length(buf, pos + TLOG_STAMP, size, extras, strict=bad_from >= 0)
        if length > 0:
            if bad_from >= 0:
                bad.append((bad_from, pos - bad_from, "bad frame (CRC or framing); resynchronised"))
                bad_from = -1
            starts.append(pos)
            pos += TLOG_STAMP + length
            continue
        if length < 0 and bad_from < 0 and not _checked_frame_after(buf, pos, extras):
            truncated_at = pos  # a frame that starts well but runs past the end of the file
            break
        if bad_from < 0:
            bad_from = pos
        nxt = _next_candidate(buf, pos + 1)
        if nxt < 0:
            break
        pos = nxt
    if bad_from >= 0:
        bad.append((bad_from, size - bad_from, "bad bytes up to the end of the file"))
    elif truncated_at is None and pos < size:
        truncated_at = pos
    data = np.frombuffer(buf, dtype=np.uint8)
    offset = np.asarray(starts, dtype=np.int64)
    stx = data[offset + TLOG_STAMP].astype(np.int64) if len(offset) else offset.copy()
    v2 = stx == STX_V2
    base = offset + TLOG_STAMP
    stamps = np.zeros(len(offset), dtype=np.int64)
    for k in range(TLOG_STAMP):
        stamps = (stamps << 8) | data[offset + k].astype(np.int64)
    msgid = np.where(
        v2,
        data[np.minimum(base + 7, len(data) - 1)].astype(np.int64)
        | (data[np.minimum(base + 8, len(data) - 1)].astype(np.int64) << 8)
        | (data[np.minimum(base + 9, len(data) - 1)].astype(np.int64) << 16),
        data[np.minimum(base + 5, len(data) - 1)].astype(np.int64),
    )
    return Frames(
        data=data,
        offset=offset,
        time_us=stamps,
        msgid=msgid,
        sysid=data[base + np.where(v2, 5, 3)].astype(np.int64),
        compid=data[base + np.where(v2, 6, 4)].astype(np.int64),
        payload_at=base + np.where(v2, 10, 6),
        payload_len=data[base + 1].astype(np.int64),
        bad=tuple(bad),
        truncated_at=truncated_at,
    )


_STRUCT_TO_NUMPY = {
    "b": "i1",
    "B": "u1",
    "h": "<i2",
    "H": "<u2",
    "i": "<i4",
    "I": "<u4",
    "q": "<i8",
    "Q": "<u8",
    "f": "<f4",
    "d": "<f8",
    "c": "S1",
}


@cache
def numpy_dtype(msgid: int) -> np.dtype[np.void]:
    """The wire layout of a message as a packed little-endian NumPy structured dtype."""
    cls = message_class(msgid)
    units = re.findall(r"(\d*)([a-zA-Z?])", cls.unpacker.format.lstrip("<"))
    names = list(cls.ordered_fieldnames)
    if len(units) != len(names):  # pragma: no cover - every generated class is one-to-one
        raise ValueError(f"{cls.msgname}: layout {cls.unpacker.format} vs fields {names}")
    formats: list[Any] = []
    for count, code in units:
        n = int(count) if count else 1
        if code == "s":
            formats.append(f"S{n}")
        elif n == 1:
            formats.append(_STRUCT_TO_NUMPY[code])
        else:
            formats.append((_STRUCT_TO_NUMPY[code], (n,)))
    dtype = np.dtype({"names": names, "formats": formats})
    if dtype.itemsize != cls.unpacker.size:  # pragma: no cover
        raise ValueError(f"{cls.msgname}: numpy layout differs from pymavlink's")
    return dtype


def select(frames: Frames, msgid: int, sysid: int | None = None) -> npt.NDArray[np.intp]:
    """Indexes (into ``frames``) of the frames of one message id, optionally of one system."""
    mask = frames.msgid == msgid
    if sysid is not None:
        mask &= frames.sysid == sysid
    return np.flatnonzero(mask)


def decode(frames: Frames, index: npt.NDArray[np.intp], msgid: int) -> npt.NDArray[np.void]:
    """Decode the frames at ``index`` (all of message ``msgid``) into a structured array.

    MAVLink 2 payloads truncated by the sender are zero-filled to the full length, as the
    protocol requires; MAVLink 1 frames simply lack the extension fields (zero).
    """
    dtype = numpy_dtype(msgid)
    width = dtype.itemsize
    if not len(index):
        return np.zeros(0, dtype=dtype)
    cols = np.arange(width, dtype=np.int64)
    at = frames.payload_at[index][:, None] + cols
    keep = cols[None, :] < np.minimum(frames.payload_len[index], width)[:, None]
    raw = np.where(keep, frames.data[np.where(keep, at, 0)], 0).astype(np.uint8)
    return np.ascontiguousarray(raw).view(dtype).reshape(-1)


def text(values: npt.NDArray[Any]) -> list[str]:
    """MAVLink char[] fields: bytes up to the first NUL, decoded as UTF-8 (lossy)."""
    return [bytes(v).split(b"\x00", 1)[0].decode("utf-8", "replace") for v in values]
