"""``forensics-lib case``: a verified case folder, its exhibits and its timeline."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pandas as pd

from forensics_lib.cli.args import iana_zone
from forensics_lib.cli.output import FORMATS, emit

if TYPE_CHECKING:
    from forensics_lib.case import Case


#: Lines of one kind (not read, skipped, warning...) shown per exhibit in the summary.
MAX_SUMMARY_LINES = 50


def _add_reading(parser: argparse.ArgumentParser, *, zone: bool = True) -> None:
    """The options of every command that reads a case folder."""
    parser.add_argument(
        "--include-unlisted",
        action="store_true",
        help="also read files hashes.json does not list; every citation of them then says "
        "'unverified' (default: they are listed as unlisted and not read)",
    )
    if zone:
        parser.add_argument(
            "--zone",
            type=iana_zone,
            help="IANA zone of the exhibits' local clocks (EXIF and SRT times with no offset)",
        )


def print_summary(case: Case, stream: IO[str] | None = None) -> None:
    """What was read, per exhibit and artifact, and what was skipped and why (stderr)."""
    target = stream if stream is not None else sys.stderr
    summary = case.summary()
    read = summary[summary["outcome"] == "read"]
    if read.empty:
        print("read: no artifact in any exhibit", file=target)
    else:
        print("read, per exhibit and artifact:", file=target)
        columns = ["exhibit", "status", "artifact", "rows", "files"]
        if read["detail"].astype("str").str.len().gt(0).any():  # e.g. recognised by schema
            columns.append("detail")
        emit(read[columns], "table", stream=target)
    left = summary[summary["outcome"] != "read"]
    if not left.empty:
        print("not read, skipped, unlisted and warnings, with why:", file=target)
    # One line per exhibit, outcome and detail: a capture refused by the five VoIP readers
    # is one line naming the five.
    lines: dict[tuple[str, str, str], list[str]] = {}
    for row in left.to_dict(orient="records"):
        key = (str(row["exhibit"]), str(row["outcome"]), str(row["detail"]))
        lines.setdefault(key, [])
        if row["artifact"] and row["artifact"] not in lines[key]:
            lines[key].append(str(row["artifact"]))
    shown: dict[tuple[str, str], int] = {}
    for (exhibit, outcome, detail), artifacts in lines.items():
        shown[(exhibit, outcome)] = shown.get((exhibit, outcome), 0) + 1
        if shown[(exhibit, outcome)] > MAX_SUMMARY_LINES:
            continue
        who = f" {', '.join(artifacts)}" if artifacts else ""
        print(f"  {outcome}: {exhibit}{who}: {detail}", file=target)
    for (exhibit, outcome), count in shown.items():
        if count > MAX_SUMMARY_LINES:
            print(f"  {outcome}: {exhibit}: {count - MAX_SUMMARY_LINES} more (all of them: "
                  "forensics_lib.case.open_case(...).summary())", file=target)  # fmt: skip


def verdict(case: Case) -> str:
    """The sentence on hashes: "hashes verified" only when every exhibit read was."""
    if case.verified:
        text = "hashes verified"
    elif not case.manifest_verified:
        text = "hashes NOT verified (no hashes.json, or not checked)"
    else:
        names = ", ".join(n for n, ex in case.exhibits.items() if not ex.verified)
        text = (
            f"hashes NOT verified for every exhibit (unverified: {names})"
            if names
            else "no exhibit read, so none verified"
        )
    if case.unlisted:
        how = "read as unverified" if case.include_unlisted else "not read"
        text += f"; {len(case.unlisted)} path(s) not in hashes.json ({how})"
    return text


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "case",
        help="a case folder: verify it, list its exhibits, build its timeline",
        description="Hashes (hashes.json) and the custody chain are checked before anything "
        "is read; a mismatch stops here.",
    )
    sub = p.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    info = sub.add_parser("info", help="the exhibits, the reader of each, what it holds")
    info.add_argument("folder", type=Path)
    info.add_argument("--format", choices=FORMATS, default="table")
    _add_reading(info)
    info.set_defaults(func=cmd_info)
    tl = sub.add_parser("timeline", help="one timeline over every exhibit (UTC)")
    tl.add_argument("folder", type=Path)
    tl.add_argument("-o", "--output", type=Path, help="write here (csv, jsonl or l2tcsv)")
    tl.add_argument("--format", choices=(*FORMATS, "jsonl", "l2tcsv"), default="table")
    _add_reading(tl)
    tl.set_defaults(func=cmd_timeline)
    rep = sub.add_parser(
        "report",
        help="a self-contained HTML report: findings with their evidence, flights, calls, "
        "timeline (and optionally a CASE/UCO export)",
    )
    rep.add_argument("folder", type=Path)
    rep.add_argument("-o", "--output", type=Path, required=True, help="the HTML file to write")
    rep.add_argument("--uco", type=Path, help="also write the CASE/UCO JSON-LD export here")
    rep.add_argument("--title", default="Forensic examination report")
    rep.add_argument("--perimeter", type=Path, help="GeoJSON area (default: perimeter.geojson)")
    _add_reading(rep)
    rep.add_argument("--timeline-rows", type=int, default=200, help="rows of the timeline table")
    rep.set_defaults(func=cmd_report)
    uco = sub.add_parser("uco", help="the case and its findings as CASE/UCO JSON-LD")
    uco.add_argument("folder", type=Path)
    uco.add_argument("-o", "--output", type=Path, required=True, help="the .jsonld file to write")
    uco.add_argument("--perimeter", type=Path, help="GeoJSON area (default: perimeter.geojson)")
    _add_reading(uco)
    uco.set_defaults(func=cmd_uco)
    fnd = sub.add_parser("findings", help="answer the drone-drop questions from the exhibits")
    fnd.add_argument("folder", type=Path)
    _add_reading(fnd)
    fnd.add_argument("--perimeter", type=Path, help="GeoJSON area (default: perimeter.geojson)")
    fnd.add_argument("--wordlist", type=Path, help="passwords to try (default: wordlist.txt)")
    fnd.add_argument("--format", choices=FORMATS, default="table")
    fnd.set_defaults(func=cmd_findings)
    mk = sub.add_parser("make", help="write a seeded synthetic training case (with answer key)")
    mk.add_argument("--seed", type=int, required=True)
    mk.add_argument("--out", type=Path, required=True, help="a new (or empty) folder")
    mk.add_argument("--size", choices=("lab", "class", "large"), default="lab")
    mk.add_argument("--difficulty", choices=("easy", "medium", "hard"), default="medium")
    mk.set_defaults(func=cmd_make)


def _open(args: argparse.Namespace) -> Case:
    from forensics_lib.case import open_case

    return open_case(
        args.folder,
        zone=getattr(args, "zone", None),
        include_unlisted=getattr(args, "include_unlisted", False),
    )


def _not_read(case: Case) -> int:
    """Name the exhibits that could not be read (stderr); the exit status."""
    for name, problem in case.problems:
        print(f"not read: {name}: {problem}", file=sys.stderr)
    return 1 if case.problems else 0


def cmd_info(args: argparse.Namespace) -> int:
    case = _open(args)
    rows = [
        {
            "exhibit": name,
            "reader": ex.reader,
            "artifacts": ", ".join(f"{k} ({len(v)})" for k, v in sorted(ex.frames.items())),
            "events": len(ex.timeline),
            "hashes": ex.status,
        }
        for name, ex in case.exhibits.items()
    ]
    columns = ["exhibit", "reader", "artifacts", "events", "hashes"]
    emit(pd.DataFrame(rows, columns=columns), args.format)
    print_summary(case)
    print(
        f"{args.folder}: {verdict(case)}, custody chain intact ({len(case.custody)} entries); "
        f"{len(case.exhibits)} exhibit(s), {len(case.timeline)} timeline events",
        file=sys.stderr,
    )
    return _not_read(case)


def cmd_timeline(args: argparse.Namespace) -> int:
    from forensics_lib import export

    case = _open(args)
    print_summary(case)
    print(f"{args.folder}: {verdict(case)}", file=sys.stderr)
    tl = case.timeline
    writers = {
        "jsonl": export.timeline_to_jsonl,
        "l2tcsv": export.timeline_to_l2tcsv,
        "csv": export.timeline_to_csv,
    }
    if args.output:  # the suffix names the format (.csv, .json, .jsonl, .parquet)
        export.write_timeline(tl, args.output, l2tcsv=args.format == "l2tcsv")
        print(f"timeline written: {args.output} ({len(tl)} events)", file=sys.stderr)
    elif args.format in ("jsonl", "l2tcsv"):
        writers[args.format](tl, sys.stdout)
    else:
        emit(tl if args.format != "table" else tl[["time", "exhibit", "event"]], args.format)
    if tl.empty:
        print("no events: nothing in this case could be read (the summary above says why)",
              file=sys.stderr)  # fmt: skip
        _not_read(case)
        return 1
    return _not_read(case)


def _findings(case: Any, args: argparse.Namespace) -> list[Any]:
    from forensics_lib.findings import case_findings, read_wordlist

    perimeter = None
    if args.perimeter:
        from forensics_lib.drone.analysis import load_polygon

        perimeter = load_polygon(args.perimeter)
    wordlist = None
    if getattr(args, "wordlist", None):
        wordlist = read_wordlist(args.wordlist)
    return case_findings(case, zone=args.zone, perimeter=perimeter, wordlist=wordlist)


def cmd_findings(args: argparse.Namespace) -> int:
    from forensics_lib.findings import findings_frame

    case = _open(args)
    found = _findings(case, args)
    if args.format == "json":
        print(json.dumps([_finding_json(f) for f in found], indent=1, ensure_ascii=False))
    else:
        emit(findings_frame(found)[["id", "value", "evidence"]], args.format)
    print(f"{args.folder}: {verdict(case)}; {len(found)} finding(s)", file=sys.stderr)
    return _not_read(case)


def _finding_json(finding: Any) -> dict[str, Any]:
    return {
        "id": finding.id,
        "section": finding.section,
        "title": finding.title,
        "value": finding.value,
        "detail": finding.detail,
        "evidence": [dataclasses.asdict(e) for e in finding.evidence],
    }


def cmd_make(args: argparse.Namespace) -> int:
    # The generators ship in the same wheel; the library itself never imports them.
    from forensics_datasets.case import make_case  # type: ignore[import-untyped]

    case = make_case(args.out, seed=args.seed, size=args.size, difficulty=args.difficulty)
    print(
        f"case {args.seed} ({args.size}, {args.difficulty}) written to {case.root}: "
        f"{', '.join(case.answer_key['exhibits'])}; brief.md to start, answer_key.json is "
        "the instructor's",
        file=sys.stderr,
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from forensics_lib.report import write_html, write_uco

    case = _open(args)
    findings = _findings(case, args)
    write_html(
        case,
        findings,
        args.output,
        title=args.title,
        perimeter=args.perimeter,
        timeline_rows=args.timeline_rows,
    )
    print(f"report written: {args.output} ({len(findings)} finding(s))", file=sys.stderr)
    if args.uco:
        write_uco(case, findings, args.uco)
        print(f"CASE/UCO export written: {args.uco}", file=sys.stderr)
    print(f"{args.folder}: {verdict(case)}", file=sys.stderr)
    return _not_read(case)


def cmd_uco(args: argparse.Namespace) -> int:
    from forensics_lib.report import write_uco

    case = _open(args)
    findings = _findings(case, args)
    write_uco(case, findings, args.output)
    print(f"CASE/UCO export written: {args.output} ({len(findings)} finding(s))", file=sys.stderr)
    print(f"{args.folder}: {verdict(case)}", file=sys.stderr)
    return _not_read(case)
