"""Open SQLite evidence read-only, committed WAL transactions included.

Phones write most app databases in WAL mode: a committed row may live only in the
``-wal`` file beside the database until the next checkpoint. Real extractions often
hold a database whose main file is a bare header with every row in the ``-wal``.

* Opening the evidence with ``mode=ro`` is not read-only on disk: SQLite creates a
  ``-shm`` (and may create a ``-wal``) beside the file, and a checkpoint would rewrite
  the database. Never do that to an exhibit.
* ``immutable=1`` writes nothing, but it ignores the ``-wal`` entirely, so rows
  committed only in the WAL are silently missing.

So: a database with no ``-wal`` or ``-journal`` beside it is opened in place with
``immutable=1``; one with either is copied with its companions into a private
temporary directory and opened there (``mode=ro``, or read-write for a hot rollback
journal that SQLite must roll back), and the copy is deleted afterwards. See
https://www.sqlite.org/uri.html (immutable) and https://www.sqlite.org/wal.html.

Usage::

    with open_sqlite("mmssms.db") as db:
        if db.has_columns("sms", "address", "date"):
            frame = db.query("SELECT _id, address, date FROM sms")
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import quote

import pandas as pd

from forensics_lib.errors import ParseError, UnsupportedFormat

__all__ = ["SQLITE_ERRORS", "SQLITE_MAGIC", "SqliteDatabase", "is_sqlite", "open_sqlite"]

# What the sqlite3 module raises on a corrupt file. UnicodeDecodeError: SQLite's message
# for a malformed schema quotes the corrupt bytes, and Python cannot decode the message
# (found by tests/test_phone_fuzz.py).
SQLITE_ERRORS: tuple[type[Exception], ...] = (sqlite3.DatabaseError, UnicodeDecodeError)

# https://www.sqlite.org/fileformat.html#the_database_header (offset 0, 16 bytes)
SQLITE_MAGIC = b"SQLite format 3\x00"
_COMPANIONS = ("-wal", "-journal")


class DatabaseFile(Protocol):
    """What :func:`open_sqlite` needs from a member of an exhibit."""

    @property
    def display_path(self) -> str: ...

    def open(self) -> IO[bytes]: ...

    def sibling(self, suffix: str) -> DatabaseFile | None: ...

    def materialize(self, siblings: Sequence[str] = ()) -> Path: ...

    def local_path(self) -> Path | None: ...


def is_sqlite(header: bytes) -> bool:
    """True when ``header`` starts with the SQLite 3 magic string."""
    return header.startswith(SQLITE_MAGIC)


@dataclass
class SqliteDatabase:
    """An open, read-only SQLite database and where it came from."""

    connection: sqlite3.Connection
    path: str
    recovered_wal: bool

    def tables(self) -> set[str]:
        rows = self._fetch("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        return {str(r[0]) for r in rows}

    def columns(self, table: str) -> list[str]:
        """Column names of ``table`` (empty if there is no such table)."""
        quoted = table.replace('"', '""')
        return [str(r[1]) for r in self._fetch(f'PRAGMA table_info("{quoted}")')]

    def has_columns(self, table: str, *names: str) -> bool:
        present = set(self.columns(table))
        return bool(present) and all(n in present for n in names)

    def missing_columns(self, table: str, names: Sequence[str]) -> list[str]:
        present = set(self.columns(table))
        return [n for n in names if n not in present]

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """Run a query and return its rows as a DataFrame (columns as the query names)."""
        try:
            cursor = self.connection.execute(sql, tuple(params))
            names = [d[0] for d in cursor.description or ()]
            rows = cursor.fetchall()
        except SQLITE_ERRORS as exc:
            raise ParseError(self.path, None, f"SQLite query failed: {exc}") from None
        return pd.DataFrame.from_records(rows, columns=names)

    def _fetch(self, sql: str) -> list[Any]:
        try:
            return self.connection.execute(sql).fetchall()
        except SQLITE_ERRORS as exc:
            raise ParseError(self.path, None, f"SQLite error: {exc}") from None


def _check_header(path_for_errors: str, header: bytes) -> None:
    if len(header) == 0:
        raise ParseError(path_for_errors, 0, "empty file, not a SQLite database")
    if not is_sqlite(header):
        raise UnsupportedFormat(
            path_for_errors, f"not a SQLite 3 database (starts with {header[:16]!r})"
        )


def _nonempty(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False


def _connect(uri: str, path_for_errors: str) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        conn.execute("PRAGMA query_only = ON")
        # Touch the schema now so a corrupt file fails here, with its name.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except SQLITE_ERRORS as exc:
        raise ParseError(path_for_errors, None, f"cannot read SQLite database: {exc}") from None
    return conn


def _uri(path: Path, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{quote(str(path.resolve()))}?{query}"


@contextmanager
def _private_copy(files: Sequence[Path]) -> Iterator[Path]:
    """Copy ``files`` (database first) into a private temp dir; yield the db copy."""
    tmp = Path(tempfile.mkdtemp(prefix="forensics-sqlite-"))
    try:
        for f in files:
            shutil.copyfile(f, tmp / f.name)
        yield tmp / files[0].name
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _open_copy(db_copy: Path, display: str, hot_journal: bool) -> sqlite3.Connection:
    # A hot rollback journal can only be rolled back by a writer; this is our copy.
    mode = "rw" if hot_journal else "ro"
    return _connect(_uri(db_copy, mode=mode), display)


@contextmanager
def _open_path(path: Path, display: str | None = None) -> Iterator[SqliteDatabase]:
    display = str(path) if display is None else display
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such database file")
    with path.open("rb") as fh:
        _check_header(display, fh.read(100))
    companions = [path.with_name(path.name + s) for s in _COMPANIONS]
    present = [c for c in companions if _nonempty(c)]
    if not present:
        conn = _connect(_uri(path, mode="ro", immutable="1"), display)
        try:
            yield SqliteDatabase(conn, display, recovered_wal=False)
        finally:
            conn.close()
        return
    hot_journal = any(c.name.endswith("-journal") for c in present)
    with _private_copy([path, *present]) as copy:
        conn = _open_copy(copy, display, hot_journal)
        try:
            yield SqliteDatabase(conn, display, recovered_wal=not hot_journal)
        finally:
            conn.close()


@contextmanager
def _open_member(member: DatabaseFile) -> Iterator[SqliteDatabase]:
    display = member.display_path
    local = member.local_path()
    if local is not None:  # a folder exhibit: in place (immutable) unless a WAL needs a copy
        with _open_path(local, display) as db:
            yield db
        return
    with member.open() as fh:
        _check_header(display, fh.read(100))
    present = [s for s in _COMPANIONS if member.sibling(s) is not None]
    db_copy = member.materialize(siblings=present)
    conn = _open_copy(db_copy, display, hot_journal="-journal" in present)
    try:
        yield SqliteDatabase(conn, display, recovered_wal="-wal" in present)
    finally:
        conn.close()


@contextmanager
def open_sqlite(source: str | os.PathLike[str] | DatabaseFile) -> Iterator[SqliteDatabase]:
    """Open a SQLite database read-only, including transactions committed in its WAL.

    ``source`` is a path on disk or a member of an exhibit
    (:class:`forensics_lib.evidence.EvidenceFile`). Nothing is ever written beside the
    source. Raises :class:`UnsupportedFormat` when the file is not SQLite and
    :class:`ParseError` when it is corrupt.
    """
    if isinstance(source, (str, os.PathLike)):
        with _open_path(Path(source)) as db:
            yield db
    else:
        with _open_member(source) as db:
            yield db
