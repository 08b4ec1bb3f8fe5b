"""Streaming hashes, hash manifests and their verification.

An exhibit is hashed when it is acquired; every later copy is checked against that
record before analysis. Hashing streams the file in 1 MiB chunks (constant memory,
exhibits of any size) and shows a progress bar for large files when run in a terminal.
SHA-256 is the default; MD5 is offered because many legacy reports and court records
still quote it (it is not collision-resistant: never rely on MD5 alone).

A manifest is a JSON document::

    {"format": "forensics-lib-manifest", "version": 1, "created_utc": "...Z",
     "root": "/abs/path/at/creation", "algorithms": ["sha256", "md5"],
     "files": [{"path": "phone.zip", "size": 123, "sha256": "...", "md5": "..."}]}

Paths are relative to ``root`` and use "/" on every platform.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd
from tqdm.auto import tqdm

from forensics_lib.errors import EvidenceIntegrityError, ParseError

__all__ = [
    "MANIFEST_FORMAT",
    "VerifyReport",
    "build_manifest",
    "hash_file",
    "hash_stream",
    "iter_files",
    "load_manifest",
    "sha256_file",
    "verify_manifest",
    "write_manifest",
]

MANIFEST_FORMAT = "forensics-lib-manifest"
CHUNK_SIZE = 1 << 20
# Below this size a progress bar is only noise.
PROGRESS_MIN_BYTES = 64 << 20
SUPPORTED_ALGORITHMS = ("sha256", "md5", "sha1", "sha512")


def _new_hashers(algorithms: Sequence[str]) -> dict[str, Any]:
    unknown = [a for a in algorithms if a not in SUPPORTED_ALGORITHMS]
    if unknown or not algorithms:
        raise ValueError(f"algorithms must be among {SUPPORTED_ALGORITHMS}, got {algorithms}")
    return {a: hashlib.new(a) for a in algorithms}


def _show_progress(total: int | None, progress: bool | None) -> bool | None:
    """tqdm's ``disable``: None lets tqdm decide (a terminal) for large inputs."""
    if progress is None:
        return None if (total or 0) >= PROGRESS_MIN_BYTES else True
    return not progress


def hash_stream(
    stream: IO[bytes],
    algorithms: Sequence[str] = ("sha256",),
    *,
    total: int | None = None,
    progress: bool | None = None,
    desc: str = "hashing",
) -> dict[str, str]:
    """Hash a binary stream from its current position to its end.

    ``progress``: True always shows a bar, False never, None (default) shows one for
    inputs of 64 MiB or more when stderr is a terminal.
    """
    hashers = _new_hashers(algorithms)
    with tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=desc,
        disable=_show_progress(total, progress),
        leave=False,
    ) as bar:
        while chunk := stream.read(CHUNK_SIZE):
            for h in hashers.values():
                h.update(chunk)
            bar.update(len(chunk))
    return {a: h.hexdigest() for a, h in hashers.items()}


def hash_file(
    path: str | os.PathLike[str],
    algorithms: Sequence[str] = ("sha256",),
    *,
    progress: bool | None = None,
) -> dict[str, str]:
    """Hash one file (opened read-only) with each algorithm, in one pass."""
    p = Path(path)
    with p.open("rb") as fh:
        return hash_stream(fh, algorithms, total=p.stat().st_size, progress=progress, desc=p.name)


def sha256_file(path: str | os.PathLike[str], *, progress: bool | None = None) -> str:
    """The SHA-256 of a file, as lowercase hex."""
    return hash_file(path, ("sha256",), progress=progress)["sha256"]


def iter_files(path: Path) -> Iterator[Path]:
    """Regular files under ``path`` (itself if a file), sorted, symlinks not followed."""
    if path.is_symlink():
        return
    if path.is_file():
        yield path
        return
    for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            candidate = Path(dirpath) / name
            if candidate.is_file() and not candidate.is_symlink():
                yield candidate


def _manifest_root(paths: Sequence[Path]) -> Path:
    if len(paths) == 1:
        only = paths[0]
        return only if only.is_dir() else only.parent
    return Path(os.path.commonpath([p if p.is_dir() else p.parent for p in paths]))


def _utc_now_iso() -> str:
    return pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def build_manifest(
    paths: Iterable[str | os.PathLike[str]],
    *,
    root: str | os.PathLike[str] | None = None,
    algorithms: Sequence[str] = ("sha256", "md5"),
    progress: bool | None = None,
) -> dict[str, Any]:
    """Hash every file under ``paths`` and return the manifest (a JSON-ready dict).

    ``root`` (default: the directory given, or the common parent of several paths) is
    what the recorded paths are relative to.
    """
    resolved = [Path(p).resolve() for p in paths]
    if not resolved:
        raise ValueError("build_manifest needs at least one path")
    for p in resolved:
        if not p.exists():
            raise FileNotFoundError(f"{p}: no such file or directory")
    base = Path(root).resolve() if root is not None else _manifest_root(resolved)
    files = sorted({f for p in resolved for f in iter_files(p)})
    entries = []
    for f in files:
        try:
            rel = f.relative_to(base).as_posix()
        except ValueError:
            raise ValueError(f"{f} is not under the manifest root {base}") from None
        digests = hash_file(f, algorithms, progress=progress)
        entries.append({"path": rel, "size": f.stat().st_size, **digests})
    return {
        "format": MANIFEST_FORMAT,
        "version": 1,
        "created_utc": _utc_now_iso(),
        "root": str(base),
        # True when the manifest lists everything under root (one directory was
        # hashed): only then is a file absent from it reported as EXTRA.
        "complete": len(resolved) == 1 and resolved[0] == base and base.is_dir(),
        "algorithms": list(algorithms),
        "files": entries,
    }


def write_manifest(manifest: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write ``manifest`` as JSON (written to a temporary name, then renamed).

    The root is stored relative to the manifest file (the absolute one is kept as
    ``root_at_creation``), so a manifest copied with its exhibits verifies the copy in
    front of it, never the original it was made from.
    """
    out = Path(path)
    data = dict(manifest)
    root = Path(str(data.get("root", ".")))
    if root.is_absolute():
        data["root_at_creation"] = str(root)
        data["root"] = Path(os.path.relpath(root, out.resolve().parent)).as_posix()
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(out)
    return out


def load_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a manifest written by :func:`write_manifest` (or by hand, same layout)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ParseError(p, exc.pos, f"not valid JSON: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise ParseError(p, exc.start, "not a manifest: not UTF-8 text (JSON)") from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise ParseError(p, 0, f"not a {MANIFEST_FORMAT} document")
    if not isinstance(data.get("files"), list):
        raise ParseError(p, None, "manifest has no 'files' list")
    return data


@dataclass
class VerifyReport:
    """The outcome of :func:`verify_manifest`."""

    root: Path
    algorithm: str
    matched: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every recorded file is present and matches, and nothing was added."""
        return not (self.mismatched or self.missing or self.extra)

    def to_frame(self) -> pd.DataFrame:
        """One row per file: path, status (ok, MISMATCH, MISSING, EXTRA), expected, actual."""
        rows: list[dict[str, str | None]] = [
            {"path": p, "status": "ok", "expected": None, "actual": None} for p in self.matched
        ]
        rows += [
            {"path": p, "status": "MISMATCH", "expected": e, "actual": a}
            for p, e, a in self.mismatched
        ]
        rows += [
            {"path": p, "status": "MISSING", "expected": None, "actual": None} for p in self.missing
        ]
        rows += [
            {"path": p, "status": "EXTRA", "expected": None, "actual": None} for p in self.extra
        ]
        frame = pd.DataFrame(rows, columns=["path", "status", "expected", "actual"])
        return frame.astype("str").sort_values("path", kind="stable", ignore_index=True)

    def raise_for_problems(self) -> None:
        """Raise :class:`EvidenceIntegrityError` for the first problem, if any."""
        if self.mismatched:
            path, expected, actual = self.mismatched[0]
            raise EvidenceIntegrityError(self.root / path, expected, actual, self.algorithm)
        if self.missing:
            raise EvidenceIntegrityError(self.root / self.missing[0], "recorded", None)
        if self.extra:
            raise EvidenceIntegrityError(self.root / self.extra[0], None, "present")


def _verify_root(
    data: Mapping[str, Any], manifest_path: Path | None, root: str | os.PathLike[str] | None
) -> Path:
    """Where a manifest's paths start: ``root`` if given; a relative recorded root (what
    :func:`write_manifest` stores) is relative to the manifest file; an absolute one (a
    manifest given as a dict) is used while it exists; otherwise the manifest's own
    directory (the exhibit was copied elsewhere with its manifest)."""
    if root is not None:
        return Path(root)
    recorded = Path(str(data.get("root") or "."))
    here = manifest_path.resolve().parent if manifest_path is not None else None
    if not recorded.is_absolute():
        if here is None:
            raise ValueError("a relative manifest root needs the manifest's path or root=")
        return here / recorded if (here / recorded).is_dir() else here
    if recorded.is_dir() or here is None:
        return recorded
    return here


def verify_manifest(
    manifest: Mapping[str, Any] | str | os.PathLike[str],
    root: str | os.PathLike[str] | None = None,
    *,
    check_extra: bool | None = None,
    progress: bool | None = None,
) -> VerifyReport:
    """Re-hash every file of a manifest and compare.

    ``root`` defaults to the root recorded in the manifest (relative to the manifest
    file when relative), or, when that no longer exists (the exhibit was copied
    elsewhere), to the manifest file's own directory.
    The strongest recorded algorithm (sha256 over md5) is the one compared. Files under
    the root that the manifest does not list are reported as EXTRA when ``check_extra``
    is True, or, by default, when the manifest says it covered a whole directory.
    """
    manifest_path: Path | None = None
    if isinstance(manifest, Mapping):
        data: Mapping[str, Any] = manifest
    else:
        manifest_path = Path(manifest)
        data = load_manifest(manifest_path)
    base = _verify_root(data, manifest_path, root)
    recorded = list(data.get("algorithms") or ["sha256"])
    algorithm = next((a for a in SUPPORTED_ALGORITHMS if a in recorded), recorded[0])
    report = VerifyReport(root=base, algorithm=algorithm)
    listed: set[str] = set()
    for entry in data["files"]:
        rel = str(entry["path"])
        listed.add(rel)
        target = base / rel
        if not target.is_file():
            report.missing.append(rel)
            continue
        actual = hash_file(target, (algorithm,), progress=progress)[algorithm]
        expected = str(entry.get(algorithm, ""))
        if actual == expected.lower():
            report.matched.append(rel)
        else:
            report.mismatched.append((rel, expected, actual))
    if check_extra is None:
        check_extra = bool(data.get("complete", False))
    if check_extra and base.is_dir():
        skip = {manifest_path.resolve()} if manifest_path is not None else set()
        for f in iter_files(base):
            rel = f.relative_to(base).as_posix()
            if rel not in listed and f.resolve() not in skip:
                report.extra.append(rel)
    return report
