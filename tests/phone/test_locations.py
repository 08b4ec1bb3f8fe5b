"""Where the phone was (``locations``): photo GPS, Google Maps places, iOS routined fixes.

Truth: the generator's answer keys (places, fixes and shots it wrote) and hand-encoded
protobuf bytes (derivation in the comments).
"""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.phone import make_phone_extraction
from forensics_datasets.phone.media import GMM_SCHEMA, Place, protobuf_place

from forensics_lib.errors import ForensicsWarning
from forensics_lib.phone import open_extraction
from forensics_lib.phone.locations import (
    protobuf_fields,
    read_gmm_myplaces,
    read_routined_cache,
)


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("loc")
    return {
        os_name: make_phone_extraction(
            out / os_name,
            os=os_name,
            seed=6,
            media=True,
            locations=True,  # type: ignore[arg-type]
        )
        for os_name in ("android", "ios")
    }


def _read(case: object) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with open_extraction(case.exhibit) as ext:  # type: ignore[attr-defined]
            return ext.read("locations")


def test_android_places_and_photos(cases: dict[str, object]) -> None:
    case = cases["android"]
    key = case.answer_key["writer"]  # type: ignore[attr-defined]
    frame = _read(case)
    places = frame.loc[frame["source"] == "google_maps_labeled_place"].reset_index(drop=True)
    want = key["locations"]["places"]
    assert places["label"].tolist() == [p["label"] for p in want]  # Home, Work from key_string
    assert places["detail"].tolist() == [p["address"] for p in want]
    assert places["lat"].tolist() == pytest.approx([p["lat"] for p in want], abs=1e-9)
    assert places["lon"].tolist() == pytest.approx([p["lon"] for p in want], abs=1e-9)
    assert places["time"].tolist() == [pd.Timestamp(p["time"]) for p in want]
    photos = frame.loc[frame["source"] == "photo_exif"].set_index("source_path")
    with_gps = [m for m in key["media"] if m["lat"] is not None]
    assert sorted(photos.index) == sorted(m["path"] for m in with_gps)
    for m in with_gps:
        assert photos.loc[m["path"], "lat"] == pytest.approx(m["lat"], abs=1e-7)
        assert photos.loc[m["path"], "time"] == pd.Timestamp(m["time_utc"])


def test_ios_routined_fixes(cases: dict[str, object]) -> None:
    case = cases["ios"]
    want = case.answer_key["writer"]["locations"]["fixes"]  # type: ignore[attr-defined]
    frame = _read(case)
    fixes = frame.loc[frame["source"] == "routined_cache"].reset_index(drop=True)
    assert len(fixes) == len(want)
    # Cocoa seconds stored as a double (~1e-7 s resolution at 7e8 s): within a microsecond.
    error = (fixes["time"] - pd.Series([pd.Timestamp(f["time"]) for f in want])).abs()
    assert (error < pd.Timedelta(microseconds=1)).all()
    assert fixes["lat"].tolist() == pytest.approx([f["lat"] for f in want])
    assert fixes["alt_m"].tolist() == pytest.approx([f["alt_m"] for f in want])
    # -1 (CoreLocation: unknown) becomes NaN, the rest stay as stored.
    assert fixes["speed_ms"].isna().tolist() == [f["speed_ms"] is None for f in want]
    known = [f["course_deg"] for f in want if f["course_deg"] is not None]
    assert fixes["course_deg"].dropna().tolist() == pytest.approx(known)
    assert fixes["accuracy_m"].tolist() == pytest.approx([f["accuracy_m"] for f in want])


def test_protobuf_fields_by_hand() -> None:
    # field 1 varint 150: key (1 << 3 | 0) = 0x08, 150 = 0x96 0x01 (protobuf encoding guide);
    # field 6 length-delimited (6 << 3 | 2 = 0x32), 3 bytes: field 7 string "ab" (0x3a 02 'ab').
    raw = bytes([0x08, 0x96, 0x01, 0x32, 0x04, 0x3A, 0x02]) + b"ab"
    fields = protobuf_fields(raw)
    assert fields[1] == [150]
    assert protobuf_fields(fields[6][0])[7] == [b"ab"]  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        protobuf_fields(bytes([0x32, 0x10, 0x00]))  # claims 16 bytes, holds 1


def test_hostile_places_database(tmp_path: Path) -> None:
    db = tmp_path / "gmm_myplaces.db"
    conn = sqlite3.connect(db)
    for statement in GMM_SCHEMA:
        conn.execute(statement)
    good = Place("3:1", "Depot", "Somewhere 1", 40.0, -3.0, pd.Timestamp("2024-01-01T00:00:00Z"))
    conn.executemany(
        "INSERT INTO sync_item VALUES (?, ?, ?, ?, ?)",
        [
            ("3:1", 1_704_067_200_000, 40_000_000, -3_000_000, protobuf_place(good)),
            ("3:2", 1_704_067_200_000, 123_456_789_000, 1, b"\x32\xff\xff\xff\xff\x0f"),
            ("3:3", None, None, None, "not a blob"),
        ],
    )
    conn.commit()
    conn.close()
    with pytest.warns(ForensicsWarning, match="impossible coordinates"):
        frame = read_gmm_myplaces(db)
    assert frame["label"].tolist()[0] == "Depot"
    assert frame["label"].isna().tolist() == [False, True, True]
    assert frame["lat"].isna().tolist() == [False, True, True]
    assert frame["time"].isna().tolist() == [False, False, True]


def test_routined_without_its_table_warns(tmp_path: Path) -> None:
    db = tmp_path / "Cache.sqlite"
    sqlite3.connect(db).execute(
        "CREATE TABLE ZRTVISITMO (Z_PK INTEGER PRIMARY KEY)"
    ).connection.close()
    with pytest.warns(ForensicsWarning, match="ZRTCLLOCATIONMO"):
        frame = read_routined_cache(db)
    assert frame.empty
