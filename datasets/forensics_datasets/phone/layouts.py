"""Phone extraction variants, where the tree lies: the same extraction under every root extraction
tools use, one artifact alone, one database at no device path; and what every variant writer
shares (Variant, base_tree, pack_variant)."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from forensics_datasets.phone import make_phone_extraction
from forensics_datasets.phone._pack import pack

OS = Literal["android", "ios"]
Container = Literal["dir", "zip", "tar", "tgz"]

#: Root name -> (member-name prefix, OSes it applies to). "var" and "data_user_0" rewrite
#: the device path itself (iOS /var is /private/var; Android /data/user/0 is /data/data).
ROOTS: dict[str, tuple[str, tuple[OS, ...]]] = {
    "slash": ("/", ("android", "ios")),
    "bare": ("", ("android", "ios")),
    "var": ("", ("ios",)),
    "slash_var": ("/", ("ios",)),
    "data_user_0": ("", ("android",)),
    "filesystem1": ("filesystem1/", ("android", "ios")),
    "filesystem2": ("filesystem2/", ("android", "ios")),
    "fs": ("fs/", ("android", "ios")),
    "Dump": ("Dump/", ("android", "ios")),
    # the /data partition dumped on its own: userdata/data/<app>, no /system
    "userdata": ("Dump/", ("android",)),
}

MSGSTORE_PATH = "data/data/com.whatsapp/databases/msgstore.db"
MMSSMS_PATH = "data/data/com.android.providers.telephony/databases/mmssms.db"
SMS_DB_PATH = "private/var/mobile/Library/SMS/sms.db"
SYSTEM_VERSION_PATH = "System/Library/CoreServices/SystemVersion.plist"
KNOWN_NETWORKS_PATH = "private/var/preferences/com.apple.wifi.known-networks.plist"


@dataclass(frozen=True)
class Variant:
    """A written variant exhibit and what a correct reader must find in it."""

    exhibit: Path
    answer_key: dict[str, Any]


def base_tree(tree: Path, os: OS, seed: int, **options: Any) -> dict[str, Any]:
    """Write a generated extraction as a bare tree (device paths without a root) into
    ``tree``; return its answer key."""
    with tempfile.TemporaryDirectory(prefix="variant-base-") as tmp:
        case = make_phone_extraction(
            tmp, os=os, seed=seed, container="dir", prefix="", name="base", **options
        )
        shutil.copytree(case.exhibit, tree, dirs_exist_ok=True)
        return case.answer_key


def key_counts(key: dict[str, Any]) -> dict[str, int]:
    scenario = key["scenario"]
    return {
        "messages": len(scenario["messages"]),
        "calls": len(scenario["calls"]),
        "contacts": len(scenario["contacts"]),
        "wa_messages": len(scenario["wa_messages"]),
        "wa_calls": len(scenario["wa_calls"]),
    }


def _reroot(tree: Path, root: str) -> None:
    """Rewrite device paths for the roots that change them (iOS var/, Android data/user/0)."""
    if root in ("var", "slash_var") and (tree / "private" / "var").is_dir():
        shutil.move(tree / "private" / "var", tree / "var")
        (tree / "private").rmdir()
    if root == "userdata" and (tree / "data").is_dir():
        shutil.move(tree / "data", tree / "userdata")
        shutil.rmtree(tree / "system", ignore_errors=True)
    if root == "data_user_0" and (tree / "data" / "data").is_dir():
        (tree / "data" / "user").mkdir(parents=True)
        shutil.move(tree / "data" / "data", tree / "data" / "user" / "0")


def _suffix(container: Container) -> str:
    return {"dir": "", "zip": ".zip", "tar": ".tar", "tgz": ".tar.gz"}[container]


def pack_variant(tree: Path, out: Path, stem: str, container: Container, prefix: str) -> Path:
    exhibit = out / f"{stem}{_suffix(container)}"
    if container == "dir":
        exhibit.mkdir(parents=True, exist_ok=True)
        # A folder cannot hold a member named "/x": the leading slash is the folder itself.
        pack(tree, exhibit, "dir", prefix.lstrip("/"))
    else:
        pack(tree, exhibit, container, prefix)
    return exhibit


def write_rooted(
    out: str | Path,
    *,
    os: OS,
    root: str,
    container: Container = "zip",
    nest: str = "",
    seed: int = 0,
) -> Variant:
    """A whole extraction under ``root`` (a key of :data:`ROOTS`), inside the folders
    ``nest`` (e.g. ``"Case 117/EXH-002/"``), packed as ``container``."""
    prefix, oses = ROOTS[root]
    if os not in oses:
        raise ValueError(f"root {root!r} is not an {os} root")
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        key = base_tree(tree, os, seed)
        _reroot(tree, root)
        lead = (prefix + nest) if prefix == "/" else (nest + prefix)
        exhibit = pack_variant(tree, out, f"{os}_{root}", container, lead)
        names = sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file())
    return Variant(
        exhibit,
        {
            "os": os,
            "root": root,
            "container": container,
            "prefix": lead,
            "members": [lead + n for n in names],
            "counts": key_counts(key),
        },
    )


_ARTIFACT_FILES: dict[str, tuple[OS, str, str]] = {
    # name -> (os, device path of its database, counts key)
    "whatsapp": ("android", MSGSTORE_PATH, "wa_messages"),
    "sms_android": ("android", MMSSMS_PATH, "messages"),
    "sms_ios": ("ios", SMS_DB_PATH, "messages"),
}


def _keep_only(tree: Path, device_path: str) -> None:
    wanted = {device_path, device_path + "-wal", device_path + "-journal"}
    for path in sorted(tree.rglob("*"), reverse=True):
        rel = path.relative_to(tree).as_posix()
        if path.is_file() and rel not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def write_single_artifact(
    out: str | Path,
    *,
    artifact: str,
    root: str = "bare",
    container: Container = "zip",
    seed: int = 0,
) -> Variant:
    """An extraction holding one artifact's database (and its ``-wal``) at its device path:
    ``whatsapp`` (msgstore.db), ``sms_android`` (mmssms.db) or ``sms_ios`` (sms.db)."""
    os, device_path, count = _ARTIFACT_FILES[artifact]
    prefix, _oses = ROOTS[root]
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        key = base_tree(tree, os, seed)
        _keep_only(tree, device_path)
        _reroot(tree, root)
        exhibit = pack_variant(tree, out, f"only_{artifact}", container, prefix)
    return Variant(
        exhibit,
        {
            "os": os,
            "artifact": artifact,
            "rows": key_counts(key)[count],
            "device_path": device_path,
        },
    )


def write_loose_database(
    out: str | Path, *, artifact: str, name: str | None = None, seed: int = 0
) -> Variant:
    """One database alone in an evidence folder (``out/<artifact>_loose/``), at no device
    path, under its usual name or renamed to ``name``; its ``-wal`` beside it."""
    os, device_path, count = _ARTIFACT_FILES[artifact]
    folder = Path(out) / f"{artifact}_loose"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        key = base_tree(tree, os, seed)
        filename = name or device_path.rsplit("/", 1)[1]
        for suffix in ("", "-wal"):
            source = tree / (device_path + suffix)
            if source.is_file():
                shutil.copyfile(source, folder / (filename + suffix))
    return Variant(
        folder,
        {"os": os, "artifact": artifact, "rows": key_counts(key)[count], "file": filename},
    )
