"""Argument checks shared by the commands: time zones, and where output may go."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from forensics_lib import times
from forensics_lib.errors import TimestampError

# Namespace attributes that name files or folders a command writes (never read as evidence).
OUTPUT_ARGS = frozenset({"output", "uco", "plot", "out", "map", "profile"})
# Attributes that name a reference point, not evidence read (hash --root).
NOT_INPUTS = frozenset({"root"})


def iana_zone(text: str) -> str:
    """An IANA time-zone name (``Europe/Madrid``), checked as the library checks zones."""
    try:
        times.zone_info(text)
    except TimestampError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _paths(value: object) -> list[Path]:
    if isinstance(value, str | os.PathLike):
        return [Path(value)]
    if isinstance(value, list | tuple):
        return [Path(v) for v in value if isinstance(v, str | os.PathLike)]
    return []


def evidence_clash(args: argparse.Namespace) -> str | None:
    """Why an output named in ``args`` would land on evidence, or None.

    Evidence is read-only: a command must not overwrite one of its inputs, nor write inside
    an input folder (a case or an extraction: writing there changes what its hashes cover).
    Inputs are the existing paths among the other arguments."""
    values = vars(args)
    inputs = [
        p.resolve()
        for key, value in values.items()
        if key not in OUTPUT_ARGS | NOT_INPUTS
        for p in _paths(value)
        if p.exists()
    ]
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
    return None
