"""Findings: the facts an investigation establishes, each with the evidence behind it.

The package holds the generic model (:mod:`.model`: :class:`Finding`, :class:`EvidenceRef`,
:func:`findings_frame`, ambiguous findings), the generic citing helpers (:mod:`.citing`:
hashes, evidence references) and one playbook per kind of case (:mod:`.playbooks`; today the
drone drop, :mod:`.playbooks.drone_drop` with its phone and capture questions in
:mod:`.playbooks.drone_drop_comms`). Every name the former ``forensics_lib.findings``
module offered is re-exported here, so ``from forensics_lib.findings import case_findings``
keeps working.
"""

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
from forensics_lib.findings.playbooks.drone_drop import (
    CaseFlight,
    case_findings,
    case_flight_logs,
    exhibit_hashes,
    flight_findings,
    message_findings,
    photo_findings,
    read_wordlist,
    voip_findings,
)

__all__ = [
    "AMBIGUOUS",
    "UNVERIFIED_NOTE",
    "Candidate",
    "CaseFlight",
    "EvidenceRef",
    "Finding",
    "ambiguous_finding",
    "case_findings",
    "case_flight_logs",
    "exhibit_hashes",
    "findings_frame",
    "flight_findings",
    "is_ambiguous",
    "message_findings",
    "photo_findings",
    "read_wordlist",
    "voip_findings",
]
