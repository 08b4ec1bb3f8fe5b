"""Phone extractions as acquisitions vary them (issue 14, "Phone extractions").

Truth: the answer keys of :mod:`forensics_datasets.phone_variants` (counts of what was
written, WAL frames and commits as written) and, for damaged WALs, SQLite itself (the
``sqlite3`` module replaying the same database and ``-wal`` on a private copy).
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from forensics_datasets.phone_variants import (
    DAMAGES,
    ROOTS,
    write_android_calls_twice,
    write_damaged_wal,
    write_ios5_sms,
    write_loose_database,
    write_odd_backup,
    write_odd_plists,
    write_rooted,
    write_single_artifact,
    write_user0_copy,
    write_whatsapp_tables,
)

from forensics_lib.errors import ForensicsWarning, ParseError, UnsupportedFormat
from forensics_lib.phone import open_extraction
from forensics_lib.sqlite import check_wal, open_sqlite

# -- roots -----------------------------------------------------------------------------------

# Every root in a zip (Cellebrite, Magnet), and in a folder and a tar (GrayKey) for the
# roots whose member names differ most.
_ROOT_CASES = [
    *((os_name, root, "zip") for root, (_prefix, oses) in ROOTS.items() for os_name in oses),
    *(
        (os_name, root, container)
        for os_name, root in (
            ("ios", "slash"),
            ("ios", "bare"),
            ("ios", "var"),
            ("android", "data_user_0"),
            ("android", "filesystem2"),
            ("android", "Dump"),
        )
        for container in ("dir", "tar")
    ),
]


@pytest.mark.parametrize(("os_name", "root", "container"), _ROOT_CASES)
def test_every_vendor_root_reads_the_whole_extraction(
    tmp_path: Path, os_name: str, root: str, container: str
) -> None:
    variant = write_rooted(tmp_path, os=os_name, root=root, container=container)  # type: ignore[arg-type]
    counts = variant.answer_key["counts"]
    with open_extraction(variant.exhibit) as ext:
        assert ext.os == os_name
        assert len(ext.read("sms")) == counts["messages"]
        assert len(ext.read("calls")) == counts["calls"]
        assert len(ext.read("contacts")) == counts["contacts"]
        assert len(ext.read("whatsapp_messages")) == counts["wa_messages"]
        assert ext.problems == []


@pytest.mark.parametrize(
    ("os_name", "root", "container"),
    [
        ("ios", "filesystem1", "zip"),
        ("ios", "slash", "tgz"),
        ("ios", "var", "dir"),
        ("android", "Dump", "tar"),
        ("android", "data_user_0", "zip"),
        ("android", "fs", "dir"),
    ],
)
def test_extraction_nested_in_case_folders_is_found(
    tmp_path: Path, os_name: str, root: str, container: str
) -> None:
    variant = write_rooted(
        tmp_path,
        os=os_name,  # type: ignore[arg-type]
        root=root,
        container=container,  # type: ignore[arg-type]
        nest="Case 2026-117/EXH-002 Pixel/",
    )
    assert all("Case 2026-117/" in m for m in variant.answer_key["members"])
    with open_extraction(variant.exhibit) as ext:
        assert ext.os == os_name
        assert len(ext.read("sms")) == variant.answer_key["counts"]["messages"]
        assert len(ext.read("whatsapp_calls")) == variant.answer_key["counts"]["wa_calls"]


@pytest.mark.parametrize(
    ("artifact", "root", "container", "name"),
    [
        ("whatsapp", "bare", "zip", "whatsapp_messages"),
        ("whatsapp", "data_user_0", "tgz", "whatsapp_messages"),
        ("whatsapp", "Dump", "dir", "whatsapp_messages"),
        ("sms_android", "slash", "tar", "sms"),
        ("sms_ios", "filesystem2", "zip", "sms"),
        ("sms_ios", "var", "dir", "sms"),
    ],
)
def test_an_extraction_of_one_artifact_is_an_extraction(
    tmp_path: Path, artifact: str, root: str, container: str, name: str
) -> None:
    variant = write_single_artifact(
        tmp_path,
        artifact=artifact,
        root=root,
        container=container,  # type: ignore[arg-type]
    )
    with open_extraction(variant.exhibit) as ext:
        assert ext.os == variant.answer_key["os"]
        assert ext.kind == "filesystem"  # found by its device path, not by its schema
        assert len(ext.read(name)) == variant.answer_key["rows"]


# -- loose databases -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("artifact", "filename", "name", "ids"),
    [
        ("whatsapp", None, "whatsapp_messages", ["android.whatsapp_messages"]),
        ("whatsapp", "exhibit_07.db", "whatsapp_messages", ["android.whatsapp_messages"]),
        ("sms_android", None, "sms", ["android.sms", "android.mms"]),
        ("sms_ios", "copy of sms.db", "sms", ["ios.sms"]),
    ],
)
def test_loose_database_is_recognised_by_its_schema_and_says_so(
    tmp_path: Path,
    artifact: str,
    filename: str | None,
    name: str,
    ids: list[str],
    unchanged: Callable[[Path], None],
) -> None:
    variant = write_loose_database(tmp_path, artifact=artifact, name=filename)
    unchanged(variant.exhibit)
    with pytest.warns(ForensicsWarning, match="recognised by its schema"):
        ext = open_extraction(variant.exhibit)
    with ext:
        assert (ext.kind, ext.os) == ("loose", variant.answer_key["os"])
        assert set(ids) <= set(ext.artifacts()["artifact"])
        frame = ext.read(name)
        assert len(frame) == variant.answer_key["rows"]
        assert frame["source_path"].eq("/" + variant.answer_key["file"]).all()
        assert any("recognised by its schema" in n for n in frame.attrs["warnings"])
        assert len(ext.notes) == 1


def test_a_single_database_file_is_an_exhibit_too(tmp_path: Path) -> None:
    variant = write_loose_database(tmp_path, artifact="whatsapp")
    with pytest.warns(ForensicsWarning, match="android.whatsapp_messages"):
        ext = open_extraction(variant.exhibit / "msgstore.db")
    with ext:
        assert len(ext.read("whatsapp_messages")) == variant.answer_key["rows"]


def test_mixed_folder_and_unknown_database_stay_unsupported(tmp_path: Path) -> None:
    # A folder of other evidence beside a database is the generic scanner's (which reads
    # every family); a database of no known schema is no phone extraction.
    mixed = write_loose_database(tmp_path, artifact="sms_ios").exhibit
    (mixed / "capture.pcap").write_bytes(b"\xd4\xc3\xb2\xa1" + bytes(20))
    with pytest.raises(UnsupportedFormat, match="no SQLite database of a known app schema"):
        open_extraction(mixed)
    other = tmp_path / "other"
    other.mkdir()
    conn = sqlite3.connect(other / "notes.db")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes VALUES (1, 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(UnsupportedFormat):
        open_extraction(other)


# -- WhatsApp: both tables ---------------------------------------------------------------------


def test_legacy_messages_next_to_placeholder_only_message_table(tmp_path: Path) -> None:
    variant = write_whatsapp_tables(tmp_path, layout="legacy_full")
    with (
        open_extraction(variant.exhibit) as ext,
        pytest.warns(ForensicsWarning, match="read 'messages'"),
    ):
        frame = ext.read("whatsapp_messages")
    assert len(frame) == variant.answer_key["messages"] == 40  # never 0 rows
    assert frame["schema"].eq("android-legacy").all()
    assert frame.attrs["tables"] == {"read": ["messages"], "message": 0, "messages": 40}
    assert frame["key_id"].ne("-1").all()  # neither table's placeholder row is a message


def test_modern_messages_next_to_placeholder_only_legacy_table(tmp_path: Path) -> None:
    variant = write_whatsapp_tables(tmp_path, layout="modern_full")
    with open_extraction(variant.exhibit) as ext:
        frame = ext.read("whatsapp_messages")  # the usual case: no warning
        calls = ext.read("whatsapp_calls")
    assert len(frame) == variant.answer_key["messages"]
    assert frame["schema"].eq("android-modern").all()
    assert frame.attrs["tables"]["read"] == ["message"]
    assert len(calls) == 10


def test_half_migrated_msgstore_reads_both_tables_without_duplicates(tmp_path: Path) -> None:
    variant = write_whatsapp_tables(tmp_path, layout="both")
    key = variant.answer_key
    with (
        open_extraction(variant.exhibit) as ext,
        pytest.warns(ForensicsWarning, match=f"{key['overlap']} legacy row"),
    ):
        frame = ext.read("whatsapp_messages")
    # 40 written; legacy holds the first 27, message the last 27: 14 in both.
    assert len(frame) == key["messages"] == key["legacy"] + key["modern"] - key["overlap"]
    assert frame["key_id"].is_unique
    counts = frame["schema"].value_counts().to_dict()
    assert counts == {"android-modern": key["modern"], "android-legacy": key["legacy"] - 14}
    assert frame["time"].notna().all()


# -- damaged WAL -------------------------------------------------------------------------------


def _sqlite_reference(db: Path, table: str) -> int:
    """What SQLite itself shows: the database and its -wal replayed on a private copy."""
    work = db.parent.parent.parent / "sqlite-reference"  # outside the exhibit
    work.mkdir()
    shutil.copyfile(db, work / db.name)
    wal = db.with_name(db.name + "-wal")
    shutil.copyfile(wal, work / wal.name)
    conn = sqlite3.connect(work / db.name)
    try:
        return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    finally:
        conn.close()
        shutil.rmtree(work)


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("os_name", ["android", "ios"])
def test_damaged_wal_shows_what_sqlite_applies_and_names_the_frame(
    tmp_path: Path, damage: str, os_name: str, unchanged: Callable[[Path], None]
) -> None:
    variant = write_damaged_wal(tmp_path / "ex", damage=damage, os=os_name)  # type: ignore[arg-type]
    key: dict[str, Any] = variant.answer_key
    db = variant.exhibit / key["device_path"]
    check = check_wal(db.with_name(db.name + "-wal").read_bytes())
    assert check.applied == key["applied_frames"]
    assert check.first_skipped == key["first_skipped_frame"]
    unchanged(variant.exhibit)
    with (
        open_extraction(variant.exhibit) as ext,
        pytest.warns(ForensicsWarning, match=f"frame {key['first_skipped_frame']}\\b"),
    ):
        frame = ext.read("ios.sms" if os_name == "ios" else "android.sms")
    assert len(frame) == key["rows"]
    assert any(f"from frame {key['first_skipped_frame']} on" in n for n in frame.attrs["warnings"])
    assert key["rows"] == _sqlite_reference(db, key["table"])  # the answer key is SQLite's
    assert key["rows_lost"] > 0  # the damage matters: some committed rows are not shown


def test_damaged_wal_inside_a_zip(tmp_path: Path) -> None:
    variant = write_damaged_wal(tmp_path, damage="checksum", container="zip")
    key = variant.answer_key
    with (
        open_extraction(variant.exhibit) as ext,
        pytest.warns(ForensicsWarning, match="checksum does not match") as record,
    ):
        frame = ext.read("android.sms")
        both = ext.read("sms")  # SMS and MMS of the same mmssms.db: the note is kept
    assert len(frame) == key["rows"]
    text = str(record[0].message)
    assert f"{key['applied_frames']} of its {key['wal_frames']} complete frame(s)" in text
    assert text in both.attrs["warnings"]


def test_database_notes_say_what_was_not_applied(tmp_path: Path) -> None:
    variant = write_damaged_wal(tmp_path, damage="header")
    db = variant.exhibit / variant.answer_key["device_path"]
    with (
        pytest.warns(ForensicsWarning, match="SQLite ignores the whole WAL"),
        open_sqlite(db) as opened,
    ):
        assert not opened.recovered_wal
        assert opened.notes and "frame 1" in opened.notes[0]


# -- property lists ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("oddity", "match"),
    [
        ("version_dict", "key 'ProductVersion' holds a dictionary, expected a string"),
        ("version_bytes", "key 'ProductVersion' holds data, expected a string"),
        ("root_list", "SystemVersion.plist holds an array, not a dictionary"),
    ],
)
def test_system_version_of_unexpected_types_is_a_named_parse_error(
    tmp_path: Path, oddity: str, match: str
) -> None:
    variant = write_odd_plists(tmp_path, oddity=oddity)  # type: ignore[arg-type]
    with (
        open_extraction(variant.exhibit) as ext,
        pytest.warns(ForensicsWarning, match=match),
    ):
        device = ext.read("device")
        assert device.empty
        assert [p[0] for p in ext.problems] == ["phone.device"]
        assert match in ext.problems[0][2]
        assert len(ext.read("sms")) == 60  # the rest of the extraction is still read


def test_known_network_of_another_type_is_skipped_and_named(tmp_path: Path) -> None:
    variant = write_odd_plists(tmp_path, oddity="network_not_dict")
    with (
        open_extraction(variant.exhibit) as ext,
        pytest.warns(ForensicsWarning, match="1 of 2 network"),
    ):
        frame = ext.read("ios.wifi_networks")
    assert frame["ssid"].tolist() == ["HomeNet"]  # SSID stored as data, decoded
    assert "'wifi.network.ssid.Broken' holds a string" in frame.attrs["warnings"][0]


@pytest.mark.parametrize(
    ("oddity", "match"),
    [
        ("encrypted_string", "key 'IsEncrypted' holds a string, expected a boolean or an integer"),
        ("info_array", "Info.plist holds an array, not a dictionary"),
    ],
)
def test_backup_plists_of_unexpected_types_refuse_to_open(
    tmp_path: Path, oddity: str, match: str
) -> None:
    variant = write_odd_backup(tmp_path, oddity=oddity)  # type: ignore[arg-type]
    with pytest.raises(ParseError, match=match):
        open_extraction(variant.exhibit)


@pytest.mark.parametrize(
    ("oddity", "match"),
    [
        ("lockdown_string", "key 'Lockdown' holds a string, expected a dictionary"),
        ("serial_dict", "key 'Serial Number' holds a dictionary, expected a string"),
    ],
)
def test_backup_identity_of_unexpected_types_is_a_named_parse_error(
    tmp_path: Path, oddity: str, match: str
) -> None:
    variant = write_odd_backup(tmp_path, oddity=oddity)  # type: ignore[arg-type]
    with open_extraction(variant.exhibit) as ext:
        assert len(ext.read("sms")) == 60  # the backup itself is read
        with pytest.raises(ParseError, match=match):
            _ = ext.device


# -- iOS 5 sms.db: same table name, other columns -------------------------------------------------


def test_ios5_sms_db_is_read_by_its_columns(tmp_path: Path) -> None:
    variant = write_ios5_sms(tmp_path, imessages=0)
    key = variant.answer_key
    with open_extraction(variant.exhibit) as ext:
        frame = ext.read("ios.sms")
    assert len(frame) == key["sms"] == 60  # not "0 rows, unknown schema"
    first = frame.iloc[0]
    # date is Unix seconds in iOS 5: the key's time truncated to the second.
    assert first["time"] == pd.Timestamp(key["first"]["time"]).floor("s")
    assert first["address"] == key["first"]["address"]
    assert first["body"] == key["first"]["body"]
    assert first["direction"] == ("outgoing" if key["first"]["outgoing"] else "incoming")
    assert frame.attrs["schema"] == "ios-5"


def test_ios5_imessage_rows_are_announced_not_hidden(tmp_path: Path) -> None:
    variant = write_ios5_sms(tmp_path / "ex", imessages=3)
    with (
        open_extraction(variant.exhibit) as ext,
        pytest.warns(ForensicsWarning, match="3 iMessage \\(madrid\\) row"),
    ):
        frame = ext.read("ios.sms")
    assert len(frame) == variant.answer_key["sms"]
    assert "60 SMS read" in frame.attrs["warnings"][0]
    loose = tmp_path / "loose"
    loose.mkdir()
    db = next(variant.exhibit.rglob("sms.db"))
    shutil.copyfile(db, loose / "sms.db")
    with pytest.warns(ForensicsWarning, match="recognised by its schema"):
        ext = open_extraction(loose)
    with ext, pytest.warns(ForensicsWarning, match="iMessage"):
        assert len(ext.read("ios.sms")) == 60


def test_calls_kept_in_old_and_new_database_are_shown_once(tmp_path: Path) -> None:
    """contacts2.db keeping the calls Android 7+ moved to calllog.db: 30 copies, 1 call
    only the old table holds; 31 calls, each once, and the copies said."""
    variant = write_android_calls_twice(tmp_path)
    key = variant.answer_key
    with (
        open_extraction(variant.exhibit) as ext,
        pytest.warns(ForensicsWarning, match=f"{key['copies']} row\\(s\\) .* are copies"),
    ):
        frame = ext.read("calls")
    assert len(frame) == key["calls"]
    by_file = frame["source_path"].str.rsplit("/", n=1).str[-1].value_counts().to_dict()
    assert by_file == {"calllog.db": key["copies"], "contacts2.db": key["only_old"]}
    assert "each shown once" in frame.attrs["warnings"][0]


def test_loose_folder_names_the_databases_it_does_not_read(tmp_path: Path) -> None:
    variant = write_loose_database(tmp_path, artifact="sms_android")
    conn = sqlite3.connect(variant.exhibit / "notes.db")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    with pytest.warns(ForensicsWarning) as record:
        ext = open_extraction(variant.exhibit)
    said = [str(w.message) for w in record]
    assert any("recognised by its schema" in m for m in said)
    assert any(m.startswith("1 database(s) not read:") and "notes.db" in m for m in said)
    with ext:
        assert len(ext.read("android.sms")) > 0
        assert any("notes.db (no known app schema)" in n for n in ext.notes)


def test_app_folders_under_both_android_names_are_read_once(tmp_path: Path) -> None:
    """/data/user/0/<app> is /data/data/<app> on the device: byte-identical copies of each
    database are read once, and said."""
    variant = write_user0_copy(tmp_path, identical=True)
    counts = variant.answer_key["counts"]
    with (
        open_extraction(variant.exhibit) as ext,
        pytest.warns(ForensicsWarning, match="byte-identical copy") as record,
    ):
        assert len(ext.read("whatsapp_messages")) == counts["wa_messages"]  # not twice
        assert len(ext.read("sms")) == counts["messages"]
        assert len(ext.read("calls")) == counts["calls"]
        frame = ext.read("android.whatsapp_messages")
    assert frame["source_path"].str.startswith("/data/data/").all()
    assert any("byte-identical" in n for n in frame.attrs["warnings"])
    assert all("/data/user/0/" in str(w.message) for w in record)


def test_copies_of_one_database_that_differ_are_both_read_and_said(tmp_path: Path) -> None:
    variant = write_user0_copy(tmp_path, identical=False)
    counts = variant.answer_key["counts"]
    with open_extraction(variant.exhibit) as ext, pytest.warns(ForensicsWarning) as record:
        sms = ext.read("android.sms")
    said = [str(w.message) for w in record]
    assert any("its bytes differ: both read" in m for m in said)
    assert any("are copies of rows of another" in m for m in said)
    # 54 SMS in /data/data, 53 of them again in /data/user/0: 54 shown once each.
    assert len(sms) == counts["messages"] - 6  # 60 messages written, 6 of them MMS
