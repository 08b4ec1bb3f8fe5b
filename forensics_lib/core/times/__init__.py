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

The package
===========

One module per responsibility; import this package, which re-exports every public name:
:mod:`~forensics_lib.core.times.epochs` (types, the epoch table, leap seconds, the exact
nanosecond arithmetic the converters share), :mod:`~forensics_lib.core.times.unix` (Unix,
Cocoa, WebKit, FILETIME, HFS+), :mod:`~forensics_lib.core.times.gps`,
:mod:`~forensics_lib.core.times.local` (wall times, zones) and
:mod:`~forensics_lib.core.times.guess` (:func:`decode_timestamp`).
"""

from __future__ import annotations

from forensics_lib.core.times.epochs import LEAP_SECONDS as LEAP_SECONDS
from forensics_lib.core.times.epochs import Ambiguous as Ambiguous
from forensics_lib.core.times.epochs import DatetimeLike as DatetimeLike
from forensics_lib.core.times.epochs import Missing as Missing
from forensics_lib.core.times.epochs import Nonexistent as Nonexistent
from forensics_lib.core.times.epochs import NumberLike as NumberLike
from forensics_lib.core.times.epochs import UnixUnit as UnixUnit
from forensics_lib.core.times.epochs import UTCSeries as UTCSeries
from forensics_lib.core.times.epochs import VectorLike as VectorLike
from forensics_lib.core.times.gps import from_gps, from_gps_seconds, gps_utc_offset
from forensics_lib.core.times.guess import decode_timestamp
from forensics_lib.core.times.local import from_local, to_utc, zone_info
from forensics_lib.core.times.unix import (
    from_cocoa,
    from_cocoa_ns,
    from_filetime,
    from_hfs,
    from_unix,
    from_unix_ms,
    from_unix_ns,
    from_unix_s,
    from_unix_us,
    from_webkit,
)

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

# doctest.testmod(times) looks only at objects defined in this file; the examples now live in
# the submodules' docstrings, so name the functions that carry them (doctest's __test__).
__test__ = {name: obj for name, obj in list(globals().items()) if name in __all__ and callable(obj)}
