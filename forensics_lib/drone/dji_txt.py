"""DJI flight records (``DJIFlightRecord_*.txt`` from DJI GO / DJI Fly): recognised, not yet read.

Prefix layout (lvauvillier/dji-log-parser ``src/layout/prefix.rs``): 100 bytes, little-endian
``detail_offset u64, detail_length u16, version u8, unknown u8, encrypt_magic_version u64,
reserved[80]``. Records are plain up to version 6, XOR-scrambled for versions 7-12 and
XOR + AES-256-CBC from version 13 (keys from DJI's keychain service; ``src/decoder.rs``).

This module recognises the format and says so (:class:`UnsupportedFormat` naming the version)
rather than letting the file fall through as "unknown"; the record decoder is not written yet.
"""

from __future__ import annotations

import struct

from forensics_lib.drone.model import FlightLog
from forensics_lib.errors import UnsupportedFormat

__all__ = ["PREFIX_SIZE", "dji_version", "looks_like_dji_txt", "read_dji_txt"]

PREFIX_SIZE = 100
_MAX_KNOWN_VERSION = 15


def dji_version(buf: bytes) -> int | None:
    """The format version of a DJI flight record, or None when the prefix does not fit."""
    if len(buf) < PREFIX_SIZE:
        return None
    detail_offset, _detail_length, version = struct.unpack_from("<QHB", buf, 0)
    if not 1 <= version <= _MAX_KNOWN_VERSION:
        return None
    if version < 13 and not PREFIX_SIZE <= detail_offset <= len(buf):
        return None
    return int(version)


def looks_like_dji_txt(buf: bytes) -> bool:
    return dji_version(buf) is not None


def read_dji_txt(buf: bytes, path: str) -> FlightLog:
    version = dji_version(buf)
    extra = (
        " Its records are AES-encrypted: the per-flight keys come from DJI's keychain service "
        "(an API key from developer.dji.com), as lvauvillier/dji-log-parser explains."
        if version is not None and version >= 13
        else ""
    )
    raise UnsupportedFormat(
        path,
        f"DJI flight record, format version {version}: this kit does not decode DJI records "
        f"yet; use dji-log-parser and keep its output with the case notes.{extra}",
    )
