"""Write SQLite databases the way a live phone leaves them, byte for byte reproducibly.

WAL states (https://www.sqlite.org/wal.html): a phone's app databases run in WAL mode, and an
extraction copies them while the app holds them open, so committed rows may sit only in the
``-wal`` file. :func:`write_db` copies the database and its ``-wal`` while the writing
connection is still open (closing it would checkpoint and delete the WAL):

* ``"none"``: rollback journal, everything in the main file;
* ``"tail"``: the first rows checkpointed into the main file, the last ones only in the WAL;
* ``"bare"``: WAL from the first write: the main file is a bare header (no schema) and every
  table and row is in the WAL, as in many real extractions.

SQLite draws WAL salts at random; :func:`fix_wal_salts` makes them fixed so that the same
seed always gives the same bytes (and the same exhibit hash).
"""

from __future__ import annotations

import shutil
import sqlite3
import struct
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

__all__ = [
    "WAL_FRAME_HEADER",
    "WAL_HEADER",
    "WalState",
    "fix_wal_salts",
    "wal_checksum",
    "write_db",
]

WalState = Literal["none", "tail", "bare"]
Fill = Callable[[sqlite3.Connection], None]


def write_db(
    dest: Path,
    schema: Sequence[str],
    head: Fill,
    tail: Fill | None = None,
    wal: WalState = "none",
    collations: Sequence[str] = (),
) -> None:
    """Create ``dest`` with ``schema``, fill it, and leave it in the ``wal`` state."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="phone-db-") as tmp:
        work = Path(tmp) / dest.name
        conn = sqlite3.connect(work)
        for name in collations:  # Android's custom collations (e.g. PHONEBOOK)
            conn.create_collation(name, lambda a, b: (a > b) - (a < b))
        if wal != "none":
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA wal_autocheckpoint=0")
        for statement in schema:
            conn.execute(statement)
        head(conn)
        conn.commit()
        if wal == "tail":
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if tail is not None:
            tail(conn)
            conn.commit()
        if wal == "none":
            conn.close()
            shutil.copyfile(work, dest)
            return
        # Copy while the writer is open, as an extraction of a live phone does.
        shutil.copyfile(work, dest)
        wal_file = work.with_name(work.name + "-wal")
        if wal_file.exists() and wal_file.stat().st_size:
            copy = dest.with_name(dest.name + "-wal")
            shutil.copyfile(wal_file, copy)
            fix_wal_salts(copy)
        conn.close()


WAL_HEADER = 32
WAL_FRAME_HEADER = 24
_FIXED_SALTS = (0x45584D50, 0x4C453031)  # "EXMP", "LE01": fixed instead of random


def wal_checksum(data: bytes, s1: int, s2: int, fmt: str) -> tuple[int, int]:
    """SQLite's WAL checksum (https://www.sqlite.org/fileformat.html#checksum_algorithm)."""
    words = struct.unpack(f"{fmt}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s1 = (s1 + words[i] + s2) & 0xFFFFFFFF
        s2 = (s2 + words[i + 1] + s1) & 0xFFFFFFFF
    return s1, s2


def fix_wal_salts(path: Path) -> None:
    """Replace the random salts of a WAL file by fixed ones and recompute its checksums.

    SQLite draws the salts at random, so two runs would write different bytes. Only the
    frames valid under the header's salts are kept (the WAL layout of
    https://www.sqlite.org/fileformat.html#the_write_ahead_log).
    """
    data = bytearray(path.read_bytes())
    if len(data) < WAL_HEADER:
        return
    magic, _version, page_size, _seq, salt1, salt2 = struct.unpack(">6I", data[:24])
    fmt = ">" if magic & 1 else "<"
    data[16:24] = struct.pack(">2I", *_FIXED_SALTS)
    s1, s2 = wal_checksum(bytes(data[:24]), 0, 0, fmt)
    data[24:32] = struct.pack(">2I", s1, s2)
    pos = WAL_HEADER
    frame = WAL_FRAME_HEADER + page_size
    while pos + frame <= len(data):
        if struct.unpack(">2I", data[pos + 8 : pos + 16]) != (salt1, salt2):
            break
        data[pos + 8 : pos + 16] = struct.pack(">2I", *_FIXED_SALTS)
        s1, s2 = wal_checksum(bytes(data[pos : pos + 8]), s1, s2, fmt)
        s1, s2 = wal_checksum(bytes(data[pos + WAL_FRAME_HEADER : pos + frame]), s1, s2, fmt)
        data[pos + 16 : pos + 24] = struct.pack(">2I", s1, s2)
        pos += frame
    path.write_bytes(bytes(data[:pos]))
