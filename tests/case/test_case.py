"""Case folders and cross-source correlation.

Truth: the generators' answer keys for the exhibits; hand-derived values (E.164 forms,
distances) for the correlation helpers, with the derivation beside each.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.drone import make_drone_case
from forensics_datasets.phone import make_phone_extraction
from forensics_datasets.voip import make_voip_capture

from forensics_lib.case import open_case
from forensics_lib.correlate import colocated, normalize_number, sip_identity, within
from forensics_lib.custody import CustodyLog
from forensics_lib.errors import EvidenceIntegrityError
from forensics_lib.hashing import build_manifest, sha256_file, write_manifest


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("case")
    work = tmp_path_factory.mktemp("work")
    drone = make_drone_case(work / "drone", seed=2)
    (root / "EXH-001_drone_sd").mkdir()
    shutil.copyfile(drone.root / "flight.bin", root / "EXH-001_drone_sd" / "flight.bin")
    phone = make_phone_extraction(work / "phone", os="android", seed=2)
    shutil.copyfile(phone.exhibit, root / "EXH-002_operator_phone.zip")
    make_voip_capture(root / "EXH-003_prison_wifi.pcapng", seed=2, fmt="pcapng")
    exhibits = sorted(p for p in root.iterdir())
    write_manifest(build_manifest(exhibits, root=root), root / "hashes.json")
    log = CustodyLog(root / "custody.jsonl")
    for exhibit in exhibits:
        log.append(who="DC Example", action="seized", exhibit=exhibit.name,
                   time=pd.Timestamp("2024-06-15T08:00:00Z"))  # fmt: skip
    (root / "brief.md").write_text("# Case brief (not an exhibit)\n")
    return root


def test_open_case_reads_every_exhibit_with_its_reader(case: Path) -> None:
    opened = open_case(case)
    assert opened.problems == []
    readers = {name: ex.reader for name, ex in opened.exhibits.items()}
    assert readers == {
        "EXH-001_drone_sd": "scan",
        "EXH-002_operator_phone.zip": "phone",
        "EXH-003_prison_wifi.pcapng": "scan",
    }
    families = {a.split(".")[0] for a in opened.timeline["artifact"]}
    assert {"android", "drone", "voip", "custody"} <= families
    assert opened.timeline["time"].is_monotonic_increasing
    assert set(opened.timeline["exhibit"]) >= {"EXH-002_operator_phone.zip", "custody"}
    sms = opened.frame("android.sms")
    assert set(sms["exhibit"]) == {"EXH-002_operator_phone.zip"} and len(sms) > 0


def test_a_changed_exhibit_is_refused_before_anything_is_read(case: Path, tmp_path: Path) -> None:
    copy = tmp_path / "case"
    shutil.copytree(case, copy)
    capture = copy / "EXH-003_prison_wifi.pcapng"
    data = bytearray(capture.read_bytes())
    data[-1] ^= 0xFF
    capture.write_bytes(bytes(data))
    with pytest.raises(EvidenceIntegrityError, match="EXH-003_prison_wifi"):
        open_case(copy)


def test_a_broken_custody_chain_is_refused(case: Path, tmp_path: Path) -> None:
    copy = tmp_path / "case"
    shutil.copytree(case, copy)
    lines = (copy / "custody.jsonl").read_text().splitlines()
    lines[0] = lines[0].replace("DC Example", "Someone Else")
    (copy / "custody.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(EvidenceIntegrityError, match="custody chain broken"):
        open_case(copy)


def test_open_case_leaves_the_exhibits_unchanged(case: Path) -> None:
    before = json.loads((case / "hashes.json").read_text())["files"]
    open_case(case)
    for entry in before:
        assert sha256_file(case / entry["path"]) == entry["sha256"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("07700 900123", "+447700900123"),  # UK national: drop the trunk 0, add 44
        ("+44 (0)7700-900123", "+447700900123"),  # "(0)": the trunk 0 shown for UK callers
        ("0044 7700 900123", "+447700900123"),  # 00 international prefix
        ("tel:+33-1-23-45-67-89", "+33123456789"),
        ("sip:+447700900123@pbx.example.org;user=phone", "+447700900123"),
        ("447700900123", "+447700900123"),  # digits only, international already
        ("alex001", None),
        (None, None),
        ("12", None),
    ],
)
def test_normalize_number(raw: object, expected: str | None) -> None:
    assert normalize_number(raw) == expected


def test_sip_identity() -> None:
    assert sip_identity('"Alex" <sip:alex001@PBX.example.org>;tag=abc') == "alex001@pbx.example.org"
    assert sip_identity("alex001", realm="pbx.example.org") == "alex001@pbx.example.org"
    assert sip_identity("alex001") is None


def _t(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_within_pairs_events_inside_the_window_only() -> None:
    landings = pd.DataFrame({"time": [_t("2024-06-14 21:34:22")], "what": ["landing"]})
    calls = pd.DataFrame(
        {
            "time": [_t("2024-06-14 21:20:00"), _t("2024-06-14 21:40:00"), _t("2024-06-15 01:00")],
            "number": ["+447700900111", "+447700900222", "+447700900333"],
        }
    )
    pairs = within(landings, calls, "10min")
    assert pairs["number_right"].tolist() == ["+447700900222"]
    assert pairs["delta_s"].tolist() == [338.0]  # 21:40:00 - 21:34:22 = 5 min 38 s


def test_colocated_uses_haversine_distance() -> None:
    # One arc-minute of latitude on a sphere of radius 6,371,000 m:
    # 6,371,000 * pi / (180 * 60) = 1,853.25 m.
    phone = pd.DataFrame({"time": [_t("2024-06-14 21:30")], "lat": [40.0], "lon": [-4.2]})
    drone = pd.DataFrame({"time": [_t("2024-06-14 21:31")], "lat": [40.0 + 1 / 60], "lon": [-4.2]})
    near = colocated(phone, drone, max_distance_m=2000, window="5min")
    assert len(near) == 1 and near["distance_m"].iloc[0] == pytest.approx(1853.25, abs=0.01)
    assert colocated(phone, drone, max_distance_m=1000, window="5min").empty
    assert colocated(phone, drone, max_distance_m=2000, window="30s").empty


def test_case_cli_info_and_timeline(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from forensics_lib.cli import main

    assert main(["case", "info", str(case), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    rows = {r["exhibit"]: r for r in json.loads(out)}
    assert rows["EXH-002_operator_phone.zip"]["reader"] == "phone"
    assert "android.sms" in rows["EXH-002_operator_phone.zip"]["artifacts"]
    assert "hashes verified, custody chain intact (3 entries)" in err
    target = tmp_path / "tl.csv"
    assert main(["case", "timeline", str(case), "-o", str(target), "--format", "csv"]) == 0
    written = pd.read_csv(target)
    assert len(written) == len(open_case(case).timeline) > 0
