"""An adb backup (``.ab``) in a case folder lists what inside it no reader read.

Truth: the generator (:func:`forensics_datasets.phone_variants.write_adb_backup` maps every
``/data/data/<pkg>`` file of the generated phone into the backup; of them the kit reads no
MediaProvider ``external.db`` and no WhatsApp preferences XML), and the APK member added
here by hand (``apps/<pkg>/a/base.apk``: FullBackup.java token ``a``, no device path).
Each app's ``_manifest`` is the backup's own paper: never listed.
"""

from __future__ import annotations

import io
import tarfile
import warnings
import zlib
from pathlib import Path

import pytest
from forensics_datasets.phone_variants import write_adb_backup

from forensics_lib.case import open_case
from forensics_lib.cli import main
from forensics_lib.errors import ForensicsWarning
from forensics_lib.hashing import build_manifest, write_manifest
from forensics_lib.phone.adb import read_ab_header
from forensics_lib.scan import UNREAD_REASON

APK = "apps/com.whatsapp/a/base.apk"


def _with_apk(ab: Path, target: Path) -> None:
    """``ab`` rewritten with an APK member appended to its tar (same header, re-deflated)."""
    data = ab.read_bytes()
    header = read_ab_header(data, str(ab))
    raw = io.BytesIO(zlib.decompress(data[header.size :]))
    out = io.BytesIO()
    with (
        tarfile.open(fileobj=raw, mode="r") as old,
        tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as new,
    ):
        for member in old.getmembers():
            new.addfile(member, old.extractfile(member) if member.isfile() else None)
        apk = b"PK\x03\x04 not a real apk"
        info = tarfile.TarInfo(APK)
        info.size = len(apk)
        new.addfile(info, io.BytesIO(apk))
    target.write_bytes(data[: header.size] + zlib.compress(out.getvalue(), 6))


@pytest.fixture(scope="module")
def case_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("adbcase")
    variant = write_adb_backup(work / "v", form="ab", seed=5)
    root = work / "case"
    root.mkdir()
    _with_apk(variant.exhibit, root / "EXH-01_backup.ab")
    manifest = build_manifest([root / "EXH-01_backup.ab"], root=root, progress=False)
    manifest["root"] = "."
    write_manifest(manifest, root / "hashes.json")
    return root


def test_case_lists_the_backup_members_no_reader_read(case_root: Path) -> None:
    case = open_case(case_root)
    ex = case.exhibits["EXH-01_backup.ab"]
    assert ex.reader == "phone" and ex.frames["android.sms"].shape[0] > 0
    unread = dict(ex.unread)
    name = "EXH-01_backup.ab!/"
    external = (
        f"{name}apps/com.google.android.providers.media.module/db/external.db "
        "(/data/data/com.google.android.providers.media.module/databases/external.db)"
    )
    prefs = (
        f"{name}apps/com.whatsapp/sp/com.whatsapp_preferences.xml "
        "(/data/data/com.whatsapp/shared_prefs/com.whatsapp_preferences.xml)"
    )
    assert unread[external] == unread[prefs] == UNREAD_REASON
    assert "no device path" in unread[f"{name}{APK}"]
    assert len(unread) == 3
    assert not any(p.endswith("_manifest") for p in unread)
    # Read databases are not listed, nor their -wal companions.
    assert not any("mmssms.db" in p or "msgstore.db" in p for p in unread)
    summary = case.summary()
    assert (summary["outcome"] == "not read").sum() == 3


def test_cli_case_and_timeline_show_them(
    case_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in (
        ["case", "info", str(case_root)],
        ["timeline", str(case_root), "--format", "csv"],
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("always", ForensicsWarning)
            assert main(command) == 0
        err = capsys.readouterr().err
        assert f"not read: EXH-01_backup.ab: EXH-01_backup.ab!/{APK}: " in err, command
        assert "com.whatsapp_preferences.xml" in err, command
