"""DJI SRT subtitle telemetry (the ``.SRT`` a DJI aircraft writes beside each video).

Each subtitle block is: a number, ``HH:MM:SS,mmm --> HH:MM:SS,mmm`` (offset in the video), then
telemetry text in one of several dialects (JuanIrache/DJI_SRT_Parser ``index.js`` and its
``samples/``, read for the field names):

``bracket``   ``[latitude: 41.420684] [longitude: 2.162162] [rel_alt: 1.3 abs_alt: 132.8]``
              (Mavic Air 2, Mini 3/4, Air 2S...; older firmware ``[altitude: 27.3]``). Named
              fields: no ambiguity.
``barometer`` ``HOME(149.0251,-20.2532) 2017.08.05 14:11:51`` / ``GPS(149.0251,-20.2533,16)
              BAROMETER:1.9`` (Mavic Pro): **longitude first**; the third GPS value is the
              satellite count; BAROMETER is the height above take-off in metres.
``gps``       ``GPS(a,b,n) ... HOME(a,b,alt) ... D 698.7m, H 85.8m, H.S 2.9m/s`` (P4 RTK and
              other models; Mini 2 writes ``GPS (a, b, alt)``). Some models write longitude
              first (P4 RTK), others latitude first.

The coordinate order of the ``GPS(...)`` dialects is decided from each file's other fields,
never by one fixed rule: (1) when the file gives ``D`` (distance from home, metres) and a
``HOME(...)``, the order whose GPS-to-HOME distance matches ``D`` wins; (2) a value beyond +-90
can only be a longitude; (3) otherwise the dialect's known order (longitude first for the
``barometer`` dialect, latitude first for others) is assumed and the note says so.

Wall-clock times in SRT files are the aircraft's local time with no zone. They are kept as
written (``wall_time_local``) and converted to UTC only with the zone the investigator
supplies (:func:`forensics_lib.times.from_local`); without one ``time_utc`` is NaT.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from forensics_lib import times
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
from forensics_lib.errors import ForensicsWarning, ParseError
from forensics_lib.registry import artifact
from forensics_lib.schema import FLOAT, INT, STR, TIME, ArtifactSpec, Column, TimelineRule, conform
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
        Column("alt_rel_m", FLOAT, "height above take-off, metres (rel_alt, BAROMETER, H)"),
        Column("alt_abs_m", FLOAT, "altitude (abs_alt / altitude), metres"),
        Column("home_lat", FLOAT, "home latitude (HOME dialects)"),
        Column("home_lon", FLOAT, "home longitude"),
        Column("sats", INT, "satellites (Mavic Pro / P4 RTK GPS third value)"),
        Column("distance_m", FLOAT, "distance from home as written (D)"),
        Column("iso", FLOAT, "camera ISO"),
        Column("shutter", STR, "shutter speed as written"),
        Column("fnum", FLOAT, "aperture as written (some models x100)"),
        Column("dialect", STR, "bracket, barometer or gps"),
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


class SrtTelemetry:
    """The parsed blocks of one SRT file and how its coordinate order was decided."""

    def __init__(self, rows: list[dict[str, Any]], dialect: str, order: str, reason: str) -> None:
        self.rows = rows
        self.dialect = dialect
        self.order = order
        self.reason = reason


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
        row[name] = [_num(v) for v in values.split(",") if v.strip()]
    without_dates = _DATE.sub(" ", clean)
    for key, value in _PAIR.findall(without_dates):
        row.setdefault(key.lower(), value)
    if m := _DIST.search(without_dates):
        row["D"] = _num(m.group(1))
    if m := _HEIGHT.search(without_dates):
        row["H"] = _num(m.group(1))
    return row


def _decide_order(rows: list[dict[str, Any]], dialect: str) -> tuple[str, str]:
    """``("lonlat"|"latlon", why)`` for the GPS(...)/HOME(...) dialects."""
    pairs = [
        (r["GPS"][0], r["GPS"][1], r.get("HOME"), r.get("D"))
        for r in rows
        if len(r.get("GPS", [])) >= 2
    ]
    if not pairs:
        return "latlon", "no GPS(...) values"
    with_d = [
        (a, b, h, d) for a, b, h, d in pairs if h and len(h) >= 2 and d is not None and d == d
    ]
    if with_d:
        a, b, h, d = (
            np.array(x, dtype=float)
            for x in zip(*[(p[0], p[1], p[2][:2], p[3]) for p in with_d], strict=True)
        )
        err_lonlat = np.nanmedian(np.abs(haversine_m(b, a, h[:, 1], h[:, 0]) - d))
        err_latlon = np.nanmedian(np.abs(haversine_m(a, b, h[:, 0], h[:, 1]) - d))
        if min(err_lonlat, err_latlon) < 0.25 * max(err_lonlat, err_latlon):
            order = "lonlat" if err_lonlat < err_latlon else "latlon"
            return order, (
                f"the GPS-to-HOME distance matches the D field (median error "
                f"{min(err_lonlat, err_latlon):.1f} m, against {max(err_lonlat, err_latlon):.1f} m "
                "the other way round)"
            )
    firsts = np.array([abs(p[0]) for p in pairs])
    seconds = np.array([abs(p[1]) for p in pairs])
    if (firsts > 90).any() and not (seconds > 90).any():
        return "lonlat", "the first value exceeds 90 degrees, so it can only be a longitude"
    if (seconds > 90).any() and not (firsts > 90).any():
        return "latlon", "the second value exceeds 90 degrees, so it can only be a longitude"
    if dialect == "barometer":
        return "lonlat", "the HOME/GPS/BAROMETER dialect (Mavic Pro) writes longitude first"
    return "latlon", "assumed latitude first (the dialect's usual order); no field could confirm it"


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
    if any("latitude" in r for r in rows):
        return SrtTelemetry(rows, "bracket", "named", "named latitude/longitude fields")
    dialect = "barometer" if any("barometer" in r for r in rows) else "gps"
    order, reason = _decide_order(rows, dialect)
    return SrtTelemetry(rows, dialect, order, reason)


def _pick(row: dict[str, Any], *keys: str) -> float:
    for key in keys:
        if key in row:
            value = row[key]
            return _num(str(value))
    return float("nan")


def _frame(tel: SrtTelemetry, zone: str | None) -> pd.DataFrame:
    out: list[dict[str, Any]] = []
    swap = tel.order == "lonlat"
    for r in tel.rows:
        lat = lon = home_lat = home_lon = float("nan")
        sats: int | None = None
        if tel.dialect == "bracket":
            lat, lon = _pick(r, "latitude"), _pick(r, "longitude")
        elif len(r.get("GPS", [])) >= 2:
            a, b = r["GPS"][0], r["GPS"][1]
            lat, lon = (b, a) if swap else (a, b)
            if len(r["GPS"]) >= 3 and (tel.dialect == "barometer" or "HOME" in r):
                third = r["GPS"][2]
                sats = int(third) if third == third and float(third).is_integer() else None
        if len(r.get("HOME", [])) >= 2:
            a, b = r["HOME"][0], r["HOME"][1]
            home_lat, home_lon = (b, a) if swap else (a, b)
        out.append(
            {
                "index": r["index"],
                "video_start_s": r["video_start_s"],
                "video_end_s": r["video_end_s"],
                "wall_time_local": r.get("wall_time_local"),
                "zone": zone,
                "lat": lat,
                "lon": lon,
                "alt_rel_m": _pick(r, "rel_alt", "barometer", "H"),
                "alt_abs_m": _pick(r, "abs_alt", "altitude"),
                "home_lat": home_lat,
                "home_lon": home_lon,
                "sats": sats,
                "distance_m": _pick(r, "D"),
                "iso": _pick(r, "iso"),
                "shutter": r.get("shutter") or r.get("ss"),
                "fnum": _pick(r, "fnum", "f"),
                "dialect": tel.dialect,
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


def read_srt_bytes(buf: bytes, path: str, *, zone: str | None = None) -> pd.DataFrame:
    tel = parse_srt(buf, path)
    return _frame(tel, zone)


@artifact(SRT)
def read_srt(source: Source, *, zone: str | None = None) -> pd.DataFrame:
    """One row per subtitle block; ``zone`` (IANA) converts the local wall times to UTC."""
    with open_binary(source) as fh:
        buf = fh.read()
    frame = read_srt_bytes(buf, display_path(source), zone=zone)
    frame["artifact"] = SRT.id
    frame["source_path"] = source_path(source)
    return conform(frame[[c.name for c in SRT.all_columns]], SRT)


def srt_flight_log(buf: bytes, path: str, *, zone: str | None = None) -> FlightLog:
    """An SRT file as a :class:`FlightLog` (track and home only; SRT holds nothing else)."""
    tel = parse_srt(buf, path)
    frame = _frame(tel, zone)
    notes = [f"DJI SRT, {tel.dialect} dialect; coordinate order {tel.order}: {tel.reason}"]
    if zone is None:
        notes.append(
            "wall-clock times are local to the aircraft; no zone given, so time_utc is NaT"
        )
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
