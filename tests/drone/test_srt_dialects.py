"""DJI SRT dialects: each read in the right coordinate order, heights in unit-named columns,
the guess and the zone stated.

Truth: the writer's answer key (datasets/forensics_datasets/srt.py), written at 36.6146 N
6.1120 W where both values lie within +-90 (no range test can tell the orders apart), and the
real ``srt_old_format.SRT`` of ../shared/samples/drone with the facts of its README
(DJI_SRT_Parser 1.2.4: 468 frames, 2017.8.5 14:11:51 to 14:19:39 local,
GPS(149.0251,-20.2533,16) Hb 1.9, HOME (149.0251,-20.2532)).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.srt import DIALECTS, simple_srt_flight, write_dji_srt

from forensics_lib.drone import read_flight_log
from forensics_lib.drone.srt import parse_srt, read_srt
from forensics_lib.errors import ForensicsWarning

OLD = "drone/srt_old_format.SRT"
# Decimal places each dialect writes (DJI_SRT_Parser samples): 6 for bracket and gps, 4 else.
PLACES = {"bracket": 6, "home_hb": 4, "barometer": 4, "m300": 4, "gps": 6}
HEIGHT_COLUMN = {
    "bracket": "alt_rel_m",  # [rel_alt: ..]
    "home_hb": "height_baro_m",  # Hb
    "barometer": "height_baro_m",  # BAROMETER
    "m300": "height_baro_m",  # BAROMETER:x.xM
    "gps": "alt_rel_m",  # H .. m
}


@pytest.fixture(scope="module")
def flight():
    return simple_srt_flight()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_each_dialect_at_36_north_6_west(dialect: str, flight, tmp_path: Path) -> None:
    path = tmp_path / f"DJI_{dialect}.SRT"
    assert write_dji_srt(path, flight, dialect) == len(flight.frames)
    frame = read_srt(path, zone="Europe/Madrid")
    places = PLACES[dialect]
    assert frame.attrs["dialect"] == dialect and (frame["dialect"] == dialect).all()
    expected = {"bracket": "named", "m300": "latlon"}.get(dialect, "lonlat")
    assert frame.attrs["coord_order"] == expected and not frame.attrs["warnings"]
    assert len(frame) == len(flight.frames)
    assert frame["lat"].to_numpy() == pytest.approx(flight.frames["lat"].round(places), abs=1e-9)
    assert frame["lon"].to_numpy() == pytest.approx(flight.frames["lon"].round(places), abs=1e-9)
    assert frame["lat"].between(36.6, 36.7).all() and frame["lon"].between(-6.2, -6.1).all()
    heights = flight.frames["height_m"].to_numpy()
    assert frame[HEIGHT_COLUMN[dialect]].to_numpy() == pytest.approx(heights, abs=0.051)
    assert frame["alt_rel_m"].to_numpy() == pytest.approx(heights, abs=0.051)
    if dialect == "home_hb":
        assert frame["height_sonar_m"].to_numpy() == pytest.approx(heights, abs=0.051)
    if dialect in ("home_hb", "barometer", "gps"):
        assert frame["home_lat"].iloc[0] == pytest.approx(flight.home[0], abs=1e-4)
        assert frame["home_lon"].iloc[0] == pytest.approx(flight.home[1], abs=1e-4)
    if dialect == "m300":  # third value "0.0M": DJI_SRT_Parser's PRECISION, not satellites
        assert (frame["gps_precision_m"] == 0.0).all() and frame["sats"].isna().all()
    if dialect in ("home_hb", "barometer", "gps"):
        assert list(frame["sats"]) == list(flight.frames["sats"])
    if dialect != "gps":  # the P4 RTK style writes no wall clock
        wall = pd.Timestamp(frame["wall_time_local"].iloc[0])
        assert wall == pd.Timestamp(flight.key()["first_wall_local"])
        # Madrid is on CEST (UTC+2) on 21 June: 16:06:17 local = 14:06:17Z
        assert frame["time_utc"].iloc[0] == pd.Timestamp("2022-06-21T14:06:17Z")
    notes = frame.attrs["notes"]
    assert notes[0].startswith(f"DJI SRT, {dialect} dialect") and expected in notes[0]
    assert "zone given: Europe/Madrid" in notes[-1]


def test_both_orders_at_the_same_place(flight, tmp_path: Path) -> None:
    """The lat 36 / lon -6 flight written latitude first (m300 markers) and longitude first
    (Mavic Pro markers): the same positions come back from both."""
    a, b = tmp_path / "m300.SRT", tmp_path / "mavic_pro.SRT"
    write_dji_srt(a, flight, "m300")
    write_dji_srt(b, flight, "barometer")
    assert a.read_text().splitlines()[3].startswith("GPS(36.6146,-6.1120,0.0M)")
    assert b.read_text().splitlines()[3].startswith("GPS(-6.1120,36.6146,")
    fa, fb = read_srt(a), read_srt(b)
    assert fa["lat"].tolist() == fb["lat"].tolist() and fa["lon"].tolist() == fb["lon"].tolist()
    assert "'M'" in parse_srt(a.read_bytes(), "a").reason
    assert "satellite count" in parse_srt(b.read_bytes(), "b").reason


def test_swapped_values_are_caught_by_the_distance_field(flight, tmp_path: Path) -> None:
    # The P4 RTK style written latitude first: its markers say longitude first, but the D
    # field (distance to HOME, written from the true positions) only fits latitude first.
    path = tmp_path / "p4_swapped.SRT"
    write_dji_srt(path, flight, "gps", swapped=True)
    with pytest.warns(ForensicsWarning, match="markers say lonlat.*D field"):
        frame = read_srt(path)
    assert frame.attrs["coord_order"] == "latlon"
    assert frame["lat"].iloc[-1] == pytest.approx(flight.frames["lat"].iloc[-1], abs=1e-6)


def test_swapped_values_are_caught_by_the_range(tmp_path: Path) -> None:
    # Mavic Pro markers (longitude first) with the values written latitude first at 149 E:
    # 149 cannot be a latitude, so the values win, with a warning.
    far = simple_srt_flight(lat=-20.2533, lon=149.0251, n=5)
    path = tmp_path / "pro_swapped.SRT"
    write_dji_srt(path, far, "barometer", swapped=True)
    with pytest.warns(ForensicsWarning, match="markers say lonlat.*exceeds 90"):
        frame = read_srt(path)
    assert frame["lat"].iloc[0] == pytest.approx(-20.2533) and frame["lon"].iloc[0] == 149.0251


def test_real_old_format(samples: Path, unchanged, capsys) -> None:
    unchanged(samples / "drone")
    frame = read_srt(samples / OLD, zone="Australia/Brisbane")
    assert len(frame) == 468 and frame.attrs["dialect"] == "home_hb"
    first, last = frame.iloc[0], frame.iloc[-1]
    # "HOME(149.0251,-20.2532) 2017.8.5 14:11:51" / "GPS(149.0251,-20.2533,16) Hb:1.9 Hs:1.9"
    assert (first["lat"], first["lon"], first["sats"]) == (-20.2533, 149.0251, 16)
    assert (first["home_lat"], first["home_lon"]) == (-20.2532, 149.0251)
    assert first["height_baro_m"] == 1.9 and first["height_sonar_m"] == 1.9
    assert first["alt_rel_m"] == 1.9 and first["fnum"] == 2.8 and first["shutter"] == "60"
    assert first["wall_time_local"] == "2017-08-05T14:11:51"
    assert last["wall_time_local"] == "2017-08-05T14:19:39"
    # Brisbane is UTC+10 all year: 14:11:51 local = 04:11:51Z
    assert first["time_utc"] == pd.Timestamp("2017-08-05T04:11:51Z")
    assert frame["height_baro_m"].notna().all()
    # The flight log and the summary say which dialect, which order, and the zone.
    log = read_flight_log(samples / OLD, zone="Australia/Brisbane")
    assert len(log.track) == 468 and log.track["alt_rel_m"].iloc[0] == 1.9
    assert "home_hb dialect" in log.notes[0] and "lonlat" in log.notes[0]
    assert any("zone given: Australia/Brisbane" in n for n in log.notes)
    from forensics_lib.cli import drone as drone_cli

    parser = argparse.ArgumentParser(prog="forensics-lib")
    drone_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["drone", "summary", str(samples / OLD), "--format", "json"])
    with pytest.warns(ForensicsWarning, match="local wall-clock"):
        assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["track_points"] == 468 and out["max_alt_rel_m"] is not None
    assert any("no zone given" in n for n in out["notes"])
    assert any("coordinate order lonlat" in n for n in out["notes"])


def test_radians_bug_of_the_mavic_air_2(flight, tmp_path: Path) -> None:
    # DJI_SRT_Parser deduceRadians: "longtitude" values within +-pi that move < 0.001 rad.
    path = tmp_path / "air2_radians.srt"
    write_dji_srt(path, flight, "bracket", radians=True)
    assert "[longtitude: -0.10" in path.read_text()  # -6.1120 deg = -0.10667 rad
    with pytest.warns(ForensicsWarning, match="radians"):
        frame = read_srt(path)
    assert frame["lat"].to_numpy() == pytest.approx(flight.frames["lat"].to_numpy(), abs=1e-6)
    assert frame["lon"].to_numpy() == pytest.approx(flight.frames["lon"].to_numpy(), abs=1e-6)
