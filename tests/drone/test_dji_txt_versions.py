"""DJI flight records of every version: v1-v5 (old layout), v6, v7-v12, v13-v14 encrypted,
v15+ not supported.

Truth: the real v4 record of ../shared/samples/drone (its README: dji-log-parser-js 0.5.7
facts), the record's own Details block where the README is silent (record_line_count 872),
and the writer's answer key (datasets/forensics_datasets/dji_txt.py) for the generated
versions.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.dji_txt import simple_dji_flight, write_dji_txt
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics_lib.drone import read_flight_log, read_flight_log_bytes
from forensics_lib.drone.dji_txt import (
    OLD_PREFIX_SIZE,
    DJIEncryptedRecords,
    _constant_lengths,
    dji_version,
    iter_records,
)
from forensics_lib.drone.flightlog import detect_format
from forensics_lib.errors import EncryptedContent, UnsupportedFormat
from tests.conftest import examples

V4 = "drone/DJIFlightRecord_2015-12-29_[19-05-48].txt"


def _summary(path: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    from forensics_lib.cli import drone as drone_cli

    parser = argparse.ArgumentParser(prog="forensics-lib")
    drone_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["drone", "summary", str(path), "--format", "json"])
    assert args.func(args) == 0
    return json.loads(capsys.readouterr().out)


# ------------------------------------------------------------------------------ real v4


def test_real_version_4_record(samples: Path, unchanged, capsys) -> None:
    unchanged(samples / "drone")
    path = samples / V4
    assert dji_version(path.read_bytes()) == 4 and detect_format(path.read_bytes()) == "dji_txt"
    log = read_flight_log(path)
    v = log.vehicle.iloc[0]
    # README: Phantom 3 Pro, Android app 2.4.3 (Details: product type 4, platform 2)
    assert v["vehicle_type"] == "Phantom 3 Pro" and v["app"] == "Android app 2.4.3"
    track = log.track
    # README: "871 frames all with GPS". The file holds 872 OSD records (its Details block's
    # record_line_count is 872, too): dji-log-parser's records_to_frames (frame/mod.rs)
    # pushes a frame only when the next OSD record arrives, so the last OSD record never
    # becomes a frame. We keep every record: 872 fixes, of which the first 871 are the
    # reference's frames.
    assert len(track) == 872 and log.message_counts["OSD"] == 872
    assert (track["fix_type"] == 3).all() and track["lat"].notna().all()
    first, last_ref = track.iloc[0], track.iloc[870]
    assert (round(first["lat"], 7), round(first["lon"], 7)) == (53.7358794, -1.7665183)
    assert (round(last_ref["lat"], 7), round(last_ref["lon"], 7)) == (53.7358976, -1.7665801)
    assert track["alt_rel_m"].max() == pytest.approx(39.5)  # README: highest height 39.5 m
    # Times from the CUSTOM records, starting 2 ms after the Details start time 19:05:48.484
    assert first["time_utc"] == pd.Timestamp("2015-12-29T19:05:48.486Z")
    assert str(track["time_utc"].dtype) == "datetime64[ns, UTC]"
    # The JPEG thumbnails after the records and the zero padding before the Details block
    # are skipped, not reported as broken records.
    assert log.message_counts["JPEG"] == 2 and log.bad_frame_count == 0 and not log.truncated
    # README: start 2015-12-29T19:05:48.484Z, 92.9 s; version 4; all in the summary
    out = _summary(path, capsys)
    note = out["notes"][0]
    assert note.startswith("DJI flight record v4, not encrypted")
    assert "start 2015-12-29T19:05:48.484Z" in note and "flight time 92.9 s" in note
    assert out["vehicle"]["vehicle_type"] == "Phantom 3 Pro"
    assert out["track_points"] == 872 and out["max_alt_rel_m"] == 39.5


# ------------------------------------------------------------------------------ generated


@pytest.fixture(scope="module")
def flight():
    return simple_dji_flight(seed=11, n=60)


@pytest.mark.parametrize("version", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
def test_every_readable_version(version: int, flight, tmp_path: Path, capsys) -> None:
    path = tmp_path / f"DJIFlightRecord_v{version}.txt"
    write_dji_txt(path, flight, version=version, seed=version, thumbnails=1)
    log = read_flight_log(path)
    key = flight.key()
    assert log.format == "dji_txt" and log.bad_frame_count == 0 and not log.truncated
    assert len(log.track) == len(flight.frames)
    assert log.track["lat"].to_numpy() == pytest.approx(flight.frames["lat"].to_numpy(), abs=1e-9)
    expected_t = pd.to_datetime(flight.start_ms + flight.frames["t_ms"], unit="ms", utc=True)
    assert (log.track["time_utc"].to_numpy() == expected_t.to_numpy()).all()
    v = log.vehicle.iloc[0]
    # details.rs: serials are 10 bytes in versions 1-5, 16 from version 6
    width = 10 if version <= 5 else 16
    assert v["aircraft_serial"] == key["aircraft_serial"][:width]
    assert v["rc_serial"] == key["rc_serial"][:width]
    assert v["vehicle_type"] == "Mavic Air 2" and v["app"] == "Android app 4.3.54"
    if version <= 6:  # thumbnails only where the writer puts them
        assert log.message_counts["JPEG"] == 1
    # osd.rs: OSD records are 48 bytes in format version 1, 49 in 2, 50 from 3; all read
    assert log.message_counts["OSD"] == len(flight.frames)
    start = key["start_utc"].replace("+00:00", "")
    out = _summary(path, capsys)
    note = out["notes"][0]
    assert note.startswith(f"DJI flight record v{version}, not encrypted")
    assert f"start {start}" in note  # start_ms is whole seconds: ".000Z" follows


@pytest.mark.parametrize("version", [13, 14])
def test_encrypted_versions(version: int, flight, tmp_path: Path, capsys) -> None:
    path = tmp_path / f"v{version}.txt"
    write_dji_txt(path, flight, version=version)
    with pytest.raises(
        EncryptedContent, match=rf"DJI flight record v{version}: encrypted \(needs DJI keys\)"
    ) as info:
        read_flight_log(path)
    assert isinstance(info.value, DJIEncryptedRecords)
    out = _summary(path, capsys)
    assert out["start_utc"] == flight.key()["start_utc"].replace("+00:00", "Z")
    assert out["notes"][0].startswith(f"DJI flight record v{version}, encrypted (needs DJI keys)")


def test_encrypted_version_without_a_readable_info_block(flight, tmp_path: Path) -> None:
    path = tmp_path / "v13.txt"
    write_dji_txt(path, flight, version=13)
    data = bytearray(path.read_bytes())
    data[100] = 7  # auxiliary block magic: 0 (Info) expected
    with pytest.raises(EncryptedContent, match=r"DJI flight record v13: encrypted") as info:
        read_flight_log_bytes(bytes(data), "v13.txt")
    assert "not a DJI" not in str(info.value)


@pytest.mark.parametrize("version", [15, 20])
def test_unknown_version_is_not_supported(version: int, flight, tmp_path: Path) -> None:
    path = tmp_path / "v12.txt"
    write_dji_txt(path, flight, version=12)
    data = bytearray(path.read_bytes())
    data[10] = version  # prefix.rs: version u8 at offset 10
    with pytest.raises(UnsupportedFormat, match=rf"DJI flight record v{version}: not supported"):
        read_flight_log_bytes(bytes(data), "new.txt")


# ------------------------------------------------------------------------------ foreign bytes


def _clean(version: int) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "clean.txt"
        write_dji_txt(p, simple_dji_flight(seed=2, n=30), version=version, seed=version)
        return p.read_bytes()


_CLEAN = {v: _clean(v) for v in (4, 6, 11, 12)}


def _records_area(data: bytes, version: int) -> tuple[int, int]:
    detail_offset = int.from_bytes(data[:8], "little")
    if version < 6:
        return OLD_PREFIX_SIZE, detail_offset
    if version < 12:
        return 100, detail_offset
    return 536, len(data)


@settings(max_examples=examples(150), deadline=None)
@given(
    version=st.sampled_from(sorted(_CLEAN)),
    inserts=st.lists(
        st.tuples(st.integers(0, 10_000), st.binary(min_size=1, max_size=40)), max_size=4
    ),
)
def test_foreign_bytes_between_records_lose_no_record(
    version: int, inserts: list[tuple[int, bytes]]
) -> None:
    """Random bytes put between valid records (at record boundaries) lose none of the
    records that make the track, the home and the times: every record of a type that has one
    length throughout the file (OSD, HOME, CUSTOM, CENTER_BATTERY here) comes back, in order,
    with its content. (A message record of variable length can be ambiguous: b"\x03" put
    before b"\x09\x08" + 8 bytes + b"\xff" is also a 9-byte record of type 3; those are
    not promised.)"""
    data = _CLEAN[version]
    start, end = _records_area(data, version)
    clean = iter_records(data, start, end, version, "clean")
    assert not clean.bad and not clean.truncated
    bounds = [r.offset for r in clean.records]
    cuts = sorted({bounds[at % len(bounds)] for at, _ in inserts})
    blobs = [b for _, b in inserts][: len(cuts)]
    out, last = bytearray(), 0
    for cut, blob in zip(cuts, blobs, strict=True):
        out += data[last:cut] + blob
        last = cut
    out += data[last:]
    added = sum(len(b) for b in blobs)
    mangled_end = end + added if version < 12 else len(out)
    scan = iter_records(bytes(out), start, mangled_end, version, "mangled")
    got = [(r.type, r.content) for r in scan.records]
    constant = _constant_lengths(clean.records, version)
    got = [g for g in got if g[0] in constant]
    want = [(r.type, r.content) for r in clean.records if r.type in constant]
    assert {1, 2, 5, 7} <= set(constant)
    it = iter(got)
    assert all(w in it for w in want), "a valid record was lost"  # want is a subsequence
