"""The guarded member stream (every read counted against
:class:`~forensics_lib.core.evidence.Limits`) and the protocol every container backend follows.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

from forensics_lib.core.errors import (
    DecompressionLimitExceeded,
    ForensicsError,
    ParseError,
)

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer
from forensics_lib.core.evidence.members import ExhibitKind, Limits, Member

# --------------------------------------------------------------------------------------------
# Streams


class GuardedStream(io.RawIOBase):
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


class Backend(Protocol):
    kind: ExhibitKind
    stream_errors: tuple[type[Exception], ...]
    checks_length: bool  # a short stream means a corrupt member

    def list_members(self, limits: Limits) -> list[Member]: ...
    def open_member(self, member: Member) -> IO[bytes]: ...
    def is_hardlink(self, member: Member) -> bool: ...
    def close(self) -> None: ...


def too_many(path: Path, limit: int) -> ForensicsError:
    return ForensicsError(
        f"{path}: more than {limit:,} members; if the exhibit is genuine, open it with a "
        "higher limit (Evidence(path, limits=Limits(max_members=...)))."
    )
