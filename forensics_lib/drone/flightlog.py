"""``read_flight_log``: one entry point for every flight log, format detected by content.

=====================  ===============================================================
format                 how it is recognised
=====================  ===============================================================
MAVLink tlog           byte 8 is a MAVLink start byte (0xFE v1, 0xFD v2) and the first
                       frame's CRC checks out (8-byte big-endian time stamp before it);
                       or, after foreign bytes, two CRC-checked frames in the first 64 KiB
ArduPilot DataFlash    starts with ``A3 95 80``: the header of the first FMT record
PX4 ULog               starts with ``ULog 01 12 35`` (:mod:`forensics_lib.drone.ulog`)
DJI flight record      a 100-byte header whose version byte and offsets are consistent
                       (see :mod:`forensics_lib.drone.dji_txt`)
DJI SRT subtitles      text whose first block is a subtitle number and ``-->`` times
=====================  ===============================================================

The registered artifacts ``drone.track`` and ``drone.events`` are thin views of a
:class:`~forensics_lib.drone.model.FlightLog` with provenance columns added.
"""

from __future__ import annotations

import pandas as pd

from forensics_lib.core.errors import UnsupportedFormat
from forensics_lib.core.registry import artifact
from forensics_lib.core.schema import conform
from forensics_lib.drone import mavlink_frames as mf
from forensics_lib.drone.model import (
    BAD_FRAME_COLUMNS,
    EVENT_COLUMNS,
    EVENTS,
    TRACK,
    FlightLog,
    frame_of,
)
from forensics_lib.sources import Source, display_path, open_binary, source_path

__all__ = ["detect_format", "events", "read_flight_log", "read_flight_log_bytes", "track"]

_SRT_HEAD = 512
# PX4 ULog: "ULog" 0x01 0x12 0x35, then the version byte (PX4 docs "ULog File Format").
ULOG_MAGIC = b"ULog\x01\x12\x35"
EVENT_FRAME = (*EVENT_COLUMNS, BAD_FRAME_COLUMNS[0])


def _looks_like_srt(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    first = text.split(b"\n", 2)
    return len(first) >= 2 and first[0].strip().isdigit() and b"-->" in first[1]


def detect_format(buf: bytes) -> str | None:
    """``mavlink_tlog``, ``ardupilot_dataflash``, ``px4_ulog``, ``dji_txt``, ``dji_srt`` or
    None."""
    from forensics_lib.drone import dji_txt

    if buf[:3] == b"\xa3\x95\x80":
        return "ardupilot_dataflash"
    if buf[: len(ULOG_MAGIC)] == ULOG_MAGIC:
        return "px4_ulog"
    if len(buf) > mf.TLOG_STAMP and buf[mf.TLOG_STAMP] in (mf.STX_V1, mf.STX_V2):
        length = mf.frame_length(buf, mf.TLOG_STAMP, len(buf), mf.crc_extras(), strict=True)
        if length != 0:
            return "mavlink_tlog"
    if dji_txt.looks_like_dji_txt(buf):
        return "dji_txt"
    if _looks_like_srt(buf[:_SRT_HEAD]):
        return "dji_srt"
    # A tlog whose first bytes are not a frame (console text, a partial frame): its first
    # CRC-checked frame, followed by a second, within the first mf.DETECT_LIMIT (8 MiB;
    # pymavlink resyncs on the start byte the same way, without limit). Last, so no other
    # format is taken for a tlog.
    if mf.first_frame(buf) is not None:
        return "mavlink_tlog"
    return None


def with_flight_events(log: FlightLog) -> FlightLog:
    """Add the take-offs and landings found in the track to the log's events.

    A log that starts (ends) in flight gets no take-off (landing) event, but a note saying
    the take-off (landing) is not in the log.
    """
    from forensics_lib.drone.analysis import flight_notes, flight_segments

    segments = flight_segments(log.track)
    if segments.empty:
        return log
    log.notes = (*log.notes, *(n for n in flight_notes(log.track, segments) if n not in log.notes))
    offsets = dict(zip(log.track["time_utc"], log.track["offset"], strict=True))
    boots = dict(zip(log.track["time_utc"], log.track["time_boot_s"], strict=True))
    rows = []
    for _, s in segments.iterrows():
        if not s["airborne_at_start"]:
            rows.append(
                {
                    "time_utc": s["takeoff_utc"],
                    "kind": "takeoff",
                    "text": "take-off detected (climbed above 1.5 m over home)",
                    "lat": s["takeoff_lat"],
                    "lon": s["takeoff_lon"],
                    "offset": offsets.get(s["takeoff_utc"]),
                    "time_boot_s": boots.get(s["takeoff_utc"]),
                }
            )
        if s["landed"]:
            rows.append(
                {
                    "time_utc": s["landing_utc"],
                    "kind": "landing",
                    "text": (
                        f"landing detected, {s['duration_s']:.0f} s after the log began in flight"
                        if s["airborne_at_start"]
                        else f"landing detected after {s['duration_s']:.0f} s in the air"
                    ),
                    "lat": s["landing_lat"],
                    "lon": s["landing_lon"],
                    "offset": offsets.get(s["landing_utc"]),
                    "time_boot_s": boots.get(s["landing_utc"]),
                }
            )
    if not rows:
        return log
    extra = frame_of(EVENT_FRAME, pd.DataFrame(rows))
    merged = pd.concat([log.events, extra], ignore_index=True)
    merged = merged.sort_values(["time_utc", "offset"], kind="stable", na_position="last")
    log.events = frame_of(EVENT_FRAME, merged)
    return log


def read_flight_log_bytes(
    buf: bytes,
    path: str,
    *,
    system_id: int | None = None,
    zone: str | None = None,
    dji_fpv: bool = False,
) -> FlightLog:
    """:func:`read_flight_log` on bytes already read (``path`` is used in messages only)."""
    kind = detect_format(buf)
    if kind == "mavlink_tlog":
        from forensics_lib.drone.tlog import read_tlog

        return with_flight_events(read_tlog(buf, path, system_id))
    if kind == "ardupilot_dataflash":
        from forensics_lib.drone.dataflash import read_dataflash

        return with_flight_events(read_dataflash(buf, path))
    if kind == "px4_ulog":
        from forensics_lib.drone.ulog import read_ulog

        return with_flight_events(read_ulog(buf, path))
    if kind == "dji_txt":
        from forensics_lib.drone.dji_txt import read_dji_txt

        return with_flight_events(read_dji_txt(buf, path))
    if kind == "dji_srt":
        from forensics_lib.drone.srt import srt_flight_log

        return with_flight_events(srt_flight_log(buf, path, zone=zone, dji_fpv=dji_fpv))
    reason = (
        "empty file"
        if not buf
        else (
            "not a MAVLink tlog, ArduPilot DataFlash log, PX4 ULog, DJI flight record or DJI SRT "
            f"(first bytes {buf[:12].hex(' ')})"
        )
    )
    raise UnsupportedFormat(path, reason)


def read_flight_log(
    source: Source,
    *,
    system_id: int | None = None,
    zone: str | None = None,
    dji_fpv: bool = False,
) -> FlightLog:
    """Read any supported flight log into a :class:`FlightLog`; the format is found by content.

    ``system_id`` picks the vehicle in a MAVLink log holding several (by default the vehicle
    that sent the most positions, with a warning naming the others). ``zone`` is the IANA zone
    the aircraft's clock was set to, needed for DJI SRT wall-clock times (``"Europe/Madrid"``).
    ``dji_fpv`` says a DJI SRT is a DJI FPV's (its ``[altitude: ..]`` is read x10).
    """
    with open_binary(source) as fh:
        buf = fh.read()
    return read_flight_log_bytes(
        buf, display_path(source), system_id=system_id, zone=zone, dji_fpv=dji_fpv
    )


def _provenance(frame: pd.DataFrame, artifact_id: str, source: Source) -> pd.DataFrame:
    out = frame.copy()
    out["artifact"] = artifact_id
    out["source_path"] = source_path(source)
    return out


@artifact(TRACK)
def track(source: Source) -> pd.DataFrame:
    """The flight track of a tlog, DataFlash log or DJI record (one row per position fix)."""
    log = read_flight_log(source)
    return conform(_provenance(log.track, TRACK.id, source), TRACK)


@artifact(EVENTS)
def events(source: Source) -> pd.DataFrame:
    """The flight events of a tlog, DataFlash log or DJI record."""
    log = read_flight_log(source)
    return conform(_provenance(log.events, EVENTS.id, source), EVENTS)
