"""A damaged or mismatched ``-wal`` is read as SQLite reads it, and never silently.

Truth: SQLite itself. The same database and ``-wal`` bytes are replayed by the ``sqlite3``
module on a private copy (its ``walIndexRecover``), and the rows :func:`open_sqlite` shows
must be the rows SQLite shows, with a warning naming the first frame not applied whenever
the WAL holds frames SQLite does not apply.
"""

from __future__ import annotations

import shutil
import sqlite3
import struct
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics_lib.errors import ForensicsWarning, ParseError
from forensics_lib.sqlite import check_wal, open_sqlite

_COMMITS = 5


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes, int]:
    """A database with one checkpointed row and ``_COMMITS`` rows committed one per
    transaction in its WAL (copied while the writer is open); (db, wal, page size)."""
    work = tmp_path_factory.mktemp("live")
    conn = sqlite3.connect(work / "t.db", isolation_level=None)
    conn.execute("PRAGMA page_size=1024")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO t VALUES (0, 'checkpointed')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for i in range(1, _COMMITS + 1):
        conn.execute("INSERT INTO t VALUES (?, ?)", (i, "x" * 300 * i))
    db = (work / "t.db").read_bytes()
    wal = (work / "t.db-wal").read_bytes()
    conn.close()
    return db, wal, 1024


def _reference(tmp: Path, db: bytes, wal: bytes) -> list[int]:
    ref = tmp / "reference"
    ref.mkdir()
    (ref / "t.db").write_bytes(db)
    if wal:
        (ref / "t.db-wal").write_bytes(wal)
    conn = sqlite3.connect(ref / "t.db")
    try:
        return [r[0] for r in conn.execute("SELECT id FROM t ORDER BY id")]
    finally:
        conn.close()
        shutil.rmtree(ref)


def _ours(tmp: Path, db: bytes, wal: bytes) -> tuple[list[int], list[str]]:
    exhibit = tmp / "exhibit"
    exhibit.mkdir()
    (exhibit / "t.db").write_bytes(db)
    (exhibit / "t.db-wal").write_bytes(wal)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with open_sqlite(exhibit / "t.db") as opened:
            rows = opened.query("SELECT id FROM t ORDER BY id")["id"].tolist()
    assert (exhibit / "t.db-wal").read_bytes() == wal  # the evidence is untouched
    assert sorted(p.name for p in exhibit.iterdir()) == ["t.db", "t.db-wal"]  # no -shm
    shutil.rmtree(exhibit)
    return rows, [str(w.message) for w in caught if issubclass(w.category, ForensicsWarning)]


def test_clean_wal_is_applied_whole_without_a_warning(
    tmp_path: Path, live: tuple[bytes, bytes, int]
) -> None:
    db, wal, page = live
    check = check_wal(wal)
    assert check.clean and check.applied == check.frames == (len(wal) - 32) // (page + 24)
    rows, notes = _ours(tmp_path, db, wal)
    assert rows == list(range(_COMMITS + 1)) == _reference(tmp_path, db, wal)
    assert notes == []


def test_empty_and_header_only_wal_are_clean(live: tuple[bytes, bytes, int]) -> None:
    assert check_wal(b"").clean  # checkpointed and reset: nothing to apply
    header_only = check_wal(live[1][:32])
    assert header_only.clean and header_only.frames == header_only.applied == 0
    assert not check_wal(bytes(32)).clean  # zero magic: not a WAL header


def test_every_cut_of_the_wal_shows_what_sqlite_shows(
    tmp_path: Path, live: tuple[bytes, bytes, int]
) -> None:
    """A copy cut at any point (a torn frame, or at a frame boundary inside a transaction):
    the same rows as SQLite, and a warning unless the cut falls after a commit frame."""
    db, wal, page = live
    frame = page + 24
    cuts = sorted({32 + n * frame + d for n in range(0, len(wal) // frame + 1) for d in (0, 7)})
    for cut in [c for c in cuts if c <= len(wal)]:
        data = wal[:cut]
        rows, notes = _ours(tmp_path, db, data)
        assert rows == _reference(tmp_path, db, data), f"cut at {cut}"
        check = check_wal(data)
        assert bool(notes) == (not check.clean), f"cut at {cut}"
        if notes:
            assert f"frame {check.first_skipped}" in notes[0]


@pytest.mark.parametrize("offset", [8, 16, 20, 24 + 100])
def test_a_changed_byte_in_a_frame_stops_where_sqlite_stops(
    tmp_path: Path, live: tuple[bytes, bytes, int], offset: int
) -> None:
    """A byte changed in the salts (8, 16: an earlier generation), the checksum (20) or the
    page (124) of the third frame: SQLite applies the commits before it, and so do we."""
    db, wal, page = live
    data = bytearray(wal)
    data[32 + 2 * (page + 24) + offset] ^= 0x5A
    rows, notes = _ours(tmp_path, db, bytes(data))
    assert rows == _reference(tmp_path, db, bytes(data))
    assert len(rows) < _COMMITS + 1
    check = check_wal(bytes(data))
    assert check.applied < check.frames
    assert notes and "frame 3:" in notes[0]


def test_bad_header_checksum_ignores_the_whole_wal(
    tmp_path: Path, live: tuple[bytes, bytes, int]
) -> None:
    db, wal, _page = live
    data = bytearray(wal)
    data[28] ^= 0x01
    rows, notes = _ours(tmp_path, db, bytes(data))
    assert rows == [0] == _reference(tmp_path, db, bytes(data))
    assert "SQLite ignores the whole WAL" in notes[0]


def test_big_endian_checksums_are_verified(tmp_path: Path, live: tuple[bytes, bytes, int]) -> None:
    """Magic 0x377f0683 means big-endian checksum words (fileformat2.html#walformat):
    rewrite every checksum that way and the WAL is still whole."""
    db, wal, page = live
    data = bytearray(wal)
    data[0:4] = struct.pack(">I", 0x377F0683)

    def checksum(chunk: bytes, s1: int, s2: int) -> tuple[int, int]:
        words = struct.unpack(f">{len(chunk) // 4}I", chunk)
        for i in range(0, len(words), 2):
            s1 = (s1 + words[i] + s2) & 0xFFFFFFFF
            s2 = (s2 + words[i + 1] + s1) & 0xFFFFFFFF
        return s1, s2

    s1, s2 = checksum(bytes(data[:24]), 0, 0)
    data[24:32] = struct.pack(">2I", s1, s2)
    for pos in range(32, len(data), page + 24):
        s1, s2 = checksum(bytes(data[pos : pos + 8]), s1, s2)
        s1, s2 = checksum(bytes(data[pos + 24 : pos + 24 + page]), s1, s2)
        data[pos + 16 : pos + 24] = struct.pack(">2I", s1, s2)
    check = check_wal(bytes(data))
    assert check.clean and check.applied == check.frames
    rows, notes = _ours(tmp_path, db, bytes(data))
    assert rows == _reference(tmp_path, db, bytes(data)) == list(range(_COMMITS + 1))
    assert notes == []


def test_wal_of_another_page_size_is_flagged_as_mismatched(
    tmp_path: Path, live: tuple[bytes, bytes, int]
) -> None:
    """A -wal beside the wrong database (here written by a database of 4096-byte pages
    next to one of 1024-byte pages): we show what SQLite shows, and say it may not belong."""
    db, _wal, _page = live
    other = tmp_path / "other"
    other.mkdir()
    conn = sqlite3.connect(other / "o.db", isolation_level=None)
    conn.execute("PRAGMA page_size=4096")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO t VALUES (7, 'other')")
    foreign = (other / "o.db-wal").read_bytes()
    conn.close()
    assert check_wal(foreign).clean  # a sound WAL in itself
    try:
        expected: list[int] | None = _reference(tmp_path, db, foreign)
    except sqlite3.DatabaseError:
        expected = None  # SQLite itself cannot read the pair
    exhibit = tmp_path / "exhibit"
    exhibit.mkdir()
    (exhibit / "t.db").write_bytes(db)
    (exhibit / "t.db-wal").write_bytes(foreign)
    with pytest.warns(ForensicsWarning, match="page size 4096 is not the database's 1024"):
        try:
            with open_sqlite(exhibit / "t.db") as opened:
                rows = opened.query("SELECT id FROM t ORDER BY id")["id"].tolist()
        except ParseError:
            rows = None
    assert rows == expected
    assert rows == [7]  # the other database's row: what SQLite itself shows of this pair


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_damage_shows_sqlites_rows_and_never_silently(
    live: tuple[bytes, bytes, int], data: st.DataObject
) -> None:
    """Random byte changes and cuts anywhere in the WAL: the rows are SQLite's own, and any
    WAL of which SQLite leaves frames out is announced."""
    db, wal, _page = live
    damaged = bytearray(wal)
    for _ in range(data.draw(st.integers(1, 4), label="changes")):
        at = data.draw(st.integers(0, len(damaged) - 1), label="offset")
        damaged[at] ^= data.draw(st.integers(1, 255), label="xor")
    cut = data.draw(st.integers(0, len(damaged)), label="cut")
    blob = bytes(damaged[:cut])
    check = check_wal(blob)
    assert 0 <= check.applied <= check.frames and check.keep_bytes <= max(len(blob), 0) + 32
    with tempfile.TemporaryDirectory() as tmp:
        try:
            expected: list[int] | None = _reference(Path(tmp), db, blob)
        except sqlite3.DatabaseError:
            expected = None
        try:
            rows, notes = _ours(Path(tmp), db, blob)
        except ParseError:
            rows, notes = None, ["unreadable"]
    assert rows == expected
    if blob and not check.clean:
        assert notes
