"""A small PX4 ULog (``.ulg``) writer, for generated flights with an answer key.

Layout from the PX4 docs, "ULog File Format" (https://docs.px4.io/main/en/dev_log/ulog_file_format):

* header, 16 bytes: ``ULog`` 0x01 0x12 0x35, version 1, uint64 start time (us since boot);
* every message: ``uint16 msg_size`` (after this 3-byte header), ``uint8 msg_type``;
* definitions: 'B' flag bits (compat[8], incompat[8], appended_offsets[3] uint64), 'F'
  format (``name:type field;type field;...``), 'I' info (uint8 key_len, key ``type name``,
  value), 'P' parameter (as 'I');
* data: 'A' add-logged (uint8 multi_id, uint16 msg_id, name), 'D' data (uint16 msg_id, the
  fields packed little-endian, ``uint64 timestamp`` first), 'L' logged string (uint8 level
  as an ASCII digit, uint64 timestamp, text), 'P' a parameter changed in flight.

The topics written are the PX4 ones a flight reader uses (field names and types as PX4 v1.11
``msg/*.msg``): vehicle_gps_position, vehicle_status, vehicle_local_position, battery_status
and vehicle_global_position. pyulog reads the result (the test suite checks that).
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_datasets.drone.flight import Flight

__all__ = ["PX4_NAV_STATE", "write_ulog"]

_MAGIC = b"ULog\x01\x12\x35"
_TYPES = {
    "uint8_t": "B",
    "int8_t": "b",
    "uint16_t": "H",
    "int16_t": "h",
    "uint32_t": "I",
    "int32_t": "i",
    "uint64_t": "Q",
    "int64_t": "q",
    "float": "f",
    "double": "d",
    "bool": "?",
    "char": "c",
}

# The generated flight's ArduPilot-style modes as the PX4 nav_state closest to each
# (vehicle_status.msg NAVIGATION_STATE_*): STAB 15, AUTO_MISSION 3, OFFBOARD 14 (guided from
# a companion / GCS), AUTO_LOITER 4, AUTO_RTL 5, AUTO_LAND 18.
PX4_NAV_STATE = {"STABILIZE": 15, "AUTO": 3, "GUIDED": 14, "LOITER": 4, "RTL": 5, "LAND": 18}
_NAV_NAMES = {15: "STAB", 3: "AUTO_MISSION", 14: "OFFBOARD", 4: "AUTO_LOITER", 5: "AUTO_RTL"}
_NAV_NAMES[18] = "AUTO_LAND"

_TOPICS: dict[str, list[tuple[str, str]]] = {
    "vehicle_gps_position": [
        ("uint64_t", "timestamp"),
        ("uint64_t", "time_utc_usec"),
        ("int32_t", "lat"),
        ("int32_t", "lon"),
        ("int32_t", "alt"),
        ("float", "vel_m_s"),
        ("float", "vel_d_m_s"),
        ("float", "cog_rad"),
        ("uint8_t", "fix_type"),
        ("uint8_t", "satellites_used"),
    ],
    "vehicle_status": [
        ("uint64_t", "timestamp"),
        ("uint8_t", "nav_state"),
        ("uint8_t", "arming_state"),
        ("uint8_t", "vehicle_type"),
        ("bool", "is_vtol"),
        ("uint8_t", "system_id"),
    ],
    "vehicle_local_position": [("uint64_t", "timestamp"), ("float", "z")],
    "battery_status": [
        ("uint64_t", "timestamp"),
        ("float", "voltage_v"),
        ("float", "remaining"),
    ],
    "vehicle_global_position": [
        ("uint64_t", "timestamp"),
        ("double", "lat"),
        ("double", "lon"),
        ("float", "alt"),
    ],
}


def _msg(kind: bytes, body: bytes) -> bytes:
    return struct.pack("<HB", len(body), kind[0]) + body


def _key_value(type_name: str, key: str, value: Any) -> bytes:
    declared = f"{type_name} {key}".encode()
    if type_name.startswith("char["):
        data = str(value).encode()
    else:
        data = struct.pack("<" + _TYPES[type_name], value)
    return bytes([len(declared)]) + declared + data


def _char_type(value: str) -> str:
    return f"char[{len(value.encode())}]"


def write_ulog(
    path: str | Path,
    flight: Flight,
    *,
    gps: bool = True,
    global_position: bool = False,
    cut_bytes: int = 0,
    sys_name: str = "PX4",
    ver_hw: str = "CUBEPILOT_CUBEORANGE",
    gps_topic: str = "vehicle_gps_position",
    degrees: bool = False,
    dropout_ms: int = 0,
) -> dict[str, Any]:
    """Write ``flight`` as a PX4 ULog; returns the answer key of what the file holds.

    ``gps=False`` writes no GNSS topic at all (an indoor flight: only boot time exists);
    ``global_position`` adds vehicle_global_position (with ``gps=False``, the track then
    comes from it); ``cut_bytes`` drops that many bytes from the end (a truncated copy).
    ``gps_topic="sensor_gps"`` names the GNSS topic as PX4 v1.14+ logs it; ``degrees``
    writes its position as v1.15 does (``latitude_deg``, ``longitude_deg`` double degrees,
    ``altitude_msl_m`` double metres) instead of degE7 / mm integers. ``dropout_ms`` writes
    one 'O' dropout message (data the logger lost) of that duration mid-flight.
    """
    s = flight.samples.reset_index(drop=True)
    t0 = s["time_utc"].iloc[0]
    boot0 = 30_000_000  # the first sample 30 s after boot

    def boot_us(ts: pd.Timestamp) -> int:
        return boot0 + (ts - t0).value // 1000

    out = bytearray(_MAGIC + b"\x01" + struct.pack("<Q", boot0 - 1_000_000))
    out += _msg(b"B", bytes(8) + bytes(8) + bytes(24))
    info = {
        "sys_name": sys_name,
        "sys_os_name": "NuttX",
        "ver_hw": ver_hw,
        "ver_sw": "c0ffee12" * 5,
        "ver_sw_branch": "v1.14.0",
    }
    for key, value in info.items():
        out += _msg(b"I", _key_value(_char_type(value), key, value))
    out += _msg(b"I", _key_value("uint32_t", "ver_sw_release", 0x010E00FF))
    topics = dict(_TOPICS)
    gnss = topics.pop("vehicle_gps_position")
    if degrees:
        gnss = [
            ("uint64_t", "timestamp"),
            ("uint64_t", "time_utc_usec"),
            ("double", "latitude_deg"),
            ("double", "longitude_deg"),
            ("double", "altitude_msl_m"),
            *gnss[5:],
        ]
    if gps:
        topics = {gps_topic: gnss, **topics}
    if not global_position:
        topics.pop("vehicle_global_position")
    for name, fields in topics.items():
        spec = "".join(f"{t} {f};" for t, f in fields)
        out += _msg(b"F", f"{name}:{spec}".encode())
    params = {"MAV_TYPE": ("int32_t", 2), "MPC_XY_VEL_MAX": ("float", 12.0)}
    for key, (type_name, value) in params.items():
        out += _msg(b"P", _key_value(type_name, key, value))
    ids = {name: k for k, name in enumerate(topics)}
    structs = {
        name: struct.Struct("<" + "".join(_TYPES[t] for t, _ in f)) for name, f in topics.items()
    }
    for name, k in ids.items():
        out += _msg(b"A", struct.pack("<BH", 0, k) + name.encode())

    def data(name: str, *values: Any) -> None:
        if name in ids:
            out.extend(_msg(b"D", struct.pack("<H", ids[name]) + structs[name].pack(*values)))

    def log(level: int, when_us: int, text: str) -> None:
        out.extend(
            _msg(b"L", bytes([ord("0") + level]) + struct.pack("<Q", when_us) + text.encode())
        )

    key: dict[str, Any] = {
        "gps_samples": 0,
        "global_samples": 0,
        "modes": [],
        "arming": [],
        "messages": [],
        "params": {k: v for k, (_, v) in params.items()},
        "info": {**info, "ver_sw_release": 0x010E00FF},
    }
    log(6, boot0 - 500_000, "[logger] logging started")
    key["messages"].append({"boot_s": (boot0 - 500_000) / 1e6, "text": "[logger] logging started"})
    prev: tuple[int, bool] | None = None
    first_gps = last_gps = None
    for i, row in enumerate(s.itertuples(index=False)):
        us = boot_us(row.time_utc)
        nav = PX4_NAV_STATE[row.mode]
        armed = bool(row.armed)
        if prev is None or prev != (nav, armed) or i % 10 == 0:
            data("vehicle_status", us, nav, 2 if armed else 1, 1, False, 1)
            if prev is None or prev[0] != nav:
                key["modes"].append(
                    {"boot_s": us / 1e6, "utc": row.time_utc, "mode": _NAV_NAMES[nav]}
                )
            if prev is not None and prev[1] != armed:
                key["arming"].append({"boot_s": us / 1e6, "utc": row.time_utc, "armed": armed})
            prev = (nav, armed)
        data("vehicle_local_position", us + 50, -float(row.alt_rel_m))
        if i % 2 == 0:
            utc_us = row.time_utc.value // 1000
            position = (
                (float(row.lat), float(row.lon), float(row.alt_amsl_m))
                if degrees
                else (round(row.lat * 1e7), round(row.lon * 1e7), round(row.alt_amsl_m * 1000))
            )
            data(
                gps_topic,
                us,  # logged as the fix arrives: its boot time and its UTC are one instant
                utc_us,
                *position,
                float(row.ground_speed_ms),
                -float(row.vu),
                0.0,
                3,
                14,
            )
            if gps:
                key["gps_samples"] += 1
                first_gps = first_gps or (row.time_utc, float(row.lat), float(row.lon))
                last_gps = (row.time_utc, float(row.lat), float(row.lon))
            key["global_samples"] += int(global_position)
            data(
                "vehicle_global_position",
                us + 150,
                float(row.lat),
                float(row.lon),
                float(row.alt_amsl_m),
            )
        if i % 10 == 0:
            data("battery_status", us + 200, float(row.voltage_v), float(row.battery_pct) / 100.0)
        if dropout_ms and i == len(s) // 2:
            out.extend(_msg(b"O", struct.pack("<H", dropout_ms)))
    rel = pd.Timestamp(flight.key["release_utc"])
    log(6, boot_us(rel), "[navigator] payload released")
    key["messages"].append({"boot_s": boot_us(rel) / 1e6, "text": "[navigator] payload released"})
    # A parameter set in flight; pyulog times it by the last data message before it.
    out += _msg(b"P", _key_value("float", "MPC_XY_VEL_MAX", 8.0))
    key["param_change"] = {"name": "MPC_XY_VEL_MAX", "from": 12.0, "to": 8.0}
    if first_gps and last_gps:
        key["first_fix"] = {"utc": first_gps[0], "lat": first_gps[1], "lon": first_gps[2]}
        key["last_fix"] = {"utc": last_gps[0], "lat": last_gps[1], "lon": last_gps[2]}
    blob = bytes(out[: len(out) - cut_bytes] if cut_bytes else out)
    Path(path).write_bytes(blob)
    key["bytes"] = len(blob)
    return key
