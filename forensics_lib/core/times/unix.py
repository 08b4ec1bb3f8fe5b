"""Unix, Apple Cocoa, WebKit/Chrome, Windows FILETIME and HFS+ epochs to UTC (exact integer
arithmetic; see :mod:`forensics_lib.core.times` for the table and the derivations).
"""

from __future__ import annotations

import warnings
from typing import overload

import pandas as pd
from pandas.api.typing import NaTType

from forensics_lib.core.errors import ForensicsWarning, TimestampError
from forensics_lib.core.times.epochs import (
    COCOA_NS,
    COCOA_S,
    FILETIME,
    HFS,
    UNIX,
    UNIX_MS,
    UNIX_NS,
    UNIX_S,
    UNIX_US,
    WEBKIT,
    Missing,
    NumberLike,
    Result,
    UnixUnit,
    UTCSeries,
    VectorLike,
    numeric_result,
)

# --------------------------------------------------------------------------------------------
# Unix, Cocoa, WebKit, FILETIME, HFS+
# --------------------------------------------------------------------------------------------


@overload
def from_unix(value: Missing, unit: UnixUnit = "s") -> NaTType: ...
@overload
def from_unix(value: NumberLike, unit: UnixUnit = "s") -> pd.Timestamp: ...
@overload
def from_unix(value: VectorLike, unit: UnixUnit = "s") -> UTCSeries: ...
def from_unix(value: object, unit: UnixUnit = "s") -> Result:
    """Unix time: ``unit`` (``"s"``, ``"ms"``, ``"us"`` or ``"ns"``) since 1970-01-01T00:00:00Z.

    Integers are exact; floats are rounded to the nearest ns (ties to even), see the module notes.

    >>> from_unix(1_000_000_000)
    Timestamp('2001-09-09 01:46:40+0000', tz='UTC')
    """
    try:
        ep = UNIX[unit]
    except KeyError:
        raise TimestampError(f"unknown Unix unit {unit!r}: use 's', 'ms', 'us' or 'ns'") from None
    result, problem = numeric_result(value, ep, "from_unix")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_unix_s(value: Missing) -> NaTType: ...
@overload
def from_unix_s(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_unix_s(value: VectorLike) -> UTCSeries: ...
def from_unix_s(value: object) -> Result:
    """Unix seconds since 1970-01-01T00:00:00Z.

    >>> from_unix_s(1_700_000_000)
    Timestamp('2023-11-14 22:13:20+0000', tz='UTC')
    """
    result, problem = numeric_result(value, UNIX_S, "from_unix_s")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_unix_ms(value: Missing) -> NaTType: ...
@overload
def from_unix_ms(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_unix_ms(value: VectorLike) -> UTCSeries: ...
def from_unix_ms(value: object) -> Result:
    """Unix milliseconds (Java/Android ``System.currentTimeMillis()``, e.g. mmssms.db ``date``).

    >>> from_unix_ms(1_700_000_000_123)
    Timestamp('2023-11-14 22:13:20.123000+0000', tz='UTC')
    """
    result, problem = numeric_result(value, UNIX_MS, "from_unix_ms")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_unix_us(value: Missing) -> NaTType: ...
@overload
def from_unix_us(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_unix_us(value: VectorLike) -> UTCSeries: ...
def from_unix_us(value: object) -> Result:
    """Unix microseconds (e.g. PCAP-ng, Firefox ``places.sqlite``, DataFlash ``TimeUS`` + GPS).

    >>> from_unix_us(1_700_000_000_123_456)
    Timestamp('2023-11-14 22:13:20.123456+0000', tz='UTC')
    """
    result, problem = numeric_result(value, UNIX_US, "from_unix_us")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_unix_ns(value: Missing) -> NaTType: ...
@overload
def from_unix_ns(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_unix_ns(value: VectorLike) -> UTCSeries: ...
def from_unix_ns(value: object) -> Result:
    """Unix nanoseconds, kept exact for integers.

    >>> from_unix_ns(1_700_000_000_123_456_789)
    Timestamp('2023-11-14 22:13:20.123456789+0000', tz='UTC')
    """
    result, problem = numeric_result(value, UNIX_NS, "from_unix_ns")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_cocoa(value: Missing) -> NaTType: ...
@overload
def from_cocoa(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_cocoa(value: VectorLike) -> UTCSeries: ...
def from_cocoa(value: object) -> Result:
    """Apple Cocoa / Core Data / "Mac absolute time": seconds since 2001-01-01T00:00:00Z.

    Often a double (``721692000.123456``); see the module notes on float rounding. A value near
    978_307_200 is probably a Unix time read with the wrong epoch (it lands in 2032).

    >>> from_cocoa(721_692_000)
    Timestamp('2023-11-14 22:00:00+0000', tz='UTC')
    """
    result, problem = numeric_result(value, COCOA_S, "from_cocoa")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_cocoa_ns(value: Missing) -> NaTType: ...
@overload
def from_cocoa_ns(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_cocoa_ns(value: VectorLike) -> UTCSeries: ...
def from_cocoa_ns(value: object) -> Result:
    """Nanoseconds since 2001-01-01T00:00:00Z (iOS 11+ ``sms.db`` ``message.date``).

    >>> from_cocoa_ns(721_692_000_123_456_789)
    Timestamp('2023-11-14 22:00:00.123456789+0000', tz='UTC')
    """
    result, problem = numeric_result(value, COCOA_NS, "from_cocoa_ns")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_webkit(value: Missing) -> NaTType: ...
@overload
def from_webkit(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_webkit(value: VectorLike) -> UTCSeries: ...
def from_webkit(value: object) -> Result:
    """WebKit/Chrome time: microseconds since 1601-01-01T00:00:00Z (Chrome ``History``).

    As with FILETIME, 0 ("never") is 1601 and out of range; mask it first.

    >>> from_webkit(13_000_000_000_000_000)
    Timestamp('2012-12-14 23:06:40+0000', tz='UTC')
    """
    result, problem = numeric_result(value, WEBKIT, "from_webkit")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_filetime(value: Missing) -> NaTType: ...
@overload
def from_filetime(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_filetime(value: VectorLike) -> UTCSeries: ...
def from_filetime(value: object) -> Result:
    """Windows FILETIME: 100-nanosecond intervals since 1601-01-01T00:00:00Z.

    0 (the usual "never set") is 1601-01-01, before 1677: a scalar 0 raises and a 0 in a vector
    becomes NaT with a warning; mask zeros first if they mean "not set" in your source.

    >>> from_filetime(116_444_736_000_000_000)
    Timestamp('1970-01-01 00:00:00+0000', tz='UTC')
    """
    result, problem = numeric_result(value, FILETIME, "from_filetime")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result


@overload
def from_hfs(value: Missing) -> NaTType: ...
@overload
def from_hfs(value: NumberLike) -> pd.Timestamp: ...
@overload
def from_hfs(value: VectorLike) -> UTCSeries: ...
def from_hfs(value: object) -> Result:
    """HFS+ time: seconds since 1904-01-01T00:00:00Z (as stored in the catalog, which is UTC).

    >>> from_hfs(2_082_844_800)
    Timestamp('1970-01-01 00:00:00+0000', tz='UTC')
    """
    result, problem = numeric_result(value, HFS, "from_hfs")
    if problem:
        warnings.warn(problem, ForensicsWarning, stacklevel=2)
    return result
