"""What the tlog, DataFlash and ULog readers share (forensics_lib.drone.mavlink_common).

Truth: MAVLink common.xml enum values (MAV_RESULT 0 = ACCEPTED, MAV_STATE 5 = CRITICAL), and
tables written here by hand with the expected rows derived in the comments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forensics_lib.drone.mavlink_common import (
    asof,
    enum_label,
    event_row,
    events_frame,
    mode_rows,
    param_changes,
    text_kind,
)
from forensics_lib.drone.model import EVENT_COLUMNS

T0 = pd.Timestamp("2024-03-14T08:00:00Z")


def _t(seconds: list[float]) -> pd.Series:
    return pd.Series([T0 + pd.Timedelta(seconds=s) for s in seconds], dtype="datetime64[ns, UTC]")


def test_enum_label() -> None:
    assert enum_label("MAV_RESULT", 0, "MAV_RESULT_") == "ACCEPTED"
    assert enum_label("MAV_STATE", 5, "MAV_STATE_") == "CRITICAL"
    assert enum_label("MAV_RESULT", 9999, "MAV_RESULT_") == "9999"  # unknown: the number


def test_asof_takes_the_latest_value_at_or_before() -> None:
    base = pd.DataFrame({"time_utc": _t([0.0, 5.0, 10.0]), "offset": [1, 2, 3]})
    other = pd.DataFrame({"time_utc": _t([1.0, 5.0]), "mode": ["AUTO", "RTL"]})
    out = asof(base, other, ["mode"])
    # t=0 precedes every mode (NaN); t=5 takes RTL (at or before); t=10 keeps RTL
    assert out["mode"].tolist()[1:] == ["RTL", "RTL"] and pd.isna(out["mode"].iloc[0])
    assert out["offset"].tolist() == [1, 2, 3]


def test_param_changes_skip_routine_and_unchanged() -> None:
    params = pd.DataFrame(
        {
            "time_utc": _t([0, 1, 2, 3, 4]),
            "name": ["SERVO9_FUNCTION", "SERVO9_FUNCTION", "STAT_RUNTIME", "STAT_RUNTIME", "X"],
            "value": np.array([0.0, 22.0, 1.0, 2.0, 3.0]),
            "offset": [10, 20, 30, 40, 50],
        }
    )
    rows = param_changes(params)
    # only SERVO9_FUNCTION changed (0 -> 22); STAT_ is routine, X is seen once
    assert rows == [
        {
            "time_utc": params["time_utc"].iloc[1],
            "kind": "param_change",
            "text": "SERVO9_FUNCTION: 0 -> 22",
            "value": "22",
            "offset": 20,
        }
    ]


def test_event_rows_and_frame() -> None:
    assert "value" not in event_row(T0, "statustext", "hello", 7)
    assert event_row(T0, "mode", "m", 7, None)["value"] is None  # given, even if None
    assert text_kind("Radio Failsafe") == "failsafe" and text_kind("EKF ok") == "statustext"
    modes = pd.DataFrame({"time_utc": _t([2.0]), "mode": ["LOITER"], "offset": [99]})
    rows = [*mode_rows(modes), event_row(_t([1.0]).iloc[0], "statustext", "armed ok", 5)]
    track = pd.DataFrame({"time_utc": _t([0.0]), "lat": [51.5], "lon": [-0.1]})
    frame = events_frame(rows, track)
    assert list(frame.columns)[: len(EVENT_COLUMNS)] == [c.name for c in EVENT_COLUMNS]
    # sorted by time: the 1 s text first, then the 2 s mode; both at the track's one fix
    assert frame["kind"].tolist() == ["statustext", "mode"]
    assert frame["text"].tolist() == ["armed ok", "flight mode LOITER"]
    assert frame["lat"].tolist() == [51.5, 51.5]
