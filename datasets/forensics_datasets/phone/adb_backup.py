"""Android adb backups: backup.ab (plain, compressed or encrypted), its tar, or the tar unpacked
(apps/<package>/db|sp|f|r/), FullBackup.java's layout."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path
from typing import Literal

from forensics_datasets.phone.layouts import Variant, base_tree, key_counts

AdbForm = Literal["ab", "ab_plain", "ab_encrypted", "tar", "dir"]
#: FullBackup.java tree tokens for the app folders the generated extraction holds.
_ADB_TOKENS = {"databases": "db", "shared_prefs": "sp", "files": "f", "cache": "c"}


def _adb_name(rel: str) -> str | None:
    """``apps/<pkg>/<token>/...`` for ``data/data/<pkg>/...`` (None outside app folders)."""
    parts = rel.split("/")
    if len(parts) < 4 or parts[:2] != ["data", "data"]:
        return None
    pkg, folder, rest = parts[2], parts[3], parts[4:]
    token = _ADB_TOKENS.get(folder)
    if token is None or not rest:
        return "/".join(["apps", pkg, "r", folder, *rest])
    return "/".join(["apps", pkg, token, *rest])


def write_adb_backup(
    out: str | Path, *, form: AdbForm = "ab", wal: bool = True, seed: int = 0
) -> Variant:
    """An Android ``adb backup`` of the generated phone's apps: every ``/data/data/<pkg>``
    file under ``apps/<pkg>/<token>/`` (``db``, ``sp``, ``f``, ``r``; FullBackup.java), an
    ``apps/<pkg>/_manifest`` first for each app and one ``sp/*.xml``; no build.prop (a
    backup holds app data only). ``form``: ``ab`` (header "ANDROID BACKUP\\n5\\n1\\nnone\\n"
    then the zlib-deflated tar), ``ab_plain`` (compressed 0: the bare tar), ``ab_encrypted``
    (AES-256 header, random bytes), ``tar`` (the tar alone) or ``dir`` (the tar unpacked).
    The answer key holds the scenario counts (a reader must find every SMS, call, contact,
    WhatsApp message of it)."""
    import os
    import random
    import tarfile
    import zlib

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp) / "tree"
        key = base_tree(tree, "android", seed, wal=wal)
        adb = Path(tmp) / "adb"
        packages: list[str] = []
        for path in sorted(p for p in tree.rglob("*") if p.is_file()):
            name = _adb_name(path.relative_to(tree).as_posix())
            if name is None:
                continue
            pkg = name.split("/")[1]
            if pkg not in packages:
                packages.append(pkg)
                manifest = adb / "apps" / pkg / "_manifest"
                manifest.parent.mkdir(parents=True, exist_ok=True)
                manifest.write_text(f"1\n{pkg}\n1\n34\n\n0\n0\n", encoding="ascii")
            dest = adb / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
        prefs = adb / "apps" / "com.whatsapp" / "sp" / "com.whatsapp_preferences.xml"
        prefs.parent.mkdir(parents=True, exist_ok=True)
        prefs.write_text(
            "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n"
            '    <string name="registration_jid">447700900000</string>\n</map>\n',
            encoding="utf-8",
        )
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            for pkg in packages:  # each app: its _manifest first, as the backup agent writes
                app = adb / "apps" / pkg
                tar.add(app / "_manifest", arcname=f"apps/{pkg}/_manifest")
                for p in sorted(app.rglob("*")):
                    if p.is_file() and p.name != "_manifest":
                        tar.add(p, arcname=p.relative_to(adb).as_posix())
        raw = buffer.getvalue()
        if form == "dir":
            exhibit = out / "adb_backup"
            shutil.copytree(adb, exhibit)
        elif form == "tar":
            exhibit = out / "backup.tar"
            exhibit.write_bytes(raw)
        else:
            exhibit = out / "backup.ab"
            if form == "ab":
                body = b"ANDROID BACKUP\n5\n1\nnone\n" + zlib.compress(raw, 6)
            elif form == "ab_plain":
                body = b"ANDROID BACKUP\n5\n0\nnone\n" + raw
            else:
                rng = random.Random(seed)
                hexes = [rng.randbytes(n).hex().upper().encode() for n in (64, 64, 16, 96)]
                body = (
                    b"ANDROID BACKUP\n5\n1\nAES-256\n"
                    + hexes[0]
                    + b"\n"
                    + hexes[1]
                    + b"\n10000\n"
                    + hexes[2]
                    + b"\n"
                    + hexes[3]
                    + b"\n"
                    + rng.randbytes(len(raw) // 4 + 16)
                )
            exhibit.write_bytes(body)
            os.utime(exhibit, (1_700_000_000, 1_700_000_000))
    return Variant(
        exhibit,
        {
            "form": form,
            "encrypted": form == "ab_encrypted",
            "packages": packages,
            "counts": key_counts(key),
        },
    )
