"""The epoch table and the exact arithmetic every converter of :mod:`forensics_lib.core.times`
shares: the types, the constants (leap seconds included), :class:`Epoch`, and the scalar and
vector nanosecond helpers. Callers import :mod:`forensics_lib.core.times`, not this module.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, TypeAlias, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api.typing import NaTType, NAType

from forensics_lib.core.errors import TimestampError

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

Result: TypeAlias = "pd.Timestamp | NaTType | pd.Series[pd.Timestamp]"
I64: TypeAlias = npt.NDArray[np.int64]
Bool: TypeAlias = npt.NDArray[np.bool_]

# --------------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------------

NS_MIN = -(2**63) + 1  # pd.Timestamp.min.value; -2**63 itself is NaT
NS_MAX = 2**63 - 1  # pd.Timestamp.max.value
NAT = -(2**63)
_I64_MIN = -(2**63)
_I64_MAX = 2**63 - 1
S = 10**9
_DAY_NS = 86_400 * S
WEEK_NS = 7 * _DAY_NS
RANGE_TEXT = "1677-09-21..2262-04-11"

_UNIX_EPOCH_DATE = date(1970, 1, 1)
GPS_EPOCH_UNIX_S = 315_964_800  # 1980-01-06: 3_657 days after 1970-01-01

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

LEAP_UTC_NS: tuple[int, ...] = tuple(
    (d.toordinal() - _UNIX_EPOCH_DATE.toordinal()) * _DAY_NS for d, _ in LEAP_SECONDS
)
LEAP_OFFSETS: tuple[int, ...] = (0, *(offset for _, offset in LEAP_SECONDS))

# Naive wall times must leave room for any zone offset (< 1 day) inside the ns range.
NAIVE_MIN_NS = pd.Timestamp("1677-09-22").value
NAIVE_MAX_NS = pd.Timestamp("2262-04-11").value - 1


@dataclass(frozen=True)
class Epoch:
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
        lo = -((self.offset_ns - NS_MIN) // self.unit_ns)  # ceil((NS_MIN - offset) / unit)
        hi = (NS_MAX - self.offset_ns) // self.unit_ns
        return max(lo, _I64_MIN), min(hi, _I64_MAX)


UNIX_S = Epoch("Unix seconds", "1970-01-01 UTC", "s", S, 0)
UNIX_MS = Epoch("Unix milliseconds", "1970-01-01 UTC", "ms", 10**6, 0)
UNIX_US = Epoch("Unix microseconds", "1970-01-01 UTC", "us", 10**3, 0)
UNIX_NS = Epoch("Unix nanoseconds", "1970-01-01 UTC", "ns", 1, 0)
UNIX: dict[str, Epoch] = {"s": UNIX_S, "ms": UNIX_MS, "us": UNIX_US, "ns": UNIX_NS}
COCOA_S = Epoch("Apple Cocoa seconds", "2001-01-01 UTC", "s", S, 978_307_200 * S)
COCOA_NS = Epoch("Apple Cocoa nanoseconds", "2001-01-01 UTC", "ns", 1, 978_307_200 * S)
WEBKIT = Epoch("WebKit/Chrome microseconds", "1601-01-01 UTC", "us", 10**3, -11_644_473_600 * S)
FILETIME = Epoch("Windows FILETIME", "1601-01-01 UTC", "100 ns", 100, -11_644_473_600 * S)
HFS = Epoch("HFS+ seconds", "1904-01-01 UTC", "s", S, -2_082_844_800 * S)
GPS_S = Epoch("GPS seconds", "1980-01-06 GPS time", "s", S, GPS_EPOCH_UNIX_S * S)
GPS_WEEK = Epoch("GPS week", "1980-01-06 GPS time", "weeks", WEEK_NS, 0)
GPS_TOW = Epoch("GPS time of week", "the start of the GPS week", "ms", 10**6, 0)
DOTNET = Epoch(".NET ticks", "0001-01-01", "100 ns", 100, -62_135_596_800 * S)
OLE = Epoch("Excel/OLE Automation date", "1899-12-30", "days", _DAY_NS, -25_569 * _DAY_NS)

# --------------------------------------------------------------------------------------------
# Scalar helpers
# --------------------------------------------------------------------------------------------


def show(value: object) -> str:
    """A short repr for messages (a value may be a whole DataFrame)."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def is_vector(value: object) -> bool:
    return isinstance(value, pd.Series | pd.Index | np.ndarray | list | tuple)


def is_missing(value: object) -> bool:
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


def exact_fraction(value: object, ep: Epoch) -> Fraction:
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
        f"{show(value)} ({type(value).__name__}) is not a number, so it cannot be a "
        f"{ep.name} value ({ep.unit} since {ep.epoch}); convert text with int() or float()"
    )


def scalar_ns(value: object, ep: Epoch) -> int:
    """``value`` units after ``ep``'s epoch as exact Unix nanoseconds; raise TimestampError."""
    exact = exact_fraction(value, ep)
    ns = round(exact * ep.unit_ns) + ep.offset_ns
    if not NS_MIN <= ns <= NS_MAX:
        raise TimestampError(
            f"{ep.name} value {show(value)} ({ep.unit} since {ep.epoch}) falls outside "
            f"{RANGE_TEXT}, the range pandas holds in nanoseconds ({_about_year(Fraction(ns))}); "
            "is it really this epoch and unit? decode_timestamp() lists the candidates"
        )
    return ns


def ns_timestamp(ns: int) -> pd.Timestamp:
    return pd.Timestamp(ns, unit="ns", tz="UTC")


# --------------------------------------------------------------------------------------------
# Vector helpers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A 1-d input as one NumPy array (int64, uint64, float64 or object) plus its labels."""

    data: npt.NDArray[Any]
    missing: Bool
    index: pd.Index[Any] | None
    name: Hashable | None


def column(values: object, what: str) -> Column:
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
            missing = np.fromiter((is_missing(v) for v in data), dtype=bool, count=len(data))
        return Column(data, missing, index, name)
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
    else:  # pragma: no cover - guarded by is_vector
        raise TimestampError(f"{what}: {show(values)} is not an array-like")
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
        missing = np.fromiter((is_missing(v) for v in data), dtype=bool, count=len(data))
    else:
        missing = np.zeros(len(data), dtype=bool)
    return Column(data, missing, index, name)


def checked_add(base: I64, extra: I64, ok: Bool) -> tuple[I64, Bool]:
    """``base + extra`` where it stays inside the ns range (exact, no int64 wrap-around)."""
    fits = np.where(
        extra > 0,
        base <= NS_MAX - np.maximum(extra, 0),
        base >= NS_MIN - np.minimum(extra, 0),
    )
    ok = ok & fits
    total = np.where(ok, base, 0) + np.where(ok, extra, 0)
    return total, ok


def _int_ns(data: I64, usable: Bool, ep: Epoch) -> tuple[I64, Bool]:
    lo, hi = ep.bounds
    ok = usable & (data >= lo) & (data <= hi)
    whole = np.where(ok, data, -ep.offset_units) + ep.offset_units
    return whole * ep.unit_ns, ok


def _float_ns(data: npt.NDArray[np.float64], usable: Bool, ep: Epoch) -> tuple[I64, Bool]:
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
    return checked_add(base, frac_ns.astype(np.int64), ok)


def _object_ns(data: npt.NDArray[Any], usable: Bool, ep: Epoch) -> tuple[I64, Bool]:
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
    ns = np.full(len(data), NAT, dtype=np.int64)
    ok = np.zeros(len(data), dtype=bool)
    for i in np.flatnonzero(usable):
        try:
            ns[i] = scalar_ns(data[i], ep)
        except TimestampError:
            continue
        ok[i] = True
    return ns, ok


def column_ns(col: Column, ep: Epoch) -> tuple[I64, Bool]:
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


def utc_series(ns: I64, ok: Bool, index: pd.Index[Any] | None, name: Hashable | None) -> UTCSeries:
    values = np.where(ok, ns, NAT).astype(np.int64).view("M8[ns]")
    naive = pd.Series(values, index=index, name=name, copy=False)
    return naive.dt.tz_localize("UTC")


def column_problem(func: str, what: str, col: Column, bad: Bool) -> str | None:
    count = int(bad.sum())
    if not count:
        return None
    first = ", ".join(show(col.data[i]) for i in np.flatnonzero(bad)[:3])
    return (
        f"{func}: {count} of {len(bad)} values could not be read as {what} (outside "
        f"{RANGE_TEXT} or not a number) and became NaT; first: {first}"
    )


def numeric_result(value: object, ep: Epoch, func: str) -> tuple[Result, str | None]:
    what = f"{ep.name} ({ep.unit} since {ep.epoch})"
    if is_vector(value):
        col = column(value, func)
        ns, ok = column_ns(col, ep)
        return utc_series(ns, ok, col.index, col.name), column_problem(
            func, what, col, ~col.missing & ~ok
        )
    if is_missing(value):
        return pd.NaT, None
    return ns_timestamp(scalar_ns(value, ep)), None
