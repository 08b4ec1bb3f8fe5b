"""GPS time to UTC: seconds since 1980-01-06 and week + time of week, with the leap seconds
of :data:`~forensics_lib.core.times.LEAP_SECONDS` (IERS Bulletin C).
"""

from __future__ import annotations

import warnings
from typing import Any, overload

import numpy as np
import pandas as pd
from pandas.api.typing import NaTType

from forensics_lib.core.errors import ForensicsWarning, TimestampError
from forensics_lib.core.times.epochs import (
    GPS_EPOCH_UNIX_S,
    GPS_S,
    GPS_TOW,
    GPS_WEEK,
    I64,
    LEAP_OFFSETS,
    LEAP_UTC_NS,
    NS_MAX,
    RANGE_TEXT,
    WEEK_NS,
    Bool,
    Column,
    DatetimeLike,
    Missing,
    NumberLike,
    Result,
    S,
    UTCSeries,
    VectorLike,
    checked_add,
    column,
    column_ns,
    column_problem,
    is_missing,
    is_vector,
    ns_timestamp,
    scalar_ns,
    show,
    utc_series,
)
from forensics_lib.core.times.local import to_utc

# --------------------------------------------------------------------------------------------
# GPS
# --------------------------------------------------------------------------------------------


def _gps_minus_utc(utc_ns: I64) -> I64:
    index = np.searchsorted(np.array(LEAP_UTC_NS, dtype=np.int64), utc_ns, side="right")
    return np.array(LEAP_OFFSETS, dtype=np.int64)[index]


def gps_to_utc(label_ns: I64, ok: Bool) -> I64:
    """GPS time (as if it were UTC) to UTC ns.

    First guess the offset at the GPS instant, then look it up again at the GPS instant minus
    that guess: one iteration is enough because leaps are at least six months apart. Just after
    a leap this gives the new offset; inside the leap second itself (23:59:60 UTC, which POSIX
    time cannot name) it gives 00:00:00 of the next day, as a POSIX clock shows it.
    """
    label = np.where(ok, label_ns, 0)
    first = _gps_minus_utc(label)
    offset = _gps_minus_utc(label - first * S)
    return label - offset * S


def gps_utc_offset(utc_timestamp: DatetimeLike | pd.Timestamp) -> int:
    """GPS - UTC in whole seconds at a UTC instant, from :data:`LEAP_SECONDS`.

    The instant must carry its zone (see :func:`to_utc`) and fall on or after the GPS epoch.

    >>> gps_utc_offset("2016-12-31T23:59:59Z"), gps_utc_offset("2017-01-01T00:00:00Z")
    (17, 18)
    """
    ts = to_utc(utc_timestamp)
    if pd.isna(ts):
        raise TimestampError("gps_utc_offset: a missing time has no GPS - UTC offset")
    ns = ts.value
    if ns < GPS_EPOCH_UNIX_S * S:
        raise TimestampError(f"gps_utc_offset: {ts} is before the GPS epoch (1980-01-06)")
    return int(_gps_minus_utc(np.array([ns], dtype=np.int64))[0])


@overload
def from_gps_seconds(value: Missing) -> NaTType: ...
@overload
def from_gps_seconds(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_gps_seconds(value: VectorLike) -> UTCSeries: ...
def from_gps_seconds(value: object) -> Result:
    """Seconds of GPS time since 1980-01-06T00:00:00 (GPS), to UTC with leap seconds removed.

    >>> from_gps_seconds(1_000_000_000)  # 2011-09-14T01:46:40 GPS, GPS - UTC = 15 s
    Timestamp('2011-09-14 01:46:25+0000', tz='UTC')
    """
    func = "from_gps_seconds"
    if is_vector(value):
        col = column(value, func)
        label, ok = column_ns(col, GPS_S)
        ok &= label >= GPS_S.offset_ns
        utc = gps_to_utc(label, ok)
        what = "GPS seconds (s since 1980-01-06, not negative)"
        problem = column_problem(func, what, col, ~col.missing & ~ok)
        if problem:
            warnings.warn(problem, ForensicsWarning, stacklevel=2)
        return utc_series(utc, ok, col.index, col.name)
    if is_missing(value):
        return pd.NaT
    label_ns = scalar_ns(value, GPS_S)
    if label_ns < GPS_S.offset_ns:
        raise TimestampError(
            f"GPS seconds value {show(value)} is negative: GPS time starts at 1980-01-06"
        )
    one = np.array([label_ns], dtype=np.int64)
    return ns_timestamp(int(gps_to_utc(one, np.ones(1, dtype=bool))[0]))


def _gps_week_tow_vector(week: object, tow: object, func: str) -> tuple[UTCSeries, str | None]:
    columns: list[Column] = []
    for part in (week, tow):
        if is_vector(part):
            columns.append(column(part, func))
        else:
            single = np.empty(1, dtype=object)
            single[0] = part
            columns.append(Column(single, np.array([is_missing(part)]), None, None))
    week_col, tow_col = columns
    n = max(len(week_col.data), len(tow_col.data))
    for col in columns:
        if len(col.data) not in (1, n):
            raise TimestampError(
                f"{func}: week and time of week have different lengths "
                f"({len(week_col.data)} and {len(tow_col.data)})"
            )
    week_ns, week_ok = column_ns(week_col, GPS_WEEK)
    tow_ns, tow_ok = column_ns(tow_col, GPS_TOW)
    week_ok &= (week_ns >= 0) & (week_ns % WEEK_NS == 0)
    tow_ok &= (tow_ns >= 0) & (tow_ns < WEEK_NS)
    week_ns, tow_ns = np.broadcast_to(week_ns, n), np.broadcast_to(tow_ns, n)
    missing = np.broadcast_to(week_col.missing, n) | np.broadcast_to(tow_col.missing, n)
    ok = np.broadcast_to(week_ok, n) & np.broadcast_to(tow_ok, n) & ~missing
    epoch = np.full(n, GPS_EPOCH_UNIX_S * S, dtype=np.int64)
    label, ok = checked_add(epoch, week_ns, ok)
    label, ok = checked_add(label, tow_ns, ok)
    utc = gps_to_utc(label, ok)
    labelled = week_col if week_col.index is not None else tow_col
    bad = ~missing & ~ok
    problem = None
    if bad.any():
        first = ", ".join(
            f"({show(week_col.data[i % len(week_col.data)])}, "
            f"{show(tow_col.data[i % len(tow_col.data)])})"
            for i in np.flatnonzero(bad)[:3]
        )
        problem = (
            f"{func}: {int(bad.sum())} of {n} (week, time of week) pairs were invalid (week not a "
            f"whole number >= 0, time of week outside 0..604_799_999 ms, or outside {RANGE_TEXT})"
            f" and became NaT; first: {first}"
        )
    return utc_series(utc, ok, labelled.index, labelled.name), problem


@overload
def from_gps(week: Missing, time_of_week_ms: Any) -> NaTType: ...
@overload
def from_gps(week: Any, time_of_week_ms: Missing) -> NaTType: ...
@overload
def from_gps(week: NumberLike, time_of_week_ms: NumberLike) -> pd.Timestamp: ...
@overload
def from_gps(week: VectorLike, time_of_week_ms: VectorLike | NumberLike) -> UTCSeries: ...
@overload
def from_gps(week: NumberLike, time_of_week_ms: VectorLike) -> UTCSeries: ...
def from_gps(week: object, time_of_week_ms: object) -> Result:
    """GPS week number and time of week in ms (ArduPilot ``GPS.GWk`` / ``GPS.GMS``) to UTC.

    ``week`` is the full week count since 1980-01-06 (ArduPilot's ``GWk``, e.g. 2018), not the
    10-bit broadcast week that rolls over every 1024 weeks: add the rollovers yourself. Leap
    seconds come from :data:`LEAP_SECONDS`. Either argument may be an array; a scalar is
    broadcast against the other. Week 0, time 0 is what a receiver without a fix reports.

    >>> from_gps(2018, 0)  # 2018 weeks after 1980-01-06 = 2018-09-09T00:00:00 GPS, 18 s ahead
    Timestamp('2018-09-08 23:59:42+0000', tz='UTC')
    """
    func = "from_gps"
    if is_vector(week) or is_vector(time_of_week_ms):
        series, problem = _gps_week_tow_vector(week, time_of_week_ms, func)
        if problem:
            warnings.warn(problem, ForensicsWarning, stacklevel=2)
        return series
    if is_missing(week) or is_missing(time_of_week_ms):
        return pd.NaT
    week_ns = scalar_ns(week, GPS_WEEK)
    if week_ns < 0 or week_ns % WEEK_NS:
        raise TimestampError(f"GPS week {show(week)} is not a whole number >= 0")
    tow_ns = scalar_ns(time_of_week_ms, GPS_TOW)
    if not 0 <= tow_ns < WEEK_NS:
        raise TimestampError(
            f"GPS time of week {show(time_of_week_ms)} ms is outside 0..604_799_999 ms "
            "(one week); carry whole weeks into the week number"
        )
    label_ns = GPS_EPOCH_UNIX_S * S + week_ns + tow_ns
    if label_ns > NS_MAX:
        raise TimestampError(
            f"GPS week {show(week)} + {show(time_of_week_ms)} ms falls after 2262-04-11"
        )
    one = np.array([label_ns], dtype=np.int64)
    return ns_timestamp(int(gps_to_utc(one, np.ones(1, dtype=bool))[0]))
