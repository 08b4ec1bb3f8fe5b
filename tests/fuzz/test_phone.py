"""Hostile and broken phone databases: only the kit's typed errors and warnings come out.

Truth: the contract of forensics_lib.errors. Inputs are the generator's real-schema databases
with bytes flipped, cut or inserted by hypothesis, read by every phone parser that applies.
"""

from __future__ import annotations

import contextlib
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.phone import make_scenario
from forensics_datasets.phone.android import write_android_tree
from forensics_datasets.phone.ios import write_ios_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics_lib.errors import ForensicsError, ForensicsWarning
from forensics_lib.phone import android, device, ios, whatsapp
from tests.conftest import damaged_file, examples

SETTINGS = settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _samples() -> dict[str, tuple[bytes, list[Callable[[Path], pd.DataFrame]]]]:
    scenario = make_scenario(1, contacts=4, messages=12, calls=6)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_android_tree(root / "a", scenario, wal=False)
        write_android_tree(root / "legacy", scenario, wal=False, whatsapp="legacy")
        write_ios_tree(root / "i", scenario, wal=False)
        group = next((root / "i" / "private/var/mobile/Containers/Shared/AppGroup").iterdir())
        files = {
            "mmssms.db": (
                root / "a" / "data/data/com.android.providers.telephony/databases/mmssms.db",
                [android.read_sms, android.read_mms],
            ),
            "calllog.db": (
                root / "a" / "data/data/com.android.providers.contacts/databases/calllog.db",
                [android.read_calls],
            ),
            "contacts2.db": (
                root / "a" / "data/data/com.android.providers.contacts/databases/contacts2.db",
                [android.read_contacts, android.read_calls],
            ),
            "sms.db": (root / "i" / "private/var/mobile/Library/SMS/sms.db", [ios.read_sms]),
            "CallHistory.storedata": (
                root / "i" / "private/var/mobile/Library/CallHistoryDB/CallHistory.storedata",
                [ios.read_calls],
            ),
            "AddressBook.sqlitedb": (
                root / "i" / "private/var/mobile/Library/AddressBook/AddressBook.sqlitedb",
                [ios.read_contacts],
            ),
            "SystemVersion.plist": (
                root / "i" / "System/Library/CoreServices/SystemVersion.plist",
                [device.read_device],
            ),
            "build.prop": (root / "a" / "system/build.prop", [device.read_device]),
            "msgstore.db": (
                root / "a" / "data/data/com.whatsapp/databases/msgstore.db",
                [whatsapp.read_android_messages, whatsapp.read_android_calls],
            ),
            "legacy-msgstore.db": (
                root / "legacy" / "data/data/com.whatsapp/databases/msgstore.db",
                [whatsapp.read_android_messages, whatsapp.read_android_calls],
            ),
            "ChatStorage.sqlite": (group / "ChatStorage.sqlite", [whatsapp.read_ios_messages]),
            "wa-CallHistory.sqlite": (group / "CallHistory.sqlite", [whatsapp.read_ios_calls]),
        }
        return {name: (path.read_bytes(), readers) for name, (path, readers) in files.items()}


SAMPLES = _samples()


def damaged() -> st.SearchStrategy[tuple[str, bytes]]:
    return damaged_file({name: sample[0] for name, sample in SAMPLES.items()})


@SETTINGS
@given(case=damaged())
def test_damaged_phone_files_raise_only_typed_errors(
    case: tuple[str, bytes], tmp_path: Path
) -> None:
    name, data = case
    path = tmp_path / name
    path.write_bytes(data)
    for reader in SAMPLES[name][1]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ForensicsWarning)
            with contextlib.suppress(ForensicsError):
                frame = reader(path)
                assert "source_path" in frame.columns
    assert path.read_bytes() == data  # never written to


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_undamaged_samples_read_cleanly(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(SAMPLES[name][0])
    for reader in SAMPLES[name][1]:
        frame = reader(path)
        assert "row_id" in frame.columns
