"""The media index a phone keeps of its shared storage: Android ``external.db``, iOS
``Photos.sqlite``.

Every phone indexes the files it holds: a reader that finds camera photos but no index is
looking at something no phone wrote, and ALEAPP / iLEAPP report their media from the index.

* Android (10+): MediaProvider's ``external.db``
  (``/data/data/com.google.android.providers.media.module/databases/``, the path ALEAPP
  ``scripts/artifacts/emulatedSmeta.py`` reads on Pixels): table ``files``, one row per file
  and per folder of ``/storage/emulated/0`` (``Android/data`` and ``Android/obb`` are not
  scanned since Android 11), and the views ``images``, ``video``, ``audio``, ``downloads``
  over it (``media_type`` 1, 3, 2; ``is_download`` 1). Column names are MediaStore's
  (``MediaStore.MediaColumns``/``FileColumns``/``ImageColumns``): ``date_added`` and
  ``date_modified`` Unix seconds, ``datetaken`` Unix ms; ``latitude``/``longitude`` stay
  NULL, as MediaProvider no longer fills them since Android 10. Reconstructed from those
  names and ALEAPP's queries, not dumped from a device.
* iOS (14+): ``/private/var/mobile/Media/PhotoData/Photos.sqlite``: Core Data tables
  ``ZASSET`` (iOS 14+; ``ZGENERICASSET`` on iOS 13, chosen by ``ios_version``) and
  ``ZADDITIONALASSETATTRIBUTES``, one asset per file under ``Media/DCIM``, dates Cocoa
  seconds, ``ZLATITUDE``/``ZLONGITUDE`` -180 when the photo has no location (the columns
  iLEAPP ``photosMetadata.py`` reads). Reconstructed, not dumped from a device.

File times: a photo's EXIF time where the generator knows it, else the extraction's fixed
file time (the mtime every packed file carries).
"""

from __future__ import annotations

import hashlib
import sqlite3
import struct
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from forensics_datasets.phone._pack import WalState, write_db

__all__ = [
    "ANDROID_EXTERNAL_DB",
    "ANDROID_STORAGE",
    "IOS_PHOTOS_DB",
    "jpeg_size",
    "write_android_media_index",
    "write_ios_photos",
]

ANDROID_EXTERNAL_DB = "data/data/com.google.android.providers.media.module/databases/external.db"
ANDROID_STORAGE = "data/media/0"  # /storage/emulated/0 as the FUSE daemon presents it
IOS_MEDIA = "private/var/mobile/Media"
IOS_PHOTOS_DB = f"{IOS_MEDIA}/PhotoData/Photos.sqlite"
_FILE_TIME = pd.Timestamp("2024-04-20T14:00:00Z")  # _pack's fixed member mtime
_COCOA = pd.Timestamp("2001-01-01T00:00:00Z")
# The standard folders MediaProvider creates on first boot (Environment.STANDARD_DIRECTORIES).
_STANDARD = (
    "Alarms",
    "Audiobooks",
    "DCIM",
    "Documents",
    "Download",
    "Movies",
    "Music",
    "Notifications",
    "Pictures",
    "Podcasts",
    "Recordings",
    "Ringtones",
)
_SKIPPED = ("Android/data", "Android/obb")
_MIME = {
    ".jpg": ("image/jpeg", 1),
    ".jpeg": ("image/jpeg", 1),
    ".png": ("image/png", 1),
    ".heic": ("image/heic", 1),
    ".mp4": ("video/mp4", 3),
    ".mov": ("video/quicktime", 3),
    ".m4a": ("audio/mp4", 2),
    ".mp3": ("audio/mpeg", 2),
    ".txt": ("text/plain", 0),
    ".kml": ("application/vnd.google-earth.kml+xml", 0),
}

ANDROID_SCHEMA = (
    "CREATE TABLE android_metadata (locale TEXT)",
    "CREATE TABLE files (_id INTEGER PRIMARY KEY AUTOINCREMENT,_data TEXT UNIQUE COLLATE "
    "NOCASE,_size INTEGER,format INTEGER,parent INTEGER,date_added INTEGER,date_modified "
    "INTEGER,mime_type TEXT,title TEXT,description TEXT,_display_name TEXT,picasa_id TEXT,"
    "orientation INTEGER,latitude DOUBLE,longitude DOUBLE,datetaken INTEGER,mini_thumb_magic "
    "INTEGER,bucket_id TEXT,bucket_display_name TEXT,isprivate INTEGER,title_key TEXT,"
    "artist_id INTEGER,album_id INTEGER,composer TEXT,track INTEGER,year INTEGER CHECK(year!=0)"
    ",is_ringtone INTEGER,is_music INTEGER,is_alarm INTEGER,is_notification INTEGER,"
    "is_podcast INTEGER,album_artist TEXT,duration INTEGER,bookmark INTEGER,artist TEXT,album "
    "TEXT,resolution TEXT,tags TEXT,category TEXT,language TEXT,mini_thumb_data TEXT,name TEXT,"
    "media_type INTEGER,old_id INTEGER,is_drm INTEGER,width INTEGER,height INTEGER,"
    "title_resource_uri TEXT,owner_package_name TEXT DEFAULT NULL,color_standard INTEGER,"
    "color_transfer INTEGER,color_range INTEGER,_hash BLOB DEFAULT NULL,is_pending INTEGER "
    "DEFAULT 0,is_download INTEGER DEFAULT 0,download_uri TEXT DEFAULT NULL,referer_uri TEXT "
    "DEFAULT NULL,is_audiobook INTEGER DEFAULT 0,date_expires INTEGER DEFAULT NULL,is_trashed "
    "INTEGER DEFAULT 0,group_id INTEGER DEFAULT NULL,primary_directory TEXT DEFAULT NULL,"
    "secondary_directory TEXT DEFAULT NULL,document_id TEXT DEFAULT NULL,instance_id TEXT "
    "DEFAULT NULL,original_document_id TEXT DEFAULT NULL,relative_path TEXT DEFAULT NULL,"
    "volume_name TEXT DEFAULT NULL,is_favorite INTEGER DEFAULT 0,generation_added INTEGER "
    "DEFAULT 0,generation_modified INTEGER DEFAULT 0,xmp BLOB DEFAULT NULL,_user_id INTEGER "
    "DEFAULT 0)",
    "CREATE INDEX bucket_index on files(bucket_id,media_type,datetaken, _id)",
    "CREATE INDEX parent_index ON files(parent)",
    "CREATE VIEW images AS SELECT * FROM files WHERE media_type=1",
    "CREATE VIEW audio AS SELECT * FROM files WHERE media_type=2",
    "CREATE VIEW video AS SELECT * FROM files WHERE media_type=3",
    "CREATE VIEW downloads AS SELECT * FROM files WHERE is_download=1",
)


def _ios_schema(asset: str) -> tuple[str, ...]:
    return (
        "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, "
        "Z_MAX INTEGER)",
        "CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST "
        "BLOB)",
        f"CREATE TABLE {asset} ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
        "ZCOMPLETE INTEGER, ZFAVORITE INTEGER, ZHIDDEN INTEGER, ZKIND INTEGER, ZKINDSUBTYPE "
        "INTEGER, ZORIENTATION INTEGER, ZSAVEDASSETTYPE INTEGER, ZTRASHEDSTATE INTEGER, "
        "ZVISIBILITYSTATE INTEGER, ZHEIGHT INTEGER, ZWIDTH INTEGER, ZADDITIONALATTRIBUTES "
        "INTEGER, ZMOMENT INTEGER, ZADDEDDATE TIMESTAMP, ZDATECREATED TIMESTAMP, "
        "ZMODIFICATIONDATE TIMESTAMP, ZTRASHEDDATE TIMESTAMP, ZLASTSHAREDDATE TIMESTAMP, "
        "ZDURATION FLOAT, ZLATITUDE FLOAT, ZLONGITUDE FLOAT, ZDIRECTORY VARCHAR, ZFILENAME "
        "VARCHAR, ZUNIFORMTYPEIDENTIFIER VARCHAR, ZUUID VARCHAR, ZCLOUDASSETGUID VARCHAR, "
        "ZLOCATIONDATA BLOB )",
        "CREATE TABLE ZADDITIONALASSETATTRIBUTES ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, "
        "Z_OPT INTEGER, ZORIGINALFILESIZE INTEGER, ZORIGINALHEIGHT INTEGER, ZORIGINALWIDTH "
        "INTEGER, ZTIMEZONEOFFSET INTEGER, ZASSET INTEGER, ZEXIFTIMESTAMPSTRING VARCHAR, "
        "ZORIGINALFILENAME VARCHAR, ZCREATORBUNDLEID VARCHAR, ZTIMEZONENAME VARCHAR )",
        f"CREATE INDEX Z_{asset}_ZDATECREATED ON {asset} (ZDATECREATED)",
    )


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's first SOF marker (ITU T.81 B.2.2), else None."""
    if not data.startswith(b"\xff\xd8"):
        return None
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    return None


def _time(meta: Mapping[str, Any] | None) -> pd.Timestamp:
    if meta and meta.get("time_utc"):
        return pd.Timestamp(meta["time_utc"])
    return _FILE_TIME


def write_android_media_index(
    tree: Path, photos: Mapping[str, Mapping[str, Any]], *, wal: WalState = "tail"
) -> dict[str, Any]:
    """Index every file and folder under ``/storage/emulated/0`` of ``tree`` in external.db.

    ``photos``: device path -> the photo's answer-key entry (``time_utc``), for its times."""
    storage = tree / ANDROID_STORAGE
    found = sorted(p for p in storage.rglob("*")) if storage.exists() else []
    rel = [p.relative_to(storage).as_posix() for p in found]
    keep = [(p, r) for p, r in zip(found, rel, strict=True) if not r.startswith(_SKIPPED)]
    folders = sorted({*(_STANDARD), *(r for p, r in keep if p.is_dir())})
    for _, r in keep:  # every ancestor folder of a file is indexed too
        parts = PurePosixPath(r).parts[:-1]
        folders = sorted({*folders, *("/".join(parts[: i + 1]) for i in range(len(parts)))})
    ids: dict[str, int] = {}
    rows: list[tuple[Any, ...]] = []

    def parent_of(path: str) -> int:
        up = str(PurePosixPath(path).parent)
        return ids.get(up, 0) if up != "." else 0

    for folder in folders:
        ids[folder] = len(ids) + 1
        rows.append(_android_row(ids[folder], folder, parent_of(folder), None, None, _FILE_TIME))
    files = [(p, r) for p, r in keep if p.is_file()]
    indexed: list[dict[str, Any]] = []
    for path, r in files:
        ids[r] = len(ids) + 1
        device = f"/{ANDROID_STORAGE}/{r}"
        when = _time(photos.get(device))
        data = path.read_bytes()
        rows.append(_android_row(ids[r], r, parent_of(r), data, photos.get(device), when))
        indexed.append({"path": device, "storage_path": f"/storage/emulated/0/{r}"})

    def head(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO android_metadata VALUES ('en_GB')")
        conn.executemany(f"INSERT INTO files ({', '.join(_COLUMNS)}) VALUES ({_MARKS})", rows)

    write_db(tree / ANDROID_EXTERNAL_DB, ANDROID_SCHEMA, head, wal=wal)
    return {
        "path": "/" + ANDROID_EXTERNAL_DB,
        "files": indexed,
        "images": sum(
            _MIME.get(PurePosixPath(r).suffix.lower(), ("", 0))[1] == 1 for _, r in files
        ),
        "folders": len(folders),
    }


_COLUMNS = (
    "_id",
    "_data",
    "_size",
    "format",
    "parent",
    "date_added",
    "date_modified",
    "mime_type",
    "title",
    "_display_name",
    "datetaken",
    "bucket_id",
    "bucket_display_name",
    "media_type",
    "width",
    "height",
    "owner_package_name",
    "is_download",
    "relative_path",
    "volume_name",
    "_hash",
)
_MARKS = ", ".join("?" * len(_COLUMNS))


def _owner(rel: str) -> str | None:
    """The app MediaProvider records as a file's owner (the one that created it)."""
    if rel.startswith("DCIM/Camera/"):
        return "com.google.android.GoogleCamera"
    if rel.startswith("Android/media/"):
        return rel.split("/")[2]
    return None


def _android_row(
    _id: int,
    rel: str,
    parent: int,
    data: bytes | None,
    photo: Mapping[str, Any] | None,
    when: pd.Timestamp,
) -> tuple[Any, ...]:
    path = PurePosixPath(rel)
    storage = f"/storage/emulated/0/{rel}"
    seconds = int(when.value // 10**9)
    bucket = str(path.parent)
    # MediaProvider's bucket_id: the Java String.hashCode() of the lower-cased parent path.
    bucket_id = _java_hash(f"/storage/emulated/0/{bucket}".lower())
    if data is None:  # a folder: format 0x3001 (MTP association), no MIME type
        return (
            _id,
            storage,
            4096,
            0x3001,
            parent,
            seconds,
            seconds,
            None,
            path.name,
            path.name,
            None,
            bucket_id,
            PurePosixPath(bucket).name or None,
            0,
            None,
            None,
            None,
            0,
            f"{bucket}/" if bucket != "." else None,
            "external_primary",
            None,
        )
    mime, media_type = _MIME.get(path.suffix.lower(), ("application/octet-stream", 0))
    size = jpeg_size(data) if mime == "image/jpeg" else None
    taken = int(when.value // 10**6) if photo and photo.get("time_utc") else None
    return (
        _id,
        storage,
        len(data),
        0x3801 if mime == "image/jpeg" else 0x3000,  # MTP EXIF/JPEG, undefined
        parent,
        seconds,
        seconds,
        mime,
        path.stem,
        path.name,
        taken,
        bucket_id,
        PurePosixPath(bucket).name,
        media_type,
        size[0] if size else None,
        size[1] if size else None,
        _owner(rel),
        int(rel.startswith("Download/")),
        f"{bucket}/",
        "external_primary",
        None,
    )


def _java_hash(text: str) -> int:
    """Java's ``String.hashCode()`` (s[0]*31^(n-1) + ... , 32-bit signed)."""
    h = 0
    for unit in struct.unpack(f"<{len(text.encode('utf-16-le')) // 2}H", text.encode("utf-16-le")):
        h = (31 * h + unit) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def _offset_s(local: pd.Timestamp | None) -> int | None:
    offset = None if local is None else local.utcoffset()
    return None if offset is None else int(offset.total_seconds())


def write_ios_photos(
    tree: Path,
    photos: Mapping[str, Mapping[str, Any]],
    *,
    wal: WalState = "tail",
    ios_version: str = "17.5.1",
    zones: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Write ``Photos.sqlite`` with one asset per file under ``Media/DCIM`` of ``tree``.

    ``photos``: device path -> answer-key entry (``time_utc``, ``lat``, ``lon``); ``zones``:
    device path -> the IANA zone the photo was taken in (for its EXIF local time)."""
    asset = "ZASSET" if int(ios_version.split(".")[0]) >= 14 else "ZGENERICASSET"
    dcim = tree / IOS_MEDIA / "DCIM"
    files = sorted(p for p in dcim.rglob("*") if p.is_file()) if dcim.exists() else []
    rows: list[tuple[Any, ...]] = []
    extra: list[tuple[Any, ...]] = []
    key: list[dict[str, Any]] = []
    for pk, path in enumerate(files, start=1):
        rel = path.relative_to(tree / IOS_MEDIA).as_posix()
        device = f"/{IOS_MEDIA}/{rel}"
        meta = photos.get(device) or {}
        when = _time(meta)
        cocoa = (when - _COCOA).value / 1e9
        data = path.read_bytes()
        size = jpeg_size(data) or (0, 0)
        camera = bool(meta.get("make"))
        uuid = hashlib.sha256(device.encode()).hexdigest().upper()
        uuid = f"{uuid[:8]}-{uuid[8:12]}-4{uuid[13:16]}-8{uuid[17:20]}-{uuid[20:32]}"
        lat = meta.get("lat")
        lon = meta.get("lon")
        rows.append(
            (
                pk,
                1,
                0,
                0,
                1,
                3 if camera else 0,
                0,
                0,
                size[1],
                size[0],
                pk,
                cocoa,
                cocoa,
                cocoa,
                -180.0 if lat is None else lat,
                -180.0 if lon is None else lon,
                str(PurePosixPath(rel).parent),
                path.name,
                "public.jpeg",
                uuid,
            )
        )
        zone = (zones or {}).get(device)
        local = when.tz_convert(zone) if zone and meta.get("time_utc") else None
        extra.append(
            (
                pk,
                len(data),
                size[1],
                size[0],
                _offset_s(local),
                pk,
                local.strftime("%Y:%m:%d %H:%M:%S") if local is not None else None,
                path.name,
                "com.apple.camera" if camera else "net.whatsapp.WhatsApp",
                zone if local is not None else None,
            )
        )
        key.append({"path": device, "uuid": uuid, "time": when.isoformat()})

    def head(conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO Z_PRIMARYKEY VALUES (?, ?, 0, ?)",
            [(1, "Asset", len(rows)), (2, "AdditionalAssetAttributes", len(rows))],
        )
        conn.executemany(
            f"INSERT INTO {asset} (Z_PK, Z_ENT, Z_OPT, ZFAVORITE, ZHIDDEN, ZCOMPLETE, "
            "ZSAVEDASSETTYPE, ZTRASHEDSTATE, ZKIND, ZHEIGHT, ZWIDTH, ZADDITIONALATTRIBUTES, "
            "ZADDEDDATE, ZDATECREATED, ZMODIFICATIONDATE, ZLATITUDE, ZLONGITUDE, ZDIRECTORY, "
            "ZFILENAME, ZUNIFORMTYPEIDENTIFIER, ZUUID) "
            "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.executemany(
            "INSERT INTO ZADDITIONALASSETATTRIBUTES (Z_PK, Z_ENT, Z_OPT, ZORIGINALFILESIZE, "
            "ZORIGINALHEIGHT, ZORIGINALWIDTH, ZTIMEZONEOFFSET, ZASSET, ZEXIFTIMESTAMPSTRING, "
            "ZORIGINALFILENAME, ZCREATORBUNDLEID, ZTIMEZONENAME) "
            "VALUES (?, 2, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            extra,
        )

    write_db(tree / IOS_PHOTOS_DB, _ios_schema(asset), head, wal=wal)
    return {"path": "/" + IOS_PHOTOS_DB, "table": asset, "assets": key}
