"""tlogs: detection past a long text preamble, and boot time on every track point and event.

* a tlog whose first good frame comes after more than 64 KiB of text (a ground station's
  console log saved ahead of the telemetry) is detected, as pymavlink reads it, and the
  skipped bytes are said;
* track points and events carry ``time_boot_s``: the last ``time_boot_ms`` the vehicle sent
  (SYSTEM_TIME, ATTITUDE, GLOBAL_POSITION_INT, ...) at or before their frame, as DataFlash
  rows carry their TimeUS.

Truth: pymavlink's own parse of the same bytes (mavutil.mavlink_connection, the reference
reader: its messages in order, with the last ``time_boot_ms`` of system 1 before each) and
the generator's output (forensics_datasets.drone.write_tlog).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from forensics_datasets.drone import simulate_flight, write_tlog
from pymavlink import mavutil

from forensics_lib.drone import detect_format, read_flight_log
from forensics_lib.drone import mavlink_frames as mf
from forensics_lib.drone.analysis import summary
from forensics_lib.errors import ForensicsWarning

TLOG = "drone/uavlogviewer_vtol.tlog"
# A ground station's console: plain text, no 0xFE/0xFD byte (never in UTF-8).
CONSOLE = b"MAVProxy: APM: EKF2 IMU0 is using GPS\r\nlink 1 OK\r\n"


@pytest.fixture(scope="module")
def clean_tlog(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("tlog") / "clean.tlog"
    write_tlog(path, simulate_flight(3))
    return path.read_bytes()


def _pymavlink(path: Path) -> list:  # type: ignore[type-arg]
    conn = mavutil.mavlink_connection(str(path), robust_parsing=True)
    out = []
    while (m := conn.recv_msg()) is not None:
        if m.get_type() != "BAD_DATA" and m.get_msgId() >= 0:
            out.append(m)
    conn.close()
    return out


@pytest.mark.parametrize("lead_kib", [65, 3 * 1024])
def test_tlog_after_more_than_64_kib_of_text_is_detected(
    lead_kib: int, clean_tlog: bytes, tmp_path: Path
) -> None:
    lead = (CONSOLE * (lead_kib * 1024 // len(CONSOLE) + 1))[: lead_kib * 1024]
    data = lead + clean_tlog
    assert mf.first_frame(data) == len(lead) and detect_format(data) == "mavlink_tlog"
    path = tmp_path / "console_first.tlog"
    path.write_bytes(data)
    with pytest.warns(ForensicsWarning, match="1 unreadable range"):
        log = read_flight_log(path)
    clean = mf.scan_frames(clean_tlog)
    assert sum(log.message_counts.values()) == len(clean)  # every frame of the log
    assert summary(log)["skipped_bytes"] == len(lead)
    assert f"first MAVLink frame at offset {len(lead)}: the {len(lead)} bytes" in log.notes[0]
    if lead_kib == 65:  # pymavlink reads it too (its parse_char skips to the start byte)
        theirs = _pymavlink(path)
        assert len(theirs) >= len(clean) - 1  # it may take a frame's first bytes for a stamp


def test_text_beyond_the_detection_limit_is_not_scanned() -> None:
    # A bound keeps the cost down: a frame past mf.DETECT_LIMIT is not looked for.
    assert mf.first_frame(bytes(64) + b"\xfe" * 10, limit=32) is None


def test_boot_time_of_events_is_the_last_one_pymavlink_sees(samples: Path) -> None:
    """Real ArduPlane SITL tlog: every STATUSTEXT event of system 1 carries the last
    time_boot_ms system 1 sent before it, in pymavlink's message order."""
    path = samples / TLOG
    want: list[tuple[str, float]] = []
    last: float | None = None
    for m in _pymavlink(path):
        if m.get_srcSystem() != 1:
            continue
        if "time_boot_ms" in m.get_fieldnames():
            last = m.time_boot_ms / 1000.0
        if m.get_type() == "STATUSTEXT" and last is not None:
            want.append((m.text, last))
    assert want  # the sample has status texts after the first timed message
    log = read_flight_log(path)
    ev = log.events[log.events["kind"].isin(["statustext", "failsafe"])]
    got = [(t, b) for t, b in zip(ev["text"], ev["time_boot_s"], strict=True) if b == b]
    assert sorted(got) == sorted(want)
    # every track point is a GLOBAL_POSITION_INT, which carries its own time_boot_ms
    gpi = [
        m.time_boot_ms / 1000.0
        for m in _pymavlink(path)
        if m.get_type() == "GLOBAL_POSITION_INT" and m.get_srcSystem() == 1 and (m.lat or m.lon)
    ]
    assert log.track["time_boot_s"].tolist() == gpi


def test_generated_tlog_events_have_boot_times(clean_tlog: bytes, tmp_path: Path) -> None:
    path = tmp_path / "g.tlog"
    path.write_bytes(clean_tlog)
    log = read_flight_log(path)
    timed = log.events.dropna(subset=["time_boot_s"])
    assert len(timed) >= len(log.events) - 1  # at most an event before the first timed frame
    assert log.track["time_boot_s"].notna().all()
    # boot time and wall time advance together (one clock, no reboot in the flight)
    span_boot = log.track["time_boot_s"].iloc[-1] - log.track["time_boot_s"].iloc[0]
    span_utc = (log.track["time_utc"].iloc[-1] - log.track["time_utc"].iloc[0]).total_seconds()
    assert span_boot == pytest.approx(span_utc, abs=1.0)
