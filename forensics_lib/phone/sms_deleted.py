"""Deleted SMS recovered from the free space of ``mmssms.db`` (Android) and ``sms.db`` (iOS).

The rows are carved by :mod:`forensics_lib.sqlite_carve` from the database file and its
``-wal`` (freeblocks, unallocated space, freelist pages, older page versions), matched
against the live table's layout (``PRAGMA table_info`` of the table, so a device's own column
list is used), then validated and compared with the live rows:

* Android ``sms``: ``date`` a plausible Unix ms time (2000-2100), ``type`` 1-6
  (``Telephony.TextBasedSmsColumns.MESSAGE_TYPE_*``), ``address`` a short text.
* iOS ``message``: ``date`` plausible Cocoa ns (or s, before iOS 11), ``is_from_me`` 0 or 1,
  ``guid`` a text; the address comes from the live ``handle`` table by ``handle_id`` (handles
  usually outlive their messages), the text from ``text`` or ``attributedBody``.

A candidate equal to a live row (same time, address, text and type) is not deleted: it is an
older copy of a row that is still there, and is dropped. The same deleted message found in
several places (a freeblock and a WAL frame) is one row: the copy in the main file first,
``copies`` counting them all. ``offset`` is the byte offset of the record in the file named by
``source_path`` (the ``-wal`` for a copy found only there); ``recovered_from`` says where
(``freeblock``, ``unallocated``, ``freelist``, ``superseded`` (the main file's page under
the WAL) or ``wal-frame N``), ``page`` the database page. Rows whose first bytes were
overwritten by the freeblock header have lost their rowid (``message_id`` is empty).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forensics_lib.core import times
from forensics_lib.core.errors import ParseError, UnsupportedFormat
from forensics_lib.core.evidence import EvidenceFile
from forensics_lib.core.registry import artifact
from forensics_lib.core.schema import (
    INT,
    STR,
    ArtifactSpec,
    Column,
    TimelineRule,
    conform,
    empty_frame,
)
from forensics_lib.core.sqlite import SQLITE_ERRORS, SqliteDatabase
from forensics_lib.phone._common import MESSAGE_COLUMNS, labels, missing_schema, open_db, text
from forensics_lib.phone.android import SMS_TYPES
from forensics_lib.phone.backup import BackupFile
from forensics_lib.phone.ios import cocoa_auto, decode_attributed_body
from forensics_lib.sources import Source, display_path, source_path
from forensics_lib.sqlite_carve import CarvedRecord, TableLayout, Value, carve

__all__ = ["ANDROID_SMS_DELETED", "IOS_SMS_DELETED", "read_android_deleted", "read_ios_deleted"]

DELETED_COLUMNS: tuple[Column, ...] = (
    *MESSAGE_COLUMNS,
    Column("message_id", INT, "the row id (sms._id / message.ROWID) when it survived"),
    Column(
        "recovered_from",
        STR,
        "freeblock, unallocated, freelist, superseded (main file under the WAL), wal-frame N",
    ),
    Column("page", INT, "database page the record was found on"),
    Column("copies", INT, "how many copies of this deleted message were found"),
)

ANDROID_SMS_DELETED = ArtifactSpec(
    id="android.sms_deleted",
    family="phone",
    description="Android SMS recovered from free space of mmssms.db and its -wal (carved)",
    columns=DELETED_COLUMNS,
    locator="offset",
    globs=(
        "**/com.android.providers.telephony/databases/mmssms.db",
        "**/com.samsung.android.providers.telephony/databases/mmssms.db",
    ),
    timeline=(
        TimelineRule(
            "time", "deleted {service} {type_label}", "{address}: {body}", counterpart="address"
        ),
    ),
    references=("https://www.sqlite.org/fileformat2.html", "forensics_lib.sqlite_carve"),
)
IOS_SMS_DELETED = ArtifactSpec(
    id="ios.sms_deleted",
    family="phone",
    description="iOS messages recovered from free space of sms.db and its -wal (carved)",
    columns=DELETED_COLUMNS,
    locator="offset",
    globs=("**/mobile/Library/SMS/sms.db",),
    timeline=(
        TimelineRule(
            "time", "deleted {service} {type_label}", "{address}: {body}", counterpart="address"
        ),
    ),
    references=("https://www.sqlite.org/fileformat2.html", "iLEAPP scripts/artifacts/sms.py"),
)

# Plausible times: 2000-01-01 to 2100-01-01.
_MS_RANGE = (946_684_800_000, 4_102_444_800_000)
_COCOA_S_RANGE = (-31_622_400, 3_124_137_600)  # 2000-01-01 .. 2100-01-01 in Cocoa seconds
_COCOA_NS_RANGE = (_COCOA_S_RANGE[0] * 10**9, _COCOA_S_RANGE[1] * 10**9)
_MAX_ADDRESS = 256


def _read_files(source: Source) -> tuple[bytes, bytes | None]:
    """The database bytes and its ``-wal`` (None when absent or empty)."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        wal_path = path.with_name(path.name + "-wal")
        wal = wal_path.read_bytes() if wal_path.is_file() else None
        return path.read_bytes(), wal or None
    if not isinstance(source, EvidenceFile | BackupFile):
        raise UnsupportedFormat(
            source.display_path, "carving needs a path or an EvidenceFile (to find its -wal)"
        )
    data = source.read_bytes()
    sibling = source.sibling("-wal")
    wal = sibling.read_bytes() if sibling is not None else None
    return data, wal or None


def _lenient(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _rows(db: SqliteDatabase, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    db.connection.text_factory = _lenient  # text that is not UTF-8 still compares
    try:
        return db.connection.execute(sql, tuple(params)).fetchall()
    except SQLITE_ERRORS as exc:
        raise ParseError(db.path, None, f"SQLite query failed: {exc}") from None


def _live_keys(
    db: SqliteDatabase, select: str, column: str, candidates: set[Value]
) -> set[tuple[Any, ...]]:
    """The live rows (as tuples of ``select``'s columns) whose ``column`` equals one of the
    carved candidates' values: enough to tell which carved records are still live, without
    reading a million-row table when nothing was carved."""
    found: set[tuple[Any, ...]] = set()
    wanted = [v for v in candidates if v is not None]
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        marks = ", ".join("?" * len(chunk))
        found.update(tuple(r) for r in _rows(db, f"{select} WHERE {column} IN ({marks})", chunk))
    return found


def _layout(db: SqliteDatabase, table: str) -> TableLayout:
    """The table's columns (``PRAGMA table_info``) and root page (``sqlite_master``)."""
    quoted = table.replace('"', '""')
    info = _rows(db, f'PRAGMA table_info("{quoted}")')
    found = _rows(
        db, "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    )
    root = found[0] if found else None
    return TableLayout.from_table_info(
        table,
        [(str(r[1]), None if r[2] is None else str(r[2]), int(r[5])) for r in info],
        int(root[0]) if root and isinstance(root[0], int) else None,
    )


def _short_text(value: Value, limit: int = _MAX_ADDRESS) -> bool:
    return isinstance(value, str) and 0 < len(value) <= limit and value.isprintable()


def _int_in(value: Value, low: int, high: int) -> bool:
    return isinstance(value, int) and low <= value <= high


def _optional_text(value: Value) -> bool:
    return value is None or isinstance(value, str)


def _optional_int(value: Value) -> bool:
    return value is None or isinstance(value, int)


def _ints(values: Sequence[Value]) -> pd.Series:
    """A nullable Int64 column (a value of another type becomes NA)."""
    return pd.Series([v if isinstance(v, int) else None for v in values], dtype="Int64", index=None)


def _keep_deleted(
    records: list[CarvedRecord], key: Callable[[CarvedRecord], tuple[Any, ...]], live: set[Any]
) -> list[tuple[CarvedRecord, int, int | None]]:
    """One entry per deleted message: (best copy, number of copies, surviving rowid)."""
    order = sorted(records, key=lambda r: (r.file != "db", r.offset))
    groups: dict[tuple[Any, ...], list[CarvedRecord]] = {}
    for record in order:
        k = key(record)
        if k not in live:
            groups.setdefault(k, []).append(record)
    out = []
    for copies in groups.values():
        rowid = next((c.rowid for c in copies if c.rowid is not None), None)
        out.append((copies[0], len(copies), rowid))
    return out


def _frame(
    spec: ArtifactSpec,
    source: Source,
    kept: Sequence[tuple[CarvedRecord, int, int | None]],
    data: dict[str, pd.Series],
) -> pd.DataFrame:
    path = source_path(source)
    frame = pd.DataFrame(data)
    frame["message_id"] = pd.array([k[2] for k in kept], dtype="Int64")
    frame["recovered_from"] = pd.Series([k[0].where for k in kept], dtype="str")
    frame["page"] = pd.array([k[0].page for k in kept], dtype="Int64")
    frame["copies"] = pd.array([k[1] for k in kept], dtype="Int64")
    frame["artifact"] = pd.Series(spec.id, index=frame.index, dtype="str")
    frame["source_path"] = pd.Series(
        [path if k[0].file == "db" else path + "-wal" for k in kept], dtype="str"
    )
    frame["offset"] = pd.array([k[0].offset for k in kept], dtype="Int64")
    frame = frame.sort_values(["time", "offset"], kind="stable", na_position="last")
    return conform(frame.reset_index(drop=True), spec)


@artifact(ANDROID_SMS_DELETED)
def read_android_deleted(source: Source) -> pd.DataFrame:
    """Deleted rows of Android ``mmssms.db`` table ``sms``, carved from its free space."""
    with open_db(source) as db:
        required = ("_id", "address", "date", "type", "body")
        if missing_schema(db, "sms", required, ANDROID_SMS_DELETED.id):
            return empty_frame(ANDROID_SMS_DELETED)
        layout = _layout(db, "sms")
        col = {c.name: i for i, c in enumerate(layout.columns)}

        def get(values: Sequence[Value], name: str) -> Value:
            return values[col[name]] if name in col else None

        def accept(values: tuple[Value, ...]) -> bool:
            return (
                _int_in(get(values, "date"), *_MS_RANGE)
                and _int_in(get(values, "type"), 1, 6)
                and _short_text(get(values, "address"))
                and _optional_text(get(values, "body"))
                and _optional_int(get(values, "thread_id"))
                and _optional_int(get(values, "date_sent"))
                and (get(values, "read") in (None, 0, 1))
            )

        db_bytes, wal = _read_files(source)
        records = carve(db_bytes, layout, wal=wal, path=display_path(source), accept=accept)
        live = _live_keys(
            db, "SELECT date, address, body, type FROM sms", "date",
            {get(r.values, "date") for r in records},
        )  # fmt: skip
    kept = _keep_deleted(
        records,
        lambda r: tuple(get(r.values, n) for n in ("date", "address", "body", "type")),
        live,
    )
    values = [k[0].values for k in kept]

    def column(name: str) -> list[Value]:
        return [get(v, name) for v in values]

    date = _ints(column("date"))
    kind = _ints(column("type"))
    read = _ints(column("read"))
    return _frame(
        ANDROID_SMS_DELETED,
        source,
        kept,
        {
            "time": times.from_unix_ms(date),
            "direction": pd.Series(
                np.where(kind.eq(1).fillna(False).to_numpy(), "incoming", "outgoing"), dtype="str"
            ),
            "address": text(column("address")),
            "body": text(column("body")),
            "type": kind,
            "type_label": labels(kind, SMS_TYPES),
            "service": pd.Series("SMS", index=kind.index, dtype="str"),
            "read": read.astype("boolean"),
            "thread_id": _ints(column("thread_id")),
            "subject": text(column("subject")),
            "time_raw": date,
        },
    )


@artifact(IOS_SMS_DELETED)
def read_ios_deleted(source: Source) -> pd.DataFrame:
    """Deleted rows of iOS ``sms.db`` table ``message``, carved from its free space."""
    with open_db(source) as db:
        required = ("ROWID", "guid", "text", "date", "is_from_me", "handle_id")
        if missing_schema(db, "message", required, IOS_SMS_DELETED.id):
            return empty_frame(IOS_SMS_DELETED)
        layout = _layout(db, "message")
        handles: dict[int, str] = {}
        if db.has_columns("handle", "ROWID", "id"):
            handles = {
                int(r[0]): str(r[1])
                for r in _rows(db, "SELECT ROWID, id FROM handle")
                if isinstance(r[0], int)
            }
        col = {c.name: i for i, c in enumerate(layout.columns)}

        def get(values: Sequence[Value], name: str) -> Value:
            return values[col[name]] if name in col else None

        def plausible_date(value: Value) -> bool:
            return _int_in(value, *_COCOA_NS_RANGE) and (
                abs(value) >= 10**12 or _int_in(value, *_COCOA_S_RANGE)  # type: ignore[arg-type]
            )

        def accept(values: tuple[Value, ...]) -> bool:
            return (
                plausible_date(get(values, "date"))
                and get(values, "is_from_me") in (0, 1)
                and _short_text(get(values, "guid"))
                and _optional_text(get(values, "text"))
                and _optional_int(get(values, "handle_id"))
            )

        db_bytes, wal = _read_files(source)
        records = carve(db_bytes, layout, wal=wal, path=display_path(source), accept=accept)
        live = _live_keys(
            db, "SELECT guid FROM message", "guid", {get(r.values, "guid") for r in records}
        )
    kept = _keep_deleted(records, lambda r: (get(r.values, "guid"),), live)
    values = [k[0].values for k in kept]

    def column(name: str) -> list[Value]:
        return [get(v, name) for v in values]

    bodies = [
        t if isinstance(t, str) else decode_attributed_body(b if isinstance(b, bytes) else None)
        for t, b in zip(column("text"), column("attributedBody"), strict=True)
    ]
    addresses = [handles.get(h) if isinstance(h, int) else None for h in column("handle_id")]
    date = _ints(column("date"))
    from_me = _ints(column("is_from_me"))
    return _frame(
        IOS_SMS_DELETED,
        source,
        kept,
        {
            "time": cocoa_auto(date),
            "direction": pd.Series(
                np.where(from_me.eq(1).fillna(False).to_numpy(), "outgoing", "incoming"),
                dtype="str",
            ),
            "address": text(addresses),
            "body": text(bodies),
            "type": from_me,
            "type_label": labels(from_me, {0: "inbox", 1: "sent"}),
            "service": text(column("service")),
            "read": _ints(column("is_read")).astype("boolean"),
            "thread_id": _ints([None] * len(kept)),
            "subject": text(column("subject")),
            "time_raw": date,
        },
    )
