"""The CASE/UCO JSON-LD export of a case (forensics_lib.report.uco).

Truth: the exhibits' own bytes (SHA-256 computed here with hashlib, not read back from
hashes.json), the rows of the generated exhibits the hand-made findings point at (the case
folder and findings of tests/report/test_html.py), and case-utils' ``case_validate``
(CASE 1.5.0 / UCO 1.5.0 SHACL shapes).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from forensics_lib.case import Case
from forensics_lib.findings import Finding
from forensics_lib.report import case_uco, write_uco
from tests.report import test_html as html_tests
from tests.report.test_html import CAPTURE, DRONE, PHONE, PINNED, _row

# the generated case folder, the case and the hand-made findings of test_html.py
folder, case, findings = html_tests.folder, html_tests.case, html_tests.findings


def _nodes(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    out = []
    for node in doc["@graph"]:
        types = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
        if kind in types:
            out.append(node)
    return out


def _by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    index = {}
    for node in doc["@graph"]:
        index[node["@id"]] = node
        for facet in node.get("uco-core:hasFacet", []):
            index[facet["@id"]] = facet
    return index


@pytest.fixture(scope="module")
def uco(case: Case, findings: list[Finding]) -> dict[str, Any]:
    # Few records per artifact: case_validate's time grows with the graph.
    return case_uco(case, findings, generated_utc=PINNED, max_records=4, track_points=4)


def test_uco_holds_the_exhibits_and_their_sha256(uco: dict[str, Any], folder: Path) -> None:
    hashes = {
        facet_hash["uco-types:hashValue"]["@value"]
        for node in _nodes(uco, "uco-observable:File")
        for facet in node["uco-core:hasFacet"]
        for facet_hash in facet.get("uco-observable:hash", [])
        if facet_hash["uco-types:hashMethod"] == "SHA256"
    }
    for path in (folder / PHONE, folder / CAPTURE, folder / DRONE / "flight.bin"):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in hashes
    records = {n["case-investigation:exhibitNumber"] for n in
               _nodes(uco, "case-investigation:ProvenanceRecord") if
               "case-investigation:exhibitNumber" in n}  # fmt: skip
    assert records == {DRONE, PHONE, CAPTURE}
    actions = _nodes(uco, "case-investigation:InvestigativeAction")
    assert sorted(a["uco-core:name"] for a in actions) == ["analysed", *["seized"] * 3]
    (tool,) = _nodes(uco, "uco-tool:Tool")
    (analysis,) = [a for a in actions if a["uco-core:name"] == "analysed"]
    assert analysis["uco-action:instrument"] == {"@id": tool["@id"]}
    assert len(_nodes(uco, "case-investigation:Investigation")) == 1


def test_uco_findings_point_at_the_records_they_rest_on(
    uco: dict[str, Any], case: Case, findings: list[Finding]
) -> None:
    index = _by_id(uco)
    notes = {n["uco-core:tag"][1]: n for n in _nodes(uco, "uco-core:Annotation")}
    assert set(notes) == {f.id for f in findings}
    # The SMS finding rests on the SMS record itself, with the body read from row 1.
    (target,) = notes["drop_message"]["uco-core:object"]
    sms = index[target["@id"]]
    assert sms["@type"] == "uco-observable:SMSMessage"
    (facet,) = [f for f in sms["uco-core:hasFacet"] if f["@type"] == "uco-observable:MessageFacet"]
    assert facet["uco-observable:messageText"] == _row(case, "android.sms", row_id=1)["body"]
    # The SIP call finding rests on the Call rebuilt from the capture.
    (target,) = notes["contraband_call_id"]["uco-core:object"]
    assert index[target["@id"]]["@type"] == "uco-observable:Call"
    # The first fix: a track entry plus the finding's own location.
    kinds = {index[o["@id"]]["@type"] for o in notes["first_fix_utc"]["uco-core:object"]}
    assert kinds == {"uco-observable:GeoLocationEntry", "uco-location:Location"}


def test_uco_is_deterministic(case: Case, findings: list[Finding], uco: dict[str, Any]) -> None:
    again = case_uco(case, findings, generated_utc=PINNED, max_records=4, track_points=4)
    assert json.dumps(again, sort_keys=True) == json.dumps(uco, sort_keys=True)
    ids = [n["@id"] for n in uco["@graph"]]
    assert len(ids) == len(set(ids))
    uuid_tail = re.compile(r"-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    assert all(uuid_tail.search(i) for i in ids)  # UUIDv5 ends every id


def _case_validate() -> str | None:
    found = shutil.which("case_validate")
    beside = Path(sys.executable).with_name("case_validate")
    return found or (str(beside) if beside.is_file() else None)


def test_uco_export_validates_with_case_validate(
    case: Case, findings: list[Finding], tmp_path: Path
) -> None:
    tool = _case_validate()
    if tool is None:
        pytest.skip("case_validate (pip install case-utils) is not installed")
    target = tmp_path / "case.jsonld"
    write_uco(case, findings, target, generated_utc=PINNED, max_records=4, track_points=4)
    run = subprocess.run([tool, str(target)], capture_output=True, text=True, check=False)
    assert "Conforms: True" in run.stdout, run.stdout[-3000:] + run.stderr[-2000:]
    assert run.returncode == 0
