"""The column-wise SQLite fetch gives exactly what the row-by-row fetch gives.

Truth: the row path (sqlite3's own rows, converted one value at a time) on the same query;
inputs are awkward on purpose: NULLs, empty strings, embedded NUL, text in an INTEGER
column, doubles that need 17 digits, int64 extremes, a BLOB, text that is not UTF-8.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from forensics_lib.phone._common import Kind, _fetch_columns, _fetch_rows, fetch
from forensics_lib.sqlite import open_sqlite

KINDS: dict[str, Kind] = {"i": "int", "f": "float", "s": "str"}


def _db(tmp_path: Path, rows: list[tuple[object, ...]]) -> Path:
    path = tmp_path / "t.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, f REAL, s TEXT)")
    conn.executemany("INSERT INTO t (i, f, s) VALUES (?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return path


CLEAN = [
    (1, 0.1 + 0.2, "a"),
    (None, None, None),
    (-(2**63), 721_692_000.123, ""),
    (2**63 - 1, 1e300, "é🚗"),
    (0, -0.0, "x,y"),
]


def test_fast_path_matches_row_path(tmp_path: Path) -> None:
    path = _db(tmp_path, CLEAN)
    with open_sqlite(path) as db:
        sql = "SELECT i, f, s FROM t ORDER BY id"
        fast = _fetch_columns(db, sql, KINDS, ())
        slow = _fetch_rows(db, sql, KINDS, ())
    assert fast is not None  # the clean table goes the fast way
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["f"].tolist()[0] == 0.1 + 0.2  # 17 significant digits survive
    assert fast["i"].tolist()[2] == -(2**63)


@pytest.mark.parametrize(
    "odd",
    [
        ("text", 1.0, "a"),  # text in an INTEGER column
        (1, "text", "a"),  # text in a REAL column (printf would read it as 0)
        (1, 1.0, "a\x00b"),  # a NUL inside text
        (1.5, 1.0, "a"),  # a real in an INTEGER column
    ],
)
def test_odd_values_take_the_row_path_and_agree(tmp_path: Path, odd: tuple[object, ...]) -> None:
    path = _db(tmp_path, [*CLEAN, odd])
    with open_sqlite(path) as db:
        sql = "SELECT i, f, s FROM t ORDER BY id"
        assert _fetch_columns_or_none(db, sql) is None
        frame = fetch(db, sql, KINDS)
        slow = _fetch_rows(db, sql, KINDS, ())
    pd.testing.assert_frame_equal(frame, slow)


def _fetch_columns_or_none(db: object, sql: str) -> pd.DataFrame | None:
    try:
        return _fetch_columns(db, sql, KINDS, ())  # type: ignore[arg-type]
    except ValueError:
        return None


def test_text_that_is_not_utf8_is_decoded_leniently(tmp_path: Path) -> None:
    path = _db(tmp_path, [(1, 1.0, "ok")])
    conn = sqlite3.connect(path)
    conn.execute("UPDATE t SET s = CAST(x'61ff62' AS TEXT)")
    conn.commit()
    conn.close()
    with open_sqlite(path) as db:
        frame = fetch(db, "SELECT i, f, s FROM t", KINDS)
    assert frame["s"].tolist() == ["a\ufffdb"]
