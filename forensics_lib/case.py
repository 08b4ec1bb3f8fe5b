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

:func:`as_case` reads any path the way ``forensics-lib timeline`` does: a case folder
(:func:`is_case_folder`) through :func:`open_case`, one exhibit (a file, an archive, an
extraction folder) as a case of one, and a plain folder as its own exhibit plus each zip or
tar inside it as an exhibit of its own.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from forensics_lib import registry, timeline
from forensics_lib.custody import CustodyLog, read_custody_log
from forensics_lib.errors import ForensicsError, ForensicsWarning, UnsupportedFormat
from forensics_lib.hashing import verify_manifest

__all__ = [
    "CASE_PAPERS",
    "Case",
    "Exhibit",
    "as_case",
    "is_case_folder",
    "open_case",
    "read_exhibit",
]

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
_EXHIBIT_NAME = re.compile(r"EXH-", re.IGNORECASE)
_CUSTODY = "custody.log"


@dataclass
class Exhibit:
    """One exhibit of a case and what its readers found."""

    name: str
    path: Path
    reader: str  # "phone" or "scan"
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    timeline: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Archives (zip, tar) inside a scanned exhibit, by stored name: not opened by the scan.
    archives: list[str] = field(default_factory=list)


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


def is_case_folder(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a case folder: a folder holding the acquisition manifest
    ``hashes.json``, or exhibits named ``EXH-...`` at its top."""
    base = Path(path)
    if not base.is_dir():
        return False
    return (base / "hashes.json").is_file() or any(
        _EXHIBIT_NAME.match(p.name) for p in _exhibit_paths(base)
    )


def _check_ids(artifact_ids: Sequence[str] | None) -> None:
    for artifact_id in artifact_ids or ():
        registry.get(artifact_id)  # KeyError naming the known ids


def _read_phone(path: Path, name: str, artifact_ids: Sequence[str] | None) -> Exhibit | None:
    from forensics_lib.phone import open_extraction

    try:
        extraction = open_extraction(path)
    except UnsupportedFormat:
        return None
    with extraction:
        held = extraction.artifacts()["artifact"].tolist()
        chosen = [i for i in held if artifact_ids is None or i in artifact_ids]
        frames = {i: extraction.read(i) for i in chosen}
        tl = timeline.build({name: list(frames.values())}, specs=extraction.specs())
    return Exhibit(name=name, path=path, reader="phone", frames=frames, timeline=tl)


def _read_scan(path: Path, name: str, artifact_ids: Sequence[str] | None) -> Exhibit:
    from forensics_lib.scan import scan

    result = scan(path, artifact_ids, name=name)
    return Exhibit(
        name=name,
        path=path,
        reader="scan",
        frames=result.frames,
        timeline=result.timeline(),
        archives=[m.name for m in result.archives],
    )


def read_exhibit(
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    artifact_ids: Sequence[str] | None = None,
) -> Exhibit:
    """Read one exhibit with the reader that recognises it: a phone extraction (Android,
    iOS, iTunes backup, UFDR) through :func:`forensics_lib.phone.open_extraction`, anything
    else through the registry's scanner. ``name`` labels its timeline rows (by default the
    file or folder name); ``artifact_ids`` keeps only those artifacts."""
    where = Path(path)
    if not where.exists():
        raise FileNotFoundError(f"{where}: no such file or folder")
    label = name or where.name
    return _read_phone(where, label, artifact_ids) or _read_scan(where, label, artifact_ids)


def _warn_archives(exhibit: Exhibit, stacklevel: int) -> None:
    for inner in exhibit.archives:
        warnings.warn(
            f"{exhibit.name}: archive {inner} inside it not opened (read it as an exhibit "
            "of its own)",
            ForensicsWarning,
            stacklevel=stacklevel + 1,
        )


def open_case(
    root: str | os.PathLike[str],
    *,
    verify: bool = True,
    artifact_ids: Sequence[str] | None = None,
) -> Case:
    """Verify a case folder's manifest and custody chain, then read every exhibit (only
    the artifacts ``artifact_ids`` names, when given; ``custody.log`` for the custody rows)."""
    base = Path(root)
    if not base.is_dir():
        raise FileNotFoundError(f"{base}: no such case folder")
    _check_ids(artifact_ids)
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
            exhibits[path.name] = read_exhibit(path, artifact_ids=artifact_ids)
        except ForensicsError as exc:
            problems.append((path.name, str(exc)))
            warnings.warn(f"{path.name}: not read: {exc}", ForensicsWarning, stacklevel=2)
            continue
        _warn_archives(exhibits[path.name], stacklevel=2)
    parts = [ex.timeline for ex in exhibits.values() if not ex.timeline.empty]
    if not custody.empty and (artifact_ids is None or _CUSTODY in artifact_ids):
        parts.append(timeline.build({"custody": custody}))
    return Case(
        root=base,
        exhibits=exhibits,
        custody=custody,
        timeline=timeline.build(parts),
        problems=problems,
    )


def as_case(
    path: str | os.PathLike[str],
    *,
    verify: bool = True,
    artifact_ids: Sequence[str] | None = None,
) -> Case:
    """Read any path as a case, the way ``forensics-lib timeline`` does.

    * A case folder (:func:`is_case_folder`) is read by :func:`open_case`: each exhibit by
      its own name, archives opened as extractions, the custody log on its own rows. Its
      ``hashes.json`` is verified first unless ``verify`` is false; one without a manifest
      (only ``EXH-...`` names) is read unverified, with a warning.
    * One exhibit (a file, a zip or tar, an extraction folder) is a case of one
      (:func:`read_exhibit`).
    * A plain folder is scanned as one exhibit, and each zip or tar inside it is read as an
      exhibit of its own, named by its path in the folder; one that cannot be read is
      announced with a :class:`~forensics_lib.errors.ForensicsWarning` naming it and listed
      in :attr:`Case.problems`.
    """
    where = Path(path)
    if is_case_folder(where):
        manifest = (where / "hashes.json").is_file()
        if verify and not manifest:
            warnings.warn(
                f"{where}: no hashes.json: its exhibits are read unverified",
                ForensicsWarning,
                stacklevel=2,
            )
        return open_case(where, verify=verify and manifest, artifact_ids=artifact_ids)
    _check_ids(artifact_ids)
    first = read_exhibit(where, artifact_ids=artifact_ids)
    exhibits = {first.name: first}
    problems: list[tuple[str, str]] = []
    if not where.is_dir():  # archives inside an archive: named, not opened
        _warn_archives(first, stacklevel=2)
    inner = first.archives if where.is_dir() else []
    for name in inner:
        try:
            exhibits[name] = read_exhibit(where / name, name=name, artifact_ids=artifact_ids)
        except ForensicsError as exc:
            problems.append((name, str(exc)))
            warnings.warn(f"{name}: archive not read: {exc}", ForensicsWarning, stacklevel=2)
    parts = [ex.timeline for ex in exhibits.values() if not ex.timeline.empty]
    return Case(
        root=where,
        exhibits=exhibits,
        custody=pd.DataFrame(),
        timeline=timeline.build(parts),
        problems=problems,
    )
