"""Tests for forensics_lib.times.

Truth here is arithmetic done by hand (derivation in the comment next to each value), the IERS
leap-second table, and pymavlink's DFReader for ArduPilot GPS time.
Day counts used below: 1970->2001 = 31 x 365 + 8 leap days = 11_323 days = 978_307_200 s;
1601->1970 = 369 x 365 + 89 leap days = 134_774 days = 11_644_473_600 s;
1904->1970 = 66 x 365 + 17 = 24_107 days = 2_082_844_800 s;
1970->1980-01-06 = 3_657 days = 315_964_800 s.
"""

from __future__ import annotations

import doctest
import warnings
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics_lib import times
from forensics_lib.errors import ForensicsWarning, TimestampError
from forensics_lib.times import (
    LEAP_SECONDS,
    decode_timestamp,
    from_cocoa,
    from_cocoa_ns,
    from_filetime,
    from_gps,
    from_gps_seconds,
    from_hfs,
    from_local,
    from_unix,
    from_unix_ms,
    from_unix_ns,
    from_unix_s,
    from_unix_us,
    from_webkit,
    gps_utc_offset,
    to_utc,
)
from tests.conftest import examples

NS_MIN = -(2**63) + 1
NS_MAX = 2**63 - 1
GPS_EPOCH_UNIX = 315_964_800
COCOA_EPOCH_UNIX = 978_307_200


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def ns_values(series: pd.Series) -> list[int]:
    return [int(v) for v in pd.DatetimeIndex(series).asi8]


def assert_utc_series(result: object) -> pd.Series:
    assert isinstance(result, pd.Series)
    assert str(result.dtype) == "datetime64[ns, UTC]"
    return result


# ---------------------------------------------------------------------------- Unix


def test_unix_seconds_billennium() -> None:
    # 1_000_000_000 s = 11_574 days + 6_400 s; 1970 + 11_574 days = 2001-09-09 (31 years =
    # 11_323 days to 2001-01-01, + 251 days = Sep 9: Jan..Aug = 243 days, + 8), 6_400 s = 01:46:40.
    expected = utc("2001-09-09T01:46:40")
    assert from_unix(1_000_000_000) == expected
    assert from_unix_s(1_000_000_000) == expected
    assert from_unix_ms(1_000_000_000_000) == expected
    assert from_unix_us(1_000_000_000_000_000) == expected
    assert from_unix_ns(1_000_000_000_000_000_000) == expected
    assert from_unix(1_000_000_000_000, unit="ms") == expected


def test_scalar_result_is_utc_timestamp() -> None:
    result = from_unix(0)
    assert isinstance(result, pd.Timestamp)
    assert result.tz is not None
    assert result.utcoffset() == timedelta(0)
    assert result.unit == "ns"


def test_unknown_unix_unit_raises() -> None:
    with pytest.raises(TimestampError, match="unit"):
        from_unix(1, unit="h")  # type: ignore[call-overload]


def test_ns_exact_for_integers() -> None:
    # 1_700_000_000_123_456_789 does not survive a float (53-bit mantissa): the last digits
    # must come back unchanged through integer arithmetic.
    value = 1_700_000_000_123_456_789
    assert from_unix_ns(value).value == value
    assert from_unix(value, unit="ns").value == value
    series = assert_utc_series(from_unix_ns(np.array([value, -value], dtype=np.int64)))
    assert ns_values(series) == [value, -value]
    nullable = pd.Series([value, None], dtype="Int64")
    assert from_unix_ns(nullable).iloc[0].value == value
    # a Python list with None stays exact (no detour through float64)
    assert from_unix_ns([value, None]).iloc[0].value == value
    # microseconds: 1_700_000_000_123_456 us -> ...20.123456 exactly
    assert from_unix_us(1_700_000_000_123_456).value == 1_700_000_000_123_456_000


def test_vector_dtype_index_and_name_kept() -> None:
    source = pd.Series([0, 1_000_000_000], index=["a", "b"], name="date")
    result = assert_utc_series(from_unix(source))
    assert list(result.index) == ["a", "b"]
    assert result.name == "date"
    assert result["b"] == utc("2001-09-09T01:46:40")
    for vector in ([0, 1], (0, 1), np.array([0, 1]), pd.Index([0, 1])):
        assert_utc_series(from_unix(vector))
    assert_utc_series(from_unix([]))


def test_missing_values_become_nat() -> None:
    assert from_unix(None) is pd.NaT
    assert pd.isna(from_unix(float("nan")))
    assert from_unix(pd.NA) is pd.NaT
    result = assert_utc_series(from_cocoa([0, None, float("nan"), pd.NA]))
    assert result.isna().tolist() == [False, True, True, True]
    floats = assert_utc_series(from_cocoa(pd.Series([0.0, np.nan])))
    assert floats.isna().tolist() == [False, True]


def test_scalar_out_of_range_raises_naming_value_and_epoch() -> None:
    with pytest.raises(
        TimestampError, match=r"Unix seconds value 10000000000000000000 \(s since 1970"
    ):
        from_unix(10**19)
    # FILETIME 0 (often "never") is 1601-01-01, before pandas' 1677 limit
    with pytest.raises(TimestampError, match="FILETIME"):
        from_filetime(0)
    with pytest.raises(TimestampError, match="not a number"):
        from_unix("1700000000")  # type: ignore[call-overload]
    with pytest.raises(TimestampError, match="finite"):
        from_unix(float("inf"))


def test_range_edges_are_inclusive() -> None:
    assert from_unix_ns(NS_MAX) == pd.Timestamp.max.tz_localize("UTC")
    assert from_unix_ns(NS_MIN) == pd.Timestamp.min.tz_localize("UTC")
    with pytest.raises(TimestampError):
        from_unix_ns(NS_MAX + 1)
    with pytest.raises(TimestampError):
        from_unix_ns(NS_MIN - 1)  # this would be NaT's own bit pattern


def test_bools_are_rejected() -> None:
    with pytest.raises(TimestampError, match="bool"):
        from_unix(True)
    with pytest.raises(TimestampError, match="bool"):
        from_cocoa(np.bool_(False))  # type: ignore[call-overload]
    with pytest.raises(TimestampError, match="bool"):
        from_unix(np.array([True, False]))
    with pytest.raises(TimestampError, match="bool"):
        from_unix(pd.Series([True]))


def test_vector_out_of_range_warns_once_and_gives_nat() -> None:
    values = [0, 10**20, "x", -(10**20), 1]
    with pytest.warns(ForensicsWarning, match=r"3 of 5 values") as record:
        result = from_unix(values)
    assert len(record) == 1
    # stacklevel=2: the warning points at the caller (this file), not at times.py
    assert record[0].filename == __file__
    assert result.isna().tolist() == [False, True, True, True, False]
    with pytest.warns(ForensicsWarning, match="1 of 2"):
        unsigned = from_unix_ns(np.array([1, 2**63 + 5], dtype=np.uint64))
    assert unsigned.isna().tolist() == [False, True]
    with pytest.warns(ForensicsWarning, match="2 of 3"):
        floats = from_unix(np.array([1e30, -np.inf, 1.5]))
    assert floats.iloc[2] == utc("1970-01-01T00:00:01.5")


def test_no_warning_when_all_valid() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from_unix([0, None, 1])


# ---------------------------------------------------------------------------- Apple


def test_cocoa_epoch() -> None:
    assert from_cocoa(0) == utc("2001-01-01T00:00:00")
    assert from_cocoa_ns(0) == utc("2001-01-01T00:00:00")


def test_cocoa_wrong_epoch_trap() -> None:
    # 978_307_200 is 2001-01-01 as *Unix* seconds. Read as Cocoa it adds the epoch twice:
    # 2 x 978_307_200 = 1_956_614_400; 2032-01-01 = (62 x 365 + 15 leap days) x 86_400
    # = 1_956_528_000, + 86_400 -> 2032-01-02.
    assert from_cocoa(978_307_200) == utc("2032-01-02T00:00:00")
    assert from_unix(978_307_200) == utc("2001-01-01T00:00:00")


def test_cocoa_float_rounding() -> None:
    # 721_692_000 + 978_307_200 = 1_699_999_200 = 1_700_000_000 - 800 s
    # = 2023-11-14T22:13:20Z - 13:20 = 22:00:00Z. The double nearest 721692000.123456 is
    # 721692000.12345600128..., rounded to the nearest ns -> .123456001 (module docs).
    result = from_cocoa(721_692_000.123456)
    assert result.round("us") == utc("2023-11-14T22:00:00.123456")
    assert result.value == 1_699_999_200 * 10**9 + round(
        Fraction(0.123456 + 721_692_000) * 10**9
    ) - (721_692_000 * 10**9)
    assert abs(result - utc("2023-11-14T22:00:00.123456")) < pd.Timedelta(1, "us")
    # a Decimal is exact
    assert from_cocoa(Decimal("721692000.123456")) == utc("2023-11-14T22:00:00.123456")


def test_cocoa_ns_sms_db() -> None:
    # iOS 11+ sms.db message.date: ns since 2001. 721_692_000_123_456_789 ns = 721_692_000 s
    # (-> 2023-11-14T22:00:00Z as above) + .123456789
    assert from_cocoa_ns(721_692_000_123_456_789) == utc("2023-11-14T22:00:00.123456789")


def test_float_ties_round_half_even_in_scalar_and_vector() -> None:
    # 2.5 ns and 3.5 ns are exact doubles on a half: ties go to even (2, 4, -2)
    values = [2.5, 3.5, -2.5, -3.5, 0.5]
    assert [from_unix_ns(x).value for x in values] == [2, 4, -2, -4, 0]
    series = from_unix_ns(np.array(values))
    assert ns_values(series) == [2, 4, -2, -4, 0]
    # 1/1024 s = 976_562.5 ns exactly (1e9 / 2**10 = 5**9 / 2): ties at second resolution too
    seconds = [1 + 1 / 1024, 1 + 3 / 1024]  # 1_000_976_562.5 -> ...62, 1_002_929_687.5 -> ...88
    expected = [1_000_976_562, 1_002_929_688]
    assert [from_unix(x).value for x in seconds] == expected
    assert ns_values(from_unix(np.array(seconds))) == expected


# ---------------------------------------------------------------------- WebKit, FILETIME, HFS+


def test_webkit() -> None:
    # 13e15 us = 13e9 s after 1601-01-01; minus 11_644_473_600 s (1601->1970) = 1_355_526_400 s
    # Unix = 15_688 days + 83_200 s. 2012-01-01 is day 15_340 (42 x 365 + 10 leap days); day
    # 348 of leap 2012 is Dec 14 (Jan..Nov = 335 days); 83_200 s = 23:06:40.
    assert from_webkit(13_000_000_000_000_000) == utc("2012-12-14T23:06:40")
    # 1601->1970 in us lands exactly on the Unix epoch
    assert from_webkit(11_644_473_600_000_000) == utc("1970-01-01")


def test_filetime() -> None:
    # 11_644_473_600 s x 10_000_000 (100-ns ticks per second) = 116_444_736_000_000_000
    assert from_filetime(116_444_736_000_000_000) == utc("1970-01-01T00:00:00")
    assert from_filetime(116_444_736_000_000_001) == utc("1970-01-01T00:00:00.0000001")


def test_hfs() -> None:
    assert from_hfs(2_082_844_800) == utc("1970-01-01T00:00:00")
    assert from_hfs(0) == utc("1904-01-01T00:00:00")


# ---------------------------------------------------------------------------- GPS


def test_leap_table_shape() -> None:
    offsets = [offset for _, offset in LEAP_SECONDS]
    assert offsets == list(range(1, 19))
    dates = [day for day, _ in LEAP_SECONDS]
    assert dates == sorted(dates)
    assert all(day.day == 1 and day.month in (1, 7) for day in dates)


def test_leap_table_matches_system_leap_seconds_list() -> None:
    # IETF/IERS leap-seconds.list: NTP seconds (since 1900) and TAI-UTC; GPS-UTC = TAI-UTC - 19
    path = Path("/usr/share/zoneinfo/leap-seconds.list")
    if not path.exists():
        pytest.skip("no leap-seconds.list on this system")
    ntp_to_unix = 2_208_988_800
    rows = []
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            ntp, tai_utc = line.split()[:2]
            rows.append((int(ntp) - ntp_to_unix, int(tai_utc) - 19))
    ours = [
        ((day - datetime(1970, 1, 1, tzinfo=UTC).date()).days * 86_400, offset)
        for day, offset in LEAP_SECONDS
    ]
    assert [row for row in rows if row[1] > 0] == ours


def test_gps_epoch() -> None:
    assert from_gps(0, 0) == utc("1980-01-06T00:00:00")
    assert from_gps_seconds(0) == utc("1980-01-06T00:00:00")


def test_gps_2016_uses_17() -> None:
    # week 1900 = 1_149_120_000 s after the GPS epoch; + 315_964_800 = 1_465_084_800
    # = 2016-06-05T00:00:00 (2016-01-01 = 1_451_606_400, + 156 days = Jun 5). GPS-UTC = 17.
    assert from_gps(1900, 0) == utc("2016-06-04T23:59:43")


def test_gps_2017_uses_18() -> None:
    # week 1930 = 1_167_264_000 s; + 315_964_800 = 1_483_228_800 = 2017-01-01T00:00:00 as GPS
    # time. One day later (tow 86_400_000 ms) GPS-UTC is 18.
    assert from_gps(1930, 86_400_000) == utc("2017-01-01T23:59:42")


def test_gps_just_before_the_2017_leap_uses_17() -> None:
    # GPS 2017-01-01T00:00:00 is UTC 2016-12-31T23:59:43 (17 s): looking the offset up at the
    # GPS label alone would wrongly give 18 and 23:59:42.
    assert from_gps(1930, 0) == utc("2016-12-31T23:59:43")


def test_gps_1999_uses_13() -> None:
    # week 1000 = 604_800_000 s; + 315_964_800 = 920_764_800 = 1999-03-07T00:00:00
    # (1999-01-01 = 915_148_800, + 65 days = Mar 7). GPS-UTC = 13.
    assert from_gps(1000, 0) == utc("1999-03-06T23:59:47")


def test_gps_across_the_leap_second() -> None:
    # UTC 2017-01-01T00:00:00 = Unix 1_483_228_800 = GPS label + 18 s.
    base = 1_483_228_800 - GPS_EPOCH_UNIX
    assert from_gps_seconds(base + 16) == utc("2016-12-31T23:59:59")  # 17 s before the leap
    assert from_gps_seconds(base + 17) == utc("2017-01-01T00:00:00")  # 23:59:60, as POSIX shows
    assert from_gps_seconds(base + 18) == utc("2017-01-01T00:00:00")  # just after: 18 s
    assert from_gps_seconds(base + 19) == utc("2017-01-01T00:00:01")
    assert from_gps_seconds(1_000_000_000) == utc("2011-09-14T01:46:25")  # 15 s in 2011


def test_gps_utc_offset() -> None:
    assert gps_utc_offset("2016-12-31T23:59:59Z") == 17
    assert gps_utc_offset(datetime(2017, 1, 1, tzinfo=UTC)) == 18
    assert gps_utc_offset(utc("1999-06-01")) == 13
    assert gps_utc_offset(utc("1980-01-06")) == 0
    with pytest.raises(TimestampError, match="GPS epoch"):
        gps_utc_offset(utc("1979-12-31"))
    with pytest.raises(TimestampError, match="naive"):
        gps_utc_offset("2017-01-01T00:00:00")


def test_gps_agrees_with_pymavlink() -> None:
    dfreader = pytest.importorskip("pymavlink.DFReader")
    clock = dfreader.DFReaderClock()
    for week, ms in ((2018, 0), (2300, 123_456_789), (2350, 604_799_999)):
        # pymavlink: 315964800 + week*7*86400 + ms*0.001 - 18 (a float, so compare within 1 us)
        reference = pd.Timestamp(clock._gpsTimeToTime(week, ms), unit="s", tz="UTC")
        assert abs(from_gps(week, ms) - reference) < pd.Timedelta(1, "us")


def test_gps_vectorised_week_and_tow() -> None:
    weeks = pd.Series([1930, 1000, None], index=[10, 11, 12])
    result = assert_utc_series(from_gps(weeks, [86_400_000, 0, 5]))
    assert list(result.index) == [10, 11, 12]
    assert result.tolist()[:2] == [utc("2017-01-01T23:59:42"), utc("1999-03-06T23:59:47")]
    assert result.isna().tolist() == [False, False, True]
    broadcast = assert_utc_series(from_gps(1930, np.array([0, 86_400_000])))
    assert broadcast.tolist() == [utc("2016-12-31T23:59:43"), utc("2017-01-01T23:59:42")]


def test_gps_invalid_inputs() -> None:
    with pytest.raises(TimestampError, match="time of week"):
        from_gps(2018, 604_800_000)
    with pytest.raises(TimestampError, match="whole number"):
        from_gps(2018.5, 0)
    with pytest.raises(TimestampError, match="negative"):
        from_gps_seconds(-1)
    with pytest.raises(TimestampError, match="lengths"):
        from_gps([1, 2], [0, 0, 0])
    with pytest.warns(ForensicsWarning, match="2 of 3"):
        result = from_gps([2018, -1, 2018], [0, 0, -5])
    assert result.isna().tolist() == [False, True, True]


# ---------------------------------------------------------------------------- local wall time

BRUSSELS = "Europe/Brussels"


def test_local_summer_and_winter() -> None:
    # CEST = UTC+2 in July, CET = UTC+1 in January
    assert from_local("2024-07-01 12:00", BRUSSELS) == utc("2024-07-01T10:00")
    assert from_local("2024-01-15 12:00", BRUSSELS) == utc("2024-01-15T11:00")
    naive = datetime(2024, 7, 1, 12)  # noqa: DTZ001 - a naive wall time is the input under test
    assert from_local(naive, BRUSSELS) == utc("2024-07-01T10:00")
    assert from_local(pd.Timestamp("2024-07-01 12:00"), ZoneInfo(BRUSSELS)) == utc(
        "2024-07-01T10:00"
    )


def test_local_nonexistent_spring_forward() -> None:
    # 2024-03-31: clocks go 02:00 CET -> 03:00 CEST; 02:30 never happened in Brussels
    with pytest.raises(TimestampError, match=r"does not exist.*shift_forward"):
        from_local("2024-03-31 02:30", BRUSSELS)
    # shifted to the end of the gap: 03:00 CEST = 01:00Z
    shifted = from_local("2024-03-31 02:30", BRUSSELS, nonexistent="shift_forward")
    assert shifted == utc("2024-03-31T01:00")
    assert pd.isna(from_local("2024-03-31 02:30", BRUSSELS, nonexistent="NaT"))


def test_local_ambiguous_fall_back() -> None:
    # 2024-10-27: clocks go 03:00 CEST -> 02:00 CET; 02:30 happened at 00:30Z and at 01:30Z
    with pytest.raises(TimestampError, match=r"ambiguous.*earliest.*latest"):
        from_local("2024-10-27 02:30", BRUSSELS)
    assert from_local("2024-10-27 02:30", BRUSSELS, ambiguous="earliest") == utc("2024-10-27T00:30")
    assert from_local("2024-10-27 02:30", BRUSSELS, ambiguous="latest") == utc("2024-10-27T01:30")


def test_local_vector() -> None:
    wall = pd.Series(["2024-07-01 12:00", "2024-01-15 12:00", None], index=[7, 8, 9])
    result = assert_utc_series(from_local(wall, BRUSSELS))
    assert list(result.index) == [7, 8, 9]
    assert result.tolist()[:2] == [utc("2024-07-01T10:00"), utc("2024-01-15T11:00")]
    assert result.isna().tolist() == [False, False, True]
    with pytest.raises(TimestampError, match="2 such wall times"):
        from_local(["2024-10-27 02:30", "2024-10-27 02:45"], BRUSSELS)
    both = from_local(
        ["2024-10-27 02:30", "2024-03-31 02:30"], BRUSSELS, ambiguous="latest", nonexistent="NaT"
    )
    assert both.iloc[0] == utc("2024-10-27T01:30")
    assert both.isna().tolist() == [False, True]
    with pytest.warns(ForensicsWarning, match="1 of 2"):
        partial = from_local(["2024-07-01 12:00", "not a date"], BRUSSELS)
    assert partial.isna().tolist() == [False, True]


def test_local_aware_input_is_converted_not_relocalised() -> None:
    assert from_local("2024-07-01T12:00+00:00", BRUSSELS) == utc("2024-07-01T12:00")
    aware = datetime(2024, 7, 1, 12, tzinfo=timezone(timedelta(hours=-4)))
    assert from_local(aware, BRUSSELS) == utc("2024-07-01T16:00")


def test_local_unknown_zone() -> None:
    with pytest.raises(TimestampError, match="unknown time zone"):
        from_local("2024-07-01 12:00", "Europe/Atlantis")
    with pytest.raises(TimestampError, match="unknown time zone"):
        from_local("2024-07-01 12:00", "+02:00")


def test_local_refuses_numbers_and_non_iso_text() -> None:
    with pytest.raises(TimestampError, match="epoch"):
        from_local(1_700_000_000, BRUSSELS)  # type: ignore[call-overload]
    with pytest.raises(TimestampError, match="ISO 8601"):
        from_local("01/02/2024 12:00", BRUSSELS)


# ---------------------------------------------------------------------------- to_utc


def test_to_utc() -> None:
    assert to_utc("2024-07-01T12:00:00+02:00") == utc("2024-07-01T10:00")
    assert to_utc("2024-07-01T10:00:00Z") == utc("2024-07-01T10:00")
    brussels = pd.Timestamp("2024-07-01 12:00", tz=BRUSSELS)
    assert to_utc(brussels) == utc("2024-07-01T10:00")
    assert to_utc(datetime(2024, 7, 1, 10, tzinfo=UTC)).unit == "ns"
    assert to_utc(None) is pd.NaT
    mixed = assert_utc_series(to_utc(["2024-07-01T12:00+02:00", "2024-01-01T00:00Z", None]))
    assert mixed.tolist()[:2] == [utc("2024-07-01T10:00"), utc("2024-01-01T00:00")]
    zoned = pd.Series(pd.to_datetime(["2024-07-01 12:00"]).tz_localize(BRUSSELS))
    assert assert_utc_series(to_utc(zoned)).iloc[0] == utc("2024-07-01T10:00")


def test_to_utc_refuses_naive_and_numbers() -> None:
    with pytest.raises(TimestampError, match=r"naive time.*from_local"):
        to_utc("2024-07-01 12:00")
    with pytest.raises(TimestampError, match="naive time"):
        to_utc(pd.Series(pd.to_datetime(["2024-07-01 12:00"])))
    with pytest.raises(TimestampError, match="epoch"):
        to_utc(1_700_000_000)  # type: ignore[call-overload]
    with pytest.raises(TimestampError, match="epoch"):
        to_utc(pd.Series([1, 2]))


# ---------------------------------------------------------------------------- decode_timestamp


def formats(frame: pd.DataFrame) -> list[str]:
    return frame["format"].tolist()


def test_decode_shape_and_dtypes() -> None:
    frame = decode_timestamp(1_000_000_000)
    assert list(frame.columns) == ["format", "epoch", "unit", "utc"]
    assert str(frame["utc"].dtype) == "datetime64[ns, UTC]"
    empty = decode_timestamp(10**40)  # overflows everywhere: no rows, no error
    assert list(empty.columns) == ["format", "epoch", "unit", "utc"]
    assert str(empty["utc"].dtype) == "datetime64[ns, UTC]"
    assert len(empty) == 0
    assert len(decode_timestamp(float("nan"))) == 0


def test_decode_one_billion() -> None:
    # Unix 2001-09-09T01:46:40Z; Cocoa + 978_307_200 s -> 2032-09-09T01:46:40Z; Cocoa ns = 1 s
    # after 2001; GPS label 2011-09-14T01:46:40 minus 15 leap seconds. Unix ms (1970-01-12),
    # HFS+ (1935) and the rest fall outside 1995..2040 and are excluded.
    frame = decode_timestamp(1_000_000_000)
    assert formats(frame) == [
        "Unix seconds",
        "Apple Cocoa seconds",
        "Apple Cocoa nanoseconds",
        "GPS seconds",
    ]
    assert frame["utc"].tolist() == [
        utc("2001-09-09T01:46:40"),
        utc("2032-09-09T01:46:40"),
        utc("2001-01-01T00:00:01"),
        utc("2011-09-14T01:46:25"),
    ]


def test_decode_700_million_lists_unix_and_cocoa() -> None:
    # Unix 700_000_000 s: 1992-01-01 = 8_035 days = 694_224_000 s; + 5_776_000 s = 66 days
    # (Mar 7 in leap 1992) + 73_600 s (20:26:40). Cocoa: + 978_307_200 = 1_678_307_200
    # = 2023-01-01 (1_672_531_200) + 66 days (Mar 8) + 20:26:40.
    frame = decode_timestamp(700_000_000, earliest="1990-01-01")
    by_format = dict(zip(frame["format"], frame["utc"], strict=True))
    assert by_format["Unix seconds"] == utc("1992-03-07T20:26:40")
    assert by_format["Apple Cocoa seconds"] == utc("2023-03-08T20:26:40")
    assert "Unix milliseconds" not in by_format  # 1970-01-09: implausible, excluded
    assert "HFS+ seconds" not in by_format  # 1926
    # with the default window (from 1995) the 1992 Unix reading is left out
    assert "Unix seconds" not in formats(decode_timestamp(700_000_000))
    assert "Apple Cocoa seconds" in formats(decode_timestamp("700000000"))


def test_decode_filetime_hex_both_byte_orders() -> None:
    # 2020-01-01 = 18_262 days after 1970 = 1_577_836_800 s; + 11_644_473_600 s
    # = 13_222_310_400 s x 10**7 = 132_223_104_000_000_000 ticks = 0x01D5C03669050000
    assert int("01D5C03669050000", 16) == 132_223_104_000_000_000
    big = decode_timestamp("0x01D5C03669050000")
    assert big.loc[big["format"] == "Windows FILETIME", "utc"].tolist() == [utc("2020-01-01")]
    little = decode_timestamp("0x0000056936C0D501")  # the same 8 bytes, little-endian
    row = little[little["format"] == "Windows FILETIME (little-endian bytes)"]
    assert row["utc"].tolist() == [utc("2020-01-01")]
    # the spec's example reads as a FILETIME in October 2021
    example = decode_timestamp("0x01D7C3A1B2C3D4E5")
    filetime = example.loc[example["format"] == "Windows FILETIME", "utc"].iloc[0]
    assert filetime == from_filetime(0x01D7C3A1B2C3D4E5)
    assert filetime.year == 2021


def test_decode_other_formats() -> None:
    # .NET ticks: 0001-01-01 -> 1970 is 719_162 days = 62_135_596_800 s = 621_355_968e9 ticks;
    # + 2020-01-01 (1_577_836_800 s x 10**7)
    ticks = 621_355_968_000_000_000 + 15_778_368_000_000_000
    assert ".NET ticks" in formats(decode_timestamp(ticks))
    row = decode_timestamp(ticks).set_index("format").loc[".NET ticks", "utc"]
    assert row == utc("2020-01-01")
    # OLE date 45000.5: 45_000 - 25_569 = 19_431 days after 1970; 2023-01-01 is day 19_358,
    # + 73 days = Mar 15, + half a day
    frame = decode_timestamp("45000.5").set_index("format")
    assert frame.loc["Excel/OLE Automation date", "utc"] == utc("2023-03-15T12:00")
    # HFS+: 3_786_825_600 = 2_082_844_800 + 1_703_980_800 (= 2023-12-31)
    assert decode_timestamp(3_786_825_600).set_index("format").loc["HFS+ seconds", "utc"] == utc(
        "2023-12-31"
    )


def test_decode_bad_input() -> None:
    with pytest.raises(TimestampError):
        decode_timestamp("yesterday")
    with pytest.raises(TimestampError):
        decode_timestamp("0xZZ")
    with pytest.raises(TimestampError):
        decode_timestamp("nan")
    with pytest.raises(TimestampError):
        decode_timestamp(True)
    assert len(decode_timestamp(-(10**30))) == 0  # a number never raises


# ---------------------------------------------------------------------------- docs


def test_docstring_examples() -> None:
    failures, tried = doctest.testmod(times)
    assert tried >= 15
    assert failures == 0


# ---------------------------------------------------------------------------- properties


@settings(max_examples=examples(200), deadline=None)
@given(st.integers(min_value=NS_MIN, max_value=NS_MAX))
def test_unix_ns_roundtrip(value: int) -> None:
    assert from_unix_ns(value).value == value


@settings(max_examples=examples(200), deadline=None)
@given(st.integers(min_value=-5_000_000_000, max_value=5_000_000_000))
def test_cocoa_is_unix_plus_epoch(value: int) -> None:
    assert from_cocoa(value) == from_unix(value + COCOA_EPOCH_UNIX)


@settings(max_examples=examples(200), deadline=None)
@given(st.integers(min_value=10**17, max_value=2 * 10**17))
def test_filetime_is_unix_ns(value: int) -> None:
    assert from_filetime(value).value == (value - 116_444_736_000_000_000) * 100


@settings(max_examples=examples(200), deadline=None)
@given(st.floats(min_value=-5e9, max_value=5e9, allow_nan=False))
def test_float_vector_matches_exact_scalar(value: float) -> None:
    exact = round(Fraction(value) * 10**9) + COCOA_EPOCH_UNIX * 10**9
    assert from_cocoa(value).value == exact
    assert from_cocoa(np.array([value])).iloc[0].value == exact


@settings(max_examples=examples(200), deadline=None)
@given(st.integers(min_value=GPS_EPOCH_UNIX, max_value=4_102_444_800))  # 1980-01-06..2100
def test_gps_seconds_roundtrip(unix_seconds: int) -> None:
    instant = from_unix(unix_seconds)
    gps_seconds = unix_seconds - GPS_EPOCH_UNIX + gps_utc_offset(instant)
    assert from_gps_seconds(gps_seconds) == instant
    week, rest = divmod(gps_seconds, 604_800)
    assert from_gps(week, rest * 1000) == instant


@settings(max_examples=examples(200), deadline=None)
@given(st.integers(min_value=-(2**40), max_value=2**40))
def test_float_ties_vector_matches_scalar(k: int) -> None:
    value = k / 1024  # multiples of 2**-10 s often land on a half nanosecond
    assert from_unix(np.array([value])).iloc[0].value == from_unix(value).value
    assert from_unix(value).value == round(Fraction(k, 1024) * 10**9)
