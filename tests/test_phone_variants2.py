"""Phone gaps of issue 14, second wave: a stray Manifest.db-wal, iOS 7-and-older call
history, Android adb backups.

Truth: each generator's answer key (counts and values computed where the exhibit is
written, never by the readers) and hand-computed UTC times with their derivation.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from forensics_datasets.phone_variants import write_backup_stray_wal

from forensics_lib.errors import ForensicsWarning
from forensics_lib.phone import open_extraction

# -- 1. a stray Manifest.db-wal --------------------------------------------------------------


def test_stray_manifest_wal_is_announced_when_not_excluded(
    tmp_path: Path, unchanged: Callable[[Path], None]
) -> None:
    variant = write_backup_stray_wal(tmp_path / "bk", seed=3)
    key = variant.answer_key
    unchanged(variant.exhibit)
    with pytest.warns(ForensicsWarning, match=r"Manifest\.db-wal beside Manifest\.db"):
        ext = open_extraction(variant.exhibit)
    with ext:
        assert ext.backup is not None
        paths = {f.path for f in ext.backup}
    assert len(paths) == key["files_with_wal"]  # SQLite applies the WAL: the row is there
    assert key["planted"] in paths


def test_excluded_manifest_wal_changes_nothing(
    tmp_path: Path, unchanged: Callable[[Path], None]
) -> None:
    variant = write_backup_stray_wal(tmp_path / "bk", seed=3)
    key = variant.answer_key
    unchanged(variant.exhibit)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the excluded WAL is as if absent: nothing to say
        ext = open_extraction(variant.exhibit, exclude={f"/{key['companion']}"})
    with ext:
        assert ext.backup is not None
        paths = {f.path for f in ext.backup}
        sms = ext.read("sms")
    assert len(paths) == key["files"]
    assert key["planted"] not in paths
    assert len(sms) > 0
    assert not (variant.exhibit / "Manifest.db-shm").exists()
