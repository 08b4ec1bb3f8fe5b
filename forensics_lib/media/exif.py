"""Photo metadata: EXIF (through exifread) and the DJI tags of the XMP packet.

EXIF tags (CIPA DC-008 Exif 2.32): GPSLatitude/GPSLongitude are three RATIONALs (degrees,
minutes, seconds) with GPSLatitudeRef ``N``/``S`` and GPSLongitudeRef ``E``/``W`` giving the
sign; GPSAltitude a RATIONAL in metres with GPSAltitudeRef 1 = below sea level;
GPSDateStamp + GPSTimeStamp are UTC. DateTimeOriginal (``YYYY:MM:DD HH:MM:SS``) is local
wall time; OffsetTimeOriginal (``+HH:MM``, Exif 2.31) says its offset from UTC. Without an
offset the time stays local (``datetime_original``) and ``time_utc`` comes from a zone the
investigator gives, else from the GPS time stamp, else NaT; ``time_source`` says which.

DJI XMP (``http://www.dji.com/drone-dji/1.0/``, read from the packet as attributes or
elements): GpsLatitude, GpsLongitude (and the misspelt GpsLongtitude some firmware writes),
AbsoluteAltitude, RelativeAltitude, GimbalYawDegree/PitchDegree/RollDegree,
FlightYawDegree/PitchDegree/RollDegree.
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import warnings
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forensics_lib.core import times
from forensics_lib.core.errors import ForensicsWarning, ParseError, TimestampError
from forensics_lib.core.hashing import file_kind, open_regular
from forensics_lib.core.registry import artifact
from forensics_lib.core.schema import FLOAT, STR, TIME, ArtifactSpec, Column, TimelineRule, conform
from forensics_lib.sources import Source, display_path, open_binary, source_path

__all__ = ["EXIF", "check_zone", "dji_xmp", "photo_metadata", "read_exif", "read_photos"]

_DJI_FIELDS = {
    "dji_lat": ("GpsLatitude",),
    "dji_lon": ("GpsLongitude", "GpsLongtitude"),
    "dji_abs_alt_m": ("AbsoluteAltitude",),
    "dji_rel_alt_m": ("RelativeAltitude",),
    "gimbal_yaw_deg": ("GimbalYawDegree",),
    "gimbal_pitch_deg": ("GimbalPitchDegree",),
    "gimbal_roll_deg": ("GimbalRollDegree",),
    "flight_yaw_deg": ("FlightYawDegree",),
    "flight_pitch_deg": ("FlightPitchDegree",),
    "flight_roll_deg": ("FlightRollDegree",),
}

EXIF = ArtifactSpec(
    id="media.exif",
    family="media",
    description="Photo metadata: EXIF time and GPS, camera make/model/serial, DJI XMP",
    columns=(
        Column("path", STR, "the photo"),
        Column("time_utc", TIME, "when taken (UTC)"),
        Column("time_source", STR, "OffsetTimeOriginal, zone, GPS time stamp, or none"),
        Column("datetime_original", STR, "DateTimeOriginal as written (local wall time)"),
        Column("offset_time", STR, "OffsetTimeOriginal as written"),
        Column("gps_time_utc", TIME, "GPSDateStamp + GPSTimeStamp (UTC by definition)"),
        Column("lat", FLOAT, "latitude (EXIF GPS, else DJI XMP)"),
        Column("lon", FLOAT, "longitude"),
        Column("alt_m", FLOAT, "altitude AMSL, metres (EXIF GPS, else DJI AbsoluteAltitude)"),
        Column("make", STR, "camera make"),
        Column("model", STR, "camera model"),
        Column("serial", STR, "body / camera serial number"),
        *(Column(name, FLOAT, f"DJI XMP {keys[0]}") for name, keys in _DJI_FIELDS.items()),
    ),
    locator="row_id",
    globs=("**/*.jpg", "**/*.JPG", "**/*.jpeg", "**/*.JPEG"),
    magic=((0, b"\xff\xd8\xff"),),
    timeline=(
        TimelineRule(
            "time_utc", "photo taken", "{model} {path}", actor="serial", lat="lat", lon="lon"
        ),
    ),
    references=("CIPA DC-008-2019 (Exif 2.32)", "DJI XMP drone-dji namespace"),
)

_XMP_START = b"<x:xmpmeta"
_XMP_END = b"</x:xmpmeta>"
_ATTR = re.compile(rb'drone-dji:(\w+)\s*=\s*"([^"]*)"')
_ELEM = re.compile(rb"<drone-dji:(\w+)>([^<]*)</drone-dji:\1>")


def dji_xmp(data: bytes) -> dict[str, str]:
    """The ``drone-dji:`` properties of the first XMP packet in ``data`` (raw text values)."""
    start = data.find(_XMP_START)
    if start < 0:
        return {}
    end = data.find(_XMP_END, start)
    packet = data[start : end if end > 0 else len(data)]
    found: dict[str, str] = {}
    for rx in (_ATTR, _ELEM):
        for key, value in rx.findall(packet):
            found.setdefault(key.decode("ascii"), value.decode("utf-8", "replace").strip())
    return found


def _ratio(value: Any) -> Fraction | None:
    num, den = getattr(value, "num", None), getattr(value, "den", None)
    if num is None or den is None:
        try:
            return Fraction(str(value))
        except (ValueError, ZeroDivisionError):
            return None
    return None if den == 0 else Fraction(int(num), int(den))


def _dms(tag: Any, ref: Any, negative: str) -> float | None:
    values = getattr(tag, "values", None)
    if not values or len(values) < 3:
        return None
    parts = [p for p in (_ratio(v) for v in values[:3]) if p is not None]
    if len(parts) < 3:
        return None
    deg, minutes, seconds = parts
    value = float(deg + minutes / 60 + seconds / 3600)
    sign = (
        -1.0 if str(getattr(ref, "values", ref) or "").strip().upper().startswith(negative) else 1.0
    )
    return sign * value


def _text(tags: dict[str, Any], key: str) -> str | None:
    tag = tags.get(key)
    if tag is None:
        return None
    text = str(tag.printable if hasattr(tag, "printable") else tag).strip().strip("\x00").strip()
    return text or None


def _float(text: str | None) -> float:
    try:
        return float(text) if text is not None else float("nan")
    except ValueError:
        return float("nan")


def _plausible(lat: float | None, lon: float | None) -> bool:
    """False for a position no place on Earth has (NaN and None are just missing)."""
    lat_ok = lat is None or lat != lat or -90.0 <= lat <= 90.0
    lon_ok = lon is None or lon != lon or -180.0 <= lon <= 180.0
    return lat_ok and lon_ok


def _exif_naive(text: str | None) -> str | None:
    m = re.fullmatch(r"(\d{4}):(\d\d):(\d\d)[ T](\d\d):(\d\d):(\d\d)", text or "")
    return f"{m[1]}-{m[2]}-{m[3]}T{m[4]}:{m[5]}:{m[6]}" if m else None


def _gps_time(tags: dict[str, Any]) -> pd.Timestamp | None:
    date = _text(tags, "GPS GPSDate")
    stamp = tags.get("GPS GPSTimeStamp")
    values = getattr(stamp, "values", None)
    m = re.fullmatch(r"(\d{4}):(\d\d):(\d\d)", date or "")
    if not m or not values or len(values) < 3:
        return None
    hms = [p for p in (_ratio(v) for v in values[:3]) if p is not None]
    if len(hms) < 3:
        return None
    seconds = hms[0] * 3600 + hms[1] * 60 + hms[2]
    try:
        day = pd.Timestamp(f"{m[1]}-{m[2]}-{m[3]}", tz="UTC")
    except ValueError:
        return None
    return day + pd.Timedelta(microseconds=round(float(seconds) * 1e6))


def _exif_tags(data: bytes, path: str) -> dict[str, Any]:
    import exifread

    try:
        return dict(exifread.process_file(io.BytesIO(data), details=False, extract_thumbnail=False))
    # exifread parses untrusted bytes with plain struct/index arithmetic and lets these escape
    # on corrupt input; they become our typed error naming the file.
    except (
        struct.error,
        IndexError,
        KeyError,
        ValueError,
        TypeError,
        ZeroDivisionError,
        AttributeError,
        RecursionError,
        MemoryError,
        UnicodeDecodeError,
    ) as exc:
        raise ParseError(path, None, f"unreadable EXIF: {type(exc).__name__}: {exc}") from None


# ISO/IEC 23008-12 major brands of HEIF still images (and AVIF, its AV1 sibling).
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif"})
# Markers that stand alone, with no length (T.81 B.1.1.3): TEM, RST0-7, SOI.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})


# What exifread recognises as an image (exifread/__init__.py ``_determine_type``): JPEG
# (SOI marker), TIFF and the raw formats built on it (DNG), PNG, WebP and HEIF/HEIC.
def image_format(data: bytes) -> str | None:
    """The image format ``data`` starts with (``"JPEG"``, ``"TIFF"``, ...), or None when
    it is not an image (empty, or another file under a photo's name)."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:  # not MP4/MOV, which share ftyp
        return "HEIF"
    return None


def jpeg_cut_short(data: bytes) -> str | None:
    """Why a JPEG ends before its image does, or None when it is whole.

    Walks the marker segments from SOI (each ``FF xx`` with a big-endian length, ITU-T T.81
    B.1.1) to the first SOS, so a thumbnail inside APP1 (with its own EOI) is stepped over,
    then looks for the EOI marker after the scan. Bytes after EOI (vendor trailers) are not
    a cut."""
    pos = 2
    while True:
        if pos + 2 > len(data):
            return f"cut short at byte {len(data)}, inside the header segments"
        if data[pos] != 0xFF:
            return f"no JPEG marker at byte {pos} (damaged header)"
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        if marker == 0xD9:  # EOI before any scan: a header-only JPEG, whole as written
            return None
        if pos + 4 > len(data):
            return f"cut short at byte {len(data)}, inside the header segments"
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if pos + 2 + length > len(data):
            return f"cut short at byte {len(data)}, inside segment FF{marker:02X} at byte {pos}"
        if marker == 0xDA:  # start of scan: entropy-coded data follows, up to EOI
            if data.find(b"\xff\xd9", pos + 2 + length) < 0:
                return f"cut short at byte {len(data)}: the image data has no end (EOI) marker"
            return None
        pos += 2 + length


def _not_an_image(data: bytes) -> str:
    if not data:
        return "empty file (0 bytes): not a photo"
    return "not a photo (no JPEG, TIFF, PNG, WebP or HEIF signature)"


def check_zone(zone: str | None) -> None:
    """Raise :class:`TimestampError` unless ``zone`` is None or an IANA zone name."""
    if zone is not None:
        times.zone_info(zone)


def photo_metadata(data: bytes, path: str, *, zone: str | None = None) -> dict[str, Any]:
    """One photo's row (see :data:`EXIF` for the columns) from its bytes.

    ``zone`` (IANA) puts a DateTimeOriginal without OffsetTimeOriginal on UTC; an unknown
    zone raises :class:`TimestampError`.
    """
    check_zone(zone)
    tags = _exif_tags(data, path) if image_format(data) else {}
    xmp = dji_xmp(data)
    # A photo without metadata is common (messaging apps strip it) and its empty row is the
    # answer; a JPEG that ends early is not whole, and says so.
    cut = jpeg_cut_short(data) if image_format(data) == "JPEG" else None
    if cut:  # the metadata before the cut is read; the photo is not whole
        warnings.warn(f"{path}: JPEG {cut}", ForensicsWarning, stacklevel=2)
    lat = _dms(tags.get("GPS GPSLatitude"), tags.get("GPS GPSLatitudeRef"), "S")
    lon = _dms(tags.get("GPS GPSLongitude"), tags.get("GPS GPSLongitudeRef"), "W")
    alt: float | None = None
    alt_tag = tags.get("GPS GPSAltitude")
    if alt_tag is not None and getattr(alt_tag, "values", None):
        ratio = _ratio(alt_tag.values[0])
        if ratio is not None:
            ref = list(getattr(tags.get("GPS GPSAltitudeRef"), "values", None) or [0])
            below = str(ref[0]) == "1"
            alt = -float(ratio) if below else float(ratio)
    if lat is None or lon is None or (lat == 0 and lon == 0):
        lat = lon = None  # half a position, or 0,0 (a camera without a fix), is no position
    if not _plausible(lat, lon):
        warnings.warn(
            f"{path}: EXIF GPS position ({lat}, {lon}) is impossible (corrupt tag); ignored",
            ForensicsWarning,
            stacklevel=2,
        )
        lat = lon = None
    row: dict[str, Any] = {"path": path}
    for name, keys in _DJI_FIELDS.items():
        row[name] = _float(next((xmp[k] for k in keys if k in xmp), None))
    if not _plausible(row["dji_lat"], row["dji_lon"]):
        warnings.warn(
            f"{path}: DJI XMP position ({row['dji_lat']}, {row['dji_lon']}) is impossible; ignored",
            ForensicsWarning,
            stacklevel=2,
        )
        row["dji_lat"] = row["dji_lon"] = float("nan")
    if lat is None and not np.isnan(row["dji_lat"]) and not np.isnan(row["dji_lon"]):
        lat, lon = row["dji_lat"], row["dji_lon"]
    if alt is None and not np.isnan(row["dji_abs_alt_m"]):
        alt = row["dji_abs_alt_m"]
    naive = _exif_naive(_text(tags, "EXIF DateTimeOriginal"))
    offset = _text(tags, "EXIF OffsetTimeOriginal")
    gps_utc = _gps_time(tags)
    when: pd.Timestamp | None = None
    source = "none"
    if naive and offset and re.fullmatch(r"[+-]\d\d:\d\d", offset):
        try:
            when = times.to_utc(naive + offset)
            source = "OffsetTimeOriginal"
        except TimestampError:
            when = None
    if when is None and naive and zone:
        try:
            when = times.from_local(naive, zone)
            source = f"zone {zone}"
        except TimestampError as exc:  # the zone is known: a wall time a DST change skips/repeats
            warnings.warn(
                f"{path}: DateTimeOriginal not converted: {exc}", ForensicsWarning, stacklevel=2
            )
            when = None
    if when is None and gps_utc is not None:
        when, source = gps_utc, "GPS time stamp"
    serial = _text(tags, "EXIF BodySerialNumber") or _text(tags, "MakerNote SerialNumber")
    row.update(
        time_utc=when,
        time_source=source,
        datetime_original=naive,
        offset_time=offset,
        gps_time_utc=gps_utc,
        lat=lat,
        lon=lon,
        alt_m=alt,
        make=_text(tags, "Image Make"),
        model=_text(tags, "Image Model"),
        serial=serial or xmp.get("CameraSerialNumber") or xmp.get("DroneSerialNumber"),
    )
    return row


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[c.name for c in EXIF.columns])
    for col in ("time_utc", "gps_time_utc"):
        frame[col] = pd.Series(
            [pd.NaT if v is None else v for v in frame[col]], dtype="datetime64[ns, UTC]"
        )
    for col in ("lat", "lon", "alt_m"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame


@artifact(EXIF)
def read_exif(source: Source, *, zone: str | None = None) -> pd.DataFrame:
    """One photo as a one-row frame (EXIF + DJI XMP); ``zone`` for times without an offset."""
    with open_binary(source) as fh:
        data = fh.read()
    if image_format(data) is None:
        raise ParseError(display_path(source), 0, _not_an_image(data))
    frame = _frame([photo_metadata(data, display_path(source), zone=zone)])
    frame["path"] = source_path(source)
    frame["artifact"] = EXIF.id
    frame["source_path"] = source_path(source)
    frame["row_id"] = 0
    return conform(frame, EXIF)


_PHOTO_SUFFIXES = {".jpg", ".jpeg", ".dng", ".tif", ".tiff"}


def _photos_in(folder: Path) -> tuple[list[Path], list[str]]:
    """The regular photo files under ``folder``, and why the others were left out: a FIFO,
    device or socket named ``.jpg`` is never opened (it would hang the read), and a link
    leading out of the folder is not part of it."""
    root = folder.resolve()
    found: list[Path] = []
    refused: list[str] = []
    for f in sorted(folder.rglob("*")):
        if f.suffix.lower() not in _PHOTO_SUFFIXES:
            continue
        try:
            mode = f.stat().st_mode
        except OSError as exc:
            refused.append(f"{f}: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(mode):
            continue
        if not stat.S_ISREG(mode):
            refused.append(f"{f}: {file_kind(mode)}")
        elif f.is_symlink() and not f.resolve().is_relative_to(root):
            refused.append(f"{f}: a link leading out of {folder}")
        else:
            found.append(f)
    return found, refused


def read_photos(
    paths: Iterable[str | os.PathLike[str]], *, zone: str | None = None
) -> pd.DataFrame:
    """Every photo under ``paths`` (files or folders, recursively), one row each, by path.

    ``zone`` (IANA) puts local times without an offset on UTC (see :func:`photo_metadata`).
    """
    check_zone(zone)
    files: list[Path] = []
    skipped: list[str] = []
    for p in map(Path, paths):
        if p.is_dir():
            found, refused = _photos_in(p)
            files += found
            skipped += refused
        else:
            files.append(p)
    if skipped:
        warnings.warn(
            f"{len(skipped)} file(s) with a photo suffix not read: " + "; ".join(skipped),
            ForensicsWarning,
            stacklevel=2,
        )
    rows = []
    read: list[Path] = []
    not_photos: list[str] = []
    for f in files:
        with open_regular(f) as handle:  # FIFOs, devices, sockets refused, never opened
            data = handle.read()
        if image_format(data) is None:  # counted and named, never a row of nothing
            not_photos.append(f"{f}: {_not_an_image(data)}")
            continue
        cut = jpeg_cut_short(data) if image_format(data) == "JPEG" else None
        if cut and "segment" in cut and not _exif_tags(data, str(f)) and not dji_xmp(data):
            # cut inside its header before any metadata: a row would hold nothing
            not_photos.append(f"{f}: JPEG {cut}, before any metadata")
            continue
        rows.append(photo_metadata(data, str(f), zone=zone))
        read.append(f)
    if not_photos:
        warnings.warn(
            f"{len(not_photos)} file(s) not read: " + "; ".join(not_photos),
            ForensicsWarning,
            stacklevel=2,
        )
    frame = _frame(rows)
    frame["artifact"] = EXIF.id
    frame["source_path"] = ["/" + f.name for f in read]
    frame["row_id"] = range(len(read))
    return conform(frame, EXIF)
