"""Convert every forensic epoch to timezone-aware UTC.

Every converter returns a :class:`pandas.Timestamp` in UTC for a scalar, and a
:class:`pandas.Series` of dtype exactly ``datetime64[ns, UTC]`` for an array-like (a list, a
tuple, a 1-d NumPy array, a :class:`pandas.Index` or a :class:`pandas.Series`, whose index and
name are kept). Missing values (``None``, NaN, ``pd.NA``, ``pd.NaT``) become ``NaT`` (a float
NaN is typed as giving a ``Timestamp``, as in pandas-stubs, but returns ``pd.NaT``).

A value that cannot be a timestamp in the asked epoch (outside the nanosecond range pandas holds,
1677-09-21..2262-04-11, or not a number at all) raises
:class:`~forensics_lib.core.errors.TimestampError` for a scalar. In a vector it becomes ``NaT``
and one :class:`~forensics_lib.core.errors.ForensicsWarning` says how many values were lost, so
one corrupt row does not stop a whole table. Bools are never timestamps and are refused.

Epochs
======

==========================  =========================  ===========  ========================
Converter                   Epoch (00:00:00)           Unit         Epoch as Unix seconds
==========================  =========================  ===========  ========================
``from_unix`` (+ _s/_ms..)  1970-01-01 UTC             s/ms/us/ns   0
``from_cocoa``              2001-01-01 UTC             s            978_307_200
``from_cocoa_ns``           2001-01-01 UTC             ns           978_307_200
``from_webkit``             1601-01-01 UTC             us           -11_644_473_600
``from_filetime``           1601-01-01 UTC             100 ns       -11_644_473_600
``from_hfs``                1904-01-01 UTC             s            -2_082_844_800
``from_gps_seconds``        1980-01-06 (GPS time)      s            315_964_800 (+ leaps)
``from_gps``                1980-01-06 (GPS time)      week + ms    315_964_800 (+ leaps)
.NET ticks (decode only)    0001-01-01                 100 ns       -62_135_596_800
OLE/Excel (decode only)     1899-12-30                 days         -2_209_161_600
==========================  =========================  ===========  ========================

Derivations (days x 86_400): 1970->2001 is 31 x 365 + 8 leap days = 11_323 days; 1601->1970 is
369 x 365 + 89 leap days = 134_774 days; 1904->1970 is 66 x 365 + 17 = 24_107 days; 1970->1980-01-06
is 3_657 days; 0001->1970 is 719_162 days; 1899-12-30->1970 is 25_569 days.

Exactness and rounding
======================

Integers are converted with exact integer arithmetic, never through a float, so
``from_unix_ns(1_700_000_000_123_456_789)`` keeps its last digit. A float is split into its
whole and fractional parts; the whole part is exact and the fraction is scaled so that the result
is the float's exact binary value rounded to the nearest nanosecond (ties to even; scalars and
vectors agree to the nanosecond). A double holds about 16
significant digits, so a Cocoa time of the 2020s (about 7e8 s) resolves only about 0.1 us: the
double written for ``721692000.123456`` is really ``721692000.1234560013...`` and converts to
``...00.123456001``. Digits below a microsecond from a float are therefore binary noise, not
evidence; use ``.round("us")`` for display. Text is never guessed at: pass numbers.

Local wall times and leap seconds
=================================

:func:`from_local` localises a naive wall time with :mod:`zoneinfo` and refuses, unless told what
to do, a time that the zone's daylight-saving rules make ambiguous or nonexistent.
:func:`to_utc` normalises a time that already carries its zone, and refuses a naive one.
GPS time does not have leap seconds; :data:`LEAP_SECONDS` holds GPS-UTC from the IERS table.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Literal, TypeAlias, cast, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api.typing import NaTType, NAType

from forensics_lib.core.errors import ForensicsWarning, TimestampError

__all__ = [
    "LEAP_SECONDS",
    "decode_timestamp",
    "from_cocoa",
    "from_cocoa_ns",
    "from_filetime",
    "from_gps",
    "from_gps_seconds",
    "from_hfs",
    "from_local",
    "from_unix",
    "from_unix_ms",
    "from_unix_ns",
    "from_unix_s",
    "from_unix_us",
    "from_webkit",
    "gps_utc_offset",
    "to_utc",
    "zone_info",
]

# --------------------------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------------------------

NumberLike: TypeAlias = int | float | Decimal | np.integer[Any] | np.floating[Any]
"""A scalar a numeric converter accepts (``bool`` is refused at run time)."""

Missing: TypeAlias = NAType | NaTType | None
"""A missing scalar; converters return ``pd.NaT`` for it."""

VectorLike: TypeAlias = (
    "pd.Series[Any] | pd.Index[Any] | npt.NDArray[Any] | list[Any] | tuple[Any, ...]"
)
"""An array-like; converters return a ``datetime64[ns, UTC]`` Series for it."""

DatetimeLike: TypeAlias = datetime | date | str | np.datetime64
"""A scalar date-time: ``datetime``/``Timestamp``, ``date`` (midnight), ISO 8601 text."""

UTCSeries: TypeAlias = "pd.Series[pd.Timestamp]"
"""A Series of dtype ``datetime64[ns, UTC]``."""

UnixUnit: TypeAlias = Literal["s", "ms", "us", "ns"]
Ambiguous: TypeAlias = Literal["raise", "earliest", "latest", "NaT"]
Nonexistent: TypeAlias = Literal["raise", "shift_forward", "NaT"]

_Result: TypeAlias = "pd.Timestamp | NaTType | pd.Series[pd.Timestamp]"
_I64: TypeAlias = npt.NDArray[np.int64]
_Bool: TypeAlias = npt.NDArray[np.bool_]

# --------------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------------

_NS_MIN = -(2**63) + 1  # pd.Timestamp.min.value; -2**63 itself is NaT
_NS_MAX = 2**63 - 1  # pd.Timestamp.max.value
_NAT = -(2**63)
_I64_MIN = -(2**63)
_I64_MAX = 2**63 - 1
_S = 10**9
_DAY_NS = 86_400 * _S
_WEEK_NS = 7 * _DAY_NS
_RANGE_TEXT = "1677-09-21..2262-04-11"

_UNIX_EPOCH_DATE = date(1970, 1, 1)
_GPS_EPOCH_UNIX_S = 315_964_800  # 1980-01-06: 3_657 days after 1970-01-01

# GPS - UTC in seconds, effective from 00:00:00 UTC on the given date (GPS - UTC was 0 from the
# GPS epoch 1980-01-06 until 1981-07-01). Source: IERS Bulletin C and the IETF/IERS
# ``leap-seconds.list`` (https://hpiers.obspm.fr/iers/bul/bulc/ntp/leap-seconds.list), which gives
# TAI - UTC; GPS - UTC = TAI - UTC - 19 because GPS time was TAI - 19 s at its epoch.
# No leap second has been inserted since 2017-01-01. When IERS announces one, add a row here.
LEAP_SECONDS: tuple[tuple[date, int], ...] = (
    (date(1981, 7, 1), 1),
    (date(1982, 7, 1), 2),
    (date(1983, 7, 1), 3),
    (date(1985, 7, 1), 4),
    (date(1988, 1, 1), 5),
    (date(1990, 1, 1), 6),
    (date(1991, 1, 1), 7),
    (date(1992, 7, 1), 8),
    (date(1993, 7, 1), 9),
    (date(1994, 7, 1), 10),
    (date(1996, 1, 1), 11),
    (date(1997, 7, 1), 12),
    (date(1999, 1, 1), 13),
    (date(2006, 1, 1), 14),
    (date(2009, 1, 1), 15),
    (date(2012, 7, 1), 16),
    (date(2015, 7, 1), 17),
    (date(2017, 1, 1), 18),
)

_LEAP_UTC_NS: tuple[int, ...] = tuple(
    (d.toordinal() - _UNIX_EPOCH_DATE.toordinal()) * _DAY_NS for d, _ in LEAP_SECONDS
)
_LEAP_OFFSETS: tuple[int, ...] = (0, *(offset for _, offset in LEAP_SECONDS))

# Naive wall times must leave room for any zone offset (< 1 day) inside the ns range.
_NAIVE_MIN_NS = pd.Timestamp("1677-09-22").value
_NAIVE_MAX_NS = pd.Timestamp("2262-04-11").value - 1


@dataclass(frozen=True)
class _Epoch:
    """A count of ``unit_ns`` nanoseconds since an epoch ``offset_ns`` after 1970-01-01Z."""

    name: str
    epoch: str
    unit: str
    unit_ns: int
    offset_ns: int

    def __post_init__(self) -> None:
        if self.offset_ns % self.unit_ns:
            raise ValueError(f"{self.name}: the epoch must be a whole number of units")

    @property
    def offset_units(self) -> int:
        return self.offset_ns // self.unit_ns

    @property
    def bounds(self) -> tuple[int, int]:
        """The inclusive range of whole units that lands inside the ns range, clamped to int64."""
        lo = -((self.offset_ns - _NS_MIN) // self.unit_ns)  # ceil((NS_MIN - offset) / unit)
        hi = (_NS_MAX - self.offset_ns) // self.unit_ns
        return max(lo, _I64_MIN), min(hi, _I64_MAX)


_UNIX_S = _Epoch("Unix seconds", "1970-01-01 UTC", "s", _S, 0)
_UNIX_MS = _Epoch("Unix milliseconds", "1970-01-01 UTC", "ms", 10**6, 0)
_UNIX_US = _Epoch("Unix microseconds", "1970-01-01 UTC", "us", 10**3, 0)
_UNIX_NS = _Epoch("Unix nanoseconds", "1970-01-01 UTC", "ns", 1, 0)
_UNIX: dict[str, _Epoch] = {"s": _UNIX_S, "ms": _UNIX_MS, "us": _UNIX_US, "ns": _UNIX_NS}
_COCOA_S = _Epoch("Apple Cocoa seconds", "2001-01-01 UTC", "s", _S, 978_307_200 * _S)
_COCOA_NS = _Epoch("Apple Cocoa nanoseconds", "2001-01-01 UTC", "ns", 1, 978_307_200 * _S)
_WEBKIT = _Epoch("WebKit/Chrome microseconds", "1601-01-01 UTC", "us", 10**3, -11_644_473_600 * _S)
_FILETIME = _Epoch("Windows FILETIME", "1601-01-01 UTC", "100 ns", 100, -11_644_473_600 * _S)
_HFS = _Epoch("HFS+ seconds", "1904-01-01 UTC", "s", _S, -2_082_844_800 * _S)
_GPS_S = _Epoch("GPS seconds", "1980-01-06 GPS time", "s", _S, _GPS_EPOCH_UNIX_S * _S)
_GPS_WEEK = _Epoch("GPS week", "1980-01-06 GPS time", "weeks", _WEEK_NS, 0)
_GPS_TOW = _Epoch("GPS time of week", "the start of the GPS week", "ms", 10**6, 0)
_DOTNET = _Epoch(".NET ticks", "0001-01-01", "100 ns", 100, -62_135_596_800 * _S)
_OLE = _Epoch("Excel/OLE Automation date", "1899-12-30", "days", _DAY_NS, -25_569 * _DAY_NS)

# --------------------------------------------------------------------------------------------
# Scalar helpers
# --------------------------------------------------------------------------------------------


def _show(value: object) -> str:
    """A short repr for messages (a value may be a whole DataFrame)."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _is_vector(value: object) -> bool:
    return isinstance(value, pd.Series | pd.Index | np.ndarray | list | tuple)


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, Decimal):
        return value.is_nan()
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


def _about_year(ns: Fraction) -> str:
    year = 1970 + ns / (Fraction(365_2425, 10_000) * _DAY_NS)
    return f"about year {math.floor(year):,}"


def _exact(value: object, ep: _Epoch) -> Fraction:
    """A number's exact value (a float's binary value, a Decimal's digits); raise otherwise."""
    if isinstance(value, bool | np.bool_):
        raise TimestampError(f"{value!r} is a bool, not a {ep.name} value")
    if isinstance(value, numbers.Integral):
        return Fraction(int(value))
    if isinstance(value, numbers.Real | Decimal):
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if not finite:
            raise TimestampError(f"{value!r} is not a finite number, so not a {ep.name} value")
        if isinstance(value, numbers.Rational | Decimal):
            return Fraction(value)
        return Fraction(float(value))
    raise TimestampError(
        f"{_show(value)} ({type(value).__name__}) is not a number, so it cannot be a "
        f"{ep.name} value ({ep.unit} since {ep.epoch}); convert text with int() or float()"
    )


def _scalar_ns(value: object, ep: _Epoch) -> int:
    """``value`` units after ``ep``'s epoch as exact Unix nanoseconds; raise TimestampError."""
    exact = _exact(value, ep)
    ns = round(exact * ep.unit_ns) + ep.offset_ns
    if not _NS_MIN <= ns <= _NS_MAX:
        raise TimestampError(
            f"{ep.name} value {_show(value)} ({ep.unit} since {ep.epoch}) falls outside "
            f"{_RANGE_TEXT}, the range pandas holds in nanoseconds ({_about_year(Fraction(ns))}); "
            "is it really this epoch and unit? decode_timestamp() lists the candidates"
        )
    return ns


def _timestamp(ns: int) -> pd.Timestamp:
    return pd.Timestamp(ns, unit="ns", tz="UTC")


# --------------------------------------------------------------------------------------------
# Vector helpers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    """A 1-d input as one NumPy array (int64, uint64, float64 or object) plus its labels."""

    data: npt.NDArray[Any]
    missing: _Bool
    index: pd.Index[Any] | None
    name: Hashable | None


def _column(values: object, what: str) -> _Column:
    """Normalise an array-like; refuse bools and anything not 1-d."""
    index: pd.Index[Any] | None = None
    name: Hashable | None = None
    if isinstance(values, pd.Index):
        values = pd.Series(values.array)
    if isinstance(values, pd.Series):
        index, name = values.index, values.name
        series = values
        missing = series.isna().to_numpy(dtype=bool)
        dtype = series.dtype
        if pd.api.types.is_bool_dtype(dtype):
            raise TimestampError(f"{what}: a Series of bools holds no timestamps")
        if pd.api.types.is_unsigned_integer_dtype(dtype):
            data: npt.NDArray[Any] = series.to_numpy(dtype=np.uint64, na_value=0)
        elif pd.api.types.is_integer_dtype(dtype):
            data = series.to_numpy(dtype=np.int64, na_value=0)
        elif pd.api.types.is_float_dtype(dtype):
            data = series.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            data = series.to_numpy(dtype=object)
            missing = np.fromiter((_is_missing(v) for v in data), dtype=bool, count=len(data))
        return _Column(data, missing, index, name)
    if isinstance(values, np.ndarray):
        array = cast("npt.NDArray[Any]", values)
        if array.ndim == 0:
            array = array.reshape(1)
        if array.ndim != 1:
            raise TimestampError(f"{what}: expected a 1-d array, got shape {array.shape}")
    elif isinstance(values, list | tuple):
        array = np.empty(len(values), dtype=object)
        for i, item in enumerate(values):
            array[i] = item
    else:  # pragma: no cover - guarded by _is_vector
        raise TimestampError(f"{what}: {_show(values)} is not an array-like")
    kind = array.dtype.kind
    if kind == "b":
        raise TimestampError(f"{what}: an array of bools holds no timestamps")
    if kind == "u":
        data = array.astype(np.uint64)
    elif kind == "i":
        data = array.astype(np.int64)
    elif kind == "f":
        data = array.astype(np.float64)
    else:
        data = array.astype(object)
    if data.dtype == np.float64:
        missing = np.isnan(data)
    elif data.dtype == object:
        missing = np.fromiter((_is_missing(v) for v in data), dtype=bool, count=len(data))
    else:
        missing = np.zeros(len(data), dtype=bool)
    return _Column(data, missing, index, name)


def _checked_add(base: _I64, extra: _I64, ok: _Bool) -> tuple[_I64, _Bool]:
    """``base + extra`` where it stays inside the ns range (exact, no int64 wrap-around)."""
    fits = np.where(
        extra > 0,
        base <= _NS_MAX - np.maximum(extra, 0),
        base >= _NS_MIN - np.minimum(extra, 0),
    )
    ok = ok & fits
    total = np.where(ok, base, 0) + np.where(ok, extra, 0)
    return total, ok


def _int_ns(data: _I64, usable: _Bool, ep: _Epoch) -> tuple[_I64, _Bool]:
    lo, hi = ep.bounds
    ok = usable & (data >= lo) & (data <= hi)
    whole = np.where(ok, data, -ep.offset_units) + ep.offset_units
    return whole * ep.unit_ns, ok


def _float_ns(data: npt.NDArray[np.float64], usable: _Bool, ep: _Epoch) -> tuple[_I64, _Bool]:
    lo, hi = ep.bounds
    with np.errstate(invalid="ignore"):
        whole = np.trunc(data)
        ok = usable & np.isfinite(data) & (np.abs(whole) < 2.0**63)
    whole_int = np.where(ok, whole, 0.0).astype(np.int64)
    ok &= (whole_int >= lo) & (whole_int <= hi)
    base, ok = _int_ns(whole_int, ok, ep)
    fraction = np.where(ok, data, 0.0) - np.where(ok, whole, 0.0)  # exact: loses no bits
    product = fraction * ep.unit_ns
    frac_ns = np.rint(product)
    # rint() of the (rounded) product agrees with rounding the exact value except when the
    # product lands exactly on a half: there the tie goes to the even *total*, so settle those
    # few from the float's exact binary value, as the scalar path does.
    for i in np.flatnonzero(np.abs(product - np.trunc(product)) == 0.5):
        exact = round(Fraction(float(data[i])) * ep.unit_ns)
        frac_ns[i] = exact - int(whole_int[i]) * ep.unit_ns
    return _checked_add(base, frac_ns.astype(np.int64), ok)


def _object_ns(data: npt.NDArray[Any], usable: _Bool, ep: _Epoch) -> tuple[_I64, _Bool]:
    live = data[usable]
    if len(live) and all(type(v) is int for v in live):
        try:
            ints = np.where(usable, data, 0).astype(np.int64)
        except OverflowError:
            pass
        else:
            return _int_ns(ints, usable, ep)
    if len(live) and all(type(v) is float for v in live):
        return _float_ns(np.where(usable, data, np.nan).astype(np.float64), usable, ep)
    ns = np.full(len(data), _NAT, dtype=np.int64)
    ok = np.zeros(len(data), dtype=bool)
    for i in np.flatnonzero(usable):
        try:
            ns[i] = _scalar_ns(data[i], ep)
        except TimestampError:
            continue
        ok[i] = True
    return ns, ok


def _column_ns(col: _Column, ep: _Epoch) -> tuple[_I64, _Bool]:
    """Unix ns for every row (garbage where not ok) and the mask of rows converted."""
    usable = ~col.missing
    data = col.data
    if data.dtype == np.uint64:
        small = data <= np.uint64(_I64_MAX)
        return _int_ns(np.where(small, data, 0).astype(np.int64), usable & small, ep)
    if data.dtype == np.int64:
        return _int_ns(data, usable, ep)
    if data.dtype == np.float64:
        return _float_ns(data, usable, ep)
    return _object_ns(data, usable, ep)


def _series(ns: _I64, ok: _Bool, index: pd.Index[Any] | None, name: Hashable | None) -> UTCSeries:
    values = np.where(ok, ns, _NAT).astype(np.int64).view("M8[ns]")
    naive = pd.Series(values, index=index, name=name, copy=False)
    return naive.dt.tz_localize("UTC")


def _problem(func: str, what: str, col: _Column, bad: _Bool) -> str | None:
    count = int(bad.sum())
    if not count:
        return None
    first = ", ".join(_show(col.data[i]) for i in np.flatnonzero(bad)[:3])
    return (
        f"{func}: {count} of {len(bad)} values could not be read as {what} (outside "
        f"{_RANGE_TEXT} or not a number) and became NaT; first: {first}"
    )


def _numeric(value: object, ep: _Epoch, func: str) -> tuple[_Result, str | None]:
    what = f"{ep.name} ({ep.unit} since {ep.epoch})"
    if _is_vector(value):
        col = _column(value, func)
        ns, ok = _column_ns(col, ep)
        return _series(ns, ok, col.index, col.name), _problem(func, what, col, ~col.missing & ~ok)
    if _is_missing(value):
        return pd.NaT, None
    return _timestamp(_scalar_ns(value, ep)), None


# --------------------------------------------------------------------------------------------
# Unix, Cocoa, WebKit, FILETIME, HFS+
# --------------------------------------------------------------------------------------------


@overload
def from_unix(value: Missing, unit: UnixUnit = "s") -> NaTType: ...
@overload
def from_unix(value: NumberLike, unit: UnixUnit = "s") -> pd.Timestamp: ...
@overload
def from_unix(value: VectorLike, unit: UnixUnit = "s") -> UTCSeries: ...
def from_unix(value: object, unit: UnixUnit = "s") -> _Result:
    """Unix time: ``unit`` (``"s"``, ``"ms"``, ``"us"`` or ``"ns"``) since 1970-01-01T00:00:00Z.

    Integers are exact; floats are rounded to the nearest ns (ties to even), see the module notes.

    >>> from_unix(1_000_000_000)
    Timestamp('2001-09-09 01:46:40+0000', tz='UTC')
    """
    try:
        ep = _UNIX[unit]
    except KeyError:
        raise TimestampError(f"unknown Unix unit {unit!r}: use 's', 'ms', 'us' or 'ns'") from None
    result, problem = _numeric(value, ep, "from_unix")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_unix_s(value: Missing) -> NaTType: ...
@overload
def from_unix_s(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_unix_s(value: VectorLike) -> UTCSeries: ...
def from_unix_s(value: object) -> _Result:
    """Unix seconds since 1970-01-01T00:00:00Z.

    >>> from_unix_s(1_700_000_000)
    Timestamp('2023-11-14 22:13:20+0000', tz='UTC')
    """
    result, problem = _numeric(value, _UNIX_S, "from_unix_s")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_unix_ms(value: Missing) -> NaTType: ...
@overload
def from_unix_ms(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_unix_ms(value: VectorLike) -> UTCSeries: ...
def from_unix_ms(value: object) -> _Result:
    """Unix milliseconds (Java/Android ``System.currentTimeMillis()``, e.g. mmssms.db ``date``).

    >>> from_unix_ms(1_700_000_000_123)
    Timestamp('2023-11-14 22:13:20.123000+0000', tz='UTC')
    """
    result, problem = _numeric(value, _UNIX_MS, "from_unix_ms")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_unix_us(value: Missing) -> NaTType: ...
@overload
def from_unix_us(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_unix_us(value: VectorLike) -> UTCSeries: ...
def from_unix_us(value: object) -> _Result:
    """Unix microseconds (e.g. PCAP-ng, Firefox ``places.sqlite``, DataFlash ``TimeUS`` + GPS).

    >>> from_unix_us(1_700_000_000_123_456)
    Timestamp('2023-11-14 22:13:20.123456+0000', tz='UTC')
    """
    result, problem = _numeric(value, _UNIX_US, "from_unix_us")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_unix_ns(value: Missing) -> NaTType: ...
@overload
def from_unix_ns(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_unix_ns(value: VectorLike) -> UTCSeries: ...
def from_unix_ns(value: object) -> _Result:
    """Unix nanoseconds, kept exact for integers.

    >>> from_unix_ns(1_700_000_000_123_456_789)
    Timestamp('2023-11-14 22:13:20.123456789+0000', tz='UTC')
    """
    result, problem = _numeric(value, _UNIX_NS, "from_unix_ns")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_cocoa(value: Missing) -> NaTType: ...
@overload
def from_cocoa(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_cocoa(value: VectorLike) -> UTCSeries: ...
def from_cocoa(value: object) -> _Result:
    """Apple Cocoa / Core Data / "Mac absolute time": seconds since 2001-01-01T00:00:00Z.

    Often a double (``721692000.123456``); see the module notes on float rounding. A value near
    978_307_200 is probably a Unix time read with the wrong epoch (it lands in 2032).

    >>> from_cocoa(721_692_000)
    Timestamp('2023-11-14 22:00:00+0000', tz='UTC')
    """
    result, problem = _numeric(value, _COCOA_S, "from_cocoa")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_cocoa_ns(value: Missing) -> NaTType: ...
@overload
def from_cocoa_ns(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_cocoa_ns(value: VectorLike) -> UTCSeries: ...
def from_cocoa_ns(value: object) -> _Result:
    """Nanoseconds since 2001-01-01T00:00:00Z (iOS 11+ ``sms.db`` ``message.date``).

    >>> from_cocoa_ns(721_692_000_123_456_789)
    Timestamp('2023-11-14 22:00:00.123456789+0000', tz='UTC')
    """
    result, problem = _numeric(value, _COCOA_NS, "from_cocoa_ns")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_webkit(value: Missing) -> NaTType: ...
@overload
def from_webkit(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_webkit(value: VectorLike) -> UTCSeries: ...
def from_webkit(value: object) -> _Result:
    """WebKit/Chrome time: microseconds since 1601-01-01T00:00:00Z (Chrome ``History``).

    As with FILETIME, 0 ("never") is 1601 and out of range; mask it first.

    >>> from_webkit(13_000_000_000_000_000)
    Timestamp('2012-12-14 23:06:40+0000', tz='UTC')
    """
    result, problem = _numeric(value, _WEBKIT, "from_webkit")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_filetime(value: Missing) -> NaTType: ...
@overload
def from_filetime(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_filetime(value: VectorLike) -> UTCSeries: ...
def from_filetime(value: object) -> _Result:
    """Windows FILETIME: 100-nanosecond intervals since 1601-01-01T00:00:00Z.

    0 (the usual "never set") is 1601-01-01, before 1677: a scalar 0 raises and a 0 in a vector
    becomes NaT with a warning; mask zeros first if they mean "not set" in your source.

    >>> from_filetime(116_444_736_000_000_000)
    Timestamp('1970-01-01 00:00:00+0000', tz='UTC')
    """
    result, problem = _numeric(value, _FILETIME, "from_filetime")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_hfs(value: Missing) -> NaTType: ...
@overload
def from_hfs(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_hfs(value: VectorLike) -> UTCSeries: ...
def from_hfs(value: object) -> _Result:
    """HFS+ time: seconds since 1904-01-01T00:00:00Z (as stored in the catalog, which is UTC).

    >>> from_hfs(2_082_844_800)
    Timestamp('1970-01-01 00:00:00+0000', tz='UTC')
    """
    result, problem = _numeric(value, _HFS, "from_hfs")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


# --------------------------------------------------------------------------------------------
# GPS
# --------------------------------------------------------------------------------------------


def _gps_minus_utc(utc_ns: _I64) -> _I64:
    index = np.searchsorted(np.array(_LEAP_UTC_NS, dtype=np.int64), utc_ns, side="right")
    return np.array(_LEAP_OFFSETS, dtype=np.int64)[index]


def _gps_to_utc(label_ns: _I64, ok: _Bool) -> _I64:
    """GPS time (as if it were UTC) to UTC ns.

    First guess the offset at the GPS instant, then look it up again at the GPS instant minus
    that guess: one iteration is enough because leaps are at least six months apart. Just after
    a leap this gives the new offset; inside the leap second itself (23:59:60 UTC, which POSIX
    time cannot name) it gives 00:00:00 of the next day, as a POSIX clock shows it.
    """
    label = np.where(ok, label_ns, 0)
    first = _gps_minus_utc(label)
    offset = _gps_minus_utc(label - first * _S)
    return label - offset * _S


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
    if ns < _GPS_EPOCH_UNIX_S * _S:
        raise TimestampError(f"gps_utc_offset: {ts} is before the GPS epoch (1980-01-06)")
    return int(_gps_minus_utc(np.array([ns], dtype=np.int64))[0])


@overload
def from_gps_seconds(value: Missing) -> NaTType: ...
@overload
def from_gps_seconds(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_gps_seconds(value: VectorLike) -> UTCSeries: ...
def from_gps_seconds(value: object) -> _Result:
    """Seconds of GPS time since 1980-01-06T00:00:00 (GPS), to UTC with leap seconds removed.

    >>> from_gps_seconds(1_000_000_000)  # 2011-09-14T01:46:40 GPS, GPS - UTC = 15 s
    Timestamp('2011-09-14 01:46:25+0000', tz='UTC')
    """
    func = "from_gps_seconds"
    if _is_vector(value):
        col = _column(value, func)
        label, ok = _column_ns(col, _GPS_S)
        ok &= label >= _GPS_S.offset_ns
        utc = _gps_to_utc(label, ok)
        what = "GPS seconds (s since 1980-01-06, not negative)"
        problem = _problem(func, what, col, ~col.missing & ~ok)
        if problem:
            warnings.warn(problem, ForensicsWarning, stacklevel=2)
        return _series(utc, ok, col.index, col.name)
    if _is_missing(value):
        return pd.NaT
    label_ns = _scalar_ns(value, _GPS_S)
    if label_ns < _GPS_S.offset_ns:
        raise TimestampError(
            f"GPS seconds value {_show(value)} is negative: GPS time starts at 1980-01-06"
        )
    one = np.array([label_ns], dtype=np.int64)
    return _timestamp(int(_gps_to_utc(one, np.ones(1, dtype=bool))[0]))


def _gps_week_tow_vector(week: object, tow: object, func: str) -> tuple[UTCSeries, str | None]:
    columns: list[_Column] = []
    for part in (week, tow):
        if _is_vector(part):
            columns.append(_column(part, func))
        else:
            single = np.empty(1, dtype=object)
            single[0] = part
            columns.append(_Column(single, np.array([_is_missing(part)]), None, None))
    week_col, tow_col = columns
    n = max(len(week_col.data), len(tow_col.data))
    for col in columns:
        if len(col.data) not in (1, n):
            raise TimestampError(
                f"{func}: week and time of week have different lengths "
                f"({len(week_col.data)} and {len(tow_col.data)})"
            )
    week_ns, week_ok = _column_ns(week_col, _GPS_WEEK)
    tow_ns, tow_ok = _column_ns(tow_col, _GPS_TOW)
    week_ok &= (week_ns >= 0) & (week_ns % _WEEK_NS == 0)
    tow_ok &= (tow_ns >= 0) & (tow_ns < _WEEK_NS)
    week_ns, tow_ns = np.broadcast_to(week_ns, n), np.broadcast_to(tow_ns, n)
    missing = np.broadcast_to(week_col.missing, n) | np.broadcast_to(tow_col.missing, n)
    ok = np.broadcast_to(week_ok, n) & np.broadcast_to(tow_ok, n) & ~missing
    epoch = np.full(n, _GPS_EPOCH_UNIX_S * _S, dtype=np.int64)
    label, ok = _checked_add(epoch, week_ns, ok)
    label, ok = _checked_add(label, tow_ns, ok)
    utc = _gps_to_utc(label, ok)
    labelled = week_col if week_col.index is not None else tow_col
    bad = ~missing & ~ok
    problem = None
    if bad.any():
        first = ", ".join(
            f"({_show(week_col.data[i % len(week_col.data)])}, "
            f"{_show(tow_col.data[i % len(tow_col.data)])})"
            for i in np.flatnonzero(bad)[:3]
        )
        problem = (
            f"{func}: {int(bad.sum())} of {n} (week, time of week) pairs were invalid (week not a "
            f"whole number >= 0, time of week outside 0..604_799_999 ms, or outside {_RANGE_TEXT})"
            f" and became NaT; first: {first}"
        )
    return _series(utc, ok, labelled.index, labelled.name), problem


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
def from_gps(week: object, time_of_week_ms: object) -> _Result:
    """GPS week number and time of week in ms (ArduPilot ``GPS.GWk`` / ``GPS.GMS``) to UTC.

    ``week`` is the full week count since 1980-01-06 (ArduPilot's ``GWk``, e.g. 2018), not the
    10-bit broadcast week that rolls over every 1024 weeks: add the rollovers yourself. Leap
    seconds come from :data:`LEAP_SECONDS`. Either argument may be an array; a scalar is
    broadcast against the other. Week 0, time 0 is what a receiver without a fix reports.

    >>> from_gps(2018, 0)  # 2018 weeks after 1980-01-06 = 2018-09-09T00:00:00 GPS, 18 s ahead
    Timestamp('2018-09-08 23:59:42+0000', tz='UTC')
    """
    func = "from_gps"
    if _is_vector(week) or _is_vector(time_of_week_ms):
        series, problem = _gps_week_tow_vector(week, time_of_week_ms, func)
        if problem:
            warnings.warn(problem, ForensicsWarning, stacklevel=2)
        return series
    if _is_missing(week) or _is_missing(time_of_week_ms):
        return pd.NaT
    week_ns = _scalar_ns(week, _GPS_WEEK)
    if week_ns < 0 or week_ns % _WEEK_NS:
        raise TimestampError(f"GPS week {_show(week)} is not a whole number >= 0")
    tow_ns = _scalar_ns(time_of_week_ms, _GPS_TOW)
    if not 0 <= tow_ns < _WEEK_NS:
        raise TimestampError(
            f"GPS time of week {_show(time_of_week_ms)} ms is outside 0..604_799_999 ms "
            "(one week); carry whole weeks into the week number"
        )
    label_ns = _GPS_EPOCH_UNIX_S * _S + week_ns + tow_ns
    if label_ns > _NS_MAX:
        raise TimestampError(
            f"GPS week {_show(week)} + {_show(time_of_week_ms)} ms falls after 2262-04-11"
        )
    one = np.array([label_ns], dtype=np.int64)
    return _timestamp(int(_gps_to_utc(one, np.ones(1, dtype=bool))[0]))


# --------------------------------------------------------------------------------------------
# Wall times and zoned times
# --------------------------------------------------------------------------------------------

_UTC_MIN = pd.Timestamp(_NS_MIN, unit="ns", tz="UTC")
_UTC_MAX = pd.Timestamp(_NS_MAX, unit="ns", tz="UTC")
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

    naive_ns: _I64  # NaT where the input was not naive
    aware_ns: _I64  # UTC; NaT where the input was not zoned
    missing: _Bool
    bad: _Bool
    index: pd.Index[Any] | None
    name: Hashable | None
    source: npt.NDArray[Any]  # the inputs, for messages


def _parse_datetime(value: object) -> pd.Timestamp | None:
    """One date-time as a Timestamp (naive or zoned), ``None`` if missing."""
    if _is_missing(value):
        return None
    if isinstance(value, bool | np.bool_ | numbers.Number | Decimal):
        raise TimestampError(f"{_show(value)} is a number, not a date-time: {_NUMBER_HINT}")
    try:
        if isinstance(value, str):
            parsed = pd.to_datetime(value.strip(), format="ISO8601")
        elif isinstance(value, datetime | date | np.datetime64):
            parsed = pd.Timestamp(value)
        else:
            raise TimestampError(
                f"{_show(value)} ({type(value).__name__}) is not a date-time; {_ISO_HINT}"
            )
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, TimestampError):
            raise
        raise TimestampError(f"{_show(value)} is not a date-time: {_ISO_HINT}") from exc
    if pd.isna(parsed):
        raise TimestampError(f"{_show(value)} is not a date-time: {_ISO_HINT}")
    return parsed


def _timestamp_ns(ts: pd.Timestamp) -> tuple[int, int]:
    """(naive ns, UTC ns), one of them NaT; raise if outside the ns range."""
    if ts.tz is None:
        if not pd.Timestamp(_NAIVE_MIN_NS) <= ts <= pd.Timestamp(_NAIVE_MAX_NS):
            raise TimestampError(
                f"wall time {ts} is outside 1677-09-22..2262-04-10, the range that stays inside "
                f"{_RANGE_TEXT} (nanoseconds) in every zone"
            )
        return ts.as_unit("ns").value, _NAT
    utc = ts.tz_convert("UTC")
    if not _UTC_MIN <= utc <= _UTC_MAX:
        raise TimestampError(f"{ts} is outside {_RANGE_TEXT}, the range pandas holds in ns")
    return _NAT, utc.as_unit("ns").value


def _scalar_datetimes(value: object) -> _Datetimes:
    source = np.empty(1, dtype=object)
    source[0] = value
    parsed = _parse_datetime(value)
    naive, aware = (_NAT, _NAT) if parsed is None else _timestamp_ns(parsed)
    return _Datetimes(
        np.array([naive], dtype=np.int64),
        np.array([aware], dtype=np.int64),
        np.array([parsed is None]),
        np.zeros(1, dtype=bool),
        None,
        None,
        source,
    )


def _index_ns(parsed: pd.DatetimeIndex, bad: _Bool) -> _I64:
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
    naive_ns = np.full(n, _NAT, dtype=np.int64)
    aware_ns = np.full(n, _NAT, dtype=np.int64)
    bad = np.zeros(n, dtype=bool)
    if parsed is not None:
        stamps = pd.DatetimeIndex(parsed)
        lost = ~missing & np.asarray(stamps.isna())
        if stamps.tz is None:
            low, high = pd.Timestamp(_NAIVE_MIN_NS), pd.Timestamp(_NAIVE_MAX_NS)
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
    first = ", ".join(_show(d.source[i]) for i in np.flatnonzero(d.bad)[:3])
    return (
        f"{func}: {count} of {len(d.bad)} values were not date-times pandas can hold "
        f"(unparseable, or outside {_RANGE_TEXT}) and became NaT; first: {first}"
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
        f"unknown time zone {_show(zone)}: give an IANA name such as 'Europe/Brussels' "
        "(zoneinfo.available_timezones() lists them); fixed offsets are not zones"
    )


def _localize(naive_ns: _I64, tz: ZoneInfo, ambiguous: Ambiguous, nonexistent: Nonexistent) -> _I64:
    """Naive wall-time ns in ``tz`` to UTC ns, applying the DST policies."""
    n = len(naive_ns)
    has = naive_ns != _NAT
    if not has.any():
        return np.full(n, _NAT, dtype=np.int64)
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
    gap = has & (early == _NAT)
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
            f"back, at {_timestamp(first).isoformat()} and {_timestamp(second).isoformat()}{more}."
            " Pass ambiguous='earliest' (the first pass) or ambiguous='latest' (the second), "
            "decided from the record order or a neighbouring UTC time, or ambiguous='NaT'"
        )
    out = early.copy()
    if ambiguous == "earliest":
        out[twice] = np.minimum(early, late)[twice]
    elif ambiguous == "latest":
        out[twice] = np.maximum(early, late)[twice]
    else:
        out[twice] = _NAT
    if gap.any() and nonexistent == "shift_forward":
        shifted = local[gap].tz_localize(
            tz, ambiguous=np.ones(int(gap.sum()), dtype=bool), nonexistent="shift_forward"
        )
        out[gap] = np.asarray(shifted.tz_convert("UTC").asi8, dtype=np.int64)
    else:
        out[gap] = _NAT
    return out


def _from_datetimes(d: _Datetimes, utc_ns: _I64, vector: bool) -> _Result:
    ok = utc_ns != _NAT
    if vector:
        return _series(utc_ns, ok, d.index, d.name)
    return _timestamp(int(utc_ns[0])) if ok[0] else pd.NaT


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
) -> _Result:
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
    vector = _is_vector(wall_time)
    d = _vector_datetimes(wall_time, func) if vector else _scalar_datetimes(wall_time)
    local_utc = _localize(d.naive_ns, tz, ambiguous, nonexistent)
    utc_ns = np.where(d.naive_ns != _NAT, local_utc, d.aware_ns)
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
def to_utc(value: object) -> _Result:
    """A date-time that carries its zone or offset (aware ``datetime``, ``Timestamp``, ISO text
    with ``Z`` or ``+hh:mm``, or an array of them) as UTC.

    A naive time raises TimestampError: its zone is a fact to establish, not to assume; say it
    with :func:`from_local`. A number raises too: it needs an epoch (see :func:`decode_timestamp`).

    >>> to_utc("2024-07-01T12:00:00+02:00")
    Timestamp('2024-07-01 10:00:00+0000', tz='UTC')
    """
    func = "to_utc"
    vector = _is_vector(value)
    d = _vector_datetimes(value, func) if vector else _scalar_datetimes(value)
    naive = d.naive_ns != _NAT
    if naive.any():
        i = int(np.flatnonzero(naive)[0])
        more = f" ({int(naive.sum())} naive values)" if naive.sum() > 1 else ""
        raise TimestampError(
            f"naive time {_show(d.source[i])}{more}: say which zone with from_local(value, "
            "'Europe/Brussels'), or add the offset the source recorded"
        )
    problem = _datetime_problem(func, d)
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return _from_datetimes(d, d.aware_ns, vector)


# --------------------------------------------------------------------------------------------
# decode_timestamp
# --------------------------------------------------------------------------------------------

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def _decode_input(value: object) -> tuple[object, int | None]:
    """The number to try, and the byte-swapped 64-bit value for 16-hex-digit text."""
    if isinstance(value, bool | np.bool_):
        raise TimestampError(f"decode_timestamp: {value!r} is a bool, not a number")
    if isinstance(value, str):
        text = value.strip()
        if text[:2].lower() == "0x":
            digits = text[2:]
            if not digits or not set(digits) <= _HEX_DIGITS:
                raise TimestampError(f"decode_timestamp: {value!r} is not a 0x-hex number")
            swapped = None
            if len(digits) == 16:
                swapped = int.from_bytes(bytes.fromhex(digits), "little")
            return int(digits, 16), swapped
        try:
            return int(text), None
        except ValueError:
            pass
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise TimestampError(
                f"decode_timestamp: {value!r} is not a decimal or 0x-hex number"
            ) from None
        return number, None
    if isinstance(value, numbers.Real | Decimal):
        return value, None
    raise TimestampError(f"decode_timestamp: {_show(value)} is not a number or numeric text")


def _try(value: object, ep: _Epoch) -> int | None:
    try:
        return _scalar_ns(value, ep)
    except TimestampError:
        return None


def _try_gps(value: object) -> int | None:
    label = _try(value, _GPS_S)
    if label is None or label < _GPS_S.offset_ns:
        return None
    return int(_gps_to_utc(np.array([label], dtype=np.int64), np.ones(1, dtype=bool))[0])


def _try_ole(value: object) -> int | None:
    # An OLE date's integer part counts days (signed) and its fraction is the time of day
    # even when negative: -1.25 is 1899-12-29 06:00, not 1899-12-28 18:00.
    try:
        exact = _exact(value, _OLE)
    except TimestampError:
        return None
    days = math.trunc(exact)
    return _try(days + abs(exact - days), _OLE)


def _window(bound: object, label: str) -> int:
    try:
        ts = pd.Timestamp(cast("Any", bound))
    except (ValueError, TypeError, OverflowError) as exc:
        raise TimestampError(f"decode_timestamp: {label}={bound!r} is not a date") from exc
    if pd.isna(ts):
        raise TimestampError(f"decode_timestamp: {label}={bound!r} is not a date")
    ts = ts.tz_localize("UTC") if ts.tz is None else ts.tz_convert("UTC")
    try:
        return ts.as_unit("ns").value
    except (ValueError, OverflowError) as exc:
        raise TimestampError(
            f"decode_timestamp: {label}={bound!r} is outside {_RANGE_TEXT}"
        ) from exc


def decode_timestamp(
    value: int | float | str | Decimal | np.integer[Any] | np.floating[Any],
    *,
    earliest: str | datetime | pd.Timestamp = "1995-01-01",
    latest: str | datetime | pd.Timestamp = "2040-01-01",
) -> pd.DataFrame:
    """Every plausible reading of an unknown number as a timestamp, like the DCode tool.

    ``value`` is a number or text: decimal (``"721692000.123456"``, read exactly), or hex with a
    ``0x`` prefix. Sixteen hex digits are also read byte-swapped as a little-endian FILETIME (the
    order registry and binary dumps hold it in). Readings tried, in this order: Unix s, ms, us,
    ns; Apple Cocoa s and ns; WebKit/Chrome us; Windows FILETIME (and its byte-swapped reading);
    HFS+ s; GPS seconds (leap seconds removed); .NET ticks (100 ns since 0001-01-01); Excel/OLE
    Automation date (days since 1899-12-30; Excel's 1900 serials agree from 1900-03-01 on).
    .NET ticks and OLE dates are often *local* wall time, shown here as if UTC.

    Returns columns ``format``, ``epoch``, ``unit`` and ``utc`` (``datetime64[ns, UTC]``), one row
    per reading whose UTC falls within ``[earliest, latest]`` (naive bounds are UTC). A number
    never raises (a reading that overflows is left out); text that is not a number does.

    >>> decode_timestamp(1_000_000_000)[["format", "utc"]]
                        format                       utc
    0             Unix seconds 2001-09-09 01:46:40+00:00
    1      Apple Cocoa seconds 2032-09-09 01:46:40+00:00
    2  Apple Cocoa nanoseconds 2001-01-01 00:00:01+00:00
    3              GPS seconds 2011-09-14 01:46:25+00:00
    """
    number, swapped = _decode_input(value)
    low, high = _window(earliest, "earliest"), _window(latest, "latest")
    if low > high:
        raise TimestampError(f"decode_timestamp: earliest={earliest!r} is after latest={latest!r}")
    candidates: list[tuple[str, str, str, int | None]] = [
        (ep.name, ep.epoch, ep.unit, _try(number, ep))
        for ep in (_UNIX_S, _UNIX_MS, _UNIX_US, _UNIX_NS, _COCOA_S, _COCOA_NS, _WEBKIT, _FILETIME)
    ]
    if swapped is not None:
        candidates.append(
            (
                "Windows FILETIME (little-endian bytes)",
                _FILETIME.epoch,
                _FILETIME.unit,
                _try(swapped, _FILETIME),
            )
        )
    candidates += [
        (_HFS.name, _HFS.epoch, _HFS.unit, _try(number, _HFS)),
        (_GPS_S.name, _GPS_S.epoch, _GPS_S.unit, _try_gps(number)),
        (_DOTNET.name, _DOTNET.epoch, _DOTNET.unit, _try(number, _DOTNET)),
        (_OLE.name, _OLE.epoch, _OLE.unit, _try_ole(number)),
    ]
    rows = [row for row in candidates if row[3] is not None and low <= row[3] <= high]
    ns = np.array([row[3] for row in rows], dtype=np.int64)
    return pd.DataFrame(
        {
            "format": pd.Series([row[0] for row in rows], dtype="str"),
            "epoch": pd.Series([row[1] for row in rows], dtype="str"),
            "unit": pd.Series([row[2] for row in rows], dtype="str"),
            "utc": _series(ns, np.ones(len(rows), dtype=bool), None, None),
        }
    )
