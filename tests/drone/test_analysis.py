"""Logs that start or end in flight: no invented take-off or landing, and a note instead.

Truth: the drone generator's simulated aircraft (forensics_datasets.drone.simulate_flight), cut
so that its log starts after lift-off and ends before touchdown (the answer key's liftoff_utc
and touchdown_utc then lie outside the log), and hand-built tracks whose state at each fix is
set here. The real-sample case (a SITL tlog that starts 6.75 m up) is in tests/real/test_drone.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.drone import simulate_flight, write_dataflash, write_tlog

from forensics_lib.drone import read_flight_log
from forensics_lib.drone.analysis import flight_segments, summary
from forensics_lib.drone.model import TRACK_COLUMNS, frame_of

NOTE = re.compile(
    r"the log (?P<what>starts|ends) in flight at (?P<at>\S+) \((?P<alt>-?[\d.]+) m above home"
    r"(?: at (?P<alt_at>\S+))?\); the (?P<gone>take-off|landing) is not in this log"
)


def _mm(alt_m: float) -> str:
    """The altitude as the note prints it: the writers store millimetres (MAVLink
    relative_alt, DataFlash POS RelHomeAlt as float32), shown to 0.01 m."""
    return f"{round(round(alt_m * 1000) / 1000, 2):g}"


@pytest.fixture(scope="module")
def cut_flight(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, dict]:
    flight = simulate_flight(9)
    key = dict(flight.key)
    s = flight.samples
    liftoff, touchdown = pd.Timestamp(key["liftoff_utc"]), pd.Timestamp(key["touchdown_utc"])
    # Keep 21:30:20 .. 21:34:00: 13 s after lift-off (climbing through ~31 m) to 23 s
    # before touchdown (descending through ~32 m, LAND mode).
    keep = s[
        (s["time_utc"] >= liftoff + pd.Timedelta("13s"))
        & (s["time_utc"] <= touchdown - pd.Timedelta("23.1s"))
    ].reset_index(drop=True)
    assert keep["alt_rel_m"].iloc[0] > 20 and keep["alt_rel_m"].iloc[-1] > 20
    flight.samples = keep
    root = tmp_path_factory.mktemp("inflight")
    write_tlog(root / "cut.tlog", flight)
    write_dataflash(root / "cut.bin", flight)
    return root, keep, key


@pytest.mark.parametrize("name", ["cut.tlog", "cut.bin"])
def test_generated_flight_cut_mid_air(
    cut_flight: tuple[Path, pd.DataFrame, dict], name: str
) -> None:
    root, keep, key = cut_flight
    log = read_flight_log(root / name)
    s = summary(log)
    first_t, last_t = keep["time_utc"].iloc[0], keep["time_utc"].iloc[-1]
    # The real lift-off and touchdown are outside the log, so neither may be reported.
    assert (
        pd.Timestamp(key["liftoff_utc"]) < first_t and pd.Timestamp(key["touchdown_utc"]) > last_t
    )
    assert s["takeoff_utc"] is None and s["landing_utc"] is None
    assert not {"takeoff", "landing"} & set(log.events["kind"])
    flight_notes = [n for n in s["notes"] if "in flight" in n]
    assert len(flight_notes) == 2
    for note, edge, what in (
        (flight_notes[0], first_t, "starts"),
        (flight_notes[1], last_t, "ends"),
    ):
        m = NOTE.fullmatch(note)
        assert m and m["what"] == what, note
        assert pd.Timestamp(m["at"]) == edge
        assert m["gone"] == ("take-off" if what == "starts" else "landing")
        # The height quoted is the simulated aircraft's at the fix named (the edge fix, or the
        # nearest one with a height: a DataFlash GPS fix can precede the first POS record).
        when = pd.Timestamp(m["alt_at"]) if m["alt_at"] else edge
        truth = float(keep.loc[keep["time_utc"] == when, "alt_rel_m"].iloc[0])
        # tlog: millimetres at that very fix; DataFlash: POS (10 Hz) matched to the GPS fix,
        # at most 0.2 s apart at 2.5 m/s of climb or 1.5 m/s of descent.
        assert float(m["alt"]) == pytest.approx(truth, abs=0.01 if name == "cut.tlog" else 0.5)
    if name == "cut.tlog":  # GLOBAL_POSITION_INT carries relative_alt in every fix
        assert flight_notes[0] == (
            f"the log starts in flight at {first_t.strftime('%Y-%m-%dT%H:%M:%S')}Z "
            f"({_mm(keep['alt_rel_m'].iloc[0])} m above home); the take-off is not in this log"
        )
    seg = flight_segments(log.track)
    assert len(seg) == 1
    row = seg.iloc[0]
    assert bool(row["airborne_at_start"]) and not bool(row["landed"])
    assert pd.isna(row["takeoff_lat"]) and pd.isna(row["landing_lat"])
    # What the log does show: airborne from its first fix to its last.
    assert (row["start_utc"], row["end_utc"]) == (first_t, last_t)


def test_the_same_flight_uncut_keeps_its_takeoff_and_landing(
    cut_flight: tuple[Path, pd.DataFrame, dict], tmp_path: Path
) -> None:
    # Control: the whole simulated flight (it starts and ends on the ground).
    _, _, key = cut_flight
    path = tmp_path / "whole.tlog"
    write_tlog(path, simulate_flight(9))
    s = summary(read_flight_log(path))
    assert abs(pd.Timestamp(s["takeoff_utc"]) - pd.Timestamp(key["liftoff_utc"])) <= pd.Timedelta(
        "0.5s"
    )
    assert abs(pd.Timestamp(s["landing_utc"]) - pd.Timestamp(key["touchdown_utc"])) <= pd.Timedelta(
        "0.5s"
    )
    assert not [n for n in s["notes"] if "in flight" in n]


def _track(alt: list[float], speed: list[float]) -> pd.DataFrame:
    """One fix a second from 12:00:00Z, with the given height above home and ground speed."""
    n = len(alt)
    return frame_of(
        TRACK_COLUMNS,
        {
            "time_utc": pd.date_range("2024-01-01T12:00:00Z", periods=n, freq="1s"),
            "lat": [50.0 + i * 1e-5 for i in range(n)],
            "lon": [4.0] * n,
            "alt_rel_m": alt,
            "ground_speed_ms": speed,
        },
    )


def test_hand_built_tracks_moving_or_at_rest() -> None:
    alt = [0.5, 0.5, 5.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 0.5, 0.5]
    # At rest on the ground, climbs, flies 7 s above 1.5 m, lands and stops: take-off is the
    # last fix below 1.5 m (12:00:01, no vertical speed to refine it), landing the first one
    # back below it (12:00:09).
    rest = [0.0, 0.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 0.0, 0.0]
    seg = flight_segments(_track(alt, rest)).iloc[0]
    assert seg["takeoff_utc"] == pd.Timestamp("2024-01-01T12:00:01Z")
    assert seg["landing_utc"] == pd.Timestamp("2024-01-01T12:00:09Z")
    assert not seg["airborne_at_start"] and seg["landed"]
    # The same heights, but the first fix at 0.5 m already moves at 15 m/s: still the first
    # fix before the climb, yet no aircraft at rest moves so fast, so the take-off is not seen.
    # Likewise when the log's last fix (0.5 m) moves at 12 m/s: the log ends in flight.
    moving = [15.0, 15.0, 15.0, 15.0, 15.0, 15.0, 15.0, 15.0, 15.0, 12.0, 12.0]
    seg = flight_segments(_track(alt[1:-1], moving[1:-1])).iloc[0]
    assert seg["airborne_at_start"] and pd.isna(seg["takeoff_utc"])
    assert not seg["landed"] and pd.isna(seg["landing_utc"])
    assert seg["start_utc"] == pd.Timestamp("2024-01-01T12:00:00Z")
    # Moving only before a later ground stop: the take-off fix is not the first fix (fix 0
    # is a fast taxi, fix 1 at rest), so the take-off is in the log.
    taxi = [6.0, 0.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 0.0, 0.0]
    seg = flight_segments(_track(alt, taxi)).iloc[0]
    assert seg["takeoff_utc"] == pd.Timestamp("2024-01-01T12:00:01Z")
