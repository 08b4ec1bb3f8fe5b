"""PX4 ULog (.ulg) read into a FlightLog, as pyulog (the maintained reader) reads it.

Truth: the real PX4 log in ../shared/samples/drone (README facts, pyulog 1.3.0 ``ulog_info``),
pyulog's own parse of the same bytes, and the answer key of the ULog writer
(forensics_datasets.ulog.write_ulog), whose output pyulog is checked to read back.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from forensics_datasets.drone import simulate_flight
from forensics_datasets.ulog import write_ulog
from pyulog import ULog

from forensics_lib.cli import main
from forensics_lib.drone import detect_format, read_flight_log
from forensics_lib.drone.analysis import summary
from forensics_lib.drone.model import NO_GPS_TIME
from forensics_lib.drone.ulog import nav_state_name, ulog_info
from forensics_lib.errors import ForensicsWarning, ParseError, TruncatedInputWarning

ULG = "drone/px4_sample_small.ulg"


@pytest.fixture(scope="module")
def flight():  # type: ignore[no-untyped-def]
    return simulate_flight(0)


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# --------------------------------------------------------------------------- real sample


def test_px4_sample_facts_from_the_readme(samples: Path, unchanged) -> None:  # type: ignore[no-untyped-def]
    unchanged(samples / "drone")
    path = samples / ULG
    assert detect_format(path.read_bytes()) == "px4_ulog"
    # pyulog finds one logger dropout of 30 ms in this log (ULog.dropouts): data lost, said.
    with pytest.warns(ForensicsWarning, match=r"1 logging dropout.*30 ms"):
        log = read_flight_log(path)
    assert log.format == "px4_ulog" and not log.truncated
    # README: vehicle_gps_position has 32 samples, 2021-04-21T06:30:58.600Z to 06:31:04.800Z
    # (time_utc_usec, printed to the millisecond), fix type 3, 15 satellites, 63.4170622,
    # 10.4082151.
    track = log.track
    assert len(track) == 32
    first, last = track["time_utc"].iloc[0], track["time_utc"].iloc[-1]
    assert abs(first - _utc("2021-04-21T06:30:58.600Z")) < pd.Timedelta("1ms")
    assert abs(last - _utc("2021-04-21T06:31:04.800Z")) < pd.Timedelta("1ms")
    assert (track["lat"].iloc[0], track["lon"].iloc[0]) == (63.4170622, 10.4082151)
    assert (int(track["fix_type"].iloc[0]), int(track["sats"].iloc[0])) == (3, 15)
    # README: boot 20.47 to 26.66 s.
    assert round(float(track["time_boot_s"].iloc[0]), 2) == 20.47
    assert round(float(track["time_boot_s"].iloc[-1]), 2) == 26.66
    v = log.vehicle.iloc[0]
    assert v["hardware"] == "CUBEPILOT_CUBEORANGE" and v["autopilot"] == "PX4"
    assert "PX4/NuttX" in v["firmware"] and "v1.11.2_w_rc_sysid" in v["firmware"]


def test_px4_sample_agrees_with_pyulog(samples: Path) -> None:
    path = samples / ULG
    ref = ULog(str(path))
    gps = ref.get_dataset("vehicle_gps_position").data
    assert [d.duration for d in ref.dropouts] == [30]
    with pytest.warns(ForensicsWarning, match="1 logging dropout"):
        log = read_flight_log(path)
    # Track: pyulog's degE7 values, and its time_utc_usec to the microsecond.
    assert log.track["lat"].tolist() == (gps["lat"] / 1e7).tolist()
    assert log.track["lon"].tolist() == (gps["lon"] / 1e7).tolist()
    utc_us = (log.track["time_utc"].astype("int64") // 1000).tolist()
    assert utc_us == gps["time_utc_usec"].astype(np.int64).tolist()
    # Parameters: every initial value pyulog finds (980 in this log).
    assert len(log.params) == len(ref.initial_parameters) == 980
    # Messages: pyulog's logged messages, in order, as statustext events.
    texts = log.events.loc[log.events["kind"] == "statustext", "text"].tolist()
    assert texts == [m.message for m in ref.logged_messages]
    assert texts[-1] == "[commander] Disarmed by landing"
    # Arming: pyulog's vehicle_status.arming_state is 2 (ARMED) from the first sample, then
    # 1 (STANDBY) after "Disarmed by landing": the log begins armed (shown as an arm event
    # at the first sample, as the tlog reader shows a first armed HEARTBEAT).
    changes = ref.get_dataset("vehicle_status").list_value_changes("arming_state")
    assert [int(v) for _, v in changes] == [2, 1]
    arm = log.events[log.events["kind"].isin(["armed", "disarmed"])]
    assert arm["kind"].tolist() == ["armed", "disarmed"]
    assert arm["time_boot_s"].tolist() == [int(t) / 1e6 for t, _ in changes]
    # Flight mode: nav_state 0 throughout, PX4's MANUAL.
    assert log.events.loc[log.events["kind"] == "mode", "value"].tolist() == ["MANUAL"]
    assert log.message_counts["vehicle_gps_position"] == 32


def test_px4_sample_summary_and_cli(samples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(samples / ULG)
    with warnings.catch_warnings():
        warnings.simplefilter("always", ForensicsWarning)
        code = main(["drone", "summary", path, "--format", "json"])
    facts = json.loads(capsys.readouterr().out)
    assert code == 0 and facts["format"] == "px4_ulog" and facts["track_points"] == 32
    assert facts["vehicle"]["hardware"] == "CUBEPILOT_CUBEORANGE"
    assert facts["first_fix_utc"].startswith("2021-04-21T06:30:58.6")
    assert len(facts["armed_intervals"]) == 1
    assert facts["notes"] == [
        "1 logging dropout(s) ('O' messages): 30 ms of data were not written by the logger"
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("always", ForensicsWarning)
        for action in ("track", "events"):
            assert main(["drone", action, path]) == 0
    out, err = capsys.readouterr()
    assert "63.4170622" in out and "Disarmed by landing" in out
    assert "1 logging dropout" in err


def test_ulog_info_artifact(samples: Path) -> None:
    frame = ulog_info(samples / ULG)
    info = dict(zip(frame["key"], frame["value"], strict=True))
    assert info["ver_hw"] == "CUBEPILOT_CUBEORANGE" and info["sys_name"] == "PX4"
    assert info["ver_sw_branch"] == "v1.11.2_w_rc_sysid" and info["sys_os_name"] == "NuttX"
    assert (frame["kind"] == "parameter").sum() == 980


def test_nav_state_names() -> None:
    # PX4 msg/vehicle_status.msg: 3 AUTO_MISSION, 5 AUTO_RTL, 14 OFFBOARD, 18 AUTO_LAND;
    # 6 was AUTO_RCRECOVER and is POSITION_SLOW from v1.15 (ver_sw_release 0x010F....).
    assert [nav_state_name(n) for n in (3, 5, 14, 18)] == [
        "AUTO_MISSION",
        "AUTO_RTL",
        "OFFBOARD",
        "AUTO_LAND",
    ]
    assert nav_state_name(6, 0x010B02FF) == "AUTO_RCRECOVER"
    assert nav_state_name(6, 0x010F00FF) == "POSITION_SLOW"
    assert nav_state_name(99) == "NAV_STATE(99)"


# --------------------------------------------------------------------------- generated


def test_generated_ulog_reads_back_in_pyulog(tmp_path: Path, flight) -> None:  # type: ignore[no-untyped-def]
    key = write_ulog(tmp_path / "f.ulg", flight)
    ref = ULog(str(tmp_path / "f.ulg"))
    assert not ref.file_corruption
    assert len(ref.get_dataset("vehicle_gps_position").data["timestamp"]) == key["gps_samples"]
    assert {k: ref.msg_info_dict[k] for k in key["info"]} == key["info"]
    assert ref.initial_parameters == key["params"]
    assert [(n, v) for _, n, v in ref.changed_parameters] == [("MPC_XY_VEL_MAX", 8.0)]
    assert [m.message for m in ref.logged_messages] == [m["text"] for m in key["messages"]]


def test_generated_ulog_flight(tmp_path: Path, flight) -> None:  # type: ignore[no-untyped-def]
    key = write_ulog(tmp_path / "f.ulg", flight)
    log = read_flight_log(tmp_path / "f.ulg")
    assert len(log.track) == key["gps_samples"]
    assert log.track["time_utc"].iloc[0] == key["first_fix"]["utc"]
    assert log.track["lat"].iloc[0] == pytest.approx(key["first_fix"]["lat"], abs=1e-7)
    assert log.track["time_utc"].iloc[-1] == key["last_fix"]["utc"]
    ev = log.events
    modes = ev[ev["kind"] == "mode"]
    assert modes["value"].tolist() == [m["mode"] for m in key["modes"]]
    assert modes["time_boot_s"].tolist() == pytest.approx([m["boot_s"] for m in key["modes"]])
    # UTC of every event from the GPS anchor: the generator's own UTC for that sample.
    assert modes["time_utc"].tolist() == [m["utc"] for m in key["modes"]]
    arm = ev[ev["kind"].isin(["armed", "disarmed"])]
    assert arm["kind"].tolist() == ["armed" if a["armed"] else "disarmed" for a in key["arming"]]
    assert arm["time_utc"].tolist() == [a["utc"] for a in key["arming"]]
    assert "MPC_XY_VEL_MAX: 12 -> 8" in ev["text"].tolist()
    assert "[navigator] payload released" in ev["text"].tolist()
    v = log.vehicle.iloc[0]
    assert (v["vehicle_family"], v["vehicle_type"]) == ("copter", "Quadrotor")
    facts = summary(log)
    assert facts["takeoff_utc"] is not None and facts["landing_utc"] is not None


def test_ulog_without_gps_keeps_boot_time(tmp_path: Path, flight) -> None:  # type: ignore[no-untyped-def]
    key = write_ulog(tmp_path / "indoor.ulg", flight, gps=False)
    with pytest.warns(ForensicsWarning, match="absolute time unknown"):
        log = read_flight_log(tmp_path / "indoor.ulg")
    assert log.track.empty and NO_GPS_TIME in log.notes
    ev = log.events
    assert ev["time_utc"].isna().all()
    modes = ev[ev["kind"] == "mode"]
    assert modes["value"].tolist() == [m["mode"] for m in key["modes"]]
    assert modes["time_boot_s"].tolist() == pytest.approx([m["boot_s"] for m in key["modes"]])
    facts = summary(log)
    assert NO_GPS_TIME in facts["notes"]
    assert facts["armed_intervals_boot_s"] == [[a["boot_s"] for a in key["arming"]]]


def test_ulog_global_position_fallback(tmp_path: Path, flight) -> None:  # type: ignore[no-untyped-def]
    key = write_ulog(tmp_path / "g.ulg", flight, gps=False, global_position=True)
    with pytest.warns(ForensicsWarning, match="absolute time unknown"):
        log = read_flight_log(tmp_path / "g.ulg")
    assert len(log.track) == key["global_samples"] > 0
    assert log.track["time_utc"].isna().all() and log.track["time_boot_s"].notna().all()
    assert log.track["lat"].iloc[0] == flight.samples["lat"].iloc[0]


def test_truncated_ulog_returns_what_was_readable(tmp_path: Path, flight) -> None:  # type: ignore[no-untyped-def]
    whole = write_ulog(tmp_path / "whole.ulg", flight)
    write_ulog(tmp_path / "cut.ulg", flight, cut_bytes=20)
    with pytest.warns(TruncatedInputWarning, match="ends inside a message"):
        log = read_flight_log(tmp_path / "cut.ulg")
    assert log.truncated
    # The cut falls in the last messages (after the GPS data): every fix is still there.
    assert len(log.track) == whole["gps_samples"]


def test_ulog_with_nothing_readable_is_an_error(
    tmp_path: Path,
    flight,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    """Only the header and definitions survive (a copy cut after 600 bytes): no command
    may end 0 having read nothing."""
    key = write_ulog(tmp_path / "whole.ulg", flight)
    write_ulog(tmp_path / "stub.ulg", flight, cut_bytes=key["bytes"] - 600)
    with pytest.raises(ParseError, match="no topic data"):
        read_flight_log(tmp_path / "stub.ulg")
    with warnings.catch_warnings():
        warnings.simplefilter("always", ForensicsWarning)
        assert main(["drone", "summary", str(tmp_path / "stub.ulg")]) == 2
    assert "no topic data" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("topic", "degrees"),
    [("sensor_gps", False), ("sensor_gps", True), ("vehicle_gps_position", True)],
)
def test_gnss_topic_of_every_px4_release(tmp_path: Path, flight, topic: str, degrees: bool) -> None:  # type: ignore[no-untyped-def]
    """PX4 v1.14+ logs sensor_gps; v1.15 writes latitude_deg/longitude_deg/altitude_msl_m
    (double degrees, metres) instead of lat/lon degE7 and alt mm: the same track."""
    key = write_ulog(tmp_path / "f.ulg", flight, gps_topic=topic, degrees=degrees)
    log = read_flight_log(tmp_path / "f.ulg")
    assert len(log.track) == key["gps_samples"]
    assert log.track["time_utc"].iloc[0] == key["first_fix"]["utc"]
    assert log.track["lat"].iloc[0] == pytest.approx(key["first_fix"]["lat"], abs=1e-7)
    assert log.track["lon"].iloc[-1] == pytest.approx(key["last_fix"]["lon"], abs=1e-7)
    amsl = flight.samples["alt_amsl_m"].iloc[0]
    assert log.track["alt_amsl_m"].iloc[0] == pytest.approx(amsl, abs=1e-3)


def test_ulog_dropouts_are_reported(tmp_path: Path, flight) -> None:  # type: ignore[no-untyped-def]
    """A logger dropout ('O', 250 ms not written) is data lost: said, never silent."""
    write_ulog(tmp_path / "drop.ulg", flight, dropout_ms=250)
    assert [d.duration for d in ULog(str(tmp_path / "drop.ulg")).dropouts] == [250]
    with pytest.warns(ForensicsWarning, match="1 logging dropout"):
        log = read_flight_log(tmp_path / "drop.ulg")
    assert any("250 ms" in n for n in summary(log)["notes"])
