"""Where the autograder keeps each trainee's regenerated lab data (forensics_datasets.course)."""

from __future__ import annotations

from pathlib import Path

import pytest
from forensics_datasets import course


def test_autograde_cache_changes_with_the_generators(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Data cached by an older kit is never reused: the cache folder is named by the seed and
    a digest of the generators' code, so changed generators write fresh data."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setenv("FORENSICS_TRAINEE", "alice")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(course.tempfile, "tempdir", None)  # re-read TMPDIR
    monkeypatch.setattr(course, "trainee_seed", lambda trainee, lab, secret=None: 7)
    made: list[Path] = []

    def fake_make(lab: str, trainee: str, out: Path, secret: bytes | None = None) -> dict:
        made.append(Path(out))
        return {}

    monkeypatch.setattr(course, "make_lab_data", fake_make)
    monkeypatch.setattr(course, "generators_digest", lambda: "kit-1")
    first = course.lab_data("lab0_evidence")
    assert course.lab_data("lab0_evidence") == first and len(made) == 1  # cached
    monkeypatch.setattr(course, "generators_digest", lambda: "kit-2")
    second = course.lab_data("lab0_evidence")
    assert second != first and len(made) == 2 and first.parent == second.parent
    assert first.is_relative_to(tmp_path)


def test_generators_digest_covers_the_generators_source() -> None:
    digest = course.generators_digest()
    assert len(digest) == 64 and digest == course.generators_digest()
