"""WhatsApp messages and calls, Android and iOS, the schema chosen by the columns present.

Android ``msgstore.db`` (``com.whatsapp/databases``):

* modern schema (2022+): ``message`` (``timestamp``/``received_timestamp`` Unix ms,
  ``from_me``, ``text_data``, ``message_type``, ``chat_row_id``, ``sender_jid_row_id``),
  ``chat`` (``jid_row_id``, ``subject``), ``jid`` (``raw_string`` = ``user@server``) and, where
  present, ``jid_map`` (``lid_row_id`` -> ``jid_row_id``: a privacy "LID" jid mapped to the
  phone-number jid); calls in ``call_log`` (``timestamp`` ms, ``duration`` s, ``from_me``,
  ``video_call``, ``call_result``). Schema as dumped from a real msgstore.db
  (``CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id ...``) and the
  queries of ALEAPP ``scripts/artifacts/WhatsApp.py``.
* legacy schema: ``messages`` (``key_remote_jid``, ``key_from_me``, ``data``, ``timestamp`` ms,
  ``media_wa_type``, ``remote_resource`` = group sender), as created by WhatsApp's
  ``MessagesTable`` (``CREATE TABLE messages (_id ..., key_remote_jid TEXT NOT NULL, ...``).

The schema is chosen by the columns present, never by a version number.

``call_log.call_result`` (Android) as WhatsApp-Chat-Exporter ``android_handler.py``
(``_construct_call_description``) words it: 0, 4, 7 cancelled by the caller (missed when
incoming), 2 not answered (missed when incoming), 3 unavailable, 5 connected; other codes
are not documented and stay ``unknown (N)``.

Contacts: Android ``wa.db`` table ``wa_contacts`` (``jid``, ``is_whatsapp_user``,
``status``, ``status_timestamp`` Unix ms, ``number``, ``display_name`` from the address
book, ``given_name``, ``family_name``, ``wa_name`` = the push name the contact chose;
schema as dumped from a real wa.db, ``CREATE TABLE wa_contacts(_id INTEGER PRIMARY KEY
AUTOINCREMENT,jid TEXT NOT NULL,is_whatsapp_user BOOLEAN NOT NULL,status TEXT,
status_timestamp INTEGER,number TEXT,raw_contact_id INTEGER,display_name TEXT,...``;
WhatsApp-Chat-Exporter reads ``jid, COALESCE(display_name, wa_name), status``). iOS
``ContactsV2.sqlite`` table ``ZWAADDRESSBOOKCONTACT`` (``ZWHATSAPPID``, ``ZPHONENUMBER``,
``ZFULLNAME``, ``ZGIVENNAME``, ``ZLASTNAME``, ``ZABOUTTEXT``, ``ZLID``; WhatsApp-Chat-Exporter
``ios_handler.contacts`` adds ``@s.whatsapp.net`` to a ``ZWHATSAPPID`` stored without it).
No time of the iOS about text is verified here, so iOS ``time`` stays empty.

``message_type`` labels (ALEAPP): 0 Text, 1 Picture, 2 Audio, 3 Video, 5 Static Location,
7 System Message, 9 Document, 16 Live Location.

Attachments (``media_*`` columns, empty for a text message): Android modern
``message_media`` (keyed by ``message_row_id`` = ``message._id``, as ALEAPP joins it:
``file_path`` relative to the WhatsApp folder of shared storage, ``mime_type``,
``file_size``, ``file_hash`` base64 SHA-256; the caption is ``message.text_data``), legacy
``messages`` (``media_mime_type``, ``media_size``, ``media_hash``), iOS ``ZWAMEDIAITEM``
(``ZMESSAGE`` = ``ZWAMESSAGE.Z_PK``: ``ZMEDIALOCALPATH``, ``ZFILESIZE``; the caption in
``ZTITLE``, taken as ``body`` where ``ZTEXT`` is NULL, as it is for a picture).

iOS, in WhatsApp's app-group container (``/private/var/mobile/Containers/Shared/AppGroup/
<UUID>/``):

* ``ChatStorage.sqlite``: ``ZWAMESSAGE`` (``ZMESSAGEDATE`` Cocoa s, ``ZISFROMME``, ``ZTEXT``,
  ``ZFROMJID``, ``ZTOJID``, ``ZMESSAGETYPE``, ``ZCHATSESSION``, ``ZGROUPMEMBER``),
  ``ZWACHATSESSION`` (``ZCONTACTJID``, ``ZPARTNERNAME``), ``ZWAGROUPMEMBER`` (``ZMEMBERJID``);
  iLEAPP ``whatsApp.py``.
* ``CallHistory.sqlite``: ``ZWACDCALLEVENT`` (``ZDATE`` Cocoa s, ``ZDURATION``, ``ZOUTCOME``
  0 ended, 1 missed, 4 rejected, ``ZCALLIDSTRING``, ``ZGROUPJIDSTRING``, ``Z1CALLEVENTS``),
  ``ZWAAGGREGATECALLEVENT`` (``ZINCOMING``, ``ZVIDEO``, ``ZMISSED``),
  ``ZWACDCALLEVENTPARTICIPANT`` (``Z1PARTICIPANTS``, ``ZJIDSTRING``); iLEAPP
  ``whatsAppCallHistory`` and WhatsApp-Chat-Exporter's iOS handler.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from forensics_lib.core import times
from forensics_lib.core.errors import ForensicsWarning
from forensics_lib.core.registry import artifact
from forensics_lib.core.schema import (
    BOOL,
    FLOAT,
    INT,
    STR,
    TIME,
    ArtifactSpec,
    Column,
    TimelineRule,
    empty_frame,
)
from forensics_lib.core.sqlite import SqliteDatabase
from forensics_lib.phone._common import fetch, finish, labels, missing_schema, open_db, select_list
from forensics_lib.sources import Source, display_path

__all__ = [
    "ANDROID_CALL_RESULTS",
    "ANDROID_WA_CALLS",
    "ANDROID_WA_CONTACTS",
    "ANDROID_WA_MESSAGES",
    "IOS_WA_CALLS",
    "IOS_WA_CONTACTS",
    "IOS_WA_MESSAGES",
    "MESSAGE_TYPES",
    "WA_CALL_COLUMNS",
    "WA_CONTACT_COLUMNS",
    "WA_MESSAGE_COLUMNS",
    "call_result_labels",
    "read_android_calls",
    "read_android_contacts",
    "read_android_messages",
    "read_ios_calls",
    "read_ios_contacts",
    "read_ios_messages",
]

MESSAGE_TYPES: dict[int, str] = {
    0: "Text",
    1: "Picture",
    2: "Audio",
    3: "Video",
    5: "Static Location",
    7: "System Message",
    9: "Document",
    16: "Live Location",
}
# iOS ZMESSAGETYPE: 0 text and 5 location (the references above); 1 image, its caption in
# ZWAMEDIAITEM.ZTITLE and ZTEXT NULL, as readers of ChatStorage.sqlite describe real ones.
IOS_MESSAGE_TYPES: dict[int, str] = {0: "Text", 1: "Picture", 5: "Static Location"}
IOS_CALL_OUTCOMES: dict[int, str] = {0: "Ended", 1: "Missed", 4: "Rejected"}
# Android call_log.call_result: (label when outgoing, label when incoming),
# WhatsApp-Chat-Exporter android_handler._construct_call_description.
ANDROID_CALL_RESULTS: dict[int, tuple[str, str]] = {
    0: ("cancelled", "missed"),
    2: ("not answered", "missed"),
    3: ("unavailable", "unavailable"),
    4: ("cancelled", "missed"),
    5: ("connected", "connected"),
    7: ("cancelled", "missed"),
}

WA_MESSAGE_COLUMNS: tuple[Column, ...] = (
    Column("time", TIME, "sent or received (UTC)"),
    Column("direction", STR, "incoming or outgoing"),
    Column("chat_jid", STR, "the conversation: user@s.whatsapp.net or group@g.us"),
    Column("chat_name", STR, "group subject or partner name, where stored"),
    Column("sender_jid", STR, "who sent an incoming message (the group member in groups)"),
    Column("body", STR, "message text (or caption)"),
    Column("message_type", INT, "raw message type"),
    Column("message_type_label", STR, "Text, Picture, Audio, Video, ..."),
    Column("received_time", TIME, "when the device received it (UTC), where stored"),
    Column("key_id", STR, "WhatsApp message id (key_id / ZSTANZAID)"),
    Column("schema", STR, "which schema was read: android-modern, android-legacy, ios"),
    Column("time_raw", FLOAT, "the time exactly as stored (Android ms, iOS Cocoa s)"),
    Column(
        "media_path",
        STR,
        "attachment as the app stores it (Android message_media.file_path, relative to the "
        "WhatsApp folder of shared storage; iOS ZWAMEDIAITEM.ZMEDIALOCALPATH)",
    ),
    Column("media_mime_type", STR, "attachment MIME type, where stored (Android)"),
    Column("media_size", INT, "attachment size in bytes"),
    Column("media_hash", STR, "base64 SHA-256 of the attachment (Android file_hash/media_hash)"),
)
WA_CALL_COLUMNS: tuple[Column, ...] = (
    Column("time", TIME, "call started (UTC)"),
    Column("end_time", TIME, "call ended: time + duration (UTC)"),
    Column("duration_s", FLOAT, "duration in seconds"),
    Column("jid", STR, "the other party (user@s.whatsapp.net)"),
    Column("direction", STR, "incoming or outgoing"),
    Column("video", BOOL, "video call"),
    Column("answered", BOOL, "connected: duration above zero"),
    Column("result", INT, "raw result: Android call_result, iOS ZOUTCOME"),
    Column(
        "result_label",
        STR,
        "iOS: Ended, Missed, Rejected; Android: connected, cancelled, not answered, missed, "
        "unavailable",
    ),
    Column("group_jid", STR, "group call: the group, if any"),
    Column("call_id", STR, "WhatsApp call id"),
    Column("time_raw", FLOAT, "the start time as stored (Android ms, iOS Cocoa s)"),
)
_MESSAGE_TIMELINE = (
    TimelineRule(
        "time",
        "WhatsApp {direction}",
        "{chat_jid}: {body}",
        actor="sender_jid",
        counterpart="chat_jid",
    ),
)
_CALL_TIMELINE = (
    TimelineRule("time", "WhatsApp call started ({direction})", "{jid}", counterpart="jid"),
    TimelineRule("end_time", "WhatsApp call ended ({direction})", "{jid}", counterpart="jid"),
)
_ANDROID_DB = (
    "**/com.whatsapp/databases/msgstore.db",
    "**/com.whatsapp.w4b/databases/msgstore.db",
)
_IOS_GROUP = "**/Containers/Shared/AppGroup/*"

ANDROID_WA_MESSAGES = ArtifactSpec(
    id="android.whatsapp_messages",
    family="phone",
    description="WhatsApp messages, Android (msgstore.db, modern or legacy schema)",
    columns=WA_MESSAGE_COLUMNS,
    globs=_ANDROID_DB,
    timeline=_MESSAGE_TIMELINE,
    references=("ALEAPP scripts/artifacts/WhatsApp.py",),
)
ANDROID_WA_CALLS = ArtifactSpec(
    id="android.whatsapp_calls",
    family="phone",
    description="WhatsApp calls, Android (msgstore.db call_log)",
    columns=WA_CALL_COLUMNS,
    globs=_ANDROID_DB,
    timeline=_CALL_TIMELINE,
    references=("ALEAPP scripts/artifacts/WhatsApp.py",),
)
IOS_WA_MESSAGES = ArtifactSpec(
    id="ios.whatsapp_messages",
    family="phone",
    description="WhatsApp messages, iOS (ChatStorage.sqlite ZWAMESSAGE)",
    columns=WA_MESSAGE_COLUMNS,
    globs=(f"{_IOS_GROUP}/ChatStorage.sqlite",),
    timeline=_MESSAGE_TIMELINE,
    references=("iLEAPP scripts/artifacts/whatsApp.py",),
)
IOS_WA_CALLS = ArtifactSpec(
    id="ios.whatsapp_calls",
    family="phone",
    description="WhatsApp calls, iOS (CallHistory.sqlite ZWACDCALLEVENT)",
    columns=WA_CALL_COLUMNS,
    globs=(f"{_IOS_GROUP}/CallHistory.sqlite",),
    timeline=_CALL_TIMELINE,
    references=("iLEAPP whatsAppCallHistory",),
)

WA_CONTACT_COLUMNS: tuple[Column, ...] = (
    Column("time", TIME, "when the status (about) text was set (UTC; Android only)"),
    Column("jid", STR, "user@s.whatsapp.net (or a group/broadcast jid on Android)"),
    Column("number", STR, "phone number as stored"),
    Column("display_name", STR, "name in the phone's address book (iOS ZFULLNAME)"),
    Column("given_name", STR, "given name"),
    Column("family_name", STR, "family name"),
    Column("wa_name", STR, "push name the contact set in WhatsApp (Android wa_name)"),
    Column("status", STR, "status / about text"),
    Column("is_whatsapp_user", BOOL, "registered on WhatsApp (Android is_whatsapp_user)"),
    Column("lid", STR, "privacy LID of the contact, where stored (iOS ZLID)"),
    Column("schema", STR, "android or ios"),
)
ANDROID_WA_CONTACTS = ArtifactSpec(
    id="android.whatsapp_contacts",
    family="phone",
    description="WhatsApp contacts, Android (wa.db wa_contacts)",
    columns=WA_CONTACT_COLUMNS,
    globs=("**/com.whatsapp/databases/wa.db", "**/com.whatsapp.w4b/databases/wa.db"),
    timeline=(TimelineRule("time", "WhatsApp status set", "{jid}: {status}", actor="jid"),),
    references=("WhatsApp-Chat-Exporter android_handler.contacts", "wa.db schema dump"),
)
IOS_WA_CONTACTS = ArtifactSpec(
    id="ios.whatsapp_contacts",
    family="phone",
    description="WhatsApp contacts, iOS (ContactsV2.sqlite ZWAADDRESSBOOKCONTACT)",
    columns=WA_CONTACT_COLUMNS,
    globs=(f"{_IOS_GROUP}/ContactsV2.sqlite",),
    references=("WhatsApp-Chat-Exporter ios_handler.contacts",),
)

_MODERN = ("_id", "chat_row_id", "from_me", "key_id", "timestamp", "text_data")
_LEGACY = ("_id", "key_remote_jid", "key_from_me", "key_id", "timestamp", "data")


def _from_me(raw: pd.Series) -> pd.Series:
    values = raw.astype("Int64")
    out = pd.Series(np.where(values.eq(1).fillna(False), "outgoing", "incoming"), dtype="str")
    result: pd.Series = out.where(values.notna().to_numpy(), None)
    return result


def _unset_zero(raw: pd.Series) -> pd.Series:
    """WhatsApp writes 0 for a time it does not have."""
    result: pd.Series = raw.where(raw.ne(0), None)
    return result


def _jid_resolver(db: SqliteDatabase) -> pd.Series:
    """jid._id -> raw_string, with LID jids replaced by their phone jid through jid_map."""
    if not db.has_columns("jid", "_id", "raw_string"):
        return pd.Series(dtype="str")
    jids = fetch(db, "SELECT _id, raw_string FROM jid", {"_id": "int"})
    raw: pd.Series = jids.set_index("_id")["raw_string"]
    if db.has_columns("jid_map", "lid_row_id", "jid_row_id"):
        pairs = fetch(
            db,
            "SELECT lid_row_id, jid_row_id FROM jid_map",
            {"lid_row_id": "int", "jid_row_id": "int"},
        )
        phone = pairs.set_index("lid_row_id")["jid_row_id"].map(raw).dropna()
        raw = raw.copy()
        raw.loc[raw.index.intersection(phone.index)] = phone
    return raw


#: message_media column -> our media column (ALEAPP WhatsApp.py joins message_media on
#: message_row_id = message._id and reads file_path, file_size).
_MESSAGE_MEDIA = {
    "file_path": "media_path",
    "mime_type": "media_mime_type",
    "file_size": "media_size",
    "file_hash": "media_hash",
}


def _modern_media(db: SqliteDatabase) -> str:
    """The select items of a message's ``message_media`` row (NULL where the table or a
    column is absent): one row per message at most (``message_row_id`` is its key)."""
    present = (
        set(db.columns("message_media"))
        if "message_row_id" in db.columns("message_media")
        else set()
    )
    return ", ".join(
        f'(SELECT mm."{col}" FROM message_media AS mm WHERE mm.message_row_id = m._id) AS {out}'
        if col in present
        else f"NULL AS {out}"
        for col, out in _MESSAGE_MEDIA.items()
    )


def _modern_messages(db: SqliteDatabase) -> pd.DataFrame:
    cols = select_list(
        db, "message", "m", (*_MODERN, "received_timestamp", "message_type", "sender_jid_row_id")
    )
    raw = fetch(
        db,
        f"SELECT {cols}, {_modern_media(db)} FROM message AS m ORDER BY m._id",
        {
            "_id": "int",
            "chat_row_id": "int",
            "from_me": "int",
            "timestamp": "int",
            "received_timestamp": "int",
            "message_type": "int",
            "sender_jid_row_id": "int",
            "media_size": "int",
        },
    )
    jid_of = _jid_resolver(db)
    chats = pd.DataFrame({"_id": pd.Series([], dtype="Int64")})
    if db.has_columns("chat", "_id", "jid_row_id"):
        subject = "subject" if db.has_columns("chat", "subject") else "NULL AS subject"
        chats = fetch(
            db, f"SELECT _id, jid_row_id, {subject} FROM chat", {"_id": "int", "jid_row_id": "int"}
        )
    chat_index = chats.set_index("_id") if len(chats) else None
    if chat_index is not None:
        raw["chat_jid"] = raw["chat_row_id"].map(chat_index["jid_row_id"].map(jid_of)).astype("str")
        raw["chat_name"] = raw["chat_row_id"].map(chat_index["subject"]).astype("str")
    else:
        raw["chat_jid"] = pd.Series(None, index=raw.index, dtype="str")
        raw["chat_name"] = pd.Series(None, index=raw.index, dtype="str")
    raw["sender"] = raw["sender_jid_row_id"].map(jid_of).astype("str")
    # WhatsApp's MessageTable inserts a placeholder row (chat_row_id -1, key_id '-1') when it
    # creates the table: not a message.
    placeholder = raw["chat_row_id"].eq(-1).fillna(False) & raw["key_id"].eq("-1").fillna(False)
    raw = raw.loc[~placeholder].reset_index(drop=True)
    direction = _from_me(raw["from_me"])
    incoming = direction.eq("incoming").fillna(False).to_numpy()
    sender = raw["sender"].where(raw["sender"].notna(), raw["chat_jid"]).where(incoming, None)
    return pd.DataFrame(
        {
            "row_id": raw["_id"],
            "time": times.from_unix_ms(_unset_zero(raw["timestamp"])),
            "direction": direction,
            "chat_jid": raw["chat_jid"],
            "chat_name": raw["chat_name"],
            "sender_jid": sender.astype("str"),
            "body": raw["text_data"],
            "message_type": raw["message_type"],
            "message_type_label": labels(raw["message_type"], MESSAGE_TYPES),
            "received_time": times.from_unix_ms(_unset_zero(raw["received_timestamp"])),
            "key_id": raw["key_id"],
            "schema": pd.Series("android-modern", index=raw.index, dtype="str"),
            "time_raw": raw["timestamp"].astype("float64"),
            "media_path": raw["media_path"],
            "media_mime_type": raw["media_mime_type"],
            "media_size": raw["media_size"],
            "media_hash": raw["media_hash"],
        },
        copy=False,
    )


def _legacy_messages(db: SqliteDatabase) -> pd.DataFrame:
    cols = select_list(
        db,
        "messages",
        "m",
        (
            *_LEGACY,
            "received_timestamp",
            "media_wa_type",
            "remote_resource",
            "media_mime_type",
            "media_size",
            "media_hash",
        ),
    )
    raw = fetch(
        db,
        f"SELECT {cols} FROM messages AS m ORDER BY m._id",
        {
            "_id": "int",
            "key_from_me": "int",
            "timestamp": "int",
            "received_timestamp": "int",
            "media_wa_type": "int",
            "media_size": "int",
        },
    )
    direction = _from_me(raw["key_from_me"])
    incoming = direction.eq("incoming").fillna(False).to_numpy()
    sender = raw["remote_resource"].where(
        raw["remote_resource"].notna() & raw["remote_resource"].ne(""), raw["key_remote_jid"]
    )
    return pd.DataFrame(
        {
            "row_id": raw["_id"],
            "time": times.from_unix_ms(_unset_zero(raw["timestamp"])),
            "direction": direction,
            "chat_jid": raw["key_remote_jid"],
            "chat_name": pd.Series(None, index=raw.index, dtype="str"),
            "sender_jid": sender.where(incoming, None).astype("str"),
            "body": raw["data"],
            "message_type": raw["media_wa_type"],
            "message_type_label": labels(raw["media_wa_type"], MESSAGE_TYPES),
            "received_time": times.from_unix_ms(_unset_zero(raw["received_timestamp"])),
            "key_id": raw["key_id"],
            "schema": pd.Series("android-legacy", index=raw.index, dtype="str"),
            "time_raw": raw["timestamp"].astype("float64"),
            # The legacy row keeps the file's path only inside its serialised thumb_image.
            "media_path": pd.Series(None, index=raw.index, dtype="str"),
            "media_mime_type": raw["media_mime_type"],
            "media_size": raw["media_size"].where(raw["media_size"].ne(0), None),
            "media_hash": raw["media_hash"],
        },
        copy=False,
    )


def _is_legacy_placeholder(frame: pd.DataFrame) -> pd.Series:
    """The row WhatsApp's MessagesTable inserts first (``key_remote_jid`` and ``key_id``
    '-1'): not a message."""
    result: pd.Series = frame["chat_jid"].eq("-1").fillna(False) & frame["key_id"].eq("-1").fillna(
        False
    )
    return result


def _both_tables(modern: pd.DataFrame, legacy: pd.DataFrame, where: str) -> pd.DataFrame:
    """Messages from a msgstore.db holding both tables: the one with messages, or both
    without duplicates (same ``key_id`` and direction: the ``message`` row is kept)."""
    counts = f"'message' {len(modern)}, 'messages' {len(legacy)}"
    if legacy.empty:
        modern.attrs["tables"] = {"read": ["message"], "message": len(modern), "messages": 0}
        return modern
    if modern.empty:
        note = (
            f"{ANDROID_WA_MESSAGES.id}: {where}: the new table 'message' holds no message "
            f"(only its placeholder row) and the legacy table 'messages' holds {len(legacy)}: "
            "read 'messages' (schema android-legacy)"
        )
        chosen = legacy
        read = ["messages"]
    else:
        key = ["key_id", "direction"]
        seen = pd.MultiIndex.from_frame(modern[key].astype("object"))
        dup = pd.MultiIndex.from_frame(legacy[key].astype("object")).isin(seen)
        dup &= legacy["key_id"].notna().to_numpy()
        chosen = pd.concat([modern, legacy.loc[~dup]], ignore_index=True)
        note = (
            f"{ANDROID_WA_MESSAGES.id}: {where}: both message tables hold messages ({counts}): "
            f"read both; {int(dup.sum())} legacy row(s) with a key_id already in 'message' "
            f"left out as duplicates, {len(chosen)} messages in all (see the schema column)"
        )
        read = ["message", "messages"]
    warnings.warn(note, ForensicsWarning, stacklevel=3)
    chosen.attrs["tables"] = {"read": read, "message": len(modern), "messages": len(legacy)}
    chosen.attrs["warnings"] = [*chosen.attrs.get("warnings", []), note]
    return chosen


@artifact(ANDROID_WA_MESSAGES)
def read_android_messages(source: Source) -> pd.DataFrame:
    """Android ``msgstore.db`` messages, modern ``message`` or legacy ``messages`` table.

    Chosen by content, not by which table exists: a database holding both (an app that
    created the new table before migrating, a migration caught half-way, a migrated one
    keeping the old table) gives the messages of whichever holds them, or of both without
    duplicates, and says which (a :class:`ForensicsWarning`, ``attrs["warnings"]``,
    ``attrs["tables"]``, and the ``schema`` column)."""
    with open_db(source) as db:
        modern_cols = db.columns("message")
        legacy_cols = db.columns("messages")
        has_modern = bool(modern_cols) and all(c in modern_cols for c in _MODERN)
        has_legacy = bool(legacy_cols) and all(c in legacy_cols for c in _LEGACY)
        if not (has_modern or has_legacy):
            use_modern = bool(modern_cols) or not legacy_cols
            table, need = ("message", _MODERN) if use_modern else ("messages", _LEGACY)
            missing_schema(db, table, need, ANDROID_WA_MESSAGES.id)
            return empty_frame(ANDROID_WA_MESSAGES)
        modern = _modern_messages(db) if has_modern else None
        legacy = _legacy_messages(db) if has_legacy else None
    if legacy is not None:
        legacy = legacy.loc[~_is_legacy_placeholder(legacy)].reset_index(drop=True)
    if modern is not None and legacy is not None:
        frame = _both_tables(modern, legacy, display_path(source))
    elif modern is not None:
        frame = modern
    else:
        assert legacy is not None  # one of the two tables was readable
        frame = legacy
    attrs = dict(frame.attrs)
    out = finish(frame.drop(columns="row_id"), ANDROID_WA_MESSAGES, source, frame["row_id"])
    out.attrs.update(attrs)
    return out


_ANDROID_CALL = ("_id", "jid_row_id", "from_me", "call_id", "timestamp", "duration")


def call_result_labels(result: pd.Series, from_me: pd.Series) -> pd.Series:
    """Android ``call_result`` codes as words (see :data:`ANDROID_CALL_RESULTS`); the caller's
    side decides between "cancelled" and "missed"."""
    codes = result.astype("Int64")
    outgoing = from_me.astype("Int64").eq(1).fillna(False).to_numpy()
    out = np.empty(len(codes), dtype=object)
    for i, (code, mine) in enumerate(zip(codes.tolist(), outgoing, strict=True)):
        if pd.isna(code):
            out[i] = None
        elif int(code) in ANDROID_CALL_RESULTS:
            out[i] = ANDROID_CALL_RESULTS[int(code)][0 if mine else 1]
        else:
            out[i] = f"unknown ({int(code)})"
    return pd.Series(out, index=result.index, dtype="str")


@artifact(ANDROID_WA_CALLS)
def read_android_calls(source: Source) -> pd.DataFrame:
    """Android ``msgstore.db`` table ``call_log``."""
    with open_db(source) as db:
        if not db.columns("call_log") and (db.columns("messages") or db.columns("message")):
            return empty_frame(ANDROID_WA_CALLS)  # an old msgstore.db without a call log
        if missing_schema(db, "call_log", _ANDROID_CALL, ANDROID_WA_CALLS.id):
            return empty_frame(ANDROID_WA_CALLS)
        cols = select_list(
            db, "call_log", "c", (*_ANDROID_CALL, "video_call", "call_result", "group_jid_row_id")
        )
        raw = fetch(
            db,
            f"SELECT {cols}, "
            "(SELECT j.raw_string FROM jid AS j WHERE j._id = c.jid_row_id) AS jid, "
            "(SELECT j.raw_string FROM jid AS j WHERE j._id = c.group_jid_row_id) AS group_jid "
            "FROM call_log AS c ORDER BY c._id",
            {
                "_id": "int",
                "from_me": "int",
                "timestamp": "int",
                "duration": "float",
                "video_call": "int",
                "call_result": "int",
                "jid_row_id": "int",
                "group_jid_row_id": "int",
            },
        )
    start = times.from_unix_ms(_unset_zero(raw["timestamp"]))
    duration = raw["duration"]
    frame = pd.DataFrame(
        {
            "time": start,
            "end_time": start + pd.to_timedelta(duration.fillna(0), unit="s"),
            "duration_s": duration,
            "jid": raw["jid"],
            "direction": _from_me(raw["from_me"]),
            "video": raw["video_call"].astype("boolean"),
            "answered": (duration > 0).astype("boolean"),
            "result": raw["call_result"],
            "result_label": call_result_labels(raw["call_result"], raw["from_me"]),
            "group_jid": raw["group_jid"],
            "call_id": raw["call_id"],
            "time_raw": raw["timestamp"].astype("float64"),
        },
        copy=False,
    )
    return finish(frame, ANDROID_WA_CALLS, source, raw["_id"])


_IOS_MESSAGE = ("Z_PK", "ZCHATSESSION", "ZISFROMME", "ZMESSAGEDATE", "ZTEXT")


@artifact(IOS_WA_MESSAGES)
def read_ios_messages(source: Source) -> pd.DataFrame:
    """iOS ``ChatStorage.sqlite``: ``ZWAMESSAGE`` with its chat session and group member."""
    with open_db(source) as db:
        if missing_schema(db, "ZWAMESSAGE", _IOS_MESSAGE, IOS_WA_MESSAGES.id):
            return empty_frame(IOS_WA_MESSAGES)
        cols = select_list(
            db,
            "ZWAMESSAGE",
            "m",
            (*_IOS_MESSAGE, "ZFROMJID", "ZTOJID", "ZMESSAGETYPE", "ZSTANZAID", "ZGROUPMEMBER"),
        )
        session = db.has_columns("ZWACHATSESSION", "Z_PK", "ZCONTACTJID", "ZPARTNERNAME")
        member = db.has_columns("ZWAGROUPMEMBER", "Z_PK", "ZMEMBERJID")
        if not session:
            warnings.warn(
                f"{IOS_WA_MESSAGES.id}: {display_path(source)}: no ZWACHATSESSION "
                "(ZCONTACTJID, ZPARTNERNAME); chat_jid taken from ZFROMJID/ZTOJID",
                ForensicsWarning,
                stacklevel=2,
            )
        chat = (
            "(SELECT s.ZCONTACTJID FROM ZWACHATSESSION AS s WHERE s.Z_PK = m.ZCHATSESSION)"
            if session
            else "NULL"
        )
        name = (
            "(SELECT s.ZPARTNERNAME FROM ZWACHATSESSION AS s WHERE s.Z_PK = m.ZCHATSESSION)"
            if session
            else "NULL"
        )
        group_member = (
            "(SELECT g.ZMEMBERJID FROM ZWAGROUPMEMBER AS g WHERE g.Z_PK = m.ZGROUPMEMBER)"
            if member
            else "NULL"
        )
        # ZWAMEDIAITEM: the message's media row (ZMESSAGE = ZWAMESSAGE.Z_PK; iLEAPP
        # whatsApp.py joins it so): local path, size, and the caption in ZTITLE.
        item = set(db.columns("ZWAMEDIAITEM"))
        media = ", ".join(
            f"(SELECT i.{col} FROM ZWAMEDIAITEM AS i WHERE i.ZMESSAGE = m.Z_PK LIMIT 1) AS {out}"
            if {"ZMESSAGE", col} <= item
            else f"NULL AS {out}"
            for col, out in (
                ("ZMEDIALOCALPATH", "media_path"),
                ("ZFILESIZE", "media_size"),
                ("ZTITLE", "caption"),
            )
        )
        raw = fetch(
            db,
            f"SELECT {cols}, {chat} AS chat_jid, {name} AS chat_name, {group_member} AS member, "
            f"{media} FROM ZWAMESSAGE AS m ORDER BY m.Z_PK",
            {
                "Z_PK": "int",
                "ZCHATSESSION": "int",
                "ZISFROMME": "int",
                "ZMESSAGEDATE": "float",
                "ZMESSAGETYPE": "int",
                "ZGROUPMEMBER": "int",
                "media_size": "int",
            },
        )
    direction = _from_me(raw["ZISFROMME"])
    incoming = direction.eq("incoming").fillna(False).to_numpy()
    fallback = raw["ZFROMJID"].where(incoming, raw["ZTOJID"])
    chat_jid = raw["chat_jid"].where(raw["chat_jid"].notna(), fallback)
    sender = raw["member"].where(raw["member"].notna(), raw["ZFROMJID"]).where(incoming, None)
    frame = pd.DataFrame(
        {
            "time": times.from_cocoa(raw["ZMESSAGEDATE"]),
            "direction": direction,
            "chat_jid": chat_jid,
            "chat_name": raw["chat_name"],
            "sender_jid": sender.astype("str"),
            "body": raw["ZTEXT"].where(raw["ZTEXT"].notna(), raw["caption"]),
            "message_type": raw["ZMESSAGETYPE"],
            "message_type_label": labels(raw["ZMESSAGETYPE"], IOS_MESSAGE_TYPES),
            "received_time": pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]"),
            "key_id": raw["ZSTANZAID"],
            "schema": pd.Series("ios", index=raw.index, dtype="str"),
            "time_raw": raw["ZMESSAGEDATE"],
            "media_path": raw["media_path"],
            "media_mime_type": pd.Series(None, index=raw.index, dtype="str"),
            "media_size": raw["media_size"],
            "media_hash": pd.Series(None, index=raw.index, dtype="str"),
        },
        copy=False,
    )
    return finish(frame, IOS_WA_MESSAGES, source, raw["Z_PK"])


_IOS_CALL = ("Z_PK", "ZDATE", "ZDURATION", "ZOUTCOME")


@artifact(IOS_WA_CALLS)
def read_ios_calls(source: Source) -> pd.DataFrame:
    """iOS WhatsApp ``CallHistory.sqlite``: ``ZWACDCALLEVENT`` and its aggregate and participant."""
    with open_db(source) as db:
        if missing_schema(db, "ZWACDCALLEVENT", _IOS_CALL, IOS_WA_CALLS.id):
            return empty_frame(IOS_WA_CALLS)
        cols = select_list(
            db,
            "ZWACDCALLEVENT",
            "e",
            (*_IOS_CALL, "ZCALLIDSTRING", "ZGROUPJIDSTRING", "Z1CALLEVENTS"),
        )
        agg = db.has_columns("ZWAAGGREGATECALLEVENT", "Z_PK", "ZINCOMING", "ZVIDEO")
        part = db.has_columns("ZWACDCALLEVENTPARTICIPANT", "Z1PARTICIPANTS", "ZJIDSTRING")
        incoming = (
            "(SELECT a.ZINCOMING FROM ZWAAGGREGATECALLEVENT AS a WHERE a.Z_PK = e.Z1CALLEVENTS)"
            if agg
            else "NULL"
        )
        video = (
            "(SELECT a.ZVIDEO FROM ZWAAGGREGATECALLEVENT AS a WHERE a.Z_PK = e.Z1CALLEVENTS)"
            if agg
            else "NULL"
        )
        jid = (
            "(SELECT MIN(p.ZJIDSTRING) FROM ZWACDCALLEVENTPARTICIPANT AS p "
            "WHERE p.Z1PARTICIPANTS = e.Z_PK)"
            if part
            else "NULL"
        )
        raw = fetch(
            db,
            f"SELECT {cols}, {incoming} AS incoming, {video} AS video, {jid} AS jid "
            "FROM ZWACDCALLEVENT AS e ORDER BY e.Z_PK",
            {
                "Z_PK": "int",
                "ZDATE": "float",
                "ZDURATION": "float",
                "ZOUTCOME": "int",
                "Z1CALLEVENTS": "int",
                "incoming": "int",
                "video": "int",
            },
        )
    start = times.from_cocoa(raw["ZDATE"])
    duration = raw["ZDURATION"]
    inc = raw["incoming"]
    direction = pd.Series(np.where(inc.eq(1).fillna(False), "incoming", "outgoing"), dtype="str")
    frame = pd.DataFrame(
        {
            "time": start,
            "end_time": start + pd.to_timedelta(duration.fillna(0), unit="s"),
            "duration_s": duration,
            "jid": raw["jid"],
            "direction": direction.where(inc.notna().to_numpy(), None),
            "video": raw["video"].astype("boolean"),
            "answered": (duration > 0).astype("boolean"),
            "result": raw["ZOUTCOME"],
            "result_label": labels(raw["ZOUTCOME"], IOS_CALL_OUTCOMES),
            "group_jid": raw["ZGROUPJIDSTRING"],
            "call_id": raw["ZCALLIDSTRING"],
            "time_raw": raw["ZDATE"],
        },
        copy=False,
    )
    return finish(frame, IOS_WA_CALLS, source, raw["Z_PK"])


_WA_CONTACT = ("_id", "jid")
_WA_CONTACT_OPTIONAL = (
    "is_whatsapp_user",
    "status",
    "status_timestamp",
    "number",
    "display_name",
    "given_name",
    "family_name",
    "wa_name",
)


@artifact(ANDROID_WA_CONTACTS)
def read_android_contacts(source: Source) -> pd.DataFrame:
    """Android ``wa.db`` table ``wa_contacts``: one row per jid WhatsApp knows."""
    with open_db(source) as db:
        if missing_schema(db, "wa_contacts", _WA_CONTACT, ANDROID_WA_CONTACTS.id):
            return empty_frame(ANDROID_WA_CONTACTS)
        cols = select_list(db, "wa_contacts", "c", (*_WA_CONTACT, *_WA_CONTACT_OPTIONAL))
        raw = fetch(
            db,
            f"SELECT {cols} FROM wa_contacts AS c ORDER BY c._id",
            {"_id": "int", "is_whatsapp_user": "int", "status_timestamp": "int"},
        )
    n = len(raw)
    frame = pd.DataFrame(
        {
            "time": times.from_unix_ms(_unset_zero(raw["status_timestamp"])),
            "jid": raw["jid"],
            "number": raw["number"],
            "display_name": raw["display_name"],
            "given_name": raw["given_name"],
            "family_name": raw["family_name"],
            "wa_name": raw["wa_name"],
            "status": raw["status"],
            "is_whatsapp_user": raw["is_whatsapp_user"].astype("boolean"),
            "lid": pd.Series([None] * n, dtype="str"),
            "schema": pd.Series(["android"] * n, dtype="str"),
        },
        copy=False,
    )
    return finish(frame, ANDROID_WA_CONTACTS, source, raw["_id"])


_IOS_CONTACT = ("Z_PK", "ZWHATSAPPID")
_IOS_CONTACT_OPTIONAL = (
    "ZPHONENUMBER",
    "ZFULLNAME",
    "ZGIVENNAME",
    "ZLASTNAME",
    "ZABOUTTEXT",
    "ZLID",
)


def _full_jid(raw: pd.Series) -> pd.Series:
    """``ZWHATSAPPID`` with ``@s.whatsapp.net`` added when stored bare (WhatsApp-Chat-Exporter)."""
    text = raw.astype("str")
    bare = text.notna() & ~text.str.contains("@", regex=False).fillna(False)
    result: pd.Series = text.where(~bare, text + "@s.whatsapp.net")
    return result


@artifact(IOS_WA_CONTACTS)
def read_ios_contacts(source: Source) -> pd.DataFrame:
    """iOS ``ContactsV2.sqlite`` table ``ZWAADDRESSBOOKCONTACT``."""
    with open_db(source) as db:
        if missing_schema(db, "ZWAADDRESSBOOKCONTACT", _IOS_CONTACT, IOS_WA_CONTACTS.id):
            return empty_frame(IOS_WA_CONTACTS)
        cols = select_list(
            db, "ZWAADDRESSBOOKCONTACT", "c", (*_IOS_CONTACT, *_IOS_CONTACT_OPTIONAL)
        )
        raw = fetch(
            db, f"SELECT {cols} FROM ZWAADDRESSBOOKCONTACT AS c ORDER BY c.Z_PK", {"Z_PK": "int"}
        )
    n = len(raw)
    frame = pd.DataFrame(
        {
            "time": pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]"),
            "jid": _full_jid(raw["ZWHATSAPPID"]),
            "number": raw["ZPHONENUMBER"],
            "display_name": raw["ZFULLNAME"],
            "given_name": raw["ZGIVENNAME"],
            "family_name": raw["ZLASTNAME"],
            "wa_name": pd.Series([None] * n, dtype="str"),
            "status": raw["ZABOUTTEXT"],
            "is_whatsapp_user": pd.Series([pd.NA] * n, dtype="boolean"),  # not stored
            "lid": raw["ZLID"],
            "schema": pd.Series(["ios"] * n, dtype="str"),
        },
        copy=False,
    )
    return finish(frame, IOS_WA_CONTACTS, source, raw["Z_PK"])
