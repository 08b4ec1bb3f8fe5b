"""Write a scenario's WhatsApp chats and calls as WhatsApp stores them.

Android ``msgstore.db``:

* modern schema: ``jid``, ``chat``, ``message``, ``call_log`` with the ``CREATE TABLE``
  statements of a real msgstore.db schema dump (2024), ``jid_map`` (``lid_row_id``,
  ``jid_row_id``) as readers of LID-era databases use it, and the placeholder row WhatsApp's
  ``MessageTable`` inserts first (``_id`` 1, ``chat_row_id`` -1, ``key_id`` '-1'). Some 1:1
  chats are stored under a privacy "LID" jid (``...@lid``) mapped to the phone jid.
* legacy schema: ``messages`` and ``chat_list`` as WhatsApp's ``MessagesTable`` and
  ``ChatListTable`` create them.
* modern schema also: ``message_media``, ``message_location`` (a real dump's ``CREATE
  TABLE`` text) and the ``chat_view`` view, which ALEAPP ``scripts/artifacts/WhatsApp.py``
  joins; ``wa.db`` beside it (:func:`write_android_wa_contacts`: ``wa_contacts`` with a row
  for every jid WhatsApp chats or calls with, LIDs included, and
  ``wa_group_admin_settings``), written on every Android extraction.

``timestamp``/``received_timestamp`` in Unix ms; ``call_log.duration`` in s.

iOS, in the app-group container: ``ChatStorage.sqlite`` (``ZWACHATSESSION``, ``ZWAMESSAGE``,
``ZWAGROUPMEMBER``, ``ZWAMEDIAITEM``, ``ZWAMESSAGEINFO`` (a receipt row per sent message),
``ZWAGROUPMEMBERSCHANGE``) and ``CallHistory.sqlite`` (``ZWAAGGREGATECALLEVENT``,
``ZWACDCALLEVENT``, ``ZWACDCALLEVENTPARTICIPANT``), Core Data tables with the columns iLEAPP
and WhatsApp-Chat-Exporter read, dates in Cocoa seconds (doubles); ``ContactsV2.sqlite``
with ``ZABOUTTIMESTAMP``, ``ZIDENTIFIER`` (the AddressBook person, ``<guid>:ABPerson``) and
``ZPHONENUMBERLABEL`` (iLEAPP ``whatsAppContacts``). Reconstructed from those columns and
Core Data conventions, not dumped from a device.
"""

from __future__ import annotations

import base64
import hashlib
import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from forensics_datasets.phone._pack import WalState, write_db
from forensics_datasets.phone.scenario import GROUP_JID, GROUP_SUBJECT, Scenario

__all__ = [
    "ANDROID_MSGSTORE",
    "ANDROID_WA_DB",
    "IOS_APP_GROUP",
    "LEGACY_SCHEMA",
    "MODERN_SCHEMA",
    "group_creator",
    "lid_jids",
    "wa_contacts_key",
    "write_android_wa_contacts",
    "write_android_whatsapp",
    "write_ios_wa_contacts",
    "write_ios_whatsapp",
]

ANDROID_MSGSTORE = "data/data/com.whatsapp/databases/msgstore.db"
IOS_APP_GROUP = "private/var/mobile/Containers/Shared/AppGroup/1A2B3C4D-0000-4000-8000-00000000A001"
_COCOA_EPOCH_NS = 978_307_200 * 10**9

_CHAT_VIEW = (
    "_id",
    "hidden",
    "subject",
    "created_timestamp",
    "display_message_row_id",
    "last_message_row_id",
    "last_read_message_row_id",
    "last_read_receipt_sent_message_row_id",
    "last_important_message_row_id",
    "archived",
    "sort_timestamp",
    "mod_tag",
    "gen",
    "spam_detection",
    "unseen_earliest_message_received_time",
    "unseen_message_count",
    "unseen_missed_calls_count",
    "unseen_row_count",
    "plaintext_disabled",
    "vcard_ui_dismissed",
    "change_number_notified_message_row_id",
    "show_group_description",
    "ephemeral_expiration",
    "last_read_ephemeral_message_row_id",
    "ephemeral_setting_timestamp",
    "unseen_important_message_count",
    "ephemeral_disappearing_messages_initiator",
    "group_type",
)

MODERN_SCHEMA = (
    "CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, server TEXT "
    "NOT NULL, agent INTEGER, device INTEGER, type INTEGER, raw_string TEXT)",
    "CREATE TABLE jid_map (lid_row_id INTEGER PRIMARY KEY, jid_row_id INTEGER NOT NULL)",
    "CREATE TABLE chat (_id INTEGER PRIMARY KEY AUTOINCREMENT,jid_row_id INTEGER "
    "UNIQUE,hidden INTEGER,subject TEXT,created_timestamp INTEGER,display_message_row_id "
    "INTEGER,last_message_row_id INTEGER,last_read_message_row_id INTEGER,"
    "last_read_receipt_sent_message_row_id INTEGER,last_important_message_row_id "
    "INTEGER,archived INTEGER,sort_timestamp INTEGER,mod_tag INTEGER,gen REAL,spam_detection "
    "INTEGER,unseen_earliest_message_received_time INTEGER,unseen_message_count "
    "INTEGER,unseen_missed_calls_count INTEGER,unseen_row_count INTEGER,plaintext_disabled "
    "INTEGER,vcard_ui_dismissed INTEGER,change_number_notified_message_row_id "
    "INTEGER,show_group_description INTEGER,ephemeral_expiration "
    "INTEGER,last_read_ephemeral_message_row_id INTEGER,ephemeral_setting_timestamp INTEGER, "
    "unseen_important_message_count INTEGER NOT NULL DEFAULT 0, "
    "ephemeral_disappearing_messages_initiator INTEGER, group_type INTEGER NOT NULL DEFAULT 0, "
    "account_jid_row_id INTEGER)",
    "CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER NOT "
    "NULL, from_me INTEGER NOT NULL, key_id TEXT NOT NULL, sender_jid_row_id INTEGER, status "
    "INTEGER, broadcast INTEGER, recipient_count INTEGER, participant_hash TEXT, "
    "origination_flags INTEGER, origin INTEGER, timestamp INTEGER, received_timestamp "
    "INTEGER, receipt_server_timestamp INTEGER, message_type INTEGER, text_data TEXT, starred "
    "INTEGER, lookup_tables INTEGER, sort_id INTEGER NOT NULL DEFAULT 0 , "
    "message_add_on_flags INTEGER, view_mode INTEGER, translated_text TEXT, "
    "view_replies_thread_id INTEGER)",
    "CREATE UNIQUE INDEX message_key_index ON message (chat_row_id, from_me, key_id, "
    "sender_jid_row_id)",
    "CREATE TABLE call_log (    _id                              INTEGER PRIMARY KEY "
    "AUTOINCREMENT,    jid_row_id                       INTEGER,    from_me "
    "INTEGER,    call_id                          TEXT,    transaction_id "
    "INTEGER,    timestamp                        INTEGER,    video_call "
    "INTEGER,    duration                         INTEGER,    call_result "
    "INTEGER,    bytes_transferred                INTEGER,    group_jid_row_id "
    "INTEGER NOT NULL DEFAULT 0,    is_joinable_group_call           INTEGER,    "
    "call_creator_device_jid_row_id   INTEGER NOT NULL DEFAULT 0, call_random_id TEXT, "
    "call_link_row_id INTEGER NOT NULL DEFAULT 0, is_dnd_mode_on INTEGER, call_type INTEGER, "
    "offer_silence_reason INTEGER, scheduled_id TEXT, telecom_uuid TEXT)",
    "CREATE TABLE props (_id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE, value TEXT)",
    # message_location and message_media: the CREATE TABLE text of a real msgstore.db .schema
    # dump (2024); message_media as far as that dump was published (to sticker_flags).
    "CREATE TABLE message_location (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER, "
    "latitude REAL, longitude REAL, place_name TEXT, place_address TEXT, url TEXT, "
    "live_location_share_duration INTEGER, live_location_sequence_number INTEGER, "
    "live_location_final_latitude REAL, live_location_final_longitude REAL, "
    "live_location_final_timestamp INTEGER, map_download_status INTEGER)",
    "CREATE TABLE message_media (  message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER, "
    "autotransfer_retry_enabled INTEGER, multicast_id TEXT, media_job_uuid TEXT, transferred "
    "INTEGER, transcoded INTEGER, file_path TEXT, file_size INTEGER, suspicious_content "
    "INTEGER, trim_from INTEGER, trim_to INTEGER, face_x INTEGER, face_y INTEGER, media_key "
    "BLOB, media_key_timestamp INTEGER, width INTEGER, height INTEGER, has_streaming_sidecar "
    "INTEGER, gif_attribution INTEGER, thumbnail_height_width_ratio REAL, direct_path TEXT, "
    "first_scan_sidecar BLOB, first_scan_length INTEGER, message_url TEXT, mime_type TEXT, "
    "file_length INTEGER, media_name TEXT, file_hash TEXT, media_duration INTEGER, page_count "
    "INTEGER, enc_file_hash TEXT, partial_media_hash TEXT, partial_media_enc_hash TEXT, "
    "is_animated_sticker INTEGER, original_file_hash TEXT, mute_video INTEGER DEFAULT 0, "
    "media_caption TEXT, media_upload_handle TEXT, sticker_flags INTEGER)",
    # chat_view as WhatsApp 2.24+ creates it (decompiled MessageStore: every chat column but
    # jid_row_id, then CAST(COALESCE(chat.account_jid_row_id, chat.jid_row_id) AS INTEGER)
    # AS jid_row_id); ALEAPP WhatsApp.py get_whatsapp_group_details reads it.
    f"CREATE VIEW chat_view AS SELECT {', '.join(f'chat.{c} AS {c}' for c in _CHAT_VIEW)}, "
    "CAST(COALESCE(chat.account_jid_row_id, chat.jid_row_id) AS INTEGER) AS jid_row_id "
    "FROM chat AS chat",
)

LEGACY_SCHEMA = (
    "CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT "
    "NULL, key_from_me INTEGER, key_id TEXT NOT NULL, status INTEGER, needs_push INTEGER, data "
    "TEXT, timestamp INTEGER, media_url TEXT, media_mime_type TEXT, media_wa_type TEXT, "
    "media_size INTEGER, media_name TEXT, media_caption TEXT, media_hash TEXT, media_duration "
    "INTEGER, origin INTEGER, latitude REAL, longitude REAL, thumb_image TEXT, remote_resource "
    "TEXT, received_timestamp INTEGER, send_timestamp INTEGER, receipt_server_timestamp "
    "INTEGER, receipt_device_timestamp INTEGER, read_device_timestamp INTEGER, "
    "played_device_timestamp INTEGER, raw_data BLOB, recipient_count INTEGER, "
    "participant_hash TEXT, starred INTEGER, quoted_row_id INTEGER, mentioned_jids TEXT, "
    "multicast_id TEXT, edit_version INTEGER, media_enc_hash TEXT, payment_transaction_id "
    "TEXT, forwarded INTEGER, preview_type INTEGER, send_count INTEGER, lookup_tables "
    "INTEGER, future_message_type INTEGER, message_add_on_flags INTEGER)",
    "CREATE UNIQUE INDEX messages_key_index ON messages (key_remote_jid, key_from_me, key_id)",
    "CREATE TABLE chat_list (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT "
    "UNIQUE, message_table_id INTEGER, subject TEXT, creation INTEGER, "
    "last_read_message_table_id INTEGER, last_read_receipt_sent_message_table_id INTEGER, "
    "archived INTEGER, sort_timestamp INTEGER, mod_tag INTEGER, gen REAL, my_messages "
    "INTEGER, plaintext_disabled BOOLEAN, last_message_table_id INTEGER, "
    "unseen_earliest_message_received_time INTEGER, unseen_message_count INTEGER, "
    "unseen_missed_calls_count INTEGER, unseen_row_count INTEGER, vcard_ui_dismissed "
    "INTEGER, change_number_notified_message_id INTEGER, last_important_message_table_id "
    "INTEGER, show_group_description INTEGER, ephemeral_expiration INTEGER, "
    "last_read_ephemeral_message_table_id INTEGER, ephemeral_setting_timestamp INTEGER)",
    # The legacy group membership table (the owner's own row has jid ''); ALEAPP WhatsApp.py
    # get_whatsapp_messages joins it to wadb.wa_contacts. Reconstructed from that query.
    "CREATE TABLE group_participants (_id INTEGER PRIMARY KEY AUTOINCREMENT, gjid TEXT NOT "
    "NULL, jid TEXT NOT NULL, admin INTEGER, pending INTEGER, sent_sender_key INTEGER)",
    "CREATE UNIQUE INDEX group_participants_index ON group_participants (gjid, jid)",
)

CHATSTORAGE_SCHEMA = (
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, "
    "Z_MAX INTEGER)",
    "CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB)",
    "CREATE TABLE ZWACHATSESSION ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZARCHIVED INTEGER, ZMESSAGECOUNTER INTEGER, ZSESSIONTYPE INTEGER, ZUNREADCOUNT INTEGER, "
    "ZLASTMESSAGE INTEGER, ZLASTMESSAGEDATE TIMESTAMP, ZCONTACTJID VARCHAR, ZPARTNERNAME "
    "VARCHAR, ZLASTMESSAGETEXT VARCHAR )",
    "CREATE TABLE ZWAGROUPMEMBER ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZISACTIVE INTEGER, ZISADMIN INTEGER, ZCHATSESSION INTEGER, ZCONTACTNAME VARCHAR, "
    "ZMEMBERJID VARCHAR )",
    "CREATE TABLE ZWAMESSAGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZCHILDMESSAGESDELIVEREDCOUNT INTEGER, ZFLAGS INTEGER, ZGROUPEVENTTYPE INTEGER, ZISFROMME "
    "INTEGER, ZMESSAGEERRORSTATUS INTEGER, ZMESSAGESTATUS INTEGER, ZMESSAGETYPE INTEGER, ZSORT "
    "INTEGER, ZSPOTLIGHTSTATUS INTEGER, ZSTARRED INTEGER, ZCHATSESSION INTEGER, ZGROUPMEMBER "
    "INTEGER, ZLASTSESSION INTEGER, ZMEDIAITEM INTEGER, ZMESSAGEINFO INTEGER, ZPARENTMESSAGE "
    "INTEGER, ZMESSAGEDATE TIMESTAMP, ZSENTDATE TIMESTAMP, ZFROMJID VARCHAR, ZMEDIASECTIONID "
    "VARCHAR, ZPHASH VARCHAR, ZPUSHNAME VARCHAR, ZSTANZAID VARCHAR, ZTEXT VARCHAR, ZTOJID "
    "VARCHAR )",
    # The media, receipt and group-change entities of the same model, with the columns
    # iLEAPP whatsApp.py whatsAppMessages reads (ZMESSAGE, ZLATITUDE, ZLONGITUDE,
    # ZMEDIALOCALPATH, ZXMPPTHUMBPATH, ZMETADATA) and Core Data's naming; reconstructed.
    "CREATE TABLE ZWAMEDIAITEM ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZCLOUDSTATUS INTEGER, ZFILESIZE INTEGER, ZMEDIAORIGIN INTEGER, ZMOVIEDURATION INTEGER, "
    "ZMESSAGE INTEGER, ZASPECTRATIO FLOAT, ZHACCURACY FLOAT, ZLATITUDE FLOAT, ZLONGITUDE "
    "FLOAT, ZMEDIAURLDATE TIMESTAMP, ZAUTHORNAME VARCHAR, ZCOLLECTIONNAME VARCHAR, "
    "ZMEDIALOCALPATH VARCHAR, ZMEDIAURL VARCHAR, ZTHUMBNAILLOCALPATH VARCHAR, ZTITLE VARCHAR, "
    "ZVCARDNAME VARCHAR, ZVCARDSTRING VARCHAR, ZXMPPTHUMBPATH VARCHAR, ZMEDIAKEY BLOB, "
    "ZMETADATA BLOB )",
    "CREATE TABLE ZWAMESSAGEINFO ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZMESSAGE INTEGER, ZRECEIPTINFO BLOB )",
    "CREATE TABLE ZWAGROUPMEMBERSCHANGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT "
    "INTEGER, ZCHANGETYPE INTEGER, ZGROUPMEMBER INTEGER, ZMESSAGE INTEGER, ZMEMBERJID VARCHAR )",
    "CREATE INDEX Z_WAMEDIAITEM_MESSAGE ON ZWAMEDIAITEM (ZMESSAGE)",
    "CREATE INDEX Z_WAMESSAGEINFO_MESSAGE ON ZWAMESSAGEINFO (ZMESSAGE)",
)
IOS_CALLS_SCHEMA = (
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, "
    "Z_MAX INTEGER)",
    "CREATE TABLE ZWAAGGREGATECALLEVENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT "
    "INTEGER, ZINCOMING INTEGER, ZMISSED INTEGER, ZMISSEDREASON INTEGER, ZVIDEO INTEGER, "
    "ZFIRSTDATE TIMESTAMP )",
    "CREATE TABLE ZWACDCALLEVENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZOUTCOME INTEGER, Z1CALLEVENTS INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZBYTESRECEIVED "
    "INTEGER, ZBYTESSENT INTEGER, ZCALLIDSTRING VARCHAR, ZGROUPCALLCREATORUSERJIDSTRING "
    "VARCHAR, ZGROUPJIDSTRING VARCHAR )",
    "CREATE TABLE ZWACDCALLEVENTPARTICIPANT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT "
    "INTEGER, ZOUTCOME INTEGER, Z1PARTICIPANTS INTEGER, ZJIDSTRING VARCHAR )",
)


def _ms(ts: pd.Timestamp) -> int:
    return int(ts.value // 1_000_000)


def _cocoa(ts: pd.Timestamp) -> float:
    return (int(ts.value) - _COCOA_EPOCH_NS) / 1e9


def _key(seed: int, i: int) -> str:
    return f"3EB0{seed:04X}{i:012X}"


@dataclass(frozen=True)
class WaMedia:
    """A picture attached to a WhatsApp message (its text is the caption)."""

    index: int  # the message's index in scenario.wa_messages
    file_name: str
    mime_type: str
    size: int
    width: int
    height: int
    media_key: bytes  # the 32-byte key the app downloads and decrypts the file with
    file_hash: str  # base64 SHA-256 of the plain file, as message_media.file_hash holds it
    enc_file_hash: str  # base64 SHA-256 of the encrypted upload

    def android_path(self, outgoing: bool) -> str:
        """``message_media.file_path``: relative to the WhatsApp folder of shared storage
        (``/storage/emulated/0/Android/media/com.whatsapp/WhatsApp/``); sent pictures under
        ``Sent/``."""
        return "Media/WhatsApp Images/" + ("Sent/" if outgoing else "") + self.file_name

    def ios_path(self, chat_jid: str) -> str:
        """``ZWAMEDIAITEM.ZMEDIALOCALPATH``: ``Media/<jid>/<x>/<y>/<uuid>.jpg`` under the app
        group's ``Message/`` folder."""
        uuid = hashlib.sha256(self.media_key).hexdigest()
        stem = f"{uuid[:8]}-{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:32]}"
        return f"Media/{chat_jid}/{uuid[32]}/{uuid[33]}/{stem}.jpg"


def wa_media(scenario: Scenario, every: int = 5) -> dict[int, WaMedia]:
    """The messages of ``scenario.wa_messages`` sent as a picture with a caption: about one
    in ``every``, drawn from the seed apart from the scenario's own draws (so the scenario
    is unchanged). Message type 1 ("Picture") on Android and iOS; the caption is the
    message's text (Android ``message.text_data``, iOS ``ZWAMEDIAITEM.ZTITLE``)."""
    rng = random.Random(f"wa-media-{scenario.seed}")
    out: dict[int, WaMedia] = {}
    for i, message in enumerate(scenario.wa_messages):
        if rng.random() >= 1 / every:
            continue
        n = len(out) + 1
        plain, encrypted = rng.randbytes(32), rng.randbytes(32)
        out[i] = WaMedia(
            index=i,
            file_name=f"IMG-{message.time:%Y%m%d}-WA{n:04d}.jpg",
            mime_type="image/jpeg",
            size=rng.randint(40_000, 2_500_000),
            width=1600,
            height=1200,
            media_key=rng.randbytes(32),
            file_hash=base64.b64encode(plain).decode(),
            enc_file_hash=base64.b64encode(encrypted).decode(),
        )
    return out


def _media_notes(
    scenario: Scenario, media: dict[int, WaMedia], os: Literal["android", "ios"]
) -> list[dict[str, Any]]:
    """The answer key of the media rows: per picture message, what the database holds."""
    notes = []
    for i, item in sorted(media.items()):
        m = scenario.wa_messages[i]
        path = item.android_path(m.outgoing) if os == "android" else item.ios_path(m.chat_jid)
        notes.append(
            {
                "index": i,
                "key_id": _key(scenario.seed, i),
                "file_path": path,
                "mime_type": item.mime_type,
                "size": item.size,
                "caption": m.body,
            }
        )
    return notes


def lid_jids(scenario: Scenario, lid_every: int = 3) -> dict[str, str]:
    """Phone jid -> privacy "LID" jid of every ``lid_every``-th 1:1 chat (in first-message
    order): the chats :func:`write_android_whatsapp` stores under their LID."""
    chats: dict[str, None] = {}
    for message in scenario.wa_messages:
        chats.setdefault(message.chat_jid, None)
    one_to_one = [c for c in chats if c.endswith("@s.whatsapp.net")]
    chosen = [c for n, c in enumerate(one_to_one) if n % lid_every == 0]
    return {chat: f"{90000000000000 + n}@lid" for n, chat in enumerate(chosen)}


def write_android_whatsapp(
    root: Path,
    scenario: Scenario,
    *,
    schema: Literal["modern", "legacy"] = "modern",
    wal: WalState = "tail",
    lid_every: int = 3,
) -> dict[str, Any]:
    """Write ``msgstore.db``; every ``lid_every``-th 1:1 chat is stored under a LID jid."""
    path = root / ANDROID_MSGSTORE
    if schema == "legacy":
        return _write_legacy(path, scenario, wal)
    jids: dict[str, int] = {}
    lids: dict[str, int] = {}

    def jid_row(raw: str) -> int:
        return jids.setdefault(raw, len(jids) + 1)

    chats: dict[str, int] = {}
    for message in scenario.wa_messages:
        chats.setdefault(message.chat_jid, len(chats) + 1)
    for raw in [*chats, *(m.sender_jid for m in scenario.wa_messages if m.sender_jid)]:
        jid_row(raw)
    for call in scenario.wa_calls:
        jid_row(call.jid)
    for chat, lid in lid_jids(scenario, lid_every).items():
        lids[chat] = jid_row(lid)

    def chat_jid_row(chat: str) -> int:
        return lids.get(chat) or jids[chat]

    media = wa_media(scenario)

    def head(conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO jid (_id, user, server, agent, device, type, raw_string) "
            "VALUES (?, ?, ?, 0, 0, ?, ?)",
            [
                (i, raw.split("@")[0], raw.split("@")[1], 1 if raw.endswith("@g.us") else 0, raw)
                for raw, i in jids.items()
            ],
        )
        conn.executemany(
            "INSERT INTO jid_map (lid_row_id, jid_row_id) VALUES (?, ?)",
            [(lid, jids[chat]) for chat, lid in lids.items()],
        )
        conn.executemany(
            "INSERT INTO chat (_id, jid_row_id, hidden, subject, created_timestamp) "
            "VALUES (?, ?, 0, ?, ?)",
            [
                (
                    i,
                    chat_jid_row(c),
                    GROUP_SUBJECT if c == GROUP_JID else None,
                    _ms(scenario.wa_messages[0].time) - 86_400_000,
                )
                for c, i in chats.items()
            ],
        )
        # The placeholder row WhatsApp's MessageTable inserts when it creates the table.
        conn.execute(
            "INSERT INTO message (_id, chat_row_id, from_me, key_id) VALUES (1, -1, 0, '-1')"
        )
        conn.executemany(
            "INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, status, "
            "recipient_count, timestamp, received_timestamp, message_type, text_data, sort_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i + 2,
                    chats[m.chat_jid],
                    int(m.outgoing),
                    _key(scenario.seed, i),
                    jids[m.sender_jid] if m.chat_jid == GROUP_JID and m.sender_jid else 0,
                    13 if m.outgoing else 0,
                    2 if m.chat_jid == GROUP_JID else 0,
                    _ms(m.time),
                    _ms(m.time) + (0 if m.outgoing else 1_500),
                    1 if i in media else 0,  # 1 Picture: its caption in text_data
                    m.body,
                    i + 2,
                )
                for i, m in enumerate(scenario.wa_messages)
            ],
        )
        # One message_media row per picture message, keyed by the message's _id.
        conn.executemany(
            "INSERT INTO message_media (message_row_id, chat_row_id, transferred, file_path, "
            "file_size, media_key, media_key_timestamp, width, height, direct_path, "
            "message_url, mime_type, file_length, file_hash, enc_file_hash) "
            "VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i + 2,
                    chats[scenario.wa_messages[i].chat_jid],
                    item.android_path(scenario.wa_messages[i].outgoing),
                    item.size,
                    item.media_key,
                    _ms(scenario.wa_messages[i].time) // 1000,
                    item.width,
                    item.height,
                    f"/v/t62.7118-24/{item.enc_file_hash[:12]}.enc",
                    f"https://mmg.whatsapp.net/v/t62.7118-24/{item.enc_file_hash[:12]}.enc",
                    item.mime_type,
                    item.size,
                    item.file_hash,
                    item.enc_file_hash,
                )
                for i, item in sorted(media.items())
            ],
        )

    def tail(conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO call_log (_id, jid_row_id, from_me, call_id, transaction_id, timestamp, "
            "video_call, duration, call_result, bytes_transferred) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i + 1,
                    jids[c.jid],
                    int(c.outgoing),
                    f"CALL{scenario.seed:04X}{i:08X}",
                    i + 1,
                    _ms(c.time),
                    int(c.video),
                    c.duration_s,
                    5 if c.duration_s else 2,
                    c.duration_s * 4_000,
                )
                for i, c in enumerate(scenario.wa_calls)
            ],
        )
        conn.execute("INSERT INTO props (key, value) VALUES ('user_push_name', 'Owner Example')")

    write_db(path, MODERN_SCHEMA, head, tail, wal=wal)
    return {
        "schema": "modern",
        "lid_chats": sorted(lids),
        "placeholder_row_id": 1,
        "media": _media_notes(scenario, media, "android"),
    }


def _write_legacy(path: Path, scenario: Scenario, wal: WalState) -> dict[str, Any]:
    members = sorted(
        {m.sender_jid for m in scenario.wa_messages if m.chat_jid == GROUP_JID and m.sender_jid}
    )
    creator = group_creator(scenario)

    def head(conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO group_participants (gjid, jid, admin, pending, sent_sender_key) "
            "VALUES (?, ?, ?, 0, 1)",
            [(GROUP_JID, "", 0)] + [(GROUP_JID, j, int(j == creator)) for j in members],
        )
        chats = sorted({m.chat_jid for m in scenario.wa_messages})
        conn.executemany(
            "INSERT INTO chat_list (key_remote_jid, subject, creation) VALUES (?, ?, ?)",
            [(c, GROUP_SUBJECT if c == GROUP_JID else None, 0) for c in chats],
        )
        conn.executemany(
            "INSERT INTO messages (_id, key_remote_jid, key_from_me, key_id, status, data, "
            "timestamp, media_wa_type, remote_resource, received_timestamp, recipient_count) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, '0', ?, ?, ?)",
            [
                (
                    i + 1,
                    m.chat_jid,
                    int(m.outgoing),
                    _key(scenario.seed, i),
                    13 if m.outgoing else 0,
                    m.body,
                    _ms(m.time),
                    m.sender_jid if m.chat_jid == GROUP_JID and not m.outgoing else None,
                    _ms(m.time) + (0 if m.outgoing else 1_500),
                    2 if m.chat_jid == GROUP_JID else 0,
                )
                for i, m in enumerate(scenario.wa_messages)
            ],
        )

    write_db(path, LEGACY_SCHEMA, head, wal=wal)
    return {"schema": "legacy"}


def write_ios_whatsapp(root: Path, scenario: Scenario, *, wal: WalState = "tail") -> dict[str, Any]:
    """Write ``ChatStorage.sqlite`` and ``CallHistory.sqlite`` in the app-group container."""
    group = root / IOS_APP_GROUP
    sessions: dict[str, int] = {}
    for message in scenario.wa_messages:
        sessions.setdefault(message.chat_jid, len(sessions) + 1)
    members: dict[str, int] = {}
    for message in scenario.wa_messages:
        if message.chat_jid == GROUP_JID and message.sender_jid:
            members.setdefault(message.sender_jid, len(members) + 1)

    sent = [i for i, m in enumerate(scenario.wa_messages) if m.outgoing]
    media = wa_media(scenario)
    item_pk = {i: n for n, i in enumerate(sorted(media), start=1)}

    def chats(conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO ZWACHATSESSION (Z_PK, Z_ENT, Z_OPT, ZSESSIONTYPE, ZCONTACTJID, "
            "ZPARTNERNAME) VALUES (?, 6, 1, ?, ?, ?)",
            [
                (i, 1 if c == GROUP_JID else 0, c, GROUP_SUBJECT if c == GROUP_JID else None)
                for c, i in sessions.items()
            ],
        )
        conn.executemany(
            "INSERT INTO ZWAGROUPMEMBER (Z_PK, Z_ENT, Z_OPT, ZISACTIVE, ZCHATSESSION, ZMEMBERJID) "
            "VALUES (?, 4, 1, 1, ?, ?)",
            [(i, sessions[GROUP_JID], m) for m, i in members.items()],
        )
        # A sent message has its receipts in a ZWAMESSAGEINFO row (ZMESSAGE, ZRECEIPTINFO).
        info = {i + 1: n for n, i in enumerate(sent, start=1)}
        conn.executemany(
            "INSERT INTO ZWAMESSAGEINFO (Z_PK, Z_ENT, Z_OPT, ZMESSAGE, ZRECEIPTINFO) "
            "VALUES (?, 10, 1, ?, ?)",
            [(n, pk, b"\x0a\x00") for pk, n in info.items()],
        )
        conn.executemany(
            "INSERT INTO ZWAMESSAGE (Z_PK, Z_ENT, Z_OPT, ZISFROMME, ZMESSAGETYPE, ZCHATSESSION, "
            "ZGROUPMEMBER, ZMESSAGEINFO, ZMEDIAITEM, ZMESSAGEDATE, ZSENTDATE, ZFROMJID, ZTOJID, "
            "ZSTANZAID, ZTEXT) VALUES (?, 9, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i + 1,
                    int(m.outgoing),
                    1 if i in media else 0,  # 1 image
                    sessions[m.chat_jid],
                    members.get(m.sender_jid or "") if m.chat_jid == GROUP_JID else None,
                    info.get(i + 1),
                    item_pk.get(i),
                    _cocoa(m.time),
                    _cocoa(m.time),
                    None if m.outgoing else m.chat_jid,
                    m.chat_jid if m.outgoing else None,
                    _key(scenario.seed, i),
                    None if i in media else m.body,  # a picture's caption is ZTITLE's
                )
                for i, m in enumerate(scenario.wa_messages)
            ],
        )
        # ZWAMEDIAITEM: ZMESSAGE is the message's Z_PK (and ZWAMESSAGE.ZMEDIAITEM this
        # row's); caption in ZTITLE, ZTEXT NULL; no MIME column for pictures.
        conn.executemany(
            "INSERT INTO ZWAMEDIAITEM (Z_PK, Z_ENT, Z_OPT, ZCLOUDSTATUS, ZFILESIZE, ZMEDIAORIGIN, "
            "ZMESSAGE, ZASPECTRATIO, ZMEDIAURLDATE, ZMEDIALOCALPATH, ZMEDIAURL, ZTITLE, ZMEDIAKEY) "
            "VALUES (?, 7, 1, 0, ?, 0, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    item_pk[i],
                    item.size,
                    i + 1,
                    item.width / item.height,
                    _cocoa(scenario.wa_messages[i].time),
                    item.ios_path(scenario.wa_messages[i].chat_jid),
                    f"https://mmg.whatsapp.net/v/t62.7118-24/{item.enc_file_hash[:12]}.enc",
                    scenario.wa_messages[i].body,
                    item.media_key,
                )
                for i, item in sorted(media.items())
            ],
        )

    def calls(conn: sqlite3.Connection) -> None:
        for i, c in enumerate(scenario.wa_calls, start=1):
            conn.execute(
                "INSERT INTO ZWAAGGREGATECALLEVENT (Z_PK, Z_ENT, Z_OPT, ZINCOMING, ZMISSED, "
                "ZVIDEO, ZFIRSTDATE) VALUES (?, 1, 1, ?, ?, ?, ?)",
                (i, int(not c.outgoing), int(c.duration_s == 0), int(c.video), _cocoa(c.time)),
            )
            conn.execute(
                "INSERT INTO ZWACDCALLEVENT (Z_PK, Z_ENT, Z_OPT, ZOUTCOME, Z1CALLEVENTS, ZDATE, "
                "ZDURATION, ZCALLIDSTRING) VALUES (?, 2, 1, ?, ?, ?, ?, ?)",
                (
                    i,
                    0 if c.duration_s else 1,
                    i,
                    _cocoa(c.time),
                    float(c.duration_s),
                    f"CALL{scenario.seed:04X}{i - 1:08X}",
                ),
            )
            conn.execute(
                "INSERT INTO ZWACDCALLEVENTPARTICIPANT (Z_PK, Z_ENT, Z_OPT, ZOUTCOME, "
                "Z1PARTICIPANTS, ZJIDSTRING) VALUES (?, 3, 1, ?, ?, ?)",
                (i, 0 if c.duration_s else 1, i, c.jid),
            )

    write_db(group / "ChatStorage.sqlite", CHATSTORAGE_SCHEMA, chats, wal=wal)
    write_db(group / "CallHistory.sqlite", IOS_CALLS_SCHEMA, calls, wal=wal)
    return {"app_group": "/" + IOS_APP_GROUP, "media": _media_notes(scenario, media, "ios")}


ANDROID_WA_DB = "data/data/com.whatsapp/databases/wa.db"
# wa_contacts as dumped from a real wa.db (CREATE TABLE wa_contacts(_id INTEGER PRIMARY KEY
# AUTOINCREMENT,jid TEXT NOT NULL,is_whatsapp_user BOOLEAN NOT NULL,status TEXT,...)).
WA_DB_SCHEMA = (
    "CREATE TABLE wa_contacts(_id INTEGER PRIMARY KEY AUTOINCREMENT,jid TEXT NOT NULL,"
    "is_whatsapp_user BOOLEAN NOT NULL,status TEXT,status_timestamp INTEGER,number TEXT,"
    "raw_contact_id INTEGER,display_name TEXT,phone_type INTEGER,phone_label TEXT,"
    "unseen_msg_count INTEGER,photo_ts INTEGER,thumb_ts INTEGER,photo_id_timestamp INTEGER,"
    "given_name TEXT,family_name TEXT,wa_name TEXT,sort_name TEXT,nickname TEXT,company TEXT,"
    "title TEXT,status_autodownload_disabled INTEGER,keep_timestamp INTEGER,"
    "is_spam_reported INTEGER,is_sidelist_synced BOOLEAN DEFAULT 0,is_business_synced BOOLEAN "
    "DEFAULT 0,disappearing_mode_duration INTEGER,disappearing_mode_timestamp LONG,"
    "history_sync_initial_phash TEXT, is_starred BOOLEAN)",
    # The CREATE TABLE and index of WhatsApp's ContactsDatabaseHelper (decompiled 2.2x), then
    # creator_jid as a later release adds it (ALEAPP WhatsApp.py get_whatsapp_group_details
    # reads wadb.wa_group_admin_settings.creator_jid).
    "CREATE TABLE wa_group_admin_settings (jid TEXT NOT NULL, restrict_mode BOOLEAN NOT NULL,"
    "announcement_group BOOLEAN NOT NULL,no_frequently_forwarded BOOLEAN NOT NULL, "
    "ephemeral_duration INTEGER DEFAULT NULL)",
    "CREATE UNIQUE INDEX group_admin_settings_jid_index ON wa_group_admin_settings(jid)",
    "ALTER TABLE wa_group_admin_settings ADD COLUMN creator_jid TEXT",
)
# ZWAADDRESSBOOKCONTACT with the columns WhatsApp-Chat-Exporter and iOS readers query
# (Core Data conventions; reconstructed, not dumped from a device).
CONTACTSV2_SCHEMA = (
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, "
    "Z_MAX INTEGER)",
    "CREATE TABLE ZWAADDRESSBOOKCONTACT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT "
    "INTEGER, ZABOUTTIMESTAMP TIMESTAMP, ZABOUTTEXT VARCHAR, ZFULLNAME VARCHAR, ZGIVENNAME "
    "VARCHAR, ZIDENTIFIER VARCHAR, ZLASTNAME VARCHAR, ZLID VARCHAR, ZPHONENUMBER VARCHAR, "
    "ZPHONENUMBERLABEL VARCHAR, ZWHATSAPPID VARCHAR )",
)
_ABOUT = ("Hey there! I am using WhatsApp.", "Busy", "Available", "At work")


def ios_person_guid(index: int) -> str:
    """The (synthetic) UUID of the ``index``-th (1-based) AddressBook person."""
    return f"0000{index:04X}-EXAM-4000-8000-00000000AB{index:02X}"


def wa_contacts_key(scenario: Scenario) -> list[dict[str, Any]]:
    """The WhatsApp contacts the writers below store: one per address-book contact's first
    number (a WhatsApp user when the scenario chats or calls with it), then the group."""
    users = {m.chat_jid for m in scenario.wa_messages} | {c.jid for c in scenario.wa_calls}
    users |= {m.sender_jid for m in scenario.wa_messages if m.sender_jid}
    out: list[dict[str, Any]] = []
    for i, contact in enumerate(scenario.contacts):
        if not contact.phones:
            continue
        number = contact.phones[0]
        jid = number.lstrip("+") + "@s.whatsapp.net"
        is_user = jid in users
        out.append(
            {
                "jid": jid,
                "number": number,
                "display_name": contact.display_name,
                "given_name": contact.first,
                "family_name": contact.last,
                "wa_name": f"{contact.first} {contact.last[0]}." if is_user else None,
                "status": _ABOUT[i % len(_ABOUT)] if is_user else None,
                "status_time": contact.modified.isoformat() if is_user else None,
                "is_whatsapp_user": is_user,
            }
        )
    return out


def group_creator(scenario: Scenario) -> str | None:
    """The member who created the scenario's group: the first one who writes in it."""
    return next(
        (m.sender_jid for m in scenario.wa_messages if m.chat_jid == GROUP_JID and m.sender_jid),
        None,
    )


def write_android_wa_contacts(
    root: Path, scenario: Scenario, *, wal: WalState = "none", lid_every: int | None = 3
) -> dict[str, Any]:
    """Write ``wa.db``: ``wa_contacts`` (the contacts of :func:`wa_contacts_key`, then a row
    for the LID jid of each chat msgstore.db keeps under its LID, then the group) and
    ``wa_group_admin_settings`` (the group, its creator).

    WhatsApp keeps a ``wa_contacts`` row for every jid it has a chat with, LIDs included:
    ALEAPP joins msgstore.db's ``jid.raw_string`` to ``wa_contacts.jid`` (an inner join for
    1:1 messages and calls), so a chat without its row vanishes from ALEAPP's report."""
    key = wa_contacts_key(scenario)
    by_jid = {c["jid"]: c for c in key}
    lids = lid_jids(scenario, lid_every) if lid_every else {}  # None: a legacy msgstore.db
    for phone_jid, lid in lids.items():
        person = by_jid.get(phone_jid)
        key.append(
            {
                "jid": lid,
                "number": None,
                "display_name": person["display_name"] if person else None,
                "given_name": person["given_name"] if person else None,
                "family_name": person["family_name"] if person else None,
                "wa_name": person["wa_name"] if person else None,
                "status": None,
                "status_time": None,
                "is_whatsapp_user": True,
            }
        )
    creator = group_creator(scenario)

    def head(conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO wa_contacts (jid, is_whatsapp_user, status, status_timestamp, number, "
            "raw_contact_id, display_name, given_name, family_name, wa_name) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    c["jid"],
                    int(c["is_whatsapp_user"]),
                    c["status"],
                    _ms(pd.Timestamp(c["status_time"])) if c["status_time"] else 0,
                    c["number"],
                    i + 1 if c["number"] else None,
                    c["display_name"],
                    c["given_name"],
                    c["family_name"],
                    c["wa_name"],
                )
                for i, c in enumerate(key)
            ],
        )
        conn.execute(
            "INSERT INTO wa_contacts (jid, is_whatsapp_user, display_name) VALUES (?, 1, ?)",
            (GROUP_JID, GROUP_SUBJECT),
        )
        conn.execute(
            "INSERT INTO wa_group_admin_settings (jid, restrict_mode, announcement_group, "
            "no_frequently_forwarded, creator_jid) VALUES (?, 0, 0, 0, ?)",
            (GROUP_JID, creator),
        )

    write_db(root / ANDROID_WA_DB, WA_DB_SCHEMA, head, wal=wal)
    group = {
        "jid": GROUP_JID,
        "number": None,
        "display_name": GROUP_SUBJECT,
        "given_name": None,
        "family_name": None,
        "wa_name": None,
        "status": None,
        "status_time": None,
        "is_whatsapp_user": True,
    }
    return {"path": "/" + ANDROID_WA_DB, "contacts": [*key, group], "group_creator": creator}


def write_ios_wa_contacts(
    root: Path, scenario: Scenario, *, wal: WalState = "none"
) -> dict[str, Any]:
    """Write ``ContactsV2.sqlite``: every other WhatsApp id stored bare (no ``@s.whatsapp.net``),
    non-users with no ZWHATSAPPID."""
    key = wa_contacts_key(scenario)
    person = {  # first number -> AddressBook ABPerson.ROWID (1-based contact index)
        c.phones[0]: n for n, c in enumerate(scenario.contacts, start=1) if c.phones
    }

    def head(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO Z_PRIMARYKEY VALUES (1, 'WAAddressBookContact', 0, ?)", (len(key),)
        )
        conn.executemany(
            "INSERT INTO ZWAADDRESSBOOKCONTACT (Z_PK, Z_ENT, Z_OPT, ZABOUTTIMESTAMP, "
            "ZABOUTTEXT, ZFULLNAME, ZGIVENNAME, ZIDENTIFIER, ZLASTNAME, ZLID, ZPHONENUMBER, "
            "ZPHONENUMBERLABEL, ZWHATSAPPID) "
            "VALUES (?, 1, 1, ?, ?, ?, ?, ?, ?, NULL, ?, '_$!<Mobile>!$_', ?)",
            [
                (
                    i,
                    _cocoa(pd.Timestamp(c["status_time"])) if c["status_time"] else None,
                    c["status"],
                    c["display_name"],
                    c["given_name"],
                    # CNContact.identifier of the address-book person: "<UUID>:ABPerson".
                    f"{ios_person_guid(person[c['number']])}:ABPerson",
                    c["family_name"],
                    c["number"],
                    (c["jid"] if i % 2 else c["jid"].split("@")[0])
                    if c["is_whatsapp_user"]
                    else None,
                )
                for i, c in enumerate(key, start=1)
            ],
        )

    write_db(root / IOS_APP_GROUP / "ContactsV2.sqlite", CONTACTSV2_SCHEMA, head, wal=wal)
    return {"path": f"/{IOS_APP_GROUP}/ContactsV2.sqlite", "contacts": key}
