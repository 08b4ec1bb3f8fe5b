"""Argument checks shared by the commands: time zones, exit codes, what may be read and
where output may go.

Every check here runs in :func:`forensics_lib.cli.main` before a command reads anything,
for every command of every CLI module, so a refused invocation reads nothing and creates
nothing.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path

from forensics_lib.core import times
from forensics_lib.core.errors import SpecialFileRefused, TimestampError
from forensics_lib.core.hashing import check_readable, file_kind
from forensics_lib.export.table import TABLE_SUFFIXES

# -- exit codes: the one table (README.md "Exit codes" documents it) ------------------------
EXIT_OK = 0
# The command ran but its answer is empty or negative: nothing readable (no rows, no
# events, no files), a verification that found a difference, exhibits not read.
EXIT_NOTHING = 1
# The command could not do what was asked: a usage error (argparse exits 2 as well), an
# input that is refused or unreadable (missing, a FIFO or device, a zip bomb, zip-slip, a
# damaged file), an output target refused (on evidence, or a suffix we cannot write).
EXIT_ERROR = 2
EXIT_CODES = {
    EXIT_OK: "success: something was read and every check passed",
    EXIT_NOTHING: "nothing readable, or a difference found (verify, case problems)",
    EXIT_ERROR: "usage error, refused or unreadable input, or refused output target",
}

# Namespace attributes that name files or folders a command writes (never read as evidence).
OUTPUT_ARGS = frozenset({"output", "uco", "plot", "out", "map", "profile"})
# Attributes that name a reference point, not evidence read (hash --root).
NOT_INPUTS = frozenset({"root"})
# Attributes that name files or folders a command reads. Every path option of every
# command is in one of these three sets (tests/cli/test_args.py walks the parser).
# ``log`` of ``custody add`` is a case paper appended by design, read first.
INPUT_ARGS = frozenset(
    {
        "paths",
        "manifest",
        "exhibit",
        "exhibits",
        "log",
        "hash_file",
        "folder",
        "perimeter",
        "wordlist",
        "polygon",
        "extraction",
        "capture",
    }
)

# Inputs that are the analyst's reference material, not evidence: an output may go beside
# them (``--perimeter perimeter.geojson -o report.html`` in one working folder).
REFERENCE_ARGS = frozenset({"perimeter", "polygon", "wordlist", "manifest", "hash_file"})

_IMAGES = (".png", ".svg", ".pdf")
# What each writing option may be called, by command: the suffix names the format written.
# A command or option not listed takes no suffix check (``case make --out`` is a folder).
WRITE_SUFFIXES: dict[tuple[str, str], tuple[str, ...]] = {
    ("hash", "output"): (".json",),  # the manifest is a JSON document (verify reads it)
    ("timeline", "output"): tuple(TABLE_SUFFIXES),
    ("timeline", "plot"): _IMAGES,
    ("case timeline", "output"): tuple(TABLE_SUFFIXES),
    ("case report", "output"): (".html", ".htm"),
    ("case report", "uco"): (".jsonld", ".json"),
    ("case uco", "output"): (".jsonld", ".json"),
    ("phone read", "output"): tuple(TABLE_SUFFIXES),
    ("drone export", "output"): (".kml", ".geojson", ".json", ".gpx", ".csv"),
    ("drone export", "map"): _IMAGES,
    ("drone export", "profile"): _IMAGES,
    ("voip audio", "output"): (".wav",),
}
# Commands that may write beside the file they read: a hash manifest is the acquisition
# record kept with the exhibits it lists (``hash EXH-001.zip -o hashes.json``).
MAY_WRITE_BESIDE = frozenset({"hash"})
# A folder holding this is a case folder: nothing is written anywhere inside it.
CASE_MANIFEST = "hashes.json"


def iana_zone(text: str) -> str:
    """An IANA time-zone name (``Europe/Madrid``), checked as the library checks zones."""
    try:
        times.zone_info(text)
    except TimestampError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def command_name(args: argparse.Namespace) -> str:
    """``"phone read"``, ``"hash"``: the command words of a parsed command line."""
    values = vars(args)
    words = [str(values.get("command") or "")]
    sub = values.get(f"{words[0]}_command")
    if isinstance(sub, str):
        words.append(sub)
    return " ".join(w for w in words if w)


def _paths(value: object) -> list[Path]:
    if isinstance(value, str | os.PathLike):
        return [Path(value)]
    if isinstance(value, list | tuple):
        return [Path(v) for v in value if isinstance(v, str | os.PathLike)]
    return []


def _input_paths(args: argparse.Namespace, *, evidence_only: bool = False) -> list[Path]:
    """The existing paths among the arguments that are not outputs (what is read); with
    ``evidence_only``, without the reference material (:data:`REFERENCE_ARGS`)."""
    skip = OUTPUT_ARGS | NOT_INPUTS | (REFERENCE_ARGS if evidence_only else frozenset())
    return [
        p
        for key, value in vars(args).items()
        if key not in skip
        for p in _paths(value)
        if os.path.lexists(p)
    ]


def _case_folder_of(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` holding an acquisition manifest."""
    for folder in (path, *path.parents):
        if folder.is_dir() and (folder / CASE_MANIFEST).is_file():
            return folder
    return None


def evidence_clash(args: argparse.Namespace) -> str | None:
    """Why an output named in ``args`` would land on evidence, or None.

    Evidence is read-only: a command must not overwrite one of its inputs, nor write inside
    an input folder (a case or an extraction: writing there changes what its hashes cover),
    nor beside an evidence file it reads (that folder is the exhibit's), nor anywhere in a
    case folder (one holding ``hashes.json``) an input lies in.
    Inputs are the existing paths among the other arguments."""
    values = vars(args)
    command = command_name(args)
    inputs = [p.resolve() for p in _input_paths(args)]
    evidence = {p.resolve() for p in _input_paths(args, evidence_only=True)}
    for key in sorted(OUTPUT_ARGS & values.keys()):
        for out in _paths(values[key]):
            target = out.resolve()
            for source in inputs:
                if target == source:
                    return f"refusing to write {out}: it is an input of this command (evidence)"
                if source.is_dir() and target.is_relative_to(source):
                    return (
                        f"refusing to write {out} inside {source}, an input folder (evidence "
                        "is read-only; its hashes would no longer match): write it elsewhere"
                    )
                if source not in evidence:
                    continue
                if (
                    source.is_file()
                    and target.parent == source.parent
                    and command.split(" ")[0] not in MAY_WRITE_BESIDE
                ):
                    return (
                        f"refusing to write {out} beside {source}, the evidence file it reads "
                        "(that folder holds the exhibit): write it elsewhere"
                    )
                case = _case_folder_of(source if source.is_dir() else source.parent)
                if case is not None and target.is_relative_to(case):
                    return (
                        f"refusing to write {out} inside the case folder {case} (its "
                        f"{CASE_MANIFEST} records what it holds): write it elsewhere"
                    )
    return None


def output_suffix_problem(args: argparse.Namespace) -> str | None:
    """Why a writing option's file name cannot be written, or None.

    The suffix names the format (``-o calls.parquet`` writes Parquet); a suffix the command
    cannot write is refused before anything is read."""
    values = vars(args)
    command = command_name(args)
    for key in sorted(OUTPUT_ARGS & values.keys()):
        allowed = WRITE_SUFFIXES.get((command, key))
        if allowed is None:
            continue
        for out in _paths(values[key]):
            if out.suffix.lower() not in allowed:
                option = "-o" if key == "output" else f"--{key}"
                return (
                    f"{command} {option} {out}: cannot tell what to write from the suffix "
                    f"{out.suffix or '(none)'!r}; use {', '.join(allowed)}"
                )
    return None


def output_place_problem(args: argparse.Namespace) -> str | None:
    """Why a file a writing option names cannot be created where it is asked, or None: an
    existing folder under that name, or a folder that does not exist. Checked before
    anything is read, so a long read never ends in a write that fails; no folder is
    created for it (a typo would otherwise make one)."""
    values = vars(args)
    command = command_name(args)
    for key in sorted(OUTPUT_ARGS & values.keys()):
        if (command, key) not in WRITE_SUFFIXES:  # e.g. ``case make --out``: a folder made
            continue
        for out in _paths(values[key]):
            if out.is_dir():
                return f"refusing to write {out}: it is a folder; name a file in it"
            if not out.parent.is_dir():
                return f"cannot write {out}: the folder {out.parent} does not exist"
    return None


def input_problem(args: argparse.Namespace) -> SpecialFileRefused | str | None:
    """The first input that must not be opened (FIFO, device, socket, dangling link), or
    an output target that must not be written (an existing FIFO, device or socket: writing
    blocks or goes nowhere a file would)."""
    for path in _input_paths(args):
        try:
            check_readable(path)
        except SpecialFileRefused as exc:
            return exc
    values = vars(args)
    for key in sorted(OUTPUT_ARGS & values.keys()):
        for out in _paths(values[key]):
            if not out.exists():  # new, or a dangling link: nothing to check
                continue
            mode = out.stat().st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                return f"refusing to write {out}: it is {file_kind(mode)}, not a regular file"
    return None


# The text of every warning :func:`forensics_lib.cli.main` printed for the command it runs
# (emptied when a command starts), so a "nothing read" line can repeat why right there.
PRINTED_WARNINGS: list[str] = []


def say_nothing_read(
    what: str, said: list[str] | None = None, *, nothing: str = "nothing read"
) -> None:
    """``{what}: nothing read`` on stderr, followed right there by the warnings that say why
    (``said``, or every warning printed for this command), or by the fact that none was
    given: never a pointer to warnings the reader may not have."""
    reasons = list(dict.fromkeys(PRINTED_WARNINGS if said is None else said))
    if not reasons:
        print(f"{what}: {nothing} (no warning was given)", file=sys.stderr)
        return
    print(f"{what}: {nothing}; {len(reasons)} warning(s) say why:", file=sys.stderr)
    for text in reasons:
        print(f"  {text}", file=sys.stderr)


def exit_for(rows: int, what: str, said: list[str] | None = None) -> int:
    """The exit code of a command that read ``rows`` things: EXIT_OK, or EXIT_NOTHING with
    a line on stderr saying what came out empty (``voip calls x.pcap: nothing read``) and
    the warnings that say why (:func:`say_nothing_read`), so no command ends 0 having read
    nothing."""
    if rows:
        return EXIT_OK
    say_nothing_read(what, said)
    return EXIT_NOTHING
