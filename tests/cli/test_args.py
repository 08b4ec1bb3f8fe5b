"""Issue 14, "stray and hostile input" and "output that can be trusted", at the command line.

Truth: FIPS 180-2's SHA-256("abc"), the phone generator's answer key, row counts and values
written here, and what the file system says a path is (os.mkfifo, a bound AF_UNIX socket).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import socket
import sqlite3
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.drone import simulate_flight, write_tlog
from forensics_datasets.phone import PhoneExtraction, make_phone_extraction

from forensics_lib.cli import EXIT_CODES, EXIT_ERROR, EXIT_NOTHING, EXIT_OK, build_parser, main
from forensics_lib.cli import output as output_module
from forensics_lib.cli.args import (
    INPUT_ARGS,
    NOT_INPUTS,
    OUTPUT_ARGS,
    REFERENCE_ARGS,
    WRITE_SUFFIXES,
)
from forensics_lib.cli.output import render_table
from forensics_lib.errors import ForensicsWarning, SpecialFileRefused
from forensics_lib.evidence import Evidence
from forensics_lib.hashing import build_manifest, hash_file

ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
README = Path(__file__).resolve().parents[2] / "README.md"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # the CLI prints them (pytest makes them errors)
        code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _socket_at(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    return sock


@pytest.fixture(scope="module")
def phone(tmp_path_factory: pytest.TempPathFactory) -> PhoneExtraction:
    root = tmp_path_factory.mktemp("phone")
    return make_phone_extraction(root, os="android", seed=14, container="dir", name="EXH-P")


# -- 1. non-regular inputs refused before anything opens them --------------------------------

COMMANDS = [
    ["voip", "calls", "{x}"],
    ["drone", "summary", "{x}"],
    ["drone", "track", "{x}"],
    ["media", "exif", "{x}"],
    ["phone", "info", "{x}"],
    ["phone", "read", "{x}", "sms"],
    ["timeline", "{x}"],
    ["hash", "{x}"],
    ["ls", "{x}"],
    ["verify", "{x}"],
    ["custody", "show", "{x}"],
    ["case", "info", "{x}"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(a[:2]) for a in COMMANDS])
@pytest.mark.parametrize("kind", ["fifo", "socket", "dangling-link"])
def test_special_input_is_refused_before_reading(
    tmp_path: Path,
    argv: list[str],
    kind: str,
    no_hang: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "exhibit.pcap"
    sock = None
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "socket":
        sock = _socket_at(target)
    else:
        target.symlink_to(tmp_path / "gone.pcap")
    try:
        code, _, err = run(capsys, *[a.format(x=target) for a in argv])
    finally:
        if sock is not None:
            sock.close()
    assert code == EXIT_ERROR
    assert err.startswith(f"error: {target}") and "refused before reading" in err
    expected = {"fifo": "a FIFO", "socket": "a socket", "dangling-link": "dangling"}[kind]
    assert expected in err and "Traceback" not in err


def test_a_link_to_a_fifo_is_a_fifo(tmp_path: Path, no_hang: None) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "capture.pcap").symlink_to(tmp_path / "pipe")
    with pytest.raises(SpecialFileRefused, match="FIFO"):
        hash_file(tmp_path / "capture.pcap")


def test_a_folder_exhibit_skips_special_files_aloud(tmp_path: Path, no_hang: None) -> None:
    (tmp_path / "a.txt").write_bytes(b"abc")
    os.mkfifo(tmp_path / "pipe")
    with pytest.warns(ForensicsWarning, match=r"skipping 'pipe': a FIFO"), Evidence(tmp_path) as ev:
        assert [m.path for m in ev.files()] == ["/a.txt"]


def test_a_link_leaving_a_folder_exhibit_is_refused(
    phone: PhoneExtraction, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The SMS database replaced by a link to a copy outside the exhibit: not read."""
    import shutil

    exhibit = tmp_path / "EXH-LINKED"
    shutil.copytree(phone.exhibit, exhibit, symlinks=True)
    [db] = exhibit.rglob("mmssms.db")
    outside = tmp_path / "elsewhere.db"
    shutil.copy(db, outside)
    db.unlink()
    db.symlink_to(outside)
    code, _, err = run(capsys, "phone", "read", str(exhibit), "sms")
    assert code != EXIT_OK
    assert "outside the exhibit" in err


# -- hash of a folder: what it skipped, and an incomplete manifest --------------------------


def test_hash_lists_what_it_skipped_and_marks_the_manifest_incomplete(
    tmp_path: Path, no_hang: None, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "exhibit"
    folder.mkdir()
    (folder / "abc.bin").write_bytes(b"abc")
    os.mkfifo(folder / "pipe")
    sock = _socket_at(folder / "sock")
    (tmp_path / "secret.txt").write_text("outside")
    (folder / "escape").symlink_to(tmp_path / "secret.txt")
    (folder / "same").symlink_to("abc.bin")  # inside: its target is hashed as abc.bin
    (folder / "nowhere").symlink_to(folder / "missing")
    manifest = tmp_path / "hashes.json"
    try:
        code, out, err = run(capsys, "hash", str(folder), "-o", str(manifest), "--format", "csv")
    finally:
        sock.close()
    assert code == EXIT_OK
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert (row["path"], row["sha256"]) == ("abc.bin", ABC_SHA256)
    data = json.loads(manifest.read_text())
    assert data["complete"] is False
    reasons = {e["path"]: e["reason"] for e in data["skipped"]}
    assert set(reasons) == {"pipe", "sock", "escape", "nowhere"}
    assert "FIFO" in reasons["pipe"] and "socket" in reasons["sock"]
    assert "outside the folder" in reasons["escape"] and "does not exist" in reasons["nowhere"]
    assert data["links"] == [{"path": "same", "target": "abc.bin"}]
    assert all(f"skipped: {name}:" in err for name in reasons)
    assert "incomplete: 4 skipped" in err
    code, _, err = run(capsys, "verify", str(manifest))
    assert code == EXIT_OK and "the manifest is incomplete: 4 item(s)" in err


def test_a_clean_folder_still_gives_a_complete_manifest(tmp_path: Path) -> None:
    (tmp_path / "abc.bin").write_bytes(b"abc")
    manifest = build_manifest([tmp_path])
    assert manifest["complete"] is True and "skipped" not in manifest


def test_hash_of_an_empty_folder_exits_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "hash", str(tmp_path))
    assert code == EXIT_NOTHING and "nothing hashed" in err


# -- 2. writing: never on evidence, never beside it, nothing created when refused ------------


@pytest.fixture(scope="module")
def flight(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("flight")
    write_tlog(root / "flight.tlog", simulate_flight(4))
    return root / "flight.tlog"


@pytest.mark.parametrize(
    "argv",
    [
        ["drone", "export", "{log}", "-o", "{dir}/track.kml"],
        ["drone", "export", "{log}", "-o", "{tmp}/t.kml", "--map", "{dir}/map.png"],
        ["drone", "export", "{log}", "-o", "{tmp}/t.kml", "--profile", "{dir}/p.png"],
        ["timeline", "{log}", "-o", "{dir}/timeline.csv"],
        ["timeline", "{log}", "-o", "{tmp}/tl.csv", "--plot", "{dir}/tl.png"],
        ["voip", "audio", "{log}", "--ssrc", "0x1", "-o", "{dir}/call.wav"],
    ],
    ids=["export", "map", "profile", "timeline", "plot", "audio"],
)
def test_writing_beside_the_evidence_file_is_refused(
    flight: Path,
    tmp_path: Path,
    argv: list[str],
    unchanged: Callable[[Path], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    unchanged(flight.parent)  # nothing created, nothing changed
    paths = {"log": str(flight), "dir": str(flight.parent), "tmp": str(tmp_path)}
    code, _, err = run(capsys, *[a.format(**paths) for a in argv])
    assert code == EXIT_ERROR
    assert err.startswith("error: refusing to write") and "beside" in err
    assert list(tmp_path.iterdir()) == []  # refused before anything was written anywhere


def test_writing_anywhere_in_a_case_folder_is_refused(
    tmp_path: Path, flight: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "case"
    (case / "EXH-1").mkdir(parents=True)
    (case / "EXH-1" / "flight.tlog").write_bytes(flight.read_bytes())
    (case / "hashes.json").write_text("{}")
    (case / "notes").mkdir()
    code, _, err = run(
        capsys,
        "drone",
        "export",
        str(case / "EXH-1" / "flight.tlog"),
        "-o",
        str(case / "notes/t.kml"),
    )
    assert code == EXIT_ERROR and "inside the case folder" in err
    assert not (case / "notes" / "t.kml").exists()


def test_a_manifest_may_be_written_beside_the_exhibit_it_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "EXH-001.zip").write_bytes(b"abc")
    code, _, _ = run(capsys, "hash", str(tmp_path / "EXH-001.zip"), "-o", str(tmp_path / "m.json"))
    assert code == EXIT_OK
    assert json.loads((tmp_path / "m.json").read_text())["files"][0]["sha256"] == ABC_SHA256


def _path_options() -> Iterator[tuple[str, str]]:
    def walk(parser: argparse.ArgumentParser, words: list[str]) -> Iterator[tuple[str, str]]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield from walk(sub, [*words, name])
            elif action.type is Path:
                yield " ".join(words), action.dest

    yield from walk(build_parser(), [])


def test_every_path_option_of_every_command_is_classified() -> None:
    """A new option naming a file must say whether it is read or written (the shared check
    in cli.args cannot guess), and a written one which suffixes it takes."""
    options = list(_path_options())
    assert len(options) > 30
    unknown = [o for o in options if o[1] not in OUTPUT_ARGS | INPUT_ARGS | NOT_INPUTS]
    assert unknown == [] and REFERENCE_ARGS <= INPUT_ARGS
    writes = {o for o in options if o[1] in OUTPUT_ARGS}
    assert writes - set(WRITE_SUFFIXES) == {("case make", "out")}  # a new folder, no suffix
    assert set(WRITE_SUFFIXES) <= writes  # nothing stale in the table


# -- 4. the suffix names the format; another suffix is refused before reading ---------------

BAD_SUFFIX = [
    ["hash", "{x}", "-o", "{o}/m.csv"],
    ["timeline", "{x}", "-o", "{o}/tl.xlsx"],
    ["timeline", "{x}", "--plot", "{o}/tl.gif"],
    ["case", "timeline", "{x}", "-o", "{o}/tl.txt"],
    ["case", "report", "{x}", "-o", "{o}/r.pdf"],
    ["case", "report", "{x}", "-o", "{o}/r.html", "--uco", "{o}/u.xml"],
    ["case", "uco", "{x}", "-o", "{o}/u.ttl"],
    ["phone", "read", "{x}", "sms", "-o", "{o}/sms.xlsx"],
    ["phone", "read", "{x}", "sms", "-o", "{o}/sms"],
    ["drone", "export", "{x}", "-o", "{o}/t.shp"],
    ["drone", "export", "{x}", "-o", "{o}/t.kml", "--map", "{o}/m.jpg"],
    ["voip", "audio", "{x}", "--ssrc", "0x1", "-o", "{o}/a.mp3"],
]


@pytest.mark.parametrize("argv", BAD_SUFFIX, ids=[a[-1].rsplit("/", 1)[1] for a in BAD_SUFFIX])
def test_an_unknown_suffix_is_refused_before_anything_is_read(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # The input does not exist: a reader would say "not found"; the refusal comes first.
    missing = tmp_path / "no-such-exhibit"
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run(capsys, *[a.format(x=missing, o=out) for a in argv])
    assert code == EXIT_ERROR
    assert "cannot tell what to write from the suffix" in err and "not found" not in err
    assert list(out.iterdir()) == []


def test_phone_read_writes_the_format_its_suffix_names(
    phone: PhoneExtraction, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = len(phone.answer_key["scenario"]["calls"])
    frames = {}
    for suffix in ("csv", "json", "jsonl", "parquet"):
        target = tmp_path / f"calls.{suffix}"
        code, _, err = run(capsys, "phone", "read", str(phone.exhibit), "calls", "-o", str(target))
        assert code == EXIT_OK and f"{calls} rows written" in err
        frames[suffix] = {
            "csv": lambda p: pd.read_csv(p, dtype=str, keep_default_na=False),
            "json": lambda p: pd.DataFrame(json.loads(p.read_text())),
            "jsonl": lambda p: pd.DataFrame(map(json.loads, p.read_text().splitlines())),
            "parquet": pd.read_parquet,
        }[suffix](target)
    assert (tmp_path / "calls.parquet").read_bytes()[:4] == b"PAR1"
    assert (tmp_path / "calls.json").read_text().startswith("[")
    assert {len(f) for f in frames.values()} == {calls}
    # the same rows in every format: numbers and times agree with the parquet's typed ones
    typed = frames["parquet"]
    assert isinstance(typed["time"].dtype, pd.DatetimeTZDtype)
    iso = typed["time"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str.cat(["000Z"] * calls)
    for suffix in ("csv", "json", "jsonl"):
        assert frames[suffix]["time"].tolist() == iso.tolist(), suffix
        assert frames[suffix]["number"].astype(str).tolist() == typed["number"].tolist()
    assert not list(tmp_path.glob("*.part"))


def test_phone_read_of_an_empty_artifact_exits_nothing(
    phone: PhoneExtraction, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    exhibit = tmp_path / "EXH-EMPTY"
    shutil.copytree(phone.exhibit, exhibit)
    [db] = exhibit.rglob("calllog.db")
    conn = sqlite3.connect(db)  # on the copy: its WAL applied, then emptied and folded in
    with conn:
        conn.execute("DELETE FROM calls")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    code, out, err = run(capsys, "phone", "read", str(exhibit), "calls", "--format", "csv")
    assert code == EXIT_NOTHING and "0 rows read" in err
    assert out.count("\n") == 1  # the header alone
    code, _, err = run(
        capsys, "phone", "read", str(exhibit), "calls", "-o", str(tmp_path / "c.csv")
    )
    assert code == EXIT_NOTHING and "0 rows" in err


# -- 6. tables never clipped ----------------------------------------------------------------


def test_a_piped_table_has_every_character(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / ("a-rather-long-folder-name-" * 4) / "evidence"
    deep.mkdir(parents=True)
    (deep / "abc.bin").write_bytes(b"abc")
    code, out, _ = run(capsys, "hash", str(tmp_path))
    assert code == EXIT_OK
    [row] = out.splitlines()[2:]
    assert row.split() == [
        f"{'a-rather-long-folder-name-' * 4}/evidence/abc.bin",
        "3",
        ABC_SHA256,
        "900150983cd24fb0d6963f7d28e17f72",  # MD5("abc"), RFC 1321 appendix A.5
    ]
    assert "…" not in out and "not shown" not in out


def test_in_a_terminal_hashes_stay_whole_and_text_wraps(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 90 columns: sha256 64 + size 4 + 2 x 2 apart leave 18 for the 112-character path
    monkeypatch.setattr(output_module, "terminal_width", lambda stream=None: 90)
    deep = tmp_path / ("a-rather-long-folder-name-" * 4)
    deep.mkdir()
    (deep / "abc.bin").write_bytes(b"abc")
    code, out, _ = run(capsys, "hash", str(tmp_path), "-a", "sha256")
    assert code == EXIT_OK
    lines = out.splitlines()
    assert all(len(line) <= 90 for line in lines) and len(lines) == 2 + 112 // 18 + 1
    assert sum(ABC_SHA256 in line for line in lines) == 1  # on one line, whole
    path_column = "".join(line[: line.index(" ")] if " " in line else line for line in lines[2:])
    assert path_column.replace(" ", "") == f"{'a-rather-long-folder-name-' * 4}/abc.bin"


def test_phone_numbers_and_call_ids_stay_whole_in_a_terminal() -> None:
    frame = pd.DataFrame(
        {
            "call_id": ["a84b4c76e66710@pc33.atlanta.com.example.invalid"],
            "number": ["+44 7700 900123"],
            "note": ["word " * 40],
        }
    )
    lines = render_table(frame, width=60).splitlines()
    assert lines[2].startswith("a84b4c76e66710@pc33.atlanta.com.example.invalid  +44 7700 900123")
    assert len(lines) > 3  # the note wrapped onto continuation lines


# -- 5. exit codes: one table, documented once ------------------------------------------------


def test_the_exit_codes_are_one_table_documented_once_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.count("## Exit codes") == 1
    section = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| *`?(\d)`? *\|", section, flags=re.MULTILINE)
    assert sorted(int(r) for r in rows) == sorted(EXIT_CODES) == [0, 1, 2]


# -- 3. no command ends 0 having read nothing ------------------------------------------------


def _empty_manifest(tmp_path: Path) -> list[str]:
    (tmp_path / "empty").mkdir()
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps(build_manifest([tmp_path / "empty"])))
    return ["verify", str(manifest)]


def _empty_custody_log(tmp_path: Path) -> list[str]:
    (tmp_path / "custody.jsonl").write_text("")
    return ["custody", "show", str(tmp_path / "custody.jsonl")]


@pytest.mark.parametrize(
    "make",
    [
        lambda t: ["hash", str(t)],
        lambda t: ["ls", str(t)],
        lambda t: ["decode-time", "1", "--earliest", "2030-01-01"],  # 1 s after any epoch
        lambda t: ["artifacts", "--family", "no-such-family"],
        _empty_manifest,
        _empty_custody_log,
    ],
    ids=["hash", "ls", "decode-time", "artifacts", "verify", "custody-show"],
)
def test_reading_nothing_is_not_success(
    tmp_path: Path, make: Callable[[Path], list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = make(tmp_path)
    code, _, err = run(capsys, *argv)
    assert code == EXIT_NOTHING, err
    assert err.strip()  # and it says so


def test_an_output_may_go_beside_reference_material(
    tmp_path: Path, flight: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A perimeter or wordlist is the analyst's, not evidence: writing beside it is fine."""
    polygon = tmp_path / "perimeter.geojson"
    ring = [[149.16, -35.37], [149.17, -35.37], [149.17, -35.36], [149.16, -35.36]]
    polygon.write_text(
        json.dumps({"type": "Polygon", "coordinates": [[*ring, ring[0]]]}), encoding="utf-8"
    )
    target = tmp_path / "track.kml"
    code, _, err = run(
        capsys, "drone", "export", str(flight), "-o", str(target), "--polygon", str(polygon)
    )
    assert code == EXIT_OK, err
    assert target.read_text().startswith("<?xml")


def test_exit_for_says_what_came_out_empty(capsys: pytest.CaptureFixture[str]) -> None:
    from forensics_lib.cli.args import exit_for

    assert exit_for(3, "voip calls x.pcap") == EXIT_OK
    assert exit_for(0, "voip calls x.pcap") == EXIT_NOTHING
    assert capsys.readouterr().err.startswith("voip calls x.pcap: nothing read")


def test_verify_refuses_a_recorded_file_that_became_a_fifo_or_a_link_out(
    tmp_path: Path, no_hang: None, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "exhibit"
    folder.mkdir()
    for name in ("a.bin", "b.bin", "c.bin"):
        (folder / name).write_bytes(b"abc")
    manifest = tmp_path / "hashes.json"
    assert run(capsys, "hash", str(folder), "-o", str(manifest))[0] == EXIT_OK
    (folder / "a.bin").unlink()
    os.mkfifo(folder / "a.bin")  # same name, now a pipe: never opened
    (tmp_path / "copy.bin").write_bytes(b"abc")  # same bytes, outside the exhibit
    (folder / "b.bin").unlink()
    (folder / "b.bin").symlink_to(tmp_path / "copy.bin")
    os.mkfifo(folder / "new-pipe")  # appeared since the acquisition
    code, out, err = run(capsys, "verify", str(manifest), "--format", "csv")
    assert code == EXIT_NOTHING and "FAILED (3 problem(s))" in err
    rows = {r["path"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["c.bin"]["status"] == "ok"
    assert rows["a.bin"]["status"] == "REFUSED" and "FIFO" in rows["a.bin"]["actual"]
    assert rows["b.bin"]["status"] == "REFUSED" and "outside" in rows["b.bin"]["actual"]
    assert rows["new-pipe"]["status"] == "REFUSED"


def test_an_output_that_is_a_fifo_is_refused(
    tmp_path: Path, no_hang: None, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "abc.bin").write_bytes(b"abc")
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "m.json")  # writing would block until someone reads
    code, _, err = run(capsys, "hash", str(tmp_path / "abc.bin"), "-o", str(out / "m.json"))
    assert code == EXIT_ERROR and "a FIFO" in err and "refusing to write" in err
