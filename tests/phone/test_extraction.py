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


# --------------------------------------------------------------------------------------------
# attributedBody and schema versions


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
