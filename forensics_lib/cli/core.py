"""Core subcommands: hash, verify, decode-time, artifacts, timeline, custody."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_lib import timeline
from forensics_lib.cli.args import EXIT_NOTHING, EXIT_OK, iana_zone
from forensics_lib.cli.output import FORMATS, emit
from forensics_lib.core import hashing, registry


def _add_format(parser: argparse.ArgumentParser, extra: tuple[str, ...] = ()) -> None:
    parser.add_argument(
        "--format",
        choices=(*FORMATS, *extra),
        default="table",
        help="output format (default: a table fitting the terminal)",
    )


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "hash",
        help="hash files or directories (SHA-256, MD5) and optionally write a manifest",
        description="Hash every file under the given paths, streaming, read-only.",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument(
        "-a",
        "--algorithm",
        action="append",
        choices=hashing.SUPPORTED_ALGORITHMS,
        help="algorithm (repeatable; default sha256 and md5)",
    )
    p.add_argument("-o", "--output", type=Path, help="write the JSON manifest here (.json)")
    p.add_argument("--root", type=Path, help="record paths relative to this directory")
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    _add_format(p)
    p.set_defaults(func=cmd_hash)

    p = subparsers.add_parser(
        "verify",
        help="re-hash the files of a manifest and report any difference",
        description="Exit status 0 when every file matches, 1 when anything differs.",
    )
    p.add_argument("manifest", type=Path)
    p.add_argument("--root", type=Path, help="directory the manifest's paths are under")
    p.add_argument(
        "--extra",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="report files the manifest does not list (default: when it covered a folder)",
    )
    _add_format(p)
    p.set_defaults(func=cmd_verify)

    p = subparsers.add_parser(
        "decode-time",
        help="list the plausible meanings of an unknown timestamp number",
        description="Like DCode: try every common epoch and keep plausible dates.",
    )
    p.add_argument("value", help="decimal, or hex with 0x")
    p.add_argument("--earliest", default="1995-01-01", help="plausible from (UTC date)")
    p.add_argument("--latest", default="2040-01-01", help="plausible until (UTC date)")
    _add_format(p)
    p.set_defaults(func=cmd_decode_time)

    p = subparsers.add_parser(
        "ls",
        help="list an exhibit's files by device path, without extracting anything",
        description="Folder, zip, tar(.gz) or single file; names normalised to device paths.",
    )
    p.add_argument("exhibit", type=Path)
    p.add_argument("pattern", nargs="?", help="device-path glob, e.g. '**/databases/*.db'")
    p.add_argument("--all", action="store_true", help="directories and links too")
    _add_format(p)
    p.set_defaults(func=cmd_ls)

    p = subparsers.add_parser("artifacts", help="list the artifacts the kit can read")
    p.add_argument("--family", help="only this family (evidence, phone, drone, voip, media)")
    _add_format(p)
    p.set_defaults(func=cmd_artifacts)

    p = subparsers.add_parser(
        "timeline",
        help="read every known artifact of the exhibits into one UTC timeline",
        description=(
            "Each EXHIBIT is a file, a zip or tar, an extraction folder, or a case folder "
            "(hashes.json or EXH-... exhibits): a case folder is verified and read exhibit "
            "by exhibit, as 'case timeline' does; a plain folder is scanned, and each zip "
            "or tar in it is read as an exhibit of its own. Exit status 1 when no event "
            "could be read at all."
        ),
    )
    p.add_argument("exhibits", nargs="+", type=Path, metavar="EXHIBIT")
    p.add_argument("--artifact", action="append", dest="artifact_ids", help="only this artifact id")
    p.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="read a case folder without checking its hashes.json first",
    )
    p.add_argument(
        "--include-unlisted",
        action="store_true",
        help="also read what a case folder's hashes.json does not list; its rows then say "
        "[unverified] (default: listed as unlisted, not read)",
    )
    p.add_argument(
        "--zone",
        type=iana_zone,
        help="IANA zone of the exhibits' local clocks (EXIF and SRT times with no offset)",
    )
    p.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
    p.add_argument("--plot", type=Path, help="also save a timeline plot (PNG, SVG or PDF)")
    _add_format(p, extra=("jsonl", "l2tcsv"))
    p.set_defaults(func=cmd_timeline)

    p = subparsers.add_parser("custody", help="append to, show or verify a custody log")
    sub = p.add_subparsers(dest="custody_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="append an entry (the chain is checked first)")
    add.add_argument("log", type=Path)
    add.add_argument("--who", required=True)
    add.add_argument("--action", required=True, help="seized, acquired, sealed, ...")
    add.add_argument("--exhibit", required=True, help="exhibit reference")
    add.add_argument("--sha256", help="the exhibit's SHA-256")
    add.add_argument("--hash-file", type=Path, help="hash this file for --sha256")
    add.add_argument("--note", default="")
    add.set_defaults(func=cmd_custody_add)
    show = sub.add_parser("show", help="list the entries")
    show.add_argument("log", type=Path)
    _add_format(show)
    show.set_defaults(func=cmd_custody_show)
    check = sub.add_parser("verify", help="check the hash chain")
    check.add_argument("log", type=Path)
    check.set_defaults(func=cmd_custody_verify)


def cmd_hash(args: argparse.Namespace) -> int:
    algorithms = tuple(args.algorithm or ("sha256", "md5"))
    manifest = hashing.build_manifest(
        args.paths,
        root=args.root,
        algorithms=algorithms,
        progress=False if args.no_progress else None,
    )
    skipped = manifest.get("skipped", [])
    for entry in skipped:  # never dropped silently: each one, and the manifest says so
        print(f"skipped: {entry['path']}: {entry['reason']}", file=sys.stderr)
    if args.output:
        hashing.write_manifest(manifest, args.output)
        note = f"; incomplete: {len(skipped)} skipped" if skipped else ""
        print(
            f"manifest written: {args.output} ({len(manifest['files'])} files{note})",
            file=sys.stderr,
        )
    frame = pd.DataFrame(manifest["files"], columns=["path", "size", *algorithms])
    emit(frame, args.format)
    if not manifest["files"]:
        named = ", ".join(map(str, args.paths))
        print(f"{named}: nothing hashed: no regular file under the given path(s)", file=sys.stderr)
        return EXIT_NOTHING
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    report = hashing.verify_manifest(args.manifest, args.root, check_extra=args.extra)
    emit(report.to_frame(), args.format)
    problems = report.problems
    verdict = "OK" if report.ok else f"FAILED ({problems} problem(s))"
    print(
        f"verify {args.manifest}: {len(report.matched)} file(s) match; {verdict}", file=sys.stderr
    )
    skipped = hashing.load_manifest(args.manifest).get("skipped") or []
    if skipped:  # what the acquisition could not hash is not covered by this check either
        print(
            f"note: the manifest is incomplete: {len(skipped)} item(s) were skipped when it "
            "was made (not regular files, or links leaving the folder)",
            file=sys.stderr,
        )
    if report.ok and not report.matched:  # an empty manifest checks nothing
        print(f"verify {args.manifest}: the manifest lists no file", file=sys.stderr)
        return EXIT_NOTHING
    return EXIT_OK if report.ok else EXIT_NOTHING


def cmd_decode_time(args: argparse.Namespace) -> int:
    from forensics_lib.core.times import decode_timestamp

    frame = decode_timestamp(args.value, earliest=args.earliest, latest=args.latest)
    emit(frame, args.format)
    if frame.empty:
        print("no interpretation lands in the plausible window", file=sys.stderr)
        return EXIT_NOTHING
    return EXIT_OK


def cmd_ls(args: argparse.Namespace) -> int:
    from forensics_lib.core.evidence import Evidence

    with Evidence(args.exhibit) as ev:
        members = ev.glob(args.pattern) if args.pattern else ev.members()
        if not args.all:
            members = [m for m in members if not (m.is_dir or m.is_link)]
        frame = pd.DataFrame(
            {
                "path": [m.path for m in members],
                "size": pd.array([m.size for m in members], dtype="Int64"),
                "mtime": pd.Series([m.mtime for m in members], dtype="datetime64[ns, UTC]"),
                "stored_as": [m.name for m in members],
            }
        )
    if args.format == "table":
        frame = frame[["path", "size", "mtime"]]
    emit(frame, args.format)
    for m in members:  # listed as stored, but no reader will ever open them
        if m.unsafe_reason:
            print(f"refused member: {m.name!r}: {m.unsafe_reason}", file=sys.stderr)
    print(f"{len(frame)} file(s) in {args.exhibit} ({ev.kind})", file=sys.stderr)
    return EXIT_OK if len(frame) else EXIT_NOTHING


def cmd_artifacts(args: argparse.Namespace) -> int:
    frame = registry.artifacts_frame(args.family)
    if args.format == "table":
        frame = frame[["id", "family", "description"]]
    emit(frame, args.format)
    if frame.empty:
        print(f"no artifact of the family {args.family!r}", file=sys.stderr)
        return EXIT_NOTHING
    return EXIT_OK


def cmd_timeline(args: argparse.Namespace) -> int:
    from forensics_lib import export
    from forensics_lib.case import as_case
    from forensics_lib.cli.case import print_summary, verdict
    from forensics_lib.scan import collect_warnings

    parts = []
    said: list[str] = []  # every warning of the reading, to repeat if nothing was read
    for exhibit in args.exhibits:
        try:
            with collect_warnings(said):
                case = as_case(
                    exhibit,
                    verify=args.verify,
                    artifact_ids=args.artifact_ids,
                    zone=args.zone,
                    include_unlisted=args.include_unlisted,
                )
        except KeyError as exc:  # an unknown --artifact id: the message lists the known ones
            print(f"error: {exc.args[0]}", file=sys.stderr)
            return 2
        read = ", ".join(f"{name} ({ex.reader})" for name, ex in case.exhibits.items())
        print(f"{exhibit}: {read or 'no exhibit read'}", file=sys.stderr)
        print_summary(case)
        print(f"{exhibit}: {verdict(case)}", file=sys.stderr)
        parts.append(case.timeline)
    tl = timeline.build(parts)
    if args.plot:
        from forensics_lib.plots import plot_timeline

        plot_timeline(tl).savefig(args.plot, dpi=120)
        print(f"plot written: {args.plot}", file=sys.stderr)
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
        shown = tl if args.format != "table" else tl[["time", "artifact", "event", "description"]]
        emit(shown, args.format)
    if tl.empty:  # like grep: exit 1 when nothing was found, so scripts notice
        why = f": {len(said)} warning(s):" if said else " (the summary above says why)"
        print(f"no events: nothing in these exhibits could be read{why}", file=sys.stderr)
        for text in dict.fromkeys(said):
            print(f"  {text}", file=sys.stderr)
        return 1
    return 0


def cmd_custody_add(args: argparse.Namespace) -> int:
    from forensics_lib.core.custody import CustodyLog

    sha = args.sha256 or (hashing.sha256_file(args.hash_file) if args.hash_file else None)
    entry = CustodyLog(args.log).append(
        who=args.who, action=args.action, exhibit=args.exhibit, sha256=sha, note=args.note
    )
    print(f"entry {entry.seq} added: {entry.time_utc} {entry.who} {entry.action}")
    return EXIT_OK


def cmd_custody_show(args: argparse.Namespace) -> int:
    from forensics_lib.core.custody import read_custody_log

    frame = read_custody_log(args.log)
    if args.format == "table":
        frame = frame[["seq", "time", "who", "action", "exhibit", "note"]]
    emit(frame, args.format)
    if frame.empty:
        print(f"{args.log}: no custody entries", file=sys.stderr)
        return EXIT_NOTHING
    return EXIT_OK


def cmd_custody_verify(args: argparse.Namespace) -> int:
    from forensics_lib.core.custody import CustodyLog

    count = CustodyLog(args.log).verify()
    if not count:  # an empty log proves no chain: nothing was checked
        print(f"{args.log}: no custody entries: nothing to verify", file=sys.stderr)
        return EXIT_NOTHING
    print(f"custody chain intact: {count} entries")
    return EXIT_OK
