"""The typed record schema shared by every reader.

Each artifact declares its columns once, as data (:class:`ArtifactSpec`): name, pandas
dtype and meaning. Readers finish with :func:`conform`, which casts and orders the
columns, so every DataFrame a reader returns has exactly the documented columns and
dtypes (a schema test checks this for every registered artifact).

Conventions (see ``../shared/STYLE.md``):

* time is ``datetime64[ns, UTC]`` from the reader's edge on;
* raw enum values stay beside their labels (``type`` = 2, ``type_label`` = "outgoing");
* every row carries its provenance: ``artifact``, ``source_path`` (the device path inside
  the exhibit) and a locator, ``row_id`` (database rows) or ``offset`` (bytes in a file).

Which datetime columns become timeline rows is declared per artifact with
:class:`TimelineRule` (a call gives a "call started" row and a "call ended" row).
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
from pandas.api.types import pandas_dtype

__all__ = [
    "BOOL",
    "FLOAT",
    "INT",
    "PROVENANCE",
    "STR",
    "TIME",
    "TIMELINE_COLUMNS",
    "ArtifactSpec",
    "Column",
    "SchemaError",
    "TimelineRule",
    "check_frame",
    "conform",
    "empty_frame",
    "template_fields",
]

# The dtype vocabulary. Strings use pandas 3's default string dtype ("str", NaN for
# missing); integers that may be missing use the nullable Int64.
TIME = "datetime64[ns, UTC]"
STR = "str"
INT = "Int64"
FLOAT = "float64"
BOOL = "boolean"
_DTYPES = frozenset({TIME, STR, INT, FLOAT, BOOL})


class SchemaError(TypeError):
    """A reader produced a frame that does not match its declared schema (a bug)."""


@dataclass(frozen=True)
class Column:
    """One documented output column."""

    name: str
    dtype: str
    description: str

    def __post_init__(self) -> None:
        if self.dtype not in _DTYPES:
            raise ValueError(f"column {self.name!r}: unknown dtype {self.dtype!r}")


@dataclass(frozen=True)
class TimelineRule:
    """How one datetime column of an artifact becomes timeline rows.

    ``event`` and ``description`` are ``str.format`` templates over the row's columns
    (``"{type_label} call with {number}"``); missing values render as empty text.
    ``actor``, ``counterpart``, ``lat`` and ``lon`` name columns (or are ``None``).
    Rows whose ``time`` column is NaT give no timeline row for this rule.
    """

    time: str
    event: str
    description: str = ""
    actor: str | None = None
    counterpart: str | None = None
    lat: str | None = None
    lon: str | None = None


Locator = Literal["row_id", "offset"]


def template_fields(template: str) -> list[str | None]:
    """Column names a ``str.format`` template refers to (``"{a} and {b:.1f}"`` -> a, b)."""
    return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]


@dataclass(frozen=True)
class ArtifactSpec:
    """What an artifact parser reads and what it returns.

    ``globs`` are device-path patterns (``**/databases/mmssms.db``) that locate the
    artifact inside an exhibit; ``magic`` lists ``(offset, bytes)`` signatures that
    identify a single file by content. ``columns`` are the artifact's own columns; the
    provenance columns (``artifact``, ``source_path`` and the locator) are appended.
    """

    id: str
    family: str
    description: str
    columns: tuple[Column, ...]
    locator: Locator = "row_id"
    timeline: tuple[TimelineRule, ...] = ()
    globs: tuple[str, ...] = ()
    magic: tuple[tuple[int, bytes], ...] = ()
    references: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        names = [c.name for c in self.all_columns]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ValueError(f"artifact {self.id!r}: duplicate columns {sorted(dupes)}")
        for rule in self.timeline:
            refs = [rule.time, rule.actor, rule.counterpart, rule.lat, rule.lon]
            refs += template_fields(rule.event) + template_fields(rule.description)
            for ref in refs:
                if ref is not None and ref not in names:
                    raise ValueError(f"artifact {self.id!r}: timeline names unknown {ref!r}")

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """The artifact's columns followed by the provenance columns."""
        return (*self.columns, *PROVENANCE[self.locator])

    @property
    def dtypes(self) -> dict[str, str]:
        return {c.name: c.dtype for c in self.all_columns}


PROVENANCE: Mapping[str, tuple[Column, ...]] = {
    locator: (
        Column("artifact", STR, "artifact id, e.g. android.sms"),
        Column("source_path", STR, "path of the source file inside the exhibit"),
        Column(
            locator,
            INT,
            "row id in the source table" if locator == "row_id" else "byte offset in the file",
        ),
    )
    for locator in ("row_id", "offset")
}

TIMELINE_COLUMNS: tuple[Column, ...] = (
    Column("time", TIME, "when the event happened (UTC)"),
    Column("exhibit", STR, "exhibit the event comes from"),
    Column("artifact", STR, "artifact id"),
    Column("event", STR, "what happened, short"),
    Column("description", STR, "what happened, in words"),
    Column("actor", STR, "who or what acted (account, number, aircraft)"),
    Column("counterpart", STR, "the other party, if any"),
    Column("lat", FLOAT, "latitude, decimal degrees WGS84"),
    Column("lon", FLOAT, "longitude, decimal degrees WGS84"),
    Column("source_path", STR, "path of the source file inside the exhibit"),
    Column("offset_or_row", INT, "row id or byte offset in the source file"),
)


def _cast(series: pd.Series, dtype: str) -> pd.Series:
    if dtype == TIME:
        if not isinstance(series.dtype, pd.DatetimeTZDtype):
            if len(series) and series.notna().any():
                raise SchemaError(f"column {series.name!r} is {series.dtype}, not tz-aware UTC")
            return series.astype(pandas_dtype(TIME))
        converted: pd.Series = series.dt.tz_convert("UTC").dt.as_unit("ns")
        return converted
    return series.astype(pandas_dtype(dtype))


def conform(frame: pd.DataFrame, columns: Sequence[Column] | ArtifactSpec) -> pd.DataFrame:
    """Return ``frame`` with exactly the declared columns, in order, with their dtypes.

    Raises :class:`SchemaError` when a declared column is missing, when there are extra
    columns, or when a time column is not timezone-aware (naive times are a bug: convert
    them with :mod:`forensics_lib.core.times` at the reader's edge).
    """
    cols = columns.all_columns if isinstance(columns, ArtifactSpec) else tuple(columns)
    names = [c.name for c in cols]
    missing = [n for n in names if n not in frame.columns]
    extra = [n for n in frame.columns if n not in names]
    if missing or extra:
        raise SchemaError(f"frame does not match schema: missing {missing}, unexpected {extra}")
    out = pd.DataFrame(
        {c.name: _cast(frame[c.name], c.dtype) for c in cols},
        index=pd.RangeIndex(len(frame)),
    )
    return out


def empty_frame(columns: Sequence[Column] | ArtifactSpec) -> pd.DataFrame:
    """An empty frame with the declared columns and dtypes."""
    cols = columns.all_columns if isinstance(columns, ArtifactSpec) else tuple(columns)
    return pd.DataFrame({c.name: pd.Series([], dtype=pandas_dtype(c.dtype)) for c in cols})


def check_frame(frame: pd.DataFrame, columns: Iterable[Column] | ArtifactSpec) -> list[str]:
    """List every difference between ``frame`` and the schema (empty when it conforms)."""
    cols = columns.all_columns if isinstance(columns, ArtifactSpec) else tuple(columns)
    problems: list[str] = []
    names = [c.name for c in cols]
    if list(frame.columns) != names:
        problems.append(f"columns {list(frame.columns)} != {names}")
    for c in cols:
        if c.name in frame.columns and str(frame[c.name].dtype) != c.dtype:
            problems.append(f"{c.name}: dtype {frame[c.name].dtype} != {c.dtype}")
    return problems
