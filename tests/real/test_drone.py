"""Drone flight logs: MAVLink tlog and ArduPilot DataFlash read into a FlightLog.

Truth: the facts of ../shared/samples/README.md (read there with pymavlink 2.4.50), pymavlink's
own reading of the same files message for message, and hand derivations noted beside values.
"""

from __future__ import annotations

import math
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from pymavlink import mavutil

from forensics_lib.drone import mavlink_frames as mf
from forensics_lib.drone import read_flight_log
from forensics_lib.drone.analysis import summary
from forensics_lib.drone.dataflash import scan_records
from forensics_lib.errors import (
    EncryptedContent,
    ForensicsWarning,
    TruncatedInputWarning,
    UnsupportedFormat,
)

TLOG = "drone/uavlogviewer_vtol.tlog"
BIN = "drone/pymavlink_test.BIN"


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def _pymavlink_messages(path: Path) -> list[object]:
    conn = mavutil.mavlink_connection(str(path), dialect="ardupilotmega")
    out = []
    while (msg := conn.recv_msg()) is not None:
        out.append(msg)
    conn.close()
    return out


# --------------------------------------------------------------------------- tlog


def test_tlog_facts_from_the_samples_readme(samples: Path, unchanged) -> None:
    unchanged(samples / "drone")
    log = read_flight_log(samples / TLOG)
    assert log.format == "mavlink_tlog"
    assert sum(log.message_counts.values()) == 23_894
    assert log.system_id == 1 and log.systems == (1,)
    track = log.track
    assert len(track) == 807  # every GLOBAL_POSITION_INT of system 1 (none at 0,0)
    first, last = track.iloc[0], track.iloc[-1]
    assert first["time_utc"] == pd.Timestamp(1_533_737_161_912_000, unit="us", tz="UTC")
    assert (first["lat"], first["lon"]) == (-35.3629904, 149.1649392)
    assert last["time_utc"] == pd.Timestamp(1_533_737_369_507_000, unit="us", tz="UTC")
    assert (last["lat"], last["lon"]) == (-35.3609623, 149.16503)
    home = log.home.iloc[0]
    assert (home["lat"], home["lon"], home["alt_m"]) == (-35.3609626, 149.165031, 586.66)
    arm = log.events[log.events["kind"].isin(["armed", "disarmed"])]
    assert list(arm["kind"]) == ["armed", "disarmed"]
    assert list(arm["time_utc"]) == [
        pd.Timestamp(1_533_737_161_935_000, unit="us", tz="UTC"),
        pd.Timestamp(1_533_737_338_362_000, unit="us", tz="UTC"),
    ]
    assert log.bad_frame_count == 0 and not log.truncated
    assert log.vehicle["firmware"].iloc[0].startswith("ArduPlane V3.10.0-dev")


def test_tlog_agrees_with_pymavlink_message_for_message(samples: Path) -> None:
    path = samples / TLOG
    frames = mf.scan_frames(path.read_bytes())
    theirs = _pymavlink_messages(path)
    assert len(frames) == len(theirs) == 23_894
    assert frames.msgid.tolist() == [m.get_msgId() for m in theirs]
    assert frames.sysid.tolist() == [m.get_srcSystem() for m in theirs]
    # pymavlink keeps the stamp as float seconds; ours is the exact integer microseconds.
    assert frames.time_us.tolist() == [round(m._timestamp * 1e6) for m in theirs]
    # And the decoded track equals pymavlink's GLOBAL_POSITION_INT of system 1, field by field.
    gpi = [m for m in theirs if m.get_type() == "GLOBAL_POSITION_INT" and m.get_srcSystem() == 1]
    track = read_flight_log(path).track
    assert len(track) == len(gpi)
    assert track["lat"].tolist() == [m.lat / 1e7 for m in gpi]
    assert track["lon"].tolist() == [m.lon / 1e7 for m in gpi]
    assert track["alt_amsl_m"].tolist() == [m.alt / 1000 for m in gpi]
    assert track["alt_rel_m"].tolist() == [m.relative_alt / 1000 for m in gpi]
    assert track["climb_ms"].tolist() == [-m.vz / 100 for m in gpi]
    expected = [math.hypot(m.vx, m.vy) / 100 for m in gpi]  # numpy vs math hypot: 1 ulp
    assert track["ground_speed_ms"].tolist() == pytest.approx(expected, rel=1e-12)


def test_tlog_mode_names_match_pymavlink(samples: Path) -> None:
    theirs = [
        mavutil.mode_string_v10(m)
        for m in _pymavlink_messages(samples / TLOG)
        if m.get_type() == "HEARTBEAT" and m.type != 6
    ]
    changes = [m for i, m in enumerate(theirs) if i == 0 or m != theirs[i - 1]]
    events = read_flight_log(samples / TLOG).events
    assert list(events.loc[events["kind"] == "mode", "value"]) == changes
    assert changes == ["QLOITER", "CIRCLE", "GUIDED", "QLAND"]


def test_tlog_summary_fields(samples: Path) -> None:
    s = summary(read_flight_log(samples / TLOG))
    for key in (
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
        assert key in s
    assert s["home"] == {"lat": -35.3609626, "lon": 149.165031, "alt_m": 586.66}
    assert s["first_fix_utc"] == "2018-08-08T14:06:01.912Z"  # Unix 1533737161.912
    assert s["armed_intervals"] == [["2018-08-08T14:06:01.935Z", "2018-08-08T14:08:58.362Z"]]
    assert s["track_points"] == 807 and s["bad_frames"] == 0
    # The log starts in the air (QLOITER, 6.75 m up): no take-off time is invented (see
    # test_tlog_starting_in_flight_has_no_takeoff). The landing is detected within 30 ms of
    # the autopilot's own "Land complete" STATUSTEXT (14:08:58.357).
    assert s["takeoff_utc"] is None
    landing = _utc(s["landing_utc"])
    assert abs(landing - _utc("2018-08-08T14:08:58.357")) < pd.Timedelta("30ms")


def test_tlog_starting_in_flight_has_no_takeoff(samples: Path) -> None:
    # Truth from pymavlink: the first GLOBAL_POSITION_INT of system 1 is already 6.75 m above
    # home (relative_alt 6750 mm) and moving (vx, vy), 23 ms before the first armed HEARTBEAT
    # (1533737161.935, README): the aircraft was flying when the ground station began logging.
    msgs = _pymavlink_messages(samples / TLOG)
    gpi = [m for m in msgs if m.get_type() == "GLOBAL_POSITION_INT" and m.get_srcSystem() == 1]
    first = gpi[0]
    assert first.relative_alt == 6750 and math.hypot(first.vx, first.vy) > 100  # > 1 m/s
    assert round(first._timestamp, 3) == 1533737161.912
    # The autopilot's own "Land complete" (STATUSTEXT) is in the log: that landing is real.
    land = [m for m in msgs if m.get_type() == "STATUSTEXT" and m.text == "Land complete"]
    assert len(land) == 1
    log = read_flight_log(samples / TLOG)
    s = summary(log)
    assert s["takeoff_utc"] is None and s["landing_utc"] is not None
    note = (
        "the log starts in flight at 2018-08-08T14:06:01.912Z (6.75 m above home); "
        "the take-off is not in this log"
    )
    assert s["notes"] == [note] and note in log.notes  # once, though both add it
    assert "takeoff" not in set(log.events["kind"])
    landing = log.events[log.events["kind"] == "landing"]
    assert len(landing) == 1
    assert abs(landing["time_utc"].iloc[0].timestamp() - land[0]._timestamp) < 0.03


def test_corrupt_frame_is_counted_with_its_offset(samples: Path, tmp_path: Path) -> None:
    data = bytearray((samples / TLOG).read_bytes())
    good = read_flight_log(samples / TLOG).track
    victim = int(good["offset"].iloc[100])
    nxt = int(good["offset"].iloc[101])
    frames = mf.scan_frames(bytes(data))
    after = int(frames.offset[frames.offset > victim][0])  # the frame following the victim
    data[victim + 8 + 12] ^= 0xFF  # a payload byte of that GLOBAL_POSITION_INT: CRC now fails
    path = tmp_path / "corrupt.tlog"
    path.write_bytes(bytes(data))
    with pytest.warns(ForensicsWarning, match=f"first at offset {victim}"):
        log = read_flight_log(path)
    assert log.bad_frames["offset"].tolist() == [victim]
    assert log.bad_frames["length"].tolist() == [after - victim]
    assert len(log.track) == 806
    assert int(log.track["offset"].iloc[100]) == nxt  # nothing else lost


def test_truncated_tlog_returns_what_was_readable(samples: Path, tmp_path: Path) -> None:
    data = (samples / TLOG).read_bytes()
    good = read_flight_log(samples / TLOG).track
    cut = int(good["offset"].iloc[400]) + 20  # inside the 401st position frame
    path = tmp_path / "cut.tlog"
    path.write_bytes(data[:cut])
    with pytest.warns(TruncatedInputWarning, match="ends inside a frame"):
        log = read_flight_log(path)
    assert log.truncated
    assert len(log.track) == 400
    assert log.track["lat"].tolist() == good["lat"].iloc[:400].tolist()


def test_not_a_flight_log(tmp_path: Path) -> None:
    for name, content in (("empty.tlog", b""), ("text.bin", b"hello world, not a log\n" * 5)):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(UnsupportedFormat, match=name):
            read_flight_log(path)


def test_dji_flight_record_is_recognised_not_guessed(tmp_path: Path) -> None:
    # A prefix as dji-log-parser's layout/prefix.rs reads it: detail_offset u64 = 100 (just
    # after the prefix), detail_length u16, version u8 = 13, then zeros to 100 bytes.
    prefix = (100).to_bytes(8, "little") + (0).to_bytes(2, "little") + bytes([13])
    path = tmp_path / "DJIFlightRecord_2024-06-14_[21-30-00].txt"
    path.write_bytes(prefix.ljust(100, b"\x00") + b"\x00" * 64)
    # issue 14: a v13 record is encrypted, never "not a DJI flight record" nor unsupported
    with pytest.raises(EncryptedContent, match=r"DJI flight record v13: encrypted.*keychain"):
        read_flight_log(path)


# --------------------------------------------------------------------------- DataFlash


def test_dataflash_facts_from_the_samples_readme(samples: Path, unchanged) -> None:
    unchanged(samples / "drone")
    with pytest.warns(TruncatedInputWarning, match="ends inside a record"):
        log = read_flight_log(samples / BIN)  # the sample is cut after about 1 s
    assert log.format == "ardupilot_dataflash"
    counts = log.message_counts
    assert sum(counts.values()) == 1_731 and len(counts) == 47
    for name, n in {
        "PARM": 809,
        "FMT": 132,
        "GPS": 5,
        "POS": 23,
        "MODE": 1,
        "MSG": 6,
        "CMD": 12,
        "BAT": 8,
    }.items():
        assert counts[name] == n
    first = log.track.iloc[0]
    assert (first["lat"], first["lon"]) == (-35.3626277, 149.1653034)
    # GPS week 1973, 6,448,000 ms: 1973 x 604,800 + 6,448 = 1,193,276,848 s after 1980-01-06
    # (Unix 315,964,800) = Unix 1,509,241,648 GPS; minus 18 leap seconds (since 2017-01-01)
    # = 1,509,241,630 = 2017-10-29T01:47:10Z.
    assert first["time_utc"] == _utc("2017-10-29T01:47:10")
    assert first["fix_type"] == 3 and first["sats"] == 11
    assert log.vehicle["firmware"].iloc[0] == "ArduPlane V3.8.2-dev (8178ab40)"
    assert log.vehicle["board_uid"].iloc[0] == "00360029 30365103 31323731"
    assert len(log.mission) == 12 and log.mission["command_label"].iloc[1] == "NAV_TAKEOFF"
    assert len(log.params) == 809


def test_dataflash_agrees_with_pymavlink_record_for_record(samples: Path) -> None:
    path = samples / BIN
    recs = scan_records(path.read_bytes())
    theirs = _pymavlink_messages(path)
    ours = sorted(
        ((int(off), recs.formats[t].name) for t, offs in recs.starts.items() for off in offs)
    )
    assert [name for _, name in ours] == [m.get_type() for m in theirs]
    assert Counter(name for _, name in ours) == Counter(m.get_type() for m in theirs)
    gps = [m for m in theirs if m.get_type() == "GPS"]
    table = recs.table("GPS")
    assert table["Lat"].tolist() == [m.Lat for m in gps]
    assert table["Alt"].tolist() == [m.Alt for m in gps]
    # pymavlink puts records on UTC through the first GPS record's clock, as we do for every
    # record but GPS itself (a fix is stamped with its own GPS week + ms): the MSG texts agree
    # to the microsecond.
    with pytest.warns(TruncatedInputWarning):
        log = read_flight_log(path)
    texts = log.events[log.events["kind"] == "statustext"]
    msgs = [m for m in theirs if m.get_type() == "MSG"]
    assert texts["text"].tolist() == [m.Message for m in msgs]
    ours_t = [t.value / 1e9 for t in texts["time_utc"]]
    assert ours_t == pytest.approx([m._timestamp for m in msgs], abs=1e-6)
    assert log.track["time_utc"].iloc[0].value / 1e9 == gps[0]._timestamp  # the anchor


def test_dataflash_garbage_between_records_is_reported(samples: Path, tmp_path: Path) -> None:
    data = (samples / BIN).read_bytes()
    recs = scan_records(data)
    at = int(recs.starts[recs.by_name("GPS").type][2])  # before the third GPS record
    path = tmp_path / "garbage.bin"
    path.write_bytes(data[:at] + b"\x00\x11\x22\x33\x44" + data[at:])
    with pytest.warns(ForensicsWarning):
        log = read_flight_log(path)
    assert log.bad_frames[["offset", "length"]].values.tolist() == [[at, 5]]
    assert len(log.track) == 5


def test_samples_are_never_written(samples: Path, tmp_path: Path, unchanged) -> None:
    copy = tmp_path / "drone"
    shutil.copytree(samples / "drone", copy)
    unchanged(copy)
    read_flight_log(copy / "uavlogviewer_vtol.tlog")
    with pytest.warns(TruncatedInputWarning):
        read_flight_log(copy / "pymavlink_test.BIN")
    assert sorted(p.name for p in copy.iterdir()) == sorted(
        p.name for p in (samples / "drone").iterdir()
    )
