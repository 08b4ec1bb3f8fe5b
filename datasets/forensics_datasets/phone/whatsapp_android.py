"""WhatsApp for Android: msgstore.db in the modern schema (message, chat, jid, the chat_view view)
and the legacy messages table."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Literal

from forensics_datasets.phone._pack import WalState, write_db
from forensics_datasets.phone.scenario import GROUP_JID, GROUP_SUBJECT, Scenario
from forensics_datasets.phone.whatsapp_common import (
    ANDROID_MSGSTORE,
    lid_jids,
    media_notes,
    message_key,
    unix_ms,
    wa_media,
)
from forensics_datasets.phone.whatsapp_contacts import group_creator

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
                    unix_ms(scenario.wa_messages[0].time) - 86_400_000,
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
                    message_key(scenario.seed, i),
                    jids[m.sender_jid] if m.chat_jid == GROUP_JID and m.sender_jid else 0,
                    13 if m.outgoing else 0,
                    2 if m.chat_jid == GROUP_JID else 0,
                    unix_ms(m.time),
                    unix_ms(m.time) + (0 if m.outgoing else 1_500),
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
                    unix_ms(scenario.wa_messages[i].time) // 1000,
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
                    unix_ms(c.time),
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
        "media": media_notes(scenario, media, "android"),
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
                    message_key(scenario.seed, i),
                    13 if m.outgoing else 0,
                    m.body,
                    unix_ms(m.time),
                    m.sender_jid if m.chat_jid == GROUP_JID and not m.outgoing else None,
                    unix_ms(m.time) + (0 if m.outgoing else 1_500),
                    2 if m.chat_jid == GROUP_JID else 0,
                )
                for i, m in enumerate(scenario.wa_messages)
            ],
        )

    write_db(path, LEGACY_SCHEMA, head, wal=wal)
    return {"schema": "legacy"}
