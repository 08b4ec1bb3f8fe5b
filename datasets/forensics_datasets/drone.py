"""Synthetic drone evidence with an answer key: a parcel drop over a prison yard.

:func:`simulate_flight` flies a quadcopter in a local east/north/up frame at 10 Hz, with
acceleration and climb-rate limits, a steady wind the controller leans against, correlated
GNSS noise and a battery that drains with power drawn. The plan: arm at home, take off, fly
the mission's waypoints, descend over the target, hover low, release (DO_GRIPPER), climb, return
and land. The writers then put the same flight in the formats real aircraft write:

* :func:`write_tlog`: MAVLink telemetry log, frames packed by pymavlink (MAVLink 2 and some
  MAVLink 1 HEARTBEATs), each behind its 8-byte big-endian Unix-microsecond stamp, with the
  ground station's own HEARTBEATs (type 6) and position as a real GCS logs them, and
  SERVO_OUTPUT_RAW at 5 Hz in which the gripper output (SERVO9) steps at the drop;
  :func:`write_noisy_tlog` (:func:`add_foreign_bytes`) adds what ground stations write
  between frames: console text, partial frames, noise, with the count in its key;
* :func:`write_dataflash`: ArduPilot DataFlash ``.bin``: FMT records, then GPS (week + ms, GPS
  time with the leap seconds), POS, BAT, MODE, EV, MSG, CMD, ORGN, PARM, RCOU records; the
  boot banner of any era (:data:`FIRMWARE_BANNERS`), a VER record, or no GPS at all;
* :func:`forensics_datasets.ulog.write_ulog`: PX4 ULog ``.ulg`` (with or without GNSS);
* :func:`write_srt`: DJI bracket-dialect subtitles, wall times local to a given zone;
* :func:`write_photo`: a JPEG with EXIF GPS/time/camera and DJI XMP (misspelt GpsLongtitude
  optional).

:func:`make_drone_case` writes them all with ``answer_key.json`` and the prison perimeter as
GeoJSON. Place names and serials are invented; coordinates are in open countryside.
"""

from __future__ import annotations

import io
import json
import math
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forensics_lib.drone.analysis import EARTH_RADIUS_M  # one sphere for writer and reader

__all__ = [
    "CONSOLE_LINES",
    "FIRMWARE_BANNERS",
    "DroneCase",
    "Flight",
    "add_foreign_bytes",
    "jpeg_with_exif",
    "make_drone_case",
    "servo_outputs",
    "simulate_flight",
    "tlog_frames",
    "write_dataflash",
    "write_dataflash_legacy",
    "write_noisy_tlog",
    "write_photo",
    "write_srt",
    "write_tlog",
]

DRONE_VERSION = 1
HZ = 10
# ArduCopter custom_mode numbers (pymavlink mavutil.mode_mapping_acm).
MODES = {"STABILIZE": 0, "AUTO": 3, "GUIDED": 4, "LOITER": 5, "RTL": 6, "LAND": 9}
GPS_EPOCH_UNIX = 315_964_800
GPS_LEAP_S = 18  # GPS - UTC since 2017-01-01 (IERS Bulletin C)
# The gripper: SERVO9 (AUX OUT 1) with SERVO9_FUNCTION = 28 (SRV_Channel::k_gripper); PWM as
# ArduPilot's AP_Gripper defaults (libraries/AP_Gripper/AP_Gripper.cpp): NEUTRAL 1500 at
# boot (AP_Gripper_Servo::init_gripper), GRAB 1900, RELEASE 1100. Motors on SERVO1-4
# (functions 33-36, motor 1-4); the other outputs idle at 1500 (function 0).
GRIPPER_CHANNEL = 9
GRIP_NEUTRAL, GRIP_GRAB, GRIP_RELEASE = 1500, 1900, 1100
GRAB_AT_S = 3.0  # seconds after the first sample: on the ground, before arming (5 s)
SERVO_PARAMS: tuple[tuple[str, float], ...] = (
    ("SERVO1_FUNCTION", 33.0),
    ("SERVO2_FUNCTION", 34.0),
    ("SERVO3_FUNCTION", 35.0),
    ("SERVO4_FUNCTION", 36.0),
    ("SERVO9_FUNCTION", 28.0),
    ("GRIP_ENABLE", 1.0),
    ("GRIP_TYPE", 1.0),
    ("GRIP_GRAB", float(GRIP_GRAB)),
    ("GRIP_RELEASE", float(GRIP_RELEASE)),
)


@dataclass
class Flight:
    """A simulated flight: one row per 0.1 s, plus its plan and answer key."""

    samples: pd.DataFrame  # time_utc, lat, lon, alt_rel_m, alt_amsl_m, vn, ve, vu, ...
    home: tuple[float, float, float]  # lat, lon, alt AMSL
    pilot: tuple[float, float]
    target: tuple[float, float]
    mission: list[dict[str, Any]]
    perimeter: list[list[float]]  # [lon, lat] ring, closed
    key: dict[str, Any] = field(default_factory=dict)
    # The flight controller's 96-bit unique id as ArduPilot prints it at boot (three 32-bit
    # words in hex after the board name); the DataFlash log's "CubeOrange ..." MSG line.
    board_uid: str = "00420013 4B501234 20383847"


def _to_latlon(
    home: tuple[float, float], east: np.ndarray, north: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    lat = home[0] + np.degrees(north / EARTH_RADIUS_M)
    lon = home[1] + np.degrees(east / (EARTH_RADIUS_M * math.cos(math.radians(home[0]))))
    return lat, lon


def _iso(ts: pd.Timestamp) -> str:
    return ts.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def simulate_flight(
    seed: int = 0,
    *,
    start: str = "2024-06-14T21:30:00Z",
    loiter_laps: int = 0,
    home: tuple[float, float, float] | None = None,
) -> Flight:
    """Fly the drop; ``loiter_laps`` adds survey laps before the drop (long logs for benchmarks).

    ``home`` (lat, lon, alt AMSL) places the site; by default it is drawn from ``seed`` near
    40.1 N 4.2 W, 612 m. The same seed flies the same shape, wind and noise wherever home is
    (the default draw is made either way, so the random stream does not shift).
    """
    rng = np.random.default_rng(seed)
    drawn = (40.1000 + rng.uniform(-0.01, 0.01), -4.2000 + rng.uniform(-0.01, 0.01), 612.0)
    home = drawn if home is None else (float(home[0]), float(home[1]), float(home[2]))
    bearing = math.radians(rng.uniform(40, 80))
    target_en = np.array([650 * math.sin(bearing), 650 * math.cos(bearing)])
    pilot_en = np.array([-12.0, -9.0])
    wind = rng.uniform(2, 5) * np.array([math.cos(1.1), math.sin(1.1)])
    dt = 1 / HZ
    t0 = pd.Timestamp(start)
    cruise_alt, hover_alt = 40.0, 8.0
    side = np.array([-target_en[1], target_en[0]]) / np.linalg.norm(target_en)
    wp1 = target_en * 0.6 + side * 120
    legs: list[tuple[str, np.ndarray, float]] = [("AUTO", wp1, cruise_alt)]
    for k in range(loiter_laps):
        corner = wp1 + side * (60 if k % 2 else -60) + target_en / np.linalg.norm(target_en) * 80
        legs += [("AUTO", corner, cruise_alt), ("AUTO", wp1, cruise_alt)]
    legs += [("AUTO", target_en, cruise_alt), ("AUTO", target_en, hover_alt)]

    pos = np.zeros(3)  # east, north, up
    vel = np.zeros(3)
    t = 0.0
    rows: list[dict[str, Any]] = []
    mode, armed = "STABILIZE", False
    marks: dict[str, float] = {}
    vmax_h, vmax_up, vmax_down, acc = 10.0, 2.5, 1.5, 2.0

    def step() -> None:
        nonlocal t
        rows.append(
            {
                "t": t,
                "e": pos[0],
                "n": pos[1],
                "u": pos[2],
                "ve": vel[0],
                "vn": vel[1],
                "vu": vel[2],
                "mode": mode,
                "armed": armed,
            }
        )
        t += dt

    def hold(seconds: float) -> None:
        vel[:] = 0.0
        for _ in range(round(seconds * HZ)):
            step()

    def fly_to(goal_en: np.ndarray, goal_up: float, tol: float = 0.5) -> None:
        for _ in range(20_000):
            d_h = goal_en - pos[:2]
            dist_h = float(np.linalg.norm(d_h))
            d_u = goal_up - pos[2]
            if dist_h < tol and abs(d_u) < 0.2 and np.linalg.norm(vel) < 0.3:
                break
            want_h = (
                d_h / dist_h * min(vmax_h, math.sqrt(2 * acc * 0.8 * dist_h))
                if dist_h > 1e-6
                else np.zeros(2)
            )
            want_u = float(np.clip(d_u * 0.8, -vmax_down, vmax_up))
            dv = np.concatenate([want_h - vel[:2], [want_u - vel[2]]])
            limit = acc * dt
            norm = float(np.linalg.norm(dv))
            if norm > limit:
                dv *= limit / norm
            vel[:] += dv
            pos[:] += vel * dt
            pos[2] = max(pos[2], 0.0)
            step()
        vel[:] = 0.0

    hold(5.0)
    armed, mode = True, "GUIDED"
    marks["armed"] = t
    hold(2.0)
    marks["liftoff"] = t
    fly_to(pos[:2].copy(), cruise_alt)
    mode = "AUTO"
    for _, goal, up in legs:
        fly_to(goal, up)
    marks["hover_start"] = t
    hold(10.0)
    marks["release"] = t
    hold(10.0)
    marks["hover_end"] = t
    fly_to(target_en, cruise_alt)
    mode = "RTL"
    fly_to(np.zeros(2), cruise_alt)
    mode = "LAND"
    fly_to(np.zeros(2), 0.0, tol=0.3)
    marks["touchdown"] = t
    hold(3.0)
    armed = False
    marks["disarmed"] = t
    hold(5.0)

    sim = pd.DataFrame(rows)
    n = len(sim)
    # Correlated GNSS error (AR(1), sigma about 0.8 m) and the wind-induced lean is not modelled
    # beyond its effect on power: the controller holds the track.
    noise = np.zeros((n, 2))
    for i in range(1, n):
        noise[i] = 0.98 * noise[i - 1] + rng.normal(0, 0.16, 2)
    lat, lon = _to_latlon(
        home[:2], sim["e"].to_numpy() + noise[:, 0], sim["n"].to_numpy() + noise[:, 1]
    )
    rel = sim["u"].to_numpy() + rng.normal(0, 0.05, n) * (sim["u"].to_numpy() > 0)
    speed = np.hypot(sim["ve"], sim["vn"]).to_numpy()
    airspeed = np.hypot(sim["ve"] - wind[0], sim["vn"] - wind[1])
    power = np.where(sim["armed"], 180 + 6 * airspeed**1.5 + 40 * np.clip(sim["vu"], 0, None), 2.0)
    energy = np.cumsum(power) * dt  # J
    capacity = 5.0 * 3600 * 15.2  # 5 Ah at 15.2 V
    pct = np.clip(100 - 100 * energy / capacity, 0, 100)
    volts = 16.8 - 2.2 * (100 - pct) / 100 - 0.002 * power
    times = t0 + pd.to_timedelta(sim["t"].to_numpy(), unit="s")
    samples = pd.DataFrame(
        {
            "time_utc": times,
            "lat": lat,
            "lon": lon,
            "alt_rel_m": rel,
            "alt_amsl_m": home[2] + rel,
            "ve": sim["ve"],
            "vn": sim["vn"],
            "vu": sim["vu"],
            "ground_speed_ms": speed,
            "heading_deg": (np.degrees(np.arctan2(sim["ve"], sim["vn"])) + 360) % 360,
            "battery_pct": pct,
            "voltage_v": volts,
            "current_a": power / volts,
            "mode": sim["mode"],
            "armed": sim["armed"],
        }
    )
    tlat, tlon = _to_latlon(home[:2], np.array([target_en[0]]), np.array([target_en[1]]))
    plat, plon = _to_latlon(home[:2], np.array([pilot_en[0]]), np.array([pilot_en[1]]))
    ring_en = [target_en + np.array(c) for c in ((-90, -70), (95, -75), (90, 80), (-85, 75))]
    ring = [_to_latlon(home[:2], np.array([p[0]]), np.array([p[1]])) for p in ring_en]
    perimeter = [[float(lo[0]), float(la[0])] for la, lo in ring]
    perimeter.append(perimeter[0])
    wp1_lat, wp1_lon = _to_latlon(home[:2], np.array([wp1[0]]), np.array([wp1[1]]))
    mission = [
        {"seq": 0, "command": 16, "lat": home[0], "lon": home[1], "alt": home[2], "frame": 0},
        {"seq": 1, "command": 22, "lat": 0.0, "lon": 0.0, "alt": cruise_alt, "frame": 3},
        {
            "seq": 2,
            "command": 16,
            "lat": float(wp1_lat[0]),
            "lon": float(wp1_lon[0]),
            "alt": cruise_alt,
            "frame": 3,
        },
        {
            "seq": 3,
            "command": 16,
            "lat": float(tlat[0]),
            "lon": float(tlon[0]),
            "alt": cruise_alt,
            "frame": 3,
        },
        {
            "seq": 4,
            "command": 19,
            "lat": float(tlat[0]),
            "lon": float(tlon[0]),
            "alt": hover_alt,
            "frame": 3,
            "param1": 20.0,
        },
        {
            "seq": 5,
            "command": 211,
            "lat": 0.0,
            "lon": 0.0,
            "alt": 0.0,
            "frame": 2,
            "param1": 1.0,
            "param2": 0.0,
        },
        {"seq": 6, "command": 20, "lat": 0.0, "lon": 0.0, "alt": 0.0, "frame": 3},
    ]

    def at(name: str) -> pd.Timestamp:
        return t0 + pd.Timedelta(seconds=round(marks[name] * HZ) / HZ)

    rel_idx = round(marks["release"] * HZ)
    key = {
        "seed": seed,
        "home": {"lat": home[0], "lon": home[1], "alt_m": home[2]},
        "pilot": {"lat": float(plat[0]), "lon": float(plon[0])},
        "target": {"lat": float(tlat[0]), "lon": float(tlon[0])},
        "armed_utc": _iso(at("armed")),
        "liftoff_utc": _iso(at("liftoff")),
        "touchdown_utc": _iso(at("touchdown")),
        "disarmed_utc": _iso(at("disarmed")),
        "hover_start_utc": _iso(at("hover_start")),
        "hover_end_utc": _iso(at("hover_end")),
        "hover_alt_rel_m": hover_alt,
        "release_utc": _iso(at("release")),
        "release_lat": float(lat[rel_idx]),
        "release_lon": float(lon[rel_idx]),
        "samples": n,
        "max_alt_rel_m": float(rel.max()),
        # The gripper servo (ArduPilot AP_Gripper defaults): neutral at boot, grab on the
        # ground before arming, release at the drop; held to the end of the log.
        "grab_servo": {
            "channel": GRIPPER_CHANNEL,
            "function": 28,
            "from_pwm": GRIP_NEUTRAL,
            "to_pwm": GRIP_GRAB,
            "time_utc": _iso(t0 + pd.Timedelta(seconds=GRAB_AT_S)),
        },
        "release_servo": {
            "channel": GRIPPER_CHANNEL,
            "function": 28,
            "from_pwm": GRIP_GRAB,
            "to_pwm": GRIP_RELEASE,
            "time_utc": _iso(at("release")),
        },
    }
    return Flight(
        samples,
        home,
        (float(plat[0]), float(plon[0])),
        (float(tlat[0]), float(tlon[0])),
        mission,
        perimeter,
        key,
    )


# ----------------------------------------------------------------------------- servos


def servo_outputs(flight: Flight) -> np.ndarray:
    """PWM (us) of outputs 1-16 for every sample, shape (samples, 16).

    Motors 1-4: 1000 disarmed, 1150 spinning armed on the ground, about 1500 in the air with
    the climb, the speed and a per-motor wobble (so they change all the time, as motors do).
    Output 9: the gripper, stepping at the key's ``grab_servo`` and ``release_servo`` times.
    """
    s = flight.samples
    i = np.arange(len(s))
    armed = s["armed"].to_numpy(dtype=bool)
    flying = armed & (s["alt_rel_m"].to_numpy() > 0.3)
    out = np.full((len(s), 16), 1500, dtype=np.int64)
    for m in range(4):
        wobble = 15 * np.sin(0.7 * i + 1.3 * m)
        air = 1500 + 48 * s["vu"].to_numpy() + 4 * s["ground_speed_ms"].to_numpy() + wobble
        out[:, m] = np.where(flying, np.round(air), np.where(armed, 1150, 1000))
    grip = np.full(len(s), GRIP_NEUTRAL, dtype=np.int64)
    grip[_sample_index(flight, flight.key["grab_servo"]["time_utc"]) :] = GRIP_GRAB
    grip[_sample_index(flight, flight.key["release_servo"]["time_utc"]) :] = GRIP_RELEASE
    out[:, GRIPPER_CHANNEL - 1] = grip
    return out


def _sample_index(flight: Flight, when: str) -> int:
    """The sample at a key time (samples are 1/HZ apart from the first)."""
    t0 = flight.samples["time_utc"].iloc[0]
    return round((pd.Timestamp(when) - t0).total_seconds() * HZ)


# ----------------------------------------------------------------------------- tlog


def _us(ts: pd.Timestamp) -> int:
    return int(ts.value // 1000)


def _uid2(board_uid: str) -> bytes:
    """AUTOPILOT_VERSION.uid2 as ArduPilot fills it: the 12 raw UDID bytes (memory order,
    i.e. each printed 32-bit word little-endian; AP_HAL_ChibiOS/Util.cpp), zero-padded to 18."""
    raw = b"".join(int(word, 16).to_bytes(4, "little") for word in board_uid.split())
    return raw.ljust(18, b"\x00")


def write_tlog(
    path: str | Path, flight: Flight, *, vehicle_system: int = 1, gcs_system: int = 255
) -> int:
    """Write ``flight`` as a MAVLink tlog; returns the number of frames written."""
    from pymavlink.dialects.v20 import ardupilotmega as mav_dialect

    vehicle = mav_dialect.MAVLink(None, srcSystem=vehicle_system, srcComponent=1)
    gcs = mav_dialect.MAVLink(None, srcSystem=gcs_system, srcComponent=190)
    out: list[tuple[int, int, bytes]] = []  # (time_us, order, frame)

    def put(ts_us: int, frame: bytes) -> None:
        out.append((ts_us, len(out), frame))

    s = flight.samples
    t_us = [_us(t) for t in s["time_utc"]]
    home = flight.home
    boot = t_us[0] - 50_000_000
    pwm = servo_outputs(flight)
    prev_mode, prev_armed = None, False
    for i, row in enumerate(s.itertuples(index=False)):
        now = t_us[i]
        ms = (now - boot) // 1000
        lat7, lon7 = round(row.lat * 1e7), round(row.lon * 1e7)
        put(
            now,
            vehicle.global_position_int_encode(
                ms,
                lat7,
                lon7,
                round(row.alt_amsl_m * 1000),
                round(row.alt_rel_m * 1000),
                round(row.vn * 100),
                round(row.ve * 100),
                round(-row.vu * 100),
                round(row.heading_deg * 100) % 36000,
            ).pack(vehicle),
        )
        put(
            now + 300,
            vehicle.attitude_encode(ms, 0.01, -0.02, math.radians(row.heading_deg), 0, 0, 0).pack(
                vehicle
            ),
        )
        if i % 2 == 0:
            put(
                now + 600,
                vehicle.gps_raw_int_encode(
                    (now - 0),
                    3,
                    lat7,
                    lon7,
                    round(row.alt_amsl_m * 1000),
                    90,
                    140,
                    round(row.ground_speed_ms * 100),
                    round(row.heading_deg * 100) % 36000,
                    14,
                ).pack(vehicle),
            )
        if i % 3 == 0:
            put(
                now + 800,
                vehicle.vfr_hud_encode(
                    row.ground_speed_ms,
                    row.ground_speed_ms,
                    round(row.heading_deg) % 360,
                    45 if row.armed else 0,
                    row.alt_amsl_m,
                    row.vu,
                ).pack(vehicle),
            )
        if i % 2 == 0:
            # SERVO_OUTPUT_RAW at 5 Hz, 16 outputs (9-16 are MAVLink 2 extensions).
            put(
                now + 900,
                vehicle.servo_output_raw_encode(
                    ms * 1000 % 2**32, 0, *(int(v) for v in pwm[i])
                ).pack(vehicle),
            )
        if i % HZ == 0:
            base = 1 | (128 if row.armed else 0) | 4 | 8 | 16
            # Vehicle HEARTBEAT as MAVLink 1 every other second: logs mix both versions.
            put(
                now + 100,
                vehicle.heartbeat_encode(2, 3, base, MODES[row.mode], 4 if row.armed else 3).pack(
                    vehicle, force_mavlink1=(i // HZ) % 2 == 0
                ),
            )
            # The ground station's own heartbeat: type 6 (GCS), autopilot 8, never armed.
            put(now + 400, gcs.heartbeat_encode(6, 8, 0, 0, 0).pack(gcs))
            put(
                now + 450,
                gcs.global_position_int_encode(
                    ms,
                    round(flight.pilot[0] * 1e7),
                    round(flight.pilot[1] * 1e7),
                    round((home[2] + 1.5) * 1000),
                    1500,
                    0,
                    0,
                    0,
                    65535,
                ).pack(gcs),
            )
            put(
                now + 500,
                vehicle.sys_status_encode(
                    0,
                    0,
                    0,
                    300,
                    round(row.voltage_v * 1000),
                    round(row.current_a * 100),
                    round(row.battery_pct),
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                ).pack(vehicle),
            )
        if row.mode != prev_mode and i:
            put(now + 150, vehicle.statustext_encode(6, f"Mode {row.mode}".encode()).pack(vehicle))
        if row.armed != prev_armed:
            text = b"Arming motors" if row.armed else b"Disarming motors"
            put(now + 160, vehicle.statustext_encode(6, text).pack(vehicle))
            if row.armed:
                put(
                    now + 170,
                    vehicle.home_position_encode(
                        round(home[0] * 1e7),
                        round(home[1] * 1e7),
                        round(home[2] * 1000),
                        0,
                        0,
                        0,
                        [1, 0, 0, 0],
                        0,
                        0,
                        0,
                    ).pack(vehicle),
                )
        prev_mode, prev_armed = row.mode, row.armed
    # Mission upload at the start (GCS -> vehicle), parameters, a parameter change.
    start = t_us[0]
    put(start + 1000, gcs.mission_count_encode(vehicle_system, 1, len(flight.mission)).pack(gcs))
    for item in flight.mission:
        put(
            start + 2000 + item["seq"] * 100,
            gcs.mission_item_int_encode(
                vehicle_system,
                1,
                item["seq"],
                item["frame"],
                item["command"],
                0,
                1,
                item.get("param1", 0.0),
                item.get("param2", 0.0),
                0.0,
                0.0,
                round(item["lat"] * 1e7),
                round(item["lon"] * 1e7),
                item["alt"],
            ).pack(gcs),
        )
    for k, (name, value) in enumerate(
        (("WPNAV_SPEED", 1000.0), ("RTL_ALT", 1500.0), ("FENCE_ENABLE", 1.0), *SERVO_PARAMS)
    ):
        put(
            start + 5000 + k * 50,
            vehicle.param_value_encode(name.encode(), value, 9, 300, k).pack(vehicle),
        )
    put(start + 6000, gcs.param_set_encode(vehicle_system, 1, b"FENCE_ENABLE", 0.0, 9).pack(gcs))
    put(start + 6100, vehicle.param_value_encode(b"FENCE_ENABLE", 0.0, 9, 300, 2).pack(vehicle))
    put(
        start + 7000,
        vehicle.autopilot_version_encode(
            0,
            (4 << 24) | (5 << 16) | (7 << 8) | 255,
            0,
            0,
            0,
            list(b"c0ffee12"),
            [0] * 8,
            [0] * 8,
            0x1209,
            0x5741,
            0,  # uid: ArduPilot sends 0 and the board id in uid2 (GCS_Common.cpp)
            list(_uid2(flight.board_uid)),
        ).pack(vehicle),
    )
    # The drop: mission items reached, the gripper command and its acknowledgement.
    key = flight.key
    rel = _us(pd.Timestamp(key["release_utc"]))
    put(
        _us(pd.Timestamp(key["hover_start_utc"])) + 50,
        vehicle.mission_item_reached_encode(4).pack(vehicle),
    )
    put(rel, gcs.command_long_encode(vehicle_system, 1, 211, 0, 1.0, 0.0, 0, 0, 0, 0, 0).pack(gcs))
    put(rel + 20_000, vehicle.command_ack_encode(211, 0).pack(vehicle))
    put(rel + 30_000, vehicle.statustext_encode(6, b"Gripper load released").pack(vehicle))
    # Mission item 5 (DO_GRIPPER) completes in AUTO: ArduPilot reports it reached.
    put(rel + 40_000, vehicle.mission_item_reached_encode(5).pack(vehicle))
    out.sort()
    with Path(path).open("wb") as fh:
        for ts, _, frame in out:
            fh.write(struct.pack(">Q", ts))
            fh.write(frame)
    return len(out)


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
    structs = {name: (t, _df_struct(fmt)) for t, name, fmt, _ in _DF_LEGACY_FORMATS}
    buf = io.BytesIO()

    def rec(name: str, *values: Any) -> None:
        msg_type, st = structs[name]
        buf.write(b"\xa3\x95" + bytes([msg_type]) + st.pack(*values))

    for msg_type, name, fmt, cols in _DF_LEGACY_FORMATS:
        rec("FMT", msg_type, 3 + _df_struct(fmt).size, name.encode(), fmt.encode(), cols.encode())
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


def tlog_frames(buf: bytes) -> list[bytes]:
    """A clean tlog cut into its records (8-byte stamp + frame), by the frames' length bytes:
    MAVLink 1 ``0xFE len`` + 8 bytes, MAVLink 2 ``0xFD len incompat`` + 12 (+ 13 signed)."""
    out, pos = [], 0
    while pos < len(buf):
        stx, plen = buf[pos + 8], buf[pos + 9]
        total = plen + (8 if stx == 0xFE else 12 + (13 if buf[pos + 10] & 1 else 0))
        out.append(buf[pos : pos + 8 + total])
        pos += 8 + total
    return out


# What ground stations write into a tlog besides frames (MAVProxy, Mission Planner consoles).
CONSOLE_LINES = (
    b"MAVProxy: link 1 down\r\n",
    b"Got COMMAND_ACK: NAV_TAKEOFF: ACCEPTED\n",
    b"APM: EKF3 IMU0 is using GPS\r\n",
    b"Mode GUIDED\n",
)


def add_foreign_bytes(
    buf: bytes, *, leading: bytes = b"", every: int = 0, seed: int = 0
) -> tuple[bytes, dict[str, int]]:
    """``buf`` (a clean tlog) with ``leading`` bytes before the first frame and, every
    ``every`` frames, a console line, a partial frame (a stamp and the first bytes of another
    frame, as a link drop leaves) or random bytes. Returns the bytes and the answer key:
    ``frames`` (all still there), ``foreign_bytes`` (inserted), ``chunks``."""
    rng = np.random.default_rng(seed)
    frames = tlog_frames(buf)
    out = bytearray(leading)
    foreign, chunks = len(leading), int(bool(leading))
    for i, record in enumerate(frames):
        out += record
        if every and i % every == every - 1 and i < len(frames) - 1:
            kind = int(rng.integers(3))
            if kind == 0:
                chunk = CONSOLE_LINES[int(rng.integers(len(CONSOLE_LINES)))]
            elif kind == 1:
                other = frames[int(rng.integers(len(frames)))]
                chunk = other[: int(rng.integers(9, len(other)))]
            else:
                chunk = rng.integers(0, 256, int(rng.integers(1, 40)), dtype=np.uint8).tobytes()
            out += chunk
            foreign += len(chunk)
            chunks += 1
    return bytes(out), {"frames": len(frames), "foreign_bytes": foreign, "chunks": chunks}


def write_noisy_tlog(
    path: str | Path,
    flight: Flight,
    *,
    leading: bytes = CONSOLE_LINES[0],
    every: int = 200,
    seed: int = 0,
) -> dict[str, int]:
    """:func:`write_tlog` then :func:`add_foreign_bytes`; returns the answer key."""
    clean = Path(path).with_suffix(".clean.tmp")
    write_tlog(clean, flight)
    data, key = add_foreign_bytes(clean.read_bytes(), leading=leading, every=every, seed=seed)
    clean.unlink()
    Path(path).write_bytes(data)
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


def _df_struct(fmt: str) -> struct.Struct:
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
    structs = {name: (msg_type, _df_struct(fmt)) for msg_type, name, fmt, _ in formats}
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
        length = 3 + _df_struct(fmt).size
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
    grab_at = _sample_index(flight, flight.key["grab_servo"]["time_utc"])
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


# ----------------------------------------------------------------------------- SRT


def write_srt(
    path: str | Path, flight: Flight, *, zone: str = "Europe/Madrid", every: int = 1
) -> int:
    """DJI bracket-dialect subtitles, one block per ``every`` samples, local wall times."""
    s = flight.samples.iloc[::every].reset_index(drop=True)
    local = s["time_utc"].dt.tz_convert(zone).dt.tz_localize(None)
    lines: list[str] = []
    t0 = s["time_utc"].iloc[0]
    for i, row in s.iterrows():
        a = (row["time_utc"] - t0).total_seconds()
        b = a + every / HZ
        stamp = local.iloc[i].strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        lines += [
            str(i + 1),
            f"{_tc(a)} --> {_tc(b)}",
            f'<font size="28">FrameCnt: {i + 1}, DiffTime: {round(every * 1000 / HZ)}ms',
            stamp,
            f"[iso: 100] [shutter: 1/1000.0] [fnum: 2.8] [ev: 0] [color_md: default] "
            f"[focal_len: 24.00] [latitude: {row['lat']:.6f}] [longitude: {row['lon']:.6f}] "
            f"[rel_alt: {row['alt_rel_m']:.3f} abs_alt: {row['alt_amsl_m']:.3f}] "
            "[ct: 5500] </font>",
            "",
        ]
    Path(path).write_text("\n".join(lines), encoding="utf-8")
    return len(s)


def _tc(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


# ----------------------------------------------------------------------------- photos

_ASCII, _SHORT, _LONG, _RATIONAL, _BYTE = 2, 3, 4, 5, 1


def _rational(value: float, den: int = 10_000) -> tuple[int, int]:
    return round(value * den), den


def _dms(value: float) -> list[tuple[int, int]]:
    value = abs(value)
    deg = int(value)
    minutes = int((value - deg) * 60)
    seconds = (value - deg - minutes / 60) * 3600
    return [(deg, 1), (minutes, 1), _rational(seconds, 1_000_000)]


def _ifd(entries: list[tuple[int, int, Any]], start: int) -> tuple[bytes, list[int]]:
    """A little-endian TIFF IFD at ``start``; returns bytes and the offsets of LONG values."""
    entries = sorted(entries, key=lambda e: e[0])
    head = struct.pack("<H", len(entries))
    data = b""
    data_at = start + 2 + 12 * len(entries) + 4
    body = b""
    for tag, kind, value in entries:
        if kind == _ASCII:
            raw = value.encode() + b"\x00"
            count = len(raw)
        elif kind == _RATIONAL:
            raw = b"".join(struct.pack("<II", n, d) for n, d in value)
            count = len(value)
        elif kind == _BYTE:
            raw = bytes(value)
            count = len(raw)
        elif kind == _SHORT:
            raw = struct.pack("<H", value) + b"\x00\x00"
            count = 1
        else:  # LONG
            raw = struct.pack("<I", value)
            count = 1
        if len(raw) <= 4:
            field_value = raw.ljust(4, b"\x00")
        else:
            field_value = struct.pack("<I", data_at + len(data))
            data += raw + (b"\x00" if len(raw) % 2 else b"")
        body += struct.pack("<HHI", tag, kind, count) + field_value
    return head + body + b"\x00\x00\x00\x00" + data, []


def jpeg_with_exif(
    *,
    lat: float | None = None,
    lon: float | None = None,
    alt_m: float | None = None,
    local_time: str | None = None,
    offset: str | None = None,
    gps_utc: pd.Timestamp | None = None,
    make: str | None = "DJI",
    model: str | None = "FC3582",
    serial: str | None = "1SDEX7Z0030AB1",
    dji: dict[str, float] | None = None,
    misspelt: bool = True,
    color: tuple[int, int, int] = (90, 120, 60),
) -> bytes:
    """A small real JPEG with EXIF (GPS, DateTimeOriginal, OffsetTimeOriginal, camera) and XMP.

    Every tag is optional (None leaves it out; no GPS IFD without ``lat``/``lon``, no XMP
    without ``dji``): the one EXIF writer of the kit, used by the drone and phone cases.
    Layout: CIPA DC-008 (Exif 2.32) TIFF IFD0 -> Exif IFD (0x8769) and GPS IFD (0x8825);
    GPSVersionID 2.3, GPSLatitudeRef/GPSLongitudeRef N/S/E/W, GPSAltitudeRef 1 below sea
    level, DateTimeOriginal 0x9003, OffsetTimeOriginal 0x9011, BodySerialNumber 0xA431.
    """
    from PIL import Image

    gps_entries: list[tuple[int, int, Any]] = []
    if lat is not None and lon is not None:
        gps_entries = [
            (0x0000, _BYTE, [2, 3, 0, 0]),
            (0x0001, _ASCII, "N" if lat >= 0 else "S"),
            (0x0002, _RATIONAL, _dms(lat)),
            (0x0003, _ASCII, "E" if lon >= 0 else "W"),
            (0x0004, _RATIONAL, _dms(lon)),
        ]
        if alt_m is not None:
            gps_entries += [
                (0x0005, _BYTE, [0 if alt_m >= 0 else 1]),
                (0x0006, _RATIONAL, [_rational(abs(alt_m), 1000)]),
            ]
    if gps_utc is not None:
        sec = gps_utc.second + gps_utc.microsecond / 1e6
        gps_entries += [
            (0x0007, _RATIONAL, [(gps_utc.hour, 1), (gps_utc.minute, 1), _rational(sec, 1000)]),
            (0x001D, _ASCII, gps_utc.strftime("%Y:%m:%d")),
        ]
    exif_entries: list[tuple[int, int, Any]] = []
    if local_time:
        exif_entries.append((0x9003, _ASCII, local_time))
    if serial:
        exif_entries.append((0xA431, _ASCII, serial))
    if offset:
        exif_entries.append((0x9011, _ASCII, offset))
    camera: list[tuple[int, int, Any]] = []
    if make:
        camera.append((0x010F, _ASCII, make))
    if model:
        camera.append((0x0110, _ASCII, model))
    pointers = [(0x8769, _LONG, 0)] if exif_entries else []
    pointers += [(0x8825, _LONG, 0)] if gps_entries else []
    # Layout: TIFF header (8) | IFD0 | Exif IFD | GPS IFD; IFD0 size is known once built.
    probe, _ = _ifd([*camera, *pointers], 8)
    exif_at = 8 + len(probe)
    exif_ifd = _ifd(exif_entries, exif_at)[0] if exif_entries else b""
    gps_at = exif_at + len(exif_ifd)
    gps_ifd = _ifd(gps_entries, gps_at)[0] if gps_entries else b""
    final = [(0x8769, _LONG, exif_at)] if exif_entries else []
    final += [(0x8825, _LONG, gps_at)] if gps_entries else []
    ifd0, _ = _ifd([*camera, *final], 8)
    tiff = b"II*\x00" + struct.pack("<I", 8) + ifd0 + exif_ifd + gps_ifd
    segments_data = [b"Exif\x00\x00" + tiff]
    if dji is not None:
        attrs = ""
        for key, value in dji.items():
            name = "GpsLongtitude" if (key == "GpsLongitude" and misspelt) else key
            attrs += f'\n    drone-dji:{name}="{value:+.7f}"'
        xmp = (
            '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            f'<rdf:Description rdf:about="DJI Meta Data" xmlns:drone-dji="http://www.dji.com/drone-dji/1.0/"{attrs}/>'
            '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
        ).encode()
        segments_data.append(b"http://ns.adobe.com/xap/1.0/\x00" + xmp)
    image = io.BytesIO()
    Image.new("RGB", (16, 12), color).save(image, "JPEG", quality=80)
    jpeg = image.getvalue()
    segments = b"".join(b"\xff\xe1" + struct.pack(">H", len(p) + 2) + p for p in segments_data)
    return jpeg[:2] + segments + jpeg[2:]


def write_photo(
    path: str | Path,
    *,
    lat: float,
    lon: float,
    alt_m: float,
    local_time: str,
    offset: str | None,
    gps_utc: pd.Timestamp | None = None,
    make: str = "DJI",
    model: str = "FC3582",
    serial: str = "1SDEX7Z0030AB1",
    dji: dict[str, float] | None = None,
    misspelt: bool = True,
) -> None:
    """Write :func:`jpeg_with_exif` to ``path`` (a drone photo: GPS, time, camera, DJI XMP)."""
    Path(path).write_bytes(
        jpeg_with_exif(
            lat=lat,
            lon=lon,
            alt_m=alt_m,
            local_time=local_time,
            offset=offset,
            gps_utc=gps_utc,
            make=make,
            model=model,
            serial=serial,
            dji=dji or {},
            misspelt=misspelt,
        )
    )


# ----------------------------------------------------------------------------- the case


@dataclass(frozen=True)
class DroneCase:
    root: Path
    key: dict[str, Any]


def make_drone_case(out: str | Path, seed: int = 0, *, zone: str = "Europe/Madrid") -> DroneCase:
    """Write flight.tlog, flight.bin, DJI_0001.SRT, photos/, perimeter.geojson, answer_key.json."""
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    flight = simulate_flight(seed)
    key = dict(flight.key)
    key["version"] = DRONE_VERSION
    key["zone"] = zone
    key["tlog_frames"] = write_tlog(root / "flight.tlog", flight)
    key["dataflash_records"] = write_dataflash(root / "flight.bin", flight)
    key["srt_blocks"] = write_srt(root / "DJI_0001.SRT", flight, zone=zone, every=HZ)
    perimeter = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "HMP Example yard perimeter (invented)"},
                "geometry": {"type": "Polygon", "coordinates": [flight.perimeter]},
            }
        ],
    }
    (root / "perimeter.geojson").write_text(json.dumps(perimeter, indent=1))
    photos = root / "photos"
    photos.mkdir(exist_ok=True)
    s = flight.samples
    rel_idx = int(np.searchsorted(s["time_utc"], pd.Timestamp(key["release_utc"])))
    shots = []
    for n, idx in enumerate((rel_idx - 50, rel_idx, rel_idx + 50)):
        row = s.iloc[idx]
        local = row["time_utc"].tz_convert(zone)
        offset = local.strftime("%z")
        offset = f"{offset[:3]}:{offset[3:]}"
        name = f"DJI_{n + 1:04d}.JPG"
        write_photo(
            photos / name,
            lat=row["lat"],
            lon=row["lon"],
            alt_m=row["alt_amsl_m"],
            local_time=local.strftime("%Y:%m:%d %H:%M:%S"),
            offset=offset,
            gps_utc=row["time_utc"].floor("s"),
            dji={
                "GpsLatitude": row["lat"],
                "GpsLongitude": row["lon"],
                "AbsoluteAltitude": row["alt_amsl_m"],
                "RelativeAltitude": row["alt_rel_m"],
                "GimbalPitchDegree": -90.0,
                "FlightYawDegree": row["heading_deg"] - 360 * (row["heading_deg"] > 180),
            },
        )
        shots.append(
            {
                "file": name,
                "time_utc": _iso(row["time_utc"].floor("s")),
                "lat": row["lat"],
                "lon": row["lon"],
            }
        )
    key["photos"] = shots
    key["perimeter"] = flight.perimeter
    (root / "answer_key.json").write_text(json.dumps(key, indent=1, default=str))
    return DroneCase(root, key)
