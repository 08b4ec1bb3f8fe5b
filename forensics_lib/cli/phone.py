"""``forensics-lib phone info|artifacts|read EXTRACTION [ARTIFACT]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_lib.cli.args import (
    EXIT_ERROR,
    EXIT_NOTHING,
    EXIT_OK,
    PRINTED_WARNINGS,
    say_nothing_read,
)
from forensics_lib.cli.output import FORMATS, emit


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="output format (default: a table fitting the terminal)",
    )


def register(subparsers: Any) -> None:
    phone = subparsers.add_parser(
        "phone",
        help="read an Android or iOS extraction (folder, zip, tar)",
        description="Phone extractions: device identity, what they hold, artifacts as tables.",
    )
    sub = phone.add_subparsers(dest="phone_command", metavar="ACTION", required=True)

    p = sub.add_parser("info", help="OS, device identity and artifact counts")
    p.add_argument("extraction", type=Path, metavar="EXTRACTION")
    _add_format(p)
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("artifacts", help="list the artifacts this extraction holds")
    p.add_argument("extraction", type=Path, metavar="EXTRACTION")
    _add_format(p)
    p.set_defaults(func=cmd_artifacts)

    p = sub.add_parser("read", help="read one artifact (e.g. sms, calls, whatsapp_messages)")
    p.add_argument("extraction", type=Path, metavar="EXTRACTION")
    p.add_argument("artifact", metavar="ARTIFACT", help="a name (sms) or an id (android.sms)")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        help="write every column to this file: .csv, .json, .jsonl or .parquet (by suffix)",
    )
    p.add_argument("--limit", type=int, help="show at most this many rows")
    _add_format(p)
    p.set_defaults(func=cmd_read)


def cmd_info(args: argparse.Namespace) -> int:
    from forensics_lib.phone import open_extraction

    with open_extraction(args.extraction) as ext:
        device = ext.device
        listed = ext.artifacts()
        counts = {name: len(ext.read(name)) for name in dict.fromkeys(listed["name"])}
    rows = [("extraction", str(args.extraction)), ("kind", ext.kind)]
    rows += [(k, v) for k, v in device.items() if v is not None]
    rows += [(f"rows: {name}", str(n)) for name, n in counts.items()]
    emit(pd.DataFrame(rows, columns=["field", "value"]), args.format)
    if not any(counts.values()):
        print(f"{args.extraction}: no artifact with any row was found", file=sys.stderr)
        return EXIT_NOTHING
    return EXIT_OK


def cmd_artifacts(args: argparse.Namespace) -> int:
    from forensics_lib.phone import open_extraction

    with open_extraction(args.extraction) as ext:
        frame = ext.artifacts()
    emit(frame, args.format)
    if frame.empty:
        print(f"{args.extraction}: no known artifact found", file=sys.stderr)
        return EXIT_NOTHING
    return EXIT_OK


def cmd_read(args: argparse.Namespace) -> int:
    from forensics_lib.export import write_table
    from forensics_lib.phone import open_extraction

    with open_extraction(args.extraction) as ext:
        try:
            frame = ext.read(args.artifact)
        except KeyError as exc:
            print(f"error: {exc.args[0]}", file=sys.stderr)
            return EXIT_ERROR
    if args.output:
        # every column (raw values and provenance included), streamed in the format the
        # suffix names (checked before reading, in cli.args.output_suffix_problem)
        write_table(frame, args.output)
        print(f"{len(frame)} rows written: {args.output}", file=sys.stderr)
    else:
        shown = frame.head(args.limit) if args.limit is not None else frame
        if args.format == "table":  # the raw and provenance columns are in csv and json
            hidden = ["artifact", "source_path", "row_id", "time_raw", "type", "thread_id"]
            shown = shown.drop(columns=[*hidden, "subject"], errors="ignore")
        emit(shown, args.format)
    if frame.empty:  # a header alone is not an answer: say so, and exit non-zero
        # the reader's warnings, kept with the frame (also printed as they were given)
        said = [str(w) for w in frame.attrs.get("warnings") or []]
        what = f"{args.extraction}: {args.artifact}"
        say_nothing_read(what, said + PRINTED_WARNINGS, nothing="0 rows read")
        return EXIT_NOTHING
    return EXIT_OK
