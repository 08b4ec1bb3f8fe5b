"""WhatsApp contacts: Android's wa.db (wa_contacts) and iOS's ContactsV2.sqlite, with the group's
creator."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_datasets.phone._pack import WalState, write_db
from forensics_datasets.phone.scenario import GROUP_JID, GROUP_SUBJECT, Scenario
from forensics_datasets.phone.whatsapp_common import IOS_APP_GROUP, cocoa_s, lid_jids, unix_ms

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
                    unix_ms(pd.Timestamp(c["status_time"])) if c["status_time"] else 0,
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
                    cocoa_s(pd.Timestamp(c["status_time"])) if c["status_time"] else None,
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
