"""``forensics-lib timeline`` on a case folder, a plain folder and archives in it.

Found by an investigator's review: ``timeline CASE_DIR`` scanned the case as one folder,
labelled every row with the folder's name and skipped the zip and tar phone extractions in
it; and the operator's phone's drop flight, renamed to ``Download/backup_MMDD.dat``, was
missing from ``drone_logs`` and from every timeline.

Truth: the case generator's answer key (``answer_key.json``: exhibits, the deleted drop
message, the contraband phone's callees and call durations, the drop flight's file, take-off
and landing), and SQLite itself (stdlib ``sqlite3`` on a copy of the phones' ``mmssms.db``
and its ``-wal``) for how many SMS each phone holds.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import tarfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from forensics_datasets.case import make_case

from forensics_lib import export
from forensics_lib.case import as_case, is_case_folder, open_case
from forensics_lib.cli import main
from forensics_lib.errors import ForensicsWarning

OPERATOR = "EXH-02_operator_phone.zip"
CELL = "EXH-03_cell_phone.tar"
CAPTURE = "EXH-04_prison_network.pcapng"
SMS_DB = "data/data/com.android.providers.telephony/databases/mmssms.db"


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("tl") / "case"
    make_case(root, seed=3, difficulty="hard")
    key = json.loads((root / "answer_key.json").read_text())
    # The review's case: both phones packed (zip and tar), the drop flight renamed.
    assert {OPERATOR, CELL} <= set(key["exhibits"])
    assert "renamed_file" in key["traps"]
    return root, key


def _cli_timeline(argv: list[str], out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["timeline", *argv, "--format", "csv", "-o", str(out)]) == 0
    return capsys.readouterr().err


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def _sms_rows(member_bytes: dict[str, bytes], tmp: Path) -> int:
    """Rows of the ``sms`` table with a date, by SQLite itself (the -wal replayed)."""
    tmp.mkdir()
    for suffix, data in member_bytes.items():
        (tmp / f"mmssms.db{suffix}").write_bytes(data)
    with sqlite3.connect(tmp / "mmssms.db") as db:
        (count,) = db.execute("SELECT COUNT(*) FROM sms WHERE date > 0").fetchone()
    return int(count)


def _members(archive: Path, wanted: str) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                for suffix in ("", "-wal"):
                    if name.endswith(wanted + suffix):
                        found[suffix] = zf.read(name)
    else:
        with tarfile.open(archive) as tf:
            for info in tf.getmembers():
                for suffix in ("", "-wal"):
                    handle = tf.extractfile(info) if info.isreg() else None
                    if handle is not None and info.name.endswith(wanted + suffix):
                        found[suffix] = handle.read()
    assert "" in found, f"{wanted} not in {archive}"
    return found


def test_a_case_folder_is_read_exhibit_by_exhibit(
    case: tuple[Path, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, key = case
    assert is_case_folder(root)
    err = _cli_timeline([str(root)], tmp_path / "tl.csv", capsys)
    for name in key["exhibits"]:
        assert name in err  # the command says which reader read each exhibit
    # Exactly the case's own timeline (open_case), byte for byte once written.
    export.timeline_to_csv(open_case(root).timeline, tmp_path / "case.csv")
    assert (tmp_path / "tl.csv").read_text() == (tmp_path / "case.csv").read_text()
    rows = _rows(tmp_path / "tl.csv")
    # Every exhibit by its own name (the phones' zip and tar too), and the custody log;
    # never the folder's name.
    assert {r["exhibit"] for r in rows} == {*key["exhibits"], "custody"}
    phone_rows = [r for r in rows if r["exhibit"] in (OPERATOR, CELL)]
    assert {r["artifact"].split(".")[0] for r in phone_rows} >= {"android", "phone"}


def test_the_case_timeline_holds_the_phones_sms_and_the_captures_calls(
    case: tuple[Path, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, key = case
    _cli_timeline([str(root)], tmp_path / "tl.csv", capsys)
    tl = pd.DataFrame(_rows(tmp_path / "tl.csv"))
    # Every live SMS of both phones, as many rows as the sms table has dated rows.
    for n, exhibit in enumerate((OPERATOR, CELL)):
        want = _sms_rows(_members(root / exhibit, SMS_DB), tmp_path / f"db{n}")
        got = tl[(tl["exhibit"] == exhibit) & (tl["artifact"] == "android.sms")]
        assert len(got) == want > 0, exhibit
    # The drop message the operator deleted, recovered from free space, at the key's time.
    drop = key["facts"]["drop_message"]["value"]
    [row] = tl[tl["artifact"] == "android.sms_deleted"].to_dict("records")
    assert row["exhibit"] == OPERATOR
    assert row["counterpart"] == drop["sender"] and drop["text"] in row["description"]
    assert abs(pd.Timestamp(row["time"]) - pd.Timestamp(drop["time_utc"])) <= pd.Timedelta("1s")
    # The capture's calls from the contraband account: to the key's callees, and answered
    # for the key's durations (call answered -> call ended).
    account = key["facts"]["contraband_sip_account"]["value"]
    calls = tl[(tl["exhibit"] == CAPTURE) & (tl["artifact"] == "voip.calls")]
    calls = calls[calls["actor"] == account]
    callee = calls["counterpart"].str.split("@").str[0]
    assert set(callee) == set(key["facts"]["callee_numbers"]["value"])
    durations = key["facts"]["call_durations_s"]
    for number, lengths in durations["value"].items():
        mine = calls[callee == number]
        answered = pd.to_datetime(mine.loc[mine["event"] == "call answered", "time"])
        ended = pd.to_datetime(mine.loc[mine["event"] == "call ended", "time"])
        # each answered call lasts until the first "call ended" after it (a cancelled call
        # to the same number ends without an answer)
        got = [(ended[ended >= a].min() - a).total_seconds() for a in answered]
        assert len(got) == len(lengths)
        assert all(abs(g - w) <= durations["tolerance"] for g, w in zip(got, lengths, strict=True))


def test_the_renamed_drop_flight_is_on_every_timeline(
    case: tuple[Path, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, key = case
    facts = key["facts"]
    drop_path = "/" + facts["drop_flight_log"]["value"].lstrip("/")
    decoy_path = "/" + facts["decoy_flight_log"]["value"].lstrip("/")
    assert not drop_path.endswith((".tlog", ".txt", ".bin", ".BIN"))  # renamed indeed
    # phone read ... drone_logs: the renamed log (by content) beside the decoy (by name)
    assert main(["phone", "read", str(root / OPERATOR), "drone_logs", "--format", "csv"]) == 0
    logs = {r["path"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert set(logs) == {drop_path, decoy_path}
    assert logs[drop_path]["found_by"] == "content"
    assert logs[drop_path]["format"] == "mavlink_tlog"
    assert logs[decoy_path]["found_by"] == "name"
    # Its take-off and landing on the timeline of the phone alone and of the case, at the
    # key's times (the phone's tlog and the aircraft's SD card record the same flight).
    _cli_timeline([str(root / OPERATOR)], tmp_path / "phone.csv", capsys)
    _cli_timeline([str(root)], tmp_path / "case.csv", capsys)
    for name in ("phone.csv", "case.csv"):
        rows = [r for r in _rows(tmp_path / name) if r["source_path"] == drop_path]
        assert {r["exhibit"] for r in rows} == {OPERATOR}
        for event, fact in (("drone take-off", "takeoff_utc"), ("drone landing", "landing_utc")):
            [row] = [r for r in rows if r["event"] == event]
            gap = abs(pd.Timestamp(row["time"]) - pd.Timestamp(facts[fact]["value"]))
            assert gap <= pd.Timedelta(seconds=facts[fact]["tolerance"]), (name, event)
            assert "found by content" in row["description"]


def test_a_plain_folder_opens_each_archive_in_it(
    case: tuple[Path, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _key = case
    plain = tmp_path / "seized"
    (plain / "phones").mkdir(parents=True)
    shutil.copy(root / OPERATOR, plain / "phones" / "operator.zip")
    shutil.copy(root / CELL, plain / "cell.tar")
    (plain / "broken.zip").write_bytes(b"PK\x03\x04" + bytes(200))
    assert not is_case_folder(plain)
    with pytest.warns(ForensicsWarning, match="broken.zip"):
        opened = as_case(plain)
    assert set(opened.exhibits) == {"seized", "phones/operator.zip", "cell.tar"}
    assert [name for name, _ in opened.problems] == ["broken.zip"]
    # Each archive gives what the case gives for it, under its own name in the folder.
    reference = open_case(root)
    for name, original in (("phones/operator.zip", OPERATOR), ("cell.tar", CELL)):
        mine = opened.exhibits[name]
        assert mine.reader == "phone"
        want = reference.exhibits[original].timeline.assign(exhibit=name)
        pd.testing.assert_frame_equal(mine.timeline, want)
    # The command line: the same, and a warning naming the archive it could not read.
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # printed by the command, not raised
        err = _cli_timeline([str(plain)], tmp_path / "tl.csv", capsys)
    assert "warning:" in err and "broken.zip" in err
    exhibits = {r["exhibit"] for r in _rows(tmp_path / "tl.csv")}
    assert {"phones/operator.zip", "cell.tar"} <= exhibits


def test_an_archive_inside_an_archive_is_named_not_skipped_silently(
    case: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    root, _key = case
    packed = tmp_path / "sdcard.zip"
    with zipfile.ZipFile(packed, "w") as zf:
        zf.write(root / "EXH-01_drone_sdcard" / "APM" / "LOGS" / "00000031.BIN", "APM/00000031.BIN")
        zf.write(root / OPERATOR, "old/extraction.zip")
    with pytest.warns(ForensicsWarning, match="old/extraction.zip"):
        opened = as_case(packed)
    assert opened.exhibits["sdcard.zip"].archives == ["old/extraction.zip"]
    assert set(opened.timeline["artifact"]) == {"drone.events"}


def test_artifact_filter_and_unknown_ids(
    case: tuple[Path, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _key = case
    _cli_timeline([str(root)], tmp_path / "all.csv", capsys)
    _cli_timeline([str(root), "--artifact", "android.sms"], tmp_path / "sms.csv", capsys)
    every = [r for r in _rows(tmp_path / "all.csv") if r["artifact"] == "android.sms"]
    assert _rows(tmp_path / "sms.csv") == every and {r["exhibit"] for r in every} == {
        OPERATOR,
        CELL,
    }
    assert main(["timeline", str(root), "--artifact", "android.nothing"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown artifact 'android.nothing'") and "Traceback" not in err


def test_a_tampered_case_is_refused_unless_told(
    case: tuple[Path, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _key = case
    copy = tmp_path / "case"
    shutil.copytree(root, copy)
    photo = copy / "EXH-01_drone_sdcard" / "DCIM" / "100MEDIA" / "DJI_0001.JPG"
    photo.write_bytes(photo.read_bytes() + b"\x00")
    assert main(["timeline", str(copy), "--format", "csv"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "DJI_0001.JPG" in err
    out = tmp_path / "tl.csv"
    assert main(["timeline", str(copy), "--no-verify", "--format", "csv", "-o", str(out)]) == 0
    assert {r["exhibit"] for r in _rows(out)} >= {OPERATOR, CELL}
