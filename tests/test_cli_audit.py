"""Issue 14 audit: every command that reads a path, on input that holds nothing to read.

Walks the whole argparse tree (:func:`forensics_lib.cli.build_parser`) and runs every
command that takes an input path on an empty file of every plausible suffix, an empty
folder, a folder holding only a random unreadable file, a FIFO, and generated real-format
files cut short. Truth: README "Exit codes" (0 something read, 1 nothing readable, 2
refused or unreadable input) and the issue's rules: never 0 having read nothing, never a
traceback, a message naming the file.

Then ``-o`` of every command that writes tables (README: ``.csv .json .jsonl .parquet``,
another suffix refused, nothing beside the evidence), and the "see the warnings" messages.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import sys
import warnings
import zipfile
from contextlib import closing
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import pandas as pd
import pytest
from forensics_datasets.drone import (
    simulate_flight,
    write_dataflash,
    write_photo,
    write_srt,
    write_tlog,
)
from forensics_datasets.ulog import write_ulog
from forensics_datasets.voip import make_voip_capture

from forensics_lib.cli import EXIT_ERROR, EXIT_NOTHING, EXIT_OK, build_parser, main
from forensics_lib.cli.args import INPUT_ARGS, WRITE_SUFFIXES

SUFFIXES = (".pcap", ".pcapng", ".cap", ".tlog", ".bin", ".ulg", ".txt", ".srt", ".jpg", ".zip", ".db")
OWNED_ELSEWHERE = "owned by the drone/case change"


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    """main() as the console script runs it; an escaping exception is a traceback."""
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # the CLI prints them (pytest makes them errors)
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
        except Exception as exc:  # noqa: BLE001 - what a user would see as a traceback
            out, err = capsys.readouterr()
            return -1, out, err + f"Traceback: {type(exc).__name__}: {exc}"
    out, err = capsys.readouterr()
    return code, out, err


# -- the argparse tree ----------------------------------------------------------------------


def commands() -> Iterator[tuple[str, argparse.ArgumentParser]]:
    def walk(parser: argparse.ArgumentParser, words: list[str]) -> Iterator[tuple[str, argparse.ArgumentParser]]:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            yield " ".join(words), parser
            return
        for name, sub in subs[0].choices.items():
            yield from walk(sub, [*words, name])

    yield from walk(build_parser(), [])


def reading_commands() -> list[str]:
    """Commands whose first positional argument is a path they read."""
    names = []
    for name, parser in commands():
        positional = [a for a in parser._actions if not a.option_strings]
        if positional and positional[0].dest in INPUT_ARGS:
            names.append(name)
    return names


# The other arguments a command needs besides its input ({o}: a fresh output folder, away
# from the input; {p}: a reference polygon).
EXTRA: dict[str, list[str]] = {
    "custody add": ["--who", "A. Analyst", "--action", "seized", "--exhibit", "EXH-1"],
    "case report": ["-o", "{o}/report.html"],
    "case uco": ["-o", "{o}/case.jsonld"],
    "drone geofence": ["--polygon", "{p}"],
    "drone export": ["-o", "{o}/track.kml"],
    "phone read": ["calls"],  # the artifact comes after the extraction
    "voip audio": ["--ssrc", "0x1234", "-o", "{o}/call.wav"],
}
# Commands for which any file is something to do, not nothing read: hashing a 0-byte file
# gives its digest (SHA-256 of b"" is e3b0c442...), listing an exhibit that is one file
# lists that file, and a custody log is a paper the command appends to (an empty one is a
# new log). An empty folder is nothing to do for them too.
ANY_FILE_IS_WORK = {"hash", "ls", "custody add"}

OWNERS = ("case ", "drone ")


def test_the_tree_is_walked_whole() -> None:
    # Every family contributes reading commands; the table of extras names real commands.
    names = reading_commands()
    assert {n.split(" ")[0] for n in names} >= {"hash", "ls", "timeline", "case", "drone", "phone", "voip", "media"}
    assert set(EXTRA) <= set(names)
    assert len(names) >= 25, names


# -- inputs holding nothing to read ---------------------------------------------------------


def _cut(source: Path, target: Path, keep: int) -> Path:
    target.write_bytes(source.read_bytes()[:keep])
    return target


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Generated files of each real format, whole (cut copies are made from them)."""
    d = tmp_path_factory.mktemp("real")
    flight = simulate_flight(0)
    write_tlog(d / "flight.tlog", flight)
    write_dataflash(d / "flight.bin", flight)
    write_srt(d / "flight.srt", flight)
    write_ulog(d / "flight.ulg", flight)
    write_photo(d / "photo.jpg", lat=40.1, lon=-4.2, alt_m=612.0, local_time="2024:06:14 23:30:00", offset="+02:00")
    make_voip_capture(d / "call.pcap", seconds=1.0)
    make_voip_capture(d / "call.pcapng", seconds=1.0, fmt="pcapng")
    with zipfile.ZipFile(d / "exhibit.zip", "w") as zf:  # an archive exhibit: a log, a photo
        zf.write(d / "flight.tlog", "DCIM/flight.tlog")
        zf.write(d / "photo.jpg", "DCIM/photo.jpg")
    with closing(sqlite3.connect(d / "calllog.db")) as db, db:  # Android's calls table
        db.execute("CREATE TABLE calls (_id INTEGER PRIMARY KEY, number TEXT, date INTEGER)")
        db.executemany("INSERT INTO calls VALUES (?, ?, ?)", [(i, f"+3460000000{i}", i) for i in range(200)])
    return {p.suffix: p for p in d.iterdir()}


# Bytes kept of each real format: its magic and header, and part of the first record, so
# nothing whole is left to read (pcap: 24-byte global header + 8 of a 16-byte record
# header; tlog: 6 of a MAVLink frame's >= 12; ULog: the 16-byte header + 3 of a message
# header; DataFlash: one record header and a bit of FMT's 89 bytes; SRT: the first
# cue's number and half its time line; JPEG: SOI and part of APP1).
# Zip: a local file header's first 20 of 30 bytes; SQLite: the 100-byte database header
# alone, no page.
HEADER_ONLY = {
    ".pcap": 32, ".pcapng": 40, ".tlog": 6, ".ulg": 19, ".bin": 20, ".srt": 12, ".jpg": 20,
    ".zip": 20, ".db": 100,
}

INPUTS = (
    [f"empty{s}" for s in SUFFIXES]
    + ["empty-folder", "junk-folder", "fifo"]
    + [f"cut{s}" for s in HEADER_ONLY]
    + [f"half{s}" for s in HEADER_ONLY]
)


def make_input(kind: str, tmp_path: Path, real: dict[str, Path]) -> Path:
    ev = tmp_path / "evidence"
    ev.mkdir()
    if kind.startswith("empty."):
        path = ev / f"EXH-1{kind[5:]}"
        path.write_bytes(b"")
    elif kind == "empty-folder":
        path = ev / "EXH-1"
        path.mkdir()
    elif kind == "junk-folder":
        path = ev / "EXH-1"
        path.mkdir()
        (path / "blob").write_bytes(os.urandom(4096))  # no format, no suffix
    elif kind == "fifo":
        path = ev / "EXH-1.pcap"
        os.mkfifo(path)
    elif kind.startswith("cut."):
        suffix = kind[3:]
        path = _cut(real[suffix], ev / f"EXH-1{suffix}", HEADER_ONLY[suffix])
    else:  # half.X: the first half, cut inside a record (odd length, past any header)
        suffix = kind[4:]
        size = real[suffix].stat().st_size
        path = _cut(real[suffix], ev / f"EXH-1{suffix}", size // 2 | 1)
    return path


@pytest.fixture
def no_hang() -> Iterator[None]:
    def alarm(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("blocked: something opened the FIFO")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# Failures this audit found outside its area (cli/drone.py, drone/*), for the coordinator:
# a DataFlash log cut inside its first record reads 0 records, warns, and exits 0; `media
# exif` exits 0 on a JPEG whose metadata is unreadable (its row is empty; the library warns).
KNOWN: dict[tuple[str, str], str] = {
    **{
        (f"drone {c}", "cut.bin"): OWNED_ELSEWHERE
        for c in ("summary", "track", "events", "geofence", "export")
    },
    ("media exif", "cut.jpg"): OWNED_ELSEWHERE,
}


def _cases() -> Iterator[object]:
    for command in reading_commands():
        for kind in INPUTS:
            marks = []
            if kind == "fifo" and sys.platform == "win32":
                marks.append(pytest.mark.skip(reason="no FIFOs on Windows"))
            if (command, kind) in KNOWN:
                marks.append(pytest.mark.xfail(strict=True, reason=KNOWN[(command, kind)]))
            yield pytest.param(command, kind, marks=marks, id=f"{command.replace(' ', '-')}:{kind}")


@pytest.mark.parametrize(("command", "kind"), list(_cases()))
def test_nothing_to_read_is_never_success(
    command: str,
    kind: str,
    tmp_path: Path,
    real: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    no_hang: None,
) -> None:
    path = make_input(kind, tmp_path, real)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    polygon = tmp_path / "zone.geojson"
    polygon.write_text(json.dumps({"type": "Polygon", "coordinates": [[[-4.3, 40.0], [-4.1, 40.0], [-4.1, 40.2], [-4.3, 40.0]]]}))
    extra = [a.format(o=out_dir, p=polygon) for a in EXTRA.get(command, [])]
    words = command.split(" ")
    argv = [*words, str(path), *extra]
    code, _, err = run(capsys, argv)
    assert "Traceback" not in err, err
    assert code in (EXIT_OK, EXIT_NOTHING, EXIT_ERROR), (code, err)
    if kind == "fifo":
        assert code == EXIT_ERROR, err  # refused before reading (README: a FIFO is exit 2)
    if kind.startswith("half.") and code == EXIT_OK and command not in ANY_FILE_IS_WORK:
        # What was readable, and a warning naming the file that it was cut short.
        assert "warning:" in err and path.name in err, err
    elif code == EXIT_OK:
        # Only where an empty file is itself the work (its digest, a new custody log).
        assert command in ANY_FILE_IS_WORK and kind not in ("empty-folder", "fifo"), err
    else:
        assert path.name in err, err  # the message names the file
        assert list(out_dir.iterdir()) == []  # and nothing was written
