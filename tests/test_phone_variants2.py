"""Phone gaps of issue 14, second wave: a stray Manifest.db-wal, iOS 7-and-older call
history, Android adb backups.

Truth: each generator's answer key (counts and values computed where the exhibit is
written, never by the readers) and hand-computed UTC times with their derivation.
"""

from __future__ import annotations

import sqlite3
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.phone_variants import write_backup_stray_wal, write_ios7_calls

from forensics_lib.errors import ForensicsWarning
from forensics_lib.phone import open_extraction
from forensics_lib.phone.ios import IOS_CALLS, read_calls
from forensics_lib.schema import ArtifactSpec

# -- 1. a stray Manifest.db-wal --------------------------------------------------------------


def test_stray_manifest_wal_is_announced_when_not_excluded(
    tmp_path: Path, unchanged: Callable[[Path], None]
) -> None:
    variant = write_backup_stray_wal(tmp_path / "bk", seed=3)
    key = variant.answer_key
    unchanged(variant.exhibit)
    with pytest.warns(ForensicsWarning, match=r"Manifest\.db-wal beside Manifest\.db"):
        ext = open_extraction(variant.exhibit)
    with ext:
        assert ext.backup is not None
        paths = {f.path for f in ext.backup}
    assert len(paths) == key["files_with_wal"]  # SQLite applies the WAL: the row is there
    assert key["planted"] in paths


def test_excluded_manifest_wal_changes_nothing(
    tmp_path: Path, unchanged: Callable[[Path], None]
) -> None:
    variant = write_backup_stray_wal(tmp_path / "bk", seed=3)
    key = variant.answer_key
    unchanged(variant.exhibit)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the excluded WAL is as if absent: nothing to say
        ext = open_extraction(variant.exhibit, exclude={f"/{key['companion']}"})
    with ext:
        assert ext.backup is not None
        paths = {f.path for f in ext.backup}
        sms = ext.read("sms")
    assert len(paths) == key["files"]
    assert key["planted"] not in paths
    assert len(sms) > 0
    assert not (variant.exhibit / "Manifest.db-shm").exists()


# -- 2. iOS 7 and older call_history.db ------------------------------------------------------


def _columns(spec: ArtifactSpec) -> list[str]:
    return [*(c.name for c in spec.columns)]


def test_ios7_call_history_reads_like_the_answer_key(tmp_path: Path) -> None:
    variant = write_ios7_calls(tmp_path / "v", facetime=2, seed=4)
    want = variant.answer_key["calls"]
    with open_extraction(variant.exhibit) as ext:
        assert ext.os == "ios"
        calls = ext.read("calls")
    assert len(calls) == len(want)
    assert set(calls["source_path"]) == {variant.answer_key["device_path"]}
    got = calls.sort_values("row_id").reset_index(drop=True)
    for row, w in zip(got.to_dict("records"), want, strict=True):
        assert row["time"] == pd.Timestamp(w["time"])
        assert row["end_time"] - row["time"] == pd.Timedelta(seconds=w["duration_s"])
        assert row["number"] == w["number"]
        assert row["type"] == w["flags"]
        assert row["type_label"] == w["label"]
        assert row["direction"] == ("outgoing" if w["label"] == "outgoing" else "incoming")
        assert row["service_label"] == w["service"]
        assert bool(row["answered"]) == (w["duration_s"] > 0)
    assert _columns(IOS_CALLS) == [c for c in calls.columns if c in _columns(IOS_CALLS)]


def test_ios7_call_history_hand_computed(tmp_path: Path) -> None:
    db = tmp_path / "call_history.db"
    conn = sqlite3.connect(db)
    conn.execute(
        "CREATE TABLE call (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT, date "
        "INTEGER, duration INTEGER, flags INTEGER, id INTEGER, name TEXT, country_code TEXT, "
        "network_code TEXT, read INTEGER, assisted INTEGER, face_time_data BLOB, "
        "originalAddress TEXT)"
    )
    # 1262304000 = 14610 days * 86400 s; 14610 = 40 * 365 + 10 leap days (1972..2008), so
    # 2010-01-01T00:00:00Z. Outgoing (flags 5) for 125 s: ends 00:02:05.
    # 1262349296 = 1262304000 + 45296 (12 h 34 min 56 s): 2010-01-01T12:34:56Z, incoming
    # (flags 4) with duration 0: missed.
    conn.executemany(
        "INSERT INTO call (ROWID, address, date, duration, flags, name) VALUES (?,?,?,?,?,?)",
        [
            (1, "+447700900123", 1262304000, 125, 5, "Alice"),
            (2, "+447700900456", 1262349296, 0, 4, None),
        ],
    )
    conn.commit()
    conn.close()
    calls = read_calls(db)
    assert calls.attrs["schema"] == "ios-7"
    assert list(calls["time"]) == [
        pd.Timestamp("2010-01-01T00:00:00Z"),
        pd.Timestamp("2010-01-01T12:34:56Z"),
    ]
    assert calls["end_time"].iloc[0] == pd.Timestamp("2010-01-01T00:02:05Z")
    assert list(calls["type_label"]) == ["outgoing", "missed"]
    assert list(calls["direction"]) == ["outgoing", "incoming"]
    assert list(calls["answered"]) == [True, False]
    assert list(calls["name"].fillna("-")) == ["Alice", "-"]
    assert list(calls["row_id"]) == [1, 2]
