"""Findings: the facts an investigation establishes, each with the evidence behind it.

A :class:`Finding` answers one question of a case (which aircraft, when did it take off,
which SIP account did the contraband phone use...). Its ``id`` is the answer-key field it
answers, so a generated case can be checked finding by finding; its ``evidence`` names
where the fact comes from (exhibit, path inside the exhibit, row or byte offset, the
exhibit's SHA-256 from the acquisition manifest), which is what a court asks first.

Findings are plain data: :mod:`forensics_lib.report` renders them (HTML, CASE/UCO), the CLI
prints them, notebooks show them as a DataFrame (:func:`findings_frame`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["EvidenceRef", "Finding", "findings_frame"]


@dataclass(frozen=True)
class EvidenceRef:
    """Where a fact was read: an exhibit, a path inside it and a row or byte offset."""

    exhibit: str
    path: str | None = None  # the artifact's source_path inside the exhibit
    row_id: int | None = None  # SQLite rowid / record number, when the source has rows
    offset: int | None = None  # byte offset, when the source is a binary stream
    sha256: str | None = None  # the exhibit's hash from hashes.json
    artifact: str | None = None  # registry id, e.g. "android.sms"

    def locator(self) -> str:
        """``path`` plus ``row N`` or ``offset 0x..`` in words."""
        parts = [self.path or self.exhibit]
        if self.row_id is not None:
            parts.append(f"row {self.row_id}")
        if self.offset is not None:
            parts.append(f"offset {self.offset:#x}")
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
