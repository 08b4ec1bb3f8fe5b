"""Pack file trees as vendor-style exhibits (zip, tar, tgz, folder), byte-reproducibly.

The SQLite writers (WAL states, fixed salts) are shared with the other generators in
:mod:`forensics_datasets.sqlite_files`, re-exported here for the phone generators.
"""

from __future__ import annotations

import io
import shutil
import tarfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from forensics_datasets.sqlite_files import WalState, fix_wal_salts, write_db

__all__ = ["WalState", "fix_wal_salts", "pack", "write_db"]

_FIXED_MTIME = (2024, 4, 20, 14, 0, 0)  # the (synthetic) acquisition time, as zip DOS time
_FIXED_MTIME_UNIX = 1_713_621_600  # 2024-04-20T14:00:00Z


def pack(
    tree: Path,
    out: Path,
    container: Literal["zip", "tar", "tgz", "dir"],
    prefix: str,
    beside: Mapping[str, bytes] | None = None,
) -> Path:
    """Pack every file under ``tree`` into ``out`` with member names ``prefix + relative path``.

    ``beside``: more members by their full name (not under ``prefix``), written after the
    tree: what the extraction tool writes beside the dump (its acquisition record).
    Names and times are fixed, so the same tree always gives byte-identical archives.
    """
    files = sorted(p for p in tree.rglob("*") if p.is_file())
    others = sorted((beside or {}).items())
    if container == "dir":
        target = out / prefix.strip("/") if prefix.strip("/") else out
        for path in files:
            dest = target / path.relative_to(tree)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
        for name, data in others:
            dest = out / name.lstrip("/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    if container == "zip":
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in files:
                info = zipfile.ZipInfo(prefix + path.relative_to(tree).as_posix(), _FIXED_MTIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o100444 << 16
                zf.writestr(info, path.read_bytes())
            for name, data in others:
                info = zipfile.ZipInfo(name, _FIXED_MTIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o100444 << 16
                zf.writestr(info, data)
        return out
    mode: Literal["w", "w:gz"] = "w:gz" if container == "tgz" else "w"
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode=mode, format=tarfile.PAX_FORMAT) as tf:
        for path in files:
            info = tarfile.TarInfo(prefix + path.relative_to(tree).as_posix())
            data = path.read_bytes()
            info.size = len(data)
            info.mtime = _FIXED_MTIME_UNIX
            info.mode = 0o444
            tf.addfile(info, io.BytesIO(data))
        for name, data in others:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = _FIXED_MTIME_UNIX
            info.mode = 0o444
            tf.addfile(info, io.BytesIO(data))
    if container == "tgz":
        # gzip stores a header time: rewrite it to the fixed one for reproducible bytes.
        data = bytearray(raw.getvalue())
        data[4:8] = _FIXED_MTIME_UNIX.to_bytes(4, "little")
        out.write_bytes(bytes(data))
    else:
        out.write_bytes(raw.getvalue())
    return out
