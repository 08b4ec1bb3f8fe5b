"""Linphone SIP accounts and call history.

Truth: the generator's answer key (forensics_datasets.phone.linphone), hand-derived epochs
(derivations in comments) and the layouts of liblinphone coreapi/call_log.c / lpconfig.c.
"""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.phone import make_scenario
from forensics_datasets.phone.android import write_android_tree
from forensics_datasets.phone.ios import write_ios_tree
from forensics_datasets.phone.linphone import (
    ANDROID_CALL_HISTORY,
    CALL_HISTORY_SCHEMA,
    linphonerc_text,
    make_linphone,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics_lib.errors import ForensicsError, ForensicsWarning, ParseError
from forensics_lib.phone.extraction import ALL_PHONE_MODULES, open_extraction
from forensics_lib.phone.linphone import (
    SIP_ACCOUNTS,
    SIP_CALLS,
    parse_linphonerc,
    read_linphone_calls,
    read_linphonerc,
)
from forensics_lib.schema import check_frame
from tests.conftest import examples

SETTINGS = settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _tree(root: Path, os_name: str) -> dict:  # type: ignore[type-arg]
    scenario = make_scenario(3, contacts=3, messages=4, calls=2)
    if os_name == "android":
        notes = write_android_tree(root, scenario, linphone=True)
    else:
        notes = write_ios_tree(root, scenario, linphone=True)
    return notes["linphone"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("os_name", ["android", "ios"])
def test_round_trip_through_extraction(os_name: str, tmp_path: Path, unchanged) -> None:  # type: ignore[no-untyped-def]
    want = _tree(tmp_path / "tree", os_name)
    unchanged(tmp_path / "tree")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with open_extraction(tmp_path / "tree") as ext:
            ext.modules = ALL_PHONE_MODULES  # also before the registry lists the module
            names = set(ext.artifacts()["name"])
            calls = ext.read("sip_calls")
            accounts = ext.read("sip_accounts")
            timeline = ext.timeline()
    assert "sip_calls" in names
    assert check_frame(calls, SIP_CALLS) == []
    key = want["calls"]
    assert calls["time"].tolist() == [pd.Timestamp(c["start"]) for c in key]
    assert calls["answered_time"].tolist() == [
        pd.Timestamp(c["connected"]) if c["connected"] else pd.NaT for c in key
    ]
    assert calls["caller"].tolist() == [c["caller"] for c in key]
    assert calls["callee"].tolist() == [c["callee"] for c in key]
    assert calls["remote"].tolist() == [c["remote"] for c in key]
    assert calls["direction"].tolist() == [c["direction"] for c in key]
    assert calls["status"].tolist() == [c["status"] for c in key]
    assert calls["call_id"].tolist() == [c["call_id"] for c in key]
    assert calls["duration_s"].tolist() == [float(c["duration"]) for c in key]
    assert calls["video"].tolist() == [c["video"] for c in key]
    # Invariant: end - (answered or start) = duration (CallSessionPrivate::computeDuration).
    base = calls["answered_time"].fillna(calls["time"])
    assert ((calls["end_time"] - base).dt.total_seconds() == calls["duration_s"]).all()
    # Two timeline rows (start, end) per call.
    assert (timeline["artifact"] == "phone.sip_calls").sum() == 2 * len(key)
    assert accounts["identity"].tolist() == [
        f"{a['username']}@{a['domain']}" for a in want["accounts"]
    ]
    assert accounts["password"].fillna("").tolist() == [
        a["password"] or "" for a in want["accounts"]
    ]
    assert accounts["ha1"].fillna("").tolist() == [a["ha1"] or "" for a in want["accounts"]]
    assert accounts["transport"].tolist() == [a["transport"] for a in want["accounts"]]
    # Android files/.linphonerc; iOS Library/Preferences/linphone/linphonerc (linphone-iphone)
    config = {"android": "/org.linphone/files/.linphonerc",
              "ios": "/Library/Preferences/linphone/linphonerc"}[os_name]  # fmt: skip
    assert accounts["source_path"].str.endswith(config).all()


def test_status_and_direction_labels_cover_the_enums() -> None:
    # make_linphone writes statuses 0..6 once each in its first 7 calls.
    frame_statuses = [c.status for c in make_linphone(4).calls[:7]]
    assert frame_statuses == list(range(7))


def test_hand_derived_times(tmp_path: Path) -> None:
    db = tmp_path / "linphone-log-history.db"
    conn = sqlite3.connect(db)
    for statement in CALL_HISTORY_SCHEMA:
        conn.execute(statement)
    # As linphone_core_store_call_log writes it: %lld into TEXT columns.
    conn.execute(
        "INSERT INTO call_history VALUES(NULL,'\"A\" <sip:a@example.org>','<sip:b@Example.ORG>',"
        "1,60,1700000000,1700000005,0,0,4.5,'cid-1',NULL)"
    )
    conn.commit()
    conn.close()
    row = read_linphone_calls(db).iloc[0]
    # 1_700_000_000 s = 19_675 days (2023-11-14) + 80_000 s (22:13:20).
    assert row["time"] == pd.Timestamp("2023-11-14T22:13:20Z")
    assert row["answered_time"] == pd.Timestamp("2023-11-14T22:13:25Z")
    assert row["end_time"] == pd.Timestamp("2023-11-14T22:14:25Z")  # connected + 60 s
    assert row["direction_label"] == "incoming"
    assert row["status_label"] == "success"
    assert (row["caller"], row["callee"]) == ("a@example.org", "b@example.org")
    assert (row["local"], row["remote"]) == ("b@example.org", "a@example.org")
    assert row["call_id"] == "cid-1"


def test_times_are_stored_as_text_like_the_app(tmp_path: Path) -> None:
    scenario = make_scenario(3, contacts=2, messages=2, calls=1)
    write_android_tree(tmp_path, scenario, wal=False, linphone=True)
    conn = sqlite3.connect(tmp_path / ANDROID_CALL_HISTORY)
    kinds = {r[0] for r in conn.execute("SELECT typeof(start_time) FROM call_history")}
    conn.close()
    assert kinds == {"text"}


def test_legacy_table_without_call_id(tmp_path: Path) -> None:
    db = tmp_path / "linphone-log-history.db"
    conn = sqlite3.connect(db)
    conn.execute(CALL_HISTORY_SCHEMA[0])  # before the ALTERs: no call_id, no refkey
    conn.execute(
        "INSERT INTO call_history VALUES(NULL,'<sip:a@example.org>','<sip:b@example.org>',"
        "0,0,1700000000,0,2,1,-1)"
    )
    conn.commit()
    conn.close()
    frame = read_linphone_calls(db)
    assert frame["call_id"].isna().all()
    assert frame["answered_time"].isna().all()
    assert frame["status_label"].tolist() == ["missed"]
    assert frame["video"].tolist() == [True]


def test_unknown_schema_warns(tmp_path: Path) -> None:
    db = tmp_path / "call-history.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE call_history (id INTEGER PRIMARY KEY, caller TEXT)")
    conn.close()
    with pytest.warns(ForensicsWarning, match="call_history"):
        assert read_linphone_calls(db).empty


def test_config_accounts_and_unused_auth_info(tmp_path: Path) -> None:
    data = make_linphone(2)
    text = linphonerc_text(data.accounts) + (
        "\n[auth_info_9]\nusername=extra\npasswd=secret-x\nrealm=other.example.org\n"
    )
    path = tmp_path / ".linphonerc"
    path.write_text(text)
    frame = read_linphonerc(path)
    assert check_frame(frame, SIP_ACCOUNTS) == []
    assert frame["section"].tolist() == ["proxy_0", "proxy_1", "auth_info_9"]
    assert frame["row_id"].tolist() == [0, 1, 9]
    assert frame["identity"].iloc[2] == "extra@other.example.org"
    assert frame["password"].iloc[2] == "secret-x"
    assert frame["display_name"].iloc[0] == "Alex Example"
    # The clear password never appears in a description of the spec.
    assert "secret" not in SIP_ACCOUNTS.description


def test_config_with_nul_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / ".linphonerc"
    path.write_bytes(b"[proxy_0]\nreg_identity=sip:a@example.org\x00\n")
    # len("[proxy_0]\n") 10 + len("reg_identity=") 13 + len("sip:a@example.org") 17 = 40.
    with pytest.raises(ParseError, match="offset 40"):
        read_linphonerc(path)


def test_stray_lines_warn() -> None:
    with pytest.warns(ForensicsWarning, match="1 line"):
        sections = parse_linphonerc(b"orphan=1\n[sip]\nx=1\n", ".linphonerc")
    assert sections == [("sip", {"x": "1"})]


@SETTINGS
@given(data=st.binary(max_size=400), pos=st.integers(0, 10_000))
def test_fuzz_config(tmp_path_factory: pytest.TempPathFactory, data: bytes, pos: int) -> None:
    base = linphonerc_text(make_linphone(1).accounts).encode()
    cut = pos % (len(base) + 1)
    path = tmp_path_factory.mktemp("rc") / ".linphonerc"
    path.write_bytes(base[:cut] + data + base[cut:])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ForensicsWarning)
            frame = read_linphonerc(path)
        assert check_frame(frame, SIP_ACCOUNTS) == []
    except ForensicsError:
        pass
