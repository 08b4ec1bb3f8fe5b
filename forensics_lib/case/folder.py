"""Opening a case folder: :func:`open_case` verifies the manifest and the custody chain first,
then reads each exhibit; :func:`as_case` treats any exhibit (or folder of them) as a case.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from forensics_lib import timeline
from forensics_lib.core.custody import CustodyLog, read_custody_log
from forensics_lib.core.errors import ForensicsError, ForensicsWarning
from forensics_lib.core.evidence import normalize_member_name
from forensics_lib.core.hashing import load_manifest, verify_manifest
from forensics_lib.core.times import zone_info

if TYPE_CHECKING:
    pass

from forensics_lib.case.exhibits import (
    check_ids,
    exhibit_paths,
    inner_unlisted,
    is_case_folder,
    listed_in_manifest,
    listed_paths,
    mark_unverified,
    read_exhibit,
    read_scan,
    warn_archives,
)
from forensics_lib.case.model import CASE_PAPERS, CUSTODY, Case, Exhibit


def open_case(
    root: str | os.PathLike[str],
    *,
    verify: bool = True,
    artifact_ids: Sequence[str] | None = None,
    zone: str | None = None,
    include_unlisted: bool = False,
    only: str | None = None,
) -> Case:
    """Verify a case folder's manifest and custody chain, then read every exhibit (only
    the artifacts ``artifact_ids`` names, when given; ``custody.log`` for the custody rows).
    ``only`` names one exhibit of the case: just its files are verified and read (no
    custody rows), as ``timeline CASE/EXH-01`` does.

    ``zone`` (IANA) puts local wall times without an offset (EXIF, SRT) on UTC. What
    ``hashes.json`` does not list is left out and named in :attr:`Case.unlisted`, unless
    ``include_unlisted``: then it is read and every citation of it is marked unverified."""
    base = Path(root)
    if not base.is_dir():
        raise FileNotFoundError(f"{base}: no such case folder")
    check_ids(artifact_ids)
    if zone is not None:
        zone_info(zone)
    manifest = base / "hashes.json"
    listed = listed_paths(manifest) if manifest.is_file() else None
    if verify:
        if listed is None:
            raise ForensicsError(
                f"{base}: no hashes.json; without the acquisition manifest the exhibits "
                "cannot be verified (open_case(..., verify=False) reads them unverified)"
            )
        if only is None:
            verify_manifest(manifest, check_extra=False).raise_for_problems()
        else:  # the one exhibit's entries, against the case folder they are relative to
            data = load_manifest(manifest)
            mine = [
                e for e in data["files"] if listed_in_manifest(only, {str(e["path"]).lstrip("/")})
            ]
            if mine:
                subset = {**data, "files": mine}
                verify_manifest(subset, base, check_extra=False).raise_for_problems()
    custody_path = base / "custody.jsonl"
    custody = pd.DataFrame()
    if custody_path.is_file() and only is None:
        CustodyLog(custody_path).verify()
        custody = read_custody_log(custody_path)
    exhibits: dict[str, Exhibit] = {}
    problems: list[tuple[str, str]] = []
    unlisted: list[str] = []
    for path in exhibit_paths(base):
        if only is not None and path.name != only:
            continue
        is_listed = listed is None or listed_in_manifest(path.name, listed)
        if not is_listed:
            unlisted.append(path.name + ("/" if path.is_dir() else ""))
            warnings.warn(
                f"{path.name}: not in hashes.json: "
                + ("read as unverified" if include_unlisted else "not evidence, not read"),
                ForensicsWarning,
                stacklevel=2,
            )
            if not include_unlisted:
                continue
        inner = inner_unlisted(path, listed) if listed is not None and is_listed else []
        unlisted += [f"{path.name}/{r}" for r in inner]
        inner_paths = [normalize_member_name(r) for r in inner]
        if inner:
            more = f" and {len(inner) - 10} more" if len(inner) > 10 else ""
            named = ", ".join(inner[:10]) + more
            warnings.warn(
                f"{path.name}: {len(inner)} file(s) in it not in hashes.json ({named}): "
                + ("read as unverified" if include_unlisted else "not evidence, not read"),
                ForensicsWarning,
                stacklevel=2,
            )
        try:
            exhibit = read_exhibit(
                path,
                artifact_ids=artifact_ids,
                zone=zone,
                exclude=() if include_unlisted else inner_paths,
            )
        except ForensicsError as exc:
            problems.append((path.name, str(exc)))
            warnings.warn(f"{path.name}: not read: {exc}", ForensicsWarning, stacklevel=2)
            continue
        exhibit.listed = is_listed
        exhibit.unlisted = inner_paths
        exhibit.verified = verify and is_listed and not (include_unlisted and inner_paths)
        mark_unverified(exhibit)
        exhibits[path.name] = exhibit
        warn_archives(exhibit, stacklevel=2)
    # Empty timelines too: what an exhibit could not place is in their attrs.
    parts = [ex.timeline for ex in exhibits.values()]
    if not custody.empty and (artifact_ids is None or CUSTODY in artifact_ids):
        parts.append(timeline.build({"custody": custody}))
    return Case(
        root=base,
        exhibits=exhibits,
        custody=custody,
        timeline=timeline.build(parts),
        problems=problems,
        unlisted=unlisted,
        include_unlisted=include_unlisted,
        manifest_verified=verify,
    )


def _is_extraction(path: Path) -> bool:
    from forensics_lib.phone import open_extraction

    try:
        open_extraction(path).close()
    except ForensicsError:
        return False
    return True


def _phone_folders(folder: Path) -> list[Path]:
    """The sub-folders of a plain folder that are phone extractions on their own, when the
    folder holds something else too (or several of them): each is then an exhibit. A folder
    that is one extraction (its only sub-folder is, or none is) is left whole."""
    children = [p for p in sorted(folder.iterdir()) if not p.name.startswith(".")]
    phones = [p for p in children if p.is_dir() and not p.is_symlink() and _is_extraction(p)]
    if len(phones) > 1 or (phones and len(children) > len(phones)):
        return phones
    return []


def _under(folder: Path, subfolders: Sequence[Path]) -> set[str]:
    """Device paths of the files of ``folder`` that lie under one of ``subfolders``."""
    from forensics_lib.core.evidence import Evidence

    tops = {p.name for p in subfolders}
    with Evidence(folder) as evidence:
        return {m.path for m in evidence.members() if m.name.split("/", 1)[0] in tops}


def as_case(
    path: str | os.PathLike[str],
    *,
    verify: bool = True,
    artifact_ids: Sequence[str] | None = None,
    zone: str | None = None,
    include_unlisted: bool = False,
) -> Case:
    """Read any path as a case, the way ``forensics-lib timeline`` does.

    * A case folder (:func:`is_case_folder`) is read by :func:`open_case`: each exhibit by
      its own name, archives opened as extractions, the custody log on its own rows. Its
      ``hashes.json`` is verified first unless ``verify`` is false; one without a manifest
      (only ``EXH-...`` names) is read unverified, with a warning. What the manifest does
      not list is left out unless ``include_unlisted``.
    * One exhibit (a file, a zip or tar, an extraction folder) is a case of one
      (:func:`read_exhibit`).
    * A plain folder is scanned as one exhibit, and each zip or tar inside it is read as an
      exhibit of its own, named by its path in the folder; one that cannot be read is
      announced with a :class:`~forensics_lib.core.errors.ForensicsWarning` naming it and listed
      in :attr:`Case.problems`. A sub-folder that is a phone extraction on its own (an
      unpacked extraction beside drone logs and captures) is an exhibit of its own too,
      and the scan of the folder leaves it out; a folder that is one extraction is read
      as that extraction.

    ``zone`` (IANA) puts local wall times without an offset (EXIF, SRT) on UTC.
    """
    where = Path(path)
    parent = where.resolve().parent
    if (
        not is_case_folder(where)
        and (parent / "hashes.json").is_file()
        and where.resolve().name not in CASE_PAPERS
    ):
        # One exhibit of a case folder: verified against the case's manifest (and, when
        # the manifest does not list it, unlisted: not evidence unless include_unlisted).
        return open_case(
            parent,
            verify=verify,
            artifact_ids=artifact_ids,
            zone=zone,
            include_unlisted=include_unlisted,
            only=where.resolve().name,
        )
    if is_case_folder(where):
        manifest = (where / "hashes.json").is_file()
        if verify and not manifest:
            warnings.warn(
                f"{where}: no hashes.json: its exhibits are read unverified",
                ForensicsWarning,
                stacklevel=2,
            )
        return open_case(
            where,
            verify=verify and manifest,
            artifact_ids=artifact_ids,
            zone=zone,
            include_unlisted=include_unlisted,
        )
    check_ids(artifact_ids)
    exhibits: dict[str, Exhibit] = {}
    phones = _phone_folders(where) if where.is_dir() else []
    if phones:  # a mixed folder: each extraction folder in it is an exhibit of its own
        for folder in phones:
            exhibits[folder.name] = read_exhibit(folder, artifact_ids=artifact_ids, zone=zone)
        first = read_scan(where, where.name, artifact_ids, zone, _under(where, phones))
    else:
        first = read_exhibit(where, artifact_ids=artifact_ids, zone=zone)
    exhibits = {first.name: first, **exhibits}
    problems: list[tuple[str, str]] = []
    if not where.is_dir():  # archives inside an archive: named, not opened
        warn_archives(first, stacklevel=2)
    inner = first.archives if where.is_dir() else []
    for name in inner:
        try:
            exhibits[name] = read_exhibit(
                where / name, name=name, artifact_ids=artifact_ids, zone=zone
            )
        except ForensicsError as exc:
            problems.append((name, str(exc)))
            warnings.warn(f"{name}: archive not read: {exc}", ForensicsWarning, stacklevel=2)
    # Empty timelines too: what an exhibit could not place is in their attrs.
    parts = [ex.timeline for ex in exhibits.values()]
    return Case(
        root=where,
        exhibits=exhibits,
        custody=pd.DataFrame(),
        timeline=timeline.build(parts),
        problems=problems,
    )
