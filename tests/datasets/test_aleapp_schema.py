"""The generated extractions answer ALEAPP's and iLEAPP's own queries as a real phone does.

Each query below is the SQL text of the named ALEAPP / iLEAPP artifact (copied as a fact, with
its file), run with sqlite3 against the generated database; the row count it returns must be
the generator's answer key's. Before issue 14 several of these returned 0 rows (no
``message_media``/``message_location`` in msgstore.db, no ``wa.db``, no ``ZWAMEDIAITEM``, no
``ABMultiValueEntry``...) or failed outright on a missing table.

Truth: the answer key of :func:`forensics_datasets.phone.make_phone_extraction` (its
``scenario`` and ``writer`` sections), and counts derived from it by hand where said.

The slow test at the end runs ALEAPP and iLEAPP themselves when their checkouts are given
(``ALEAPP_DIR`` / ``ILEAPP_DIR``); the kit does not install them.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from forensics_datasets.phone import make_phone_extraction
from forensics_datasets.phone.extras import search_term
from forensics_datasets.phone.scenario import GROUP_JID

from forensics_lib.phone import open_extraction

SEED = 22  # make_extras(22) visits one search URL (keyword_search_terms holds a row)

# -- ALEAPP scripts/artifacts/WhatsApp.py (abrignoni/ALEAPP, 2026) -----------------------------
ALEAPP_WA_CONTACTS = """
        SELECT
            CASE
                WHEN WC.given_name IS NULL AND WC.family_name IS NULL AND WC.display_name IS NULL THEN WC.jid
                WHEN WC.given_name IS NULL AND WC.family_name IS NULL THEN WC.display_name
                WHEN WC.given_name IS NULL THEN WC.family_name
                WHEN WC.family_name IS NULL THEN WC.given_name
                ELSE WC.given_name || " " || WC.family_name
            END,
            jid,
            CASE WHEN WC.number IS NULL THEN WC.jid WHEN WC.number == "" THEN WC.jid ELSE WC.number END
        FROM wa_contacts AS WC
"""  # noqa: E501
ALEAPP_WA_CALLS = """
        SELECT
            datetime(call_log.timestamp/1000,'unixepoch'),
            datetime((call_log.timestamp/1000 + call_log.duration),'unixepoch'),
            strftime('%H:%M:%S', call_log.duration ,'unixepoch'),
            chat.subject,
            CASE WHEN call_log.from_me=0 THEN "Incoming" WHEN call_log.from_me=1 THEN "Outgoing" END,
            CASE WHEN call_log.from_me=1 THEN "Self" ELSE wa_contacts.wa_name END,
            CASE WHEN call_log.from_me=1 THEN "" ELSE wa_contacts.jid END,
            CASE WHEN call_log.video_call=0 THEN "Audio" WHEN call_log.video_call=1 THEN "Video" END
        FROM call_log
        LEFT JOIN jid ON jid._id=call_log.jid_row_id
        JOIN wa_contacts ON wa_contacts.jid=jid.raw_string
        LEFT JOIN chat ON chat.jid_row_id=call_log.group_jid_row_id
        ORDER BY call_log.timestamp ASC
"""  # noqa: E501
_MESSAGE_TYPE_CASE = """CASE
        WHEN message.message_type=0 THEN "Text"
        WHEN message.message_type=1 THEN "Picture"
        WHEN message.message_type=2 THEN "Audio"
        WHEN message.message_type=3 THEN "Video"
        WHEN message.message_type=5 THEN "Static Location"
        WHEN message.message_type=7 THEN "System Message"
        WHEN message.message_type=9 THEN "Document"
        WHEN message.message_type=16 THEN "Live Location"
        ELSE message.message_type
        END"""
_LOCATION_MEDIA = """
            message.text_data,
            message_media.file_path,
            message_media.file_size,
            message_location.latitude,
            message_location.longitude,
            message_location.live_location_share_duration,
            message_location.live_location_final_latitude,
            message_location.live_location_final_longitude,
            datetime(message_location.live_location_final_timestamp/1000,'unixepoch')"""
ALEAPP_WA_ONE_TO_ONE = f"""
        SELECT
            CASE WHEN message.timestamp = 0 THEN '' ELSE datetime(message.timestamp/1000,'unixepoch') END,
            CASE WHEN message.received_timestamp = 0 THEN ''
                ELSE datetime(message.received_timestamp/1000,'unixepoch') END,
            wa_contacts.wa_name,
            CASE WHEN message.from_me=0 THEN wa_contacts.jid ELSE "" END,
            CASE WHEN message.from_me=0 THEN "Incoming" WHEN message.from_me=1 THEN "Outgoing" END,
            {_MESSAGE_TYPE_CASE},{_LOCATION_MEDIA}
        FROM message
        JOIN chat ON chat._id=message.chat_row_id
        JOIN jid ON jid._id=chat.jid_row_id
        LEFT JOIN message_media ON message_media.message_row_id=message._id
        LEFT JOIN message_location ON message_location.message_row_id=message._id
        JOIN wa_contacts ON wa_contacts.jid=jid.raw_string
        WHERE message.recipient_count=0
        ORDER BY message.timestamp ASC
"""  # noqa: E501
ALEAPP_WA_GROUP = f"""
        SELECT
            CASE WHEN message.timestamp = 0 THEN '' ELSE datetime(message.timestamp/1000,'unixepoch') END,
            CASE WHEN message.received_timestamp = 0 THEN ''
                ELSE datetime(message.received_timestamp/1000,'unixepoch') END,
            chat.subject,
            CASE WHEN message.from_me=1 THEN "Self" ELSE wa_contacts.wa_name END,
            CASE WHEN message.from_me=0 THEN wa_contacts.jid ELSE "" END,
            CASE WHEN message.from_me=0 THEN "Incoming" WHEN message.from_me=1 THEN "Outgoing" END,
            {_MESSAGE_TYPE_CASE},{_LOCATION_MEDIA}
        FROM message
        JOIN chat ON chat._id=message.chat_row_id
        LEFT JOIN jid ON jid._id=message.sender_jid_row_id
        LEFT JOIN message_media ON message_media.message_row_id=message._id
        LEFT JOIN message_location ON message_location.message_row_id=message._id
        LEFT JOIN wa_contacts ON wa_contacts.jid=jid.raw_string
        WHERE message.recipient_count>=1
        ORDER BY message.timestamp ASC
"""  # noqa: E501
ALEAPP_WA_GROUP_DETAILS = """
        SELECT
            datetime(chat_view.created_timestamp/1000,'unixepoch'),
            chat_view.subject,
            (SELECT creator_jid FROM wadb.wa_group_admin_settings
                WHERE wadb.wa_group_admin_settings.jid = jid.raw_string),
            (SELECT wa_name FROM wadb.wa_contacts WHERE wadb.wa_contacts.jid =
                (SELECT creator_jid FROM wadb.wa_group_admin_settings
                    WHERE wadb.wa_group_admin_settings.jid = jid.raw_string)),
            (SELECT number FROM wadb.wa_contacts WHERE wadb.wa_contacts.jid =
                (SELECT creator_jid FROM wadb.wa_group_admin_settings
                    WHERE wadb.wa_group_admin_settings.jid = jid.raw_string))
        FROM chat_view
        JOIN jid ON jid._id = chat_view.jid_row_id
        LEFT JOIN wa_group_admin_settings ON wa_group_admin_settings.jid=chat_view.jid_row_id
        LEFT JOIN wa_contacts ON wa_contacts.jid=jid.raw_string
        WHERE chat_view.subject NOT NULL
        ORDER BY chat_view.created_timestamp ASC
"""

# -- ALEAPP scripts/artifacts/smsmms.py and calllog.py -------------------------------------------
ALEAPP_SMS = """
    SELECT _id as msg_id, thread_id, address, person,
        CASE WHEN date>0 THEN datetime(date/1000, 'UNIXEPOCH')
             ELSE ""
        END as date,
        CASE WHEN date_sent>0 THEN datetime(date_sent/1000, 'UNIXEPOCH')
             ELSE ""
        END as date_sent,
        read,
        CASE WHEN type=1 THEN "Received"
             WHEN type=2 THEN "Sent"
             ELSE type
        END as type,
        body, service_center, error_code
    FROM sms
    ORDER BY date
"""
ALEAPP_MMS = """
    SELECT pdu._id as mms_id,
        thread_id,
        CASE WHEN date>0 THEN datetime(pdu.date, 'UNIXEPOCH')
             ELSE ""
        END as date,
        CASE WHEN date_sent>0 THEN datetime(pdu.date_sent, 'UNIXEPOCH')
             ELSE ""
        END as date_sent,
        read,
        (SELECT address FROM addr WHERE pdu._id=addr.msg_id and addr.type=0x89)as "FROM",
        (SELECT address FROM addr WHERE pdu._id=addr.msg_id and addr.type=0x97)as "TO",
        (SELECT address FROM addr WHERE pdu._id=addr.msg_id and addr.type=0x82)as "CC",
        (SELECT address FROM addr WHERE pdu._id=addr.msg_id and addr.type=0x81)as "BCC",
        CASE WHEN msg_box=1 THEN "Received"
             WHEN msg_box=2 THEN "Sent"
             ELSE msg_box
        END as msg_box,
        part._id as part_id, seq, ct, cl, _data, text
    FROM pdu LEFT JOIN part ON part.mid=pdu._id
    ORDER BY pdu._id, date, part_id
"""
ALEAPP_CALLLOG = """
            SELECT
            datetime(date /1000, 'unixepoch') as date,
            CASE
                WHEN phone_account_address is NULL THEN ' '
                ELSE phone_account_address
                end as phone_account_address,
            number,
            CASE
                WHEN type = 1 THEN  'Incoming'
                WHEN type = 2 THEN  'Outgoing'
                WHEN type = 3 THEN  'Missed'
                WHEN type = 4 THEN  'Voicemail'
                WHEN type = 5 THEN  'Rejected'
                WHEN type = 6 THEN  'Blocked'
                WHEN type = 7 THEN  'Answered Externally'
                ELSE 'Unknown'
                end as types,
            duration,
            CASE
                WHEN geocoded_location is NULL THEN ' '
                ELSE geocoded_location
                end as geocoded_location,
            countryiso,
            CASE
                WHEN _data is NULL THEN ' '
                ELSE _data
                END as _data,
            CASE
                WHEN mime_type is NULL THEN ' '
                ELSE mime_type
                END as mime_type,
            CASE
                WHEN transcription is NULL THEN ' '
                ELSE transcription
                END as transcription,
            deleted
            FROM
            calls
"""

# -- ALEAPP scripts/artifacts/chrome.py (get_chromeWebVisits, get_chromeDownloads with the
# columns of a v65+ database, get_chromeKeywordSearchTerms); the CASE lists are shortened to
# their first arms, which changes no row count. ---------------------------------------------
ALEAPP_CHROME_VISITS = """
        SELECT
        visits.visit_time,
        urls.url,
        urls.title,
        CASE visits.visit_duration
            WHEN 0 THEN ''
            ELSE strftime('%H:%M:%f', visits.visit_duration / 1000000.000,'unixepoch')
        END as Duration,
        CASE visits.transition & 0xff
            WHEN 0 THEN 'LINK'
            WHEN 1 THEN 'TYPED'
            ELSE NULL
        END AS CoreTransitionType,
        Query2.url AS FromURL
        FROM visits
        LEFT JOIN urls ON visits.url = urls.id
        LEFT JOIN (SELECT urls.url,urls.title,visits.visit_time,visits.id FROM visits LEFT JOIN urls ON visits.url = urls.id) Query2 ON visits.from_visit = Query2.id
"""  # noqa: E501
ALEAPP_CHROME_DOWNLOADS = """
        SELECT
        start_time,
        end_time,
        last_access_time,
        tab_url,
        target_path,
        CASE state
            WHEN "0" THEN "In Progress"
            WHEN "1" THEN "Complete"
        END,
        CASE danger_type
            WHEN "0" THEN ""
            WHEN "1" THEN "Dangerous"
        END,
        CASE interrupt_reason
            WHEN "0" THEN ""
            WHEN "1" THEN "File Error"
        END,
        CASE opened WHEN 0 THEN '' WHEN 1 THEN 'Yes' END,
        received_bytes,
        total_bytes
        FROM downloads
"""
ALEAPP_CHROME_KEYWORDS = """
        SELECT url_id, term, id, url, last_visit_time
        FROM keyword_search_terms, urls
        WHERE url_id = id
"""

# -- ALEAPP scripts/artifacts/emulatedSmeta.py (get_emulatedSmeta_images, _files) ---------------
_YES = "case {0} when 0 then '' when 1 then 'Yes' end"
_ORIENTATION = (
    "case orientation when 0 then 'Horizontal' when 180 then 'Horizontal' "
    "when 90 then 'Vertical' when 270 then 'Vertical' else orientation end"
)
ALEAPP_MEDIA_IMAGES = f"""
            SELECT date_added, date_modified, datetaken, _data, title, _display_name, _size, latitude, longitude,
            {_ORIENTATION}, owner_package_name, bucket_display_name, relative_path,
            {_YES.format("is_download")}, {_YES.format("is_favorite")}, {_YES.format("is_trashed")}
            FROM images
"""  # noqa: E501
ALEAPP_MEDIA_FILES = f"""
            SELECT date_added, date_modified, datetaken, _data, title, _display_name, _size, latitude, longitude,
            {_ORIENTATION}, owner_package_name, bucket_display_name, referer_uri, download_uri, relative_path,
            {_YES.format("is_download")}, {_YES.format("is_favorite")}, {_YES.format("is_trashed")}
            FROM files
"""  # noqa: E501

# -- iLEAPP scripts/artifacts/whatsApp.py (abrignoni/iLEAPP, 2026) -----------------------------
ILEAPP_WA_MESSAGES = """
    SELECT
        ZMESSAGEDATE,
        ZISFROMME,
        ZPARTNERNAME,
        ZFROMJID,
        ZTOJID,
        ZWAMESSAGE.ZMEDIAITEM,
        ZTEXT,
        ZSTARRED,
        ZMESSAGETYPE,
        ZLONGITUDE,
        ZLATITUDE,
        ZMEDIALOCALPATH,
        ZXMPPTHUMBPATH,
        ZMETADATA,
        ZWACHATSESSION.ZCONTACTJID
    FROM ZWAMESSAGE
    LEFT JOIN ZWAMEDIAITEM ON ZWAMESSAGE.Z_PK = ZWAMEDIAITEM.ZMESSAGE
    LEFT JOIN ZWACHATSESSION ON ZWACHATSESSION.Z_PK = ZWAMESSAGE.ZCHATSESSION
"""
ILEAPP_WA_CONTACTS = """
    SELECT
        ZFULLNAME,
        ZABOUTTEXT,
        ZABOUTTIMESTAMP,
        ZPHONENUMBER,
        ZPHONENUMBERLABEL,
        ZWHATSAPPID,
        ZIDENTIFIER
    FROM ZWAADDRESSBOOKCONTACT
"""
# whatsAppCallHistory with ContactsV2 attached, on a release with every optional column.
ILEAPP_WA_CALLS = """
    SELECT
        ZWACDCALLEVENT.ZDATE,
        ZWACDCALLEVENT.ZDATE + ZWACDCALLEVENT.ZDURATION AS 'Datetime_end',
        time(ZWACDCALLEVENT.ZDURATION, 'unixepoch') AS 'Duration',
        CASE ZWACDCALLEVENT.ZOUTCOME
            WHEN 0 THEN 'Ended'
            WHEN 1 THEN 'Missed'
            WHEN 4 THEN 'Rejected'
            ELSE ZWACDCALLEVENT.ZOUTCOME
        END Disconnected_cause,
        ZWACDCALLEVENTPARTICIPANT.ZJIDSTRING as 'Contact ID',
        ZWAAGGREGATECALLEVENT.ZINCOMING, ZWAAGGREGATECALLEVENT.ZVIDEO,
        ZWAAGGREGATECALLEVENT.ZMISSED, ZWAAGGREGATECALLEVENT.ZMISSEDREASON,
        ZWACDCALLEVENT.ZBYTESSENT, ZWACDCALLEVENT.ZBYTESRECEIVED, ZWACDCALLEVENT.ZCALLIDSTRING,
        ZWACDCALLEVENT.ZGROUPJIDSTRING,
        ZWACDCALLEVENT.Z1CALLEVENTS
        ,base2.ZFULLNAME,
        base2.ZPHONENUMBER
    FROM ZWACDCALLEVENT, ZWACDCALLEVENTPARTICIPANT
    LEFT JOIN ZWAAGGREGATECALLEVENT ON ZWACDCALLEVENT.Z1CALLEVENTS = ZWAAGGREGATECALLEVENT.Z_PK
    LEFT JOIN ContactsV2.ZWAADDRESSBOOKCONTACT base2 ON ZWACDCALLEVENTPARTICIPANT.ZJIDSTRING = base2.ZWHATSAPPID
    WHERE ZWACDCALLEVENT.Z1CALLEVENTS = ZWACDCALLEVENTPARTICIPANT.Z1PARTICIPANTS
"""  # noqa: E501

# -- iLEAPP scripts/artifacts/addressBook.py: its query with AddressBookImages attached as ABI
# (the Addresses, Instant Message and Profile sub-selects of the original kept; URL and
# Related Name, the same shape as Phone Numbers, left out). ---------------------------------
ILEAPP_ADDRESSBOOK = """
    SELECT
        ABPerson.ROWID,
        ABPerson.CreationDate,
        (SELECT ABI.ABThumbnailImage.data
        FROM ABI.ABThumbnailImage
        WHERE ABI.ABThumbnailImage.record_id = ABPerson.ROWID AND ABI.ABThumbnailImage.format = 0) AS 'Thumbnail',
        (SELECT ABI.ABFullSizeImage.data
        FROM ABI.ABFullSizeImage
        WHERE ABI.ABFullSizeImage.record_id = ABPerson.ROWID) AS 'Full Image',
        ABPerson.First,
        ABPerson.Last,
        (SELECT group_concat(ifnull(ABMultiValueLabel.value, ' ') || ': ' || ABMultiValue.value, CHAR(13))
        FROM ABMultiValue
        LEFT JOIN ABMultiValueLabel ON ABMultiValue.label = ABMultiValueLabel.ROWID
        WHERE ABMultiValue.property = 3 AND ABMultiValue.record_id = ABPerson.ROWID
        GROUP BY ABMultiValue.record_id) AS 'Phone Numbers',
        (WITH
            addresses(id, address) AS
            (WITH MVE(p, k, v) AS
                (SELECT ABMultiValueEntry.parent_id, ABMultiValueEntry.key, ABMultiValueEntry.value
                FROM ABMultiValueEntry
                ORDER BY ABMultiValueEntry.parent_id, ABMultiValueEntry.key)
            SELECT p, group_concat(v, ' - ') FROM MVE GROUP BY p),
            MV(label, rid, uid) AS
                (SELECT ABMultiValueLabel.value, ABMultiValue.record_id, ABMultiValue.UID
                FROM ABMultiValue
                LEFT JOIN ABMultiValueLabel ON ABMultiValue.label = ABMultiValueLabel.ROWID
                WHERE ABMultiValue.property = 5 AND ABMultiValue.record_id = ABPerson.ROWID)
            SELECT group_concat(ifnull(label, ' ') || ': ' || address, CHAR(13))
            FROM MV
            LEFT JOIN addresses ON uid = id
            GROUP BY rid) as 'Addresses',
        (WITH
            MVE_U(up, uv) AS
            (SELECT ABMultiValueEntry.parent_id, ABMultiValueEntry.value
            FROM ABMultiValueEntry
            LEFT JOIN ABMultiValueEntryKey ON ABMultiValueEntry.key = ABMultiValueEntryKey.ROWID
            WHERE ABMultiValueEntryKey.value = 'username'),
            MVE_S(sp, sv) AS
            (SELECT ABMultiValueEntry.parent_id, ABMultiValueEntry.value
            FROM ABMultiValueEntry
            LEFT JOIN ABMultiValueEntryKey ON ABMultiValueEntry.key = ABMultiValueEntryKey.ROWID
            WHERE ABMultiValueEntryKey.value = 'service'),
            MV(label, rid, uid) AS
            (SELECT ABMultiValueLabel.value, ABMultiValue.record_id, ABMultiValue.UID
            FROM ABMultiValue
            LEFT JOIN ABMultiValueLabel ON ABMultiValue.label = ABMultiValueLabel.ROWID
            WHERE ABMultiValue.property = 13 AND ABMultiValue.record_id = ABPerson.ROWID)
        SELECT group_concat(ifnull(label, ' ') || ': ' || uv || ' (' || sv || ')', CHAR(13))
        FROM MV
        LEFT JOIN MVE_U ON uid = up
        LEFT JOIN MVE_S ON up = sp
        GROUP BY rid) AS 'Instant Message',
        (WITH
            MVE(p, k, v) AS
            (SELECT ABMultiValueEntry.parent_id, ABMultiValueEntryKey.value, ABMultiValueEntry.value
            FROM ABMultiValueEntry
            LEFT JOIN ABMultiValueEntryKey ON ABMultiValueEntry.key = ABMultiValueEntryKey.ROWID),
            MV(label, rid, uid) AS
            (SELECT ABMultiValueLabel.value, ABMultiValue.record_id, ABMultiValue.UID
            FROM ABMultiValue
            LEFT JOIN ABMultiValueLabel ON ABMultiValue.label = ABMultiValueLabel.ROWID
            WHERE ABMultiValue.property = 46 AND ABMultiValue.record_id = ABPerson.ROWID)
        SELECT group_concat(k || ': ' || v, CHAR(13))
        FROM MV
        LEFT JOIN MVE ON uid = p
        GROUP BY rid) AS 'Profile',
        (SELECT group_concat(ABGroup.Name, ', ')
        FROM ABGroupMembers
        LEFT JOIN ABGroup ON ABGroupMembers.group_id = ABGroup.ROWID
        WHERE ABGroupMembers.member_id = ABPerson.ROWID
        GROUP BY ABGroupMembers.member_id) AS 'Group',
        ABStore.Name,
        ABPerson.ModificationDate
    FROM ABPerson
    LEFT JOIN ABStore ON ABPerson.StoreID = ABStore.ROWID
"""  # noqa: E501

# -- iLEAPP scripts/artifacts/safariHistory.py --------------------------------------------------
ILEAPP_SAFARI = """
    select
    datetime(history_visits.visit_time+978307200,'unixepoch'),
    history_items.url,
    history_items.visit_count,
    history_visits.title,
    case history_visits.origin
    when 1 then "icloud synced"
    when 0 then "visited local device"
    else history_visits.origin
    end,
    history_visits.load_successful,
    history_visits.id,
    history_visits.redirect_source,
    history_visits.redirect_destination
    from history_items, history_visits
    where history_items.id = history_visits.history_item
"""

# Photos.sqlite: iLEAPP photosMetadata.py (iOS 14+) reads these columns of ZASSET and
# ZADDITIONALASSETATTRIBUTES through this join; its face, person, moment and album joins are
# left out (our own query, on the columns iLEAPP reads).
PHOTOS_ASSETS = """
    SELECT ZASSET.Z_PK, DateTime(ZASSET.ZDATECREATED + 978307200, 'UNIXEPOCH'), ZASSET.ZFILENAME,
        ZASSET.ZDIRECTORY, ZADDITIONALASSETATTRIBUTES.ZORIGINALFILENAME,
        ZADDITIONALASSETATTRIBUTES.ZEXIFTIMESTAMPSTRING,
        CASE ZASSET.ZLATITUDE WHEN -180.0 THEN '' ELSE ZASSET.ZLATITUDE END,
        CASE ZASSET.ZLONGITUDE WHEN -180.0 THEN '' ELSE ZASSET.ZLONGITUDE END, ZASSET.ZUUID
    FROM ZASSET
    JOIN Z_PRIMARYKEY ON ZASSET.z_ent = Z_PRIMARYKEY.z_ent
    JOIN ZADDITIONALASSETATTRIBUTES ON ZASSET.ZADDITIONALATTRIBUTES = ZADDITIONALASSETATTRIBUTES.Z_PK
"""  # noqa: E501


def _phone(out: Path, os_name: str) -> tuple[Path, dict[str, Any]]:
    case = make_phone_extraction(
        out,
        os=os_name,  # type: ignore[arg-type]
        seed=SEED,
        container="dir",
        extras=True,
        media=True,
        whatsapp_contacts=True,
    )
    return case.exhibit, case.answer_key


@pytest.fixture(scope="module")
def android(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    return _phone(tmp_path_factory.mktemp("android"), "android")


@pytest.fixture(scope="module")
def ios(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    return _phone(tmp_path_factory.mktemp("ios"), "ios")


def _db(exhibit: Path, name: str, tmp: Path) -> Path:
    """A working copy of the extraction's ``name`` database with its -wal (sqlite3 applies it)."""
    found = [p for p in exhibit.rglob(name) if p.is_file()]
    assert len(found) == 1, f"{name}: {found}"
    target = tmp / f"{len(list(tmp.iterdir()))}_{name}"
    target.mkdir()
    for part in found[0].parent.glob(name + "*"):
        shutil.copyfile(part, target / part.name)
    return target / name


def _query(db: Path, sql: str, attach: dict[str, Path] | None = None) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        for alias, other in (attach or {}).items():
            conn.execute(f"ATTACH DATABASE ? AS {alias}", (str(other),))
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# -- Android ----------------------------------------------------------------------------------


def test_aleapp_whatsapp_android(android: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    exhibit, key = android
    msgstore, wa = _db(exhibit, "msgstore.db", tmp_path), _db(exhibit, "wa.db", tmp_path)
    wa_key = key["writer"]["whatsapp_contacts"]
    messages = key["scenario"]["wa_messages"]
    group = [m for m in messages if m["chat_jid"] == GROUP_JID]
    assert 0 < len(group) < len(messages)
    attach = {"wadb": wa}
    # Every message: the 1:1 ones (recipient_count 0, LID chats included: wa.db has their LID
    # rows) and the group ones; the placeholder row (chat_row_id -1) joins no chat.
    assert len(_query(msgstore, ALEAPP_WA_ONE_TO_ONE, attach)) == len(messages) - len(group)
    assert len(_query(msgstore, ALEAPP_WA_GROUP, attach)) == len(group)
    assert len(_query(msgstore, ALEAPP_WA_CALLS, attach)) == len(key["scenario"]["wa_calls"])
    details = _query(msgstore, ALEAPP_WA_GROUP_DETAILS, attach)
    creator = wa_key["group_creator"]
    assert [(d[1], d[2]) for d in details] == [(key["scenario"]["wa_group"]["subject"], creator)]
    assert details[0][4] == "+" + creator.split("@")[0]  # the creator's wa_contacts number
    assert len(_query(wa, ALEAPP_WA_CONTACTS)) == len(wa_key["contacts"])


def test_aleapp_sms_mms_calls(android: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    exhibit, key = android
    mmssms = _db(exhibit, "mmssms.db", tmp_path)
    sms = [m for m in key["scenario"]["messages"] if not m["mms"]]
    assert len(_query(mmssms, ALEAPP_SMS)) == len(sms) == key["writer"]["sms_rows"]
    # One row per MMS part (a SMIL and a text part each); ALEAPP reports one message per id.
    mms_ids = {r[0] for r in _query(mmssms, ALEAPP_MMS)}
    assert len(mms_ids) == key["writer"]["mms_rows"] > 0
    calls = _query(_db(exhibit, "calllog.db", tmp_path), ALEAPP_CALLLOG)
    assert len(calls) == len(key["scenario"]["calls"])
    labels = {"incoming": "Incoming", "outgoing": "Outgoing", "missed": "Missed"}
    assert sorted(r[3] for r in calls) == sorted(
        labels[c["label"]] for c in key["scenario"]["calls"]
    )


def test_android_14_schemas(android: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    """build.prop says Android 14: calllog.db is CallLogDatabaseHelper version 11 (its user_version
    and the column that version adds), contacts2.db has the Android 10+ usage columns."""
    exhibit, key = android
    assert key["writer"]["device"]["os_version"] == "14"
    calllog = _db(exhibit, "calllog.db", tmp_path)
    assert _query(calllog, "PRAGMA user_version") == [(11,)]
    columns = {r[1] for r in _query(calllog, "PRAGMA table_info(calls)")}
    assert {"is_call_log_phone_account_migration_pending", "missed_reason", "priority"} <= columns
    assert "is_business_call" not in columns  # version 12: Android 15
    contacts2 = _db(exhibit, "contacts2.db", tmp_path)
    raw = {r[1] for r in _query(contacts2, "PRAGMA table_info(raw_contacts)")}
    data = {r[1] for r in _query(contacts2, "PRAGMA table_info(data)")}
    assert {"x_times_contacted", "x_last_time_contacted"} <= raw
    assert "preferred_phone_account_id" in data


def test_aleapp_chrome(android: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    exhibit, key = android
    history = _db(exhibit, "History", tmp_path)
    visits = key["writer"]["extras"]["visits"]
    assert len(_query(history, ALEAPP_CHROME_VISITS)) == len(visits)
    downloads = _query(history, ALEAPP_CHROME_DOWNLOADS)
    want = key["writer"]["extras"]["downloads"]
    assert [(d[4], d[5], d[10]) for d in downloads] == [
        (w["target_path"], "Complete", w["size"]) for w in want
    ]
    # One keyword_search_terms row per distinct search URL visited (hand count from the key).
    searches = {v["url"] for v in visits if search_term(v["url"])}
    assert searches
    terms = _query(history, ALEAPP_CHROME_KEYWORDS)
    assert sorted(r[3] for r in terms) == sorted(searches)
    assert {r[1] for r in terms} == {search_term(u) for u in searches}
    chains = _query(history, "SELECT url FROM downloads_url_chains ORDER BY id, chain_index")
    assert [c[0] for c in chains] == [w["url"] for w in want]
    used = _query(history, "SELECT SUM(visit_count) FROM segment_usage")
    assert used == [(len(visits),)]


def test_aleapp_media_store(android: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    exhibit, key = android
    external = _db(exhibit, "external.db", tmp_path)
    images = _query(external, ALEAPP_MEDIA_IMAGES)
    photos = key["writer"]["media"]
    storage = {p["path"].replace("/data/media/0/", "/storage/emulated/0/") for p in photos}
    assert {r[3] for r in images} == storage and len(images) == len(photos)
    # datetaken (ms) is the photo's time where it has one (hand check against the key)
    taken = {r[3]: r[2] for r in images}
    for p in photos:
        path = p["path"].replace("/data/media/0/", "/storage/emulated/0/")
        want = None if p["time_utc"] is None else int(pd.Timestamp(p["time_utc"]).value // 10**6)
        assert taken[path] == want
    index = key["writer"]["media_index"]
    files = _query(external, ALEAPP_MEDIA_FILES)
    assert len(files) == len(index["files"]) + index["folders"]


# -- iOS --------------------------------------------------------------------------------------


def test_ileapp_whatsapp_ios(ios: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    exhibit, key = ios
    chat = _db(exhibit, "ChatStorage.sqlite", tmp_path)
    contacts = _db(exhibit, "ContactsV2.sqlite", tmp_path)
    messages = key["scenario"]["wa_messages"]
    assert len(_query(chat, ILEAPP_WA_MESSAGES)) == len(messages)
    info = _query(chat, "SELECT COUNT(*) FROM ZWAMESSAGEINFO")
    assert info == [(sum(m["outgoing"] for m in messages),)]  # a receipt row per sent message
    rows = _query(contacts, ILEAPP_WA_CONTACTS)
    want = key["writer"]["whatsapp_contacts"]["contacts"]
    assert len(rows) == len(want)
    assert all(r[4] == "_$!<Mobile>!$_" and r[6].endswith(":ABPerson") for r in rows)
    calls = _query(
        _db(exhibit, "CallHistory.sqlite", tmp_path), ILEAPP_WA_CALLS, {"ContactsV2": contacts}
    )
    assert len(calls) == len(key["scenario"]["wa_calls"])


def test_ileapp_addressbook(ios: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    exhibit, key = ios
    book = _db(exhibit, "AddressBook.sqlitedb", tmp_path)
    images = _db(exhibit, "AddressBookImages.sqlitedb", tmp_path)
    rows = _query(book, ILEAPP_ADDRESSBOOK, {"ABI": images})
    people = key["scenario"]["contacts"]
    assert len(rows) == len(people)
    ab = key["writer"]["addressbook"]
    by_id = {r[0]: r for r in rows}
    assert {i for i, r in by_id.items() if r[2] is not None} == set(ab["photos"])
    assert {i for i, r in by_id.items() if r[10] == ab["group"]["name"]} == set(
        ab["group"]["members"]
    )
    with_org = {i for i, c in enumerate(people, start=1) if c["organization"]}
    assert {i for i, r in by_id.items() if r[7]} == with_org  # a work address each


def test_ileapp_safari_local_visits(ios: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    exhibit, key = ios
    rows = _query(_db(exhibit, "History.db", tmp_path), ILEAPP_SAFARI)
    assert len(rows) == len(key["writer"]["extras"]["visits"])
    # Visited on this phone: none is attributed to another device through iCloud.
    assert {r[4] for r in rows} == {"visited local device"}


def test_photos_sqlite(ios: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    exhibit, key = ios
    rows = _query(_db(exhibit, "Photos.sqlite", tmp_path), PHOTOS_ASSETS)
    photos = key["writer"]["media"]
    assert sorted(f"/private/var/mobile/Media/{r[3]}/{r[2]}" for r in rows) == sorted(
        p["path"] for p in photos
    )
    located = {r[2] for r in rows if r[6] != ""}
    assert located == {p["path"].rsplit("/", 1)[1] for p in photos if p["lat"] is not None}


# -- the kit still reads what it wrote ------------------------------------------------------------


@pytest.mark.parametrize("os_name", ["android", "ios"])
def test_kit_reads_the_same_rows(
    os_name: str, android: tuple[Path, dict[str, Any]], ios: tuple[Path, dict[str, Any]]
) -> None:
    exhibit, key = android if os_name == "android" else ios
    with open_extraction(exhibit) as ext:
        assert len(ext.read("whatsapp_messages")) == len(key["scenario"]["wa_messages"])
        assert len(ext.read("whatsapp_calls")) == len(key["scenario"]["wa_calls"])
        assert len(ext.read("contacts")) == len(key["scenario"]["contacts"])
        assert len(ext.read("browser_history")) == len(key["writer"]["extras"]["visits"])
        assert len(ext.read("whatsapp_contacts")) == len(
            key["writer"]["whatsapp_contacts"]["contacts"]
        )


# -- ALEAPP / iLEAPP themselves -----------------------------------------------------------------


def _tool(var: str, script: str) -> Path:
    home = os.environ.get(var)
    if not home:
        pytest.skip(f"{var} is not set: no {script} checkout to run (the kit does not install it)")
    path = Path(home) / script
    if not path.is_file():
        pytest.skip(f"{var}={home} has no {script}")
    return path


@pytest.mark.slow
@pytest.mark.parametrize(("os_name", "var", "script"), [
    ("android", "ALEAPP_DIR", "aleapp.py"),
    ("ios", "ILEAPP_DIR", "ileapp.py"),
])  # fmt: skip
def test_reference_tool_runs_on_the_extraction(
    os_name: str, var: str, script: str, tmp_path: Path
) -> None:
    """Run the reference tool over a generated extraction (``-t fs``) and compare the WhatsApp
    message count of its LAVA database (``_lava_artifacts.db``) with the answer key."""
    tool = _tool(var, script)
    exhibit, key = _phone(tmp_path / "in", os_name)
    out = tmp_path / "report"
    out.mkdir()
    done = subprocess.run(
        [sys.executable, str(tool), "-t", "fs", "-i", str(exhibit), "-o", str(out)],
        cwd=tool.parent,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lava = sorted(out.rglob("_lava_artifacts.db"))
    if not lava:
        pytest.skip(f"{script} wrote no _lava_artifacts.db to compare rows with")
    conn = sqlite3.connect(lava[0])
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        whatsapp = [t for t in tables if "whatsapp" in t.lower() and "message" in t.lower()]
        count = sum(conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in whatsapp)
    finally:
        conn.close()
    assert count == len(key["scenario"]["wa_messages"])


def test_photos_table_follows_the_ios_version(tmp_path: Path) -> None:
    """iOS 13 names the asset table ZGENERICASSET, iOS 14+ ZASSET (iLEAPP photosMetadata.py
    queries one or the other by the iOS version)."""
    from forensics_datasets.phone.media_index import write_ios_photos

    old = write_ios_photos(tmp_path / "13", {}, wal="none", ios_version="13.3.1")
    new = write_ios_photos(tmp_path / "17", {}, wal="none", ios_version="17.5.1")
    assert (old["table"], new["table"]) == ("ZGENERICASSET", "ZASSET")
    db = tmp_path / "13" / old["path"].lstrip("/")
    assert _query(db, "SELECT COUNT(*) FROM ZGENERICASSET") == [(0,)]


# ALEAPP scripts/artifacts/WhatsApp.py get_whatsapp_messages (the legacy messages table).
ALEAPP_WA_LEGACY = """
        SELECT
            datetime(messages.timestamp/1000,'unixepoch'),
            CASE messages.received_timestamp WHEN 0 THEN ''
                ELSE datetime(messages.received_timestamp/1000,'unixepoch') END,
            messages.key_remote_jid,
            CASE WHEN contact_book_w_groups.recipients IS NULL THEN messages.key_remote_jid
                ELSE contact_book_w_groups.recipients END,
            CASE key_from_me WHEN 0 THEN "Incoming" WHEN 1 THEN "Outgoing" END,
            messages.data,
            CASE WHEN messages.remote_resource IS NULL THEN messages.key_remote_jid
                ELSE messages.remote_resource END,
            messages.media_url
        FROM (SELECT jid, recipients FROM wadb.wa_contacts AS contacts
            LEFT JOIN (SELECT gjid, group_concat(CASE WHEN jid == "" THEN NULL ELSE jid END) AS recipients
                FROM group_participants GROUP BY gjid) AS groups ON contacts.jid = groups.gjid
            GROUP BY jid) AS contact_book_w_groups
        JOIN messages ON messages.key_remote_jid = contact_book_w_groups.jid
"""  # noqa: E501


def test_aleapp_whatsapp_legacy(tmp_path: Path) -> None:
    case = make_phone_extraction(
        tmp_path / "x", os="android", seed=SEED, container="dir", whatsapp="legacy"
    )
    msgstore = _db(case.exhibit, "msgstore.db", tmp_path)
    wa = _db(case.exhibit, "wa.db", tmp_path)
    rows = _query(msgstore, ALEAPP_WA_LEGACY, {"wadb": wa})
    messages = case.answer_key["scenario"]["wa_messages"]
    assert len(rows) == len(messages)
    # The group's row lists its members (group_participants, the owner's '' row left out).
    members = {m["sender_jid"] for m in messages if m["chat_jid"] == GROUP_JID and m["sender_jid"]}
    group_rows = [r for r in rows if r[2] == GROUP_JID]
    assert group_rows and {frozenset(r[3].split(",")) for r in group_rows} == {frozenset(members)}


# -- one Android release per extraction ---------------------------------------------------------

# The calls columns each CallLogDatabaseHelper version adds that this kit writes (AOSP
# ContactsProvider: version 11, Android 14, adds is_call_log_phone_account_migration_pending;
# 12, Android 15, is_business_call and asserted_display_name).
_CALLS_ADDED = {
    11: {"is_call_log_phone_account_migration_pending", "missed_reason", "priority"},
    12: {"is_business_call", "asserted_display_name"},
}


@pytest.mark.parametrize("version", ["14", "15"])
def test_every_database_follows_the_declared_release(version: str, tmp_path: Path) -> None:
    """build.prop, the acquisition record, calllog.db and contacts2.db all say one release:
    calllog.db's user_version is that release's CallLogDatabaseHelper version, with the
    columns it writes and none of a later one; contacts2.db has the Android 10+ layout."""
    from forensics_datasets.phone.android import ANDROID_RELEASES

    case = make_phone_extraction(
        tmp_path / "x",
        os="android",
        seed=SEED,
        container="dir",
        messages=4,
        calls=5,
        wa_messages=3,
        android_version=version,
    )
    exhibit, key = case.exhibit, case.answer_key
    release = ANDROID_RELEASES[version]
    prop = next(exhibit.rglob("build.prop")).read_text()
    assert f"ro.build.version.release={version}\n" in prop and "serialno" not in prop
    record = json.loads(next(exhibit.rglob("acquisition_record.json")).read_text())
    assert record["device"]["android_version"] == version
    assert key["writer"]["device"]["os_version"] == version
    calllog = _db(exhibit, "calllog.db", tmp_path)
    assert _query(calllog, "PRAGMA user_version") == [(release.calllog_version,)]
    columns = {r[1] for r in _query(calllog, "PRAGMA table_info(calls)")}
    for db_version, added in _CALLS_ADDED.items():
        if db_version <= release.calllog_version:
            assert added <= columns, (version, added - columns)
        else:
            assert not added & columns, (version, added & columns)
    assert len(_query(calllog, ALEAPP_CALLLOG)) == len(key["scenario"]["calls"])
    contacts2 = _db(exhibit, "contacts2.db", tmp_path)
    raw = {r[1] for r in _query(contacts2, "PRAGMA table_info(raw_contacts)")}
    assert {"x_times_contacted", "x_last_time_contacted"} <= raw
    # contacts2.db of Android 7+ holds no calls table (moved to calllog.db in Android 7).
    assert _query(contacts2, "SELECT name FROM sqlite_master WHERE name = 'calls'") == []
    with open_extraction(exhibit) as ext:
        assert ext.device["os_version"] == version
        assert len(ext.read("calls")) == len(key["scenario"]["calls"])
