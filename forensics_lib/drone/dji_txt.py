"""DJI flight records (``DJIFlightRecord_*.txt`` from DJI GO / DJI Fly).

Layout, as implemented by lvauvillier/dji-log-parser (files cited next to each constant):

* prefix, 100 bytes (``src/layout/prefix.rs``): little-endian ``detail_offset u64,
  detail_length u16, version u8, unknown u8, encrypt_magic_version u64, reserved[80]``;
* where things are (``prefix.rs`` ``info_offset``/``records_offset``/``records_end_offset``
  and the diagrams in ``src/lib.rs``):

  ========  ========================  =======================  ============================
  version   Details block             records                  record scrambling
  ========  ========================  =======================  ============================
  1-5       at ``detail_offset``      12 .. ``detail_offset``   none (``decoder.rs``: 0..=6
            (old layout, see below)   (12-byte prefix only)     raw)
  6         at ``detail_offset``      100 .. ``detail_offset``  none
  7-11      at ``detail_offset``      100 .. ``detail_offset``  XOR (``src/decoder.rs``)
  12        at 100 (436 bytes)        536 .. end of file        XOR
  13-14     aux. Info block at 100    ``detail_offset`` .. end  XOR + AES-256-CBC, keys from
            (XOR only: offline)                                 DJI's keychain service
  ========  ========================  =======================  ============================

  Versions 1-5 write only the first 12 bytes of the prefix (``prefix.rs``
  ``OLD_PREFIX_SIZE``; mikeemoo/dji-log-parser ``lib/index.js``: "packets start at offset
  12"). Their Details block keeps the first 267 bytes of the later layout and then has its
  own offsets (``details.rs`` ``seek_before = if version <= 5``; mikeemoo ``model/details.js``):
  aircraft serial 267 (10 bytes), product type 277, aircraft name 278 (24), camera, RC and
  battery serials 318, 328, 338 (10 each), app platform 348, app version 349-351, take-off
  altitude 352 (f32). The records area may hold JPEG thumbnails (``FF D8`` .. ``FF D9``,
  ``utils.rs read_jpeg``), skipped and counted. A version above 14 has no known layout and is
  reported as not supported, never as "not a DJI flight record".

* the Details block (``src/layout/details.rs``, versions 6+): place names, start time (Unix
  ms), home longitude/latitude (degrees), totals, product type, aircraft name and serials
  (aircraft, camera, RC, battery), app platform and version;
* a record (``src/record/mod.rs``): ``type u8``, ``length`` (u8 up to version 12, u16 from
  13: ``utils.rs read_u16(from_u8 = version <= 12)``), ``length`` bytes of payload, ``0xFF``.
  From version 7 the payload's first byte seeds an 8-byte XOR key for the rest
  (``src/decoder.rs`` ``XorDecoder``): ``key = crc64(seed + type (mod 256),
  (0x123456789ABCDEF0 * seed mod 2**64) as 8 little-endian bytes)`` as 8 little-endian bytes,
  with the crc64 crate 2.0 (badboy/crc64-rs ``src/lib.rs``): CRC-64/REDIS ("Jones"),
  reflected poly 0xAD93D23594C935A9, the ``crc`` argument is the register's start value,
  no final XOR. :func:`crc64_jones` is checked against the catalogue check value.
* after bytes that are no record, :func:`iter_records` resynchronises byte by byte on the
  record types whose length is constant in the file (not on the next 0xFF, as
  ``utils.rs seek_to_next_record`` does, which loses the record after), and reports the
  skipped range in ``bad_frames``.

Records read (``src/record/*.rs``): OSD (1: position in radians, height above home in dm,
speeds, yaw, flight mode, motors, satellites, battery %), HOME (2), CUSTOM (5: the Unix-ms
wall time of the frame), CENTER_BATTERY (7) and SMART_BATTERY (8) voltages, APP_TIP (9),
APP_WARN (10), APP_SERIOUS_WARN (24), APP_GPS (14: the phone's position in degrees), RC_GPS
(11, counted only, see below).

Vertical speed: OSD ``speed_z`` (dm/s) is the z component of a North-East-Down velocity,
positive **down**, so ``climb_ms = -speed_z / 10``. Two DJI sources agree:
dji-sdk/FlightRecordParsingLib ``fr_standardization_flightcontroller_filler.cpp``
(``FillOSDData``: the OSD record's ``speed_x/y/z * 0.1`` become ``Velocity``) with
``fr_standardization_common_interface.h`` (``velocityZ``: "in meters per second, using the
N-E-D (North-East-Down) coordinate system"), and the DJI Mobile SDK reference for the same
state (``DJIFlightControllerState.velocityZ``, "using the N-E-D (North-East-Down) coordinate
system", developer.dji.com). dji-log-parser (``record/osd.rs``, ``frame/osd.rs``) copies
``speed_z`` as "Vertical speed" without stating its sign; djiparsetxt
(``parseRecord_OSD.cpp``) the same.

RC_GPS (record 11) is counted, not converted: its ``latitude``/``longitude`` are ``i32`` with
no unit in dji-log-parser (``record/rc_gps.rs``), and DJI's own FlightRecordParsingLib
(``fr_standardization_rc_hardware_filler.cpp`` ``FillRCGPSData``) passes the raw ``int32_t``
of ``dji_rc_gps_info_push`` (``fr_protocol.h``) unscaled into a coordinate documented in
degrees, which cannot be the whole story (an integer number of degrees is kilometres off).
No source states the scale (1e-7 degrees is a plausible guess, and a guess is not evidence),
so the count is reported in ``notes`` instead of a position.
"""

from __future__ import annotations

import math
import struct
import warnings
from dataclasses import dataclass
from typing import Any

import pandas as pd

from forensics_lib.core.errors import (
    EncryptedContent,
    ParseError,
    TruncatedInputWarning,
    UnsupportedFormat,
)
from forensics_lib.core.times import from_unix_ms
from forensics_lib.drone.model import (
    BAD_FRAME_COLUMNS,
    EVENT_COLUMNS,
    HOME_COLUMNS,
    MISSION_COLUMNS,
    PARAM_COLUMNS,
    PILOT_COLUMNS,
    TRACK_COLUMNS,
    VEHICLE_COLUMNS,
    FlightLog,
    frame_of,
)

__all__ = [
    "DETAILS_SIZE",
    "LAST_KNOWN_VERSION",
    "OLD_PREFIX_SIZE",
    "PREFIX_SIZE",
    "DJIDetails",
    "DJIEncryptedRecords",
    "crc64_jones",
    "cut_before_details",
    "dji_version",
    "looks_like_dji_txt",
    "read_dji_details",
    "read_dji_txt",
    "xor_key",
]

PREFIX_SIZE = 100  # prefix.rs PREFIX_SIZE
OLD_PREFIX_SIZE = 12  # prefix.rs OLD_PREFIX_SIZE (versions 1-5)
_PREFIX = struct.Struct("<QHBBQ")  # prefix.rs: detail_offset, detail_length, version, ...
LAST_KNOWN_VERSION = 14  # lib.rs: layouts v1-v6, v7-v11, v12, v13-v14
# A version byte above this is not taken for a DJI record at all (a guard against other
# zero-padded binaries); between 15 and this it is "DJI flight record vN: not supported".
_MAX_PLAUSIBLE_VERSION = 63
_V12_INFO_SIZE = 436  # prefix.rs records_offset: "PREFIX_SIZE + 436 // info size" (v12)
END_BYTE = 0xFF  # record/mod.rs END_BYTE

# --------------------------------------------------------------------------- CRC-64 / XOR

# crc64 crate 2.0 (badboy/crc64-rs src/lib.rs): poly 0xad93d23594c935a9, reflected in and
# out; table-driven as ``crc = T[(crc ^ b) & 0xff] ^ (crc >> 8)``, so the reversed poly is
# used below. No inversion before or after: crc64(0, data) is CRC-64/REDIS.
_POLY_REVERSED = 0x95AC9329AC4BC9B5  # bit-reversal of 0xAD93D23594C935A9
_MASK64 = (1 << 64) - 1


def _crc_table() -> tuple[int, ...]:
    table = []
    for n in range(256):
        crc = n
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY_REVERSED if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc_table()  # immutable, computed once at import (no I/O)


def crc64_jones(data: bytes, crc: int = 0) -> int:
    """``crc64::crc64(crc, data)`` of the Rust crate used by dji-log-parser (CRC-64/REDIS)."""
    crc &= _MASK64
    for b in data:
        crc = _CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


_XOR_MAGIC = 0x123456789ABCDEF0  # decoder.rs XorDecoder::new `magic`


def xor_key(seed: int, record_type: int) -> bytes:
    """The 8-byte XOR key of a record (``src/decoder.rs`` ``XorDecoder::new``)."""
    data = ((_XOR_MAGIC * seed) & _MASK64).to_bytes(8, "little")
    return crc64_jones(data, (seed + record_type) & 0xFF).to_bytes(8, "little")


def xor_bytes(data: bytes, key: bytes) -> bytes:
    """XOR ``data`` with the repeating 8-byte ``key`` (the same call scrambles)."""
    reps = key * (len(data) // 8 + 1)
    return bytes(a ^ b for a, b in zip(data, reps, strict=False))


# --------------------------------------------------------------------------- prefix


def _record_fits(buf: bytes, pos: int, end: int) -> bool:
    """A one-byte-length record (type, length, payload, 0xFF) or a JPEG starts at ``pos``."""
    if buf[pos : pos + 2] == b"\xff\xd8":
        return True
    if pos + 2 > end:
        return False
    stop = pos + 2 + buf[pos + 1]
    return stop < end and buf[stop] == END_BYTE


#: A ``detail_offset`` at or past this is no cut download (no flight record is 4 GiB).
_MAX_DETAIL_OFFSET = 1 << 32


def cut_before_details(buf: bytes, version: int, detail_offset: int) -> bool:
    """Whether ``buf`` (the first bytes of a file shorter than ``detail_offset``) can be a
    version 1-11 record cut before its Details block: a plausible offset and a whole first
    record of a known type where the records start (prefix.rs records_offset: 12 up to
    version 5, then 100). A truncated download keeps the records up to the cut."""
    start = OLD_PREFIX_SIZE if version < 6 else PREFIX_SIZE
    return (
        version < 12
        and detail_offset < _MAX_DETAIL_OFFSET
        and buf[start : start + 1] in _KNOWN_TYPE_BYTES
        and _record_fits(buf, start, len(buf))
    )


def dji_version(buf: bytes) -> int | None:
    """The format version of a DJI flight record, or None when the prefix does not fit.

    Versions above :data:`LAST_KNOWN_VERSION` are returned too (their prefix fits): the
    reader reports them as not supported rather than as another format.
    """
    if len(buf) < OLD_PREFIX_SIZE:
        return None
    detail_offset, _detail_length, version = struct.unpack_from("<QHB", buf, 0)
    if not 1 <= version <= _MAX_PLAUSIBLE_VERSION:
        return None
    if version < 6:
        # prefix.rs records_offset: 12 for versions < 6; the Details follow the records.
        if detail_offset > len(buf):
            # cut before its Details block: only a first record at 12 vouches for the prefix
            ok = cut_before_details(buf, version, detail_offset)
            return int(version) if ok else None
        if detail_offset < OLD_PREFIX_SIZE:
            return None
        if detail_offset > OLD_PREFIX_SIZE and not _record_fits(
            buf, OLD_PREFIX_SIZE, detail_offset
        ):
            return None
        return int(version)
    if len(buf) < PREFIX_SIZE:
        return None
    # A download cut before its Details block (detail_offset past the end) still has the
    # zero reserved bytes and a first record at 100 (prefix.rs records_offset).
    cut = detail_offset > len(buf) and cut_before_details(buf, version, detail_offset)
    if version < 12 and not PREFIX_SIZE <= detail_offset <= len(buf) and not cut:
        return None
    if version >= 13 and detail_offset > len(buf):
        return None
    if any(buf[20:PREFIX_SIZE]):  # prefix.rs: reserved[80] (zero in every known file)
        return None
    return int(version)


def looks_like_dji_txt(buf: bytes) -> bool:
    return dji_version(buf) is not None


# --------------------------------------------------------------------------- Details

# details.rs (versions 6+), little-endian: 4 x 20-byte place names, is_favorite, is_new,
# needs_upload, record_line_count i32, detail_info_checksum i32, start_time i64 (Unix ms),
# longitude f64, latitude f64 (degrees), total_distance f32, total_time i32 (ms),
# max_height f32, max_horizontal_speed f32, max_vertical_speed f32, capture_num i32,
# video_time i64, moment_pic buffers 2 x [i32; 4], moment_pic lon/lat 2 x [f64; 4],
# analysis_offset i64, user_api_center_id_md5 [u8; 16], take_off_altitude f32,
# product_type u8, activation_timestamp i64, aircraft_name [32], aircraft_sn [16],
# camera_sn [16], rc_sn [16], battery_sn [16], app_platform u8, app_version [u8; 3].
_DETAILS = struct.Struct("<20s20s20s20sBBBiiqddfifffiq4i4i4d4dq16sfBq32s16s16s16s16sB3B")
DETAILS_SIZE = _DETAILS.size  # 380

# details.rs ProductType::from (subset kept as labels; the number is always kept too)
PRODUCT_TYPES: dict[int, str] = {
    0: "None", 1: "Inspire 1", 2: "Phantom 3 Standard", 3: "Phantom 3 Advanced",
    4: "Phantom 3 Pro", 5: "OSMO", 6: "Matrice 100", 7: "Phantom 4", 8: "LB2",
    9: "Inspire 1 Pro", 10: "A3", 11: "Matrice 600", 12: "Phantom 3 4K", 13: "Mavic Pro",
    14: "Zenmuse XT", 15: "Inspire 1 RAW", 16: "A2", 17: "Inspire 2", 18: "OSMO Pro",
    19: "OSMO Raw", 20: "OSMO+", 21: "Mavic", 22: "OSMO Mobile", 23: "OrangeCV600",
    24: "Phantom 4 Pro", 25: "N3 FC", 26: "Spark", 27: "Matrice 600 Pro",
    28: "Phantom 4 Advanced", 29: "Phantom 3 SE", 30: "AG405", 31: "Matrice 200",
    33: "Matrice 210", 34: "Matrice 210 RTK", 38: "Mavic Air", 42: "Mavic 2",
    44: "Phantom 4 Pro V2", 46: "Phantom 4 RTK", 57: "Phantom 4 Multispectral",
    58: "Mavic 2 Enterprise", 59: "Mavic Mini", 60: "Matrice 200 V2", 61: "Matrice 210 V2",
    62: "Matrice 210 RTK V2", 67: "Mavic Air 2", 70: "Matrice 300 RTK", 73: "FPV",
    75: "Air 2S", 76: "Mini 2", 77: "Mavic 3", 96: "Mini SE", 103: "Mini 3 Pro",
    111: "Mavic 3 Pro", 116: "Matrice 30", 118: "Mavic 3 Enterprise", 121: "Avata",
    126: "Mini 4 Pro", 152: "Avata 2", 170: "Matrice 350 RTK",
}  # fmt: skip
# details.rs Platform::from
PLATFORMS: dict[int, str] = {
    1: "iOS", 2: "Android", 6: "DJI Fly", 10: "Windows", 11: "Mac", 12: "Linux",
}  # fmt: skip


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").rstrip("\x00").split("\x00", 1)[0]


@dataclass(frozen=True)
class DJIDetails:
    """The Details block of a DJI flight record (readable for every version, offline)."""

    version: int
    offset: int
    start_time_utc: pd.Timestamp
    home_lat: float
    home_lon: float
    takeoff_alt_m: float
    place: str
    total_distance_m: float
    total_time_s: float
    max_height_m: float
    capture_num: int
    product_type: int
    product_label: str
    aircraft_name: str
    aircraft_serial: str
    camera_serial: str
    rc_serial: str
    battery_serial: str
    app_platform: int
    app_version: str

    @property
    def app(self) -> str:
        platform = PLATFORMS.get(self.app_platform, f"platform {self.app_platform}")
        return f"{platform} app {self.app_version}"


# details.rs / mikeemoo model/details.js, versions 1-5: the first 147 bytes as above (names,
# flags, counts, start time, home, totals, capture_num, video_time), then fields at fixed
# offsets (``seek_before = if version <= 5 { SeekFrom::Start(n) }``).
_DETAILS_HEAD = struct.Struct("<20s20s20s20sBBBiiqddfifffiq")
OLD_DETAILS_SIZE = 356  # details.rs: take_off_altitude f32 at 352 is the last field read
_OLD_FIELDS = {  # name: (offset, size) of the text fields (details.rs version <= 5)
    "aircraft_sn": (267, 10),
    "aircraft_name": (278, 24),
    "camera_sn": (318, 10),
    "rc_sn": (328, 10),
    "battery_sn": (338, 10),
}
_OLD_PRODUCT, _OLD_PLATFORM, _OLD_APP_VERSION, _OLD_TAKEOFF = 277, 348, 349, 352


def _place(*parts: str) -> str:
    """Place names joined, without repeats (old apps write "Map Loading" in all four)."""
    seen: list[str] = []
    for p in parts:
        if p and p not in seen:
            seen.append(p)
    return ", ".join(seen)


def parse_details(block: bytes, version: int, offset: int, path: str) -> DJIDetails:
    """Decode a Details block (``details.rs``; versions 1-5 and 6+ differ) at ``offset``."""
    size = OLD_DETAILS_SIZE if version <= 5 else DETAILS_SIZE
    if len(block) < size:
        raise ParseError(
            path,
            offset,
            f"DJI Details block is {len(block)} bytes, {size} are needed for format version "
            f"{version} (lvauvillier/dji-log-parser layout/details.rs)",
        )
    head = _DETAILS_HEAD.unpack_from(block, 0)
    sub_street, street, city, area = (_text(x) for x in head[0:4])
    start_ms, lon, lat = head[9], head[10], head[11]
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ParseError(
            path, offset + 99, f"DJI Details home position ({lat}, {lon}) is not a position"
        )
    try:
        start = from_unix_ms(start_ms)
    except ValueError as exc:  # TimestampError is a ValueError
        raise ParseError(path, offset + 91, f"DJI Details start time {start_ms}: {exc}") from exc
    # head[12..]: total_distance, total_time (ms), max_height, max_h_speed, max_v_speed,
    # capture_num, video_time
    total_distance, total_time_ms, max_height, capture_num = head[12], head[13], head[14], head[17]
    if version <= 5:

        def old_text(name: str) -> str:
            at, n = _OLD_FIELDS[name]
            return _text(block[at : at + n])

        name, aircraft_sn = old_text("aircraft_name"), old_text("aircraft_sn")
        camera_sn, rc_sn, battery_sn = (old_text(k) for k in ("camera_sn", "rc_sn", "battery_sn"))
        product = block[_OLD_PRODUCT]
        platform = block[_OLD_PLATFORM]
        app = block[_OLD_APP_VERSION : _OLD_APP_VERSION + 3]
        app_version = ".".join(str(x) for x in app)
        (take_off_alt,) = struct.unpack_from("<f", block, _OLD_TAKEOFF)
    else:
        f = _DETAILS.unpack_from(block, 0)
        # f[12..]: the head's totals, 4+4 i32, 4+4 f64, analysis_offset, md5,
        # take_off_altitude, product_type, activation_timestamp, name, aircraft_sn,
        # camera_sn, rc_sn, battery_sn, platform, v[3]
        rest = f[12:]
        take_off_alt = rest[25]
        product = int(rest[26])
        name, aircraft_sn, camera_sn, rc_sn, battery_sn = (_text(x) for x in rest[28:33])
        platform = int(rest[33])
        app_version = ".".join(str(x) for x in rest[34:37])
    return DJIDetails(
        version=version,
        offset=offset,
        start_time_utc=start,
        home_lat=float(lat),
        home_lon=float(lon),
        takeoff_alt_m=float(take_off_alt),
        place=_place(sub_street, street, city, area),
        total_distance_m=float(total_distance),
        total_time_s=total_time_ms / 1000.0,
        max_height_m=float(max_height),
        capture_num=int(capture_num),
        product_type=int(product),
        product_label=PRODUCT_TYPES.get(int(product), f"DJI product {product}"),
        aircraft_name=name,
        aircraft_serial=aircraft_sn,
        camera_serial=camera_sn,
        rc_serial=rc_sn,
        battery_serial=battery_sn,
        app_platform=int(platform),
        app_version=app_version,
    )


def _aux_info(buf: bytes, path: str) -> tuple[bytes, int, int]:
    """Details bytes from the first auxiliary block of a version 13+ file, and where they are.

    ``layout/auxiliary.rs``: ``magic u8 = 0 (Info)``, ``size u16``, then ``size`` bytes
    XOR-scrambled with record type 0: ``version_data u8``, ``info_length u16``,
    ``info_data[info_length]``, ``signature_length u16``, ``signature``. Returns the Details
    bytes, their offset and the offset after the block (the Version block follows).
    """
    start = PREFIX_SIZE
    if len(buf) < start + 4 or buf[start] != 0:
        raise ParseError(path, start, "DJI auxiliary Info block (magic 0) expected after prefix")
    (size,) = struct.unpack_from("<H", buf, start + 1)
    body = buf[start + 3 : start + 3 + size]
    if len(body) < size or size < 4:
        raise ParseError(path, start + 1, f"DJI auxiliary Info block of {size} bytes is cut off")
    plain = xor_bytes(body[1:], xor_key(body[0], 0))
    (info_len,) = struct.unpack_from("<H", plain, 1)
    if 3 + info_len > len(plain):
        raise ParseError(
            path, start + 5, f"DJI auxiliary Info claims {info_len} bytes of Details, has fewer"
        )
    return plain[3 : 3 + info_len], start + 7, start + 3 + size


def _aux_version_end(buf: bytes, at: int) -> int | None:
    """End of the auxiliary Version block (magic 1, size u16, version u16, department u8)."""
    if len(buf) < at + 3 or buf[at] != 1:
        return None
    (size,) = struct.unpack_from("<H", buf, at + 1)
    end = at + 3 + size
    return end if end <= len(buf) else None


def not_supported(path: str, version: int) -> UnsupportedFormat:
    return UnsupportedFormat(
        path,
        f"DJI flight record v{version}: not supported (the layouts of versions 1 to "
        f"{LAST_KNOWN_VERSION} are known: lvauvillier/dji-log-parser src/layout/prefix.rs)",
    )


def read_dji_details(buf: bytes, path: str) -> DJIDetails:
    """The Details block of a DJI flight record of any version (aircraft, serials, app,
    start time, home), without reading any record."""
    version = dji_version(buf)
    if version is None:
        raise UnsupportedFormat(path, "not a DJI flight record (prefix does not fit)")
    if version > LAST_KNOWN_VERSION:
        raise not_supported(path, version)
    detail_offset = _PREFIX.unpack_from(buf.ljust(PREFIX_SIZE, b"\0"), 0)[0]
    if version >= 13:
        block, offset, _end = _aux_info(buf, path)
        return parse_details(block, version, offset, path)
    offset = detail_offset if version < 12 else PREFIX_SIZE
    size = OLD_DETAILS_SIZE if version <= 5 else DETAILS_SIZE
    return parse_details(buf[offset : offset + size], version, offset, path)


# --------------------------------------------------------------------------- records

OSD, HOME, CUSTOM, CENTER_BATTERY, SMART_BATTERY = 1, 2, 5, 7, 8
APP_TIP, APP_WARN, RC_GPS, APP_GPS, APP_SERIOUS_WARN = 9, 10, 11, 14, 24
RECORD_NAMES: dict[int, str] = {
    1: "OSD",
    2: "HOME",
    3: "GIMBAL",
    4: "RC",
    5: "CUSTOM",
    6: "DEFORM",
    7: "CENTER_BATTERY",
    8: "SMART_BATTERY",
    9: "APP_TIP",
    10: "APP_WARN",
    11: "RC_GPS",
    13: "RECOVER",
    14: "APP_GPS",
    15: "FIRMWARE",
    19: "MC_PARAM",
    22: "SMART_BATTERY_GROUP",
    24: "APP_SERIOUS_WARN",
    25: "CAMERA",
    33: "VIRTUAL_STICK",
    40: "COMPONENT_SERIAL",
    49: "OFDM",
    50: "KEY_STORAGE_RECOVER",
    56: "KEY_STORAGE",
    62: "RC_DISPLAY_FIELD",
}  # fmt: skip  (record/mod.rs magic numbers)

# record/osd.rs: longitude f64 (rad), latitude f64 (rad), altitude i16 (dm above home),
# speed_x, speed_y, speed_z i16 (dm/s), pitch, roll, yaw i16 (0.1 deg), bitpack1 (flight
# mode 0x7F), app_command, bitpack2 (0x08 motors up), bitpack3, bitpack4, bitpack5,
# gps_num u8, flight_action, motor_start_failed_cause, bitpack6, battery u8 (%),
# s_wave_height u8, fly_time u16 (0.1 s), motor_revolution, unknown u16, version_c,
# drone_type (version >= 2), imu_init_fail_reason (version >= 3).
# Only the first 48 bytes (up to version_c) are read: drone_type and imu_init_fail_reason
# exist from format versions 2 and 3 (osd.rs ``#[br(if(version >= 2))]``), so a version 1
# OSD record is 48 bytes long and a version 2 one 49.
_OSD = struct.Struct("<dd7h6B4BBBHBHB")
# record/home.rs: longitude f64 (rad), latitude f64 (rad), altitude f32 (dm), ...
_HOME = struct.Struct("<ddf")
# record/custom.rs: camera_shoot u8, video_shoot u8, h_speed f32, distance f32,
# update_time_stamp i64 (Unix ms)
_CUSTOM = struct.Struct("<BBffq")
# record/app_gps.rs: longitude f64, latitude f64 (degrees)
_APP_GPS = struct.Struct("<dd")
# record/center_battery.rs: relative_capacity u8, voltage u16 (mV)
_CENTER_BATTERY = struct.Struct("<BH")
# record/smart_battery.rs: 5 x u16, 3 x f32/u32, go_home_status u8, countdown u8, voltage
# u16 (mV), percent u8
_SMART_BATTERY = struct.Struct("<5HffIBBHB")

# record/osd.rs FlightMode::from
FLIGHT_MODES: dict[int, str] = {
    0: "Manual", 1: "Atti", 2: "AttiCourseLock", 3: "AttiHover", 4: "Hover", 5: "GPSBlake",
    6: "GPSAtti", 7: "GPSCourseLock", 8: "GPSHomeLock", 9: "GPSHotPoint",
    10: "AssistedTakeoff", 11: "AutoTakeoff", 12: "AutoLanding", 13: "AttiLanding",
    14: "GPSWaypoint", 15: "GoHome", 16: "ClickGo", 17: "Joystick", 18: "GPSAttiWristband",
    19: "Cinematic", 23: "AttiLimited", 24: "Draw", 25: "GPSFollowMe", 26: "ActiveTrack",
    27: "TapFly", 28: "Pano", 29: "Farming", 30: "FPV", 31: "GPSSport", 32: "GPSNovice",
    33: "ConfirmLanding", 35: "TerrainTracking", 36: "NaviAdvGoHome", 37: "NaviAdvLanding",
    38: "Tripod", 39: "TrackHeadlock", 41: "EngineStart", 43: "GPSGentle",
}  # fmt: skip


@dataclass(frozen=True)
class RawRecord:
    offset: int
    type: int
    content: bytes  # descrambled payload (after the seed byte)


@dataclass
class RecordScan:
    """What :func:`iter_records` found: records, unreadable ranges, and what it skipped."""

    records: list[RawRecord]
    bad: list[tuple[int, int, str]]
    truncated: bool
    images: int = 0  # JPEG thumbnails in the records area (utils.rs read_jpeg)
    padding: int = 0  # zero bytes between records (mikeemoo lib/index.js skips type 0)


_KNOWN_TYPE_BYTES = frozenset(bytes([t]) for t in RECORD_NAMES)
_JPEG_SOI = b"\xff\xd8\xff"  # SOI and the first marker's FF (utils.rs read_jpeg: FF D8)


class _Layout:
    """Where records can start in ``buf[:end]`` (one-byte lengths up to v12, two from 13)."""

    def __init__(
        self,
        buf: bytes,
        end: int,
        wide: bool,
        lengths: dict[int, int] | None = None,
        seen: set[int] | None = None,
    ) -> None:
        self.buf, self.end, self.wide = buf, end, wide
        self.head = 3 if wide else 2
        self.lengths = lengths or {}  # record type -> the one length it has in this file
        self.types = seen or set(RECORD_NAMES)  # the types to resynchronise on

    def typical(self, pos: int) -> bool:
        """The record at ``pos`` has the length its type has everywhere else in the file."""
        want = self.lengths.get(self.buf[pos])
        return want is None or self.claimed_stop(pos) - pos - self.head == want

    def claimed_stop(self, pos: int) -> int:
        """Where the record at ``pos`` says its 0xFF end byte is (may lie past ``end``)."""
        buf = self.buf
        if pos + self.head > self.end:
            return self.end + 1
        length = struct.unpack_from("<H", buf, pos + 1)[0] if self.wide else buf[pos + 1]
        return pos + self.head + length if length >= 1 else -1

    def fits(self, pos: int) -> bool:
        """A record whose end byte is where its length says starts at ``pos``."""
        stop = self.claimed_stop(pos)
        return pos < stop < self.end and self.buf[stop] == END_BYTE

    def boundary(self, pos: int) -> bool:
        """``pos`` can follow a record: the end, a JPEG, a record, or zero padding then one
        of these (mikeemoo lib/index.js skips zero bytes)."""
        buf, end = self.buf, self.end
        if not self.wide:
            while pos < end and buf[pos] == 0:
                pos += 1
        return pos >= end or buf[pos : pos + 3] == _JPEG_SOI or self.fits(pos)

    def valid(self, pos: int) -> bool:
        """A record type of this file that fits, with its type's one length or followed by a
        boundary (two in a chain)."""
        if self.buf[pos] not in self.types or not self.fits(pos) or not self.typical(pos):
            return False
        # a one-length type with its length is evidence enough; others need a record after
        return self.buf[pos] in self.lengths or self.boundary(self.claimed_stop(pos) + 1)

    def resync(self, start: int, stop: int) -> int:
        """The first offset in ``[start, stop)`` where a JPEG or a valid record starts."""
        for q in range(start, min(stop, self.end)):
            if self.buf[q : q + 3] == _JPEG_SOI or self.valid(q):
                return q
        return stop

    def chain_inside(self, start: int, stop: int) -> int:
        """The first offset in ``[start, stop)`` where a valid one-length record starts whose
        chain of records ends exactly at ``stop``: then the record that seemed to span
        ``start - 1 .. stop`` is foreign bytes whose length byte happened to point at the
        end byte of the last real record (3 foreign bytes ``01 32 00`` before a battery and
        an app GPS record of a v4 file read as one 50-byte OSD record)."""
        buf, lengths = self.buf, self.lengths
        for q in range(start, min(stop, self.end)):
            if buf[q] not in lengths or not self.valid(q):
                continue
            p = q
            while p < stop and self.fits(p):
                p = self.claimed_stop(p) + 1
            if p == stop:
                return q
        return stop

    def constant_inside(self, start: int, stop: int) -> int:
        """The first offset in ``[start, stop)`` where a valid record of a one-length type
        (with that length) starts: a sign that the bytes from ``start - 1`` are foreign."""
        for q in range(start, min(stop, self.end)):
            if self.buf[q] in self.lengths and self.valid(q):
                return q
        return stop


def _constant_lengths(records: list[RawRecord], version: int) -> dict[int, int]:
    """Record types whose length is the same in (nearly) every record of the file: OSD,
    HOME, CUSTOM... have one layout per format version (``record/*.rs``)."""
    by_type: dict[int, dict[int, int]] = {}
    for r in records:
        n = len(r.content) + (1 if version >= 7 else 0)  # the seed byte counts in length
        by_type.setdefault(r.type, {}).setdefault(n, 0)
        by_type[r.type][n] += 1
    out: dict[int, int] = {}
    for rtype, counts in by_type.items():
        total = sum(counts.values())
        length, most = max(counts.items(), key=lambda kv: kv[1])
        if total >= 5 and most >= 0.8 * total:
            out[rtype] = length
    return out


def iter_records(buf: bytes, start: int, end: int, version: int, path: str) -> RecordScan:
    """Split ``buf[start:end]`` into records (``record/mod.rs``); see :func:`scan_records`.

    Two passes: the first learns the length each record type has throughout the file, the
    second resynchronises on records of those lengths only (foreign bytes seldom make a
    record header with the right length for its type)."""
    first = scan_records(buf, start, end, version, path)
    lengths = _constant_lengths(first.records, version)
    seen = {r.type for r in first.records} & set(RECORD_NAMES)
    lay = _Layout(buf, end, wide=version >= 13, lengths=lengths, seen=seen)
    seed = 1 if version >= 7 else 0

    def suspect(r: RawRecord) -> bool:
        n = len(r.content) + seed
        stop = r.offset + lay.head + n
        if r.type in lengths:
            return n != lengths[r.type] or lay.chain_inside(r.offset + 1, stop + 1) <= stop
        return lay.constant_inside(r.offset + 1, stop + 1) <= stop

    if not first.bad and not any(suspect(r) for r in first.records):
        return first
    return scan_records(buf, start, end, version, path, lengths, seen)


def scan_records(
    buf: bytes,
    start: int,
    end: int,
    version: int,
    path: str,
    lengths: dict[int, int] | None = None,
    seen: set[int] | None = None,
) -> RecordScan:
    """Split ``buf[start:end]`` into records (``record/mod.rs``).

    A record is taken where its length points at a 0xFF end byte, as dji-log-parser takes
    it. Where that fails, the scan resynchronises byte by byte on the first known record
    type that fits and is followed by another record (or the end), instead of
    dji-log-parser's jump to the next 0xFF (``utils.rs seek_to_next_record``), which lands on
    the end byte of the record after and loses it. A record that fits but is not followed
    by another one is checked for a valid record starting inside it (foreign bytes that
    looked like a record header would otherwise swallow the real record after them).
    """
    scan = RecordScan([], [], False)
    # utils.rs read_u16(from_u8 = version <= 12)
    lay = _Layout(buf, end, wide=version >= 13, lengths=lengths, seen=seen)
    head = lay.head
    pos = start
    while pos < end:
        if buf[pos : pos + 3] == _JPEG_SOI:
            # record/mod.rs JPEG(read_jpeg): from FF D8 up to and including FF D9
            stop = buf.find(b"\xff\xd9", pos + 2, end)
            if stop >= 0:
                scan.images += 1
                pos = stop + 2
                continue
            resume = lay.resync(pos + 1, end)
            scan.bad.append((pos, resume - pos, "JPEG image without its FF D9 end marker"))
            scan.truncated = resume >= end
            pos = resume
            continue
        if buf[pos] == 0 and not lay.wide:
            # no record type 0 exists (record/mod.rs); mikeemoo lib/index.js skips the byte
            scan.padding += 1
            pos += 1
            continue
        rtype = buf[pos]
        stop = lay.claimed_stop(pos)
        if lay.fits(pos) and lay.typical(pos):
            # A record of a type with one length in this file is trusted; another one not
            # followed by a record might be foreign bytes swallowing the record after them.
            if rtype in lay.lengths:
                inner = lay.chain_inside(pos + 1, stop + 1)
            elif lay.lengths:  # second pass: a one-length record inside means foreign bytes
                inner = lay.constant_inside(pos + 1, stop + 1)
            else:
                inner = stop + 1 if lay.boundary(stop + 1) else lay.resync(pos + 1, stop + 1)
            if inner > stop:
                payload = buf[pos + head : stop]
                content = payload[1:] if version >= 7 else payload
                if version >= 7:
                    content = xor_bytes(content, xor_key(payload[0], rtype))
                scan.records.append(RawRecord(pos, rtype, content))
                pos = stop + 1
                continue
            scan.bad.append((pos, inner - pos, f"bytes before the record at offset {inner}"))
            pos = inner
            continue
        resume = lay.resync(pos + 1, end)
        if resume >= end and stop >= end:
            scan.truncated = True  # a record cut by the end of the area, nothing after it
            return scan
        reason = f"record type {rtype} has no 0xFF end byte where its length points"
        scan.bad.append((pos, resume - pos, reason))
        pos = resume
    return scan


def _deg(rad: float) -> float:
    return math.degrees(rad)


def _frames(records: list[RawRecord], path: str) -> dict[str, list[dict[str, Any]]]:
    """Turn records into rows, timed by the CUSTOM record of each OSD frame (frame/mod.rs:
    a frame is an OSD record and the records after it up to the next OSD)."""
    out: dict[str, list[dict[str, Any]]] = {"track": [], "events": [], "home": [], "pilot": []}
    too_short: dict[str, int] = {}
    frame: list[RawRecord] = []
    groups: list[list[RawRecord]] = []
    for rec in records:
        if rec.type == OSD and frame:
            groups.append(frame)
            frame = []
        frame.append(rec)
    if frame:
        groups.append(frame)
    voltage = math.nan
    last_mode: str | None = None
    last_armed: bool | None = None
    last_lat = last_lon = math.nan
    for group in groups:
        ms = None
        for rec in group:
            if rec.type == CUSTOM and len(rec.content) >= _CUSTOM.size:
                ms = _CUSTOM.unpack_from(rec.content)[4]
        when = pd.NaT if ms is None else from_unix_ms(ms)
        for rec in group:  # the frame's battery voltage goes with its OSD position
            if rec.type == CENTER_BATTERY and len(rec.content) >= _CENTER_BATTERY.size:
                voltage = _CENTER_BATTERY.unpack_from(rec.content)[1] / 1000.0
            elif rec.type == SMART_BATTERY and len(rec.content) >= _SMART_BATTERY.size:
                voltage = _SMART_BATTERY.unpack_from(rec.content)[10] / 1000.0
        for rec in group:
            name = RECORD_NAMES.get(rec.type, str(rec.type))
            c = rec.content
            if rec.type == OSD:
                if len(c) < _OSD.size:
                    too_short[name] = too_short.get(name, 0) + 1
                    continue
                v = _OSD.unpack_from(c)
                lon, lat, height_dm, sx, sy, sz, _p, _r, yaw = v[0:9]
                mode = FLIGHT_MODES.get(v[9] & 0x7F, f"mode {v[9] & 0x7F}")
                armed = bool(v[11] & 0x08)
                lat_d, lon_d = _deg(lat), _deg(lon)
                if lat != 0.0 or lon != 0.0:  # (0, 0): no position yet, not a track point
                    last_lat, last_lon = lat_d, lon_d
                    out["track"].append(
                        {
                            "time_utc": when,
                            "lat": lat_d,
                            "lon": lon_d,
                            "alt_rel_m": height_dm / 10.0,
                            "ground_speed_ms": math.hypot(sx, sy) / 10.0,
                            # NED z, positive down (module docstring): climb is -speed_z
                            "climb_ms": -sz / 10.0,
                            "heading_deg": (yaw / 10.0) % 360.0,
                            "sats": v[15],
                            "fix_type": 3 if v[12] & 0x80 else 0,  # osd.rs is_gps_valid
                            "battery_pct": float(v[19]),
                            "voltage_v": voltage,
                            "mode": mode,
                            "armed": armed,
                            "offset": rec.offset,
                        }
                    )
                if mode != last_mode:
                    out["events"].append(
                        _event(when, "mode", f"flight mode {mode}", mode, last_lat, last_lon, rec)
                    )
                    last_mode = mode
                if armed != last_armed and (last_armed is not None or armed):
                    kind = "armed" if armed else "disarmed"
                    text = "motors started" if armed else "motors stopped"
                    out["events"].append(_event(when, kind, text, None, last_lat, last_lon, rec))
                    last_armed = armed
            elif rec.type == HOME:
                if len(c) < _HOME.size:
                    too_short[name] = too_short.get(name, 0) + 1
                    continue
                lon, lat, alt_dm = _HOME.unpack_from(c)
                if lat == 0.0 and lon == 0.0:
                    continue
                out["home"].append(
                    {
                        "time_utc": when,
                        "lat": _deg(lat),
                        "lon": _deg(lon),
                        "alt_m": alt_dm / 10.0,
                        "source": "DJI HOME",
                        "offset": rec.offset,
                    }
                )
            elif rec.type == APP_GPS:
                if len(c) < _APP_GPS.size:
                    too_short[name] = too_short.get(name, 0) + 1
                    continue
                lon, lat = _APP_GPS.unpack_from(c)
                if (lat == 0.0 and lon == 0.0) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    continue
                out["pilot"].append(
                    {
                        "time_utc": when,
                        "lat": lat,
                        "lon": lon,
                        "source": "APP_GPS",
                        "offset": rec.offset,
                    }
                )
            elif rec.type in (APP_TIP, APP_WARN, APP_SERIOUS_WARN):
                text = _text(c)
                if text:
                    kind = {APP_TIP: "app_tip", APP_WARN: "app_warn"}.get(
                        rec.type, "app_serious_warn"
                    )
                    out["events"].append(_event(when, kind, text, None, last_lat, last_lon, rec))
    if too_short:
        warnings.warn(
            f"{path}: records shorter than their layout skipped: {too_short}",
            TruncatedInputWarning,
            stacklevel=3,
        )
    return out


def _event(
    when: Any, kind: str, text: str, value: str | None, lat: float, lon: float, rec: RawRecord
) -> dict[str, Any]:
    return {
        "time_utc": when,
        "kind": kind,
        "text": text,
        "value": value,
        "lat": lat,
        "lon": lon,
        "offset": rec.offset,
    }


def _utc(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a frame whose ``time_utc`` is UTC even when every time is missing (NaT)."""
    frame = pd.DataFrame(rows)
    if "time_utc" in frame.columns:
        frame["time_utc"] = pd.to_datetime(frame["time_utc"], utc=True)
    return frame


def _vehicle(details: DJIDetails) -> pd.DataFrame:
    return frame_of(
        VEHICLE_COLUMNS,
        {
            "vehicle_type": [details.product_label],
            "autopilot": ["DJI"],
            "aircraft_name": [details.aircraft_name or None],
            "aircraft_serial": [details.aircraft_serial or None],
            "camera_serial": [details.camera_serial or None],
            "rc_serial": [details.rc_serial or None],
            "battery_serial": [details.battery_serial or None],
            "app": [details.app],
        },
    )


def _details_home(details: DJIDetails) -> pd.DataFrame:
    return frame_of(
        (*HOME_COLUMNS,),
        {
            "time_utc": pd.Series([details.start_time_utc]),
            "lat": [details.home_lat],
            "lon": [details.home_lon],
            "alt_m": [details.takeoff_alt_m],
            "source": ["DJI Details"],
            "offset": [details.offset],
        },
    )


def details_flight_log(details: DJIDetails, path: str, notes: tuple[str, ...]) -> FlightLog:
    """A FlightLog holding only what the Details block says (no track)."""
    return FlightLog(
        path=path,
        format="dji_txt",
        track=frame_of((*TRACK_COLUMNS, BAD_FRAME_COLUMNS[0]), {}),
        events=frame_of((*EVENT_COLUMNS, BAD_FRAME_COLUMNS[0]), {}),
        home=_details_home(details),
        vehicle=_vehicle(details),
        mission=frame_of(MISSION_COLUMNS, {}),
        params=frame_of(PARAM_COLUMNS, {}),
        pilot_positions=frame_of(PILOT_COLUMNS, {}),
        bad_frames=frame_of(BAD_FRAME_COLUMNS, {}),
        message_counts={},
        notes=notes,
    )


def _empty_flight_log(path: str, notes: tuple[str, ...]) -> FlightLog:
    """A FlightLog with no Details (a record cut before them): every frame empty."""
    return FlightLog(
        path=path,
        format="dji_txt",
        track=frame_of((*TRACK_COLUMNS, BAD_FRAME_COLUMNS[0]), {}),
        events=frame_of((*EVENT_COLUMNS, BAD_FRAME_COLUMNS[0]), {}),
        home=frame_of(HOME_COLUMNS, {}),
        vehicle=frame_of(VEHICLE_COLUMNS, {}),
        mission=frame_of(MISSION_COLUMNS, {}),
        params=frame_of(PARAM_COLUMNS, {}),
        pilot_positions=frame_of(PILOT_COLUMNS, {}),
        bad_frames=frame_of(BAD_FRAME_COLUMNS, {}),
        message_counts={},
        notes=notes,
    )


def _cut_start_note(rows: dict[str, list[dict[str, Any]]], version: int) -> str:
    """The start time of a record without its Details block: the first CUSTOM (Unix ms)
    time of a frame (record/custom.rs update_time_stamp), or unknown."""
    times = [r["time_utc"] for key in ("track", "events", "home", "pilot") for r in rows[key]]
    known = [t for t in times if not pd.isna(t)]
    if not known:
        return (
            f"DJI flight record v{version}: start time unknown (no Details block and no "
            "timed record before the cut)"
        )
    first = min(known)
    stamp = first.strftime("%Y-%m-%dT%H:%M:%S.") + f"{first.microsecond // 1000:03d}Z"
    return (
        f"DJI flight record v{version}: start {stamp} (first timed record; the Details "
        "block is missing)"
    )


KEYCHAIN_HINT = (
    "Records of DJI flight logs from version 13 are AES-256-CBC encrypted; the per-flight "
    "keys are held by DJI's keychain service, which returns them for the KeyStorage records "
    "in the file to anyone with an API (SDK) key from developer.dji.com (an 'Open API' app). "
    "Decrypting means sending those key records to DJI over the internet: record that in the "
    "case notes, then use lvauvillier/dji-log-parser (dji-log --api-key ...) or DJI's "
    "FlightRecordParsingLib and keep their output with the exhibit. The Details block "
    "(aircraft, serials, start time, home) is read without it."
)


def encrypted_reason(version: int) -> str:
    return f"DJI flight record v{version}: encrypted (needs DJI keys)"


class DJIEncryptedRecords(EncryptedContent):
    """The records of a version 13+ DJI log are encrypted; ``log`` holds what the Details
    block says (vehicle, home, start time) so a summary can still be given."""

    def __init__(self, path: str, details: DJIDetails, log: FlightLog) -> None:
        super().__init__(
            path,
            f"{encrypted_reason(details.version)}: the flight records (track, home updates, "
            "controller/app positions, messages) are AES-encrypted",
            KEYCHAIN_HINT,
        )
        self.details = details
        self.log = log


_LAYOUT_NAMES = {
    "old": "versions 1-5: 12-byte prefix, plain records, old Details layout at the end",
    "plain": "version 6: plain records, Details at the end",
    "xor": "versions 7-11: XOR-scrambled records, Details at the end",
    "v12": "version 12: Details first, XOR-scrambled records",
}


def _layout(version: int) -> str:
    if version <= 5:
        return "old"
    if version == 6:
        return "plain"
    return "xor" if version <= 11 else "v12"


def format_note(details: DJIDetails, *, encrypted: bool = False) -> str:
    """The summary line every DJI record gets: its version and start time (Details block)."""
    start = details.start_time_utc.strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{details.start_time_utc.microsecond // 1000:03d}Z"
    )
    state = (
        "encrypted (needs DJI keys)"
        if encrypted
        else f"not encrypted ({_LAYOUT_NAMES[_layout(details.version)]})"
    )
    return (
        f"DJI flight record v{details.version}, {state}; start {start} (Details block); "
        f"{details.product_label}, {details.app}; flight time {details.total_time_s:.1f} s, "
        f"max height {details.max_height_m:.1f} m (as the Details block gives them)"
    )


def read_dji_txt(buf: bytes, path: str) -> FlightLog:
    """Read a DJI flight record: Details for every version, records for 1-12.

    Version 13+ raises :class:`DJIEncryptedRecords` (an :class:`EncryptedContent`) carrying
    the Details-only :class:`FlightLog` in ``.log`` (a plain :class:`EncryptedContent` when
    even the Details block cannot be read); a version above :data:`LAST_KNOWN_VERSION` is
    an :class:`UnsupportedFormat` naming it ("DJI flight record v15: not supported").
    """
    version = dji_version(buf)
    if version is None:
        raise UnsupportedFormat(path, "not a DJI flight record (prefix does not fit)")
    if version > LAST_KNOWN_VERSION:
        raise not_supported(path, version)
    if version >= 13:
        try:
            sealed = read_dji_details(buf, path)
        except ParseError as exc:
            raise EncryptedContent(
                path,
                f"{encrypted_reason(version)}; its auxiliary Info block (Details) is not "
                f"readable either: {exc.reason} (offset {exc.offset})",
                KEYCHAIN_HINT,
            ) from exc
        note = f"{format_note(sealed, encrypted=True)}; only the Details block was read"
        raise DJIEncryptedRecords(path, sealed, details_flight_log(sealed, path, (note,)))
    detail_offset = _PREFIX.unpack_from(buf.ljust(PREFIX_SIZE, b"\0"), 0)[0]
    size = OLD_DETAILS_SIZE if version <= 5 else DETAILS_SIZE
    cut = version < 12 and detail_offset + size > len(buf)
    details: DJIDetails | None = None if cut else read_dji_details(buf, path)
    if version < 6:
        start, end = OLD_PREFIX_SIZE, min(detail_offset, len(buf))
    elif version < 12:
        start, end = PREFIX_SIZE, min(detail_offset, len(buf))
    else:
        start, end = PREFIX_SIZE + _V12_INFO_SIZE, len(buf)
    scan = iter_records(buf, start, end, version, path)
    records, bad, truncated = scan.records, scan.bad, scan.truncated
    cut_note = ""
    if cut:
        # A truncated download (versions 1-11 keep the Details block after the records):
        # the records up to the cut are read; vehicle, serials and the Details start time
        # are not in the file.
        what = "missing" if detail_offset >= len(buf) else "incomplete"
        cut_note = (
            f"DJI flight record v{version} cut at offset {len(buf)}: details block {what} "
            f"(it starts at offset {detail_offset}, {size} bytes); the records up to the cut "
            "are read, the vehicle and its serials are unknown"
        )
        warnings.warn(f"{path}: {cut_note}", TruncatedInputWarning, stacklevel=2)
        truncated = True
    elif truncated:
        warnings.warn(
            f"{path}: DJI records end inside a record near offset {end}; what was readable "
            "is returned",
            TruncatedInputWarning,
            stacklevel=2,
        )
    rows = _frames(records, path)
    counts: dict[str, int] = {}
    for rec in records:
        name = RECORD_NAMES.get(rec.type, f"type {rec.type}")
        counts[name] = counts.get(name, 0) + 1
    if scan.images:
        counts["JPEG"] = scan.images
    notes: list[str] = [format_note(details) if details is not None else cut_note]
    if scan.images:
        notes.append(
            f"{scan.images} JPEG image(s) in the records area skipped (thumbnails; "
            "dji-log-parser utils.rs read_jpeg)"
        )
    if counts.get("RC_GPS"):
        notes.append(
            f"{counts['RC_GPS']} RC_GPS records (remote-controller GPS) counted, not converted: "
            "neither dji-log-parser nor DJI's FlightRecordParsingLib states the unit of their "
            "integer coordinates"
        )
    home = frame_of(HOME_COLUMNS, _utc(rows["home"])) if rows["home"] else None
    if details is None:
        notes.append(_cut_start_note(rows, version))
        log = _empty_flight_log(path, tuple(notes))
    else:
        log = details_flight_log(details, path, tuple(notes))
    track = _utc(rows["track"])
    if len(track):
        # frame/mod.rs: altitude = OSD height above home + HOME altitude
        home_alt = float(home["alt_m"].iloc[0]) if home is not None else math.nan
        track["alt_amsl_m"] = track["alt_rel_m"] + home_alt
    log.track = frame_of((*TRACK_COLUMNS, BAD_FRAME_COLUMNS[0]), track)
    log.events = frame_of((*EVENT_COLUMNS, BAD_FRAME_COLUMNS[0]), _utc(rows["events"]))
    if home is not None:
        log.home = home
    log.pilot_positions = frame_of(PILOT_COLUMNS, _utc(rows["pilot"]))
    log.bad_frames = frame_of(
        BAD_FRAME_COLUMNS, pd.DataFrame(bad, columns=["offset", "length", "reason"])
    )
    log.message_counts = counts
    log.truncated = truncated
    return log
