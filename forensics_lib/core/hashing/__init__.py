"""Streaming hashes, hash manifests and their verification.

An exhibit is hashed when it is acquired; every later copy is checked against that
record before analysis. Hashing streams the file in 1 MiB chunks (constant memory,
exhibits of any size) and shows a progress bar for large files when run in a terminal.
SHA-256 is the default; MD5 is offered because many legacy reports and court records
still quote it (it is not collision-resistant: never rely on MD5 alone).

A manifest is a JSON document::

    {"format": "forensics-lib-manifest", "version": 1, "created_utc": "...Z",
     "root": "/abs/path/at/creation", "algorithms": ["sha256", "md5"],
     "files": [{"path": "phone.zip", "size": 123, "sha256": "...", "md5": "..."}]}

Paths are relative to ``root`` and use "/" on every platform.

The package: :mod:`~forensics_lib.core.hashing.files` (streaming hashes, file checks, folder
walks) and :mod:`~forensics_lib.core.hashing.manifest` (manifests and their verification);
import this package, which re-exports the public names.
"""

from __future__ import annotations

from forensics_lib.core.hashing.files import CHUNK_SIZE as CHUNK_SIZE
from forensics_lib.core.hashing.files import (
    MANIFEST_FORMAT,
    FolderScan,
    check_readable,
    file_kind,
    hash_file,
    hash_stream,
    iter_files,
    open_regular,
    scan_folder,
    sha256_file,
)
from forensics_lib.core.hashing.files import PROGRESS_MIN_BYTES as PROGRESS_MIN_BYTES
from forensics_lib.core.hashing.files import SUPPORTED_ALGORITHMS as SUPPORTED_ALGORITHMS
from forensics_lib.core.hashing.manifest import (
    VerifyReport,
    build_manifest,
    load_manifest,
    verify_manifest,
    write_manifest,
)

__all__ = [
    "MANIFEST_FORMAT",
    "FolderScan",
    "VerifyReport",
    "build_manifest",
    "check_readable",
    "file_kind",
    "hash_file",
    "hash_stream",
    "iter_files",
    "load_manifest",
    "open_regular",
    "scan_folder",
    "sha256_file",
    "verify_manifest",
    "write_manifest",
]
