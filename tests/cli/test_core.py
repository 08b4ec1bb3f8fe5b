"""The command line: formats, exit codes, 80-column tables, errors without tracebacks.

Truth: FIPS 180-2's SHA-256("abc"), hand-derived epochs, and files written here.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from forensics_lib.cli import main
from forensics_lib.custody import CustodyLog

ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_hash_and_verify_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exhibit = tmp_path / "exhibit"
    exhibit.mkdir()
    (exhibit / "abc.bin").write_bytes(b"abc")
    manifest = tmp_path / "hashes.json"
    code, out, err = run(capsys, "hash", str(exhibit), "-o", str(manifest), "--format", "json")
    assert code == 0
    [row] = json.loads(out)
    assert row["path"] == "abc.bin" and row["sha256"] == ABC_SHA256 and row["size"] == 3
    assert "manifest written" in err
    code, out, err = run(capsys, "verify", str(manifest))
    assert code == 0 and "OK" in err
    (exhibit / "abc.bin").write_bytes(b"abd")
    code, out, err = run(capsys, "verify", str(manifest), "--format", "csv")
    assert code == 1 and "FAILED" in err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["status"] == "MISMATCH" and rows[0]["expected"] == ABC_SHA256


def test_decode_time_lists_cocoa_for_an_ios_value(capsys: pytest.CaptureFixture[str]) -> None:
    # 700000000 s after 2001-01-01Z = 2023-03-08T20:26:40Z (978307200 + 700000000 =
    # 1678307200 Unix s); as Unix seconds it would be 1992, outside the default window.
    code, out, _ = run(capsys, "decode-time", "700000000", "--format", "json")
    assert code == 0
    found = {r["format"]: r["utc"] for r in json.loads(out)}
    assert found["Apple Cocoa seconds"].startswith("2023-03-08T20:26:40")
    assert "Unix seconds" not in found


def test_artifacts_table_fits_an_80_column_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import forensics_lib.cli.output as output

    monkeypatch.setattr(output, "terminal_width", lambda stream=None: 80)
    code, out, _ = run(capsys, "artifacts")
    assert code == 0 and "custody.log" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_custody_commands_and_a_tampered_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "custody.jsonl"
    exhibit = tmp_path / "abc.bin"
    exhibit.write_bytes(b"abc")
    code, out, _ = run(
        capsys,
        "custody",
        "add",
        str(log),
        "--who",
        "DC Example",
        "--action",
        "seized",
        "--exhibit",
        "EXH-1",
        "--hash-file",
        str(exhibit),
    )
    assert code == 0 and "entry 1 added" in out
    run(
        capsys,
        "custody",
        "add",
        str(log),
        "--who",
        "Lab",
        "--action",
        "sealed",
        "--exhibit",
        "EXH-1",
    )
    code, out, _ = run(capsys, "custody", "show", str(log), "--format", "json")
    entries = json.loads(out)
    assert [e["action"] for e in entries] == ["seized", "sealed"]
    assert entries[0]["sha256"] == ABC_SHA256
    code, out, _ = run(capsys, "custody", "verify", str(log))
    assert code == 0 and "2 entries" in out
    lines = log.read_text().splitlines()
    lines[0] = lines[0].replace("DC Example", "DC Someone Else")
    log.write_text("\n".join(lines) + "\n")
    code, out, err = run(capsys, "custody", "verify", str(log))
    assert code == 2
    assert "custody chain broken: entry 1 was altered" in err
    assert "Traceback" not in err


def test_timeline_formats_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "case"
    case.mkdir()
    log = CustodyLog(case / "custody.jsonl")
    log.append(who="A", action="seized", exhibit="E", time=pd.Timestamp("2024-02-03T04:05:06Z"))
    log.append(who="B", action="sealed", exhibit="E", time=pd.Timestamp("2024-02-03T05:00:00Z"))
    code, out, _ = run(capsys, "timeline", str(case), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["time"] for r in rows] == [
        "2024-02-03T04:05:06.000000000Z",
        "2024-02-03T05:00:00.000000000Z",
    ]
    code, out, _ = run(capsys, "timeline", str(case), "--format", "l2tcsv")
    assert out.splitlines()[1].startswith("02/03/2024,04:05:06,UTC,....,CUSTODY,custody.log")
    plot = tmp_path / "tl.png"
    out_file = tmp_path / "tl.jsonl"
    code, _, err = run(
        capsys, "timeline", str(case), "--format", "jsonl", "-o", str(out_file), "--plot", str(plot)
    )
    assert "timeline written" in err and "(2 events)" in err
    assert code == 0 and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [json.loads(x)["event"] for x in out_file.read_text().splitlines()] == [
        "custody: seized",
        "custody: sealed",
    ]


def test_missing_input_is_an_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "timeline", str(tmp_path / "nope.zip"))
    assert code == 2 and err.startswith("error:") and "Traceback" not in err


def test_ls_lists_device_paths_of_a_vendor_zip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import zipfile

    archive = tmp_path / "extraction.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("/filesystem2/private/var/mobile/Library/SMS/sms.db", b"x" * 10)
        zf.writestr("/filesystem2/private/var/mobile/Library/", b"")
    code, out, err = run(capsys, "ls", str(archive), "**/SMS/*", "--format", "json")
    assert code == 0
    [row] = json.loads(out)
    assert row["path"] == "/private/var/mobile/Library/SMS/sms.db"
    assert row["stored_as"] == "/filesystem2/private/var/mobile/Library/SMS/sms.db"
    assert row["size"] == 10
    assert row["mtime"] is None  # a zip DOS time has no zone: not shown as UTC
    assert "1 file(s)" in err and "(zip)" in err
