"""The evidence-handling demo case: one small exhibit, its custody log, its manifest.

Everything is synthetic (invented names, ``example`` domains, no real person's data) and
seeded: the same seed writes byte-identical files. It feeds the tour notebook and lab 0:

* ``EXH-001_phone_excerpt.zip``: a partial extraction as vendors ship them (names with a
  leading ``/`` and a ``filesystem2/`` prefix) holding a notes app database in WAL mode
  whose newest note exists *only* in ``notes.db-wal``, a text file, and a photo stub;
* ``custody.jsonl``: seizure, acquisition and sealing, hash-chained;
* ``hashes.json``: the acquisition manifest (SHA-256 and MD5);
* ``timestamps.json``: numbers found in "unknown" fields, for the decoding exercise;
* ``answer_key.json``: what a trainee should find.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forensics_datasets.sqlite_files import write_db
from forensics_lib.core.custody import CustodyLog
from forensics_lib.core.hashing import build_manifest, write_manifest

__all__ = ["DEMO_VERSION", "DemoCase", "make_demo_case"]

DEMO_VERSION = 1
EXHIBIT_NAME = "EXH-001_phone_excerpt.zip"
NOTES_DB = "data/data/org.example.notes/databases/notes.db"
# A fixed date in 2024: a seed shifts it by whole days, so the case is reproducible.
BASE_TIME = pd.Timestamp("2024-03-14T08:00:00Z")
FIRST_NAMES = ("Alex", "Sam", "Robin", "Charlie", "Jo", "Kim", "Lou", "Max")
NOTES = (
    "Pick-up at the usual place",
    "Battery charged, 2 spare",
    "Call E. after 22:00",
    "Check wind forecast",
    "Bring the grey bag",
    "Delete this later",
)


@dataclass(frozen=True)
class DemoCase:
    """Where the demo files are and what they hold."""

    root: Path
    exhibit: Path
    answer_key: dict[str, object]


def _zip_time(ts: pd.Timestamp) -> tuple[int, int, int, int, int, int]:
    return (ts.year, ts.month, ts.day, ts.hour, ts.minute, ts.second)


NOTES_SCHEMA = (
    "CREATE TABLE notes (_id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, "
    "created INTEGER NOT NULL)",  # Unix milliseconds, as many Android apps store
)


def _write_notes_db(work: Path, rng: random.Random, start: pd.Timestamp) -> list[dict[str, object]]:
    """A WAL-mode database whose last note is committed only in the -wal file."""
    picks = rng.sample(NOTES, 4)
    rows: list[dict[str, object]] = []
    for i, title in enumerate(picks):
        created = start + pd.Timedelta(minutes=rng.randint(5, 50) + 60 * i)
        rows.append({"_id": i + 1, "title": title, "created_ms": created.value // 1_000_000})

    def insert(chosen: list[dict[str, object]]) -> Callable[[sqlite3.Connection], None]:
        def fill(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT INTO notes (_id, title, created) VALUES (?, ?, ?)",
                [(r["_id"], r["title"], r["created_ms"]) for r in chosen],
            )

        return fill

    write_db(work / "snap.db", NOTES_SCHEMA, insert(rows[:-1]), insert(rows[-1:]), wal="tail")
    return rows


def _timestamp_puzzle(rng: random.Random, start: pd.Timestamp) -> list[dict[str, object]]:
    """Numbers in four epochs, each the same kind of event on the same day."""
    moments = [start + pd.Timedelta(seconds=rng.randint(0, 86_399)) for _ in range(4)]
    unix = moments[0].value // 10**9
    cocoa = moments[1].value // 10**9 - 978_307_200
    webkit = (moments[2].value // 1000) + 11_644_473_600 * 1_000_000
    unix_ms = moments[3].value // 10**6
    return [
        {"field": "sent", "value": unix, "epoch": "Unix seconds", "utc": moments[0]},
        {"field": "ZDATE", "value": cocoa, "epoch": "Cocoa seconds", "utc": moments[1]},
        {"field": "last_visit_time", "value": webkit, "epoch": "WebKit us", "utc": moments[2]},
        {"field": "date", "value": unix_ms, "epoch": "Unix milliseconds", "utc": moments[3]},
    ]


def make_demo_case(out: str | Path, seed: int = 0) -> DemoCase:
    """Write the demo case for ``seed`` into ``out`` (created; existing files replaced)."""
    rng = random.Random(seed)
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    start = BASE_TIME + pd.Timedelta(days=seed % 365)
    investigator = f"DC {rng.choice(FIRST_NAMES)} Example"
    examiner = f"{rng.choice(FIRST_NAMES)} Sample (lab)"

    with tempfile.TemporaryDirectory(prefix="demo-") as tmp:
        work = Path(tmp)
        notes = _write_notes_db(work, rng, start)
        exhibit = root / EXHIBIT_NAME
        mtime = _zip_time(start + pd.Timedelta(hours=6))
        with zipfile.ZipFile(exhibit, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            members = {
                f"/filesystem2/{NOTES_DB}": (work / "snap.db").read_bytes(),
                f"/filesystem2/{NOTES_DB}-wal": (work / "snap.db-wal").read_bytes(),
                "/filesystem2/data/media/0/Download/readme.txt": (
                    b"Synthetic training exhibit. No real person's data.\n"
                ),
                "/filesystem2/data/media/0/DCIM/Camera/IMG_0001.jpg": b"\xff\xd8\xff\xd9",
            }
            for name, data in members.items():
                info = zipfile.ZipInfo(name, date_time=mtime)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o100444 << 16  # a read-only regular file
                zf.writestr(info, data)

    sha256 = hashlib.sha256(exhibit.read_bytes()).hexdigest()
    custody_path = root / "custody.jsonl"
    custody_path.unlink(missing_ok=True)
    log = CustodyLog(custody_path)
    seized = start + pd.Timedelta(hours=7)
    log.append(
        who=investigator,
        action="seized",
        exhibit="EXH-001",
        time=seized,
        note="phone found in cell B-12",
    )
    log.append(
        who=examiner,
        action="acquired",
        exhibit="EXH-001",
        sha256=sha256,
        time=seized + pd.Timedelta(hours=3),
        note="logical extraction",
    )
    log.append(
        who=examiner,
        action="sealed",
        exhibit="EXH-001",
        sha256=sha256,
        time=seized + pd.Timedelta(hours=3, minutes=20),
        note="bag 0042",
    )

    manifest = build_manifest([exhibit], root=root, progress=False)
    manifest["created_utc"] = (seized + pd.Timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    manifest["root"] = "."
    write_manifest(manifest, root / "hashes.json")

    puzzle = _timestamp_puzzle(rng, start)
    (root / "timestamps.json").write_text(
        json.dumps([{"field": p["field"], "value": p["value"]} for p in puzzle], indent=2) + "\n"
    )
    key: dict[str, object] = {
        "seed": seed,
        "version": DEMO_VERSION,
        "exhibit": EXHIBIT_NAME,
        "exhibit_sha256": sha256,
        "member_count": 4,
        "notes_db_device_path": "/" + NOTES_DB,
        "notes": [
            {
                **n,
                "created_utc": pd.Timestamp(int(n["created_ms"]), unit="ms", tz="UTC").isoformat(),
            }  # type: ignore[call-overload]
            for n in notes
        ],
        "note_only_in_wal": notes[-1]["title"],
        "custody": {"investigator": investigator, "examiner": examiner},
        "timestamps": [
            {"field": p["field"], "epoch": p["epoch"], "utc": pd.Timestamp(p["utc"]).isoformat()}  # type: ignore[arg-type]
            for p in puzzle
        ],
    }
    (root / "answer_key.json").write_text(json.dumps(key, indent=2) + "\n")
    return DemoCase(root=root, exhibit=exhibit, answer_key=key)
