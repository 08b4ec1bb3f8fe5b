"""Tests for forensics_lib.evidence: exhibits are built here, in tmp_path, with the standard
library's zipfile/tarfile, using the member names the vendors write (Cellebrite's leading "/",
GrayKey's "filesystem2/", Cellebrite's "Dump/")."""

from __future__ import annotations

import gc
import hashlib
import io
import os
import stat
import struct
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import pandas as pd
import pytest

from forensics_lib.errors import (
    DecompressionLimitExceeded,
    EncryptedContent,
    ForensicsError,
    MemberNotFound,
    ParseError,
    UnsafeMember,
)
from forensics_lib.evidence import (
    AmbiguousMember,
    Evidence,
    Limits,
    Member,
    normalize_member_name,
)

SMS = b"SQLite format 3\x00 sms"
SMS_WAL = b"wal frames"
WA = b"SQLite format 3\x00 whatsapp"
MMS = b"SQLite format 3\x00 mmssms"

# Cellebrite-, GrayKey- and Cellebrite-Dump-style names for one extraction.
VENDOR_ENTRIES: list[tuple[str, bytes]] = [
    ("/filesystem2/private/var/mobile/Library/SMS/", b""),
    ("/filesystem2/private/var/mobile/Library/SMS/sms.db", SMS),
    ("/filesystem2/private/var/mobile/Library/SMS/sms.db-wal", SMS_WAL),
    ("Dump/data/data/com.whatsapp/databases/msgstore.db", WA),
    ("Dump/data/data/com.android.providers.telephony/databases/mmssms.db", MMS),
]

# 1_700_000_000 s = 19_675 days (1_699_920_000 s, i.e. 2023-11-14) + 80_000 s (22:13:20).
UNIX_TIME = 1_700_000_000
UTC_TIME = pd.Timestamp("2023-11-14 22:13:20", tz="UTC")
DOS_TIME = (2023, 11, 14, 23, 13, 20)  # the same instant as wall time in UTC+1, no zone
FILETIME_UNIX_EPOCH = 116_444_736_000_000_000  # 1970-01-01 in 100 ns ticks since 1601


def make_zip(
    path: Path,
    entries: list[tuple[str, bytes]],
    *,
    extra: bytes = b"",
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=DOS_TIME)
            info.compress_type = compression
            info.extra = extra
            zf.writestr(info, data)
    return path


def unix_time_extra(seconds: int) -> bytes:
    """Info-ZIP extended timestamp (0x5455): flags bit 0 = mtime present, uint32 seconds."""
    return struct.pack("<HHBI", 0x5455, 5, 0x01, seconds)


def make_tar(
    path: Path,
    entries: list[tuple[str, bytes]],
    *,
    mode: Literal["w", "w:gz"] = "w",
    links: Sequence[tuple[str, str, bytes]] = (),
) -> Path:
    with tarfile.open(path, mode) as tf:
        for name, data in entries:
            info = tarfile.TarInfo(name.rstrip("/"))
            info.mtime = UNIX_TIME
            if name.endswith("/"):
                info.type = tarfile.DIRTYPE
                tf.addfile(info)
            else:
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
        for name, target, kind in links:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = target
            tf.addfile(info)
    return path


def make_dir(root: Path, entries: list[tuple[str, bytes]]) -> Path:
    for name, data in entries:
        path = root / name.lstrip("/")
        if name.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    return root


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def names(directory: Path) -> list[str]:
    """What os.listdir shows, sorted."""
    return sorted(p.name for p in directory.iterdir())


def patch_zip_header(path: Path, *, local_at: int, central_at: int, value: bytes) -> None:
    """Overwrite one field in every local (PK\\3\\4) and central (PK\\1\\2) header."""
    data = bytearray(path.read_bytes())
    for signature, at in ((b"PK\x03\x04", local_at), (b"PK\x01\x02", central_at)):
        start = data.find(signature)
        while start >= 0:
            data[start + at : start + at + len(value)] = value
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))


@pytest.fixture
def case(tmp_path: Path) -> Path:
    """The folder holding the exhibits (the evidence store)."""
    folder = tmp_path / "case"
    folder.mkdir()
    return folder


@pytest.fixture
def system_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point tempfile at a folder of this test, so the private temp roots can be inspected."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


ExhibitBuilder = Callable[[Path], Path]

BUILDERS: dict[str, ExhibitBuilder] = {
    "zip": lambda d: make_zip(d / "exhibit.zip", VENDOR_ENTRIES),
    "tar": lambda d: make_tar(d / "exhibit.tar", VENDOR_ENTRIES),
    "tar.gz": lambda d: make_tar(d / "exhibit.tgz", VENDOR_ENTRIES, mode="w:gz"),
    "directory": lambda d: make_dir(d / "extraction", VENDOR_ENTRIES),
}
KINDS = {"zip": "zip", "tar": "tar", "tar.gz": "tar", "directory": "directory"}


# -- normalisation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "/filesystem2/private/var/mobile/Library/SMS/sms.db",
            "/private/var/mobile/Library/SMS/sms.db",
        ),
        (
            "Dump/data/data/com.whatsapp/databases/msgstore.db",
            "/data/data/com.whatsapp/databases/msgstore.db",
        ),
        ("filesystem1/private/var/x", "/private/var/x"),
        ("fs/data/x", "/data/x"),
        ("var/mobile/Library/SMS/sms.db", "/private/var/mobile/Library/SMS/sms.db"),
        ("/var/mobile", "/private/var/mobile"),
        ("data\\data\\com.x\\a.db", "/data/data/com.x/a.db"),
        ("//data/./data//x.db", "/data/data/x.db"),
        ("Case 1/filesystem1/private/var/x", "/Case 1/filesystem1/private/var/x"),  # not leading
        ("fs", "/fs"),  # a lone file named like a prefix keeps its name
        ("../../evil.txt", "/../../evil.txt"),  # '..' kept, never resolved
        ("data/../x", "/data/../x"),
        ("", "/"),
        ("/", "/"),
        ("Data/Data/x.db", "/Data/Data/x.db"),  # case preserved
    ],
)
def test_normalize_member_name(name: str, expected: str) -> None:
    assert normalize_member_name(name) == expected


# -- listing ----------------------------------------------------------------------------------


def test_zip_listing_keeps_names_and_normalises_paths(case: Path) -> None:
    with Evidence(make_zip(case / "exhibit.zip", VENDOR_ENTRIES)) as ev:
        assert ev.kind == "zip"
        assert ev.name == "exhibit.zip"
        assert [m.name for m in ev.members()] == [name for name, _ in VENDOR_ENTRIES]
        assert [m.path for m in ev.members()] == [
            "/private/var/mobile/Library/SMS",
            "/private/var/mobile/Library/SMS/sms.db",
            "/private/var/mobile/Library/SMS/sms.db-wal",
            "/data/data/com.whatsapp/databases/msgstore.db",
            "/data/data/com.android.providers.telephony/databases/mmssms.db",
        ]
        assert [m.is_dir for m in ev.members()] == [True, False, False, False, False]
        assert len(ev.files()) == 4
        sms = ev.member("/var/mobile/Library/SMS/sms.db")
        assert sms.size == len(SMS)
        assert sms.compressed_size is not None
        assert sms.unsafe_reason is None
        assert sms.is_link is False
        # No UTC time in the container: mtime stays None, the zone-less DOS time is kept raw.
        assert sms.mtime is None
        assert sms.dos_time == DOS_TIME


def test_zip_extended_timestamp_gives_utc_mtime(case: Path) -> None:
    path = make_zip(case / "x.zip", [("fs/data/x.db", b"x")], extra=unix_time_extra(UNIX_TIME))
    with Evidence(path) as ev:
        member = ev.member("/data/x.db")
    assert member.mtime == UTC_TIME
    assert member.dos_time == DOS_TIME


def test_zip_ntfs_timestamp_gives_utc_mtime(case: Path) -> None:
    filetime = UNIX_TIME * 10_000_000 + FILETIME_UNIX_EPOCH
    extra = struct.pack("<HHIHHQQQ", 0x000A, 32, 0, 0x0001, 24, filetime, filetime, filetime)
    with Evidence(make_zip(case / "x.zip", [("x.db", b"x")], extra=extra)) as ev:
        assert ev.member("x.db").mtime == UTC_TIME


def test_tar_and_directory_mtimes_are_utc(case: Path) -> None:
    with Evidence(make_tar(case / "x.tar", VENDOR_ENTRIES)) as ev:
        assert ev.member("sms.db").mtime == UTC_TIME
        assert ev.member("sms.db").dos_time is None
    root = make_dir(case / "dir", VENDOR_ENTRIES)
    db = root / "filesystem2/private/var/mobile/Library/SMS/sms.db"
    os.utime(db, ns=(UNIX_TIME * 10**9, UNIX_TIME * 10**9))
    with Evidence(root) as ev:
        assert ev.member("sms.db").mtime == UTC_TIME


def test_listing_a_zip_reads_no_member_content(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_zip(case / "x.zip", VENDOR_ENTRIES)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("listing opened a member")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
    with Evidence(path) as ev:
        assert len(ev.members()) == len(VENDOR_ENTRIES)


def test_detection_is_by_content_not_extension(case: Path) -> None:
    zipped = make_zip(case / "extraction.bin", VENDOR_ENTRIES)
    tarred = make_tar(case / "looks-like.zip", VENDOR_ENTRIES, mode="w:gz")
    plain = case / "fake.zip"
    plain.write_text("not an archive")
    empty_zip = case / "empty.dat"
    zipfile.ZipFile(empty_zip, "w").close()  # only an end-of-central-directory record
    with Evidence(zipped) as a, Evidence(tarred) as b, Evidence(plain) as c:
        assert (a.kind, b.kind, c.kind) == ("zip", "tar", "file")
    with Evidence(empty_zip) as ev:
        assert ev.kind == "zip"
        assert ev.members() == []


def test_single_file_exhibit(case: Path) -> None:
    path = case / "sms.db"
    path.write_bytes(SMS)
    with Evidence(path) as ev:
        assert ev.kind == "file"
        [member] = ev.members()
        assert (member.name, member.path, member.size) == ("sms.db", "/sms.db", len(SMS))
        assert ev.read_bytes("sms.db") == SMS
        assert ev.file(member).display_path == "sms.db"


def test_too_many_members(case: Path) -> None:
    with (
        Evidence(make_zip(case / "x.zip", VENDOR_ENTRIES), limits=Limits(max_members=2)) as ev,
        pytest.raises(ForensicsError, match="more than 2 members"),
    ):
        ev.members()


# -- finding ----------------------------------------------------------------------------------


def test_find_under_arbitrary_leading_folders(case: Path) -> None:
    entries = [
        ("Extraction_2024-01-05/filesystem1/private/var/mobile/Library/SMS/sms.db", SMS),
        ("Export\\Dump\\data\\data\\com.whatsapp\\databases\\msgstore.db", WA),
        ("Other/var/mobile/Library/Notes/notes.db", b"n"),  # nested, without "private/"
    ]
    with Evidence(make_zip(case / "x.zip", entries)) as ev:
        sms = ev.member("/var/mobile/Library/SMS/sms.db")
        assert sms.name == entries[0][0]
        assert ev.member("private/var/mobile/Library/SMS/sms.db") == sms
        assert ev.member("SMS/sms.db") == sms
        assert ev.member("sms.db") == sms
        assert ev.member("data/data/com.whatsapp/databases/msgstore.db").name == entries[1][0]
        assert ev.member("/private/var/mobile/Library/Notes/notes.db").name == entries[2][0]
        assert ev.find("ms.db") == []  # component boundary: "sms.db" does not end with "/ms.db"
        assert ev.find("/var/mobile/Library/SMS/SMS.db") == []  # case-sensitive
        assert ev.exists("Library/SMS/sms.db")
        assert not ev.exists("Library/SMS/sms.db-wal")


def test_missing_member(case: Path) -> None:
    with Evidence(make_zip(case / "x.zip", VENDOR_ENTRIES)) as ev:
        with pytest.raises(MemberNotFound, match=r"call_history\.db") as info:
            ev.member("/var/mobile/Library/CallHistoryDB/call_history.db")
        assert isinstance(info.value, KeyError)
        with pytest.raises(MemberNotFound):
            ev.read_bytes("nope.db")


def test_ambiguous_member_lists_the_candidates(case: Path, system_tmp: Path) -> None:
    entries = [
        ("Extraction1/filesystem1/private/var/mobile/Library/SMS/sms.db", b"first"),
        ("Extraction2/filesystem1/private/var/mobile/Library/SMS/sms.db", b"second"),
        ("fs/data/x.db", b"fs copy"),
        ("Dump/data/x.db", b"dump copy"),  # both normalise to /data/x.db
    ]
    with Evidence(make_zip(case / "x.zip", entries)) as ev:
        with pytest.raises(AmbiguousMember) as info:
            ev.member("/var/mobile/Library/SMS/sms.db")
        message = str(info.value)
        assert entries[0][0] in message
        assert entries[1][0] in message
        assert isinstance(info.value, ForensicsError)
        assert [m.name for m in info.value.candidates] == [entries[0][0], entries[1][0]]
        assert ev.read_bytes("Extraction2/filesystem1/private/var/mobile/Library/SMS/sms.db") == (
            b"second"
        )
        # Same device path twice: each copy gets its own tree, neither overwrites the other.
        first, second = ev.find("/data/x.db")
        copy1, copy2 = ev.file(first).materialize(), ev.file(second).materialize()
        assert copy1 != copy2
        assert (copy1.read_bytes(), copy2.read_bytes()) == (b"fs copy", b"dump copy")
        assert copy1.as_posix().endswith("/data/x.db")
        assert copy2.as_posix().endswith("/data/x.db")


def test_glob(case: Path) -> None:
    with Evidence(make_zip(case / "x.zip", VENDOR_ENTRIES)) as ev:

        def paths(pattern: str) -> list[str]:
            return [m.path for m in ev.glob(pattern)]

        assert paths("**/databases/mmssms.db") == [
            "/data/data/com.android.providers.telephony/databases/mmssms.db"
        ]
        assert paths("**/databases/*.db") == [
            "/data/data/com.whatsapp/databases/msgstore.db",
            "/data/data/com.android.providers.telephony/databases/mmssms.db",
        ]
        assert paths("/data/data/*/databases/msgstore.db") == [
            "/data/data/com.whatsapp/databases/msgstore.db"
        ]
        assert paths("/data/*/msgstore.db") == []  # '*' stays within one component
        assert paths("/var/mobile/**/sms.db*") == [
            "/private/var/mobile/Library/SMS/sms.db",
            "/private/var/mobile/Library/SMS/sms.db-wal",
        ]
        assert paths("**/sms.db-[!x]al") == ["/private/var/mobile/Library/SMS/sms.db-wal"]
        assert paths("**/SMS.DB") == []


# -- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(BUILDERS))
def test_reading_members_gives_their_bytes(case: Path, fmt: str) -> None:
    with Evidence(BUILDERS[fmt](case)) as ev:
        assert ev.kind == KINDS[fmt]
        assert ev.read_bytes("/var/mobile/Library/SMS/sms.db") == SMS
        assert ev.read_bytes(ev.member("msgstore.db")) == WA
        evidence_file = ev.file("mmssms.db")
        assert evidence_file.read_bytes() == MMS
        assert (
            evidence_file.path == "/data/data/com.android.providers.telephony/databases/mmssms.db"
        )
        assert evidence_file.display_path == f"{ev.name}!{evidence_file.path}"
        with ev.open("sms.db") as fh:
            assert fh.read(6) == SMS[:6]
            fh.seek(0)
            assert fh.read() == SMS
        with pytest.raises(IsADirectoryError):
            ev.read_bytes("/private/var/mobile/Library/SMS")


@pytest.mark.parametrize("fmt", list(BUILDERS))
def test_exhibit_is_untouched(
    case: Path,
    system_tmp: Path,
    fmt: str,
    unchanged: Callable[[Path], None],
) -> None:
    exhibit = BUILDERS[fmt](case)
    unchanged(case)  # conftest: every file under the case folder byte-identical at teardown
    files = [exhibit] if exhibit.is_file() else [p for p in exhibit.rglob("*") if p.is_file()]
    digests = {p: sha256(p) for p in files}
    listing = names(case)
    inside = names(exhibit) if exhibit.is_dir() else None

    with Evidence(exhibit) as ev:
        ev.members()
        for member in ev.files():
            ev.read_bytes(member)
        copy = ev.file("sms.db").materialize(siblings=("-wal", "-journal"))
        assert copy.read_bytes() == SMS
        assert copy.is_relative_to(system_tmp)

    assert {p: sha256(p) for p in digests} == digests
    assert names(case) == listing
    if inside is not None:
        assert names(exhibit) == inside


def test_encrypted_member(case: Path) -> None:
    path = make_zip(case / "x.zip", [("fs/data/secret.db", b"x" * 100)])
    patch_zip_header(path, local_at=6, central_at=8, value=b"\x01")  # general flag bit 0
    with Evidence(path) as ev, pytest.raises(EncryptedContent, match=r"secret\.db"):
        ev.read_bytes("secret.db")


def test_closed_evidence_refuses_reads(case: Path) -> None:
    ev = Evidence(make_zip(case / "x.zip", VENDOR_ENTRIES))
    ev.members()
    ev.close()
    assert ev.closed
    with pytest.raises(ValueError, match="closed"):
        ev.read_bytes("sms.db")


# -- corrupt and missing exhibits ------------------------------------------------------------


def test_missing_exhibit(case: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nowhere\.zip"):
        Evidence(case / "nowhere.zip")


def test_corrupt_zip_raises_parse_error_naming_the_file(case: Path) -> None:
    garbage = case / "garbage.zip"
    garbage.write_bytes(b"PK\x03\x04" + bytes(200))
    with pytest.raises(ParseError, match=r"garbage\.zip"):
        Evidence(garbage)
    good = make_zip(case / "good.zip", VENDOR_ENTRIES).read_bytes()
    truncated = case / "truncated.zip"
    truncated.write_bytes(good[: len(good) // 2])
    with pytest.raises(ParseError, match=r"truncated\.zip"):
        Evidence(truncated)


def test_corrupt_tar_gz_raises_parse_error(case: Path) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB
    good = make_tar(
        case / "good.tgz", [("fs/data/a.bin", data), ("fs/data/b.bin", data)], mode="w:gz"
    )
    truncated = case / "truncated.tgz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ParseError, match=r"truncated\.tgz"), Evidence(truncated) as ev:
        for member in ev.files():
            ev.read_bytes(member)


def test_lying_zip_header_cannot_yield_more_than_declared(case: Path) -> None:
    # 100 kB stored member whose headers claim 100 bytes: the stream stops at the declared
    # size and the CRC-32 no longer matches, so the read fails instead of trusting the header.
    path = make_zip(case / "small.zip", [("x.bin", b"A" * 100_000)], compression=0)
    patch_zip_header(path, local_at=22, central_at=24, value=struct.pack("<I", 100))
    with Evidence(path) as ev:
        assert ev.member("x.bin").size == 100
        with pytest.raises(ParseError, match=r"x\.bin"):
            ev.read_bytes("x.bin")
    # The reverse lie (header claims more than there is) is caught as a short member.
    path = make_zip(case / "big.zip", [("x.bin", b"A" * 1000)])
    patch_zip_header(path, local_at=22, central_at=24, value=struct.pack("<I", 5000))
    with Evidence(path) as ev, pytest.raises(ParseError, match="declares 5,000"):
        ev.read_bytes("x.bin")


# -- unsafe members ---------------------------------------------------------------------------


def test_zip_slip_is_refused(case: Path, system_tmp: Path, tmp_path: Path) -> None:
    entries = [("../../evil.txt", b"pwned"), ("fs/data/ok.txt", b"ok")]
    with Evidence(make_zip(case / "slip.zip", entries)) as ev:
        evil = ev.member("evil.txt")
        assert evil.name == "../../evil.txt"
        assert evil.unsafe_reason == "'..' component"
        with pytest.raises(UnsafeMember, match=r"\.\./\.\./evil\.txt"):
            ev.file(evil).materialize()
        assert ev.read_bytes(evil) == b"pwned"  # in memory, the bytes are just evidence
        assert ev.file("ok.txt").materialize().read_bytes() == b"ok"
    assert [p for p in tmp_path.rglob("evil.txt")] == []
    assert list(system_tmp.iterdir()) == []  # temp root removed on close


def test_tar_symlinks(case: Path, system_tmp: Path) -> None:
    links = [
        ("fs/data/passwd", "/etc/passwd", tarfile.SYMTYPE),
        ("fs/data/up", "../../../../../../etc/passwd", tarfile.SYMTYPE),
        ("fs/data/data/com.x/db.link", "../com.whatsapp/databases/msgstore.db", tarfile.SYMTYPE),
        ("fs/data/hard.db", "Dump/data/data/com.whatsapp/databases/msgstore.db", tarfile.LNKTYPE),
        ("fs/var/sms.link", "/var/mobile/Library/SMS/sms.db", tarfile.SYMTYPE),
    ]
    with Evidence(make_tar(case / "links.tar", VENDOR_ENTRIES, links=links)) as ev:
        passwd = ev.member("/data/passwd")
        assert (passwd.is_link, passwd.link_target) == (True, "/etc/passwd")
        assert passwd not in ev.files()
        for name in ("/data/passwd", "/data/up"):
            with pytest.raises(UnsafeMember, match="outside the exhibit"):
                ev.read_bytes(name)
            with pytest.raises(UnsafeMember):
                ev.file(name).materialize()
        # Links inside the exhibit are followed to their target member.
        assert ev.read_bytes("/data/data/com.x/db.link") == WA
        assert ev.read_bytes("/data/hard.db") == WA
        assert ev.read_bytes("/private/var/sms.link") == SMS  # /var -> /private/var
        copy = ev.file("/data/data/com.x/db.link").materialize()
        assert copy.read_bytes() == WA
        assert not copy.is_symlink()
    assert list(system_tmp.iterdir()) == []


def test_zip_symlink_outside_is_refused(case: Path, system_tmp: Path) -> None:
    path = case / "links.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for target, name in (("/etc/passwd", "fs/data/passwd"), ("x.db", "fs/data/y.db")):
            info = zipfile.ZipInfo(name, date_time=DOS_TIME)
            info.create_system = 3  # Unix
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
        zf.writestr("fs/data/x.db", b"x")
    with Evidence(path) as ev:
        passwd = ev.member("/data/passwd")
        assert (passwd.is_link, passwd.link_target) == (True, "/etc/passwd")
        with pytest.raises(UnsafeMember):
            ev.file(passwd).materialize()
        assert ev.read_bytes("/data/y.db") == b"x"


def test_directory_symlink_outside_is_refused(case: Path, tmp_path: Path) -> None:
    root = make_dir(case / "extraction", VENDOR_ENTRIES)
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"analyst's own file")
    (root / "escape.txt").symlink_to(outside)
    (root / "inside.db").symlink_to("filesystem2/private/var/mobile/Library/SMS/sms.db")
    with Evidence(root) as ev:
        escape = ev.member("escape.txt")
        assert escape.is_link
        with pytest.raises(UnsafeMember, match="outside the exhibit"):
            ev.read_bytes(escape)
        assert ev.read_bytes("inside.db") == SMS


# -- limits -----------------------------------------------------------------------------------


@pytest.fixture
def bomb(case: Path) -> Path:
    # 5 MiB of zeros deflate to about 5 kB: a ratio of about 1000.
    return make_zip(case / "bomb.zip", [("fs/data/zeros.bin", bytes(5 * 2**20))])


def test_zip_bomb_refused_by_declared_size(bomb: Path, system_tmp: Path) -> None:
    with Evidence(bomb, limits=Limits(max_member_bytes=2**20)) as ev:
        with pytest.raises(DecompressionLimitExceeded, match=r"zeros\.bin") as info:
            ev.read_bytes("zeros.bin")
        assert (info.value.size, info.value.limit) == (5 * 2**20, 2**20)
        with pytest.raises(DecompressionLimitExceeded):
            ev.file("zeros.bin").materialize()
        assert [p for p in system_tmp.rglob("*") if p.is_file()] == []


def test_zip_bomb_refused_by_ratio(bomb: Path) -> None:
    limits = Limits(max_ratio=100.0, ratio_min_bytes=2**20)
    with Evidence(bomb, limits=limits) as ev:
        member = ev.member("zeros.bin")
        assert member.compressed_size is not None
        assert member.size / member.compressed_size > 100
        with pytest.raises(DecompressionLimitExceeded):
            ev.open(member)
    with Evidence(bomb, limits=Limits(max_ratio=100.0)) as ev:  # 5 MiB < 64 MiB: allowed
        assert len(ev.read_bytes("zeros.bin")) == 5 * 2**20


def test_streaming_counter_catches_more_bytes_than_listed(case: Path) -> None:
    # The listed size is only a claim: here the file grows after listing, and the bytes
    # counted while streaming trip the cap that the declared size passed.
    root = make_dir(case / "extraction", [("data/grow.log", b"x" * 500)])
    with Evidence(root, limits=Limits(max_member_bytes=1000)) as ev:
        assert ev.member("grow.log").size == 500
        with (root / "data/grow.log").open("ab") as fh:
            fh.write(b"y" * 5000)
        with ev.open("grow.log") as stream:
            assert stream.read(1000) == b"x" * 500 + b"y" * 500
            with pytest.raises(DecompressionLimitExceeded) as info:
                stream.read(10)
        assert info.value.limit == 1000
        (root / "data/grow.log").write_bytes(b"z" * 1000)  # exactly at the cap: allowed
        assert ev.read_bytes("grow.log") == b"z" * 1000


def test_total_bytes_written_is_capped(case: Path, system_tmp: Path) -> None:
    entries = [("fs/data/a.bin", b"a" * 1000), ("fs/data/b.bin", b"b" * 1000)]
    with Evidence(make_zip(case / "x.zip", entries), limits=Limits(max_total_bytes=1500)) as ev:
        assert ev.file("a.bin").materialize().stat().st_size == 1000
        assert ev.file("a.bin").materialize().stat().st_size == 1000  # cached, not re-copied
        with pytest.raises(DecompressionLimitExceeded, match=r"b\.bin"):
            ev.file("b.bin").materialize()
        assert [p.name for p in system_tmp.rglob("*.bin")] == ["a.bin"]


# -- materialize and the private temp root ----------------------------------------------------


def test_materialize_with_siblings(case: Path, system_tmp: Path) -> None:
    with Evidence(make_zip(case / "x.zip", VENDOR_ENTRIES)) as ev:
        sms = ev.file("/var/mobile/Library/SMS/sms.db")
        wal = sms.sibling("-wal")
        assert wal is not None
        assert wal.read_bytes() == SMS_WAL
        assert sms.sibling("-journal") is None
        copy = sms.materialize(siblings=("-wal", "-journal"))
        assert copy.as_posix().endswith("/private/var/mobile/Library/SMS/sms.db")
        assert sorted(p.name for p in copy.parent.iterdir()) == ["sms.db", "sms.db-wal"]
        assert (copy.parent / "sms.db-wal").read_bytes() == SMS_WAL


def test_temp_root_is_private_lazy_and_removed_on_close(case: Path, system_tmp: Path) -> None:
    ev = Evidence(make_zip(case / "x.zip", VENDOR_ENTRIES))
    ev.read_bytes("sms.db")
    assert list(system_tmp.iterdir()) == []  # nothing on disk until something is materialized
    copy = ev.file("sms.db").materialize()
    [root] = list(system_tmp.iterdir())
    assert copy.is_relative_to(root)
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    ev.close()
    assert not root.exists()
    ev.close()  # idempotent

    with Evidence(make_zip(case / "y.zip", VENDOR_ENTRIES)) as ev2:
        ev2.file("msgstore.db").materialize()
        assert len(list(system_tmp.iterdir())) == 1
    assert list(system_tmp.iterdir()) == []


def test_temp_root_removed_when_evidence_is_forgotten(case: Path, system_tmp: Path) -> None:
    ev = Evidence(make_zip(case / "x.zip", VENDOR_ENTRIES))
    ev.file("sms.db").materialize()
    assert len(list(system_tmp.iterdir())) == 1
    del ev
    gc.collect()
    assert list(system_tmp.iterdir()) == []


def test_refuses_a_temp_dir_inside_a_directory_exhibit(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exhibit = make_dir(case / "extraction", VENDOR_ENTRIES)
    before = sorted(p.relative_to(exhibit).as_posix() for p in exhibit.rglob("*"))
    monkeypatch.setattr(tempfile, "tempdir", str(exhibit / "data"))
    with Evidence(exhibit) as ev, pytest.raises(ForensicsError, match="TMPDIR"):
        ev.file("sms.db").materialize()
    assert sorted(p.relative_to(exhibit).as_posix() for p in exhibit.rglob("*")) == before


def test_a_temp_dir_beside_an_archive_leaves_it_untouched(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # e.g. an exhibit at /tmp/x.zip with TMPDIR=/tmp: a private subfolder is created
    # beside it and removed on close; the archive's bytes never change.
    exhibit = make_zip(case / "x.zip", VENDOR_ENTRIES)
    digest = sha256(exhibit)
    monkeypatch.setattr(tempfile, "tempdir", str(case))
    with Evidence(exhibit) as ev:
        copy = ev.file("sms.db").materialize()
        assert copy.is_relative_to(case) and copy.read_bytes() == ev.read_bytes("sms.db")
    assert names(case) == ["x.zip"]
    assert sha256(exhibit) == digest


def test_member_from_another_exhibit_is_not_found(case: Path) -> None:
    with Evidence(make_zip(case / "x.zip", VENDOR_ENTRIES)) as ev:
        stranger = Member(
            name="sms.db",
            path="/sms.db",
            size=3,
            is_dir=False,
            is_link=False,
            link_target=None,
            mtime=None,
            dos_time=None,
            compressed_size=None,
            unsafe_reason=None,
        )
        with pytest.raises(MemberNotFound):
            ev.open(stranger)
