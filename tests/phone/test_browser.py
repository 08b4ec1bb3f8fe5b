"""Browser history (forensics_lib.phone.browser): Chrome's WebKit and Safari's Cocoa epochs.

Truth: hand-derived epochs (derivations in comments); databases written here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.phone import extras as X

from forensics_lib.errors import ForensicsWarning
from forensics_lib.phone.browser import read_chrome_history, read_safari_history
from tests.phone.test_apps import _db


def test_chrome_webkit_epoch(tmp_path: Path) -> None:
    # WebKit time counts us from 1601-01-01; 1601 -> 1970 is 134_774 days = 11_644_473_600 s.
    # 1_700_000_000 s Unix (2023-11-14T22:13:20Z) + 11_644_473_600 s = 13_344_473_600 s,
    # plus 123_456 us.
    db = _db(
        tmp_path / "History",
        X.CHROME_SCHEMA,
        "INSERT INTO urls VALUES (5, 'https://www.example.com/', 'Example', 1, 1, "
        "13344473600123456, 0)",
        "INSERT INTO visits (id, url, visit_time, transition) VALUES "
        "(9, 5, 13344473600123456, 805306369)",
    )
    frame = read_chrome_history(db)
    assert frame["time"].tolist() == [pd.Timestamp("2023-11-14T22:13:20.123456Z")]
    # 805306369 = 0x30000001: core type 1 (TYPED) with CHAIN_START|CHAIN_END qualifiers.
    assert frame["transition_label"].tolist() == ["typed"]
    assert frame["row_id"].tolist() == [9]
    assert frame["url_id"].tolist() == [5]


def test_safari_cocoa_epoch(tmp_path: Path) -> None:
    # Cocoa time counts s from 2001-01-01 = Unix 978_307_200; 1_700_000_000 - 978_307_200
    # = 721_692_800 s -> 2023-11-14T22:13:20Z; .5 s more.
    db = _db(
        tmp_path / "History.db",
        X.SAFARI_SCHEMA,
        "INSERT INTO history_items (id, url, visit_count, daily_visit_counts, "
        "should_recompute_derived_visit_counts, visit_count_score) "
        "VALUES (3, 'https://news.example.org/', 2, x'00', 0, 0)",
        "INSERT INTO history_visits (id, history_item, visit_time, title) "
        "VALUES (4, 3, 721692800.5, 'News')",
    )
    frame = read_safari_history(db)
    assert frame["time"].tolist() == [pd.Timestamp("2023-11-14T22:13:20.5Z")]
    assert frame["url"].tolist() == ["https://news.example.org/"]
    assert frame["visit_count"].tolist() == [2]


def test_unknown_browser_schema_warns(tmp_path: Path) -> None:
    db = _db(tmp_path / "History", ("CREATE TABLE visits (id INTEGER, url INTEGER)",))
    with pytest.warns(ForensicsWarning, match="visits.*visit_time"):
        frame = read_chrome_history(db)
    assert frame.empty
