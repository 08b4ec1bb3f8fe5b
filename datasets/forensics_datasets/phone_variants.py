"""Phone extractions as real acquisitions vary them, with their answer keys.

Each writer starts from a generated extraction (:func:`forensics_datasets.phone.
make_phone_extraction`, packed as a bare tree) and then re-roots, reduces, rewrites or
damages it the way vendors, app versions and live acquisitions do:

* :func:`write_rooted`: the same tree under every root extraction tools use (a leading
  ``/``, bare ``private/var/...`` or ``data/data/...``, iOS ``var/...``, Android
  ``data/user/0/...``, the vendor folders ``filesystem1/``, ``filesystem2/``, ``fs/``,
  ``Dump/``), optionally nested in case folders, as a folder, a zip, a tar or a tgz;
* :func:`write_single_artifact`: an extraction holding one artifact only;
* :func:`write_loose_database`: one database alone in an evidence folder, at no device
  path (possibly renamed), to be recognised by its schema;
* :func:`write_whatsapp_tables`: an Android ``msgstore.db`` holding both the legacy
  ``messages`` and the new ``message`` table, one of them with only its placeholder row, or
  both with messages (a migration caught half-way, overlapping by ``key_id``);
* :func:`write_damaged_wal`: a database whose last rows are committed one transaction at a
  time in its ``-wal``, then damaged: salts of an earlier WAL generation, a checksum
  mismatch, a torn last frame, a bad WAL header, a transaction without its commit frame;
* :func:`write_ios5_sms`: an iOS 5 ``sms.db``, whose ``message`` table has the same name
  as the iOS 6+ one and other columns;
* :func:`write_ios7_calls`: an iOS 7-or-older ``call_history.db`` (table ``call``) instead
  of ``CallHistory.storedata``;
* :func:`write_adb_backup`: an Android ``adb backup`` (``backup.ab``, its tar, or the
  tar unpacked: ``apps/<package>/db|sp|f|r/``), plain, compressed or encrypted;
* :func:`write_backup_stray_wal`: an iTunes backup with a stray ``Manifest.db-wal``;
* :func:`write_odd_plists` and :func:`write_odd_backup`: iOS property lists (and an iTunes
  backup's Manifest.plist / Info.plist) whose keys hold unexpected types.

Every writer returns a :class:`Variant`: the exhibit and an answer key computed here from
what was written (row counts, frames, keys), never by the kit's readers.

Old path (issue 16 moved the writers into the phone family): a thin re-export module of
:mod:`forensics_datasets.phone.layouts` (roots, single artifacts, loose databases, and the
:class:`Variant` every writer returns), ``.wal_damage``, ``.app_versions`` (WhatsApp, iOS 5
SMS, iOS 7 calls, Android calls twice), ``.odd_files`` (odd plists and backups, user/0 copy,
stray WAL) and ``.adb_backup``.
"""

from __future__ import annotations

from forensics_datasets.phone.adb_backup import (
    AdbForm,
    write_adb_backup,
)
from forensics_datasets.phone.app_versions import (
    IOS7_CALL_FLAGS,
    WhatsAppLayout,
    write_android_calls_twice,
    write_ios5_sms,
    write_ios7_calls,
    write_whatsapp_tables,
)
from forensics_datasets.phone.layouts import (
    OS,
    ROOTS,
    Container,
    Variant,
    write_loose_database,
    write_rooted,
    write_single_artifact,
)
from forensics_datasets.phone.odd_files import (
    BackupOddity,
    PlistOddity,
    write_backup_stray_wal,
    write_odd_backup,
    write_odd_plists,
    write_user0_copy,
)
from forensics_datasets.phone.wal_damage import (
    DAMAGES,
    Damage,
    write_damaged_wal,
)

__all__ = [
    "DAMAGES",
    "IOS7_CALL_FLAGS",
    "OS",
    "ROOTS",
    "AdbForm",
    "BackupOddity",
    "Container",
    "Damage",
    "PlistOddity",
    "Variant",
    "WhatsAppLayout",
    "write_adb_backup",
    "write_android_calls_twice",
    "write_backup_stray_wal",
    "write_damaged_wal",
    "write_ios5_sms",
    "write_ios7_calls",
    "write_loose_database",
    "write_odd_backup",
    "write_odd_plists",
    "write_rooted",
    "write_single_artifact",
    "write_user0_copy",
    "write_whatsapp_tables",
]
