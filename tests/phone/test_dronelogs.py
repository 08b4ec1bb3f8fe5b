"""Drone flight logs on a phone (``drone_logs``) and ``Extraction.flight_logs()``.

Truth: the DJI record writer's answer key (``DJIFlight.key()`` and its frames), the drone
simulator's key for a QGroundControl tlog, and the device paths the apps use (cited in
forensics_lib/phone/dronelogs.py).
"""

from __future__ import annotations

import random
import sqlite3
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from forensics_datasets.drone import simulate_flight, write_dataflash, write_tlog
from forensics_datasets.phone import drone_log_files, make_phone_extraction, make_scenario
from forensics_datasets.phone.itunes import file_id, write_itunes_backup
from forensics_datasets.phone.media import ANDROID_QGC, IOS_DJI_FLY, default_drone_logs

from forensics_lib.drone.flightlog import detect_format
from forensics_lib.errors import ForensicsWarning
from forensics_lib.evidence import glob_regex
from forensics_lib.phone import open_extraction
from forensics_lib.phone.dronelogs import (
    CONTENT,
    DRONE_LOGS,
    SNIFF_FOLDERS,
    app_of,
    sniff_flight_log,
)
from forensics_lib.scan import HEAD_BYTES, sniffed


@pytest.mark.parametrize("os_name", ["android", "ios"])
def test_dji_records_round_trip(os_name: str, tmp_path: Path) -> None:
    case = make_phone_extraction(tmp_path, os=os_name, seed=8, drone_logs=True)  # type: ignore[arg-type]
    want = case.answer_key["writer"]["drone_logs"]["logs"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with open_extraction(case.exhibit) as ext:
            rows = ext.read("drone_logs")
            logs = ext.flight_logs()
    assert len(rows) == 2 == len(logs)
    by_name = {p.rsplit("/", 1)[-1]: r for p, r in rows.set_index("path").iterrows()}
    plain, sealed = (by_name[w["name"]] for w in want)
    clear, encrypted = want
    assert plain["format"] == "dji_txt" and plain["format_version"] == 11
    assert not plain["encrypted"]
    assert plain["track_points"] == clear["track_points"]
    assert plain["aircraft_serial"] == clear["aircraft_serial"]
    assert plain["first_lat"] == pytest.approx(clear["first_lat"], abs=1e-7)
    assert plain["last_lon"] == pytest.approx(clear["last_lon"], abs=1e-7)
    assert plain["time"] == pd.Timestamp(clear["start_utc"])  # first frame at start_ms
    assert plain["app"] == ("DJI Fly" if os_name == "android" else "DJI (iOS)")
    assert sealed["encrypted"] and sealed["format_version"] == 13
    assert sealed["track_points"] == 0
    assert sealed["time"] == pd.Timestamp(encrypted["start_utc"])  # Details start time
    assert sealed["aircraft_serial"] == encrypted["aircraft_serial"]
    assert "encrypted" in sealed["notes"]
    tracks = {path.rsplit("/", 1)[-1]: log for path, log in logs.items()}
    assert len(tracks[clear["name"]].track) == clear["track_points"]
    assert tracks[encrypted["name"]].track.empty


def test_qgc_tlog_on_android(tmp_path: Path) -> None:
    flight = simulate_flight(0)
    write_tlog(tmp_path / "f.tlog", flight)
    files = drone_log_files(
        "android", {"2024-06-14 21-30-00.tlog": (tmp_path / "f.tlog").read_bytes()}
    )
    [path] = files
    assert path == f"/{ANDROID_QGC}/2024-06-14 21-30-00.tlog"
    case = make_phone_extraction(tmp_path / "out", os="android", seed=1, files=files)
    with open_extraction(case.exhibit) as ext:
        [row] = ext.read("drone_logs").to_dict("records")
        [log] = ext.flight_logs().values()
    assert row["format"] == "mavlink_tlog" and row["app"] == "QGroundControl"
    assert row["system_id"] == 1
    # take-off/landing from the track (climb above 1.5 m over home): after lift-off and
    # before touch-down of the simulator's key, within 2 s.
    liftoff = pd.Timestamp(flight.key["liftoff_utc"])
    touchdown = pd.Timestamp(flight.key["touchdown_utc"])
    assert pd.Timedelta(0) <= row["takeoff_time"] - liftoff <= pd.Timedelta(seconds=2)
    assert pd.Timedelta(0) <= touchdown - row["landing_time"] <= pd.Timedelta(seconds=2)
    assert row["max_alt_rel_m"] == pytest.approx(flight.key["max_alt_rel_m"], abs=0.5)
    assert row["track_points"] == len(log.track.dropna(subset=["lat", "lon"]))


def test_app_folders() -> None:
    assert app_of("/data/media/0/DJI/dji.go.v4/FlightRecord/DJIFlightRecord_x.txt") == "DJI GO 4"
    assert app_of(f"/{IOS_DJI_FLY}/DJIFlightRecord_x.txt") == "DJI (iOS)"
    assert app_of("/data/media/0/Download/x.tlog") is None


def test_a_fake_log_keeps_its_row_and_is_skipped_by_flight_logs(tmp_path: Path) -> None:
    junk = {"/data/media/0/QGroundControl/Telemetry/bad.tlog": b"\xfe\x00" * 40}
    case = make_phone_extraction(tmp_path, os="android", seed=2, files=junk)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with open_extraction(case.exhibit) as ext:
            [row] = ext.read("drone_logs").to_dict("records")
            logs = ext.flight_logs()
            problems = list(ext.problems)
    assert row["format"] is None or pd.isna(row["format"])
    assert row["size"] == 80 and "not a MAVLink" in row["notes"]
    assert logs == {} and problems and problems[0][0] == "phone.drone_logs"
    assert any(issubclass(w.category, ForensicsWarning) for w in caught)


# -- logs saved under another name: found by content ------------------------------------------
# Truth: the drone simulator's key (lift-off, touch-down), the DJI writer's key, and
# detect_format/dji_version run on the whole file (the readers' own tests of a format).


def _log_bytes(kind: str, tmp_path: Path) -> tuple[bytes, dict[str, Any]]:
    """One flight log of ``kind`` (tlog, dataflash, dji11, dji13) and its answer key."""
    if kind.startswith("dji"):
        logs, keys = default_drone_logs(5)
        [(data, key)] = [
            (logs[k["name"]], k) for k in keys if k["version"] == int(kind.removeprefix("dji"))
        ]
        return data, key
    flight = simulate_flight(2)
    target = tmp_path / f"f.{kind}"
    (write_tlog if kind == "tlog" else write_dataflash)(target, flight)
    return target.read_bytes(), flight.key


@pytest.mark.parametrize(
    ("os_name", "kind", "path"),
    [
        ("android", "tlog", "data/media/0/Download/backup_0412.dat"),
        ("android", "dataflash", "data/data/com.example.notes/files/cache.bin"),
        ("android", "dji11", "data/media/0/Pictures/.thumbs/IMG_0001.jpg"),
        ("ios", "tlog", "private/var/mobile/Containers/Data/Application/A1/Documents/n.db"),
        ("ios", "dji11", "private/var/mobile/Media/Downloads/notes.pdf"),
    ],
)
def test_a_renamed_log_is_found_by_content(
    os_name: str, kind: str, path: str, tmp_path: Path
) -> None:
    data, key = _log_bytes(kind, tmp_path)
    case = make_phone_extraction(
        tmp_path / "x",
        os=os_name,  # type: ignore[arg-type]
        seed=3,
        files={path: data},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with open_extraction(case.exhibit) as ext:
            [row] = ext.read("drone_logs").to_dict("records")
            logs = ext.flight_logs()
            tl = ext.timeline()
    assert row["path"] == "/" + path and row["found_by"] == "content"
    assert row["app"] is None or pd.isna(row["app"])
    assert list(logs) == ["/" + path]
    mine = tl[tl["source_path"] == "/" + path]
    if kind.startswith("dji"):
        assert row["format"] == "dji_txt" and row["track_points"] == key["track_points"]
        assert row["time"] == pd.Timestamp(key["start_utc"])
        assert "drone log starts" in set(mine["event"])
        return
    assert row["format"] == ("mavlink_tlog" if kind == "tlog" else "ardupilot_dataflash")
    # take-off/landing from the track (climb above 1.5 m over home), within 2 s of the
    # simulator's lift-off and touch-down (a DataFlash track is sampled at its own rate)
    takeoff = mine.loc[mine["event"] == "drone take-off", "time"].iloc[0]
    landing = mine.loc[mine["event"] == "drone landing", "time"].iloc[0]
    assert abs(takeoff - pd.Timestamp(key["liftoff_utc"])) <= pd.Timedelta("2s")
    assert abs(landing - pd.Timestamp(key["touchdown_utc"])) <= pd.Timedelta("2s")


def test_only_the_user_and_app_folders_are_sniffed(tmp_path: Path) -> None:
    data, _ = _log_bytes("tlog", tmp_path)
    files = {"data/system/usagestats/0/backup.dat": data, "system/fonts/x.ttf": data}
    case = make_phone_extraction(tmp_path / "x", os="android", seed=3, files=files)
    with open_extraction(case.exhibit) as ext:
        assert ext.read("drone_logs").empty  # outside SNIFF_FOLDERS: the cost stays bounded
    assert all(not glob_regex(g).fullmatch("/" + p) for g in SNIFF_FOLDERS for p in files)


@pytest.mark.parametrize("kind", ["tlog", "dataflash", "dji11", "dji13"])
def test_sniffing_the_head_agrees_with_the_readers(kind: str, tmp_path: Path) -> None:
    data, _ = _log_bytes(kind, tmp_path)
    assert detect_format(data) in ("mavlink_tlog", "ardupilot_dataflash", "dji_txt")
    assert sniff_flight_log(data[:HEAD_BYTES], len(data))
    # cut short: a DJI prefix pointing past the end is refused as dji_version refuses it
    cut = data[:3000]
    assert sniff_flight_log(cut[:HEAD_BYTES], len(cut)) == (detect_format(cut) is not None)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        bytes(4096),
        b"SQLite format 3\x00" + bytes(4080),
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(2000),
        b"%PDF-1.7\n" + bytes(1000),
        bytes(8) + b"\xfe\x09" + bytes(30),  # a MAVLink start byte, a wrong CRC
        b"\xa3\x95\x80",  # a DataFlash FMT header and nothing after it: too short
        random.Random(7).randbytes(100_000),
    ],
    ids=["empty", "zeros", "sqlite", "jpeg", "pdf", "bad-crc", "short", "random"],
)
def test_sniffing_refuses_other_files(data: bytes) -> None:
    assert not sniff_flight_log(data[:HEAD_BYTES], len(data))


def test_a_log_over_the_size_limit_is_announced_not_read(tmp_path: Path) -> None:
    data, _ = _log_bytes("tlog", tmp_path)
    rule = replace(CONTENT, max_size=len(data) - 1)
    path = "/data/media/0/Download/backup.dat"
    with pytest.warns(ForensicsWarning, match="backup.dat .* more than"):
        found = sniffed(DRONE_LOGS, rule, [(path, len(data))], lambda _p: data[:HEAD_BYTES])
    assert found == []
    assert sniffed(DRONE_LOGS, CONTENT, [(path, len(data))], lambda _p: data[:HEAD_BYTES]) == [path]


def test_a_renamed_log_in_an_itunes_backup(tmp_path: Path) -> None:
    data, _ = _log_bytes("tlog", tmp_path)
    notes = write_itunes_backup(tmp_path / "b", make_scenario(4))
    root = tmp_path / "b" / notes["udid"]
    domain, relative = "AppDomain-com.example.notes", "Documents/2024-04-12.note"
    fid = file_id(domain, relative)
    (root / fid[:2]).mkdir(exist_ok=True)
    (root / fid[:2] / fid).write_bytes(data)
    with sqlite3.connect(root / "Manifest.db") as db:
        db.execute("INSERT INTO Files VALUES (?, ?, ?, 1, NULL)", (fid, domain, relative))
    with open_extraction(root) as ext:
        assert ext.kind == "itunes"
        [row] = ext.read("drone_logs").to_dict("records")
    want = f"/private/var/mobile/Containers/Data/Application/com.example.notes/{relative}"
    assert row["path"] == want and row["found_by"] == "content"
    assert row["format"] == "mavlink_tlog" and row["track_points"] > 0


def test_case_flight_logs_find_a_renamed_dji_record(tmp_path: Path) -> None:
    """The case findings look for flight logs by content too; a DJI record's prefix is only
    recognisable with the file's size, so a renamed one over 4 KiB must still be found."""
    from forensics_lib.case import as_case
    from forensics_lib.findings import case_flight_logs

    data, key = _log_bytes("dji11", tmp_path)
    assert len(data) > 4096
    folder = tmp_path / "EXH-09_excerpt"
    target = folder / "data/media/0/Download/holiday.pdf"
    target.parent.mkdir(parents=True)
    target.write_bytes(data)
    flights = case_flight_logs(as_case(folder))
    assert [(f.path, f.log.format) for f in flights] == [
        ("/data/media/0/Download/holiday.pdf", "dji_txt")
    ]
    assert len(flights[0].log.track) == key["track_points"]
