"""Phone benchmark: a large Android extraction, every artifact to DataFrames.

The extraction holds 1,000,000 SMS (``mmssms.db``), 1,000,000 WhatsApp messages (modern
``msgstore.db``) and 200,000 calls (``calllog.db``), written with the generator's real
schemas (``--quick``: 1/50 of that). We time ``Extraction.read_all()`` (every artifact, with
schema checks, UTC conversion, labels and provenance) against a per-row Python loop that
builds one dict per row with ``datetime.fromtimestamp`` (the way ALEAPP-style tools read),
in the same process, and print the ratio and the peak RSS.

Run: ``python -m benchmarks.bench_phone [--quick]`` (or through ``python -m benchmarks``).
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from forensics_datasets.phone.android import CALLLOG_DB, CALLS_SCHEMA, MMSSMS_DB, MMSSMS_SCHEMA
from forensics_datasets.phone.whatsapp import ANDROID_MSGSTORE, MODERN_SCHEMA

from forensics_lib.phone import open_extraction

_START_MS = 1_710_403_200_000  # 2024-03-14T08:00:00Z
_WORDS = ("ok", "Are you there?", "Pick-up at the usual place", "Call me after 22:00", "🚗")


def _create(
    path: Path, schema: tuple[str, ...], fill: Callable[[sqlite3.Connection], None]
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    for statement in schema:
        conn.execute(statement)
    fill(conn)
    conn.commit()
    conn.close()


def write_big_android(root: Path, sms: int, wa: int, calls: int, seed: int = 0) -> None:
    """A large Android tree (real schemas, synthetic rows), fast: no per-row Timestamps."""
    rng = random.Random(seed)
    numbers = [f"+447700900{i:03d}" for i in range(1000)]

    def fill_sms(conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO sms (_id, thread_id, address, date, date_sent, read, type, body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    i,
                    i % 1000,
                    numbers[i % 1000],
                    _START_MS + i * 997,
                    _START_MS + i * 997,
                    1,
                    1 + (i % 2),
                    _WORDS[rng.randrange(5)],
                )
                for i in range(1, sms + 1)
            ),
        )

    def fill_calls(conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO calls (_id, number, date, duration, type, name, countryiso) "
            "VALUES (?, ?, ?, ?, ?, NULL, 'GB')",
            (
                (i, numbers[i % 1000], _START_MS + i * 5_003, rng.randrange(0, 900), 1 + i % 7)
                for i in range(1, calls + 1)
            ),
        )

    def fill_wa(conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO jid (_id, user, server, raw_string) VALUES (?, ?, 's.whatsapp.net', ?)",
            ((i + 1, n[1:], n[1:] + "@s.whatsapp.net") for i, n in enumerate(numbers)),
        )
        conn.executemany(
            "INSERT INTO chat (_id, jid_row_id) VALUES (?, ?)", ((i, i) for i in range(1, 1001))
        )
        conn.executemany(
            "INSERT INTO message (_id, chat_row_id, from_me, key_id, sender_jid_row_id, "
            "timestamp, received_timestamp, message_type, text_data) "
            "VALUES (?, ?, ?, ?, 0, ?, ?, 0, ?)",
            (
                (
                    i,
                    1 + i % 1000,
                    i % 2,
                    f"K{i:010d}",
                    _START_MS + i * 991,
                    _START_MS + i * 991,
                    _WORDS[rng.randrange(5)],
                )
                for i in range(2, wa + 2)
            ),
        )

    _create(root / MMSSMS_DB, MMSSMS_SCHEMA, fill_sms)
    _create(root / CALLLOG_DB, CALLS_SCHEMA, fill_calls)
    _create(root / ANDROID_MSGSTORE, MODERN_SCHEMA, fill_wa)


def _baseline(root: Path) -> int:
    """ALEAPP-style: iterate rows, build a dict per row, convert each time in Python; then
    one DataFrame per artifact, so both sides deliver the same thing."""
    total = 0
    queries = (
        (MMSSMS_DB, "SELECT _id, address, date, type, body, read FROM sms", 2, 1000),
        (CALLLOG_DB, "SELECT _id, number, date, duration, type FROM calls", 2, 1000),
        (
            ANDROID_MSGSTORE,
            "SELECT m._id, j.raw_string, m.timestamp, m.from_me, m.text_data "
            "FROM message m JOIN chat c ON c._id = m.chat_row_id "
            "JOIN jid j ON j._id = c.jid_row_id",
            2,
            1000,
        ),
    )
    for rel, sql, time_index, scale in queries:
        out: list[dict[str, Any]] = []
        conn = sqlite3.connect(f"file:{root / rel}?immutable=1", uri=True)
        cursor = conn.execute(sql)
        names = [d[0] for d in cursor.description]
        for row in cursor:
            record = dict(zip(names, row, strict=True))
            record["time"] = datetime.fromtimestamp(row[time_index] / scale, tz=UTC)
            record["source"] = rel
            out.append(record)
        conn.close()
        total += len(pd.DataFrame(out))
    return total


def bench_phone(quick: bool = False) -> str:
    sms, wa, calls = (20_000, 20_000, 4_000) if quick else (1_000_000, 1_000_000, 200_000)
    with tempfile.TemporaryDirectory(prefix="bench-phone-") as tmp:
        root = Path(tmp) / "EXH-BENCH"
        write_big_android(root, sms, wa, calls)
        start = time.perf_counter()
        with open_extraction(root) as ext:
            frames = ext.read_all()
        t_ours = time.perf_counter() - start
        rows = sum(len(f) for f in frames.values())
        start = time.perf_counter()
        base_rows = _baseline(root)
        t_base = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    assert rows == sms + wa + calls == base_rows, (rows, base_rows)
    return (
        f"phone: {sms:,} SMS + {wa:,} WhatsApp + {calls:,} calls -> {rows:,} rows in "
        f"{t_ours:.2f} s; per-row dict loop to DataFrames {t_base:.2f} s; "
        f"speed-up {t_base / t_ours:.1f}x; "
        f"peak RSS {peak_mib:,.0f} MiB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_phone")
    parser.add_argument("--quick", action="store_true", help="1/50 of the rows (a smoke run)")
    args = parser.parse_args(argv)
    print(bench_phone(quick=args.quick), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
