"""Streaming hashes of files and the checks before reading one: :func:`hash_stream`,
:func:`hash_file` (1 MiB chunks, progress bar for large files in a terminal), the
regular-file checks (:func:`check_readable`, :func:`open_regular`) and folder walks.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from tqdm.auto import tqdm

from forensics_lib.core.errors import SpecialFileRefused

MANIFEST_FORMAT = "forensics-lib-manifest"
CHUNK_SIZE = 1 << 20
# Below this size a progress bar is only noise.
PROGRESS_MIN_BYTES = 64 << 20
SUPPORTED_ALGORITHMS = ("sha256", "md5", "sha1", "sha512")


def _new_hashers(algorithms: Sequence[str]) -> dict[str, Any]:
    unknown = [a for a in algorithms if a not in SUPPORTED_ALGORITHMS]
    if unknown or not algorithms:
        raise ValueError(f"algorithms must be among {SUPPORTED_ALGORITHMS}, got {algorithms}")
    return {a: hashlib.new(a) for a in algorithms}


def _show_progress(total: int | None, progress: bool | None) -> bool | None:
    """tqdm's ``disable``: None lets tqdm decide (a terminal) for large inputs."""
    if progress is None:
        return None if (total or 0) >= PROGRESS_MIN_BYTES else True
    return not progress


def hash_stream(
    stream: IO[bytes],
    algorithms: Sequence[str] = ("sha256",),
    *,
    total: int | None = None,
    progress: bool | None = None,
    desc: str = "hashing",
) -> dict[str, str]:
    """Hash a binary stream from its current position to its end.

    ``progress``: True always shows a bar, False never, None (default) shows one for
    inputs of 64 MiB or more when stderr is a terminal.
    """
    hashers = _new_hashers(algorithms)
    with tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=desc,
        disable=_show_progress(total, progress),
        leave=False,
    ) as bar:
        while chunk := stream.read(CHUNK_SIZE):
            for h in hashers.values():
                h.update(chunk)
            bar.update(len(chunk))
    return {a: h.hexdigest() for a, h in hashers.items()}


def file_kind(mode: int) -> str:
    """What a ``st_mode`` is, in words (``a FIFO (named pipe)``, ``a socket``...)."""
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def check_readable(path: str | os.PathLike[str]) -> None:
    """Refuse, before anything opens it, an input that is not a regular file or folder.

    A FIFO blocks whoever opens it (a hang, not an error); a device or a socket is not a
    file at all. A symbolic link is judged by what it points to (a dangling one is
    refused). ``os.stat`` never opens the file, so the check itself cannot hang: the
    classification is ``stat.S_ISREG`` / ``S_ISDIR``, as ``tarfile`` and ``shutil`` make it.
    A missing path passes (the caller reports "not found" itself); so does one whose
    status cannot be read (the caller's open reports the OS error).
    """
    p = Path(path)
    try:
        st = p.stat()  # follows links: a link to a FIFO is a FIFO
    except FileNotFoundError:
        if p.is_symlink():
            raise SpecialFileRefused(p, "a symbolic link to nothing (dangling)") from None
        return
    except OSError:
        return
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        return
    raise SpecialFileRefused(p, file_kind(st.st_mode))


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a regular file read-only, refusing anything else without ever blocking.

    The status is checked first (:func:`check_readable`); the file is then opened with
    ``O_NONBLOCK`` (a FIFO swapped in after the check opens at once instead of hanging)
    and checked again on the open descriptor (``fstat``), so there is no window."""
    p = Path(path)
    check_readable(p)
    if p.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(p))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(p, flags)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise SpecialFileRefused(p, file_kind(mode))
    return os.fdopen(fd, "rb")


def hash_file(
    path: str | os.PathLike[str],
    algorithms: Sequence[str] = ("sha256",),
    *,
    progress: bool | None = None,
) -> dict[str, str]:
    """Hash one regular file (opened read-only; FIFOs, devices, sockets refused)."""
    p = Path(path)
    with open_regular(p) as fh:
        size = os.fstat(fh.fileno()).st_size
        return hash_stream(fh, algorithms, total=size, progress=progress, desc=p.name)


def sha256_file(path: str | os.PathLike[str], *, progress: bool | None = None) -> str:
    """The SHA-256 of a file, as lowercase hex."""
    return hash_file(path, ("sha256",), progress=progress)["sha256"]


@dataclass
class FolderScan:
    """What a walk of a folder found: the regular files it hashes, and the rest.

    ``skipped`` are entries left out that make a manifest of the folder incomplete (a FIFO,
    socket or device, a link leaving the folder or leading nowhere, a sub-folder that
    cannot be listed), each with its reason. ``links`` are symbolic links to something
    inside the folder: not followed, their target is walked in its own right."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    links: list[tuple[Path, str]] = field(default_factory=list)


def _link_entry(link: Path, top: Path, scan: FolderScan) -> None:
    target = str(link.readlink())
    real = link.resolve()
    if not real.exists():
        scan.skipped.append((link, f"a symbolic link to {target!r}, which does not exist"))
    elif not real.is_relative_to(top):
        scan.skipped.append((link, f"a symbolic link to {real}, outside the folder (not followed)"))
    else:
        scan.links.append((link, target))


def scan_folder(path: str | os.PathLike[str]) -> FolderScan:
    """Walk ``path`` (itself if a file) without following links or opening anything.

    Every entry is classified by ``os.lstat``: regular files are returned sorted; special
    files, links and unlistable folders are reported, never silently dropped."""
    top = Path(path)
    scan = FolderScan()
    st = top.lstat()
    if stat.S_ISLNK(st.st_mode):
        scan.skipped.append((top, f"a symbolic link to {str(top.readlink())!r} (not followed)"))
        return scan
    if stat.S_ISREG(st.st_mode):
        scan.files.append(top)
        return scan
    if not stat.S_ISDIR(st.st_mode):
        raise SpecialFileRefused(top, file_kind(st.st_mode))
    real_top = top.resolve()

    def unlistable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else top
        scan.skipped.append((where, f"a folder that cannot be listed ({exc.strerror})"))

    for dirpath, dirnames, filenames in os.walk(top, followlinks=False, onerror=unlistable):
        here = Path(dirpath)
        for name in list(dirnames):  # os.walk lists links to folders among the folders
            entry = here / name
            if entry.is_symlink():
                _link_entry(entry, real_top, scan)
                dirnames.remove(name)
        dirnames.sort()
        for name in sorted(filenames):
            entry = here / name
            mode = entry.lstat().st_mode
            if stat.S_ISREG(mode):
                scan.files.append(entry)
            elif stat.S_ISLNK(mode):
                _link_entry(entry, real_top, scan)
            else:
                scan.skipped.append((entry, f"{file_kind(mode)}, not a regular file"))
    scan.files.sort()
    return scan


def iter_files(path: Path) -> Iterator[Path]:
    """Regular files under ``path`` (itself if a file), sorted, symlinks not followed."""
    if not os.path.lexists(path):
        return
    yield from scan_folder(path).files
