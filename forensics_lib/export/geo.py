"""Flight-track writers: KML (time-stamped ``gx:Track``), GeoJSON, GPX 1.1 and CSV.

They take the DataFrames of a :class:`~forensics_lib.drone.model.FlightLog` (``track`` with
``time_utc``, ``lat``, ``lon`` and optionally ``alt_amsl_m``; ``events`` with ``time_utc``,
``kind``, ``text``, ``lat``, ``lon``) and write text. Formats:

* KML 2.2 with Google's ``gx`` extension (https://developers.google.com/kml/documentation/kmlreference#gxtrack):
  a ``gx:Track`` lists ``<when>`` elements then as many ``<gx:coord>lon lat alt</gx:coord>``.
* GeoJSON (RFC 7946): coordinates are ``[lon, lat, alt]``; the track is a LineString whose
  ``properties.times`` holds one ISO time per vertex; events are Points.
* GPX 1.1 (https://www.topografix.com/GPX/1/1/): ``trk/trkseg/trkpt@lat,lon`` with ``ele``
  and ``time``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from forensics_lib.export.timeline import iso_utc

__all__ = ["track_to_csv", "track_to_geojson", "track_to_gpx", "track_to_kml"]

Target = str | os.PathLike[str] | IO[str]
Ring = Sequence[Sequence[float]]


@contextmanager
def _open(target: Target) -> Iterator[IO[str]]:
    if isinstance(target, (str, os.PathLike)):
        with Path(target).open("w", encoding="utf-8", newline="\n") as fh:
            yield fh
    else:
        yield target


def _fixes(track: pd.DataFrame) -> pd.DataFrame:
    return track.dropna(subset=["lat", "lon"]).reset_index(drop=True)


def _alt(row: Any) -> float | None:
    value = row.get("alt_amsl_m") if hasattr(row, "get") else None
    return None if value is None or pd.isna(value) else float(value)


def _num(value: float) -> str:
    return repr(float(value))


def track_to_kml(
    track: pd.DataFrame,
    target: Target,
    *,
    name: str = "flight",
    events: pd.DataFrame | None = None,
    polygons: Sequence[Sequence[Ring]] = (),
) -> None:
    """Write a KML document: the time-stamped track, event placemarks, optional polygons."""
    fixes = _fixes(track)
    times = iso_utc(fixes["time_utc"]) if len(fixes) else pd.Series([], dtype="str")
    has_alt = "alt_amsl_m" in fixes and fixes["alt_amsl_m"].notna().all() and len(fixes)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">',
        "<Document>",
        f"<name>{escape(name)}</name>",
        f"<Placemark><name>{escape(name)} track</name>",
        "<gx:Track>",
        f"<altitudeMode>{'absolute' if has_alt else 'clampToGround'}</altitudeMode>",
    ]
    lines += [f"<when>{t}</when>" for t in times]
    for _, r in fixes.iterrows():
        alt = _alt(r) if has_alt else 0.0
        lines.append(f"<gx:coord>{_num(r['lon'])} {_num(r['lat'])} {_num(alt or 0.0)}</gx:coord>")
    lines += ["</gx:Track>", "</Placemark>"]
    if events is not None:
        located = events.dropna(subset=["lat", "lon"])
        stamps = iso_utc(located["time_utc"]) if len(located) else pd.Series([], dtype="str")
        for (_, e), when in zip(located.iterrows(), stamps, strict=True):
            lines.append(
                f"<Placemark><name>{escape(str(e['kind']))}</name>"
                f"<description>{escape(str(e['text']))}</description>"
                f"<TimeStamp><when>{when}</when></TimeStamp>"
                f"<Point><coordinates>{_num(e['lon'])},{_num(e['lat'])}</coordinates></Point>"
                "</Placemark>"
            )
    for k, rings in enumerate(polygons):
        lines.append(f"<Placemark><name>area {k + 1}</name><Polygon>")
        for j, ring in enumerate(rings):
            tag = "outerBoundaryIs" if j == 0 else "innerBoundaryIs"
            coords = " ".join(f"{_num(p[0])},{_num(p[1])}" for p in ring)
            lines.append(
                f"<{tag}><LinearRing><coordinates>{coords}</coordinates></LinearRing></{tag}>"
            )
        lines.append("</Polygon></Placemark>")
    lines += ["</Document>", "</kml>"]
    with _open(target) as fh:
        fh.write("\n".join(lines) + "\n")


def _json_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return iso_utc(pd.Series([value])).iloc[0]
    if hasattr(value, "item"):
        return value.item()
    return value


def track_to_geojson(
    track: pd.DataFrame,
    target: Target,
    *,
    name: str = "flight",
    events: pd.DataFrame | None = None,
) -> None:
    """Write a GeoJSON FeatureCollection: the track LineString and one Point per event."""
    fixes = _fixes(track)
    coords = [
        [float(r["lon"]), float(r["lat"]), *([float(a)] if (a := _alt(r)) is not None else [])]
        for _, r in fixes.iterrows()
    ]
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": coords},
            "properties": {
                "name": name,
                "times": list(iso_utc(fixes["time_utc"])) if len(fixes) else [],
            },
        }
    ]
    if events is not None:
        for _, e in events.dropna(subset=["lat", "lon"]).iterrows():
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [float(e["lon"]), float(e["lat"])],
                    },
                    "properties": {
                        k: _json_value(e[k]) for k in ("time_utc", "kind", "text") if k in e
                    },
                }
            )
    with _open(target) as fh:
        json.dump({"type": "FeatureCollection", "features": features}, fh, indent=1)
        fh.write("\n")


def track_to_gpx(track: pd.DataFrame, target: Target, *, name: str = "flight") -> None:
    """Write a GPX 1.1 track (lat, lon, ele = altitude AMSL, time)."""
    fixes = _fixes(track)
    stamps = iso_utc(fixes["time_utc"]) if len(fixes) else pd.Series([], dtype="str")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="forensics-lib" xmlns="http://www.topografix.com/GPX/1/1">',
        f"<trk><name>{escape(name)}</name><trkseg>",
    ]
    for (_, r), when in zip(fixes.iterrows(), stamps, strict=True):
        ele = _alt(r)
        inner = (f"<ele>{_num(ele)}</ele>" if ele is not None else "") + (
            f"<time>{when}</time>" if when else ""
        )
        where = f"lat={quoteattr(_num(r['lat']))} lon={quoteattr(_num(r['lon']))}"
        lines.append(f"<trkpt {where}>{inner}</trkpt>")
    lines += ["</trkseg></trk>", "</gpx>"]
    with _open(target) as fh:
        fh.write("\n".join(lines) + "\n")


def track_to_csv(track: pd.DataFrame, target: Target) -> None:
    """Write the track as CSV with ISO 8601 UTC times (lossless, nanoseconds)."""
    out = track.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = iso_utc(out[col])
    with _open(target) as fh:
        out.to_csv(fh, index=False, lineterminator="\n")
