"""The flight-log data model shared by every drone reader: :class:`FlightLog` and its columns.

Each reader (MAVLink tlog, ArduPilot DataFlash, DJI flight record) fills the same seven
DataFrames, so the analysis, exports, plots and CLI never care which aircraft wrote the log.
Times are ``datetime64[ns, UTC]``; positions are WGS84 decimal degrees; every row keeps the
byte ``offset`` of the record it came from in the source file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

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

__all__ = [
    "BAD_FRAME_COLUMNS",
    "EVENTS",
    "EVENT_COLUMNS",
    "HOME_COLUMNS",
    "MISSION_COLUMNS",
    "NO_GPS_TIME",
    "PARAM_COLUMNS",
    "PILOT_COLUMNS",
    "RELEASE_COMMANDS",
    "SERVO_STEP_COLUMNS",
    "TRACK",
    "TRACK_COLUMNS",
    "UNKNOWN_VEHICLE",
    "VEHICLE_COLUMNS",
    "FlightLog",
    "arm_events",
    "frame_of",
    "vehicle_family",
]

# MAV_CMD numbers that drop, release or actuate a payload (common.xml / ardupilotmega.xml).
RELEASE_COMMANDS: dict[int, str] = {
    94: "NAV_PAYLOAD_PLACE",
    181: "DO_SET_RELAY",
    182: "DO_REPEAT_RELAY",
    183: "DO_SET_SERVO",
    184: "DO_REPEAT_SERVO",
    211: "DO_GRIPPER",
    42600: "DO_WINCH",
}

TRACK_COLUMNS: tuple[Column, ...] = (
    Column("time_utc", TIME, "time of the position fix (UTC)"),
    Column("lat", FLOAT, "latitude, decimal degrees WGS84"),
    Column("lon", FLOAT, "longitude, decimal degrees WGS84"),
    Column("alt_amsl_m", FLOAT, "altitude above mean sea level, metres"),
    Column("alt_rel_m", FLOAT, "altitude above home / take-off point, metres"),
    Column("ground_speed_ms", FLOAT, "horizontal speed over ground, m/s"),
    Column("climb_ms", FLOAT, "vertical speed, m/s, positive up"),
    Column("heading_deg", FLOAT, "heading or course over ground, degrees from true north"),
    Column("sats", INT, "satellites used or visible"),
    Column("fix_type", INT, "GNSS fix type (0-1 none, 2 2D, 3 3D, 4+ DGPS/RTK)"),
    Column("battery_pct", FLOAT, "battery remaining, percent"),
    Column("voltage_v", FLOAT, "battery voltage, volts"),
    Column("mode", STR, "flight mode in force"),
    Column("armed", BOOL, "motors armed"),
    Column(
        "time_boot_s",
        FLOAT,
        "seconds since the autopilot booted (DataFlash TimeUS, ULog timestamp, tlog "
        "time_boot_ms), where the log has it: the only time of a log without GPS time",
    ),
)

EVENT_COLUMNS: tuple[Column, ...] = (
    Column("time_utc", TIME, "when (UTC)"),
    Column(
        "kind",
        STR,
        "armed, disarmed, mode, takeoff, landing, statustext, failsafe, "
        "mission_item_reached, release_command, release_ack, release_event, servo "
        "(a steady servo output stepping: value ch<N> <from>-><to>), param_change, ...",
    ),
    Column("text", STR, "what happened, in words"),
    Column("severity", INT, "MAVLink MAV_SEVERITY (0 emergency .. 7 debug) where given"),
    Column("severity_label", STR, "severity name"),
    Column("value", STR, "the raw value (mode name, mission seq, servo/PWM, parameter value)"),
    Column("lat", FLOAT, "aircraft latitude at the time, where known"),
    Column("lon", FLOAT, "aircraft longitude at the time, where known"),
    Column("time_boot_s", FLOAT, "seconds since the autopilot booted, where the log has it"),
)

HOME_COLUMNS: tuple[Column, ...] = (
    Column("time_utc", TIME, "when the home point was reported (UTC)"),
    Column("lat", FLOAT, "latitude"),
    Column("lon", FLOAT, "longitude"),
    Column("alt_m", FLOAT, "altitude AMSL, metres"),
    Column("source", STR, "which record reported it (HOME_POSITION, ORGN, CMD 0, DJI HOME...)"),
    Column("offset", INT, "byte offset of the record"),
)

VEHICLE_COLUMNS: tuple[Column, ...] = (
    Column("system_id", INT, "MAVLink system id (DJI: none)"),
    Column("vehicle_type", STR, "multirotor, fixed wing, VTOL, DJI model..."),
    Column("autopilot", STR, "autopilot / flight-controller family"),
    Column("firmware", STR, "firmware version text"),
    Column("board_uid", STR, "flight-controller board unique id"),
    Column("aircraft_name", STR, "aircraft name set by the owner (DJI)"),
    Column("aircraft_serial", STR, "aircraft serial number (DJI)"),
    Column("camera_serial", STR, "camera serial number (DJI)"),
    Column("rc_serial", STR, "remote-controller serial number (DJI)"),
    Column("battery_serial", STR, "battery serial number (DJI)"),
    Column("app", STR, "recording application and version (DJI GO / Fly)"),
    Column(
        "vehicle_family",
        STR,
        "copter, plane, vtol, rover, boat, sub, tracker, blimp (the flight-mode table used), "
        "or empty when unknown",
    ),
    Column("hardware", STR, "flight-controller board (ULog ver_hw, DataFlash boot line)"),
)

MISSION_COLUMNS: tuple[Column, ...] = (
    Column("seq", INT, "waypoint index"),
    Column("command", INT, "MAV_CMD number"),
    Column("command_label", STR, "MAV_CMD name"),
    Column("lat", FLOAT, "latitude (NaN when the command has no position)"),
    Column("lon", FLOAT, "longitude"),
    Column("alt_m", FLOAT, "altitude, metres, in the item's frame"),
    Column("frame", INT, "MAV_FRAME of the altitude"),
    Column("param1", FLOAT, "command parameter 1"),
    Column("param2", FLOAT, "command parameter 2"),
    Column("param3", FLOAT, "command parameter 3"),
    Column("param4", FLOAT, "command parameter 4"),
    Column("offset", INT, "byte offset of the record"),
)

PARAM_COLUMNS: tuple[Column, ...] = (
    Column("time_utc", TIME, "when the value was reported (UTC)"),
    Column("name", STR, "parameter name"),
    Column("value", FLOAT, "parameter value"),
    Column("offset", INT, "byte offset of the record"),
)

PILOT_COLUMNS: tuple[Column, ...] = (
    Column("time_utc", TIME, "when (UTC)"),
    Column("lat", FLOAT, "latitude"),
    Column("lon", FLOAT, "longitude"),
    Column("alt_m", FLOAT, "altitude, metres (NaN when unknown)"),
    Column("source", STR, "ground station GLOBAL_POSITION_INT, RC_GPS, APP_GPS..."),
    Column("offset", INT, "byte offset of the record"),
)

SERVO_STEP_COLUMNS: tuple[Column, ...] = (
    Column("time_utc", TIME, "first servo-output sample showing the new value (UTC)"),
    Column("before_utc", TIME, "last sample still showing the old value: the step is between"),
    Column("channel", INT, "servo output channel (1 = SERVO1 / MAIN OUT 1)"),
    Column("from_pwm", INT, "PWM held before, microseconds"),
    Column("to_pwm", INT, "PWM held after, microseconds"),
    Column("message", STR, "record type read (SERVO_OUTPUT_RAW, RCOU, ...)"),
    Column("offset", INT, "byte offset of the record showing the new value"),
    Column("function", INT, "SERVOn_FUNCTION parameter of the channel, where the log has it"),
    Column("function_label", STR, "what that function drives (gripper, motor 1, ...)"),
    Column("release_capable", BOOL, "False when the function flies the aircraft or a camera"),
)

BAD_FRAME_COLUMNS: tuple[Column, ...] = (
    Column("offset", INT, "byte offset where unreadable bytes start"),
    Column("length", INT, "number of bytes skipped"),
    Column("reason", STR, "why they could not be read"),
)

_REFS = (
    "MAVLink common.xml / ardupilotmega.xml as packed by pymavlink 2.4.50",
    "ArduPilot DataFlash log format (AP_Logger LogStructure.h; pymavlink DFReader.py)",
    "DJI flight records: lvauvillier/dji-log-parser layout/*.rs, record/*.rs, decoder.rs",
    "PX4 ULog: PX4 docs 'ULog File Format'; read with pyulog 1.3.0 (PX4/pyulog core.py)",
)

TRACK = ArtifactSpec(
    id="drone.track",
    family="drone",
    description="Drone flight track (MAVLink tlog, ArduPilot DataFlash .bin, PX4 .ulg, DJI .txt)",
    columns=TRACK_COLUMNS,
    locator="offset",
    # DJI GO/Fly name their records DJIFlightRecord_<date>_[<time>].txt
    globs=(
        "**/*.tlog",
        "**/*.TLOG",
        "**/*.bin",
        "**/*.BIN",
        "**/DJIFlightRecord*.txt",
        "**/*.ulg",
        "**/*.ULG",
    ),
    magic=((0, b"\xa3\x95\x80"), (8, b"\xfe"), (8, b"\xfd"), (0, b"ULog\x01\x12\x35")),
    timeline=(),  # one row per fix would flood a timeline; events carry the story
    references=_REFS,
)

EVENTS = ArtifactSpec(
    id="drone.events",
    family="drone",
    description="Drone flight events: arm/disarm, modes, take-off/landing, messages, releases",
    columns=EVENT_COLUMNS,
    locator="offset",
    globs=TRACK.globs,
    magic=TRACK.magic,
    timeline=(TimelineRule("time_utc", "drone {kind}", "{text}", lat="lat", lon="lon"),),
    references=_REFS,
)


def _missing(dtype: str, n: int) -> pd.Series:
    if dtype == TIME:
        return pd.Series(pd.NaT, index=pd.RangeIndex(n), dtype=TIME)
    if dtype == FLOAT:
        return pd.Series(float("nan"), index=pd.RangeIndex(n), dtype=FLOAT)
    return pd.Series([pd.NA] * n, index=pd.RangeIndex(n), dtype=object)


def frame_of(
    columns: tuple[Column, ...], data: Mapping[str, object] | pd.DataFrame
) -> pd.DataFrame:
    """A frame with exactly ``columns`` in their dtypes; absent ones are filled with NA."""
    if isinstance(data, pd.DataFrame):
        frame = data
    else:
        frame = pd.DataFrame(
            {
                k: v.reset_index(drop=True) if isinstance(v, pd.Series) else v
                for k, v in data.items()
            }
        )
    n = len(frame)
    frame = frame.reset_index(drop=True)
    out = {
        c.name: frame[c.name] if c.name in frame.columns else _missing(c.dtype, n) for c in columns
    }
    return conform(pd.DataFrame(out, index=pd.RangeIndex(n)), columns)


@dataclass
class FlightLog:
    """Everything one flight log says, as DataFrames and facts.

    ``track``, ``events``, ``home``, ``vehicle``, ``mission``, ``params`` and
    ``pilot_positions`` follow the ``*_COLUMNS`` of this module. ``servo_steps`` lists the
    steps of steady servo outputs (a gripper or drop servo moving once; see
    :mod:`forensics_lib.drone.servo`). ``bad_frames`` lists the
    unreadable byte ranges (offset, length, reason); ``message_counts`` counts every message
    or record type read; ``notes`` says what could not be read and why (e.g. an encrypted
    DJI track).
    """

    path: str
    format: str
    track: pd.DataFrame
    events: pd.DataFrame
    home: pd.DataFrame
    vehicle: pd.DataFrame
    mission: pd.DataFrame
    params: pd.DataFrame
    pilot_positions: pd.DataFrame
    bad_frames: pd.DataFrame
    message_counts: dict[str, int] = field(default_factory=dict)
    system_id: int | None = None
    systems: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()
    truncated: bool = False
    servo_steps: pd.DataFrame = field(default_factory=lambda: frame_of(SERVO_STEP_COLUMNS, {}))

    @property
    def bad_frame_count(self) -> int:
        return len(self.bad_frames)


# Summary notes a reader adds to FlightLog.notes (the exact words, so callers can test them).
NO_GPS_TIME = "absolute time unknown (no GPS time in the log)"
UNKNOWN_VEHICLE = (
    "vehicle type unknown (no firmware banner, VER record or HEARTBEAT type with a mode "
    "table): flight modes are shown as their numbers, Mode(N)"
)

# MAV_TYPE -> the family whose flight-mode table applies (pymavlink mavutil
# AP_MAV_TYPE_MODE_MAP_DEFAULT: acm = copter, apm = plane, rover, tracker, sub, blimp).
_FAMILY_BY_TABLE = {
    "mode_mapping_acm": "copter",
    "mode_mapping_apm": "plane",
    "mode_mapping_rover": "rover",
    "mode_mapping_tracker": "tracker",
    "mode_mapping_sub": "sub",
    "mode_mapping_blimp": "blimp",
}
_SURFACE_BOAT = 11


def vehicle_family(mav_type: int | None) -> str | None:
    """``copter``, ``plane``, ``rover``, ``boat``, ``sub``, ``tracker``, ``blimp`` or None:
    which of pymavlink's mode tables a MAV_TYPE uses (boats use the rover table)."""
    if mav_type is None:
        return None
    if mav_type == _SURFACE_BOAT:
        return "boat"
    from pymavlink import mavutil

    table = mavutil.mode_mapping_bynumber(mav_type)
    for name, family in _FAMILY_BY_TABLE.items():
        if table is not None and table is getattr(mavutil, name, None):
            return family
    return None


def arm_events(states: pd.DataFrame, *, first_is_act: bool = False) -> list[dict[str, Any]]:
    """Armed/disarmed events from successive armed states (``time_utc``, ``armed``,
    ``offset``, in log order): one per change. Where the states repeat (a tlog's HEARTBEAT,
    PX4's vehicle_status) a log that starts disarmed is a state, not an act, so no event for
    it; ``first_is_act`` where each record is itself an act (ArduPilot's DataFlash ARM/EV
    records are written only when it arms or disarms), so even a first disarm is an event
    (the log began armed). Shared by the tlog, DataFlash and ULog readers."""
    if states.empty:
        return []
    changes = states[states["armed"].ne(states["armed"].shift())]
    if not first_is_act and len(changes) and not changes["armed"].iloc[0]:
        changes = changes.iloc[1:]
    return [
        {
            "time_utc": r["time_utc"],
            "kind": "armed" if r["armed"] else "disarmed",
            "text": "motors armed" if r["armed"] else "motors disarmed",
            "value": str(bool(r["armed"])),
            "offset": r["offset"],
        }
        for _, r in changes.iterrows()
    ]
