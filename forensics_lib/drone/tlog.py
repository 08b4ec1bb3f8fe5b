"""MAVLink telemetry logs (``.tlog``, written by Mission Planner, QGroundControl, MAVProxy).

The frames are found and CRC-checked by :mod:`forensics_lib.drone.mavlink_frames`; only the
message types a :class:`~forensics_lib.drone.model.FlightLog` needs are decoded. Field meanings
and units are those of MAVLink ``common.xml`` (https://mavlink.io/en/messages/common.html):

* GLOBAL_POSITION_INT: lat/lon degE7, alt and relative_alt mm, vx/vy/vz cm/s (NED, so climb
  is ``-vz``), hdg cdeg with UINT16_MAX = unknown.
* GPS_RAW_INT: fix_type (GPS_FIX_TYPE), satellites_visible (255 = unknown).
* SYS_STATUS: voltage_battery mV (UINT16_MAX = unknown), battery_remaining % (-1 = unknown).
* HEARTBEAT: type (MAV_TYPE, 6 = GCS), autopilot (MAV_AUTOPILOT, 8 = INVALID: not a flight
  controller), base_mode bit 128 = MAV_MODE_FLAG_SAFETY_ARMED, custom_mode = flight mode.
* HOME_POSITION: latitude/longitude degE7, altitude mm AMSL.
* STATUSTEXT: severity (MAV_SEVERITY), text char[50].
* SERVO_OUTPUT_RAW: port (0 = MAIN; 8 outputs per port), servo1_raw..servo8_raw us, and
  servo9_raw..servo16_raw as MAVLink 2 extensions; read into ``servo_steps`` by
  :mod:`forensics_lib.drone.servo` (channel = 8 x port + n).
* MISSION_ITEM_REACHED of an item whose command is in :data:`RELEASE_COMMANDS` names that
  command in its text, so a release item reached in AUTO is visible as such.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pymavlink import mavutil
from pymavlink.dialects.v20 import ardupilotmega as dialect

from forensics_lib.core import times
from forensics_lib.core.errors import ForensicsWarning, TruncatedInputWarning
from forensics_lib.drone import mavlink_frames as mf
from forensics_lib.drone import servo
from forensics_lib.drone.mavlink_common import (
    asof,
    enum_label,
    event_row,
    events_frame,
    mode_rows,
    param_changes,
    text_kind,
)
from forensics_lib.drone.model import (
    BAD_FRAME_COLUMNS,
    HOME_COLUMNS,
    MISSION_COLUMNS,
    PARAM_COLUMNS,
    PILOT_COLUMNS,
    RELEASE_COMMANDS,
    SERVO_STEP_COLUMNS,
    TRACK_COLUMNS,
    UNKNOWN_VEHICLE,
    VEHICLE_COLUMNS,
    FlightLog,
    arm_events,
    frame_of,
    vehicle_family,
)

__all__ = ["GCS_TYPE", "RELEASE_COMMANDS", "mode_name", "read_tlog", "vehicle_systems"]

GCS_TYPE = 6  # MAV_TYPE_GCS
_AUTOPILOT_INVALID = 8  # MAV_AUTOPILOT_INVALID: a component that is not a flight controller
_ARMED = 128  # MAV_MODE_FLAG_SAFETY_ARMED
_CUSTOM_MODE = 1  # MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
_AUTOPILOT_PX4 = 12
_STATE_CRITICAL = (5, 6)  # MAV_STATE_CRITICAL, MAV_STATE_EMERGENCY

_ID = {
    name: mf.message_id(name)
    for name in (
        "HEARTBEAT",
        "GLOBAL_POSITION_INT",
        "GPS_RAW_INT",
        "SYS_STATUS",
        "HOME_POSITION",
        "STATUSTEXT",
        "MISSION_ITEM",
        "MISSION_ITEM_INT",
        "MISSION_ITEM_REACHED",
        "PARAM_VALUE",
        "PARAM_SET",
        "COMMAND_LONG",
        "COMMAND_INT",
        "COMMAND_ACK",
        "AUTOPILOT_VERSION",
        "FOLLOW_TARGET",
        "BATTERY_STATUS",
        "SERVO_OUTPUT_RAW",
    )
}


def mode_name(vehicle_type: int, autopilot: int, base_mode: int, custom_mode: int) -> str:
    """The flight-mode name, as pymavlink's ``mode_string_v10`` derives it from a HEARTBEAT."""
    if autopilot == _AUTOPILOT_PX4:
        return str(mavutil.interpret_px4_mode(base_mode, custom_mode))
    if not base_mode & _CUSTOM_MODE:
        return f"Mode(0x{base_mode:08x})"
    mapping = mavutil.mode_mapping_bynumber(vehicle_type) or {}
    return str(mapping.get(custom_mode, f"Mode({custom_mode})"))


def _utc(time_us: npt.NDArray[np.int64]) -> pd.Series:
    return times.from_unix_us(time_us)


def vehicle_systems(frames: mf.Frames) -> dict[int, int]:
    """Vehicle system ids (not ground stations, not non-autopilot components) -> position count."""
    idx = mf.select(frames, _ID["HEARTBEAT"])
    hb = mf.decode(frames, idx, _ID["HEARTBEAT"])
    is_vehicle = (hb["type"] != GCS_TYPE) & (hb["autopilot"] != _AUTOPILOT_INVALID)
    systems = sorted(set(frames.sysid[idx][is_vehicle].tolist()))
    pos = frames.sysid[frames.msgid == _ID["GLOBAL_POSITION_INT"]]
    return {s: int((pos == s).sum()) for s in systems}


def _ground_systems(frames: mf.Frames) -> set[int]:
    idx = mf.select(frames, _ID["HEARTBEAT"])
    hb = mf.decode(frames, idx, _ID["HEARTBEAT"])
    return set(frames.sysid[idx][hb["type"] == GCS_TYPE].tolist())


def _choose_system(
    frames: mf.Frames, system_id: int | None, path: str
) -> tuple[int | None, tuple[int, ...]]:
    found = vehicle_systems(frames)
    systems = tuple(found)
    if system_id is not None:
        if system_id not in found:
            warnings.warn(
                f"{path}: system {system_id} sent no vehicle HEARTBEAT (vehicles: "
                f"{list(systems) or 'none'}); reading its messages anyway",
                ForensicsWarning,
                stacklevel=3,
            )
        return system_id, systems
    if not found:
        # No heartbeat at all (a cut log): the system that sent the most positions.
        pos = frames.sysid[frames.msgid == _ID["GLOBAL_POSITION_INT"]]
        if not len(pos):
            return None, systems
        values, counts = np.unique(pos, return_counts=True)
        return int(values[np.argmax(counts)]), systems
    chosen = max(found, key=lambda s: (found[s], -s))
    if len(found) > 1:
        warnings.warn(
            f"{path}: {len(found)} vehicles in one log (systems {list(systems)}); reading system "
            f"{chosen}, which sent the most positions. Choose with system_id=.",
            ForensicsWarning,
            stacklevel=3,
        )
    return chosen, systems


def _heartbeats(frames: mf.Frames, sysid: int | None) -> pd.DataFrame:
    idx = mf.select(frames, _ID["HEARTBEAT"], sysid)
    hb = mf.decode(frames, idx, _ID["HEARTBEAT"])
    keep = (hb["type"] != GCS_TYPE) & (hb["autopilot"] != _AUTOPILOT_INVALID)
    idx, hb = idx[keep], hb[keep]
    modes = [
        mode_name(int(t), int(a), int(b), int(c))
        for t, a, b, c in zip(
            hb["type"], hb["autopilot"], hb["base_mode"], hb["custom_mode"], strict=True
        )
    ]
    return pd.DataFrame(
        {
            "time_utc": _utc(frames.time_us[idx]),
            "offset": frames.offset[idx],
            "type": hb["type"].astype(np.int64),
            "autopilot": hb["autopilot"].astype(np.int64),
            "armed": (hb["base_mode"] & _ARMED) != 0,
            "custom_mode": hb["custom_mode"].astype(np.int64),
            "mode": pd.Series(modes, dtype="str"),
            "system_status": hb["system_status"].astype(np.int64),
        }
    )


def _track(frames: mf.Frames, sysid: int | None, hb: pd.DataFrame) -> pd.DataFrame:
    gpi_id = _ID["GLOBAL_POSITION_INT"]
    idx = mf.select(frames, gpi_id, sysid)
    if len(idx):
        g = mf.decode(frames, idx, gpi_id)
        hdg = g["hdg"].astype(np.float64)
        base = pd.DataFrame(
            {
                "time_utc": _utc(frames.time_us[idx]),
                "lat": g["lat"] / 1e7,
                "lon": g["lon"] / 1e7,
                "alt_amsl_m": g["alt"] / 1000.0,
                "alt_rel_m": g["relative_alt"] / 1000.0,
                "ground_speed_ms": np.hypot(g["vx"].astype(float), g["vy"].astype(float)) / 100.0,
                "climb_ms": -g["vz"].astype(np.float64) / 100.0,
                "heading_deg": np.where(hdg == 65535, np.nan, hdg / 100.0),
                "offset": frames.offset[idx],
            }
        )
        base = base[(g["lat"] != 0) | (g["lon"] != 0)].reset_index(drop=True)
    else:
        base = _gps_raw_track(frames, sysid)
    gps = _gps_raw(frames, sysid)
    base = asof(base, gps, ["sats", "fix_type"])
    base = asof(base, _battery(frames, sysid), ["battery_pct", "voltage_v"])
    base = asof(base, hb, ["mode", "armed"])
    return frame_of((*TRACK_COLUMNS, BAD_FRAME_COLUMNS[0]), base)


def _gps_raw(frames: mf.Frames, sysid: int | None) -> pd.DataFrame:
    idx = mf.select(frames, _ID["GPS_RAW_INT"], sysid)
    g = mf.decode(frames, idx, _ID["GPS_RAW_INT"])
    sats = pd.array(g["satellites_visible"].astype(np.int64), dtype="Int64")
    sats[g["satellites_visible"] == 255] = pd.NA
    return pd.DataFrame(
        {
            "time_utc": _utc(frames.time_us[idx]),
            "sats": sats,
            "fix_type": pd.array(g["fix_type"].astype(np.int64), dtype="Int64"),
            "lat": g["lat"] / 1e7,
            "lon": g["lon"] / 1e7,
            "alt": g["alt"] / 1000.0,
            "vel": g["vel"].astype(np.float64),
            "cog": g["cog"].astype(np.float64),
            "offset": frames.offset[idx],
        }
    )


def _gps_raw_track(frames: mf.Frames, sysid: int | None) -> pd.DataFrame:
    """Fallback when a log has no GLOBAL_POSITION_INT: GPS_RAW_INT fixes (2D or better)."""
    g = _gps_raw(frames, sysid)
    g = g[(g["fix_type"].fillna(0) >= 2) & ((g["lat"] != 0) | (g["lon"] != 0))]
    return pd.DataFrame(
        {
            "time_utc": g["time_utc"],
            "lat": g["lat"],
            "lon": g["lon"],
            "alt_amsl_m": g["alt"],
            "alt_rel_m": np.nan,
            "ground_speed_ms": np.where(g["vel"] == 65535, np.nan, g["vel"] / 100.0),
            "climb_ms": np.nan,
            "heading_deg": np.where(g["cog"] == 65535, np.nan, g["cog"] / 100.0),
            "offset": g["offset"],
        }
    ).reset_index(drop=True)


def _battery(frames: mf.Frames, sysid: int | None) -> pd.DataFrame:
    idx = mf.select(frames, _ID["SYS_STATUS"], sysid)
    s = mf.decode(frames, idx, _ID["SYS_STATUS"])
    volts = s["voltage_battery"].astype(np.float64)
    pct = s["battery_remaining"].astype(np.float64)
    return pd.DataFrame(
        {
            "time_utc": _utc(frames.time_us[idx]),
            "voltage_v": np.where(volts == 65535, np.nan, volts / 1000.0),
            "battery_pct": np.where(pct < 0, np.nan, pct),
        }
    )


def _transitions(hb: pd.DataFrame, column: str) -> pd.DataFrame:
    changed = hb[column].ne(hb[column].shift())
    return hb[changed]


def _events(
    frames: mf.Frames, sysid: int | None, hb: pd.DataFrame, mission: pd.DataFrame
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = arm_events(hb)
    release_items = {
        int(seq): RELEASE_COMMANDS[int(cmd)]
        for seq, cmd in zip(mission["seq"], mission["command"], strict=True)
        if int(cmd) in RELEASE_COMMANDS
    }
    rows.extend(mode_rows(_transitions(hb, "mode")))
    critical = hb["system_status"].isin(_STATE_CRITICAL)
    for _, r in hb[critical & ~critical.shift(fill_value=False)].iterrows():
        label = enum_label("MAV_STATE", int(r["system_status"]), "MAV_STATE_")
        text = f"system state {label}"
        rows.append(event_row(r["time_utc"], "failsafe", text, r["offset"], label))

    idx = mf.select(frames, _ID["STATUSTEXT"], sysid)
    st = mf.decode(frames, idx, _ID["STATUSTEXT"])
    for i, sev, txt in zip(idx, st["severity"], mf.text(st["text"]), strict=True):
        rows.append(
            event_row(
                frames.time_us[i],
                text_kind(txt),
                txt,
                frames.offset[i],
                severity=int(sev),
                severity_label=enum_label("MAV_SEVERITY", int(sev), "MAV_SEVERITY_"),
            )
        )

    idx = mf.select(frames, _ID["MISSION_ITEM_REACHED"], sysid)
    mr = mf.decode(frames, idx, _ID["MISSION_ITEM_REACHED"])
    for i, seq in zip(idx, mr["seq"], strict=True):
        what = f" ({release_items[int(seq)]})" if int(seq) in release_items else ""
        rows.append(
            event_row(
                frames.time_us[i],
                "mission_item_reached",
                f"mission item {int(seq)}{what} reached",
                frames.offset[i],
                str(int(seq)),
            )
        )

    for name in ("COMMAND_LONG", "COMMAND_INT"):
        idx = mf.select(frames, _ID[name])
        cmd = mf.decode(frames, idx, _ID[name])
        for i, c in zip(idx, cmd, strict=True):
            number = int(c["command"])
            if number not in RELEASE_COMMANDS:
                continue
            params = ", ".join(f"{float(c[f'param{k}']):g}" for k in range(1, 5))
            rows.append(
                event_row(
                    frames.time_us[i],
                    "release_command",
                    f"{name} {RELEASE_COMMANDS[number]}({params}) from system "
                    f"{int(frames.sysid[i])}",
                    frames.offset[i],
                    RELEASE_COMMANDS[number],
                )
            )
    idx = mf.select(frames, _ID["COMMAND_ACK"], sysid)
    ack = mf.decode(frames, idx, _ID["COMMAND_ACK"])
    for i, c in zip(idx, ack, strict=True):
        number = int(c["command"])
        if number in RELEASE_COMMANDS:
            result = enum_label("MAV_RESULT", int(c["result"]), "MAV_RESULT_")
            rows.append(
                event_row(
                    frames.time_us[i],
                    "release_ack",
                    f"{RELEASE_COMMANDS[number]} acknowledged: {result}",
                    frames.offset[i],
                    result,
                )
            )

    idx = mf.select(frames, _ID["PARAM_SET"])
    ps = mf.decode(frames, idx, _ID["PARAM_SET"])
    for i, name, value in zip(idx, mf.text(ps["param_id"]), ps["param_value"], strict=True):
        rows.append(
            event_row(
                frames.time_us[i],
                "param_set",
                f"set {name} = {float(value):g} requested by system {int(frames.sysid[i])}",
                frames.offset[i],
                f"{float(value):g}",
            )
        )
    return rows


def _servo_steps(frames: mf.Frames, sysid: int | None, params: pd.DataFrame) -> pd.DataFrame:
    msgid = _ID["SERVO_OUTPUT_RAW"]
    idx = mf.select(frames, msgid, sysid)
    raw = mf.decode(frames, idx, msgid)
    functions = servo.servo_functions(params)
    names = [n for n in raw.dtype.names or () if n.startswith("servo") and n.endswith("_raw")]
    found = []
    for port in np.unique(raw["port"]):
        at = raw["port"] == port
        steps = servo.servo_steps(
            _utc(frames.time_us[idx][at]),
            frames.offset[idx][at],
            {8 * int(port) + int(n[5:-4]): raw[n][at] for n in names},
            "SERVO_OUTPUT_RAW",
            functions if port == 0 else {},  # SERVOn_FUNCTION numbers the MAIN outputs
        )
        if len(steps):
            found.append(steps)
    if not found:
        return frame_of(SERVO_STEP_COLUMNS, {})
    merged = pd.concat(found, ignore_index=True).sort_values("time_utc", kind="stable")
    return frame_of(SERVO_STEP_COLUMNS, merged)


def _params(frames: mf.Frames, sysid: int | None) -> pd.DataFrame:
    idx = mf.select(frames, _ID["PARAM_VALUE"], sysid)
    pv = mf.decode(frames, idx, _ID["PARAM_VALUE"])
    return pd.DataFrame(
        {
            "time_utc": _utc(frames.time_us[idx]),
            "name": pd.Series(mf.text(pv["param_id"]), dtype="str"),
            "value": pv["param_value"].astype(np.float64),
            "offset": frames.offset[idx],
        }
    )


def _mission(frames: mf.Frames) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for name, scale in (("MISSION_ITEM", 1.0), ("MISSION_ITEM_INT", 1e-7)):
        idx = mf.select(frames, _ID[name])
        items = mf.decode(frames, idx, _ID[name])
        for i, it in zip(idx, items, strict=True):
            lat, lon = float(it["x"]) * scale, float(it["y"]) * scale
            command = int(it["command"])
            rows.append(
                {
                    "seq": int(it["seq"]),
                    "command": command,
                    "command_label": enum_label("MAV_CMD", command, "MAV_CMD_"),
                    "lat": lat if (lat, lon) != (0.0, 0.0) else np.nan,
                    "lon": lon if (lat, lon) != (0.0, 0.0) else np.nan,
                    "alt_m": float(it["z"]),
                    "frame": int(it["frame"]),
                    **{f"param{k}": float(it[f"param{k}"]) for k in range(1, 5)},
                    "offset": int(frames.offset[i]),
                }
            )
    if not rows:
        return frame_of(MISSION_COLUMNS, {})
    frame = pd.DataFrame(rows).sort_values("offset", kind="stable")
    # A log holds every download/upload of the mission: keep the last copy of each item.
    frame = frame.drop_duplicates("seq", keep="last").sort_values("seq", kind="stable")
    return frame_of(MISSION_COLUMNS, frame)


def _home(frames: mf.Frames, sysid: int | None) -> pd.DataFrame:
    idx = mf.select(frames, _ID["HOME_POSITION"], sysid)
    h = mf.decode(frames, idx, _ID["HOME_POSITION"])
    return frame_of(
        HOME_COLUMNS,
        {
            "time_utc": _utc(frames.time_us[idx]),
            "lat": h["latitude"] / 1e7,
            "lon": h["longitude"] / 1e7,
            "alt_m": h["altitude"] / 1000.0,
            "source": pd.Series(["HOME_POSITION"] * len(idx), dtype="str"),
            "offset": frames.offset[idx],
        },
    )


def _pilot(frames: mf.Frames, vehicle: int | None) -> pd.DataFrame:
    ground = _ground_systems(frames) - ({vehicle} if vehicle is not None else set())
    parts: list[pd.DataFrame] = []
    for name in ("GLOBAL_POSITION_INT", "FOLLOW_TARGET"):
        idx = mf.select(frames, _ID[name])
        idx = idx[np.isin(frames.sysid[idx], sorted(ground))]
        m = mf.decode(frames, idx, _ID[name])
        alt = m["alt"] / (1000.0 if name == "GLOBAL_POSITION_INT" else 1.0)
        part = pd.DataFrame(
            {
                "time_utc": _utc(frames.time_us[idx]),
                "lat": m["lat"] / 1e7,
                "lon": m["lon"] / 1e7,
                "alt_m": alt,
                "source": [f"ground station {name} (system {s})" for s in frames.sysid[idx]],
                "offset": frames.offset[idx],
            }
        )
        parts.append(part[(part["lat"] != 0) | (part["lon"] != 0)])
    frame = pd.concat(parts, ignore_index=True).sort_values("offset", kind="stable")
    return frame_of(PILOT_COLUMNS, frame)


def _board_uid(uid: int, uid2: bytes) -> str | None:
    """The flight controller's unique id from AUTOPILOT_VERSION.

    ArduPilot sends ``uid = 0`` and puts the board's raw 12-byte id (STM32 UDID) in ``uid2``
    (GCS_Common.cpp ``send_autopilot_version``: ``get_system_id_unformatted``); its DataFlash
    log prints the same id as three little-endian 32-bit words in hex after the board name
    (AP_HAL_ChibiOS/Util.cpp ``get_system_id``: bytes 3..0, 7..4, 11..8). We give the id in
    that printed form so the telemetry log and the SD card's log can be compared directly.
    Longer ``uid2`` values (PX4 writes an 18-byte GUID) are kept as hex, and a bare ``uid``
    (older firmware) as 16 hex digits.
    """
    if any(uid2[12:]):
        return uid2.hex().upper()
    if len(uid2) >= 12 and any(uid2[:12]):
        words = (int.from_bytes(uid2[i : i + 4], "little") for i in (0, 4, 8))
        return " ".join(f"{w:08X}" for w in words)
    return f"{uid:016x}" if uid else None


def _vehicle(frames: mf.Frames, sysid: int | None, hb: pd.DataFrame) -> pd.DataFrame:
    if sysid is None:
        return frame_of(VEHICLE_COLUMNS, {})
    vtype = enum_label("MAV_TYPE", int(hb["type"].iloc[0]), "MAV_TYPE_") if len(hb) else None
    pilot = (
        enum_label("MAV_AUTOPILOT", int(hb["autopilot"].iloc[0]), "MAV_AUTOPILOT_")
        if len(hb)
        else None
    )
    firmware: str | None = None
    uid: str | None = None
    idx = mf.select(frames, _ID["AUTOPILOT_VERSION"], sysid)
    if len(idx):
        av = mf.decode(frames, idx[-1:], _ID["AUTOPILOT_VERSION"])[0]
        sw = int(av["flight_sw_version"])
        # flight_sw_version: major << 24 | minor << 16 | patch << 8 | FIRMWARE_VERSION_TYPE
        githash = bytes(av["flight_custom_version"]).split(b"\x00", 1)[0].decode("ascii", "replace")
        firmware = f"{sw >> 24}.{(sw >> 16) & 0xFF}.{(sw >> 8) & 0xFF}"
        if githash:
            firmware += f" ({githash})"
        uid2 = bytes(av["uid2"]) if "uid2" in av.dtype.names else b""
        uid = _board_uid(int(av["uid"]), uid2)
    idx = mf.select(frames, _ID["STATUSTEXT"], sysid)
    texts = mf.text(mf.decode(frames, idx, _ID["STATUSTEXT"])["text"])
    banner = next(
        (
            t
            for t in texts
            if t.startswith(
                ("ArduPlane", "ArduCopter", "ArduRover", "ArduSub", "Blimp", "AntennaTracker")
            )
        ),
        None,
    )
    if banner and (firmware is None or not firmware.startswith(banner)):
        firmware = banner if firmware is None else f"{banner}; {firmware}"
    return frame_of(
        VEHICLE_COLUMNS,
        {
            "system_id": [sysid],
            "vehicle_type": [vtype],
            "autopilot": [pilot],
            "firmware": [firmware],
            "board_uid": [uid],
            "vehicle_family": [vehicle_family(int(hb["type"].iloc[0])) if len(hb) else None],
        },
    )


def _counts(frames: mf.Frames) -> dict[str, int]:
    ids, counts = np.unique(frames.msgid, return_counts=True)
    return {mf.message_name(int(i)): int(c) for i, c in zip(ids, counts, strict=True)}


def read_tlog(buf: bytes, path: str, system_id: int | None = None) -> FlightLog:
    """Read a tlog held in ``buf`` (``path`` is only used in messages)."""
    frames = mf.scan_frames(buf)
    if frames.truncated_at is not None:
        warnings.warn(
            f"{path}: the log ends inside a frame at offset {frames.truncated_at}; "
            f"returning the {len(frames)} complete frames before it",
            TruncatedInputWarning,
            stacklevel=3,
        )
    if frames.bad:
        total = sum(length for _, length, _ in frames.bad)
        first = frames.bad[0][0]
        warnings.warn(
            f"{path}: {len(frames.bad)} unreadable range(s), {total} bytes, first at offset "
            f"{first}; skipped and listed in bad_frames",
            ForensicsWarning,
            stacklevel=3,
        )
    sysid, systems = _choose_system(frames, system_id, path)
    hb = _heartbeats(frames, sysid)
    track = _track(frames, sysid, hb)
    params = frame_of(PARAM_COLUMNS, _params(frames, sysid))
    mission = _mission(frames)
    steps = _servo_steps(frames, sysid, params)
    events = events_frame(
        [
            *_events(frames, sysid, hb, mission),
            *param_changes(params),
            *servo.servo_events(steps),
        ],
        track,
    )
    clock = _boot_clock(frames, sysid)
    track["time_boot_s"] = _boot_at(clock, track["offset"])
    events["time_boot_s"] = _boot_at(clock, events["offset"])
    bad = frame_of(
        BAD_FRAME_COLUMNS,
        {
            "offset": [b[0] for b in frames.bad],
            "length": [b[1] for b in frames.bad],
            "reason": pd.Series([b[2] for b in frames.bad], dtype="str"),
        },
    )
    return FlightLog(
        path=path,
        format="mavlink_tlog",
        track=track,
        events=events,
        home=_home(frames, sysid),
        vehicle=_vehicle(frames, sysid, hb),
        mission=mission,
        params=params,
        pilot_positions=_pilot(frames, sysid),
        bad_frames=bad,
        message_counts=_counts(frames),
        system_id=sysid,
        systems=systems,
        truncated=frames.truncated_at is not None,
        servo_steps=steps,
        notes=(*_lead_note(frames), *_notes(hb)),
    )


def _boot_clock(
    frames: mf.Frames, sysid: int | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """``(offsets, boot seconds)``, in file order, of the frames of system ``sysid`` that
    carry ``time_boot_ms`` (SYSTEM_TIME, ATTITUDE, GLOBAL_POSITION_INT, ...: every message of
    the dialect with that field; common.xml: "Timestamp (time since system boot)")."""
    offsets: list[npt.NDArray[np.int64]] = []
    seconds: list[npt.NDArray[np.float64]] = []
    for msgid in np.unique(frames.msgid).tolist():
        cls = dialect.mavlink_map.get(int(msgid))
        if cls is None or "time_boot_ms" not in cls.fieldnames:
            continue
        idx = mf.select(frames, int(msgid), sysid)
        if not len(idx):
            continue
        decoded = mf.decode(frames, idx, int(msgid))
        offsets.append(frames.offset[idx].astype(np.int64))
        seconds.append(decoded["time_boot_ms"].astype(np.float64) / 1000.0)
    if not offsets:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    at = np.concatenate(offsets)
    order = np.argsort(at, kind="stable")
    return at[order], np.concatenate(seconds)[order]


def _boot_at(
    clock: tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]], offsets: pd.Series
) -> npt.NDArray[np.float64]:
    """The system's boot time at each frame offset: the last ``time_boot_ms`` seen at or
    before it (NaN before the first, or where the offset is unknown), as DataFlash rows get
    the TimeUS of their own record."""
    at, secs = clock
    where = pd.to_numeric(offsets, errors="coerce").to_numpy(dtype=np.float64)
    out = np.full(len(where), np.nan)
    if not len(at):
        return out
    known = ~np.isnan(where)
    pos = np.searchsorted(at, where[known], side="right") - 1
    out[known] = np.where(pos >= 0, secs[np.maximum(pos, 0)], np.nan)
    return out


def _lead_note(frames: mf.Frames) -> tuple[str, ...]:
    """How many bytes came before the first frame (console text, a partial frame), skipped
    as pymavlink's ``parse_char`` skips them (to the next start byte)."""
    if not frames.bad or frames.bad[0][0] != 0 or not len(frames):
        return ()
    skipped = frames.bad[0][1]
    return (
        f"first MAVLink frame at offset {skipped}: the {skipped} bytes before it are no "
        "frame (text or a partial frame) and were skipped",
    )


def _notes(hb: pd.DataFrame) -> tuple[str, ...]:
    """The summary line for a vehicle whose HEARTBEAT type has no ArduPilot mode table (its
    modes then read Mode(N), as pymavlink's mode_string_v10 gives them)."""
    custom = hb[(hb["autopilot"] != _AUTOPILOT_PX4)]
    if custom.empty:
        return ()
    if any(mavutil.mode_mapping_bynumber(int(t)) is None for t in custom["type"].unique()):
        return (UNKNOWN_VEHICLE,)
    return ()
