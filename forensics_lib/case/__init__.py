"""A case folder: every exhibit, verified first, read into one timeline.

A case folder holds the exhibits (each a top-level file or folder), the acquisition
manifest ``hashes.json`` and the chain of custody ``custody.jsonl``; ``brief.md``,
``perimeter.geojson`` and answer keys are case papers, not exhibits.

:func:`open_case` refuses to read anything before the manifest verifies
(:class:`~forensics_lib.core.errors.EvidenceIntegrityError` names the first file that differs),
checks the custody chain, then reads each exhibit with the reader that recognises it: a
phone extraction through :func:`forensics_lib.phone.open_extraction`, anything else
through the registry's scanner (drone logs, captures, photos...). A broken exhibit is
recorded in :attr:`Case.problems` and the others are still read.

:func:`as_case` reads any path the way ``forensics-lib timeline`` does: a case folder
(:func:`is_case_folder`) through :func:`open_case`, one exhibit (a file, an archive, an
extraction folder) as a case of one, and a plain folder as its own exhibit plus each zip or
tar inside it as an exhibit of its own.

Only what the manifest lists is evidence. A file or folder of the case folder that
``hashes.json`` does not list (a stray copy, a note dropped in an exhibit folder) is
*unlisted*: it is named in :attr:`Case.unlisted` and in :meth:`Case.summary`, and nothing
reads it, so no timeline row, finding or report cites it. With ``include_unlisted=True`` it
is read, and every citation of it says so: its timeline rows' descriptions start with
``[unverified]``, :meth:`Case.cites_unverified` is true for it (findings and reports mark
their references), and :attr:`Case.verified` is false.

Nothing is dropped silently: :meth:`Case.summary` gives, per exhibit and artifact, the rows
read, the rows without absolute time that the UTC timeline cannot hold (a drone log without
GPS keeps boot-relative ``time_boot_s``; also in the timeline's ``attrs["warnings"]``), the
files each reader refused and why, the files no reader recognises (in file-system
extractions, iTunes backups and UFDR reports alike), and every warning the readers gave.
The files of an exhibit folder that hashes.json does not list are never opened by its
reader (:func:`forensics_lib.phone.open_extraction` ``exclude``).
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from forensics_lib import timeline
from forensics_lib.core import registry
from forensics_lib.core.custody import CustodyLog, read_custody_log
from forensics_lib.core.errors import ForensicsError, ForensicsWarning, UnsupportedFormat
from forensics_lib.core.evidence import normalize_member_name
from forensics_lib.core.hashing import iter_files, load_manifest, verify_manifest
from forensics_lib.core.schema import TIMELINE_COLUMNS, conform
from forensics_lib.core.times import zone_info
from forensics_lib.scan import UNREAD_REASON, collect_warnings, unread_files

if TYPE_CHECKING:
    from forensics_lib.phone.extraction import Extraction

__all__ = [
    "CASE_PAPERS",
    "SUMMARY_COLUMNS",
    "UNVERIFIED_MARK",
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
#: The start of the description of a timeline row read from a file hashes.json does not list.
UNVERIFIED_MARK = "[unverified]"
_UNLISTED_REASON = "not in hashes.json: not evidence (--include-unlisted reads it, unverified)"
#: Columns of :meth:`Case.summary`.
SUMMARY_COLUMNS = ["exhibit", "status", "artifact", "rows", "files", "outcome", "detail"]


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
    #: How many files each artifact's reader read (an artifact may have files and no row).
    files: dict[str, int] = field(default_factory=dict)
    #: Files a reader refused: (artifact, file, reason).
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    #: Files no reader recognises: (file, reason).
    unread: list[tuple[str, str]] = field(default_factory=list)
    #: The warnings its readers gave, by artifact id.
    warnings: dict[str, list[str]] = field(default_factory=dict)
    #: Its hashes matched hashes.json before it was read (and nothing unlisted was read).
    verified: bool = False
    #: hashes.json lists it (False: read only because ``include_unlisted`` was given).
    listed: bool = True
    #: Device paths of files inside it that hashes.json does not list: not read, or, with
    #: ``include_unlisted``, read and cited as unverified.
    unlisted: list[str] = field(default_factory=list)
    #: Rows without absolute time, by artifact id: read, but not on the UTC timeline (a
    #: drone log without GPS time keeps boot-relative ``time_boot_s``).
    undated: dict[str, int] = field(default_factory=dict)
    #: Loose app databases read because their schema was recognised (no device path said
    #: what they are): artifact id -> files.
    by_schema: dict[str, list[str]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """ "verified", or "unverified" (no manifest, not checked, or not all listed)."""
        return "verified" if self.verified else "unverified"

    def cites_unverified(self, path: object = None) -> bool:
        """Whether a citation of ``path`` (a device path inside it) is of unverified bytes."""
        if not self.listed:
            return True
        return isinstance(path, str) and path in self.unlisted


@dataclass
class Case:
    """A verified case folder, read."""

    root: Path
    exhibits: dict[str, Exhibit]
    custody: pd.DataFrame
    timeline: pd.DataFrame
    problems: list[tuple[str, str]]
    #: Paths (relative to the case folder, "/" after a folder) hashes.json does not list.
    unlisted: list[str] = field(default_factory=list)
    #: Whether the unlisted files were read (as unverified) or left out.
    include_unlisted: bool = False
    #: Whether hashes.json was checked before reading.
    manifest_verified: bool = False

    @property
    def verified(self) -> bool:
        """True only when hashes.json was checked and every exhibit read was verified: then,
        and only then, may a report say "hashes verified"."""
        return (
            self.manifest_verified
            and bool(self.exhibits)
            and all(ex.verified for ex in self.exhibits.values())
        )

    def cites_unverified(self, exhibit: str, path: object = None) -> bool:
        """Whether a citation (exhibit, device path inside it) is of a file or exhibit that
        hashes.json does not list (read with ``include_unlisted``). Whether the listed ones
        were checked is :attr:`verified`, said once for the whole case."""
        found = self.exhibits.get(exhibit)
        return found is not None and found.cites_unverified(path)

    def summary(self) -> pd.DataFrame:
        """Per exhibit and artifact, what was read and what was not, and why.

        One row per artifact read (``outcome`` "read", ``rows`` and ``files``), per file a
        reader refused ("skipped", the reason), per file no reader recognises ("not read"),
        per warning ("warning"), per artifact whose rows without absolute time are not on
        the UTC timeline ("undated", how many and where their time is), per exhibit that
        could not be read ("not read") and per path hashes.json does not list ("unlisted",
        left out unless ``include_unlisted``).
        """
        rows: list[dict[str, object]] = []

        def add(exhibit: str, status: str, artifact: str, count: int | None,
                files: int | None, outcome: str, detail: str) -> None:  # fmt: skip
            rows.append({"exhibit": exhibit, "status": status, "artifact": artifact,
                         "rows": count, "files": files, "outcome": outcome,
                         "detail": detail})  # fmt: skip

        for name, ex in self.exhibits.items():
            status = ex.status
            for artifact in sorted({*ex.frames, *ex.files}):
                frame = ex.frames.get(artifact)
                count = 0 if frame is None else len(frame)
                loose = ex.by_schema.get(artifact)
                how = f"recognised by schema: {', '.join(loose)}" if loose else ""
                add(name, status, artifact, count, ex.files.get(artifact), "read", how)
            for artifact, n in sorted(ex.undated.items()):
                held = ex.frames.get(artifact)
                cols = [] if held is None else list(held.columns)
                add(name, status, artifact, n, None, "undated",
                    timeline.undated_note(artifact, n, cols))  # fmt: skip
            for artifact, path, reason in ex.problems:
                why = reason.removeprefix(f"{path}: ")  # the error names the file too
                add(name, status, artifact, None, None, "skipped", f"{path}: {why}")
            for path, reason in ex.unread:
                add(name, status, "", None, None, "not read", f"{path}: {reason}")
            refused = {f"{a}: skipped {path}: {reason}" for a, path, reason in ex.problems}
            for artifact, said in sorted(ex.warnings.items()):
                for text in dict.fromkeys(said):  # a refusal is already a "skipped" row
                    if text not in refused:
                        text = text.removeprefix(f"{artifact}: ")
                        add(name, status, artifact, None, None, "warning", text)
            if not ex.listed:
                add(name, status, "", None, None, "unlisted",
                    "not in hashes.json: read as unverified (--include-unlisted)")  # fmt: skip
            for path in ex.unlisted:
                how = "read as unverified" if self.include_unlisted else "not read"
                add(name, status, "", None, None, "unlisted",
                    f"{path}: not in hashes.json: {how}")  # fmt: skip
        for name, problem in self.problems:
            add(name, "", "", None, None, "not read", problem)
        read_names = set(self.exhibits)
        for path in self.unlisted:
            if path.rstrip("/") not in read_names and "/" not in path.rstrip("/"):
                add(path.rstrip("/"), "unlisted", "", None, None, "unlisted", _UNLISTED_REASON)
        frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
        return frame.astype({"rows": "Int64", "files": "Int64"})

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


def _read_scan(
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
    return _read_phone(where, label, artifact_ids, exclude) or _read_scan(
        where, label, artifact_ids, zone, exclude
    )


def _mark_unverified(exhibit: Exhibit) -> None:
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


def _warn_archives(exhibit: Exhibit, stacklevel: int) -> None:
    for inner in exhibit.archives:
        warnings.warn(
            f"{exhibit.name}: archive {inner} inside it not opened (read it as an exhibit "
            "of its own)",
            ForensicsWarning,
            stacklevel=stacklevel + 1,
        )


def _listed_paths(manifest: Path) -> set[str]:
    """The paths hashes.json lists (relative to the case folder, "/" separated)."""
    entries = load_manifest(manifest)["files"]
    return {
        str(e["path"]).lstrip("/")
        for e in entries
        if isinstance(e, Mapping) and isinstance(e.get("path"), str)
    }


def _is_listed(name: str, listed: set[str]) -> bool:
    return name in listed or any(p.startswith(name + "/") for p in listed)


def _inner_unlisted(path: Path, listed: set[str]) -> list[str]:
    """Files of a folder exhibit that hashes.json does not list (relative to the exhibit)."""
    if not path.is_dir():
        return []
    rels = (f.relative_to(path).as_posix() for f in iter_files(path))
    return [r for r in rels if f"{path.name}/{r}" not in listed]


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
    _check_ids(artifact_ids)
    if zone is not None:
        zone_info(zone)
    manifest = base / "hashes.json"
    listed = _listed_paths(manifest) if manifest.is_file() else None
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
            mine = [e for e in data["files"] if _is_listed(only, {str(e["path"]).lstrip("/")})]
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
    for path in _exhibit_paths(base):
        if only is not None and path.name != only:
            continue
        is_listed = listed is None or _is_listed(path.name, listed)
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
        inner = _inner_unlisted(path, listed) if listed is not None and is_listed else []
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
        _mark_unverified(exhibit)
        exhibits[path.name] = exhibit
        _warn_archives(exhibit, stacklevel=2)
    # Empty timelines too: what an exhibit could not place is in their attrs.
    parts = [ex.timeline for ex in exhibits.values()]
    if not custody.empty and (artifact_ids is None or _CUSTODY in artifact_ids):
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
    _check_ids(artifact_ids)
    exhibits: dict[str, Exhibit] = {}
    phones = _phone_folders(where) if where.is_dir() else []
    if phones:  # a mixed folder: each extraction folder in it is an exhibit of its own
        for folder in phones:
            exhibits[folder.name] = read_exhibit(folder, artifact_ids=artifact_ids, zone=zone)
        first = _read_scan(where, where.name, artifact_ids, zone, _under(where, phones))
    else:
        first = read_exhibit(where, artifact_ids=artifact_ids, zone=zone)
    exhibits = {first.name: first, **exhibits}
    problems: list[tuple[str, str]] = []
    if not where.is_dir():  # archives inside an archive: named, not opened
        _warn_archives(first, stacklevel=2)
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
