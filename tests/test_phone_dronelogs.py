"""Drone flight logs on a phone (``drone_logs``) and ``Extraction.flight_logs()``.

Truth: the DJI record writer's answer key (``DJIFlight.key()`` and its frames), the drone
simulator's key for a QGroundControl tlog, and the device paths the apps use (cited in
forensics_lib/phone/dronelogs.py).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.drone import simulate_flight, write_tlog
from forensics_datasets.phone import drone_log_files, make_phone_extraction
from forensics_datasets.phone.media import ANDROID_QGC, IOS_DJI_FLY

from forensics_lib.errors import ForensicsWarning
from forensics_lib.phone import open_extraction
from forensics_lib.phone.dronelogs import app_of


@pytest.mark.parametrize("os_name", ["android", "ios"])
def test_dji_records_round_trip(os_name: str, tmp_path: Path) -> None:
    case = make_phone_extraction(tmp_path, os=os_name, seed=8, drone_logs=True)  # type: ignore[arg-type]
    want = case.answer_key["writer"]["drone_logs"]["logs"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with open_extraction(case.exhibit) as ext:
            rows = ext.read("drone_logs")
            logs = ext.flight_logs()
    assert len(rows) == 2 == len(logs)
    by_name = {p.rsplit("/", 1)[-1]: r for p, r in rows.set_index("path").iterrows()}
    plain, sealed = (by_name[w["name"]] for w in want)
    clear, encrypted = want
    assert plain["format"] == "dji_txt" and plain["format_version"] == 11
    assert not plain["encrypted"]
    assert plain["track_points"] == clear["track_points"]
    assert plain["aircraft_serial"] == clear["aircraft_serial"]
    assert plain["first_lat"] == pytest.approx(clear["first_lat"], abs=1e-7)
    assert plain["last_lon"] == pytest.approx(clear["last_lon"], abs=1e-7)
    assert plain["time"] == pd.Timestamp(clear["start_utc"])  # first frame at start_ms
    assert plain["app"] == ("DJI Fly" if os_name == "android" else "DJI (iOS)")
    assert sealed["encrypted"] and sealed["format_version"] == 13
    assert sealed["track_points"] == 0
    assert sealed["time"] == pd.Timestamp(encrypted["start_utc"])  # Details start time
    assert sealed["aircraft_serial"] == encrypted["aircraft_serial"]
    assert "encrypted" in sealed["notes"]
    tracks = {path.rsplit("/", 1)[-1]: log for path, log in logs.items()}
    assert len(tracks[clear["name"]].track) == clear["track_points"]
    assert tracks[encrypted["name"]].track.empty


def test_qgc_tlog_on_android(tmp_path: Path) -> None:
    flight = simulate_flight(0)
    write_tlog(tmp_path / "f.tlog", flight)
    files = drone_log_files(
        "android", {"2024-06-14 21-30-00.tlog": (tmp_path / "f.tlog").read_bytes()}
    )
    [path] = files
    assert path == f"/{ANDROID_QGC}/2024-06-14 21-30-00.tlog"
    case = make_phone_extraction(tmp_path / "out", os="android", seed=1, files=files)
    with open_extraction(case.exhibit) as ext:
        [row] = ext.read("drone_logs").to_dict("records")
        [log] = ext.flight_logs().values()
    assert row["format"] == "mavlink_tlog" and row["app"] == "QGroundControl"
    assert row["system_id"] == 1
    # take-off/landing from the track (climb above 1.5 m over home): after lift-off and
    # before touch-down of the simulator's key, within 2 s.
    liftoff = pd.Timestamp(flight.key["liftoff_utc"])
    touchdown = pd.Timestamp(flight.key["touchdown_utc"])
    assert pd.Timedelta(0) <= row["takeoff_time"] - liftoff <= pd.Timedelta(seconds=2)
    assert pd.Timedelta(0) <= touchdown - row["landing_time"] <= pd.Timedelta(seconds=2)
    assert row["max_alt_rel_m"] == pytest.approx(flight.key["max_alt_rel_m"], abs=0.5)
    assert row["track_points"] == len(log.track.dropna(subset=["lat", "lon"]))


def test_app_folders() -> None:
    assert app_of("/data/media/0/DJI/dji.go.v4/FlightRecord/DJIFlightRecord_x.txt") == "DJI GO 4"
    assert app_of(f"/{IOS_DJI_FLY}/DJIFlightRecord_x.txt") == "DJI (iOS)"
    assert app_of("/data/media/0/Download/x.tlog") is None


def test_a_fake_log_keeps_its_row_and_is_skipped_by_flight_logs(tmp_path: Path) -> None:
    junk = {"/data/media/0/QGroundControl/Telemetry/bad.tlog": b"\xfe\x00" * 40}
    case = make_phone_extraction(tmp_path, os="android", seed=2, files=junk)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with open_extraction(case.exhibit) as ext:
            [row] = ext.read("drone_logs").to_dict("records")
            logs = ext.flight_logs()
            problems = list(ext.problems)
    assert row["format"] is None or pd.isna(row["format"])
    assert row["size"] == 80 and "not a MAVLink" in row["notes"]
    assert logs == {} and problems and problems[0][0] == "phone.drone_logs"
    assert any(issubclass(w.category, ForensicsWarning) for w in caught)
