"""Hash manifests: :func:`build_manifest`, :func:`write_manifest`, :func:`load_manifest` and
:func:`verify_manifest` (which names the first file that differs).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_lib.core.errors import EvidenceIntegrityError, ParseError, SpecialFileRefused
from forensics_lib.core.hashing.files import (
    MANIFEST_FORMAT,
    SUPPORTED_ALGORITHMS,
    check_readable,
    file_kind,
    hash_file,
    scan_folder,
)


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
    what the recorded paths are relative to. Nothing but regular files is opened: what a
    folder holds besides them (FIFOs, sockets, devices, links leaving the folder or
    leading nowhere, folders that cannot be listed) is listed under ``skipped`` with the
    reason, and the manifest is then not ``complete`` (it does not cover the folder).
    Links inside the folder are listed under ``links`` (their targets are hashed).
    A FIFO, socket or device named in ``paths`` is refused (:class:`SpecialFileRefused`).
    """
    given = [Path(p) for p in paths]
    if not given:
        raise ValueError("build_manifest needs at least one path")
    for p in given:
        check_readable(p)
    resolved = [p.resolve() for p in given]
    for p in resolved:
        if not p.exists():
            raise FileNotFoundError(f"{p}: no such file or directory")
    base = Path(root).resolve() if root is not None else _manifest_root(resolved)
    scans = [scan_folder(p) for p in resolved]
    files = sorted({f for scan in scans for f in scan.files})

    def relative(f: Path) -> str:
        try:
            return f.relative_to(base).as_posix()
        except ValueError:
            raise ValueError(f"{f} is not under the manifest root {base}") from None

    entries = []
    for f in files:
        rel = relative(f)
        digests = hash_file(f, algorithms, progress=progress)
        entries.append({"path": rel, "size": f.stat().st_size, **digests})
    skipped = [{"path": relative(p), "reason": why} for scan in scans for p, why in scan.skipped]
    links = [{"path": relative(p), "target": t} for scan in scans for p, t in scan.links]
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "version": 1,
        "created_utc": _utc_now_iso(),
        "root": str(base),
        # True when the manifest lists everything under root (one directory was
        # hashed, nothing in it skipped): only then is a file absent from it EXTRA.
        "complete": (len(resolved) == 1 and resolved[0] == base and base.is_dir() and not skipped),
        "algorithms": list(algorithms),
        "files": entries,
    }
    if skipped:
        manifest["skipped"] = skipped
    if links:
        manifest["links"] = links
    return manifest


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
    # (path, reason): recorded paths not opened: a FIFO, device or socket now, or a link
    # leading out of the root (its target is not the exhibit the manifest recorded)
    refused: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every recorded file is present and matches, and nothing was added."""
        return not (self.mismatched or self.missing or self.extra or self.refused)

    @property
    def problems(self) -> int:
        """How many recorded or found paths are not as the manifest says."""
        return len(self.mismatched) + len(self.missing) + len(self.extra) + len(self.refused)

    def to_frame(self) -> pd.DataFrame:
        """One row per file: path, status (ok, MISMATCH, MISSING, EXTRA, REFUSED), expected,
        actual (for REFUSED: why the path was not opened)."""
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
        rows += [
            {"path": p, "status": "REFUSED", "expected": None, "actual": why}
            for p, why in self.refused
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
        if self.refused:
            path, why = self.refused[0]
            raise SpecialFileRefused(self.root / path, why)


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


def _refusal(target: Path, real_base: Path) -> str | None:
    """Why a recorded path must not be opened now, or None (missing is not a refusal)."""
    if not os.path.lexists(target):
        return None
    real = target.resolve()
    if not real.is_relative_to(real_base):
        return f"a symbolic link to {real}, outside the manifest's root (not followed)"
    try:
        mode = real.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return f"{file_kind(mode)}, not a regular file (not opened)"


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
    real_base = base.resolve()
    listed: set[str] = set()
    for entry in data["files"]:
        rel = str(entry["path"])
        listed.add(rel)
        target = base / rel
        refusal = _refusal(target, real_base)
        if refusal is not None:
            report.refused.append((rel, refusal))
            continue
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
        found = scan_folder(base)
        recorded_skips = {str(e.get("path")) for e in data.get("skipped") or []}
        for f in found.files:
            rel = f.relative_to(base).as_posix()
            if rel not in listed and f.resolve() not in skip:
                report.extra.append(rel)
        for f, why in found.skipped:  # a FIFO or an escaping link that appeared since
            rel = f.relative_to(base).as_posix()
            if rel not in listed and rel not in recorded_skips:
                report.refused.append((rel, f"not in the manifest: {why}"))
    return report
