"""Reading one exhibit of a case folder: a phone extraction, an iTunes backup or an adb backup
through its reader, anything else through the registry's scanner; what was not read is
counted (:func:`read_exhibit`), and what hashes.json does not list is found.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from forensics_lib import timeline
from forensics_lib.core import registry
from forensics_lib.core.errors import ForensicsWarning, UnsupportedFormat
from forensics_lib.core.hashing import iter_files, load_manifest
from forensics_lib.core.schema import TIMELINE_COLUMNS, conform
from forensics_lib.core.times import zone_info
from forensics_lib.scan import UNREAD_REASON, collect_warnings, unread_files

if TYPE_CHECKING:
    from forensics_lib.phone.extraction import Extraction

from forensics_lib.case.model import CASE_PAPERS, EXHIBIT_NAME, UNVERIFIED_MARK, Exhibit


def exhibit_paths(root: Path) -> list[Path]:
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
        EXHIBIT_NAME.match(p.name) for p in exhibit_paths(base)
    )


def check_ids(artifact_ids: Sequence[str] | None) -> None:
    for artifact_id in artifact_ids or ():
        registry.get(artifact_id)  # KeyError naming the known ids


def _without(frame: pd.DataFrame, exclude: Collection[str]) -> pd.DataFrame:
    """``frame`` without the rows read from the device paths ``exclude`` names."""
    if not exclude or frame.empty or "source_path" not in frame.columns:
        return frame
    kept = frame.loc[~frame["source_path"].isin(list(exclude))].reset_index(drop=True)
    kept.attrs = dict(frame.attrs)
    return kept


def _read_phone(
    path: Path, name: str, artifact_ids: Sequence[str] | None, exclude: Collection[str]
) -> Exhibit | None:
    from forensics_lib.phone import open_extraction

    try:
        # The unlisted files are never opened (a stray -wal would change a listed database).
        extraction = open_extraction(path, exclude=exclude)
    except UnsupportedFormat:
        return None
    said: dict[str, list[str]] = {}
    with extraction:
        listing: list[str] = []
        with collect_warnings(listing):
            held = extraction.artifacts()
        if listing:
            said[""] = listing
        counts = {str(a): int(n) for a, n in zip(held["artifact"], held["files"], strict=True)}
        chosen = [i for i in counts if artifact_ids is None or i in artifact_ids]
        frames: dict[str, pd.DataFrame] = {}
        for artifact_id in chosen:
            own: list[str] = []
            with collect_warnings(own):
                frames[artifact_id] = _without(extraction.read(artifact_id), exclude)
            if own:
                said[artifact_id] = own
        unread = _phone_unread(extraction, counts, exclude) if artifact_ids is None else []
        tl = timeline.build({name: list(frames.values())}, specs=extraction.specs())
        problems = list(extraction.problems)
        loose = {
            i: [f.display_path for f in files]
            for i, files in extraction.by_schema.items()
            if i in chosen
        }
    return Exhibit(
        name=name,
        path=path,
        reader="phone",
        frames=frames,
        timeline=tl,
        files={i: counts[i] for i in chosen},
        problems=problems,
        unread=unread,
        warnings=said,
        undated=_undated(tl),
        by_schema=loose,
    )


# The files of an iTunes/Finder backup its reader reads itself (backup.py): not unread.
_BACKUP_PAPERS = ("Manifest.plist", "Manifest.db", "Manifest.mbdb", "Info.plist", "Status.plist")
_NOT_IN_MANIFEST_DB = "not in the backup's Manifest.db: no reader reads it"


def _phone_unread(
    extraction: Extraction, counts: Mapping[str, int], exclude: Collection[str]
) -> list[tuple[str, str]]:
    """The files of a phone extraction no artifact's reader read, with why: in a file
    system extraction every other file; in an iTunes backup every entry of Manifest.db no
    reader takes (named by its device path too) and every file Manifest.db does not list
    (the backup's own papers aside); in a UFDR every file beside the report it reads."""
    from forensics_lib.phone.backup import find_backup_root

    if extraction.kind == "adb":
        return _adb_unread(extraction, counts, exclude)
    if extraction.kind not in ("filesystem", "itunes", "ufdr"):
        return []
    evidence = extraction.evidence
    claimed = {m.path for i in counts for m in extraction.sources(i)}
    out: list[tuple[str, str]] = []
    if extraction.backup is not None:
        entries = {f.file.member.path: f for f in extraction.backup}
        root = find_backup_root(evidence) or ""
        papers = {f"{root}/{p}" for p in _BACKUP_PAPERS}
        for member in unread_files(evidence, claimed | papers, exclude):
            entry = entries.get(member.path)
            if entry is not None:
                out.append((entry.display_path, UNREAD_REASON))
            else:
                out.append((evidence.file(member).display_path, _NOT_IN_MANIFEST_DB))
        return out
    return [
        (evidence.file(m).display_path, UNREAD_REASON)
        for m in unread_files(evidence, claimed, exclude)
    ]


_ADB_UNMAPPED = (
    "in the adb backup at no device path (an APK, key/value data...): no reader reads it"
)


def _adb_unread(
    extraction: Extraction, counts: Mapping[str, int], exclude: Collection[str]
) -> list[tuple[str, str]]:
    """The members of an adb backup (``.ab``, its tar, or the tar unpacked) no reader read:
    an app file mapped to its device path that no artifact takes (named by that path too),
    and a member at no device path (FullBackup.java tokens ``a`` APK, ``k`` key/value,
    ``obb``...); each app's ``_manifest`` is the backup's own paper, never listed."""
    from forensics_lib.phone.adb import adb_device_path

    evidence = extraction.evidence
    claimed = {m.path for i in counts for m in extraction.sources(i)}
    entries = {f.file.member.path: f for f in extraction.backup or []}
    papers = {
        m.path
        for m in evidence.files()
        if m.path.endswith("/_manifest") and "/apps/" in m.path and adb_device_path(m.path) is None
    }
    out: list[tuple[str, str]] = []
    for member in unread_files(evidence, claimed | papers, exclude):
        entry = entries.get(member.path)
        if entry is not None:
            out.append((entry.display_path, UNREAD_REASON))
        else:
            out.append((evidence.file(member).display_path, _ADB_UNMAPPED))
    return out


def _undated(tl: pd.DataFrame) -> dict[str, int]:
    """Rows without absolute time per artifact, as :func:`timeline.build` counted them."""
    counts: dict[str, int] = {}
    for _exhibit, artifact, n in tl.attrs.get("undated", []):
        counts[str(artifact)] = counts.get(str(artifact), 0) + int(n)
    return counts


def read_scan(
    path: Path,
    name: str,
    artifact_ids: Sequence[str] | None,
    zone: str | None,
    exclude: Collection[str],
) -> Exhibit:
    from forensics_lib.scan import scan

    result = scan(path, artifact_ids, name=name, zone=zone, exclude=exclude)
    tl = result.timeline()
    return Exhibit(
        name=name,
        path=path,
        reader="scan",
        frames=result.frames,
        timeline=tl,
        archives=[m.name for m in result.archives],
        files={k: len(v) for k, v in result.files.items()},
        problems=list(result.problems),
        unread=list(result.unread),
        warnings=dict(result.warnings),
        undated=_undated(tl),
        by_schema=dict(result.by_schema),
    )


def read_exhibit(
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    artifact_ids: Sequence[str] | None = None,
    zone: str | None = None,
    exclude: Collection[str] = (),
) -> Exhibit:
    """Read one exhibit with the reader that recognises it: a phone extraction (Android,
    iOS, iTunes backup, UFDR) through :func:`forensics_lib.phone.open_extraction`, anything
    else through the registry's scanner. ``name`` labels its timeline rows (by default the
    file or folder name); ``artifact_ids`` keeps only those artifacts; ``zone`` (IANA) puts
    local wall times (EXIF, SRT) on UTC; no row is kept from the device paths ``exclude``
    names (the scanner does not even open them)."""
    where = Path(path)
    if not where.exists():
        raise FileNotFoundError(f"{where}: no such file or folder")
    if zone is not None:
        zone_info(zone)  # TimestampError naming what to give, before anything is read
    label = name or where.name
    return _read_phone(where, label, artifact_ids, exclude) or read_scan(
        where, label, artifact_ids, zone, exclude
    )


def mark_unverified(exhibit: Exhibit) -> None:
    """Start the description of each timeline row of unverified bytes with the mark."""
    tl = exhibit.timeline
    if tl.empty:
        return
    if exhibit.listed:
        hit = tl["source_path"].isin(exhibit.unlisted)
    else:
        hit = pd.Series(True, index=tl.index)
    if not hit.any():
        return
    out = tl.copy()
    out.loc[hit, "description"] = UNVERIFIED_MARK + " " + out.loc[hit, "description"]
    exhibit.timeline = conform(out, TIMELINE_COLUMNS)
    exhibit.timeline.attrs = dict(tl.attrs)  # what it could not place is still said


def warn_archives(exhibit: Exhibit, stacklevel: int) -> None:
    for inner in exhibit.archives:
        warnings.warn(
            f"{exhibit.name}: archive {inner} inside it not opened (read it as an exhibit "
            "of its own)",
            ForensicsWarning,
            stacklevel=stacklevel + 1,
        )


def listed_paths(manifest: Path) -> set[str]:
    """The paths hashes.json lists (relative to the case folder, "/" separated)."""
    entries = load_manifest(manifest)["files"]
    return {
        str(e["path"]).lstrip("/")
        for e in entries
        if isinstance(e, Mapping) and isinstance(e.get("path"), str)
    }


def listed_in_manifest(name: str, listed: set[str]) -> bool:
    return name in listed or any(p.startswith(name + "/") for p in listed)


def inner_unlisted(path: Path, listed: set[str]) -> list[str]:
    """Files of a folder exhibit that hashes.json does not list (relative to the exhibit)."""
    if not path.is_dir():
        return []
    rels = (f.relative_to(path).as_posix() for f in iter_files(path))
    return [r for r in rels if f"{path.name}/{r}" not in listed]
