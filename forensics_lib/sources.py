"""What a parser accepts: a path on disk, or a file inside an exhibit.

Parsers take ``source: Source`` and use :func:`open_binary` / :func:`source_path`, so the
same function reads ``"msgstore.db"`` on disk and ``evidence.file("/data/data/...")``
inside a zip, without extracting anything.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Protocol, TypeAlias, runtime_checkable

__all__ = ["MemberLike", "Source", "display_path", "open_binary", "source_path"]


@runtime_checkable
class MemberLike(Protocol):
    """A file inside an exhibit (implemented by ``evidence.EvidenceFile``)."""

    @property
    def path(self) -> str: ...

    @property
    def display_path(self) -> str: ...

    def open(self) -> IO[bytes]: ...


Source: TypeAlias = "str | os.PathLike[str] | MemberLike"


def source_path(source: Source) -> str:
    """The path recorded as provenance: the device path inside an exhibit, else the name."""
    if isinstance(source, (str, os.PathLike)):
        return "/" + Path(source).name
    return source.path


def display_path(source: Source) -> str:
    """A path a person can find the file by (for messages and errors)."""
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    return source.display_path


@contextmanager
def open_binary(source: Source) -> Iterator[IO[bytes]]:
    """Open ``source`` for reading bytes (read-only)."""
    if isinstance(source, (str, os.PathLike)):
        with Path(source).open("rb") as fh:
            yield fh
    else:
        with source.open() as fh:
            yield fh
