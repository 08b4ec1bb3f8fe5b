"""Drone flight logs kept by the phone's ground-station apps: one row per log, and the logs.

Where the apps write them (device paths; each log is recognised by content afterwards, by
:func:`forensics_lib.drone.flightlog.read_flight_log`):

* DJI Fly (Android): ``/sdcard/Android/data/dji.go.v5/files/FlightRecord/
  DJIFlightRecord_<date>_[<time>].txt`` (the folder flight-log uploaders and
  dji-log-parser front ends list for DJI Fly and the DJI RC / RC Pro screens).
* DJI GO 4 (Android): ``/sdcard/DJI/dji.go.v4/FlightRecord/`` (its ``MCDatFlightRecords``
  sub-folder holds the aircraft's ``.DAT`` logs, not read here); DJI GO (older):
  ``/sdcard/DJI/dji.pilot/FlightRecord/`` (daviesian/phantom-decoder README).
* DJI apps on iOS: the app's ``Documents/FlightRecords/`` (``AppDomain-com.dji.go/Documents/
  FlightRecords`` in a backup, the folder "File Sharing" shows for DJI Fly), i.e.
  ``/private/var/mobile/Containers/Data/Application/<UUID>/Documents/FlightRecords/``.
* QGroundControl: ``<savePath>/Telemetry/<yyyy-MM-dd hh-mm-ss>.tlog`` (QGC
  ``src/Settings/AppSettings.cc``: ``savePath`` is ``GenericDataLocation/QGroundControl``
  on Android, i.e. ``/sdcard/QGroundControl``, and the app's ``Documents`` folder itself on
  iOS; ``telemetryDirectory`` = ``Telemetry``).

Any other ``*.tlog`` on the phone is read too (a tlog is recognised by its frames, not its
folder). A log saved under another name (``Download/backup_0412.dat``) is found by its
content (:data:`CONTENT`): every file of the user's storage and of the apps' ``files``
folders (:data:`SNIFF_FOLDERS`) is tested on its first bytes for MAVLink tlog framing, an
ArduPilot DataFlash FMT header or a DJI flight record prefix (:func:`sniff_flight_log`);
``found_by`` tells ``name`` from ``content``.

A DJI record of format version 13 or later has AES-encrypted records: its row holds
what the readable Details block says (aircraft, serials, start time, home) with
``encrypted`` true and no track. A file that is no flight log keeps its row (path, size,
hash) with the reason in ``notes`` and a :class:`~forensics_lib.core.errors.ForensicsWarning`.
:func:`flight_log` gives the :class:`~forensics_lib.drone.model.FlightLog` itself (the
track), as ``Extraction.flight_logs()`` does for a whole extraction.
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Any

import numpy as np
import pandas as pd

from forensics_lib.core.errors import ForensicsWarning, ParseError, UnsupportedFormat
from forensics_lib.core.evidence import glob_regex
from forensics_lib.core.registry import artifact
from forensics_lib.core.schema import (
    BOOL,
    FLOAT,
    INT,
    STR,
    TIME,
    ArtifactSpec,
    Column,
    TimelineRule,
    conform,
)
from forensics_lib.drone.dji_txt import (
    PREFIX_SIZE,
    DJIEncryptedRecords,
    cut_before_details,
    dji_version,
)
from forensics_lib.drone.flightlog import detect_format, read_flight_log_bytes
from forensics_lib.drone.model import FlightLog
from forensics_lib.scan import ContentRule, by_content
from forensics_lib.sources import Source, display_path, open_binary, source_path

__all__ = [
    "CONTENT",
    "DRONE_LOGS",
    "SNIFF_FOLDERS",
    "app_of",
    "flight_log",
    "read_drone_logs",
    "sniff_flight_log",
]

# The app is unknown for a log outside the apps' folders; found_by says how it was found.
_DESCRIPTION = "{app} {aircraft_serial} {path} (found by {found_by})"

DRONE_LOGS = ArtifactSpec(
    id="phone.drone_logs",
    family="phone",
    description="Drone flight logs of ground-station apps (DJI Fly/GO records, QGC tlogs)",
    columns=(
        Column("time", TIME, "first position fix (UTC); encrypted DJI: Details start time"),
        Column("end_time", TIME, "last position fix (UTC)"),
        Column("path", STR, "device path of the log"),
        Column("app", STR, "DJI Fly, DJI GO 4, DJI GO, DJI (iOS), QGroundControl, or none"),
        Column("format", STR, "mavlink_tlog, dji_txt, ardupilot_dataflash, ... (by content)"),
        Column("format_version", INT, "DJI flight record format version"),
        Column("encrypted", BOOL, "records encrypted (DJI format 13+): no track without keys"),
        Column("size", INT, "bytes"),
        Column("sha256", STR, "SHA-256 of the file as stored"),
        Column("aircraft_name", STR, "aircraft name set by the owner (DJI)"),
        Column("aircraft_serial", STR, "aircraft serial number (DJI)"),
        Column("vehicle", STR, "vehicle type / DJI product"),
        Column("system_id", INT, "MAVLink system id of the vehicle read"),
        Column("home_lat", FLOAT, "home point latitude"),
        Column("home_lon", FLOAT, "home point longitude"),
        Column("first_lat", FLOAT, "latitude of the first fix"),
        Column("first_lon", FLOAT, "longitude of the first fix"),
        Column("last_lat", FLOAT, "latitude of the last fix"),
        Column("last_lon", FLOAT, "longitude of the last fix"),
        Column("takeoff_time", TIME, "first take-off (UTC), from the track or the log"),
        Column("takeoff_lat", FLOAT, "latitude at take-off"),
        Column("takeoff_lon", FLOAT, "longitude at take-off"),
        Column("landing_time", TIME, "last landing (UTC)"),
        Column("landing_lat", FLOAT, "latitude at landing"),
        Column("landing_lon", FLOAT, "longitude at landing"),
        Column("track_points", INT, "position fixes in the track"),
        Column("max_alt_rel_m", FLOAT, "highest altitude above home, metres"),
        Column("found_by", STR, "name (an app's folder or a log's name) or content (renamed)"),
        Column("notes", STR, "what could not be read, and why"),
    ),
    globs=(
        "**/DJIFlightRecord_*.[tT][xX][tT]",
        "**/*.[tT][lL][oO][gG]",
    ),
    timeline=(
        TimelineRule(
            "time",
            "drone log starts",
            _DESCRIPTION,
            actor="aircraft_serial",
            lat="first_lat",
            lon="first_lon",
        ),
        TimelineRule(
            "takeoff_time",
            "drone take-off",
            _DESCRIPTION,
            actor="aircraft_serial",
            lat="takeoff_lat",
            lon="takeoff_lon",
        ),
        TimelineRule(
            "landing_time",
            "drone landing",
            _DESCRIPTION,
            actor="aircraft_serial",
            lat="landing_lat",
            lon="landing_lon",
        ),
    ),
    references=(
        "QGroundControl src/Settings/AppSettings.cc (savePath, Telemetry)",
        "DJI Fly / GO 4 FlightRecord folders (flight-log uploaders, dji-log-parser users)",
    ),
)

#: Where a flight log is looked for by content (device paths): the user's storage (Android's
#: /data/media/<user> is /sdcard; adopted SD cards under /storage or /mnt), the apps' own
#: ``files`` folders, and on iOS the media, the apps' Documents (what "File Sharing" shows),
#: the Files app's local storage (a shared AppGroup) and iCloud Drive's local copy. System
#: folders, databases and caches are not read.
SNIFF_FOLDERS: tuple[str, ...] = (
    "/data/media/*/**",
    "/sdcard/**",
    "/storage/**",
    "/mnt/sdcard/**",
    "/data/data/*/files/**",
    "/data/user/*/*/files/**",
    "/private/var/mobile/Media/**",
    "/private/var/mobile/Containers/Data/Application/*/Documents/**",
    "/private/var/mobile/Containers/Shared/AppGroup/*/**",
    "/private/var/mobile/Library/Mobile Documents/**",
    "/var/mobile/Media/**",
    "/var/mobile/Containers/Data/Application/*/Documents/**",
    "/var/mobile/Containers/Shared/AppGroup/*/**",
)
# A tlog's first frame: an 8-byte time stamp and a MAVLink v1 frame of 8 bytes at least.
_MIN_LOG = 16
_SNIFFED_FORMATS = ("mavlink_tlog", "ardupilot_dataflash")


def _dji_prefix(head: bytes, size: int) -> bool:
    """:func:`~forensics_lib.drone.dji_txt.dji_version`'s test of a record's 100-byte prefix,
    with the file's size where it takes the buffer's length (the Details block a format 13
    prefix points to lies past the first bytes). prefix.rs: detail_offset u64 LE first."""
    if len(head) < PREFIX_SIZE:
        return False
    # The known version and zero reserved bytes, tested on the prefix with an offset it accepts:
    version = dji_version(PREFIX_SIZE.to_bytes(8, "little") + head[8:PREFIX_SIZE])
    if version is None:
        return False
    detail_offset = int.from_bytes(head[:8], "little")
    if version < 12:
        # a download cut before its Details block is read too (dji_version: its first record)
        return PREFIX_SIZE <= detail_offset <= size or (
            detail_offset > size and cut_before_details(head, version, detail_offset)
        )
    return version == 12 or detail_offset <= size


def sniff_flight_log(head: bytes, size: int) -> bool:
    """Whether a file of ``size`` bytes whose first bytes are ``head`` (512 are enough) is a
    flight log: a MAVLink tlog (time stamp, then a frame whose CRC checks), an ArduPilot
    DataFlash log (its FMT header, A3 95 80) or a DJI flight record (its prefix). DJI SRT
    captions are not flight logs here (they are read with the videos)."""
    if size < _MIN_LOG:
        return False
    return _dji_prefix(head, size) or detect_format(head) in _SNIFFED_FORMATS


#: How ``drone_logs`` finds a renamed log: by content, under :data:`SNIFF_FOLDERS`, up to
#: 1 GiB (its reader holds the whole log in memory).
CONTENT = ContentRule(where=SNIFF_FOLDERS, sniff=sniff_flight_log, min_size=_MIN_LOG)

# (path fragment, app): the first that the lower-cased device path contains.
_APPS = (
    ("/dji.go.v5/", "DJI Fly"),
    ("/dji.go.v4/", "DJI GO 4"),
    ("/dji.pilot/", "DJI GO"),
    ("/com.dji.industry.pilot", "DJI Pilot 2"),
    ("/documents/flightrecords/", "DJI (iOS)"),
    ("/qgroundcontrol/telemetry/", "QGroundControl"),
    ("/documents/telemetry/", "QGroundControl"),
)


def app_of(path: str) -> str | None:
    """Which app's folder a log sits in, by its device path (None when unknown)."""
    lowered = path.lower()
    return next((app for fragment, app in _APPS if fragment in lowered), None)


def _read(source: Source) -> bytes:
    with open_binary(source) as fh:
        return fh.read()


def flight_log(source: Source) -> FlightLog:
    """The :class:`FlightLog` of one log found on the phone; an encrypted DJI record gives
    its Details-only log (vehicle, home, no track) instead of raising."""
    buf = _read(source)
    try:
        return read_flight_log_bytes(buf, display_path(source))
    except DJIEncryptedRecords as exc:
        return exc.log


def _first(frame: pd.DataFrame, column: str) -> Any:
    values = frame[column].dropna() if column in frame else pd.Series(dtype=object)
    return values.iloc[0] if len(values) else None


def _event(log: FlightLog, kind: str, last: bool) -> dict[str, Any]:
    chosen = log.events.loc[log.events["kind"].eq(kind).fillna(False)]
    if chosen.empty:
        return {"time": None, "lat": None, "lon": None}
    row = chosen.iloc[-1 if last else 0]
    return {"time": row["time_utc"], "lat": row["lat"], "lon": row["lon"]}


_NAMED = tuple(glob_regex(g) for g in DRONE_LOGS.globs)


def _found_by(path: str) -> str:
    """``name`` when a glob of :data:`DRONE_LOGS` matches the path, else ``content``."""
    return "name" if any(p.fullmatch(path) for p in _NAMED) else "content"


def _row(source: Source) -> dict[str, Any]:
    buf = _read(source)
    path = source_path(source)
    row: dict[str, Any] = {
        "path": path,
        "app": app_of(path),
        "found_by": _found_by(path),
        "size": len(buf),
        "sha256": hashlib.sha256(buf).hexdigest(),
        "format": detect_format(buf),
        "encrypted": False,
        "track_points": 0,
    }
    if row["format"] == "dji_txt":
        row["format_version"] = dji_version(buf)
    notes: list[str] = []
    try:
        log = read_flight_log_bytes(buf, display_path(source))
    except DJIEncryptedRecords as exc:
        log = exc.log
        row["encrypted"] = True
        row["time"] = exc.details.start_time_utc
    except (UnsupportedFormat, ParseError) as exc:
        warnings.warn(
            f"{DRONE_LOGS.id}: {display_path(source)}: not read as a flight log ({exc})",
            ForensicsWarning,
            stacklevel=3,
        )
        row["notes"] = str(exc)
        return row
    track = log.track
    fixes = track.dropna(subset=["lat", "lon"]) if len(track) else track
    if len(fixes):
        row.update(
            time=fixes["time_utc"].iloc[0],
            end_time=fixes["time_utc"].iloc[-1],
            first_lat=fixes["lat"].iloc[0],
            first_lon=fixes["lon"].iloc[0],
            last_lat=fixes["lat"].iloc[-1],
            last_lon=fixes["lon"].iloc[-1],
            max_alt_rel_m=fixes["alt_rel_m"].max(),
        )
    row["track_points"] = len(fixes)
    takeoff, landing = _event(log, "takeoff", False), _event(log, "landing", True)
    row.update(
        takeoff_time=takeoff["time"],
        takeoff_lat=takeoff["lat"],
        takeoff_lon=takeoff["lon"],
        landing_time=landing["time"],
        landing_lat=landing["lat"],
        landing_lon=landing["lon"],
        aircraft_name=_first(log.vehicle, "aircraft_name"),
        aircraft_serial=_first(log.vehicle, "aircraft_serial"),
        vehicle=_first(log.vehicle, "vehicle_type"),
        system_id=log.system_id,
        home_lat=_first(log.home, "lat"),
        home_lon=_first(log.home, "lon"),
    )
    notes += list(log.notes)
    if log.bad_frame_count:
        notes.append(f"{log.bad_frame_count} unreadable byte range(s)")
    row["notes"] = "; ".join(notes) or None
    return row


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    names = [c.name for c in DRONE_LOGS.columns]
    frame = pd.DataFrame(rows, columns=names)
    for col in DRONE_LOGS.columns:
        values = frame[col.name]
        if col.dtype == TIME:
            frame[col.name] = pd.Series(
                [pd.NaT if v is None else pd.Timestamp(v) for v in values], dtype=TIME
            )
        elif col.dtype == FLOAT:
            frame[col.name] = pd.to_numeric(values, errors="coerce").astype("float64")
        elif col.dtype == INT:
            frame[col.name] = pd.array(
                [
                    None if v is None or (isinstance(v, float) and np.isnan(v)) else int(v)
                    for v in values
                ],
                dtype="Int64",
            )
        elif col.dtype == BOOL:
            frame[col.name] = pd.array([None if v is None else bool(v) for v in values], "boolean")
    frame["artifact"] = DRONE_LOGS.id
    frame["source_path"] = frame["path"]
    frame["row_id"] = 0
    return conform(frame, DRONE_LOGS)


@by_content(CONTENT)
@artifact(DRONE_LOGS)
def read_drone_logs(source: Source) -> pd.DataFrame:
    """One flight log found on the phone as a one-row summary (see :data:`DRONE_LOGS`)."""
    return _frame([_row(source)])
