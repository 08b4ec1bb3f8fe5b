"""Phone extraction variants with a damaged -wal: the last rows committed one transaction at a
time, then salts of an earlier generation, a checksum mismatch, a torn frame, a bad header or a
missing commit frame."""

from __future__ import annotations

import shutil
import sqlite3
import struct
import tempfile
from pathlib import Path
from typing import Any, Literal

from forensics_datasets.phone.layouts import (
    MMSSMS_PATH,
    OS,
    SMS_DB_PATH,
    Container,
    Variant,
    base_tree,
    pack_variant,
)
from forensics_datasets.sqlite_files import (
    WAL_FRAME_HEADER,
    WAL_HEADER,
    fix_wal_salts,
    wal_checksum,
)

Damage = Literal["salt", "checksum", "torn", "header", "uncommitted"]
DAMAGES: tuple[Damage, ...] = ("salt", "checksum", "torn", "header", "uncommitted")


# -- damaged WAL ---------------------------------------------------------------------------


def _commit_per_row(db: Path, table: str, key: str, tail: int) -> list[dict[str, Any]]:
    """Move the last ``tail`` rows of ``table`` into a ``-wal``, one commit per row, as a
    live app leaves them; return per commit the row key and the WAL frame range."""
    with tempfile.TemporaryDirectory(prefix="variant-wal-") as tmp:
        work = Path(tmp) / db.name
        shutil.copyfile(db, work)
        conn = sqlite3.connect(work, isolation_level=None)
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
        rows = conn.execute(
            f'SELECT * FROM "{table}" ORDER BY "{key}" DESC LIMIT ?', (tail,)
        ).fetchall()[::-1]
        conn.execute(f'DELETE FROM "{table}" WHERE "{key}" >= ?', (rows[0][columns.index(key)],))
        conn.execute("VACUUM")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        wal = work.with_name(work.name + "-wal")
        commits = []
        marks = ", ".join("?" for _ in columns)
        for row in rows:
            before = (
                (wal.stat().st_size - WAL_HEADER) // (page_size + WAL_FRAME_HEADER)
                if (wal.exists() and wal.stat().st_size)
                else 0
            )
            conn.execute(f'INSERT INTO "{table}" VALUES ({marks})', row)
            after = (wal.stat().st_size - WAL_HEADER) // (page_size + WAL_FRAME_HEADER)
            commits.append({"key": row[columns.index(key)], "frames": [before + 1, after]})
        shutil.copyfile(work, db)
        shutil.copyfile(wal, db.with_name(db.name + "-wal"))
        conn.close()
    fix_wal_salts(db.with_name(db.name + "-wal"))
    return commits


def _damage(wal: Path, damage: Damage, frame: int) -> None:
    """Damage ``wal`` at 1-based ``frame`` (see :func:`write_damaged_wal`)."""
    data = bytearray(wal.read_bytes())
    magic, _v, page_size = struct.unpack(">3I", data[:12])
    fmt = ">" if magic & 1 else "<"
    size = WAL_FRAME_HEADER + page_size
    at = WAL_HEADER + (frame - 1) * size
    if damage == "salt":  # this frame and the rest belong to an earlier WAL generation
        for pos in range(at, len(data) - size + 1, size):
            data[pos + 8 : pos + 16] = struct.pack(">2I", 0x0BADC0DE, 0x0EA71E55)
    elif damage == "checksum":  # one byte of the page changed after it was written
        data[at + WAL_FRAME_HEADER + page_size // 2] ^= 0xFF
    elif damage == "torn":  # the copy stopped in the middle of the last frame
        del data[WAL_HEADER + (frame - 1) * size + size // 2 :]
    elif damage == "header":  # the WAL header checksum no longer matches
        data[24] ^= 0xFF
    elif damage == "uncommitted":  # the last frame is valid but is no commit frame
        if frame != (len(data) - WAL_HEADER) // size:
            raise ValueError("uncommitted damage applies to the last frame")
        data[at + 4 : at + 8] = b"\x00\x00\x00\x00"
        previous = at - size + 16 if frame > 1 else 24  # the cumulative checksum so far
        s1, s2 = struct.unpack(">2I", data[previous : previous + 8])
        s1, s2 = wal_checksum(bytes(data[at : at + 8]), s1, s2, fmt)
        s1, s2 = wal_checksum(bytes(data[at + WAL_FRAME_HEADER : at + size]), s1, s2, fmt)
        data[at + 16 : at + 24] = struct.pack(">2I", s1, s2)
    wal.write_bytes(bytes(data))


_WAL_TARGETS: dict[OS, tuple[str, str, str]] = {
    # os -> (device path, table, key column)
    "android": (MMSSMS_PATH, "sms", "_id"),
    "ios": (SMS_DB_PATH, "message", "ROWID"),
}


def write_damaged_wal(
    out: str | Path,
    *,
    damage: Damage,
    os: OS = "android",
    tail: int = 4,
    container: Container = "dir",
    seed: int = 0,
) -> Variant:
    """An extraction whose SMS database keeps its last ``tail`` messages in the ``-wal``,
    one commit each, damaged by ``damage``: ``salt`` (the frames of the third commit on
    carry other salts), ``checksum`` (a page byte of the third commit changed), ``torn``
    (the last frame cut in half), ``header`` (the WAL header checksum broken: SQLite ignores
    the whole WAL), ``uncommitted`` (the last frame no commit frame).

    The key gives the frames SQLite applies (``applied_frames``), the damaged frame, the
    first frame not applied (the first of the first commit not applied), and the rows a
    reader must show (``rows``): those of the main file plus those of the commits whose
    commit frame comes before the damage, in ``table`` (``sms`` of mmssms.db, ``message``
    of sms.db)."""
    device_path, table, key_column = _WAL_TARGETS[os]
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        base_tree(tree, os, seed, wal=False)
        db = tree / device_path
        with sqlite3.connect(db) as conn:
            total = int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
        conn.close()
        commits = _commit_per_row(db, table, key_column, tail)
        frames = commits[-1]["frames"][1]
        if damage in ("salt", "checksum"):
            first_bad = commits[2]["frames"][0] if len(commits) > 2 else 1
        elif damage in ("torn", "uncommitted"):
            first_bad = frames
        else:
            first_bad = 1
        _damage(db.with_name(db.name + "-wal"), damage, first_bad)
        applied = [c for c in commits if c["frames"][1] < first_bad] if damage != "header" else []
        exhibit = pack_variant(tree, out, f"{os}_wal_{damage}", container, "")
    return Variant(
        exhibit,
        {
            "os": os,
            "damage": damage,
            "device_path": device_path,
            "wal_frames": frames,
            "damaged_frame": first_bad,
            "applied_frames": applied[-1]["frames"][1] if applied else 0,
            # the first frame SQLite does not apply: that of the first commit not applied
            "first_skipped_frame": (applied[-1]["frames"][1] if applied else 0) + 1,
            "commits": commits,
            "table": table,
            "rows": total - tail + len(applied),
            "rows_lost": tail - len(applied),
            "rows_if_all_applied": total,
        },
    )
