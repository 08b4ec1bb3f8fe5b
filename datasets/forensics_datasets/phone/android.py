"""Write a :class:`~forensics_datasets.phone.scenario.Scenario` as an Android file system.

Databases are created with the tables and columns the real providers create:

* ``mmssms.db``: ``CREATE TABLE`` statements of ``sms``, ``threads``, ``pdu``, ``addr``,
  ``part``, ``canonical_addresses`` as listed in plaso
  ``plaso/parsers/sqlite_plugins/android_sms.py`` (SCHEMAS, from a real device).
* ``calllog.db`` and ``contacts2.db`` of the release ``build.prop`` names (Android 14): the
  ``CREATE TABLE`` text of AOSP ContactsProvider's ``CallLogDatabaseHelper`` (version 11,
  ``user_version`` 11) and ``ContactsDatabaseHelper`` (``accounts``, ``contacts``,
  ``raw_contacts``, ``data``, ``mimetypes``, with ``COLLATE PHONEBOOK`` and the Android 10+
  ``x_times_contacted`` columns); the columns ALEAPP ``scripts/artifacts/calllog.py`` reads
  (``phone_account_address``, ``transcription``, ``deleted``) are among them.

Epochs as on the device: ``sms.date``/``date_sent`` Unix ms, ``pdu.date`` Unix s, ``calls.date``
Unix ms, ``contacts.contact_last_updated_timestamp`` Unix ms. WAL states as a live phone
leaves them: ``mmssms.db`` with its newest messages only in the ``-wal``, ``calllog.db`` a bare
header with every row in the ``-wal``.

Deleted SMS (``deleted_sms=``, off by default): rows written and then deleted with
``PRAGMA secure_delete = OFF`` (Android's default), so their bytes stay in freed cells
(freeblocks), unallocated space, freelist pages, or under the WAL. The writer's notes list
them (``deleted_sms``) with ``bytes_in_file``: whether the record's whole content is still
somewhere in ``mmssms.db`` or its ``-wal`` (SQLite may overwrite a freed cell when it
rebalances the page).
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from forensics_datasets.phone._pack import WalState, write_db
from forensics_datasets.phone.extras import Extras, make_extras, write_android_extras
from forensics_datasets.phone.linphone import Linphone, make_linphone, write_android_linphone
from forensics_datasets.phone.scenario import PHRASES, Message, Scenario, json_ready
from forensics_datasets.phone.whatsapp import write_android_whatsapp

__all__ = [
    "ACQUISITION_RECORD",
    "ANDROID_RELEASES",
    "CALLLOG_DB",
    "CALLS_SCHEMA",
    "CONTACTS2_DB",
    "CONTACTS2_SCHEMA",
    "DEFAULT_ANDROID",
    "MMSSMS_DB",
    "MMSSMS_SCHEMA",
    "AndroidRelease",
    "acquisition_record",
    "build_prop_text",
    "calls_schema",
    "deleted_messages",
    "device_imei",
    "device_serial",
    "record_content",
    "write_android_tree",
    "write_calllog",
]

MMSSMS_DB = "data/data/com.android.providers.telephony/databases/mmssms.db"
CALLLOG_DB = "data/data/com.android.providers.contacts/databases/calllog.db"
CONTACTS2_DB = "data/data/com.android.providers.contacts/databases/contacts2.db"
BUILD_PROP = "system/build.prop"

MMSSMS_SCHEMA = (
    "CREATE TABLE android_metadata (locale TEXT)",
    "CREATE TABLE canonical_addresses (_id INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT)",
    "CREATE TABLE threads (_id INTEGER PRIMARY KEY AUTOINCREMENT, date INTEGER DEFAULT 0, "
    "message_count INTEGER DEFAULT 0, recipient_ids TEXT, snippet TEXT, snippet_cs INTEGER "
    "DEFAULT 0, read INTEGER DEFAULT 1, type INTEGER DEFAULT 0, error INTEGER DEFAULT 0, "
    "has_attachment INTEGER DEFAULT 0)",
    "CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT, person "
    "INTEGER, date INTEGER, date_sent INTEGER DEFAULT 0, protocol INTEGER, read INTEGER "
    "DEFAULT 0, status INTEGER DEFAULT -1, type INTEGER, reply_path_present INTEGER, subject "
    "TEXT, body TEXT, service_center TEXT, locked INTEGER DEFAULT 0, error_code INTEGER "
    "DEFAULT 0, seen INTEGER DEFAULT 0)",
    "CREATE TABLE pdu (_id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER, date "
    "INTEGER, date_sent INTEGER DEFAULT 0, msg_box INTEGER, read INTEGER DEFAULT 0, m_id TEXT, "
    "sub TEXT, sub_cs INTEGER, ct_t TEXT, ct_l TEXT, exp INTEGER, m_cls TEXT, m_type INTEGER, "
    "v INTEGER, m_size INTEGER, pri INTEGER, rr INTEGER, rpt_a INTEGER, resp_st INTEGER, st "
    "INTEGER, tr_id TEXT, retr_st INTEGER, retr_txt TEXT, retr_txt_cs INTEGER, read_status "
    "INTEGER, ct_cls INTEGER, resp_txt TEXT, d_tm INTEGER, d_rpt INTEGER, locked INTEGER "
    "DEFAULT 0, seen INTEGER DEFAULT 0, text_only INTEGER DEFAULT 0)",
    "CREATE TABLE addr (_id INTEGER PRIMARY KEY, msg_id INTEGER, contact_id INTEGER, address "
    "TEXT, type INTEGER, charset INTEGER)",
    "CREATE TABLE part (_id INTEGER PRIMARY KEY AUTOINCREMENT, mid INTEGER, seq INTEGER "
    "DEFAULT 0, ct TEXT, name TEXT, chset INTEGER, cd TEXT, fn TEXT, cid TEXT, cl TEXT, ctt_s "
    "INTEGER, ctt_t TEXT, _data TEXT, text TEXT)",
)

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
PDU_FROM, PDU_TO = 0x89, 0x97
_INSERT_ADDRESS_TOKEN = "insert-address-token"  # Telephony.Mms.Addr: the sender of our own MMS


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


def build_prop_text(version: str = DEFAULT_ANDROID) -> str:
    """The release ``/system/build.prop`` of the generated Pixel 7 on ``version``; no
    ``ro.serialno`` (see :func:`device_serial`)."""
    r = ANDROID_RELEASES[version]
    return f"""# begin common build properties
# autogenerated by buildinfo.sh (synthetic training device)
ro.build.id={r.build_id}
ro.build.display.id={r.build_id}
ro.build.version.release={r.version}
ro.build.version.sdk={r.sdk}
ro.build.fingerprint={r.fingerprint}
ro.product.system.manufacturer=Google
ro.product.system.model=Pixel 7
ro.product.manufacturer=Google
ro.product.model=Pixel 7
# end common build properties
"""


BUILD_PROP_TEXT = build_prop_text()


def device_serial(seed: int) -> str:
    """The synthetic device's serial number: one per scenario seed.

    A phone does not write it into any build.prop: the bootloader passes it on the kernel
    command line (``androidboot.serialno``), init turns it into the runtime property
    ``ro.boot.serialno`` / ``ro.serialno`` (AOSP ``system/core/init/property_service.cpp``
    ``ProcessKernelCmdline``), and ``adb get-serialno`` reads it. Only the acquisition record
    of the tool that read it over ADB holds it (:func:`acquisition_record`)."""
    return f"EXAMPLE{seed % 10000:04d}SN{seed // 10000 % 100:02d}"


def device_imei(seed: int) -> str:
    """The synthetic device's IMEI: TAC ``00440000`` (the ``00`` reporting body is the test
    range, no real device), a six-digit serial from ``seed`` and its Luhn check digit (3GPP
    TS 23.003 6.2.1)."""
    body = f"00440000{seed % 1_000_000:06d}"
    total = 0
    for i, char in enumerate(reversed(body)):  # Luhn: double every second digit from the right
        digit = int(char) * (2 if i % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return body + str((10 - total % 10) % 10)


#: Name of the acquisition record the (synthetic) extraction tool writes beside the dump.
ACQUISITION_RECORD = "acquisition_record.json"
ACQUIRED_UTC = "2024-04-20T14:00:00+00:00"  # the fixed acquisition time of the packed exhibits


def acquisition_record(seed: int, version: str = DEFAULT_ANDROID) -> dict[str, Any]:
    """What the extraction tool recorded about the device it read over ADB: the identity
    that is in no file of the phone's file system (serial, IMEI), each with the command
    that read it, and the build properties it read too (``adb shell getprop``)."""
    return {
        "record": "acquisition",
        "tool": "forensics_datasets synthetic extraction tool",
        "method": "adb",
        "acquired_utc": ACQUIRED_UTC,
        "device": {
            "serial": device_serial(seed),
            "serial_read_with": "adb get-serialno (ro.serialno, from androidboot.serialno)",
            "imei": device_imei(seed),
            "imei_read_with": "adb shell service call iphonesubinfo 1 (getDeviceId)",
            "manufacturer": "Google",
            "model": "Pixel 7",
            "android_version": version,
            "build_id": ANDROID_RELEASES[version].build_id,
        },
    }


def _ms(ts: pd.Timestamp) -> int:
    return int(ts.value // 1_000_000)


def _threads(scenario: Scenario) -> dict[str, int]:
    threads: dict[str, int] = {}
    for message in scenario.messages:
        threads.setdefault(message.address, len(threads) + 1)
    return threads


def deleted_messages(scenario: Scenario, count: int) -> list[Message]:
    """``count`` seeded SMS that the phone's user later deleted (for ``deleted=``).

    A third (rounded down) are scattered among the live messages, so each leaves a freed cell
    in a live page of ``sms`` (a freeblock); the rest are a burst after the last live message
    (the newest conversation, wiped), whose rows fill the last page of the table: deleting
    them frees that page, which goes to the freelist with its old cells still on it.
    """
    rng = random.Random(f"deleted-sms-{scenario.seed}")
    live = [m for m in scenario.messages if not m.mms]
    if not live or count <= 0:
        return []
    numbers = sorted({m.address for m in live})
    first, last = min(m.time for m in live), max(m.time for m in live)
    span_ms = max(int((last - first).value // 1_000_000), 1)
    scattered = count // 3
    out: list[Message] = []
    for i in range(count):
        if i < scattered:
            t = first + pd.Timedelta(milliseconds=rng.randint(1, span_ms))
        else:
            t = last + pd.Timedelta(
                minutes=3 * (i - scattered + 1), milliseconds=rng.randint(0, 999)
            )
        outgoing = rng.random() < 0.5
        out.append(
            Message(
                time=t,
                address=rng.choice(numbers),
                outgoing=outgoing,
                body=rng.choice(PHRASES),
                read=True if outgoing else rng.random() < 0.7,
            )
        )
    return out


def _sms_row(i: int, thread: int, message: Message) -> tuple[Any, ...]:
    date = _ms(message.time)
    return (
        i,
        thread,
        message.address,
        None,
        date,
        date if message.outgoing else date - 3_000,
        None if message.outgoing else 0,
        int(message.read),
        -1,
        2 if message.outgoing else 1,
        0,
        None,
        message.body,
        None,
        0,
        0,
        1,
    )


def record_content(values: Sequence[Any]) -> bytes:
    """The content bytes SQLite stores for a record of ``values`` (its body after the header).

    https://www.sqlite.org/fileformat2.html#record_format: NULL and the integers 0 and 1 (serial
    types 0, 8, 9) store nothing; other integers the fewest of 1, 2, 3, 4, 6 or 8 bytes, big-
    endian two's complement; text its UTF-8 bytes; a blob its bytes. A deleted row is whole
    (recoverable) when these bytes are still in the file, contiguous.
    """
    out = bytearray()
    for value in values:
        if value is None or (isinstance(value, int) and value in (0, 1)):
            continue
        if isinstance(value, int):
            size = next(
                n for n in (1, 2, 3, 4, 6, 8) if -(1 << (8 * n - 1)) <= value < 1 << (8 * n - 1)
            )
            out += value.to_bytes(size, "big", signed=True)
        elif isinstance(value, str):
            out += value.encode("utf-8")
        else:
            out += bytes(value)
    return bytes(out)


def _write_mmssms(
    path: Path,
    scenario: Scenario,
    wal: WalState,
    wal_tail: int,
    deleted: Sequence[Message] = (),
) -> dict[str, Any]:
    threads = _threads(scenario)
    for message in deleted:
        if message.mms:
            raise ValueError("deleted messages are written as SMS: pass messages with mms=False")
        threads.setdefault(message.address, len(threads) + 1)
    sms_rows: list[tuple[Any, ...]] = []
    mms: list[tuple[int, Any]] = []
    for message in scenario.messages:
        if message.mms:
            mms.append((len(mms) + 1, message))
            continue
        sms_rows.append(_sms_row(len(sms_rows) + 1, threads[message.address], message))
    gone: set[int] = set()
    if deleted:  # live and deleted rows in time order, _id as the phone assigned them
        live = [m for m in scenario.messages if not m.mms]
        tagged = sorted(
            [(m, False) for m in live] + [(m, True) for m in deleted], key=lambda x: x[0].time
        )
        sms_rows = [_sms_row(i, threads[m.address], m) for i, (m, _) in enumerate(tagged, start=1)]
        gone = {i for i, (_, d) in enumerate(tagged, start=1) if d}
    cut = max(len(sms_rows) - wal_tail, 0) if wal == "tail" else len(sms_rows)
    head_rows, tail_rows = sms_rows[:cut], sms_rows[cut:]
    if deleted:
        # The newest live rows go to the -wal; every deleted row is written before the
        # checkpoint. Without a WAL it is deleted in the main file (free space, where a later
        # rebalancing of its page may overwrite it); with one, after the checkpoint: its page
        # as checkpointed keeps it whole under the WAL frames that free it.
        live_ids = [r[0] for r in sms_rows if r[0] not in gone]
        in_wal = set(live_ids[max(len(live_ids) - wal_tail, 0) :]) if wal == "tail" else set()
        head_rows = [r for r in sms_rows if r[0] not in in_wal]
        tail_rows = [r for r in sms_rows if r[0] in in_wal]
    insert_sms = "INSERT INTO sms VALUES (" + ", ".join("?" * 17) + ")"

    def delete(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
        ids = [(r[0],) for r in rows if r[0] in gone]
        if ids:
            # Off, so that the freed cells keep their bytes (Debian's SQLite defaults to on).
            conn.execute("PRAGMA secure_delete = OFF")
            conn.executemany("DELETE FROM sms WHERE _id = ?", ids)

    def head(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO android_metadata VALUES ('en_GB')")
        conn.executemany(
            "INSERT INTO canonical_addresses (_id, address) VALUES (?, ?)",
            [(i, a) for a, i in threads.items()],
        )
        conn.executemany(
            "INSERT INTO threads (_id, date, message_count, recipient_ids, snippet) "
            "VALUES (?, ?, ?, ?, ?)",
            [(i, 0, 0, str(i), None) for i in threads.values()],
        )
        conn.executemany(insert_sms, head_rows)
        for pdu_id, message in mms:
            seconds = int(message.time.value // 1_000_000_000)
            conn.execute(
                "INSERT INTO pdu (_id, thread_id, date, date_sent, msg_box, read, m_id, sub, "
                "ct_t, m_type, v, pri, tr_id, seen, text_only) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, 18, 129, ?, 1, 1)",
                (
                    pdu_id,
                    threads[message.address],
                    seconds,
                    seconds,
                    2 if message.outgoing else 1,
                    int(message.read),
                    f"mid-{pdu_id:06d}@mms.example.com",
                    "application/vnd.wap.multipart.related",
                    128 if message.outgoing else 132,  # m-send-req / m-retrieve-conf
                    f"T{pdu_id:010d}",
                ),
            )
            sender = _INSERT_ADDRESS_TOKEN if message.outgoing else message.address
            recipient = message.address if message.outgoing else scenario.owner_number
            conn.executemany(
                "INSERT INTO addr (msg_id, contact_id, address, type, charset) "
                "VALUES (?, NULL, ?, ?, 106)",
                [(pdu_id, sender, PDU_FROM), (pdu_id, recipient, PDU_TO)],
            )
            conn.execute(
                "INSERT INTO part (mid, seq, ct, name, chset, cl, text) "
                "VALUES (?, -1, 'application/smil', NULL, NULL, 'smil.xml', ?)",
                (
                    pdu_id,
                    '<smil><body><par dur="5000ms"><text src="text_0.txt"/></par></body></smil>',
                ),
            )
            conn.execute(
                "INSERT INTO part (mid, seq, ct, name, chset, cl, text) "
                "VALUES (?, 0, 'text/plain', 'text_0.txt', 106, 'text_0.txt', ?)",
                (pdu_id, message.body),
            )

        if wal != "tail":
            delete(conn, sms_rows)

    def tail(conn: sqlite3.Connection) -> None:
        conn.executemany(insert_sms, tail_rows)
        if wal == "tail":
            delete(conn, sms_rows)

    write_db(path, MMSSMS_SCHEMA, head, tail, wal=wal)
    notes: dict[str, Any] = {
        "sms_rows": len(sms_rows) - len(gone),
        "mms_rows": len(mms),
        "sms_ids_only_in_wal": [r[0] for r in tail_rows],
    }
    if deleted:
        notes["deleted_sms"] = _deleted_key(
            path, sms_rows, gone, "wal" if wal == "tail" else "main"
        )
    return notes


def _deleted_key(
    path: Path, rows: list[tuple[Any, ...]], gone: set[int], deleted_in: str
) -> list[dict[str, Any]]:
    """The deleted rows as written, and whether their bytes are still in the files."""
    held = path.read_bytes()  # the row's whole content still there: see record_content
    wal_file = path.with_name(path.name + "-wal")
    held += wal_file.read_bytes() if wal_file.exists() else b""
    key = []
    for row in rows:
        if row[0] not in gone:
            continue
        key.append(
            {
                "_id": row[0],
                "time": json_ready(pd.Timestamp(row[4], unit="ms", tz="UTC")),
                "date_ms": row[4],
                "address": row[2],
                "body": row[12],
                "type": row[9],
                "read": bool(row[7]),
                "thread_id": row[1],
                "deleted_in": deleted_in,
                "bytes_in_file": record_content(row[1:]) in held,
            }
        )
    return key


def _call_rows(scenario: Scenario) -> list[tuple[Any, ...]]:
    return [
        (i + 1, c.number, _ms(c.time), c.duration_s, _CALL_TYPE[c.label], 0, c.name, "GB")
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


def _write_contacts2(path: Path, scenario: Scenario, wal: WalState) -> None:
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
                (i, i, int(bool(contact.phones)), f"0r{i}-EXAMPLE", _ms(contact.modified)),
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


def write_android_tree(
    root: Path,
    scenario: Scenario,
    *,
    wal: bool = True,
    wal_tail: int = 3,
    whatsapp: Literal["modern", "legacy"] = "modern",
    extras: bool | Extras = False,
    linphone: bool | Linphone = False,
    deleted_sms: int | Sequence[Message] = 0,
    android_version: str = DEFAULT_ANDROID,
) -> dict[str, Any]:
    """Write the scenario's Android file system under ``root``; return the writer's notes.

    ``android_version`` (a key of :data:`ANDROID_RELEASES`): the release build.prop
    declares, and the one whose schema every provider database follows.

    ``extras`` adds Chrome history, WifiConfigStore.xml and packages.xml (ABX).
    ``deleted_sms``: SMS written and then deleted (``PRAGMA secure_delete = OFF``) so they stay
    in the free space of ``mmssms.db``: your own messages, or a count for
    :func:`deleted_messages`; listed in the notes as ``deleted_sms``."""
    deleted = (
        deleted_messages(scenario, deleted_sms)
        if isinstance(deleted_sms, int)
        else list(deleted_sms)
    )
    notes = _write_mmssms(root / MMSSMS_DB, scenario, "tail" if wal else "none", wal_tail, deleted)
    release = ANDROID_RELEASES[android_version]
    write_calllog(
        root / CALLLOG_DB,
        _call_rows(scenario),
        wal="bare" if wal else "none",
        version=release.version,
    )
    _write_contacts2(root / CONTACTS2_DB, scenario, "tail" if wal else "none")
    prop = root / BUILD_PROP
    prop.parent.mkdir(parents=True, exist_ok=True)
    prop.write_text(build_prop_text(release.version))  # no ro.serialno: see device_serial
    notes["device"] = {
        "make": "Google",
        "model": "Pixel 7",
        "os_version": release.version,
        "build": release.build_id,
        "calllog_version": release.calllog_version,
        "serial": device_serial(scenario.seed),
        "imei": device_imei(scenario.seed),
        "serial_source": "acquisition record",
    }
    notes["calllog_wal"] = "bare" if wal else "none"
    notes["whatsapp"] = write_android_whatsapp(
        root, scenario, schema=whatsapp, wal="tail" if wal else "none"
    )
    if extras:  # browser history, Wi-Fi networks, installed apps
        more = extras if isinstance(extras, Extras) else make_extras(scenario.seed)
        notes["extras"] = {**more.to_json(), **write_android_extras(root, more, wal=wal)}
    if linphone:  # Linphone SIP accounts and call history
        notes["linphone"] = write_android_linphone(
            root,
            linphone if isinstance(linphone, Linphone) else make_linphone(scenario.seed),
            wal=wal,
        )
    return notes
