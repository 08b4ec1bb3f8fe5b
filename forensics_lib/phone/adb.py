"""Android ``adb backup`` archives: the app trees of a backup mapped back to device paths.

``adb backup`` writes ``backup.ab``: a text header of four lines, ``ANDROID BACKUP``, the
format version (1-5), ``1`` when the rest is compressed (else ``0``) and the encryption
(``none`` or ``AES-256``), then a tar, zlib-deflated when compressed (AOSP
``UserBackupManagerService`` / ``PerformAdbBackupTask``: ``BACKUP_FILE_HEADER_MAGIC``
``"ANDROID BACKUP\\n"``, a ``Deflater`` stream; ``nelenkov/android-backup-extractor`` reads
it back the same way). An encrypted one (``AES-256``: PBKDF2 salts, IV and the wrapped
master key follow as hex lines) is refused with
:class:`~forensics_lib.core.errors.EncryptedContent` naming the file.

Inside the tar each app's data lies under ``apps/<package>/<token>/``, with the tokens of
AOSP ``core/java/android/app/backup/FullBackup.java``: ``db`` databases, ``sp``
shared_prefs, ``f`` files, ``c`` cache, ``nb`` no_backup, ``r`` the app folder itself,
their ``d_*`` twins in device-protected storage (``/data/user_de/0``), ``ef`` the app's
external files, ``a`` the APK, ``obb`` its OBB files, ``k`` key/value data, and
``shared/<n>/`` the shared storage. So ``apps/com.android.providers.telephony/db/mmssms.db``
is ``/data/data/com.android.providers.telephony/databases/mmssms.db``. The artifact paths
of ALEAPP (``*/com.android.providers.telephony/databases/mmssms*``) need the
``databases`` folder, so an unpacked adb backup must be mapped before they apply; here the
unpacked tree (a folder, zip or tar holding ``apps/``) and the ``.ab`` file itself are both
read through that mapping.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from forensics_lib.core.errors import DecompressionLimitExceeded, EncryptedContent, ParseError
from forensics_lib.core.evidence import DEFAULT_LIMITS, Evidence, Limits
from forensics_lib.phone.backup import BackupFile
from forensics_lib.scan import ExcludingFile

__all__ = [
    "AB_MAGIC",
    "TREE_TOKENS",
    "AbHeader",
    "AdbFile",
    "adb_device_path",
    "adb_files",
    "find_adb_root",
    "is_android_backup",
    "read_ab_header",
    "unpack_ab",
]

AB_MAGIC = b"ANDROID BACKUP\n"
_MAX_HEADER = 4096  # the four text lines of an unencrypted header; far below this

#: FullBackup.java tree tokens -> the folder under the app's data directory ("" = itself).
TREE_TOKENS: dict[str, tuple[str, str]] = {
    "r": ("/data/data/{pkg}", ""),
    "f": ("/data/data/{pkg}", "files"),
    "db": ("/data/data/{pkg}", "databases"),
    "sp": ("/data/data/{pkg}", "shared_prefs"),
    "c": ("/data/data/{pkg}", "cache"),
    "nb": ("/data/data/{pkg}", "no_backup"),
    "d_r": ("/data/user_de/0/{pkg}", ""),
    "d_f": ("/data/user_de/0/{pkg}", "files"),
    "d_db": ("/data/user_de/0/{pkg}", "databases"),
    "d_sp": ("/data/user_de/0/{pkg}", "shared_prefs"),
    "d_c": ("/data/user_de/0/{pkg}", "cache"),
    "d_nb": ("/data/user_de/0/{pkg}", "no_backup"),
    "ef": ("/data/media/0/Android/data/{pkg}", "files"),
    "obb": ("/data/media/0/Android/obb/{pkg}", ""),
}
_APP = re.compile(r"(?P<root>.*?)/apps/(?P<pkg>[A-Za-z0-9_.]+)/(?P<token>[a-z_]+)(?P<rest>/.*)?")
_SHARED = re.compile(r"(?P<root>.*?)/shared/(?P<user>\d+)(?P<rest>/.*)?")


@dataclass(frozen=True)
class AbHeader:
    """The text header of a ``.ab`` file."""

    version: int
    compressed: bool
    encryption: str
    size: int  # bytes of the header (where the tar or its deflate stream starts)


def is_android_backup(head: bytes) -> bool:
    return head.startswith(AB_MAGIC)


def read_ab_header(data: bytes, where: str) -> AbHeader:
    """Parse the header at the start of ``data`` (at least its first 4 KiB)."""
    if not data.startswith(AB_MAGIC):
        raise ParseError(where, 0, "no 'ANDROID BACKUP' header")
    lines = data[:_MAX_HEADER].split(b"\n", 4)
    if len(lines) < 5:
        raise ParseError(where, 0, "the 'ANDROID BACKUP' header is cut short (4 lines)")
    version, compressed, encryption = (x.decode("ascii", "replace") for x in lines[1:4])
    size = sum(len(x) + 1 for x in lines[:4])
    if not version.isdigit():
        raise ParseError(where, len(lines[0]) + 1, f"backup version {version!r} is no number")
    if compressed not in ("0", "1"):
        raise ParseError(
            where, len(lines[0]) + len(lines[1]) + 2, f"compression flag {compressed!r} not 0/1"
        )
    return AbHeader(int(version), compressed == "1", encryption, size)


def unpack_ab(path: Path, limits: Limits = DEFAULT_LIMITS) -> Path:
    """The tar inside the ``.ab`` file at ``path``, written to a new private temporary folder
    (the caller deletes ``result.parent``); inflated when compressed, never more than
    ``limits.max_member_bytes``. Raises EncryptedContent for an encrypted backup."""
    where = str(path)
    with path.open("rb") as fh:
        header = read_ab_header(fh.read(_MAX_HEADER), where)
        if header.encryption.lower() != "none":
            raise EncryptedContent(
                where,
                f"this adb backup is encrypted ({header.encryption}, format version "
                f"{header.version})",
                "Decrypt it with the backup password first (e.g. android-backup-extractor "
                "'abe unpack backup.ab backup.tar <password>') and open the tar.",
            )
        fh.seek(header.size)
        folder = Path(tempfile.mkdtemp(prefix="forensics_lib-ab-"))
        tar = folder / (path.name + ".tar")
        try:
            _copy_out(fh, tar, header, where, limits.max_member_bytes)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    return tar


def _copy_out(src: IO[bytes], tar: Path, header: AbHeader, where: str, limit: int) -> None:
    inflate = zlib.decompressobj() if header.compressed else None
    written = 0
    with tar.open("xb") as out:
        while chunk := src.read(1 << 20):
            try:
                data = inflate.decompress(chunk, limit + 1 - written) if inflate else chunk
            except zlib.error as exc:
                raise ParseError(
                    where, header.size, f"the deflate stream is damaged: {exc}"
                ) from exc
            written += len(data)
            if written > limit or (inflate is not None and inflate.unconsumed_tail):
                raise DecompressionLimitExceeded(where, "tar", written, limit)
            out.write(data)
            if inflate is not None and inflate.eof:
                break
        if inflate is not None and not inflate.eof:
            raise ParseError(where, header.size, "the deflate stream ends before its end")
    if written == 0:
        raise ParseError(where, header.size, "no tar after the 'ANDROID BACKUP' header")


def adb_device_path(path: str) -> tuple[str, str] | None:
    """``(root, device path)`` of a member of an unpacked adb backup, or None (an APK, key/
    value data or a name that is no app tree)."""
    app = _APP.fullmatch(path)
    if app is not None:
        tree = TREE_TOKENS.get(app["token"])
        if tree is None:
            return None
        base, sub = tree
        folder = base.format(pkg=app["pkg"]) + (f"/{sub}" if sub else "")
        return app["root"], folder + (app["rest"] or "")
    shared = _SHARED.fullmatch(path)
    if shared is not None:
        return shared["root"], f"/data/media/{shared['user']}{shared['rest'] or ''}"
    return None


def find_adb_root(evidence: Evidence, exclude: Collection[str] = ()) -> str | None:
    """The folder holding the ``apps/`` tree of an unpacked adb backup (``""`` at the top),
    or None when the exhibit has no app tree of a backup (``apps/<pkg>/_manifest``, which
    every app's backup begins with, or a file under a known token folder)."""
    roots: set[str] = set()
    for member in evidence.files():
        if member.path in exclude:
            continue
        app = _APP.fullmatch(member.path)
        if app is None:
            continue
        manifest = app["token"] == "_manifest" and not app["rest"]
        if manifest or (app["token"] in TREE_TOKENS and app["rest"]):
            roots.add(app["root"])
    return min(roots, key=len) if roots else None


@dataclass(frozen=True)
class AdbFile(BackupFile):
    """A file of an adb backup, known by its device path. Unlike an iTunes backup's files,
    its ``-wal`` and ``-journal`` lie beside it under the same token folder (the backup
    agent copies the whole ``databases`` folder), so they are found and applied."""

    def sibling(self, suffix: str) -> AdbFile | None:
        found = self.file.sibling(suffix)
        return None if found is None else AdbFile(found, self.device + suffix)

    def materialize(self, siblings: Sequence[str] = ()) -> Path:
        return self.file.materialize(siblings)


def adb_files(evidence: Evidence, root: str, exclude: Collection[str] = ()) -> list[BackupFile]:
    """Every mapped file of the backup under ``root`` (the members ``exclude`` names left
    out, and their excluded companions as if absent)."""
    excluded = frozenset(exclude)
    out: list[BackupFile] = []
    for member in evidence.files():
        if member.path in excluded:
            continue
        mapped = adb_device_path(member.path)
        if mapped is None or mapped[0] != root:
            continue
        file = ExcludingFile(evidence, member, excluded) if excluded else evidence.file(member)
        out.append(AdbFile(file, mapped[1]))
    return out
