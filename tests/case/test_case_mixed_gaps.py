"""One timeline over a mixed folder: what is read but cannot be placed, what is read by
schema, and what is never opened.

* Rows without absolute time (a DataFlash log without GPS) are counted per exhibit and
  artifact, in the summary and in the timeline's ``attrs["warnings"]``. Truth: the sample
  README (ardusub_no_gps.BIN holds no GPS message at all, so no event has absolute time),
  pymavlink (the reference DataFlash reader) for its MSG and MODE records, and the
  generator's record counts (``write_dataflash(gps=False)``: one event per EV, MODE and MSG).
* A loose app database in a mixed folder is read by its schema. Truth: the phone
  generator's answer key (``writer`` row counts, ``scenario`` rows).
* A stray ``-wal`` inside an exhibit folder, not in hashes.json, is never opened. Truth:
  sqlite3 reading the listed database alone, and the three rows the stray WAL adds.
* Phone exhibits list their unread files for iTunes backups and UFDR reports too. Truth:
  the generators (the UFDR writer stores ``files/Text/readme.txt`` beside its report; the
  iTunes writer stores ``AddressBookImages.sqlitedb``, which no reader of the kit reads).
"""

from __future__ import annotations

import shutil
import sqlite3
import warnings
from pathlib import Path
from typing import Any

import pytest
from forensics_datasets.drone import simulate_flight, write_dataflash, write_srt
from forensics_datasets.phone import make_phone_extraction, make_scenario
from forensics_datasets.phone.itunes import write_itunes_backup
from forensics_datasets.phone.ufdr import make_ufdr

from forensics_lib.case import as_case, open_case, read_exhibit
from forensics_lib.cli import main
from forensics_lib.errors import ForensicsWarning
from forensics_lib.hashing import build_manifest, write_manifest
from forensics_lib.scan import UNREAD_REASON

SUB = "drone/ardusub_no_gps.BIN"
UNDATED = "rows without absolute time: not on the UTC timeline; boot-relative times in drone events"
SMS_DB = "data/data/com.android.providers.telephony/databases/mmssms.db"
STRAY_SMS = 3


def _pymavlink_counts(path: Path, types: list[str]) -> dict[str, int]:
    from pymavlink import mavutil

    counts = dict.fromkeys(types, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pymavlink's own deprecation noise
        log = mavutil.mavlink_connection(str(path))
        while (m := log.recv_match(type=types)) is not None:
            counts[m.get_type()] += 1
        log.close()
    return counts


def _undated_rows(case: Any, exhibit: str) -> dict[str, tuple[int, str]]:
    summary = case.summary()
    rows = summary[(summary["exhibit"] == exhibit) & (summary["outcome"] == "undated")]
    return {
        str(a): (int(n), str(d))
        for a, n, d in zip(rows["artifact"], rows["rows"], rows["detail"], strict=True)
    }


def test_gps_less_sample_rows_are_counted_not_dropped(samples: Path, tmp_path: Path) -> None:
    folder = tmp_path / "sub"
    folder.mkdir()
    shutil.copyfile(samples / SUB, folder / "small.BIN")
    with pytest.warns(ForensicsWarning, match="absolute time unknown"):
        case = as_case(folder)
    events = case.exhibits["sub"].frames["drone.events"]
    # README: no GPS message at all, so not one event has an absolute time.
    assert events["time_utc"].isna().all() and events["time_boot_s"].notna().all()
    # pymavlink: 9 MSG records (status texts) and 1 MODE record, each an event.
    ref = _pymavlink_counts(folder / "small.BIN", ["MSG", "MODE", "GPS"])
    assert ref["GPS"] == 0
    assert int((events["kind"] == "statustext").sum()) == ref["MSG"] == 9
    assert int((events["kind"] == "mode").sum()) == ref["MODE"] == 1
    # Every event is read, none placed on the UTC timeline, and all are counted.
    assert case.timeline.empty
    assert case.exhibits["sub"].undated == {"drone.events": len(events)}
    count, detail = _undated_rows(case, "sub")["drone.events"]
    assert count == len(events) and detail.startswith(f"{len(events)} {UNDATED}")
    said = case.timeline.attrs["warnings"]
    assert any(s.startswith("sub: drone.events: ") and UNDATED in s for s in said)
    assert case.timeline.attrs["undated"] == [("sub", "drone.events", len(events))]


def _loose_databases(folder: Path, work: Path) -> dict[str, Any]:
    """Copy the SMS and WhatsApp databases of a generated Android extraction into
    ``folder``, loose (no extraction around them); return the answer key."""
    phone = make_phone_extraction(work, os="android", seed=7, container="dir", wal=False)
    for name in ("mmssms.db", "msgstore.db"):
        found = sorted(Path(phone.exhibit).rglob(name))
        assert len(found) == 1, found
        shutil.copyfile(found[0], folder / name)
    key: dict[str, Any] = phone.answer_key
    return key


def test_mixed_folder_reads_gps_less_log_and_loose_databases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    counts = write_dataflash(folder / "indoor.bin", simulate_flight(2), gps=False)
    key = _loose_databases(folder, tmp_path / "phone")
    with pytest.warns(ForensicsWarning) as caught:
        case = as_case(folder)
    said = [str(w.message) for w in caught]
    ex = case.exhibits["mixed"]
    # The generator: one event per EV, MODE and MSG record, none with absolute time.
    events = counts["EV"] + counts["MODE"] + counts["MSG"]
    assert len(ex.frames["drone.events"]) == events
    assert ex.undated == {"drone.events": events}
    # The loose databases, by their schema, with the writer's row counts.
    writer, scenario = key["writer"], key["scenario"]
    assert len(ex.frames["android.sms"]) == writer["sms_rows"]
    assert len(ex.frames["android.mms"]) == writer["mms_rows"]
    assert len(ex.frames["android.whatsapp_messages"]) == len(scenario["wa_messages"])
    assert ex.by_schema["android.sms"] == ["mixed!/mmssms.db"]
    assert ex.by_schema["android.whatsapp_messages"] == ["mixed!/msgstore.db"]
    assert any("mixed!/msgstore.db" in s and "recognised by schema" in s for s in said)
    summary = case.summary()
    read = summary[summary["outcome"] == "read"].set_index("artifact")
    assert read.loc["android.sms", "detail"] == "recognised by schema: mixed!/mmssms.db"
    assert not (summary["outcome"] == "not read").any()  # nothing left unread
    tl = case.timeline
    assert {"android.sms", "android.whatsapp_messages"} <= set(tl["artifact"])
    assert "drone.events" not in set(tl["artifact"])
    # The CLI prints both in the per-exhibit summary, and exits 0 (there are events).
    with warnings.catch_warnings():
        warnings.simplefilter("always", ForensicsWarning)
        assert main(["timeline", str(folder), "--format", "csv"]) == 0
    err = capsys.readouterr().err
    assert f"undated: mixed drone.events: {events} {UNDATED}" in err
    assert "recognised by schema: mixed!/mmssms.db" in err


def test_cli_gps_less_log_alone_says_why_nothing_is_on_the_timeline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "indoor"
    folder.mkdir()
    counts = write_dataflash(folder / "indoor.bin", simulate_flight(4), gps=False)
    events = counts["EV"] + counts["MODE"] + counts["MSG"]
    with warnings.catch_warnings():
        warnings.simplefilter("always", ForensicsWarning)
        assert main(["timeline", str(folder)]) == 1  # no event can be placed
    err = capsys.readouterr().err
    assert f"undated: indoor drone.events: {events} {UNDATED}" in err


def _wal_mode_with_stray(db: Path, work: Path, extra: int) -> tuple[bytes, bytes]:
    """The database ``db`` switched to WAL mode and checkpointed (what is listed), and a
    WAL holding ``extra`` more SMS rows for it (the stray file)."""
    work.mkdir()
    copy = work / db.name
    shutil.copyfile(db, copy)
    conn = sqlite3.connect(copy)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        listed = copy.read_bytes()
        for k in range(extra):
            conn.execute(
                "INSERT INTO sms (thread_id, address, date, type, body, read) "
                "VALUES (1, ?, ?, 1, ?, 1)",
                (f"+34600000{k:03d}", 1_718_400_000_000 + k, f"stray {k}"),
            )
        conn.commit()
        stray = (work / f"{db.name}-wal").read_bytes()
    finally:
        conn.close()
    return listed, stray


def test_stray_wal_in_an_exhibit_folder_is_never_applied(tmp_path: Path) -> None:
    phone = make_phone_extraction(
        tmp_path / "gen", os="android", seed=9, container="dir", wal=False
    )
    root = tmp_path / "case"
    root.mkdir()
    exhibit = root / "EXH-01_phone"
    shutil.copytree(phone.exhibit, exhibit)
    db = next(exhibit.rglob("mmssms.db"))
    assert db.as_posix().endswith(SMS_DB)
    listed, stray = _wal_mode_with_stray(db, tmp_path / "work", STRAY_SMS)
    db.write_bytes(listed)
    manifest = build_manifest([exhibit], root=root, progress=False)
    manifest["root"] = "."
    write_manifest(manifest, root / "hashes.json")
    (db.parent / "mmssms.db-wal").write_bytes(stray)  # after acquisition: not in hashes.json
    # sqlite3 on the listed database alone (a copy without the WAL): the truth.
    alone = tmp_path / "alone.db"
    shutil.copyfile(db, alone)
    with sqlite3.connect(alone) as conn:
        truth = conn.execute("SELECT count(*) FROM sms").fetchone()[0]
    assert truth == phone.answer_key["writer"]["sms_rows"]
    with pytest.warns(ForensicsWarning, match="not in hashes.json") as caught:
        case = open_case(root)
    assert any("mmssms.db-wal" in str(w.message) for w in caught)
    ex = case.exhibits["EXH-01_phone"]
    assert len(ex.frames["android.sms"]) == truth
    assert not ex.frames["android.sms"]["body"].str.startswith("stray").any()
    assert case.verified
    # With --include-unlisted the stray WAL is read, as unverified: three more SMS.
    with pytest.warns(ForensicsWarning, match="read as unverified"):
        flagged = open_case(root, include_unlisted=True)
    sms = flagged.exhibits["EXH-01_phone"].frames["android.sms"]
    assert len(sms) == truth + STRAY_SMS
    assert not flagged.verified


def test_itunes_backup_lists_its_unread_files(tmp_path: Path) -> None:
    scenario = make_scenario(3, contacts=3, messages=5, calls=3, wa_messages=2, wa_calls=1)
    write_itunes_backup(tmp_path / "bk", scenario)
    backup = next((tmp_path / "bk").iterdir())
    (backup / "note.txt").write_text("dropped here by someone\n")
    ex = read_exhibit(backup)
    assert ex.reader == "phone"
    unread = dict(ex.unread)
    # A file Manifest.db does not list, and an entry it lists that no reader reads.
    assert (
        unread[f"{backup.name}!/note.txt"] == "not in the backup's Manifest.db: no reader reads it"
    )
    images = [p for p in unread if "AddressBookImages.sqlitedb" in p]
    assert len(images) == 1 and unread[images[0]] == UNREAD_REASON
    assert images[0].endswith(
        "(/private/var/mobile/Library/AddressBook/AddressBookImages.sqlitedb)"
    )
    # The backup's own papers are read with it, never listed.
    assert not any(p.endswith(("Manifest.db", "Manifest.plist", "Info.plist")) for p in unread)


def test_ufdr_report_lists_its_unread_files(tmp_path: Path) -> None:
    exhibit, _key = make_ufdr(tmp_path, seed=3)
    ex = read_exhibit(exhibit)
    assert ex.reader == "phone"
    assert ex.unread == [(f"{exhibit.name}!/files/Text/readme.txt", UNREAD_REASON)]


def test_srt_without_zone_is_counted_and_placed_with_one(tmp_path: Path) -> None:
    folder = tmp_path / "card"
    folder.mkdir()
    blocks = write_srt(folder / "DJI_0001.SRT", simulate_flight(1), every=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForensicsWarning)  # the SRT reader's own "no zone"
        case = as_case(folder)
    # The writer: ``blocks`` blocks of local wall time, none placeable without a zone.
    count, detail = _undated_rows(case, "card")["drone.srt"]
    assert count == blocks
    assert "local wall times in wall_time_local (give --zone to place them)" in detail
    assert "drone.srt" not in set(case.timeline["artifact"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForensicsWarning)
        zoned = as_case(folder, zone="Europe/Madrid")  # the writer's zone
    assert zoned.exhibits["card"].undated == {}
    assert int((zoned.timeline["artifact"] == "drone.srt").sum()) == blocks


def test_report_names_the_rows_not_on_the_timeline(tmp_path: Path) -> None:
    from forensics_lib.report import render_html

    folder = tmp_path / "indoor"
    folder.mkdir()
    counts = write_dataflash(folder / "indoor.bin", simulate_flight(4), gps=False)
    events = counts["EV"] + counts["MODE"] + counts["MSG"]  # the generator's event records
    with pytest.warns(ForensicsWarning, match="absolute time unknown"):
        case = as_case(folder)
    html = render_html(case, [])
    assert f"{events} {UNDATED}" in html
