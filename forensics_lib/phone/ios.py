"""iOS telephony artifacts: Messages (SMS/iMessage), call history and the address book.

Sources (read, not copied):

* ``/private/var/mobile/Library/SMS/sms.db``: ``message`` (``date`` in nanoseconds since
  2001-01-01 UTC on iOS 11+, seconds before; ``is_from_me``; ``text``, or only
  ``attributedBody`` on recent iOS), ``handle`` (``id`` = number or e-mail), ``chat`` and
  ``chat_message_join``. Column names as in iLEAPP ``scripts/artifacts/sms.py``, which also
  tells ns from s by magnitude (``ts > 1000000000000000``).
* ``attributedBody`` is an ``NSAttributedString`` archived by NSArchiver ("streamtyped",
  little-endian typedstream). The text is the NSString's bytes: after the class name
  ``NSString`` come the type encoding ``+`` written as a new string (``84 01 2B``), then the
  byte length as a typedstream integer (one byte below 0x80; ``81`` + 2 bytes LE; ``82`` + 4
  bytes LE: ``TAG_INTEGER_2 = 0x81``, ``TAG_INTEGER_4 = 0x82`` in dgelessus/python-typedstream
  ``typedstream/stream.py``), then the UTF-8 bytes.
* iOS 5 and older ``sms.db`` keep another ``message`` table under the same name: no
  ``handle_id``/``is_from_me``, but ``address``, ``date`` in Unix **seconds**, ``text``,
  ``flags`` (2 received, 3 sent, 33 failed, 129 deleted) and ``read``; iOS 5 adds iMessage
  rows (``is_madrid`` = 1, ``madrid_handle``) whose times this reader does not verify: they
  are counted and announced, not shown (schema as dumped from an iOS 4 sms.db,
  ``CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT, date
  INTEGER, text TEXT, flags INTEGER, replace INTEGER, svc_center TEXT, group_id INTEGER,
  ...``; flags as the iOS 5-era sms.db queries word them; linuxsleuthing.blogspot.com
  "Who's Texting? The iOS6 sms.db" on the change to ``handle``/``is_from_me``). The schema
  is chosen by the columns present.
* ``/private/var/mobile/Library/CallHistoryDB/CallHistory.storedata``: Core Data table
  ``ZCALLRECORD``: ``ZDATE`` Cocoa seconds (REAL), ``ZDURATION`` s, ``ZORIGINATED`` 1 outgoing,
  ``ZANSWERED``, ``ZCALLTYPE`` 0 third-party app, 1 phone, 8 FaceTime video, 16 FaceTime audio,
  ``ZADDRESS`` (a BLOB of UTF-8 on many versions) (iLEAPP ``scripts/artifacts/callHistory.py``).
* iOS 7 and older: ``/private/var/wireless/Library/CallHistory/call_history.db`` (iOS 3 and
  older also ``/private/var/mobile/Library/CallHistory/``; backup domain ``WirelessDomain``,
  fileID ``2b2b0084a1bc3a5ac8c27afdf14afb42c61a19ca``), table ``call``: ``ROWID``,
  ``address``, ``date`` in Unix **seconds** (richinfante/iphonebackuptools
  ``tools/reports/phone/calls.js`` reads it with ``datetime(date, 'unixepoch')``),
  ``duration`` s, ``flags``, ``name``, ``country_code`` (MCC), ``network_code``, ``read``.
  ``flags`` bit 0 (1) is set for an outgoing call: the database's own triggers count
  ``flags & (1 << 0) == 1`` as outgoing and ``== 0`` as incoming time
  (``timer_outgoing_trigger`` / ``timer_incoming_trigger`` in the schema dumped in
  iphonebackuptools ``schemas/calls/calls2_6.1.6.sql``); The iPhone Wiki "Call History
  Database" gives 4 for incoming and 5 for outgoing voice calls; bit 4 (16) marks FaceTime
  (16/17, 20/21 as investigators' tables list them: labelled "FaceTime", kind not told).
  The table stores no "answered": a call is taken as answered when its duration is above
  0, so an incoming call with no duration is "missed" (as the iOS 7 Recents list shows it).
  Read into the ``calls`` columns of ``CallHistory.storedata`` (the schema is chosen by the
  tables present); ``type`` holds the raw ``flags``.
* ``/private/var/mobile/Library/AddressBook/AddressBook.sqlitedb``: ``ABPerson`` (``First``,
  ``Last``, ``Organization``, ``CreationDate``/``ModificationDate`` Cocoa s) and
  ``ABMultiValue`` (``property`` 3 phone, 4 e-mail; iLEAPP ``scripts/artifacts/addressBook.py``).
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
import pandas as pd

from forensics_lib.core import times
from forensics_lib.core.errors import ForensicsWarning
from forensics_lib.core.registry import artifact
from forensics_lib.core.schema import ArtifactSpec, TimelineRule, empty_frame
from forensics_lib.core.sqlite import SqliteDatabase
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
    text,
)
from forensics_lib.sources import Source, display_path

__all__ = [
    "CALL_SERVICES",
    "IOS_CALLS",
    "IOS_CONTACTS",
    "IOS_SMS",
    "cocoa_auto",
    "decode_attributed_body",
    "read_calls",
    "read_contacts",
    "read_sms",
]

# iLEAPP scripts/artifacts/callHistory.py: ZCALLTYPE labels.
CALL_SERVICES: dict[int, str] = {
    0: "Third-Party App",
    1: "Phone",
    8: "FaceTime Video",
    16: "FaceTime Audio",
}
# is_from_me: 0 received, 1 sent; labelled like Android's sms.type so the two concatenate.
_FROM_ME_LABELS: dict[int, str] = {0: "inbox", 1: "sent"}
AB_PHONE = 3
AB_EMAIL = 4
_NS_THRESHOLD = 10**12  # a Cocoa time above this is nanoseconds (10**12 s is year 33,000)

IOS_SMS = ArtifactSpec(
    id="ios.sms",
    family="phone",
    description="iOS SMS and iMessage (sms.db message/handle/chat; Cocoa ns)",
    columns=MESSAGE_COLUMNS,
    globs=("**/mobile/Library/SMS/sms.db",),
    timeline=(
        TimelineRule("time", "{service} {type_label}", "{address}: {body}", counterpart="address"),
    ),
    references=("iLEAPP scripts/artifacts/sms.py", "dgelessus/python-typedstream"),
)
IOS_CALLS = ArtifactSpec(
    id="ios.calls",
    family="phone",
    description="iOS call history (CallHistory.storedata ZCALLRECORD; Cocoa s)",
    columns=CALL_COLUMNS,
    globs=(
        "**/mobile/Library/CallHistoryDB/CallHistory.storedata",
        "**/wireless/Library/CallHistory/call_history.db",
        "**/mobile/Library/CallHistory/call_history.db",
    ),
    timeline=CALL_TIMELINE,
    references=(
        "iLEAPP scripts/artifacts/callHistory.py",
        "richinfante/iphonebackuptools tools/reports/phone/calls.js, "
        "schemas/calls/calls2_6.1.6.sql",
    ),
)
IOS_CONTACTS = ArtifactSpec(
    id="ios.contacts",
    family="phone",
    description="iOS contacts (AddressBook.sqlitedb ABPerson/ABMultiValue)",
    columns=CONTACT_COLUMNS,
    globs=("**/mobile/Library/AddressBook/AddressBook.sqlitedb",),
    timeline=(TimelineRule("modified", "contact modified", "{display_name} {phones}"),),
    references=("iLEAPP scripts/artifacts/addressBook.py",),
)


def _typedstream_int(blob: bytes, pos: int) -> tuple[int, int] | None:
    """A typedstream integer at ``pos`` (little-endian): (value, next position) or None."""
    if pos >= len(blob):
        return None
    head = blob[pos]
    if head == 0x81:
        if pos + 3 > len(blob):
            return None
        return int.from_bytes(blob[pos + 1 : pos + 3], "little"), pos + 3
    if head == 0x82:
        if pos + 5 > len(blob):
            return None
        return int.from_bytes(blob[pos + 1 : pos + 5], "little"), pos + 5
    if head < 0x80:
        return head, pos + 1
    return None


def decode_attributed_body(blob: bytes | None) -> str | None:
    """The plain text of an ``attributedBody`` blob, or None when it holds none we can read.

    >>> decode_attributed_body(b"\\x04\\x0bstreamtyped\\x81\\xe8\\x03\\x84\\x01@\\x84\\x84\\x84"
    ...     b"\\x12NSAttributedString\\x00\\x84\\x84\\x08NSObject\\x00\\x85\\x92\\x84\\x84\\x84"
    ...     b"\\x08NSString\\x01\\x94\\x84\\x01+\\x02hi\\x86")
    'hi'
    """
    if not blob:
        return None
    data = bytes(blob)
    start = data.find(b"NSString")
    if start < 0:
        return None
    marker = data.find(b"\x84\x01+", start)
    if marker < 0 or marker - start > 64:
        return None
    parsed = _typedstream_int(data, marker + 3)
    if parsed is None:
        return None
    length, pos = parsed
    if pos + length > len(data):
        return None
    try:
        return data[pos : pos + length].decode("utf-8")
    except UnicodeDecodeError:
        return None


def cocoa_auto(raw: pd.Series) -> pd.Series:
    """Cocoa time that is ns on iOS 11+ and s before, told apart by magnitude; 0 is unset."""
    values = raw.astype("Int64")
    is_ns = (values.abs() >= _NS_THRESHOLD).fillna(False).to_numpy()
    unset = values.eq(0).fillna(False).to_numpy()
    ns_part = times.from_cocoa_ns(values.where(is_ns & ~unset))
    s_part = times.from_cocoa(values.where(~is_ns & ~unset))
    result: pd.Series = ns_part.where(is_ns, s_part)
    return result


_SMS_REQUIRED = ("ROWID", "text", "date", "is_from_me", "handle_id")
_SMS_OPTIONAL = ("attributedBody", "is_read", "service", "subject")
_LEGACY_SMS = ("ROWID", "address", "date", "text", "flags")
# iOS 5 and older message.flags: 2 received, 3 sent, 33 send failed, 129 deleted.
LEGACY_SMS_FLAGS: dict[int, str] = {2: "inbox", 3: "sent", 33: "failed", 129: "deleted"}


def _legacy_sms(db: SqliteDatabase, source: Source) -> tuple[pd.DataFrame, list[str]]:
    """iOS 5 and older ``sms.db`` (see the module notes)."""
    cols = select_list(db, "message", "m", (*_LEGACY_SMS, "read", "subject", "group_id"))
    madrid = "m.is_madrid" if db.has_columns("message", "is_madrid") else "0"
    raw = fetch(
        db,
        f"SELECT {cols}, {madrid} AS madrid FROM message AS m ORDER BY m.ROWID",
        {
            "ROWID": "int",
            "date": "int",
            "flags": "int",
            "read": "int",
            "group_id": "int",
            "madrid": "int",
        },
    )
    imessage = raw["madrid"].eq(1).fillna(False).to_numpy()
    notes = []
    if imessage.any():
        notes.append(
            f"{IOS_SMS.id}: {display_path(source)}: iOS 5 sms.db: {int(imessage.sum())} "
            "iMessage (madrid) row(s) not read (their time base is not verified here); "
            f"{int((~imessage).sum())} SMS read"
        )
        warnings.warn(notes[0], ForensicsWarning, stacklevel=3)
        raw = raw.loc[~imessage].reset_index(drop=True)
    flags = raw["flags"]
    frame = pd.DataFrame(
        {
            "row_id": raw["ROWID"],
            "time": times.from_unix_s(raw["date"].where(raw["date"].ne(0))),
            "direction": pd.Series(
                np.select(
                    [flags.eq(2).fillna(False).to_numpy(), flags.notna().to_numpy()],
                    ["incoming", "outgoing"],
                    "",
                ),
                dtype="str",
            ).replace("", None),
            "address": raw["address"],
            "body": raw["text"],
            "type": flags,
            "type_label": labels(flags, LEGACY_SMS_FLAGS),
            "service": pd.Series("SMS", index=raw.index, dtype="str"),
            "read": raw["read"].astype("boolean"),
            "thread_id": raw["group_id"],
            "subject": raw["subject"],
            "time_raw": raw["date"],
        },
        copy=False,
    )
    return frame, notes


@artifact(IOS_SMS)
def read_sms(source: Source) -> pd.DataFrame:
    """iOS ``sms.db``: one row per message, the text recovered from ``attributedBody``
    (iOS 6+), or the iOS 5 and older table of the same name (chosen by its columns)."""
    with open_db(source) as db:
        present = db.columns("message")
        if any(c not in present for c in ("is_from_me", "handle_id")) and all(
            c in present for c in _LEGACY_SMS
        ):
            legacy, notes = _legacy_sms(db, source)
            out = finish(legacy.drop(columns="row_id"), IOS_SMS, source, legacy["row_id"])
            out.attrs["schema"] = "ios-5"
            if notes:
                out.attrs["warnings"] = notes
            return out
        if missing_schema(db, "message", _SMS_REQUIRED, IOS_SMS.id):
            return empty_frame(IOS_SMS)
        cols = select_list(db, "message", "m", (*_SMS_REQUIRED, *_SMS_OPTIONAL))
        has_handle = db.has_columns("handle", "ROWID", "id")
        has_chat = db.has_columns("chat_message_join", "chat_id", "message_id")
        has_chat_id = has_chat and db.has_columns("chat", "ROWID", "chat_identifier")
        handle = (
            "(SELECT h.id FROM handle AS h WHERE h.ROWID = m.handle_id)" if has_handle else "NULL"
        )
        chat_id = (
            "(SELECT MIN(j.chat_id) FROM chat_message_join AS j WHERE j.message_id = m.ROWID)"
            if has_chat
            else "NULL"
        )
        chat_name = (
            "(SELECT c.chat_identifier FROM chat AS c WHERE c.ROWID = "
            "(SELECT MIN(j.chat_id) FROM chat_message_join AS j WHERE j.message_id = m.ROWID))"
            if has_chat_id
            else "NULL"
        )
        raw = fetch(
            db,
            f"SELECT {cols}, {handle} AS handle, {chat_id} AS chat_id, {chat_name} AS chat_name "
            "FROM message AS m ORDER BY m.ROWID",
            {
                "ROWID": "int",
                "date": "int",
                "is_from_me": "int",
                "handle_id": "int",
                "attributedBody": "blob",
                "is_read": "int",
                "chat_id": "int",
            },
        )
    body = raw["text"]
    need = body.isna() & raw["attributedBody"].notna()
    if need.any():
        recovered = text([decode_attributed_body(b) for b in raw.loc[need, "attributedBody"]])
        body = body.copy()
        body.loc[need] = recovered.to_numpy()
        lost = int(recovered.isna().sum())
        if lost:
            warnings.warn(
                f"{IOS_SMS.id}: {display_path(source)}: {lost} attributedBody value(s) hold "
                "no text this reader can decode; their body is empty",
                ForensicsWarning,
                stacklevel=2,
            )
    address = raw["handle"].where(raw["handle"].notna(), raw["chat_name"])
    from_me = raw["is_from_me"]
    frame = pd.DataFrame(
        {
            "time": cocoa_auto(raw["date"]),
            "direction": pd.Series(
                np.where(from_me.eq(1).fillna(False), "outgoing", "incoming"), dtype="str"
            ),
            "address": address,
            "body": body,
            "type": from_me,
            "type_label": labels(from_me, _FROM_ME_LABELS),
            "service": raw["service"],
            "read": raw["is_read"].astype("boolean"),
            "thread_id": raw["chat_id"],
            "subject": raw["subject"],
            "time_raw": raw["date"],
        },
        copy=False,
    )
    return finish(frame, IOS_SMS, source, raw["ROWID"])


_CALL_REQUIRED = ("Z_PK", "ZADDRESS", "ZDATE", "ZDURATION", "ZORIGINATED", "ZANSWERED")
_CALL_OPTIONAL = ("ZCALLTYPE", "ZNAME", "ZISO_COUNTRY_CODE", "ZLOCATION")


_LEGACY_CALL = ("ROWID", "address", "date", "duration", "flags")
_LEGACY_CALL_OPTIONAL = ("name", "country_code", "network_code", "read")
LEGACY_CALL_OUTGOING = 1  # call.flags bit 0 (the database's timer_outgoing_trigger)
LEGACY_CALL_FACETIME = 16  # call.flags bit 4


def _legacy_calls(db: SqliteDatabase) -> tuple[pd.DataFrame, pd.Series]:
    """iOS 7 and older ``call_history.db`` table ``call`` (see the module notes)."""
    cols = select_list(db, "call", "c", (*_LEGACY_CALL, *_LEGACY_CALL_OPTIONAL))
    raw = fetch(
        db,
        f"SELECT {cols} FROM call AS c ORDER BY c.ROWID",
        {"ROWID": "int", "date": "int", "duration": "float", "flags": "int", "read": "int"},
    )
    start = times.from_unix_s(raw["date"])
    duration = raw["duration"]
    flags = raw["flags"]
    known = flags.notna().to_numpy()
    bits = flags.fillna(0).astype("int64").to_numpy()
    outgoing = known & (bits & LEGACY_CALL_OUTGOING != 0)
    answered = duration.gt(0).astype("boolean")
    label = _call_labels(outgoing, answered)
    service = np.where(bits & LEGACY_CALL_FACETIME != 0, "FaceTime", "Phone")
    frame = pd.DataFrame(
        {
            "time": start,
            "end_time": start + pd.to_timedelta(duration.fillna(0), unit="s"),
            "duration_s": duration,
            "number": raw["address"],
            "name": raw["name"],
            "direction": pd.Series(np.where(outgoing, "outgoing", "incoming"), dtype="str"),
            "type": flags,
            "type_label": pd.Series(label, dtype="str").where(known, None),
            "answered": answered,
            "service": pd.Series(pd.NA, index=raw.index, dtype="Int64"),
            "service_label": pd.Series(service, dtype="str").where(known, None),
            "country_iso": pd.Series(None, index=raw.index, dtype="str"),
            "location": pd.Series(None, index=raw.index, dtype="str"),
            "time_raw": raw["date"].astype("Float64"),
        },
        copy=False,
    )
    frame.loc[~known, "direction"] = None
    return frame, raw["ROWID"]


def _call_labels(outgoing: npt.ArrayLike, answered: pd.Series) -> npt.NDArray[np.str_]:
    """outgoing / incoming (answered) / missed, for both call-history schemas."""
    return np.where(
        outgoing, "outgoing", np.where(answered.fillna(False).to_numpy(), "incoming", "missed")
    )


@artifact(IOS_CALLS)
def read_calls(source: Source) -> pd.DataFrame:
    """iOS ``CallHistory.storedata`` table ``ZCALLRECORD``, or the iOS 7 and older
    ``call_history.db`` table ``call`` (chosen by the tables present)."""
    with open_db(source) as db:
        if not db.has_columns("ZCALLRECORD", "Z_PK") and db.has_columns("call", *_LEGACY_CALL):
            legacy, rows = _legacy_calls(db)
            out = finish(legacy, IOS_CALLS, source, rows)
            out.attrs["schema"] = "ios-7"
            return out
        if missing_schema(db, "ZCALLRECORD", _CALL_REQUIRED, IOS_CALLS.id):
            return empty_frame(IOS_CALLS)
        cols = select_list(db, "ZCALLRECORD", "z", (*_CALL_REQUIRED, *_CALL_OPTIONAL))
        raw = fetch(
            db,
            f"SELECT {cols} FROM ZCALLRECORD AS z ORDER BY z.Z_PK",
            {
                "Z_PK": "int",
                "ZDATE": "float",
                "ZDURATION": "float",
                "ZORIGINATED": "int",
                "ZANSWERED": "int",
                "ZCALLTYPE": "int",
            },
        )
    start = times.from_cocoa(raw["ZDATE"])
    duration = raw["ZDURATION"]
    outgoing = raw["ZORIGINATED"].eq(1).fillna(False).to_numpy()
    answered = raw["ZANSWERED"].astype("boolean")
    label = _call_labels(outgoing, answered)
    frame = pd.DataFrame(
        {
            "time": start,
            "end_time": start + pd.to_timedelta(duration.fillna(0), unit="s"),
            "duration_s": duration,
            "number": raw["ZADDRESS"],
            "name": raw["ZNAME"],
            "direction": pd.Series(np.where(outgoing, "outgoing", "incoming"), dtype="str"),
            "type": pd.Series(pd.NA, index=raw.index, dtype="Int64"),
            "type_label": pd.Series(label, dtype="str"),
            "answered": answered,
            "service": raw["ZCALLTYPE"],
            "service_label": labels(raw["ZCALLTYPE"], CALL_SERVICES),
            "country_iso": raw["ZISO_COUNTRY_CODE"].str.upper(),
            "location": raw["ZLOCATION"],
            "time_raw": raw["ZDATE"],
        },
        copy=False,
    )
    return finish(frame, IOS_CALLS, source, raw["Z_PK"])


@artifact(IOS_CONTACTS)
def read_contacts(source: Source) -> pd.DataFrame:
    """iOS ``AddressBook.sqlitedb``: one row per person, numbers and e-mails joined."""
    with open_db(source) as db:
        if missing_schema(db, "ABPerson", ("ROWID", "First", "Last"), IOS_CONTACTS.id):
            return empty_frame(IOS_CONTACTS)
        cols = select_list(
            db,
            "ABPerson",
            "p",
            (
                "ROWID",
                "First",
                "Last",
                "Organization",
                "DisplayName",
                "CreationDate",
                "ModificationDate",
            ),
        )
        people = fetch(
            db,
            f"SELECT {cols} FROM ABPerson AS p ORDER BY p.ROWID",
            {"ROWID": "int", "CreationDate": "float", "ModificationDate": "float"},
        )
        values = pd.DataFrame({"record_id": pd.Series([], dtype="Int64")})
        if not missing_schema(
            db, "ABMultiValue", ("UID", "record_id", "property", "value"), IOS_CONTACTS.id
        ):
            values = fetch(
                db,
                "SELECT record_id, property, value FROM ABMultiValue "
                "WHERE property IN (?, ?) ORDER BY record_id, UID",
                {"record_id": "int", "property": "int"},
                (AB_PHONE, AB_EMAIL),
            )

    def joined(prop: int) -> pd.Series:
        if values.empty:
            return pd.Series(dtype="str")
        rows = values.loc[values["property"].eq(prop).fillna(False)]
        out: pd.Series = rows.groupby("record_id")["value"].agg(lambda s: "; ".join(s.dropna()))
        return out

    ids = people["ROWID"]
    composed = (people["First"].fillna("") + " " + people["Last"].fillna("")).str.strip()
    display = people["DisplayName"].where(people["DisplayName"].notna(), composed)
    frame = pd.DataFrame(
        {
            "contact_id": ids,
            "display_name": display.where(display.str.len() > 0, None),
            "first_name": people["First"],
            "last_name": people["Last"],
            "organization": people["Organization"],
            "phones": ids.map(joined(AB_PHONE)).astype("str"),
            "emails": ids.map(joined(AB_EMAIL)).astype("str"),
            "created": times.from_cocoa(people["CreationDate"]),
            "modified": times.from_cocoa(people["ModificationDate"]),
            "deleted": pd.Series(pd.NA, index=people.index, dtype="boolean"),
        },
        copy=False,
    )
    return finish(frame, IOS_CONTACTS, source, ids)
