"""Open an exhibit read-only and read its members in place.

An *exhibit* is what an extraction tool hands over: a directory, a single file, a zip, or a
tar / tar.gz / tgz (Cellebrite, GrayKey, Magnet). :class:`Evidence` detects which by content
(never by extension), lists the members without reading their contents, and streams any
member straight out of the container. Nothing is ever written into or beside the exhibit;
the whole archive is never extracted. When a parser needs a real file (SQLite with its
``-wal``), :meth:`EvidenceFile.materialize` copies that one member into a private temporary
directory (mode 0700) that is removed on :meth:`Evidence.close`.

Device paths
------------
Every member keeps its ``name`` exactly as stored, and gets a normalised device ``path``
(:func:`normalize_member_name`), which is what ``find``/``member``/``glob`` match:

* backslashes become ``/``; empty and ``.`` components are dropped; the result always starts
  with a single ``/``;
* a leading vendor container folder is removed: GrayKey, Magnet and Cellebrite write
  ``filesystem1/``, ``filesystem2/`` (any ``filesystemN/``), ``fs/`` and ``Dump/``, and
  Cellebrite zips start names with ``/``::

      "/filesystem2/private/var/mobile/Library/SMS/sms.db"
          -> "/private/var/mobile/Library/SMS/sms.db"
      "Dump/data/data/com.whatsapp/databases/msgstore.db"
          -> "/data/data/com.whatsapp/databases/msgstore.db"

* on iOS ``/var`` is a link to ``/private/var``, so a leading ``var/`` becomes
  ``/private/var/``;
* ``..`` components are *kept* (never silently resolved) and the member's ``unsafe_reason``
  says why it could escape a directory; such a member is never written to disk.

Queries are normalised the same way, and a member matches when its path equals the query or
ends with it at a component boundary, because vendors nest extractions under arbitrary
folders: ``ev.member("/var/mobile/Library/SMS/sms.db")`` finds
``"Extraction_01/filesystem1/private/var/mobile/Library/SMS/sms.db"``. Matching is
case-sensitive, as on Android and iOS.

Links
-----
A symlink or hard link inside an archive is followed to its target *member*; an absolute
target is a device path (``/etc/passwd`` means the exhibit's ``/etc/passwd``, never the
analyst's). A link whose target is not a member of the exhibit, or climbs above its root, is
refused with :class:`~forensics_lib.core.errors.UnsafeMember`. In a directory exhibit, a path that
resolves (symlinks included) outside the exhibit directory is refused the same way.

Times
-----
``Member.mtime`` is UTC and set only where the container records an unambiguous UTC time: tar
headers (Unix seconds), the zip extended-timestamp extra field 0x5455 (Unix seconds) or NTFS
extra field 0x000a (FILETIME), and ``stat`` for directory and single-file exhibits. A zip's DOS
date/time alone is local wall time with no zone: it stays raw in ``Member.dos_time`` and
``mtime`` is None.

Limits
------
:class:`Limits` caps what one member may yield (its declared size is checked before reading,
and bytes are counted while streaming, so a lying header cannot defeat the cap), the
compression ratio of large zip members, the total written to the temporary directory, and
the number of members. Going over raises
:class:`~forensics_lib.core.errors.DecompressionLimitExceeded`.

An :class:`Evidence` object is not thread-safe; open one per thread.
"""

from __future__ import annotations

import errno
import gzip
import io
import itertools
import logging
import lzma
import os
import re
import shutil
import stat
import struct
import tarfile
import tempfile
import warnings
import weakref
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, Literal, Protocol

import pandas as pd

from forensics_lib.core import times
from forensics_lib.core.errors import (
    DecompressionLimitExceeded,
    EncryptedContent,
    ForensicsError,
    ForensicsWarning,
    MemberNotFound,
    ParseError,
    SpecialFileRefused,
    TimestampError,
    UnsafeMember,
    UnsupportedFormat,
)
from forensics_lib.core.hashing import file_kind

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "DEFAULT_LIMITS",
    "AmbiguousMember",
    "Evidence",
    "EvidenceFile",
    "ExhibitKind",
    "Limits",
    "Member",
    "glob_regex",
    "normalize_member_name",
]

logger = logging.getLogger(__name__)

ExhibitKind = Literal["file", "directory", "zip", "tar"]

#: Top-level folders that extraction tools wrap around the device's root file system.
VENDOR_PREFIX = re.compile(r"filesystem\d+|fs|Dump")
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_ZIP_EXTRA_UNIX_TIME = 0x5455  # Info-ZIP extended timestamp: uint32 Unix seconds, UTC
_ZIP_EXTRA_NTFS = 0x000A  # NTFS times: FILETIME (100 ns since 1601-01-01), UTC
_MAX_LINK_HOPS = 40  # as Linux's MAXSYMLINKS
_MAX_LINK_TARGET = 4096  # PATH_MAX; a zip "symlink" longer than this is not a path
_CHUNK = 1 << 20
# What zipfile raises on corrupt data. OSError: a corrupt header offset makes it seek
# before the start of the file (EINVAL), found by tests/test_fuzz.py.
_ZIP_STREAM_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, lzma.LZMAError, OSError)


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile or broken exhibit from exhausting memory or disk."""

    max_member_bytes: int = 8 * 2**30  # declared or actual uncompressed size of one member
    max_total_bytes: int = 32 * 2**30  # total bytes ever written to the private temp root
    max_ratio: float = 1000.0  # zip members: uncompressed/compressed above this ...
    ratio_min_bytes: int = 64 * 2**20  # ... are refused only when larger than this
    max_members: int = 10_000_000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Member:
    """One entry of an exhibit, as listed (no content read)."""

    name: str  # exactly as stored in the exhibit
    path: str  # normalised device path, always starting with "/"
    size: int  # uncompressed size in bytes (0 for dirs)
    is_dir: bool
    is_link: bool
    link_target: str | None
    mtime: pd.Timestamp | None  # UTC, only where the container records an unambiguous UTC time
    dos_time: tuple[int, int, int, int, int, int] | None  # zip DOS wall time, no zone: kept raw
    compressed_size: int | None
    unsafe_reason: str | None  # set when the stored name could escape a root
    offset: int | None = None  # header offset in the container (zip local header; tar header
    # in the uncompressed tar stream); None for directory and single-file exhibits


class AmbiguousMember(ForensicsError):
    """Several members match a device path (e.g. two extractions in one archive)."""

    def __init__(
        self, exhibit: str | os.PathLike[str], query: str, candidates: list[Member]
    ) -> None:
        self.path = str(exhibit)
        self.member = query
        self.candidates = candidates
        listed = "; ".join(_describe(m) for m in candidates)
        super().__init__(
            f"{self.path}: {len(candidates)} members match {query!r}: {listed}. "
            "Pass a longer device path, or one of the Member objects from find()."
        )


def normalize_member_name(name: str) -> str:
    """Return the device path of an archive member name (see the module docstring).

    >>> normalize_member_name("/filesystem2/private/var/mobile/Library/SMS/sms.db")
    '/private/var/mobile/Library/SMS/sms.db'
    >>> normalize_member_name("Dump/data/data/com.whatsapp/databases/msgstore.db")
    '/data/data/com.whatsapp/databases/msgstore.db'
    >>> normalize_member_name("var/mobile/../x")
    '/private/var/mobile/../x'
    """
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    while len(parts) > 1 and VENDOR_PREFIX.fullmatch(parts[0]):
        del parts[0]
    if parts and parts[0] == "var":
        parts.insert(0, "private")
    return "/" + "/".join(parts)


def _unsafe_reason(name: str) -> str | None:
    """Why a stored name could escape a root directory if used as a path, or None."""
    if "\x00" in name:
        return "NUL byte in name"
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        return "'..' component"
    if re.match(r"[A-Za-z]:", parts[0]):
        return "Windows drive prefix"
    return None


def _shared_components(a: str, b: str) -> int:
    """How many leading path components two stored names share."""
    count = 0
    for x, y in zip(a.split("/"), b.split("/"), strict=False):
        if x != y:
            break
        count += 1
    return count


def _describe(member: Member) -> str:
    where = f" at offset {member.offset}" if member.offset is not None else ""
    return f"{member.name!r}{where}"


def _utc_or_none(
    convert: Callable[[int | float], pd.Timestamp], value: int | float
) -> pd.Timestamp | None:
    """``convert(value)`` (a :mod:`forensics_lib.core.times` converter, the one implementation of
    each epoch), or None when pandas cannot represent it: a member's time is metadata, and an
    impossible one must not stop the listing."""
    try:
        return convert(value)
    except TimestampError:
        logger.debug("%s %r out of range", getattr(convert, "__name__", "time"), value)
        return None


def _from_unix_seconds(seconds: float) -> pd.Timestamp | None:
    """UTC timestamp of Unix seconds, or None when pandas cannot represent it."""
    return _utc_or_none(times.from_unix_s, seconds)


def _from_unix_ns(nanoseconds: int) -> pd.Timestamp | None:
    """UTC timestamp of Unix nanoseconds, or None when pandas cannot represent it."""
    return _utc_or_none(times.from_unix_ns, nanoseconds)


def _from_filetime(ticks: int) -> pd.Timestamp | None:
    """UTC timestamp of a Windows FILETIME (100 ns ticks since 1601-01-01 UTC), or None."""
    return _utc_or_none(times.from_filetime, ticks)


def _zip_utc_mtime(extra: bytes) -> pd.Timestamp | None:
    """UTC mtime from a zip extra field (0x5455 extended timestamp, else 0x000a NTFS)."""
    ntfs: pd.Timestamp | None = None
    pos = 0
    while pos + 4 <= len(extra):
        header_id, length = struct.unpack_from("<HH", extra, pos)
        data = extra[pos + 4 : pos + 4 + length]
        pos += 4 + length
        if header_id == _ZIP_EXTRA_UNIX_TIME and len(data) >= 5 and data[0] & 0x01:
            return _from_unix_seconds(struct.unpack_from("<I", data, 1)[0])
        if header_id == _ZIP_EXTRA_NTFS and len(data) >= 32:
            # 4 reserved bytes, then attributes: tag 0x0001, size 24, mtime, atime, ctime
            tag, size = struct.unpack_from("<HH", data, 4)
            if tag == 0x0001 and size >= 8:
                ntfs = _from_filetime(struct.unpack_from("<Q", data, 8)[0])
    return ntfs


def _resolve_link_path(link_path: str, target: str) -> str | None:
    """Device path designated by a symlink at ``link_path``; None if it climbs above root."""
    target = target.replace("\\", "/")
    parts = [] if target.startswith("/") else link_path.split("/")[1:-1]
    for comp in target.split("/"):
        if comp in ("", "."):
            continue
        if comp == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(comp)
    if parts and parts[0] == "var":  # iOS: /var -> /private/var
        parts.insert(0, "private")
    return "/" + "/".join(parts)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """Regex for a glob on device paths: '*', '?', '[...]' stay within one component; a
    '**' component matches any number of components."""
    norm = normalize_member_name(pattern)
    out: list[str] = []
    for comp in norm.split("/")[1:]:
        if comp == "**":
            out.append("(?:/[^/]+)*")
            continue
        out.append("/")
        i = 0
        while i < len(comp):
            char = comp[i]
            i += 1
            if char == "*":
                out.append("[^/]*")
            elif char == "?":
                out.append("[^/]")
            elif char == "[" and (end := _class_end(comp, i)) > 0:
                body = comp[i:end]
                i = end + 1
                negate = body.startswith("!")
                body = body[1:] if negate else body
                body = re.sub(r"([\\\[\]^&~|])", r"\\\1", body)
                out.append(f"[^/{body}]" if negate else f"[{body}]")
            else:
                out.append(re.escape(char))
    return re.compile("".join(out) or "/", re.DOTALL)


def _class_end(comp: str, start: int) -> int:
    """Index of the ']' closing a '[' set whose body starts at ``start`` (-1 if none); as in
    fnmatch, a ']' right after '[' or '[!' is a literal member of the set."""
    j = start + 1 if comp[start : start + 1] == "!" else start
    j += 1 if comp[j : j + 1] == "]" else 0
    return comp.find("]", j)


# --------------------------------------------------------------------------------------------
# Streams


class _GuardedStream(io.RawIOBase):
    """Read-only view of a member stream that counts bytes and translates library errors."""

    def __init__(
        self,
        inner: IO[bytes],
        *,
        exhibit: Path,
        member: Member,
        limit: int,
        expected_size: int | None,
        errors: tuple[type[Exception], ...],
    ) -> None:
        super().__init__()
        self._inner = inner
        self._exhibit = exhibit
        self._member = member
        self._limit = limit
        self._expected = expected_size
        self._errors = errors
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._inner.seekable()

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        try:
            self._pos = self._inner.seek(offset, whence)
        except self._errors as exc:
            raise self._parse_error(exc) from exc
        return self._pos

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        # Deliver at most the cap, whatever the caller asks for; once there, one more byte
        # means the member is over it.
        want = min(len(view), max(self._limit - self._pos, 0))
        probe = want == 0 and len(view) > 0
        try:
            data = self._inner.read(1 if probe else want)
        except self._errors as exc:
            raise self._parse_error(exc) from exc
        count = len(data)
        if probe and count:
            raise DecompressionLimitExceeded(
                self._exhibit, self._member.name, self._pos + count, self._limit
            )
        view[:count] = data
        self._pos += count
        if count == 0 and len(view) and self._expected is not None and self._pos < self._expected:
            raise ParseError(
                self._exhibit,
                self._member.offset,
                f"member {self._member.name!r} ends after {self._pos:,} bytes but its header "
                f"declares {self._expected:,}",
            )
        return count

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
        super().close()

    def _parse_error(self, exc: Exception) -> ParseError:
        return ParseError(
            self._exhibit,
            self._member.offset,
            f"member {self._member.name!r} is corrupt: {exc}",
        )


# --------------------------------------------------------------------------------------------
# Containers: each lists its members and opens one as a raw stream


class _Backend(Protocol):
    kind: ExhibitKind
    stream_errors: tuple[type[Exception], ...]
    checks_length: bool  # a short stream means a corrupt member

    def list_members(self, limits: Limits) -> list[Member]: ...
    def open_member(self, member: Member) -> IO[bytes]: ...
    def is_hardlink(self, member: Member) -> bool: ...
    def close(self) -> None: ...


def _too_many(path: Path, limit: int) -> ForensicsError:
    return ForensicsError(
        f"{path}: more than {limit:,} members; if the exhibit is genuine, open it with a "
        "higher limit (Evidence(path, limits=Limits(max_members=...)))."
    )


class _ZipBackend:
    kind: ExhibitKind = "zip"
    stream_errors: tuple[type[Exception], ...] = _ZIP_STREAM_ERRORS
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
            raise _too_many(self._path, limits.max_members)
        members = []
        for info in infos:
            is_link = info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)
            unsafe = _unsafe_reason(info.orig_filename)
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
                mtime=_zip_utc_mtime(info.extra),
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
        if info.file_size > _MAX_LINK_TARGET or info.compress_size > _MAX_LINK_TARGET:
            return None, f"symlink target longer than {_MAX_LINK_TARGET} bytes"
        try:
            with self._zip.open(info) as fh:
                raw = fh.read(_MAX_LINK_TARGET + 1)
        except (*_ZIP_STREAM_ERRORS, NotImplementedError) as exc:
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
                    raise _too_many(self._path, limits.max_members)
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
                    mtime=_from_unix_seconds(info.mtime),
                    dos_time=None,
                    compressed_size=None,
                    unsafe_reason=_unsafe_reason(info.name),
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


class _DirectoryBackend:
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
                    raise _too_many(self._path, limits.max_members)
                members.append(
                    Member(
                        name=name,
                        path=normalize_member_name(name),
                        size=st.st_size if not is_dir else 0,
                        is_dir=is_dir,
                        is_link=is_link,
                        link_target=str(Path(entry.path).readlink()) if is_link else None,
                        mtime=_from_unix_ns(st.st_mtime_ns),
                        dos_time=None,
                        compressed_size=None,
                        unsafe_reason=_unsafe_reason(name),
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
                mtime=_from_unix_ns(st.st_mtime_ns),
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


def _open_backend(path: Path, real: Path) -> _Backend:
    """Detect the container by content, not by extension."""
    if real.is_dir():
        return _DirectoryBackend(path, real)
    if not real.is_file():  # checked without opening: opening a FIFO blocks
        raise SpecialFileRefused(path, file_kind(real.stat().st_mode))
    with real.open("rb") as fh:
        zip_magic = fh.read(4) in _ZIP_MAGICS
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


# --------------------------------------------------------------------------------------------
# Public API


@dataclass
class _Resources:
    """What close() (or the finalizer, if close() is forgotten) releases."""

    backend: _Backend
    temp_root: Path | None = None

    def release(self) -> None:
        self.backend.close()
        if self.temp_root is not None:
            shutil.rmtree(self.temp_root, ignore_errors=True)
            if self.temp_root.exists():
                logger.warning("could not remove temporary directory %s", self.temp_root)
            self.temp_root = None


@dataclass(frozen=True)
class EvidenceFile:
    """One member bound to its exhibit: what parsers receive."""

    evidence: Evidence
    member: Member

    @property
    def path(self) -> str:
        """Normalised device path, e.g. ``/data/data/com.whatsapp/databases/msgstore.db``."""
        return self.member.path

    @property
    def display_path(self) -> str:
        """Where the bytes come from, e.g. ``exhibit.zip!/data/data/x.db``."""
        if self.evidence.kind == "file":
            return self.evidence.name
        return f"{self.evidence.name}!{self.member.path}"

    def open(self) -> BinaryIO:
        return self.evidence.open(self.member)

    def read_bytes(self) -> bytes:
        return self.evidence.read_bytes(self.member)

    def sibling(self, suffix: str) -> EvidenceFile | None:
        """The member whose path is this one's plus ``suffix`` (``-wal``), if present."""
        found = self.evidence._sibling(self.member, suffix)
        return None if found is None else EvidenceFile(self.evidence, found)

    def local_path(self) -> Path | None:
        """The file on disk when the exhibit is a folder or a single file (read it in
        place, read-only); None inside an archive (use :meth:`open` or :meth:`materialize`)."""
        return self.evidence._local_path(self.member)

    def materialize(self, siblings: Sequence[str] = ()) -> Path:
        """Copy to the exhibit's private temp directory (with the siblings that exist, e.g.
        ``("-wal", "-journal")``, beside it) and return the copy's path."""
        return self.evidence._materialize(self.member, siblings)


class Evidence:
    """An exhibit opened read-only: list, find and stream its members."""

    path: Path
    kind: ExhibitKind
    name: str
    limits: Limits

    def __init__(self, path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = Path(path)
        self.limits = limits
        if not self.path.exists():
            raise FileNotFoundError(
                errno.ENOENT,
                "exhibit not found (check the path, and that the evidence drive is mounted)",
                str(self.path),
            )
        self._real = self.path.resolve()
        self.name = self.path.name or self._real.name
        backend = _open_backend(self.path, self._real)
        self.kind = backend.kind
        self._backend = backend
        self._resources = _Resources(backend)
        self._finalizer = weakref.finalize(self, self._resources.release)
        self._members: list[Member] | None = None
        self._known: set[Member] = set()
        self._by_basename: dict[str, list[Member]] = {}
        self._by_path: dict[str, list[Member]] = {}
        self._by_name: dict[str, list[Member]] = {}
        self._copies: dict[Member, Path] = {}  # member -> tree (under the temp root) of its copy
        self._owners: dict[Path, Member] = {}
        self._written = 0
        logger.debug("opened %s exhibit %s", self.kind, self.path)

    def __repr__(self) -> str:
        return f"Evidence({str(self.path)!r}, kind={self.kind!r})"

    def __enter__(self) -> Evidence:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the container and delete the private temp directory, if any."""
        self._finalizer()

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    # -- listing ------------------------------------------------------------------------------

    def members(self) -> list[Member]:
        """Files, directories and links, in container order (listed once, then cached)."""
        return list(self._listed())

    def _listed(self) -> list[Member]:
        if self._members is None:
            self._check_open()
            members = self._backend.list_members(self.limits)
            for member in members:
                base = member.path.rsplit("/", 1)[1]
                self._by_basename.setdefault(base, []).append(member)
                self._by_path.setdefault(member.path, []).append(member)
                self._by_name.setdefault(member.name, []).append(member)
            self._known = set(members)
            self._members = members
            logger.debug("%s: %d members", self.path, len(members))
        return self._members

    def files(self) -> list[Member]:
        """Regular files only (no directories, no links)."""
        return [m for m in self._listed() if not (m.is_dir or m.is_link)]

    def find(self, device_path: str) -> list[Member]:
        """Every member whose device path equals the normalised query or ends with it at a
        component boundary (extractions are nested under arbitrary folders)."""
        query = normalize_member_name(device_path)
        self._listed()
        if query == "/":
            return list(self._by_path.get("/", []))
        # "/private/var/x" also matches ".../var/x" under a folder the var rule cannot see.
        alt = query.removeprefix("/private") if query.startswith("/private/var/") else query
        candidates = self._by_basename.get(query.rsplit("/", 1)[1], [])
        return [m for m in candidates if m.path.endswith(query) or m.path.endswith(alt)]

    def member(self, device_path: str) -> Member:
        """Exactly one member matching ``device_path`` (see :meth:`find`)."""
        found = self.find(device_path)
        if not found:
            raise MemberNotFound(self.path, device_path)
        if len(found) > 1:
            raise AmbiguousMember(self.path, device_path, found)
        return found[0]

    def glob(self, pattern: str) -> list[Member]:
        """Members whose device path matches ``pattern``. ``*``, ``?`` and ``[...]`` stay
        within a component; a ``**`` component matches any depth, so
        ``"**/databases/mmssms.db"`` matches anywhere while ``"/data/*/x.db"`` is anchored
        at the device root."""
        regex = glob_regex(pattern)
        return [m for m in self._listed() if regex.fullmatch(m.path)]

    def exists(self, device_path: str) -> bool:
        return bool(self.find(device_path))

    # -- reading ------------------------------------------------------------------------------

    def file(self, device_path: str | Member) -> EvidenceFile:
        return EvidenceFile(self, self._lookup(device_path))

    def open(self, member: str | Member) -> BinaryIO:
        """Stream a member read-only straight from the container (links followed)."""
        self._check_open()
        requested = self._lookup(member)
        target = self._follow(requested)
        if target.is_dir:
            raise IsADirectoryError(errno.EISDIR, "member is a directory", requested.name)
        self._check_declared(target)
        raw = self._backend.open_member(target)
        guarded = _GuardedStream(
            raw,
            exhibit=self.path,
            member=target,
            limit=self.limits.max_member_bytes,
            expected_size=target.size if self._backend.checks_length else None,
            errors=self._backend.stream_errors,
        )
        return io.BufferedReader(guarded)

    def read_bytes(self, member: str | Member) -> bytes:
        with self.open(member) as fh:
            return fh.read()

    # -- internals ----------------------------------------------------------------------------

    def _local_path(self, member: Member) -> Path | None:
        self._check_open()
        member = self._lookup(member)
        if isinstance(self._backend, _DirectoryBackend):
            return self._backend.local_path(member)
        if self.kind == "file":
            return self._real
        return None

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError(f"{self.path}: Evidence is closed")

    def _lookup(self, member: str | Member) -> Member:
        if isinstance(member, str):
            return self.member(member)
        self._listed()
        if member not in self._known:
            raise MemberNotFound(self.path, member.name)
        return member

    def _follow(self, member: Member) -> Member:
        """The member a link finally designates, inside the exhibit (archives only; a
        directory exhibit's own file system resolves its links, checked on open)."""
        if self.kind not in ("zip", "tar"):
            return member
        current = member
        for _ in range(_MAX_LINK_HOPS):
            if not current.is_link:
                return current
            current = self._link_step(current)
        raise UnsafeMember(self.path, member.name, f"more than {_MAX_LINK_HOPS} links (a loop?)")

    def _link_step(self, link: Member) -> Member:
        if link.unsafe_reason is not None:
            raise UnsafeMember(self.path, link.name, link.unsafe_reason)
        if link.link_target is None:
            raise UnsafeMember(self.path, link.name, "link target unknown")
        if self._backend.is_hardlink(link):
            # A tar hard link names an earlier member of the archive; the last one wins.
            named = [m for m in self._by_name.get(link.link_target, []) if m != link]
            earlier = [m for m in named if (m.offset or 0) < (link.offset or 0)]
            if earlier or named:
                return (earlier or named)[-1]
            resolved: str | None = normalize_member_name(link.link_target)
        else:
            resolved = _resolve_link_path(link.path, link.link_target)
        found = self._by_path.get(resolved or "", [])
        found = [m for m in found if m != link]
        if resolved is None or not found:
            raise UnsafeMember(
                self.path,
                link.name,
                f"link target {link.link_target!r} resolves outside the exhibit",
            )
        # Two extractions in one archive: prefer the target from the link's own tree.
        return max(found, key=lambda m: _shared_components(m.name, link.name))

    def _check_declared(self, member: Member) -> None:
        """Refuse before reading when the header already announces too much."""
        limits = self.limits
        if member.size > limits.max_member_bytes:
            raise DecompressionLimitExceeded(
                self.path, member.name, member.size, limits.max_member_bytes
            )
        packed = member.compressed_size
        if packed is not None and member.size > limits.ratio_min_bytes:
            allowed = max(limits.ratio_min_bytes, int(packed * limits.max_ratio))
            if member.size > allowed:
                raise DecompressionLimitExceeded(self.path, member.name, member.size, allowed)

    def _sibling(self, member: Member, suffix: str) -> Member | None:
        self._listed()
        found = [m for m in self._by_path.get(member.path + suffix, []) if not m.is_dir]
        if not found:
            return None
        same_name = [m for m in found if m.name == member.name + suffix]
        return (same_name or found)[0]

    def _temp_root(self) -> Path:
        if self._resources.temp_root is None:
            tmp = Path(tempfile.gettempdir()).resolve()
            # A fresh mkdtemp folder never touches the exhibit's bytes, but it must not
            # appear *inside* a directory exhibit (its listing and hashes would change).
            if self.kind == "directory" and tmp.is_relative_to(self._real):
                raise ForensicsError(
                    f"{self.path}: the temporary directory {tmp} is inside the exhibit; "
                    "set TMPDIR to another location so that nothing is written there"
                )
            self._resources.temp_root = Path(tempfile.mkdtemp(prefix="forensics_lib-"))
            logger.debug("%s: private temp root %s", self.path, self._resources.temp_root)
        return self._resources.temp_root

    def _materialize(self, member: Member, siblings: Sequence[str]) -> Path:
        self._check_open()
        member = self._lookup(member)
        wanted = [member]
        for suffix in siblings:
            found = self._sibling(member, suffix)
            if found is not None:
                wanted.append(found)
        for item in wanted:
            if item.unsafe_reason is not None:
                raise UnsafeMember(self.path, item.name, item.unsafe_reason)
            self._follow(item)  # refuse escaping links before writing anything
        root = self._temp_root()
        rels = [Path(*m.path.split("/")[1:]) for m in wanted]  # siblings: same dir, name+suffix
        base = self._choose_base(root, member, list(zip(wanted, rels, strict=True)))
        for item, rel in zip(wanted, rels, strict=True):
            dest = base / rel
            if self._owners.get(dest) != item:
                self._copy(item, dest, root)
        self._copies[member] = base
        return base / rels[0]

    def _choose_base(self, root: Path, member: Member, wanted: list[tuple[Member, Path]]) -> Path:
        """First tree under the temp root where every wanted copy is free (or already ours):
        duplicates across extractions go to ``alt-N`` trees instead of overwriting."""
        first = [self._copies[member]] if member in self._copies else []
        options = itertools.chain(
            first, [root / "files"], (root / f"alt-{n}" for n in itertools.count(1))
        )
        return next(
            base
            for base in options
            if all(self._is_free(base, base / rel, item) for item, rel in wanted)
        )

    def _is_free(self, base: Path, dest: Path, item: Member) -> bool:
        owner = self._owners.get(dest)
        if owner is not None:
            return owner == item
        if dest.exists():
            return False
        return not any(parent in self._owners for parent in dest.parents if parent != base)

    def _copy(self, member: Member, dest: Path, root: Path) -> None:
        parts = dest.relative_to(root).parts
        if any(p in ("", ".", "..") or "\x00" in p for p in parts):
            raise UnsafeMember(self.path, member.name, "unsafe device path")
        target = self._follow(member)
        self._check_declared(target)
        limit = self.limits.max_total_bytes
        if self._written + target.size > limit:
            raise DecompressionLimitExceeded(
                self.path, member.name, self._written + target.size, limit
            )
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not dest.parent.resolve().is_relative_to(root.resolve()):
            raise UnsafeMember(self.path, member.name, "copy would leave the temp root")
        with self.open(target) as src, dest.open("xb") as out:
            try:
                while chunk := src.read(_CHUNK):
                    self._written += len(chunk)
                    if self._written > limit:
                        raise DecompressionLimitExceeded(
                            self.path, member.name, self._written, limit
                        )
                    out.write(chunk)
            except BaseException:
                out.close()
                dest.unlink(missing_ok=True)  # no partial copy left behind
                raise
        self._owners[dest] = member
        logger.debug("%s: materialized %r at %s", self.path, member.name, dest)
