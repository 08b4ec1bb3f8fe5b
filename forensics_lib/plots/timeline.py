"""A timeline plot: one lane per artifact, one marker per event, UTC on the axis."""

from __future__ import annotations

from typing import Any

import pandas as pd

from forensics_lib.core.schema import TIMELINE_COLUMNS, conform

__all__ = ["plot_timeline"]


def plot_timeline(
    timeline: pd.DataFrame,
    *,
    title: str = "Timeline (UTC)",
    lane: str = "artifact",
    width: float = 10.0,
    max_labels: int = 0,
) -> Any:
    """Return a :class:`matplotlib.figure.Figure` of the timeline.

    ``lane`` is the column giving one horizontal lane per value (``artifact`` or
    ``exhibit``); markers are coloured by exhibit. ``max_labels`` > 0 writes the event
    text beside the first that many markers (useful for short timelines).
    """
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    from forensics_lib.plots._figure import new_figure

    tl = conform(timeline, TIMELINE_COLUMNS).dropna(subset=["time"])
    lanes = list(dict.fromkeys(tl[lane].astype(str)))
    exhibits = list(dict.fromkeys(tl["exhibit"].astype(str)))
    height = 1.2 + 0.45 * max(len(lanes), 1)
    fig = new_figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    times = tl["time"].dt.tz_convert("UTC").dt.tz_localize(None)
    ypos = tl[lane].astype(str).map({name: i for i, name in enumerate(lanes)})
    for index, exhibit in enumerate(exhibits):
        mask = tl["exhibit"].astype(str) == exhibit
        ax.scatter(
            times[mask],
            ypos[mask],
            s=28,
            marker="|" if len(tl) > 200 else "o",
            color=f"C{index % 10}",
            label=exhibit or "(no exhibit)",
            zorder=3,
        )
    for i in range(min(max_labels, len(tl))):
        ax.annotate(
            str(tl["event"].iloc[i]),
            (times.iloc[i], ypos.iloc[i]),
            xytext=(4, 6),
            textcoords="offset points",
            fontsize=7,
            rotation=20,
        )
    ax.set_yticks(range(len(lanes)), lanes)
    ax.set_ylim(-0.7, len(lanes) - 0.3)
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_xlabel("time (UTC)")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title)
    if len(exhibits) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="exhibit")
    return fig
