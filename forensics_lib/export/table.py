"""Table exports: one writer for every command's ``-o``, chosen by the file's suffix.

``NAME.csv``, ``NAME.json`` (one array of objects), ``NAME.jsonl`` (one object a line) and
``NAME.parquet`` (Apache Parquet, through pyarrow). Any other suffix is refused before
anything is read (:func:`table_format`), so ``-o calls.xlsx`` never writes CSV under a
misleading name.

Rows are streamed: the frame is converted and written ``chunk_rows`` rows at a time
(CSV and JSON text, or one Parquet row group per chunk through ``pyarrow.parquet.
ParquetWriter``), so writing costs one chunk of memory on top of the frame, never a
second copy of the whole table as text. Times are ISO 8601 UTC with nanoseconds and a
``Z`` in the text formats (lossless, as the timeline exports), and stay
``timestamp[ns, tz=UTC]`` in Parquet. The frame's ``attrs["warnings"]`` travel in the
Parquet schema metadata (key ``forensics_lib.warnings``), as pandas keeps its own there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from forensics_lib.core.errors import UnsupportedFormat
from forensics_lib.export.timeline import iso_utc

__all__ = [
    "CHUNK_ROWS",
    "TABLE_SUFFIXES",
    "iter_text_chunks",
    "table_format",
    "write_table",
    "write_table_stream",
    "write_timeline",
]

# Suffix -> format. One table, used by the CLI's check and by the writers.
TABLE_SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".parquet": "parquet",
}
CHUNK_ROWS = 50_000


def table_format(path: str | os.PathLike[str]) -> str:
    """The format a file name asks for (``csv``, ``json``, ``jsonl`` or ``parquet``).

    Raises :class:`UnsupportedFormat` for any other suffix (case-insensitive)."""
    suffix = Path(path).suffix.lower()
    try:
        return TABLE_SUFFIXES[suffix]
    except KeyError:
        known = ", ".join(TABLE_SUFFIXES)
        raise UnsupportedFormat(
            path, f"cannot tell what to write from the suffix {suffix or '(none)'!r}: use {known}"
        ) from None


def _chunks(frame: pd.DataFrame, chunk_rows: int) -> Iterator[pd.DataFrame]:
    step = max(int(chunk_rows), 1)
    for start in range(0, len(frame), step):
        yield frame.iloc[start : start + step]


def _text_value(value: Any) -> Any:
    """A JSON-ready value: None for missing, Python scalars for numpy ones."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        item = value.item()
        return None if isinstance(item, float) and np.isnan(item) else item
    if isinstance(value, bytes):
        return value.hex()
    return value


def iter_text_chunks(
    frame: pd.DataFrame, chunk_rows: int = CHUNK_ROWS, *, missing_time: str | None = ""
) -> Iterator[pd.DataFrame]:
    """Chunks of ``frame`` with every tz-aware time as ISO UTC text (``...Z``); a missing
    time becomes ``missing_time`` (empty text for CSV, None for JSON's null)."""
    times = [n for n in frame.columns if isinstance(frame[n].dtype, pd.DatetimeTZDtype)]
    for chunk in _chunks(frame, chunk_rows):
        if times:
            chunk = chunk.copy()
            for name in times:
                text = iso_utc(chunk[name]).astype(object)
                chunk[name] = text.where(chunk[name].notna(), missing_time)
        yield chunk


def _write_csv(frame: pd.DataFrame, handle: IO[str], chunk_rows: int) -> None:
    header = True
    for chunk in iter_text_chunks(frame, chunk_rows):
        chunk.to_csv(handle, index=False, header=header, lineterminator="\n")
        header = False
    if header:  # no rows: the header alone says which columns there would be
        frame.to_csv(handle, index=False, lineterminator="\n")


def _records(chunk: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of Python values, None for every missing one (vectorised: pandas
    turns numpy scalars into Python ones; bytes are left for :func:`_json_default`)."""
    clean = chunk.astype(object).where(chunk.notna(), None)
    clean.columns = [str(c) for c in clean.columns]
    return clean.to_dict(orient="records")  # type: ignore[return-value]


def _json_default(value: Any) -> Any:
    """What ``json.dumps`` cannot write itself: bytes as hex, numpy scalars, else text."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, np.generic):
        return _text_value(value)
    return str(value)


def _write_json(frame: pd.DataFrame, handle: IO[str], chunk_rows: int, *, lines: bool) -> None:
    first = True
    if not lines:
        handle.write("[")
    for chunk in iter_text_chunks(frame, chunk_rows, missing_time=None):
        for record in _records(chunk):
            text = json.dumps(record, ensure_ascii=False, default=_json_default)
            if lines:
                handle.write(text + "\n")
            else:
                handle.write(("\n  " if first else ",\n  ") + text)
            first = False
    if not lines:
        handle.write("]\n" if first else "\n]\n")


def _arrow_schema(frame: pd.DataFrame) -> Any:
    """The Parquet schema of the whole frame, decided once (a column empty in the first
    chunk must not fix its type to null). Object columns take the type of their values,
    or string when they mix types; pandas' own metadata is kept, so nullable integers and
    zones read back as they were written."""
    import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow 26 ships no stubs

    schema = pa.Schema.from_pandas(frame.iloc[:1], preserve_index=False)
    for i, name in enumerate(frame.columns):
        col = frame[name]
        if col.dtype != object:
            continue
        values = col.dropna().head(10_000).tolist()
        try:
            kind = pa.infer_type(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            kind = pa.string()
        if pa.types.is_null(kind):
            kind = pa.string()
        schema = schema.set(i, pa.field(str(name), kind))
    warnings_seen = [str(w) for w in frame.attrs.get("warnings", [])]
    if warnings_seen:
        meta = dict(schema.metadata or {})
        meta[b"forensics_lib.warnings"] = json.dumps(warnings_seen).encode()
        schema = schema.with_metadata(meta)
    return schema


def _arrow_chunk(chunk: pd.DataFrame, schema: Any) -> Any:
    import pyarrow as pa

    chunk = chunk.rename(columns=str)
    try:
        return pa.Table.from_pandas(chunk, schema=schema, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        # a value of another type further down (e.g. text in a numeric-looking column):
        # write the odd columns as text rather than fail or drop them
        fixed = chunk.copy()
        for field in schema:
            if pa.types.is_string(field.type):
                fixed[field.name] = fixed[field.name].map(
                    lambda v: None if _text_value(v) is None else str(v)
                )
        return pa.Table.from_pandas(fixed, schema=schema, preserve_index=False)


def _write_parquet(frame: pd.DataFrame, path: Path, chunk_rows: int) -> None:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    schema = _arrow_schema(frame)
    with pq.ParquetWriter(path, schema) as writer:
        for chunk in _chunks(frame, chunk_rows):
            writer.write_table(_arrow_chunk(chunk, schema))
        if frame.empty:
            writer.write_table(schema.empty_table())


def write_table_stream(
    frame: pd.DataFrame, fmt: str, handle: IO[str], *, chunk_rows: int = CHUNK_ROWS
) -> None:
    """Write ``frame`` as ``csv``, ``json`` or ``jsonl`` text to an open stream, streamed."""
    if fmt == "csv":
        _write_csv(frame, handle, chunk_rows)
    elif fmt in ("json", "jsonl"):
        _write_json(frame, handle, chunk_rows, lines=fmt == "jsonl")
    else:
        raise ValueError(f"a text stream takes csv, json or jsonl, not {fmt!r}")


def write_table(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Path:
    """Write ``frame`` to ``path`` in the format its suffix names (or ``fmt``), streamed.

    The file is written under a temporary name beside the target and renamed when
    complete, so an interrupted export never leaves a half file under the real name.
    Returns the path written."""
    out = Path(path)
    kind = fmt or table_format(out)
    tmp = out.with_name(out.name + ".part")
    try:
        if kind == "parquet":
            _write_parquet(frame, tmp, chunk_rows)
        else:
            with tmp.open("w", encoding="utf-8", newline="") as handle:
                write_table_stream(frame, kind, handle, chunk_rows=chunk_rows)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def write_timeline(
    timeline: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    l2tcsv: bool = False,
    zone: str = "UTC",
) -> Path:
    """Write a timeline in the format its suffix names: ``.csv`` (or plaso's l2tcsv when
    ``l2tcsv``), ``.jsonl``, ``.json`` or ``.parquet``, every column of the timeline
    schema in its order. For ``timeline -o`` and ``case timeline -o``."""
    from forensics_lib.core.schema import TIMELINE_COLUMNS, conform
    from forensics_lib.export.timeline import timeline_to_csv, timeline_to_jsonl, timeline_to_l2tcsv

    out = Path(path)
    kind = table_format(out)
    if l2tcsv and kind != "csv":
        raise UnsupportedFormat(out, "l2tcsv is a CSV dialect: name the file .csv")
    if kind == "json" or kind == "parquet":
        return write_table(conform(timeline, TIMELINE_COLUMNS), out, fmt=kind)
    tmp = out.with_name(out.name + ".part")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            if kind == "jsonl":
                timeline_to_jsonl(timeline, handle)
            elif l2tcsv:
                timeline_to_l2tcsv(timeline, handle, zone=zone)
            else:
                timeline_to_csv(timeline, handle)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out
