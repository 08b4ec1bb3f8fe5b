"""DJI flight records (.txt): prefix, Details block, XOR records (7-12), encrypted 13+.

Truth: the CRC-64/REDIS catalogue check value (reveng catalogue, "CRC-64/REDIS": width 64,
poly 0xad93d23594c935a9, init 0, refin/refout true, xorout 0, check 0xe9c6d914c4b8d9ca), the
crc64 crate's own test vectors (badboy/crc64-rs src/lib.rs: crc64(0, "12345") =
17326901458626182669, crc64(that, "6789") = 16845390139448941002), and the writer's answer
key (datasets/forensics_datasets/dji_txt.py, whose CRC is computed bit by bit, unreflected,
independently of the reader's reflected table).
"""

from __future__ import annotations

import argparse
import json
import math
import struct
import warnings
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.dji_txt import (
    crc64_bitwise,
    simple_dji_flight,
    write_dji_txt,
)
from forensics_datasets.dji_txt import xor_key as writer_xor_key
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics_lib.drone import read_flight_log, read_flight_log_bytes
from forensics_lib.drone.dji_txt import (
    DETAILS_SIZE,
    DJIEncryptedRecords,
    crc64_jones,
    read_dji_details,
    xor_key,
)
from forensics_lib.errors import (
    EncryptedContent,
    ForensicsError,
    ForensicsWarning,
    ParseError,
    TruncatedInputWarning,
)
from tests.conftest import examples

# ------------------------------------------------------------------------------ CRC / key


def test_crc64_matches_the_catalogue_check_value() -> None:
    assert crc64_jones(b"123456789") == 0xE9C6D914C4B8D9CA  # CRC-64/REDIS check
    assert crc64_bitwise(b"123456789") == 0xE9C6D914C4B8D9CA
    # Continuing from a start value, as decoder.rs calls crc64(seed + type, ...):
    assert crc64_jones(b"12345") == 17_326_901_458_626_182_669
    assert crc64_jones(b"6789", 17_326_901_458_626_182_669) == 16_845_390_139_448_941_002
    assert crc64_bitwise(b"6789", 17_326_901_458_626_182_669) == 16_845_390_139_448_941_002


def test_xor_key_by_hand_and_against_the_bitwise_writer() -> None:
    # seed 0, type 0: data = (0x123456789ABCDEF0 * 0) as 8 LE bytes = zeros, start value 0;
    # a CRC without init or xorout maps zero bytes from a zero register to 0: key = 0 x 8.
    assert xor_key(0, 0) == bytes(8)
    # seed 0, type 1: register starts at 1 and eight zero bytes shift it through the table;
    # the bit-by-bit CRC (another algorithm) must agree for every seed and record type.
    for seed in range(256):
        for rtype in (0, 1, 2, 5, 9, 14, 200):
            assert xor_key(seed, rtype) == writer_xor_key(seed, rtype)
    assert xor_key(0, 1) != bytes(8)


# ------------------------------------------------------------------------------ round trip


@pytest.fixture
def flight():
    return simple_dji_flight(seed=3)


@pytest.mark.parametrize("version", [7, 9, 11, 12])
def test_scrambled_versions_round_trip(version: int, flight, tmp_path: Path, unchanged) -> None:
    path = tmp_path / f"DJIFlightRecord_2024-06-14_[21-30-00]_v{version}.txt"
    write_dji_txt(path, flight, version=version, seed=version)
    unchanged(tmp_path)
    log = read_flight_log(path)
    key = flight.key()
    frames = flight.frames
    assert log.format == "dji_txt" and not log.truncated and log.bad_frame_count == 0
    # vehicle from the Details block
    v = log.vehicle.iloc[0]
    assert v["aircraft_name"] == key["aircraft_name"]
    assert v["aircraft_serial"] == key["aircraft_serial"]
    assert v["camera_serial"] == key["camera_serial"]
    assert v["rc_serial"] == key["rc_serial"]
    assert v["battery_serial"] == key["battery_serial"]
    assert v["vehicle_type"] == "Mavic Air 2"  # product type 67 (details.rs ProductType)
    assert v["app"] == "Android app 4.3.54"
    # track: one point per OSD record, degrees back from radians, times from CUSTOM
    track = log.track
    assert len(track) == len(frames)
    assert track["lat"].to_numpy() == pytest.approx(frames["lat"].to_numpy(), abs=1e-9)
    assert track["lon"].to_numpy() == pytest.approx(frames["lon"].to_numpy(), abs=1e-9)
    assert track["alt_rel_m"].to_numpy() == pytest.approx(frames["height_m"].to_numpy())
    expected_t = pd.to_datetime(flight.start_ms + frames["t_ms"], unit="ms", utc=True)
    assert (track["time_utc"].to_numpy() == expected_t.to_numpy()).all()
    assert str(track["time_utc"].dtype) == "datetime64[ns, UTC]"
    # AMSL = height above home + HOME altitude (frame/mod.rs)
    assert track["alt_amsl_m"].iloc[60] == pytest.approx(
        flight.home[2] + frames["height_m"].iloc[60], abs=1e-3
    )
    speed = math.hypot(frames["vn"].iloc[50], frames["ve"].iloc[50])
    assert track["ground_speed_ms"].iloc[50] == pytest.approx(speed, abs=0.1)
    # climb_ms is up: the writer stores speed_z = -vu (NED, positive down), dm/s.
    assert track["climb_ms"].to_numpy() == pytest.approx(frames["vu"].to_numpy(), abs=0.051)
    assert track["climb_ms"].iloc[10] > 1.0 and track["climb_ms"].iloc[-10] < -1.0
    assert track["voltage_v"].to_numpy() == pytest.approx(frames["voltage_v"].to_numpy())
    assert list(track["armed"]) == list(frames["motors"])
    assert (track["sats"] == 17).all()
    # home
    assert log.home["lat"].iloc[0] == pytest.approx(flight.home[0], abs=1e-9)
    assert log.home["lon"].iloc[0] == pytest.approx(flight.home[1], abs=1e-9)
    assert log.home["alt_m"].iloc[0] == pytest.approx(flight.home[2], abs=1e-3)
    # pilot: the phone's APP_GPS positions
    pilot = log.pilot_positions
    assert len(pilot) == len(flight.app_gps) and set(pilot["source"]) == {"APP_GPS"}
    assert pilot["lat"].iloc[0] == pytest.approx(flight.app_gps[0][1])
    assert pilot["lon"].iloc[0] == pytest.approx(flight.app_gps[0][2])
    # messages
    tips = log.events[log.events["kind"] == "app_tip"]
    assert list(tips["text"]) == [t for _, t in flight.tips]
    assert tips["time_utc"].iloc[0] == expected_t.iloc[flight.tips[0][0]]
    warns = log.events[log.events["kind"] == "app_warn"]
    assert list(warns["text"]) == [t for _, t in flight.warns]
    kinds = list(log.events["kind"])
    assert kinds.count("armed") == 1 and kinds.count("disarmed") == 1
    assert "takeoff" in kinds and "landing" in kinds
    assert log.message_counts["OSD"] == len(frames)


def test_rc_gps_is_counted_not_converted(flight, tmp_path: Path) -> None:
    # Raw i32 coordinates whose unit no source states (rc_gps.rs; DJI's FlightRecordParsingLib
    # passes them unscaled): counted in the notes, never turned into a pilot position.
    flight.rc_gps = [(i, 402_100_000, -38_700_000) for i in (5, 15, 25)]
    path = tmp_path / "rc.txt"
    write_dji_txt(path, flight, version=11)
    log = read_flight_log(path)
    assert log.message_counts["RC_GPS"] == 3
    assert any(n.startswith("3 RC_GPS records") for n in log.notes)
    assert set(log.pilot_positions["source"]) == {"APP_GPS"}


def test_details_block_for_every_version(flight, tmp_path: Path) -> None:
    for version in (7, 11, 12, 13):
        path = tmp_path / f"v{version}.txt"
        write_dji_txt(path, flight, version=version)
        details = read_dji_details(path.read_bytes(), str(path))
        assert details.version == version
        assert details.start_time_utc == pd.Timestamp(flight.start_ms, unit="ms", tz="UTC")
        assert details.home_lat == pytest.approx(flight.home[0])
        assert details.home_lon == pytest.approx(flight.home[1])
        assert details.aircraft_serial == flight.aircraft_serial
        assert details.place == "Camino Viejo, Villanueva, Castilla"
    assert DETAILS_SIZE == 380  # details.rs for versions 6+: the field sizes add up to 380


# ------------------------------------------------------------------------------ version 13+


def test_version_13_reads_details_and_refuses_the_encrypted_track(
    flight, tmp_path: Path, unchanged, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "DJIFlightRecord_v13.txt"
    write_dji_txt(path, flight, version=13)
    unchanged(tmp_path)
    with pytest.raises(EncryptedContent, match=r"version 13.*AES.*keychain") as info:
        read_flight_log(path)
    err = info.value
    assert isinstance(err, DJIEncryptedRecords)
    assert err.log.vehicle["aircraft_serial"].iloc[0] == flight.aircraft_serial
    assert len(err.log.track) == 0 and "encrypted" in err.log.notes[0]

    from forensics_lib.cli import drone as drone_cli

    parser = argparse.ArgumentParser(prog="forensics-lib")
    drone_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["drone", "summary", str(path), "--format", "json"])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["vehicle"]["aircraft_serial"] == flight.aircraft_serial
    assert out["vehicle"]["rc_serial"] == flight.rc_serial
    assert out["vehicle"]["aircraft_name"] == flight.aircraft_name
    assert out["start_utc"] == flight.key()["start_utc"].replace("+00:00", "Z")
    assert out["home"]["lat"] == pytest.approx(flight.home[0])
    assert out["track"].startswith("encrypted") and out["track_points"] == 0


# ------------------------------------------------------------------------------ bad input


def test_truncated_records_give_what_was_readable(flight, tmp_path: Path) -> None:
    path = tmp_path / "v12.txt"
    write_dji_txt(path, flight, version=12)
    data = path.read_bytes()
    with pytest.warns(TruncatedInputWarning, match="end inside a record"):
        log = read_flight_log_bytes(data[: len(data) - 700], "cut.txt")
    assert 0 < len(log.track) < len(flight.frames) and log.truncated


def test_corrupt_details_is_a_parse_error_with_offset(flight, tmp_path: Path) -> None:
    path = tmp_path / "v11.txt"
    write_dji_txt(path, flight, version=11)
    data = bytearray(path.read_bytes())
    detail_offset = int.from_bytes(data[:8], "little")
    data[detail_offset + 107 : detail_offset + 115] = struct.pack("<d", 1e9)  # latitude f64
    with pytest.raises(ParseError, match=r"bad\.txt at offset") as info:
        read_flight_log_bytes(bytes(data), "bad.txt")
    # details.rs: 4 x 20 names + 3 flags + 2 x i32 + start i64 = 99 bytes before the home
    # longitude (f64) and latitude (f64) that the error points at.
    assert info.value.offset == detail_offset + 99


def test_broken_record_is_reported_and_skipped(flight, tmp_path: Path) -> None:
    path = tmp_path / "v11.txt"
    write_dji_txt(path, flight, version=11)
    data = bytearray(path.read_bytes())
    data[100 + 1] = 3  # first record's length byte: its 0xFF end byte is no longer there
    log = read_flight_log_bytes(bytes(data), "broken.txt")
    assert log.bad_frame_count >= 1 and log.bad_frames["offset"].iloc[0] == 100
    assert len(log.track) >= len(flight.frames) - 2


SETTINGS = settings(
    max_examples=examples(120),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _samples() -> dict[int, bytes]:
    import tempfile

    out = {}
    small = simple_dji_flight(seed=5, n=12)
    with tempfile.TemporaryDirectory() as tmp:
        for version in (4, 6, 11, 12, 13):
            p = Path(tmp) / f"v{version}.txt"
            write_dji_txt(p, small, version=version, thumbnails=1)
            out[version] = p.read_bytes()
    return out


_FUZZ = _samples()


@SETTINGS
@given(
    version=st.sampled_from([4, 6, 11, 12, 13]),
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
    cut=st.integers(0, 10_000),
)
def test_fuzz_dji_only_typed_errors(version: int, flips: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(_FUZZ[version])
    for at, value in flips:
        data[at % len(data)] = value
    data = data[: max(cut, 1)] if cut < len(data) else data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForensicsWarning)
        try:
            log = read_flight_log_bytes(bytes(data), "fuzz.txt")
        except ForensicsError:
            return
    assert log.track["time_utc"].dtype == "datetime64[ns, UTC]"
