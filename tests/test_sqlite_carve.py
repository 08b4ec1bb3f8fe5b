"""The SQLite carver: deleted records out of freeblocks, freelist pages and older page versions.

Truth: a database page built here byte by byte (offsets derived in the comments from
https://www.sqlite.org/fileformat2.html), databases written by SQLite itself where the test
knows which rows it deleted, and the documented contract (typed errors, bounded loops) for
hostile bytes.
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics_lib.errors import ForensicsError, ParseError, UnsupportedFormat
from forensics_lib.sqlite_carve import (
    CarvedRecord,
    ColumnLayout,
    TableLayout,
    carve,
    read_header,
    read_record,
    read_varint,
    read_wal,
)
from tests.conftest import examples

PAGE = 512
PEOPLE = TableLayout(
    "people",
    (
        ColumnLayout("id", "INTEGER", rowid_alias=True),
        ColumnLayout("name", "TEXT"),
        ColumnLayout("n", "INTEGER"),
    ),
    rootpage=2,
)


def _header(pages: int, trunk: int = 0, free: int = 0) -> bytes:
    """A 100-byte database header (#the_database_header), big-endian fields."""
    head = bytearray(100)
    head[0:16] = b"SQLite format 3\x00"
    head[16:18] = PAGE.to_bytes(2, "big")  # page size
    head[18], head[19] = 1, 1  # legacy (rollback) file format
    head[20] = 0  # no reserved bytes
    head[21:24] = b"\x40\x20\x20"  # payload fractions 64/32/32
    head[24:28] = (1).to_bytes(4, "big")  # change counter
    head[28:32] = pages.to_bytes(4, "big")  # in-header database size...
    head[92:96] = (1).to_bytes(4, "big")  # ...valid: version-valid-for = change counter
    head[32:36] = trunk.to_bytes(4, "big")
    head[36:40] = free.to_bytes(4, "big")
    head[44:48] = (4).to_bytes(4, "big")  # schema format 4
    head[56:60] = (1).to_bytes(4, "big")  # UTF-8
    return bytes(head)


def _page_one(pages: int, trunk: int = 0, free: int = 0) -> bytes:
    """Page 1: the header, then an empty table-leaf page header at offset 100."""
    page = bytearray(PAGE)
    page[:100] = _header(pages, trunk, free)
    page[100] = 13  # table leaf
    page[105:107] = PAGE.to_bytes(2, "big")  # cell content starts at the page end
    return bytes(page)


def _freeblock_page() -> bytes:
    """Page 2: a table leaf with one live cell (rowid 8) and one freed cell (rowid 7).

    The freed cell, as SQLite wrote it before the DELETE, at page offset 480:
        0B        payload length 11 (header 4 + 'Alice' 5 + int16 2)
        07        rowid 7
        04        record header length 4
        00        id: NULL (INTEGER PRIMARY KEY, the rowid alias)
        17        name: text of (0x17 - 13) / 2 = 5 bytes
        02        n: 16-bit integer
        'Alice' 01 2C   (300)
    = 13 bytes, 480..492. freeSpace() then wrote the freeblock header over its first 4 bytes:
    next freeblock 0x0000, size 0x000D (13). What survives starts at 484: 17 02 'Alice' 01 2C.

    The live cell at 493: 08 08 04 00 13 01 'Bob' 05 (payload 4 + 3 + 1 = 8, rowid 8, 'Bob', 5),
    10 bytes, 493..502.
    """
    page = bytearray(PAGE)
    freed = bytes([0x0B, 0x07, 0x04, 0x00, 0x17, 0x02]) + b"Alice" + b"\x01\x2c"
    live = bytes([0x08, 0x08, 0x04, 0x00, 0x13, 0x01]) + b"Bob" + b"\x05"
    assert len(freed) == 13 and len(live) == 10
    page[480:493] = freed
    page[480:484] = (0).to_bytes(2, "big") + (13).to_bytes(2, "big")  # the freeblock header
    page[493:503] = live
    page[0] = 13  # table leaf
    page[1:3] = (480).to_bytes(2, "big")  # first freeblock
    page[3:5] = (1).to_bytes(2, "big")  # one cell
    page[5:7] = (480).to_bytes(2, "big")  # cell content area starts at 480
    page[7] = 9  # 9 fragmented bytes (503..511, unused here)
    page[8:10] = (493).to_bytes(2, "big")  # the one cell pointer
    return bytes(page)


def test_a_hand_built_freeblock_is_recovered_byte_for_byte() -> None:
    db = _page_one(2) + _freeblock_page()
    [record] = carve(db, PEOPLE)
    # The surviving header starts with column 1's serial type at page offset 484: page 2
    # starts at file offset 512, so the record is at 512 + 484 = 996. Column 0's serial type
    # was overwritten, rebuilt from the layout (rowid alias: NULL); the rowid itself is lost.
    assert record == CarvedRecord(
        values=(None, "Alice", 300),
        rowid=None,
        page=2,
        offset=996,
        file="db",
        where="freeblock",
        region="freeblock",
        header_intact=False,
        lost_columns=1,
        content_end=512 + 493,
    )


def test_the_live_cell_is_not_carved_and_unallocated_space_is_read() -> None:
    page = bytearray(_freeblock_page())
    # Move the freed cell's bytes into the unallocated gap (after the 1-entry pointer array
    # ending at 10) with its header intact: 0B 07 04 00 17 02 'Alice' 01 2C at offset 40.
    page[40:53] = bytes([0x0B, 0x07, 0x04, 0x00, 0x17, 0x02]) + b"Alice\x01\x2c"
    page[1:3] = b"\x00\x00"  # no freeblock
    records = carve(_page_one(2) + bytes(page), PEOPLE)
    assert [(r.values, r.rowid, r.region, r.header_intact, r.offset) for r in records] == [
        ((7, "Alice", 300), 7, "unallocated", True, 512 + 40)  # rowid alias filled: 7
    ]


def test_varints_and_records_follow_the_spec() -> None:
    # #varint: 0x81 0x00 = (1 << 7) | 0 = 128; nine 0xFF bytes = -1 (all 64 bits set).
    assert read_varint(b"\x81\x00", 0) == (128, 2)
    assert read_varint(b"\xff" * 9, 0) == (-1, 9)
    assert read_varint(b"\x81", 0) is None  # runs off the end
    # Record: header 07 | types 01 (int8) 07 (float64) 0F (text 1) 0C (blob 0) 08 (zero) 09
    # (one); content 2A | 3FF0000000000000 (1.0) | 'x'.
    raw = bytes([7, 1, 7, 15, 12, 8, 9, 0x2A]) + struct.pack(">d", 1.0) + b"x"
    assert read_record(raw, 0, len(raw)) == ([42, 1.0, "x", b"", 0, 1], len(raw))


def _sqlite_db(path: Path, *, wal: bool) -> tuple[TableLayout, set[int], set[int]]:
    """A real database: 60 rows, rows 10, 11 and 40 deleted (secure_delete off)."""
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("PRAGMA secure_delete=OFF")
    conn.execute("CREATE TABLE t (_id INTEGER PRIMARY KEY, body TEXT, stamp INTEGER)")
    conn.executemany(
        "INSERT INTO t VALUES (?, ?, ?)",
        [(i, f"row number {i} " * 3, 1_700_000_000_000 + i) for i in range(1, 61)],
    )
    conn.commit()
    if wal:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.executemany("DELETE FROM t WHERE _id = ?", [(10,), (11,), (40,)])
    conn.commit()
    info = [(r[1], r[2], r[5]) for r in conn.execute("PRAGMA table_info(t)")]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 't'").fetchone()[0]
    if wal:  # copy the pair while the writer is open (closing would checkpoint)
        (path.parent / "copy.db").write_bytes(path.read_bytes())
        (path.parent / "copy.db-wal").write_bytes(path.with_name(path.name + "-wal").read_bytes())
    conn.close()
    return TableLayout.from_table_info("t", info, root), {10, 11, 40}, set(range(1, 61))


def _stamps(records: list[CarvedRecord]) -> set[int]:
    return {int(r.values[2]) - 1_700_000_000_000 for r in records if isinstance(r.values[2], int)}


def test_rows_deleted_by_sqlite_are_found_in_free_space(tmp_path: Path) -> None:
    layout, deleted, _ = _sqlite_db(tmp_path / "t.db", wal=False)
    records = carve((tmp_path / "t.db").read_bytes(), layout)
    # Every deleted row, with its text; no live row (their cells are not free space).
    assert _stamps(records) == deleted
    for r in records:
        i = int(r.values[2]) - 1_700_000_000_000  # type: ignore[operator]
        assert r.values[1] == f"row number {i} " * 3
        assert r.where in ("freeblock", "unallocated")


def test_a_row_deleted_after_the_checkpoint_is_whole_under_the_wal(tmp_path: Path) -> None:
    layout, deleted, _ = _sqlite_db(tmp_path / "t.db", wal=True)
    db = (tmp_path / "copy.db").read_bytes()
    wal = (tmp_path / "copy.db-wal").read_bytes()
    frames = read_wal(wal, read_header(db).page_size)
    assert frames and all(f.valid for f in frames) and frames[-1].committed
    records = carve(db, layout, wal=wal)
    superseded = [r for r in records if r.where == "superseded" and r.region == "cell"]
    # The main file's pages as checkpointed hold every row (all 60 are whole cells there);
    # the deleted ones are also in the WAL frames' free space.
    assert _stamps(superseded) == set(range(1, 61))
    in_wal = [r for r in records if r.file == "wal" and r.region != "cell"]
    assert _stamps(in_wal) == deleted
    for r in in_wal:
        assert r.where.startswith("wal-frame ")
        frame = next(f for f in frames if f.offset <= r.offset < f.offset + 4096)
        assert r.where == f"wal-frame {frame.index}" and r.page == frame.page


def test_a_corrupt_header_is_a_parse_error_with_its_offset() -> None:
    db = bytearray(_page_one(2) + _freeblock_page())
    db[16:18] = (1000).to_bytes(2, "big")  # not a power of two
    with pytest.raises(ParseError) as err:
        carve(bytes(db), PEOPLE, path="evil.db")
    assert err.value.offset == 16 and err.value.path == "evil.db"
    with pytest.raises(ParseError) as err:
        read_header(b"SQLite format 3\x00" + b"\x10\x00", "short.db")
    assert err.value.offset == 18
    with pytest.raises(UnsupportedFormat):
        read_header(b"not a database" * 10)


def test_a_freelist_cycle_and_a_freeblock_loop_end() -> None:
    # Header: first trunk page 2, 1 free page. Page 2 is a trunk whose next trunk is page 2
    # again (a cycle) with one leaf, page 2 itself. Page 3 is the table, whose freeblock at
    # 480 points at itself.
    trunk = bytearray(PAGE)
    trunk[0:4] = (2).to_bytes(4, "big")
    trunk[4:8] = (1).to_bytes(4, "big")
    trunk[8:12] = (2).to_bytes(4, "big")
    table = bytearray(_freeblock_page())
    table[480:482] = (480).to_bytes(2, "big")
    layout = TableLayout(PEOPLE.name, PEOPLE.columns, rootpage=3)
    records = carve(_page_one(3, trunk=2, free=1) + bytes(trunk) + bytes(table), layout)
    assert [r.values for r in records] == [(None, "Alice", 300)]


def _sample_db() -> bytes:
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA page_size=512")
    conn.execute("PRAGMA secure_delete=OFF")
    conn.execute("CREATE TABLE t (_id INTEGER PRIMARY KEY, body TEXT, stamp INTEGER)")
    conn.executemany(
        "INSERT INTO t VALUES (?, ?, ?)", [(i, f"text {i}" * 4, i * 1000) for i in range(1, 40)]
    )
    conn.execute("DELETE FROM t WHERE _id % 3 = 0")
    conn.commit()
    data = conn.serialize()
    conn.close()
    return bytes(data)


_SAMPLE = _sample_db()
_LAYOUT = TableLayout(
    "t",
    (
        ColumnLayout("_id", "INTEGER", rowid_alias=True),
        ColumnLayout("body", "TEXT"),
        ColumnLayout("stamp", "INTEGER"),
    ),
    rootpage=2,
)


def test_the_fuzz_sample_itself_holds_deleted_rows() -> None:
    stamps = {r.values[2] for r in carve(_SAMPLE, _LAYOUT)}
    assert {i * 1000 for i in range(3, 40, 3)} <= stamps


@st.composite
def _damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(_SAMPLE)
    for _ in range(draw(st.integers(1, 8))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "pointer"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if action == "flip" and data:
            data[pos] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[pos:]
        elif action == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif len(data) > pos + 2:  # a wild 2-byte pointer (freeblock, cell, content start)
            data[pos : pos + 2] = draw(st.integers(0, 0xFFFF)).to_bytes(2, "big")
    return bytes(data)


@settings(
    max_examples=examples(120),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(db=_damaged(), wal=st.one_of(st.none(), st.binary(max_size=2000)))
def test_garbage_gives_records_or_typed_errors_never_a_crash(db: bytes, wal: bytes | None) -> None:
    try:
        records = carve(db, _LAYOUT, wal=wal)
    except ForensicsError:
        return
    for record in records:
        assert len(record.values) == 3
        assert 0 <= record.offset < len(db) + len(wal or b"")
