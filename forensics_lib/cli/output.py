"""Render DataFrames for the terminal: a table that fits the width, CSV or JSON.

Nothing is ever clipped: a table written to a pipe or a file has every character of every
cell; in a terminal, long text wraps inside its column while times, hashes, Call-IDs and
phone numbers stay whole on one line. CSV and JSON come from the one streaming writer of
:mod:`forensics_lib.export.table`, as ``-o`` files do."""

from __future__ import annotations

import io
import re
import shutil
import sys
import textwrap
from typing import IO, Any

import pandas as pd

from forensics_lib.export.table import write_table_stream

FORMATS = ("table", "csv", "json")
# A wrapped column keeps at least this many characters a line.
WRAP_FLOOR = 12
MIN_TERMINAL = 40
# Column names shown whole (never wrapped) in a terminal, and name endings that mean so.
WHOLE_NAMES = frozenset(
    {"sha256", "md5", "sha1", "sha512", "hash", "expected", "actual", "call_id", "ssrc"}
)
WHOLE_SUFFIXES = ("_sha256", "_md5", "_sha1", "_sha512", "_hash", "call_id", "_number")
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128}")
_PHONE = re.compile(r"\+?[0-9][0-9 ().-]{4,}[0-9]")
# Times given as text (a local wall time without a zone, an ISO string): whole too.
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def _cell_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        col = frame[name]
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            text = _short_times(col)
        else:
            text = col.astype(object).map(lambda v: "" if _missing(v) else str(v))
        out[str(name)] = text.astype(object).map(lambda s: " ".join(str(s).split()))
    return out


def _short_times(column: pd.Series) -> pd.Series:
    """ISO UTC times for a table: whole seconds, or milliseconds when any row has them."""
    utc = column.dt.tz_convert("UTC")
    has_fraction = bool(((utc.dt.microsecond != 0) | (utc.dt.nanosecond != 0)).any())
    if has_fraction:
        millis = (utc.dt.microsecond // 1000).astype("Int64").astype("str").str.zfill(3)
        text = utc.dt.strftime("%Y-%m-%dT%H:%M:%S.") + millis + "Z"
    else:
        text = utc.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    result: pd.Series = text.where(column.notna(), "")
    return result


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _unbreakable(name: str, column: pd.Series, text: pd.Series) -> bool:
    """Columns shown whole on one line even in a terminal: times, hashes, Call-IDs,
    phone numbers (a wrapped hash cannot be copied; a clipped one is useless)."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return True
    lowered = name.lower()
    if lowered in WHOLE_NAMES or lowered.endswith(WHOLE_SUFFIXES):
        return True
    values = text[text != ""]
    if values.empty:
        return False
    sample = values.head(1000)
    return bool(
        sample.str.fullmatch(_HEX_DIGEST).all()
        or sample.str.fullmatch(_PHONE).all()
        or sample.str.fullmatch(_ISO_TIME).all()
    )


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def terminal_width(stream: IO[str] | None = None) -> int | None:
    """The width to fit a table to: the terminal's, or None (never cut) when ``stream``
    (stdout) is not a terminal: a file or a pipe gets every character of every cell."""
    target = stream if stream is not None else sys.stdout
    try:
        interactive = target.isatty()
    except (AttributeError, ValueError):
        interactive = False
    if not interactive:
        return None
    return max(shutil.get_terminal_size((80, 24)).columns, MIN_TERMINAL)


def render_table(frame: pd.DataFrame, width: int | None = None) -> str:
    """A plain-text table; nothing in it is ever clipped or left out.

    ``width`` None: the terminal's width when stdout is a terminal, else no limit (every
    cell at its natural width: a pipe or a file gets all of it). Given a width, times,
    hashes, Call-IDs and phone numbers keep their full width on one line, and other long
    columns (text, paths) wrap onto continuation lines, widest first, down to 12
    characters; a table whose unbreakable columns alone are wider stays wider (the
    terminal folds it) rather than lose a column.
    """
    if width is None:
        width = terminal_width()
    if frame.empty:
        return "(no rows)\n" if len(frame.columns) else "(nothing)\n"
    cells = _cell_text(frame)
    names = list(cells.columns)
    natural = {n: max(len(n), int(cells[n].map(len).max() or 0)) for n in names}
    widths = dict(natural)
    if width is not None:
        fixed = {str(n) for n in frame.columns if _unbreakable(str(n), frame[n], cells[str(n)])}

        def total() -> int:
            return sum(widths.values()) + 2 * (len(names) - 1)

        while total() > width:
            wrappable = [c for c in names if c not in fixed and widths[c] > WRAP_FLOOR]
            if not wrappable:
                break
            widest = max(wrappable, key=lambda c: widths[c])
            widths[widest] = max(WRAP_FLOOR, widths[widest] - (total() - width))
    wrapped = [c for c in names if widths[c] < natural[c]]
    header = [_wrap(c, widths[c]) if c in wrapped else [c] for c in names]
    lines = _block(header, names, widths)
    lines.append("  ".join("-" * widths[c] for c in names))
    if not wrapped:  # the common case, fast: one line per row
        padded = [cells[c].str.ljust(widths[c]) for c in names]
        body = padded[0]
        for more in padded[1:]:
            body = body + "  " + more
        lines.extend(body.str.rstrip().tolist())
    else:
        for row in cells.itertuples(index=False, name=None):
            parts = [
                _wrap(v, widths[c]) if c in wrapped else [v]
                for c, v in zip(names, row, strict=True)
            ]
            lines.extend(_block(parts, names, widths))
    return "\n".join(lines) + "\n"


def _block(parts: list[list[str]], names: list[str], widths: dict[str, int]) -> list[str]:
    """One table row (or the header) as lines: wrapped cells continue on the next line."""
    height = max(len(p) for p in parts)
    return [
        "  ".join(
            (p[i] if i < len(p) else "").ljust(widths[c]) for c, p in zip(names, parts, strict=True)
        ).rstrip()
        for i in range(height)
    ]


def render_json(frame: pd.DataFrame) -> str:
    """The frame as a JSON array of objects (times ISO UTC, missing values null)."""
    buffer = io.StringIO()
    write_table_stream(frame, "json", buffer)
    return buffer.getvalue()


def render_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV with a header (times ISO UTC with nanoseconds)."""
    buffer = io.StringIO()
    write_table_stream(frame, "csv", buffer)
    return buffer.getvalue()


def emit(frame: pd.DataFrame, fmt: str, stream: IO[str] | None = None) -> None:
    """Write ``frame`` to ``stream`` (stdout) in ``fmt`` (table, csv, json or jsonl).

    csv and json are streamed a chunk of rows at a time (never the whole text in memory);
    a table fits the terminal, or is written whole when the stream is not a terminal."""
    target = stream if stream is not None else sys.stdout
    if fmt in ("csv", "json", "jsonl"):
        write_table_stream(frame, fmt, target)
    else:
        target.write(render_table(frame, width=terminal_width(target)))
