"""Flight reconstruction: distances, segments, hovers, releases, geofence, pilot location.

Every function takes the DataFrames of a :class:`~forensics_lib.drone.model.FlightLog` (or the
log itself) and returns a DataFrame or a plain dict; nothing is drawn or printed. Thresholds
are keyword arguments with their defaults documented, so a report can state them.

Geodesy: distances are great-circle (haversine) on a sphere of radius 6,371,008.8 m (the IUGG
mean Earth radius), accurate to about 0.5 % against the WGS84 ellipsoid, far inside GNSS error
over the few kilometres of a drone flight. Geofence distances use a local equirectangular
projection around the polygon, exact enough (< 0.1 %) at that scale.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from forensics_lib.core.errors import ParseError
from forensics_lib.drone.model import RELEASE_COMMANDS, FlightLog

__all__ = [
    "EARTH_RADIUS_M",
    "RELEASE_COLUMNS",
    "Polygon",
    "bearing_deg",
    "correlate_photos",
    "flight_notes",
    "flight_segments",
    "geofence",
    "haversine_m",
    "hovers",
    "load_polygon",
    "path_length_m",
    "pilot_location",
    "release_candidates",
    "summary",
]

EARTH_RADIUS_M = 6_371_008.8
Floats = npt.NDArray[np.float64]
ArrayLike = float | Sequence[float] | Floats | pd.Series


def _arr(x: ArrayLike) -> Floats:
    return np.asarray(x, dtype=np.float64)


def haversine_m(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> Floats:
    """Great-circle distance in metres (element-wise)."""
    p1, p2 = np.radians(_arr(lat1)), np.radians(_arr(lat2))
    dphi = p2 - p1
    dlmb = np.radians(_arr(lon2) - _arr(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def bearing_deg(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> Floats:
    """Initial great-circle bearing from point 1 to point 2, degrees clockwise from north."""
    p1, p2 = np.radians(_arr(lat1)), np.radians(_arr(lat2))
    dlmb = np.radians(_arr(lon2) - _arr(lon1))
    y = np.sin(dlmb) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dlmb)
    return np.asarray((np.degrees(np.arctan2(y, x)) + 360.0) % 360.0)


def path_length_m(track: pd.DataFrame) -> float:
    """Horizontal length of the track, metres (sum of haversine legs)."""
    if len(track) < 2:
        return 0.0
    lat, lon = track["lat"].to_numpy(float), track["lon"].to_numpy(float)
    return float(np.nansum(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])))


def _rel_alt(track: pd.DataFrame) -> Floats:
    rel = track["alt_rel_m"].to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(rel).all() and len(track):
        amsl = track["alt_amsl_m"].to_numpy(dtype=float, na_value=np.nan)
        first = amsl[~np.isnan(amsl)][:1]
        rel = amsl - (first[0] if len(first) else np.nan)
    return np.asarray(rel)


def _runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    if not len(mask):
        return []
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _seconds(t: pd.Series) -> Floats:
    ns = t.astype("int64").to_numpy() if len(t) else np.zeros(0, dtype=np.int64)
    return np.asarray((ns - (ns[0] if len(ns) else 0)) / 1e9)


def flight_segments(
    track: pd.DataFrame,
    *,
    airborne_m: float = 1.5,
    min_airborne_s: float = 5.0,
    climb_ms: float = 0.2,
    moving_ms: float = 3.0,
) -> pd.DataFrame:
    """Take-offs and landings: runs where the aircraft is more than ``airborne_m`` above home.

    Take-off is the last fix before the run, moved back to where the climb began (vertical
    speed above ``climb_ms``) when the log has a vertical speed; landing is the first fix back
    below ``airborne_m``, moved on to where the descent stopped. Runs shorter than
    ``min_airborne_s`` are bounces, not flights.

    A take-off is only reported when the log shows the aircraft at rest before it. When the
    log starts in flight (the first fix is already more than ``airborne_m`` up, or the take-off
    would be the first fix and that fix is not at rest: its height unknown, moving faster than
    ``moving_ms`` or climbing faster than ``climb_ms``), ``airborne_at_start`` is True and
    ``takeoff_utc``, ``takeoff_lat`` and ``takeoff_lon`` are empty: the take-off is not in the
    log. Likewise when the log ends in flight (or still moving or descending at its last fix),
    ``landed`` is False and the ``landing_*`` columns are empty.
    ``start_utc`` and ``end_utc`` always bound the airborne part the log shows (take-off or
    first fix, landing or last fix); ``duration_s`` is the time between them.
    """
    columns = [
        "segment",
        "takeoff_utc",
        "landing_utc",
        "duration_s",
        "max_alt_rel_m",
        "distance_m",
        "takeoff_lat",
        "takeoff_lon",
        "landing_lat",
        "landing_lon",
        "airborne_at_start",
        "landed",
        "start_utc",
        "end_utc",
    ]
    track = track.dropna(subset=["time_utc"]).reset_index(drop=True)
    rel = _rel_alt(track)
    climb = track["climb_ms"].to_numpy(dtype=float, na_value=np.nan)
    climb = np.nan_to_num(climb, nan=0.0)
    speed = track["ground_speed_ms"].to_numpy(dtype=float, na_value=np.nan)
    # On the ground, as far as the log shows: height known and low, not moving, not climbing.
    at_rest = (
        (rel <= airborne_m)
        & (np.nan_to_num(speed, nan=0.0) <= moving_ms)
        & (np.abs(climb) <= climb_ms)
    )
    rows: list[dict[str, Any]] = []
    secs = _seconds(track["time_utc"])
    n = len(track)
    for first, last in _runs(np.nan_to_num(rel, nan=-np.inf) > airborne_m):
        if secs[last] - secs[first] < min_airborne_s:
            continue
        up = max(first - 1, 0)
        down = min(last + 1, n - 1)
        # Refine with the vertical speed where the log has it: the aircraft left the ground
        # where the climb began, and landed where the descent stopped.
        while up > 0 and climb[up] > climb_ms:
            up -= 1
        while down < n - 1 and climb[down] < -climb_ms:
            down += 1
        # The log must show the aircraft on the ground before a take-off and after a landing.
        at_start = first == 0 or (up == 0 and not at_rest[0])
        landed = last + 1 < n and not (down == n - 1 and not at_rest[-1])
        part = track.iloc[up : down + 1]
        t_up, t_down = track["time_utc"].iloc[up], track["time_utc"].iloc[down]
        lat, lon = track["lat"], track["lon"]
        rows.append(
            {
                "segment": len(rows) + 1,
                "takeoff_utc": pd.NaT if at_start else t_up,
                "landing_utc": t_down if landed else pd.NaT,
                "duration_s": secs[down] - secs[up],
                "max_alt_rel_m": float(np.nanmax(rel[first : last + 1])),
                "distance_m": path_length_m(part),
                "takeoff_lat": np.nan if at_start else float(lat.iloc[up]),
                "takeoff_lon": np.nan if at_start else float(lon.iloc[up]),
                "landing_lat": float(lat.iloc[down]) if landed else np.nan,
                "landing_lon": float(lon.iloc[down]) if landed else np.nan,
                "airborne_at_start": at_start,
                "landed": landed,
                "start_utc": t_up,
                "end_utc": t_down,
            }
        )
    frame = pd.DataFrame(rows, columns=columns)
    for c in ("takeoff_utc", "landing_utc", "start_utc", "end_utc"):
        frame[c] = pd.to_datetime(frame[c], utc=True).astype("datetime64[ns, UTC]")
    for c in ("takeoff_lat", "takeoff_lon", "landing_lat", "landing_lon"):
        frame[c] = frame[c].astype(np.float64)
    return frame


def flight_notes(track: pd.DataFrame, segments: pd.DataFrame | None = None) -> list[str]:
    """What the log cannot show about its flights: a take-off before the log starts, a landing
    after it ends (``segments`` from :func:`flight_segments`, computed when not given).

    The height quoted is the track's at the first (last) fix; when that fix has none, the
    nearest fix inside the flight that has one, with its time.
    """
    if segments is None:
        segments = flight_segments(track)
    notes: list[str] = []
    if segments.empty:
        return notes
    track = track.dropna(subset=["time_utc"]).reset_index(drop=True)
    first, last = segments.iloc[0], segments.iloc[-1]
    if bool(first["airborne_at_start"]):
        height = _height(track, first["start_utc"], first["end_utc"], from_end=False)
        notes.append(
            f"the log starts in flight at {_iso(first['start_utc'])} ({height}); "
            "the take-off is not in this log"
        )
    if not bool(last["landed"]):
        height = _height(track, last["start_utc"], last["end_utc"], from_end=True)
        notes.append(
            f"the log ends in flight at {_iso(last['end_utc'])} ({height}); "
            "the landing is not in this log"
        )
    return notes


def _height(track: pd.DataFrame, start: Any, end: Any, *, from_end: bool) -> str:
    """The height above home at the segment's first (last) fix ("31.56 m above home"), or at
    the nearest fix with one, naming its time; "height above home unknown" when none has."""
    rel = pd.Series(_rel_alt(track), index=track.index)
    inside = (track["time_utc"] >= start) & (track["time_utc"] <= end)
    known = rel[inside].dropna()
    if known.empty:
        return "height above home unknown"
    at = known.index[-1] if from_end else known.index[0]
    text = f"{round(float(known[at]), 2):g} m above home"
    edge = track.index[inside][-1 if from_end else 0]
    return text if at == edge else f"{text} at {_iso(track['time_utc'][at])}"


def hovers(
    track: pd.DataFrame,
    *,
    max_speed_ms: float = 1.0,
    max_climb_ms: float = 0.5,
    min_duration_s: float = 10.0,
    airborne_m: float = 1.5,
) -> pd.DataFrame:
    """Airborne periods slower than ``max_speed_ms`` horizontally and ``max_climb_ms``
    vertically, for at least ``min_duration_s``.

    Speed is the log's ground speed, or the speed between fixes where the log has none.
    """
    columns = ["start_utc", "end_utc", "duration_s", "lat", "lon", "alt_rel_m", "radius_m"]
    track = track.dropna(subset=["time_utc"]).reset_index(drop=True)
    if track.empty:
        return pd.DataFrame(columns=columns)
    secs = _seconds(track["time_utc"])
    speed = track["ground_speed_ms"].to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(speed).all() and len(track) > 1:
        legs = haversine_m(track["lat"][:-1], track["lon"][:-1], track["lat"][1:], track["lon"][1:])
        dt = np.maximum(np.diff(secs), 1e-3)
        speed = np.concatenate(([0.0], legs / dt))
    rel = _rel_alt(track)
    vertical = track["climb_ms"].to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(vertical).all() and len(track) > 1:
        vertical = np.concatenate(([0.0], np.diff(rel) / np.maximum(np.diff(secs), 1e-3)))
    slow = (
        (np.nan_to_num(speed, nan=np.inf) <= max_speed_ms)
        & (np.abs(np.nan_to_num(vertical, nan=np.inf)) <= max_climb_ms)
        & (np.nan_to_num(rel, nan=-np.inf) > airborne_m)
    )
    rows = []
    for a, b in _runs(slow):
        if secs[b] - secs[a] < min_duration_s:
            continue
        lat = float(track["lat"].iloc[a : b + 1].mean())
        lon = float(track["lon"].iloc[a : b + 1].mean())
        radius = haversine_m(lat, lon, track["lat"].iloc[a : b + 1], track["lon"].iloc[a : b + 1])
        rows.append(
            {
                "start_utc": track["time_utc"].iloc[a],
                "end_utc": track["time_utc"].iloc[b],
                "duration_s": secs[b] - secs[a],
                "lat": lat,
                "lon": lon,
                "alt_rel_m": float(np.nanmean(rel[a : b + 1])),
                "radius_m": float(np.max(radius)),
            }
        )
    frame = pd.DataFrame(rows, columns=columns)
    for c in ("start_utc", "end_utc"):
        frame[c] = frame[c].astype("datetime64[ns, UTC]")
    return frame


RELEASE_COLUMNS = [
    "time_utc",
    "lat",
    "lon",
    "alt_rel_m",
    "strength",
    "evidence",
    "offset",
    "reason",
]


def _position_at(track: pd.DataFrame, when: pd.Series) -> pd.DataFrame:
    """lat, lon, alt_rel_m of the last fix at or before each time (NaN before the first)."""
    left = pd.DataFrame({"time_utc": pd.to_datetime(when, utc=True), "_row": range(len(when))})
    right = track.dropna(subset=["time_utc"])[["time_utc", "lat", "lon", "alt_rel_m"]]
    if right.empty or left.empty:
        return left.assign(lat=np.nan, lon=np.nan, alt_rel_m=np.nan)
    timed = left.dropna(subset=["time_utc"]).sort_values("time_utc", kind="stable")
    merged = pd.merge_asof(timed, right.sort_values("time_utc", kind="stable"), on="time_utc")
    out = left.merge(merged[["_row", "lat", "lon", "alt_rel_m"]], on="_row", how="left")
    return out.sort_values("_row", kind="stable").reset_index(drop=True)


def _airborne(log: FlightLog, when: pd.Series) -> npt.NDArray[np.bool_] | None:
    """Whether the aircraft was in the air at each time: inside a flight segment of the
    track, or, for a log without positions, inside an armed interval; None when neither
    can be told."""
    t = pd.to_datetime(when, utc=True)
    segments = flight_segments(log.track)
    if len(log.track.dropna(subset=["time_utc"])):
        spans = list(zip(segments["start_utc"], segments["end_utc"], strict=True))
    else:
        spans = [(a, b) for a, b in armed_intervals(log.events) if a is not None]
        if not spans:
            return None
    inside = np.zeros(len(t), dtype=bool)
    for a, b in spans:
        end = t.max() if b is None or pd.isna(b) else b
        inside |= ((t >= a) & (t <= end)).fillna(False).to_numpy(dtype=bool)
    return inside


# Where each event kind of each format comes from (the evidence column).
_EVIDENCE = {
    ("mavlink_tlog", "release_ack"): "COMMAND_ACK",
    ("mavlink_tlog", "statustext"): "STATUSTEXT",
    ("mavlink_tlog", "mission_item_reached"): "MISSION_ITEM_REACHED",
    ("ardupilot_dataflash", "release_command"): "CMD",
    ("ardupilot_dataflash", "release_event"): "EV",
    ("ardupilot_dataflash", "statustext"): "MSG",
}


def _evidence(log: FlightLog, kind: str, text: str) -> str:
    if log.format == "mavlink_tlog" and kind == "release_command":
        return text.split(" ", 1)[0]  # "COMMAND_LONG DO_GRIPPER(...)" / "COMMAND_INT ..."
    return _EVIDENCE.get((log.format, kind), kind)


def release_candidates(
    log: FlightLog,
    *,
    target: tuple[float, float] | None = None,
    target_radius_m: float = 50.0,
    low_hover_m: float = 15.0,
    min_hover_s: float = 5.0,
) -> pd.DataFrame:
    """Moments a payload may have been released, each with its reason and evidence.

    Strong (the log records a release order or an actuation):

    * a step of a steady servo output while airborne (a gripper or drop servo moving once:
      ``log.servo_steps``, rule in :mod:`forensics_lib.drone.servo`), unless the channel's
      ``SERVOn_FUNCTION`` says it flies the aircraft;
    * a release command in the log (servo, relay, gripper, winch, payload place), at the time
      it was sent, acknowledged (a refusal is weak) or executed; a mission item of such a
      command reached; an autopilot release event (DataFlash EV gripper release, parachute);
    * an autopilot message about it (ArduPilot's AP_Gripper says "Gripper load released").

    Weak (flight behaviour only): a hover at most ``low_hover_m`` above home for at least
    ``min_hover_s``, within ``target_radius_m`` of ``target`` (lat, lon) when one is given.

    Columns: time_utc, lat, lon, alt_rel_m, strength (strong/weak), evidence (the message or
    record type), offset (its byte offset in the log), reason.
    """
    rows: list[dict[str, Any]] = []
    ev = log.events
    release_items = set(
        log.mission.loc[log.mission["command"].isin(list(RELEASE_COMMANDS)), "seq"]
        .dropna()
        .astype(int)
    )
    reached = (ev["kind"] == "mission_item_reached") & ev["value"].isin(
        [str(s) for s in release_items]
    )
    said = (ev["kind"] == "statustext") & ev["text"].str.contains(
        _RELEASE_WORDS, case=False, regex=True, na=False
    )
    picked = ev[ev["kind"].isin(["release_command", "release_ack", "release_event"]) | reached]
    for _, r in pd.concat([picked, ev[said]]).iterrows():
        kind = str(r["kind"])
        weak = kind == "release_ack" and r["value"] != "ACCEPTED"
        label = "autopilot message" if kind == "statustext" else kind
        rows.append(
            {
                "time_utc": r["time_utc"],
                "lat": r["lat"],
                "lon": r["lon"],
                "alt_rel_m": np.nan,
                "strength": "weak" if weak else "strong",
                "evidence": _evidence(log, kind, str(r["text"])),
                "offset": r["offset"],
                "reason": f"{label}: {r['text']}",
            }
        )
    steps = log.servo_steps[log.servo_steps["release_capable"].fillna(True).astype(bool)]
    if len(steps):
        airborne = _airborne(log, steps["time_utc"])
        where = _position_at(log.track, steps["time_utc"])
        for k, (_, s) in enumerate(steps.iterrows()):
            if airborne is not None and not airborne[k]:
                continue
            what = f" ({s['function_label']})" if isinstance(s["function_label"], str) else ""
            rows.append(
                {
                    "time_utc": s["time_utc"],
                    "lat": where["lat"].iloc[k],
                    "lon": where["lon"].iloc[k],
                    "alt_rel_m": where["alt_rel_m"].iloc[k],
                    "strength": "strong" if airborne is not None else "weak",
                    "evidence": s["message"],
                    "offset": s["offset"],
                    "reason": f"servo: output {s['channel']}{what} stepped {s['from_pwm']} -> "
                    f"{s['to_pwm']} us in flight (moved after {_iso(s['before_utc'])})"
                    + ("" if airborne is not None else "; airborne state unknown"),
                }
            )
    for _, h in hovers(log.track, min_duration_s=min_hover_s).iterrows():
        if h["alt_rel_m"] > low_hover_m:
            continue
        why = f"low hover {h['alt_rel_m']:.1f} m above home for {h['duration_s']:.0f} s"
        if target is not None:
            dist = float(haversine_m(target[0], target[1], h["lat"], h["lon"]))
            if dist > target_radius_m:
                continue
            why += f", {dist:.0f} m from the target"
        rows.append(
            {
                "time_utc": h["start_utc"],
                "lat": h["lat"],
                "lon": h["lon"],
                "alt_rel_m": h["alt_rel_m"],
                "strength": "weak",
                "evidence": "track",
                "offset": np.nan,
                "reason": why,
            }
        )
    frame = pd.DataFrame(rows, columns=RELEASE_COLUMNS)
    frame["time_utc"] = frame["time_utc"].astype("datetime64[ns, UTC]")
    for c in ("lat", "lon", "alt_rel_m"):
        frame[c] = frame[c].astype(np.float64)
    frame["offset"] = pd.to_numeric(frame["offset"]).astype("Int64")
    return frame.sort_values("time_utc", kind="stable").reset_index(drop=True)


_RELEASE_WORDS = r"gripper|releas|payload|winch|drop"


# ----------------------------------------------------------------------------- geofence


class Polygon:
    """A polygon (with holes, or several parts) in lon/lat, from GeoJSON (RFC 7946)."""

    def __init__(self, rings: Sequence[Sequence[Sequence[float]]], name: str = "") -> None:
        self.rings = [np.asarray(r, dtype=np.float64)[:, :2] for r in rings if len(r) >= 3]
        if not self.rings:
            raise ValueError("a polygon needs at least one ring of three points")
        self.name = name
        every = np.vstack(self.rings)
        self.lat0 = float(every[:, 1].mean())
        self.lon0 = float(every[:, 0].mean())

    def _xy(self, lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
        k = np.pi / 180 * EARTH_RADIUS_M
        return (lon - self.lon0) * k * np.cos(np.radians(self.lat0)), (lat - self.lat0) * k

    def contains(self, lat: ArrayLike, lon: ArrayLike) -> npt.NDArray[np.bool_]:
        """Even-odd ray casting over every ring (holes and parts included)."""
        y, x = _arr(lat), _arr(lon)
        inside = np.zeros(np.shape(x), dtype=bool)
        for ring in self.rings:
            xs, ys = ring[:, 0], ring[:, 1]
            x1, y1 = np.roll(xs, 1), np.roll(ys, 1)
            for xa, ya, xb, yb in zip(xs, ys, x1, y1, strict=True):
                crosses = (ya > y) != (yb > y)
                with np.errstate(divide="ignore", invalid="ignore"):
                    xcross = (xb - xa) * (y - ya) / (yb - ya) + xa
                inside ^= crosses & (x < xcross)
        return inside

    def distance_m(self, lat: ArrayLike, lon: ArrayLike) -> Floats:
        """Distance to the nearest edge, metres (0 inside)."""
        px, py = self._xy(_arr(lon), _arr(lat))
        best = np.full(np.shape(px), np.inf)
        for ring in self.rings:
            rx, ry = self._xy(ring[:, 0], ring[:, 1])
            ax, ay, bx, by = rx, ry, np.roll(rx, -1), np.roll(ry, -1)
            for xa, ya, xb, yb in zip(ax, ay, bx, by, strict=True):
                dx, dy = xb - xa, yb - ya
                seg = dx * dx + dy * dy
                t = np.clip(((px - xa) * dx + (py - ya) * dy) / seg, 0, 1) if seg else 0.0
                best = np.minimum(best, np.hypot(px - (xa + t * dx), py - (ya + t * dy)))
        return np.asarray(np.where(self.contains(lat, lon), 0.0, best))


def _polygons_of(obj: Mapping[str, Any]) -> list[list[Sequence[Sequence[float]]]]:
    kind = obj.get("type")
    if kind == "FeatureCollection":
        return [p for f in obj.get("features", []) for p in _polygons_of(f)]
    if kind == "Feature":
        return _polygons_of(obj.get("geometry") or {})
    if kind == "Polygon":
        return [list(obj["coordinates"])]
    if kind == "MultiPolygon":
        return [list(p) for p in obj["coordinates"]]
    return []


def load_polygon(source: str | os.PathLike[str] | Mapping[str, Any]) -> Polygon:
    """A :class:`Polygon` from a GeoJSON file or mapping (every polygon in it, as one area)."""
    name = ""
    if isinstance(source, Mapping):
        obj: Any = source
    else:
        path = Path(source)
        name = path.name
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ParseError(path, getattr(exc, "pos", None), f"not GeoJSON: {exc}") from None
    try:
        parts = _polygons_of(obj)
        return Polygon([ring for part in parts for ring in part], name=name)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ParseError(name or "<geojson>", None, f"no usable polygon: {exc}") from None


def geofence(track: pd.DataFrame, polygon: Polygon) -> dict[str, Any]:
    """Entries, exits, time inside and closest approach of ``track`` to ``polygon``.

    A crossing is timed at the first fix on the new side. Time inside sums the intervals
    between consecutive fixes whose earlier fix is inside.
    """
    track = track.dropna(subset=["time_utc"]).reset_index(drop=True)
    inside = polygon.contains(track["lat"], track["lon"])
    secs = _seconds(track["time_utc"])
    change = np.flatnonzero(inside[1:] != inside[:-1]) + 1
    crossings = pd.DataFrame(
        {
            "time_utc": track["time_utc"].iloc[change].reset_index(drop=True),
            "kind": ["entry" if inside[i] else "exit" for i in change],
            "lat": track["lat"].iloc[change].to_numpy(float),
            "lon": track["lon"].iloc[change].to_numpy(float),
        }
    )
    time_inside = float(np.sum(np.diff(secs)[inside[:-1]])) if len(track) > 1 else 0.0
    dist = polygon.distance_m(track["lat"], track["lon"]) if len(track) else np.zeros(0)
    closest = int(np.argmin(dist)) if len(dist) else None
    return {
        "inside_at_start": bool(inside[0]) if len(inside) else None,
        "entries": int((crossings["kind"] == "entry").sum()),
        "exits": int((crossings["kind"] == "exit").sum()),
        "crossings": crossings,
        "time_inside_s": time_inside,
        "closest_m": float(dist[closest]) if closest is not None else None,
        "closest_utc": track["time_utc"].iloc[closest] if closest is not None else None,
        "closest_lat": float(track["lat"].iloc[closest]) if closest is not None else None,
        "closest_lon": float(track["lon"].iloc[closest]) if closest is not None else None,
    }


# ----------------------------------------------------------------------------- pilot


_PILOT_WHY = {
    "controller": "GPS of the remote controller in the pilot's hands: the best evidence of where "
    "the pilot stood",
    "app": "GPS of the phone/tablet running the flight app, usually held by the pilot or "
    "mounted on the controller",
    "ground station": "position the ground-control station reported for itself (a laptop or "
    "tracker antenna; only as good as its own GPS)",
    "home": "the take-off point recorded by the aircraft: the pilot is often near it, but it is "
    "the aircraft's position, not the pilot's, and it can be reset in flight",
}


def pilot_location(log: FlightLog) -> pd.DataFrame:
    """Every estimate of where the pilot was, ranked, with the evidence and how they differ.

    Columns: rank, kind, source, lat, lon, n_fixes, first_utc, last_utc, spread_m (how far the
    fixes wander from their median), distance_to_home_m, why.
    """
    rows: list[dict[str, Any]] = []
    home_lat = home_lon = np.nan
    if not log.home.empty:
        home_lat, home_lon = float(log.home["lat"].iloc[0]), float(log.home["lon"].iloc[0])
    for source, group in log.pilot_positions.groupby("source", sort=False):
        text = str(source)
        kind = (
            "controller"
            if "RC" in text.upper()
            else "app"
            if "APP" in text.upper()
            else "ground station"
        )
        lat, lon = float(group["lat"].median()), float(group["lon"].median())
        rows.append(
            {
                "kind": kind,
                "source": text,
                "lat": lat,
                "lon": lon,
                "n_fixes": len(group),
                "first_utc": group["time_utc"].min(),
                "last_utc": group["time_utc"].max(),
                "spread_m": float(np.max(haversine_m(lat, lon, group["lat"], group["lon"]))),
            }
        )
    if not np.isnan(home_lat):
        rows.append(
            {
                "kind": "home",
                "source": str(log.home["source"].iloc[0]),
                "lat": home_lat,
                "lon": home_lon,
                "n_fixes": len(log.home),
                "first_utc": log.home["time_utc"].min(),
                "last_utc": log.home["time_utc"].max(),
                "spread_m": float(
                    np.max(haversine_m(home_lat, home_lon, log.home["lat"], log.home["lon"]))
                ),
            }
        )
    order = {"controller": 0, "app": 1, "ground station": 2, "home": 3}
    columns = [
        "rank",
        "kind",
        "source",
        "lat",
        "lon",
        "n_fixes",
        "first_utc",
        "last_utc",
        "spread_m",
        "distance_to_home_m",
        "why",
    ]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame.sort_values("kind", key=lambda k: k.map(order), kind="stable")
    frame["rank"] = range(1, len(frame) + 1)
    frame["distance_to_home_m"] = haversine_m(home_lat, home_lon, frame["lat"], frame["lon"])
    frame["why"] = [
        _PILOT_WHY[k] + (f"; {d:.0f} m from the home point" if k != "home" and d == d else "")
        for k, d in zip(frame["kind"], frame["distance_to_home_m"], strict=True)
    ]
    return frame[columns].reset_index(drop=True)


# ----------------------------------------------------------------------------- photos


def correlate_photos(
    photos: pd.DataFrame, track: pd.DataFrame, *, tolerance_s: float = 5.0
) -> pd.DataFrame:
    """Each photo with the track fix nearest in time (within ``tolerance_s``).

    Adds ``track_time_utc``, ``track_lat``, ``track_lon``, ``track_alt_rel_m``, ``dt_s`` (photo
    minus fix) and ``offset_m`` (photo GPS to track position: a large value means the photo's
    clock or position disagrees with the flight log).
    """
    left = photos.reset_index(drop=True).reset_index(names="_row")
    left = left.dropna(subset=["time_utc"]).sort_values("time_utc", kind="stable")
    right = track.dropna(subset=["time_utc"])[["time_utc", "lat", "lon", "alt_rel_m"]].rename(
        columns={"lat": "track_lat", "lon": "track_lon", "alt_rel_m": "track_alt_rel_m"}
    )
    right = right.assign(track_time_utc=right["time_utc"]).sort_values("time_utc", kind="stable")
    merged = pd.merge_asof(
        left, right, on="time_utc", direction="nearest", tolerance=pd.Timedelta(seconds=tolerance_s)
    )
    merged["dt_s"] = (merged["time_utc"] - merged["track_time_utc"]).dt.total_seconds()
    merged["offset_m"] = haversine_m(
        merged["lat"], merged["lon"], merged["track_lat"], merged["track_lon"]
    )
    return merged.sort_values("_row", kind="stable").drop(columns="_row").reset_index(drop=True)


# ----------------------------------------------------------------------------- summary


def _iso(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    ts = pd.Timestamp(value).tz_convert("UTC")
    return ts.strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".") + "Z"


def armed_intervals(events: pd.DataFrame, column: str = "time_utc") -> list[tuple[Any, Any]]:
    """(armed, disarmed) time pairs from the arm/disarm events (None for an open end).

    ``column`` is the time to pair: ``time_utc``, or ``time_boot_s`` for a log without
    absolute time. A disarm with no arm before it (a log that begins armed: DataFlash logs
    every arm and disarm as it happens) gives ``(None, disarm)``."""
    out: list[tuple[Any, Any]] = []
    start: Any = None
    open_ = False
    for _, r in events[events["kind"].isin(["armed", "disarmed"])].iterrows():
        when = r[column] if column in r.index else None
        when = None if when is None or pd.isna(when) else when
        if r["kind"] == "armed" and not open_:
            start, open_ = when, True
        elif r["kind"] == "disarmed":
            if open_:
                out.append((start, when))
            elif not out:
                out.append((None, when))
            start, open_ = None, False
    if open_:
        out.append((start, None))
    return out


def _boot_intervals(log: FlightLog) -> dict[str, Any]:
    """``armed_intervals_boot_s`` (seconds since boot) when some arm/disarm has no UTC time."""
    arms = log.events[log.events["kind"].isin(["armed", "disarmed"])]
    if arms.empty or arms["time_utc"].notna().all() or "time_boot_s" not in arms:
        return {}

    def secs(v: Any) -> float | None:
        return None if v is None else round(float(v), 6)

    pairs = armed_intervals(log.events, "time_boot_s")
    return {"armed_intervals_boot_s": [[secs(a), secs(b)] for a, b in pairs]}


def _boot_span(log: FlightLog) -> dict[str, Any]:
    """``first_boot_s`` and ``last_boot_s``, the first and last boot-relative times of the
    track points and events, for a log with no UTC time on its track (no GPS time): the
    span the log covers, in the only clock it has (DataFlash TimeUS, tlog time_boot_ms,
    ULog timestamp), so the summary is not all empty times."""
    if log.track["time_utc"].notna().any():
        return {}
    boots = [
        frame["time_boot_s"].dropna()
        for frame in (log.track, log.events)
        if "time_boot_s" in frame.columns
    ]
    known = pd.concat(boots) if boots else pd.Series(dtype="float64")
    if known.empty:
        return {}
    return {
        "first_boot_s": round(float(known.min()), 6),
        "last_boot_s": round(float(known.max()), 6),
    }


def summary(log: FlightLog) -> dict[str, Any]:
    """The facts an investigator asks first, JSON-ready (times as ISO 8601 UTC).

    ``takeoff_utc`` (``landing_utc``) is None when the log starts (ends) in flight, with a
    note saying so: the log's first fix is not a take-off (see :func:`flight_segments`).
    """
    track = log.track.dropna(subset=["time_utc"])
    segments = flight_segments(log.track)
    vehicle = {
        k: (None if pd.isna(v) else (int(v) if isinstance(v, (int, np.integer)) else str(v)))
        for k, v in (log.vehicle.iloc[0].items() if len(log.vehicle) else [])
    }
    home = None
    if len(log.home):
        h = log.home.iloc[0]
        home = {
            "lat": float(h["lat"]),
            "lon": float(h["lon"]),
            "alt_m": None if pd.isna(h["alt_m"]) else float(h["alt_m"]),
        }
    rel = _rel_alt(log.track)
    return {
        "path": log.path,
        "format": log.format,
        "system_id": log.system_id,
        "vehicle": vehicle,
        "home": home,
        "first_fix_utc": _iso(track["time_utc"].iloc[0]) if len(track) else None,
        "last_fix_utc": _iso(track["time_utc"].iloc[-1]) if len(track) else None,
        # Empty when the log starts (ends) in flight: the notes say so.
        "takeoff_utc": _iso(segments["takeoff_utc"].iloc[0]) if len(segments) else None,
        "landing_utc": _iso(segments["landing_utc"].iloc[-1]) if len(segments) else None,
        "armed_intervals": [[_iso(a), _iso(b)] for a, b in armed_intervals(log.events)],
        **_boot_span(log),
        **_boot_intervals(log),
        "track_points": len(log.track),
        # To the millimetre the logs store (float sums leave 1.8999999999999986).
        "max_alt_rel_m": (
            round(float(np.nanmax(rel)), 3) if len(rel) and not np.isnan(rel).all() else None
        ),
        "distance_m": round(path_length_m(log.track), 1),
        "bad_frames": log.bad_frame_count,
        # Bytes that are no frame or record (foreign text, partial or corrupt frames): skipped.
        "skipped_bytes": int(log.bad_frames["length"].sum()) if len(log.bad_frames) else 0,
        "truncated": log.truncated,
        "notes": [
            *log.notes,
            *(n for n in flight_notes(log.track, segments) if n not in log.notes),
        ],
    }
