"""The simulated parcel-drop flight every drone writer puts in its own format: simulate_flight (a
quadcopter at 10 Hz in a local east/north/up frame), its answer key, and the helpers the
writers share (sample_index, unix_us, board_uid2, servo_outputs)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forensics_lib.drone.analysis import EARTH_RADIUS_M

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


def to_latlon(
    home: tuple[float, float], east: np.ndarray, north: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    lat = home[0] + np.degrees(north / EARTH_RADIUS_M)
    lon = home[1] + np.degrees(east / (EARTH_RADIUS_M * math.cos(math.radians(home[0]))))
    return lat, lon


def iso_utc(ts: pd.Timestamp) -> str:
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
    lat, lon = to_latlon(
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
    tlat, tlon = to_latlon(home[:2], np.array([target_en[0]]), np.array([target_en[1]]))
    plat, plon = to_latlon(home[:2], np.array([pilot_en[0]]), np.array([pilot_en[1]]))
    ring_en = [target_en + np.array(c) for c in ((-90, -70), (95, -75), (90, 80), (-85, 75))]
    ring = [to_latlon(home[:2], np.array([p[0]]), np.array([p[1]])) for p in ring_en]
    perimeter = [[float(lo[0]), float(la[0])] for la, lo in ring]
    perimeter.append(perimeter[0])
    wp1_lat, wp1_lon = to_latlon(home[:2], np.array([wp1[0]]), np.array([wp1[1]]))
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
        "armed_utc": iso_utc(at("armed")),
        "liftoff_utc": iso_utc(at("liftoff")),
        "touchdown_utc": iso_utc(at("touchdown")),
        "disarmed_utc": iso_utc(at("disarmed")),
        "hover_start_utc": iso_utc(at("hover_start")),
        "hover_end_utc": iso_utc(at("hover_end")),
        "hover_alt_rel_m": hover_alt,
        "release_utc": iso_utc(at("release")),
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
            "time_utc": iso_utc(t0 + pd.Timedelta(seconds=GRAB_AT_S)),
        },
        "release_servo": {
            "channel": GRIPPER_CHANNEL,
            "function": 28,
            "from_pwm": GRIP_GRAB,
            "to_pwm": GRIP_RELEASE,
            "time_utc": iso_utc(at("release")),
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
    grip[sample_index(flight, flight.key["grab_servo"]["time_utc"]) :] = GRIP_GRAB
    grip[sample_index(flight, flight.key["release_servo"]["time_utc"]) :] = GRIP_RELEASE
    out[:, GRIPPER_CHANNEL - 1] = grip
    return out


def sample_index(flight: Flight, when: str) -> int:
    """The sample at a key time (samples are 1/HZ apart from the first)."""
    t0 = flight.samples["time_utc"].iloc[0]
    return round((pd.Timestamp(when) - t0).total_seconds() * HZ)


# ----------------------------------------------------------------------------- tlog


def unix_us(ts: pd.Timestamp) -> int:
    return int(ts.value // 1000)


def board_uid2(board_uid: str) -> bytes:
    """AUTOPILOT_VERSION.uid2 as ArduPilot fills it: the 12 raw UDID bytes (memory order,
    i.e. each printed 32-bit word little-endian; AP_HAL_ChibiOS/Util.cpp), zero-padded to 18."""
    raw = b"".join(int(word, 16).to_bytes(4, "little") for word in board_uid.split())
    return raw.ljust(18, b"\x00")
