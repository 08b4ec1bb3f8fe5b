"""Synthetic DJI flight records (``DJIFlightRecord_*.txt``) with an answer key.

Writes the layout lvauvillier/dji-log-parser reads (``src/layout/prefix.rs``,
``layout/details.rs``, ``layout/auxiliary.rs``, ``record/*.rs``, ``decoder.rs``):

* versions 1-5: a 12-byte prefix (``prefix.rs`` ``OLD_PREFIX_SIZE``), plain records (no XOR:
  ``decoder.rs`` reads versions 0..=6 raw), optional JPEG thumbnails among them, then the
  old Details layout (``details.rs`` ``seek_before = if version <= 5``; mikeemoo/dji-log-parser
  ``lib/model/details.js``) padded to 400 bytes, the ``detail_length`` of the real v4 file
  in ``../shared/samples/drone``;
* version 6: the 100-byte prefix, plain records, then the Details block;
* versions 7-11: prefix, XOR-scrambled records, then the Details block at ``detail_offset``;
* version 12: prefix, Details (padded to 436 bytes), records to the end of the file;
* versions 13-14: prefix, auxiliary Info block (Details, XOR with record type 0), auxiliary
  Version block, then records whose bytes stand in for AES ciphertext (this writer has no DJI
  keys: the records are opaque on purpose, as they are to any reader without the keychain).

The XOR key is computed here on its own, bit by bit and unreflected as the crc64 crate's
``crc64_trivial`` does (badboy/crc64-rs ``src/lib.rs``), not with the reader's table-driven
reflected code, so a round trip checks one implementation against the other.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DJIFlight",
    "crc64_bitwise",
    "details_bytes",
    "old_details_bytes",
    "simple_dji_flight",
    "write_dji_txt",
    "xor_key",
]

_DETAILS = struct.Struct("<20s20s20s20sBBBiiqddfifffiq4i4i4d4dq16sfBq32s16s16s16s16sB3B")
_OSD = struct.Struct("<dd7h6B4BBBHBHBBB")


@dataclass
class DJIFlight:
    """What the writer puts in, which is also the answer key."""

    start_ms: int
    home: tuple[float, float, float]  # lat, lon (deg), alt AMSL (m)
    aircraft_name: str = "PRISON RUN"
    aircraft_serial: str = "1SDEX7Z0030AB1"
    camera_serial: str = "CAM0030AB1"
    rc_serial: str = "RC0030AB1XYZ"
    battery_serial: str = "BAT0030AB1"
    product_type: int = 67  # details.rs: Mavic Air 2
    app_platform: int = 2  # Android
    app_version: tuple[int, int, int] = (4, 3, 54)
    place: tuple[str, str, str, str] = ("", "Camino Viejo", "Villanueva", "Castilla")
    # one row per 0.1 s frame: t_ms, lat, lon, height_m, vn, ve, vu (m/s, up; optional),
    # yaw_deg, sats, battery_pct, voltage_v, mode (osd.rs FlightMode number), motors (bool)
    frames: pd.DataFrame = field(default_factory=pd.DataFrame)
    app_gps: list[tuple[int, float, float]] = field(default_factory=list)  # frame, lat, lon
    # frame, raw latitude, raw longitude of RC_GPS records (rc_gps.rs: i32, unit unknown)
    rc_gps: list[tuple[int, int, int]] = field(default_factory=list)
    tips: list[tuple[int, str]] = field(default_factory=list)  # frame index, text
    warns: list[tuple[int, str]] = field(default_factory=list)

    def key(self) -> dict[str, Any]:
        return {
            "start_utc": pd.Timestamp(self.start_ms, unit="ms", tz="UTC").isoformat(),
            "home": {"lat": self.home[0], "lon": self.home[1], "alt_m": self.home[2]},
            "aircraft_name": self.aircraft_name,
            "aircraft_serial": self.aircraft_serial,
            "camera_serial": self.camera_serial,
            "rc_serial": self.rc_serial,
            "battery_serial": self.battery_serial,
            "track_points": len(self.frames),
        }


_POLY = 0xAD93D23594C935A9  # crc64-rs: Jones polynomial, normal form
_MASK = (1 << 64) - 1


def _reflect64(x: int) -> int:
    return int(f"{x:064b}"[::-1], 2)


def crc64_bitwise(data: bytes, crc: int = 0) -> int:
    """crc64-rs ``crc64(crc, data)`` computed bit by bit (``crc64_trivial`` per byte)."""
    reg = _reflect64(crc)  # the crate's register is reflected; work unreflected here
    for byte in data:
        for i in range(8):  # bits fed least significant first (refin)
            bit = bool(reg >> 63) ^ bool(byte >> i & 1)
            reg = (reg << 1) & _MASK
            if bit:
                reg ^= _POLY
    return _reflect64(reg)


def xor_key(seed: int, record_type: int) -> bytes:
    """decoder.rs XorDecoder::new: crc64(seed + type, (0x123456789ABCDEF0 * seed) LE)."""
    data = ((0x123456789ABCDEF0 * seed) & _MASK).to_bytes(8, "little")
    return crc64_bitwise(data, (seed + record_type) & 0xFF).to_bytes(8, "little")


def xor_bytes(data: bytes, key: bytes) -> bytes:
    return bytes(b ^ key[i % 8] for i, b in enumerate(data))


def _fixed(text: str, size: int) -> bytes:
    return text.encode("utf-8")[:size].ljust(size, b"\x00")


def details_bytes(f: DJIFlight) -> bytes:
    """The 380-byte Details block (``layout/details.rs``, versions 6+)."""
    return _DETAILS.pack(
        *(_fixed(p, 20) for p in f.place),
        0, 1, 0,  # is_favorite, is_new, needs_upload
        len(f.frames), 0,  # record_line_count, detail_info_checksum
        f.start_ms, f.home[1], f.home[0],  # start (Unix ms), longitude, latitude (degrees)
        0.0, int(len(f.frames) * 100), 0.0, 0.0, 0.0,  # distance, time (ms), max h/hs/vs
        0, 0,  # capture_num, video_time
        *([0] * 8), *([0.0] * 8),  # moment pics
        0, b"\x00" * 16,  # analysis_offset, md5
        f.home[2], f.product_type, 0,  # take_off_altitude, product_type, activation
        _fixed(f.aircraft_name, 32), _fixed(f.aircraft_serial, 16), _fixed(f.camera_serial, 16),
        _fixed(f.rc_serial, 16), _fixed(f.battery_serial, 16),
        f.app_platform, *f.app_version,
    )  # fmt: skip


def old_details_bytes(f: DJIFlight) -> bytes:
    """The Details block of versions 1-5, padded to 400 bytes: the first 147 bytes as in
    :func:`details_bytes`, then aircraft serial at 267 (10 bytes), product type 277, aircraft
    name 278 (24), camera / RC / battery serials 318 / 328 / 338 (10 each), app platform 348,
    app version 349-351, take-off altitude 352 (f32) (``details.rs`` version <= 5)."""
    head = details_bytes(f)[:147]
    out = bytearray(head.ljust(400, b"\x00"))

    def put(at: int, raw: bytes) -> None:
        out[at : at + len(raw)] = raw

    put(267, _fixed(f.aircraft_serial, 10))
    put(277, bytes([f.product_type]))
    put(278, _fixed(f.aircraft_name, 24))
    put(318, _fixed(f.camera_serial, 10))
    put(328, _fixed(f.rc_serial, 10))
    put(338, _fixed(f.battery_serial, 10))
    put(348, bytes([f.app_platform, *f.app_version]))
    put(352, struct.pack("<f", f.home[2]))
    return bytes(out)


# A minimal JPEG (SOI, a COM segment, EOI) standing for the thumbnails DJI GO put among the
# records of early versions (utils.rs read_jpeg reads from FF D8 to FF D9).
THUMBNAIL = b"\xff\xd8\xff\xfe\x00\x0bthumbnail\xff\xd9"


def _record(rtype: int, content: bytes, version: int, seed: int) -> bytes:
    """type, length, [seed + XOR-scrambled] content, 0xFF (``record/mod.rs``,
    ``decoder.rs``: versions up to 6 are written plain, with no seed byte)."""
    if version <= 6:
        if len(content) > 255:
            raise ValueError("record too long for a one-byte length")
        return bytes([rtype, len(content)]) + content + b"\xff"
    payload = bytes([seed]) + xor_bytes(content, xor_key(seed, rtype))
    if version >= 13:
        return bytes([rtype]) + struct.pack("<H", len(payload)) + payload + b"\xff"
    if len(payload) > 255:
        raise ValueError("record too long for a one-byte length (versions up to 12)")
    return bytes([rtype, len(payload)]) + payload + b"\xff"


def _osd(row: Any, version: int) -> bytes:
    """An OSD record: 50 bytes, 48 in format version 1 and 49 in 2 (osd.rs: drone_type
    from version 2, imu_init_fail_reason from 3)."""
    bitpack2 = 0x08 if row.motors else 0  # osd.rs: is_motor_up
    bitpack2 |= 0x04 if row.height_m > 0.5 else 0  # ground_or_sky: sky
    return _OSD.pack(
        math.radians(row.lon), math.radians(row.lat),
        round(row.height_m * 10), round(row.vn * 10), round(row.ve * 10),
        round(-getattr(row, "vu", 0.0) * 10),  # speed_z: NED, positive down
        0, 0, round(((row.yaw_deg + 180) % 360 - 180) * 10),
        int(row.mode) & 0x7F, 0, bitpack2, 0x80, 0, 0,  # bitpack3 0x80: GPS valid
        int(row.sats), 0, 0, 0,
        int(row.battery_pct), 0, int(row.t_ms // 100) & 0xFFFF, 0, 0, 0, 0, 0,
    )[: 48 + min(max(version - 1, 0), 2)]  # fmt: skip


def _home(f: DJIFlight) -> bytes:
    # home.rs: longitude, latitude (radians), altitude f32 (dm), bitpacks, go_home_height ...
    return struct.pack(
        "<ddfBBHhBBHH5sf",
        math.radians(f.home[1]), math.radians(f.home[0]), f.home[2] * 10,
        1, 0, 30, 0, 0, 0, 0, 1, b"\x00" * 5, 120.0,
    )  # fmt: skip


def _records(f: DJIFlight, version: int, rng: np.random.Generator) -> bytes:
    out = bytearray()
    app = {i: (lat, lon) for i, lat, lon in f.app_gps}
    tips: dict[int, list[str]] = {}
    warns: dict[int, list[str]] = {}
    for i, text in f.tips:
        tips.setdefault(i, []).append(text)
    for i, text in f.warns:
        warns.setdefault(i, []).append(text)

    def seed() -> int:
        return int(rng.integers(0, 256))

    for i, row in enumerate(f.frames.itertuples(index=False)):
        out += _record(1, _osd(row, version), version, seed())
        out += _record(2, _home(f), version, seed())
        custom = struct.pack("<BBffq", 0, 0, 0.0, 0.0, f.start_ms + int(row.t_ms))
        out += _record(5, custom, version, seed())  # custom.rs: update_time_stamp
        battery = struct.pack("<BH", int(row.battery_pct), round(row.voltage_v * 1000))
        out += _record(7, battery + b"\x00" * 25, version, seed())  # center_battery.rs
        if i in app:
            lat, lon = app[i]
            out += _record(14, struct.pack("<dd", lon, lat), version, seed())  # app_gps.rs
        for _, raw_lat, raw_lon in (g for g in f.rc_gps if g[0] == i):
            # rc_gps.rs: hour, minute, second u8, year u16, month, day u8, latitude,
            # longitude, speed_x, speed_y i32, gps_num u8, accuracy f32, valid_data u16
            rc = struct.pack(
                "<BBBHBBiiiiBfH", 21, 30, 0, 2024, 6, 14, raw_lat, raw_lon, 0, 0, 9, 2.5, 1
            )
            out += _record(11, rc, version, seed())
        for text in tips.get(i, []):
            out += _record(9, text.encode("utf-8") + b"\x00", version, seed())
        for text in warns.get(i, []):
            out += _record(10, text.encode("utf-8") + b"\x00", version, seed())
    return bytes(out)


def _prefix(detail_offset: int, detail_length: int, version: int) -> bytes:
    # prefix.rs: detail_offset u64, detail_length u16, version u8, unknown u8,
    # encrypt_magic_version u64, reserved[80]
    return struct.pack("<QHBBQ", detail_offset, detail_length, version, 0, 0).ljust(100, b"\0")


def write_dji_txt(
    path: str | Path,
    flight: DJIFlight,
    *,
    version: int = 11,
    seed: int = 0,
    thumbnails: int = 0,
) -> int:
    """Write ``flight`` as a DJI flight record of ``version`` (1-14); returns bytes written.

    ``thumbnails`` JPEG images are put after the records of versions 1-6 (where the early
    apps kept them).
    """
    if not 1 <= version <= 14:
        raise ValueError("this writer makes versions 1 to 14")
    rng = np.random.default_rng(seed)
    details = details_bytes(flight)
    if version <= 5:
        records = _records(flight, version, rng) + THUMBNAIL * thumbnails
        old = old_details_bytes(flight)
        head = struct.pack("<QHBB", 12 + len(records), len(old), version, 0)
        data = head + records + old
    elif version == 6:
        records = _records(flight, version, rng) + THUMBNAIL * thumbnails
        data = _prefix(100 + len(records), len(details), version) + records + details
    elif version <= 11:
        records = _records(flight, version, rng)
        data = _prefix(100 + len(records), len(details), version) + records + details
    elif version == 12:
        records = _records(flight, version, rng)
        data = _prefix(100 + 436 + len(records), 436, version) + details.ljust(436, b"\0")
        data += records
    else:
        s = int(rng.integers(0, 256))
        # auxiliary.rs AuxiliaryInfo: version_data u8, info_length u16, info, sig_len u16, sig
        info = bytes([1]) + struct.pack("<H", len(details)) + details + struct.pack("<H", 0)
        aux_info = bytes([s]) + xor_bytes(info, xor_key(s, 0))
        block1 = b"\x00" + struct.pack("<H", len(aux_info)) + aux_info
        block2 = b"\x01" + struct.pack("<H", 3) + struct.pack("<HB", 1, 3)  # version, DJI Fly
        opaque = rng.integers(0, 256, size=64 * max(1, len(flight.frames)), dtype=np.uint8)
        records = bytearray()
        for chunk in range(0, len(opaque), 64):
            body = bytes(opaque[chunk : chunk + 64])
            records += bytes([1]) + struct.pack("<H", len(body)) + body + b"\xff"
        offset = 100 + len(block1) + len(block2)
        data = _prefix(offset, len(block1) + len(block2), version) + block1 + block2
        data += bytes(records)
    Path(path).write_bytes(data)
    return len(data)


def simple_dji_flight(seed: int = 0, n: int = 120) -> DJIFlight:
    """A short flight (0.1 s frames): motors on, climb to 30 m, fly north-east, land."""
    rng = np.random.default_rng(seed)
    home = (40.2120 + rng.uniform(-0.01, 0.01), -3.8710 + rng.uniform(-0.01, 0.01), 612.5)
    t = np.arange(n) * 100
    phase = np.linspace(0, 1, n)
    height = np.round(np.clip(np.sin(phase * np.pi) * 40, 0, 30), 1)
    height[:5] = height[-5:] = 0.0
    north = 150 * np.sin(phase * np.pi / 2) ** 2
    east = 80 * phase
    lat = home[0] + np.degrees(north / 6_371_008.8)
    lon = home[1] + np.degrees(east / (6_371_008.8 * math.cos(math.radians(home[0]))))
    frames = pd.DataFrame(
        {
            "t_ms": t,
            "lat": lat,
            "lon": lon,
            "height_m": height,
            "vn": np.round(np.gradient(north, 0.1), 1),
            "ve": np.round(np.gradient(east, 0.1), 1),
            "vu": np.round(np.gradient(height, 0.1), 1),
            "yaw_deg": np.round(np.degrees(np.arctan2(80, 150)), 1) * np.ones(n),
            "sats": np.full(n, 17),
            "battery_pct": np.linspace(95, 88, n).round(),
            "voltage_v": np.linspace(12.6, 12.1, n).round(3),
            "mode": np.where(height > 0, 6, 4),  # GPSAtti in the air, Hover on the ground
            "motors": np.r_[np.zeros(2, bool), np.ones(n - 4, bool), np.zeros(2, bool)],
        }
    )
    return DJIFlight(
        start_ms=1_718_400_600_000 + int(rng.integers(0, 1000)) * 1000,
        home=home,
        frames=frames,
        app_gps=[(i, home[0] - 0.0004, home[1] - 0.0003) for i in range(0, n, 10)],
        tips=[(3, "Takeoff"), (n - 3, "Landing")],
        warns=[(n // 2, "Strong interference. Fly with caution")],
    )
