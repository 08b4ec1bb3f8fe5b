"""The command line never writes onto evidence and answers bad input with an error line,
never a traceback (found by an investigator's review)."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from forensics_datasets.drone import simulate_flight, write_tlog
from forensics_datasets.phone import make_phone_extraction

from forensics_lib.cli import main
from forensics_lib.errors import ForensicsWarning
from forensics_lib.findings import read_wordlist


@pytest.fixture(scope="module")
def evidence(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("evidence")
    write_tlog(root / "flight.tlog", simulate_flight(4))
    make_phone_extraction(root, os="android", seed=4, container="dir", name="EXH-PHONE")
    (root / "EXH-PHONE.answer_key.json").unlink()
    return root


@pytest.mark.parametrize(
    "argv",
    [
        ["timeline", "{tlog}", "--format", "csv", "-o", "{tlog}"],
        ["drone", "export", "{tlog}", "-o", "{tlog}"],
        ["hash", "{phone}", "-o", "{phone}/data/manifest.json"],
        ["phone", "read", "{phone}", "sms", "-o", "{phone}/sms.csv"],
        ["timeline", "{phone}", "--format", "csv", "-o", "{phone}/timeline.csv"],
    ],
    ids=["timeline-onto-input", "export-onto-input", "manifest-inside", "csv-inside", "tl-inside"],
)
def test_output_onto_evidence_is_refused(
    evidence: Path,
    argv: list[str],
    unchanged: Callable[[Path], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    unchanged(evidence)
    paths = {"tlog": str(evidence / "flight.tlog"), "phone": str(evidence / "EXH-PHONE")}
    assert main([a.format(**paths) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: refusing to write") and "Traceback" not in err


def test_output_beside_evidence_still_works(evidence: Path, tmp_path: Path) -> None:
    out = tmp_path / "track.kml"
    assert main(["drone", "export", str(evidence / "flight.tlog"), "-o", str(out)]) == 0
    assert out.read_text().startswith("<?xml")


def test_a_folder_where_a_file_is_expected(
    evidence: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["voip", "calls", str(evidence)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err


def test_a_manifest_that_is_not_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "rand.zip"
    bogus.write_bytes(bytes(range(256)) * 4)
    assert main(["verify", str(bogus)]) == 2
    err = capsys.readouterr().err
    assert "not a manifest" in err and str(bogus) in err


@pytest.mark.parametrize("zone", ["Mars/Olympus", "europe/madrid"])
def test_unknown_zone_is_a_usage_error(
    tmp_path: Path, zone: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["case", "findings", str(tmp_path), "--zone", zone])
    assert stop.value.code == 2
    assert "unknown time zone" in capsys.readouterr().err


def test_wordlists_with_latin1_lines(tmp_path: Path) -> None:
    """rockyou-style lists mix UTF-8 and Latin-1 lines; spaces inside a password count."""
    path = tmp_path / "words.txt"
    path.write_bytes(b"caf\xe9\nqwerty1\n\npass word\r\n\xc3\xa9t\xc3\xa9\n")
    assert read_wordlist(path) == ["café", "qwerty1", "pass word", "été"]


def test_case_make_may_write_a_new_folder(tmp_path: Path) -> None:
    """--out of `case make` is where a new case goes, not evidence being read."""
    target = tmp_path / "new-case"
    shutil.rmtree(target, ignore_errors=True)
    assert main(["case", "make", "--seed", "1", "--out", str(target)]) == 0
    assert (target / "hashes.json").is_file()


def test_timeline_of_unreadable_bytes_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "rand.pcapng"
    junk.write_bytes(bytes(range(256)) * 8)
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # the CLI prints them (pytest makes them errors)
        code = main(["timeline", str(junk)])
    err = capsys.readouterr().err
    assert code == 1 and "no events" in err and "not a pcap or pcapng capture" in err


def test_an_empty_word_list_is_said(tmp_path: Path) -> None:
    # Blank lines only: nothing will be tried, which a "no password found" must not hide.
    path = tmp_path / "words.txt"
    path.write_bytes(b"\n\n\r\n")
    with pytest.warns(ForensicsWarning, match="holds no password"):
        assert read_wordlist(path) == []
