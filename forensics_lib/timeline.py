"""One timeline over every exhibit.

:func:`build` turns artifact frames into rows of one canonical schema
(:data:`~forensics_lib.core.schema.TIMELINE_COLUMNS`): ``time`` (UTC), ``exhibit``,
``artifact``, ``event``, ``description``, ``actor``, ``counterpart``, ``lat``, ``lon``,
``source_path``, ``offset_or_row``. Which times of a record become rows, and how they
are described, is declared per artifact by its :class:`~forensics_lib.core.schema.TimelineRule`
list, in the manner of plaso's ``timeliner.yaml``: a call with a start and an end time
gives two rows. A record none of whose rule times is known (a drone log without GPS time,
an SRT read without ``--zone``) cannot be placed on the UTC timeline: it is counted
(:func:`undated`), and :func:`build` says so in the result's ``attrs["warnings"]`` (with the
counts in ``attrs["undated"]``), never dropped silently. Exports and plots live in
:mod:`forensics_lib.export` and :mod:`forensics_lib.plots`.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from typing import TypeAlias

import numpy as np
import pandas as pd
from pandas.api.types import pandas_dtype

from forensics_lib.core import registry
from forensics_lib.core.schema import (
    TIMELINE_COLUMNS,
    ArtifactSpec,
    TimelineRule,
    conform,
    empty_frame,
)

__all__ = [
    "Frames",
    "build",
    "render_template",
    "rows_for",
    "undated",
    "undated_note",
    "undated_rows",
]

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


def undated_rows(frame: pd.DataFrame, spec: ArtifactSpec) -> int:
    """How many rows of an artifact ``frame`` no timeline rule of ``spec`` can place: every
    rule's time is missing (NaT). An artifact without rules (a drone track, kept off the
    timeline by design) has none; a call with a start but no end is placed (by its start)."""
    rules = [r for r in spec.timeline if r.time in frame.columns]
    if frame.empty or not rules:
        return 0
    placed = np.zeros(len(frame), dtype=bool)
    for rule in rules:
        placed |= frame[rule.time].notna().to_numpy()
    return int((~placed).sum())


def undated(
    frames: Iterable[pd.DataFrame], specs: Mapping[str, ArtifactSpec] | None = None
) -> dict[str, int]:
    """Per artifact id, the rows of ``frames`` (artifact frames) without absolute time:
    :func:`undated_rows` of each. Frames already in the timeline schema are skipped."""
    counts: dict[str, int] = {}
    for frame in frames:
        if frame.empty or "artifact" not in frame.columns:
            continue
        if set(_TIMELINE_NAMES) <= set(frame.columns):
            continue
        for artifact_id, group in frame.groupby("artifact", sort=False):
            n = undated_rows(group, _spec_for(str(artifact_id), specs))
            if n:
                counts[str(artifact_id)] = counts.get(str(artifact_id), 0) + n
    return counts


def undated_note(artifact_id: str, count: int, columns: Iterable[str] = ()) -> str:
    """The sentence for ``count`` rows of an artifact that have no absolute time, naming
    where their time is (``columns``: the artifact frame's columns)."""
    names = set(columns)
    if "time_boot_s" in names:
        family = "drone events" if artifact_id == "drone.events" else artifact_id
        where = f"boot-relative times in {family} (time_boot_s)"
    elif any(c.endswith("_local") for c in names):
        local = sorted(c for c in names if c.endswith("_local"))[0]
        where = f"local wall times in {local} (give --zone to place them)"
    else:
        where = "their time is missing or unreadable"
    return f"{count} rows without absolute time: not on the UTC timeline; {where}"


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
    # Rows no rule could place: (exhibit, artifact, count) as the inputs already said, then
    # this call's own, per exhibit and artifact (with the frame's columns, for the note).
    carried: list[tuple[str, str, int]] = []
    said: list[str] = []
    own: dict[tuple[str, str], int] = {}
    columns: dict[tuple[str, str], list[str]] = {}
    for name, frame in _flatten(frames, exhibit):
        if set(_TIMELINE_NAMES) <= set(frame.columns):
            said += [str(w) for w in frame.attrs.get("warnings", [])]
            carried += [(str(e), str(a), int(n)) for e, a, n in frame.attrs.get("undated", [])]
            if not frame.empty:
                parts.append(conform(frame[_TIMELINE_NAMES], TIMELINE_COLUMNS))
            continue
        if frame.empty:
            continue
        if "artifact" not in frame.columns:
            raise ValueError("a frame without an 'artifact' column cannot go on the timeline")
        for artifact_id, group in frame.groupby("artifact", sort=False):
            spec = _spec_for(str(artifact_id), specs)
            for rule in spec.timeline:
                parts.append(rows_for(group, spec, rule, name))
            n = undated_rows(group, spec)
            if n:
                key = (name, str(artifact_id))
                own[key] = own.get(key, 0) + n
                columns.setdefault(key, list(group.columns))
    for (name, artifact_id), n in own.items():
        note = f"{artifact_id}: {undated_note(artifact_id, n, columns[(name, artifact_id)])}"
        said.append(f"{name}: {note}" if name else note)
    parts = [p for p in parts if not p.empty]
    if not parts:
        result = empty_frame(TIMELINE_COLUMNS)
    else:
        merged = pd.concat(parts, ignore_index=True)
        ordered = merged.sort_values(
            ["time", "exhibit", "artifact", "source_path", "offset_or_row"],
            kind="stable",
            na_position="last",
            ignore_index=True,
        )
        result = conform(ordered, TIMELINE_COLUMNS)
    left_out = [*carried, *((e, a, n) for (e, a), n in own.items())]
    if left_out:
        result.attrs["undated"] = left_out
    if said:
        result.attrs["warnings"] = list(dict.fromkeys(said))
    return result
