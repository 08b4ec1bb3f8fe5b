"""The ``forensics-lib`` command line: one tool for the whole kit.

Each family adds its subcommands through a module listed in :data:`COMMAND_MODULES`,
which exposes ``register(subparsers)``. This package is the only place that prints.

Before any command runs, :func:`main` refuses (exit 2, nothing read, nothing created) an
output file whose suffix the command cannot write, an input that is a FIFO, device, socket
or dangling link, an output that would land on evidence, and an output file that cannot be
created where it is asked (its folder missing, or a folder of that name). The exit codes
are one table, :data:`forensics_lib.cli.args.EXIT_CODES` (README "Exit codes").
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import warnings
from collections.abc import Sequence

from forensics_lib import __version__
from forensics_lib.cli.args import (
    EXIT_CODES,
    EXIT_ERROR,
    EXIT_NOTHING,
    EXIT_OK,
    PRINTED_WARNINGS,
    evidence_clash,
    input_problem,
    output_place_problem,
    output_suffix_problem,
)
from forensics_lib.core.errors import ForensicsError

__all__ = ["EXIT_CODES", "EXIT_ERROR", "EXIT_NOTHING", "EXIT_OK", "build_parser", "main"]

COMMAND_MODULES = (
    "forensics_lib.cli.core",
    "forensics_lib.cli.case",
    "forensics_lib.cli.drone",
    "forensics_lib.cli.phone",
    "forensics_lib.cli.voip",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="forensics-lib",
        description="Mobile, drone and VoIP forensics: read-only parsers, one UTC timeline.",
        epilog="exit codes (every command):\n"
        + "\n".join(f"  {code}  {meaning}" for code, meaning in EXIT_CODES.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what is done")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: object = None,
    line: str | None = None,
) -> None:
    PRINTED_WARNINGS.append(str(message))
    print(f"warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    warnings.showwarning = _show_warning
    PRINTED_WARNINGS.clear()
    # Checked in this order before anything is read: what to write, what to read, where.
    refused = (
        input_problem(args)
        or evidence_clash(args)
        or output_suffix_problem(args)
        or output_place_problem(args)
    )
    if refused:
        print(f"error: {refused}", file=sys.stderr)
        return EXIT_ERROR
    try:
        code: int = args.func(args)
    except ForensicsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except IsADirectoryError as exc:
        print(f"error: {exc.filename}: is a folder; this command reads a file", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # e.g. piped into `head`
        return EXIT_OK
    except (OSError, UnicodeDecodeError) as exc:  # missing, unreadable, or not text
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return code if code in EXIT_CODES else EXIT_ERROR  # one table for every command


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
