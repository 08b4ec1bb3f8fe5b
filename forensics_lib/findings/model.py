"""The generic findings model: a fact an investigation establishes, with the evidence behind it.

A :class:`Finding` answers one question of a case (which aircraft, when did it take off,
which SIP account did the contraband phone use...). Its ``id`` is the answer-key field it
answers, so a generated case can be checked finding by finding; its ``evidence`` names
where the fact comes from (exhibit, path inside the exhibit, row or byte offset, the
exhibit's SHA-256 from the acquisition manifest), which is what a court asks first.

Findings are plain data: :mod:`forensics_lib.report` renders them (HTML, CASE/UCO), the CLI
prints them, notebooks show them as a DataFrame (:func:`findings_frame`). Nothing here knows
a scenario: the questions of one kind of case are a playbook
(:mod:`forensics_lib.findings.playbooks`).

Where the evidence alone cannot settle a question (two flights that both crossed the
perimeter, one number held by two contact cards), a playbook does not choose: it returns a
finding whose value is :data:`AMBIGUOUS`, lists the candidates in ``extra["candidates"]``
(each with its own value and evidence) and cites the evidence of all of them
(:func:`ambiguous_finding`). An investigator settles it with what the exhibits do not hold
(the brief, a statement, a patrol log), never the tool.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = [
    "AMBIGUOUS",
    "UNVERIFIED_NOTE",
    "Candidate",
    "EvidenceRef",
    "Finding",
    "ambiguous_finding",
    "findings_frame",
    "is_ambiguous",
]


#: How a citation of bytes that hashes.json does not list is marked, wherever it is shown.
UNVERIFIED_NOTE = "unverified (not in hashes.json)"


@dataclass(frozen=True)
class EvidenceRef:
    """Where a fact was read: an exhibit, a path inside it and a row or byte offset."""

    exhibit: str
    path: str | None = None  # the artifact's source_path inside the exhibit
    row_id: int | None = None  # SQLite rowid / record number, when the source has rows
    offset: int | None = None  # byte offset, when the source is a binary stream
    sha256: str | None = None  # the exhibit's hash from hashes.json
    artifact: str | None = None  # registry id, e.g. "android.sms"
    # False for bytes hashes.json does not list (read only with include_unlisted)
    verified: bool = True

    def locator(self) -> str:
        """``path`` plus ``row N`` or ``offset 0x..`` in words, and ``unverified`` for a
        file the acquisition manifest does not list."""
        parts = [self.path or self.exhibit]
        if self.row_id is not None:
            parts.append(f"row {self.row_id}")
        if self.offset is not None:
            parts.append(f"offset {self.offset:#x}")
        if not self.verified:
            parts.append(UNVERIFIED_NOTE)
        return ", ".join(parts)


@dataclass(frozen=True)
class Finding:
    """One established fact."""

    id: str  # stable key: the answer-key field it answers, e.g. "takeoff_utc"
    title: str  # the question in words: "When did the drone take off?"
    value: Any  # JSON-ready: str, number, bool, ISO-8601 UTC text, list or dict of those
    detail: str = ""  # how it was established, in a sentence an examiner can repeat in court
    evidence: tuple[EvidenceRef, ...] = ()
    section: str = "case"  # drone | phone | voip | case: groups findings in a report
    extra: Mapping[str, Any] = field(default_factory=dict)  # e.g. {"lat":..,"lon":..} for maps


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """The findings as a table: id, section, title, value, detail, evidence (as text)."""
    rows = [
        {
            "id": f.id,
            "section": f.section,
            "title": f.title,
            "value": f.value,
            "detail": f.detail,
            "evidence": "; ".join(f"{e.exhibit}: {e.locator()}" for e in f.evidence),
        }
        for f in findings
    ]
    columns = ["id", "section", "title", "value", "detail", "evidence"]
    return pd.DataFrame(rows, columns=columns)


#: The value of a finding the evidence alone cannot settle (its candidates are in ``extra``).
AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class Candidate:
    """One possible answer to a question the evidence alone cannot settle."""

    value: Any  # JSON-ready, as a Finding's value
    detail: str  # what sets it apart from the other candidates
    evidence: tuple[EvidenceRef, ...] = ()


def ambiguous_finding(
    id: str,
    title: str,
    candidates: Sequence[Candidate],
    why: str,
    section: str = "case",
) -> Finding:
    """A finding that lists ``candidates`` and says it is ambiguous instead of choosing.

    ``why`` says what the evidence cannot decide and what would (e.g. "both flights entered
    the perimeter; the time the patrol heard the drone decides"). The evidence of every
    candidate is cited, so the report shows where each comes from."""
    listed = "; ".join(f"({n}) {_short(c.value)}: {c.detail}" for n, c in
                       enumerate(candidates, 1))  # fmt: skip
    detail = f"AMBIGUOUS: {len(candidates)} candidates. {why}. Candidates: {listed}"
    evidence = tuple(e for c in candidates for e in c.evidence)
    extra = {
        "ambiguous": True,
        "candidates": [{"value": c.value, "detail": c.detail} for c in candidates],
    }
    return Finding(id, title, AMBIGUOUS, detail, evidence, section, extra)


def is_ambiguous(finding: Finding) -> bool:
    """Whether ``finding`` lists candidates instead of an answer."""
    return bool(finding.extra.get("ambiguous")) or finding.value == AMBIGUOUS


def _short(value: Any) -> str:
    if isinstance(value, dict) and {"lat", "lon"} <= value.keys():
        return f"{value['lat']:.6f}, {value['lon']:.6f}"
    return str(value)
