"""Timeline exports: CSV, JSON Lines and plaso's l2tcsv.

Times are written as ISO 8601 UTC with nanoseconds and a ``Z`` (lossless), except in
l2tcsv, whose 17 fixed fields carry ``MM/DD/YYYY`` and ``HH:MM:SS`` in a named zone
(documented in plaso's ``docs/sources/user/Output-and-formatting.md`` and implemented by
``plaso/output/l2t_csv.py``). Like plaso, l2tcsv fields have commas and line breaks
replaced by spaces so that naive comma-splitting readers still see 17 fields.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from forensics_lib.core.schema import TIMELINE_COLUMNS, conform

__all__ = [
    "L2TCSV_HEADER",
    "iso_utc",
    "timeline_to_csv",
    "timeline_to_jsonl",
    "timeline_to_l2tcsv",
]

L2TCSV_HEADER = (
    "date",
    "time",
    "timezone",
    "MACB",
    "source",
    "sourcetype",
    "type",
    "user",
    "host",
    "short",
    "desc",
    "version",
    "filename",
    "inode",
    "notes",
    "format",
    "extra",
)

Target = str | os.PathLike[str] | IO[str]


def iso_utc(times: pd.Series) -> pd.Series:
    """``2024-05-01T10:00:00.123456789Z`` for each time (empty text for NaT)."""
    utc = times.dt.tz_convert("UTC")
    nanos = (utc.dt.microsecond * 1000 + utc.dt.nanosecond).astype("Int64")
    text = utc.dt.strftime("%Y-%m-%dT%H:%M:%S.") + nanos.astype("str").str.zfill(9) + "Z"
    result: pd.Series = text.where(times.notna(), "").astype("str")
    return result


def _open_target(target: Target) -> tuple[IO[str], bool]:
    if isinstance(target, (str, os.PathLike)):
        return Path(target).open("w", encoding="utf-8", newline=""), True
    return target, False


# Rows converted to text and written at a time: an export never holds the whole timeline
# as text on top of the frame.
CHUNK_ROWS = 50_000


def _text_chunks(timeline: pd.DataFrame, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    tl = conform(timeline, TIMELINE_COLUMNS)
    for start in range(0, max(len(tl), 1), chunk_rows):
        part = tl.iloc[start : start + chunk_rows]
        out = part.astype(object).where(part.notna(), None)
        out["time"] = iso_utc(part["time"])
        yield out


def timeline_to_csv(timeline: pd.DataFrame, target: Target) -> None:
    """Write the timeline as CSV with a header (UTF-8, ISO 8601 UTC times), streamed."""
    handle, close = _open_target(target)
    try:
        for i, chunk in enumerate(_text_chunks(timeline)):
            chunk.to_csv(handle, index=False, header=i == 0, lineterminator="\n")
    finally:
        if close:
            handle.close()


def timeline_to_jsonl(timeline: pd.DataFrame, target: Target) -> None:
    """Write one JSON object per timeline row (missing values as null), streamed."""
    handle, close = _open_target(target)
    try:
        for chunk in _text_chunks(timeline):
            for record in chunk.to_dict(orient="records"):
                clean = {
                    k: (None if isinstance(v, float) and np.isnan(v) else v)
                    for k, v in record.items()
                }
                handle.write(json.dumps(clean, ensure_ascii=False, default=str) + "\n")
    finally:
        if close:
            handle.close()


def _clean(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "-"
    text = str(value).replace(",", " ").replace("\r", " ").replace("\n", " ").strip()
    return text or "-"


def timeline_to_l2tcsv(timeline: pd.DataFrame, target: Target, *, zone: str = "UTC") -> None:
    """Write plaso's 17-field l2tcsv (``source`` = the artifact family, ``type`` = event).

    ``zone`` is an IANA zone for the date and time fields (UTC by default, which is what
    a report should use; a local zone only for a reader who asks for it).
    """
    tl_all = conform(timeline, TIMELINE_COLUMNS)
    handle, close = _open_target(target)
    try:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(L2TCSV_HEADER)
        for start in range(0, len(tl_all), CHUNK_ROWS):  # streamed, a chunk at a time
            tl = tl_all.iloc[start : start + CHUNK_ROWS]
            _l2tcsv_rows(writer, tl, zone)
    finally:
        if close:
            handle.close()


def _l2tcsv_rows(writer: Any, tl: pd.DataFrame, zone: str) -> None:
    local = tl["time"].dt.tz_convert(zone)
    dates = local.dt.strftime("%m/%d/%Y")
    clock = local.dt.strftime("%H:%M:%S")
    records = tl.astype(object).where(tl.notna(), None).to_dict(orient="records")
    for i, row in enumerate(records):
        artifact_id = str(row["artifact"])
        extra = f"offset_or_row: {_clean(row['offset_or_row'])}"
        if row["lat"] is not None:
            extra += f"; lat: {row['lat']}; lon: {row['lon']}"
        if row["counterpart"] is not None:
            extra += f"; counterpart: {row['counterpart']}"
        description = _clean(row["description"])
        writer.writerow(
            [
                _clean(dates.iloc[i]),
                _clean(clock.iloc[i]),
                zone,
                "....",
                artifact_id.split(".", 1)[0].upper(),
                artifact_id,
                _clean(row["event"]),
                _clean(row["actor"]),
                _clean(row["exhibit"]),
                description[:80],
                description,
                "2",
                _clean(row["source_path"]),
                "-",
                "-",
                f"forensics_lib/{artifact_id}",
                _clean(extra),
            ]
        )


def timeline_to_string(timeline: pd.DataFrame) -> str:
    """The CSV export as a string (handy in notebooks and tests)."""
    buffer = io.StringIO()
    timeline_to_csv(timeline, buffer)
    return buffer.getvalue()
