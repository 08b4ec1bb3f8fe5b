"""iOS messages and call history (forensics_lib.phone.ios): Cocoa dates in ns and s, call
labels, text recovered from attributedBody.

Truth: hand-derived epochs (derivations in comments) and typedstream bodies built here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.phone.ios import CALLHISTORY_SCHEMA, SMS_SCHEMA, attributed_body

from forensics_lib.errors import ForensicsWarning
from forensics_lib.phone import ios
from tests.phone.test_extraction import _db


def test_ios_message_dates_ns_and_seconds_exact_with_nulls(tmp_path: Path) -> None:
    # 721_692_000 + 978_307_200 = 1_699_999_200 s = 2023-11-14T22:00:00Z. Nanoseconds beyond
    # 2**53 must survive a NULL in the same column (no float round trip).
    db = _db(
        tmp_path / "sms.db",
        SMS_SCHEMA,
        ("INSERT INTO handle (ROWID, id, service) VALUES (1, '+447700900001', 'SMS')", ()),
        *(
            (
                "INSERT INTO message (ROWID, guid, text, handle_id, date, is_from_me) "
                "VALUES (?, ?, ?, 1, ?, ?)",
                (rowid, f"g{rowid}", "x", date, 0),
            )
            for rowid, date in ((1, 721_692_000_123_456_789), (2, None), (3, 721_692_000), (4, 0))
        ),
    )
    frame = ios.read_sms(db)
    assert frame.loc[0, "time"] == pd.Timestamp("2023-11-14T22:00:00.123456789Z")
    assert frame.loc[0, "time_raw"] == 721_692_000_123_456_789
    assert pd.isna(frame.loc[1, "time"])
    assert frame.loc[2, "time"] == pd.Timestamp("2023-11-14T22:00:00Z")  # pre-iOS 11 seconds
    assert pd.isna(frame.loc[3, "time"])  # 0 = never set


def test_ios_call_times_and_labels(tmp_path: Path) -> None:
    db = _db(
        tmp_path / "CallHistory.storedata",
        CALLHISTORY_SCHEMA,
        *(
            (
                "INSERT INTO ZCALLRECORD (Z_PK, ZADDRESS, ZDATE, ZDURATION, ZORIGINATED, "
                "ZANSWERED, ZCALLTYPE) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            for row in (
                (1, b"+447700900001", 721_692_000.5, 61.0, 1, 1, 1),
                (2, "+447700900002", 721_692_100.0, 0.0, 0, 0, 16),
                (3, b"+447700900003", 721_692_200.0, 5.0, 0, 1, 8),
            )
        ),
    )
    frame = ios.read_calls(db)
    assert frame["time"].tolist() == [
        pd.Timestamp("2023-11-14T22:00:00.5Z"),
        pd.Timestamp("2023-11-14T22:01:40Z"),
        pd.Timestamp("2023-11-14T22:03:20Z"),
    ]
    assert frame.loc[0, "end_time"] == pd.Timestamp("2023-11-14T22:01:01.5Z")  # + 61 s
    assert frame["number"].tolist() == ["+447700900001", "+447700900002", "+447700900003"]
    assert frame["type_label"].tolist() == ["outgoing", "missed", "incoming"]
    assert frame["service_label"].tolist() == ["Phone", "FaceTime Audio", "FaceTime Video"]


@pytest.mark.parametrize("text", ["ok", "é" * 70, "x" * 300, "🚗" * 20_000])
def test_attributed_body_round_trip(text: str) -> None:
    # 'é' * 70 is 140 UTF-8 bytes (length 0x81 + int16); 80,000 bytes need 0x82 + int32.
    assert ios.decode_attributed_body(attributed_body(text)) == text


def test_attributed_body_garbage_gives_none() -> None:
    blob = attributed_body("hello")
    assert ios.decode_attributed_body(blob[:60]) is None  # cut inside the text
    assert ios.decode_attributed_body(b"\x00" * 40) is None
    assert ios.decode_attributed_body(None) is None


def test_text_recovered_from_attributed_body_and_undecodable_warns(tmp_path: Path) -> None:
    db = _db(
        tmp_path / "sms.db",
        SMS_SCHEMA,
        *(
            (
                "INSERT INTO message (ROWID, guid, text, attributedBody, handle_id, date, "
                "is_from_me) VALUES (?, ?, NULL, ?, 0, 1, 1)",
                (rowid, f"g{rowid}", blob),
            )
            for rowid, blob in ((1, attributed_body("only in the blob")), (2, b"junk"))
        ),
    )
    with pytest.warns(ForensicsWarning, match="1 attributedBody value"):
        frame = ios.read_sms(db)
    assert frame["body"].tolist()[0] == "only in the blob"
    assert pd.isna(frame["body"].tolist()[1])
