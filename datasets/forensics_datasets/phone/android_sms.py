"""Android SMS and MMS: the telephony provider's mmssms.db (threads, sms, pdu, part, addr), with
deleted messages left in free pages where the answer key says."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_datasets.phone._pack import WalState, write_db
from forensics_datasets.phone.scenario import PHRASES, Message, Scenario, json_ready

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
PDU_FROM, PDU_TO = 0x89, 0x97
_INSERT_ADDRESS_TOKEN = "insert-address-token"  # Telephony.Mms.Addr: the sender of our own MMS


def unix_ms(ts: pd.Timestamp) -> int:
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
    date = unix_ms(message.time)
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


def write_mmssms(
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
