"""MAVLink and ArduPilot logs as real ground stations and firmware of every era write them.

* tlogs with foreign bytes (console text, partial frames, noise) before and between frames:
  every frame found by resynchronising on the start bytes, the skipped bytes counted;
* DataFlash logs of every firmware era (APM:Copter V3.x .. ArduCopter V4.x, APM:Plane,
  APMrover2, ArduSub, AntennaTracker, VER-only, none): the vehicle's own mode table;
* logs without GPS time: every event kept on boot time, with a warning and a summary line.

Truth: the samples README (pymavlink 2.4.50 facts), pymavlink's own parse of the same bytes
and its mode tables (``mavutil.mode_mapping_bynumber``), and the generators' answer keys
(forensics_datasets.drone: ``add_foreign_bytes`` says how many bytes it inserted).
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from forensics_datasets.drone import (
    CONSOLE_LINES,
    FIRMWARE_BANNERS,
    add_foreign_bytes,
    simulate_flight,
    tlog_frames,
    write_dataflash,
    write_noisy_tlog,
    write_tlog,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymavlink import mavutil

from forensics_lib.cli import main
from forensics_lib.drone import detect_format, read_flight_log
from forensics_lib.drone import mavlink_frames as mf
from forensics_lib.drone.analysis import summary
from forensics_lib.drone.model import NO_GPS_TIME, UNKNOWN_VEHICLE
from forensics_lib.errors import ForensicsWarning
from tests.conftest import examples

TLOG = "drone/uavlogviewer_vtol.tlog"
COPTER = "drone/apm_copter_3.4.4.bin"
SUB = "drone/ardusub_no_gps.BIN"


@pytest.fixture(scope="module")
def flight():  # type: ignore[no-untyped-def]
    return simulate_flight(0)


@pytest.fixture(scope="module")
def clean_tlog(tmp_path_factory: pytest.TempPathFactory, flight) -> bytes:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("tlog") / "clean.tlog"
    write_tlog(path, flight)
    return path.read_bytes()


def _pymavlink(path: Path, dialect: str = "ardupilotmega") -> list:  # type: ignore[type-arg]
    """Every message pymavlink decodes (not its BAD_DATA, nor MAVLink_unknown, id -2)."""
    conn = mavutil.mavlink_connection(str(path), dialect=dialect, robust_parsing=True)
    out = []
    while (m := conn.recv_msg()) is not None:
        if m.get_type() != "BAD_DATA" and m.get_msgId() >= 0:
            out.append(m)
    conn.close()
    return out


def _ids(frames: mf.Frames) -> list[tuple[int, int, bytes]]:
    """(msgid, sysid, payload) of every frame, to compare frame sets exactly."""
    return [
        (int(i), int(s), bytes(frames.data[a : a + n]))
        for i, s, a, n in zip(
            frames.msgid, frames.sysid, frames.payload_at, frames.payload_len, strict=True
        )
    ]


# --------------------------------------------------------------------------- tlog resync


def test_tlog_with_console_text_first_is_detected_and_read(samples: Path, tmp_path: Path) -> None:
    """A MAVProxy console line before the first frame: the log is still a tlog, and every
    frame pymavlink's mavlogdump reads (23,894, as in the README) is read, 29 bytes skipped."""
    lead = b"MAVProxy console: link 1 OK\r\n"
    assert len(lead) == 29
    path = tmp_path / "lead.tlog"
    path.write_bytes(lead + (samples / TLOG).read_bytes())
    assert detect_format(path.read_bytes()) == "mavlink_tlog"
    theirs = _pymavlink(path)
    frames = mf.scan_frames(path.read_bytes())
    assert len(frames) == len(theirs) == 23_894
    assert frames.msgid.tolist() == [m.get_msgId() for m in theirs]
    assert frames.bad == ((0, 29, "bad frame (CRC or framing); resynchronised"),)
    with pytest.warns(ForensicsWarning, match="1 unreadable range"):
        log = read_flight_log(path)
    facts = summary(log)
    assert (facts["bad_frames"], facts["skipped_bytes"]) == (1, 29)
    assert len(log.track) == 807  # README: 807 GLOBAL_POSITION_INT from system 1


def test_tlog_with_foreign_bytes_between_frames(tmp_path: Path, flight) -> None:  # type: ignore[no-untyped-def]
    """Console lines, partial frames and noise every 50 frames: no frame lost, exactly the
    inserted bytes skipped (the generator's key), and at least every frame pymavlink finds
    (pymavlink reads the 8 bytes after foreign bytes as a stamp, so it loses some)."""
    key = write_noisy_tlog(tmp_path / "noisy.tlog", flight, every=50, seed=4)
    write_tlog(tmp_path / "clean.tlog", flight)
    clean = mf.scan_frames((tmp_path / "clean.tlog").read_bytes())
    noisy = mf.scan_frames((tmp_path / "noisy.tlog").read_bytes())
    assert len(noisy) == len(clean) == key["frames"]
    assert _ids(noisy) == _ids(clean)
    assert noisy.time_us.tolist() == clean.time_us.tolist()
    assert sum(length for _, length, _ in noisy.bad) == key["foreign_bytes"]
    assert len(noisy.bad) == key["chunks"]
    theirs = Counter(
        (m.get_msgId(), m.get_srcSystem(), m.get_seq()) for m in _pymavlink(tmp_path / "noisy.tlog")
    )
    ours = Counter(zip(noisy.msgid.tolist(), noisy.sysid.tolist(), _seqs(noisy), strict=True))
    assert not theirs - ours  # every message pymavlink decodes, we decode too
    with pytest.warns(ForensicsWarning, match=f"{key['chunks']} unreadable range"):
        log = read_flight_log(tmp_path / "noisy.tlog")
    assert summary(log)["skipped_bytes"] == key["foreign_bytes"]
    assert (
        log.track["lat"].tolist() == read_flight_log(tmp_path / "clean.tlog").track["lat"].tolist()
    )


def _seqs(frames: mf.Frames) -> list[int]:
    """The sequence byte of every frame (v1: header byte 2, v2: header byte 4)."""
    base = frames.offset + mf.TLOG_STAMP
    v2 = frames.data[base] == mf.STX_V2
    return frames.data[base + np.where(v2, 4, 2)].astype(int).tolist()


def test_text_only_file_is_not_a_tlog(tmp_path: Path) -> None:
    # Console text holding start bytes but no frame whose CRC checks out.
    assert detect_format(b"\xfe\xfd MAVProxy: link 1 down\r\n" * 200) is None


_RECORDS: list[bytes] = []


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_foreign_bytes_between_frames_lose_no_frame(data: st.DataObject, clean_tlog: bytes) -> None:
    """Property: random foreign bytes (noise, start bytes, console text, partial frames)
    inserted between valid frames lose no valid frame, and are counted to the byte; the
    vectorised scan and the frame-by-frame scan agree."""
    records = _RECORDS or _RECORDS.extend(tlog_frames(clean_tlog)[:300]) or _RECORDS
    clean = b"".join(records)
    chunk = st.one_of(
        st.binary(min_size=1, max_size=48),
        st.lists(st.sampled_from([0xFE, 0xFD, 0x00, 0x21, 0xFF]), min_size=1, max_size=24).map(
            bytes
        ),
        st.sampled_from(CONSOLE_LINES),
        # a partial frame: a stamp and the first bytes of one of the log's own frames
        st.tuples(st.integers(0, len(records) - 1), st.integers(1, 60)).map(
            lambda r: records[r[0]][: min(r[1], len(records[r[0]]) - 1)]
        ),
    )
    pairs = data.draw(
        st.lists(st.tuples(st.integers(0, len(records) - 1), chunk), min_size=1, max_size=8)
    )
    inserts: dict[int, bytes] = {}
    for at, foreign in pairs:
        inserts[at] = inserts.get(at, b"") + foreign
    out = bytearray()
    for i, record in enumerate(records):
        out += inserts.get(i, b"") + record  # before record i: never after the last one
    buf = bytes(out)
    ref = mf.scan_frames(clean)
    for vectorised in (True, False):
        found = mf.scan_frames(buf, vectorised=vectorised)
        # Foreign bytes can by chance look like a frame of an id outside the dialect (say
        # FE 00 .. FF: an 8-byte MAVLink 1 frame of id 255), which has no CRC_EXTRA to
        # check; such a frame is kept as UNKNOWN_<id> (message_counts), as pymavlink keeps a
        # MAVLink_unknown. What must hold: every CRC-checked frame is found, and every
        # inserted byte is either skipped (counted) or in such an unchecked frame.
        known = np.isin(found.msgid, list(mf.dialect.mavlink_map))
        assert [x for x, k in zip(_ids(found), known, strict=True) if k] == _ids(ref)
        assert found.truncated_at is None
        unchecked = sum(_record_length(found, i) for i in np.flatnonzero(~known))
        skipped = sum(length for _, length, _ in found.bad)
        assert skipped + unchecked == sum(map(len, inserts.values()))


def _record_length(frames: mf.Frames, i: int) -> int:
    """Stamp + frame bytes of frame ``i`` (MAVLink 1: 8 + len; 2: 12 + len (+ 13 signed))."""
    at = int(frames.offset[i]) + mf.TLOG_STAMP
    if frames.data[at] == mf.STX_V1:
        return mf.TLOG_STAMP + 8 + int(frames.payload_len[i])
    signed = 13 if frames.data[at + 2] & 1 else 0
    return mf.TLOG_STAMP + 12 + signed + int(frames.payload_len[i])


# --------------------------------------------------------------------------- firmware eras

# What each banner's vehicle is: the MAV_TYPE whose pymavlink mode table applies.
_ERA_TYPE = {
    "copter": mavutil.mavlink.MAV_TYPE_QUADROTOR,
    "plane": mavutil.mavlink.MAV_TYPE_FIXED_WING,
    "rover": mavutil.mavlink.MAV_TYPE_GROUND_ROVER,
    "sub": mavutil.mavlink.MAV_TYPE_SUBMARINE,
    "tracker": mavutil.mavlink.MAV_TYPE_ANTENNA_TRACKER,
}


def _mode_numbers(path: Path) -> list[int]:
    """MODE.ModeNum of every MODE record, as pymavlink's DFReader parses them."""
    conn = mavutil.mavlink_connection(str(path))
    out = []
    while (m := conn.recv_match(type="MODE")) is not None:
        out.append(int(m.ModeNum))
    conn.close()
    return out


@pytest.mark.parametrize("era", sorted(FIRMWARE_BANNERS))
def test_firmware_of_every_era_maps_its_own_modes(era: str, tmp_path: Path, flight) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{era}.bin"
    write_dataflash(path, flight, firmware=FIRMWARE_BANNERS[era])
    family = era.split("_")[0]
    log = read_flight_log(path)
    v = log.vehicle.iloc[0]
    assert v["vehicle_family"] == family and v["firmware"] == FIRMWARE_BANNERS[era]
    table = mavutil.mode_mapping_bynumber(_ERA_TYPE[family])
    expected = [table.get(n, f"Mode({n})") for n in _mode_numbers(path)]
    modes = log.events.loc[log.events["kind"] == "mode", "value"].tolist()
    assert modes == expected and UNKNOWN_VEHICLE not in log.notes


def test_vehicle_from_the_ver_record_when_no_banner(tmp_path: Path, flight) -> None:  # type: ignore[no-untyped-def]
    # VER.BU 7 = ArduSub (AP_Vehicle_Type.h APM_BUILD_ArduSub; DFReader maps it so too).
    write_dataflash(tmp_path / "ver.bin", flight, firmware=None, build_type=7)
    log = read_flight_log(tmp_path / "ver.bin")
    assert log.vehicle["vehicle_family"].iloc[0] == "sub"
    table = mavutil.mode_mapping_sub
    expected = [table.get(n, f"Mode({n})") for n in _mode_numbers(tmp_path / "ver.bin")]
    assert log.events.loc[log.events["kind"] == "mode", "value"].tolist() == expected


def test_unknown_vehicle_shows_numbers_and_says_so(tmp_path: Path, flight) -> None:  # type: ignore[no-untyped-def]
    write_dataflash(tmp_path / "anon.bin", flight, firmware=None)
    log = read_flight_log(tmp_path / "anon.bin")
    numbers = _mode_numbers(tmp_path / "anon.bin")
    modes = log.events.loc[log.events["kind"] == "mode", "value"].tolist()
    assert modes == [f"Mode({n})" for n in numbers]
    assert UNKNOWN_VEHICLE in summary(log)["notes"]


def test_apm_copter_3_4_sample(samples: Path) -> None:
    """README: MSG 'APM:Copter V3.4.4-rc1 (65ffe9d7)'; 753 GPS messages, week 1928, ms
    483338600 to 483489000 = 2016-12-23T14:15:21.600Z to 14:17:52.000Z with the 17 leap
    seconds of 2016; first fix 38.8311629, -6.9462535; Copter modes (0 Stabilize, 2 AltHold)."""
    log = read_flight_log(samples / COPTER)
    # README: 46,458 messages of 39 types, no bad data.
    assert sum(log.message_counts.values()) == 46_458 and len(log.message_counts) == 39
    assert log.bad_frame_count == 0 and not log.truncated
    v = log.vehicle.iloc[0]
    assert (v["vehicle_family"], v["vehicle_type"]) == ("copter", "QUADROTOR")
    assert v["firmware"] == "APM:Copter V3.4.4-rc1 (65ffe9d7)" and v["hardware"] == "PX4v2"
    track = log.track
    assert len(track) == 753
    assert track["time_utc"].iloc[0] == pd.Timestamp("2016-12-23T14:15:21.600Z")
    assert track["time_utc"].iloc[-1] == pd.Timestamp("2016-12-23T14:17:52.000Z")
    assert (track["lat"].iloc[0], track["lon"].iloc[0]) == (38.8311629, -6.9462535)
    modes = log.events.loc[log.events["kind"] == "mode", "value"].tolist()
    # pymavlink's DFReader: ModeNum 0, 0, 2, 0 -> mode_mapping_acm.
    numbers = _mode_numbers(samples / COPTER)
    assert modes == [mavutil.mode_mapping_acm[n] for n in numbers]
    assert modes[:3] == ["STABILIZE", "STABILIZE", "ALT_HOLD"]
    assert "STABILIZE" in track["mode"].tolist() and "ALT_HOLD" in track["mode"].tolist()
    assert summary(log)["notes"] == []


# --------------------------------------------------------------------------- no GPS time


def test_ardusub_without_gps_keeps_every_event(samples: Path) -> None:
    """README: ArduSub V4.1.0, no GPS messages: only boot-relative time exists."""
    path = samples / SUB
    with pytest.warns(ForensicsWarning, match=r"absolute time unknown \(no GPS time"):
        log = read_flight_log(path)
    # README: 7,510 messages of 39 types (PARM 876, IMU 594, BARO 474), no GPS at all.
    counts = log.message_counts
    assert sum(counts.values()) == 7_510 and len(counts) == 39 and "GPS" not in counts
    assert (counts["PARM"], counts["IMU"], counts["BARO"]) == (876, 594, 474)
    assert len(log.params) == 876
    ev = log.events
    assert len(ev) and ev["time_utc"].isna().all() and ev["time_boot_s"].notna().all()
    conn = mavutil.mavlink_connection(str(path))
    msgs, arms = [], []
    while (m := conn.recv_match(type=["MSG", "ARM", "MODE"])) is not None:
        (msgs if m.get_type() == "MSG" else arms if m.get_type() == "ARM" else []).append(m)
    conn.close()
    texts = ev[ev["kind"].isin(["statustext", "failsafe"])]
    assert texts["text"].tolist() == [m.Message for m in msgs]
    assert texts["time_boot_s"].tolist() == [m.TimeUS / 1e6 for m in msgs]
    # The one ARM record (ArmState 0 at TimeUS 274434708): the log began armed.
    assert [(m.ArmState, m.TimeUS) for m in arms] == [(0, 274_434_708)]
    disarm = ev[ev["kind"] == "disarmed"]
    assert disarm["time_boot_s"].tolist() == [274.434708]
    # MODE 19 in ArduSub's table (mode_mapping_sub) is MANUAL.
    assert ev.loc[ev["kind"] == "mode", "value"].tolist() == ["MANUAL"]
    facts = summary(log)
    assert NO_GPS_TIME in facts["notes"]
    assert facts["armed_intervals_boot_s"] == [[None, 274.434708]]
    assert log.vehicle["vehicle_family"].iloc[0] == "sub"


def test_generated_log_without_gps(tmp_path: Path, flight) -> None:  # type: ignore[no-untyped-def]
    """No GPS, POS or ORGN records: every EV, MODE and MSG record is an event at its TimeUS."""
    counts = write_dataflash(tmp_path / "indoor.bin", flight, gps=False)
    assert "GPS" not in counts
    with pytest.warns(ForensicsWarning, match="absolute time unknown"):
        log = read_flight_log(tmp_path / "indoor.bin")
    conn = mavutil.mavlink_connection(str(tmp_path / "indoor.bin"))
    ev_times, mode_times, msg_times = [], [], []
    while (m := conn.recv_match(type=["EV", "MODE", "MSG"])) is not None:
        if m.get_type() == "EV" and m.Id in (10, 11):
            ev_times.append(m.TimeUS / 1e6)
        elif m.get_type() == "MODE":
            mode_times.append(m.TimeUS / 1e6)
        elif m.get_type() == "MSG":
            msg_times.append(m.TimeUS / 1e6)
    conn.close()
    ev = log.events
    assert ev["time_utc"].isna().all() and log.track.empty
    assert sorted(ev.loc[ev["kind"].isin(["armed", "disarmed"]), "time_boot_s"]) == sorted(ev_times)
    assert sorted(ev.loc[ev["kind"] == "mode", "time_boot_s"]) == sorted(mode_times)
    assert sorted(ev.loc[ev["kind"] == "statustext", "time_boot_s"]) == sorted(msg_times)
    facts = summary(log)
    assert facts["armed_intervals_boot_s"] == [ev_times[:2]]


def test_cli_prints_boot_time_when_utc_is_unknown(
    samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(samples / SUB)
    with warnings.catch_warnings():
        warnings.simplefilter("always", ForensicsWarning)
        assert main(["drone", "events", path]) == 0
        out, err = capsys.readouterr()
        assert "time_boot_s" in out.splitlines()[0] and "274.434708" in out
        assert "absolute time unknown" in err
        assert main(["drone", "summary", path, "--format", "json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert NO_GPS_TIME in facts["notes"]


def test_add_foreign_bytes_key(clean_tlog: bytes) -> None:
    # The generator's own accounting, checked by hand: leading bytes count as one chunk.
    out, key = add_foreign_bytes(clean_tlog, leading=b"abc", every=0)
    assert out == b"abc" + clean_tlog
    assert key == {"frames": len(tlog_frames(clean_tlog)), "foreign_bytes": 3, "chunks": 1}


# --------------------------------------------------------------------------- tlog HEARTBEAT


def _heartbeat_tlog(path: Path, mav_type: int, custom_modes: list[int]) -> list[str]:
    """A tlog of one vehicle's HEARTBEATs (one per mode) and positions; returns the mode
    names pymavlink's ``mode_string_v10`` gives those HEARTBEATs (the reference)."""
    import struct

    from pymavlink.dialects.v20 import ardupilotmega as dialect

    mav = dialect.MAVLink(None, srcSystem=1, srcComponent=1)
    t0, out, names = 1_700_000_000_000_000, bytearray(), []
    for k, custom in enumerate(custom_modes):
        # base_mode 1: MAV_MODE_FLAG_CUSTOM_MODE_ENABLED; autopilot 3: ARDUPILOTMEGA.
        hb = mav.heartbeat_encode(mav_type, 3, 1, custom, 4)
        names.append(mavutil.mode_string_v10(hb))
        gpi = mav.global_position_int_encode(
            k * 1000, 400_000_000, -40_000_000, 600_000, 0, 0, 0, 0, 0
        )
        for j, msg in enumerate((hb, gpi)):
            out += struct.pack(">Q", t0 + k * 1_000_000 + j * 1000) + msg.pack(mav)
    path.write_bytes(bytes(out))
    return names


@pytest.mark.parametrize(
    ("mav_type", "family"),
    [(1, "plane"), (2, "copter"), (10, "rover"), (11, "boat"), (12, "sub"), (5, "tracker")],
)
def test_tlog_modes_follow_the_heartbeat_type(tmp_path: Path, mav_type: int, family: str) -> None:
    names = _heartbeat_tlog(tmp_path / "hb.tlog", mav_type, [0, 2, 3, 4, 10])
    log = read_flight_log(tmp_path / "hb.tlog")
    assert log.events.loc[log.events["kind"] == "mode", "value"].tolist() == names
    assert log.vehicle["vehicle_family"].iloc[0] == family
    assert UNKNOWN_VEHICLE not in log.notes


def test_tlog_of_an_unknown_vehicle_type_says_so(tmp_path: Path) -> None:
    # MAV_TYPE 0 (GENERIC) has no ArduPilot mode table: pymavlink prints Mode(N) too.
    names = _heartbeat_tlog(tmp_path / "generic.tlog", 0, [0, 2])
    assert names == ["Mode(0)", "Mode(2)"]
    log = read_flight_log(tmp_path / "generic.tlog")
    assert log.events.loc[log.events["kind"] == "mode", "value"].tolist() == names
    assert UNKNOWN_VEHICLE in summary(log)["notes"]


# --------------------------------------------------------------------------- DataFlash noise

_DF_RECORDS: list[bytes] = []


def _df_records(flight) -> list[bytes]:  # type: ignore[no-untyped-def]
    """The first 400 records of a generated DataFlash log, each as its bytes (made once)."""
    if not _DF_RECORDS:
        import tempfile

        from forensics_lib.drone.dataflash import scan_records

        with tempfile.TemporaryDirectory() as tmp:
            write_dataflash(Path(tmp) / "f.bin", flight)
            buf = (Path(tmp) / "f.bin").read_bytes()
        recs = scan_records(buf)
        starts = sorted(int(x) for v in recs.starts.values() for x in v)
        ends = [*starts[1:], len(buf)]
        _DF_RECORDS.extend(buf[a:b] for a, b in zip(starts, ends, strict=True))
        del _DF_RECORDS[400:]
    return _DF_RECORDS


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_dataflash_foreign_bytes_between_records_lose_no_record(
    data: st.DataObject,
    flight,  # type: ignore[no-untyped-def]
) -> None:
    """Property: noise or a partial record (a record cut short, as a torn write leaves)
    inserted between records loses no record and is counted to the byte. DataFlash has no
    checksum, so each insertion stands alone (two records apart at least): two adjacent
    ones could together form a well-formed record, which no reader could tell from a real
    one (a limit of the format, not of the reader)."""
    from forensics_lib.drone.dataflash import scan_records

    records = _df_records(flight)
    chunk = st.one_of(
        st.binary(min_size=1, max_size=48),
        st.lists(st.sampled_from([0xA3, 0x95, 0x80, 0x44, 0x00]), min_size=1, max_size=24).map(
            bytes
        ),
        st.tuples(st.integers(0, len(records) - 1), st.integers(1, 90)).map(
            lambda r: records[r[0]][: min(r[1], len(records[r[0]]) - 1)]
        ),
    )
    slots = data.draw(st.lists(st.integers(1, len(records) // 2 - 1), min_size=1, max_size=8))
    inserts = {2 * s: data.draw(chunk) for s in sorted(set(slots))}
    buf = b"".join(inserts.get(i, b"") + r for i, r in enumerate(records))
    ref, found = scan_records(b"".join(records)), scan_records(buf)

    def contents(recs):  # type: ignore[no-untyped-def]
        return sorted(
            (t, bytes(recs.data[o : o + recs.formats[t].length]))
            for t, v in recs.starts.items()
            for o in v
        )

    assert contents(found) == contents(ref) and found.truncated_at is None
    assert sum(length for _, length, _ in found.bad) == sum(map(len, inserts.values()))


def test_dataflash_of_the_3_2_era(tmp_path: Path, flight) -> None:  # type: ignore[no-untyped-def]
    """APM:Copter 3.2 records carry no TimeUS: GPS has the boot ms in ``T`` (its TimeMS is
    GPS time of week) and MODE, EV, MSG carry no time at all. Each event is dated by the
    GPS record before it (the generator's key), modes as pymavlink's DFReader names them."""
    from forensics_datasets.drone import write_dataflash_legacy

    path = tmp_path / "old.bin"
    key = write_dataflash_legacy(path, flight)
    log = read_flight_log(path)
    assert len(log.track) == key["gps"] and summary(log)["notes"] == []
    ev = log.events
    modes = ev[ev["kind"] == "mode"]
    assert modes["time_utc"].tolist() == [m["gps_utc"] for m in key["modes"]]
    conn = mavutil.mavlink_connection(str(path))
    theirs = []
    while conn.recv_match(type="MODE") is not None:
        theirs.append(conn.flightmode)
    conn.close()
    assert modes["value"].tolist() == theirs == ["STABILIZE", "GUIDED", "AUTO", "RTL", "LAND"]
    arm = ev[ev["kind"].isin(["armed", "disarmed"])]
    assert arm["time_utc"].tolist() == [a["gps_utc"] for a in key["armed"]]
    assert log.track["alt_rel_m"].max() == pytest.approx(flight.key["max_alt_rel_m"], abs=0.01)
