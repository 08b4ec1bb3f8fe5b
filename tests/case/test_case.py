"""Case folders (forensics_lib.case): every exhibit read by its reader, integrity refused.

Truth: the generators' answer keys for the exhibits. The correlation helpers' tests are in
tests/case/test_correlate.py, the ``case`` command's in tests/cli/test_case.py.
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
