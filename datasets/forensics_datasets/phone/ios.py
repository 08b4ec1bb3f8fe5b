"""Write a :class:`~forensics_datasets.phone.scenario.Scenario` as an iOS file system.

* ``sms.db``: ``handle``, ``chat``, ``message`` (the iOS 14 column list: the prefix up to
  ``date_read`` as printed by ``.fullschema`` of a real ``chat.db``/``sms.db``, the rest as
  iOS 11-14 add them), ``chat_message_join``, ``chat_handle_join``. ``message.date`` is
  **nanoseconds since 2001-01-01 UTC** (iOS 11+). Some messages keep only their
  ``attributedBody`` (``text`` NULL), as iOS 16+ writes them: a "streamtyped" NSArchiver blob
  of an NSAttributedString (layout: ``04 0B "streamtyped" 81 E8 03 84 01 40 84 84 84 12
  "NSAttributedString" 00 84 84 08 "NSObject" 00 85 92 84 84 84 08 "NSString" 01 94 84 01 2B``,
  then the byte length as a typedstream integer and the UTF-8 text).
* ``CallHistory.storedata``: the Core Data table ``ZCALLRECORD`` with the columns iLEAPP
  ``callHistory.py`` reads (``ZDATE`` Cocoa seconds as a double, ``ZADDRESS`` a BLOB of UTF-8,
  ``ZORIGINATED``, ``ZANSWERED``, ``ZCALLTYPE`` 1 = phone, ...), Core Data's ``Z_PK``/``Z_ENT``/
  ``Z_OPT`` and ``Z_PRIMARYKEY``/``Z_METADATA`` tables. Reconstructed from those columns and
  Core Data's naming and typing conventions, not dumped from a device.
* ``AddressBook.sqlitedb``: ``ABPerson`` (``CreationDate``/``ModificationDate`` integer Cocoa
  seconds), ``ABMultiValue`` (``property`` 3 phone, 4 e-mail, 5 postal address),
  ``ABMultiValueLabel``, ``ABMultiValueEntry``/``ABMultiValueEntryKey`` (the parts of an
  address), ``ABGroup``/``ABGroupMembers``, ``ABStore``, and ``AddressBookImages.sqlitedb``
  beside it (``ABThumbnailImage``, ``ABFullSizeImage``): the tables iLEAPP
  ``addressBook.py`` joins. Reconstructed from that query, not dumped from a device.
* ``SystemVersion.plist``.
"""

from __future__ import annotations

import plistlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_datasets.media.photo import jpeg_with_exif
from forensics_datasets.phone._pack import WalState, write_db
from forensics_datasets.phone.android import deleted_messages, record_content
from forensics_datasets.phone.extras import Extras, make_extras, write_ios_extras
from forensics_datasets.phone.linphone import Linphone, make_linphone, write_ios_linphone
from forensics_datasets.phone.scenario import Message, Scenario, json_ready
from forensics_datasets.phone.whatsapp import ios_person_guid, write_ios_whatsapp

__all__ = [
    "ADDRESSBOOK_DB",
    "ADDRESSBOOK_IMAGES_DB",
    "CALLHISTORY_DB",
    "SMS_DB",
    "attributed_body",
    "write_ios_tree",
]

SMS_DB = "private/var/mobile/Library/SMS/sms.db"
CALLHISTORY_DB = "private/var/mobile/Library/CallHistoryDB/CallHistory.storedata"
ADDRESSBOOK_DB = "private/var/mobile/Library/AddressBook/AddressBook.sqlitedb"
SYSTEM_VERSION = "System/Library/CoreServices/SystemVersion.plist"
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

CALLHISTORY_SCHEMA = (
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, "
    "Z_MAX INTEGER)",
    "CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB)",
    "CREATE TABLE ZCALLRECORD ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZANSWERED INTEGER, ZCALLTYPE INTEGER, ZDISCONNECTED_CAUSE INTEGER, ZFACE_TIME_DATA "
    "INTEGER, ZNUMBER_AVAILABILITY INTEGER, ZORIGINATED INTEGER, ZREAD INTEGER, ZDATE "
    "TIMESTAMP, ZDURATION FLOAT, ZDEVICE_ID VARCHAR, ZISO_COUNTRY_CODE VARCHAR, ZLOCATION "
    "VARCHAR, ZNAME VARCHAR, ZSERVICE_PROVIDER VARCHAR, ZUNIQUE_ID VARCHAR, ZADDRESS BLOB )",
)

ADDRESSBOOK_SCHEMA = (
    "CREATE TABLE ABStore (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT, Type INTEGER, "
    "ConstraintsPath TEXT, ExternalModificationTag TEXT, ExternalSyncTag TEXT, AccountID "
    "INTEGER, Enabled INTEGER DEFAULT 1, SyncData BLOB, MeIdentifier INTEGER DEFAULT -1, "
    "Capabilities INTEGER DEFAULT 0, ExternalIdentifier TEXT)",
    "CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, First TEXT, Last TEXT, "
    "Middle TEXT, FirstPhonetic TEXT, MiddlePhonetic TEXT, LastPhonetic TEXT, Organization "
    "TEXT, Department TEXT, Note TEXT, Kind INTEGER, Birthday TEXT, JobTitle TEXT, Nickname "
    "TEXT, Prefix TEXT, Suffix TEXT, FirstSort TEXT, LastSort TEXT, CreationDate INTEGER, "
    "ModificationDate INTEGER, CompositeNameFallback TEXT, ExternalIdentifier TEXT, "
    "ExternalModificationTag TEXT, ExternalUUID TEXT, StoreID INTEGER, DisplayName TEXT, "
    "ExternalRepresentation BLOB, FirstSortSection TEXT, LastSortSection TEXT, "
    "FirstSortLanguageIndex INTEGER DEFAULT 2147483647, LastSortLanguageIndex INTEGER DEFAULT "
    "2147483647, PersonLink INTEGER DEFAULT -1, ImageURI TEXT, IsPreferredName INTEGER DEFAULT "
    "1, guid TEXT DEFAULT (ab_generate_guid()), PhonemeData TEXT, AlternateBirthday TEXT, "
    "MapsData TEXT, FirstPronunciation TEXT, MiddlePronunciation TEXT, LastPronunciation TEXT, "
    "OrganizationPhonetic TEXT, OrganizationPronunciation TEXT, PreviousFamilyName TEXT, "
    "PreferredLikenessSource TEXT, PreferredPersonaIdentifier TEXT, UNIQUE(guid))",
    "CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, "
    "identifier INTEGER, label INTEGER, value TEXT, guid TEXT DEFAULT (ab_generate_guid()), "
    "UNIQUE(guid))",
    "CREATE TABLE ABMultiValueLabel (value TEXT, UNIQUE(value))",
    # The parts of a structured value (a postal address's Street, City...): parent_id is the
    # ABMultiValue.UID, key an ABMultiValueEntryKey rowid (iLEAPP addressBook.py joins both).
    "CREATE TABLE ABMultiValueEntry (parent_id INTEGER, key INTEGER, value TEXT, "
    "UNIQUE(parent_id, key))",
    "CREATE TABLE ABMultiValueEntryKey (value TEXT, UNIQUE(value))",
    "CREATE TABLE ABGroup (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT, "
    "ExternalIdentifier TEXT, StoreID INTEGER, ExternalModificationTag TEXT, "
    "ExternalRepresentation BLOB, ExternalUUID TEXT, guid TEXT DEFAULT (ab_generate_guid()), "
    "UNIQUE(guid))",
    "CREATE TABLE ABGroupMembers (UID INTEGER PRIMARY KEY, group_id INTEGER, member_type "
    "INTEGER, member_id INTEGER, UNIQUE(group_id, member_type, member_id))",
)
# AddressBookImages.sqlitedb, beside AddressBook.sqlitedb: contact photos by ABPerson ROWID
# (iLEAPP addressBook.py reads ABThumbnailImage.data with format 0 and ABFullSizeImage.data).
ADDRESSBOOK_IMAGES_DB = "private/var/mobile/Library/AddressBook/AddressBookImages.sqlitedb"
ADDRESSBOOK_IMAGES_SCHEMA = (
    "CREATE TABLE ABThumbnailImage (record_id INTEGER, format INTEGER, derived_from_format "
    "INTEGER, data BLOB, crop_x INTEGER, crop_y INTEGER, crop_width INTEGER, crop_height "
    "INTEGER, UNIQUE(record_id, format))",
    "CREATE TABLE ABFullSizeImage (record_id INTEGER, crop_x INTEGER, crop_y INTEGER, "
    "crop_width INTEGER, crop_height INTEGER, data BLOB, UNIQUE(record_id))",
)
_LABELS = ("_$!<Mobile>!$_", "_$!<Home>!$_", "_$!<Work>!$_")
# ABMultiValueEntryKey values of a postal address (property 5), in key rowid order.
_ADDRESS_KEYS = ("Street", "City", "ZIP", "Country", "CountryCode")
_GROUP = "Work"


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


def _cocoa_s(ts: pd.Timestamp) -> float:
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


def _write_sms(
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


def _write_callhistory(path: Path, scenario: Scenario, wal: WalState) -> None:
    rows = []
    for i, call in enumerate(scenario.calls, start=1):
        outgoing = call.label == "outgoing"
        answered = call.label == "incoming" or (outgoing and call.duration_s > 0)
        rows.append(
            (
                i,
                int(answered),
                1,
                int(outgoing),
                _cocoa_s(call.time),
                float(call.duration_s),
                "gb",
                call.name,
                "com.apple.Telephony",
                f"EXAMPLE-CALL-{i:06d}",
                call.number.encode("utf-8"),
            )
        )

    def head(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO Z_PRIMARYKEY VALUES (2, 'CallRecord', 0, ?)", (len(rows),))
        conn.executemany(
            "INSERT INTO ZCALLRECORD (Z_PK, Z_ENT, Z_OPT, ZANSWERED, ZCALLTYPE, ZORIGINATED, "
            "ZREAD, ZDATE, ZDURATION, ZISO_COUNTRY_CODE, ZNAME, ZSERVICE_PROVIDER, ZUNIQUE_ID, "
            "ZADDRESS) VALUES (?, 2, 1, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    write_db(path, CALLHISTORY_SCHEMA, head, wal=wal)


def _write_addressbook(path: Path, scenario: Scenario, wal: WalState) -> dict[str, Any]:
    def head(conn: sqlite3.Connection) -> None:
        conn.create_function("ab_generate_guid", 0, lambda: None)
        conn.execute("INSERT INTO ABStore (ROWID, Name, Type) VALUES (1, 'Local', 0)")
        conn.executemany("INSERT INTO ABMultiValueLabel VALUES (?)", [(v,) for v in _LABELS])
        uid = 1
        for i, contact in enumerate(scenario.contacts, start=1):
            conn.execute(
                "INSERT INTO ABPerson (ROWID, First, Last, Organization, Kind, CreationDate, "
                "ModificationDate, StoreID, guid) VALUES (?, ?, ?, ?, 0, ?, ?, 1, ?)",
                (
                    i,
                    contact.first,
                    contact.last,
                    contact.organization,
                    int(_cocoa_s(contact.created)),
                    int(_cocoa_s(contact.modified)),
                    ios_person_guid(i),  # ContactsV2 ZIDENTIFIER "<guid>:ABPerson"
                ),
            )
            values: list[tuple[int, int, str | None]] = [(3, 1, p) for p in contact.phones]
            values += [(4, 2, e) for e in contact.emails]
            if contact.organization:  # a work address: property 5, its parts as entries
                values.append((5, 3, None))
            for ident, (prop, label, value) in enumerate(values):
                conn.execute(
                    "INSERT INTO ABMultiValue (UID, record_id, property, identifier, label, "
                    "value, guid) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (uid, i, prop, ident, label, value, f"EXAMPLE-MV-{uid:05d}"),
                )
                if prop == 5:
                    parts = (f"Calle Ejemplo {i}", "Villanueva", f"28{i:03d}", "Spain", "es")
                    conn.executemany(
                        "INSERT INTO ABMultiValueEntry (parent_id, key, value) VALUES (?, ?, ?)",
                        [(uid, k, v) for k, v in enumerate(parts, start=1)],
                    )
                uid += 1
        members = members_of(scenario)
        conn.executemany(
            "INSERT INTO ABMultiValueEntryKey VALUES (?)", [(k,) for k in _ADDRESS_KEYS]
        )
        conn.execute(
            "INSERT INTO ABGroup (ROWID, Name, StoreID, guid) VALUES (1, ?, 1, ?)",
            (_GROUP, "EXAMPLE-GROUP-0001"),
        )
        conn.executemany(
            "INSERT INTO ABGroupMembers (group_id, member_type, member_id) VALUES (1, 0, ?)",
            [(m,) for m in members],
        )

    # ab_generate_guid() is an Apple function used only as a DEFAULT: every insert above sets
    # guid explicitly, so SQLite never calls it (and readers need not define it).
    write_db(path, ADDRESSBOOK_SCHEMA, head, wal=wal)
    photos = [i for i, c in enumerate(scenario.contacts, start=1) if i % 3 == 1]

    def images(conn: sqlite3.Connection) -> None:
        for i in photos:
            color = (60 + 20 * i % 180, 90, 140)
            small = jpeg_with_exif(make=None, model=None, serial=None, color=color)
            conn.execute(
                "INSERT INTO ABThumbnailImage (record_id, format, derived_from_format, data) "
                "VALUES (?, 0, 0, ?)",
                (i, small),
            )
            conn.execute(
                "INSERT INTO ABFullSizeImage (record_id, crop_x, crop_y, crop_width, "
                "crop_height, data) VALUES (?, 0, 0, 64, 64, ?)",
                (i, small),
            )

    write_db(
        path.with_name("AddressBookImages.sqlitedb"), ADDRESSBOOK_IMAGES_SCHEMA, images, wal=wal
    )
    return {
        "path": "/" + ADDRESSBOOK_DB,
        "people": len(scenario.contacts),
        "group": {"name": _GROUP, "members": members_of(scenario)},
        "photos": photos,
    }


def members_of(scenario: Scenario) -> list[int]:
    """ABPerson ROWIDs in the AddressBook group: the contacts with an organization."""
    return [i for i, c in enumerate(scenario.contacts, start=1) if c.organization]


def write_ios_tree(
    root: Path,
    scenario: Scenario,
    *,
    wal: bool = True,
    wal_tail: int = 3,
    text_null_every: int = 3,
    extras: bool | Extras = False,
    linphone: bool | Linphone = False,
    deleted_sms: int | Sequence[Message] = 0,
) -> dict[str, Any]:
    """Write the scenario's iOS file system under ``root``; return the writer's notes.

    ``extras`` adds Safari history, the known-networks plist and applicationState.db.
    ``deleted_sms``: messages written then deleted (``PRAGMA secure_delete = OFF``), your own
    or a count of seeded ones (as on Android); listed in the notes as ``deleted_sms``."""
    deleted = (
        deleted_messages(scenario, deleted_sms)
        if isinstance(deleted_sms, int)
        else list(deleted_sms)
    )
    notes = _write_sms(
        root / SMS_DB, scenario, "tail" if wal else "none", wal_tail, text_null_every, deleted
    )
    _write_callhistory(root / CALLHISTORY_DB, scenario, "bare" if wal else "none")
    notes["addressbook"] = _write_addressbook(
        root / ADDRESSBOOK_DB, scenario, "tail" if wal else "none"
    )
    plist = root / SYSTEM_VERSION
    plist.parent.mkdir(parents=True, exist_ok=True)
    plist.write_bytes(
        plistlib.dumps(
            {
                "BuildID": "EXAMPLE-0000-BUILD",
                "ProductBuildVersion": "21F90",
                "ProductCopyright": "1983-2024 Apple Inc.",
                "ProductName": "iPhone OS",
                "ProductVersion": "17.5.1",
                "SystemImageID": "00000000-0000-4000-8000-000000000000",
            }
        )
    )
    notes["device"] = {"make": "Apple", "os_version": "17.5.1", "build": "21F90"}
    notes["whatsapp"] = write_ios_whatsapp(root, scenario, wal="tail" if wal else "none")
    if extras:  # browser history, Wi-Fi networks, installed apps
        more = extras if isinstance(extras, Extras) else make_extras(scenario.seed)
        notes["extras"] = {**more.to_json(), **write_ios_extras(root, more, wal=wal)}
    if linphone:  # Linphone SIP accounts and call history
        notes["linphone"] = write_ios_linphone(
            root,
            linphone if isinstance(linphone, Linphone) else make_linphone(scenario.seed),
            wal=wal,
        )
    return notes
