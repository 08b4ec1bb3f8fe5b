"""DJI flight records v1-v11 cut before their Details block (a truncated download).

Versions 1-11 keep the Details block after the records (lvauvillier/dji-log-parser
src/layout/prefix.rs ``detail_offset``), so a download cut short loses the Details first:
the records up to the cut are still read, with a warning naming the version and the cut.

Truth: the real v4 record of ../shared/samples/drone (its README: 871 frames, all with GPS;
872 OSD records, see test_drone_dji_versions) and the writer's answer key
(datasets/forensics_datasets/dji_txt.py: one OSD, HOME, CUSTOM, CENTER_BATTERY record per
frame, the CUSTOM time ``start_ms + t_ms``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.dji_txt import simple_dji_flight, write_dji_txt

from forensics_lib.drone import read_flight_log_bytes
from forensics_lib.drone.dji_txt import dji_version
from forensics_lib.drone.flightlog import detect_format
from forensics_lib.errors import TruncatedInputWarning, UnsupportedFormat
from forensics_lib.phone.dronelogs import sniff_flight_log

V4 = "drone/DJIFlightRecord_2015-12-29_[19-05-48].txt"
HEAD = 512  # what the phone sniffer is given


def _written(version: int, tmp_path: Path) -> tuple[bytes, object]:
    flight = simple_dji_flight(seed=5, n=40)
    path = tmp_path / f"v{version}.txt"
    write_dji_txt(path, flight, version=version, seed=version)
    return path.read_bytes(), flight


@pytest.mark.parametrize("version", [1, 4, 6, 7, 11])
def test_cut_before_the_details_block_reads_every_record(version: int, tmp_path: Path) -> None:
    data, flight = _written(version, tmp_path)
    detail_offset = int.from_bytes(data[:8], "little")
    cut = data[:detail_offset]  # every record, no Details
    assert dji_version(cut) == version and detect_format(cut) == "dji_txt"
    assert sniff_flight_log(cut[:HEAD], len(cut))
    with pytest.warns(
        TruncatedInputWarning,
        match=rf"DJI flight record v{version} cut at offset {detail_offset}: details block missing",
    ):
        log = read_flight_log_bytes(cut, "cut.txt")
    frames = flight.frames  # type: ignore[attr-defined]
    assert log.truncated and len(log.track) == len(frames)
    want = pd.to_datetime(flight.start_ms + frames["t_ms"], unit="ms", utc=True)  # type: ignore[attr-defined]
    assert (log.track["time_utc"].to_numpy() == want.to_numpy()).all()
    assert log.vehicle.empty  # the Details block (vehicle, serials) is not in the file
    start = pd.Timestamp(flight.start_ms, unit="ms", tz="UTC")  # type: ignore[attr-defined]
    stamp = start.strftime("%Y-%m-%dT%H:%M:%S.000Z")  # start_ms is whole seconds
    assert any(f"start {stamp} (first timed record" in n for n in log.notes)


@pytest.mark.parametrize("version", [3, 7])
def test_cut_inside_the_records(version: int, tmp_path: Path) -> None:
    data, flight = _written(version, tmp_path)
    detail_offset = int.from_bytes(data[:8], "little")
    cut = data[: detail_offset // 2]
    with pytest.warns(TruncatedInputWarning, match=rf"cut at offset {len(cut)}: details block"):
        log = read_flight_log_bytes(cut, "half.txt")
    n = len(flight.frames)  # type: ignore[attr-defined]
    # about half the frames (the records are the same size frame to frame, bar messages)
    assert 0 < len(log.track) < n and abs(len(log.track) - n / 2) <= 3
    # the track is a prefix of the answer key
    key = flight.frames["lat"].to_numpy()[: len(log.track)]  # type: ignore[attr-defined]
    assert log.track["lat"].to_numpy() == pytest.approx(key, abs=1e-9)


def test_cut_inside_the_details_block(tmp_path: Path) -> None:
    data, flight = _written(11, tmp_path)
    detail_offset = int.from_bytes(data[:8], "little")
    cut = data[: detail_offset + 50]
    with pytest.warns(
        TruncatedInputWarning, match=r"v11 cut at offset \d+: details block incomplete"
    ):
        log = read_flight_log_bytes(cut, "x.txt")
    assert len(log.track) == len(flight.frames)  # type: ignore[attr-defined]


def test_cut_before_any_timed_record_says_the_start_is_unknown(tmp_path: Path) -> None:
    data, _ = _written(7, tmp_path)
    # the first OSD record (type 1, one-byte length, payload, 0xFF) and nothing else
    first = data[: 100 + 2 + data[101] + 1]
    with pytest.warns(TruncatedInputWarning, match=r"v7 cut at offset"):
        log = read_flight_log_bytes(first, "x.txt")
    assert len(log.track) == 1 and log.track["time_utc"].isna().all()
    assert any("start time unknown" in n for n in log.notes)


def test_a_cut_prefix_without_a_record_is_still_refused(tmp_path: Path) -> None:
    data, _ = _written(7, tmp_path)
    broken = data[:100] + b"\x00\x05junk" + data[200:3000]  # no record where records start
    assert dji_version(broken) is None and not sniff_flight_log(broken[:HEAD], len(broken))
    with pytest.raises(UnsupportedFormat):
        read_flight_log_bytes(broken, "x.txt")


def test_real_version_4_record_cut_before_its_details(samples: Path, unchanged) -> None:
    unchanged(samples / "drone")
    data = (samples / V4).read_bytes()
    detail_offset = int.from_bytes(data[:8], "little")
    cut = data[:detail_offset]
    assert sniff_flight_log(cut[:HEAD], len(cut))
    with pytest.warns(TruncatedInputWarning, match=r"v4 cut at offset \d+: details block missing"):
        log = read_flight_log_bytes(cut, V4)
    # README: 871 frames all with GPS (872 OSD records, the last one no reference frame)
    assert len(log.track) == 872 and log.message_counts["JPEG"] == 2
    # README: start 2015-12-29T19:05:48.484Z (Details); the first CUSTOM record is 2 ms later
    assert any("start 2015-12-29T19:05:48.486Z (first timed record" in n for n in log.notes)
