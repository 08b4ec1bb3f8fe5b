"""Run every applicable registered parser over an exhibit.

An artifact applies to a file of the exhibit when the file's device path matches one of
the artifact's ``globs``, or, for a file matched by no glob, when its first bytes match
one of the artifact's ``magic`` signatures. A parser may also declare a
:class:`ContentRule` (:func:`by_content`): the files under the rule's folders whose first
bytes the rule accepts are read too, whatever their names, so a renamed file is found (a
flight log saved as ``Download/backup_0412.dat``). A file that fails to parse is recorded in
:attr:`ScanResult.problems` and announced with a :class:`ForensicsWarning`; the scan goes
on with the next file (dissect.target's habit).

A SQLite database no glob claims (a loose ``msgstore.db``, ``sms.db`` or ``History`` in a
folder of mixed evidence, with no extraction around it) is recognised by its schema, the
tables and columns :data:`forensics_lib.phone.extraction.SCHEMA_SIGNATURES` declares (plaso's
``REQUIRED_STRUCTURE``), read by that artifact's parser, announced, and listed in
:attr:`ScanResult.by_schema`. Files the caller excludes (not in the acquisition manifest) are
never opened, not even for their first bytes, and a database's excluded ``-wal`` is as if
absent (:class:`ExcludingFile`).

Archives inside the exhibit (a phone extraction zipped in a folder of exhibits) are not
opened by the scan: :attr:`ScanResult.archives` lists them, and
:func:`forensics_lib.case.as_case` reads each as its own exhibit.

Nothing is left out silently: :attr:`ScanResult.files` names the files each artifact's parser
read (an artifact whose files held no row is there with no frame), :attr:`ScanResult.unread`
the files no parser recognised, and :attr:`ScanResult.warnings` every warning a parser gave
(a truncated log, a skipped record), by artifact.
"""

from __future__ import annotations

import inspect
import os
import re
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pandas as pd

from forensics_lib import timeline
from forensics_lib.core import registry
from forensics_lib.core.errors import ForensicsError, ForensicsWarning
from forensics_lib.core.evidence import Evidence, EvidenceFile, Member, glob_regex
from forensics_lib.core.schema import ArtifactSpec
from forensics_lib.sources import MemberLike

__all__ = [
    "HEAD_BYTES",
    "UNREAD_REASON",
    "ContentRule",
    "ExcludingFile",
    "ScanResult",
    "archive_members",
    "by_content",
    "candidates",
    "collect_warnings",
    "content_rule",
    "excluding",
    "is_archive",
    "parse_all",
    "scan",
    "schema_matches",
    "sniffed",
    "unread_files",
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

#: Why a file of an exhibit was not read, when no parser recognised it.
UNREAD_REASON = "no reader recognises it (by name or by content)"
# A SQLite database's companions are read with it (sqlite.py opens them beside the copy).
_COMPANIONS = ("-wal", "-shm", "-journal")


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
    """Mark a parser (already marked with :func:`~forensics_lib.core.registry.artifact`) as also
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
    #: The files (display paths) each artifact's parser read, by artifact id.
    files: dict[str, list[str]] = field(default_factory=dict)
    #: Files no parser recognised: (display path, reason).
    unread: list[tuple[str, str]] = field(default_factory=list)
    #: The warnings each artifact's parser gave, by artifact id (also re-issued).
    warnings: dict[str, list[str]] = field(default_factory=dict)
    #: Loose app databases at no known device path, recognised by their schema (tables and
    #: columns, :data:`forensics_lib.phone.extraction.SCHEMA_SIGNATURES`): artifact id ->
    #: the files (display paths) read that way.
    by_schema: dict[str, list[str]] = field(default_factory=dict)

    def timeline(self) -> pd.DataFrame:
        return timeline.build({self.exhibit: list(self.frames.values())})


@dataclass(frozen=True)
class ExcludingFile(EvidenceFile):
    """A file of an exhibit whose companions named in ``excluded`` (device paths: files the
    acquisition manifest does not list) are as if absent: never opened, never copied. A
    stray ``-wal`` beside a listed database would otherwise change what the database shows
    (SQLite applies it), so the database is read as listed: its :meth:`sibling` does not
    see it, and in a folder exhibit it is read from a private copy without it (sqlite.py
    reads a database in place with whatever companions lie beside it)."""

    excluded: frozenset[str] = frozenset()

    def _hidden(self, suffix: str) -> bool:
        return self.member.path + suffix in self.excluded

    def sibling(self, suffix: str) -> EvidenceFile | None:
        if self._hidden(suffix):
            return None
        found = super().sibling(suffix)
        return None if found is None else ExcludingFile(found.evidence, found.member, self.excluded)

    def local_path(self) -> Path | None:
        if any(self._hidden(s) for s in _COMPANIONS):
            return None  # not in place: a copy without the excluded companion
        return super().local_path()

    def materialize(self, siblings: Sequence[str] = ()) -> Path:
        return super().materialize([s for s in siblings if not self._hidden(s)])


def excluding(files: Iterable[EvidenceFile], exclude: Collection[str]) -> list[EvidenceFile]:
    """``files`` without those whose device paths ``exclude`` names, each as an
    :class:`ExcludingFile` (its excluded companions as if absent) when there are any."""
    if not exclude:
        return list(files)
    excluded = frozenset(exclude)
    return [
        ExcludingFile(f.evidence, f.member, excluded)
        for f in files
        if f.member.path not in excluded
    ]


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
    exclude: Collection[str] = (),
) -> list[EvidenceFile]:
    """Files of ``evidence`` that ``spec``'s parser should read: those its globs match,
    or, when none do, those whose first bytes carry one of its magic signatures; and with a
    content ``rule``, the files the rule recognises by content (:func:`sniffed`). The files
    whose device paths ``exclude`` names are never opened, not even for their first bytes,
    and the others come as :class:`ExcludingFile` (an excluded ``-wal`` is as if absent)."""
    chosen: dict[str, EvidenceFile] = {}
    for pattern in spec.globs:
        for member in evidence.glob(pattern):
            if not member.is_dir and member.path not in exclude:
                chosen.setdefault(member.path, evidence.file(member))
    head = heads or _Heads(evidence)
    if spec.magic and not chosen:
        for member in evidence.files():
            if member.path not in exclude and _magic_matches(spec, head(member)):
                chosen.setdefault(member.path, evidence.file(member))
    if rule is not None:
        # In container order: a compressed tar is read forwards, not seeked back and forth.
        others = sorted(
            (
                m
                for m in evidence.files()
                if m.path not in chosen and not m.is_link and m.path not in exclude
            ),
            key=lambda m: (m.offset or 0, m.path),
        )
        by_path = {m.path: m for m in others}
        for path in sniffed(
            spec, rule, ((m.path, m.size) for m in others), lambda p: head(by_path[p])
        ):
            chosen[path] = evidence.file(by_path[path])
    return excluding((chosen[k] for k in sorted(chosen)), exclude)


def is_archive(path: str, head: bytes) -> bool:
    """Whether a file (its name and first bytes) is a zip or tar that could be an exhibit."""
    if _NOT_EXHIBITS.search(path):
        return False
    if head[:4] in _ZIP_HEADS or head[257:262] == b"ustar":
        return True
    return head.startswith(_COMPRESSED_HEADS) and bool(_TAR_NAMES.search(path))


def archive_members(
    evidence: Evidence,
    heads: Callable[[Member], bytes] | None = None,
    exclude: Collection[str] = (),
) -> list[Member]:
    """The members of ``evidence`` that are archives (zip, tar), by content (the members
    ``exclude`` names are not opened)."""
    head = heads or _Heads(evidence)
    return [
        m
        for m in evidence.files()
        if not m.is_link and m.path not in exclude and is_archive(m.path, head(m))
    ]


@contextmanager
def collect_warnings(into: list[str]) -> Iterator[None]:
    """Record the text of every :class:`ForensicsWarning` issued inside the block in
    ``into``, and re-issue every warning when the block ends (so the caller's filters, a
    test's ``pytest.warns`` or the CLI's printer, still see them, from where they were
    issued). A summary can then say which warnings an exhibit's reading gave."""
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as recorded:
            warnings.simplefilter("always")
            caught = recorded if recorded is not None else []
            yield
    finally:
        for item in caught:
            if issubclass(item.category, ForensicsWarning):
                into.append(str(item.message))
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)


def _accepts_zone(parse: Callable[..., pd.DataFrame]) -> bool:
    try:
        return "zone" in inspect.signature(parse).parameters
    except (TypeError, ValueError):
        return False


def parse_all(
    art: registry.Artifact,
    sources: Iterable[MemberLike],
    problems: list[tuple[str, str, str]],
    *,
    stacklevel: int = 2,
    zone: str | None = None,
) -> list[pd.DataFrame]:
    """Run ``art``'s parser over every source: a file that fails is recorded in
    ``problems`` (artifact, file, reason) and announced with a :class:`ForensicsWarning`
    (``stacklevel`` counted from the caller), and the others go on. ``zone`` (IANA) is
    passed to the parsers that take one (EXIF and SRT local wall times). Returns the
    non-empty frames."""
    options = {"zone": zone} if zone is not None and _accepts_zone(art.parse) else {}
    frames = []
    for source in sources:
        try:
            frames.append(art.parse(source, **options))
        except ForensicsError as exc:
            problems.append((art.id, source.display_path, str(exc)))
            warnings.warn(
                f"{art.id}: skipped {source.display_path}: {exc}",
                ForensicsWarning,
                stacklevel=stacklevel + 1,
            )
    return [f for f in frames if not f.empty]


def unread_files(
    evidence: Evidence, read: Collection[str], skip: Collection[str] = ()
) -> list[Member]:
    """The regular files of ``evidence`` whose device path is neither in ``read`` (nor a
    ``-wal``/``-shm``/``-journal`` companion of one) nor in ``skip``."""
    return [
        m
        for m in evidence.files()
        if m.path not in read
        and m.path not in skip
        and not any(m.path.endswith(s) and m.path[: -len(s)] in read for s in _COMPANIONS)
    ]


def schema_matches(
    evidence: Evidence,
    skip: Collection[str] = (),
    exclude: Collection[str] = (),
    heads: Callable[[Member], bytes] | None = None,
) -> list[tuple[EvidenceFile, list[str]]]:
    """The SQLite databases of ``evidence`` (neither in ``skip`` nor in ``exclude``, nor a
    ``-wal``/``-journal`` companion) whose tables and columns match the schema signature of
    registered phone artifacts (plaso's ``REQUIRED_STRUCTURE``: a loose ``msgstore.db`` or
    ``sms.db`` with no extraction around it), each with those artifact ids. A database that
    cannot be opened, or of no known schema, is not returned (it stays unread)."""
    from forensics_lib.core.sqlite import SQLITE_MAGIC, open_sqlite
    from forensics_lib.phone.extraction import schema_artifacts

    head = heads or _Heads(evidence)
    known = {a.id for a in registry.artifacts()}
    found: list[tuple[EvidenceFile, list[str]]] = []
    for member in unread_files(evidence, skip, exclude):
        if member.is_link or member.path.endswith(_COMPANIONS) or (member.size or 0) < 512:
            continue
        if not head(member).startswith(SQLITE_MAGIC):
            continue
        source = excluding([evidence.file(member)], exclude)[0]
        try:
            # A damaged -wal is announced by the reader that reads it; not twice.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ForensicsWarning)
                with open_sqlite(source) as db:
                    ids = [i for i in schema_artifacts(db) if i in known]
        except ForensicsError:
            continue
        if ids:
            found.append((source, ids))
    return found


def _read_by_schema(
    evidence: Evidence,
    result: ScanResult,
    claimed: set[str],
    skip: Collection[str],
    exclude: Collection[str],
    artifact_ids: Sequence[str] | None,
    heads: Callable[[Member], bytes],
) -> None:
    """Read the loose app databases no glob claimed by their schema, into ``result``."""
    for source, ids in schema_matches(evidence, {*claimed, *skip}, exclude, heads):
        chosen = [i for i in ids if not artifact_ids or i in artifact_ids]
        if not chosen:
            continue
        claimed.add(source.member.path)
        note = (
            f"{source.display_path}: at no known device path; recognised by schema (tables "
            f"and columns) as {', '.join(chosen)}"
        )
        warnings.warn(note, ForensicsWarning, stacklevel=3)
        for artifact_id in chosen:
            art = registry.get(artifact_id)
            result.files.setdefault(artifact_id, []).append(source.display_path)
            result.by_schema.setdefault(artifact_id, []).append(source.display_path)
            said = [note]
            with collect_warnings(said):
                frames = parse_all(art, [source], result.problems, stacklevel=3)
            result.warnings.setdefault(artifact_id, []).extend(said)
            if frames:
                held = [result.frames[artifact_id]] if artifact_id in result.frames else []
                result.frames[artifact_id] = pd.concat([*held, *frames], ignore_index=True)


def scan(
    exhibit: str | os.PathLike[str] | Evidence,
    artifact_ids: Sequence[str] | None = None,
    *,
    name: str | None = None,
    zone: str | None = None,
    exclude: Collection[str] = (),
) -> ScanResult:
    """Parse every artifact of ``exhibit`` that a registered parser recognises.

    ``zone`` (IANA) is given to the parsers of local wall times (EXIF, SRT); the files whose
    device paths ``exclude`` names are not read at all (files of a case folder that its
    acquisition manifest does not list). A SQLite database no glob claimed whose tables and
    columns match a phone artifact's schema (:func:`schema_matches`) is read by that
    artifact's parser, announced, and listed in :attr:`ScanResult.by_schema`. With every
    artifact scanned, the files no parser recognised are listed in
    :attr:`ScanResult.unread`."""
    owned = not isinstance(exhibit, Evidence)
    evidence = Evidence(exhibit) if not isinstance(exhibit, Evidence) else exhibit
    try:
        result = ScanResult(exhibit=name or evidence.name)
        chosen = [registry.get(i) for i in artifact_ids] if artifact_ids else registry.artifacts()
        heads = _Heads(evidence)
        claimed: set[str] = set()
        for art in chosen:
            sources = candidates(evidence, art.spec, heads, content_rule(art), exclude)
            if not sources:
                continue
            claimed.update(f.member.path for f in sources)
            result.files[art.id] = [f.display_path for f in sources]
            said: list[str] = []
            with collect_warnings(said):
                frames = parse_all(art, sources, result.problems, stacklevel=2, zone=zone)
            if said:
                result.warnings[art.id] = said
            if frames:
                result.frames[art.id] = pd.concat(frames, ignore_index=True)
        if evidence.kind in ("directory", "zip", "tar"):
            result.archives = archive_members(evidence, heads, exclude)
        archives = {m.path for m in result.archives}
        _read_by_schema(evidence, result, claimed, archives, exclude, artifact_ids, heads)
        if not artifact_ids:
            result.unread = [
                (evidence.file(m).display_path, UNREAD_REASON)
                for m in unread_files(evidence, claimed, {*archives, *exclude})
            ]
        return result
    finally:
        if owned:
            evidence.close()
