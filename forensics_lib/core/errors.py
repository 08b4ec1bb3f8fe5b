"""Typed errors and warnings shared by every reader.

Readers raise these instead of letting a library's internal exception escape, so a
trainee (or a script) sees *which file*, *where in it*, and *what to do next*.

Hierarchy::

    ForensicsError
    ├── UnsupportedFormat          the input is not (or not yet) a format we read
    ├── ParseError                 the input claims a format but breaks it at an offset
    ├── EncryptedContent           the content is encrypted; says what would unlock it
    ├── EvidenceIntegrityError     a hash does not match the recorded one
    ├── UnsafeMember               an archive member would escape the temp root
    ├── DecompressionLimitExceeded a member is larger than the configured cap
    ├── MemberNotFound             no such path in the exhibit (also a KeyError)
    └── TimestampError             a number cannot be a timestamp in the asked epoch

Non-fatal, per-record problems are :class:`ForensicsWarning` (issued through
:mod:`warnings`), never prints.
"""

from __future__ import annotations

from os import PathLike

__all__ = [
    "DecompressionLimitExceeded",
    "EncryptedContent",
    "EvidenceIntegrityError",
    "ForensicsError",
    "ForensicsWarning",
    "MemberNotFound",
    "ParseError",
    "SpecialFileRefused",
    "TimestampError",
    "TruncatedInputWarning",
    "UnsafeMember",
    "UnsupportedFormat",
]


def _name(path: str | PathLike[str] | None) -> str:
    return "<unknown>" if path is None else str(path)


class ForensicsError(Exception):
    """Base class of every error this kit raises on purpose."""


class UnsupportedFormat(ForensicsError):
    """The input is not in a format this reader handles."""

    def __init__(self, path: str | PathLike[str] | None, reason: str) -> None:
        self.path = _name(path)
        self.reason = reason
        super().__init__(f"{self.path}: unsupported format: {reason}")


class ParseError(ForensicsError):
    """The input breaks its format at ``offset`` (bytes from the start, or a row id)."""

    def __init__(self, path: str | PathLike[str] | None, offset: int | None, reason: str) -> None:
        self.path = _name(path)
        self.offset = offset
        self.reason = reason
        where = f" at offset {offset} (0x{offset:x})" if offset is not None else ""
        super().__init__(f"{self.path}{where}: {reason}")


class EncryptedContent(ForensicsError):
    """The content is encrypted; ``hint`` says what would be needed to read it."""

    def __init__(self, path: str | PathLike[str] | None, reason: str, hint: str = "") -> None:
        self.path = _name(path)
        self.reason = reason
        self.hint = hint
        msg = f"{self.path}: encrypted content: {reason}"
        super().__init__(f"{msg}. {hint}" if hint else msg)


class EvidenceIntegrityError(ForensicsError):
    """A file's hash differs from the one recorded when it was acquired."""

    def __init__(
        self,
        path: str | PathLike[str] | None,
        expected: str | None,
        actual: str | None,
        algorithm: str = "sha256",
    ) -> None:
        self.path = _name(path)
        self.expected = expected
        self.actual = actual
        self.algorithm = algorithm
        if actual is None:
            detail = "the file is missing"
        elif expected is None:
            detail = "the file is not in the manifest"
        else:
            detail = f"{algorithm} is {actual}, the manifest records {expected}"
        super().__init__(
            f"{self.path}: integrity check failed: {detail}. Do not analyse this copy; "
            "go back to the sealed original and record the discrepancy in the custody log."
        )


class UnsafeMember(ForensicsError):
    """An archive member's name or link target would leave the private temp root."""

    def __init__(self, archive: str | PathLike[str] | None, member: str, reason: str) -> None:
        self.path = _name(archive)
        self.member = member
        self.reason = reason
        super().__init__(f"{self.path}: refusing member {member!r}: {reason}")


class DecompressionLimitExceeded(ForensicsError):
    """A member decompresses to more than the configured limit (zip-bomb guard)."""

    def __init__(
        self, archive: str | PathLike[str] | None, member: str, size: int, limit: int
    ) -> None:
        self.path = _name(archive)
        self.member = member
        self.size = size
        self.limit = limit
        super().__init__(
            f"{self.path}: member {member!r} would decompress to {size:,} bytes, over the "
            f"limit of {limit:,}. If the exhibit is genuine, open it with a higher limit "
            "(Evidence(path, limits=Limits(...)))."
        )


class MemberNotFound(ForensicsError, KeyError):
    """No member of the exhibit matches the requested device path."""

    def __init__(self, exhibit: str | PathLike[str] | None, member: str) -> None:
        self.path = _name(exhibit)
        self.member = member
        super().__init__(f"{self.path}: no member matches {member!r}")

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class TimestampError(ForensicsError, ValueError):
    """A value cannot be converted to a timestamp in the requested epoch."""


class ForensicsWarning(UserWarning):
    """A non-fatal problem: a record skipped, a field not understood."""


class TruncatedInputWarning(ForensicsWarning):
    """The input ended early; what was readable was returned."""


class SpecialFileRefused(UnsupportedFormat):
    """The input is not a regular file or folder (a FIFO, device or socket, or a link to
    one, or to nothing): refused before anything opens it (opening a FIFO blocks)."""

    def __init__(self, path: str | PathLike[str] | None, kind: str) -> None:
        self.kind = kind
        super().__init__(path, f"{kind}, not a regular file: refused before reading")
