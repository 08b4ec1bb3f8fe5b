"""Write a scenario as an iTunes/Finder backup (plain or "encrypted").

Layout (iLEAPP ``scripts/search_files.py`` reads it this way): ``Manifest.plist``
(``IsEncrypted``, ``Version``, ``Lockdown``), ``Info.plist`` (``Product Type``, ``Product
Version``, ``Build Version``, ``Serial Number``, ``IMEI``), ``Status.plist``, ``Manifest.db``
with ``CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags
INTEGER, file BLOB)`` and ``Properties``, and each file at ``<fileID[:2]>/<fileID>`` where
``fileID = sha1(domain + "-" + relativePath)``. Databases in a backup are checkpointed (no
``-wal``). An "encrypted" backup here has ``IsEncrypted`` true and a Manifest.db of random
bytes: enough to test that readers refuse it, not a real keybag.
"""

from __future__ import annotations

import hashlib
import plistlib
import random
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from forensics_datasets.phone.ios import write_ios_tree
from forensics_datasets.phone.scenario import Scenario

__all__ = ["WHATSAPP_GROUP", "file_id", "write_itunes_backup"]

WHATSAPP_GROUP = "group.net.whatsapp.WhatsApp.shared"
_HOME = "private/var/mobile/"
_APP_GROUP = "private/var/mobile/Containers/Shared/AppGroup/"
_BACKUP_DATE = datetime(2024, 4, 20, 14, 0, tzinfo=UTC)


def file_id(domain: str, relative: str) -> str:
    """The name a backup stores a file under: SHA-1 of ``domain-relativePath``."""
    return hashlib.sha1(f"{domain}-{relative}".encode()).hexdigest()  # a name, not security


def _domain(rel: str) -> tuple[str, str] | None:
    if rel.startswith(_APP_GROUP):
        rest = rel[len(_APP_GROUP) :].split("/", 1)[1]
        return f"AppDomainGroup-{WHATSAPP_GROUP}", rest
    if rel.startswith(_HOME):
        return "HomeDomain", rel[len(_HOME) :]
    return None  # SystemVersion.plist and the like are not in a backup


def write_itunes_backup(
    out: Path, scenario: Scenario, *, encrypted: bool = False, udid: str | None = None
) -> dict[str, Any]:
    """Write the backup folder ``out/<udid>``; return the writer's notes."""
    udid = udid or f"00008110-{scenario.seed:016X}"
    root = out / udid
    root.mkdir(parents=True, exist_ok=True)
    entries: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="itunes-") as tmp:
        tree = Path(tmp)
        write_ios_tree(tree, scenario, wal=False)
        for path in sorted(p for p in tree.rglob("*") if p.is_file()):
            rel = path.relative_to(tree).as_posix()
            mapped = _domain(rel)
            if mapped is None:
                continue
            domain, relative = mapped
            fid = file_id(domain, relative)
            entries.append((fid, domain, relative))
            dest = root / fid[:2] / fid
            dest.parent.mkdir(parents=True, exist_ok=True)
            data = path.read_bytes()
            if encrypted:  # stand-in ciphertext: same size, random bytes
                data = random.Random(fid).randbytes(len(data))
            dest.write_bytes(data)
    lockdown = {
        "BuildVersion": "21F90",
        "DeviceName": "Example iPhone",
        "ProductType": "iPhone15,2",
        "ProductVersion": "17.5.1",
        "SerialNumber": "EXAMPLESERIAL1",
        "UniqueDeviceID": udid,
    }
    manifest: dict[str, Any] = {
        "IsEncrypted": encrypted,
        "Version": "10.0",
        "Date": _BACKUP_DATE.replace(tzinfo=None),
        "Lockdown": lockdown,
        "WasPasscodeSet": True,
    }
    if encrypted:
        manifest["ManifestKey"] = random.Random(udid).randbytes(44)
    (root / "Manifest.plist").write_bytes(plistlib.dumps(manifest, fmt=plistlib.FMT_BINARY))
    info = {
        "Build Version": "21F90",
        "Device Name": "Example iPhone",
        "IMEI": "490154203237518",  # the example IMEI of ITU/GSMA documentation, not a device
        "Product Type": "iPhone15,2",
        "Product Version": "17.5.1",
        "Serial Number": "EXAMPLESERIAL1",
        "Target Identifier": udid,
        "Last Backup Date": _BACKUP_DATE.replace(tzinfo=None),
    }
    (root / "Info.plist").write_bytes(plistlib.dumps(info))
    (root / "Status.plist").write_bytes(
        plistlib.dumps({"IsFullBackup": False, "Version": "3.3", "SnapshotState": "finished"})
    )
    manifest_db = root / "Manifest.db"
    manifest_db.unlink(missing_ok=True)
    if encrypted:
        manifest_db.write_bytes(random.Random(udid + "db").randbytes(8192))
    else:
        conn = sqlite3.connect(manifest_db)
        conn.execute(
            "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, "
            "flags INTEGER, file BLOB)"
        )
        conn.execute("CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB)")
        folders = sorted({(d, r.rsplit("/", 1)[0]) for _, d, r in entries if "/" in r})
        conn.executemany(
            "INSERT INTO Files VALUES (?, ?, ?, 2, NULL)",
            [(file_id(d, r), d, r) for d, r in folders],
        )
        conn.executemany("INSERT INTO Files VALUES (?, ?, ?, 1, NULL)", entries)
        conn.commit()
        conn.close()
    return {"udid": udid, "files": len(entries), "encrypted": encrypted}
