"""Android calls and contacts: the releases the generator writes (AndroidRelease, each with its
calls schema), calllog.db and contacts2.db (raw contacts, data rows by mimetype)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forensics_datasets.phone._pack import WalState, write_db
from forensics_datasets.phone.android_sms import unix_ms
from forensics_datasets.phone.scenario import Scenario

# calllog.db as Android 14 creates it: AOSP ContactsProvider CallLogDatabaseHelper.onCreate at
# DATABASE_VERSION 11 (the version that adds is_call_log_phone_account_migration_pending;
# 12, Android 15, adds is_business_call and asserted_display_name), column names from
# android.provider.CallLog.Calls / VoicemailContract.Voicemails, and the properties table of
# PropertyUtils.createPropertiesTable. SQLiteOpenHelper records the version in user_version.
CALLS_SCHEMA = (
    "PRAGMA user_version = 11",
    "CREATE TABLE android_metadata (locale TEXT)",
    "CREATE TABLE properties (property_key TEXT PRIMARY KEY, property_value TEXT)",
    "CREATE TABLE calls (_id INTEGER PRIMARY KEY AUTOINCREMENT,number TEXT,presentation "
    "INTEGER NOT NULL DEFAULT 1,post_dial_digits TEXT NOT NULL DEFAULT '',via_number TEXT NOT "
    "NULL DEFAULT '',date INTEGER,duration INTEGER,data_usage INTEGER,type INTEGER,features "
    "INTEGER NOT NULL DEFAULT 0,subscription_component_name TEXT,subscription_id TEXT,"
    "phone_account_address TEXT,phone_account_hidden INTEGER NOT NULL DEFAULT 0,sub_id "
    "INTEGER DEFAULT -1,new INTEGER,name TEXT,numbertype INTEGER,numberlabel TEXT,countryiso "
    "TEXT,voicemail_uri TEXT,is_read INTEGER,geocoded_location TEXT,lookup_uri TEXT,"
    "matched_number TEXT,normalized_number TEXT,photo_id INTEGER NOT NULL DEFAULT 0,photo_uri "
    "TEXT,formatted_number TEXT,add_for_all_users INTEGER NOT NULL DEFAULT 1,last_modified "
    "INTEGER DEFAULT 0,call_screening_component_name TEXT,call_screening_app_name TEXT,"
    "block_reason INTEGER NOT NULL DEFAULT 0,missed_reason INTEGER NOT NULL DEFAULT 0,priority "
    "INTEGER NOT NULL DEFAULT 0,subject TEXT,location TEXT,composer_photo_uri TEXT,"
    "is_call_log_phone_account_migration_pending INTEGER NOT NULL DEFAULT 0,_data TEXT,"
    "has_content INTEGER,mime_type TEXT,source_data TEXT,source_package TEXT,transcription "
    "TEXT,transcription_state INTEGER NOT NULL DEFAULT 0,state INTEGER,dirty INTEGER NOT NULL "
    "DEFAULT 0,deleted INTEGER NOT NULL DEFAULT 0,backed_up INTEGER NOT NULL DEFAULT 0,"
    "restored INTEGER NOT NULL DEFAULT 0,archived INTEGER NOT NULL DEFAULT 0,"
    "is_omtp_voicemail INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE voicemail_status (_id INTEGER PRIMARY KEY AUTOINCREMENT,source_package TEXT "
    "NOT NULL,phone_account_component_name TEXT,phone_account_id TEXT,settings_uri TEXT,"
    "voicemail_access_uri TEXT,configuration_state INTEGER,data_channel_state INTEGER,"
    "notification_channel_state INTEGER,quota_occupied INTEGER DEFAULT -1,quota_total INTEGER "
    "DEFAULT -1,source_type TEXT)",
)
_TELEPHONY = "com.android.phone/com.android.services.telephony.TelephonyConnectionService"

# contacts2.db of the same release: AOSP ContactsDatabaseHelper.onCreate of the 1500 range
# (Android 12-14): contacts and raw_contacts with the low-resolution usage columns
# (x_times_contacted/x_last_time_contacted raw, times_contacted/last_time_contacted
# rounded, since Android 10), data with preferred_phone_account_component_name/_id.
CONTACTS2_SCHEMA = (
    "CREATE TABLE android_metadata (locale TEXT)",
    "CREATE TABLE accounts (_id INTEGER PRIMARY KEY AUTOINCREMENT,account_name TEXT, "
    "account_type TEXT, data_set TEXT)",
    "CREATE TABLE mimetypes (_id INTEGER PRIMARY KEY AUTOINCREMENT,mimetype TEXT NOT NULL)",
    "CREATE UNIQUE INDEX mime_type ON mimetypes (mimetype)",
    "CREATE TABLE contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT,name_raw_contact_id INTEGER "
    "REFERENCES raw_contacts(_id),photo_id INTEGER REFERENCES data(_id),photo_file_id INTEGER "
    "REFERENCES photo_files(_id),custom_ringtone TEXT,send_to_voicemail INTEGER NOT NULL "
    "DEFAULT 0,x_times_contacted INTEGER NOT NULL DEFAULT 0,x_last_time_contacted INTEGER,"
    "times_contacted INTEGER NOT NULL DEFAULT 0,last_time_contacted INTEGER,starred INTEGER "
    "NOT NULL DEFAULT 0,pinned INTEGER NOT NULL DEFAULT 0,has_phone_number INTEGER NOT NULL "
    "DEFAULT 0,lookup TEXT,status_update_id INTEGER REFERENCES data(_id),"
    "contact_last_updated_timestamp INTEGER)",
    "CREATE TABLE raw_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT,account_id INTEGER "
    "REFERENCES accounts(_id),sourceid TEXT,backup_id TEXT,raw_contact_is_read_only INTEGER NOT "
    "NULL DEFAULT 0,version INTEGER NOT NULL DEFAULT 1,dirty INTEGER NOT NULL DEFAULT 0,deleted "
    "INTEGER NOT NULL DEFAULT 0,metadata_dirty INTEGER NOT NULL DEFAULT 0,contact_id INTEGER "
    "REFERENCES contacts(_id),aggregation_mode INTEGER NOT NULL DEFAULT 0,aggregation_needed "
    "INTEGER NOT NULL DEFAULT 1,custom_ringtone TEXT,send_to_voicemail INTEGER NOT NULL DEFAULT "
    "0,x_times_contacted INTEGER NOT NULL DEFAULT 0,x_last_time_contacted INTEGER,"
    "times_contacted INTEGER NOT NULL DEFAULT 0,last_time_contacted INTEGER,starred INTEGER "
    "NOT NULL DEFAULT 0,pinned INTEGER NOT NULL DEFAULT 0,display_name TEXT,display_name_alt "
    "TEXT,display_name_source INTEGER NOT NULL DEFAULT 0,phonetic_name TEXT,phonetic_name_style "
    "TEXT,sort_key TEXT COLLATE PHONEBOOK,phonebook_label TEXT,phonebook_bucket "
    "INTEGER,sort_key_alt TEXT COLLATE PHONEBOOK,phonebook_label_alt TEXT,phonebook_bucket_alt "
    "INTEGER,name_verified INTEGER NOT NULL DEFAULT 0,sync1 TEXT, sync2 TEXT, sync3 TEXT, sync4 "
    "TEXT )",
    "CREATE INDEX raw_contacts_contact_id_index ON raw_contacts (contact_id)",
    "CREATE INDEX raw_contacts_source_id_account_id_index ON raw_contacts (sourceid, account_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS raw_contacts_backup_id_account_id_index ON raw_contacts "
    "(backup_id, account_id)",
    "CREATE TABLE data (_id INTEGER PRIMARY KEY AUTOINCREMENT,package_id INTEGER REFERENCES "
    "package(_id),mimetype_id INTEGER REFERENCES mimetype(_id) NOT NULL,raw_contact_id INTEGER "
    "REFERENCES raw_contacts(_id) NOT NULL,hash_id TEXT,is_read_only INTEGER NOT NULL DEFAULT "
    "0,is_primary INTEGER NOT NULL DEFAULT 0,is_super_primary INTEGER NOT NULL DEFAULT "
    "0,data_version INTEGER NOT NULL DEFAULT 0,data1 TEXT,data2 TEXT,data3 TEXT,data4 TEXT,data5 "
    "TEXT,data6 TEXT,data7 TEXT,data8 TEXT,data9 TEXT,data10 TEXT,data11 TEXT,data12 "
    "TEXT,data13 TEXT,data14 TEXT,data15 TEXT,data_sync1 TEXT, data_sync2 TEXT, data_sync3 "
    "TEXT, data_sync4 TEXT, carrier_presence INTEGER NOT NULL DEFAULT 0, "
    "preferred_phone_account_component_name TEXT, preferred_phone_account_id TEXT )",
    "CREATE INDEX data_raw_contact_id ON data (raw_contact_id)",
    "CREATE INDEX data_mimetype_data1_index ON data (mimetype_id,data1)",
    "CREATE INDEX IF NOT EXISTS data_hash_id_index ON data (hash_id)",
    "CREATE INDEX raw_contact_sort_key1_index ON raw_contacts (sort_key)",
)
MIMETYPES = (
    "vnd.android.cursor.item/email_v2",
    "vnd.android.cursor.item/im",
    "vnd.android.cursor.item/nickname",
    "vnd.android.cursor.item/organization",
    "vnd.android.cursor.item/phone_v2",
    "vnd.android.cursor.item/sip_address",
    "vnd.android.cursor.item/name",
)
_MIME_ID = {m: i + 1 for i, m in enumerate(MIMETYPES)}
_CALL_TYPE = {"incoming": 1, "outgoing": 2, "missed": 3}


@dataclass(frozen=True)
class AndroidRelease:
    """One Android release as the generated phone runs it: what build.prop and the
    acquisition record declare, and the schema version of each provider database it
    writes (one version per extraction: every database follows the declared release)."""

    version: str  # ro.build.version.release
    sdk: int  # ro.build.version.sdk
    build_id: str
    incremental: str  # the fingerprint's build number (synthetic)
    calllog_version: int  # CallLogDatabaseHelper DATABASE_VERSION = calllog.db user_version
    #: ALTER TABLE statements that take calllog.db from version 11 (Android 14) to this one,
    #: as CallLogDatabaseHelper.onUpgrade runs them on a phone updated to this release.
    calllog_upgrade: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        build = f"{self.version}/{self.build_id}/{self.incremental}"
        return f"google/panther/panther:{build}:user/release-keys"


#: The releases a generated Pixel 7 (shipped with Android 13) runs. Android 15's
#: CallLogDatabaseHelper (version 12) adds is_business_call and asserted_display_name to
#: calls; contacts2.db keeps the ContactsDatabaseHelper 1500-range layout of Android 12-14
#: (no change to the tables written here is known for 15).
ANDROID_RELEASES: dict[str, AndroidRelease] = {
    "14": AndroidRelease("14", 34, "UQ1A.240205.004", "11269751", 11),
    "15": AndroidRelease(
        "15",
        35,
        "AP3A.241105.007",
        "12470370",
        12,
        (
            "ALTER TABLE calls ADD COLUMN is_business_call INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE calls ADD COLUMN asserted_display_name TEXT",
        ),
    ),
}
DEFAULT_ANDROID = "14"


def calls_schema(version: str = DEFAULT_ANDROID) -> tuple[str, ...]:
    """calllog.db's statements for the release ``version`` (see :data:`ANDROID_RELEASES`)."""
    release = ANDROID_RELEASES[version]
    base = tuple(x for x in CALLS_SCHEMA if not x.startswith("PRAGMA user_version"))
    return (f"PRAGMA user_version = {release.calllog_version}", *base, *release.calllog_upgrade)


def call_rows(scenario: Scenario) -> list[tuple[Any, ...]]:
    return [
        (i + 1, c.number, unix_ms(c.time), c.duration_s, _CALL_TYPE[c.label], 0, c.name, "GB")
        for i, c in enumerate(scenario.calls)
    ]


def write_calllog(
    path: Path,
    rows: list[tuple[Any, ...]],
    wal: WalState = "bare",
    version: str = DEFAULT_ANDROID,
) -> None:
    """Write ``calllog.db`` rows ``(_id, number, date_ms, duration_s, type, new, name, iso)``
    with the schema of Android ``version``."""

    def head(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO android_metadata VALUES ('en_GB')")
        conn.execute("INSERT INTO properties VALUES ('call_log_last_synced', '0')")
        conn.executemany(
            "INSERT INTO calls (_id, number, date, duration, type, new, name, countryiso, "
            "is_read, phone_account_address, subscription_component_name, subscription_id, "
            "last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, NULL, ?, '1', ?)",
            [(*r, _TELEPHONY, r[2] + r[3] * 1000) for r in rows],
        )

    write_db(path, calls_schema(version), head, wal=wal)


def write_contacts2(path: Path, scenario: Scenario, wal: WalState) -> None:
    def head(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO android_metadata VALUES ('en_GB')")
        conn.execute("INSERT INTO accounts VALUES (1, 'Phone', 'vnd.sec.contact.phone', NULL)")
        conn.executemany(
            "INSERT INTO mimetypes (_id, mimetype) VALUES (?, ?)",
            [(i, m) for m, i in _MIME_ID.items()],
        )
        for i, contact in enumerate(scenario.contacts, start=1):
            conn.execute(
                "INSERT INTO contacts (_id, name_raw_contact_id, has_phone_number, lookup, "
                "contact_last_updated_timestamp) VALUES (?, ?, ?, ?, ?)",
                (i, i, int(bool(contact.phones)), f"0r{i}-EXAMPLE", unix_ms(contact.modified)),
            )
            conn.execute(
                "INSERT INTO raw_contacts (_id, account_id, contact_id, display_name, "
                "display_name_alt, display_name_source, sort_key, sort_key_alt) "
                "VALUES (?, 1, ?, ?, ?, 40, ?, ?)",
                (
                    i,
                    i,
                    contact.display_name,
                    f"{contact.last}, {contact.first}",
                    contact.display_name,
                    f"{contact.last}, {contact.first}",
                ),
            )
            data: list[tuple[str, str | None, str | None, str | None]] = [
                ("vnd.android.cursor.item/name", contact.display_name, contact.first, contact.last)
            ]
            data += [("vnd.android.cursor.item/phone_v2", p, "2", None) for p in contact.phones]
            data += [("vnd.android.cursor.item/email_v2", e, "1", None) for e in contact.emails]
            if contact.organization:
                data.append(
                    ("vnd.android.cursor.item/organization", contact.organization, "1", None)
                )
            conn.executemany(
                "INSERT INTO data (mimetype_id, raw_contact_id, data1, data2, data3) "
                "VALUES (?, ?, ?, ?, ?)",
                [(_MIME_ID[m], i, d1, d2, d3) for m, d1, d2, d3 in data],
            )

    write_db(path, CONTACTS2_SCHEMA, head, wal=wal, collations=("PHONEBOOK",))
