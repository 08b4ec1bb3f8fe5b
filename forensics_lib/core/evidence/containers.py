"""The container backends: zip, tar (plain/gz/bz2/xz), directory and single file; each lists
its members without reading them and opens one as a guarded stream. Detection is by content.
"""

from __future__ import annotations

import errno
import gzip
import lzma
import os
import stat
import tarfile
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import IO

from forensics_lib.core.errors import (
    EncryptedContent,
    ForensicsWarning,
    ParseError,
    SpecialFileRefused,
    UnsafeMember,
    UnsupportedFormat,
)
from forensics_lib.core.evidence.members import (
    MAX_LINK_TARGET,
    ZIP_MAGICS,
    ZIP_STREAM_ERRORS,
    ExhibitKind,
    Limits,
    Member,
    from_unix_seconds,
    logger,
    member_time_from_unix_ns,
    normalize_member_name,
    unsafe_name_reason,
    zip_utc_mtime,
)
from forensics_lib.core.evidence.streams import Backend, too_many
from forensics_lib.core.hashing import file_kind


class _ZipBackend:
    kind: ExhibitKind = "zip"
    stream_errors: tuple[type[Exception], ...] = ZIP_STREAM_ERRORS
    checks_length = True

    def __init__(self, path: Path, real: Path) -> None:
        self._path = path
        self._fh = real.open("rb")
        try:
            self._zip = zipfile.ZipFile(self._fh)
        except (zipfile.BadZipFile, EOFError, ValueError) as exc:
            self._fh.close()
            raise ParseError(path, None, f"not a readable zip archive: {exc}") from exc
        self._infos: dict[Member, zipfile.ZipInfo] = {}

    def list_members(self, limits: Limits) -> list[Member]:
        infos = self._zip.infolist()
        if len(infos) > limits.max_members:
            raise too_many(self._path, limits.max_members)
        members = []
        for info in infos:
            is_link = info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)
            unsafe = unsafe_name_reason(info.orig_filename)
            target = None
            if is_link:
                target, problem = self._link_target(info)
                unsafe = unsafe or problem
            member = Member(
                name=info.orig_filename,
                path=normalize_member_name(info.filename),
                size=0 if info.is_dir() else info.file_size,
                is_dir=info.is_dir(),
                is_link=is_link,
                link_target=target,
                mtime=zip_utc_mtime(info.extra),
                dos_time=info.date_time,
                compressed_size=info.compress_size,
                unsafe_reason=unsafe,
                offset=info.header_offset,
            )
            self._infos[member] = info
            members.append(member)
        return members

    def _link_target(self, info: zipfile.ZipInfo) -> tuple[str | None, str | None]:
        """A zip symlink stores its target as content: read it (a few bytes, capped)."""
        if info.flag_bits & 0x1:
            return None, "symlink target is encrypted"
        if info.file_size > MAX_LINK_TARGET or info.compress_size > MAX_LINK_TARGET:
            return None, f"symlink target longer than {MAX_LINK_TARGET} bytes"
        try:
            with self._zip.open(info) as fh:
                raw = fh.read(MAX_LINK_TARGET + 1)
        except (*ZIP_STREAM_ERRORS, NotImplementedError) as exc:
            warnings.warn(
                f"{self._path}: cannot read the target of symlink {info.orig_filename!r}: {exc}",
                ForensicsWarning,
                stacklevel=4,
            )
            return None, "symlink target unreadable"
        return raw.decode("utf-8", errors="replace"), None

    def open_member(self, member: Member) -> IO[bytes]:
        info = self._infos[member]
        if info.flag_bits & 0x1:
            raise EncryptedContent(
                self._path,
                f"zip member {member.name!r} is encrypted",
                "Decrypt the extraction with the acquiring tool and the case password, then "
                "open the decrypted copy.",
            )
        try:
            return self._zip.open(info)
        except NotImplementedError as exc:
            raise UnsupportedFormat(self._path, f"member {member.name!r}: {exc}") from exc
        except self.stream_errors as exc:
            raise ParseError(
                self._path, info.header_offset, f"member {member.name!r}: {exc}"
            ) from exc

    def is_hardlink(self, member: Member) -> bool:
        return False

    def close(self) -> None:
        self._zip.close()
        self._fh.close()


class _TarBackend:
    kind: ExhibitKind = "tar"
    stream_errors: tuple[type[Exception], ...] = (
        tarfile.TarError,
        zlib.error,
        EOFError,
        gzip.BadGzipFile,
        lzma.LZMAError,
    )
    checks_length = False  # tarfile raises ReadError itself on truncated data

    def __init__(self, path: Path, real: Path) -> None:
        self._path = path
        try:
            # Random access ("r:", not stream "r|"), read only; closed by Evidence.close().
            self._tar = tarfile.open(real, mode="r:*")  # noqa: SIM115
        except self.stream_errors as exc:
            raise ParseError(path, None, f"not a readable tar archive: {exc}") from exc
        self._infos: dict[Member, tarfile.TarInfo] = {}

    def list_members(self, limits: Limits) -> list[Member]:
        members: list[Member] = []
        try:
            while (info := self._tar.next()) is not None:
                if len(members) >= limits.max_members:
                    raise too_many(self._path, limits.max_members)
                if not (info.isreg() or info.isdir() or info.issym() or info.islnk()):
                    logger.debug("%s: skipping special tar member %r", self._path, info.name)
                    continue
                member = Member(
                    name=info.name,
                    path=normalize_member_name(info.name),
                    size=info.size if info.isreg() else 0,
                    is_dir=info.isdir(),
                    is_link=info.issym() or info.islnk(),
                    link_target=info.linkname if info.issym() or info.islnk() else None,
                    mtime=from_unix_seconds(info.mtime),
                    dos_time=None,
                    compressed_size=None,
                    unsafe_reason=unsafe_name_reason(info.name),
                    offset=info.offset,
                )
                self._infos[member] = info
                members.append(member)
        except self.stream_errors as exc:
            raise ParseError(
                self._path,
                self._tar.offset,
                f"tar listing failed (offset in the uncompressed tar stream): {exc}",
            ) from exc
        self._check_end()
        return members

    def _check_end(self) -> None:
        """tarfile stops silently at a bad header; say so when members may be missing."""
        fileobj = self._tar.fileobj
        if fileobj is None:
            return
        try:
            fileobj.seek(self._tar.offset)
            block = fileobj.read(tarfile.BLOCKSIZE)
        except self.stream_errors as exc:
            block, problem = b"", str(exc)
        else:
            problem = "" if block.count(0) == len(block) else "an invalid header"
        if problem:
            warnings.warn(
                f"{self._path}: tar listing stopped at offset {self._tar.offset:,} of the "
                f"uncompressed stream ({problem}); later members, if any, are not listed",
                ForensicsWarning,
                stacklevel=4,
            )

    def open_member(self, member: Member) -> IO[bytes]:
        info = self._infos[member]
        try:
            stream = self._tar.extractfile(info)
        except self.stream_errors as exc:
            raise ParseError(self._path, info.offset, f"member {member.name!r}: {exc}") from exc
        if stream is None:
            raise ParseError(self._path, info.offset, f"member {member.name!r} has no data")
        return stream

    def is_hardlink(self, member: Member) -> bool:
        return self._infos[member].islnk()

    def close(self) -> None:
        self._tar.close()


class DirectoryBackend:
    kind: ExhibitKind = "directory"
    stream_errors: tuple[type[Exception], ...] = ()
    checks_length = False  # a live file may legitimately shrink

    def __init__(self, path: Path, real: Path) -> None:
        self._path = path
        self._real = real

    def list_members(self, limits: Limits) -> list[Member]:
        members: list[Member] = []
        stack = [(self._real, "")]
        while stack:
            directory, prefix = stack.pop()
            try:
                with os.scandir(directory) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                warnings.warn(
                    f"{self._path}: cannot list {prefix or '.'!r}: {exc}; its contents are "
                    "not listed",
                    ForensicsWarning,
                    stacklevel=4,
                )
                continue
            subdirs = []
            for entry in entries:
                name = prefix + entry.name
                st = entry.stat(follow_symlinks=False)
                is_link = stat.S_ISLNK(st.st_mode)
                is_dir = stat.S_ISDIR(st.st_mode)
                if not (is_link or is_dir or stat.S_ISREG(st.st_mode)):
                    # never opened (a FIFO would block), never dropped silently
                    warnings.warn(
                        f"{self._path}: skipping {name!r}: {file_kind(st.st_mode)}, not a "
                        "regular file (not evidence that can be read)",
                        ForensicsWarning,
                        stacklevel=4,
                    )
                    continue
                if len(members) >= limits.max_members:
                    raise too_many(self._path, limits.max_members)
                members.append(
                    Member(
                        name=name,
                        path=normalize_member_name(name),
                        size=st.st_size if not is_dir else 0,
                        is_dir=is_dir,
                        is_link=is_link,
                        link_target=str(Path(entry.path).readlink()) if is_link else None,
                        mtime=member_time_from_unix_ns(st.st_mtime_ns),
                        dos_time=None,
                        compressed_size=None,
                        unsafe_reason=unsafe_name_reason(name),
                    )
                )
                if is_dir:
                    subdirs.append((Path(entry.path), name + "/"))
            stack.extend(reversed(subdirs))
        return members

    def local_path(self, member: Member) -> Path:
        """The member's file on disk, after checking it stays inside the exhibit."""
        real = (self._real / member.name).resolve()
        if not real.is_relative_to(self._real):
            raise UnsafeMember(
                self._path, member.name, f"resolves to {real}, outside the exhibit directory"
            )
        if not stat.S_ISREG(real.stat().st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", str(real))
        return real

    def open_member(self, member: Member) -> IO[bytes]:
        return self.local_path(member).open("rb")

    def is_hardlink(self, member: Member) -> bool:
        return False

    def close(self) -> None:
        pass


class _FileBackend:
    kind: ExhibitKind = "file"
    stream_errors: tuple[type[Exception], ...] = ()
    checks_length = False

    def __init__(self, path: Path, real: Path) -> None:
        self._path = path
        self._real = real

    def list_members(self, limits: Limits) -> list[Member]:
        st = self._real.stat()
        name = self._path.name or self._real.name
        return [
            Member(
                name=name,
                path="/" + name,
                size=st.st_size,
                is_dir=False,
                is_link=False,
                link_target=None,
                mtime=member_time_from_unix_ns(st.st_mtime_ns),
                dos_time=None,
                compressed_size=None,
                unsafe_reason=None,
            )
        ]

    def open_member(self, member: Member) -> IO[bytes]:
        return self._real.open("rb")

    def is_hardlink(self, member: Member) -> bool:
        return False

    def close(self) -> None:
        pass


def _is_tar(path: Path) -> bool:
    try:
        return tarfile.is_tarfile(path)
    except (OSError, EOFError, zlib.error, lzma.LZMAError):
        return False


def open_backend(path: Path, real: Path) -> Backend:
    """Detect the container by content, not by extension."""
    if real.is_dir():
        return DirectoryBackend(path, real)
    if not real.is_file():  # checked without opening: opening a FIFO blocks
        raise SpecialFileRefused(path, file_kind(real.stat().st_mode))
    with real.open("rb") as fh:
        zip_magic = fh.read(4) in ZIP_MAGICS
        zip_trailer = not zip_magic and zipfile.is_zipfile(fh)
    if zip_magic:
        return _ZipBackend(path, real)
    if _is_tar(real):
        return _TarBackend(path, real)
    if zip_trailer:  # self-extracting or prefixed zip; a chance match falls through
        try:
            return _ZipBackend(path, real)
        except ParseError:
            logger.debug("%s: zip trailer found but not a readable zip", path)
    return _FileBackend(path, real)
