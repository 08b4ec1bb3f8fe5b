"""Run every applicable registered parser over an exhibit.

An artifact applies to a file of the exhibit when the file's device path matches one of
the artifact's ``globs``, or, for a file matched by no glob, when its first bytes match
one of the artifact's ``magic`` signatures. A parser may also declare a
:class:`ContentRule` (:func:`by_content`): the files under the rule's folders whose first
bytes the rule accepts are read too, whatever their names, so a renamed file is found (a
flight log saved as ``Download/backup_0412.dat``). A file that fails to parse is recorded in
:attr:`ScanResult.problems` and announced with a :class:`ForensicsWarning`; the scan goes
on with the next file (dissect.target's habit).

Archives inside the exhibit (a phone extraction zipped in a folder of exhibits) are not
opened by the scan: :attr:`ScanResult.archives` lists them, and
:func:`forensics_lib.case.as_case` reads each as its own exhibit.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import pandas as pd

from forensics_lib import registry, timeline
from forensics_lib.errors import ForensicsError, ForensicsWarning
from forensics_lib.evidence import Evidence, EvidenceFile, Member, glob_regex
from forensics_lib.schema import ArtifactSpec
from forensics_lib.sources import MemberLike

__all__ = [
    "HEAD_BYTES",
    "ContentRule",
    "ScanResult",
    "archive_members",
    "by_content",
    "candidates",
    "content_rule",
    "is_archive",
    "parse_all",
    "scan",
    "sniffed",
]

#: How many first bytes of a file magic signatures and content rules are tested against.
HEAD_BYTES = 512
_MAGIC_READ = HEAD_BYTES
_RULE_ATTR = "__content_rule__"

# Containers an exhibit folder may hold (by content): zip, tar (POSIX/GNU), and a compressed
# stream when the name says it is a tar (a lone .gz may be anything).
_ZIP_HEADS = (b"PK\x03\x04", b"PK\x05\x06")
_COMPRESSED_HEADS = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")
_TAR_NAMES = re.compile(r"\.(tar(\.[a-z0-9]+)?|tgz|tbz2?|txz)$", re.IGNORECASE)
# Zip-based files that are documents or apps, not exhibits.
_NOT_EXHIBITS = re.compile(
    r"\.(apk|aab|jar|ipa|docx|xlsx|pptx|odt|ods|odp|epub|kmz|xpi)$", re.IGNORECASE
)

F = TypeVar("F", bound=Callable[..., pd.DataFrame])


@dataclass(frozen=True)
class ContentRule:
    """Where to look for an artifact's files by content, and how to tell one.

    A renamed file escapes every glob. The files under ``where`` (device-path globs of the
    user's folders, which keeps the cost bounded: one read of :data:`HEAD_BYTES` bytes per
    file there) with at least ``min_size`` bytes and whose first bytes ``sniff(head, size)``
    accepts are read as well. One that ``sniff`` accepts but is over ``max_size`` bytes is
    announced and left out (its parser reads it whole).
    """

    where: tuple[str, ...]
    sniff: Callable[[bytes, int], bool]
    min_size: int = 1
    max_size: int = 1 << 30


def by_content(rule: ContentRule) -> Callable[[F], F]:
    """Mark a parser (already marked with :func:`~forensics_lib.registry.artifact`) as also
    reading the files ``rule`` recognises by content; the function is returned unchanged."""

    def mark(func: F) -> F:
        setattr(func, _RULE_ATTR, rule)
        return func

    return mark


def content_rule(art: registry.Artifact) -> ContentRule | None:
    """The :class:`ContentRule` of a registered artifact's parser, if it declares one."""
    rule = getattr(art.parse, _RULE_ATTR, None)
    return rule if isinstance(rule, ContentRule) else None


@dataclass
class ScanResult:
    """What :func:`scan` found in one exhibit."""

    exhibit: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    #: Members that are archives (zip, tar): the scan does not open them.
    archives: list[Member] = field(default_factory=list)

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


def sniffed(
    spec: ArtifactSpec,
    rule: ContentRule,
    members: Iterable[tuple[str, int | None]],
    head: Callable[[str], bytes],
    *,
    stacklevel: int = 2,
) -> list[str]:
    """The device paths among ``members`` (path, size) that ``rule`` finds by content: under
    its folders, of a size it allows, with first bytes (``head(path)``) it accepts. One too
    large to read is announced with a :class:`ForensicsWarning` and left out."""
    patterns = [glob_regex(g) for g in rule.where]
    found = []
    for path, size in members:
        if not any(p.fullmatch(path) for p in patterns):
            continue
        length = size if size is not None else 0
        if length < rule.min_size or not rule.sniff(head(path), length):
            continue
        if length > rule.max_size:
            warnings.warn(
                f"{spec.id}: {path} looks like one by its content but holds {length} bytes, "
                f"more than the {rule.max_size} read by content: not read",
                ForensicsWarning,
                stacklevel=stacklevel + 1,
            )
            continue
        found.append(path)
    return found


def candidates(
    evidence: Evidence,
    spec: ArtifactSpec,
    heads: Callable[[Member], bytes] | None = None,
    rule: ContentRule | None = None,
) -> list[EvidenceFile]:
    """Files of ``evidence`` that ``spec``'s parser should read: those its globs match,
    or, when none do, those whose first bytes carry one of its magic signatures; and with a
    content ``rule``, the files the rule recognises by content (:func:`sniffed`)."""
    chosen: dict[str, EvidenceFile] = {}
    for pattern in spec.globs:
        for member in evidence.glob(pattern):
            if not member.is_dir:
                chosen.setdefault(member.path, evidence.file(member))
    head = heads or _Heads(evidence)
    if spec.magic and not chosen:
        for member in evidence.files():
            if _magic_matches(spec, head(member)):
                chosen.setdefault(member.path, evidence.file(member))
    if rule is not None:
        # In container order: a compressed tar is read forwards, not seeked back and forth.
        others = sorted(
            (m for m in evidence.files() if m.path not in chosen and not m.is_link),
            key=lambda m: (m.offset or 0, m.path),
        )
        by_path = {m.path: m for m in others}
        for path in sniffed(
            spec, rule, ((m.path, m.size) for m in others), lambda p: head(by_path[p])
        ):
            chosen[path] = evidence.file(by_path[path])
    return [chosen[k] for k in sorted(chosen)]


def is_archive(path: str, head: bytes) -> bool:
    """Whether a file (its name and first bytes) is a zip or tar that could be an exhibit."""
    if _NOT_EXHIBITS.search(path):
        return False
    if head[:4] in _ZIP_HEADS or head[257:262] == b"ustar":
        return True
    return head.startswith(_COMPRESSED_HEADS) and bool(_TAR_NAMES.search(path))


def archive_members(
    evidence: Evidence, heads: Callable[[Member], bytes] | None = None
) -> list[Member]:
    """The members of ``evidence`` that are archives (zip, tar), by content."""
    head = heads or _Heads(evidence)
    return [m for m in evidence.files() if not m.is_link and is_archive(m.path, head(m))]


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
            sources = candidates(evidence, art.spec, heads, content_rule(art))
            frames = parse_all(art, sources, result.problems, stacklevel=2)
            if frames:
                result.frames[art.id] = pd.concat(frames, ignore_index=True)
        if evidence.kind in ("directory", "zip", "tar"):
            result.archives = archive_members(evidence, heads)
        return result
    finally:
        if owned:
            evidence.close()
