"""MAVLink telemetry logs (.tlog): write_tlog packs the flight's frames with pymavlink, each
behind its 8-byte big-endian Unix-microsecond stamp; write_noisy_tlog (add_foreign_bytes) adds
what ground stations write between frames."""

from __future__ import annotations

import math
import struct
from pathlib import Path

import numpy as np
import pandas as pd

from forensics_datasets.drone.flight import (
    HZ,
    MODES,
    SERVO_PARAMS,
    Flight,
    board_uid2,
    servo_outputs,
    unix_us,
)


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
    t_us = [unix_us(t) for t in s["time_utc"]]
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
            list(board_uid2(flight.board_uid)),
        ).pack(vehicle),
    )
    # The drop: mission items reached, the gripper command and its acknowledgement.
    key = flight.key
    rel = unix_us(pd.Timestamp(key["release_utc"]))
    put(
        unix_us(pd.Timestamp(key["hover_start_utc"])) + 50,
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
