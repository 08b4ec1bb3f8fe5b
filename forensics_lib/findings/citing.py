"""Citing evidence: what every playbook needs to point a finding at its bytes.

The acquisition manifest's hashes (:func:`exhibit_hashes`), an :class:`EvidenceRef` maker
that fills in the exhibit's hash and flags bytes the manifest does not list
(:func:`ref_maker`), and the small converters findings use (row ids, UTC text). Generic:
nothing here knows a scenario.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from forensics_lib.case import Case
from forensics_lib.findings.model import UNVERIFIED_NOTE, EvidenceRef, Finding

__all__ = ["case_frame", "exhibit_hashes", "flag_unverified", "int_or_none", "iso_utc", "ref_maker"]


def exhibit_hashes(root: Path) -> dict[str, str]:
    """SHA-256 by path relative to the case folder, from ``hashes.json`` (empty if absent)."""
    manifest = root / "hashes.json"
    if not manifest.is_file():
        return {}
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return {str(f["path"]): str(f["sha256"]) for f in data.get("files", []) if "sha256" in f}


def ref_maker(case: Case) -> Callable[..., EvidenceRef]:
    """A function making EvidenceRefs of ``case``: the exhibit's hash from hashes.json, and
    ``verified=False`` for bytes it does not list."""
    hashes = exhibit_hashes(case.root)

    def ref(exhibit: str, path: object = None, *, row_id: object = None, offset: object = None,
            artifact: str | None = None) -> EvidenceRef:  # fmt: skip
        text = None if path is None or pd.isna(path) else str(path)  # type: ignore[call-overload]
        digest = hashes.get(exhibit)
        if digest is None and text:
            digest = hashes.get(f"{exhibit}/{text.lstrip('/')}")
        unverified = case.cites_unverified(exhibit, text)
        return EvidenceRef(
            exhibit=exhibit,
            path=text,
            row_id=int_or_none(row_id),
            offset=int_or_none(offset),
            sha256=None if unverified else digest,
            artifact=artifact,
            verified=not unverified,
        )

    return ref


def int_or_none(value: object) -> int | None:
    """``value`` as an int, or None when it is missing or not a number."""
    if value is None:
        return None
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return None
        return int(value)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        return None


def iso_utc(value: object) -> str | None:
    """A time as ISO 8601 text in UTC (None when missing)."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    return pd.Timestamp(value).tz_convert("UTC").isoformat()  # type: ignore[arg-type]


def case_frame(case: Case, *ids: str) -> pd.DataFrame:
    """The case's tables of the artifacts ``ids``, concatenated (empty if none holds rows)."""
    parts = [case.frame(i) for i in ids]
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def flag_unverified(finding: Finding) -> Finding:
    """A finding that cites unverified bytes says so in its detail too."""
    if all(e.verified for e in finding.evidence):
        return finding
    note = f"cites evidence {UNVERIFIED_NOTE}"
    detail = f"{finding.detail} ({note})" if finding.detail else note
    return dataclasses.replace(finding, detail=detail)
