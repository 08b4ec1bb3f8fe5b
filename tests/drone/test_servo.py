"""Payload release from servo outputs (SERVO_OUTPUT_RAW, RCOU) and the release candidates.

Truth: the generator's answer key (``grab_servo``/``release_servo``: channel 9 = gripper,
1500 -> 1900 us on the ground, 1900 -> 1100 us at the drop, ArduPilot AP_Gripper defaults),
hand-built channels with the expected result derived in comments, and, for the real VTOL
tlog, pymavlink's own decoding of its SERVO_OUTPUT_RAW and PARAM_VALUE messages.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from forensics_datasets.drone import make_drone_case, simulate_flight
from pymavlink import mavutil

from forensics_lib.drone import mavlink_frames as mf
from forensics_lib.drone import read_flight_log
from forensics_lib.drone.analysis import haversine_m, release_candidates
from forensics_lib.drone.dataflash import scan_records
from forensics_lib.drone.servo import servo_functions, servo_steps
from forensics_lib.errors import TruncatedInputWarning

TLOG = "drone/uavlogviewer_vtol.tlog"
BIN = "drone/pymavlink_test.BIN"


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    made = make_drone_case(tmp_path_factory.mktemp("servo_case"), seed=4)
    return made.root, made.key


def _t(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize(
    ("name", "message"), [("flight.tlog", "SERVO_OUTPUT_RAW"), ("flight.bin", "RCOU")]
)
def test_release_servo_found_within_a_sample(
    case: tuple[Path, dict], name: str, message: str
) -> None:
    root, key = case
    log = read_flight_log(root / name)
    steps = log.servo_steps
    assert len(steps) == 2  # the grab on the ground and the release in the air
    for step, truth in zip(steps.itertuples(), ("grab_servo", "release_servo"), strict=True):
        k = key[truth]
        assert (step.channel, step.from_pwm, step.to_pwm) == (
            k["channel"],
            k["from_pwm"],
            k["to_pwm"],
        )
        assert step.function == k["function"] == 28 and step.function_label == "gripper"
        assert step.message == message and step.release_capable
        # The servo moved between the last old sample and the first new one: the key's
        # instant lies in that window, and the window is one sample (5 Hz tlog, 10 Hz RCOU).
        when = _t(k["time_utc"])
        assert step.before_utc < when <= step.time_utc
        assert step.time_utc - when <= pd.Timedelta("0.2s")
    events = log.events[log.events["kind"] == "servo"]
    assert list(events["value"]) == ["ch9 1500->1900", "ch9 1900->1100"]
    assert list(events["offset"]) == list(steps["offset"])


def test_servo_evidence_offset_is_the_record(case: tuple[Path, dict]) -> None:
    root, key = case
    # tlog: the offset is the stamp of a SERVO_OUTPUT_RAW frame whose servo9_raw is 1100.
    data = (root / "flight.tlog").read_bytes()
    step = read_flight_log(root / "flight.tlog").servo_steps.iloc[1]
    frames = mf.scan_frames(data)
    at = np.flatnonzero(frames.offset == step["offset"])
    msgid = mf.message_id("SERVO_OUTPUT_RAW")
    assert len(at) == 1 and frames.msgid[at[0]] == msgid
    assert int(mf.decode(frames, at, msgid)["servo9_raw"][0]) == key["release_servo"]["to_pwm"]
    # DataFlash: the offset is the start of an RCOU record whose C9 is 1100.
    recs = scan_records((root / "flight.bin").read_bytes())
    rcou = recs.table("RCOU")
    step = read_flight_log(root / "flight.bin").servo_steps.iloc[1]
    row = rcou[rcou["offset"] == step["offset"]]
    assert len(row) == 1 and int(row["C9"].iloc[0]) == key["release_servo"]["to_pwm"]


@pytest.mark.parametrize("name", ["flight.tlog", "flight.bin"])
def test_release_candidates_rank_the_servo_strong(case: tuple[Path, dict], name: str) -> None:
    root, key = case
    log = read_flight_log(root / name)
    rel = release_candidates(log, target=(key["target"]["lat"], key["target"]["lon"]))
    servo = rel[rel["reason"].str.startswith("servo:")]
    assert len(servo) == 1  # the grab happened on the ground: not a release
    row = servo.iloc[0]
    assert row["strength"] == "strong"
    assert row["evidence"] == ("SERVO_OUTPUT_RAW" if name.endswith("tlog") else "RCOU")
    assert row["offset"] == log.servo_steps["offset"].iloc[1]
    assert pd.Timedelta(0) <= row["time_utc"] - _t(key["release_utc"]) <= pd.Timedelta("0.2s")
    assert haversine_m(row["lat"], row["lon"], key["release_lat"], key["release_lon"]) < 3
    assert row["alt_rel_m"] == pytest.approx(key["hover_alt_rel_m"], abs=0.5)
    # Every candidate names its evidence; only the hover (flight behaviour) is weak.
    assert rel["evidence"].notna().all()
    assert set(rel.loc[rel["strength"] == "weak", "evidence"]) == {"track"}
    if name.endswith("bin"):  # AP_Gripper_Servo::release writes EV GRIPPER_RELEASE (47)
        ev = rel[rel["evidence"] == "EV"]
        assert len(ev) == 1 and abs(ev["time_utc"].iloc[0] - _t(key["release_utc"])) < pd.Timedelta(
            "1ms"
        )
    else:  # mission item 5 is the DO_GRIPPER of the generator's mission
        reached = rel[rel["evidence"] == "MISSION_ITEM_REACHED"]
        assert list(reached["reason"]) == [
            "mission_item_reached: mission item 5 (DO_GRIPPER) reached"
        ]


def test_simulate_flight_home_places_the_site() -> None:
    default = simulate_flight(3)
    # Giving the default home back flies the very same samples (the draw is still made).
    same = simulate_flight(3, home=default.home)
    pd.testing.assert_frame_equal(same.samples, default.samples)
    moved = simulate_flight(3, home=(51.5007, -0.1246, 20.0))
    assert moved.key["home"] == {"lat": 51.5007, "lon": -0.1246, "alt_m": 20.0}
    s = moved.samples
    assert s["alt_amsl_m"].to_numpy() == pytest.approx(20.0 + s["alt_rel_m"].to_numpy())
    # The same flight shape: home-to-target distance as in the default site (650 m by
    # construction of simulate_flight), within the 0.5 % of the spherical projection.
    for f in (default, moved):
        d = haversine_m(f.home[0], f.home[1], *f.target)
        assert float(d) == pytest.approx(650.0, rel=0.005)
    assert haversine_m(s["lat"].iloc[0], s["lon"].iloc[0], 51.5007, -0.1246) < 10


# --------------------------------------------------------------------------- the rule


def _series(seconds: np.ndarray) -> pd.Series:
    return pd.Series(pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(seconds, unit="s"))


def test_rule_on_hand_built_channels() -> None:
    secs = np.arange(0, 30, 0.5)  # 60 samples, 2 Hz
    n = len(secs)
    drop = np.where(secs >= 10, 1900, 1100)  # steady, one 800 us step at 10 s
    pulse = np.where((secs >= 10) & (secs < 10.5), 1900, 1100)  # camera shutter: 0.5 s
    small = np.where(secs >= 10, 1300, 1100)  # 200 us: below the 300 us step
    jitter = np.where(secs >= 10, 1900, 1500) + np.tile([0, 5, -5], n // 3)  # noise <= 10
    surface = 1500 + (np.arange(n) % 7) * 40  # moves every sample
    surface[30] = 1950  # and one jump of 400+ us
    disabled = np.where(secs >= 10, 1500, 0)  # output switched on: 0 is not a value
    steps = servo_steps(
        _series(secs),
        np.arange(n) * 100,
        {1: drop, 2: pulse, 3: small, 4: jitter, 5: surface, 6: disabled},
        "TEST",
        {4: 29},  # channel 4 is landing gear
    )
    # Only the clean step (channel 1) and the jittery one (channel 4) pass. Both step at the
    # sample of t = 10 s (index 20, offset 2000) after the one of 9.5 s.
    assert list(steps["channel"]) == [1, 4]
    assert list(steps["offset"]) == [2000, 2000]
    assert (steps["time_utc"] == _series(np.array([10.0, 10.0]))).all()
    assert (steps["before_utc"] == _series(np.array([9.5, 9.5]))).all()
    # Channel 4 reports the samples themselves: index 19 is 1500 + 5 (19 % 3 = 1), index 20
    # is 1900 - 5 (20 % 3 = 2).
    assert steps["from_pwm"].tolist() == [1100, 1505] and steps["to_pwm"].tolist() == [1900, 1895]
    # Landing gear (SERVOn_FUNCTION 29) steps too, but it does not release a payload.
    assert steps["release_capable"].tolist() == [True, False]
    assert steps["function_label"].tolist()[1] == "landing gear"
    # Held only 1.5 s before the step (first sample at 8.5 s): not a step either.
    late = servo_steps(_series(secs[17:]), np.arange(n - 17), {1: drop[17:]}, "TEST")
    assert late.empty


# --------------------------------------------------------------------------- real logs


def test_real_vtol_servos_are_flight_controls_not_a_release(samples: Path) -> None:
    path = samples / TLOG
    log = read_flight_log(path)
    # pymavlink reads the same SERVO_OUTPUT_RAW and SERVOn_FUNCTION parameters.
    conn = mavutil.mavlink_connection(str(path), dialect="ardupilotmega")
    times: list[int] = []
    channels: dict[int, list[int]] = {k: [] for k in range(1, 17)}
    functions: dict[int, int] = {}
    while (m := conn.recv_msg()) is not None:
        if m.get_type() == "SERVO_OUTPUT_RAW" and m.get_srcSystem() == 1:
            times.append(round(m._timestamp * 1e6))
            for k in channels:
                channels[k].append(getattr(m, f"servo{k}_raw", 0))
        elif m.get_type() == "PARAM_VALUE" and re.fullmatch(r"SERVO\d+_FUNCTION", m.param_id):
            functions[int(m.param_id[5:].split("_")[0])] = int(m.param_value)
    conn.close()
    assert log.message_counts["SERVO_OUTPUT_RAW"] == len(times) == 797
    assert servo_functions(log.params) == functions
    # What drives the outputs (SRV_Channel.h): aileron, elevator, tilt motors left/right,
    # motors 1, 2, 4, 4 and 7: every active output flies the aircraft.
    assert {k: functions[k] for k in (1, 2, 3, 4, 5, 6, 7, 8, 11)} == {
        1: 4, 2: 19, 3: 75, 4: 76, 5: 33, 6: 34, 7: 36, 8: 36, 11: 39,
    }  # fmt: skip
    # Outputs 1-8 move by more than 10 us 62 to 286 times (0 = unused for 9-16): none is
    # steady (at most 4 moves).
    moves = {k: int((np.abs(np.diff(v)) > 10).sum()) for k, v in channels.items()}
    assert min(moves[k] for k in range(1, 9)) == 62 and max(moves.values()) == 286
    assert all(set(channels[k]) == {0} for k in range(9, 17))
    # They do jump by 300 us or more between samples (22 times with no steadiness rule), so
    # it is the rule that keeps them out, not a lack of jumps.
    when = pd.Series(pd.to_datetime(times, unit="us", utc=True))
    loose = servo_steps(when, np.arange(len(times)), channels, "X", max_moves=10**6, min_hold_s=0)
    assert len(loose) == 22
    assert servo_steps(when, np.arange(len(times)), channels, "X").empty
    assert log.servo_steps.empty
    assert not (log.events["kind"] == "servo").any()
    rel = release_candidates(log)
    assert not rel["reason"].str.startswith("servo").any()
    assert set(rel["strength"]) <= {"weak"}


def test_real_bin_rcou_is_read_without_inventing_a_release(samples: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncatedInputWarning)  # the sample is cut (README)
        log = read_flight_log(samples / BIN)
    recs = scan_records((samples / BIN).read_bytes())
    rcou = recs.table("RCOU")
    assert len(rcou) == log.message_counts["RCOU"] == 23
    assert [c for c in rcou.columns if c.startswith("C")] == [f"C{k}" for k in range(1, 15)]
    assert log.servo_steps.empty and release_candidates(log).empty
