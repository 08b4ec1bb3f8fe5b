"""One timeline over a mixed folder, and files the acquisition manifest does not list.

The folder holds every family, each written by its generator: an aircraft SD card (DataFlash
log, DJI SRT, photos, one of them with local wall time and no offset), an Android extraction
(zip), a VoIP capture (pcapng), a file no reader knows and a spare SD card whose log was cut
in the middle. ``hashes.json`` lists them all; then two stray files arrive that it does not
list: a flight log beside the exhibits and another inside the SD card folder.

Truth: the generators' answer keys (``make_drone_case``: DataFlash GPS records, photos, SRT
blocks; ``make_phone_extraction``: SMS, MMS, calls, contacts, WhatsApp rows;
``make_voip_capture``: calls), pymavlink (the reference DataFlash reader) for how many GPS
records the cut log still holds, and one hand-converted local time (below).
"""

from __future__ import annotations

import json
import random
import shutil
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from forensics_datasets.drone import make_drone_case, write_photo
from forensics_datasets.phone import make_phone_extraction
from forensics_datasets.voip import make_voip_capture

from forensics_lib.case import UNVERIFIED_MARK, as_case, open_case
from forensics_lib.cli import main
from forensics_lib.drone.analysis import load_polygon
from forensics_lib.errors import EvidenceIntegrityError, ForensicsWarning
from forensics_lib.findings import case_flight_logs, findings_frame, flight_findings
from forensics_lib.hashing import build_manifest, write_manifest
from forensics_lib.report import case_uco, render_html
from forensics_lib.scan import UNREAD_REASON

SD = "EXH-01_drone_sd"
PHONE = "EXH-02_phone.zip"
CAPTURE = "EXH-03_capture.pcapng"
JUNK = "EXH-04_unknown.dat"
SPARE = "EXH-05_spare_sd"
CUT_LOG = "APM/LOGS/00000002.BIN"
STRAY = "stray_flight.tlog"  # beside the exhibits, not in hashes.json
INNER_STRAY = "APM/LOGS/extra.tlog"  # inside the SD card folder, not in hashes.json
LOCAL_PHOTO = "DCIM/local_0001.JPG"


@dataclass(frozen=True)
class Mixed:
    root: Path
    drone: dict[str, Any]
    phone: dict[str, Any]
    voip: dict[str, Any]
    cut_gps: int


def _pymavlink_gps(path: Path) -> int:
    """GPS records pymavlink's DFReader reads from a DataFlash log (the reference reader)."""
    from pymavlink import mavutil

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pymavlink's own deprecation noise
        log = mavutil.mavlink_connection(str(path))
        count = 0
        while log.recv_match(type="GPS") is not None:
            count += 1
        log.close()
    return count


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Mixed:
    work = tmp_path_factory.mktemp("work")
    root = tmp_path_factory.mktemp("mixed") / "case"
    root.mkdir()
    drone = make_drone_case(work / "drone", seed=5)
    sd = root / SD
    (sd / "APM" / "LOGS").mkdir(parents=True)
    shutil.copyfile(drone.root / "flight.bin", sd / "APM" / "LOGS" / "00000001.BIN")
    shutil.copyfile(drone.root / "DJI_0001.SRT", sd / "DJI_0001.SRT")
    shutil.copytree(drone.root / "photos", sd / "DCIM" / "100MEDIA")
    # A camera that writes local wall time and no offset (EXIF DateTimeOriginal only).
    write_photo(sd / LOCAL_PHOTO, lat=40.1, lon=-4.19, alt_m=600.0,
                local_time="2024:06:14 23:32:14", offset=None)  # fmt: skip
    phone = make_phone_extraction(work / "phone", os="android", seed=5)
    shutil.copyfile(phone.exhibit, root / PHONE)
    voip = make_voip_capture(root / CAPTURE, seed=5, fmt="pcapng")
    (root / JUNK).write_bytes(random.Random(14).randbytes(4096))
    data = (drone.root / "flight.bin").read_bytes()
    cut = root / SPARE / CUT_LOG
    cut.parent.mkdir(parents=True)
    cut.write_bytes(data[: len(data) * 2 // 5 + 3])  # cut inside a record
    shutil.copyfile(drone.root / "perimeter.geojson", root / "perimeter.geojson")
    exhibits = sorted(p for p in root.iterdir() if p.name != "perimeter.geojson")
    manifest = build_manifest(exhibits, root=root, progress=False)
    manifest["root"] = "."
    write_manifest(manifest, root / "hashes.json")
    # After acquisition: two files nobody hashed.
    shutil.copyfile(drone.root / "flight.tlog", root / STRAY)
    shutil.copyfile(drone.root / "flight.tlog", sd / INNER_STRAY)
    return Mixed(root, drone.key, phone.answer_key, voip.answer_key, _pymavlink_gps(cut))


def _open(root: Path, **options: Any) -> tuple[Any, list[str]]:
    with pytest.warns(ForensicsWarning) as said:
        case = open_case(root, **options)
    return case, [str(w.message) for w in said]


@pytest.fixture(scope="module")
def plain(mixed: Mixed) -> tuple[Any, list[str]]:
    return _open(mixed.root)


@pytest.fixture(scope="module")
def flagged(mixed: Mixed) -> tuple[Any, list[str]]:
    return _open(mixed.root, include_unlisted=True)


def _flights(case: Any) -> list[Any]:
    with pytest.warns(ForensicsWarning, match="ends inside a record"):  # the cut log
        return case_flight_logs(case)


def _summary_rows(case: Any, exhibit: str) -> pd.DataFrame:
    summary = case.summary()
    picked: pd.DataFrame = summary[summary["exhibit"] == exhibit]
    return picked


def _read(case: Any, exhibit: str) -> dict[str, int]:
    rows = _summary_rows(case, exhibit)
    rows = rows[rows["outcome"] == "read"]
    return {str(a): int(n) for a, n in zip(rows["artifact"], rows["rows"], strict=True)}


def test_every_family_is_read_and_counted_per_exhibit(
    mixed: Mixed, plain: tuple[Any, list[str]]
) -> None:
    case, said = plain
    assert set(case.exhibits) == {SD, PHONE, CAPTURE, JUNK, SPARE}
    # The aircraft's SD card: one track row per DataFlash GPS record, one row per photo
    # (the three camera photos and the local-time one), the SRT's blocks.
    sd = _read(case, SD)
    assert sd["drone.track"] == mixed.drone["dataflash_records"]["GPS"]
    assert sd["drone.srt"] == mixed.drone["srt_blocks"]
    assert sd["media.exif"] == len(mixed.drone["photos"]) + 1
    # The phone: the writer's row counts.
    phone = _read(case, PHONE)
    writer, scenario = mixed.phone["writer"], mixed.phone["scenario"]
    assert phone["android.sms"] == writer["sms_rows"]
    assert phone["android.mms"] == writer["mms_rows"]
    assert phone["android.calls"] == len(scenario["calls"])
    assert phone["android.contacts"] == len(scenario["contacts"])
    assert phone["android.whatsapp_messages"] == len(scenario["wa_messages"])
    assert phone["android.whatsapp_calls"] == len(scenario["wa_calls"])
    # The capture: every call of the key.
    assert _read(case, CAPTURE)["voip.calls"] == len(mixed.voip["calls"])
    # The file no reader knows is listed, with the reason, never dropped.
    junk = _summary_rows(case, JUNK)
    assert list(junk["outcome"]) == ["not read"]
    assert UNREAD_REASON in junk["detail"].iloc[0]
    # The cut log: what pymavlink still reads, and a warning that says it was cut.
    spare = _summary_rows(case, SPARE)
    assert _read(case, SPARE)["drone.track"] == mixed.cut_gps > 0
    cut_warnings = spare[spare["outcome"] == "warning"]["detail"]
    assert cut_warnings.str.contains("ends inside a record").any()
    assert any("ends inside a record" in s for s in said)
    # Every exhibit was verified; the two strays are named, not read.
    assert case.verified
    assert case.unlisted == [f"{SD}/{INNER_STRAY}", STRAY]
    unlisted = case.summary()
    unlisted = unlisted[unlisted["outcome"] == "unlisted"]
    assert set(unlisted["exhibit"]) == {SD, STRAY}


def test_an_unlisted_file_is_never_cited_without_the_flag(
    mixed: Mixed, plain: tuple[Any, list[str]]
) -> None:
    case, said = plain
    assert any(STRAY in s and "not in hashes.json" in s for s in said)
    assert any(INNER_STRAY in s and "not evidence, not read" in s for s in said)
    tl = case.timeline
    assert STRAY not in set(tl["exhibit"])
    assert f"/{INNER_STRAY}" not in set(tl["source_path"])
    assert not tl["description"].str.startswith(UNVERIFIED_MARK).any()
    flights = _flights(case)
    assert {(f.exhibit, f.path) for f in flights} == {
        (SD, "/APM/LOGS/00000001.BIN"),
        (SPARE, f"/{CUT_LOG}"),
    }
    polygon = load_polygon(mixed.root / "perimeter.geojson")
    found = flight_findings(case, flights, polygon)
    assert found and all(e.verified for f in found for e in f.evidence)
    text = findings_frame(found).to_csv()
    assert STRAY not in text and "extra.tlog" not in text
    uco = json.dumps(case_uco(case, found, generated_utc="2024-06-15T00:00:00Z"))
    assert STRAY not in uco and "extra.tlog" not in uco
    assert "Exhibits verified against hashes.json" in uco
    page = render_html(case, found, generated_utc="2024-06-15T00:00:00Z")
    # Named once each, in the list of what hashes.json does not list; cited nowhere.
    assert page.count(STRAY) == 1 and page.count("extra.tlog") == 1
    assert "The exhibits were verified against the acquisition manifest" in page


def test_with_the_flag_every_citation_says_unverified(
    mixed: Mixed, flagged: tuple[Any, list[str]]
) -> None:
    case, said = flagged
    assert any(STRAY in s and "read as unverified" in s for s in said)
    assert not case.verified
    assert not case.exhibits[STRAY].listed and not case.exhibits[SD].verified
    tl = case.timeline
    stray = (tl["exhibit"] == STRAY) | (tl["source_path"] == f"/{INNER_STRAY}")
    assert stray.sum() > 0
    assert tl.loc[stray, "description"].str.startswith(UNVERIFIED_MARK + " ").all()
    assert not tl.loc[~stray, "description"].str.startswith(UNVERIFIED_MARK).any()
    flights = [f for f in _flights(case) if f.exhibit == STRAY or "extra" in f.path]
    assert len(flights) == 2
    polygon = load_polygon(mixed.root / "perimeter.geojson")
    found = flight_findings(case, flights, polygon)
    refs = [e for f in found for e in f.evidence]
    assert refs and not any(e.verified for e in refs)
    assert all(e.sha256 is None for e in refs)
    assert findings_frame(found)["evidence"].str.contains("unverified").all()
    page = render_html(case, found, generated_utc="2024-06-15T00:00:00Z")
    assert "Not every exhibit was verified" in page
    assert "The exhibits were verified against" not in page
    assert "unverified (not in hashes.json)" in page
    uco = json.dumps(case_uco(case, found, generated_utc="2024-06-15T00:00:00Z"))
    assert "Exhibits verified against hashes.json" not in uco
    assert "unverified (not in hashes.json)" in uco


def test_zone_puts_a_local_camera_clock_on_the_timeline(
    mixed: Mixed, plain: tuple[Any, list[str]]
) -> None:
    # 2024-06-14 23:32:14 in Europe/Madrid (CEST, UTC+2 in June) is 21:32:14Z.
    want = pd.Timestamp("2024-06-14T21:32:14Z")
    zoned, _ = _open(mixed.root, zone="Europe/Madrid")
    photo = f"/{LOCAL_PHOTO}"
    assert photo not in set(plain[0].timeline["source_path"])  # no offset: no UTC time
    rows = zoned.timeline[zoned.timeline["source_path"] == photo]
    assert list(rows["time"]) == [want]


def test_the_command_line_prints_what_was_read_and_skipped(
    mixed: Mixed, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tl.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # printed by the command, not raised
        assert main(["timeline", str(mixed.root), "--format", "csv", "-o", str(out)]) == 0
        err = capsys.readouterr().err
        assert "hashes verified" in err and "NOT" not in err
        assert "2 path(s) not in hashes.json (not read)" in err
        for name in (SD, PHONE, CAPTURE, JUNK, SPARE, STRAY):
            assert name in err
        assert "android.sms" in err and "not read" in err and "unlisted" in err
        rows = pd.read_csv(out)
        assert STRAY not in set(rows["exhibit"])
        assert not rows["description"].astype(str).str.startswith(UNVERIFIED_MARK).any()
        assert main(["timeline", str(mixed.root), "--include-unlisted", "--format", "csv",
                     "-o", str(out)]) == 0  # fmt: skip
        err = capsys.readouterr().err
        assert "hashes NOT verified" in err
        rows = pd.read_csv(out)
        marked = rows[rows["exhibit"] == STRAY]["description"].astype(str)
        assert len(marked) and marked.str.startswith(UNVERIFIED_MARK).all()
        assert main(["case", "info", str(mixed.root), "--include-unlisted"]) == 0
        assert "hashes NOT verified for every exhibit" in capsys.readouterr().err


def test_nothing_readable_exits_1_and_prints_the_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "seized"
    folder.mkdir()
    (folder / "flight.tlog").write_bytes(b"\xfe" + bytes(100))  # a tlog by name, not inside
    (folder / "notes.dat").write_bytes(b"nothing a reader knows")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        assert main(["timeline", str(folder)]) == 1
    err = capsys.readouterr().err
    tail = err[err.index("no events") :]
    assert "warning(s):" in tail and "flight.tlog" in tail and "not a MAVLink tlog" in tail
    assert "notes.dat" in err and UNREAD_REASON in err


def test_a_plain_folder_with_an_unpacked_extraction_reads_every_family(
    mixed: Mixed, tmp_path: Path
) -> None:
    """No manifest, no EXH- names: an unpacked phone extraction beside a capture, a flight
    log and a file nobody reads. Before, the whole folder was taken for the extraction and
    the capture and the log were never read."""
    folder = tmp_path / "seized"
    with zipfile.ZipFile(mixed.root / PHONE) as packed:
        packed.extractall(folder / "phone_dump")
    shutil.copyfile(mixed.root / CAPTURE, folder / "wifi.pcapng")
    (folder / "sd").mkdir()
    shutil.copyfile(mixed.root / SD / "APM" / "LOGS" / "00000001.BIN", folder / "sd" / "1.BIN")
    shutil.copyfile(mixed.root / JUNK, folder / "unknown.dat")
    case = as_case(folder, verify=False)
    assert set(case.exhibits) == {"seized", "phone_dump"}
    assert case.exhibits["phone_dump"].reader == "phone"
    assert _read(case, "phone_dump")["android.sms"] == mixed.phone["writer"]["sms_rows"]
    rest = _read(case, "seized")
    assert rest["voip.calls"] == len(mixed.voip["calls"])
    assert rest["drone.track"] == mixed.drone["dataflash_records"]["GPS"]
    assert not any(a.startswith("android.") for a in rest)  # the phone is read once
    unread = case.exhibits["seized"].unread
    assert [p for p, _ in unread] == ["seized!/unknown.dat"]
    assert not case.verified


def test_one_exhibit_of_a_case_is_verified_against_the_case_manifest(tmp_path: Path) -> None:
    # `timeline CASE/EXH-01...` used to read the exhibit unverified ("no hashes.json")
    # although the case folder beside it holds the manifest that lists it.
    from forensics_datasets.case import make_case

    root = tmp_path / "case"
    make_case(root, seed=3)
    drone = next(p for p in sorted(root.iterdir()) if p.name.startswith("EXH-01"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForensicsWarning)
        case = as_case(drone)
    assert list(case.exhibits) == [drone.name] and case.verified
    # A byte changed in that exhibit stops the read, as for the whole case.
    log = next(f for f in sorted(drone.rglob("*")) if f.is_file() and f.suffix.lower() == ".bin")
    data = bytearray(log.read_bytes())
    data[len(data) // 2] ^= 0xFF
    log.write_bytes(bytes(data))
    with pytest.raises(EvidenceIntegrityError):
        as_case(drone)
    # A file the manifest does not list is not evidence, even named on its own.
    stray = root / "stray.txt"
    stray.write_text("not acquired")
    with pytest.warns(ForensicsWarning, match="not in hashes.json"):
        case = as_case(stray)
    assert not case.exhibits and case.unlisted == ["stray.txt"]
