"""Android telephony artifacts: SMS, MMS, call log and contacts.

Sources (read, not copied):

* ``mmssms.db`` (``com.android.providers.telephony``): table ``sms`` with ``date`` and
  ``date_sent`` in Unix **milliseconds**, ``type`` 1 inbox, 2 sent, 3 draft, 4 outbox, 5 failed,
  6 queued (``android.provider.Telephony.TextBasedSmsColumns.MESSAGE_TYPE_*``). MMS live in
  ``pdu`` (``date`` in Unix **seconds**, ``msg_box`` with the same codes), their parties in
  ``addr`` (``type`` 137 = 0x89 FROM, 151 = 0x97 TO, 130 CC, 129 BCC, PduHeaders) and their
  text in ``part`` (``ct = 'text/plain'``, ordered by ``seq``). Schema as in plaso
  ``plaso/parsers/sqlite_plugins/android_sms.py`` (SCHEMAS) and ALEAPP
  ``scripts/artifacts/smsmms.py`` (which reads ``pdu.date`` as seconds and ``sms.date`` as ms).
* ``calllog.db`` (Android 7+) or ``contacts2.db`` (older) (``com.android.providers.contacts``):
  table ``calls``, ``date`` in Unix ms, ``duration`` in s, ``type`` 1 incoming, 2 outgoing,
  3 missed, 4 voicemail, 5 rejected, 6 blocked, 7 answered externally
  (``android.provider.CallLog.Calls.*_TYPE``; ALEAPP ``scripts/artifacts/calllog.py``; plaso
  ``android_calls.py``).
* ``contacts2.db``: ``raw_contacts`` joined to ``data`` through ``mimetypes``
  (``vnd.android.cursor.item/name``: data1 display name, data2 given, data3 family;
  ``phone_v2``: data1 number; ``email_v2``: data1 address; ``organization``: data1 company;
  ``android.provider.ContactsContract.CommonDataKinds``).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from forensics_lib.core import times
from forensics_lib.core.registry import artifact
from forensics_lib.core.schema import ArtifactSpec, TimelineRule, empty_frame
from forensics_lib.phone._common import (
    CALL_COLUMNS,
    CALL_TIMELINE,
    CONTACT_COLUMNS,
    MESSAGE_COLUMNS,
    fetch,
    finish,
    labels,
    missing_schema,
    open_db,
    select_list,
)
from forensics_lib.sources import Source

__all__ = [
    "ANDROID_CALLS",
    "ANDROID_CONTACTS",
    "ANDROID_MMS",
    "ANDROID_SMS",
    "CALL_TYPES",
    "SMS_TYPES",
    "read_calls",
    "read_contacts",
    "read_mms",
    "read_sms",
]

logger = logging.getLogger(__name__)

# android.provider.Telephony.TextBasedSmsColumns MESSAGE_TYPE_* (also Mms MESSAGE_BOX_*).
SMS_TYPES: dict[int, str] = {
    0: "all",
    1: "inbox",
    2: "sent",
    3: "draft",
    4: "outbox",
    5: "failed",
    6: "queued",
}
# android.provider.CallLog.Calls INCOMING_TYPE=1 ... ANSWERED_EXTERNALLY_TYPE=7.
CALL_TYPES: dict[int, str] = {
    1: "incoming",
    2: "outgoing",
    3: "missed",
    4: "voicemail",
    5: "rejected",
    6: "blocked",
    7: "answered_externally",
}
_INCOMING_CALL_TYPES = (1, 3, 4, 5, 6, 7)
# com.google.android.mms.pdu.PduHeaders: FROM = 0x89, TO = 0x97.
PDU_FROM = 0x89
PDU_TO = 0x97
MIME_NAME = "vnd.android.cursor.item/name"
MIME_PHONE = "vnd.android.cursor.item/phone_v2"
MIME_EMAIL = "vnd.android.cursor.item/email_v2"
MIME_ORGANIZATION = "vnd.android.cursor.item/organization"

_TELEPHONY = (
    "**/com.android.providers.telephony/databases/mmssms.db",
    "**/com.samsung.android.providers.telephony/databases/mmssms.db",
)
_MESSAGE_TIMELINE = (
    TimelineRule("time", "{service} {type_label}", "{address}: {body}", counterpart="address"),
)

ANDROID_SMS = ArtifactSpec(
    id="android.sms",
    family="phone",
    description="Android SMS (mmssms.db sms; date in Unix ms)",
    columns=MESSAGE_COLUMNS,
    globs=_TELEPHONY,
    timeline=_MESSAGE_TIMELINE,
    references=("plaso android_sms.py", "ALEAPP scripts/artifacts/smsmms.py"),
)
ANDROID_MMS = ArtifactSpec(
    id="android.mms",
    family="phone",
    description="Android MMS (mmssms.db pdu/addr/part; date in Unix s)",
    columns=MESSAGE_COLUMNS,
    globs=_TELEPHONY,
    timeline=_MESSAGE_TIMELINE,
    references=("ALEAPP scripts/artifacts/smsmms.py", "PduHeaders.java"),
)
ANDROID_CALLS = ArtifactSpec(
    id="android.calls",
    family="phone",
    description="Android call log (calllog.db or contacts2.db calls; types 1-7)",
    columns=CALL_COLUMNS,
    globs=(
        "**/com.android.providers.contacts/databases/calllog.db",
        "**/com.samsung.android.providers.contacts/databases/calllog.db",
        "**/com.android.providers.contacts/databases/contacts2.db",
    ),
    timeline=CALL_TIMELINE,
    references=("ALEAPP scripts/artifacts/calllog.py", "plaso android_calls.py"),
)
ANDROID_CONTACTS = ArtifactSpec(
    id="android.contacts",
    family="phone",
    description="Android contacts (contacts2.db raw_contacts/data/mimetypes)",
    columns=CONTACT_COLUMNS,
    globs=("**/com.android.providers.contacts/databases/contacts2.db",),
    timeline=(TimelineRule("modified", "contact modified", "{display_name} {phones}"),),
    references=("plaso android_calls.py SCHEMAS", "ContactsContract.CommonDataKinds"),
)

_SMS_REQUIRED = ("_id", "address", "date", "type", "body")
_SMS_OPTIONAL = ("thread_id", "read", "subject", "date_sent")


def _direction_from_box(box: pd.Series) -> pd.Series:
    """Inbox (1) is incoming; sent, draft, outbox, failed, queued are outgoing."""
    values = box.astype("Int64")
    out = pd.Series(np.where(values.eq(1).fillna(False), "incoming", "outgoing"), dtype="str")
    result: pd.Series = out.where(values.notna().to_numpy(), None).astype("str")
    return result


@artifact(ANDROID_SMS)
def read_sms(source: Source) -> pd.DataFrame:
    """Android ``mmssms.db`` table ``sms``, one row per message."""
    with open_db(source) as db:
        if missing_schema(db, "sms", _SMS_REQUIRED, ANDROID_SMS.id):
            return empty_frame(ANDROID_SMS)
        cols = select_list(db, "sms", "s", (*_SMS_REQUIRED, *_SMS_OPTIONAL))
        raw = fetch(
            db,
            f"SELECT {cols} FROM sms AS s ORDER BY s._id",
            {
                "_id": "int",
                "date": "int",
                "type": "int",
                "thread_id": "int",
                "read": "int",
                "date_sent": "int",
            },
        )
    frame = pd.DataFrame(
        {
            "time": times.from_unix_ms(raw["date"]),
            "direction": _direction_from_box(raw["type"]),
            "address": raw["address"],
            "body": raw["body"],
            "type": raw["type"],
            "type_label": labels(raw["type"], SMS_TYPES),
            "service": pd.Series("SMS", index=raw.index, dtype="str"),
            "read": raw["read"].astype("boolean"),
            "thread_id": raw["thread_id"],
            "subject": raw["subject"],
            "time_raw": raw["date"],
        },
        copy=False,
    )
    return finish(frame, ANDROID_SMS, source, raw["_id"])


@artifact(ANDROID_MMS)
def read_mms(source: Source) -> pd.DataFrame:
    """Android ``mmssms.db`` MMS: ``pdu`` with its ``addr`` parties and ``part`` text."""
    with open_db(source) as db:
        if missing_schema(db, "pdu", ("_id", "date", "msg_box"), ANDROID_MMS.id):
            return empty_frame(ANDROID_MMS)
        cols = select_list(db, "pdu", "p", ("_id", "date", "msg_box", "thread_id", "read", "sub"))
        pdu = fetch(
            db,
            f"SELECT {cols} FROM pdu AS p ORDER BY p._id",
            {"_id": "int", "date": "int", "msg_box": "int", "thread_id": "int", "read": "int"},
        )
        addr = pd.DataFrame({"msg_id": pd.Series([], dtype="Int64")})
        if db.has_columns("addr", "msg_id", "address", "type"):
            addr = fetch(
                db,
                "SELECT msg_id, address, type FROM addr ORDER BY msg_id, _id",
                {"msg_id": "int", "type": "int"},
            )
        parts = pd.DataFrame({"mid": pd.Series([], dtype="Int64")})
        if db.has_columns("part", "mid", "ct", "text"):
            parts = fetch(
                db,
                "SELECT mid, text FROM part WHERE ct = 'text/plain' ORDER BY mid, seq, _id",
                {"mid": "int"},
            )
        elif not pdu.empty:
            missing_schema(db, "part", ("mid", "ct", "text"), ANDROID_MMS.id)
    body = parts.groupby("mid")["text"].agg(lambda s: "".join(s.dropna())) if len(parts) else None
    senders = _parties(addr, PDU_FROM)
    recipients = _parties(addr, PDU_TO)
    ids = pdu["_id"]
    incoming = pdu["msg_box"].eq(1).fillna(False).to_numpy()
    address = np.where(incoming, ids.map(senders).to_numpy(), ids.map(recipients).to_numpy())
    frame = pd.DataFrame(
        {
            "time": times.from_unix_s(pdu["date"]),
            "direction": _direction_from_box(pdu["msg_box"]),
            "address": pd.Series(address, dtype="str"),
            "body": ids.map(body).astype("str")
            if body is not None
            else pd.Series(None, index=pdu.index, dtype="str"),
            "type": pdu["msg_box"],
            "type_label": labels(pdu["msg_box"], SMS_TYPES),
            "service": pd.Series("MMS", index=pdu.index, dtype="str"),
            "read": pdu["read"].astype("boolean"),
            "thread_id": pdu["thread_id"],
            "subject": pdu["sub"],
            "time_raw": pdu["date"],
        },
        copy=False,
    )
    return finish(frame, ANDROID_MMS, source, ids)


def _parties(addr: pd.DataFrame, kind: int) -> pd.Series:
    if addr.empty or "type" not in addr.columns:
        return pd.Series(dtype="str")
    chosen = addr.loc[addr["type"].eq(kind).fillna(False)]
    joined: pd.Series = chosen.groupby("msg_id")["address"].agg(lambda s: ", ".join(s.dropna()))
    return joined


_CALL_REQUIRED = ("_id", "number", "date", "duration", "type")
_CALL_OPTIONAL = ("name", "countryiso", "geocoded_location")


@artifact(ANDROID_CALLS)
def read_calls(source: Source) -> pd.DataFrame:
    """Android call log table ``calls`` (``calllog.db``, or ``contacts2.db`` before Android 7)."""
    with open_db(source) as db:
        if not db.columns("calls") and db.columns("raw_contacts"):
            # A contacts2.db of Android 7+: the call log moved to calllog.db. Nothing to read.
            logger.debug("%s: contacts2.db without a calls table (Android 7+)", db.path)
            return empty_frame(ANDROID_CALLS)
        if missing_schema(db, "calls", _CALL_REQUIRED, ANDROID_CALLS.id):
            return empty_frame(ANDROID_CALLS)
        cols = select_list(db, "calls", "c", (*_CALL_REQUIRED, *_CALL_OPTIONAL))
        raw = fetch(
            db,
            f"SELECT {cols} FROM calls AS c ORDER BY c._id",
            {"_id": "int", "date": "int", "duration": "float", "type": "int"},
        )
    start = times.from_unix_ms(raw["date"])
    duration = raw["duration"]
    kind = raw["type"]
    incoming = kind.isin(_INCOMING_CALL_TYPES).fillna(False).to_numpy()
    outgoing = kind.eq(2).fillna(False).to_numpy()
    answered = kind.isin((1, 7)) | (kind.eq(2) & (duration > 0))
    frame = pd.DataFrame(
        {
            "time": start,
            "end_time": start + pd.to_timedelta(duration.fillna(0), unit="s"),
            "duration_s": duration,
            "number": raw["number"],
            "name": raw["name"],
            "direction": pd.Series(
                np.select([incoming, outgoing], ["incoming", "outgoing"], ""), dtype="str"
            ).replace("", None),
            "type": kind,
            "type_label": labels(kind, CALL_TYPES),
            "answered": answered.astype("boolean"),
            "service": pd.Series(pd.NA, index=raw.index, dtype="Int64"),
            "service_label": pd.Series("Phone", index=raw.index, dtype="str"),
            "country_iso": raw["countryiso"],
            "location": raw["geocoded_location"],
            "time_raw": raw["date"].astype("float64"),
        },
        copy=False,
    )
    return finish(frame, ANDROID_CALLS, source, raw["_id"])


@artifact(ANDROID_CONTACTS)
def read_contacts(source: Source) -> pd.DataFrame:
    """Android ``contacts2.db``: one row per raw contact, its numbers and e-mails joined."""
    with open_db(source) as db:
        if missing_schema(db, "raw_contacts", ("_id", "display_name"), ANDROID_CONTACTS.id):
            return empty_frame(ANDROID_CONTACTS)
        if missing_schema(
            db, "data", ("_id", "raw_contact_id", "mimetype_id", "data1"), ANDROID_CONTACTS.id
        ) or missing_schema(db, "mimetypes", ("_id", "mimetype"), ANDROID_CONTACTS.id):
            return empty_frame(ANDROID_CONTACTS)
        wanted = ("_id", "display_name", "deleted", "contact_id")
        cols = select_list(db, "raw_contacts", "r", wanted)
        has_updated = db.has_columns("contacts", "_id", "contact_last_updated_timestamp")
        updated = (
            "(SELECT c.contact_last_updated_timestamp FROM contacts AS c "
            "WHERE c._id = r.contact_id)"
            if has_updated
            else "NULL"
        )
        people = fetch(
            db,
            f"SELECT {cols}, {updated} AS updated FROM raw_contacts AS r ORDER BY r._id",
            {"_id": "int", "deleted": "int", "contact_id": "int", "updated": "int"},
        )
        data = fetch(
            db,
            "SELECT d.raw_contact_id AS rid, m.mimetype AS mimetype, d.data1 AS data1, "
            f"{'d.data2' if 'data2' in db.columns('data') else 'NULL'} AS data2, "
            f"{'d.data3' if 'data3' in db.columns('data') else 'NULL'} AS data3 "
            "FROM data AS d JOIN mimetypes AS m ON d.mimetype_id = m._id "
            "WHERE m.mimetype IN (?, ?, ?, ?) ORDER BY d.raw_contact_id, d._id",
            {"rid": "int"},
            (MIME_NAME, MIME_PHONE, MIME_EMAIL, MIME_ORGANIZATION),
        )
    names = data.loc[data["mimetype"] == MIME_NAME].drop_duplicates("rid").set_index("rid")
    orgs = data.loc[data["mimetype"] == MIME_ORGANIZATION].drop_duplicates("rid").set_index("rid")

    def joined(mime: str) -> pd.Series:
        rows = data.loc[data["mimetype"] == mime]
        out: pd.Series = rows.groupby("rid")["data1"].agg(lambda s: "; ".join(s.dropna()))
        return out

    ids = people["_id"]
    frame = pd.DataFrame(
        {
            "contact_id": ids,
            "display_name": people["display_name"],
            "first_name": ids.map(names["data2"]).astype("str"),
            "last_name": ids.map(names["data3"]).astype("str"),
            "organization": ids.map(orgs["data1"]).astype("str"),
            "phones": ids.map(joined(MIME_PHONE)).astype("str"),
            "emails": ids.map(joined(MIME_EMAIL)).astype("str"),
            "created": pd.Series(pd.NaT, index=people.index, dtype="datetime64[ns, UTC]"),
            "modified": times.from_unix_ms(people["updated"]),
            "deleted": people["deleted"].astype("boolean"),
        },
        copy=False,
    )
    return finish(frame, ANDROID_CONTACTS, source, ids)
