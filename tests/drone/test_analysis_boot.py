"""`drone summary` of a log without GPS time: the span it covers in boot seconds.

Truth: pymavlink's DataFlash reader (mavutil.mavlink_connection, the reference) on the
ArduSub sample of ../shared/samples/drone (README: no GPS messages, only boot-relative
time): the TimeUS of its first MSG record and of the PARM record that sets RNGFND1_TYPE
to 10 first (the last event of the log, a parameter change).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from pymavlink import mavutil

from forensics_lib.cli import main
from forensics_lib.drone import read_flight_log
from forensics_lib.drone.analysis import summary
from forensics_lib.errors import ForensicsWarning

SUB = "drone/ardusub_no_gps.BIN"


def _reference(path: Path) -> tuple[float, float]:
    conn = mavutil.mavlink_connection(str(path))
    first_msg = last_parm = None
    while (m := conn.recv_match(type=["MSG", "PARM"])) is not None:
        if m.get_type() == "MSG" and first_msg is None:
            first_msg = m.TimeUS / 1e6
        if m.get_type() == "PARM" and m.Name == "RNGFND1_TYPE" and m.Value == 10:
            last_parm = m.TimeUS / 1e6 if last_parm is None else last_parm  # the change
    conn.close()
    assert first_msg is not None and last_parm is not None
    return first_msg, last_parm


def test_gps_less_log_summary_gives_its_boot_span(
    samples: Path, unchanged, capsys: pytest.CaptureFixture[str]
) -> None:
    unchanged(samples / "drone")
    path = samples / SUB
    first, last = _reference(path)
    with pytest.warns(ForensicsWarning, match=r"absolute time unknown \(no GPS time"):
        facts = summary(read_flight_log(path))
    assert facts["first_fix_utc"] is None  # no GPS time at all
    assert facts["first_boot_s"] == pytest.approx(first, abs=1e-6)
    assert facts["last_boot_s"] == pytest.approx(last, abs=1e-6)
    # the armed interval in boot seconds ends inside the span
    assert first <= facts["armed_intervals_boot_s"][0][1] <= last
    with warnings.catch_warnings():  # the CLI prints the reader's warning on stderr
        warnings.simplefilter("always", ForensicsWarning)
        assert main(["drone", "summary", str(path), "--format", "json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert main(["drone", "summary", str(path)]) == 0
        table = capsys.readouterr().out
    assert out["first_boot_s"] == facts["first_boot_s"]
    assert f"first_boot_s            {facts['first_boot_s']}" in table


def test_log_with_utc_times_has_no_boot_span(samples: Path) -> None:
    facts = summary(read_flight_log(samples / "drone/uavlogviewer_vtol.tlog"))
    assert facts["first_fix_utc"] is not None and "first_boot_s" not in facts
