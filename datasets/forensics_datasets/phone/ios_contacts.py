"""iOS calls and contacts: CallHistory.storedata (ZCALLRECORD) and AddressBook.sqlitedb with
AddressBookImages.sqlitedb."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from forensics_datasets.media.photo import jpeg_with_exif
from forensics_datasets.phone._pack import WalState, write_db
from forensics_datasets.phone.ios_sms import cocoa_s
from forensics_datasets.phone.scenario import Scenario
from forensics_datasets.phone.whatsapp_contacts import ios_person_guid

ADDRESSBOOK_DB = "private/var/mobile/Library/AddressBook/AddressBook.sqlitedb"

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


def write_callhistory(path: Path, scenario: Scenario, wal: WalState) -> None:
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
                cocoa_s(call.time),
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


def write_addressbook(path: Path, scenario: Scenario, wal: WalState) -> dict[str, Any]:
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
                    int(cocoa_s(contact.created)),
                    int(cocoa_s(contact.modified)),
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
