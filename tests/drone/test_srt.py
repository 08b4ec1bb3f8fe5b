"""DJI SRT subtitle telemetry: dialects, coordinate order, local wall times.

Truth: the two real SRT files of ../shared/samples/drone (their README says which order each
dialect writes), the subtitle count of each file counted independently (lines holding
'-->'), and hand-derived zone offsets noted beside each value.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics_lib.drone import read_flight_log
from forensics_lib.drone.analysis import haversine_m
from forensics_lib.drone.srt import parse_srt, read_srt, read_srt_bytes
from forensics_lib.errors import ForensicsError, ForensicsWarning, ParseError
from tests.conftest import examples

PRO = "drone/srt_mavic_pro.SRT"
AIR2 = "drone/srt_mavic_air2.srt"


def _blocks(path: Path) -> int:
    return sum("-->" in line for line in path.read_text().splitlines())


def test_mavic_pro_longitude_first(samples: Path, unchanged) -> None:
    unchanged(samples / "drone")
    frame = read_srt(samples / PRO, zone="Australia/Brisbane")
    assert len(frame) == _blocks(samples / PRO) == 468
    first = frame.iloc[0]
    # "HOME(149.0251,-20.2532) 2017.08.05 14:11:51" / "GPS(149.0251,-20.2533,16) BAROMETER:1.9"
    assert (first["lat"], first["lon"]) == (-20.2533, 149.0251)
    assert (first["home_lat"], first["home_lon"]) == (-20.2532, 149.0251)
    assert first["sats"] == 16 and first["alt_rel_m"] == 1.9
    assert first["wall_time_local"] == "2017-08-05T14:11:51"
    # Brisbane is UTC+10 all year (no daylight saving): 14:11:51 local = 04:11:51Z.
    assert first["time_utc"] == pd.Timestamp("2017-08-05T04:11:51Z")
    assert first["dialect"] == "barometer" and first["offset"] == 0
    assert parse_srt((samples / PRO).read_bytes(), PRO).order == "lonlat"


def test_mavic_air2_bracket_dialect(samples: Path) -> None:
    frame = read_srt(samples / AIR2, zone="Europe/Madrid")
    assert len(frame) == _blocks(samples / AIR2) == 25
    first = frame.iloc[0]
    # "[latitude: 41.420684] [longitude: 2.162162] [altitude: 27.300000]"
    assert (first["lat"], first["lon"], first["alt_abs_m"]) == (41.420684, 2.162162, 27.3)
    # "2022-05-01 15:01:58,531,716" = 58 s + 531 ms + 716 us, local; Madrid is on CEST (UTC+2)
    # on 1 May, so 13:01:58.531716Z.
    assert first["wall_time_local"] == "2022-05-01T15:01:58.531716"
    assert first["time_utc"] == pd.Timestamp("2022-05-01T13:01:58.531716Z")
    assert first["video_end_s"] == 0.016 and first["shutter"] == "1/500.0"


def test_without_a_zone_times_stay_local(samples: Path) -> None:
    frame = read_srt(samples / AIR2)
    assert frame["time_utc"].isna().all()
    assert frame["wall_time_local"].notna().all()
    with pytest.warns(ForensicsWarning, match="pass zone="):
        log = read_flight_log(samples / PRO)
    assert log.format == "dji_srt" and len(log.track) == 468
    assert "longitude" in log.notes[0]
    log = read_flight_log(samples / PRO, zone="Australia/Brisbane")
    assert log.track["time_utc"].iloc[0] == pd.Timestamp("2017-08-05T04:11:51Z")
    assert (log.home["lat"].iloc[0], log.home["lon"].iloc[0]) == (-20.2532, 149.0251)


# The P4 RTK dialect (DJI_SRT_Parser samples/p4_rtk2: "GPS(-58.851745,-34.237922,15)",
# "HOME(-58.847509,-34.232707,-57.98m)", "D 698.7m"): near Buenos Aires, so longitude first;
# the D field confirms it: 0.005215 deg of latitude (580 m) and 0.004236 deg of longitude at
# 34.2 S (390 m) make 699 m, while the other order would put the two points 700 km apart.
P4_BLOCK = (
    "{n}\n00:00:0{n},000 --> 00:00:0{m},000\n"
    "F/5.6, SS 400, ISO 100, EV 0, GPS({a},{b},15), HOME({c},{d},-57.98m), D {dist}m, "
    "H 85.80m, H.S 0.00m/s, V.S 0.00m/s, F.PRY (2.7°, -7°, 110.1°), G.PRY (-24.4°, 0°, 110.4°)\n\n"
)


def _p4(lonlat: bool) -> bytes:
    gps, home = (-58.851745, -34.237922), (-58.847509, -34.232707)
    if not lonlat:
        gps, home = gps[::-1], home[::-1]
    body = "".join(
        P4_BLOCK.format(n=n, m=n + 1, a=gps[0], b=gps[1], c=home[0], d=home[1], dist="698.7")
        for n in range(1, 4)
    )
    return body.encode()


@pytest.mark.parametrize("lonlat", [True, False])
def test_gps_dialect_order_decided_by_the_distance_field(lonlat: bool) -> None:
    tel = parse_srt(_p4(lonlat), "p4.srt")
    assert tel.order == ("lonlat" if lonlat else "latlon")
    assert "D field" in tel.reason
    if lonlat:
        frame = read_srt_bytes(_p4(lonlat), "p4.srt")
    else:
        # The dialect's markers (an integer third value) mean longitude first
        # (DJI_SRT_Parser); the D field measures the other order: it wins, with a warning.
        with pytest.warns(ForensicsWarning, match="markers say lonlat.*D field"):
            frame = read_srt_bytes(_p4(lonlat), "p4.srt")
        assert frame.attrs["warnings"] and frame.attrs["coord_order"] == "latlon"
    assert (frame["lat"].iloc[0], frame["lon"].iloc[0]) == (-34.237922, -58.851745)
    assert frame["distance_m"].iloc[0] == 698.7  # as DJI wrote it; haversine gives 698.5
    here = haversine_m(frame["lat"], frame["lon"], frame["home_lat"], frame["home_lon"])
    assert here[0] == pytest.approx(698.7, abs=1.0)
    assert frame["alt_rel_m"].iloc[0] == 85.8 and frame["sats"].iloc[0] == 15


def test_not_an_srt() -> None:
    with pytest.raises(ParseError, match="no SRT subtitle block"):
        parse_srt(b"just text\nwithout subtitles\n", "x.srt")


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.integers(0, 300))
def test_fuzz_srt_only_typed_errors(noise: bytes, cut: int) -> None:
    data = _p4(True)
    mangled = data[:cut] + noise + data[cut:]
    try:
        with warnings.catch_warnings():  # noise may contradict the order: a warning, fine
            warnings.simplefilter("ignore", ForensicsWarning)
            frame = read_srt_bytes(mangled, "fuzz.srt")
    except ForensicsError:
        return
    assert frame["lat"].dropna().between(-90, 90).all()


def test_inf_text_in_a_caption_is_missing_not_infinite() -> None:
    """float() reads "inf"; a caption's "-inf" (here from a stray "e" before "-58.85...":
    found by the fuzz test) is no coordinate: the row has no position, nothing overflows."""
    data = _p4(True)
    mangled = data[:70] + b"e" + data[70:]
    frame = read_srt_bytes(mangled, "fuzz.srt")
    assert np.isfinite(frame["lon"].dropna()).all() and np.isfinite(frame["lat"].dropna()).all()
