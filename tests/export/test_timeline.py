"""Timeline exports (forensics_lib.export.timeline): CSV and JSON Lines keep nanoseconds, l2tcsv
has plaso's fields.

Truth: the hand-built frames of tests/test_timeline.py, whose times are written out literally.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd

from forensics_lib import timeline
from forensics_lib.export import (
    L2TCSV_HEADER,
    timeline_to_csv,
    timeline_to_jsonl,
    timeline_to_l2tcsv,
)
from tests import test_timeline as timeline_tests
from tests.test_timeline import SPECS, utc

calls = timeline_tests.calls  # the hand-built calls fixture of tests/test_timeline.py


def test_csv_and_jsonl_keep_nanoseconds(calls: pd.DataFrame) -> None:
    calls = calls.copy()
    calls.loc[0, "start"] = utc("2024-05-01 10:00:00.123456789")
    tl = timeline.build([calls], exhibit="E", specs=SPECS)
    buf = io.StringIO()
    timeline_to_csv(tl, buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert [r["time"] for r in rows] == [
        "2024-05-01T09:00:00.000000000Z",
        "2024-05-01T10:00:00.123456789Z",
        "2024-05-01T10:02:05.500000000Z",
    ]
    buf = io.StringIO()
    timeline_to_jsonl(tl, buf)
    records = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert records[1]["time"] == "2024-05-01T10:00:00.123456789Z"
    assert records[0]["counterpart"] is None and records[0]["lat"] is None
    assert records[2]["offset_or_row"] == 7


def test_l2tcsv_has_plaso_fields(calls: pd.DataFrame) -> None:
    tl = timeline.build([calls], exhibit="EXH, 1", specs=SPECS)
    buf = io.StringIO()
    timeline_to_l2tcsv(tl, buf)
    lines = buf.getvalue().splitlines()
    assert lines[0].split(",") == list(L2TCSV_HEADER)
    # commas are replaced as plaso does: every line splits into exactly 17 fields
    assert all(len(line.split(",")) == 17 for line in lines)
    last = dict(zip(L2TCSV_HEADER, lines[3].split(","), strict=True))
    assert (last["date"], last["time"], last["timezone"]) == ("05/01/2024", "10:02:05", "UTC")
    assert last["type"] == "outgoing call ended"
    assert last["host"] == "EXH  1"  # ", " -> "  ": the comma replaced by a space
    assert last["filename"] == "/data/calllog.db"
    assert last["source"] == "TEST"
    # The same instant in Brussels summer time is two hours later on the wall clock.
    buf = io.StringIO()
    timeline_to_l2tcsv(tl, buf, zone="Europe/Brussels")
    local = buf.getvalue().splitlines()[3].split(",")
    assert local[1:3] == ["12:02:05", "Europe/Brussels"]
