"""What every phone artifact shares: the common columns, exact SQL fetching, schema checks.

The columns of ``sms``, ``calls`` and ``contacts`` are declared once here and used by the
Android and the iOS readers alike, so a frame read from ``mmssms.db`` and one read from
``sms.db`` concatenate without surprises. Raw values stay next to their labels.

SQL rows are fetched through :func:`fetch`, which builds each column with an explicit dtype.
``pandas.DataFrame.from_records`` turns an integer column holding a NULL into float64, which
silently rounds iOS nanosecond dates (about 7e17, above 2**53); here integers stay exact
(nullable ``Int64``).
"""

from __future__ import annotations

import os
import sqlite3
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from forensics_lib.core.errors import ForensicsWarning, ParseError, UnsupportedFormat
from forensics_lib.core.evidence import EvidenceFile
from forensics_lib.core.schema import (
    BOOL,
    FLOAT,
    INT,
    STR,
    TIME,
    ArtifactSpec,
    Column,
    TimelineRule,
    conform,
)
from forensics_lib.core.sqlite import SQLITE_ERRORS, SqliteDatabase, open_sqlite
from forensics_lib.phone.backup import BackupFile
from forensics_lib.sources import Source, source_path

__all__ = [
    "CALL_COLUMNS",
    "CALL_TIMELINE",
    "CONTACT_COLUMNS",
    "MESSAGE_COLUMNS",
    "Kind",
    "fetch",
    "finish",
    "labels",
    "missing_schema",
    "open_db",
    "select_list",
    "text",
]

Kind = Literal["int", "float", "str", "blob"]

MESSAGE_COLUMNS: tuple[Column, ...] = (
    Column("time", TIME, "sent or received (UTC)"),
    Column("direction", STR, "incoming or outgoing"),
    Column("address", STR, "the other party: number, e-mail or group id"),
    Column("body", STR, "message text"),
    Column("type", INT, "raw type: Android sms.type / pdu.msg_box, iOS message.is_from_me"),
    Column("type_label", STR, "inbox, sent, draft, outbox, failed, queued / received, sent"),
    Column("service", STR, "SMS, MMS, iMessage, ..."),
    Column("read", BOOL, "marked read on the device"),
    Column("thread_id", INT, "conversation id (Android thread_id, iOS chat ROWID)"),
    Column("subject", STR, "subject line, if any"),
    Column("time_raw", INT, "the time exactly as stored (ms, s or ns; see the artifact)"),
)

CALL_COLUMNS: tuple[Column, ...] = (
    Column("time", TIME, "call started (UTC)"),
    Column("end_time", TIME, "call ended: time + duration (UTC)"),
    Column("duration_s", FLOAT, "duration in seconds"),
    Column("number", STR, "the other party's number or handle"),
    Column("name", STR, "name cached with the call, if any"),
    Column("direction", STR, "incoming or outgoing"),
    Column("type", INT, "raw Android calls.type (1-7); iOS 7 and older call.flags; iOS 8+: none"),
    Column("type_label", STR, "incoming, outgoing, missed, voicemail, rejected, blocked, ..."),
    Column("answered", BOOL, "the call was answered (iOS ZANSWERED; Android: from type)"),
    Column("service", INT, "raw service: iOS ZCALLTYPE; Android: not stored"),
    Column("service_label", STR, "Phone, FaceTime Video, FaceTime Audio, Third-Party App"),
    Column("country_iso", STR, "country of the number, as the phone guessed it"),
    Column("location", STR, "geocoded location of the number, as the phone guessed it"),
    Column("time_raw", FLOAT, "the start time as stored (Android ms, iOS Cocoa s, iOS 7- Unix s)"),
)

CONTACT_COLUMNS: tuple[Column, ...] = (
    Column("contact_id", INT, "raw contact id (Android raw_contacts._id, iOS ABPerson.ROWID)"),
    Column("display_name", STR, "name as displayed"),
    Column("first_name", STR, "given name"),
    Column("last_name", STR, "family name"),
    Column("organization", STR, "company"),
    Column("phones", STR, "phone numbers, '; '-separated, in stored order"),
    Column("emails", STR, "e-mail addresses, '; '-separated, in stored order"),
    Column("created", TIME, "created (UTC; iOS CreationDate, Android: not stored)"),
    Column("modified", TIME, "last modified (UTC)"),
    Column("deleted", BOOL, "flagged deleted but still present"),
)


CALL_TIMELINE: tuple[TimelineRule, ...] = (
    TimelineRule("time", "call started ({type_label})", "{number} {name}", counterpart="number"),
    TimelineRule("end_time", "call ended ({type_label})", "{number} {name}", counterpart="number"),
)


@contextmanager
def open_db(source: Source) -> Iterator[SqliteDatabase]:
    """:func:`~forensics_lib.core.sqlite.open_sqlite` for a path, a member of an exhibit or a file
    of a backup."""
    if isinstance(source, str | os.PathLike | EvidenceFile | BackupFile):
        with open_sqlite(source) as db:
            yield db
    else:
        raise UnsupportedFormat(
            source.display_path, "SQLite needs a path or an EvidenceFile (to find its -wal)"
        )


def labels(raw: pd.Series, mapping: Mapping[int, str], unknown: str = "unknown") -> pd.Series:
    """Map raw integer codes to labels; a code not in ``mapping`` becomes ``unknown (N)``."""
    values = pd.Series(raw, copy=False).astype("Int64")
    out = values.map(dict(mapping)).astype("str")
    other = out.isna() & values.notna()
    if other.any():
        out.loc[other] = np.array([f"{unknown} ({v})" for v in values.loc[other]], dtype=object)
    result: pd.Series = out
    return result


def text(values: Sequence[Any]) -> pd.Series:
    """A string column from SQLite values: bytes decoded as UTF-8 (replacing errors)."""
    array = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        if isinstance(value, bytes | bytearray | memoryview):
            array[i] = bytes(value).decode("utf-8", errors="replace")
        elif value is None or isinstance(value, str):
            array[i] = value
        else:
            array[i] = str(value)
    return pd.Series(array, dtype="str")


def _integers(values: Sequence[Any]) -> pd.Series:
    try:
        return pd.Series(pd.array(list(values), dtype="Int64"))
    except (TypeError, ValueError):
        # SQLite is dynamically typed: a text or real value in an INTEGER column.
        cleaned = [
            v if isinstance(v, int) and not isinstance(v, bool) else _to_int(v) for v in values
        ]
        return pd.Series(pd.array(cleaned, dtype="Int64"))


def _to_int(value: Any) -> int | None:
    if isinstance(value, float) and value == value and abs(value) < 2**63:
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _floats(values: Sequence[Any]) -> pd.Series:
    numbers = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce")
    return pd.Series(numbers, dtype="float64")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _aggregates(name: str, kind: Kind) -> list[str] | None:
    """SQL aggregates that return one column whole (None: this kind needs the row path).

    Integers travel as ``group_concat`` text and a count of non-NULL values (a NULL mask is
    fetched only when there are NULLs); a value of another storage class (SQLite is
    dynamically typed) makes NumPy's parser fail, which sends the query to the row path.
    Reals travel as ``printf('%!.17g')``, which round-trips an IEEE double exactly, with a
    guard on the storage class (printf would read text as 0). Text travels NUL-separated; a
    value holding a NUL changes the count, which sends the query to the row path.
    """
    q = _quoted(name)
    if kind == "int":
        return [f"group_concat(coalesce({q}, 0))", f"count({q})"]
    if kind == "float":
        return [
            f"group_concat(printf('%!.17g', coalesce({q}, 0)))",
            f"count({q})",
            f"sum(typeof({q}) NOT IN ('integer', 'real', 'null'))",
        ]
    if kind == "str":
        return [f"group_concat(coalesce({q}, ''), char(0))", f"count({q})"]
    return None


def _null_mask(
    db: SqliteDatabase, sql: str, name: str, n: int, present: int, params: Sequence[Any]
) -> npt.NDArray[np.bool_]:
    if present == n:
        return np.zeros(n, dtype=bool)
    if present == 0:
        return np.ones(n, dtype=bool)
    row = db.connection.execute(
        f"SELECT group_concat({_quoted(name)} IS NULL, '') FROM ({sql})", tuple(params)
    ).fetchone()
    mask: npt.NDArray[np.bool_] = np.frombuffer(
        str(row[0] or "").encode("ascii"), dtype=np.uint8
    ) == ord("1")
    if len(mask) != n:
        raise ValueError("column length mismatch")
    return mask


def _numbers(text_values: str | None, mask: npt.NDArray[np.bool_], n: int, kind: str) -> pd.Series:
    if n == 0:
        return pd.Series([], dtype="Int64" if kind == "int" else "float64")
    if kind == "int":
        ints = np.fromstring(text_values or "", sep=",", dtype=np.int64)
        if len(ints) != n:
            raise ValueError("column length mismatch")
        return pd.Series(pd.arrays.IntegerArray(ints, mask))
    floats = np.fromstring(text_values or "", sep=",", dtype=np.float64)
    if len(floats) != n:
        raise ValueError("column length mismatch")
    floats[mask] = np.nan
    return pd.Series(floats, dtype="float64")


def _strings(payload: str | None, mask: npt.NDArray[np.bool_], n: int) -> pd.Series:
    if n == 0:
        return pd.Series([], dtype="str")
    values = np.array((payload or "").split("\x00"), dtype=object)
    if len(values) != n:
        raise ValueError("column length mismatch")
    values[mask] = None
    return pd.Series(values, dtype="str")


def _fetch_columns(
    db: SqliteDatabase, sql: str, kinds: Mapping[str, Kind], params: Sequence[Any]
) -> pd.DataFrame | None:
    """The column-wise fast path: one aggregate per column, no Python object per value."""
    cursor = db.connection.execute(f"SELECT * FROM ({sql}) LIMIT 0", tuple(params))
    names = [d[0] for d in cursor.description or ()]
    if len(set(names)) != len(names):
        return None
    plan = [_aggregates(name, kinds.get(name, "str")) for name in names]
    if any(p is None for p in plan):
        return None
    parts = ["count(*)", *(a for p in plan if p is not None for a in p)]
    row = db.connection.execute(f"SELECT {', '.join(parts)} FROM ({sql})", tuple(params)).fetchone()
    n = int(row[0])
    data: dict[str, pd.Series] = {}
    pos = 1
    for name in names:
        kind = kinds.get(name, "str")
        if kind == "int":
            values, present = row[pos : pos + 2]
            pos += 2
            mask = _null_mask(db, sql, name, n, int(present), params)
            data[name] = _numbers(values, mask, n, kind)
        elif kind == "float":
            values, present, foreign = row[pos : pos + 3]
            pos += 3
            if foreign:
                return None
            mask = _null_mask(db, sql, name, n, int(present), params)
            data[name] = _numbers(values, mask, n, kind)
        else:
            values, present = row[pos : pos + 2]
            pos += 2
            mask = _null_mask(db, sql, name, n, int(present), params)
            data[name] = _strings(values, mask, n)
    return pd.DataFrame(data, index=pd.RangeIndex(n), copy=False)


def _fetch_rows(
    db: SqliteDatabase, sql: str, kinds: Mapping[str, Kind], params: Sequence[Any]
) -> pd.DataFrame:
    cursor = db.connection.execute(sql, tuple(params))
    names = [d[0] for d in cursor.description or ()]
    rows = cursor.fetchall()
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    data: dict[str, pd.Series] = {}
    for name, values in zip(names, columns, strict=True):
        kind = kinds.get(name, "str")
        if kind == "int":
            data[name] = _integers(values)
        elif kind == "float":
            data[name] = _floats(values)
        elif kind == "blob":
            data[name] = pd.Series(list(values), dtype=object)
        else:
            data[name] = text(values)
    return pd.DataFrame(data, index=pd.RangeIndex(len(rows)))


def _lenient_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def fetch(
    db: SqliteDatabase, sql: str, kinds: Mapping[str, Kind], params: Sequence[Any] = ()
) -> pd.DataFrame:
    """Run ``sql`` and build each named column with an exact dtype (see the module notes).

    Columns are first fetched whole, one SQL aggregate each (tens of times fewer Python
    objects than fetching rows); a query that cannot go that way (a BLOB column, values of
    another type than declared, text that is not UTF-8) is fetched row by row. Both paths
    give the same frame.
    """
    try:
        try:
            frame = _fetch_columns(db, sql, kinds, params)
        except sqlite3.OperationalError as exc:
            if "decode" not in str(exc):
                raise
            db.connection.text_factory = _lenient_text  # text that is not UTF-8
            frame = None
        except (ValueError, OverflowError):
            frame = None
        if frame is None:
            frame = _fetch_rows(db, sql, kinds, params)
    except SQLITE_ERRORS as exc:
        raise ParseError(db.path, None, f"SQLite query failed: {exc}") from None
    return frame


def missing_schema(
    db: SqliteDatabase, table: str, required: Sequence[str], artifact_id: str
) -> bool:
    """Warn, naming the table and its missing columns, when ``table`` lacks ``required``.

    Returns True when the table cannot be read (so the caller returns an empty frame, which
    is then never silent).
    """
    present = db.columns(table)
    if not present:
        warnings.warn(
            f"{artifact_id}: {db.path}: no table {table!r}; unknown schema version, "
            "nothing read from this file",
            ForensicsWarning,
            stacklevel=3,
        )
        return True
    lacking = [c for c in required if c not in present]
    if lacking:
        warnings.warn(
            f"{artifact_id}: {db.path}: table {table!r} lacks column(s) {', '.join(lacking)}; "
            "unknown schema version, nothing read from this table",
            ForensicsWarning,
            stacklevel=3,
        )
        return True
    return False


def select_list(
    db: SqliteDatabase, table: str, alias: str, columns: Sequence[str], prefix: str = ""
) -> str:
    """``alias.col AS prefixcol`` for each column present, ``NULL AS prefixcol`` otherwise.

    Optional columns come and go between app versions; a missing optional column becomes
    NULL instead of failing the query.
    """
    present = set(db.columns(table))
    parts = [
        f'{alias}."{c}" AS "{prefix}{c}"' if c in present else f'NULL AS "{prefix}{c}"'
        for c in columns
    ]
    return ", ".join(parts)


def finish(
    frame: pd.DataFrame, spec: ArtifactSpec, source: Source, row_id: pd.Series
) -> pd.DataFrame:
    """Add the provenance columns and conform to ``spec``."""
    out = frame  # built by the reader for this call: extended in place, not copied
    out["artifact"] = pd.Series(spec.id, index=out.index, dtype="str")
    out["source_path"] = pd.Series(source_path(source), index=out.index, dtype="str")
    out[spec.locator] = pd.Series(row_id, copy=False).astype("Int64").to_numpy()
    return conform(out, spec)
