"""Carve deleted records of one table out of a SQLite database file and its ``-wal``.

A ``DELETE`` does not erase a row unless ``PRAGMA secure_delete`` is on (Android and iOS ship
with it off; some desktop builds, Debian's included, turn it on). The bytes stay where the
b-tree left them, and this module reads them back, following the file format
(https://www.sqlite.org/fileformat2.html, sections cited by anchor below):

* **freeblocks** of a live table-leaf page (``#b_tree_pages``): the freed cell becomes a
  freeblock whose first 4 bytes (next-freeblock offset, size) overwrite the start of the cell:
  its payload-length and rowid varints and the record's header-length varint, sometimes the
  first serial type too (SQLite ``btree.c`` ``freeSpace()``). The rest of the record header
  survives; the lost leading columns are rebuilt from the table's known layout (a rowid alias
  ``INTEGER PRIMARY KEY`` is always stored as NULL), as forensic carvers do.
* **unallocated space** of a live page: between the end of the cell pointer array and the
  start of the cell content area (cells moved by a defragmentation leave copies there).
* **freelist pages** (``#the_freelist``): a page emptied by deletes is put on the freelist and
  not rewritten (``btree.c`` ``freePage2()``: "DontWrite"), so its old cells are still there,
  each with its first 4 bytes overwritten as above.
* **older page versions** (``#the_write_ahead_log``): every frame of the ``-wal`` holds a
  page as one transaction left it, and the main file holds each page as it was before the
  frames that replace it. A row deleted by a later transaction is an intact cell there.

Records are matched against the table's layout (column count and declared affinities,
``https://www.sqlite.org/datatype3.html#determination_of_column_affinity``) and decoded with
the record format (``#record_format``): varints, serial types 0-9, text and blobs. The
caller validates what the values mean (a plausible date...) and drops rows still live.

Nothing here trusts the file: every pointer is bounds-checked, every loop is bounded
(the freelist chain by the page count, with cycle detection; a freeblock chain must move
forward), and a corrupt database header raises :class:`ParseError` with its offset.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from forensics_lib.core.errors import ParseError, UnsupportedFormat

__all__ = [
    "CarvedRecord",
    "ColumnLayout",
    "DatabaseHeader",
    "TableLayout",
    "Value",
    "WalFrame",
    "affinity",
    "carve",
    "read_header",
    "read_record",
    "read_varint",
    "read_wal",
]

Value = int | float | str | bytes | None
_NONZERO = re.compile(rb"[^\x00]")
Affinity = Literal["INTEGER", "TEXT", "BLOB", "REAL", "NUMERIC"]

# #the_database_header: 100 bytes, magic string at offset 0.
SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
# #b_tree_pages: page type flags (offset 0 of the b-tree page header).
INTERIOR_INDEX, INTERIOR_TABLE, LEAF_INDEX, LEAF_TABLE = 2, 5, 10, 13
# #b_tree_pages: the page header is 8 bytes on a leaf page, 12 on an interior page.
LEAF_HEADER, INTERIOR_HEADER = 8, 12
# #the_write_ahead_log: 32-byte WAL header, magic 0x377f0682 (checksums little-endian) or
# 0x377f0683 (big-endian), file format version 3007000; 24-byte frame header.
WAL_MAGIC = (0x377F0682, 0x377F0683)
WAL_VERSION = 3007000
WAL_HEADER, FRAME_HEADER = 32, 24
# #record_format: content size in bytes of serial types 0-9 (10 and 11 are reserved).
_FIXED_SIZES = (0, 1, 2, 3, 4, 6, 8, 8, 0, 0)
# #database_text_encoding (offset 56): 1 UTF-8, 2 UTF-16le, 3 UTF-16be.
_ENCODINGS = {0: "utf-8", 1: "utf-8", 2: "utf-16-le", 3: "utf-16-be"}
_MAX_RECORD_COLUMNS = 2000  # SQLITE_MAX_COLUMN default (https://www.sqlite.org/limits.html)


# -- layout of the target table -----------------------------------------------------------


def affinity(declared: str | None) -> Affinity:
    """The column affinity of a declared type (datatype3.html section 3.1, rules in order)."""
    upper = (declared or "").upper()
    if "INT" in upper:
        return "INTEGER"
    if "CHAR" in upper or "CLOB" in upper or "TEXT" in upper:
        return "TEXT"
    if "BLOB" in upper or not upper:
        return "BLOB"
    if "REAL" in upper or "FLOA" in upper or "DOUB" in upper:
        return "REAL"
    return "NUMERIC"


@dataclass(frozen=True)
class ColumnLayout:
    """One column of the target table: its name, affinity and whether it aliases the rowid."""

    name: str
    affinity: Affinity
    rowid_alias: bool = False


@dataclass(frozen=True)
class TableLayout:
    """The target table: its columns in order and its b-tree root page (if known)."""

    name: str
    columns: tuple[ColumnLayout, ...]
    rootpage: int | None = None

    @classmethod
    def from_table_info(
        cls,
        name: str,
        info: Sequence[tuple[str, str | None, int]],
        rootpage: int | None = None,
    ) -> TableLayout:
        """From ``PRAGMA table_info`` rows ``(name, declared type, pk)``.

        A single primary-key column declared exactly ``INTEGER`` aliases the rowid and is
        stored as NULL in the record (fileformat2 ``#rowid_tables``, lang_createtable.html
        "ROWID and the INTEGER PRIMARY KEY").
        """
        pks = [row for row in info if row[2]]
        alias = pks[0][0] if len(pks) == 1 and (pks[0][1] or "").upper() == "INTEGER" else None
        columns = tuple(
            ColumnLayout(col, affinity(decl), rowid_alias=col == alias) for col, decl, _ in info
        )
        return cls(name=name, columns=columns, rootpage=rootpage)

    def index(self, column: str) -> int:
        return [c.name for c in self.columns].index(column)


def _type_fits(serial: int, column: ColumnLayout) -> bool:
    """Whether a stored serial type is possible for the column (after affinity)."""
    if serial in (10, 11):
        return False
    if column.rowid_alias:
        return serial == 0
    if column.affinity in ("INTEGER", "REAL", "NUMERIC"):
        # Numeric affinity converts well-formed text to numbers; keep text rare values out.
        return serial <= 9
    if column.affinity == "TEXT":
        # TEXT affinity stores numbers as text: NULL, text or a blob.
        return serial == 0 or serial >= 12
    return True  # BLOB: stored as given


# -- primitives ----------------------------------------------------------------------------


def read_varint(data: bytes, pos: int, end: int | None = None) -> tuple[int, int] | None:
    """The varint at ``pos``: (value, length), or None when it runs past ``end``.

    #varint: 1 to 9 bytes, big-endian, 7 bits per byte while the high bit is set; the 9th
    byte gives all 8 bits.
    """
    limit = len(data) if end is None else min(end, len(data))
    value = 0
    for i in range(9):
        if pos + i >= limit:
            return None
        byte = data[pos + i]
        if i == 8:
            value = (value << 8) | byte
            return (value - (1 << 64) if value >= 1 << 63 else value), 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, i + 1
    return None  # pragma: no cover - the loop always returns


def _serial_size(serial: int) -> int:
    if serial < 12:
        return _FIXED_SIZES[serial] if serial < 10 else 0
    return (serial - 12) // 2


def _decode(serial: int, raw: bytes, encoding: str) -> Value:
    """One value from its serial type and content bytes (#record_format)."""
    if serial == 0:
        return None
    if 1 <= serial <= 6:
        return int.from_bytes(raw, "big", signed=True)
    if serial == 7:
        return float(struct.unpack(">d", raw)[0])
    if serial in (8, 9):
        return serial - 8
    if serial % 2 == 0:
        return bytes(raw)
    return raw.decode(encoding, errors="replace")


def read_record(
    data: bytes, pos: int, end: int, encoding: str = "utf-8"
) -> tuple[list[Value], int] | None:
    """The intact record at ``pos`` (header-length varint first): (values, end) or None."""
    head = read_varint(data, pos, end)
    if head is None:
        return None
    header_len, n = head
    if header_len < 1 or pos + header_len > end:
        return None
    types: list[int] = []
    cursor = pos + n
    while cursor < pos + header_len and len(types) < _MAX_RECORD_COLUMNS:
        item = read_varint(data, cursor, pos + header_len)
        if item is None or item[0] in (10, 11):
            return None
        types.append(item[0])
        cursor += item[1]
    if cursor != pos + header_len:
        return None
    return _values(data, pos + header_len, end, types, encoding)


def _values(
    data: bytes, cursor: int, end: int, types: Sequence[int], encoding: str
) -> tuple[list[Value], int] | None:
    values: list[Value] = []
    for serial in types:
        size = _serial_size(serial)
        if cursor + size > end:
            return None
        values.append(_decode(serial, data[cursor : cursor + size], encoding))
        cursor += size
    return values, cursor


# -- database header and WAL ---------------------------------------------------------------


@dataclass(frozen=True)
class DatabaseHeader:
    """The fields of the 100-byte database header the carver needs (#the_database_header)."""

    page_size: int
    reserved: int
    page_count: int
    freelist_trunk: int
    freelist_count: int
    text_encoding: int

    @property
    def usable_size(self) -> int:
        """#the_database_header "reserved bytes per page": U = page size - reserved."""
        return self.page_size - self.reserved

    @property
    def encoding(self) -> str:
        return _ENCODINGS[self.text_encoding]


def read_header(data: bytes, path: str = "<database>") -> DatabaseHeader:
    """Parse the database header; :class:`ParseError` (path, offset) when it is corrupt."""
    if not data.startswith(SQLITE_MAGIC):
        raise UnsupportedFormat(path, f"not a SQLite 3 database (starts with {data[:16]!r})")
    if len(data) < HEADER_SIZE:
        raise ParseError(path, len(data), "database header cut short (100 bytes expected)")
    # Offset 16: page size, a power of two 512..32768, or 1 meaning 65536.
    raw_size = int.from_bytes(data[16:18], "big")
    page_size = 65536 if raw_size == 1 else raw_size
    if page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
        raise ParseError(path, 16, f"invalid page size {raw_size}")
    # Offset 20: reserved bytes per page; the usable size must be at least 480.
    reserved = data[20]
    if page_size - reserved < 480:
        raise ParseError(path, 20, f"{reserved} reserved bytes leave fewer than 480 usable")
    # Offsets 21-23: payload fractions, which must be 64, 32 and 32.
    if data[21:24] != b"\x40\x20\x20":
        raise ParseError(path, 21, f"payload fractions {list(data[21:24])} are not 64/32/32")
    encoding = int.from_bytes(data[56:60], "big")
    if encoding not in _ENCODINGS:
        raise ParseError(path, 56, f"unknown text encoding {encoding}")
    # Offset 28: in-header database size, valid only when the version-valid-for number (92)
    # equals the change counter (24); otherwise the file size decides.
    in_header = int.from_bytes(data[28:32], "big")
    valid = data[24:28] == data[92:96] and in_header > 0
    page_count = in_header if valid else len(data) // page_size
    return DatabaseHeader(
        page_size=page_size,
        reserved=reserved,
        page_count=max(page_count, 1),
        freelist_trunk=int.from_bytes(data[32:36], "big"),
        freelist_count=int.from_bytes(data[36:40], "big"),
        text_encoding=encoding,
    )


@dataclass(frozen=True)
class WalFrame:
    """One frame of a ``-wal`` file (#the_write_ahead_log)."""

    index: int  # 1-based frame number
    page: int  # database page the frame holds
    commit_size: int  # database size in pages after a commit frame, 0 otherwise
    offset: int  # byte offset of the page image in the -wal file
    valid: bool  # salts match the header and the running checksum holds
    committed: bool = False  # valid and at or before the last valid commit frame


def _wal_checksum(data: bytes, s1: int, s2: int, fmt: str) -> tuple[int, int]:
    """#checksum_algorithm: Fibonacci-weighted sum over pairs of 32-bit words."""
    words = struct.unpack(f"{fmt}{len(data) // 4}I", data[: len(data) // 4 * 4])
    for i in range(0, len(words) - 1, 2):
        s1 = (s1 + words[i] + s2) & 0xFFFFFFFF
        s2 = (s2 + words[i + 1] + s1) & 0xFFFFFFFF
    return s1, s2


def read_wal(wal: bytes, page_size: int) -> list[WalFrame]:
    """Every whole frame of a ``-wal`` (valid or not); empty if the header does not fit.

    Frames are valid while their salts equal the header's and the cumulative checksum
    matches; the first invalid frame ends the valid run (#wal_file_format). Frames past it,
    or past the last commit frame, are not part of the database but still hold old pages.
    """
    if len(wal) < WAL_HEADER:
        return []
    magic, version, wal_page, _seq, salt1, salt2, c1, c2 = struct.unpack(">8I", wal[:32])
    if magic not in WAL_MAGIC or version != WAL_VERSION or wal_page != page_size:
        return []
    fmt = ">" if magic & 1 else "<"
    s1, s2 = _wal_checksum(wal[:24], 0, 0, fmt)
    ok = (s1, s2) == (c1, c2)
    frames: list[WalFrame] = []
    size = FRAME_HEADER + page_size
    last_commit = 0
    for index, pos in enumerate(range(WAL_HEADER, len(wal) - size + 1, size), start=1):
        page, commit, f1, f2, k1, k2 = struct.unpack(">6I", wal[pos : pos + 24])
        if ok:
            s1, s2 = _wal_checksum(wal[pos : pos + 8], s1, s2, fmt)
            s1, s2 = _wal_checksum(wal[pos + 24 : pos + size], s1, s2, fmt)
            ok = (f1, f2) == (salt1, salt2) and (s1, s2) == (k1, k2) and page > 0
        if ok and commit:
            last_commit = index
        frames.append(WalFrame(index, page, commit, pos + FRAME_HEADER, ok))
    return [
        WalFrame(
            f.index, f.page, f.commit_size, f.offset, f.valid, f.valid and f.index <= last_commit
        )
        for f in frames
    ]


# -- carving -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CarvedRecord:
    """A record of the target table found outside the live b-tree.

    ``values`` has one entry per column; a rowid alias holds the rowid when it survived.
    ``offset`` is the byte offset in ``file`` (``"db"`` or ``"wal"``) of the cell when its
    header is intact, else of the first surviving byte of the record header. ``where`` is
    ``freeblock``, ``unallocated`` or ``freelist`` (the current database), ``superseded`` (the
    main file's version of a page the WAL replaces) or ``wal-frame N``; ``region`` says what
    part of that page: ``freeblock``, ``unallocated``, ``cell`` (a cell of an older page
    version) or ``page`` (a whole free page scanned). ``lost_columns`` counts the leading
    columns whose serial types were overwritten (rebuilt from the layout).
    """

    values: tuple[Value, ...]
    rowid: int | None
    page: int
    offset: int
    file: Literal["db", "wal"]
    where: str
    region: str
    header_intact: bool
    lost_columns: int = 0
    content_end: int = field(default=0, repr=False)


@dataclass
class _PageView:
    """One version of one page and where it lives."""

    data: bytes
    number: int
    base: int  # file offset of byte 0 of the page
    file: Literal["db", "wal"]
    where: str


class _Carver:
    def __init__(
        self,
        db: bytes,
        layout: TableLayout,
        header: DatabaseHeader,
        frames: list[WalFrame],
        wal: bytes,
        accept: Callable[[tuple[Value, ...]], bool] | None,
    ) -> None:
        self.db = db
        self.layout = layout
        self.header = header
        self.frames = frames
        self.wal = wal
        self.accept = accept
        self.ps = header.page_size
        self.usable = header.usable_size
        self.encoding = header.encoding
        self.n = len(layout.columns)
        current = {f.page: f for f in frames if f.committed}
        self.current = current
        commits = [f.commit_size for f in frames if f.committed and f.commit_size]
        self.page_count = commits[-1] if commits else header.page_count
        # For a huge claimed size, only pages that exist somewhere can be read.
        self.page_count = min(self.page_count, max(len(db) // self.ps, max(current, default=0)))

    # Pages of the current state (main file overlaid with committed WAL frames).
    def page(self, number: int) -> _PageView | None:
        if number < 1 or number > self.page_count:
            return None
        frame = self.current.get(number)
        if frame is not None:
            data = self.wal[frame.offset : frame.offset + self.ps]
            return _PageView(data, number, frame.offset, "wal", f"wal-frame {frame.index}")
        base = (number - 1) * self.ps
        data = self.db[base : base + self.ps]
        if len(data) < self.ps:
            return None
        return _PageView(data, number, base, "db", "")

    def run(self) -> list[CarvedRecord]:
        out: list[CarvedRecord] = []
        # The current state's pages that live in the main file; those the WAL holds are
        # read below with every other frame (named by their frame).
        for view in self._table_leaves():
            if view.file == "db":
                out += self._free_space(view, None)
        for view, scan_from in self._freelist():
            if view.file == "db":
                out += self._scan(view, scan_from, self.usable, "page", "freelist")
        for number in sorted(self.current):
            base = (number - 1) * self.ps
            data = self.db[base : base + self.ps]
            if len(data) == self.ps:
                out += self._old_version(_PageView(data, number, base, "db", "superseded"))
        for frame in self.frames:
            data = self.wal[frame.offset : frame.offset + self.ps]
            view = _PageView(data, frame.page, frame.offset, "wal", f"wal-frame {frame.index}")
            out += self._old_version(view)
        return out

    # -- which pages ------------------------------------------------------------------------

    def _table_leaves(self) -> Iterator[_PageView]:
        """Leaf pages of the table's b-tree in the current state (bounded walk)."""
        root = self.layout.rootpage
        if root is None:
            return
        seen: set[int] = set()
        stack = [root]
        while stack and len(seen) <= self.page_count:
            number = stack.pop()
            if number in seen:
                continue
            seen.add(number)
            view = self.page(number)
            if view is None:
                continue
            hdr = HEADER_SIZE if number == 1 else 0
            flag = view.data[hdr]
            if flag == LEAF_TABLE:
                yield view
            elif flag == INTERIOR_TABLE:
                ncells = int.from_bytes(view.data[hdr + 3 : hdr + 5], "big")
                stack.append(int.from_bytes(view.data[hdr + 8 : hdr + 12], "big"))
                array = hdr + INTERIOR_HEADER
                for i in range(min(ncells, (self.usable - array) // 2)):
                    ptr = int.from_bytes(view.data[array + 2 * i : array + 2 * i + 2], "big")
                    if ptr + 4 <= self.usable:
                        stack.append(int.from_bytes(view.data[ptr : ptr + 4], "big"))

    def _freelist(self) -> Iterator[tuple[_PageView, int]]:
        """Freelist pages: (page, first byte to scan). #the_freelist: a trunk page holds the
        next trunk (4 bytes), a count L (4 bytes) and L leaf page numbers."""
        first = self.page(1)
        if first is None:
            return
        trunk = int.from_bytes(first.data[32:36], "big")
        seen: set[int] = set()
        while trunk and trunk not in seen and len(seen) <= self.page_count:
            seen.add(trunk)
            view = self.page(trunk)
            if view is None:
                return
            count = int.from_bytes(view.data[4:8], "big")
            count = min(count, (self.usable - 8) // 4)
            for i in range(count):
                leaf = int.from_bytes(view.data[8 + 4 * i : 12 + 4 * i], "big")
                if leaf in seen:
                    continue
                seen.add(leaf)
                leaf_view = self.page(leaf)
                if leaf_view is not None:
                    yield leaf_view, 0
            yield view, 8 + 4 * count
            trunk = int.from_bytes(view.data[0:4], "big")

    # -- what in a page ---------------------------------------------------------------------

    def _leaf_layout(self, view: _PageView) -> tuple[int, int, int, int] | None:
        """(header offset, cell count, pointer array end, content start) of a table leaf."""
        hdr = HEADER_SIZE if view.number == 1 else 0
        if view.data[hdr] != LEAF_TABLE:
            return None
        ncells = int.from_bytes(view.data[hdr + 3 : hdr + 5], "big")
        content = int.from_bytes(view.data[hdr + 5 : hdr + 7], "big") or 65536
        array_end = hdr + LEAF_HEADER + 2 * ncells
        if array_end > self.usable:
            return None
        return hdr, ncells, array_end, min(max(content, array_end), self.usable)

    def _free_space(self, view: _PageView, where: str | None) -> list[CarvedRecord]:
        found: list[CarvedRecord] = []
        shape = self._leaf_layout(view)
        if shape is None:
            return found
        hdr, _ncells, array_end, content = shape
        # #b_tree_pages: freeblocks chain from the header's first-freeblock offset, in
        # increasing order; each starts with the next offset (2 bytes) and its size (2).
        block = int.from_bytes(view.data[hdr + 1 : hdr + 3], "big")
        previous = -1
        for _ in range(self.usable // 4):
            if block == 0 or block <= previous or block + 4 > self.usable:
                break
            size = int.from_bytes(view.data[block + 2 : block + 4], "big")
            end = min(block + max(size, 4), self.usable)
            found += self._scan(view, block + 4, end, "freeblock", where or "freeblock")
            previous = block
            block = int.from_bytes(view.data[block : block + 2], "big")
        if content > array_end:
            found += self._scan(view, array_end, content, "unallocated", where or "unallocated")
        return found

    def _old_version(self, view: _PageView) -> list[CarvedRecord]:
        """An older version of a page: its cells (if a table leaf) and its free space."""
        hdr = HEADER_SIZE if view.number == 1 else 0
        flag = view.data[hdr]
        if flag in (INTERIOR_INDEX, INTERIOR_TABLE, LEAF_INDEX):
            return []
        shape = self._leaf_layout(view)
        if shape is None:  # a freelist, overflow or unknown page: scan it whole
            return self._scan(view, 0, self.usable, "page", view.where)
        _hdr, ncells, _array_end, _content = shape
        found: list[CarvedRecord] = []
        for i in range(ncells):
            at = hdr + LEAF_HEADER + 2 * i
            ptr = int.from_bytes(view.data[at : at + 2], "big")
            record = self._intact_cell(view, ptr, "cell", view.where)
            if record is not None:
                found.append(record)
        return found + self._free_space(view, view.where)

    # -- records ----------------------------------------------------------------------------

    def _local_size(self, payload: int) -> int:
        """#cell_payload_overflow_pages for a table leaf: X = U-35; M = ((U-12)*32/255)-23;
        K = M+((P-M)%(U-4)); local is P if P<=X, K if K<=X, else M."""
        u = self.usable
        x = u - 35
        if payload <= x:
            return payload
        m = ((u - 12) * 32 // 255) - 23
        k = m + ((payload - m) % (u - 4))
        return k if k <= x else m

    def _overflow(self, first: int, length: int) -> bytes | None:
        """``length`` bytes from an overflow chain (4-byte next pointer, then data)."""
        out = bytearray()
        page = first
        seen: set[int] = set()
        while len(out) < length:
            if page == 0 or page in seen or len(seen) > self.page_count:
                return None
            seen.add(page)
            view = self.page(page)
            if view is None:
                return None
            out += view.data[4 : self.usable]
            page = int.from_bytes(view.data[0:4], "big")
        return bytes(out[:length])

    def _intact_cell(
        self, view: _PageView, pos: int, region: str, where: str
    ) -> CarvedRecord | None:
        """A whole table-leaf cell at ``pos``: payload varint, rowid varint, record."""
        data = view.data
        if pos < 0 or pos >= self.usable:
            return None
        head = read_varint(data, pos, self.usable)
        if head is None:
            return None
        payload, n1 = head
        key = read_varint(data, pos + n1, self.usable)
        if key is None or payload < 2 or payload > 1 << 30:
            return None
        rowid, n2 = key
        start = pos + n1 + n2
        local = self._local_size(payload)
        if start + local > self.usable:
            return None
        body = data[start : start + local]
        if local < payload:
            if start + local + 4 > self.usable:
                return None
            first = int.from_bytes(data[start + local : start + local + 4], "big")
            rest = self._overflow(first, payload - local)
            if rest is None:
                return None
            body += rest
        parsed = read_record(body, 0, len(body), self.encoding)
        if parsed is None or parsed[1] != payload or len(parsed[0]) != self.n:
            return None
        values = parsed[0]
        if not all(_value_fits(v, c) for v, c in zip(values, self.layout.columns, strict=True)):
            return None
        return self._make(view, values, rowid, pos, region, where, True, 0, start + local)

    def _scan(
        self, view: _PageView, start: int, end: int, region: str, where: str
    ) -> list[CarvedRecord]:
        """Records lying in [start, end) of the page, intact or with their first bytes
        overwritten (a freed cell lies within its freeblock; a stale copy in unallocated
        space ends before the live content area)."""
        found: list[CarvedRecord] = []
        end = min(end, self.usable)
        q = max(start, 0)
        first = self.layout.columns[0] if self.layout.columns else None
        data = view.data
        while q < end and first is not None:
            if data[q] == 0:
                # Zero-filled space (what a fresh page holds): a record whose serial types
                # start at q decodes to all NULLs while n zero bytes follow, and _make drops
                # those, so jump to the last start whose types reach a non-zero byte; zeros
                # up to the region's end hold no record at all (its types would run past it).
                hit = _NONZERO.search(data, q, end)
                if hit is None:
                    break
                run_end = hit.start()
                if run_end - q >= self.n:
                    q = run_end - self.n + 1
                    continue
            record = self._damaged(view, q, 0, end, region, where)
            if record is None and self.n > 1 and _lost_guess(first) is not None:
                record = self._damaged(view, q, 1, end, region, where)
            if record is not None:
                found.append(record)
                q = max(record.content_end - view.base, q + 1)
            else:
                q += 1
        return found

    def _damaged(
        self, view: _PageView, q: int, lost: int, end: int, region: str, where: str
    ) -> CarvedRecord | None:
        """The record whose serial types for columns ``lost``.. start at ``q``."""
        data = view.data
        columns = self.layout.columns
        types: list[int] = []
        if lost:
            guess = _lost_guess(columns[0])
            if guess is None:
                return None
            types.append(guess)
        cursor = q
        for column in columns[lost:]:
            item = read_varint(data, cursor, end)
            if item is None or not _type_fits(item[0], column):
                return None
            types.append(item[0])
            cursor += item[1]
        parsed = _values(data, cursor, end, types, self.encoding)
        if parsed is None:
            return None
        values, content_end = parsed
        if not all(_value_fits(v, c) for v, c in zip(values, columns, strict=True)):
            return None
        if not lost:
            intact = self._look_back(view, q, cursor, content_end, region, where)
            if intact is not None:
                return intact
        return self._make(view, values, None, q, region, where, False, lost, content_end)

    def _look_back(
        self, view: _PageView, q: int, header_end: int, content_end: int, region: str, where: str
    ) -> CarvedRecord | None:
        """The intact cell around a record header found at ``q``, if its varints are there."""
        header_len = header_end - q
        for lh in (1, 2):
            h = q - lh
            got = read_varint(view.data, h, q) if h >= 0 else None
            if got is None or got != (header_len + lh, lh):
                continue
            for lp in (1, 2, 3):
                for lr in range(1, 10):
                    pos = h - lr - lp
                    if pos < 0:
                        break
                    cell = self._intact_cell(view, pos, region, where)
                    if cell is not None and cell.content_end == view.base + content_end:
                        return cell
        return None

    def _make(
        self,
        view: _PageView,
        values: Sequence[Value],
        rowid: int | None,
        pos: int,
        region: str,
        where: str,
        intact: bool,
        lost: int,
        content_end: int,
    ) -> CarvedRecord | None:
        if all(
            v is None for v, c in zip(values, self.layout.columns, strict=True) if not c.rowid_alias
        ):
            return None  # all NULL: what zero-filled space decodes to, nothing to recover
        filled = tuple(
            rowid if c.rowid_alias and v is None else v
            for v, c in zip(values, self.layout.columns, strict=True)
        )
        if self.accept is not None and not self.accept(filled):
            return None
        return CarvedRecord(
            values=filled,
            rowid=rowid,
            page=view.number,
            offset=view.base + pos,
            file=view.file,
            where=where,
            region=region,
            header_intact=intact,
            lost_columns=lost,
            content_end=view.base + content_end,
        )


def _lost_guess(column: ColumnLayout) -> int | None:
    """The serial type of an overwritten first column, when the layout fixes it."""
    return 0 if column.rowid_alias else None


def _value_fits(value: Value, column: ColumnLayout) -> bool:
    """Text must decode cleanly (a replacement character means the bytes were not text)."""
    del column
    if isinstance(value, str):
        return "\ufffd" not in value and "\x00" not in value
    return True


def carve(
    db: bytes,
    layout: TableLayout,
    *,
    wal: bytes | None = None,
    path: str = "<database>",
    accept: Callable[[tuple[Value, ...]], bool] | None = None,
) -> list[CarvedRecord]:
    """Every record of ``layout``'s table found outside the live rows of ``db`` (+ ``wal``).

    ``accept`` validates decoded values (the table's meaning: a plausible date...); a
    candidate it refuses is dropped. Live cells of the current database are not returned,
    but cells of older page versions (the main file under the WAL, every WAL frame) are:
    the caller removes rows that are still live. Raises :class:`UnsupportedFormat` for a
    file that is not SQLite and :class:`ParseError` for a corrupt header; garbage anywhere
    else is skipped.
    """
    header = read_header(db, path)
    frames = read_wal(wal, header.page_size) if wal else []
    carver = _Carver(db, layout, header, frames, wal or b"", accept)
    return carver.run()
