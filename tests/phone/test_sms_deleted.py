"""Deleted SMS carved from mmssms.db / sms.db: every deleted message the writer left whole is
recovered, nothing live is reported, and the evidence is not touched.

Truth: the generator's answer key (``writer.deleted_sms``): the messages it wrote and then
deleted with ``PRAGMA secure_delete = OFF``, each with ``bytes_in_file``, whether the record's
whole content (encoded by the writer's own ``record_content``) is still contiguous in the
database or its ``-wal``. SQLite may overwrite a freed cell when it rebalances a page; such a
message cannot be carved and is not expected.
"""

from __future__ import annotations

import contextlib
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from forensics_datasets.phone import Message, make_phone_extraction, make_scenario
from forensics_datasets.phone.android import MMSSMS_DB, write_android_tree
from forensics_datasets.phone.ios import SMS_DB, write_ios_tree
from hypothesis import HealthCheck, given, settings

from forensics_lib.errors import ForensicsError, ForensicsWarning
from forensics_lib.phone.extraction import open_extraction
from forensics_lib.phone.sms_deleted import (
    ANDROID_SMS_DELETED,
    IOS_SMS_DELETED,
    read_android_deleted,
    read_ios_deleted,
)
from forensics_lib.schema import check_frame
from tests.conftest import damaged_file, examples


def _key_rows(key: list[dict[str, Any]], os: str) -> set[tuple[str, str, pd.Timestamp, int]]:
    kind = "type" if os == "android" else "is_from_me"
    return {
        (k["body"], k["address"], pd.Timestamp(k["time"]), int(k[kind]))
        for k in key
        if k["bytes_in_file"]
    }


def _frame_rows(frame: pd.DataFrame) -> set[tuple[str, str, pd.Timestamp, int]]:
    return set(
        zip(frame["body"], frame["address"], frame["time"], frame["type"].astype(int), strict=True)
    )


@pytest.mark.parametrize(
    ("os", "wal", "seed", "count"),
    [
        ("android", False, 2, 50),  # freeblocks, unallocated space and a freelist page
        ("android", True, 0, 12),  # deleted after the checkpoint: whole under the WAL
        ("ios", False, 0, 12),
    ],
)
def test_deleted_messages_are_recovered_and_live_ones_are_not(
    tmp_path: Path,
    unchanged: Callable[[Path], None],
    os: str,
    wal: bool,
    seed: int,
    count: int,
) -> None:
    case = make_phone_extraction(
        tmp_path / "out", os=os, seed=seed, container="dir", wal=wal, deleted_sms=count
    )  # type: ignore[arg-type]
    key = case.answer_key["writer"]["deleted_sms"]
    assert len(key) == count
    expected = _key_rows(key, os)
    # The writer's design: most survive; with a WAL every one does (see android.py).
    assert len(expected) == count if wal else len(expected) >= count // 2
    unchanged(case.exhibit)  # hashed now, compared after the test
    with open_extraction(case.exhibit) as ext:
        frame = ext.read(f"{os}.sms_deleted")
        live = ext.read("sms")
    spec = ANDROID_SMS_DELETED if os == "android" else IOS_SMS_DELETED
    assert check_frame(frame, spec) == []
    # Every deleted message with its body, address, time (UTC) and type; nothing else.
    assert _frame_rows(frame) == expected
    assert str(frame["time"].dtype) == "datetime64[ns, UTC]"
    live_rows = _frame_rows(live)
    assert not (_frame_rows(frame) & live_rows)
    assert frame["copies"].min() >= 1
    where = set(frame["recovered_from"])
    if wal:
        assert where == {"superseded"}
        # The main file's page under the WAL: a whole cell, so the row id survived.
        ids = {k["_id" if os == "android" else "ROWID"] for k in key}
        assert set(frame["message_id"]) == ids
    elif os == "android":
        assert {"freeblock", "freelist"} <= where


def test_offset_and_source_path_point_at_the_record(tmp_path: Path) -> None:
    case = make_phone_extraction(
        tmp_path, os="android", seed=1, container="dir", wal=True, deleted_sms=6
    )
    with open_extraction(case.exhibit) as ext:
        frame = ext.read("android.sms_deleted")
    root = next(case.exhibit.rglob("mmssms.db")).parent
    assert len(frame) == 6
    for row in frame.itertuples():
        data = (root / Path(str(row.source_path)).name).read_bytes()
        # An intact cell: payload length, rowid, then the record; the body is in its payload.
        assert str(row.body).encode() in data[int(row.offset) : int(row.offset) + 400]


def test_the_leads_own_messages_are_deleted_and_recovered(tmp_path: Path) -> None:
    scenario = make_scenario(4)
    secret = Message(
        time=pd.Timestamp("2024-04-20T22:41:07.250Z"),
        address="+447700900123",
        outgoing=True,
        body="Package is under the bench. Burn this phone.",
        read=True,
    )
    case = make_phone_extraction(
        tmp_path, os="android", seed=4, scenario=scenario, container="zip", deleted_sms=[secret]
    )
    [entry] = case.answer_key["writer"]["deleted_sms"]
    assert entry["body"] == secret.body and entry["type"] == 2 and entry["bytes_in_file"]
    with open_extraction(case.exhibit) as ext:
        frame = ext.read("android.sms_deleted")
        live = ext.read("sms")
        timeline = ext.timeline()
    [row] = frame.itertuples()
    assert (row.body, row.address, row.time, row.type_label) == (
        secret.body,
        secret.address,
        secret.time,
        "sent",
    )
    assert secret.body not in set(live["body"])
    assert "deleted SMS sent" in set(timeline["event"])


def test_no_deletion_gives_an_empty_frame(tmp_path: Path) -> None:
    case = make_phone_extraction(tmp_path, os="android", seed=3, container="dir")
    assert "deleted_sms" not in case.answer_key["writer"]
    with open_extraction(case.exhibit) as ext:
        frame = ext.read("android.sms_deleted")
    assert frame.empty and check_frame(frame, ANDROID_SMS_DELETED) == []


def _fuzz_samples() -> dict[str, bytes]:
    scenario = make_scenario(1, contacts=4, messages=24, calls=2, wa_messages=2, wa_calls=1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_android_tree(root / "a", scenario, wal=False, deleted_sms=6)
        write_ios_tree(root / "i", scenario, wal=False, deleted_sms=6)
        return {
            "mmssms.db": (root / "a" / MMSSMS_DB).read_bytes(),
            "sms.db": (root / "i" / SMS_DB).read_bytes(),
        }


_FUZZ = _fuzz_samples()
_READERS = {"mmssms.db": read_android_deleted, "sms.db": read_ios_deleted}


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=damaged_file(_FUZZ))
def test_damaged_databases_raise_only_typed_errors(case: tuple[str, bytes], tmp_path: Path) -> None:
    name, data = case
    path = tmp_path / name
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForensicsWarning)
        with contextlib.suppress(ForensicsError):
            frame = _READERS[name](path)
            spec = ANDROID_SMS_DELETED if name == "mmssms.db" else IOS_SMS_DELETED
            assert check_frame(frame, spec) == []
    assert path.read_bytes() == data  # never written to
