"""iTunes/Finder backups: the hashed files mapped back to device paths.

A backup folder holds ``Manifest.plist`` (``IsEncrypted``, ``Lockdown``), ``Info.plist``
(device identity), ``Manifest.db`` (table ``Files``: ``fileID``, ``domain``,
``relativePath``, ``flags`` 1 = file, 2 = directory, 4 = link) and every file stored as
``<fileID[:2]>/<fileID>``, where ``fileID = SHA-1(domain + "-" + relativePath)``
(``HomeDomain-Library/SMS/sms.db`` -> ``3d0d7e5f...``). Domains map to device folders as in
iLEAPP ``scripts/search_files.py`` (``HomeDomain`` -> ``/private/var/mobile``,
``AppDomainGroup-<id>`` -> ``/private/var/mobile/Containers/Shared/AppGroup/<id>``, ...).

An encrypted backup (``IsEncrypted`` true; its ``Manifest.db`` is then ciphertext) raises
:class:`~forensics_lib.core.errors.EncryptedContent`: decrypt it with its password first.

``Manifest.db`` is opened read-only through :func:`~forensics_lib.core.sqlite.open_sqlite` (in
place with ``immutable=1``, or from a private copy when a companion must be applied). A
finished backup holds no ``Manifest.db-wal`` or ``-journal`` (iTunes/Finder close the
database before the backup is marked finished, ``Status.plist`` ``SnapshotState``): one
beside it is announced with a :class:`~forensics_lib.core.errors.ForensicsWarning`, because
SQLite would apply it and so change which files the backup shows. The members a case's
``exclude`` names (files its acquisition manifest does not list) are as if absent, a stray
companion of ``Manifest.db`` included (:class:`~forensics_lib.scan.ExcludingFile`), and a
stored file they name is not read.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from forensics_lib.core.errors import EncryptedContent, ForensicsWarning, ParseError
from forensics_lib.core.evidence import Evidence, EvidenceFile, Member
from forensics_lib.core.sqlite import open_sqlite
from forensics_lib.phone._safe import parse_plist, plist_kind, plist_value
from forensics_lib.scan import ExcludingFile

__all__ = [
    "DOMAINS",
    "BackupFile",
    "backup_files",
    "backup_info",
    "device_path",
    "find_backup_root",
]

logger = logging.getLogger(__name__)

# iLEAPP scripts/search_files.py (`domains`): backup domain -> device folder.
DOMAINS: dict[str, str] = {
    "AppDomain-": "/private/var/mobile/Containers/Data/Application",
    "AppDomainGroup-": "/private/var/mobile/Containers/Shared/AppGroup",
    "AppDomainPlugin-": "/private/var/mobile/Containers/Data/PluginKitPlugin",
    "CameraRollDomain": "/private/var/mobile",
    "DatabaseDomain": "/private/var/db",
    "HealthDomain": "/private/var/mobile",
    "HomeDomain": "/private/var/mobile",
    "HomeKitDomain": "/private/var/mobile",
    "InstallDomain": "/private/var/installd",
    "KeyboardDomain": "/private/var/mobile",
    "KeychainDomain": "/private/var/protected/trustd/private",
    "ManagedPreferencesDomain": "/private/var/Managed Preferences",
    "MediaDomain": "/private/var/mobile",
    "MobileDeviceDomain": "/private/var/MobileDevice",
    "RootDomain": "/private/var/root",
    "SysContainerDomain-": "/private/var/containers/Data/System",
    "SysSharedContainerDomain-": "/private/var/containers/Shared/SystemGroup",
    "SystemPreferencesDomain": "/private/var/preferences",
    "TonesDomain": "/private/var/mobile",
    "WirelessDomain": "/private/var/wireless",
}
_FILE = 1  # Files.flags: 1 file, 2 directory, 4 symbolic link


def device_path(domain: str, relative: str) -> str | None:
    """The device path of a backup entry, or None for an unknown domain."""
    for prefix, folder in DOMAINS.items():
        if prefix.endswith("-") and domain.startswith(prefix):
            ident = domain[len(prefix) :]
            return f"{folder}/{ident}/{relative}".rstrip("/")
        if domain == prefix:
            return f"{folder}/{relative}".rstrip("/")
    return None


@dataclass(frozen=True)
class BackupFile:
    """A file of a backup, known by its device path (what parsers and provenance see)."""

    file: EvidenceFile
    device: str

    @property
    def path(self) -> str:
        return self.device

    @property
    def display_path(self) -> str:
        return f"{self.file.display_path} ({self.device})"

    def open(self) -> IO[bytes]:
        return self.file.open()

    def read_bytes(self) -> bytes:
        return self.file.read_bytes()

    def sibling(self, suffix: str) -> BackupFile | None:
        return None  # backups hold checkpointed databases: no -wal or -journal

    def local_path(self) -> Path | None:
        return self.file.local_path()

    def materialize(self, siblings: Sequence[str] = ()) -> Path:
        return self.file.materialize()


def find_backup_root(evidence: Evidence) -> str | None:
    """The folder (device-path style) holding ``Manifest.plist`` and ``Manifest.db``."""
    roots = []
    for member in evidence.find("/Manifest.plist"):
        folder = member.path.rsplit("/", 1)[0]
        if evidence.exists(f"{folder}/Manifest.db") or evidence.exists(f"{folder}/Manifest.mbdb"):
            roots.append(folder)
    return min(roots, key=len) if roots else None


def _member(evidence: Evidence, path: str) -> Member | None:
    found = [m for m in evidence.find(path) if m.path == path]
    return found[0] if found else None


def backup_info(evidence: Evidence, root: str) -> dict[str, Any]:
    """``Manifest.plist`` merged with ``Info.plist`` (when present) as one dictionary."""
    manifest = _member(evidence, f"{root}/Manifest.plist")
    if manifest is None:
        raise ParseError(evidence.path, None, "backup without Manifest.plist")
    where = f"{evidence.name}!{manifest.path}"
    data = parse_plist(evidence.read_bytes(manifest), where)
    if not isinstance(data, dict):
        raise ParseError(where, 0, f"Manifest.plist holds {plist_kind(data)}, not a dictionary")
    # Read before any file: whether the backup is encrypted (a string "true" is no answer).
    plist_value(data, "IsEncrypted", (bool, int), where)
    info_member = _member(evidence, f"{root}/Info.plist")
    info: dict[str, Any] = {}
    info_where = f"{evidence.name}!{root}/Info.plist"
    if info_member is not None:
        info_where = f"{evidence.name}!{info_member.path}"
        parsed = parse_plist(evidence.read_bytes(info_member), info_where)
        if not isinstance(parsed, dict):
            raise ParseError(
                info_where, 0, f"Info.plist holds {plist_kind(parsed)}, not a dictionary"
            )
        info = parsed
    return {"manifest": data, "info": info, "paths": {"manifest": where, "info": info_where}}


_MANIFEST_COMPANIONS = ("-wal", "-journal")


def backup_files(evidence: Evidence, root: str, exclude: Collection[str] = ()) -> list[BackupFile]:
    """Every file of the backup under its device path (raises EncryptedContent if encrypted).

    The members ``exclude`` names are never opened: an excluded ``Manifest.db-wal`` or
    ``-journal`` is as if absent, and an excluded stored file is left out."""
    excluded = frozenset(exclude)
    info = backup_info(evidence, root)
    if info["manifest"].get("IsEncrypted"):
        raise EncryptedContent(
            f"{evidence.path}",
            "this iTunes/Finder backup is encrypted (Manifest.plist IsEncrypted = true)",
            "Decrypt it with the backup password first (e.g. mvt-ios decrypt-backup) and "
            "open the decrypted copy; the original stays sealed.",
        )
    manifest_db = _member(evidence, f"{root}/Manifest.db")
    if manifest_db is None:
        raise ParseError(evidence.path, None, "Manifest.mbdb (iOS 9 and older) is not read")
    stray = [
        f"{manifest_db.path}{suffix}"
        for suffix in _MANIFEST_COMPANIONS
        if f"{manifest_db.path}{suffix}" not in excluded
        and _member(evidence, f"{manifest_db.path}{suffix}") is not None
    ]
    if stray:
        warnings.warn(
            f"{evidence.name}: {', '.join(stray)} beside Manifest.db: a finished backup has "
            "none, and SQLite applies it (the file list shown includes its changes); if the "
            "acquisition manifest does not list it, open the backup with exclude= naming it",
            ForensicsWarning,
            stacklevel=3,
        )
    manifest_file = (
        ExcludingFile(evidence, manifest_db, excluded) if excluded else evidence.file(manifest_db)
    )
    with open_sqlite(manifest_file) as db:
        if not db.has_columns("Files", "fileID", "domain", "relativePath", "flags"):
            raise ParseError(db.path, None, "Manifest.db has no Files(fileID, domain, ...)")
        files = db.query("SELECT fileID, domain, relativePath FROM Files WHERE flags = ?", (_FILE,))
    out: list[BackupFile] = []
    for file_id, domain, relative in files.itertuples(index=False):
        if not isinstance(file_id, str) or len(file_id) < 3:
            continue
        where = device_path(str(domain), str(relative))
        stored = _member(evidence, f"{root}/{file_id[:2]}/{file_id}")
        if stored is not None and stored.path in excluded:
            stored = None
        if where is None or stored is None:
            logger.debug("backup entry %s %s not mapped or missing", domain, relative)
            continue
        out.append(BackupFile(evidence.file(stored), where))
    return out
