"""JPEG photos with EXIF GPS, time and camera tags and DJI XMP (write_photo, jpeg_with_exif): what
a drone's camera and a phone's camera roll hold."""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import Any

import pandas as pd

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


def dji_xmp(row: Any) -> dict[str, float]:
    """The DJI XMP fields (drone-dji namespace) of a photo taken at a flight sample ``row``
    (lat, lon, alt_amsl_m, alt_rel_m, heading_deg): nadir gimbal, yaw in -180..180."""
    heading = row["heading_deg"]
    return {
        "GpsLatitude": row["lat"],
        "GpsLongitude": row["lon"],
        "AbsoluteAltitude": row["alt_amsl_m"],
        "RelativeAltitude": row["alt_rel_m"],
        "GimbalPitchDegree": -90.0,
        "FlightYawDegree": heading - 360 * (heading > 180),
    }


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
