"""Photos and videos of a phone: one row per file, its hash and its EXIF (ALEAPP/iLEAPP "Media").

Where a phone keeps them (device paths):

* Android shared storage (``/sdcard`` = ``/storage/emulated/0`` = ``/data/media/0`` for user 0,
  the path a full-file-system extraction holds): ``DCIM/`` (camera app, ``DCIM/Camera``),
  ``Pictures/`` (screenshots on Pixel, other apps), WhatsApp's media
  ``WhatsApp/Media/WhatsApp Images|Video/`` before Android 11 and
  ``Android/media/com.whatsapp/WhatsApp/Media/...`` since (scoped storage; the paths status
  savers and backup tools scan, e.g. ``/storage/emulated/0/Android/media/com.whatsapp/
  WhatsApp/Media/.Statuses``).
* iOS camera roll: ``/private/var/mobile/Media/DCIM/1nnAPPLE/IMG_nnnn.JPG|HEIC|MOV``
  (``MediaDomain`` ``Media/DCIM`` in a backup; iLEAPP's Photos.sqlite modules join
  ``ZASSET.ZDIRECTORY`` = ``DCIM/100APPLE`` to ``ZFILENAME``).

What a row says: size and SHA-256 of the file as stored, ``kind`` (photo or video, by the
name's extension), and for photos the EXIF read by :func:`forensics_lib.media.photo_metadata`
(CIPA DC-008 Exif 2.32): ``time`` from DateTimeOriginal + OffsetTimeOriginal, else from
GPSDateStamp + GPSTimeStamp (UTC by definition), else **empty** (``time_source`` says which);
GPS position and altitude; camera make and model. The file's modification time, where the
container records one as UTC, is in ``file_mtime``, never in ``time``: a copy, a sync or
WhatsApp's re-encoding (which also strips EXIF) changes it. A photo whose EXIF cannot be
read keeps its row (path, size, hash) with a :class:`~forensics_lib.core.errors.ForensicsWarning`.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import PurePosixPath
from typing import Any

import pandas as pd

from forensics_lib.core.errors import ForensicsWarning, ParseError
from forensics_lib.core.registry import artifact
from forensics_lib.core.schema import (
    FLOAT,
    INT,
    STR,
    TIME,
    ArtifactSpec,
    Column,
    TimelineRule,
    conform,
)
from forensics_lib.media.exif import photo_metadata
from forensics_lib.sources import Source, display_path, open_binary, source_path

__all__ = [
    "ANDROID_MEDIA",
    "IOS_MEDIA",
    "MEDIA_COLUMNS",
    "PHOTO_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "android_photo_globs",
    "ios_photo_globs",
    "read_android_media",
    "read_ios_media",
    "read_media",
]

PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".heic", ".png", ".webp", ".dng")
VIDEO_EXTENSIONS = (".mp4", ".mov", ".3gp")
_EXIF_EXTENSIONS = (".jpg", ".jpeg", ".heic", ".dng")  # where EXIF is expected
_CHUNK = 1 << 20


def _any_case(ext: str) -> str:
    """``.jpg`` -> ``*.[jJ][pP][gG]`` (device paths are case-sensitive; cameras write both)."""
    return "*." + "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in ext[1:])


# /sdcard as a full extraction stores it (data/media/0) and as logical tools name it.
_ANDROID_ROOTS = ("**/data/media/0", "**/storage/emulated/0", "**/sdcard")
_ANDROID_FOLDERS = (
    "DCIM/**",
    "Pictures/**",
    "WhatsApp/Media/**",
    "Android/media/com.whatsapp/WhatsApp/Media/**",
)
_IOS_FOLDER = "**/mobile/Media/DCIM/*"


def android_photo_globs(extensions: tuple[str, ...]) -> tuple[str, ...]:
    """Globs of the Android media folders for files ending in ``extensions``."""
    return tuple(
        f"{root}/{folder}/{_any_case(ext)}"
        for root in _ANDROID_ROOTS
        for folder in _ANDROID_FOLDERS
        for ext in extensions
    )


def ios_photo_globs(extensions: tuple[str, ...]) -> tuple[str, ...]:
    """Globs of the iOS camera roll (``Media/DCIM/1nnAPPLE``) for ``extensions``."""
    return tuple(f"{_IOS_FOLDER}/{_any_case(ext)}" for ext in extensions)


MEDIA_COLUMNS: tuple[Column, ...] = (
    Column("time", TIME, "when taken (UTC): EXIF DateTimeOriginal + offset, else GPS stamp"),
    Column("time_source", STR, "OffsetTimeOriginal, GPS time stamp or none"),
    Column("path", STR, "device path of the file"),
    Column("file_name", STR, "file name"),
    Column("folder", STR, "camera, screenshots, pictures, whatsapp or dcim (by the path)"),
    Column("kind", STR, "photo or video (by the extension)"),
    Column("size", INT, "bytes"),
    Column("sha256", STR, "SHA-256 of the file as stored"),
    Column("datetime_original", STR, "EXIF DateTimeOriginal as written (local wall time)"),
    Column("offset_time", STR, "EXIF OffsetTimeOriginal as written"),
    Column("lat", FLOAT, "EXIF GPS latitude, decimal degrees WGS84"),
    Column("lon", FLOAT, "EXIF GPS longitude"),
    Column("alt_m", FLOAT, "EXIF GPS altitude, metres (negative below sea level)"),
    Column("make", STR, "camera make (EXIF Make)"),
    Column("model", STR, "camera model (EXIF Model)"),
    Column("file_mtime", TIME, "modification time recorded by the container (UTC), if any"),
)
_TIMELINE = (TimelineRule("time", "{kind} taken", "{model} {path}", lat="lat", lon="lon"),)
_REFS = (
    "CIPA DC-008-2019 (Exif 2.32)",
    "ALEAPP/iLEAPP media and Photos.sqlite modules (DCIM paths)",
)

ANDROID_MEDIA = ArtifactSpec(
    id="android.media",
    family="phone",
    description="Photos and videos on Android shared storage (DCIM, Pictures, WhatsApp Media)",
    columns=MEDIA_COLUMNS,
    globs=android_photo_globs(PHOTO_EXTENSIONS + VIDEO_EXTENSIONS),
    timeline=_TIMELINE,
    references=_REFS,
)
IOS_MEDIA = ArtifactSpec(
    id="ios.media",
    family="phone",
    description="Photos and videos of the iOS camera roll (Media/DCIM/1nnAPPLE)",
    columns=MEDIA_COLUMNS,
    globs=ios_photo_globs(PHOTO_EXTENSIONS + VIDEO_EXTENSIONS),
    timeline=_TIMELINE,
    references=_REFS,
)


def _folder(path: str) -> str:
    """Which store a file sits in, by its device path."""
    parts = [p.lower() for p in PurePosixPath(path).parts]
    if any("whatsapp" in p for p in parts):
        return "whatsapp"
    if "screenshots" in parts:
        return "screenshots"
    if "camera" in parts or any(p.endswith("apple") for p in parts):
        return "camera"
    if "pictures" in parts:
        return "pictures"
    return "dcim"


def _kind(path: str) -> str:
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in VIDEO_EXTENSIONS:
        return "video"
    if suffix in PHOTO_EXTENSIONS:
        return "photo"
    return "other"


def _mtime(source: Source) -> pd.Timestamp | None:
    member = getattr(source, "member", None)
    if member is None:  # a backup file wraps the stored EvidenceFile
        member = getattr(getattr(source, "file", None), "member", None)
    mtime = getattr(member, "mtime", None)
    return mtime if isinstance(mtime, pd.Timestamp) else None


def media_row(source: Source) -> dict[str, Any]:
    """One file's row (see :data:`MEDIA_COLUMNS`), hashing it as it streams."""
    path = source_path(source)
    kind = _kind(path)
    digest = hashlib.sha256()
    size = 0
    keep = kind == "photo" and PurePosixPath(path).suffix.lower() in _EXIF_EXTENSIONS
    kept: list[bytes] = []
    with open_binary(source) as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if keep:
                kept.append(chunk)
    row: dict[str, Any] = {
        "path": path,
        "file_name": PurePosixPath(path).name,
        "folder": _folder(path),
        "kind": kind,
        "size": size,
        "sha256": digest.hexdigest(),
        "file_mtime": _mtime(source),
        "time": None,
        "time_source": "none",
    }
    if keep:
        try:
            meta = photo_metadata(b"".join(kept), display_path(source))
        except ParseError as exc:
            warnings.warn(
                f"{display_path(source)}: EXIF not read ({exc}); the file is listed without it",
                ForensicsWarning,
                stacklevel=3,
            )
        else:
            row.update(
                time=meta["time_utc"],
                time_source=meta["time_source"],
                datetime_original=meta["datetime_original"],
                offset_time=meta["offset_time"],
                lat=meta["lat"],
                lon=meta["lon"],
                alt_m=meta["alt_m"],
                make=meta["make"],
                model=meta["model"],
            )
    return row


def media_frame(rows: list[dict[str, Any]], spec: ArtifactSpec) -> pd.DataFrame:
    """Rows of :func:`media_row` as a frame conforming to ``spec`` (row_id 0: one per file)."""
    names = [c.name for c in MEDIA_COLUMNS]
    frame = pd.DataFrame(rows, columns=names)
    for col in ("time", "file_mtime"):
        frame[col] = pd.Series(
            [pd.NaT if v is None or v is pd.NaT else v for v in frame[col]],
            dtype=TIME,
            index=frame.index,
        )
    for col in ("lat", "lon", "alt_m"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    frame["artifact"] = spec.id
    frame["source_path"] = frame["path"]
    frame["row_id"] = 0
    return conform(frame, spec)


def read_media(source: Source, spec: ArtifactSpec = ANDROID_MEDIA) -> pd.DataFrame:
    """One photo or video as a one-row frame of ``spec``."""
    return media_frame([media_row(source)], spec)


@artifact(ANDROID_MEDIA)
def read_android_media(source: Source) -> pd.DataFrame:
    """A photo or video of Android shared storage: one row with hash and EXIF."""
    return read_media(source, ANDROID_MEDIA)


@artifact(IOS_MEDIA)
def read_ios_media(source: Source) -> pd.DataFrame:
    """A photo or video of the iOS camera roll: one row with hash and EXIF."""
    return read_media(source, IOS_MEDIA)
