"""What the ArduPilot/PX4 log readers share: enum labels, as-of joins, event rows.

The MAVLink telemetry log (:mod:`.tlog`), the DataFlash log (:mod:`.dataflash`) and the ULog
(:mod:`.ulog`) readers all turn their records into the same :data:`~.model.EVENT_COLUMNS`
rows and attach values "as of" a row's time the same way; this module is that one place.
Enum names are those of pymavlink's ``ardupilotmega`` dialect (``MAV_STATE_*``,
``MAV_RESULT_*``, ``MAV_CMD_*``: MAVLink ``common.xml``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from pymavlink.dialects.v20 import ardupilotmega as dialect

from forensics_lib.core import times
from forensics_lib.drone.model import BAD_FRAME_COLUMNS, EVENT_COLUMNS, frame_of

__all__ = [
    "ROUTINE_PARAMS",
    "asof",
    "enum_label",
    "event_row",
    "events_frame",
    "mode_rows",
    "param_changes",
    "text_kind",
]

# Parameters the autopilot rewrites by itself (ArduPilot AP_Stats counters, barometer ground
# pressure): their changes are not anybody's action and are left out of the events.
ROUTINE_PARAMS = ("STAT_", "GND_ABS_PRESS", "GND_TEMP")

_NO_VALUE = object()


def enum_label(enum: str, value: int, prefix: str) -> str:
    """The name of ``value`` in MAVLink enum ``enum`` without ``prefix`` (the number as text
    when the dialect does not know it): ``enum_label("MAV_RESULT", 0, "MAV_RESULT_")`` is
    ``"ACCEPTED"``."""
    entry = dialect.enums.get(enum, {}).get(int(value))
    if entry is None:
        return str(value)
    name = str(entry.name)
    return name[len(prefix) :] if name.startswith(prefix) else name


def asof(base: pd.DataFrame, other: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """For each base row, the latest ``other`` values at or before its time (NaN if none)."""
    if other.empty or base.empty:
        for c in columns:
            base[c] = np.nan
        return base
    left = base.reset_index(drop=True)
    left["_row"] = np.arange(len(left))
    timed = left["time_utc"].notna()
    right = other[["time_utc", *columns]].dropna(subset=["time_utc"])
    right = right.sort_values("time_utc", kind="stable")
    merged = pd.merge_asof(
        left[timed].sort_values("time_utc", kind="stable"),
        right,
        on="time_utc",
        direction="backward",
    )
    untimed = left[~timed].assign(**{c: np.nan for c in columns})
    out = pd.concat([merged, untimed], ignore_index=True) if len(untimed) else merged
    return out.sort_values("_row", kind="stable").drop(columns="_row").reset_index(drop=True)


def event_row(
    time_utc: Any, kind: str, text: str, offset: Any, value: Any = _NO_VALUE, **extra: Any
) -> dict[str, Any]:
    """One event row (:data:`~.model.EVENT_COLUMNS`); ``value`` is left out when not given."""
    row: dict[str, Any] = {"time_utc": time_utc, "kind": kind, "text": text}
    if value is not _NO_VALUE:
        row["value"] = value
    row.update(extra)
    row["offset"] = offset
    return row


def text_kind(text: str) -> str:
    """``failsafe`` for a status text that says so, else ``statustext``."""
    return "failsafe" if "failsafe" in text.lower() else "statustext"


def mode_rows(modes: pd.DataFrame) -> list[dict[str, Any]]:
    """A ``mode`` event for each row of ``modes`` (``time_utc``, ``mode``, ``offset``)."""
    return [
        event_row(r["time_utc"], "mode", f"flight mode {r['mode']}", r["offset"], r["mode"])
        for _, r in modes.iterrows()
    ]


def param_changes(params: pd.DataFrame) -> list[dict[str, Any]]:
    """A ``param_change`` event each time a parameter's value differs from its previous one
    (``params``: ``time_utc``, ``name``, ``value``, ``offset``), routine ones left out."""
    rows: list[dict[str, Any]] = []
    for name, group in params.groupby("name", sort=False):
        if str(name).startswith(ROUTINE_PARAMS):
            continue
        values = group["value"].to_numpy()
        for k in np.flatnonzero(values[1:] != values[:-1]) + 1:
            r = group.iloc[k]
            rows.append(
                event_row(
                    r["time_utc"],
                    "param_change",
                    f"{name}: {values[k - 1]:g} -> {values[k]:g}",
                    r["offset"],
                    f"{values[k]:g}",
                )
            )
    return rows


def events_frame(rows: Iterable[dict[str, Any]], track: pd.DataFrame) -> pd.DataFrame:
    """Events sorted by time, with the aircraft position at (or just before) each."""
    frame = pd.DataFrame(list(rows))
    if frame.empty:
        return frame_of((*EVENT_COLUMNS, BAD_FRAME_COLUMNS[0]), {})
    t = frame["time_utc"]
    if not isinstance(t.dtype, pd.DatetimeTZDtype):
        frame["time_utc"] = pd.Series(
            [
                v if isinstance(v, pd.Timestamp) or pd.isna(v) else times.from_unix_us(int(v))
                for v in t
            ],
            dtype="datetime64[ns, UTC]",
        )
    offsets = pd.to_numeric(frame["offset"], errors="coerce") if "offset" in frame else np.nan
    frame["offset"] = offsets
    frame = frame.sort_values(["time_utc", "offset"], kind="stable").reset_index(drop=True)
    if not track.empty:
        frame = frame.drop(columns=[c for c in ("lat", "lon") if c in frame.columns])
        frame = asof(frame, track[["time_utc", "lat", "lon"]], ["lat", "lon"])
    return frame_of((*EVENT_COLUMNS, BAD_FRAME_COLUMNS[0]), frame)
