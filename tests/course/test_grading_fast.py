"""Class marking on Dask (grading/fastgrade.py, issue 15 part 3).

Truth: sequential ``nbgrader autograde`` on copies of the same submissions (its gradebook
and its feedback), and hand-computed progress lines. Submissions are made from whatever
the source notebooks are (benchmarks/bench_grading.py: solution, blank release, wrong).
"""

from __future__ import annotations

import io
import re
import shutil
import sys
from pathlib import Path

import pytest

from benchmarks import bench_grading as bench
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "grading"))
import fastgrade

LAB = "lab0_evidence"  # the quickest lab to run


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ``generate_assignment`` for the module (the slow part of a course's set-up)."""
    root = tmp_path_factory.mktemp("generated") / "course"
    bench.generate(root, [LAB])
    return root


@pytest.fixture
def course(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FORENSICS_COURSE_SECRET", bench.SECRET)
    return Path(shutil.copytree(generated, tmp_path / "course"))


def _grades(course: Path) -> dict[tuple[str, str], float]:
    """(trainee, grade cell) -> automatic score, from the gradebook."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in gb.find_assignment(LAB).submissions:
            for nb in sub.notebooks:
                for grade in nb.grades:
                    out[(sub.student.id, grade.name)] = float(grade.score)
    return out


def _feedback_scores(course: Path, trainee: str) -> list[str]:
    html = (course / "feedback" / trainee / LAB / f"{LAB}.html").read_text()
    return re.findall(r"Score: [\d.]+ / [\d.]+", html)


def test_progress_lines_off_a_terminal() -> None:
    """A log file gets a line every 10 s and a last one; times from a fake clock: 4 of 10
    done at 40 s is 10 s a submission, so 6 left take ~60 s."""
    now = [0.0]
    out = io.StringIO()
    progress = fastgrade.Progress(10, out, tty=False, every_s=10, clock=lambda: now[0])
    for t in (5, 9, 15, 40, 41, 42, 43, 44, 45, 60):
        now[0] = t
        progress.update()
    progress.close()
    assert out.getvalue().splitlines() == [
        "graded 3/10 (30%), 15 s elapsed, ~35 s left",  # 15 / 3 = 5 s each, 7 left
        "graded 4/10 (40%), 40 s elapsed, ~60 s left",
        "graded 10/10 (100%), 60 s elapsed",
    ]


def test_bad_submission_is_listed_and_the_class_goes_on(course: Path) -> None:
    """An invalid notebook (not JSON) fails with its error; the blank one is still marked."""
    bench.submit(course, LAB, "blank", bench.submission(course, LAB, "blank"))
    broken = bench.submit(course, LAB, "broken", bench.submission(course, LAB, "blank"))
    broken.write_text('{"cells": [')
    log = io.StringIO()
    marked = fastgrade.mark_class(course, [LAB], workers=1, stream=log, tty=False)
    assert [(m.trainee, m.ok) for m in marked] == [("blank", True), ("broken", False)]
    assert "JSON" in marked[1].detail or "json" in marked[1].detail.lower(), marked[1].detail
    assert log.getvalue().splitlines()[-1].startswith("graded 2/2 (100%)")
    assert bench.scores(course)[(LAB, "blank")] == 0


@pytest.mark.slow
def test_same_marks_and_feedback_as_sequential_nbgrader(course: Path) -> None:
    """Solution, blank and wrong submissions: every grade cell's score and the feedback's
    score lines equal those of ``nbgrader autograde`` run per submission."""
    kinds = {"ann": "solution", "ben": "blank", "cat": "wrong"}
    for trainee, kind in kinds.items():
        bench.submit(course, LAB, trainee, bench.submission(course, LAB, kind))
    theirs = course.parent / "theirs"
    shutil.copytree(course, theirs)
    marked = fastgrade.mark_class(course, [LAB], workers=2, stream=io.StringIO(), tty=False)
    assert all(m.ok for m in marked), marked
    assert bench.sequential(theirs, [(LAB, t) for t in kinds]) == []
    ours = _grades(course)
    assert ours == _grades(theirs)
    total = {t: sum(v for (who, _), v in ours.items() if who == t) for t in kinds}
    assert total["ben"] == 0 < total["cat"] < total["ann"]
    for root in (course, theirs):
        done = bench.nbgrader(root, "generate_feedback", LAB, "--force")
        assert done.returncode == 0, done.stderr[-2000:]
    for trainee in kinds:
        assert _feedback_scores(course, trainee) == _feedback_scores(theirs, trainee)
        assert _feedback_scores(course, trainee)


@pytest.mark.slow
def test_warm_kernels_mark_alike_and_keep_no_state(course: Path) -> None:
    """Forked warm kernels (one worker, so one zygote grades all in turn): a first
    submission that patches the checker to pass everything does not reach the next, a blank
    one, which still scores 0; the solution scores the lab's automatic points (the source
    notebook's graded code cells)."""
    import nbformat

    cheat = bench.submission(course, LAB, "blank")
    answer = next(c for c in cheat.cells if c.metadata.get("nbgrader", {}).get("solution"))
    answer.source = "import forensics_datasets.course as course\ncourse.check = lambda *a: True"
    bench.submit(course, LAB, "a_cheat", cheat)
    bench.submit(course, LAB, "b_blank", bench.submission(course, LAB, "blank"))
    bench.submit(course, LAB, "c_model", bench.submission(course, LAB, "solution"))
    log = io.StringIO()
    marked = fastgrade.mark_class(course, [LAB], workers=1, stream=log, tty=False, warm=True)
    assert all(m.ok for m in marked), marked
    scores = bench.scores(course)
    source = nbformat.read(ROOT / "notebooks" / LAB / f"{LAB}.ipynb", as_version=4)
    graded = [c.metadata["nbgrader"] for c in source.cells if c.cell_type == "code"]
    points = sum(m["points"] for m in graded if m.get("grade"))
    assert scores[(LAB, "b_blank")] == 0
    assert scores[(LAB, "c_model")] == points


def test_data_and_key_built_once_into_the_private_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker builds a trainee's data once; the kernel's check() then reads the key
    saved beside it (mode 0600 in the 0700 cache) instead of regenerating the data."""
    import stat

    from forensics_datasets import course as data

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setenv("FORENSICS_COURSE_ROOT", str(tmp_path))
    monkeypatch.delenv("FORENSICS_AUTOGRADE_CACHE", raising=False)
    monkeypatch.setattr(data, "trainee_seed", lambda trainee, lab, secret=None: 7)
    monkeypatch.setattr(data, "_KEYS", {})
    made: list[Path] = []

    def make(lab: str, trainee: str, out: Path, secret: bytes | None = None) -> dict:
        made.append(Path(out))
        return {"answer": 42}

    monkeypatch.setattr(data, "make_lab_data", make)
    folder = data.autograde_data(LAB, "alice")
    assert data.autograde_data(LAB, "alice") == folder and made == [folder]
    key_file = folder.with_suffix(".key.json")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / ".autograde-cache").stat().st_mode) == 0o700
    assert not key_file.is_relative_to(folder)  # not among the trainee's files
    monkeypatch.setattr(data, "_KEYS", {})  # a fresh kernel
    assert data.lab_answer_key(LAB, "alice") == {"answer": 42} and made == [folder]
