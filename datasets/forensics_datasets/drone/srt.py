"""Synthetic DJI SRT subtitles in every dialect the reader knows, with an answer key.

The dialects and their field layouts follow the real files of JuanIrache/DJI_SRT_Parser
``samples/`` (``mavic_air2.srt`` and ``air2s.srt``: bracket; ``old_format.SRT``: HOME/GPS with
``Hb``/``Hs``; ``mavic_pro.SRT`` and ``sample2.SRT``: HOME/GPS with ``BAROMETER``;
``matrice_300.srt``: ``GPS(lat,lon,0.0M) BAROMETER:x.xM``; ``p4_rtk2``: ``GPS(..), HOME(..,
alt m), D .. m, H .. m``). Each dialect is written in the coordinate order its firmware uses
(DJI_SRT_Parser ``index.js`` ``interpretItem``: longitude first except the ``M`` style), or,
with ``swapped=True``, the other way round, to test the reader's cross-checks.

:func:`simple_srt_flight` flies by default at 36.6146 N 6.1120 W, the place of the Matrice 300
sample: both values lie within +-90 there, so no range test can tell the orders apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forensics_datasets.drone.flight import HZ, Flight
from forensics_lib.drone.analysis import EARTH_RADIUS_M, haversine_m

__all__ = [
    "DIALECTS",
    "LATITUDE_FIRST",
    "MORE_DIALECTS",
    "SrtFlight",
    "simple_srt_flight",
    "write_dji_srt",
    "write_srt",
]

DIALECTS = ("bracket", "home_hb", "barometer", "m300", "gps")
# Variants with no coordinate order to decide: the DJI FPV's bracket captions (altitude at
# 1/10) and camera-only captions with no position (Mavic Air, Osmo, Action).
MORE_DIALECTS = ("fpv", "camera")
# The dialects whose GPS(...) puts latitude first (DJI_SRT_Parser "m300format"); "bracket"
# names its fields.
LATITUDE_FIRST = frozenset({"m300"})


@dataclass
class SrtFlight:
    """What the writer puts in, which is also the answer key (one frame per second)."""

    start_local: pd.Timestamp  # the aircraft's wall clock at the first frame (no zone)
    home: tuple[float, float, float]  # lat, lon (deg), altitude AMSL (m)
    # t_s, lat, lon, height_m (above take-off), sats
    frames: pd.DataFrame = field(default_factory=pd.DataFrame)

    def wall(self, i: int) -> pd.Timestamp:
        return self.start_local + pd.Timedelta(seconds=float(self.frames["t_s"].iloc[i]))

    def key(self) -> dict[str, Any]:
        return {
            "frames": len(self.frames),
            "first_wall_local": self.wall(0).isoformat(),
            "last_wall_local": self.wall(len(self.frames) - 1).isoformat(),
            "home": {"lat": self.home[0], "lon": self.home[1], "alt_m": self.home[2]},
            "first": {
                "lat": float(self.frames["lat"].iloc[0]),
                "lon": float(self.frames["lon"].iloc[0]),
            },
        }


def simple_srt_flight(
    lat: float = 36.6146, lon: float = -6.1120, n: int = 40, seed: int = 0
) -> SrtFlight:
    """A climb to 40 m and a 300 m leg north-east of home, one frame a second."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=float)
    phase = t / max(n - 1, 1)
    north, east = 200 * phase, 220 * phase
    frames = pd.DataFrame(
        {
            "t_s": t,
            "lat": lat + np.degrees(north / EARTH_RADIUS_M),
            "lon": lon + np.degrees(east / (EARTH_RADIUS_M * math.cos(math.radians(lat)))),
            "height_m": np.round(np.minimum(t * 4.0, 40.0), 1),
            "sats": rng.integers(14, 19, size=n),
        }
    )
    return SrtFlight(
        start_local=pd.Timestamp("2022-06-21 16:06:17"), home=(lat, lon, 12.5), frames=frames
    )


def _tc(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def _pair(first_lat: bool, lat: float, lon: float, places: int) -> str:
    a, b = (lat, lon) if first_lat else (lon, lat)
    return f"{a:.{places}f},{b:.{places}f}"


def _body(f: SrtFlight, i: int, dialect: str, first_lat: bool, radians: bool) -> list[str]:
    r = f.frames.iloc[i]
    lat, lon, h, sats = float(r["lat"]), float(r["lon"]), float(r["height_m"]), int(r["sats"])
    hlat, hlon, halt = f.home
    wall = f.wall(i)
    if dialect == "bracket":  # mavic_air2.srt: "2022-05-01 15:01:58,531,716"
        stamp = wall.strftime("%Y-%m-%d %H:%M:%S") + ",000,000"
        if radians:  # the Mavic Air 2 bug (DJI_SRT_Parser deduceRadians): "longtitude", rad
            where = f"[latitude: {math.radians(lat):.9f}] [longtitude: {math.radians(lon):.9f}]"
        else:
            where = f"[latitude: {lat:.6f}] [longitude: {lon:.6f}]"
        return [
            f'<font size="36">SrtCnt : {i + 1}, DiffTime : 1000ms',
            stamp,
            "[iso : 100] [shutter : 1/500.0] [fnum : 280] [ev : 0] [ct : 5500] "
            f"[color_md : default] [focal_len : 240] {where} "
            f"[rel_alt: {h:.3f} abs_alt: {halt + h:.3f}] </font>",
        ]
    if dialect == "home_hb":  # old_format.SRT: "2017.8.5 14:11:51", no zero padding
        day = f"{wall.year}.{wall.month}.{wall.day} {wall.strftime('%H:%M:%S')}"
        return [
            f"HOME({_pair(first_lat, hlat, hlon, 4)}) {day}",
            f"GPS({_pair(first_lat, lat, lon, 4)},{sats}) Hb:{h:.1f} Hs:{h:.1f}",
            "ISO:100 TV:60 EV: 0 IR:F2.8",
        ]
    if dialect == "barometer":  # mavic_pro.SRT
        return [
            f"HOME({_pair(first_lat, hlat, hlon, 4)}) {wall.strftime('%Y.%m.%d %H:%M:%S')}",
            f"GPS({_pair(first_lat, lat, lon, 4)},{sats}) BAROMETER:{h:.1f}",
            "ISO:100 Shutter:60 EV: Fnum:2.2",
        ]
    if dialect == "m300":  # matrice_300.srt
        return [
            wall.strftime("%Y.%m.%d %H:%M:%S"),
            f"GPS({_pair(first_lat, lat, lon, 4)},0.0M) BAROMETER:{h:.1f}M",
        ]
    if dialect == "gps":  # p4_rtk2: no wall clock, D = distance from HOME
        d = float(haversine_m(lat, lon, hlat, hlon))  # the library's one haversine
        return [
            f"F/5.6, SS 400, ISO 100, EV 0, GPS({_pair(first_lat, lat, lon, 6)},{sats}), "
            f"HOME({_pair(first_lat, hlat, hlon, 6)},{halt:.2f}m), D {d:.1f}m, H {h:.2f}m, "
            "H.S 0.00m/s, V.S 0.00m/s"
        ]
    if dialect == "fpv":  # DJI FPV: bracket, [altitude: ..] at 1/10 of the height (srt.py)
        return [
            f'<font size="28">FrameCnt: {i + 1}, DiffTime: 1000ms',
            wall.strftime("%Y-%m-%d %H:%M:%S") + ".000",
            "[iso : 100] [shutter : 1/500.0] [fnum : 280] [ev : 0] [ct : 5600] "
            f"[color_md : default] [focal_len : 155] [latitude: {lat:.6f}] "
            f"[longitude: {lon:.6f}] [altitude: {h / 10:.6f}] </font>",
        ]
    if dialect == "camera":  # Mavic Air / Osmo / Action: camera settings, no position
        return [
            f'<font size="36">SrtCnt : {i + 1}, DiffTime : 1000ms',
            wall.strftime("%Y-%m-%d %H:%M:%S") + ",000,000",
            "[iso : 100] [shutter : 1/640.0] [fnum : 220] [ev : 0] [ct : 5208] "
            "[color_md : default] [focal_len : 240] </font>",
        ]
    known = ", ".join((*DIALECTS, *MORE_DIALECTS))
    raise ValueError(f"unknown SRT dialect {dialect!r} (one of {known})")


def write_dji_srt(
    path: str | Path,
    flight: SrtFlight,
    dialect: str,
    *,
    swapped: bool = False,
    radians: bool = False,
) -> int:
    """Write ``flight`` as ``dialect`` subtitles; returns the number of blocks.

    ``swapped`` writes the GPS(...)/HOME(...) values in the order opposite to the dialect's;
    ``radians`` (bracket only) writes ``[latitude: ..] [longtitude: ..]`` in radians, as a
    Mavic Air 2 firmware did.
    """
    first_lat = (dialect in LATITUDE_FIRST) != swapped
    lines: list[str] = []
    for i in range(len(flight.frames)):
        t = float(flight.frames["t_s"].iloc[i])
        lines += [
            str(i + 1),
            f"{_tc(t)} --> {_tc(t + 1)}",
            *_body(flight, i, dialect, first_lat, radians),
            "",
        ]
    Path(path).write_text("\n".join(lines), encoding="utf-8")
    return len(flight.frames)


# ----------------------------------------------------------------------------- SRT


def write_srt(
    path: str | Path, flight: Flight, *, zone: str = "Europe/Madrid", every: int = 1
) -> int:
    """DJI bracket-dialect subtitles, one block per ``every`` samples, local wall times."""
    s = flight.samples.iloc[::every].reset_index(drop=True)
    local = s["time_utc"].dt.tz_convert(zone).dt.tz_localize(None)
    lines: list[str] = []
    t0 = s["time_utc"].iloc[0]
    for i, row in s.iterrows():
        a = (row["time_utc"] - t0).total_seconds()
        b = a + every / HZ
        stamp = local.iloc[i].strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        lines += [
            str(i + 1),
            f"{_tc(a)} --> {_tc(b)}",
            f'<font size="28">FrameCnt: {i + 1}, DiffTime: {round(every * 1000 / HZ)}ms',
            stamp,
            f"[iso: 100] [shutter: 1/1000.0] [fnum: 2.8] [ev: 0] [color_md: default] "
            f"[focal_len: 24.00] [latitude: {row['lat']:.6f}] [longitude: {row['lon']:.6f}] "
            f"[rel_alt: {row['alt_rel_m']:.3f} abs_alt: {row['alt_amsl_m']:.3f}] "
            "[ct: 5500] </font>",
            "",
        ]
    Path(path).write_text("\n".join(lines), encoding="utf-8")
    return len(s)


def _tc(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"
