""":func:`decode_timestamp`: what might this number be? Every epoch it fits, in a window."""

from __future__ import annotations

import math
import numbers
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

import numpy as np
import pandas as pd

from forensics_lib.core.errors import TimestampError
from forensics_lib.core.times.epochs import (
    COCOA_NS,
    COCOA_S,
    DOTNET,
    FILETIME,
    GPS_S,
    HFS,
    OLE,
    RANGE_TEXT,
    UNIX_MS,
    UNIX_NS,
    UNIX_S,
    UNIX_US,
    WEBKIT,
    Epoch,
    exact_fraction,
    scalar_ns,
    show,
    utc_series,
)
from forensics_lib.core.times.gps import gps_to_utc

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
    raise TimestampError(f"decode_timestamp: {show(value)} is not a number or numeric text")


def _try(value: object, ep: Epoch) -> int | None:
    try:
        return scalar_ns(value, ep)
    except TimestampError:
        return None


def _try_gps(value: object) -> int | None:
    label = _try(value, GPS_S)
    if label is None or label < GPS_S.offset_ns:
        return None
    return int(gps_to_utc(np.array([label], dtype=np.int64), np.ones(1, dtype=bool))[0])


def _try_ole(value: object) -> int | None:
    # An OLE date's integer part counts days (signed) and its fraction is the time of day
    # even when negative: -1.25 is 1899-12-29 06:00, not 1899-12-28 18:00.
    try:
        exact = exact_fraction(value, OLE)
    except TimestampError:
        return None
    days = math.trunc(exact)
    return _try(days + abs(exact - days), OLE)


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
            f"decode_timestamp: {label}={bound!r} is outside {RANGE_TEXT}"
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
        for ep in (UNIX_S, UNIX_MS, UNIX_US, UNIX_NS, COCOA_S, COCOA_NS, WEBKIT, FILETIME)
    ]
    if swapped is not None:
        candidates.append(
            (
                "Windows FILETIME (little-endian bytes)",
                FILETIME.epoch,
                FILETIME.unit,
                _try(swapped, FILETIME),
            )
        )
    candidates += [
        (HFS.name, HFS.epoch, HFS.unit, _try(number, HFS)),
        (GPS_S.name, GPS_S.epoch, GPS_S.unit, _try_gps(number)),
        (DOTNET.name, DOTNET.epoch, DOTNET.unit, _try(number, DOTNET)),
        (OLE.name, OLE.epoch, OLE.unit, _try_ole(number)),
    ]
    rows = [row for row in candidates if row[3] is not None and low <= row[3] <= high]
    ns = np.array([row[3] for row in rows], dtype=np.int64)
    return pd.DataFrame(
        {
            "format": pd.Series([row[0] for row in rows], dtype="str"),
            "epoch": pd.Series([row[1] for row in rows], dtype="str"),
            "unit": pd.Series([row[2] for row in rows], dtype="str"),
            "utc": utc_series(ns, np.ones(len(rows), dtype=bool), None, None),
        }
    )
