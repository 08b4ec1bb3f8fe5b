"""Open a phone extraction and read its artifacts as DataFrames.

:func:`open_extraction` takes a directory, zip or tar(.gz) holding an Android or iOS file
system (any leading folders, as vendors nest them), or only some of its files at their device
paths (a partial extraction). It opens the exhibit read-only through
:class:`~forensics_lib.evidence.Evidence` and tells Android from iOS by what the exhibit
contains, never by its name.

>>> with open_extraction("EXH-002_android.zip") as ext:          # doctest: +SKIP
...     ext.os, ext.device["model"]
...     ext.artifacts()                   # what this extraction holds
...     sms = ext.read("sms")             # SMS and MMS, one set of columns
...     tl = ext.timeline()

Artifacts are named two ways: by their registered id (``android.sms``, ``ios.calls``) or by
their common name (``sms``, ``calls``, ``contacts``, ``device``), which gathers every id of
that name (Android ``sms`` is ``android.sms`` + ``android.mms``). A file that fails to parse
is announced with a :class:`~forensics_lib.errors.ForensicsWarning` and listed in
:attr:`Extraction.problems`; the other files are still read.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from forensics_lib import registry, timeline
from forensics_lib.drone.model import FlightLog
from forensics_lib.errors import ForensicsError, ForensicsWarning, UnsupportedFormat
from forensics_lib.evidence import (
    DEFAULT_LIMITS,
    Evidence,
    EvidenceFile,
    Limits,
    Member,
    glob_regex,
)
from forensics_lib.phone import ufdr
from forensics_lib.phone.backup import BackupFile, backup_files, backup_info, find_backup_root
from forensics_lib.registry import Artifact
from forensics_lib.scan import HEAD_BYTES, candidates, content_rule, parse_all, sniffed
from forensics_lib.schema import ArtifactSpec, empty_frame

__all__ = [
    "ALL_PHONE_MODULES",
    "EXTRA_PHONE_MODULES",
    "PHONE_MODULES",
    "UFDR_MODULES",
    "Extraction",
    "OSName",
    "artifact_name",
    "detect_os",
    "open_extraction",
    "phone_artifacts",
]

#: Browser history, Wi-Fi networks, installed apps, Linphone SIP accounts/calls: read by
#: default once they are listed in registry.PARSER_MODULES (so the registry and the
#: extractions always agree).
EXTRA_PHONE_MODULES: tuple[str, ...] = (
    "forensics_lib.phone.browser",
    "forensics_lib.phone.wifi",
    "forensics_lib.phone.apps",
    "forensics_lib.phone.linphone",
    "forensics_lib.phone.media",
    "forensics_lib.phone.locations",
    "forensics_lib.phone.dronelogs",
    "forensics_lib.phone.sms_deleted",
)
#: The modules holding phone parsers (the phone family's share of registry.PARSER_MODULES).
PHONE_MODULES: tuple[str, ...] = (
    "forensics_lib.phone.device",
    "forensics_lib.phone.android",
    "forensics_lib.phone.ios",
    "forensics_lib.phone.whatsapp",
    *(m for m in EXTRA_PHONE_MODULES if m in registry.PARSER_MODULES),
)
#: The parsers of a Cellebrite UFDR report (read only for an exhibit detected as one).
UFDR_MODULES: tuple[str, ...] = ("forensics_lib.phone.ufdr",)
#: Every phone parser module this package has, registered or not.
ALL_PHONE_MODULES: tuple[str, ...] = (*PHONE_MODULES[:4], *EXTRA_PHONE_MODULES)

OSName = Literal["android", "ios", "unknown"]

# Common names that differ from the part after the dot.
_NAMES = {
    "android.mms": "sms",
    "phone.device": "device",
    "phone.photo_locations": "locations",
}  # ufdr.<name> keeps its name

# Path fragments that only one OS's file system has (device paths, normalised).
_ANDROID_MARKERS = (
    "/data/data/",
    "/data/user/",
    "/data/user_de/",
    "/data/system/",
    "/data/misc/",
    "/system/build.prop",
    "/data/media/0/",
)
_IOS_MARKERS = (
    "/private/var/mobile/",
    "/var/mobile/",
    "/mobile/Library/",
    "/private/var/containers/",
    "/System/Library/CoreServices/SystemVersion.plist",
    "/private/var/root/",
)


def artifact_name(artifact_id: str) -> str:
    """The common name of an artifact id: ``android.mms`` -> ``sms``, ``ios.calls`` -> ``calls``."""
    return _NAMES.get(artifact_id, artifact_id.split(".", 1)[-1])


def phone_artifacts(modules: tuple[str, ...] = PHONE_MODULES) -> list[Artifact]:
    """Every phone parser, sorted by id."""
    return registry.artifacts("phone", modules=modules)


def _score(paths: Iterable[str]) -> tuple[int, int]:
    android = ios = 0
    for path in paths:
        if any(m in path for m in _ANDROID_MARKERS):
            android += 1
        if any(m in path for m in _IOS_MARKERS):
            ios += 1
    return android, ios


def detect_os(evidence: Evidence) -> OSName:
    """``android`` or ``ios`` by which OS's device paths the exhibit holds (the majority)."""
    android, ios = _score(m.path for m in evidence.files())
    if android == ios:
        return "unknown"
    return "android" if android > ios else "ios"


@dataclass
class Extraction:
    """An opened phone extraction: what it holds, and its artifacts as DataFrames."""

    evidence: Evidence
    os: OSName
    kind: str = "filesystem"
    modules: tuple[str, ...] = PHONE_MODULES
    owned: bool = True
    backup: list[BackupFile] | None = None
    backup_meta: dict[str, Any] = field(default_factory=dict, repr=False)
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _found: dict[str, list[EvidenceFile] | list[BackupFile]] = field(
        default_factory=dict, repr=False
    )

    # -- lifetime ---------------------------------------------------------------------------

    def __enter__(self) -> Extraction:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the exhibit (and delete its private temporary copies)."""
        if self.owned:
            self.evidence.close()

    @property
    def name(self) -> str:
        return self.evidence.name

    # -- what is here -----------------------------------------------------------------------

    def _parsers(self) -> list[Artifact]:
        return phone_artifacts(self.modules)

    def specs(self) -> dict[str, ArtifactSpec]:
        """Every phone artifact spec, by id (for :func:`forensics_lib.timeline.build`)."""
        return {a.id: a.spec for a in self._parsers()}

    def _candidates(self, art: Artifact) -> list[EvidenceFile] | list[BackupFile]:
        """The files ``art``'s parser reads: by device path (in a backup through its
        manifest), and those its content rule recognises (a renamed flight log); found once
        per extraction."""
        if art.id not in self._found:
            self._found[art.id] = self._find(art)
        return self._found[art.id]

    def _find(self, art: Artifact) -> list[EvidenceFile] | list[BackupFile]:
        rule = content_rule(art)
        if self.backup is None:
            return candidates(self.evidence, art.spec, rule=rule)
        patterns = [glob_regex(g) for g in art.spec.globs]
        chosen = [f for f in self.backup if any(p.fullmatch(f.path) for p in patterns)]
        if rule is None:
            return chosen
        named = {f.path for f in chosen}
        others = {f.path: f for f in self.backup if f.path not in named}

        def head(path: str) -> bytes:
            with others[path].open() as fh:
                return fh.read(HEAD_BYTES)

        sizes = ((p, f.file.member.size) for p, f in others.items())
        found = sniffed(art.spec, rule, sizes, head, stacklevel=4)
        return sorted([*chosen, *(others[p] for p in found)], key=lambda f: f.path)

    def sources(self, artifact_id: str) -> list[Member]:
        """The members a parser would read for ``artifact_id``."""
        art = self._artifact(artifact_id)
        return [
            f.file.member if isinstance(f, BackupFile) else f.member for f in self._candidates(art)
        ]

    def artifacts(self) -> pd.DataFrame:
        """What this extraction holds: name, artifact id, number of files, description."""
        rows = []
        for art in self._parsers():
            found = self._candidates(art)
            if found:
                rows.append(
                    {
                        "name": artifact_name(art.id),
                        "artifact": art.id,
                        "files": len(found),
                        "description": art.spec.description,
                    }
                )
        return pd.DataFrame(rows, columns=["name", "artifact", "files", "description"])

    def _artifact(self, artifact_id: str) -> Artifact:
        for art in self._parsers():
            if art.id == artifact_id:
                return art
        raise KeyError(f"unknown phone artifact {artifact_id!r}; known: {self._known()}")

    def _known(self) -> str:
        ids = [a.id for a in self._parsers()]
        names = sorted({artifact_name(i) for i in ids})
        return ", ".join([*names, *ids])

    def ids_for(self, artifact: str) -> list[str]:
        """The artifact ids a name (or an id) stands for."""
        ids = [a.id for a in self._parsers()]
        if artifact in ids:
            return [artifact]
        chosen = [i for i in ids if artifact_name(i) == artifact]
        if not chosen:
            raise KeyError(f"unknown phone artifact {artifact!r}; known: {self._known()}")
        return chosen

    # -- reading ----------------------------------------------------------------------------

    def read(self, artifact: str) -> pd.DataFrame:
        """The artifact as one DataFrame (every file of it, with ``source_path``/``row_id``)."""
        ids = self.ids_for(artifact)
        frames = [self._read_id(i) for i in ids]
        frames = [f for f in frames if not f.empty] or frames[:1]
        if len(frames) == 1:
            return frames[0]
        return pd.concat(frames, ignore_index=True)

    def _read_id(self, artifact_id: str) -> pd.DataFrame:
        if artifact_id in self._cache:
            return self._cache[artifact_id]
        art = self._artifact(artifact_id)
        frames = parse_all(art, self._candidates(art), self.problems, stacklevel=3)
        if not frames:
            result = empty_frame(art.spec)
        elif len(frames) == 1:
            result = frames[0]
        else:
            result = pd.concat(frames, ignore_index=True)
        self._cache[artifact_id] = result
        return result

    def read_all(self) -> dict[str, pd.DataFrame]:
        """Every artifact this extraction holds, by artifact id."""
        held = self.artifacts()["artifact"].tolist()
        return {i: self._read_id(i) for i in held}

    @property
    def device(self) -> dict[str, str | None]:
        """Make, model, OS version, build, serial, IMEI: the first value found for each."""
        if self.backup is not None:
            return self._backup_device()
        frame = self.read("device")
        out: dict[str, str | None] = {}
        for column in ("os", "make", "model", "os_version", "build", "serial", "imei"):
            values = frame[column].dropna() if column in frame else pd.Series(dtype="str")
            out[column] = str(values.iloc[0]) if len(values) else None
        if out["os"] is None and self.os != "unknown":
            out["os"] = "Android" if self.os == "android" else "iOS"
        return out

    def _backup_device(self) -> dict[str, str | None]:
        """Identity from the backup's Info.plist (iTunes keys) and Manifest.plist Lockdown."""
        info = self.backup_meta.get("info", {})
        lockdown = self.backup_meta.get("manifest", {}).get("Lockdown", {})

        def pick(*values: object) -> str | None:
            return next((str(v) for v in values if v not in (None, "")), None)

        return {
            "os": "iOS",
            "make": "Apple",
            "model": pick(info.get("Product Type"), lockdown.get("ProductType")),
            "os_version": pick(info.get("Product Version"), lockdown.get("ProductVersion")),
            "build": pick(info.get("Build Version"), lockdown.get("BuildVersion")),
            "serial": pick(info.get("Serial Number"), lockdown.get("SerialNumber")),
            "imei": pick(info.get("IMEI")),
        }

    def flight_logs(self) -> dict[str, FlightLog]:
        """The drone flight logs found on the phone (``drone_logs``), read whole, by device
        path: their tracks, events, home points. A file that is no flight log is skipped,
        announced and listed in :attr:`problems`; an encrypted DJI record gives its
        Details-only log (no track)."""
        from forensics_lib.phone.dronelogs import DRONE_LOGS, flight_log

        if DRONE_LOGS.id not in {a.id for a in self._parsers()}:
            return {}
        logs: dict[str, FlightLog] = {}
        for source in self._candidates(self._artifact(DRONE_LOGS.id)):
            try:
                logs[source.path] = flight_log(source)
            except ForensicsError as exc:
                self.problems.append((DRONE_LOGS.id, source.display_path, str(exc)))
                warnings.warn(
                    f"{DRONE_LOGS.id}: skipped {source.display_path}: {exc}",
                    ForensicsWarning,
                    stacklevel=2,
                )
        return logs

    def timeline(self) -> pd.DataFrame:
        """Every dated event of every artifact, one UTC timeline."""
        frames = [f for f in self.read_all().values() if not f.empty]
        return timeline.build({self.name: frames}, specs=self.specs())


def find_ufdr_report(evidence: Evidence) -> EvidenceFile | None:
    """The ``report.xml`` of a Cellebrite UFDR (recognised by its namespace), if any."""
    for member in sorted(evidence.glob("**/report.xml"), key=lambda m: m.path.count("/")):
        found = evidence.file(member)
        with found.open() as fh:
            head = fh.read(4096)
        if ufdr.is_ufdr_report(head):
            return found
    return None


def _ufdr_os(report: EvidenceFile) -> OSName:
    frame = ufdr.read_device(report)
    name = str(frame["os"].iloc[0]).lower() if len(frame) and frame["os"].notna().any() else ""
    if "android" in name:
        return "android"
    if "ios" in name or "iphone" in name:
        return "ios"
    return "unknown"


def open_extraction(
    path: str | os.PathLike[str] | Evidence, *, limits: Limits = DEFAULT_LIMITS
) -> Extraction:
    """Open a phone extraction read-only and detect its OS by content.

    An iTunes/Finder backup (``Manifest.plist`` + ``Manifest.db``) is read through its
    manifest (:mod:`forensics_lib.phone.backup`); a Cellebrite UFDR (a ``report.xml`` in the
    report namespace) through :mod:`forensics_lib.phone.ufdr`; an encrypted backup raises
    :class:`~forensics_lib.errors.EncryptedContent`. Raises
    :class:`~forensics_lib.errors.UnsupportedFormat` when the exhibit holds neither an
    Android nor an iOS file system (nor a part of one).
    """
    owned = not isinstance(path, Evidence)
    evidence = path if isinstance(path, Evidence) else Evidence(path, limits=limits)
    try:
        root = find_backup_root(evidence)
        if root is not None:
            files = backup_files(evidence, root)  # EncryptedContent for an encrypted backup
            meta = backup_info(evidence, root)
            return Extraction(
                evidence=evidence,
                os="ios",
                kind="itunes",
                owned=owned,
                backup=files,
                backup_meta=meta,
            )
        report = find_ufdr_report(evidence)
        if report is not None:
            return Extraction(
                evidence=evidence,
                os=_ufdr_os(report),
                kind="ufdr",
                modules=UFDR_MODULES,
                owned=owned,
            )
        system = detect_os(evidence)
        if system == "unknown":
            raise UnsupportedFormat(
                evidence.path,
                "no Android or iOS file system found (no /data/data, /private/var/mobile, "
                "build.prop or SystemVersion.plist)",
            )
    except BaseException:
        if owned:
            evidence.close()
        raise
    return Extraction(evidence=evidence, os=system, owned=owned)
