"""Read-only SQLite with WAL recovery.

Truth: rows we commit ourselves with the sqlite3 module, some of them only in the WAL
(checkpointing disabled, files copied while the writer is still open, as a phone
extraction captures a live database).
"""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from forensics_lib.errors import ParseError, UnsupportedFormat
from forensics_lib.evidence import Evidence
from forensics_lib.sqlite import open_sqlite


def _live_wal_db(directory: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(directory / "live.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE sms (_id INTEGER PRIMARY KEY, address TEXT, body TEXT)")
    conn.execute("INSERT INTO sms VALUES (1, '+32470000001', 'checkpointed')")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("INSERT INTO sms VALUES (2, '+32470000002', 'only in the WAL')")
    conn.commit()
    yield conn
    conn.close()


@pytest.fixture
def wal_exhibit(tmp_path: Path) -> Iterator[Path]:
    """An exhibit folder holding mmssms.db + mmssms.db-wal; row 2 exists only in the WAL."""
    work = tmp_path / "live"
    work.mkdir()
    exhibit = tmp_path / "exhibit"
    exhibit.mkdir()
    for _conn in _live_wal_db(work):
        shutil.copyfile(work / "live.db", exhibit / "mmssms.db")
        shutil.copyfile(work / "live.db-wal", exhibit / "mmssms.db-wal")
    assert (exhibit / "mmssms.db-wal").stat().st_size > 0
    yield exhibit


def test_row_committed_only_in_wal_is_read(
    wal_exhibit: Path, unchanged: Callable[[Path], None]
) -> None:
    unchanged(wal_exhibit)  # hashes and file names identical afterwards: no -shm created
    with open_sqlite(wal_exhibit / "mmssms.db") as db:
        rows = db.query("SELECT _id, body FROM sms ORDER BY _id")
        assert db.recovered_wal
    assert rows["body"].tolist() == ["checkpointed", "only in the WAL"]


def test_immutable_alone_would_miss_the_wal_row(wal_exhibit: Path) -> None:
    # Why the helper exists: SQLite's immutable=1 ignores the WAL.
    uri = f"file:{wal_exhibit / 'mmssms.db'}?immutable=1"
    conn = sqlite3.connect(uri, uri=True)
    try:
        count = conn.execute("SELECT count(*) FROM sms").fetchone()[0]
    finally:
        conn.close()
    assert count == 1


def test_database_without_wal_opens_in_place_and_writes_nothing(
    tmp_path: Path, unchanged: Callable[[Path], None]
) -> None:
    db_path = tmp_path / "ev" / "calllog.db"
    db_path.parent.mkdir()
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE calls (_id INTEGER PRIMARY KEY, number TEXT, duration INT)")
    conn.executemany("INSERT INTO calls VALUES (?, ?, ?)", [(1, "+1", 10), (2, "+2", 20)])
    conn.commit()
    conn.close()
    unchanged(db_path.parent)
    with open_sqlite(db_path) as db:
        assert db.tables() == {"calls"}
        assert db.columns("calls") == ["_id", "number", "duration"]
        assert db.has_columns("calls", "number", "duration")
        assert db.missing_columns("calls", ["number", "type"]) == ["type"]
        assert db.query("SELECT sum(duration) AS s FROM calls")["s"].iloc[0] == 30
        with pytest.raises(ParseError, match=r"readonly|read-only"):
            db.query("DELETE FROM calls")


def test_not_sqlite_and_corrupt_give_typed_errors(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_bytes(b"hello, this is not a database")
    with pytest.raises(UnsupportedFormat, match=r"notes\.db"), open_sqlite(text):
        pass
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(ParseError, match="empty"), open_sqlite(empty):
        pass
    # A valid header followed by garbage pages.
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)
    with pytest.raises(ParseError, match=r"broken\.db"), open_sqlite(broken) as db:
        db.tables()


def test_wal_inside_a_zip_exhibit_is_replayed_without_extracting(
    wal_exhibit: Path, tmp_path: Path, unchanged: Callable[[Path], None]
) -> None:
    archive_dir = tmp_path / "sealed"
    archive_dir.mkdir()
    archive = archive_dir / "extraction.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        base = "/filesystem2/data/data/com.android.providers.telephony/databases/"
        zf.write(wal_exhibit / "mmssms.db", base + "mmssms.db")
        zf.write(wal_exhibit / "mmssms.db-wal", base + "mmssms.db-wal")
    unchanged(archive_dir)
    with Evidence(archive) as ev:
        member = ev.file("/data/data/com.android.providers.telephony/databases/mmssms.db")
        with open_sqlite(member) as db:
            assert db.recovered_wal
            bodies = db.query("SELECT body FROM sms ORDER BY _id")["body"].tolist()
            assert db.path == (
                "extraction.zip!/data/data/com.android.providers.telephony/databases/mmssms.db"
            )
    assert bodies == ["checkpointed", "only in the WAL"]


def test_folder_exhibit_member_opens_in_place_unless_a_wal_needs_a_copy(
    wal_exhibit: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    unchanged: Callable[[Path], None],
) -> None:
    import tempfile

    scratch = tmp_path / "system-tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    plain = tmp_path / "plain"
    plain.mkdir()
    conn = sqlite3.connect(plain / "calllog.db")
    conn.execute("CREATE TABLE calls (_id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    unchanged(plain)
    unchanged(wal_exhibit)
    with Evidence(plain) as ev, open_sqlite(ev.file("/calllog.db")) as db:
        assert db.tables() == {"calls"}
        assert db.path == "plain!/calllog.db"
        assert list(scratch.iterdir()) == []  # nothing copied: opened in place, immutable
    with Evidence(wal_exhibit) as ev, open_sqlite(ev.file("/mmssms.db")) as db:
        assert db.recovered_wal
        assert db.query("SELECT count(*) AS n FROM sms")["n"].iloc[0] == 2
