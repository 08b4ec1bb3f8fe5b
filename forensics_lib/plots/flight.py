"""Flight plots: the track on a plain lon/lat map and the altitude/speed profile.

No map tiles (the lab has no internet): the map is the track itself, drawn in a local
equirectangular frame (longitude scaled by cos(latitude) so that shapes are true), with the
geofence polygon, home, pilot estimates and event markers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = ["plot_profile", "plot_track"]

Ring = Sequence[Sequence[float]]
_MARKERS = {
    "takeoff": "^",
    "landing": "v",
    "armed": "P",
    "disarmed": "X",
    "release_command": "*",
    "release_ack": "*",
    "failsafe": "D",
}


def plot_track(
    track: pd.DataFrame,
    *,
    events: pd.DataFrame | None = None,
    polygons: Sequence[Sequence[Ring]] = (),
    home: tuple[float, float] | None = None,
    pilot: tuple[float, float] | None = None,
    title: str = "Flight track",
    width: float = 7.0,
) -> Any:
    """A :class:`matplotlib.figure.Figure` of the track (coloured by time) and its context."""
    from forensics_lib.plots._figure import new_figure

    fixes = track.dropna(subset=["lat", "lon"])
    fig = new_figure(figsize=(width, width), layout="constrained")
    ax = fig.add_subplot()
    lat0 = float(fixes["lat"].mean()) if len(fixes) else 0.0
    ax.set_aspect(1 / max(math.cos(math.radians(lat0)), 1e-6))
    for rings in polygons:
        for k, ring in enumerate(rings):
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            ax.fill(xs, ys, alpha=0.15 if k == 0 else 0.0, color="C3")
            ax.plot(xs, ys, color="C3", lw=1.2, label="geofence" if k == 0 else None)
    if len(fixes):
        ax.plot(fixes["lon"], fixes["lat"], color="0.6", lw=0.8, zorder=1)
        seconds = (fixes["time_utc"] - fixes["time_utc"].min()).dt.total_seconds()
        points = ax.scatter(fixes["lon"], fixes["lat"], c=seconds, s=4, cmap="viridis", zorder=2)
        fig.colorbar(points, ax=ax, label="seconds since first fix", shrink=0.7)
    if home is not None:
        ax.scatter([home[1]], [home[0]], marker="H", s=90, color="k", label="home", zorder=4)
    if pilot is not None:
        ax.scatter([pilot[1]], [pilot[0]], marker="s", s=70, color="C1", label="pilot", zorder=4)
    if events is not None:
        shown = events.dropna(subset=["lat", "lon"])
        shown = shown[shown["kind"].isin(list(_MARKERS))]
        for kind, group in shown.groupby("kind"):
            ax.scatter(
                group["lon"],
                group["lat"],
                marker=_MARKERS[str(kind)],
                s=70,
                label=str(kind),
                zorder=5,
                edgecolors="k",
            )
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")
    ax.ticklabel_format(useOffset=False)
    ax.set_title(title)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize="small")
    return fig


def plot_profile(
    track: pd.DataFrame, *, title: str = "Altitude and speed (UTC)", width: float = 9.0
) -> Any:
    """Altitude above home (and AMSL) and ground speed against UTC time, two stacked axes."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    from forensics_lib.plots._figure import new_figure

    fixes = track.dropna(subset=["time_utc"])
    when = fixes["time_utc"].dt.tz_convert("UTC").dt.tz_localize(None)
    fig = new_figure(figsize=(width, 5.0), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot(when, fixes["alt_rel_m"], label="above home (m)")
    if "alt_amsl_m" in fixes and fixes["alt_amsl_m"].notna().any():
        twin = top.twinx()
        twin.plot(when, fixes["alt_amsl_m"], color="C2", lw=0.8, label="AMSL (m)")
        twin.set_ylabel("AMSL (m)")
    top.set_ylabel("above home (m)")
    top.set_title(title)
    bottom.plot(when, fixes["ground_speed_ms"], color="C1")
    bottom.set_ylabel("ground speed (m/s)")
    locator = AutoDateLocator()
    bottom.xaxis.set_major_locator(locator)
    bottom.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    return fig
