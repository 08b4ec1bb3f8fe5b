"""A case folder: every exhibit, verified first, read into one timeline.

A case folder holds the exhibits (each a top-level file or folder), the acquisition
manifest ``hashes.json`` and the chain of custody ``custody.jsonl``; ``brief.md``,
``perimeter.geojson`` and answer keys are case papers, not exhibits.

:func:`open_case` refuses to read anything before the manifest verifies
(:class:`~forensics_lib.errors.EvidenceIntegrityError` names the first file that differs),
checks the custody chain, then reads each exhibit with the reader that recognises it: a
phone extraction through :func:`forensics_lib.phone.open_extraction`, anything else
through the registry's scanner (drone logs, captures, photos...). A broken exhibit is
recorded in :attr:`Case.problems` and the others are still read.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from forensics_lib import timeline
from forensics_lib.custody import CustodyLog, read_custody_log
from forensics_lib.errors import ForensicsError, ForensicsWarning, UnsupportedFormat
from forensics_lib.hashing import verify_manifest

__all__ = ["CASE_PAPERS", "Case", "Exhibit", "open_case"]

# Files of a case folder that are not exhibits.
CASE_PAPERS = frozenset(
    {
        "hashes.json",
        "custody.jsonl",
        "brief.md",
        "perimeter.geojson",
        "answer_key.json",
        "wordlist.txt",
    }
)


@dataclass
class Exhibit:
    """One exhibit of a case and what its readers found."""

    name: str
    path: Path
    reader: str  # "phone" or "scan"
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    timeline: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class Case:
    """A verified case folder, read."""

    root: Path
    exhibits: dict[str, Exhibit]
    custody: pd.DataFrame
    timeline: pd.DataFrame
    problems: list[tuple[str, str]]

    def frame(self, artifact_id: str) -> pd.DataFrame:
        """Every exhibit's rows of one artifact, with an ``exhibit`` column in front."""
        parts = [
            ex.frames[artifact_id].assign(exhibit=name)
            for name, ex in self.exhibits.items()
            if artifact_id in ex.frames
        ]
        if not parts:
            return pd.DataFrame()
        merged = pd.concat(parts, ignore_index=True)
        return merged[["exhibit", *[c for c in merged.columns if c != "exhibit"]]]


def _exhibit_paths(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.iterdir()
        if p.name not in CASE_PAPERS
        and not p.name.startswith(".")
        and not p.name.endswith(".answer_key.json")
    )


def _read_phone(path: Path) -> Exhibit | None:
    from forensics_lib.phone import open_extraction

    try:
        extraction = open_extraction(path)
    except UnsupportedFormat:
        return None
    frames = extraction.read_all()
    return Exhibit(
        name=path.name,
        path=path,
        reader="phone",
        frames=frames,
        timeline=timeline.build({path.name: list(frames.values())}),
    )


def _read_scan(path: Path) -> Exhibit:
    from forensics_lib.scan import scan

    result = scan(path, name=path.name)
    return Exhibit(
        name=path.name,
        path=path,
        reader="scan",
        frames=result.frames,
        timeline=result.timeline(),
    )


def open_case(root: str | os.PathLike[str], *, verify: bool = True) -> Case:
    """Verify a case folder's manifest and custody chain, then read every exhibit."""
    base = Path(root)
    if not base.is_dir():
        raise FileNotFoundError(f"{base}: no such case folder")
    if verify:
        manifest = base / "hashes.json"
        if not manifest.is_file():
            raise ForensicsError(
                f"{base}: no hashes.json; without the acquisition manifest the exhibits "
                "cannot be verified (open_case(..., verify=False) reads them unverified)"
            )
        verify_manifest(manifest, check_extra=False).raise_for_problems()
    custody_path = base / "custody.jsonl"
    custody = pd.DataFrame()
    if custody_path.is_file():
        CustodyLog(custody_path).verify()
        custody = read_custody_log(custody_path)
    exhibits: dict[str, Exhibit] = {}
    problems: list[tuple[str, str]] = []
    for path in _exhibit_paths(base):
        try:
            exhibits[path.name] = _read_phone(path) or _read_scan(path)
        except ForensicsError as exc:
            problems.append((path.name, str(exc)))
            warnings.warn(f"{path.name}: not read: {exc}", ForensicsWarning, stacklevel=2)
    parts = [ex.timeline for ex in exhibits.values() if not ex.timeline.empty]
    if not custody.empty:
        parts.append(timeline.build({"custody": custody}))
    return Case(
        root=base,
        exhibits=exhibits,
        custody=custody,
        timeline=timeline.build(parts),
        problems=problems,
    )
