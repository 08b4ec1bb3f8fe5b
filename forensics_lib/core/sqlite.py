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

A ``-wal`` is checked before SQLite sees it (:func:`check_wal`), as SQLite's own recovery
(``walIndexRecover`` in ``wal.c``) reads it, after
https://www.sqlite.org/fileformat2.html#walformat: a header with a bad magic, version, page
size or checksum makes SQLite ignore the whole WAL; frames are read in order until the first
one whose salts differ from the header's, whose page number is 0, whose cumulative checksum
does not match, or that is cut short (torn); of the valid frames, those up to the last
commit frame (non-zero "database size") are applied, and a transaction without its commit
frame is not. Whatever that leaves out is announced with a
:class:`~forensics_lib.core.errors.ForensicsWarning` naming the first frame not applied and why
(also in :attr:`SqliteDatabase.notes`), and the database is opened with a copy of the WAL
cut to exactly the frames SQLite applies, so the state shown is SQLite's and is never shown
silently.

Usage::

    with open_sqlite("mmssms.db") as db:
        if db.has_columns("sms", "address", "date"):
            frame = db.query("SELECT _id, address, date FROM sms")
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import quote

import pandas as pd

from forensics_lib.core.errors import ForensicsWarning, ParseError, UnsupportedFormat

__all__ = [
    "SQLITE_ERRORS",
    "SQLITE_MAGIC",
    "SqliteDatabase",
    "WalCheck",
    "check_wal",
    "is_sqlite",
    "open_sqlite",
]

# What the sqlite3 module raises on a corrupt file. UnicodeDecodeError: SQLite's message
# for a malformed schema quotes the corrupt bytes, and Python cannot decode the message
# (found by tests/fuzz/test_phone.py).
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


# https://www.sqlite.org/fileformat2.html#walformat
_WAL_MAGICS = (0x377F0682, 0x377F0683)  # checksums little-endian / big-endian words
_WAL_VERSION = 3007000
_WAL_HEADER = 32
_WAL_FRAME_HEADER = 24


@dataclass(frozen=True)
class WalCheck:
    """What SQLite's recovery would apply of a ``-wal`` file (see the module notes).

    ``applied`` is the number of frames SQLite applies (up to the last valid commit frame);
    ``keep_bytes`` the length of the WAL holding exactly those; ``problem`` says why the
    frames after them are not applied (None when every frame is), and ``first_skipped``
    the 1-based number of the first frame not applied.
    """

    frames: int  # complete frames in the file
    applied: int
    keep_bytes: int
    page_size: int | None
    problem: str | None
    first_skipped: int | None
    torn_bytes: int = 0  # bytes after the last complete frame

    @property
    def clean(self) -> bool:
        return self.problem is None


def _wal_checksum(data: bytes, s1: int, s2: int, fmt: str) -> tuple[int, int]:
    """The WAL checksum of fileformat2.html#checksum_algorithm over ``data`` (8n bytes)."""
    words = iter(struct.unpack(f"{fmt}{len(data) // 8 * 2}I", data[: len(data) // 8 * 8]))
    for first in words:
        s1 = (s1 + first + s2) & 0xFFFFFFFF
        s2 = (s2 + next(words) + s1) & 0xFFFFFFFF
    return s1, s2


def check_wal(data: bytes) -> WalCheck:
    """Validate a ``-wal`` as SQLite's ``walIndexRecover`` does; nothing is changed."""
    size = len(data)
    if size == 0:  # an empty -wal: checkpointed and reset, nothing to apply
        return WalCheck(0, 0, 0, None, None, None)
    if size < _WAL_HEADER:
        return WalCheck(0, 0, 0, None, f"WAL of {size} bytes has no complete header", 1, size)
    magic, version, page_size, _seq, salt1, salt2, c1, c2 = struct.unpack(">8I", data[:32])
    frame_size = _WAL_FRAME_HEADER + page_size
    complete = (size - _WAL_HEADER) // frame_size if 512 <= page_size <= 65536 else 0
    if magic not in _WAL_MAGICS:
        reason = f"WAL header magic 0x{magic:08x} is not SQLite's"
    elif version != _WAL_VERSION:
        reason = f"WAL header version {version} is not {_WAL_VERSION}"
    elif not (512 <= page_size <= 65536) or page_size & (page_size - 1):
        reason = f"WAL header page size {page_size} is not a power of two in 512..65536"
    else:
        reason = ""
    fmt = ">" if magic & 1 else "<"
    if not reason:
        s1, s2 = _wal_checksum(data[:24], 0, 0, fmt)
        if (s1, s2) != (c1, c2):
            reason = "WAL header checksum does not match"
    if reason:
        return WalCheck(complete, 0, 0, None, f"{reason}: SQLite ignores the whole WAL", 1)
    valid = applied = 0
    problem: str | None = None
    pos = _WAL_HEADER
    for number in range(1, complete + 1):
        header = data[pos : pos + _WAL_FRAME_HEADER]
        pgno, commit, f_salt1, f_salt2, f_c1, f_c2 = struct.unpack(">6I", header)
        if (f_salt1, f_salt2) != (salt1, salt2):
            problem = (
                f"frame {number}: salts 0x{f_salt1:08x} 0x{f_salt2:08x} differ from the "
                f"header's 0x{salt1:08x} 0x{salt2:08x} (an earlier WAL generation, or "
                "another database's WAL)"
            )
            break
        if pgno == 0:
            problem = f"frame {number}: page number 0"
            break
        s1, s2 = _wal_checksum(header[:8], s1, s2, fmt)
        s1, s2 = _wal_checksum(data[pos + _WAL_FRAME_HEADER : pos + frame_size], s1, s2, fmt)
        if (s1, s2) != (f_c1, f_c2):
            problem = f"frame {number}: checksum does not match (a damaged frame)"
            break
        valid = number
        if commit:
            applied = number
        pos += frame_size
    torn = (size - _WAL_HEADER) % frame_size
    if problem is None and torn:
        problem = f"frame {complete + 1}: torn, only {torn} of its {frame_size} bytes present"
    if valid > applied:
        open_tx = f"frames {applied + 1}-{valid} hold a transaction without its commit frame"
        problem = open_tx if problem is None else f"{problem}; {open_tx}"
    return WalCheck(
        frames=complete,
        applied=applied,
        keep_bytes=_WAL_HEADER + applied * frame_size,
        page_size=page_size,
        problem=problem,
        first_skipped=None if problem is None else applied + 1,
        torn_bytes=torn,
    )


def _wal_note(display: str, check: WalCheck) -> str:
    left = check.frames - check.applied
    return (
        f"{display}-wal: {check.problem}. As SQLite does, {check.applied} of its "
        f"{check.frames} complete frame(s) are applied and {left} from frame "
        f"{check.first_skipped} on are not"
        + (f" (plus {check.torn_bytes} bytes of a torn frame)" if check.torn_bytes else "")
        + "; the database is shown as SQLite would show it"
    )


@dataclass
class SqliteDatabase:
    """An open, read-only SQLite database and where it came from."""

    connection: sqlite3.Connection
    path: str
    recovered_wal: bool
    #: What was not applied of a damaged or mismatched ``-wal`` (also warned).
    notes: list[str] = field(default_factory=list)

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


def _db_page_size(header: bytes) -> int | None:
    """The page size a database header declares (offset 16, big-endian; 1 means 65536)."""
    if len(header) < 18:
        return None
    value = int.from_bytes(header[16:18], "big")
    return 65536 if value == 1 else value


def _checked_wal(display: str, data: bytes, db_header: bytes) -> tuple[WalCheck, list[str]]:
    """Check a WAL and announce what SQLite will not apply of it, and a WAL whose page size
    is not the database's (a -wal of another database: SQLite applies it all the same)."""
    check = check_wal(data)
    notes = [] if check.clean else [_wal_note(display, check)]
    page = _db_page_size(db_header)
    if check.applied and page and check.page_size != page:
        notes.append(
            f"{display}-wal: its page size {check.page_size} is not the database's {page}: "
            "the -wal may belong to another database (or a copy of another time); SQLite "
            f"applies its {check.applied} frame(s) all the same, and the rows shown are those"
        )
    for note in notes:
        warnings.warn(note, ForensicsWarning, stacklevel=5)
    return check, notes


@contextmanager
def _open_with_wal(
    db_file: Path,
    journal: Path | None,
    wal: bytes,
    check: WalCheck,
    display: str,
    notes: list[str],
) -> Iterator[SqliteDatabase]:
    """Open a private copy of ``db_file`` with the WAL cut to the frames SQLite applies."""
    files = [db_file, *([journal] if journal is not None else [])]
    with _private_copy(files) as copy:
        if check.applied:
            copy.with_name(copy.name + "-wal").write_bytes(wal[: check.keep_bytes])
        conn = _open_copy(copy, display, hot_journal=journal is not None)
        try:
            yield SqliteDatabase(conn, display, recovered_wal=check.applied > 0, notes=notes)
        finally:
            conn.close()


@contextmanager
def _open_path(path: Path, display: str | None = None) -> Iterator[SqliteDatabase]:
    display = str(path) if display is None else display
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such database file")
    with path.open("rb") as fh:
        header = fh.read(100)
    _check_header(display, header)
    companions = [path.with_name(path.name + s) for s in _COMPANIONS]
    present = [c for c in companions if _nonempty(c)]
    wal_file = next((c for c in present if c.name.endswith("-wal")), None)
    journal = next((c for c in present if c.name.endswith("-journal")), None)
    if wal_file is not None:
        wal = wal_file.read_bytes()
        check, notes = _checked_wal(display, wal, header)
        with _open_with_wal(path, journal, wal, check, display, notes) as db:
            yield db
        return
    if journal is None:
        conn = _connect(_uri(path, mode="ro", immutable="1"), display)
        try:
            yield SqliteDatabase(conn, display, recovered_wal=False)
        finally:
            conn.close()
        return
    with _private_copy([path, journal]) as copy:
        conn = _open_copy(copy, display, hot_journal=True)
        try:
            yield SqliteDatabase(conn, display, recovered_wal=False)
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
        header = fh.read(100)
    _check_header(display, header)
    present = [s for s in _COMPANIONS if member.sibling(s) is not None]
    wal_member = member.sibling("-wal")
    if wal_member is not None:
        with wal_member.open() as fh:
            wal = fh.read()
        check, notes = _checked_wal(display, wal, header)
        if notes:
            db_copy = member.materialize(siblings=[s for s in present if s != "-wal"])
            journal = db_copy.with_name(db_copy.name + "-journal")
            has_journal = "-journal" in present and journal.is_file()
            with _open_with_wal(
                db_copy, journal if has_journal else None, wal, check, display, notes
            ) as db:
                yield db
            return
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
    (:class:`forensics_lib.core.evidence.EvidenceFile`). Nothing is ever written beside the
    source. Raises :class:`UnsupportedFormat` when the file is not SQLite and
    :class:`ParseError` when it is corrupt.
    """
    if isinstance(source, (str, os.PathLike)):
        with _open_path(Path(source)) as db:
            yield db
    else:
        with _open_member(source) as db:
            yield db
