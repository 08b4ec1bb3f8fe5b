"""The public API: :class:`Evidence` (an opened exhibit) and :class:`EvidenceFile` (one member,
streamed or materialised into a private temporary directory).
"""

from __future__ import annotations

import errno
import io
import itertools
import os
import shutil
import tempfile
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from forensics_lib.core.errors import (
    DecompressionLimitExceeded,
    ForensicsError,
    MemberNotFound,
    UnsafeMember,
)
from forensics_lib.core.evidence.containers import DirectoryBackend, open_backend
from forensics_lib.core.evidence.members import (
    CHUNK,
    DEFAULT_LIMITS,
    MAX_LINK_HOPS,
    AmbiguousMember,
    ExhibitKind,
    Limits,
    Member,
    glob_regex,
    logger,
    normalize_member_name,
    resolve_link_path,
    shared_components,
)
from forensics_lib.core.evidence.streams import Backend, GuardedStream

# --------------------------------------------------------------------------------------------
# Public API


@dataclass
class _Resources:
    """What close() (or the finalizer, if close() is forgotten) releases."""

    backend: Backend
    temp_root: Path | None = None

    def release(self) -> None:
        self.backend.close()
        if self.temp_root is not None:
            shutil.rmtree(self.temp_root, ignore_errors=True)
            if self.temp_root.exists():
                logger.warning("could not remove temporary directory %s", self.temp_root)
            self.temp_root = None


@dataclass(frozen=True)
class EvidenceFile:
    """One member bound to its exhibit: what parsers receive."""

    evidence: Evidence
    member: Member

    @property
    def path(self) -> str:
        """Normalised device path, e.g. ``/data/data/com.whatsapp/databases/msgstore.db``."""
        return self.member.path

    @property
    def display_path(self) -> str:
        """Where the bytes come from, e.g. ``exhibit.zip!/data/data/x.db``."""
        if self.evidence.kind == "file":
            return self.evidence.name
        return f"{self.evidence.name}!{self.member.path}"

    def open(self) -> BinaryIO:
        return self.evidence.open(self.member)

    def read_bytes(self) -> bytes:
        return self.evidence.read_bytes(self.member)

    def sibling(self, suffix: str) -> EvidenceFile | None:
        """The member whose path is this one's plus ``suffix`` (``-wal``), if present."""
        found = self.evidence._sibling(self.member, suffix)
        return None if found is None else EvidenceFile(self.evidence, found)

    def local_path(self) -> Path | None:
        """The file on disk when the exhibit is a folder or a single file (read it in
        place, read-only); None inside an archive (use :meth:`open` or :meth:`materialize`)."""
        return self.evidence._local_path(self.member)

    def materialize(self, siblings: Sequence[str] = ()) -> Path:
        """Copy to the exhibit's private temp directory (with the siblings that exist, e.g.
        ``("-wal", "-journal")``, beside it) and return the copy's path."""
        return self.evidence._materialize(self.member, siblings)


class Evidence:
    """An exhibit opened read-only: list, find and stream its members."""

    path: Path
    kind: ExhibitKind
    name: str
    limits: Limits

    def __init__(self, path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = Path(path)
        self.limits = limits
        if not self.path.exists():
            raise FileNotFoundError(
                errno.ENOENT,
                "exhibit not found (check the path, and that the evidence drive is mounted)",
                str(self.path),
            )
        self._real = self.path.resolve()
        self.name = self.path.name or self._real.name
        backend = open_backend(self.path, self._real)
        self.kind = backend.kind
        self._backend = backend
        self._resources = _Resources(backend)
        self._finalizer = weakref.finalize(self, self._resources.release)
        self._members: list[Member] | None = None
        self._known: set[Member] = set()
        self._by_basename: dict[str, list[Member]] = {}
        self._by_path: dict[str, list[Member]] = {}
        self._by_name: dict[str, list[Member]] = {}
        self._copies: dict[Member, Path] = {}  # member -> tree (under the temp root) of its copy
        self._owners: dict[Path, Member] = {}
        self._written = 0
        logger.debug("opened %s exhibit %s", self.kind, self.path)

    def __repr__(self) -> str:
        return f"Evidence({str(self.path)!r}, kind={self.kind!r})"

    def __enter__(self) -> Evidence:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the container and delete the private temp directory, if any."""
        self._finalizer()

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    # -- listing ------------------------------------------------------------------------------

    def members(self) -> list[Member]:
        """Files, directories and links, in container order (listed once, then cached)."""
        return list(self._listed())

    def _listed(self) -> list[Member]:
        if self._members is None:
            self._check_open()
            members = self._backend.list_members(self.limits)
            for member in members:
                base = member.path.rsplit("/", 1)[1]
                self._by_basename.setdefault(base, []).append(member)
                self._by_path.setdefault(member.path, []).append(member)
                self._by_name.setdefault(member.name, []).append(member)
            self._known = set(members)
            self._members = members
            logger.debug("%s: %d members", self.path, len(members))
        return self._members

    def files(self) -> list[Member]:
        """Regular files only (no directories, no links)."""
        return [m for m in self._listed() if not (m.is_dir or m.is_link)]

    def find(self, device_path: str) -> list[Member]:
        """Every member whose device path equals the normalised query or ends with it at a
        component boundary (extractions are nested under arbitrary folders)."""
        query = normalize_member_name(device_path)
        self._listed()
        if query == "/":
            return list(self._by_path.get("/", []))
        # "/private/var/x" also matches ".../var/x" under a folder the var rule cannot see.
        alt = query.removeprefix("/private") if query.startswith("/private/var/") else query
        candidates = self._by_basename.get(query.rsplit("/", 1)[1], [])
        return [m for m in candidates if m.path.endswith(query) or m.path.endswith(alt)]

    def member(self, device_path: str) -> Member:
        """Exactly one member matching ``device_path`` (see :meth:`find`)."""
        found = self.find(device_path)
        if not found:
            raise MemberNotFound(self.path, device_path)
        if len(found) > 1:
            raise AmbiguousMember(self.path, device_path, found)
        return found[0]

    def glob(self, pattern: str) -> list[Member]:
        """Members whose device path matches ``pattern``. ``*``, ``?`` and ``[...]`` stay
        within a component; a ``**`` component matches any depth, so
        ``"**/databases/mmssms.db"`` matches anywhere while ``"/data/*/x.db"`` is anchored
        at the device root."""
        regex = glob_regex(pattern)
        return [m for m in self._listed() if regex.fullmatch(m.path)]

    def exists(self, device_path: str) -> bool:
        return bool(self.find(device_path))

    # -- reading ------------------------------------------------------------------------------

    def file(self, device_path: str | Member) -> EvidenceFile:
        return EvidenceFile(self, self._lookup(device_path))

    def open(self, member: str | Member) -> BinaryIO:
        """Stream a member read-only straight from the container (links followed)."""
        self._check_open()
        requested = self._lookup(member)
        target = self._follow(requested)
        if target.is_dir:
            raise IsADirectoryError(errno.EISDIR, "member is a directory", requested.name)
        self._check_declared(target)
        raw = self._backend.open_member(target)
        guarded = GuardedStream(
            raw,
            exhibit=self.path,
            member=target,
            limit=self.limits.max_member_bytes,
            expected_size=target.size if self._backend.checks_length else None,
            errors=self._backend.stream_errors,
        )
        return io.BufferedReader(guarded)

    def read_bytes(self, member: str | Member) -> bytes:
        with self.open(member) as fh:
            return fh.read()

    # -- internals ----------------------------------------------------------------------------

    def _local_path(self, member: Member) -> Path | None:
        self._check_open()
        member = self._lookup(member)
        if isinstance(self._backend, DirectoryBackend):
            return self._backend.local_path(member)
        if self.kind == "file":
            return self._real
        return None

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError(f"{self.path}: Evidence is closed")

    def _lookup(self, member: str | Member) -> Member:
        if isinstance(member, str):
            return self.member(member)
        self._listed()
        if member not in self._known:
            raise MemberNotFound(self.path, member.name)
        return member

    def _follow(self, member: Member) -> Member:
        """The member a link finally designates, inside the exhibit (archives only; a
        directory exhibit's own file system resolves its links, checked on open)."""
        if self.kind not in ("zip", "tar"):
            return member
        current = member
        for _ in range(MAX_LINK_HOPS):
            if not current.is_link:
                return current
            current = self._link_step(current)
        raise UnsafeMember(self.path, member.name, f"more than {MAX_LINK_HOPS} links (a loop?)")

    def _link_step(self, link: Member) -> Member:
        if link.unsafe_reason is not None:
            raise UnsafeMember(self.path, link.name, link.unsafe_reason)
        if link.link_target is None:
            raise UnsafeMember(self.path, link.name, "link target unknown")
        if self._backend.is_hardlink(link):
            # A tar hard link names an earlier member of the archive; the last one wins.
            named = [m for m in self._by_name.get(link.link_target, []) if m != link]
            earlier = [m for m in named if (m.offset or 0) < (link.offset or 0)]
            if earlier or named:
                return (earlier or named)[-1]
            resolved: str | None = normalize_member_name(link.link_target)
        else:
            resolved = resolve_link_path(link.path, link.link_target)
        found = self._by_path.get(resolved or "", [])
        found = [m for m in found if m != link]
        if resolved is None or not found:
            raise UnsafeMember(
                self.path,
                link.name,
                f"link target {link.link_target!r} resolves outside the exhibit",
            )
        # Two extractions in one archive: prefer the target from the link's own tree.
        return max(found, key=lambda m: shared_components(m.name, link.name))

    def _check_declared(self, member: Member) -> None:
        """Refuse before reading when the header already announces too much."""
        limits = self.limits
        if member.size > limits.max_member_bytes:
            raise DecompressionLimitExceeded(
                self.path, member.name, member.size, limits.max_member_bytes
            )
        packed = member.compressed_size
        if packed is not None and member.size > limits.ratio_min_bytes:
            allowed = max(limits.ratio_min_bytes, int(packed * limits.max_ratio))
            if member.size > allowed:
                raise DecompressionLimitExceeded(self.path, member.name, member.size, allowed)

    def _sibling(self, member: Member, suffix: str) -> Member | None:
        self._listed()
        found = [m for m in self._by_path.get(member.path + suffix, []) if not m.is_dir]
        if not found:
            return None
        same_name = [m for m in found if m.name == member.name + suffix]
        return (same_name or found)[0]

    def _temp_root(self) -> Path:
        if self._resources.temp_root is None:
            tmp = Path(tempfile.gettempdir()).resolve()
            # A fresh mkdtemp folder never touches the exhibit's bytes, but it must not
            # appear *inside* a directory exhibit (its listing and hashes would change).
            if self.kind == "directory" and tmp.is_relative_to(self._real):
                raise ForensicsError(
                    f"{self.path}: the temporary directory {tmp} is inside the exhibit; "
                    "set TMPDIR to another location so that nothing is written there"
                )
            self._resources.temp_root = Path(tempfile.mkdtemp(prefix="forensics_lib-"))
            logger.debug("%s: private temp root %s", self.path, self._resources.temp_root)
        return self._resources.temp_root

    def _materialize(self, member: Member, siblings: Sequence[str]) -> Path:
        self._check_open()
        member = self._lookup(member)
        wanted = [member]
        for suffix in siblings:
            found = self._sibling(member, suffix)
            if found is not None:
                wanted.append(found)
        for item in wanted:
            if item.unsafe_reason is not None:
                raise UnsafeMember(self.path, item.name, item.unsafe_reason)
            self._follow(item)  # refuse escaping links before writing anything
        root = self._temp_root()
        rels = [Path(*m.path.split("/")[1:]) for m in wanted]  # siblings: same dir, name+suffix
        base = self._choose_base(root, member, list(zip(wanted, rels, strict=True)))
        for item, rel in zip(wanted, rels, strict=True):
            dest = base / rel
            if self._owners.get(dest) != item:
                self._copy(item, dest, root)
        self._copies[member] = base
        return base / rels[0]

    def _choose_base(self, root: Path, member: Member, wanted: list[tuple[Member, Path]]) -> Path:
        """First tree under the temp root where every wanted copy is free (or already ours):
        duplicates across extractions go to ``alt-N`` trees instead of overwriting."""
        first = [self._copies[member]] if member in self._copies else []
        options = itertools.chain(
            first, [root / "files"], (root / f"alt-{n}" for n in itertools.count(1))
        )
        return next(
            base
            for base in options
            if all(self._is_free(base, base / rel, item) for item, rel in wanted)
        )

    def _is_free(self, base: Path, dest: Path, item: Member) -> bool:
        owner = self._owners.get(dest)
        if owner is not None:
            return owner == item
        if dest.exists():
            return False
        return not any(parent in self._owners for parent in dest.parents if parent != base)

    def _copy(self, member: Member, dest: Path, root: Path) -> None:
        parts = dest.relative_to(root).parts
        if any(p in ("", ".", "..") or "\x00" in p for p in parts):
            raise UnsafeMember(self.path, member.name, "unsafe device path")
        target = self._follow(member)
        self._check_declared(target)
        limit = self.limits.max_total_bytes
        if self._written + target.size > limit:
            raise DecompressionLimitExceeded(
                self.path, member.name, self._written + target.size, limit
            )
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not dest.parent.resolve().is_relative_to(root.resolve()):
            raise UnsafeMember(self.path, member.name, "copy would leave the temp root")
        with self.open(target) as src, dest.open("xb") as out:
            try:
                while chunk := src.read(CHUNK):
                    self._written += len(chunk)
                    if self._written > limit:
                        raise DecompressionLimitExceeded(
                            self.path, member.name, self._written, limit
                        )
                    out.write(chunk)
            except BaseException:
                out.close()
                dest.unlink(missing_ok=True)  # no partial copy left behind
                raise
        self._owners[dest] = member
        logger.debug("%s: materialized %r at %s", self.path, member.name, dest)
