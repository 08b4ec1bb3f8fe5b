"""Phone extraction variants of other app and OS versions: a WhatsApp msgstore.db caught mid-
migration, an iOS 5 sms.db, an iOS 7 call_history.db, Android calls in both contacts2.db and
calllog.db."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from forensics_datasets.phone.layouts import (
    MSGSTORE_PATH,
    SMS_DB_PATH,
    Container,
    Variant,
    base_tree,
    key_counts,
    pack_variant,
)
from forensics_datasets.phone.whatsapp_android import LEGACY_SCHEMA, MODERN_SCHEMA

# -- WhatsApp: both message tables ---------------------------------------------------------

_LEGACY_PLACEHOLDER = (
    "INSERT INTO messages (_id, key_remote_jid, key_from_me, key_id, status, timestamp) "
    "VALUES (1, '-1', 0, '-1', -1, 0)"
)  # the row WhatsApp's MessagesTable inserts first, as in real legacy msgstore.db files
_MODERN_PLACEHOLDER = (
    "INSERT INTO message (_id, chat_row_id, from_me, key_id) VALUES (1, -1, 0, '-1')"
)

WhatsAppLayout = Literal["legacy_full", "modern_full", "both"]


def _modern_only_placeholder(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        for statement in MODERN_SCHEMA:
            if statement.startswith(("CREATE TABLE message ", "CREATE UNIQUE INDEX message_")):
                conn.execute(statement)
        conn.execute(_MODERN_PLACEHOLDER)
    conn.close()


def _legacy_from_modern(db: Path, keep: Callable[[int], bool]) -> list[str]:
    """Add the legacy ``messages`` table (placeholder row first) holding the modern
    messages for which ``keep(i)`` is true; return their key_ids."""
    with sqlite3.connect(db) as conn:
        for statement in LEGACY_SCHEMA:
            if statement.startswith(("CREATE TABLE messages ", "CREATE UNIQUE INDEX messages_")):
                conn.execute(statement)
        conn.execute(_LEGACY_PLACEHOLDER)
        rows = conn.execute(
            "SELECT j.raw_string, m.from_me, m.key_id, m.status, m.text_data, m.timestamp, "
            "m.received_timestamp FROM message AS m JOIN chat AS c ON c._id = m.chat_row_id "
            "LEFT JOIN jid_map AS jm ON jm.lid_row_id = c.jid_row_id "
            "JOIN jid AS j ON j._id = coalesce(jm.jid_row_id, c.jid_row_id) "
            "WHERE m.chat_row_id != -1 ORDER BY m._id"
        ).fetchall()
        chosen = [r for i, r in enumerate(rows) if keep(i)]
        conn.executemany(
            "INSERT INTO messages (key_remote_jid, key_from_me, key_id, status, data, "
            "timestamp, received_timestamp, media_wa_type) VALUES (?, ?, ?, ?, ?, ?, ?, '0')",
            chosen,
        )
    conn.close()
    return [str(r[2]) for r in chosen]


def write_whatsapp_tables(
    out: str | Path, *, layout: WhatsAppLayout, container: Container = "zip", seed: int = 0
) -> Variant:
    """An Android extraction whose ``msgstore.db`` holds both message tables.

    ``legacy_full``: the legacy ``messages`` holds every message and the new ``message``
    only its placeholder row (an app that created the new table but has not migrated);
    ``modern_full``: the reverse (a migrated database keeping the old table's placeholder);
    ``both``: a migration caught half-way: the first two thirds in ``messages``, the last
    two thirds in ``message`` (the middle third in both, same ``key_id``)."""
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        if layout == "legacy_full":
            key = base_tree(tree, "android", seed, wal=False, whatsapp="legacy")
            _modern_only_placeholder(tree / MSGSTORE_PATH)
            total = key_counts(key)["wa_messages"]
            answer: dict[str, Any] = {"legacy": total, "modern": 0, "overlap": 0}
        else:
            key = base_tree(tree, "android", seed, wal=False)
            total = key_counts(key)["wa_messages"]
            if layout == "modern_full":
                _legacy_from_modern(tree / MSGSTORE_PATH, lambda _i: False)
                answer = {"legacy": 0, "modern": total, "overlap": 0}
            else:
                third = total // 3
                legacy_keys = _legacy_from_modern(tree / MSGSTORE_PATH, lambda i: i < total - third)
                conn = sqlite3.connect(tree / MSGSTORE_PATH, isolation_level=None)
                conn.execute(
                    "DELETE FROM message WHERE chat_row_id != -1 AND _id IN "
                    "(SELECT _id FROM message WHERE chat_row_id != -1 ORDER BY _id LIMIT ?)",
                    (third,),
                )
                conn.execute("VACUUM")
                modern = conn.execute(
                    "SELECT count(*) FROM message WHERE chat_row_id != -1"
                ).fetchone()[0]
                conn.close()
                answer = {
                    "legacy": len(legacy_keys),
                    "modern": int(modern),
                    "overlap": len(legacy_keys) + int(modern) - total,
                }
        exhibit = pack_variant(tree, out, f"whatsapp_{layout}", container, "Dump/")
    return Variant(exhibit, {"layout": layout, "messages": total, **answer})


# iOS 4/5 sms.db, as dumped from a device of that era (the tables the readers touch).
_IOS5_SMS_SCHEMA = (
    "CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key))",
    "CREATE TABLE msg_group (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, type INTEGER, "
    "newest_message INTEGER, unread_count INTEGER, hash INTEGER)",
    "CREATE TABLE group_member (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER, "
    "address TEXT, country TEXT)",
    "CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT, date "
    "INTEGER, text TEXT, flags INTEGER, replace INTEGER, svc_center TEXT, group_id INTEGER, "
    "association_id INTEGER, height INTEGER, UIFlags INTEGER, version INTEGER, subject TEXT, "
    "country TEXT, headers BLOB, recipients BLOB, read INTEGER, madrid_attributedBody BLOB, "
    "madrid_handle TEXT, madrid_version INTEGER, madrid_guid TEXT, madrid_type INTEGER, "
    "madrid_roomname TEXT, madrid_service TEXT, madrid_account TEXT, madrid_account_guid "
    "TEXT, madrid_flags INTEGER, madrid_attachmentInfo BLOB, madrid_url TEXT, madrid_error "
    "INTEGER, is_madrid INTEGER, madrid_date_read INTEGER, madrid_date_delivered INTEGER)",
)


def write_ios5_sms(out: str | Path, *, imessages: int = 0, seed: int = 0) -> Variant:
    """An iOS extraction whose ``sms.db`` has the iOS 5 (and older) ``message`` table:
    ``address``, ``date`` in Unix seconds, ``flags`` 2 received / 3 sent, ``group_id``; plus
    ``imessages`` iMessage ("madrid") rows, which a reader must announce, not hide."""
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        key = base_tree(tree, "ios", seed, wal=False)
        db = tree / SMS_DB_PATH
        db.unlink()
        conn = sqlite3.connect(db)
        for statement in _IOS5_SMS_SCHEMA:
            conn.execute(statement)
        messages = key["scenario"]["messages"]
        groups: dict[str, int] = {}
        for m in messages:
            groups.setdefault(m["address"], len(groups) + 1)
        conn.executemany(
            "INSERT INTO msg_group (ROWID, type, newest_message, unread_count, hash) "
            "VALUES (?, 0, 0, 0, 0)",
            [(g,) for g in groups.values()],
        )
        conn.executemany(
            "INSERT INTO group_member (group_id, address, country) VALUES (?, ?, 'gb')",
            [(g, a) for a, g in groups.items()],
        )
        rows = []
        for i, m in enumerate(messages):
            unix = int(pd.Timestamp(m["time"]).timestamp())
            rows.append(
                (
                    i + 1,
                    m["address"],
                    unix,
                    m["body"],
                    3 if m["outgoing"] else 2,
                    groups[m["address"]],
                    int(m["read"]),
                    0,
                )
            )
        for j in range(imessages):
            rows.append((len(messages) + j + 1, None, 0, f"iMessage {j}", 0, 1, 1, 1))
        conn.executemany(
            "INSERT INTO message (ROWID, address, date, text, flags, group_id, read, is_madrid) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.commit()
        conn.close()
        exhibit = pack_variant(tree, out, "ios5_sms", "dir", "filesystem1/")
    first = messages[0]
    return Variant(
        exhibit,
        {
            "sms": len(messages),
            "imessages": imessages,
            "first": {
                "time": first["time"],
                "address": first["address"],
                "body": first["body"],
                "outgoing": first["outgoing"],
            },
        },
    )


_CALLLOG = "data/data/com.android.providers.contacts/databases/calllog.db"
_CONTACTS2 = "data/data/com.android.providers.contacts/databases/contacts2.db"


def write_android_calls_twice(out: str | Path, *, seed: int = 0) -> Variant:
    """An Android extraction whose contacts2.db still holds the ``calls`` table that
    Android 7+ moved to calllog.db: every call of calllog.db copied there, plus one older
    call that only contacts2.db holds.

    A reader test, not a state a release writes: AOSP ``CallLogDatabaseHelper.
    migrateFromLegacyTables`` copies contacts2.db's ``calls`` into a new calllog.db once
    (on the first boot of Android 7 after an upgrade from 6 or older) and then drops it; the
    table survives only when that migration threw (the calllog.db copy is then rolled
    back). So this tree's declared release (a Pixel 7 on Android 14, which never ran 6) and
    its leftover table do not belong together; a faithful version needs the Android 7
    calllog.db and contacts2.db schemas, which the generator does not have yet."""
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        key = base_tree(tree, "android", seed, wal=False)
        conn = sqlite3.connect(tree / _CONTACTS2)
        conn.execute("ATTACH DATABASE ? AS new", (str(tree / _CALLLOG),))
        schema = conn.execute(
            "SELECT sql FROM new.sqlite_master WHERE type = 'table' AND name = 'calls'"
        ).fetchone()[0]
        conn.execute(schema)
        conn.execute("INSERT INTO main.calls SELECT * FROM new.calls")
        first = conn.execute("SELECT min(date) FROM main.calls").fetchone()[0]
        conn.execute(
            "INSERT INTO main.calls (_id, number, date, duration, type) "
            "VALUES ((SELECT max(_id) + 1 FROM main.calls), '+447700900999', ?, 42, 2)",
            (int(first) - 86_400_000,),
        )
        conn.commit()
        conn.execute("DETACH DATABASE new")
        conn.close()
        calls = len(key["scenario"]["calls"])
        exhibit = pack_variant(tree, out, "android_calls_twice", "dir", "Dump/")
    return Variant(exhibit, {"calls": calls + 1, "copies": calls, "only_old": 1})


# iOS 6 call_history.db, as dumped from a device of that era (richinfante/iphonebackuptools
# schemas/calls/calls2_6.1.6.sql; the outgoing/incoming triggers tell the flags bit 0).
_IOS7_CALL_SCHEMA = (
    "CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key))",
    "CREATE TABLE call (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT, date INTEGER, "
    "duration INTEGER, flags INTEGER, id INTEGER, name TEXT, country_code TEXT, network_code "
    "TEXT, read INTEGER, assisted INTEGER, face_time_data BLOB, originalAddress TEXT)",
    "CREATE INDEX date_index on call(date)",
)
_CALL_HISTORY_DB = "private/var/wireless/Library/CallHistory/call_history.db"
_CALLHISTORY_STOREDATA = "private/var/mobile/Library/CallHistoryDB/CallHistory.storedata"
#: call.flags as an iOS 6 device writes them (The iPhone Wiki "Call History Database").
IOS7_CALL_FLAGS = {"incoming": 4, "missed": 4, "outgoing": 5}


def write_ios7_calls(out: str | Path, *, facetime: int = 0, seed: int = 0) -> Variant:
    """An iOS extraction of iOS 7 or older: the calls in ``call_history.db`` (table ``call``:
    ``date`` Unix seconds, ``flags`` 4 incoming / 5 outgoing, a missed call incoming with
    duration 0) instead of ``CallHistory.storedata``, plus ``facetime`` FaceTime calls
    (``flags`` 16 | 1, outgoing, 60 s). The answer key lists every call as written."""
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        key = base_tree(tree, "ios", seed, wal=False)
        (tree / _CALLHISTORY_STOREDATA).unlink()
        db = tree / _CALL_HISTORY_DB
        db.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(db)
        for statement in _IOS7_CALL_SCHEMA:
            conn.execute(statement)
        calls: list[dict[str, Any]] = []
        for c in key["scenario"]["calls"]:
            duration = 0 if c["label"] == "missed" else int(c["duration_s"])
            calls.append(
                {
                    "unix": int(pd.Timestamp(c["time"]).timestamp()),
                    "number": c["number"],
                    "name": c["name"],
                    "label": c["label"],
                    "duration_s": duration,
                    "flags": IOS7_CALL_FLAGS[c["label"]],
                    "service": "Phone",
                }
            )
        last = max((c["unix"] for c in calls), default=1_262_304_000)
        for j in range(facetime):
            calls.append(
                {
                    "unix": last + 3600 * (j + 1),
                    "number": f"facetime{j}@example.org",
                    "name": None,
                    "label": "outgoing",
                    "duration_s": 60,
                    "flags": 16 | 1,
                    "service": "FaceTime",
                }
            )
        conn.executemany(
            "INSERT INTO call (ROWID, address, date, duration, flags, id, name, country_code, "
            "network_code, read, assisted, face_time_data, originalAddress) "
            "VALUES (?, ?, ?, ?, ?, -1, ?, '234', '10', 1, 0, NULL, ?)",
            [
                (i, c["number"], c["unix"], c["duration_s"], c["flags"], c["name"], c["number"])
                for i, c in enumerate(calls, start=1)
            ],
        )
        conn.commit()
        conn.close()
        exhibit = pack_variant(tree, out, "ios7_calls", "dir", "filesystem1/")
    for c in calls:
        c["time"] = pd.Timestamp(c["unix"], unit="s", tz="UTC").isoformat()
    return Variant(exhibit, {"calls": calls, "device_path": f"/{_CALL_HISTORY_DB}"})
