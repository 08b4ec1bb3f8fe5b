"""Write a scenario's WhatsApp chats and calls as WhatsApp stores them.

Android ``msgstore.db``:

* modern schema: ``jid``, ``chat``, ``message``, ``call_log`` with the ``CREATE TABLE``
  statements of a real msgstore.db schema dump (2024), ``jid_map`` (``lid_row_id``,
  ``jid_row_id``) as readers of LID-era databases use it, and the placeholder row WhatsApp's
  ``MessageTable`` inserts first (``_id`` 1, ``chat_row_id`` -1, ``key_id`` '-1'). Some 1:1
  chats are stored under a privacy "LID" jid (``...@lid``) mapped to the phone jid.
* legacy schema: ``messages`` and ``chat_list`` as WhatsApp's ``MessagesTable`` and
  ``ChatListTable`` create them.
* modern schema also: ``message_media``, ``message_location`` (a real dump's ``CREATE
  TABLE`` text) and the ``chat_view`` view, which ALEAPP ``scripts/artifacts/WhatsApp.py``
  joins; ``wa.db`` beside it (:func:`write_android_wa_contacts`: ``wa_contacts`` with a row
  for every jid WhatsApp chats or calls with, LIDs included, and
  ``wa_group_admin_settings``), written on every Android extraction.

``timestamp``/``received_timestamp`` in Unix ms; ``call_log.duration`` in s.

iOS, in the app-group container: ``ChatStorage.sqlite`` (``ZWACHATSESSION``, ``ZWAMESSAGE``,
``ZWAGROUPMEMBER``, ``ZWAMEDIAITEM``, ``ZWAMESSAGEINFO`` (a receipt row per sent message),
``ZWAGROUPMEMBERSCHANGE``) and ``CallHistory.sqlite`` (``ZWAAGGREGATECALLEVENT``,
``ZWACDCALLEVENT``, ``ZWACDCALLEVENTPARTICIPANT``), Core Data tables with the columns iLEAPP
and WhatsApp-Chat-Exporter read, dates in Cocoa seconds (doubles); ``ContactsV2.sqlite``
with ``ZABOUTTIMESTAMP``, ``ZIDENTIFIER`` (the AddressBook person, ``<guid>:ABPerson``) and
``ZPHONENUMBERLABEL`` (iLEAPP ``whatsAppContacts``). Reconstructed from those columns and
Core Data conventions, not dumped from a device.

Since issue 16 a thin re-export module (the old path) of the WhatsApp writers, one module per
database: :mod:`forensics_datasets.phone.whatsapp_android` (msgstore.db), ``.whatsapp_ios``
(ChatStorage.sqlite), ``.whatsapp_contacts`` (wa.db, ContactsV2.sqlite) and what they share,
``.whatsapp_common``.
"""

from __future__ import annotations

from forensics_datasets.phone.whatsapp_android import (
    LEGACY_SCHEMA,
    MODERN_SCHEMA,
    write_android_whatsapp,
)
from forensics_datasets.phone.whatsapp_common import (
    ANDROID_MSGSTORE,
    IOS_APP_GROUP,
    WaMedia,
    lid_jids,
    wa_media,
)
from forensics_datasets.phone.whatsapp_contacts import (
    ANDROID_WA_DB,
    CONTACTSV2_SCHEMA,
    WA_DB_SCHEMA,
    group_creator,
    ios_person_guid,
    wa_contacts_key,
    write_android_wa_contacts,
    write_ios_wa_contacts,
)
from forensics_datasets.phone.whatsapp_ios import (
    CHATSTORAGE_SCHEMA,
    IOS_CALLS_SCHEMA,
    write_ios_whatsapp,
)

__all__ = [
    "ANDROID_MSGSTORE",
    "ANDROID_WA_DB",
    "CHATSTORAGE_SCHEMA",
    "CONTACTSV2_SCHEMA",
    "IOS_APP_GROUP",
    "IOS_CALLS_SCHEMA",
    "LEGACY_SCHEMA",
    "MODERN_SCHEMA",
    "WA_DB_SCHEMA",
    "WaMedia",
    "group_creator",
    "ios_person_guid",
    "lid_jids",
    "wa_contacts_key",
    "wa_media",
    "write_android_wa_contacts",
    "write_android_whatsapp",
    "write_ios_wa_contacts",
    "write_ios_whatsapp",
]
