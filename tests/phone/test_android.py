"""Android telephony databases (forensics_lib.phone.android): SMS/MMS epochs, call types.

Truth: hand-derived epochs (derivations in comments) and Android's documented type codes
(CallLog.Calls, Telephony.Sms).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from forensics_datasets.phone.android import MMSSMS_SCHEMA, write_calllog

from forensics_lib.phone import android
from tests.phone.test_extraction import _db


def test_android_sms_and_mms_epochs(tmp_path: Path) -> None:
    # 1_700_000_000 s after 1970-01-01 is 2023-11-14T22:13:20Z (19_675 days + 80_000 s).
    db = _db(
        tmp_path / "mmssms.db",
        MMSSMS_SCHEMA,
        (
            "INSERT INTO sms (_id, thread_id, address, date, type, body, read) "
            "VALUES (7, 1, '+447700900001', 1700000000123, 2, 'hi', 1)",
            (),
        ),
        (
            "INSERT INTO pdu (_id, thread_id, date, msg_box, read) VALUES (3, 1, 1700000000, 1, 0)",
            (),
        ),
        ("INSERT INTO addr (msg_id, address, type) VALUES (3, '+447700900002', 137)", ()),
        ("INSERT INTO addr (msg_id, address, type) VALUES (3, '+447700900009', 151)", ()),
        ("INSERT INTO part (mid, seq, ct, text) VALUES (3, -1, 'application/smil', '<smil/>')", ()),
        ("INSERT INTO part (mid, seq, ct, text) VALUES (3, 1, 'text/plain', ' world')", ()),
        ("INSERT INTO part (mid, seq, ct, text) VALUES (3, 0, 'text/plain', 'hello')", ()),
    )
    sms = android.read_sms(db)
    assert sms.loc[0, "time"] == pd.Timestamp("2023-11-14T22:13:20.123Z")
    assert sms.loc[0, "time_raw"] == 1_700_000_000_123
    assert (sms.loc[0, "type"], sms.loc[0, "type_label"], sms.loc[0, "direction"]) == (
        2,
        "sent",
        "outgoing",
    )
    assert sms.loc[0, "row_id"] == 7
    mms = android.read_mms(db)
    assert mms.loc[0, "time"] == pd.Timestamp("2023-11-14T22:13:20Z")  # pdu.date is seconds
    assert mms.loc[0, "address"] == "+447700900002"  # incoming: the FROM (0x89) party
    assert mms.loc[0, "body"] == "hello world"  # text parts in seq order, SMIL skipped
    assert mms.loc[0, "direction"] == "incoming"


def test_android_call_types_one_to_seven(tmp_path: Path) -> None:
    # android.provider.CallLog.Calls: INCOMING_TYPE=1 ... ANSWERED_EXTERNALLY_TYPE=7.
    db = tmp_path / "calllog.db"
    rows = [
        (i, f"+44770090000{i}", 1_700_000_000_000 + i, 10, i, 0, None, "GB") for i in range(1, 9)
    ]
    write_calllog(db, rows, wal="none")
    frame = android.read_calls(db)
    assert frame["type"].tolist() == list(range(1, 9))
    assert frame["type_label"].tolist() == [
        "incoming",
        "outgoing",
        "missed",
        "voicemail",
        "rejected",
        "blocked",
        "answered_externally",
        "unknown (8)",
    ]
    assert frame["direction"].fillna("?").tolist() == [
        "incoming",
        "outgoing",
        *["incoming"] * 5,
        "?",
    ]
    assert frame.loc[0, "end_time"] - frame.loc[0, "time"] == pd.Timedelta(seconds=10)
