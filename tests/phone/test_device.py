"""Where a phone's serial and IMEI are: the extraction tool's acquisition record, not build.prop.

A release build.prop holds no serial (the bootloader's ``androidboot.serialno`` becomes the
runtime property ``ro.serialno``; AOSP ``system/core/init/property_service.cpp``), so the
generator writes none; the tool that read the phone over ADB records serial and IMEI
beside the dump. Truth: the generator's answer key (``writer.device``), the IMEI's Luhn
check digit computed here, and a hand-written engineering build.prop.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from forensics_datasets.phone import make_phone_extraction

from forensics_lib.errors import ParseError
from forensics_lib.phone import open_extraction
from forensics_lib.phone.device import read_device


def _luhn_ok(number: str) -> bool:
    """3GPP TS 23.003 6.2.1: the IMEI's last digit is the Luhn check digit of the other 14."""
    total = 0
    for i, char in enumerate(reversed(number)):
        digit = int(char) * (2 if i % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


@pytest.fixture(scope="module")
def android_zip(tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("serial")
    return make_phone_extraction(
        out, os="android", seed=31, container="zip", messages=6, calls=4, wa_messages=4
    )


def test_no_serial_in_any_build_prop(android_zip: Any) -> None:
    with zipfile.ZipFile(android_zip.exhibit) as zf:
        props = [n for n in zf.namelist() if n.endswith("build.prop")]
        assert props == ["Dump/system/build.prop"]
        for name in props:
            text = zf.read(name).decode()
            assert "serialno" not in text and "imei" not in text.lower()
        # The record lies beside the Dump/ folder, as the tool wrote it.
        record = json.loads(zf.read("acquisition_record.json"))
    key = android_zip.answer_key["writer"]["device"]
    assert record["method"] == "adb"
    assert (record["device"]["serial"], record["device"]["imei"]) == (key["serial"], key["imei"])
    assert android_zip.answer_key["writer"]["acquisition_record"] == "acquisition_record.json"


def test_device_reports_serial_and_imei_from_the_record(android_zip: Any) -> None:
    key = android_zip.answer_key["writer"]["device"]
    # device_serial(31): "EXAMPLE" + 0031 + "SN" + 00
    assert key["serial"] == "EXAMPLE0031SN00"
    assert len(key["imei"]) == 15 and _luhn_ok(key["imei"])
    with open_extraction(android_zip.exhibit) as ext:
        device = ext.device
        rows = ext.read("device")
    assert device["serial"] == key["serial"] and device["imei"] == key["imei"]
    assert device["serial_source"] == device["imei_source"] == "acquisition record"
    assert (device["make"], device["model"], device["os_version"]) == ("Google", "Pixel 7", "14")
    # One row per file: build.prop (no serial) and the record.
    by_file = dict(zip(rows["source_path"], rows["serial_source"].fillna("-"), strict=True))
    assert by_file == {"/system/build.prop": "-", "/acquisition_record.json": "acquisition record"}


def test_folder_extraction_keeps_the_record_beside_fs(tmp_path: Path) -> None:
    case = make_phone_extraction(
        tmp_path, os="android", seed=2, container="dir", messages=4, calls=2, wa_messages=2
    )
    assert (case.exhibit / "Extraction_01" / "acquisition_record.json").is_file()
    with open_extraction(case.exhibit) as ext:
        assert ext.device["serial"] == "EXAMPLE0002SN00"


def test_engineering_build_prop_serial_still_reads(tmp_path: Path) -> None:
    prop = tmp_path / "system" / "build.prop"
    prop.parent.mkdir()
    prop.write_text(
        "ro.build.id=UD1A.230803.041\nro.build.version.release=14\n"
        "ro.build.type=eng\nro.product.model=sdk_gphone64\nro.serialno=EMULATOR34X1X\n"
    )
    row = read_device(prop).iloc[0]
    assert (row["serial"], row["serial_source"]) == ("EMULATOR34X1X", "build.prop")
    assert pd.isna(row["imei"]) and pd.isna(row["imei_source"])  # absent


def test_record_with_a_wrong_type_is_a_parse_error(tmp_path: Path) -> None:
    record = tmp_path / "acquisition_record.json"
    record.write_text(json.dumps({"method": "adb", "device": {"serial": {"x": 1}}}))
    with pytest.raises(ParseError, match=r"device\.serial' holds dict"):
        read_device(record)
    record.write_text("[1, 2]")
    with pytest.raises(ParseError, match="no 'device' object"):
        read_device(record)
