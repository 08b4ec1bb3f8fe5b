"""Wall times and zoned times: :func:`from_local` localises a naive wall time with
:mod:`zoneinfo` (refusing an ambiguous or nonexistent one unless told what to do),
:func:`to_utc` normalises a time that carries its zone, :func:`zone_info` names a zone.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api.typing import NaTType

from forensics_lib.core.errors import ForensicsWarning, TimestampError
from forensics_lib.core.times.epochs import (
    I64,
    NAIVE_MAX_NS,
    NAIVE_MIN_NS,
    NAT,
    NS_MAX,
    NS_MIN,
    RANGE_TEXT,
    Ambiguous,
    Bool,
    DatetimeLike,
    Missing,
    Nonexistent,
    Result,
    UTCSeries,
    VectorLike,
    is_missing,
    is_vector,
    ns_timestamp,
    show,
    utc_series,
)

# --------------------------------------------------------------------------------------------
# Wall times and zoned times
# --------------------------------------------------------------------------------------------

_UTC_MIN = pd.Timestamp(NS_MIN, unit="ns", tz="UTC")
_UTC_MAX = pd.Timestamp(NS_MAX, unit="ns", tz="UTC")
_NUMBER_HINT = (
    "a number needs an epoch: use from_unix, from_cocoa, from_webkit, ... "
    "or decode_timestamp() to list the candidates"
)
_ISO_HINT = (
    "expected ISO 8601 text such as '2024-07-01 12:00:00' or '2024-07-01T10:00:00Z'; "
    "parse other layouts with an explicit format first (01/02/2024 is never guessed)"
)


@dataclass(frozen=True)
class _Datetimes:
    """Parsed date-times as ns: naive wall times and (converted to UTC) zoned times."""

    naive_ns: I64  # NaT where the input was not naive
    aware_ns: I64  # UTC; NaT where the input was not zoned
    missing: Bool
    bad: Bool
    index: pd.Index[Any] | None
    name: Hashable | None
    source: npt.NDArray[Any]  # the inputs, for messages


def _parse_datetime(value: object) -> pd.Timestamp | None:
    """One date-time as a Timestamp (naive or zoned), ``None`` if missing."""
    if is_missing(value):
        return None
    if isinstance(value, bool | np.bool_ | numbers.Number | Decimal):
        raise TimestampError(f"{show(value)} is a number, not a date-time: {_NUMBER_HINT}")
    try:
        if isinstance(value, str):
            parsed = pd.to_datetime(value.strip(), format="ISO8601")
        elif isinstance(value, datetime | date | np.datetime64):
            parsed = pd.Timestamp(value)
        else:
            raise TimestampError(
                f"{show(value)} ({type(value).__name__}) is not a date-time; {_ISO_HINT}"
            )
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, TimestampError):
            raise
        raise TimestampError(f"{show(value)} is not a date-time: {_ISO_HINT}") from exc
    if pd.isna(parsed):
        raise TimestampError(f"{show(value)} is not a date-time: {_ISO_HINT}")
    return parsed


def _timestamp_ns(ts: pd.Timestamp) -> tuple[int, int]:
    """(naive ns, UTC ns), one of them NaT; raise if outside the ns range."""
    if ts.tz is None:
        if not pd.Timestamp(NAIVE_MIN_NS) <= ts <= pd.Timestamp(NAIVE_MAX_NS):
            raise TimestampError(
                f"wall time {ts} is outside 1677-09-22..2262-04-10, the range that stays inside "
                f"{RANGE_TEXT} (nanoseconds) in every zone"
            )
        return ts.as_unit("ns").value, NAT
    utc = ts.tz_convert("UTC")
    if not _UTC_MIN <= utc <= _UTC_MAX:
        raise TimestampError(f"{ts} is outside {RANGE_TEXT}, the range pandas holds in ns")
    return NAT, utc.as_unit("ns").value


def _scalar_datetimes(value: object) -> _Datetimes:
    source = np.empty(1, dtype=object)
    source[0] = value
    parsed = _parse_datetime(value)
    naive, aware = (NAT, NAT) if parsed is None else _timestamp_ns(parsed)
    return _Datetimes(
        np.array([naive], dtype=np.int64),
        np.array([aware], dtype=np.int64),
        np.array([parsed is None]),
        np.zeros(1, dtype=bool),
        None,
        None,
        source,
    )


def _index_ns(parsed: pd.DatetimeIndex, bad: Bool) -> I64:
    kept = pd.DatetimeIndex(parsed.where(~bad))
    return np.asarray(kept.as_unit("ns").asi8, dtype=np.int64).copy()


def _vector_datetimes(values: object, func: str) -> _Datetimes:
    index: pd.Index[Any] | None = None
    name: Hashable | None = None
    if isinstance(values, pd.Series):
        series = values
        index, name = series.index, series.name
    elif isinstance(values, pd.Index):
        series = pd.Series(values.array)
    elif isinstance(values, np.ndarray):
        array = cast("npt.NDArray[Any]", values)
        if array.ndim != 1:
            raise TimestampError(f"{func}: expected a 1-d array, got shape {array.shape}")
        series = pd.Series(array)
    else:
        items = cast("list[Any] | tuple[Any, ...]", values)
        holder = np.empty(len(items), dtype=object)
        for i, item in enumerate(items):
            holder[i] = item
        series = pd.Series(holder)
    n = len(series)
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        raise TimestampError(f"{func}: got numbers ({dtype}), not date-times; {_NUMBER_HINT}")
    missing = series.isna().to_numpy(dtype=bool)
    source = series.to_numpy(dtype=object)
    parsed: pd.Series[Any] | None = None
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        parsed = series
    elif pd.api.types.infer_dtype(series, skipna=True) in {"string", "datetime", "date"}:
        try:
            parsed = pd.Series(pd.to_datetime(series, format="ISO8601"))
        except (ValueError, TypeError, OverflowError):
            parsed = None  # mixed zones, or some entries do not parse: go one by one
    naive_ns = np.full(n, NAT, dtype=np.int64)
    aware_ns = np.full(n, NAT, dtype=np.int64)
    bad = np.zeros(n, dtype=bool)
    if parsed is not None:
        stamps = pd.DatetimeIndex(parsed)
        lost = ~missing & np.asarray(stamps.isna())
        if stamps.tz is None:
            low, high = pd.Timestamp(NAIVE_MIN_NS), pd.Timestamp(NAIVE_MAX_NS)
            bad = lost | np.asarray((stamps < low) | (stamps > high))
            naive_ns = _index_ns(stamps, bad)
        else:
            stamps = stamps.tz_convert("UTC")
            bad = lost | np.asarray((stamps < _UTC_MIN) | (stamps > _UTC_MAX))
            aware_ns = _index_ns(stamps, bad)
    else:
        for pos in np.flatnonzero(~missing):
            try:
                one = _parse_datetime(source[pos])
                if one is not None:
                    naive_ns[pos], aware_ns[pos] = _timestamp_ns(one)
            except TimestampError:
                bad[pos] = True
    return _Datetimes(naive_ns, aware_ns, missing, bad, index, name, source)


def _datetime_problem(func: str, d: _Datetimes) -> str | None:
    count = int(d.bad.sum())
    if not count:
        return None
    first = ", ".join(show(d.source[i]) for i in np.flatnonzero(d.bad)[:3])
    return (
        f"{func}: {count} of {len(d.bad)} values were not date-times pandas can hold "
        f"(unparseable, or outside {RANGE_TEXT}) and became NaT; first: {first}"
    )


def zone_info(zone: object) -> ZoneInfo:
    """The IANA zone ``zone`` names (or is); :class:`TimestampError` saying what to give
    when it is unknown. Every ``zone=`` argument of the kit is checked this way."""
    return _zone(zone)


def _zone(zone: object) -> ZoneInfo:
    if isinstance(zone, ZoneInfo):
        return zone
    if isinstance(zone, str):
        try:
            return ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise TimestampError(
        f"unknown time zone {show(zone)}: give an IANA name such as 'Europe/Brussels' "
        "(zoneinfo.available_timezones() lists them); fixed offsets are not zones"
    )


def _localize(naive_ns: I64, tz: ZoneInfo, ambiguous: Ambiguous, nonexistent: Nonexistent) -> I64:
    """Naive wall-time ns in ``tz`` to UTC ns, applying the DST policies."""
    n = len(naive_ns)
    has = naive_ns != NAT
    if not has.any():
        return np.full(n, NAT, dtype=np.int64)
    local = pd.DatetimeIndex(naive_ns.view("M8[ns]"))
    early = np.asarray(
        local.tz_localize(tz, ambiguous=np.ones(n, dtype=bool), nonexistent="NaT")
        .tz_convert("UTC")
        .asi8,
        dtype=np.int64,
    )
    late = np.asarray(
        local.tz_localize(tz, ambiguous=np.zeros(n, dtype=bool), nonexistent="NaT")
        .tz_convert("UTC")
        .asi8,
        dtype=np.int64,
    )
    gap = has & (early == NAT)
    twice = has & ~gap & (early != late)
    if gap.any() and nonexistent == "raise":
        i = int(np.flatnonzero(gap)[0])
        more = f" ({int(gap.sum())} such wall times)" if gap.sum() > 1 else ""
        raise TimestampError(
            f"wall time {local[i]} does not exist in {tz.key}: the clocks jumped forward over "
            f"it{more}. A nonexistent time often means a wrong zone or a clock set by hand. "
            "Pass nonexistent='shift_forward' to move it to the first valid time after the gap, "
            "or nonexistent='NaT' to drop it"
        )
    if twice.any() and ambiguous == "raise":
        i = int(np.flatnonzero(twice)[0])
        first, second = sorted((int(early[i]), int(late[i])))
        more = f" ({int(twice.sum())} such wall times)" if twice.sum() > 1 else ""
        raise TimestampError(
            f"wall time {local[i]} is ambiguous in {tz.key}: it happened twice as the clocks went "
            f"back, at {ns_timestamp(first).isoformat()} and "
            f"{ns_timestamp(second).isoformat()}{more}."
            " Pass ambiguous='earliest' (the first pass) or ambiguous='latest' (the second), "
            "decided from the record order or a neighbouring UTC time, or ambiguous='NaT'"
        )
    out = early.copy()
    if ambiguous == "earliest":
        out[twice] = np.minimum(early, late)[twice]
    elif ambiguous == "latest":
        out[twice] = np.maximum(early, late)[twice]
    else:
        out[twice] = NAT
    if gap.any() and nonexistent == "shift_forward":
        shifted = local[gap].tz_localize(
            tz, ambiguous=np.ones(int(gap.sum()), dtype=bool), nonexistent="shift_forward"
        )
        out[gap] = np.asarray(shifted.tz_convert("UTC").asi8, dtype=np.int64)
    else:
        out[gap] = NAT
    return out


def _from_datetimes(d: _Datetimes, utc_ns: I64, vector: bool) -> Result:
    ok = utc_ns != NAT
    if vector:
        return utc_series(utc_ns, ok, d.index, d.name)
    return ns_timestamp(int(utc_ns[0])) if ok[0] else pd.NaT


@overload
def from_local(
    wall_time: Missing,
    zone: str | ZoneInfo,
    *,
    ambiguous: Ambiguous = "raise",
    nonexistent: Nonexistent = "raise",
) -> NaTType: ...
@overload
def from_local(
    wall_time: DatetimeLike | pd.Timestamp,
    zone: str | ZoneInfo,
    *,
    ambiguous: Ambiguous = "raise",
    nonexistent: Nonexistent = "raise",
) -> pd.Timestamp: ...
@overload
def from_local(
    wall_time: VectorLike,
    zone: str | ZoneInfo,
    *,
    ambiguous: Ambiguous = "raise",
    nonexistent: Nonexistent = "raise",
) -> UTCSeries: ...
def from_local(
    wall_time: object,
    zone: str | ZoneInfo,
    *,
    ambiguous: Ambiguous = "raise",
    nonexistent: Nonexistent = "raise",
) -> Result:
    """A naive local wall time in the IANA ``zone`` (e.g. ``"Europe/Brussels"``) to UTC.

    ``wall_time`` is a ``datetime``/``Timestamp``, ISO 8601 text, or an array of them. At a DST
    change a wall time can be *ambiguous* (the hour repeated when clocks go back) or
    *nonexistent* (the hour skipped when they go forward); both raise TimestampError unless
    ``ambiguous="earliest" | "latest" | "NaT"`` or ``nonexistent="shift_forward" | "NaT"`` says
    what to do. ``"shift_forward"`` moves a skipped time to the end of the gap (02:30 -> 03:00).
    A wall time that already carries a zone or offset is *converted* to UTC, not relocalised:
    ``zone`` is then only checked to be a real zone, never applied.

    >>> from_local("2024-07-01 12:00", "Europe/Brussels")  # CEST is UTC+2
    Timestamp('2024-07-01 10:00:00+0000', tz='UTC')
    """
    func = "from_local"
    tz = _zone(zone)
    if ambiguous not in ("raise", "earliest", "latest", "NaT"):
        raise TimestampError(f"ambiguous={ambiguous!r}: use 'raise', 'earliest', 'latest', 'NaT'")
    if nonexistent not in ("raise", "shift_forward", "NaT"):
        raise TimestampError(f"nonexistent={nonexistent!r}: use 'raise', 'shift_forward', 'NaT'")
    vector = is_vector(wall_time)
    d = _vector_datetimes(wall_time, func) if vector else _scalar_datetimes(wall_time)
    local_utc = _localize(d.naive_ns, tz, ambiguous, nonexistent)
    utc_ns = np.where(d.naive_ns != NAT, local_utc, d.aware_ns)
    problem = _datetime_problem(func, d)
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return _from_datetimes(d, utc_ns, vector)


@overload
def to_utc(value: Missing) -> NaTType: ...
@overload
def to_utc(value: DatetimeLike | pd.Timestamp) -> pd.Timestamp: ...
@overload
def to_utc(value: VectorLike) -> UTCSeries: ...
def to_utc(value: object) -> Result:
    """A date-time that carries its zone or offset (aware ``datetime``, ``Timestamp``, ISO text
    with ``Z`` or ``+hh:mm``, or an array of them) as UTC.

    A naive time raises TimestampError: its zone is a fact to establish, not to assume; say it
    with :func:`from_local`. A number raises too: it needs an epoch (see :func:`decode_timestamp`).

    >>> to_utc("2024-07-01T12:00:00+02:00")
    Timestamp('2024-07-01 10:00:00+0000', tz='UTC')
    """
    func = "to_utc"
    vector = is_vector(value)
    d = _vector_datetimes(value, func) if vector else _scalar_datetimes(value)
    naive = d.naive_ns != NAT
    if naive.any():
        i = int(np.flatnonzero(naive)[0])
        more = f" ({int(naive.sum())} naive values)" if naive.sum() > 1 else ""
        raise TimestampError(
            f"naive time {show(d.source[i])}{more}: say which zone with from_local(value, "
            "'Europe/Brussels'), or add the offset the source recorded"
        )
    problem = _datetime_problem(func, d)
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return _from_datetimes(d, d.aware_ns, vector)
