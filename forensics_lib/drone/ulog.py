"""PX4 ULog flight logs (``.ulg``), read with pyulog, the maintained reader (PX4/pyulog).

The file format (PX4 docs "ULog File Format"): a 16-byte header (``ULog 01 12 35``, version,
start time in microseconds since boot), then messages of ``msg_size u16, msg_type u8``:
'B' flag bits, 'F' formats, 'I' info (``sys_name``, ``ver_hw``, ``ver_sw``...), 'P'
parameters, 'A' add-logged subscriptions, 'D' data (every topic sample starts with its
``timestamp``, microseconds since boot), 'L' logged text. pyulog 1.3.0 parses it; this module
maps the PX4 topics onto the :class:`~forensics_lib.drone.model.FlightLog` every drone
reader fills:

* track: ``vehicle_gps_position`` (``sensor_gps`` where a log has only that), ``lat``/``lon``
  degE7, ``alt`` mm AMSL, ``vel_m_s``, ``vel_d_m_s`` (NED: climb is ``-vel_d_m_s``),
  ``cog_rad``, ``satellites_used``, ``fix_type``; newer messages give ``latitude_deg``,
  ``longitude_deg``, ``altitude_msl_m``. ``time_utc_usec`` (0 before a fix) is UTC. Without a
  GNSS topic, ``vehicle_global_position`` (degrees, metres). Height above home is
  ``-z`` of ``vehicle_local_position`` (NED from the EKF origin, where PX4 took off).
* time: every other topic carries boot time only; it is put on UTC through the first GPS
  sample with a ``time_utc_usec`` (as DataFlash TimeUS is through the first GPS record).
  A log without one keeps ``time_boot_s`` and an empty ``time_utc``, and says so.
* events: ``vehicle_status.arming_state`` (2 = ARMED; msg/vehicle_status.msg) and
  ``nav_state`` (the NAVIGATION_STATE_* names below), logged messages ('L' and tagged 'C',
  log level '0' emergency .. '7' debug, as MAV_SEVERITY).
* dropouts ('O', uint16 ms the logger could not write) are counted in the notes: data lost.
* parameters: the initial 'P' values at the log start, then the changes logged in flight.
"""

from __future__ import annotations

import contextlib
import io
import struct
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from forensics_lib.core import times
from forensics_lib.core.errors import ForensicsWarning, ParseError, TruncatedInputWarning
from forensics_lib.core.registry import artifact
from forensics_lib.core.schema import STR, ArtifactSpec, Column, conform
from forensics_lib.drone.mavlink_common import asof, enum_label, events_frame
from forensics_lib.drone.model import (
    BAD_FRAME_COLUMNS,
    HOME_COLUMNS,
    MISSION_COLUMNS,
    NO_GPS_TIME,
    PARAM_COLUMNS,
    PILOT_COLUMNS,
    TRACK_COLUMNS,
    VEHICLE_COLUMNS,
    FlightLog,
    arm_events,
    frame_of,
    vehicle_family,
)
from forensics_lib.sources import Source, display_path, open_binary, source_path

__all__ = ["NAV_STATES", "ULOG_INFO", "ULOG_MAGIC", "nav_state_name", "read_ulog", "ulog_info"]

ULOG_MAGIC = b"ULog\x01\x12\x35"
_HEADER_LEN = 16
_ARMED = 2  # vehicle_status ARMING_STATE_ARMED (msg/vehicle_status.msg, every release)

# vehicle_status NAVIGATION_STATE_* (PX4-Autopilot msg/vehicle_status.msg, v1.11 to v1.14;
# v1.15 renamed the retired 6-9, 11 and 16 FREE* and reused 6 as POSITION_SLOW).
NAV_STATES: dict[int, str] = {
    0: "MANUAL",
    1: "ALTCTL",
    2: "POSCTL",
    3: "AUTO_MISSION",
    4: "AUTO_LOITER",
    5: "AUTO_RTL",
    6: "AUTO_RCRECOVER",
    7: "AUTO_RTGS",
    8: "AUTO_LANDENGFAIL",
    9: "AUTO_LANDGPSFAIL",
    10: "ACRO",
    11: "UNUSED",
    12: "DESCEND",
    13: "TERMINATION",
    14: "OFFBOARD",
    15: "STAB",
    16: "RATTITUDE",
    17: "AUTO_TAKEOFF",
    18: "AUTO_LAND",
    19: "AUTO_FOLLOW_TARGET",
    20: "AUTO_PRECLAND",
    21: "ORBIT",
    22: "AUTO_VTOL_TAKEOFF",
    **{22 + k: f"EXTERNAL{k}" for k in range(1, 9)},
}
_V1_15 = 0x010F0000  # ver_sw_release 0xMMmmppTT (major, minor, patch, type)
_POSITION_SLOW = 6

# vehicle_status.vehicle_type (VEHICLE_TYPE_*) -> MAV_TYPE, when the MAV_TYPE parameter is
# absent: 1 rotary wing -> QUADROTOR, 2 fixed wing, 3 rover -> GROUND_ROVER, 4 airship.
_VEHICLE_TYPE_MAV = {1: 2, 2: 1, 3: 10, 4: 7}
_GPS_TOPICS = ("vehicle_gps_position", "sensor_gps")

ULOG_INFO = ArtifactSpec(
    id="drone.ulog_info",
    family="drone",
    description="PX4 ULog facts: system, hardware and software versions ('I' messages) and "
    "the parameters at the log start ('P')",
    columns=(
        Column("kind", STR, "info (an 'I' message) or parameter (a 'P' message)"),
        Column("key", STR, "sys_name, ver_hw, ver_sw, ver_sw_branch, ... or the parameter name"),
        Column("value", STR, "the value as text"),
        Column("type", STR, "the ULog type of the value (char[40], int32_t, float, ...)"),
    ),
    globs=("**/*.ulg", "**/*.ULG"),
    magic=((0, ULOG_MAGIC),),
    references=("PX4 docs 'ULog File Format'; pyulog 1.3.0 core.py (msg_info_dict, ...)",),
)


def nav_state_name(nav_state: int, ver_sw_release: int | None = None) -> str:
    """The PX4 name of a ``vehicle_status.nav_state`` (``NAV_STATE(n)`` when unknown)."""
    if nav_state == _POSITION_SLOW and ver_sw_release and ver_sw_release >= _V1_15:
        return "POSITION_SLOW"
    return NAV_STATES.get(int(nav_state), f"NAV_STATE({int(nav_state)})")


def _parse(buf: bytes, path: str) -> tuple[Any, list[str]]:
    """pyulog's ULog of ``buf``; what pyulog printed comes back as messages (it prints)."""
    from pyulog import ULog  # type: ignore[import-untyped]
    from pyulog.core import ULogException  # type: ignore[import-untyped]

    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            ulog = ULog(io.BytesIO(buf), None, True)
    except ULogException as exc:
        raise ParseError(path, 0, f"not a readable ULog: {exc}") from None
    except (struct.error, ValueError, IndexError, KeyError, UnicodeDecodeError) as exc:
        raise ParseError(path, None, f"ULog definitions unreadable (pyulog: {exc!r})") from None
    return ulog, [line for line in out.getvalue().splitlines() if line.strip()]


def _truncated_at(buf: bytes) -> int | None:
    """Offset of a message cut by the end of the file (walking the ``msg_size`` headers)."""
    size = len(buf)
    pos = _HEADER_LEN
    while pos + 3 <= size:
        msg_size = buf[pos] | (buf[pos + 1] << 8)
        if pos + 3 + msg_size > size:
            return pos
        pos += 3 + msg_size
    return pos if pos < size else None


def _dataset(ulog: Any, names: tuple[str, ...]) -> tuple[str, dict[str, npt.NDArray[Any]]] | None:
    """The first of ``names`` the log holds (instance 0): (name, field -> values)."""
    held = {(d.name, d.multi_id): d for d in ulog.data_list}
    for name in names:
        d = held.get((name, 0))
        if d is not None and len(d.data.get("timestamp", ())):
            return name, d.data
    return None


def _boot_s(data: dict[str, npt.NDArray[Any]]) -> npt.NDArray[np.float64]:
    return np.asarray(data["timestamp"], dtype=np.float64) / 1e6


class _Clock:
    """Boot microseconds -> UTC through one GPS sample's ``time_utc_usec`` (None: unknown)."""

    def __init__(self, gps: dict[str, npt.NDArray[Any]] | None) -> None:
        self.offset_us: int | None = None
        if gps is not None and "time_utc_usec" in gps:
            utc = np.asarray(gps["time_utc_usec"], dtype=np.int64)
            ok = np.flatnonzero(utc > 0)
            if len(ok):
                k = int(ok[0])
                self.offset_us = int(utc[k]) - int(gps["timestamp"][k])

    def utc(self, boot_us: npt.ArrayLike) -> pd.Series:
        us = np.asarray(boot_us, dtype=np.int64)
        if self.offset_us is None:
            return pd.Series(pd.NaT, index=pd.RangeIndex(len(us)), dtype="datetime64[ns, UTC]")
        return times.from_unix_us(us + self.offset_us)


def _gps_track(name: str, g: dict[str, npt.NDArray[Any]]) -> pd.DataFrame:
    if "latitude_deg" in g:  # PX4 v1.15+ sensor_gps
        lat = np.asarray(g["latitude_deg"], dtype=np.float64)
        lon = np.asarray(g["longitude_deg"], dtype=np.float64)
        alt = np.asarray(g.get("altitude_msl_m", np.full(len(lat), np.nan)), dtype=np.float64)
    else:
        lat = np.asarray(g["lat"], dtype=np.float64) / 1e7
        lon = np.asarray(g["lon"], dtype=np.float64) / 1e7
        alt = np.asarray(g["alt"], dtype=np.float64) / 1000.0
    n = len(lat)
    utc_us = np.asarray(g.get("time_utc_usec", np.zeros(n)), dtype=np.int64)
    when = times.from_unix_us(utc_us).where(pd.Series(utc_us > 0))
    cog = np.asarray(g.get("cog_rad", np.full(n, np.nan)), dtype=np.float64)
    frame = pd.DataFrame(
        {
            "time_utc": when.astype("datetime64[ns, UTC]"),
            "lat": lat,
            "lon": lon,
            "alt_amsl_m": alt,
            "ground_speed_ms": np.asarray(g.get("vel_m_s", np.full(n, np.nan)), dtype=float),
            "climb_ms": -np.asarray(g.get("vel_d_m_s", np.full(n, np.nan)), dtype=float),
            "heading_deg": np.degrees(cog) % 360.0,
            "sats": pd.array(np.asarray(g.get("satellites_used", np.zeros(n)), dtype=np.int64)),
            "fix_type": pd.array(np.asarray(g.get("fix_type", np.zeros(n)), dtype=np.int64)),
            "time_boot_s": _boot_s(g),
            "_topic": name,
        }
    )
    # No position before the first fix (fix_type 0-1, lat = lon = 0).
    return frame[(frame["fix_type"] >= 2) & ((frame["lat"] != 0) | (frame["lon"] != 0))]


def _global_track(g: dict[str, npt.NDArray[Any]], clock: _Clock) -> pd.DataFrame:
    n = len(g["timestamp"])
    frame = pd.DataFrame(
        {
            "time_utc": clock.utc(g["timestamp"]),
            "lat": np.asarray(g["lat"], dtype=np.float64),
            "lon": np.asarray(g["lon"], dtype=np.float64),
            "alt_amsl_m": np.asarray(g.get("alt", np.full(n, np.nan)), dtype=np.float64),
            "time_boot_s": _boot_s(g),
        }
    )
    return frame[(frame["lat"] != 0) | (frame["lon"] != 0)]


def _by_boot(base: pd.DataFrame, other: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """:func:`~.mavlink_common.asof` on the boot-time axis (every ULog topic has it, GPS or not)."""
    if base.empty:
        return base.assign(**{c: np.nan for c in columns})
    left = base.assign(_utc=base["time_utc"], time_utc=_boot_axis(base["time_boot_s"]))
    right = other.assign(time_utc=_boot_axis(other["time_boot_s"]))
    merged = asof(left, right[["time_utc", *columns]], columns)
    return merged.assign(time_utc=merged["_utc"]).drop(columns="_utc")


def _boot_axis(seconds: pd.Series) -> pd.Series:
    """Boot seconds as an artificial UTC axis (1970 + boot time), only to merge on."""
    ns = np.asarray(seconds, dtype=np.float64) * 1e9
    return pd.Series(pd.to_datetime(ns, utc=True), index=seconds.index)


def _status(ulog: Any, clock: _Clock, release: int | None) -> pd.DataFrame:
    found = _dataset(ulog, ("vehicle_status",))
    if found is None:
        return pd.DataFrame(
            {"time_utc": pd.Series([], dtype="datetime64[ns, UTC]"), "time_boot_s": []}
        )
    s = found[1]
    nav = np.asarray(s.get("nav_state", np.zeros(len(s["timestamp"]))), dtype=np.int64)
    return pd.DataFrame(
        {
            "time_utc": clock.utc(s["timestamp"]),
            "time_boot_s": _boot_s(s),
            "armed": np.asarray(s["arming_state"], dtype=np.int64) == _ARMED,
            "mode": pd.Series([nav_state_name(int(v), release) for v in nav], dtype="str"),
            "offset": pd.NA,
        }
    )


def _messages(ulog: Any, clock: _Clock) -> list[dict[str, Any]]:
    logged = list(ulog.logged_messages)
    for tagged in (ulog.logged_messages_tagged or {}).values():
        logged.extend(tagged)
    logged.sort(key=lambda m: m.timestamp)
    utc = clock.utc([m.timestamp for m in logged])
    rows = []
    for m, when in zip(logged, utc, strict=True):
        level = int(m.log_level) - ord("0")
        severity = level if 0 <= level <= 7 else None
        text = str(m.message)
        rows.append(
            {
                "time_utc": when,
                "time_boot_s": m.timestamp / 1e6,
                "kind": "failsafe" if "failsafe" in text.lower() else "statustext",
                "text": text,
                "severity": severity,
                "severity_label": m.log_level_str() if severity is not None else None,
                "offset": pd.NA,
            }
        )
    return rows


def _params(ulog: Any, clock: _Clock) -> pd.DataFrame:
    start = clock.utc([ulog.start_timestamp])[0]
    names = list(ulog.initial_parameters)
    rows = [
        {"time_utc": start, "name": k, "value": float(ulog.initial_parameters[k])} for k in names
    ]
    changed = list(ulog.changed_parameters)
    when = clock.utc([int(t) for t, _, _ in changed])
    rows += [
        {"time_utc": w, "name": str(n), "value": float(v)}
        for (_, n, v), w in zip(changed, when, strict=True)
    ]
    if not rows:
        return frame_of(PARAM_COLUMNS, {})
    frame = pd.DataFrame(rows)
    frame["time_utc"] = pd.Series(list(frame["time_utc"]), dtype="datetime64[ns, UTC]")
    return frame_of(PARAM_COLUMNS, frame)


def _param_events(ulog: Any, clock: _Clock) -> list[dict[str, Any]]:
    """Parameters changed during the log (after the initial values), as events."""
    last = {k: float(v) for k, v in ulog.initial_parameters.items()}
    rows = []
    for t, name, value in ulog.changed_parameters:
        before = last.get(name)
        last[name] = float(value)
        if before is not None and before == float(value):
            continue
        was = "unset" if before is None else f"{before:g}"
        rows.append(
            {
                "time_utc": clock.utc([int(t)])[0],
                "time_boot_s": int(t) / 1e6,
                "kind": "param_change",
                "text": f"{name}: {was} -> {float(value):g}",
                "value": f"{float(value):g}",
                "offset": pd.NA,
            }
        )
    return rows


def _home(ulog: Any, clock: _Clock) -> pd.DataFrame:
    found = _dataset(ulog, ("home_position",))
    if found is None:
        return frame_of(HOME_COLUMNS, {})
    h = found[1]
    n = len(h["timestamp"])
    return frame_of(
        HOME_COLUMNS,
        {
            "time_utc": clock.utc(h["timestamp"]),
            "lat": np.asarray(h["lat"], dtype=np.float64),
            "lon": np.asarray(h["lon"], dtype=np.float64),
            "alt_m": np.asarray(h.get("alt", np.full(n, np.nan)), dtype=np.float64),
            "source": pd.Series(["home_position"] * n, dtype="str"),
            "offset": pd.Series([pd.NA] * n, dtype="Int64"),
        },
    )


def _release_text(release: Any) -> str | None:
    """``ver_sw_release`` 0xMMmmppTT as ``v1.11.2`` (TT 255 = release, else a pre-release)."""
    if not isinstance(release, int) or release <= 0:
        return None
    major, minor, patch, kind = (
        (release >> 24) & 0xFF,
        (release >> 16) & 0xFF,
        (release >> 8) & 0xFF,
        release & 0xFF,
    )
    return f"v{major}.{minor}.{patch}" + ("" if kind in (0, 255) else f" (type {kind})")


def _vehicle(ulog: Any) -> pd.DataFrame:
    info = ulog.msg_info_dict
    name = "/".join(str(info[k]) for k in ("sys_name", "sys_os_name") if info.get(k))
    parts = [p for p in (name, _release_text(info.get("ver_sw_release"))) if p]
    details = [
        f"{label} {info[k]}"
        for k, label in (("ver_sw_branch", "branch"), ("ver_sw", "git"))
        if info.get(k)
    ]
    firmware = " ".join(parts) + (f" ({', '.join(details)})" if details else "")
    from pyulog.px4 import PX4ULog  # type: ignore[import-untyped]

    mav_type = ulog.initial_parameters.get("MAV_TYPE")
    # pyulog's own words for the MAV_TYPE parameter ("Quadrotor", "VTOL Standard", ...).
    label = PX4ULog(ulog).get_mav_type() if mav_type is not None else None
    status = _dataset(ulog, ("vehicle_status",))
    family = vehicle_family(int(mav_type)) if mav_type is not None else None
    if status is not None:
        s = status[1]
        kind = int(s["vehicle_type"][-1]) if "vehicle_type" in s else None
        if "is_vtol" in s and bool(s["is_vtol"][-1]):
            family = "vtol"
        elif kind in _VEHICLE_TYPE_MAV:
            family = vehicle_family(_VEHICLE_TYPE_MAV[kind])
        if label is None and kind in _VEHICLE_TYPE_MAV:
            label = enum_label("MAV_TYPE", _VEHICLE_TYPE_MAV[kind], "MAV_TYPE_")
    return frame_of(
        VEHICLE_COLUMNS,
        {
            "system_id": [_vehicle_system(ulog)],
            "vehicle_type": [label],
            "autopilot": ["PX4"],
            "firmware": [firmware or None],
            "board_uid": [str(info["sys_uuid"]) if info.get("sys_uuid") else None],
            "vehicle_family": [family],
            "hardware": [str(info["ver_hw"]) if info.get("ver_hw") else None],
        },
    )


def read_ulog(buf: bytes, path: str) -> FlightLog:
    """Read a PX4 ULog held in ``buf`` (``path`` is only used in messages)."""
    ulog, printed = _parse(buf, path)
    if not ulog.data_list and not ulog.logged_messages:
        cut = _truncated_at(buf)
        raise ParseError(
            path,
            cut,
            "no topic data and no logged message in the log (header and definitions only"
            + (", cut short)" if cut is not None else ")"),
        )
    notes: list[str] = []
    for line in printed:
        warnings.warn(f"{path}: pyulog: {line}", ForensicsWarning, stacklevel=3)
    cut = _truncated_at(buf) if not ulog.file_corruption else None
    if cut is not None:
        warnings.warn(
            f"{path}: the log ends inside a message at offset {cut}; returning what was "
            "readable before it",
            TruncatedInputWarning,
            stacklevel=3,
        )
    if ulog.file_corruption:
        notes.append("corrupt data in the log: pyulog skipped it to the next sync marker")
        warnings.warn(
            f"{path}: corrupt data in the log; pyulog skipped to the next sync marker",
            ForensicsWarning,
            stacklevel=3,
        )
    dropouts = list(ulog.dropouts)
    if dropouts:
        lost = sum(int(d.duration) for d in dropouts)
        text = (
            f"{len(dropouts)} logging dropout(s) ('O' messages): {lost} ms of data were not "
            "written by the logger"
        )
        notes.append(text)
        warnings.warn(f"{path}: {text}", ForensicsWarning, stacklevel=3)
    release = ulog.msg_info_dict.get("ver_sw_release")
    release = int(release) if isinstance(release, int) else None
    gps = _dataset(ulog, _GPS_TOPICS)
    clock = _Clock(gps[1] if gps else None)
    if clock.offset_us is None:
        notes.append(NO_GPS_TIME)
        warnings.warn(
            f"{path}: {NO_GPS_TIME}: times are boot-relative (time_boot_s, seconds since the "
            "autopilot booted) and time_utc is empty",
            ForensicsWarning,
            stacklevel=3,
        )
    if gps is not None:
        base = _gps_track(*gps)
        if base["time_utc"].isna().any():
            base["time_utc"] = clock.utc((base["time_boot_s"] * 1e6).round().astype(np.int64))
    else:
        glob = _dataset(ulog, ("vehicle_global_position",))
        base = (
            _global_track(glob[1], clock)
            if glob
            else pd.DataFrame(
                {"time_utc": pd.Series([], dtype="datetime64[ns, UTC]"), "time_boot_s": []}
            )
        )
    base = base.reset_index(drop=True)
    local = _dataset(ulog, ("vehicle_local_position",))
    if local is not None and "z" in local[1]:
        rel = pd.DataFrame(
            {"time_boot_s": _boot_s(local[1]), "alt_rel_m": -np.asarray(local[1]["z"], float)}
        )
        base = _by_boot(base, rel, ["alt_rel_m"])
    battery = _dataset(ulog, ("battery_status",))
    if battery is not None:
        b = battery[1]
        remaining = np.asarray(b.get("remaining", np.full(len(b["timestamp"]), np.nan)), float)
        bat = pd.DataFrame(
            {
                "time_boot_s": _boot_s(b),
                "voltage_v": np.asarray(b["voltage_v"], dtype=float),
                "battery_pct": np.where(remaining < 0, np.nan, remaining * 100.0),
            }
        )
        base = _by_boot(base, bat, ["voltage_v", "battery_pct"])
    status = _status(ulog, clock, release)
    if len(status):
        base = _by_boot(base, status, ["mode", "armed"])
    track = frame_of((*TRACK_COLUMNS, BAD_FRAME_COLUMNS[0]), base)
    rows: list[dict[str, Any]] = []
    if len(status):
        arms = arm_events(status)
        boot = dict(zip(status.index, status["time_boot_s"], strict=True))
        changes = status[status["armed"].ne(status["armed"].shift())]
        for row, k in zip(arms, changes.index[len(changes) - len(arms) :], strict=True):
            rows.append({**row, "time_boot_s": boot[k], "offset": pd.NA})
        for _, r in status[status["mode"].ne(status["mode"].shift())].iterrows():
            rows.append(
                {
                    "time_utc": r["time_utc"],
                    "time_boot_s": r["time_boot_s"],
                    "kind": "mode",
                    "text": f"flight mode {r['mode']}",
                    "value": r["mode"],
                    "offset": pd.NA,
                }
            )
    rows += _messages(ulog, clock)
    rows += _param_events(ulog, clock)
    events = events_frame(rows, track)
    if events["time_utc"].isna().all() and len(events):
        events = events.sort_values("time_boot_s", kind="stable").reset_index(drop=True)
    counts: dict[str, int] = {}
    for d in ulog.data_list:
        key = d.name if d.multi_id == 0 else f"{d.name}[{d.multi_id}]"
        counts[key] = len(d.data["timestamp"])
    return FlightLog(
        path=path,
        format="px4_ulog",
        track=track,
        events=events,
        home=_home(ulog, clock),
        vehicle=_vehicle(ulog),
        mission=frame_of(MISSION_COLUMNS, {}),
        params=_params(ulog, clock),
        pilot_positions=frame_of(PILOT_COLUMNS, {}),
        bad_frames=frame_of(BAD_FRAME_COLUMNS, {}),
        message_counts=counts,
        system_id=_vehicle_system(ulog),
        notes=tuple(notes),
        truncated=cut is not None,
    )


def _vehicle_system(ulog: Any) -> int | None:
    status = _dataset(ulog, ("vehicle_status",))
    if status is None or "system_id" not in status[1]:
        return None
    return int(status[1]["system_id"][-1])


@artifact(ULOG_INFO)
def ulog_info(source: Source) -> pd.DataFrame:
    """One row per info value and initial parameter of a PX4 ULog (``row_id``: their order)."""
    with open_binary(source) as fh:
        buf = fh.read()
    path = display_path(source)
    if buf[: len(ULOG_MAGIC)] != ULOG_MAGIC:
        raise ParseError(path, 0, f"not a PX4 ULog (first bytes {buf[:8].hex(' ')})")
    ulog, printed = _parse(buf, path)
    for line in printed:
        warnings.warn(f"{path}: pyulog: {line}", ForensicsWarning, stacklevel=2)
    types = getattr(ulog, "_msg_info_dict_types", {})  # pyulog: the declared type of each
    rows = [
        {"kind": "info", "key": k, "value": str(v), "type": str(types.get(k, ""))}
        for k, v in ulog.msg_info_dict.items()
    ]
    rows += [
        {
            "kind": "parameter",
            "key": k,
            "value": f"{v:g}" if isinstance(v, float) else str(v),
            "type": "float" if isinstance(v, float) else "int32_t",
        }
        for k, v in ulog.initial_parameters.items()
    ]
    frame = pd.DataFrame(rows, columns=["kind", "key", "value", "type"])
    frame["artifact"] = ULOG_INFO.id
    frame["source_path"] = source_path(source)
    frame["row_id"] = np.arange(len(frame), dtype=np.int64)
    return conform(frame, ULOG_INFO)
