"""DJI SRT subtitle telemetry (the ``.SRT`` a DJI aircraft writes beside each video).

Each subtitle block is: a number, ``HH:MM:SS,mmm --> HH:MM:SS,mmm`` (offset in the video), then
telemetry text in one of several dialects (JuanIrache/DJI_SRT_Parser ``index.js`` and its
``samples/``, read for the field names and for how it orders coordinates):

``bracket``   ``[latitude: 41.420684] [longitude: 2.162162] [rel_alt: 1.3 abs_alt: 132.8]``
              (Mavic Air 2, Mini 3/4, Air 2S...; older firmware ``[altitude: 27.3]``; some
              write ``longtitude``). Named fields: no ambiguity.
``home_hb``   ``HOME(149.0251,-20.2532) 2017.8.5 14:11:51`` / ``GPS(149.0251,-20.2533,16) Hb:1.9
              Hs:1.9`` / ``ISO:100 TV:60 EV: 0 IR:F2.8`` (the oldest firmware): longitude first,
              third GPS value the satellite count, ``Hb`` barometric and ``Hs`` sonar heights
              in metres.
``barometer`` ``HOME(149.0251,-20.2532) 2017.08.05 14:11:51`` / ``GPS(149.0251,-20.2533,16)
              BAROMETER:1.9`` (Mavic Pro): longitude first; BAROMETER is the height above
              take-off in metres.
``m300``      ``2022.06.21 16:06:17`` / ``GPS(36.6146,-6.1120,0.0M) BAROMETER:0.3M`` (Matrice
              300): **latitude first**; the third GPS value carries the unit ``M``.
``gps``       ``GPS(a,b,n) ... HOME(a,b,alt m) ... D 698.7m, H 85.8m, H.S 2.9m/s`` (P4 RTK;
              Mini 2 writes ``GPS (a, b, alt)``): longitude first.
``camera``    ``[iso : 100] [shutter : 1/640.0] [fnum : 220] ...`` and no position at all
              (Mavic Air, Osmo, Osmo Action; DJI_SRT_Parser ``index.test.js``: "Mavic Air
              (no gps data)", ``samples/mavic_air.SRT``): camera settings and wall clock only,
              so no track.

The DJI FPV writes the bracket dialect with ``[altitude: ..]`` at one tenth of the height
above take-off (a firmware bug, as of 2022: the "DJI FPV Altitude Telemetry Fix" tool
``fixalt.py`` multiplies the field by 10, jsmars/GPS-Altitude-Finder likewise). Nothing in the
text tells a DJI FPV from another bracket writer, so the investigator says so
(``dji_fpv=True``): the field is then read x10 into ``alt_rel_m`` and the notes say so; without
it a file with ``[altitude: ..]`` (no ``rel_alt``/``abs_alt``) gets a note naming the option.

The coordinate order of the ``GPS(...)`` dialects comes from the dialect's own markers, as
DJI_SRT_Parser decides it (``interpretItem``: a third value of digits, a point, digits and
an ``M``, such as ``0.0M``, means
latitude first, the "m300format"; any other third value, a satellite count or an altitude
in ``m``, means longitude first; ``HOME(...)`` is always longitude first), never from a model
name. It is then cross-checked with the values: (1) a value beyond +-90 can only be a
longitude; (2) when the file gives ``D`` (distance from home, metres) and a ``HOME(...)``,
the order whose GPS-to-HOME distance matches ``D`` must agree; (3) the first fix must lie
near ``HOME``. A check that contradicts the markers wins (1 and 2 are measurements, the
markers a convention) and a warning says so; the dialect, the order and why are stated in
the notes of :func:`srt_flight_log` and in ``attrs`` of :func:`read_srt`. At 36 N 6 W (the
Matrice 300 sample of DJI_SRT_Parser) no range test can tell the orders apart: only the
markers can.

Wall-clock times in SRT files are the aircraft's local time with no zone. They are kept as
written (``wall_time_local``) and converted to UTC only with the zone the investigator
supplies (:func:`forensics_lib.core.times.from_local`); without one ``time_utc`` is NaT. The
notes say which it was.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from forensics_lib.core import times
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
from forensics_lib.drone.analysis import haversine_m
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
from forensics_lib.sources import Source, display_path, open_binary, source_path

__all__ = ["SRT", "SrtTelemetry", "ZoneNeededWarning", "parse_srt", "read_srt", "srt_flight_log"]


class ZoneNeededWarning(ForensicsWarning):
    """SRT wall-clock times were read without a zone, so they are not on UTC (a caller such
    as the command line can reword it to name its own option)."""


SRT = ArtifactSpec(
    id="drone.srt",
    family="drone",
    description="DJI video subtitle telemetry (.SRT): position and camera per frame",
    columns=(
        Column("index", INT, "subtitle number"),
        Column("video_start_s", FLOAT, "subtitle start, seconds into the video"),
        Column("video_end_s", FLOAT, "subtitle end, seconds into the video"),
        Column("wall_time_local", STR, "aircraft wall-clock time as written (local, no zone)"),
        Column("zone", STR, "IANA zone supplied by the investigator for wall_time_local"),
        Column("time_utc", TIME, "wall time converted with zone (NaT without a zone)"),
        Column("lat", FLOAT, "latitude"),
        Column("lon", FLOAT, "longitude"),
        Column("alt_rel_m", FLOAT, "height above take-off, metres (rel_alt, BAROMETER, Hb, H)"),
        Column("alt_abs_m", FLOAT, "altitude (abs_alt / altitude), metres"),
        Column("height_baro_m", FLOAT, "barometric height, metres (BAROMETER, Hb)"),
        Column("height_sonar_m", FLOAT, "sonar (ultrasonic) height, metres (Hs)"),
        Column("gps_alt_m", FLOAT, "third GPS value when written with the unit m, metres"),
        Column("gps_precision_m", FLOAT, "third GPS value of the m300 dialect ('0.0M'), metres"),
        Column("home_lat", FLOAT, "home latitude (HOME dialects)"),
        Column("home_lon", FLOAT, "home longitude"),
        Column("home_alt_m", FLOAT, "home altitude as written (HOME third value), metres"),
        Column("sats", INT, "satellites (GPS third value without a unit)"),
        Column("distance_m", FLOAT, "distance from home as written (D), metres"),
        Column("h_speed_ms", FLOAT, "horizontal speed as written (H.S), m/s"),
        Column("v_speed_ms", FLOAT, "vertical speed as written (V.S), m/s"),
        Column("iso", FLOAT, "camera ISO"),
        Column("shutter", STR, "shutter speed as written"),
        Column("fnum", FLOAT, "aperture as written (some models x100)"),
        Column(
            "dialect", STR, "bracket, home_hb, barometer, m300, gps or camera (module docstring)"
        ),
        Column("coord_order", STR, "named, latlon, lonlat or none: how GPS(...) was read"),
    ),
    locator="offset",
    globs=("**/DJI_*.SRT", "**/DJI_*.srt", "**/*.SRT", "**/*.srt"),
    timeline=(
        TimelineRule("time_utc", "video frame", "DJI video at {lat}, {lon}", lat="lat", lon="lon"),
    ),
    references=("JuanIrache/DJI_SRT_Parser index.js and samples/",),
)

_BLOCK = re.compile(
    rb"(?m)^[ \t]*(\d+)[ \t]*\r?\n[ \t]*(\d+):(\d\d):(\d\d)[,.](\d{1,3})\s*-->\s*"
    rb"(\d+):(\d\d):(\d\d)[,.](\d{1,3})[^\n]*\n"
)
_DATE = re.compile(
    r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})[ T]+(\d{1,2}):(\d{2}):(\d{2})"
    r"(?:[.,](\d{1,3}))?(?:[.,](\d{1,3}))?"
)
_PAIR = re.compile(r"\[?\b([A-Za-z_]+)\s*:\s*([-+]?\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?)")
_TUPLE = re.compile(r"\b(GPS|HOME|F_PRY|G_PRY)\s*\(([^()\n]*)\)")
_DIST = re.compile(r"(?:^|[\s,])D\s+([-+]?\d+(?:\.\d+)?)\s*m")
_HEIGHT = re.compile(r"(?:^|[\s,])H\s+([-+]?\d+(?:\.\d+)?)\s*m")
_HSPEED = re.compile(r"(?:^|[\s,])H\.S\s+([-+]?\d+(?:\.\d+)?)\s*m/s")
_VSPEED = re.compile(r"(?:^|[\s,])V\.S\s+([-+]?\d+(?:\.\d+)?)\s*m/s")
_IRIS = re.compile(r"\bIR\s*:\s*F?\s*(\d+(?:\.\d+)?)")  # home_hb "IR:F2.8"
# The gps dialect's camera settings, "F/5.6, SS 400, ISO 100, EV 0" (P4 RTK, Mini 2): a name,
# a space and a value; DJI_SRT_Parser srtToObject turns "([a-zA-Z])\s(\d)" into "$1:$2"
# and reads F as FNUM, SS as SHUTTER (fillMissingFields references).
_SPACED = (
    ("iso", re.compile(r"(?:^|[\s,])ISO\s+(\d+(?:\.\d+)?)\b")),
    ("ss", re.compile(r"(?:^|[\s,])SS\s+(\d+(?:\.\d+)?)\b")),
    ("f", re.compile(r"(?:^|[\s,])F/(\d+(?:\.\d+)?)\b")),
)
# DJI_SRT_Parser interpretItem "m300format": /^\d+\.\d+M$/ on the third GPS value
_M300_THIRD = re.compile(r"^[-+]?\d+\.\d+M$")
_METRE_THIRD = re.compile(r"^[-+]?\d+(?:\.\d+)?m$")  # DJI_SRT_Parser: /\dm$/ -> ALTITUDE
_MAX_HOME_KM = 50.0  # a first fix further than this from HOME questions the order


class SrtTelemetry:
    """The parsed blocks of one SRT file and how its coordinate order was decided
    (``warnings``: the cross-checks that contradicted the dialect's markers)."""

    def __init__(
        self,
        rows: list[dict[str, Any]],
        dialect: str,
        order: str,
        reason: str,
        warnings: tuple[str, ...] = (),
        *,
        radians: bool = False,
    ) -> None:
        self.rows = rows
        self.radians = radians
        self.dialect = dialect
        self.order = order
        self.reason = reason
        self.warnings = warnings


def _seconds(h: bytes, m: bytes, s: bytes, ms: bytes) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, b"0")) / 1000


def _wall(text: str) -> str | None:
    m = _DATE.search(text)
    if not m:
        return None
    y, mo, d, hh, mi, ss, ms, us = m.groups()
    frac = (ms or "").ljust(3, "0") + (us or "").ljust(3, "0") if ms else ""
    stamp = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}T{int(hh):02d}:{mi}:{ss}"
    return f"{stamp}.{frac}" if frac else stamp


def _num(text: str) -> float:
    """A number as the captions write it; "inf"/"nan" text (which float() accepts) and
    anything else that is not a finite number count as missing."""
    try:
        value = float(text.strip().rstrip("mMsS/"))
    except ValueError:
        return float("nan")
    return value if math.isfinite(value) else float("nan")


def _block(text: str) -> dict[str, Any]:
    clean = re.sub(r"<[^>]*>", " ", text)
    row: dict[str, Any] = {"wall_time_local": _wall(clean)}
    for name, values in _TUPLE.findall(clean):
        raw = [v.strip() for v in values.split(",") if v.strip()]
        row[name] = [_num(v) for v in raw]
        row[f"{name}_raw"] = raw
    without_dates = _DATE.sub(" ", clean)
    for key, value in _PAIR.findall(without_dates):
        row.setdefault(key.lower(), value)
    if m := _DIST.search(without_dates):
        row["D"] = _num(m.group(1))
    if m := _HEIGHT.search(without_dates):
        row["H"] = _num(m.group(1))
    for key, pattern in (("H.S", _HSPEED), ("V.S", _VSPEED), ("IR", _IRIS)):
        if m := pattern.search(without_dates):
            row[key] = _num(m.group(1))
    for key, pattern in _SPACED:
        if key not in row and (m := pattern.search(without_dates)):
            row[key] = m.group(1)
    return row


def _seems_radians(rows: list[dict[str, Any]]) -> bool:
    """DJI_SRT_Parser ``deduceRadians``: ``latitude``/``longtitude`` (sic) values that fit in
    radians and move less than 0.001 across the file are radians (a Mavic Air 2 bug)."""
    pairs = [
        (_num(str(r["latitude"])), _num(str(r["longtitude"])))
        for r in rows
        if "latitude" in r and "longtitude" in r
    ]
    pairs = [(a, b) for a, b in pairs if a == a and b == b and (a, b) != (0.0, 0.0)]
    if not pairs:
        return False
    lat = np.array([p[0] for p in pairs])
    lon = np.array([p[1] for p in pairs])
    return bool(
        np.abs(lat).max() <= math.pi / 2
        and np.abs(lon).max() <= math.pi
        and np.ptp(lat) <= 0.001
        and np.ptp(lon) <= 0.001
    )


def _dialect(rows: list[dict[str, Any]]) -> str:
    """The dialect by its markers (module docstring)."""
    if any("latitude" in r for r in rows):
        return "bracket"
    if not any("GPS" in r or "HOME" in r for r in rows):
        return "camera"  # no position at all (Mavic Air, Osmo, Action)
    thirds = [r["GPS_raw"][2] for r in rows if len(r.get("GPS_raw", [])) >= 3]
    if thirds and all(_M300_THIRD.match(t) for t in thirds):
        return "m300"
    if any("hb" in r or "hs" in r for r in rows):
        return "home_hb"
    if any("barometer" in r for r in rows):
        return "barometer"
    return "gps"


def _marker_order(rows: list[dict[str, Any]], dialect: str) -> tuple[str, str]:
    """The order the dialect's markers give (DJI_SRT_Parser ``interpretItem``)."""
    if dialect == "m300":
        return "latlon", (
            "the third GPS value carries the unit 'M' (e.g. '0.0M'): the m300 style, which "
            "DJI_SRT_Parser reads latitude first"
        )
    thirds = [r["GPS_raw"][2] for r in rows if len(r.get("GPS_raw", [])) >= 3]
    if thirds and all(_METRE_THIRD.match(t) for t in thirds):
        third = "an altitude in 'm'"
    elif thirds and all(re.fullmatch(r"\d+", t) for t in thirds):
        third = "a satellite count (an integer without unit)"
    else:
        third = "not in the 'M' unit of the m300 style" if thirds else "absent"
    return "lonlat", (
        f"the third GPS value is {third}: the {dialect} style, which DJI_SRT_Parser reads "
        "longitude first (as it reads every HOME(...))"
    )


def _d_field_order(rows: list[dict[str, Any]]) -> tuple[str, str] | None:
    """The order whose GPS-to-HOME distance matches the D field, when one clearly does."""
    with_d = [
        (r["GPS"][0], r["GPS"][1], r["HOME"][:2], r["D"])
        for r in rows
        if len(r.get("GPS", [])) >= 2
        and len(r.get("HOME", [])) >= 2
        and r.get("D") is not None
        and r["D"] == r["D"]
    ]
    if not with_d:
        return None
    a, b, h, d = (
        np.array(x, dtype=float)
        for x in zip(*[(p[0], p[1], p[2], p[3]) for p in with_d], strict=True)
    )
    err_lonlat = float(np.nanmedian(np.abs(haversine_m(b, a, h[:, 1], h[:, 0]) - d)))
    err_latlon = float(np.nanmedian(np.abs(haversine_m(a, b, h[:, 0], h[:, 1]) - d)))
    if not min(err_lonlat, err_latlon) < 0.25 * max(err_lonlat, err_latlon):
        return None
    order = "lonlat" if err_lonlat < err_latlon else "latlon"
    return order, (
        f"the GPS-to-HOME distance matches the D field (median error "
        f"{min(err_lonlat, err_latlon):.1f} m, against {max(err_lonlat, err_latlon):.1f} m "
        "the other way round)"
    )


def _range_order(rows: list[dict[str, Any]]) -> tuple[str, str] | None:
    pairs = [(abs(r["GPS"][0]), abs(r["GPS"][1])) for r in rows if len(r.get("GPS", [])) >= 2]
    firsts = np.array([p[0] for p in pairs])
    seconds = np.array([p[1] for p in pairs])
    if (firsts > 90).any() and not (seconds > 90).any():
        return "lonlat", "the first value exceeds 90 degrees, so it can only be a longitude"
    if (seconds > 90).any() and not (firsts > 90).any():
        return "latlon", "the second value exceeds 90 degrees, so it can only be a longitude"
    return None


def _home_km(rows: list[dict[str, Any]], order: str) -> float | None:
    """How far the first fix is from HOME under ``order`` (both are written in one order)."""
    for r in rows:
        if len(r.get("GPS", [])) >= 2 and len(r.get("HOME", [])) >= 2:
            (a, b), (c, d) = r["GPS"][:2], r["HOME"][:2]
            lat, lon, hlat, hlon = (b, a, d, c) if order == "lonlat" else (a, b, c, d)
            if not all(-90 <= x <= 90 for x in (lat, hlat)):
                return None
            km = float(np.ravel(haversine_m(lat, lon, hlat, hlon))[0]) / 1000.0
            return km if km == km else None
    return None


def _decide_order(rows: list[dict[str, Any]], dialect: str) -> tuple[str, str, tuple[str, ...]]:
    """``("lonlat"|"latlon", why, warnings)`` for the GPS(...)/HOME(...) dialects."""
    if not any(len(r.get("GPS", [])) >= 2 for r in rows):
        return "latlon", "no GPS(...) values", ()
    order, reason = _marker_order(rows, dialect)
    problems: list[str] = []
    checks: list[str] = []
    for check in (_range_order(rows), _d_field_order(rows)):
        if check is None:
            continue
        found, why = check
        if found == order:
            checks.append(why)
        else:
            problems.append(
                f"the dialect's markers say {order}, but {why}: read as {found} instead"
            )
            order, reason = found, why
    km = _home_km(rows, order)
    if km is not None:
        home = f"the first fix is {km:.3f} km from HOME"
        if km > _MAX_HOME_KM:
            problems.append(f"{home}: the coordinate order may be wrong, check it")
        else:
            checks.append(home)
    if checks:
        reason = f"{reason}; cross-checked: {'; '.join(checks)}"
    return order, reason, tuple(problems)


def parse_srt(buf: bytes, path: str) -> SrtTelemetry:
    """Parse SRT bytes into rows (no zone applied); ``ParseError`` when no block is found."""
    starts = list(_BLOCK.finditer(buf))
    if not starts:
        raise ParseError(path, 0, "no SRT subtitle block (number, then 'start --> end') found")
    rows: list[dict[str, Any]] = []
    for k, m in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(buf)
        body = buf[m.end() : end].decode("utf-8", "replace")
        row = _block(body)
        row.update(
            index=int(m.group(1)),
            offset=m.start() + (len(m.group(0)) - len(m.group(0).lstrip())),
            video_start_s=_seconds(*m.group(2, 3, 4, 5)),
            video_end_s=_seconds(*m.group(6, 7, 8, 9)),
        )
        rows.append(row)
    dialect = _dialect(rows)
    if dialect == "camera":
        return SrtTelemetry(rows, "camera", "none", "no position in the captions")
    if dialect == "bracket":
        if _seems_radians(rows):
            return SrtTelemetry(
                rows,
                "bracket",
                "named",
                "named latitude/longtitude fields, in radians (converted to degrees)",
                (
                    "latitude/longtitude values all lie within +-pi/2 and +-pi and spread "
                    "less than 0.001: the Mavic Air 2 firmware bug that writes radians "
                    "(DJI_SRT_Parser deduceRadians); converted to degrees",
                ),
                radians=True,
            )
        return SrtTelemetry(rows, "bracket", "named", "named latitude/longitude fields")
    order, reason, problems = _decide_order(rows, dialect)
    return SrtTelemetry(rows, dialect, order, reason, problems)


def _pick(row: dict[str, Any], *keys: str) -> float:
    for key in keys:
        if key in row:
            value = row[key]
            return _num(str(value))
    return float("nan")


#: DJI FPV: ``[altitude: ..]`` is written at 1/10 of the height (module docstring).
FPV_ALTITUDE_SCALE = 10.0


def _fpv_file(tel: SrtTelemetry) -> bool:
    """A bracket file whose only height is ``[altitude: ..]`` (the DJI FPV's form)."""
    return (
        tel.dialect == "bracket"
        and any("altitude" in r for r in tel.rows)
        and not any("rel_alt" in r or "abs_alt" in r for r in tel.rows)
    )


def _frame(tel: SrtTelemetry, zone: str | None, dji_fpv: bool = False) -> pd.DataFrame:
    out: list[dict[str, Any]] = []
    swap = tel.order == "lonlat"
    nan = float("nan")
    fpv = dji_fpv and _fpv_file(tel)
    for r in tel.rows:
        lat = lon = home_lat = home_lon = home_alt = gps_alt = precision = nan
        sats: int | None = None
        if tel.dialect == "bracket":
            lat, lon = _pick(r, "latitude"), _pick(r, "longitude", "longtitude")
            if tel.radians:
                lat, lon = math.degrees(lat), math.degrees(lon)
        elif len(r.get("GPS", [])) >= 2:
            a, b = r["GPS"][0], r["GPS"][1]
            lat, lon = (b, a) if swap else (a, b)
            if len(r["GPS"]) >= 3:
                third, raw = r["GPS"][2], r["GPS_raw"][2]
                if _M300_THIRD.match(raw):
                    precision = third
                elif _METRE_THIRD.match(raw):
                    gps_alt = third
                elif third == third and float(third).is_integer() and 0 <= third < 100:
                    sats = int(third)
        if len(r.get("HOME", [])) >= 2:
            a, b = r["HOME"][0], r["HOME"][1]
            home_lat, home_lon = (b, a) if swap else (a, b)
            if len(r["HOME"]) >= 3:
                home_alt = r["HOME"][2]
        out.append(
            {
                "index": r["index"],
                "video_start_s": r["video_start_s"],
                "video_end_s": r["video_end_s"],
                "wall_time_local": r.get("wall_time_local"),
                "zone": zone,
                "lat": lat,
                "lon": lon,
                "alt_rel_m": (
                    _pick(r, "altitude") * FPV_ALTITUDE_SCALE
                    if fpv
                    else _pick(r, "rel_alt", "barometer", "hb", "H")
                ),
                "alt_abs_m": nan if fpv else _pick(r, "abs_alt", "altitude"),
                "height_baro_m": _pick(r, "barometer", "hb"),
                "height_sonar_m": _pick(r, "hs"),
                "gps_alt_m": gps_alt,
                "gps_precision_m": precision,
                "home_lat": home_lat,
                "home_lon": home_lon,
                "home_alt_m": home_alt,
                "sats": sats,
                "distance_m": _pick(r, "D"),
                "h_speed_ms": _pick(r, "H.S"),
                "v_speed_ms": _pick(r, "V.S"),
                "iso": _pick(r, "iso"),
                "shutter": r.get("shutter") or r.get("ss") or r.get("tv"),
                "fnum": _pick(r, "fnum", "f", "IR"),
                "dialect": tel.dialect,
                "coord_order": tel.order,
                "offset": r["offset"],
            }
        )
    frame = pd.DataFrame(out)
    naive = frame["wall_time_local"]
    if zone is None:
        frame["time_utc"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    else:
        frame["time_utc"] = times.from_local(
            naive.where(naive.notna(), None).tolist(), zone, ambiguous="NaT", nonexistent="NaT"
        )
    no_fix = (frame["lat"] == 0) & (frame["lon"] == 0)
    frame.loc[no_fix, ["lat", "lon"]] = np.nan
    return frame


_DIALECTS = {
    "bracket": "[latitude: ..] [longitude: ..] named fields",
    "home_hb": "HOME(lon,lat) date / GPS(lon,lat,sats) Hb: Hs:, the oldest firmware",
    "barometer": "HOME(lon,lat) date / GPS(lon,lat,sats) BAROMETER:, Mavic Pro style",
    "m300": "date / GPS(lat,lon,x.xM) BAROMETER:x.xM, Matrice 300 style",
    "gps": "GPS(lon,lat,n), HOME(lon,lat,alt), D, H, P4 RTK / Mini 2 style",
    "camera": "camera settings only, no position: Mavic Air / Osmo / Action style",
}


def srt_notes(tel: SrtTelemetry, zone: str | None, dji_fpv: bool = False) -> list[str]:
    """What the reader assumed: dialect, coordinate order (and why), heights, time zone."""
    if tel.dialect == "camera":
        first = (
            f"DJI SRT, camera dialect ({_DIALECTS['camera']}): the captions hold no position, "
            "so there is no track"
        )
    else:
        first = (
            f"DJI SRT, {tel.dialect} dialect ({_DIALECTS[tel.dialect]}); coordinate order "
            f"{tel.order}: {tel.reason}"
        )
    notes = [first, *tel.warnings]
    if _fpv_file(tel):
        if dji_fpv:
            notes.append(
                "DJI FPV: [altitude: ..] is written at 1/10 of the height above take-off (a "
                "firmware bug; the DJI FPV Altitude Telemetry Fix tool multiplies it by 10), "
                "so alt_rel_m is the field x10 and alt_abs_m is empty"
            )
        else:
            notes.append(
                "[altitude: ..] (no rel_alt/abs_alt) is kept as written in alt_abs_m; a DJI "
                "FPV writes it at 1/10 of the height above take-off: pass dji_fpv=True "
                "(drone --dji-fpv) for a DJI FPV's video"
            )
    if zone is None:
        notes.append(
            "wall-clock times are local to the aircraft; no zone given, so time_utc is NaT"
        )
    else:
        notes.append(
            f"wall-clock times are local to the aircraft (the SRT holds no zone); converted "
            f"to UTC with the zone given: {zone}"
        )
    return notes


def _warn_order(tel: SrtTelemetry, path: str) -> None:
    for problem in tel.warnings:
        warnings.warn(f"{path}: {problem}", ForensicsWarning, stacklevel=3)


def read_srt_bytes(
    buf: bytes, path: str, *, zone: str | None = None, dji_fpv: bool = False
) -> pd.DataFrame:
    """:func:`read_srt` on bytes; ``attrs`` hold the dialect, order, notes and warnings."""
    tel = parse_srt(buf, path)
    _warn_order(tel, path)
    frame = _frame(tel, zone, dji_fpv)
    _attrs(frame, tel, zone, dji_fpv)
    return frame


def _attrs(frame: pd.DataFrame, tel: SrtTelemetry, zone: str | None, dji_fpv: bool) -> None:
    frame.attrs.update(
        dialect=tel.dialect,
        coord_order=tel.order,
        coord_order_reason=tel.reason,
        zone=zone,
        notes=srt_notes(tel, zone, dji_fpv),
        warnings=list(tel.warnings),
    )


@artifact(SRT)
def read_srt(source: Source, *, zone: str | None = None, dji_fpv: bool = False) -> pd.DataFrame:
    """One row per subtitle block; ``zone`` (IANA) converts the local wall times to UTC;
    ``dji_fpv`` reads a DJI FPV's ``[altitude: ..]`` x10 (module docstring)."""
    with open_binary(source) as fh:
        buf = fh.read()
    frame = read_srt_bytes(buf, display_path(source), zone=zone, dji_fpv=dji_fpv)
    attrs = dict(frame.attrs)
    frame["artifact"] = SRT.id
    frame["source_path"] = source_path(source)
    out = conform(frame[[c.name for c in SRT.all_columns]], SRT)
    out.attrs.update(attrs)
    return out


def srt_flight_log(
    buf: bytes, path: str, *, zone: str | None = None, dji_fpv: bool = False
) -> FlightLog:
    """An SRT file as a :class:`FlightLog` (track and home only; SRT holds nothing else)."""
    tel = parse_srt(buf, path)
    _warn_order(tel, path)
    frame = _frame(tel, zone, dji_fpv)
    notes = srt_notes(tel, zone, dji_fpv)
    if zone is None:
        warnings.warn(
            f"{path}: SRT times are local wall-clock times; pass zone= to put them on UTC",
            ZoneNeededWarning,
            stacklevel=3,
        )
    fixes = frame.dropna(subset=["lat", "lon"])
    track = frame_of(
        (*TRACK_COLUMNS, BAD_FRAME_COLUMNS[0]),
        {
            "time_utc": fixes["time_utc"],
            "lat": fixes["lat"],
            "lon": fixes["lon"],
            "alt_amsl_m": fixes["alt_abs_m"],
            "alt_rel_m": fixes["alt_rel_m"],
            "sats": fixes["sats"],
            "offset": fixes["offset"],
        },
    )
    homes = frame.dropna(subset=["home_lat", "home_lon"]).drop_duplicates(["home_lat", "home_lon"])
    home = frame_of(
        HOME_COLUMNS,
        {
            "time_utc": homes["time_utc"],
            "lat": homes["home_lat"],
            "lon": homes["home_lon"],
            "alt_m": homes["home_alt_m"],
            "source": pd.Series(["SRT HOME"] * len(homes), dtype="str"),
            "offset": homes["offset"],
        },
    )
    return FlightLog(
        path=path,
        format="dji_srt",
        track=track,
        events=frame_of((*EVENT_COLUMNS, BAD_FRAME_COLUMNS[0]), {}),
        home=home,
        vehicle=frame_of(VEHICLE_COLUMNS, {}),
        mission=frame_of(MISSION_COLUMNS, {}),
        params=frame_of(PARAM_COLUMNS, {}),
        pilot_positions=frame_of(PILOT_COLUMNS, {}),
        bad_frames=frame_of(BAD_FRAME_COLUMNS, {}),
        message_counts={"subtitle": len(frame)},
        notes=tuple(notes),
    )
