"""Phone extraction variants with odd files: property lists whose keys hold unexpected types, an
iTunes backup's odd Manifest.plist / Info.plist or stray Manifest.db-wal, and the /data/user/0
copy of /data/data."""

from __future__ import annotations

import io
import plistlib
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any, Literal

from forensics_datasets.phone.layouts import (
    KNOWN_NETWORKS_PATH,
    MMSSMS_PATH,
    SYSTEM_VERSION_PATH,
    Container,
    Variant,
    base_tree,
    key_counts,
    pack_variant,
)

# -- odd property lists --------------------------------------------------------------------

PlistOddity = Literal["version_dict", "version_bytes", "root_list", "network_not_dict"]


def write_odd_plists(
    out: str | Path, *, oddity: PlistOddity, container: Container = "dir", seed: int = 0
) -> Variant:
    """An iOS extraction with one property list whose types are not the expected ones:
    ``version_dict`` (``SystemVersion.plist`` ``ProductVersion`` a dictionary),
    ``version_bytes`` (``ProductVersion`` data bytes), ``root_list`` (``SystemVersion.plist``
    an array), ``network_not_dict`` (a known-networks entry that is a string, next to a
    well-formed one whose ``SSID`` is data bytes as iOS writes it)."""
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        base_tree(tree, "ios", seed, wal=False)
        version = tree / SYSTEM_VERSION_PATH
        info = plistlib.loads(version.read_bytes())
        answer: dict[str, Any] = {"oddity": oddity}
        if oddity == "version_dict":
            info["ProductVersion"] = {"major": 17, "minor": 4}
            answer.update(file=SYSTEM_VERSION_PATH, key="ProductVersion")
        elif oddity == "version_bytes":
            info["ProductVersion"] = b"17.4"
            answer.update(file=SYSTEM_VERSION_PATH, key="ProductVersion")
        if oddity in ("version_dict", "version_bytes"):
            version.write_bytes(plistlib.dumps(info, fmt=plistlib.FMT_BINARY))
        elif oddity == "root_list":
            version.write_bytes(plistlib.dumps([info], fmt=plistlib.FMT_XML))
            answer.update(file=SYSTEM_VERSION_PATH, key=None)
        else:
            networks = tree / KNOWN_NETWORKS_PATH
            networks.parent.mkdir(parents=True, exist_ok=True)
            buffer = io.BytesIO()
            plistlib.dump(
                {
                    "wifi.network.ssid.HomeNet": {"SSID": b"HomeNet", "SupportedSecurityTypes": 4},
                    "wifi.network.ssid.Broken": "not a dictionary",
                },
                buffer,
                fmt=plistlib.FMT_BINARY,
            )
            networks.write_bytes(buffer.getvalue())
            answer.update(file=KNOWN_NETWORKS_PATH, key="wifi.network.ssid.Broken", good=1)
        exhibit = pack_variant(tree, out, f"ios_plist_{oddity}", container, "filesystem1/")
    return Variant(exhibit, answer)


BackupOddity = Literal["encrypted_string", "lockdown_string", "serial_dict", "info_array"]


def write_odd_backup(out: str | Path, *, oddity: BackupOddity, seed: int = 0) -> Variant:
    """An iTunes/Finder backup folder whose ``Manifest.plist`` or ``Info.plist`` holds a type
    the format does not use there: ``encrypted_string`` (``IsEncrypted`` the string "NO"),
    ``lockdown_string`` (``Lockdown`` a string, not a dictionary), ``serial_dict`` (Info.plist
    ``Serial Number`` a dictionary), ``info_array`` (Info.plist an array)."""
    from forensics_datasets.phone.itunes import write_itunes_backup
    from forensics_datasets.phone.scenario import make_scenario

    out = Path(out)
    notes = write_itunes_backup(out, make_scenario(seed))
    root = out / str(notes["udid"])
    manifest = plistlib.loads((root / "Manifest.plist").read_bytes())
    info = plistlib.loads((root / "Info.plist").read_bytes())
    answer: dict[str, Any] = {"oddity": oddity}
    if oddity == "encrypted_string":
        manifest["IsEncrypted"] = "NO"
        answer.update(file="Manifest.plist", key="IsEncrypted", when="open")
    elif oddity == "lockdown_string":
        manifest["Lockdown"] = "iPhone15,2"
        answer.update(file="Manifest.plist", key="Lockdown", when="device")
    elif oddity == "serial_dict":
        info["Serial Number"] = {"value": "EXAMPLESERIAL1"}
        answer.update(file="Info.plist", key="Serial Number", when="device")
    else:
        answer.update(file="Info.plist", key=None, when="open")
    (root / "Manifest.plist").write_bytes(plistlib.dumps(manifest, fmt=plistlib.FMT_BINARY))
    (root / "Info.plist").write_bytes(plistlib.dumps([info] if oddity == "info_array" else info))
    return Variant(root, answer)


def write_user0_copy(
    out: str | Path, *, identical: bool = True, container: Container = "zip", seed: int = 0
) -> Variant:
    """An Android extraction holding every app folder twice, as ``/data/data/<app>`` and as
    ``/data/user/0/<app>`` (the same folder on the device: a tool that did not keep the link
    copied both). With ``identical`` False the second mmssms.db lacks its last SMS (a copy
    taken at another time)."""
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        key = base_tree(tree, "android", seed, wal=False)
        shutil.copytree(tree / "data" / "data", tree / "data" / "user" / "0")
        if not identical:
            conn = sqlite3.connect(
                tree / "data" / "user" / "0" / MMSSMS_PATH.removeprefix("data/data/")
            )
            conn.execute("DELETE FROM sms WHERE _id = (SELECT max(_id) FROM sms)")
            conn.commit()
            conn.execute("VACUUM")
            conn.close()
        exhibit = pack_variant(
            tree, out, f"android_user0_{'same' if identical else 'differs'}", container, "Dump/"
        )
    return Variant(exhibit, {"identical": identical, "counts": key_counts(key)})


_STRAY_RELATIVE = "Library/SMS/Drafts/planted.db"


def write_backup_stray_wal(out: str | Path, *, seed: int = 0) -> Variant:
    """An iTunes/Finder backup folder with a stray ``Manifest.db-wal`` beside ``Manifest.db``:
    one committed WAL transaction adding a ``Files`` row (HomeDomain
    ``Library/SMS/Drafts/planted.db``, its stored file written too). The answer key holds the
    listed file count (without the WAL), the count SQLite shows with it, the planted device
    path and the WAL's name relative to the backup folder."""
    from forensics_datasets.phone.itunes import file_id, write_itunes_backup
    from forensics_datasets.phone.scenario import make_scenario

    out = Path(out)
    notes = write_itunes_backup(out, make_scenario(seed))
    root = out / str(notes["udid"])
    manifest = root / "Manifest.db"
    fid = file_id("HomeDomain", _STRAY_RELATIVE)
    stored = root / fid[:2] / fid
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(b"planted by a stray -wal\n")
    conn = sqlite3.connect(manifest)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()  # checkpointed: the listed Manifest.db (now in WAL mode), no -wal left
    with tempfile.TemporaryDirectory(prefix="stray-wal-") as tmp:
        copy = Path(tmp) / "Manifest.db"
        shutil.copyfile(manifest, copy)
        conn = sqlite3.connect(copy)
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.execute(
            "INSERT INTO Files VALUES (?, 'HomeDomain', ?, 1, NULL)", (fid, _STRAY_RELATIVE)
        )
        conn.commit()
        shutil.copyfile(copy.with_name("Manifest.db-wal"), root / "Manifest.db-wal")
        conn.close()
    listed = int(notes["files"])
    return Variant(
        root,
        {
            "files": listed,
            "files_with_wal": listed + 1,
            "planted": f"/private/var/mobile/{_STRAY_RELATIVE}",
            "companion": "Manifest.db-wal",
        },
    )
