"""ArduPilot DataFlash logs (.bin): write_dataflash (FMT, GPS, POS, BAT, MODE, EV, MSG, CMD, ORGN,
PARM, RCOU records, any era's boot banner) and write_dataflash_legacy (an APM 3.2 log)."""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_datasets.drone.flight import (
    GPS_EPOCH_UNIX,
    GPS_LEAP_S,
    HZ,
    MODES,
    SERVO_PARAMS,
    Flight,
    sample_index,
    servo_outputs,
)

# ArduCopter 3.2 (and older) records (libraries/DataFlash/LogFile.cpp, ArduCopter/Log.cpp of
# that release): only GPS carries the boot time (``T``, ms; its ``TimeMS`` is GPS time of
# week); MODE, EV and MSG carry none at all.
_DF_LEGACY_FORMATS: list[tuple[int, str, str, str]] = [
    (128, "FMT", "BBnNZ", "Type,Length,Name,Format,Columns"),
    (129, "PARM", "Nf", "Name,Value"),
    (130, "GPS", "BIHBcLLeeEefI", "Status,TimeMS,Week,NSats,HDop,Lat,Lng,RelAlt,Alt,Spd,GCrs,VZ,T"),
    (131, "MODE", "Mh", "Mode,ThrCrs"),
    (132, "EV", "B", "Id"),
    (133, "MSG", "Z", "Message"),
]


def write_dataflash_legacy(
    path: str | Path, flight: Flight, *, firmware: str = "APM:Copter V3.2.1 (36b405fb)"
) -> dict[str, Any]:
    """``flight`` as a 3.2-era DataFlash log (records without TimeUS; see above). Returns the
    answer key: boot ms of every MODE/EV record's preceding GPS record, the events' UTC."""
    structs = {name: (t, df_struct(fmt)) for t, name, fmt, _ in _DF_LEGACY_FORMATS}
    buf = io.BytesIO()

    def rec(name: str, *values: Any) -> None:
        msg_type, st = structs[name]
        buf.write(b"\xa3\x95" + bytes([msg_type]) + st.pack(*values))

    for msg_type, name, fmt, cols in _DF_LEGACY_FORMATS:
        rec("FMT", msg_type, 3 + df_struct(fmt).size, name.encode(), fmt.encode(), cols.encode())
    rec("MSG", firmware.encode())
    rec("PARM", b"RTL_ALT", 1500.0)
    s = flight.samples
    t0 = s["time_utc"].iloc[0]
    key: dict[str, Any] = {"gps": 0, "modes": [], "armed": [], "last_gps_utc": None}
    prev_mode, prev_armed = None, False
    for i, row in enumerate(s.itertuples(index=False)):
        boot_ms = 30_000 + round((row.time_utc - t0).value / 1e6)
        if i % 2 == 0:
            week, ms = gps_week_ms(row.time_utc)
            rec(
                "GPS", 3, ms, week, 12, 90, round(row.lat * 1e7), round(row.lon * 1e7),
                round(row.alt_rel_m * 100), round(row.alt_amsl_m * 100),
                round(row.ground_speed_ms * 100), round(row.heading_deg * 100), -row.vu, boot_ms,
            )  # fmt: skip
            key["gps"] += 1
            key["last_gps_utc"] = row.time_utc
        # Events carry no time: a reader can only date them by the GPS record before them.
        if row.mode != prev_mode:
            rec("MODE", MODES[row.mode], 0)
            key["modes"].append({"mode": MODES[row.mode], "gps_utc": key["last_gps_utc"]})
        if row.armed != prev_armed:
            rec("EV", 10 if row.armed else 11)
            key["armed"].append({"armed": bool(row.armed), "gps_utc": key["last_gps_utc"]})
        prev_mode, prev_armed = row.mode, row.armed
    Path(path).write_bytes(buf.getvalue())
    return key


# ----------------------------------------------------------------------------- DataFlash

_DF_FORMATS: list[tuple[int, str, str, str]] = [
    (128, "FMT", "BBnNZ", "Type,Length,Name,Format,Columns"),
    (64, "PARM", "QNf", "TimeUS,Name,Value"),
    (130, "GPS", "QBIHBcLLefffB", "TimeUS,Status,GMS,GWk,NSats,HDop,Lat,Lng,Alt,Spd,GCrs,VZ,U"),
    (65, "POS", "QLLfff", "TimeUS,Lat,Lng,Alt,RelHomeAlt,RelOriginAlt"),
    (66, "BAT", "QBffffB", "TimeUS,Inst,Volt,VoltR,Curr,CurrTot,RemPct"),
    (67, "MODE", "QMBB", "TimeUS,Mode,ModeNum,Rsn"),
    (68, "MSG", "QZ", "TimeUS,Message"),
    (69, "EV", "QB", "TimeUS,Id"),
    (70, "CMD", "QHHHffffLLfB", "TimeUS,CTot,CNum,CId,Prm1,Prm2,Prm3,Prm4,Lat,Lng,Alt,Frame"),
    (71, "ORGN", "QBLLe", "TimeUS,Type,Lat,Lng,Alt"),
    # RCOU as current ArduPilot declares it (libraries/AP_Logger/LogStructure.h LOG_RCOUT_MSG);
    # message ids here are this writer's own: readers go by the FMT records.
    (72, "RCOU", "QHHHHHHHHHHHHHH", "TimeUS,C1,C2,C3,C4,C5,C6,C7,C8,C9,C10,C11,C12,C13,C14"),
]
_DF_STRUCT = {
    "B": "B",
    "b": "b",
    "M": "B",
    "h": "h",
    "H": "H",
    "i": "i",
    "I": "I",
    "f": "f",
    "d": "d",
    "n": "4s",
    "N": "16s",
    "Z": "64s",
    "c": "h",
    "C": "H",
    "e": "i",
    "E": "I",
    "L": "i",
    "q": "q",
    "Q": "Q",
}


def df_struct(fmt: str) -> struct.Struct:
    return struct.Struct("<" + "".join(_DF_STRUCT[c] for c in fmt))


def gps_week_ms(ts: pd.Timestamp) -> tuple[int, int]:
    """GPS week and millisecond of week for a UTC time after 2017 (GPS = UTC + 18 s)."""
    gps_ms = ts.value // 1_000_000 - GPS_EPOCH_UNIX * 1000 + GPS_LEAP_S * 1000
    return int(gps_ms // 604_800_000), int(gps_ms % 604_800_000)


# Boot banners of ArduPilot releases of every era (AP_HAL FIRMWARE_STRING / THISFIRMWARE of
# each vehicle): what the first MSG record of a log says, oldest spellings included.
FIRMWARE_BANNERS: dict[str, str] = {
    "copter_3.2": "APM:Copter V3.2.1 (36b405fb)",
    "copter_3.4": "APM:Copter V3.4.4-rc1 (65ffe9d7)",
    "copter_4": "ArduCopter V4.5.7 (c0ffee12)",
    "plane_3.5": "APM:Plane V3.5.2 (a5e5ac1d)",
    "plane_4": "ArduPlane V4.3.8 (c0ffee12)",
    "rover_3": "APMrover2 V3.2.0 (d9e6a5d6)",
    "rover_4": "ArduRover V4.2.3 (c0ffee12)",
    "sub_4": "ArduSub V4.1.0 (89639005)",
    "tracker_1": "AntennaTracker V1.1.0 (c0ffee12)",
}
# VER record of ArduPilot 4.2+ (AP_Logger LogStructure.h LOG_VER_MSG): BU is the build type,
# APM_BUILD_DIRECTORY (AP_Vehicle_Type.h: 1 Rover, 2 Copter, 3 Plane, 4 Tracker, 7 Sub).
_VER_FORMAT = (73, "VER", "QBHBBBBIZHBB", "TimeUS,BT,BST,Maj,Min,Pat,FWT,GH,FWS,APJ,BU,FV")


def write_dataflash(
    path: str | Path,
    flight: Flight,
    *,
    firmware: str | None = FIRMWARE_BANNERS["copter_4"],
    build_type: int | None = None,
    gps: bool = True,
) -> dict[str, int]:
    """Write ``flight`` as an ArduPilot DataFlash log; returns the record count per type.

    ``firmware`` is the boot banner (see :data:`FIRMWARE_BANNERS`; None writes none, as a log
    whose first records were lost); ``build_type`` adds a VER record with that ``BU``;
    ``gps=False`` writes no GPS, POS or ORGN record (an indoor flight or a submarine: only
    boot time exists). The mode numbers are the flight's Copter numbers whatever the banner.
    """
    formats = [*_DF_FORMATS, *([_VER_FORMAT] if build_type is not None else [])]
    structs = {name: (msg_type, df_struct(fmt)) for msg_type, name, fmt, _ in formats}
    counts: dict[str, int] = {}
    buf = io.BytesIO()
    skip = set() if gps else {"GPS", "POS", "ORGN"}

    def rec(name: str, *values: Any) -> None:
        if name in skip:
            return
        msg_type, st = structs[name]
        buf.write(b"\xa3\x95" + bytes([msg_type]) + st.pack(*values))
        counts[name] = counts.get(name, 0) + 1

    for msg_type, name, fmt, cols in formats:
        length = 3 + df_struct(fmt).size
        rec("FMT", msg_type, length, name.encode(), fmt.encode(), cols.encode())
    s = flight.samples
    t0 = s["time_utc"].iloc[0]
    boot_us = 30_000_000

    def time_us(ts: pd.Timestamp) -> int:
        return boot_us + (ts - t0).value // 1000

    if firmware is not None:
        rec("MSG", boot_us - 1000, firmware.encode())
    if build_type is not None:
        rec("VER", boot_us - 950, 140, 0, 4, 5, 7, 255, 0xC0FFEE12, b"", 140, build_type, 0)
    rec("MSG", boot_us - 900, f"CubeOrange {flight.board_uid}".encode())
    for k, (name, value) in enumerate(
        (("WPNAV_SPEED", 1000.0), ("RTL_ALT", 1500.0), ("FENCE_ENABLE", 1.0), *SERVO_PARAMS)
    ):
        rec("PARM", boot_us - 800 + k, name.encode(), value)
    for item in flight.mission:
        rec(
            "CMD",
            boot_us - 500 + item["seq"],
            len(flight.mission),
            item["seq"],
            item["command"],
            item.get("param1", 0.0),
            item.get("param2", 0.0),
            0.0,
            0.0,
            round(item["lat"] * 1e7),
            round(item["lon"] * 1e7),
            item["alt"],
            item["frame"],
        )
    prev_mode, prev_armed = None, False
    home = flight.home
    pwm = servo_outputs(flight)
    grab_at = sample_index(flight, flight.key["grab_servo"]["time_utc"])
    for i, row in enumerate(s.itertuples(index=False)):
        us = time_us(row.time_utc)
        if i == grab_at:
            rec("EV", us, 46)  # LogEvent::GRIPPER_GRAB (AP_Gripper_Servo::grab)
        if row.mode != prev_mode:
            rec("MODE", us, MODES[row.mode], MODES[row.mode], 1)
        if row.armed != prev_armed:
            rec("EV", us, 10 if row.armed else 11)
            if row.armed:
                rec(
                    "ORGN",
                    us + 5,
                    1,
                    round(home[0] * 1e7),
                    round(home[1] * 1e7),
                    round(home[2] * 100),
                )
        prev_mode, prev_armed = row.mode, row.armed
        if i % 2 == 0:
            week, ms = gps_week_ms(row.time_utc)
            rec(
                "GPS",
                us + 100,
                3,
                ms,
                week,
                14,
                90,
                round(row.lat * 1e7),
                round(row.lon * 1e7),
                round(row.alt_amsl_m * 100),
                row.ground_speed_ms,
                row.heading_deg,
                -row.vu,
                1,
            )
        rec(
            "POS",
            us + 200,
            round(row.lat * 1e7),
            round(row.lon * 1e7),
            row.alt_amsl_m,
            row.alt_rel_m,
            row.alt_rel_m,
        )
        rec("RCOU", us + 250, *(int(v) for v in pwm[i, :14]))
        if i % HZ == 0:
            rec(
                "BAT",
                us + 300,
                0,
                row.voltage_v,
                row.voltage_v + 0.1,
                row.current_a,
                0.0,
                round(row.battery_pct),
            )
    rel = pd.Timestamp(flight.key["release_utc"])
    rec_at = time_us(rel)
    # Records are appended in time order except these two; DataFlash logs are time-ordered per
    # writer thread, and readers must not assume global order.
    grip = flight.mission[5]
    rec(
        "CMD",
        rec_at - 10,
        len(flight.mission),
        5,
        grip["command"],
        grip.get("param1", 0.0),
        grip.get("param2", 0.0),
        0.0,
        0.0,
        0,
        0,
        0.0,
        grip["frame"],
    )
    rec("EV", rec_at, 47)  # LogEvent::GRIPPER_RELEASE (AP_Gripper_Servo::release)
    rec("MSG", rec_at, b"Gripper load released")
    Path(path).write_bytes(buf.getvalue())
    return counts
