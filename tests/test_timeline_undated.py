"""timeline.build counts the rows no rule can place (every rule time missing) instead of
dropping them silently. Truth: hand-made frames, the counts derived in the comments."""

from __future__ import annotations

import pandas as pd

from forensics_lib import registry, timeline
from forensics_lib.schema import empty_frame


def _calls(times: list[str | None], ends: list[str | None]) -> pd.DataFrame:
    spec = registry.get("android.calls").spec
    frame = empty_frame(spec).reindex(range(len(times)))
    frame["time"] = pd.to_datetime(pd.Series(times), utc=True)
    frame["end_time"] = pd.to_datetime(pd.Series(ends), utc=True)
    frame["artifact"] = "android.calls"
    frame["source_path"] = "/data/data/x/calllog.db"
    frame[spec.locator] = range(len(times))
    return frame


def test_a_row_is_undated_only_when_no_rule_time_is_known() -> None:
    # Row 0: start and end (2 timeline rows); row 1: start, no end (unanswered: 1 row, placed);
    # row 2: no start, an end (1 row, placed); rows 3 and 4: neither (2 undated rows).
    frame = _calls(
        ["2024-06-14T10:00:00Z", "2024-06-14T11:00:00Z", None, None, None],
        ["2024-06-14T10:05:00Z", None, "2024-06-14T12:00:00Z", None, None],
    )
    spec = registry.get("android.calls").spec
    assert timeline.undated_rows(frame, spec) == 2
    tl = timeline.build({"EXH-1": frame})
    assert len(tl) == 4  # 2 + 1 + 1
    assert tl.attrs["undated"] == [("EXH-1", "android.calls", 2)]
    note = "EXH-1: android.calls: 2 rows without absolute time: not on the UTC timeline"
    assert tl.attrs["warnings"][0].startswith(note)
    # A timeline of timelines keeps what its parts could not place.
    merged = timeline.build([tl, timeline.build({"EXH-2": frame.iloc[:1]})])
    assert len(merged) == 6 and merged.attrs["undated"] == [("EXH-1", "android.calls", 2)]
    assert merged.attrs["warnings"] == tl.attrs["warnings"]


def test_fully_dated_frames_say_nothing() -> None:
    frame = _calls(["2024-06-14T10:00:00Z"], ["2024-06-14T10:05:00Z"])
    tl = timeline.build({"EXH-1": frame})
    assert "undated" not in tl.attrs and "warnings" not in tl.attrs
