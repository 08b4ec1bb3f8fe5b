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

The package
-----------
:mod:`~forensics_lib.core.evidence.members` (limits, members, device paths, globbing),
:mod:`~forensics_lib.core.evidence.streams` (the guarded stream),
:mod:`~forensics_lib.core.evidence.containers` (zip, tar, directory, file backends) and
:mod:`~forensics_lib.core.evidence.exhibit` (:class:`Evidence`, :class:`EvidenceFile`);
import this package, which re-exports the public names.
"""

from __future__ import annotations

from forensics_lib.core.evidence.exhibit import Evidence, EvidenceFile
from forensics_lib.core.evidence.members import (
    DEFAULT_LIMITS,
    AmbiguousMember,
    ExhibitKind,
    Limits,
    Member,
    glob_regex,
    normalize_member_name,
)
from forensics_lib.core.evidence.members import VENDOR_PREFIX as VENDOR_PREFIX
from forensics_lib.core.evidence.members import logger as logger

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
