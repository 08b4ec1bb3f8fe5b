"""Write a :class:`~forensics_datasets.phone.scenario.Scenario` as an iOS file system.

* ``sms.db``: ``handle``, ``chat``, ``message`` (the iOS 14 column list: the prefix up to
  ``date_read`` as printed by ``.fullschema`` of a real ``chat.db``/``sms.db``, the rest as
  iOS 11-14 add them), ``chat_message_join``, ``chat_handle_join``. ``message.date`` is
  **nanoseconds since 2001-01-01 UTC** (iOS 11+). Some messages keep only their
  ``attributedBody`` (``text`` NULL), as iOS 16+ writes them: a "streamtyped" NSArchiver blob
  of an NSAttributedString (layout: ``04 0B "streamtyped" 81 E8 03 84 01 40 84 84 84 12
  "NSAttributedString" 00 84 84 08 "NSObject" 00 85 92 84 84 84 08 "NSString" 01 94 84 01 2B``,
  then the byte length as a typedstream integer and the UTF-8 text).
* ``CallHistory.storedata``: the Core Data table ``ZCALLRECORD`` with the columns iLEAPP
  ``callHistory.py`` reads (``ZDATE`` Cocoa seconds as a double, ``ZADDRESS`` a BLOB of UTF-8,
  ``ZORIGINATED``, ``ZANSWERED``, ``ZCALLTYPE`` 1 = phone, ...), Core Data's ``Z_PK``/``Z_ENT``/
  ``Z_OPT`` and ``Z_PRIMARYKEY``/``Z_METADATA`` tables. Reconstructed from those columns and
  Core Data's naming and typing conventions, not dumped from a device.
* ``AddressBook.sqlitedb``: ``ABPerson`` (``CreationDate``/``ModificationDate`` integer Cocoa
  seconds), ``ABMultiValue`` (``property`` 3 phone, 4 e-mail, 5 postal address),
  ``ABMultiValueLabel``, ``ABMultiValueEntry``/``ABMultiValueEntryKey`` (the parts of an
  address), ``ABGroup``/``ABGroupMembers``, ``ABStore``, and ``AddressBookImages.sqlitedb``
  beside it (``ABThumbnailImage``, ``ABFullSizeImage``): the tables iLEAPP
  ``addressBook.py`` joins. Reconstructed from that query, not dumped from a device.
* ``SystemVersion.plist``.

Since issue 16 the Messages writer is :mod:`forensics_datasets.phone.ios_sms` and the
calls/contacts writer :mod:`forensics_datasets.phone.ios_contacts`; this module writes the
tree and re-exports their names (the old path).
"""

from __future__ import annotations

import plistlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from forensics_datasets.phone.android import deleted_messages
from forensics_datasets.phone.extras import Extras, make_extras, write_ios_extras
from forensics_datasets.phone.ios_contacts import (
    ADDRESSBOOK_DB,
    ADDRESSBOOK_IMAGES_DB,
    ADDRESSBOOK_IMAGES_SCHEMA,
    ADDRESSBOOK_SCHEMA,
    CALLHISTORY_SCHEMA,
    members_of,
    write_addressbook,
    write_callhistory,
)
from forensics_datasets.phone.ios_sms import COCOA_EPOCH_NS, SMS_SCHEMA, attributed_body, write_sms
from forensics_datasets.phone.linphone import Linphone, make_linphone, write_ios_linphone
from forensics_datasets.phone.scenario import Message, Scenario
from forensics_datasets.phone.whatsapp import write_ios_whatsapp

__all__ = [
    "ADDRESSBOOK_DB",
    "ADDRESSBOOK_IMAGES_DB",
    "ADDRESSBOOK_IMAGES_SCHEMA",
    "ADDRESSBOOK_SCHEMA",
    "CALLHISTORY_DB",
    "CALLHISTORY_SCHEMA",
    "COCOA_EPOCH_NS",
    "SMS_DB",
    "SMS_SCHEMA",
    "attributed_body",
    "members_of",
    "write_ios_tree",
]


SMS_DB = "private/var/mobile/Library/SMS/sms.db"
CALLHISTORY_DB = "private/var/mobile/Library/CallHistoryDB/CallHistory.storedata"
SYSTEM_VERSION = "System/Library/CoreServices/SystemVersion.plist"


def write_ios_tree(
    root: Path,
    scenario: Scenario,
    *,
    wal: bool = True,
    wal_tail: int = 3,
    text_null_every: int = 3,
    extras: bool | Extras = False,
    linphone: bool | Linphone = False,
    deleted_sms: int | Sequence[Message] = 0,
) -> dict[str, Any]:
    """Write the scenario's iOS file system under ``root``; return the writer's notes.

    ``extras`` adds Safari history, the known-networks plist and applicationState.db.
    ``deleted_sms``: messages written then deleted (``PRAGMA secure_delete = OFF``), your own
    or a count of seeded ones (as on Android); listed in the notes as ``deleted_sms``."""
    deleted = (
        deleted_messages(scenario, deleted_sms)
        if isinstance(deleted_sms, int)
        else list(deleted_sms)
    )
    notes = write_sms(
        root / SMS_DB, scenario, "tail" if wal else "none", wal_tail, text_null_every, deleted
    )
    write_callhistory(root / CALLHISTORY_DB, scenario, "bare" if wal else "none")
    notes["addressbook"] = write_addressbook(
        root / ADDRESSBOOK_DB, scenario, "tail" if wal else "none"
    )
    plist = root / SYSTEM_VERSION
    plist.parent.mkdir(parents=True, exist_ok=True)
    plist.write_bytes(
        plistlib.dumps(
            {
                "BuildID": "EXAMPLE-0000-BUILD",
                "ProductBuildVersion": "21F90",
                "ProductCopyright": "1983-2024 Apple Inc.",
                "ProductName": "iPhone OS",
                "ProductVersion": "17.5.1",
                "SystemImageID": "00000000-0000-4000-8000-000000000000",
            }
        )
    )
    notes["device"] = {"make": "Apple", "os_version": "17.5.1", "build": "21F90"}
    notes["whatsapp"] = write_ios_whatsapp(root, scenario, wal="tail" if wal else "none")
    if extras:  # browser history, Wi-Fi networks, installed apps
        more = extras if isinstance(extras, Extras) else make_extras(scenario.seed)
        notes["extras"] = {**more.to_json(), **write_ios_extras(root, more, wal=wal)}
    if linphone:  # Linphone SIP accounts and call history
        notes["linphone"] = write_ios_linphone(
            root,
            linphone if isinstance(linphone, Linphone) else make_linphone(scenario.seed),
            wal=wal,
        )
    return notes
