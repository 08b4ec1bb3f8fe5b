"""Phone extractions: containers, SMS/MMS, calls, contacts, device, on Android and iOS.

Truth: hand-derived epochs (derivations in comments), Android's documented type codes
(CallLog.Calls, Telephony.Sms), and the answer key of ``forensics_datasets.phone`` (the
scenario the writer put into the databases). The same scenario written as Android and as iOS
must read back to the same messages, calls and contacts.
"""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from forensics_datasets.phone import make_phone_extraction
from forensics_datasets.phone.android import MMSSMS_SCHEMA, write_calllog
from forensics_datasets.phone.ios import CALLHISTORY_SCHEMA, SMS_SCHEMA, attributed_body

from forensics_lib.errors import ForensicsWarning, ParseError, UnsupportedFormat
from forensics_lib.evidence import Evidence
from forensics_lib.phone import android, ios, open_extraction
from forensics_lib.phone.device import read_device
from forensics_lib.phone.extraction import phone_artifacts
from forensics_lib.schema import check_frame

UTC = "UTC"


def _db(path: Path, schema: tuple[str, ...], *inserts: tuple[str, tuple[Any, ...]]) -> Path:
    conn = sqlite3.connect(path)
    for statement in schema:
        conn.execute(statement)
    for sql, params in inserts:
        conn.execute(sql, params)
    conn.commit()
    conn.close()
    return path


# --------------------------------------------------------------------------------------------
# Exact times, hand-derived


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


# --------------------------------------------------------------------------------------------
# attributedBody and schema versions


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


def test_unknown_schema_warns_with_table_and_columns(tmp_path: Path) -> None:
    db = _db(tmp_path / "mmssms.db", ("CREATE TABLE sms (_id INTEGER PRIMARY KEY, date INTEGER)",))
    with pytest.warns(ForensicsWarning, match=r"table 'sms' lacks column\(s\) address, type, body"):
        frame = android.read_sms(db)
    assert frame.empty
    db2 = _db(tmp_path / "sms.db", ("CREATE TABLE other (x)",))
    with pytest.warns(ForensicsWarning, match="no table 'message'"):
        assert ios.read_sms(db2).empty


# --------------------------------------------------------------------------------------------
# Generated extractions: round trip against the answer key


def _expected_messages(key: dict[str, Any]) -> pd.DataFrame:
    rows = key["scenario"]["messages"]
    return pd.DataFrame(
        {
            "time": pd.to_datetime([m["time"] for m in rows], utc=True, format="ISO8601"),
            "direction": ["outgoing" if m["outgoing"] else "incoming" for m in rows],
            "address": [m["address"] for m in rows],
            "body": [m["body"] for m in rows],
        }
    )


def _norm(frame: pd.DataFrame, columns: list[str]) -> list[tuple[Any, ...]]:
    """Rows as sorted tuples, missing values as None (dtype-independent comparison)."""
    out = frame[columns].astype(object).where(frame[columns].notna(), None)
    return sorted(map(tuple, out.itertuples(index=False)), key=repr)


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("phone")
    return {
        "android": make_phone_extraction(out / "a", os="android", seed=5, container="zip"),
        "ios": make_phone_extraction(out / "i", os="ios", seed=5, container="tar"),
    }


@pytest.mark.parametrize("system", ["android", "ios"])
def test_every_message_call_and_contact_reads_back(
    cases: dict[str, Any], system: str, unchanged: Callable[[Path], None]
) -> None:
    case = cases[system]
    unchanged(case.exhibit.parent)
    key = case.answer_key
    with open_extraction(case.exhibit) as ext:
        assert ext.os == system
        messages = ext.read("sms")
        calls = ext.read("calls")
        contacts = ext.read("contacts")
    cols = ["time", "direction", "address", "body"]
    assert _norm(messages, cols) == _norm(_expected_messages(key), cols)
    want_calls = pd.DataFrame(key["scenario"]["calls"])
    got = calls.assign(time=calls["time"].dt.round("ms")).sort_values("time", ignore_index=True)
    # iOS stores ZDATE as a double of Cocoa seconds: 7e8 s holds ~0.1 us, so compare at the
    # millisecond the scenario was written with.
    assert (
        got["time"].tolist()
        == pd.to_datetime(want_calls["time"], utc=True, format="ISO8601").tolist()
    )
    assert got["number"].tolist() == want_calls["number"].tolist()
    assert got["type_label"].tolist() == want_calls["label"].tolist()
    assert got["duration_s"].tolist() == want_calls["duration_s"].astype(float).tolist()
    want_contacts = key["scenario"]["contacts"]
    assert contacts["display_name"].tolist() == [c["display_name"] for c in want_contacts]
    assert contacts["phones"].tolist() == ["; ".join(c["phones"]) for c in want_contacts]
    assert contacts["emails"].fillna("").tolist() == ["; ".join(c["emails"]) for c in want_contacts]
    assert contacts["modified"].tolist() == [pd.Timestamp(c["modified"]) for c in want_contacts]
    assert contacts["organization"].fillna("").tolist() == [
        c["organization"] or "" for c in want_contacts
    ]


def test_android_and_ios_give_the_same_phone(cases: dict[str, Any]) -> None:
    frames = {}
    for system, case in cases.items():
        with open_extraction(case.exhibit) as ext:
            frames[system] = {n: ext.read(n) for n in ("sms", "calls", "contacts")}
    msg_cols = ["time", "direction", "address", "body"]
    assert _norm(frames["android"]["sms"], msg_cols) == _norm(frames["ios"]["sms"], msg_cols)
    call_cols = ["time", "number", "direction", "type_label", "duration_s", "answered", "name"]
    a, i = (frames[s]["calls"].assign(time=lambda f: f["time"].dt.round("ms")) for s in cases)
    assert _norm(a, call_cols) == _norm(i, call_cols)
    contact_cols = ["display_name", "first_name", "last_name", "organization", "phones", "emails"]
    assert _norm(frames["android"]["contacts"], contact_cols) == _norm(
        frames["ios"]["contacts"], contact_cols
    )


@pytest.mark.parametrize("system", ["android", "ios"])
def test_rows_only_in_the_wal_are_read(cases: dict[str, Any], system: str) -> None:
    case = cases[system]
    notes = case.answer_key["writer"]
    wal_only = notes["sms_ids_only_in_wal" if system == "android" else "message_ids_only_in_wal"]
    assert len(wal_only) == 3
    with open_extraction(case.exhibit) as ext:
        artifact = f"{system}.sms"
        ids = set(ext.read(artifact)["row_id"].tolist())
        # The call history is a bare header: every row is in the -wal only.
        calls_file = ext.sources(f"{system}.calls")[0]
        assert calls_file.size == 4096
        assert len(ext.read("calls")) == len(case.answer_key["scenario"]["calls"])
    assert set(wal_only) <= ids


def test_ios_text_null_rows_recovered(cases: dict[str, Any]) -> None:
    case = cases["ios"]
    null_ids = case.answer_key["writer"]["message_ids_text_null"]
    assert null_ids
    with open_extraction(case.exhibit) as ext:
        sms = ext.read("ios.sms").set_index("row_id")
    bodies = [m["body"] for m in case.answer_key["scenario"]["messages"]]
    assert [sms.loc[i, "body"] for i in null_ids] == [bodies[i - 1] for i in null_ids]


def test_device_identity(cases: dict[str, Any]) -> None:
    with open_extraction(cases["android"].exhibit) as ext:
        assert ext.device == {
            "os": "Android",
            "make": "Google",
            "model": "Pixel 7",
            "os_version": "14",
            "build": "UQ1A.240205.004",
            # The acquisition record's (device_serial/device_imei of seed 5: "EXAMPLE" + seed
            # 0005 + "SN" + 00; IMEI TAC 00440000, serial 000005, Luhn check digit 7): a
            # release build.prop holds neither.
            "serial": "EXAMPLE0005SN00",
            "imei": "004400000000057",
            "serial_source": "acquisition record",
            "imei_source": "acquisition record",
        }
        assert ext.device["serial"] == cases["android"].answer_key["writer"]["device"]["serial"]
    with open_extraction(cases["ios"].exhibit) as ext:
        device = ext.device
    assert (device["os"], device["os_version"], device["build"]) == ("iOS", "17.5.1", "21F90")


def test_artifacts_list_and_provenance(cases: dict[str, Any]) -> None:
    with open_extraction(cases["android"].exhibit) as ext:
        listed = ext.artifacts()
        assert set(listed["artifact"]) == {
            "android.sms",
            "android.mms",
            "android.calls",
            "android.contacts",
            "android.whatsapp_messages",
            "android.whatsapp_calls",
            "android.whatsapp_contacts",  # wa.db: WhatsApp always keeps it beside msgstore.db
            "android.sms_deleted",  # carved from mmssms.db's free space (none here)
            "phone.device",
        }
        # contacts2.db (no calls table on Android 7+) and calllog.db both match calls globs.
        assert listed.set_index("artifact").loc["android.calls", "files"] == 2
        for art in phone_artifacts():
            if art.id in set(listed["artifact"]):
                frame = ext.read(art.id)
                assert check_frame(frame, art.spec) == []
                assert frame["source_path"].notna().all()
                assert frame[art.spec.locator].notna().all()
        with pytest.raises(KeyError, match="unknown phone artifact 'nope'"):
            ext.read("nope")


def test_timeline_has_a_start_and_an_end_row_per_call(cases: dict[str, Any]) -> None:
    key = cases["ios"].answer_key["scenario"]
    with open_extraction(cases["ios"].exhibit) as ext:
        tl = ext.timeline()
    calls = tl.loc[tl["artifact"] == "ios.calls"]
    assert len(calls) == 2 * len(key["calls"])
    assert (tl.loc[tl["artifact"] == "ios.sms"].shape[0]) == len(key["messages"])
    assert tl["time"].is_monotonic_increasing


# --------------------------------------------------------------------------------------------
# Containers: partial extractions, nesting, refusal


def test_partial_extraction_of_one_file(cases: dict[str, Any], tmp_path: Path) -> None:
    with Evidence(cases["ios"].exhibit) as ev:
        data = ev.read_bytes("/private/var/mobile/Library/SMS/sms.db")
        wal = ev.read_bytes("/private/var/mobile/Library/SMS/sms.db-wal")
    excerpt = tmp_path / "excerpt.zip"
    with zipfile.ZipFile(excerpt, "w") as zf:
        zf.writestr("Case 12/var/mobile/Library/SMS/sms.db", data)
        zf.writestr("Case 12/var/mobile/Library/SMS/sms.db-wal", wal)
    with open_extraction(excerpt) as ext:
        assert ext.os == "ios"
        assert list(ext.artifacts()["artifact"]) == ["ios.sms", "ios.sms_deleted"]
        assert len(ext.read("sms")) == len(cases["ios"].answer_key["scenario"]["messages"])


@pytest.mark.parametrize("container", ["dir", "tgz"])
def test_other_containers(
    tmp_path: Path, container: str, unchanged: Callable[[Path], None]
) -> None:
    case = make_phone_extraction(tmp_path / "x", os="android", seed=2, container=container)  # type: ignore[arg-type]
    unchanged(tmp_path / "x")
    with open_extraction(case.exhibit) as ext:
        assert ext.os == "android"
        assert len(ext.read("sms")) == len(case.answer_key["scenario"]["messages"])


def test_not_a_phone_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "holiday.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("photos/a.jpg", b"\xff\xd8\xff\xd9")
    with pytest.raises(UnsupportedFormat, match="no Android or iOS file system"):
        open_extraction(path)


def test_generator_is_reproducible(tmp_path: Path) -> None:
    one = make_phone_extraction(tmp_path / "1", os="ios", seed=9, container="zip")
    two = make_phone_extraction(tmp_path / "2", os="ios", seed=9, container="zip")
    assert one.exhibit.read_bytes() == two.exhibit.read_bytes()


def test_device_file_errors_are_typed(tmp_path: Path) -> None:
    bad = tmp_path / "build.prop"
    bad.write_bytes(b"\x00\x01 nothing here")
    with pytest.raises(ParseError, match=r"not a build\.prop"):
        read_device(bad)
