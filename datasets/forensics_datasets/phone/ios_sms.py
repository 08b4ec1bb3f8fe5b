"""iOS Messages: sms.db (message, handle, chat and their joins), attributedBody typedstreams,
deleted rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_datasets.phone._pack import WalState, write_db
from forensics_datasets.phone.android_sms import record_content
from forensics_datasets.phone.scenario import Message, Scenario, json_ready

COCOA_EPOCH_NS = 978_307_200 * 10**9  # 2001-01-01T00:00:00Z as Unix ns (11_323 days)

_MESSAGE_COLUMNS = (
    "ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT, replace "
    "INTEGER DEFAULT 0, service_center TEXT, handle_id INTEGER DEFAULT 0, subject TEXT, country "
    "TEXT, attributedBody BLOB, version INTEGER DEFAULT 0, type INTEGER DEFAULT 0, service "
    "TEXT, account TEXT, account_guid TEXT, error INTEGER DEFAULT 0, date INTEGER, date_read "
    "INTEGER, date_delivered INTEGER, is_delivered INTEGER DEFAULT 0, is_finished INTEGER "
    "DEFAULT 0, is_emote INTEGER DEFAULT 0, is_from_me INTEGER DEFAULT 0, is_empty INTEGER "
    "DEFAULT 0, is_delayed INTEGER DEFAULT 0, is_auto_reply INTEGER DEFAULT 0, is_prepared "
    "INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0, is_system_message INTEGER DEFAULT 0, is_sent "
    "INTEGER DEFAULT 0, has_dd_results INTEGER DEFAULT 0, is_service_message INTEGER DEFAULT 0, "
    "is_forward INTEGER DEFAULT 0, was_downgraded INTEGER DEFAULT 0, is_archive INTEGER DEFAULT "
    "0, cache_has_attachments INTEGER DEFAULT 0, cache_roomnames TEXT, was_data_detected "
    "INTEGER DEFAULT 0, was_deduplicated INTEGER DEFAULT 0, is_audio_message INTEGER DEFAULT 0, "
    "is_played INTEGER DEFAULT 0, date_played INTEGER, item_type INTEGER DEFAULT 0, "
    "other_handle INTEGER DEFAULT 0, group_title TEXT, group_action_type INTEGER DEFAULT 0, "
    "share_status INTEGER DEFAULT 0, share_direction INTEGER DEFAULT 0, is_expirable INTEGER "
    "DEFAULT 0, expire_state INTEGER DEFAULT 0, message_action_type INTEGER DEFAULT 0, "
    "message_source INTEGER DEFAULT 0, associated_message_guid TEXT, associated_message_type "
    "INTEGER DEFAULT 0, balloon_bundle_id TEXT, payload_data BLOB, expressive_send_style_id "
    "TEXT, associated_message_range_location INTEGER DEFAULT 0, "
    "associated_message_range_length INTEGER DEFAULT 0, time_expressive_send_played INTEGER, "
    "message_summary_info BLOB, ck_sync_state INTEGER DEFAULT 0, ck_record_id TEXT, "
    "ck_record_change_tag TEXT, destination_caller_id TEXT, sr_ck_sync_state INTEGER DEFAULT "
    "0, sr_ck_record_id TEXT, sr_ck_record_change_tag TEXT, is_corrupt INTEGER DEFAULT 0, "
    "reply_to_guid TEXT, sort_id INTEGER, is_spam INTEGER DEFAULT 0, has_unseen_mention "
    "INTEGER DEFAULT 0, thread_originator_guid TEXT, thread_originator_part TEXT"
)

SMS_SCHEMA = (
    "CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key))",
    "CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, "
    "country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT, "
    "UNIQUE (id, service) )",
    "CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, "
    "style INTEGER, state INTEGER, account_id TEXT, properties BLOB, chat_identifier TEXT, "
    "service_name TEXT, room_name TEXT, account_login TEXT, is_archived INTEGER DEFAULT 0, "
    "last_addressed_handle TEXT, display_name TEXT, group_id TEXT)",
    f"CREATE TABLE message ({_MESSAGE_COLUMNS})",
    "CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE "
    "CASCADE, message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, message_date "
    "INTEGER DEFAULT 0, PRIMARY KEY (chat_id, message_id))",
    "CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE, "
    "handle_id INTEGER REFERENCES handle (ROWID) ON DELETE CASCADE, UNIQUE(chat_id, handle_id))",
    "CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT "
    "NULL, created_date INTEGER DEFAULT 0, start_date INTEGER DEFAULT 0, filename TEXT, uti "
    "TEXT, mime_type TEXT, transfer_state INTEGER DEFAULT 0, is_outgoing INTEGER DEFAULT 0, "
    "user_info BLOB, transfer_name TEXT, total_bytes INTEGER DEFAULT 0)",
    "CREATE TABLE message_attachment_join (message_id INTEGER REFERENCES message (ROWID) ON "
    "DELETE CASCADE, attachment_id INTEGER REFERENCES attachment (ROWID) ON DELETE CASCADE, "
    "UNIQUE(message_id, attachment_id))",
)


def _typed_int(value: int) -> bytes:
    """A typedstream integer, little-endian (python-typedstream: 0x81 int16, 0x82 int32)."""
    if 0 <= value < 0x80:
        return bytes([value])
    if value < 0x10000:
        return b"\x81" + value.to_bytes(2, "little")
    return b"\x82" + value.to_bytes(4, "little")


def attributed_body(text: str) -> bytes:
    """An NSAttributedString archived as iOS stores ``message.attributedBody``."""
    utf8 = text.encode("utf-8")
    utf16_units = len(text.encode("utf-16-le")) // 2
    return (
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00"
        b"\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+"
        + _typed_int(len(utf8))
        + utf8
        + b"\x86\x84\x02iI\x01"
        + _typed_int(utf16_units)
        + b"\x92\x84\x84\x84\x0cNSDictionary\x00\x94\x84\x01i\x01\x92\x84\x96\x96"
        b"\x1d__kIMMessagePartAttributeName\x86\x92\x84\x84\x84\x08NSNumber\x00\x84\x84"
        b"\x07NSValue\x00\x94\x84\x01*\x84\x99\x99\x00\x86\x86\x86"
    )


def _cocoa_ns(ts: pd.Timestamp) -> int:
    return int(ts.value) - COCOA_EPOCH_NS


def cocoa_s(ts: pd.Timestamp) -> float:
    return (int(ts.value) - COCOA_EPOCH_NS) / 1e9


def _message_row(
    i: int, seed: int, message: Message, handle: int, only_blob: bool, owner: str
) -> tuple[Any, ...]:
    date = _cocoa_ns(message.time)
    return (
        i,
        f"EXAMPLE-{seed:04d}-{i:08d}",
        None if only_blob else message.body,
        handle,
        attributed_body(message.body),
        "SMS",
        f"p:{owner}",
        date,
        date if message.read and not message.outgoing else 0,
        int(message.outgoing),
        int(message.read and not message.outgoing),
        int(message.outgoing),
        1,
    )


def _message_content(row: tuple[Any, ...]) -> bytes:
    """The content bytes of a ``message`` record (see :func:`record_content`): the columns
    written, in table order (the others hold NULL or 0 and store nothing)."""
    rowid, guid, text, handle, blob, service, account, date, read_at, me, read, sent, done = row
    del rowid  # the rowid alias is stored as NULL
    return record_content(
        (guid, text, handle, blob, service, account, date, read_at, done, me, read, sent)
    )


def write_sms(
    path: Path,
    scenario: Scenario,
    wal: WalState,
    wal_tail: int,
    rng_every: int,
    deleted: Sequence[Message] = (),
) -> dict[str, Any]:
    handles: dict[str, int] = {}
    for message in [*scenario.messages, *deleted]:
        handles.setdefault(message.address, len(handles) + 1)
    tagged = [(m, False) for m in scenario.messages]
    if deleted:  # live and deleted rows in time order, ROWID as the phone assigned them
        tagged = sorted(tagged + [(m, True) for m in deleted], key=lambda x: x[0].time)
    rows: list[tuple[Any, ...]] = []
    body_only: list[int] = []
    gone: set[int] = set()
    for i, (message, is_deleted) in enumerate(tagged, start=1):
        only_blob = i % rng_every == 0
        if only_blob and not is_deleted:
            body_only.append(i)
        if is_deleted:
            gone.add(i)
        rows.append(
            _message_row(
                i,
                scenario.seed,
                message,
                handles[message.address],
                only_blob,
                scenario.owner_number,
            )
        )
    cut = max(len(rows) - wal_tail, 0) if wal == "tail" else len(rows)
    head_rows, tail_rows = rows[:cut], rows[cut:]
    if deleted:  # as on Android: deleted rows before the checkpoint, deleted after it
        live_ids = [r[0] for r in rows if r[0] not in gone]
        in_wal = set(live_ids[max(len(live_ids) - wal_tail, 0) :]) if wal == "tail" else set()
        head_rows = [r for r in rows if r[0] not in in_wal]
        tail_rows = [r for r in rows if r[0] in in_wal]
    insert = (
        "INSERT INTO message (ROWID, guid, text, handle_id, attributedBody, service, account, "
        "date, date_read, is_from_me, is_read, is_sent, is_finished) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    insert_join = (
        "INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)"
    )

    def joins(chosen: list[tuple[Any, ...]]) -> list[tuple[int, int, int]]:
        return [(r[3], r[0], r[7]) for r in chosen]

    def delete(conn: sqlite3.Connection) -> None:
        ids = [(i,) for i in sorted(gone)]
        if ids:
            conn.execute("PRAGMA secure_delete = OFF")  # keep the freed cells' bytes
            conn.executemany("DELETE FROM chat_message_join WHERE message_id = ?", ids)
            conn.executemany("DELETE FROM message WHERE ROWID = ?", ids)

    def head(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO _SqliteDatabaseProperties VALUES ('_ClientVersion', '14006')")
        conn.executemany(
            "INSERT INTO handle (ROWID, id, country, service, uncanonicalized_id) "
            "VALUES (?, ?, 'gb', 'SMS', ?)",
            [(i, a, a) for a, i in handles.items()],
        )
        conn.executemany(
            "INSERT INTO chat (ROWID, guid, style, state, chat_identifier, service_name) "
            "VALUES (?, ?, 45, 3, ?, 'SMS')",
            [(i, f"SMS;-;{a}", a) for a, i in handles.items()],
        )
        conn.executemany(
            "INSERT INTO chat_handle_join VALUES (?, ?)", [(i, i) for i in handles.values()]
        )
        conn.executemany(insert, head_rows)
        conn.executemany(insert_join, joins(head_rows))
        if wal != "tail":
            delete(conn)

    def tail(conn: sqlite3.Connection) -> None:
        conn.executemany(insert, tail_rows)
        conn.executemany(insert_join, joins(tail_rows))
        if wal == "tail":
            delete(conn)

    write_db(path, SMS_SCHEMA, head, tail, wal=wal)
    notes: dict[str, Any] = {
        "message_rows": len(rows) - len(gone),
        "message_ids_text_null": body_only,
        "message_ids_only_in_wal": [r[0] for r in tail_rows],
    }
    if deleted:
        held = path.read_bytes()
        wal_file = path.with_name(path.name + "-wal")
        held += wal_file.read_bytes() if wal_file.exists() else b""
        by_id = dict(enumerate((m for m, _ in tagged), start=1))
        notes["deleted_sms"] = [
            {
                "ROWID": r[0],
                "guid": r[1],
                "time": json_ready(by_id[r[0]].time),
                "date_ns": r[7],
                "address": by_id[r[0]].address,
                "body": by_id[r[0]].body,
                "is_from_me": r[9],
                "text_null": r[2] is None,
                "deleted_in": "wal" if wal == "tail" else "main",
                "bytes_in_file": _message_content(r) in held,
            }
            for r in rows
            if r[0] in gone
        ]
    return notes
