"""Phone gaps of issue 14, second wave: a stray Manifest.db-wal, iOS 7-and-older call
history, Android adb backups.

Truth: each generator's answer key (counts and values computed where the exhibit is
written, never by the readers) and hand-computed UTC times with their derivation.
"""

from __future__ import annotations

import shutil
import sqlite3
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.phone import make_phone_extraction, make_scenario
from forensics_datasets.phone.itunes import file_id, write_itunes_backup
from forensics_datasets.phone_variants import (
    AdbForm,
    write_adb_backup,
    write_backup_stray_wal,
    write_ios7_calls,
)

from forensics_lib.case import open_case
from forensics_lib.errors import EncryptedContent, ForensicsWarning, ParseError
from forensics_lib.hashing import build_manifest, write_manifest
from forensics_lib.phone import open_extraction
from forensics_lib.phone.adb import adb_device_path, read_ab_header
from forensics_lib.phone.ios import IOS_CALLS, read_calls
from forensics_lib.schema import ArtifactSpec

# -- 1. a stray Manifest.db-wal --------------------------------------------------------------


def test_stray_manifest_wal_is_announced_when_not_excluded(
    tmp_path: Path, unchanged: Callable[[Path], None]
) -> None:
    variant = write_backup_stray_wal(tmp_path / "bk", seed=3)
    key = variant.answer_key
    unchanged(variant.exhibit)
    with pytest.warns(ForensicsWarning, match=r"Manifest\.db-wal beside Manifest\.db"):
        ext = open_extraction(variant.exhibit)
    with ext:
        assert ext.backup is not None
        paths = {f.path for f in ext.backup}
    assert len(paths) == key["files_with_wal"]  # SQLite applies the WAL: the row is there
    assert key["planted"] in paths


def test_excluded_manifest_wal_changes_nothing(
    tmp_path: Path, unchanged: Callable[[Path], None]
) -> None:
    variant = write_backup_stray_wal(tmp_path / "bk", seed=3)
    key = variant.answer_key
    unchanged(variant.exhibit)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the excluded WAL is as if absent: nothing to say
        ext = open_extraction(variant.exhibit, exclude={f"/{key['companion']}"})
    with ext:
        assert ext.backup is not None
        paths = {f.path for f in ext.backup}
        sms = ext.read("sms")
    assert len(paths) == key["files"]
    assert key["planted"] not in paths
    assert len(sms) > 0
    assert not (variant.exhibit / "Manifest.db-shm").exists()


def test_stray_manifest_journal_is_announced_or_excluded(tmp_path: Path) -> None:
    # A -journal beside Manifest.db (here zero-filled: no hot journal, so SQLite ignores
    # its content) is announced all the same; excluded, it is as if absent and unread.
    variant = write_backup_stray_wal(tmp_path / "bk", seed=3)
    (variant.exhibit / "Manifest.db-wal").unlink()
    (variant.exhibit / "Manifest.db-journal").write_bytes(bytes(512))
    with pytest.warns(ForensicsWarning, match=r"Manifest\.db-journal beside Manifest\.db"):
        open_extraction(variant.exhibit).close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ext = open_extraction(variant.exhibit, exclude={"/Manifest.db-journal"})
    with ext:
        assert ext.backup is not None
        assert len(ext.backup) == variant.answer_key["files"]


def test_case_never_applies_an_unlisted_manifest_wal(tmp_path: Path) -> None:
    variant = write_backup_stray_wal(tmp_path / "gen", seed=3)
    key = variant.answer_key
    root = tmp_path / "case"
    root.mkdir()
    exhibit = root / "EXH-01_backup"
    shutil.copytree(variant.exhibit, exhibit)
    wal = exhibit / key["companion"]
    stray = wal.read_bytes()
    wal.unlink()
    manifest = build_manifest([exhibit], root=root, progress=False)
    manifest["root"] = "."
    write_manifest(manifest, root / "hashes.json")
    wal.write_bytes(stray)  # arrived after acquisition: not in hashes.json
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        case = open_case(root)
    said = [str(w.message) for w in caught]
    assert any("Manifest.db-wal" in m and "not in hashes.json" in m for m in said)
    assert not any("beside Manifest.db" in m for m in said)  # excluded: as if absent
    ex = case.exhibits["EXH-01_backup"]
    # The planted file is no backup entry (its row is only in the stray WAL): listed as a
    # file Manifest.db does not list, never under its device path.
    assert not any(key["planted"] in path for path, _why in ex.unread)
    assert len(ex.frames["ios.sms"]) > 0


# -- 2. iOS 7 and older call_history.db ------------------------------------------------------


def _columns(spec: ArtifactSpec) -> list[str]:
    return [*(c.name for c in spec.columns)]


def test_ios7_call_history_reads_like_the_answer_key(tmp_path: Path) -> None:
    variant = write_ios7_calls(tmp_path / "v", facetime=2, seed=4)
    want = variant.answer_key["calls"]
    with open_extraction(variant.exhibit) as ext:
        assert ext.os == "ios"
        calls = ext.read("calls")
    assert len(calls) == len(want)
    assert set(calls["source_path"]) == {variant.answer_key["device_path"]}
    got = calls.sort_values("row_id").reset_index(drop=True)
    for row, w in zip(got.to_dict("records"), want, strict=True):
        assert row["time"] == pd.Timestamp(w["time"])
        assert row["end_time"] - row["time"] == pd.Timedelta(seconds=w["duration_s"])
        assert row["number"] == w["number"]
        assert row["type"] == w["flags"]
        assert row["type_label"] == w["label"]
        assert row["direction"] == ("outgoing" if w["label"] == "outgoing" else "incoming")
        assert row["service_label"] == w["service"]
        assert bool(row["answered"]) == (w["duration_s"] > 0)
    assert _columns(IOS_CALLS) == [c for c in calls.columns if c in _columns(IOS_CALLS)]


def test_ios7_call_history_hand_computed(tmp_path: Path) -> None:
    db = tmp_path / "call_history.db"
    conn = sqlite3.connect(db)
    conn.execute(
        "CREATE TABLE call (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT, date "
        "INTEGER, duration INTEGER, flags INTEGER, id INTEGER, name TEXT, country_code TEXT, "
        "network_code TEXT, read INTEGER, assisted INTEGER, face_time_data BLOB, "
        "originalAddress TEXT)"
    )
    # 1262304000 = 14610 days * 86400 s; 14610 = 40 * 365 + 10 leap days (1972..2008), so
    # 2010-01-01T00:00:00Z. Outgoing (flags 5) for 125 s: ends 00:02:05.
    # 1262349296 = 1262304000 + 45296 (12 h 34 min 56 s): 2010-01-01T12:34:56Z, incoming
    # (flags 4) with duration 0: missed.
    conn.executemany(
        "INSERT INTO call (ROWID, address, date, duration, flags, name) VALUES (?,?,?,?,?,?)",
        [
            (1, "+447700900123", 1262304000, 125, 5, "Alice"),
            (2, "+447700900456", 1262349296, 0, 4, None),
        ],
    )
    conn.commit()
    conn.close()
    calls = read_calls(db)
    assert calls.attrs["schema"] == "ios-7"
    assert list(calls["time"]) == [
        pd.Timestamp("2010-01-01T00:00:00Z"),
        pd.Timestamp("2010-01-01T12:34:56Z"),
    ]
    assert calls["end_time"].iloc[0] == pd.Timestamp("2010-01-01T00:02:05Z")
    assert list(calls["type_label"]) == ["outgoing", "missed"]
    assert list(calls["direction"]) == ["outgoing", "incoming"]
    assert list(calls["answered"]) == [True, False]
    assert list(calls["name"].fillna("-")) == ["Alice", "-"]
    assert list(calls["row_id"]) == [1, 2]


def test_ios7_call_history_in_an_itunes_backup(tmp_path: Path) -> None:
    # The backup name every tool looks for (The iPhone Wiki, "Call History Database").
    fid = file_id("WirelessDomain", "Library/CallHistory/call_history.db")
    assert fid == "2b2b0084a1bc3a5ac8c27afdf14afb42c61a19ca"
    legacy = write_ios7_calls(tmp_path / "v", seed=6)
    notes = write_itunes_backup(tmp_path / "bk", make_scenario(6))
    root = tmp_path / "bk" / str(notes["udid"])
    db = next(legacy.exhibit.rglob("call_history.db"))
    (root / fid[:2]).mkdir(exist_ok=True)
    shutil.copyfile(db, root / fid[:2] / fid)
    with sqlite3.connect(root / "Manifest.db") as conn:
        conn.execute(
            "INSERT INTO Files VALUES (?, 'WirelessDomain', 'Library/CallHistory/call_history.db',"
            " 1, NULL)",
            (fid,),
        )
    conn.close()
    with open_extraction(root) as ext:
        calls = ext.read("calls")
    old = calls[calls["source_path"] == legacy.answer_key["device_path"]]
    assert len(old) == len(legacy.answer_key["calls"])
    assert list(old["time"]) == [pd.Timestamp(c["time"]) for c in legacy.answer_key["calls"]]
    assert len(calls) - len(old) == len(make_scenario(6).calls)  # CallHistory.storedata too


# -- 3. Android adb backup -------------------------------------------------------------------


def test_ab_header_hand_parsed() -> None:
    # "ANDROID BACKUP\n" 15 bytes + "5\n" 2 + "1\n" 2 + "none\n" 5 = 24 bytes of header.
    header = read_ab_header(b"ANDROID BACKUP\n5\n1\nnone\nx\x9c", "t.ab")
    assert (header.version, header.compressed, header.encryption, header.size) == (
        5,
        True,
        "none",
        24,
    )
    with pytest.raises(ParseError, match="cut short"):
        read_ab_header(b"ANDROID BACKUP\n5\n", "t.ab")


def test_adb_tokens_map_to_device_paths() -> None:
    # FullBackup.java: db -> databases, sp -> shared_prefs, f -> files, r -> the app folder.
    assert adb_device_path("/apps/com.android.providers.telephony/db/mmssms.db") == (
        "",
        "/data/data/com.android.providers.telephony/databases/mmssms.db",
    )
    assert adb_device_path("/x/apps/com.whatsapp/sp/p.xml") == (
        "/x",
        "/data/data/com.whatsapp/shared_prefs/p.xml",
    )
    assert adb_device_path("/apps/com.a/f/k/v.bin") == ("", "/data/data/com.a/files/k/v.bin")
    assert adb_device_path("/apps/com.a/d_db/y.db") == ("", "/data/user_de/0/com.a/databases/y.db")
    assert adb_device_path("/apps/com.a/a/base.apk") is None
    assert adb_device_path("/apps/com.a/_manifest") is None


@pytest.mark.parametrize("form", ["ab", "ab_plain", "tar", "dir"])
def test_adb_backup_counts_equal_the_answer_key(
    tmp_path: Path, form: AdbForm, unchanged: Callable[[Path], None]
) -> None:
    variant = write_adb_backup(tmp_path / "v", form=form, seed=5)
    counts = variant.answer_key["counts"]
    unchanged(tmp_path / "v")
    with open_extraction(variant.exhibit) as ext:
        assert (ext.kind, ext.os) == ("adb", "android")
        sms = ext.read("sms")
        calls = ext.read("calls")
        contacts = ext.read("contacts")
        wa = ext.read("whatsapp_messages")
        wa_calls = ext.read("whatsapp_calls")
        unpacked = ext.unpacked
    assert len(sms) == counts["messages"]
    assert len(calls) == counts["calls"]
    assert len(contacts) == counts["contacts"]
    assert len(wa) == counts["wa_messages"]
    assert len(wa_calls) == counts["wa_calls"]
    assert set(sms["source_path"]) == {
        "/data/data/com.android.providers.telephony/databases/mmssms.db"
    }
    assert set(wa["source_path"]) == {"/data/data/com.whatsapp/databases/msgstore.db"}
    if form.startswith("ab"):
        assert unpacked is not None and not unpacked.exists()  # the private tar is gone


def test_encrypted_ab_names_the_file(tmp_path: Path) -> None:
    variant = write_adb_backup(tmp_path / "v", form="ab_encrypted", seed=5)
    with pytest.raises(EncryptedContent, match=r"backup\.ab: encrypted content.*AES-256"):
        open_extraction(variant.exhibit)


def test_cut_ab_is_a_parse_error(tmp_path: Path) -> None:
    variant = write_adb_backup(tmp_path / "v", form="ab", seed=5)
    data = variant.exhibit.read_bytes()
    cut = tmp_path / "cut.ab"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ParseError, match="deflate stream ends"):
        open_extraction(cut)


def test_adb_tree_inside_a_file_system_leaves_it_a_file_system(tmp_path: Path) -> None:
    # An unpacked backup copied onto the phone's storage: the extraction stays a file system,
    # and its own mmssms.db (the generator's, same seed) is what "sms" reads.
    variant = write_adb_backup(tmp_path / "v", form="dir", seed=5)
    phone = make_phone_extraction(tmp_path / "p", os="android", seed=5, container="dir")
    shutil.copytree(variant.exhibit, phone.exhibit / "Download" / "adb_backup")
    with open_extraction(phone.exhibit) as ext:
        assert ext.kind == "filesystem"
        sms = ext.read("sms")
    assert len(sms) == variant.answer_key["counts"]["messages"]
    assert not sms["source_path"].str.contains("/apps/").any()
