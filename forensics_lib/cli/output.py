"""Render DataFrames for the terminal: a table that fits the width, CSV or JSON."""

from __future__ import annotations

import json
import shutil
import sys
from typing import IO, Any

import numpy as np
import pandas as pd

from forensics_lib.export.timeline import iso_utc

FORMATS = ("table", "csv", "json")
MIN_WIDTH = 6
ELLIPSIS = "…"


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


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + ELLIPSIS


def render_table(frame: pd.DataFrame, width: int | None = None) -> str:
    """A plain-text table no wider than ``width`` (the terminal, at least 80).

    Times are never clipped (a clipped time is useless). Other long columns are clipped
    with an ellipsis, widest first, down to 12 characters; if that is not enough, trailing
    columns are dropped and a note says how to see everything.
    """
    if width is None:
        width = max(shutil.get_terminal_size((80, 24)).columns, 80)
    if frame.empty:
        return "(no rows)\n" if len(frame.columns) else "(nothing)\n"
    cells = _cell_text(frame)
    names = list(cells.columns)
    fixed = {str(n) for n in frame.columns if isinstance(frame[n].dtype, pd.DatetimeTZDtype)}
    widths = {n: max(len(n), int(cells[n].map(len).max() or 0)) for n in names}

    def total(cols: list[str]) -> int:
        return sum(widths[c] for c in cols) + 2 * (len(cols) - 1)

    shown = list(names)
    while total(shown) > width:
        clippable = [c for c in shown if c not in fixed and widths[c] > max(MIN_WIDTH, 12)]
        if clippable:
            widest = max(clippable, key=lambda c: widths[c])
            floor = max(MIN_WIDTH, 12)
            widths[widest] = max(floor, widths[widest] - (total(shown) - width))
            continue
        if len(shown) == 1:
            break
        shown.pop()
    # Dropping a column may leave room: give it back to the clipped ones, in order.
    natural = {n: max(len(n), int(cells[n].map(len).max() or 0)) for n in shown}
    spare = width - total(shown)
    for c in shown:
        grow = min(natural[c] - widths[c], max(spare, 0))
        widths[c] += grow
        spare -= grow
    lines = ["  ".join(_clip(c, widths[c]).ljust(widths[c]) for c in shown).rstrip()]
    lines.append("  ".join("-" * widths[c] for c in shown))
    for row in cells[shown].itertuples(index=False):
        lines.append(
            "  ".join(
                _clip(str(v), widths[c]).ljust(widths[c]) for c, v in zip(shown, row, strict=True)
            ).rstrip()
        )
    hidden = len(names) - len(shown)
    clipped = [c for c in shown if widths[c] < natural[c]]
    if hidden:
        lines.append(f"({hidden} more column(s) not shown: use --format csv or json)")
    elif clipped:
        lines.append(f"(long values clipped with {ELLIPSIS}: use --format csv or json)")
    return "\n".join(lines) + "\n"


def _json_value(value: Any) -> Any:
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return iso_utc(pd.Series([value])).iloc[0]
    if isinstance(value, np.generic):
        return value.item()
    return value


def render_json(frame: pd.DataFrame) -> str:
    records = [
        {str(k): _json_value(v) for k, v in row.items()}
        for row in frame.astype(object).to_dict(orient="records")
    ]
    return json.dumps(records, indent=2, ensure_ascii=False, default=str) + "\n"


def render_csv(frame: pd.DataFrame) -> str:
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype):
            out[name] = iso_utc(out[name])
    return str(out.to_csv(index=False, lineterminator="\n"))


def emit(frame: pd.DataFrame, fmt: str, stream: IO[str] | None = None) -> None:
    """Write ``frame`` to ``stream`` (stdout) in ``fmt`` (table, csv or json)."""
    target = stream if stream is not None else sys.stdout
    if fmt == "csv":
        target.write(render_csv(frame))
    elif fmt == "json":
        target.write(render_json(frame))
    else:
        target.write(render_table(frame))
