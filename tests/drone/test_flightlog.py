"""Round trips: the readers and the analysis recover what the drone generators wrote.

Truth: the generator's answer key (forensics_datasets.drone), i.e. the simulated aircraft's
own state: when it armed, left the ground, hovered, released, landed, where home, the pilot
and the target were. Tolerances are stated where a log's sampling limits what it can show.
"""

from __future__ import annotations

import json
import struct
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from forensics_datasets.drone import make_drone_case, simulate_flight, write_dataflash, write_tlog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics_lib.drone import read_flight_log, read_flight_log_bytes
from forensics_lib.drone.analysis import (
    correlate_photos,
    flight_segments,
    geofence,
    haversine_m,
    hovers,
    load_polygon,
    pilot_location,
    release_candidates,
    summary,
)
from forensics_lib.errors import ForensicsError, ForensicsWarning
from forensics_lib.media import read_photos
from tests.conftest import examples


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("drone_case")
    made = make_drone_case(root, seed=3)
    return made.root, made.key


def _t(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


@pytest.mark.parametrize("name", ["flight.tlog", "flight.bin"])
def test_flight_facts_recovered(case: tuple[Path, dict], name: str) -> None:
    root, key = case
    log = read_flight_log(root / name)
    s = summary(log)
    assert s["home"] == pytest.approx(key["home"], abs=1e-7)  # degE7 / centimetre storage
    # Take-off and touchdown: within 0.5 s of the simulated aircraft (10 Hz, 5 Hz for GPS).
    assert abs(_t(s["takeoff_utc"]) - _t(key["liftoff_utc"])) <= pd.Timedelta("0.5s")
    assert abs(_t(s["landing_utc"]) - _t(key["touchdown_utc"])) <= pd.Timedelta("0.5s")
    ((armed, disarmed),) = s["armed_intervals"]
    # DataFlash logs EV at the instant; a tlog only shows the state in the next 1 Hz HEARTBEAT.
    late = pd.Timedelta("1.01s") if name.endswith("tlog") else pd.Timedelta("1ms")
    assert pd.Timedelta(0) <= _t(armed) - _t(key["armed_utc"]) + pd.Timedelta("1ms") <= late
    assert pd.Timedelta(0) <= _t(disarmed) - _t(key["disarmed_utc"]) + pd.Timedelta("1ms") <= late
    # DataFlash: height comes from the POS record before each 5 Hz GPS fix (0.1 s earlier).
    tol = 0.01 if name.endswith("tlog") else 0.25
    assert s["max_alt_rel_m"] == pytest.approx(key["max_alt_rel_m"], abs=tol)
    assert s["bad_frames"] == 0
    expected = key["samples"] if name.endswith("tlog") else (key["samples"] + 1) // 2
    assert s["track_points"] == expected


@pytest.mark.parametrize("name", ["flight.tlog", "flight.bin"])
def test_hover_release_and_geofence(case: tuple[Path, dict], name: str) -> None:
    root, key = case
    log = read_flight_log(root / name)
    target = (key["target"]["lat"], key["target"]["lon"])
    hv = hovers(log.track)
    low = hv[hv["alt_rel_m"] < 15]
    assert len(low) == 1
    h = low.iloc[0]
    assert abs(h["start_utc"] - _t(key["hover_start_utc"])) <= pd.Timedelta("2s")
    assert abs(h["end_utc"] - _t(key["hover_end_utc"])) <= pd.Timedelta("2s")
    assert h["alt_rel_m"] == pytest.approx(key["hover_alt_rel_m"], abs=0.5)
    assert haversine_m(h["lat"], h["lon"], *target) < 5
    rel = release_candidates(log, target=target)
    commands = rel[rel["reason"].str.startswith("release_command")]
    assert len(commands) == 1
    assert abs(commands["time_utc"].iloc[0] - _t(key["release_utc"])) <= pd.Timedelta("1ms")
    assert (
        haversine_m(
            commands["lat"].iloc[0], commands["lon"].iloc[0], key["release_lat"], key["release_lon"]
        )
        < 3
    )
    fence = geofence(log.track, load_polygon(root / "perimeter.geojson"))
    assert (fence["entries"], fence["exits"], fence["closest_m"]) == (1, 1, 0.0)
    # The key's truth: the simulated samples inside the perimeter (tlog: every sample).
    sim = simulate_flight(3).samples
    poly = load_polygon(root / "perimeter.geojson")
    inside = poly.contains(sim["lat"], sim["lon"])
    first_in = sim["time_utc"][inside].iloc[0]
    assert abs(fence["crossings"]["time_utc"].iloc[0] - first_in) <= pd.Timedelta("0.2s")


def test_pilot_is_the_ground_station_not_home(case: tuple[Path, dict]) -> None:
    root, key = case
    est = pilot_location(read_flight_log(root / "flight.tlog"))
    assert list(est["kind"]) == ["ground station", "home"]
    best = est.iloc[0]
    assert haversine_m(best["lat"], best["lon"], key["pilot"]["lat"], key["pilot"]["lon"]) < 0.05
    # The generator put the pilot 12 m west and 9 m south of home: 15 m.
    assert best["distance_to_home_m"] == pytest.approx(15.0, abs=0.1)
    assert "15 m from the home point" in best["why"]


def test_gcs_heartbeats_do_not_disarm_the_vehicle(case: tuple[Path, dict]) -> None:
    root, _ = case
    log = read_flight_log(root / "flight.tlog")
    # The GCS (system 255, type 6) sends base_mode 0 every second while the drone flies armed.
    assert log.systems == (1,) and log.system_id == 1
    assert list(log.events.loc[log.events["kind"].isin(["armed", "disarmed"]), "kind"]) == [
        "armed",
        "disarmed",
    ]
    airborne = log.track[log.track["alt_rel_m"] > 5]
    assert airborne["armed"].all()


def test_two_vehicles_in_one_log(tmp_path: Path) -> None:
    flight = simulate_flight(5)
    one, two = tmp_path / "a.tlog", tmp_path / "b.tlog"
    write_tlog(one, flight, vehicle_system=1)
    write_tlog(two, flight, vehicle_system=7, gcs_system=250)
    frames = []
    for path in (one, two):
        data = path.read_bytes()
        pos = 0
        while pos < len(data):
            length = data[pos + 9] + (12 if data[pos + 8] == 0xFD else 8)
            frames.append(
                (struct.unpack(">Q", data[pos : pos + 8])[0], data[pos : pos + 8 + length])
            )
            pos += 8 + length
    merged = tmp_path / "both.tlog"
    merged.write_bytes(b"".join(f for _, f in sorted(frames, key=lambda x: x[0])))
    with pytest.warns(ForensicsWarning, match=r"2 vehicles in one log \(systems \[1, 7\]\)"):
        log = read_flight_log(merged)
    assert log.systems == (1, 7)
    log7 = read_flight_log(merged, system_id=7)
    assert log7.system_id == 7 and len(log7.track) == len(flight.samples)


def test_srt_roundtrip_with_zone(case: tuple[Path, dict]) -> None:
    root, key = case
    log = read_flight_log(root / "DJI_0001.SRT", zone=key["zone"])
    assert len(log.track) == key["srt_blocks"]
    sim = simulate_flight(3).samples.iloc[::10].reset_index(drop=True)
    assert (log.track["time_utc"] - sim["time_utc"]).abs().max() <= pd.Timedelta("1ms")
    assert (log.track["lat"] - sim["lat"]).abs().max() < 1e-6  # written with 6 decimals


def test_photos_roundtrip_and_correlate(case: tuple[Path, dict]) -> None:
    root, key = case
    photos = read_photos([root / "photos"])
    assert len(photos) == len(key["photos"])
    for (_, row), shot in zip(photos.iterrows(), key["photos"], strict=True):
        assert row["time_utc"] == _t(shot["time_utc"])
        assert row["time_source"] == "OffsetTimeOriginal"
        assert row["gps_time_utc"] == _t(shot["time_utc"])
        assert (row["lat"], row["lon"]) == pytest.approx((shot["lat"], shot["lon"]), abs=1e-7)
        assert row["dji_lon"] == pytest.approx(shot["lon"], abs=1e-7)  # from GpsLongtitude
        assert row["make"] == "DJI" and row["serial"] == "1SDEX7Z0030AB1"
    matched = correlate_photos(photos, read_flight_log(root / "flight.tlog").track)
    assert (matched["dt_s"].abs() <= 0.05).all()
    assert (matched["offset_m"] < 1.0).all()


def test_cli_summary_json_and_exports(
    case: tuple[Path, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from forensics_lib.cli import drone as drone_cli

    root, key = case
    # The drone module's own parser (the lead adds it to cli.COMMAND_MODULES).
    parser = argparse.ArgumentParser(prog="forensics-lib")
    drone_cli.register(parser.add_subparsers(dest="command", required=True))

    def run(*argv: str) -> int:
        args = parser.parse_args(list(argv))
        return int(args.func(args))

    assert run("drone", "summary", str(root / "flight.tlog"), "--format", "json") == 0
    out = json.loads(capsys.readouterr().out)
    for field in (
        "vehicle",
        "home",
        "first_fix_utc",
        "last_fix_utc",
        "takeoff_utc",
        "landing_utc",
        "armed_intervals",
        "track_points",
        "max_alt_rel_m",
        "distance_m",
        "bad_frames",
    ):
        assert field in out
    assert out["home"] == pytest.approx(
        {"lat": key["home"]["lat"], "lon": key["home"]["lon"], "alt_m": key["home"]["alt_m"]},
        abs=1e-7,
    )
    assert (
        run(
            "drone",
            "geofence",
            str(root / "flight.tlog"),
            "--polygon",
            str(root / "perimeter.geojson"),
            "--format",
            "json",
        )
        == 0
    )
    fence = json.loads(capsys.readouterr().out)
    assert (fence["entries"], fence["exits"]) == (1, 1)
    for suffix in ("kml", "geojson", "gpx", "csv"):
        out_path = tmp_path / f"track.{suffix}"
        assert (
            run(
                "drone",
                "export",
                str(root / "flight.tlog"),
                "-o",
                str(out_path),
                "--polygon",
                str(root / "perimeter.geojson"),
            )
            == 0
        )
        assert out_path.stat().st_size > 1000
    kml = (tmp_path / "track.kml").read_text()
    assert kml.count("<when>") >= key["samples"] and kml.count("<gx:coord>") == key["samples"]
    gj = json.loads((tmp_path / "track.geojson").read_text())
    assert len(gj["features"][0]["geometry"]["coordinates"]) == key["samples"]
    assert (tmp_path / "track.gpx").read_text().count("<trkpt") == key["samples"]
    assert (
        run(
            "drone",
            "export",
            str(root / "flight.tlog"),
            "-o",
            str(tmp_path / "t.csv"),
            "--map",
            str(tmp_path / "map.png"),
            "--profile",
            str(tmp_path / "p.png"),
        )
        == 0
    )
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"
    assert run("drone", "events", str(root / "flight.bin")) == 0
    assert "DO_GRIPPER" in capsys.readouterr().out
    assert run("media", "exif", str(root / "photos"), "--format", "csv") == 0
    assert capsys.readouterr().out.count("/DJI_000") == 6  # path and source_path, 3 photos


def test_segments_of_a_log_without_vertical_speed(case: tuple[Path, dict]) -> None:
    root, key = case
    log = read_flight_log(root / "DJI_0001.SRT", zone=key["zone"])
    seg = flight_segments(log.track)  # SRT: no vertical speed, 1 Hz blocks
    assert len(seg) == 1 and bool(seg["landed"].iloc[0])
    assert abs(seg["takeoff_utc"].iloc[0] - _t(key["liftoff_utc"])) <= pd.Timedelta("1s")


_TLOG_BYTES: dict[str, bytes] = {}


def _tlog_bytes(tmp: Path) -> bytes:
    if "x" not in _TLOG_BYTES:
        path = tmp / "fuzz.tlog"
        flight = simulate_flight(9)
        flight.samples = flight.samples.iloc[:300]
        flight.key["release_utc"] = flight.key["hover_start_utc"] = str(
            flight.samples["time_utc"].iloc[-1]
        )
        write_tlog(path, flight)
        _TLOG_BYTES["x"] = path.read_bytes()
    return _TLOG_BYTES["x"]


@settings(
    max_examples=examples(80),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzz_tlog_only_typed_errors_and_warnings(tmp_path: Path, data: st.DataObject) -> None:
    buf = bytearray(_tlog_bytes(tmp_path))
    for _ in range(data.draw(st.integers(1, 5))):
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        pos = data.draw(st.integers(0, max(len(buf) - 1, 0)))
        if action == "flip" and buf:
            buf[pos] ^= data.draw(st.integers(1, 255))
        elif action == "cut":
            del buf[pos:]
        else:
            buf[pos:pos] = data.draw(st.binary(min_size=1, max_size=32))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForensicsWarning)
        try:
            log = read_flight_log_bytes(bytes(buf), "fuzz.tlog")
        except ForensicsError:
            return
    # Whatever was read is a valid position: no silently wrong rows.
    assert log.track["lat"].between(-90, 90).all() and log.track["lon"].between(-180, 180).all()
    assert ((log.track["lat"] != 0) | (log.track["lon"] != 0)).all()


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzz_dataflash_only_typed_errors_and_warnings(
    case: tuple[Path, dict], data: st.DataObject
) -> None:
    root, _ = case
    buf = bytearray((root / "flight.bin").read_bytes()[:20_000])
    for _ in range(data.draw(st.integers(1, 5))):
        pos = data.draw(st.integers(0, len(buf) - 1))
        buf[pos] ^= data.draw(st.integers(1, 255))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForensicsWarning)
        try:
            read_flight_log_bytes(bytes(buf), "fuzz.bin")
        except ForensicsError:
            return


@pytest.mark.parametrize(
    ("artifact_id", "file"),
    [
        ("drone.track", "flight.tlog"),
        ("drone.events", "flight.bin"),
        ("drone.track", "flight.bin"),
        ("drone.srt", "DJI_0001.SRT"),
        ("media.exif", "photos/DJI_0002.JPG"),
    ],
)
def test_artifacts_match_their_schema(case: tuple[Path, dict], artifact_id: str, file: str) -> None:
    # What tests/core/test_registry.py checks once the lead registers these modules.
    from forensics_lib import Evidence, registry
    from forensics_lib.schema import check_frame

    modules = (
        "forensics_lib.drone.flightlog",
        "forensics_lib.drone.srt",
        "forensics_lib.media.exif",
    )
    art = registry.get(artifact_id, modules=modules)
    root, _ = case
    frame = art.parse(root / file)
    assert check_frame(frame, art.spec) == [] and len(frame) > 0
    assert (frame["artifact"] == artifact_id).all()
    with Evidence(root) as ev:
        inside = art.parse(ev.file(file))
    assert check_frame(inside, art.spec) == [] and len(inside) == len(frame)
    assert inside["source_path"].iloc[0].endswith(Path(file).name)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_vectorised_frame_scan_equals_frame_by_frame(data: st.DataObject) -> None:
    """The fast path (length walk, then every CRC at once) accepts exactly the frames the
    frame-by-frame scan accepts, reports the same bad ranges and the same truncation."""
    from forensics_lib.drone import mavlink_frames as mf

    buf = _hour_of_frames()
    damaged = bytearray(buf)
    for _ in range(data.draw(st.integers(0, 6))):
        at = data.draw(st.integers(0, len(damaged) - 1))
        damaged[at] ^= data.draw(st.integers(1, 255))
    cut = data.draw(st.integers(0, 40))
    sample = bytes(damaged[: len(damaged) - cut])
    fast = mf.scan_frames(sample)
    slow = mf.scan_frames(sample, vectorised=False)
    assert fast.offset.tolist() == slow.offset.tolist()
    assert fast.bad == slow.bad and fast.truncated_at == slow.truncated_at


def test_vectorised_crc_matches_the_scalar_checksum() -> None:
    """Every frame's CRC, computed for all frames at once, equals crc_x25 frame by frame (the
    scalar routine checked against pymavlink elsewhere); a flipped payload byte fails."""
    from forensics_lib.drone import mavlink_frames as mf

    buf = bytearray(_hour_of_frames())
    frames = mf.scan_frames(bytes(buf), vectorised=False)
    data = np.frombuffer(bytes(buf), dtype=np.uint8)
    assert mf._crcs_ok(data, frames.offset).all()
    victim = int(frames.offset[len(frames) // 2])
    buf[victim + mf.TLOG_STAMP + 10] ^= 0x01  # inside the payload (v1 and v2 headers <= 10)
    ok = mf._crcs_ok(np.frombuffer(bytes(buf), dtype=np.uint8), frames.offset)
    assert np.flatnonzero(~ok).tolist() == [len(frames) // 2]


_FRAMES_CACHE: list[bytes] = []


def _hour_of_frames() -> bytes:
    """A short generated tlog (a few thousand frames of the usual mix), made once."""
    if not _FRAMES_CACHE:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "short.tlog"
            write_tlog(path, simulate_flight(3, loiter_laps=1))
            _FRAMES_CACHE.append(path.read_bytes())
    return _FRAMES_CACHE[0]


def test_board_uid_same_in_telemetry_and_sd_card_logs(tmp_path: Path) -> None:
    """The tlog's AUTOPILOT_VERSION.uid2 and the DataFlash boot line name the same board."""
    flight = simulate_flight(2)
    flight.board_uid = "0042BEEF 12345678 9ABCDEF0"
    write_tlog(tmp_path / "f.tlog", flight)
    write_dataflash(tmp_path / "f.bin", flight)
    for name in ("f.tlog", "f.bin"):
        vehicle = read_flight_log(tmp_path / name).vehicle
        assert vehicle["board_uid"].iloc[0] == "0042BEEF 12345678 9ABCDEF0", name


def test_uid2_printed_as_ardupilot_prints_the_board_id() -> None:
    """Hand-computed from AP_HAL_ChibiOS get_system_id: bytes 3..0, 7..4, 11..8 in hex. The
    12 raw bytes of the PX4v4 in the real sample log print as its boot line does."""
    from forensics_lib.drone.tlog import _board_uid

    raw = bytes.fromhex("290036000351363031373231") + bytes(6)
    assert _board_uid(0, raw) == "00360029 30365103 31323731"
    assert _board_uid(0x1234, bytes(18)) == "0000000000001234"
    assert _board_uid(0, bytes(18)) is None
