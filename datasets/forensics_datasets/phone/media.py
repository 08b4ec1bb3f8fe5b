"""Camera photos, drone logs and location stores of a phone, at their real device paths.

* :func:`camera_files`: JPEGs with EXIF (DateTimeOriginal + OffsetTimeOriginal local to the
  shot's zone, GPS position/altitude/time stamp, Make/Model), written by the kit's one EXIF
  writer :func:`forensics_datasets.drone.jpeg_with_exif`. Android camera shots go to
  ``/data/media/0/DCIM/Camera/IMG_<local yyyyMMdd_HHmmss>.jpg``; WhatsApp images to
  ``/data/media/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/
  IMG-<yyyyMMdd>-WA<nnnn>.jpg`` **without EXIF** (WhatsApp re-encodes and strips it); iOS
  shots to ``/private/var/mobile/Media/DCIM/100APPLE/IMG_<nnnn>.JPG``.
* :func:`drone_log_files`: a DJI flight record or a MAVLink tlog placed where DJI Fly / GO 4
  and QGroundControl keep them (constants below, cited in
  :mod:`forensics_lib.phone.dronelogs`).
* :func:`write_android_places` / :func:`write_ios_fixes`: Google Maps ``gmm_myplaces.db``
  (table ``sync_item`` with exactly the columns ALEAPP ``googleMapsGmm.py`` reads:
  ``key_string``, micro-degree ``latitude``/``longitude``, ``timestamp`` Unix ms and the
  ``sync_item`` protobuf with field 6 {2: address, 7: label}) and routined ``Cache.sqlite``
  (Core Data table ``ZRTCLLOCATIONMO`` with the columns iLEAPP reads; Cocoa seconds). Both
  are reconstructed from what those readers query, not dumped from a device.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import pandas as pd

from forensics_datasets.media.photo import jpeg_with_exif
from forensics_datasets.phone._pack import WalState, write_db

__all__ = [
    "ANDROID_DCIM",
    "ANDROID_DJI_FLY",
    "ANDROID_DJI_GO4",
    "ANDROID_QGC",
    "ANDROID_WHATSAPP_IMAGES",
    "GMM_MYPLACES_DB",
    "IOS_DCIM",
    "IOS_DJI_FLY",
    "IOS_QGC",
    "ROUTINED_CACHE_DB",
    "Fix",
    "Place",
    "Shot",
    "camera_files",
    "camera_key",
    "default_drone_logs",
    "default_shots",
    "drone_log_files",
    "make_fixes",
    "make_places",
    "protobuf_place",
    "write_android_places",
    "write_ios_fixes",
]

OS = Literal["android", "ios"]

ANDROID_DCIM = "data/media/0/DCIM/Camera"
ANDROID_WHATSAPP_IMAGES = "data/media/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images"
IOS_DCIM = "private/var/mobile/Media/DCIM/100APPLE"
ANDROID_DJI_FLY = "data/media/0/Android/data/dji.go.v5/files/FlightRecord"
ANDROID_DJI_GO4 = "data/media/0/DJI/dji.go.v4/FlightRecord"
ANDROID_QGC = "data/media/0/QGroundControl/Telemetry"
_IOS_APPS = "private/var/mobile/Containers/Data/Application"
IOS_DJI_FLY = f"{_IOS_APPS}/5D1F0C2A-0000-4000-8000-00000000D001/Documents/FlightRecords"
IOS_QGC = f"{_IOS_APPS}/5D1F0C2A-0000-4000-8000-00000000D002/Documents/Telemetry"
GMM_MYPLACES_DB = "data/data/com.google.android.apps.maps/databases/gmm_myplaces.db"
ROUTINED_CACHE_DB = "private/var/mobile/Library/Caches/com.apple.routined/Cache.sqlite"

_PHONE_CAMERA = {"android": ("Google", "Pixel 7"), "ios": ("Apple", "iPhone 14")}
_COCOA_EPOCH = pd.Timestamp("2001-01-01T00:00:00Z")


@dataclass(frozen=True)
class Shot:
    """One photo the phone holds. ``make``/``model`` None: the phone's own camera (Google
    Pixel 7, Apple iPhone 14). ``folder`` ``whatsapp``: a WhatsApp image (no EXIF at all);
    ``gps`` False: location off (no GPS IFD); ``exif_time`` False: no DateTimeOriginal."""

    time_utc: pd.Timestamp
    lat: float
    lon: float
    alt_m: float
    zone: str = "Europe/Madrid"
    make: str | None = None
    model: str | None = None
    folder: Literal["camera", "whatsapp"] = "camera"
    gps: bool = True
    exif_time: bool = True


def _offset(local: pd.Timestamp) -> str:
    text = local.strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def _photo(os: OS, shot: Shot, index: int) -> tuple[str, bytes, dict[str, Any]]:
    utc = pd.Timestamp(shot.time_utc).tz_convert("UTC").floor("s")
    local = utc.tz_convert(shot.zone)
    color = (40 + 37 * index % 200, 80 + 53 * index % 160, 120 + 71 * index % 120)
    if shot.folder == "whatsapp":
        data = jpeg_with_exif(make=None, model=None, serial=None, color=color)
        if os == "android":
            name = f"IMG-{local.strftime('%Y%m%d')}-WA{index:04d}.jpg"
            path = f"{ANDROID_WHATSAPP_IMAGES}/{name}"
        else:  # saved to the camera roll from WhatsApp: no EXIF either
            path = f"{IOS_DCIM}/IMG_{index + 1:04d}.JPG"
        key: dict[str, Any] = {
            "time_utc": None,
            "lat": None,
            "lon": None,
            "alt_m": None,
            "make": None,
            "model": None,
        }
    else:
        make, model = _PHONE_CAMERA[os]
        make, model = shot.make or make, shot.model or model
        data = jpeg_with_exif(
            lat=shot.lat if shot.gps else None,
            lon=shot.lon if shot.gps else None,
            alt_m=shot.alt_m if shot.gps else None,
            local_time=local.strftime("%Y:%m:%d %H:%M:%S") if shot.exif_time else None,
            offset=_offset(local) if shot.exif_time else None,
            gps_utc=utc if shot.gps else None,
            make=make,
            model=model,
            serial=None,
            color=color,
        )
        if os == "android":
            path = f"{ANDROID_DCIM}/IMG_{local.strftime('%Y%m%d_%H%M%S')}.jpg"
        else:
            path = f"{IOS_DCIM}/IMG_{index + 1:04d}.JPG"
        # No DateTimeOriginal: the reader falls back to the GPS time stamp (UTC).
        when = utc if (shot.exif_time or shot.gps) else None
        key = {
            "time_utc": None if when is None else when.isoformat(),
            "lat": shot.lat if shot.gps else None,
            "lon": shot.lon if shot.gps else None,
            "alt_m": shot.alt_m if shot.gps else None,
            "make": make,
            "model": model,
        }
    return "/" + path, data, key


def _photos(os: OS, shots: Sequence[Shot]) -> list[tuple[str, bytes, dict[str, Any]]]:
    out: list[tuple[str, bytes, dict[str, Any]]] = []
    used: set[str] = set()
    for i, shot in enumerate(shots):
        path, data, key = _photo(os, shot, i)
        while path in used:  # two shots in the same second: the camera adds a suffix
            stem = PurePosixPath(path)
            path = str(stem.with_name(f"{stem.stem}_1{stem.suffix}"))
        used.add(path)
        out.append((path, data, key))
    return out


def camera_files(os: OS, shots: Sequence[Shot]) -> dict[str, bytes]:
    """Device path -> JPEG bytes for each shot, in the order of ``shots``."""
    return {path: data for path, data, _ in _photos(os, shots)}


def camera_key(os: OS, shots: Sequence[Shot]) -> list[dict[str, Any]]:
    """What a reader must find in each photo of :func:`camera_files` (same order): path,
    ``time_utc`` (ISO, whole seconds; None without EXIF time or GPS), position, camera, SHA-256."""
    import hashlib

    return [
        {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), **key}
        for path, data, key in _photos(os, shots)
    ]


def drone_log_files(
    os: OS, logs: Mapping[str, bytes], *, dji_app: Literal["fly", "go4"] = "fly"
) -> dict[str, bytes]:
    """Device path -> bytes for flight logs named ``DJIFlightRecord_*.txt`` (DJI Fly or GO 4
    folder) or ``*.tlog`` (QGroundControl's Telemetry folder)."""
    out: dict[str, bytes] = {}
    for name, data in logs.items():
        lowered = name.lower()
        if lowered.endswith(".txt"):
            if os == "android":
                folder = ANDROID_DJI_FLY if dji_app == "fly" else ANDROID_DJI_GO4
            else:
                folder = IOS_DJI_FLY
        elif lowered.endswith(".tlog"):
            folder = ANDROID_QGC if os == "android" else IOS_QGC
        else:
            raise ValueError(f"{name}: a DJIFlightRecord_*.txt or a *.tlog is expected")
        out[f"/{folder}/{name}"] = data
    return out


# -- locations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A Google Maps labelled place: ``key`` ``0:0`` Home, ``1:0`` Work, else a label."""

    key: str
    label: str
    address: str
    lat: float
    lon: float
    saved: pd.Timestamp


@dataclass(frozen=True)
class Fix:
    """A routined location fix (speed/course -1 = not known, as CoreLocation writes)."""

    time: pd.Timestamp
    lat: float
    lon: float
    alt_m: float
    accuracy_m: float
    speed_ms: float
    course_deg: float


def make_places(seed: int = 0) -> list[Place]:
    """Home, work and one starred place near an invented village (Villanueva, 40.21 N 3.87 W)."""
    base = pd.Timestamp("2024-02-01T09:00:00Z") + pd.Timedelta(days=seed % 30)
    lat0, lon0 = 40.2120 + (seed % 7) * 0.001, -3.8710 - (seed % 5) * 0.001
    return [
        Place("0:0", "Home", "Calle Ejemplo 1, Villanueva", lat0, lon0, base),
        Place(
            "1:0",
            "Work",
            "Polígono Muestra 12, Villanueva",
            lat0 + 0.0123,
            lon0 + 0.0211,
            base + pd.Timedelta(hours=2),
        ),
        Place(
            "2:5e1f",
            "Lock-up garage",
            "Camino Viejo s/n, Villanueva",
            lat0 - 0.0064,
            lon0 + 0.0032,
            base + pd.Timedelta(days=3, minutes=17),
        ),
    ]


def make_fixes(seed: int = 0, n: int = 24) -> list[Fix]:
    """A walk of ``n`` fixes a minute apart (every fourth with unknown speed and course)."""
    start = pd.Timestamp("2024-03-20T20:00:00Z") + pd.Timedelta(days=seed % 30)
    lat0, lon0 = 40.2120 + (seed % 7) * 0.001, -3.8710
    fixes = []
    for i in range(n):
        unknown = i % 4 == 3
        fixes.append(
            Fix(
                time=start + pd.Timedelta(seconds=60 * i, milliseconds=250 * (i % 4)),
                lat=lat0 + 0.0004 * i,
                lon=lon0 + 0.0003 * i * math.cos(i / 5),
                alt_m=612.0 + (i % 5),
                accuracy_m=5.0 + (i % 3) * 5,
                speed_ms=-1.0 if unknown else 1.4 + 0.1 * (i % 3),
                course_deg=-1.0 if unknown else float((37 * i) % 360),
            )
        )
    return fixes


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field (wire type 2)."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def protobuf_place(place: Place) -> bytes:
    """The ``sync_item`` blob: field 1 a varint, field 6 {2: address, 7: label} (the fields
    ALEAPP reads), as the protobuf encoding writes them."""
    inner = _field(2, place.address.encode()) + _field(7, place.label.encode())
    return _varint(1 << 3 | 0) + _varint(1) + _field(6, inner)


GMM_SCHEMA = (
    "CREATE TABLE android_metadata (locale TEXT)",
    "CREATE TABLE sync_item (key_string TEXT NOT NULL, timestamp INTEGER, latitude INTEGER, "
    "longitude INTEGER, sync_item BLOB)",
)
ROUTINED_SCHEMA = (
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, "
    "Z_MAX INTEGER)",
    "CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB)",
    "CREATE TABLE ZRTCLLOCATIONMO ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZALTITUDE FLOAT, ZCOURSE FLOAT, ZHORIZONTALACCURACY FLOAT, ZLATITUDE FLOAT, ZLONGITUDE "
    "FLOAT, ZSPEED FLOAT, ZTIMESTAMP TIMESTAMP, ZVERTICALACCURACY FLOAT )",
)


def write_android_places(
    root: Path, places: Sequence[Place], *, wal: WalState = "none"
) -> dict[str, Any]:
    """Write ``gmm_myplaces.db`` under ``root``; returns the answer key."""

    def head(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO android_metadata VALUES ('en_GB')")
        conn.executemany(
            "INSERT INTO sync_item (key_string, timestamp, latitude, longitude, sync_item) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (
                    p.key,
                    int(p.saved.value // 1_000_000),
                    round(p.lat * 1e6),
                    round(p.lon * 1e6),
                    protobuf_place(p),
                )
                for p in places
            ],
        )

    write_db(root / GMM_MYPLACES_DB, GMM_SCHEMA, head, wal=wal)
    return {
        "path": "/" + GMM_MYPLACES_DB,
        "places": [
            {
                "label": p.label,
                "address": p.address,
                "lat": round(p.lat * 1e6) / 1e6,
                "lon": round(p.lon * 1e6) / 1e6,
                "time": p.saved.isoformat(),
            }
            for p in places
        ],
    }


def write_ios_fixes(root: Path, fixes: Sequence[Fix], *, wal: WalState = "none") -> dict[str, Any]:
    """Write routined ``Cache.sqlite`` under ``root``; returns the answer key."""

    def head(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO Z_PRIMARYKEY VALUES (1, 'RTCLLocationMO', 0, ?)", (len(fixes),))
        conn.executemany(
            "INSERT INTO ZRTCLLOCATIONMO (Z_PK, Z_ENT, Z_OPT, ZALTITUDE, ZCOURSE, "
            "ZHORIZONTALACCURACY, ZLATITUDE, ZLONGITUDE, ZSPEED, ZTIMESTAMP, ZVERTICALACCURACY) "
            "VALUES (?, 1, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i,
                    f.alt_m,
                    f.course_deg,
                    f.accuracy_m,
                    f.lat,
                    f.lon,
                    f.speed_ms,
                    (f.time - _COCOA_EPOCH).value / 1e9,
                    3.0,
                )
                for i, f in enumerate(fixes, start=1)
            ],
        )

    write_db(root / ROUTINED_CACHE_DB, ROUTINED_SCHEMA, head, wal=wal)
    return {
        "path": "/" + ROUTINED_CACHE_DB,
        "fixes": [
            {
                "time": f.time.isoformat(),
                "lat": f.lat,
                "lon": f.lon,
                "alt_m": f.alt_m,
                "accuracy_m": f.accuracy_m,
                "speed_ms": None if f.speed_ms < 0 else f.speed_ms,
                "course_deg": None if f.course_deg < 0 else f.course_deg,
            }
            for f in fixes
        ],
    }


def default_shots(seed: int = 0) -> list[Shot]:
    """Six photos: four camera shots with GPS (one in winter time, +01:00), one with
    location off, one WhatsApp image (no EXIF)."""
    start = pd.Timestamp("2024-03-14T08:00:00Z") + pd.Timedelta(days=seed % 365)
    lat0, lon0 = 40.2120 + (seed % 7) * 0.001, -3.8710
    shots = [
        Shot(start + pd.Timedelta(days=d, hours=h), lat0 + 0.002 * d, lon0 - 0.001 * h, 612.0 + d)
        for d, h in ((0, 2), (3, 5), (20, 1), (21, 12))
    ]
    shots.append(Shot(start + pd.Timedelta(days=5, hours=3), lat0, lon0, 612.0, gps=False))
    shots.append(Shot(start + pd.Timedelta(days=6), lat0, lon0, 612.0, folder="whatsapp"))
    return shots


def default_drone_logs(seed: int = 0) -> tuple[dict[str, bytes], list[dict[str, Any]]]:
    """A DJI flight record (format 11, readable) and one of format 13 (encrypted records),
    named as DJI apps name them, with their answer keys."""
    import tempfile

    from forensics_datasets.drone.dji_txt import simple_dji_flight, write_dji_txt

    logs: dict[str, bytes] = {}
    keys: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="phone-dji-") as tmp:
        for n, version in enumerate((11, 13)):
            flight = simple_dji_flight(seed + n)
            start = pd.Timestamp(flight.start_ms, unit="ms", tz="UTC")
            name = f"DJIFlightRecord_{start.strftime('%Y-%m-%d_[%H-%M-%S]')}.txt"
            target = Path(tmp) / name
            write_dji_txt(target, flight, version=version, seed=seed + n)
            logs[name] = target.read_bytes()
            frames = flight.frames
            keys.append(
                {
                    "name": name,
                    "version": version,
                    "encrypted": version >= 13,
                    **flight.key(),
                    "first_lat": float(frames["lat"].iloc[0]),
                    "first_lon": float(frames["lon"].iloc[0]),
                    "last_lat": float(frames["lat"].iloc[-1]),
                    "last_lon": float(frames["lon"].iloc[-1]),
                }
            )
    return logs, keys
