"""Run every applicable registered parser over an exhibit.

An artifact applies to a file of the exhibit when the file's device path matches one of
the artifact's ``globs``, or, for a file matched by no glob, when its first bytes match
one of the artifact's ``magic`` signatures. A file that fails to parse is recorded in
:attr:`ScanResult.problems` and announced with a :class:`ForensicsWarning`; the scan goes
on with the next file (dissect.target's habit).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from forensics_lib import registry, timeline
from forensics_lib.errors import ForensicsError, ForensicsWarning
from forensics_lib.evidence import Evidence, EvidenceFile, Member
from forensics_lib.schema import ArtifactSpec
from forensics_lib.sources import MemberLike

__all__ = ["ScanResult", "candidates", "parse_all", "scan"]

_MAGIC_READ = 512


@dataclass
class ScanResult:
    """What :func:`scan` found in one exhibit."""

    exhibit: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[tuple[str, str, str]] = field(default_factory=list)

    def timeline(self) -> pd.DataFrame:
        return timeline.build({self.exhibit: list(self.frames.values())})


def _magic_matches(spec: ArtifactSpec, head: bytes) -> bool:
    return any(head[off : off + len(sig)] == sig for off, sig in spec.magic)


class _Heads:
    """The first bytes of each file of an exhibit, read once however many parsers ask."""

    def __init__(self, evidence: Evidence) -> None:
        self._evidence = evidence
        self._cache: dict[Member, bytes] = {}

    def __call__(self, member: Member) -> bytes:
        if member not in self._cache:
            with self._evidence.open(member) as fh:
                self._cache[member] = fh.read(_MAGIC_READ)
        return self._cache[member]


def candidates(
    evidence: Evidence, spec: ArtifactSpec, heads: Callable[[Member], bytes] | None = None
) -> list[EvidenceFile]:
    """Files of ``evidence`` that ``spec``'s parser should read: those its globs match,
    or, when none do, those whose first bytes carry one of its magic signatures."""
    chosen: dict[str, EvidenceFile] = {}
    for pattern in spec.globs:
        for member in evidence.glob(pattern):
            if not member.is_dir:
                chosen.setdefault(member.path, evidence.file(member))
    if spec.magic and not chosen:
        head = heads or _Heads(evidence)
        for member in evidence.files():
            if _magic_matches(spec, head(member)):
                chosen.setdefault(member.path, evidence.file(member))
    return [chosen[k] for k in sorted(chosen)]


def parse_all(
    art: registry.Artifact,
    sources: Iterable[MemberLike],
    problems: list[tuple[str, str, str]],
    *,
    stacklevel: int = 2,
) -> list[pd.DataFrame]:
    """Run ``art``'s parser over every source: a file that fails is recorded in
    ``problems`` (artifact, file, reason) and announced with a :class:`ForensicsWarning`
    (``stacklevel`` counted from the caller), and the others go on. Returns the non-empty
    frames."""
    frames = []
    for source in sources:
        try:
            frames.append(art.parse(source))
        except ForensicsError as exc:
            problems.append((art.id, source.display_path, str(exc)))
            warnings.warn(
                f"{art.id}: skipped {source.display_path}: {exc}",
                ForensicsWarning,
                stacklevel=stacklevel + 1,
            )
    return [f for f in frames if not f.empty]


def scan(
    exhibit: str | os.PathLike[str] | Evidence,
    artifact_ids: Sequence[str] | None = None,
    *,
    name: str | None = None,
) -> ScanResult:
    """Parse every artifact of ``exhibit`` that a registered parser recognises."""
    owned = not isinstance(exhibit, Evidence)
    evidence = Evidence(exhibit) if not isinstance(exhibit, Evidence) else exhibit
    try:
        result = ScanResult(exhibit=name or evidence.name)
        chosen = [registry.get(i) for i in artifact_ids] if artifact_ids else registry.artifacts()
        heads = _Heads(evidence)
        for art in chosen:
            sources = candidates(evidence, art.spec, heads)
            frames = parse_all(art, sources, result.problems, stacklevel=2)
            if frames:
                result.frames[art.id] = pd.concat(frames, ignore_index=True)
        return result
    finally:
        if owned:
            evidence.close()
