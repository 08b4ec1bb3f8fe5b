"""Members of an exhibit and the limits on reading them: :class:`Limits`, :class:`Member`,
device-path normalisation, the unsafe-name checks, zip extra-field times and link resolution, and
:func:`glob_regex`. Callers import :mod:`forensics_lib.core.evidence`.
"""

from __future__ import annotations

import logging
import lzma
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from forensics_lib.core import times
from forensics_lib.core.errors import (
    ForensicsError,
    TimestampError,
)

logger = logging.getLogger(__package__ or __name__)  # "forensics_lib.core.evidence"

ExhibitKind = Literal["file", "directory", "zip", "tar"]

#: Top-level folders that extraction tools wrap around the device's root file system.
VENDOR_PREFIX = re.compile(r"filesystem\d+|fs|Dump")
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_ZIP_EXTRA_UNIX_TIME = 0x5455  # Info-ZIP extended timestamp: uint32 Unix seconds, UTC
_ZIP_EXTRA_NTFS = 0x000A  # NTFS times: FILETIME (100 ns since 1601-01-01), UTC
MAX_LINK_HOPS = 40  # as Linux's MAXSYMLINKS
MAX_LINK_TARGET = 4096  # PATH_MAX; a zip "symlink" longer than this is not a path
CHUNK = 1 << 20
# What zipfile raises on corrupt data. OSError: a corrupt header offset makes it seek
# before the start of the file (EINVAL), found by tests/fuzz/test_core.py.
ZIP_STREAM_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, lzma.LZMAError, OSError)


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


def unsafe_name_reason(name: str) -> str | None:
    """Why a stored name could escape a root directory if used as a path, or None."""
    if "\x00" in name:
        return "NUL byte in name"
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        return "'..' component"
    if re.match(r"[A-Za-z]:", parts[0]):
        return "Windows drive prefix"
    return None


def shared_components(a: str, b: str) -> int:
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


def from_unix_seconds(seconds: float) -> pd.Timestamp | None:
    """UTC timestamp of Unix seconds, or None when pandas cannot represent it."""
    return _utc_or_none(times.from_unix_s, seconds)


def member_time_from_unix_ns(nanoseconds: int) -> pd.Timestamp | None:
    """UTC timestamp of Unix nanoseconds, or None when pandas cannot represent it."""
    return _utc_or_none(times.from_unix_ns, nanoseconds)


def _from_filetime(ticks: int) -> pd.Timestamp | None:
    """UTC timestamp of a Windows FILETIME (100 ns ticks since 1601-01-01 UTC), or None."""
    return _utc_or_none(times.from_filetime, ticks)


def zip_utc_mtime(extra: bytes) -> pd.Timestamp | None:
    """UTC mtime from a zip extra field (0x5455 extended timestamp, else 0x000a NTFS)."""
    ntfs: pd.Timestamp | None = None
    pos = 0
    while pos + 4 <= len(extra):
        header_id, length = struct.unpack_from("<HH", extra, pos)
        data = extra[pos + 4 : pos + 4 + length]
        pos += 4 + length
        if header_id == _ZIP_EXTRA_UNIX_TIME and len(data) >= 5 and data[0] & 0x01:
            return from_unix_seconds(struct.unpack_from("<I", data, 1)[0])
        if header_id == _ZIP_EXTRA_NTFS and len(data) >= 32:
            # 4 reserved bytes, then attributes: tag 0x0001, size 24, mtime, atime, ctime
            tag, size = struct.unpack_from("<HH", data, 4)
            if tag == 0x0001 and size >= 8:
                ntfs = _from_filetime(struct.unpack_from("<Q", data, 8)[0])
    return ntfs


def resolve_link_path(link_path: str, target: str) -> str | None:
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
