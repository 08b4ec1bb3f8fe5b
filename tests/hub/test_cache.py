"""The autograder's cache of regenerated trainee data (each trainee's answers): in the course
folder, mode 0700, never in world-readable /tmp (issue 15 part 1).

Truth: the folder the issue names (the course folder) and the POSIX mode bits."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from forensics_datasets import course


def _fake(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setenv("FORENSICS_TRAINEE", "alice")
    monkeypatch.delenv("FORENSICS_AUTOGRADE_CACHE", raising=False)
    monkeypatch.setattr(course, "trainee_seed", lambda trainee, lab, secret=None: 7)
    made: list[Path] = []

    def fake_make(lab: str, trainee: str, out: Path, secret: bytes | None = None) -> dict:
        made.append(Path(out))
        return {}

    monkeypatch.setattr(course, "make_lab_data", fake_make)
    return made


def test_cache_is_in_the_course_folder_mode_0700(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _fake(monkeypatch)
    course_root = tmp_path / "course"
    monkeypatch.setenv("FORENSICS_COURSE_ROOT", str(course_root))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    monkeypatch.setattr(course.tempfile, "tempdir", None)
    folder = course.lab_data("lab0_evidence")
    assert folder.is_relative_to(course_root / ".autograde-cache") and made == [folder]
    assert stat.S_IMODE((course_root / ".autograde-cache").stat().st_mode) == 0o700
    assert not (tmp_path / "tmp").exists()  # nothing in the temporary directory


def test_cache_mode_is_restored_and_explicit_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake(monkeypatch)
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o755)
    cache.chmod(0o755)
    monkeypatch.setenv("FORENSICS_AUTOGRADE_CACHE", str(cache))
    assert course.lab_data("lab0_evidence").is_relative_to(cache)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
