"""Installed apps on Android and iOS (forensics_lib.phone.apps: packages.xml, ABX), and the
extras (browser history, Wi-Fi networks, apps) read back together; the browser and Wi-Fi
readers' own tests are in test_browser.py and test_wifi.py.

Truth: the answer key of ``forensics_datasets.phone.extras`` (what the writer stored),
hand-derived epochs (derivations in comments), and the byte layout of AOSP
``BinaryXmlSerializer.java`` (hand-assembled ABX documents below).
"""

from __future__ import annotations

import sqlite3
import struct
import warnings
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.phone import extras as X
from forensics_datasets.phone import make_phone_extraction
from forensics_datasets.phone.samples import EXTRA_SAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics_lib.errors import ForensicsError, ForensicsWarning, ParseError
from forensics_lib.evidence import Evidence
from forensics_lib.phone import open_extraction
from forensics_lib.phone.apps import parse_abx, read_android_apps, read_ios_apps
from forensics_lib.phone.extraction import ALL_PHONE_MODULES, phone_artifacts
from forensics_lib.phone.wifi import read_android_wifi, read_ios_wifi
from forensics_lib.schema import check_frame
from tests.conftest import examples

SETTINGS = settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _db(path: Path, schema: tuple[str, ...], *sql: str) -> Path:
    conn = sqlite3.connect(path)
    for statement in (*schema, *sql):
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path


# --------------------------------------------------------------------------------------------
# Exact times, hand-derived


# --------------------------------------------------------------------------------------------
# Android Binary XML, byte by byte


def _utf(text: str) -> bytes:
    raw = text.encode()
    return struct.pack(">H", len(raw)) + raw


def _new(text: str) -> bytes:
    return b"\xff\xff" + _utf(text)


def test_abx_hand_assembled() -> None:
    # START_DOCUMENT|NULL = 0x10; START_TAG|INTERNED = 0x32; ATTRIBUTE|INTERNED = 0x3F;
    # ATTRIBUTE|LONG_HEX = 0x9F; ATTRIBUTE|INT = 0x6F; ATTRIBUTE|TRUE = 0xCF;
    # END_TAG|INTERNED = 0x33; END_DOCUMENT|NULL = 0x11. Interned index 0 = "packages".
    doc = (
        b"ABX\x00\x10"
        + b"\x32"
        + _new("packages")
        + b"\x32"
        + _new("package")
        + b"\x3f"
        + _new("name")
        + _new("org.example")
        + b"\x9f"
        + _new("it")
        + struct.pack(">q", 0x18BD0B0F000)
        + b"\x6f"
        + _new("userId")
        + struct.pack(">i", -2)
        + b"\xcf"
        + _new("flagged")
        + b"\x33\x00\x01"  # </package> by reference #1
        + b"\x33\x00\x00"  # </packages> by reference #0
        + b"\x11"
    )
    root = parse_abx(doc, "packages.xml")
    assert root.tag == "packages"
    pkg = root.find("package")
    assert pkg is not None
    assert pkg.attrib == {
        "name": "org.example",
        "it": "18bd0b0f000",
        "userId": "-2",
        "flagged": "true",
    }


def test_abx_errors_name_the_offset() -> None:
    good = b"ABX\x00\x10\x32" + _new("packages") + b"\x33\x00\x00\x11"
    with pytest.raises(ParseError) as info:
        parse_abx(good[:-5], "p.xml")  # cut inside the end tag's reference
    assert info.value.offset is not None and info.value.offset >= 6
    with pytest.raises(ParseError, match="interned string #7"):
        parse_abx(b"ABX\x00\x10\x32\x00\x07", "p.xml")
    with pytest.raises(ParseError, match="magic"):
        parse_abx(b"XBA\x00", "p.xml")


def test_packages_text_and_abx_read_alike(tmp_path: Path) -> None:
    extras = X.make_extras(4)
    (tmp_path / "t").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "t" / "packages.xml").write_bytes(X.packages_xml_text(extras.apps))
    (tmp_path / "b" / "packages.xml").write_bytes(X.abx_document(extras.apps))
    text = read_android_apps(tmp_path / "t" / "packages.xml")
    binary = read_android_apps(tmp_path / "b" / "packages.xml")
    assert text["format"].unique().tolist() == ["xml"]
    assert binary["format"].unique().tolist() == ["abx"]
    cols = ["time", "updated", "app_id", "version_code", "installer", "code_path", "uid"]
    pd.testing.assert_frame_equal(text[cols], binary[cols])
    assert binary["app_id"].tolist() == [a.app_id for a in extras.apps]
    assert binary["time"].tolist() == [a.installed for a in extras.apps]
    assert binary["updated"].tolist() == [a.updated for a in extras.apps]
    assert binary["version_code"].tolist() == [a.version_code for a in extras.apps]


def test_unknown_xml_encoding_is_a_parse_error(tmp_path: Path) -> None:
    # Found by the fuzz test below: expat raises LookupError for an unknown encoding.
    path = tmp_path / "WifiConfigStore.xml"
    path.write_bytes(b'<?xml version="1.0" encoding="x-unknown"?><WifiConfigStoreData/>')
    with pytest.raises(ParseError):
        read_android_wifi(path)


# --------------------------------------------------------------------------------------------
# Round trips through whole extractions


@pytest.mark.parametrize("os_name", ["android", "ios"])
def test_extras_round_trip(os_name: str, tmp_path: Path, unchanged) -> None:  # type: ignore[no-untyped-def]
    case = make_phone_extraction(tmp_path / "out", os=os_name, seed=5, extras=True)  # type: ignore[arg-type]
    unchanged(tmp_path / "out")
    want = case.answer_key["writer"]["extras"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with open_extraction(case.exhibit) as ext:
            ext.modules = ALL_PHONE_MODULES  # also before the registry lists them
            names = set(ext.artifacts()["name"])
            assert {"browser_history", "wifi_networks", "installed_apps"} <= names
            visits = ext.read("browser_history")
            wifi = ext.read("wifi_networks")
            apps = ext.read("installed_apps")
            timeline = ext.timeline()
    assert visits["time"].tolist() == [pd.Timestamp(v["time"]) for v in want["visits"]]
    assert visits["url"].tolist() == [v["url"] for v in want["visits"]]
    assert visits["title"].tolist() == [v["title"] for v in want["visits"]]
    got_wifi = wifi.set_index("ssid").sort_index()
    want_wifi = sorted(want["wifi"], key=lambda n: n["ssid"])
    assert got_wifi.index.tolist() == [n["ssid"] for n in want_wifi]
    assert got_wifi["bssid"].tolist() == [n["bssid"] for n in want_wifi]
    assert got_wifi["hidden"].tolist() == [n["hidden"] for n in want_wifi]
    if os_name == "android":
        assert got_wifi["password"].fillna("").tolist() == [n["psk"] or "" for n in want_wifi]
        assert got_wifi["security"].tolist() == [
            "NONE" if n["security"] == "OPEN" else n["security"] for n in want_wifi
        ]
        assert apps["app_id"].tolist() == [a["app_id"] for a in want["apps"]]
        assert apps["time"].tolist() == [pd.Timestamp(a["installed"]) for a in want["apps"]]
        assert apps["installer"].tolist() == [a["installer"] for a in want["apps"]]
        assert apps["source_path"].str.endswith("/data/system/packages.xml").all()
    else:
        assert got_wifi["time"].tolist() == [pd.Timestamp(n["added"]) for n in want_wifi]
        assert got_wifi["last_connected"].tolist() == [
            pd.Timestamp(n["last_joined"]) for n in want_wifi
        ]
        assert apps["app_id"].tolist() == want["ios_apps"]
        assert apps["data_path"].str.startswith("/private/var/mobile/Containers/Data/").all()
    assert (timeline["event"].str.contains("visit")).sum() == len(want["visits"])


def test_ios_apps_unknown_schema_warns(tmp_path: Path) -> None:
    db = _db(tmp_path / "applicationState.db", ("CREATE TABLE kvs (id INTEGER)",))
    with pytest.warns(ForensicsWarning, match="kvs"):
        assert read_ios_apps(db).empty


# --------------------------------------------------------------------------------------------
# Hostile bytes: only typed errors


def _abx_sample() -> bytes:
    return X.abx_document(X.make_extras(2).apps[:2])


@SETTINGS
@given(
    cut=st.integers(min_value=0, max_value=2000),
    flips=st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 255)), max_size=6),
)
def test_fuzz_abx(cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(_abx_sample())
    for pos, value in flips:
        if pos < len(data):
            data[pos] = value
    try:
        parse_abx(bytes(data[: max(cut, 4)]), "packages.xml")
    except ParseError as exc:
        assert exc.offset is None or 0 <= exc.offset <= len(data)


@SETTINGS
@given(data=st.binary(max_size=600), flips=st.integers(0, 10_000))
def test_fuzz_wifi_and_plist(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, flips: int
) -> None:
    tmp = tmp_path_factory.mktemp("wifi")
    xml = X.wifi_config_store(X.make_extras(1).wifi[:1])
    plist = X.known_networks_plist(X.make_extras(1).wifi[:1])
    pos = flips % len(xml)
    for name, blob, reader in (
        ("WifiConfigStore.xml", xml[:pos] + data + xml[pos:], read_android_wifi),
        ("known.plist", plist[: flips % len(plist)] + data, read_ios_wifi),
    ):
        path = tmp / name
        path.write_bytes(blob)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ForensicsWarning)
                reader(path)
        except ForensicsError:
            pass


@pytest.mark.parametrize("artifact_id", sorted(EXTRA_SAMPLES))
def test_extra_parser_matches_its_schema(artifact_id: str, tmp_path: Path) -> None:
    # Mirrors tests/phone/test_extraction_registry.py until registry.PARSER_MODULES lists
    # these modules.
    arts = {a.id: a for a in phone_artifacts(ALL_PHONE_MODULES)}
    assert sorted(i for i in arts if artifact_id.split(".")[1] in i) != []
    art = arts[artifact_id]
    path, expected = EXTRA_SAMPLES[artifact_id](tmp_path)
    frame = art.parse(path)
    assert check_frame(frame, art.spec) == []
    assert len(frame) == expected
    with Evidence(tmp_path) as ev:
        inside = art.parse(ev.file(path.name))
    assert check_frame(inside, art.spec) == []
    assert len(inside) == expected


def test_safe_xml_parser_refuses_unknown_encodings_with_a_parse_error() -> None:
    # Found by fuzzing the Wi-Fi reader: expat raised a bare LookupError.
    from forensics_lib.errors import ParseError
    from forensics_lib.phone._safe import parse_xml

    with pytest.raises(ParseError, match="offset 0"):
        parse_xml(b'<?xml version="1.0" encoding="x-foo"?><a/>', "WifiConfigStore.xml")
