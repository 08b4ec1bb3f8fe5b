"""Cellebrite UFDR reports read into the same frames as Android and iOS extractions.

Truth: the generator's answer key (the scenario written into report.xml), the Android FFS
written from the same scenario (the issue asks that both give the same contacts, calls and
messages), and hand-derived values for the time and TimeSpan conversions.
"""

from __future__ import annotations

import contextlib
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from forensics_datasets.phone import make_phone_extraction
from forensics_datasets.phone.samples import UFDR_SAMPLES
from forensics_datasets.phone.ufdr import make_ufdr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics_lib.errors import ForensicsError, ForensicsWarning, ParseError
from forensics_lib.phone import open_extraction, ufdr
from forensics_lib.phone.extraction import UFDR_MODULES, phone_artifacts
from forensics_lib.schema import check_frame
from tests.conftest import examples

NS = ufdr.NAMESPACE


def _norm(frame: pd.DataFrame, columns: list[str]) -> list[tuple[Any, ...]]:
    out = frame[columns].astype(object).where(frame[columns].notna(), None)
    return sorted(map(tuple, out.itertuples(index=False)), key=repr)


def _report(tmp: Path, body: str, name: str = "report.xml") -> Path:
    path = tmp / name
    path.write_text(
        f'<?xml version="1.0" encoding="utf-8"?>\n<project xmlns="{NS}">{body}</project>',
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("ufdr")
    exhibit, key = make_ufdr(out / "u", seed=5, extras=True)
    android = make_phone_extraction(out / "a", os="android", seed=5, container="zip")
    return {"exhibit": exhibit, "key": key, "android": android}


def test_detected_by_content_and_every_artifact_conforms(
    case: dict[str, Any], unchanged: Callable[[Path], None]
) -> None:
    unchanged(case["exhibit"].parent)
    with open_extraction(case["exhibit"]) as ext:
        assert ext.kind == "ufdr"
        assert ext.os == "android"  # DeviceInfoOSType written by the generator
        held = set(ext.artifacts()["artifact"])
        assert held == {a.id for a in ext._parsers()}
        for art in ext._parsers():
            frame = ext.read(art.id)
            assert check_frame(frame, art.spec) == [], art.id
            assert (frame["source_path"] == "/report.xml").all()
            assert frame["row_id"].is_unique
        assert ext.device["model"] == "SM-G531BT"
        assert ext.device["imei"] == "004999010640000"
        assert not ext.timeline().empty


def test_every_message_call_and_contact_reads_back(case: dict[str, Any]) -> None:
    scenario = case["key"]["scenario"]
    with open_extraction(case["exhibit"]) as ext:
        sms, calls, contacts = (ext.read(n) for n in ("sms", "calls", "contacts"))
        chats = ext.read("chat_messages")
    want = pd.DataFrame(scenario["messages"])
    expected = pd.DataFrame(
        {
            "time": pd.to_datetime(want["time"], utc=True, format="ISO8601"),
            "direction": ["outgoing" if o else "incoming" for o in want["outgoing"]],
            "address": want["address"],
            "body": want["body"],
        }
    )
    cols = ["time", "direction", "address", "body"]
    assert _norm(sms, cols) == _norm(expected, cols)
    assert sorted(sms["service"]) == sorted("MMS" if m else "SMS" for m in want["mms"])
    got = calls.sort_values("time", ignore_index=True)
    want_calls = pd.DataFrame(scenario["calls"])
    assert got["time"].tolist() == pd.to_datetime(want_calls["time"], utc=True).tolist()
    assert got["number"].tolist() == want_calls["number"].tolist()
    assert got["type_label"].tolist() == want_calls["label"].tolist()
    assert got["duration_s"].tolist() == want_calls["duration_s"].astype(float).tolist()
    assert contacts["display_name"].tolist() == [c["display_name"] for c in scenario["contacts"]]
    assert contacts["phones"].tolist() == ["; ".join(c["phones"]) for c in scenario["contacts"]]
    assert contacts["created"].tolist() == [
        pd.Timestamp(c["created"]) for c in scenario["contacts"]
    ]
    wa = pd.DataFrame(scenario["wa_messages"])
    assert sorted(chats["body"]) == sorted(wa["body"])
    assert sorted(chats["time"]) == sorted(pd.to_datetime(wa["time"], utc=True))
    assert chats["direction"].eq("outgoing").sum() == wa["outgoing"].sum()


def test_same_scenario_as_android_ffs(case: dict[str, Any]) -> None:
    frames = {}
    for name, path in (("ufdr", case["exhibit"]), ("android", case["android"].exhibit)):
        with open_extraction(path) as ext:
            frames[name] = {n: ext.read(n) for n in ("sms", "calls", "contacts")}
    msg_cols = ["time", "direction", "address", "body", "service", "type_label", "read"]
    assert _norm(frames["ufdr"]["sms"], msg_cols) == _norm(frames["android"]["sms"], msg_cols)
    call_cols = ["time", "number", "direction", "type_label", "duration_s", "answered", "name"]
    assert _norm(frames["ufdr"]["calls"], call_cols) == _norm(frames["android"]["calls"], call_cols)
    contact_cols = ["display_name", "organization", "phones", "emails"]
    assert _norm(frames["ufdr"]["contacts"], contact_cols) == _norm(
        frames["android"]["contacts"], contact_cols
    )


def test_extras_read_back(case: dict[str, Any]) -> None:
    extras = case["key"]["writer"]["extras"]
    with open_extraction(case["exhibit"]) as ext:
        apps, wifi, places = (ext.read(n) for n in ("installed_apps", "wifi_networks", "locations"))
    assert apps["app_id"].tolist() == [a["app_id"] for a in extras["apps"]]
    assert apps["time"].tolist() == [pd.Timestamp(a["time"]) for a in extras["apps"]]
    assert wifi["bssid"].tolist() == [w["bssid"] for w in extras["wifi"]]
    assert wifi["last_connected"].tolist() == [
        pd.Timestamp(w["last_connected"]) for w in extras["wifi"]
    ]
    assert places["lat"].tolist() == [p["lat"] for p in extras["locations"]]
    assert places["lon"].tolist() == [p["lon"] for p in extras["locations"]]


def test_times_offsets_and_timespans_hand_derived(tmp_path: Path) -> None:
    # 10:48:45.659 at +01:00 is 09:48:45.659 UTC; at -05:30 it is 16:18:45.659 UTC.
    # Duration 1.02:03:04.5 = 86400 + 2*3600 + 3*60 + 4.5 = 93784.5 s.
    body = (
        '<decodedData><modelType type="Call">'
        '<model type="Call" id="1"><field name="TimeStamp" type="TimeStamp">'
        '<value type="TimeStamp">'
        "2024-03-14T10:48:45.659+01:00</value></field>"
        '<field name="Type"><value>Outgoing</value></field>'
        '<field name="Duration"><value>1.02:03:04.5</value></field>'
        '<multiModelField name="Parties" type="Party"><model type="Party">'
        '<field name="Identifier"><value>+447700900123</value></field>'
        '<field name="Role"><value>To</value></field></model></multiModelField></model>'
        '<model type="Call" id="2"><field name="TimeStamp"><value>'
        "2024-03-14T10:48:45.659-05:30</value></field>"
        '<field name="Type"><value>Missed</value></field>'
        '<field name="Duration"><value>00:00:00</value></field></model>'
        '<model type="Call" id="3"><field name="TimeStamp"><value>'
        "2024-03-14T10:48:45</value></field></model>"
        "</modelType></decodedData>"
    )
    with pytest.warns(ForensicsWarning, match="without a UTC offset"):
        calls = ufdr.read_calls(_report(tmp_path, body))
    assert calls["time"].tolist()[:2] == [
        pd.Timestamp("2024-03-14T09:48:45.659Z"),
        pd.Timestamp("2024-03-14T16:18:45.659Z"),
    ]
    assert pd.isna(calls["time"].iloc[2])
    assert calls["duration_s"].tolist()[:2] == [93784.5, 0.0]
    assert calls["number"].iloc[0] == "+447700900123"
    assert calls["direction"].tolist()[:2] == ["outgoing", "incoming"]
    assert calls["answered"].tolist()[:2] == [True, False]
    assert ufdr.parse_timespan("00:01:23") == 83.0
    assert ufdr.parse_timespan("nonsense") is None


def test_entity_bomb_and_dtd_refused_with_offset(tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE project [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        f'<project xmlns="{NS}"><decodedData><modelType type="Call"><model type="Call">'
        '<field name="Source"><value>&b;</value></field></model></modelType></decodedData>'
        "</project>"
    )
    path = tmp_path / "report.xml"
    path.write_text(bomb)
    with pytest.raises(ParseError, match="document type declaration refused") as info:
        ufdr.read_calls(path)
    assert info.value.offset is not None
    with zipfile.ZipFile(tmp_path / "bomb.ufdr", "w") as zf:
        zf.writestr("report.xml", bomb)
    # Opening the exhibit reads the device section of the report: the same typed error,
    # naming the member inside the zip, and no expansion.
    with pytest.raises(ParseError, match=r"bomb\.ufdr!/report\.xml.*refused"):
        open_extraction(tmp_path / "bomb.ufdr")


def test_truncated_report_is_a_typed_error(case: dict[str, Any], tmp_path: Path) -> None:
    with zipfile.ZipFile(case["exhibit"]) as zf:
        data = zf.read("report.xml")
    cut = tmp_path / "report.xml"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ParseError) as info:
        ufdr.read_sms(cut)
    assert info.value.offset is not None and 0 < info.value.offset <= len(data) // 2


def test_report_xml_of_another_tool_is_not_a_ufdr(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "report.xml").write_text("<report><item/></report>")
    with pytest.raises(ForensicsError):
        open_extraction(tmp_path / "x")


@settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzzed_reports_give_typed_errors_only(data: st.DataObject, tmp_path: Path) -> None:
    from forensics_datasets.phone.scenario import make_scenario
    from forensics_datasets.phone.ufdr import ufdr_report

    report, _ = ufdr_report(make_scenario(2, contacts=2, messages=4, calls=3, wa_messages=3))
    raw = bytearray(report)
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        op = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if op == "flip":
            raw[pos] ^= data.draw(st.integers(1, 255))
        elif op == "cut":
            del raw[pos : pos + data.draw(st.integers(1, 64))]
        else:
            raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=16))
    path = tmp_path / "report.xml"
    path.write_bytes(bytes(raw))
    for reader in (ufdr.read_sms, ufdr.read_calls, ufdr.read_contacts, ufdr.read_device):
        # A damaged time may warn (ForensicsWarning); any other warning still fails the test.
        with warnings.catch_warnings(), contextlib.suppress(ForensicsError):
            warnings.simplefilter("ignore", ForensicsWarning)
            reader(path)


@pytest.mark.parametrize("artifact_id", sorted(UFDR_SAMPLES))
def test_ufdr_samples_match_their_schema(artifact_id: str, tmp_path: Path) -> None:
    art = next(a for a in phone_artifacts(UFDR_MODULES) if a.id == artifact_id)
    path, expected = UFDR_SAMPLES[artifact_id](tmp_path)
    frame = art.parse(path)
    assert check_frame(frame, art.spec) == []
    assert len(frame) == expected


def test_every_ufdr_artifact_has_a_sample() -> None:
    assert sorted(a.id for a in phone_artifacts(UFDR_MODULES)) == sorted(UFDR_SAMPLES)
