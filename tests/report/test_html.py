"""Case reports: the self-contained HTML report (forensics_lib.report.html) and ``case report``
writing it with the CASE/UCO JSON-LD export (whose own tests are in test_uco.py).

Truth: the exhibits' own bytes (SHA-256 computed here with hashlib, not read back from
hashes.json), the rows of the generated exhibits the hand-made findings point at, and
case-utils' ``case_validate`` (CASE 1.5.0 / UCO 1.5.0 SHACL shapes) for the export.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from forensics_datasets.drone import make_drone_case
from forensics_datasets.phone import make_phone_extraction
from forensics_datasets.voip import make_voip_capture

from forensics_lib.case import Case, open_case
from forensics_lib.custody import CustodyLog
from forensics_lib.findings import EvidenceRef, Finding
from forensics_lib.hashing import build_manifest, write_manifest
from forensics_lib.report import call_list, render_html

PINNED = "2024-07-01T09:00:00Z"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
DRONE, PHONE, CAPTURE = "EXH-001_drone_sd", "EXH-002_operator_phone.zip", "EXH-003_wifi.pcapng"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("case")
    work = tmp_path_factory.mktemp("work")
    drone = make_drone_case(work / "drone", seed=2)
    (root / DRONE).mkdir()
    shutil.copyfile(drone.root / "flight.bin", root / DRONE / "flight.bin")
    phone = make_phone_extraction(work / "phone", os="android", seed=2, linphone=True)
    shutil.copyfile(phone.exhibit, root / PHONE)
    make_voip_capture(root / CAPTURE, seed=2, fmt="pcapng")
    exhibits = sorted(root.iterdir())
    write_manifest(build_manifest(exhibits, root=root), root / "hashes.json")
    log = CustodyLog(root / "custody.jsonl")
    for exhibit in exhibits:
        log.append(who="DC Example", action="seized", exhibit=exhibit.name,
                   time=pd.Timestamp("2024-06-15T08:00:00Z"))  # fmt: skip
    shutil.copyfile(drone.root / "perimeter.geojson", root / "perimeter.geojson")
    return root


@pytest.fixture(scope="module")
def case(folder: Path) -> Case:
    return open_case(folder)


def _row(case: Case, artifact: str, **match: Any) -> dict[str, Any]:
    frame = case.frame(artifact)
    for name, value in match.items():
        frame = frame[frame[name] == value]
    assert len(frame) >= 1, (artifact, match)
    return dict(frame.iloc[0])


@pytest.fixture(scope="module")
def findings(case: Case) -> list[Finding]:
    """A few findings as case_findings would make them, pointing at real rows."""
    sms = _row(case, "android.sms", row_id=1)
    call = _row(case, "voip.calls", state="COMPLETED")
    fix = _row(case, "drone.track", source_path="/flight.bin")
    device = _row(case, "phone.device")
    return [
        Finding(
            "first_fix_utc", "When did the flight log get its first fix?",
            fix["time_utc"].strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "first GPS fix of the track",
            (EvidenceRef(DRONE, "/flight.bin", offset=int(fix["offset"]),
                         artifact="drone.track"),),
            section="drone", extra={"lat": float(fix["lat"]), "lon": float(fix["lon"])},
        ),
        Finding(
            "drop_message", "Which message arranged the drop?", str(sms["body"]),
            "SMS received before the flight",
            (EvidenceRef(PHONE, str(sms["source_path"]), row_id=1, artifact="android.sms"),),
            section="phone",
        ),
        Finding(
            "contraband_call_id", "Which SIP call did the contraband phone make?",
            str(call["call_id"]), "INVITE answered 200 OK in the capture",
            (EvidenceRef(CAPTURE, str(call["source_path"]), offset=int(call["offset"]),
                         artifact="voip.calls"),),
            section="voip",
        ),
        Finding(
            "phone_model", "Which phone is it?", {"make": device["make"], "model": device["model"]},
            "build.prop", (EvidenceRef(PHONE, str(device["source_path"]), row_id=1,
                                       artifact="phone.device"),),
            section="phone",
        ),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def page(case: Case, findings: list[Finding]) -> str:
    return render_html(case, findings, generated_utc=PINNED)


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "poster", "data"):
                self.links.append((tag, name, value or ""))


def test_report_is_self_contained(page: str) -> None:
    parsed = _Attributes()
    parsed.feed(page)
    images = [v for t, n, v in parsed.links if t == "img"]
    # Three figures: the track map, the altitude/speed profile and the timeline.
    assert len(images) == 3 and all(v.startswith("data:image/png;base64,") for v in images)
    assert all(v.startswith(("data:", "#")) for _, _, v in parsed.links), parsed.links
    assert not {"script", "link", "iframe", "object", "embed"} & set(parsed.tags)
    assert "url(" not in page and "@import" not in page
    assert "@media print" in page


def test_report_shows_each_finding_with_its_evidence(
    page: str, findings: list[Finding], folder: Path
) -> None:
    import html

    for f in findings:
        shown = f.value if isinstance(f.value, str) else json.dumps(f.value, sort_keys=True)
        assert html.escape(shown, quote=True) in page, f.id
        for ref in f.evidence:
            assert html.escape(ref.path or "") in page
            if ref.row_id is not None:
                assert f"row {ref.row_id}" in page
            if ref.offset is not None:
                assert f"offset {ref.offset:#x} ({ref.offset})" in page
    # The exhibits' SHA-256, computed here from their bytes.
    for path in (folder / PHONE, folder / CAPTURE, folder / DRONE / "flight.bin"):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in page
    assert "DC Example" in page and "seized" in page  # the custody chain


def test_report_has_the_perimeter_map_and_every_call(page: str, case: Case) -> None:
    assert "Perimeter: <code>perimeter.geojson</code>" in page
    assert f"{DRONE}: /flight.bin" in page and "closest approach (m)" in page
    calls = call_list(case)
    # 4 SIP calls in the capture, 30 dialler calls, 10 WhatsApp calls (generator sizes) and
    # the Linphone history of the phone.
    kinds = calls["kind"].value_counts().to_dict()
    assert kinds["SIP capture"] == 4 and kinds["phone"] == 30 and kinds["WhatsApp"] == 10
    assert kinds["softphone"] == len(case.frame("phone.sip_calls")) > 0
    for call_id in case.frame("voip.calls")["call_id"]:
        assert call_id in page
    assert "softphone" in page


def test_hostile_exhibit_text_comes_out_inert(case: Case, findings: list[Finding]) -> None:
    hostile = Case(
        root=case.root,
        exhibits={name: ex for name, ex in case.exhibits.items()},
        custody=case.custody,
        timeline=case.timeline.assign(description=HOSTILE),
        problems=[(HOSTILE, HOSTILE)],
    )
    phone = hostile.exhibits[PHONE]
    calls = phone.frames["android.calls"].assign(name=HOSTILE)
    hostile.exhibits = {**hostile.exhibits, PHONE: type(phone)(
        name=phone.name, path=phone.path, reader=phone.reader,
        frames={**phone.frames, "android.calls": calls}, timeline=phone.timeline)}  # fmt: skip
    evil = Finding("evil", HOSTILE, HOSTILE, HOSTILE, (EvidenceRef(PHONE, HOSTILE, row_id=1),))
    text = render_html(hostile, [*findings, evil], generated_utc=PINNED, title=HOSTILE)
    assert "<script" not in text.lower() and "<img src=x" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    parsed = _Attributes()
    parsed.feed(text)
    assert "script" not in parsed.tags
    assert all(v.startswith(("data:", "#")) for _, _, v in parsed.links)


def test_render_is_deterministic_but_for_the_generation_time(
    case: Case, findings: list[Finding], page: str
) -> None:
    assert render_html(case, findings, generated_utc=PINNED) == page
    later = render_html(case, findings, generated_utc="2025-01-01T00:00:00Z")
    assert later.replace("2025-01-01T00:00:00Z", "2024-07-01T09:00:00Z") == page


def test_a_huge_timeline_gives_a_bounded_report(case: Case) -> None:
    rows = 100_000
    big = case.timeline.iloc[[i % len(case.timeline) for i in range(rows)]]
    huge = Case(case.root, case.exhibits, case.custody, big.reset_index(drop=True), [])
    text = render_html(huge, [], generated_utc=PINNED, timeline_rows=50)
    assert f"First 50 of {rows} events shown" in text
    assert "forensics-lib case timeline" in text
    assert len(text.encode()) < 3_000_000  # figures + 50 rows; the full table would be ~40 MB


# ----------------------------------------------------------------------------- CASE/UCO


def test_case_report_cli(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from forensics_lib.cli import main

    html_out, uco_out = tmp_path / "report.html", tmp_path / "case.jsonld"
    assert main(["case", "report", str(folder), "-o", str(html_out), "--uco", str(uco_out)]) == 0
    err = capsys.readouterr().err
    assert "report written" in err and "CASE/UCO export written" in err
    text = html_out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "Flights" in text
    doc = json.loads(uco_out.read_text(encoding="utf-8"))
    assert doc["@context"]["uco-core"] == "https://ontology.unifiedcyberontology.org/uco/core/"
    target = tmp_path / "only.jsonld"
    assert main(["case", "uco", str(folder), "-o", str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8"))["@graph"]
