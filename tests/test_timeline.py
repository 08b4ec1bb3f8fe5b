"""Timeline core (forensics_lib.timeline): rules, templates, merge order. Its exports are tested
in tests/export/test_timeline.py, its plot in tests/plots/test_timeline.py.

Truth: hand-built frames whose times are written out literally below.
"""

from __future__ import annotations

import pandas as pd
import pytest

from forensics_lib import timeline
from forensics_lib.schema import (
    FLOAT,
    INT,
    STR,
    TIME,
    TIMELINE_COLUMNS,
    ArtifactSpec,
    Column,
    SchemaError,
    TimelineRule,
    check_frame,
    conform,
    empty_frame,
)

CALLS = ArtifactSpec(
    id="test.calls",
    family="test",
    description="calls for the timeline tests",
    columns=(
        Column("start", TIME, "call start"),
        Column("end", TIME, "call end"),
        Column("number", STR, "other party"),
        Column("type_label", STR, "direction"),
        Column("duration_s", FLOAT, "seconds"),
        Column("lat", FLOAT, "where"),
        Column("lon", FLOAT, "where"),
    ),
    timeline=(
        TimelineRule("start", "{type_label} call started", "with {number}", counterpart="number"),
        TimelineRule(
            "end",
            "{type_label} call ended",
            "with {number} after {duration_s:.0f} s",
            counterpart="number",
            lat="lat",
            lon="lon",
        ),
    ),
)
SPECS = {CALLS.id: CALLS}


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture
def calls() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "start": [utc("2024-05-01 10:00:00"), utc("2024-05-01 09:00:00")],
            # the second call was missed: it has no end
            "end": [utc("2024-05-01 10:02:05.5"), pd.NaT],
            "number": ["+32470000001", None],
            "type_label": ["outgoing", "missed"],
            "duration_s": [125.5, float("nan")],
            "lat": [50.85, float("nan")],
            "lon": [4.35, float("nan")],
            "artifact": CALLS.id,
            "source_path": "/data/calllog.db",
            "row_id": [7, 8],
        }
    )
    return conform(frame, CALLS)


def test_conform_orders_and_types(calls: pd.DataFrame) -> None:
    assert check_frame(calls, CALLS) == []
    assert str(calls["row_id"].dtype) == INT
    shuffled = calls[list(reversed(calls.columns))]
    assert check_frame(conform(shuffled, CALLS), CALLS) == []
    with pytest.raises(SchemaError, match="missing"):
        conform(calls.drop(columns=["number"]), CALLS)
    naive = calls.assign(start=calls["start"].dt.tz_localize(None))
    with pytest.raises(SchemaError, match="not tz-aware"):
        conform(naive, CALLS)
    assert check_frame(empty_frame(CALLS), CALLS) == []


def test_spec_rejects_rules_naming_unknown_columns() -> None:
    with pytest.raises(ValueError, match="unknown 'nope'"):
        ArtifactSpec(
            id="x",
            family="x",
            description="x",
            columns=(Column("t", TIME, "t"),),
            timeline=(TimelineRule("t", "{nope}"),),
        )


def test_a_record_with_two_times_gives_two_rows(calls: pd.DataFrame) -> None:
    tl = timeline.build({"EXH-1 phone": calls}, specs=SPECS)
    assert check_frame(tl, TIMELINE_COLUMNS) == []
    # 2 starts + 1 end (the missed call has no end), sorted by time
    assert tl["event"].tolist() == [
        "missed call started",
        "outgoing call started",
        "outgoing call ended",
    ]
    assert tl["description"].tolist() == [
        "with",  # missing number renders empty, trailing space collapsed
        "with +32470000001",
        "with +32470000001 after 126 s",  # 125.5 formatted with .0f rounds half to even: 126
    ]
    ended = tl.iloc[2]
    started = tl.iloc[1]
    # plaso's invariant: end - start = duration
    assert (ended["time"] - started["time"]).total_seconds() == 125.5
    assert (ended["lat"], ended["lon"]) == (50.85, 4.35)
    assert pd.isna(started["lat"])
    assert tl["exhibit"].unique().tolist() == ["EXH-1 phone"]
    assert tl["offset_or_row"].tolist() == [8, 7, 7]


def test_merge_across_exhibits_is_sorted_and_stable(calls: pd.DataFrame) -> None:
    other = calls.assign(start=calls["start"] + pd.Timedelta(minutes=30))
    tl = timeline.build({"B": other, "A": calls}, specs=SPECS)
    assert tl["time"].is_monotonic_increasing
    again = timeline.build([tl])  # a timeline passes through unchanged
    pd.testing.assert_frame_equal(again, tl)
    assert timeline.build([], specs=SPECS).empty


def test_templates_trim_around_empty_fields_but_never_alter_values() -> None:
    from forensics_lib.timeline import render_template

    frame = pd.DataFrame(
        {
            "who": ["A", "A", None, "B"],
            "action": ["sealed", "sealed", "sealed", None],
            "note": [None, "bag  7", None, "x"],  # a value with two spaces
        }
    )
    rendered = render_template("{who} {action} {note}", frame).tolist()
    assert rendered == ["A sealed", "A sealed bag  7", "sealed", "B x"]
    assert render_template("custody: {action}", frame).tolist()[3] == "custody:"
    assert render_template("no fields", frame).tolist() == ["no fields"] * 4
    assert render_template("{note:>4}|", frame.iloc[3:]).tolist() == ["   x|"]


def test_undated_rows_between_dated_ones_leave_no_gaps() -> None:
    """Rows without a time are left off, and the dated rows around them keep their own
    text (a filtered frame's index once misaligned the rendered columns into empty rows)."""
    from forensics_lib.phone.media import ANDROID_MEDIA
    from forensics_lib.schema import conform

    frame = pd.DataFrame(
        {
            "time": pd.to_datetime(["2024-01-01T10:00Z", None, "2024-01-01T12:00Z"], utc=True),
            "path": ["/a.jpg", "/b.jpg", "/c.jpg"],
            "artifact": ANDROID_MEDIA.id,
            "source_path": ["/a.jpg", "/b.jpg", "/c.jpg"],
            "row_id": [0, 0, 0],
        }
    )
    for column in ANDROID_MEDIA.columns:  # the other columns, empty
        if column.name not in frame:
            frame[column.name] = None
    tl = timeline.build({"x": [conform(frame, ANDROID_MEDIA)]})
    assert tl["time"].notna().all() and tl["artifact"].notna().all()
    assert tl["source_path"].tolist() == ["/a.jpg", "/c.jpg"]
