"""WhatsApp for iOS: ChatStorage.sqlite (ZWAMESSAGE, ZWACHATSESSION, ZWAMEDIAITEM, ...) and the
calls database."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from forensics_datasets.phone._pack import WalState, write_db
from forensics_datasets.phone.scenario import GROUP_JID, GROUP_SUBJECT, Scenario
from forensics_datasets.phone.whatsapp_common import (
    IOS_APP_GROUP,
    cocoa_s,
    media_notes,
    message_key,
    wa_media,
)

CHATSTORAGE_SCHEMA = (
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, "
    "Z_MAX INTEGER)",
    "CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB)",
    "CREATE TABLE ZWACHATSESSION ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZARCHIVED INTEGER, ZMESSAGECOUNTER INTEGER, ZSESSIONTYPE INTEGER, ZUNREADCOUNT INTEGER, "
    "ZLASTMESSAGE INTEGER, ZLASTMESSAGEDATE TIMESTAMP, ZCONTACTJID VARCHAR, ZPARTNERNAME "
    "VARCHAR, ZLASTMESSAGETEXT VARCHAR )",
    "CREATE TABLE ZWAGROUPMEMBER ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZISACTIVE INTEGER, ZISADMIN INTEGER, ZCHATSESSION INTEGER, ZCONTACTNAME VARCHAR, "
    "ZMEMBERJID VARCHAR )",
    "CREATE TABLE ZWAMESSAGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZCHILDMESSAGESDELIVEREDCOUNT INTEGER, ZFLAGS INTEGER, ZGROUPEVENTTYPE INTEGER, ZISFROMME "
    "INTEGER, ZMESSAGEERRORSTATUS INTEGER, ZMESSAGESTATUS INTEGER, ZMESSAGETYPE INTEGER, ZSORT "
    "INTEGER, ZSPOTLIGHTSTATUS INTEGER, ZSTARRED INTEGER, ZCHATSESSION INTEGER, ZGROUPMEMBER "
    "INTEGER, ZLASTSESSION INTEGER, ZMEDIAITEM INTEGER, ZMESSAGEINFO INTEGER, ZPARENTMESSAGE "
    "INTEGER, ZMESSAGEDATE TIMESTAMP, ZSENTDATE TIMESTAMP, ZFROMJID VARCHAR, ZMEDIASECTIONID "
    "VARCHAR, ZPHASH VARCHAR, ZPUSHNAME VARCHAR, ZSTANZAID VARCHAR, ZTEXT VARCHAR, ZTOJID "
    "VARCHAR )",
    # The media, receipt and group-change entities of the same model, with the columns
    # iLEAPP whatsApp.py whatsAppMessages reads (ZMESSAGE, ZLATITUDE, ZLONGITUDE,
    # ZMEDIALOCALPATH, ZXMPPTHUMBPATH, ZMETADATA) and Core Data's naming; reconstructed.
    "CREATE TABLE ZWAMEDIAITEM ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZCLOUDSTATUS INTEGER, ZFILESIZE INTEGER, ZMEDIAORIGIN INTEGER, ZMOVIEDURATION INTEGER, "
    "ZMESSAGE INTEGER, ZASPECTRATIO FLOAT, ZHACCURACY FLOAT, ZLATITUDE FLOAT, ZLONGITUDE "
    "FLOAT, ZMEDIAURLDATE TIMESTAMP, ZAUTHORNAME VARCHAR, ZCOLLECTIONNAME VARCHAR, "
    "ZMEDIALOCALPATH VARCHAR, ZMEDIAURL VARCHAR, ZTHUMBNAILLOCALPATH VARCHAR, ZTITLE VARCHAR, "
    "ZVCARDNAME VARCHAR, ZVCARDSTRING VARCHAR, ZXMPPTHUMBPATH VARCHAR, ZMEDIAKEY BLOB, "
    "ZMETADATA BLOB )",
    "CREATE TABLE ZWAMESSAGEINFO ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZMESSAGE INTEGER, ZRECEIPTINFO BLOB )",
    "CREATE TABLE ZWAGROUPMEMBERSCHANGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT "
    "INTEGER, ZCHANGETYPE INTEGER, ZGROUPMEMBER INTEGER, ZMESSAGE INTEGER, ZMEMBERJID VARCHAR )",
    "CREATE INDEX Z_WAMEDIAITEM_MESSAGE ON ZWAMEDIAITEM (ZMESSAGE)",
    "CREATE INDEX Z_WAMESSAGEINFO_MESSAGE ON ZWAMESSAGEINFO (ZMESSAGE)",
)
IOS_CALLS_SCHEMA = (
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, "
    "Z_MAX INTEGER)",
    "CREATE TABLE ZWAAGGREGATECALLEVENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT "
    "INTEGER, ZINCOMING INTEGER, ZMISSED INTEGER, ZMISSEDREASON INTEGER, ZVIDEO INTEGER, "
    "ZFIRSTDATE TIMESTAMP )",
    "CREATE TABLE ZWACDCALLEVENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, "
    "ZOUTCOME INTEGER, Z1CALLEVENTS INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZBYTESRECEIVED "
    "INTEGER, ZBYTESSENT INTEGER, ZCALLIDSTRING VARCHAR, ZGROUPCALLCREATORUSERJIDSTRING "
    "VARCHAR, ZGROUPJIDSTRING VARCHAR )",
    "CREATE TABLE ZWACDCALLEVENTPARTICIPANT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT "
    "INTEGER, ZOUTCOME INTEGER, Z1PARTICIPANTS INTEGER, ZJIDSTRING VARCHAR )",
)


def write_ios_whatsapp(root: Path, scenario: Scenario, *, wal: WalState = "tail") -> dict[str, Any]:
    """Write ``ChatStorage.sqlite`` and ``CallHistory.sqlite`` in the app-group container."""
    group = root / IOS_APP_GROUP
    sessions: dict[str, int] = {}
    for message in scenario.wa_messages:
        sessions.setdefault(message.chat_jid, len(sessions) + 1)
    members: dict[str, int] = {}
    for message in scenario.wa_messages:
        if message.chat_jid == GROUP_JID and message.sender_jid:
            members.setdefault(message.sender_jid, len(members) + 1)

    sent = [i for i, m in enumerate(scenario.wa_messages) if m.outgoing]
    media = wa_media(scenario)
    item_pk = {i: n for n, i in enumerate(sorted(media), start=1)}

    def chats(conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO ZWACHATSESSION (Z_PK, Z_ENT, Z_OPT, ZSESSIONTYPE, ZCONTACTJID, "
            "ZPARTNERNAME) VALUES (?, 6, 1, ?, ?, ?)",
            [
                (i, 1 if c == GROUP_JID else 0, c, GROUP_SUBJECT if c == GROUP_JID else None)
                for c, i in sessions.items()
            ],
        )
        conn.executemany(
            "INSERT INTO ZWAGROUPMEMBER (Z_PK, Z_ENT, Z_OPT, ZISACTIVE, ZCHATSESSION, ZMEMBERJID) "
            "VALUES (?, 4, 1, 1, ?, ?)",
            [(i, sessions[GROUP_JID], m) for m, i in members.items()],
        )
        # A sent message has its receipts in a ZWAMESSAGEINFO row (ZMESSAGE, ZRECEIPTINFO).
        info = {i + 1: n for n, i in enumerate(sent, start=1)}
        conn.executemany(
            "INSERT INTO ZWAMESSAGEINFO (Z_PK, Z_ENT, Z_OPT, ZMESSAGE, ZRECEIPTINFO) "
            "VALUES (?, 10, 1, ?, ?)",
            [(n, pk, b"\x0a\x00") for pk, n in info.items()],
        )
        conn.executemany(
            "INSERT INTO ZWAMESSAGE (Z_PK, Z_ENT, Z_OPT, ZISFROMME, ZMESSAGETYPE, ZCHATSESSION, "
            "ZGROUPMEMBER, ZMESSAGEINFO, ZMEDIAITEM, ZMESSAGEDATE, ZSENTDATE, ZFROMJID, ZTOJID, "
            "ZSTANZAID, ZTEXT) VALUES (?, 9, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i + 1,
                    int(m.outgoing),
                    1 if i in media else 0,  # 1 image
                    sessions[m.chat_jid],
                    members.get(m.sender_jid or "") if m.chat_jid == GROUP_JID else None,
                    info.get(i + 1),
                    item_pk.get(i),
                    cocoa_s(m.time),
                    cocoa_s(m.time),
                    None if m.outgoing else m.chat_jid,
                    m.chat_jid if m.outgoing else None,
                    message_key(scenario.seed, i),
                    None if i in media else m.body,  # a picture's caption is ZTITLE's
                )
                for i, m in enumerate(scenario.wa_messages)
            ],
        )
        # ZWAMEDIAITEM: ZMESSAGE is the message's Z_PK (and ZWAMESSAGE.ZMEDIAITEM this
        # row's); caption in ZTITLE, ZTEXT NULL; no MIME column for pictures.
        conn.executemany(
            "INSERT INTO ZWAMEDIAITEM (Z_PK, Z_ENT, Z_OPT, ZCLOUDSTATUS, ZFILESIZE, ZMEDIAORIGIN, "
            "ZMESSAGE, ZASPECTRATIO, ZMEDIAURLDATE, ZMEDIALOCALPATH, ZMEDIAURL, ZTITLE, ZMEDIAKEY) "
            "VALUES (?, 7, 1, 0, ?, 0, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    item_pk[i],
                    item.size,
                    i + 1,
                    item.width / item.height,
                    cocoa_s(scenario.wa_messages[i].time),
                    item.ios_path(scenario.wa_messages[i].chat_jid),
                    f"https://mmg.whatsapp.net/v/t62.7118-24/{item.enc_file_hash[:12]}.enc",
                    scenario.wa_messages[i].body,
                    item.media_key,
                )
                for i, item in sorted(media.items())
            ],
        )

    def calls(conn: sqlite3.Connection) -> None:
        for i, c in enumerate(scenario.wa_calls, start=1):
            conn.execute(
                "INSERT INTO ZWAAGGREGATECALLEVENT (Z_PK, Z_ENT, Z_OPT, ZINCOMING, ZMISSED, "
                "ZVIDEO, ZFIRSTDATE) VALUES (?, 1, 1, ?, ?, ?, ?)",
                (i, int(not c.outgoing), int(c.duration_s == 0), int(c.video), cocoa_s(c.time)),
            )
            conn.execute(
                "INSERT INTO ZWACDCALLEVENT (Z_PK, Z_ENT, Z_OPT, ZOUTCOME, Z1CALLEVENTS, ZDATE, "
                "ZDURATION, ZCALLIDSTRING) VALUES (?, 2, 1, ?, ?, ?, ?, ?)",
                (
                    i,
                    0 if c.duration_s else 1,
                    i,
                    cocoa_s(c.time),
                    float(c.duration_s),
                    f"CALL{scenario.seed:04X}{i - 1:08X}",
                ),
            )
            conn.execute(
                "INSERT INTO ZWACDCALLEVENTPARTICIPANT (Z_PK, Z_ENT, Z_OPT, ZOUTCOME, "
                "Z1PARTICIPANTS, ZJIDSTRING) VALUES (?, 3, 1, ?, ?, ?)",
                (i, 0 if c.duration_s else 1, i, c.jid),
            )

    write_db(group / "ChatStorage.sqlite", CHATSTORAGE_SCHEMA, chats, wal=wal)
    write_db(group / "CallHistory.sqlite", IOS_CALLS_SCHEMA, calls, wal=wal)
    return {"app_group": "/" + IOS_APP_GROUP, "media": media_notes(scenario, media, "ios")}
