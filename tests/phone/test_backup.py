"""iTunes/Finder backups: hashed files read back under their device paths; encrypted refused.

Truth: the well-known backup name of sms.db (SHA-1 of "HomeDomain-Library/SMS/sms.db" is
3d0d7e5fb2ce288813306e4d4636395e047a3d28, the name every backup tool looks for), and the
scenario the writer stored, which must read back exactly as from the file-system extraction.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from forensics_datasets.phone import make_scenario
from forensics_datasets.phone.itunes import file_id, write_itunes_backup

from forensics_lib.errors import EncryptedContent
from forensics_lib.phone import open_extraction
from forensics_lib.phone.backup import device_path


def test_file_id_of_sms_db() -> None:
    assert file_id("HomeDomain", "Library/SMS/sms.db") == "3d0d7e5fb2ce288813306e4d4636395e047a3d28"


def test_domains_map_to_device_paths() -> None:
    assert (
        device_path("HomeDomain", "Library/SMS/sms.db") == "/private/var/mobile/Library/SMS/sms.db"
    )
    assert (
        device_path("AppDomainGroup-group.net.whatsapp.WhatsApp.shared", "ChatStorage.sqlite")
        == "/private/var/mobile/Containers/Shared/AppGroup/group.net.whatsapp.WhatsApp.shared/"
        "ChatStorage.sqlite"
    )
    assert device_path("NoSuchDomain", "x") is None


def _rows(frame: pd.DataFrame, cols: list[str]) -> list[tuple[Any, ...]]:
    out = frame[cols].astype(object).where(frame[cols].notna(), None)
    return sorted(map(tuple, out.itertuples(index=False)), key=repr)


@pytest.mark.parametrize("container", ["dir", "zip"])
def test_backup_reads_like_the_phone(
    tmp_path: Path, container: str, unchanged: Callable[[Path], None]
) -> None:
    scenario = make_scenario(12, contacts=5, messages=25, calls=9, wa_messages=12, wa_calls=3)
    notes = write_itunes_backup(tmp_path / "backup", scenario)
    exhibit = tmp_path / "backup" / notes["udid"]
    if container == "zip":
        exhibit = Path(shutil.make_archive(str(tmp_path / "bk"), "zip", tmp_path / "backup"))
    unchanged(tmp_path / "backup")
    with open_extraction(exhibit) as ext:
        assert (ext.kind, ext.os) == ("itunes", "ios")
        assert ext.device["model"] == "iPhone15,2" and ext.device["imei"] == "490154203237518"
        sms = ext.read("sms")
        calls = ext.read("calls")
        contacts = ext.read("contacts")
        wa = ext.read("whatsapp_messages")
    assert set(sms["source_path"]) == {"/private/var/mobile/Library/SMS/sms.db"}
    want = [
        (pd.Timestamp(m.time), "outgoing" if m.outgoing else "incoming", m.address, m.body)
        for m in scenario.messages
    ]
    assert _rows(sms, ["time", "direction", "address", "body"]) == sorted(want, key=repr)
    assert sorted(calls["number"]) == sorted(c.number for c in scenario.calls)
    assert sorted(contacts["display_name"]) == sorted(c.display_name for c in scenario.contacts)
    assert sorted(wa["body"]) == sorted(m.body for m in scenario.wa_messages)


def test_encrypted_backup_is_refused(tmp_path: Path, unchanged: Callable[[Path], None]) -> None:
    notes = write_itunes_backup(tmp_path / "b", make_scenario(3), encrypted=True)
    unchanged(tmp_path / "b")
    with pytest.raises(EncryptedContent, match="backup is encrypted") as info:
        open_extraction(tmp_path / "b" / notes["udid"])
    assert "password" in info.value.hint
