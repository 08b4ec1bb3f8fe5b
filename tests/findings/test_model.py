"""The generic findings model: citations in words, the findings table, ambiguous answers."""

from __future__ import annotations

from forensics_lib.findings.model import (
    AMBIGUOUS,
    UNVERIFIED_NOTE,
    Candidate,
    EvidenceRef,
    Finding,
    ambiguous_finding,
    findings_frame,
    is_ambiguous,
)


def test_a_locator_names_the_row_the_offset_and_an_unlisted_file() -> None:
    ref = EvidenceRef("phone.zip", "data/mmssms.db", row_id=7, offset=0x1F, verified=False)
    assert ref.locator() == f"data/mmssms.db, row 7, offset 0x1f, {UNVERIFIED_NOTE}"
    assert EvidenceRef("capture.pcap").locator() == "capture.pcap"  # no path: the exhibit


def test_the_findings_table_keeps_order_and_cites_every_exhibit() -> None:
    refs = (EvidenceRef("a.bin", "a.bin", offset=16), EvidenceRef("b.zip", "x.db", row_id=2))
    frame = findings_frame([Finding("one", "First?", 1, evidence=refs), Finding("two", "?", "x")])
    assert list(frame["id"]) == ["one", "two"]
    assert frame.loc[0, "evidence"] == "a.bin: a.bin, offset 0x10; b.zip: x.db, row 2"
    assert frame.loc[1, "evidence"] == ""
    assert list(findings_frame([]).columns) == [
        "id", "section", "title", "value", "detail", "evidence"
    ]  # fmt: skip


def test_an_ambiguous_finding_lists_every_candidate_and_its_evidence() -> None:
    first = Candidate("2026-03-01T21:04:00+00:00", "log 31.BIN", (EvidenceRef("sd", "31.BIN"),))
    second = Candidate({"lat": 36.5, "lon": -6.25}, "log 32.BIN", (EvidenceRef("sd", "32.BIN"),))
    finding = ambiguous_finding("takeoff_utc", "When?", [first, second], "two flights entered")
    assert finding.value == AMBIGUOUS and is_ambiguous(finding)
    assert finding.detail.startswith("AMBIGUOUS: 2 candidates. two flights entered. ")
    assert "(2) 36.500000, -6.250000: log 32.BIN" in finding.detail
    assert [e.path for e in finding.evidence] == ["31.BIN", "32.BIN"]
    assert [c["detail"] for c in finding.extra["candidates"]] == ["log 31.BIN", "log 32.BIN"]
    assert not is_ambiguous(Finding("x", "?", "settled"))
