"""The course gate for every graded lab (issue 7): nbgrader generates, validates and marks.

Truth: the per-trainee answer keys regenerated from the course secret, and nbgrader's own
gradebook. Four submissions per lab: the solution (full marks), the blank release (0), a
plausible wrong one (partial), and one carrying another trainee's answers (less than full).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.lab

LAB = "lab0_evidence"
SOURCE = ROOT / "notebooks" / LAB / f"{LAB}.ipynb"
SECRET = "gate-test-secret"
AUTO_POINTS = 7.0
LAB_TITLE = "Lab 0: evidence handling and forensic time"  # grading/catalogue.json


def _env(course: Path, **extra: str) -> dict[str, str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return {
        **os.environ,
        "PATH": path,
        "FORENSICS_COURSE_ROOT": str(course),
        "FORENSICS_COURSE_SECRET": SECRET,
        **extra,
    }


def _nbgrader(course: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=ROOT / "grading",
        env=_env(course, **extra),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _course_py(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "grading" / "course.py"), *args, "--course", str(course)],
        env=_env(course),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _key(trainee: str) -> dict[str, Any]:
    os.environ["FORENSICS_COURSE_SECRET"] = SECRET
    try:
        from forensics_datasets.course import lab_answer_key

        return lab_answer_key(LAB, trainee)
    finally:
        del os.environ["FORENSICS_COURSE_SECRET"]


def _with_answers(notebook: Path, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The released notebook with these answer cells' code (by grade_id)."""
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


def _submit(course: Path, trainee: str, nb: nbformat.NotebookNode) -> None:
    folder = course / "submitted" / trainee / LAB
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{LAB}.ipynb")


def _score(course: Path, trainee: str) -> float:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return float(gb.find_submission(LAB, trainee).score)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("course")
    made = _nbgrader(root, "generate_assignment", LAB, "--force")
    assert made.returncode == 0, made.stderr[-3000:]
    return root


def test_release_hides_solutions_and_hidden_tests(course: Path) -> None:
    released = (course / "release" / LAB / f"{LAB}.ipynb").read_text()
    for secret_text in ("BEGIN SOLUTION", "HIDDEN TESTS", "check(", "fl.sha256_file(EXHIBIT)"):
        assert secret_text not in released
    key = _key("anyone")
    for value in (key["exhibit_sha256"], key["note_only_in_wal"], key["custody"]["examiner"]):
        assert str(value) not in released


def test_source_validates_and_blank_release_fails_every_test(course: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    os.environ["FORENSICS_COURSE_SECRET"] = SECRET
    try:
        from forensics_datasets.course import make_lab_data

        make_lab_data(LAB, "validator", data / LAB)
    finally:
        del os.environ["FORENSICS_COURSE_SECRET"]
    ok = _nbgrader(
        course,
        "validate",
        str(SOURCE),
        FORENSICS_LAB_DATA=str(data),
        FORENSICS_TRAINEE="validator",
    )
    assert ok.returncode == 0 and "Success" in ok.stdout, ok.stdout + ok.stderr
    release = course / "release" / LAB / f"{LAB}.ipynb"
    inverted = _nbgrader(
        course,
        "validate",
        "--invert",
        str(release),
        FORENSICS_LAB_DATA=str(data),
        FORENSICS_TRAINEE="validator",
    )
    assert inverted.returncode == 0 and "Success" in inverted.stdout, inverted.stdout


def test_marks(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    release = course / "release" / LAB / f"{LAB}.ipynb"
    source = nbformat.read(SOURCE, as_version=4)
    solution = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
                if c.metadata.get("nbgrader", {}).get("solution")}  # fmt: skip
    alice = _key("alice")
    submissions = {
        "alice": _with_answers(release, solution),  # the model answer
        "bob": nbformat.read(release, as_version=4),  # handed in blank
        # plausible mistake: the first note, read without the WAL
        "carol": _with_answers(
            release,
            {**solution, "q4_answer": solution["q4_answer"].replace("iloc[-1]", "iloc[0]")},
        ),
        # dave copies alice's answers as literals
        "dave": _with_answers(
            release,
            {
                **solution,
                "q1_answer": f"exhibit_sha256 = {alice['exhibit_sha256']!r}",
                "q2_answer": f"sealed_by = {alice['custody']['examiner']!r}",
                "q4_answer": f"wal_only_note = {alice['note_only_in_wal']!r}",
                "q5_answer": "decoded = {"
                + ", ".join(
                    f"{t['field']!r}: pd.Timestamp({t['utc']!r})" for t in alice["timestamps"]
                )
                + "}",
            },
        ),
    }
    for trainee, nb in submissions.items():
        _submit(course, trainee, nb)
    # The instructor's command: every submission, two workers in parallel, progress shown.
    graded = _course_py(course, "autograde", LAB, "--jobs", "2")
    assert graded.returncode == 0, graded.stdout + graded.stderr[-3000:]
    assert "autograded 4 of 4 submission(s)" in graded.stdout
    scores = {t: _score(course, t) for t in submissions}
    table = ", ".join(f"{t} {s:g}" for t, s in scores.items())
    with capsys.disabled():
        sys.stdout.write(f"\n{LAB} marks (auto, out of {AUTO_POINTS:g}): {table}\n")
    assert scores["alice"] == AUTO_POINTS
    assert scores["bob"] == 0
    assert scores["carol"] == AUTO_POINTS - 2  # question 4 is worth 2
    assert scores["dave"] < AUTO_POINTS
    # Feedback: marks shown, hidden tests and the key's values are not.
    feedback = _nbgrader(course, "generate_feedback", LAB, "--force")
    assert feedback.returncode == 0, feedback.stderr[-3000:]
    html = (course / "feedback" / "dave" / LAB / f"{LAB}.html").read_text()
    assert "check(" not in html and "HIDDEN" not in html
    dave = _key("dave")
    assert dave["exhibit_sha256"] not in html and dave["note_only_in_wal"] not in html
    assert re.search(r"Score: \d", html)
    shutil.rmtree(course / "feedback")

    # Exports: the gradebook's marks, in a form Moodle imports, and per-trainee records.
    out = course / "export"
    exported = _course_py(course, "export", "--out", str(out))
    assert exported.returncode == 0, exported.stderr[-3000:]
    with (out / "moodle.csv").open() as fh:
        moodle = {row["Username"]: float(row[LAB_TITLE]) for row in csv.DictReader(fh)}
    assert moodle == scores
    alice_record = (out / "transcripts" / "alice.md").read_text()
    assert "completed" in alice_record and "written answers still to mark" in alice_record
    assert "Training hours credited: **0.75 h**" in alice_record
    bob_record = (out / "transcripts" / "bob.md").read_text()
    assert "not yet passed" in bob_record and "**0 h**" in bob_record
