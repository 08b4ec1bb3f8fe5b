"""Where the phone was: positions from photos, Google Maps and iOS routined, one set of columns.

Every source gives rows of :data:`LOCATION_COLUMNS` with ``source`` saying which store it is;
``Extraction.read("locations")`` gathers them all (the ids below share the name
``locations``). Sources, each read as the cited tool reads it:

* ``phone.photo_locations``: the GPS position of every camera photo (EXIF GPSLatitude/
  GPSLongitude/GPSAltitude, :func:`forensics_lib.media.photo_metadata`), ``source`` =
  ``photo_exif``, ``time`` as in the ``media`` artifact (DateTimeOriginal + offset, else the
  GPS time stamp, else empty). Photos without a position give no row.
* ``android.locations``: Google Maps labelled places, ``com.google.android.apps.maps/
  databases/gmm_myplaces.db`` table ``sync_item``: ``latitude``/``longitude`` integers in
  micro-degrees (ALEAPP ``scripts/artifacts/googleMapsGmm.py``: ``round(latitude*.000001,
  6)``), ``timestamp`` Unix ms, ``key_string`` ``0:0`` = Home and ``1:0`` = Work, otherwise
  the label and address in the ``sync_item`` protobuf (field 6, sub-fields 7 and 2, as
  ALEAPP decodes it with blackboxprotobuf). ``source`` = ``google_maps_labeled_place``;
  the time is when the place was saved or synced, not a visit.
* ``ios.locations``: routined's location cache, ``/private/var/mobile/Library/Caches/
  com.apple.routined/Cache.sqlite`` table ``ZRTCLLOCATIONMO`` (iLEAPP ``CacheSQLite_Locations``
  and ``routineDlocations``): ``ZTIMESTAMP`` Cocoa seconds, ``ZLATITUDE``, ``ZLONGITUDE``,
  ``ZALTITUDE``, ``ZHORIZONTALACCURACY``, ``ZVERTICALACCURACY``, ``ZSPEED`` m/s and
  ``ZCOURSE`` degrees, both -1 when not known (iLEAPP prints them as n/a). ``source`` =
  ``routined_cache``. The store is under ``Library/Caches``, which iTunes backups leave out:
  expect it in full-file-system extractions only.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from forensics_lib.core import times
from forensics_lib.core.errors import ForensicsWarning
from forensics_lib.core.registry import artifact
from forensics_lib.core.schema import (
    FLOAT,
    STR,
    TIME,
    ArtifactSpec,
    Column,
    TimelineRule,
    conform,
    empty_frame,
)
from forensics_lib.phone._common import Kind, fetch, finish, missing_schema, open_db, select_list
from forensics_lib.phone.media import _EXIF_EXTENSIONS, android_photo_globs, ios_photo_globs
from forensics_lib.sources import Source, display_path, open_binary, source_path

__all__ = [
    "ANDROID_GMM_PLACES",
    "IOS_ROUTINED",
    "LOCATION_COLUMNS",
    "PHOTO_LOCATIONS",
    "protobuf_fields",
    "read_gmm_myplaces",
    "read_photo_locations",
    "read_routined_cache",
]

LOCATION_COLUMNS: tuple[Column, ...] = (
    Column("time", TIME, "when the phone was (or recorded being) there (UTC)"),
    Column("lat", FLOAT, "latitude, decimal degrees WGS84"),
    Column("lon", FLOAT, "longitude, decimal degrees WGS84"),
    Column("alt_m", FLOAT, "altitude, metres, where stored"),
    Column("accuracy_m", FLOAT, "horizontal accuracy radius, metres, where stored"),
    Column("speed_ms", FLOAT, "speed, m/s, where stored (unknown: NaN)"),
    Column("course_deg", FLOAT, "course over ground, degrees from north (unknown: NaN)"),
    Column("source", STR, "photo_exif, google_maps_labeled_place, routined_cache"),
    Column("label", STR, "place label (Home, Work, ...) or photo file name"),
    Column("detail", STR, "address, photo path, ... (what the store adds)"),
)
_TIMELINE = (TimelineRule("time", "position ({source})", "{label} {detail}", lat="lat", lon="lon"),)

PHOTO_LOCATIONS = ArtifactSpec(
    id="phone.photo_locations",
    family="phone",
    description="Positions from the GPS EXIF of camera photos (Android and iOS)",
    columns=LOCATION_COLUMNS,
    globs=android_photo_globs(_EXIF_EXTENSIONS) + ios_photo_globs(_EXIF_EXTENSIONS),
    timeline=_TIMELINE,
    references=("CIPA DC-008-2019 (Exif 2.32) GPS IFD",),
)
ANDROID_GMM_PLACES = ArtifactSpec(
    id="android.locations",
    family="phone",
    description="Google Maps labelled places (gmm_myplaces.db sync_item; micro-degrees)",
    columns=LOCATION_COLUMNS,
    globs=("**/com.google.android.apps.maps/databases/gmm_myplaces.db",),
    timeline=_TIMELINE,
    references=("ALEAPP scripts/artifacts/googleMapsGmm.py",),
)
IOS_ROUTINED = ArtifactSpec(
    id="ios.locations",
    family="phone",
    description="iOS routined location cache (Cache.sqlite ZRTCLLOCATIONMO; Cocoa s)",
    columns=LOCATION_COLUMNS,
    globs=("**/com.apple.routined/Cache.sqlite",),
    timeline=_TIMELINE,
    references=("iLEAPP CacheSQLite_Locations / routineDlocations",),
)


def _text(n: int, value: str | None = None) -> pd.Series:
    return pd.Series([value] * n, dtype=STR)


def _nan(n: int) -> pd.Series:
    return pd.Series(np.full(n, np.nan), dtype=FLOAT)


def _plausible(
    lat: pd.Series, lon: pd.Series, source: Source, artifact_id: str
) -> tuple[pd.Series, pd.Series]:
    """Latitude and longitude with impossible pairs (|lat| > 90, |lon| > 180) set to NaN,
    announced with a warning naming how many (a corrupt or tampered row keeps its row)."""
    bad = (lat.abs() > 90) | (lon.abs() > 180)
    if bad.any():
        warnings.warn(
            f"{artifact_id}: {display_path(source)}: {int(bad.sum())} row(s) with impossible "
            "coordinates; position left empty",
            ForensicsWarning,
            stacklevel=3,
        )
    return lat.where(~bad).astype("float64"), lon.where(~bad).astype("float64")


# -- photos -----------------------------------------------------------------------------------


@artifact(PHOTO_LOCATIONS)
def read_photo_locations(source: Source) -> pd.DataFrame:
    """The GPS position of one photo (no row when it has none)."""
    from forensics_lib.media.exif import photo_metadata

    with open_binary(source) as fh:
        data = fh.read()
    meta = photo_metadata(data, display_path(source))
    if meta["lat"] is None or meta["lon"] is None:
        return empty_frame(PHOTO_LOCATIONS)
    path = source_path(source)
    frame = pd.DataFrame(
        {
            "time": pd.Series([meta["time_utc"] or pd.NaT], dtype=TIME),
            "lat": [float(meta["lat"])],
            "lon": [float(meta["lon"])],
            "alt_m": [np.nan if meta["alt_m"] is None else float(meta["alt_m"])],
            "accuracy_m": [np.nan],
            "speed_ms": [np.nan],
            "course_deg": [np.nan],
            "source": ["photo_exif"],
            "label": [path.rsplit("/", 1)[-1]],
            "detail": [path],
            "artifact": [PHOTO_LOCATIONS.id],
            "source_path": [path],
            "row_id": [0],
        }
    )
    return conform(frame, PHOTO_LOCATIONS)


# -- Google Maps --------------------------------------------------------------------------------

_MAX_DEPTH = 4


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def protobuf_fields(buf: bytes) -> dict[int, list[int | bytes]]:
    """The top-level fields of a protobuf message: number -> values (varints as int,
    length-delimited and fixed-size as bytes). Wire types of the protobuf encoding spec
    (0 varint, 1 64-bit, 2 length-delimited, 5 32-bit); groups (3, 4) and anything that
    runs past the end raise ``ValueError``."""
    out: dict[int, list[int | bytes]] = {}
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1 or wire == 5:
            size = 8 if wire == 1 else 4
            if pos + size > len(buf):
                raise ValueError("truncated fixed field")
            value, pos = buf[pos : pos + size], pos + size
        elif wire == 2:
            size, pos = _varint(buf, pos)
            if pos + size > len(buf):
                raise ValueError("truncated length-delimited field")
            value, pos = buf[pos : pos + size], pos + size
        else:
            raise ValueError(f"unsupported wire type {wire}")
        out.setdefault(number, []).append(value)
    return out


def _place_text(blob: object) -> tuple[str | None, str | None]:
    """(label, address) from a sync_item blob: field 6 -> fields 7 and 2 (ALEAPP)."""
    if not isinstance(blob, bytes | bytearray | memoryview):
        return None, None
    try:
        place = next(v for v in protobuf_fields(bytes(blob)).get(6, []) if isinstance(v, bytes))
        inner = protobuf_fields(place)
    except (ValueError, StopIteration):
        return None, None

    def first_text(number: int) -> str | None:
        value = next((v for v in inner.get(number, []) if isinstance(v, bytes)), None)
        return None if value is None else value.decode("utf-8", errors="replace")

    return first_text(7), first_text(2)


_GMM = ("key_string", "latitude", "longitude", "timestamp")
_KEY_LABELS = {"0:0": "Home", "1:0": "Work"}  # ALEAPP googleMapsGmm.py


@artifact(ANDROID_GMM_PLACES)
def read_gmm_myplaces(source: Source) -> pd.DataFrame:
    """Google Maps ``gmm_myplaces.db`` ``sync_item``: one row per labelled place."""
    with open_db(source) as db:
        if missing_schema(db, "sync_item", _GMM, ANDROID_GMM_PLACES.id):
            return empty_frame(ANDROID_GMM_PLACES)
        cols = select_list(db, "sync_item", "s", (*_GMM, "sync_item"))
        raw = fetch(
            db,
            f"SELECT s.rowid AS row_id, {cols} FROM sync_item AS s ORDER BY s.rowid",
            {
                "row_id": "int",
                "latitude": "int",
                "longitude": "int",
                "timestamp": "int",
                "sync_item": "blob",
            },
        )
    texts = [_place_text(b) for b in raw["sync_item"]]
    keyed = raw["key_string"].map(_KEY_LABELS)
    label = pd.Series([t[0] for t in texts], dtype=STR)
    n = len(raw)
    lat, lon = _plausible(
        raw["latitude"].astype("float64") / 1e6,
        raw["longitude"].astype("float64") / 1e6,
        source,
        ANDROID_GMM_PLACES.id,
    )
    frame = pd.DataFrame(
        {
            "time": times.from_unix_ms(raw["timestamp"]),
            "lat": lat,
            "lon": lon,
            "alt_m": _nan(n),
            "accuracy_m": _nan(n),
            "speed_ms": _nan(n),
            "course_deg": _nan(n),
            "source": _text(n, "google_maps_labeled_place"),
            "label": keyed.where(keyed.notna(), label).astype("str"),
            "detail": pd.Series([t[1] for t in texts], dtype=STR),
        },
        copy=False,
    )
    return finish(frame, ANDROID_GMM_PLACES, source, raw["row_id"])


# -- iOS routined -------------------------------------------------------------------------------

_ROUTINED = ("Z_PK", "ZTIMESTAMP", "ZLATITUDE", "ZLONGITUDE")
_ROUTINED_OPTIONAL = ("ZALTITUDE", "ZHORIZONTALACCURACY", "ZSPEED", "ZCOURSE")


def _unknown_negative(values: pd.Series) -> pd.Series:
    """CoreLocation writes -1 for a speed or course it does not know."""
    result: pd.Series = values.where(values >= 0)
    return result


@artifact(IOS_ROUTINED)
def read_routined_cache(source: Source) -> pd.DataFrame:
    """iOS ``Cache.sqlite`` ``ZRTCLLOCATIONMO``: one row per recorded fix."""
    with open_db(source) as db:
        if missing_schema(db, "ZRTCLLOCATIONMO", _ROUTINED, IOS_ROUTINED.id):
            return empty_frame(IOS_ROUTINED)
        cols = select_list(db, "ZRTCLLOCATIONMO", "z", (*_ROUTINED, *_ROUTINED_OPTIONAL))
        kinds: dict[str, Kind] = {c: "float" for c in (*_ROUTINED, *_ROUTINED_OPTIONAL)}
        kinds["Z_PK"] = "int"
        raw = fetch(
            db, f"SELECT {cols} FROM ZRTCLLOCATIONMO AS z ORDER BY z.ZTIMESTAMP, z.Z_PK", kinds
        )
    n = len(raw)
    lat, lon = _plausible(raw["ZLATITUDE"], raw["ZLONGITUDE"], source, IOS_ROUTINED.id)
    frame = pd.DataFrame(
        {
            "time": times.from_cocoa(raw["ZTIMESTAMP"]),
            "lat": lat,
            "lon": lon,
            "alt_m": raw["ZALTITUDE"],
            "accuracy_m": raw["ZHORIZONTALACCURACY"],
            "speed_ms": _unknown_negative(raw["ZSPEED"]),
            "course_deg": _unknown_negative(raw["ZCOURSE"]),
            "source": _text(n, "routined_cache"),
            "label": _text(n),
            "detail": _text(n),
        },
        copy=False,
    )
    return finish(frame, IOS_ROUTINED, source, raw["Z_PK"])
