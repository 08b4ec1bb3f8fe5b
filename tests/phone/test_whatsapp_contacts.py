"""WhatsApp contacts (Android wa.db, iOS ContactsV2.sqlite) and Android call results.

Truth: the generator's answer key (``wa_contacts_key``, the scenario's calls) and the
call_result words of WhatsApp-Chat-Exporter (cited in forensics_lib/phone/whatsapp.py).
"""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.phone import make_phone_extraction

from forensics_lib.errors import ForensicsWarning
from forensics_lib.phone import open_extraction
from forensics_lib.phone.whatsapp import call_result_labels, read_android_contacts


@pytest.mark.parametrize("os_name", ["android", "ios"])
def test_contacts_round_trip(os_name: str, tmp_path: Path) -> None:
    case = make_phone_extraction(tmp_path, os=os_name, seed=9, whatsapp_contacts=True)  # type: ignore[arg-type]
    want = case.answer_key["writer"]["whatsapp_contacts"]["contacts"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with open_extraction(case.exhibit) as ext:
            got = ext.read("whatsapp_contacts")
    assert got["display_name"].tolist() == [c["display_name"] for c in want]
    assert got["number"].fillna("").tolist() == [c["number"] or "" for c in want]
    assert got["status"].fillna("").tolist() == [c["status"] or "" for c in want]
    if os_name == "android":
        assert got["jid"].tolist() == [c["jid"] for c in want]
        assert got["is_whatsapp_user"].tolist() == [c["is_whatsapp_user"] for c in want]
        assert got["time"].tolist() == [
            pd.Timestamp(c["status_time"]) if c["status_time"] else pd.NaT for c in want
        ]
    else:  # half the ids are stored without @s.whatsapp.net; non-users have none
        assert got["jid"].fillna("").tolist() == [
            c["jid"] if c["is_whatsapp_user"] else "" for c in want
        ]


def test_android_call_results_are_labelled(tmp_path: Path) -> None:
    case = make_phone_extraction(tmp_path, os="android", seed=3)
    with open_extraction(case.exhibit) as ext:
        calls = ext.read("whatsapp_calls")
    # The writer stores 5 for a call with a duration, 2 otherwise (unanswered).
    want = [
        "connected" if c["duration_s"] else ("not answered" if c["outgoing"] else "missed")
        for c in case.answer_key["scenario"]["wa_calls"]
    ]
    assert calls["result_label"].tolist() == want


def test_call_result_words() -> None:
    result = pd.Series([0, 0, 3, 5, 99, None], dtype="Int64")
    mine = pd.Series([1, 0, 1, 0, 1, 1], dtype="Int64")
    assert call_result_labels(result, mine).fillna("-").tolist() == [
        "cancelled",
        "missed",
        "unavailable",
        "connected",
        "unknown (99)",
        "-",
    ]


def test_wa_db_without_contacts_table(tmp_path: Path) -> None:
    db = tmp_path / "wa.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY)")  # no jid column
    conn.close()
    with pytest.warns(ForensicsWarning, match="lacks column"):
        frame = read_android_contacts(db)
    assert frame.empty
