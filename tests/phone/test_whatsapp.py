"""WhatsApp messages and calls: Android modern and legacy msgstore.db, iOS ChatStorage.

Truth: the generator's answer key (the scenario the writer stored), and hand-derived epochs.
The schema is chosen by the columns present: the same scenario stored in the modern and in
the legacy Android schema, and on iOS, must read back to the same messages.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from forensics_datasets.phone import make_phone_extraction
from forensics_datasets.phone.whatsapp import MODERN_SCHEMA

from forensics_lib.errors import ForensicsWarning
from forensics_lib.phone import open_extraction, whatsapp


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("wa")
    return {
        "modern": make_phone_extraction(out, os="android", seed=7, name="modern"),
        "legacy": make_phone_extraction(
            out, os="android", seed=7, whatsapp="legacy", name="legacy"
        ),
        "ios": make_phone_extraction(out, os="ios", seed=7, container="tgz", name="ios"),
    }


def _rows(frame: pd.DataFrame, cols: list[str]) -> list[tuple[Any, ...]]:
    out = frame[cols].astype(object).where(frame[cols].notna(), None)
    return sorted(map(tuple, out.itertuples(index=False)), key=repr)


def _expected(key: dict[str, Any]) -> list[tuple[Any, ...]]:
    rows = key["scenario"]["wa_messages"]
    frame = pd.DataFrame(
        {
            "time": pd.to_datetime([m["time"] for m in rows], utc=True, format="ISO8601"),
            "direction": ["outgoing" if m["outgoing"] else "incoming" for m in rows],
            "chat_jid": [m["chat_jid"] for m in rows],
            "sender_jid": [m["sender_jid"] for m in rows],
            "body": [m["body"] for m in rows],
        }
    )
    return _rows(frame, list(frame.columns))


@pytest.mark.parametrize("name", ["modern", "legacy", "ios"])
def test_every_whatsapp_message_reads_back(cases: dict[str, Any], name: str) -> None:
    case = cases[name]
    with open_extraction(case.exhibit) as ext:
        frame = ext.read("whatsapp_messages")
    # iOS stores a double of Cocoa seconds (about 0.1 us resolution): compare at the ms the
    # scenario was written with.
    frame = frame.assign(time=frame["time"].dt.round("ms"))
    cols = ["time", "direction", "chat_jid", "sender_jid", "body"]
    assert _rows(frame, cols) == _expected(case.answer_key)
    assert (
        set(frame["schema"])
        == {
            "modern": {"android-modern"},
            "legacy": {"android-legacy"},
            "ios": {"ios"},
        }[name]
    )


def test_lid_chats_are_mapped_to_phone_jids(cases: dict[str, Any]) -> None:
    lid_chats = cases["modern"].answer_key["writer"]["whatsapp"]["lid_chats"]
    assert lid_chats  # the writer stored some chats under an @lid jid
    with open_extraction(cases["modern"].exhibit) as ext:
        frame = ext.read("whatsapp_messages")
    assert not frame["chat_jid"].str.endswith("@lid").any()
    assert set(lid_chats) <= set(frame["chat_jid"])


def test_placeholder_row_is_not_a_message(cases: dict[str, Any]) -> None:
    with open_extraction(cases["modern"].exhibit) as ext:
        frame = ext.read("whatsapp_messages")
    assert 1 not in set(frame["row_id"])  # _id 1 is WhatsApp's chat_row_id -1 placeholder
    assert len(frame) == len(cases["modern"].answer_key["scenario"]["wa_messages"])


@pytest.mark.parametrize("name", ["modern", "ios"])
def test_every_whatsapp_call_reads_back(cases: dict[str, Any], name: str) -> None:
    case = cases[name]
    want = case.answer_key["scenario"]["wa_calls"]
    with open_extraction(case.exhibit) as ext:
        frame = ext.read("whatsapp_calls").sort_values("time", ignore_index=True)
    assert frame["time"].dt.round("ms").tolist() == [
        pd.Timestamp(c["time"]).tz_convert("UTC") for c in want
    ]
    assert frame["jid"].tolist() == [c["jid"] for c in want]
    assert frame["direction"].tolist() == [
        "outgoing" if c["outgoing"] else "incoming" for c in want
    ]
    assert frame["video"].tolist() == [c["video"] for c in want]
    assert frame["duration_s"].tolist() == [float(c["duration_s"]) for c in want]
    assert (frame["end_time"] - frame["time"]).dt.total_seconds().tolist() == [
        float(c["duration_s"]) for c in want
    ]


def test_android_epoch_hand_derived(tmp_path: Path) -> None:
    # 1_700_000_000_123 ms = 2023-11-14T22:13:20.123Z (19_675 days + 80_000.123 s after 1970).
    path = tmp_path / "msgstore.db"
    conn = sqlite3.connect(path)
    for statement in MODERN_SCHEMA:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO jid VALUES (5, '447700900001', 's.whatsapp.net', 0, 0, 0, "
        "'447700900001@s.whatsapp.net')"
    )
    conn.execute("INSERT INTO chat (_id, jid_row_id) VALUES (3, 5)")
    conn.execute(
        "INSERT INTO message (_id, chat_row_id, from_me, key_id, timestamp, "
        "received_timestamp, message_type, text_data) "
        "VALUES (9, 3, 0, 'K', 1700000000123, 0, 1, 'caption')"
    )
    conn.commit()
    conn.close()
    frame = whatsapp.read_android_messages(path)
    assert frame.loc[0, "time"] == pd.Timestamp("2023-11-14T22:13:20.123Z")
    assert pd.isna(frame.loc[0, "received_time"])  # 0 means not recorded
    assert frame.loc[0, "message_type_label"] == "Picture"
    assert frame.loc[0, "sender_jid"] == "447700900001@s.whatsapp.net"
    assert frame.loc[0, "row_id"] == 9


def test_unknown_msgstore_schema_warns(tmp_path: Path) -> None:
    path = tmp_path / "msgstore.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE message (_id INTEGER PRIMARY KEY, chat_row_id INTEGER, body TEXT)")
    conn.commit()
    conn.close()
    with pytest.warns(
        ForensicsWarning, match=r"table 'message' lacks column\(s\) from_me, key_id, timestamp"
    ):
        assert whatsapp.read_android_messages(path).empty
