"""One timeline over every exhibit.

:func:`build` turns artifact frames into rows of one canonical schema
(:data:`~forensics_lib.schema.TIMELINE_COLUMNS`): ``time`` (UTC), ``exhibit``,
``artifact``, ``event``, ``description``, ``actor``, ``counterpart``, ``lat``, ``lon``,
``source_path``, ``offset_or_row``. Which times of a record become rows, and how they
are described, is declared per artifact by its :class:`~forensics_lib.schema.TimelineRule`
list, in the manner of plaso's ``timeliner.yaml``: a call with a start and an end time
gives two rows. Exports and plots live in :mod:`forensics_lib.export` and
:mod:`forensics_lib.plots`.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from typing import TypeAlias

import numpy as np
import pandas as pd
from pandas.api.types import pandas_dtype

from forensics_lib import registry
from forensics_lib.schema import (
    TIMELINE_COLUMNS,
    ArtifactSpec,
    TimelineRule,
    conform,
    empty_frame,
)

__all__ = ["Frames", "build", "render_template", "rows_for"]

Frames: TypeAlias = "Iterable[pd.DataFrame] | Mapping[str, pd.DataFrame | Iterable[pd.DataFrame]]"
_TIMELINE_NAMES = [c.name for c in TIMELINE_COLUMNS]


def _as_text(column: pd.Series, spec: str) -> pd.Series:
    """Render one column as text, missing values as empty strings."""
    missing = column.isna()
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        text = column.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    elif spec:
        text = column.map(lambda v: "" if pd.isna(v) else format(v, spec))
    else:
        text = column.astype("str")
    rendered: pd.Series = text.where(~missing, "").astype("str")
    return rendered


def render_template(template: str, frame: pd.DataFrame) -> pd.Series:
    """Vectorised ``template.format(**row)`` for every row of ``frame``.

    Missing values render as empty text, and the template's own spaces around an empty
    field are dropped, so ``"{who} {action} {note}"`` with no note gives ``"A sealed"``,
    not ``"A sealed "``. The values themselves are never altered (an SMS body keeps its
    double spaces).
    """
    n = len(frame)
    out = pd.Series("", index=frame.index, dtype="str")
    # Per row: did the last field render empty, and does the text so far end in a space
    # (or is it still empty)? Then the next literal's leading spaces are redundant.
    prev_empty = np.zeros(n, dtype=bool)
    ends_blank = np.ones(n, dtype=bool)
    last_empty = np.zeros(n, dtype=bool)
    for literal, field, spec, _conversion in string.Formatter().parse(template):
        if literal:
            trimmed = literal.lstrip()
            trim = (prev_empty & ends_blank) | (ends_blank & (out.str.len() == 0).to_numpy())
            out = out + pd.Series(np.where(trim, trimmed, literal), index=frame.index, dtype="str")
            if trimmed:
                ends_blank = np.where(trim, trimmed[-1].isspace(), literal[-1].isspace())
            else:
                ends_blank = np.where(trim, ends_blank, literal[-1].isspace())
            prev_empty = np.zeros(n, dtype=bool)
            last_empty = np.zeros(n, dtype=bool)
        if field is not None:
            text = _as_text(frame[field], spec or "")
            empty = (text.str.len() == 0).to_numpy()
            out = out + text
            ends_blank = np.where(empty, ends_blank, text.str[-1:].str.isspace().to_numpy())
            prev_empty = empty
            last_empty = empty
    if last_empty.any():  # a template ending in an empty field: drop the spaces before it
        out = out.where(~last_empty, out.str.rstrip())
    return out


def _column_or_missing(frame: pd.DataFrame, name: str | None, dtype: str) -> pd.Series:
    if name is None:
        return pd.Series(np.nan, index=frame.index, dtype=pandas_dtype(dtype))
    column: pd.Series = frame[name].astype(pandas_dtype(dtype))
    return column


def rows_for(
    frame: pd.DataFrame, spec: ArtifactSpec, rule: TimelineRule, exhibit: str
) -> pd.DataFrame:
    """The timeline rows that ``rule`` makes from an artifact ``frame``."""
    dated = frame.loc[frame[rule.time].notna()].reset_index(drop=True)
    exhibits = pd.Series(exhibit, index=dated.index, dtype="str")
    rows = pd.DataFrame(
        {
            "time": dated[rule.time],
            "exhibit": exhibits,
            "artifact": dated["artifact"],
            "event": render_template(rule.event, dated),
            "description": render_template(rule.description, dated),
            "actor": _column_or_missing(dated, rule.actor, "str"),
            "counterpart": _column_or_missing(dated, rule.counterpart, "str"),
            "lat": _column_or_missing(dated, rule.lat, "float64"),
            "lon": _column_or_missing(dated, rule.lon, "float64"),
            "source_path": dated["source_path"],
            "offset_or_row": dated[spec.locator],
        }
    )
    return conform(rows, TIMELINE_COLUMNS)


def _flatten(frames: Frames, exhibit: str) -> Iterable[tuple[str, pd.DataFrame]]:
    if isinstance(frames, Mapping):
        for name, value in frames.items():
            if isinstance(value, pd.DataFrame):
                yield str(name), value
            else:
                for frame in value:
                    yield str(name), frame
    else:
        for frame in frames:
            yield exhibit, frame


def _spec_for(artifact_id: str, specs: Mapping[str, ArtifactSpec] | None) -> ArtifactSpec:
    if specs is not None and artifact_id in specs:
        return specs[artifact_id]
    return registry.get(artifact_id).spec


def build(
    frames: Frames,
    *,
    exhibit: str = "",
    specs: Mapping[str, ArtifactSpec] | None = None,
) -> pd.DataFrame:
    """Merge artifact frames into one timeline, sorted by time.

    ``frames`` is an iterable of DataFrames, or a mapping from exhibit name to a frame
    or to several. Each frame is either already in the timeline schema (kept as is), or
    an artifact frame whose ``artifact`` column names a registered artifact (or one in
    ``specs``), whose timeline rules say which rows to make. The exhibit of an artifact
    frame is its mapping key, else ``exhibit``.
    """
    parts: list[pd.DataFrame] = []
    for name, frame in _flatten(frames, exhibit):
        if frame.empty:
            continue
        if set(_TIMELINE_NAMES) <= set(frame.columns):
            parts.append(conform(frame[_TIMELINE_NAMES], TIMELINE_COLUMNS))
            continue
        if "artifact" not in frame.columns:
            raise ValueError("a frame without an 'artifact' column cannot go on the timeline")
        for artifact_id, group in frame.groupby("artifact", sort=False):
            spec = _spec_for(str(artifact_id), specs)
            for rule in spec.timeline:
                parts.append(rows_for(group, spec, rule, name))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return empty_frame(TIMELINE_COLUMNS)
    merged = pd.concat(parts, ignore_index=True)
    ordered = merged.sort_values(
        ["time", "exhibit", "artifact", "source_path", "offset_or_row"],
        kind="stable",
        na_position="last",
        ignore_index=True,
    )
    return conform(ordered, TIMELINE_COLUMNS)
