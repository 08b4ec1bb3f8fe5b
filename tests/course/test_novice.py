"""A novice does labs 0-4 from the hints alone (issue 15, part 2).

The novice reads each question's markdown cell, copies its *Your line(s)* block and fills
each ``____`` with the name the hint asks for (a column, a key, an event kind, a converter)
or, where the hint says so, with what the trainee's own data shows (lab 3's zone, printed
from ``case_notes.txt``). Nothing comes from a solution cell or an answer key: ``FILLS``
below is the whole of the novice's knowledge, each entry named after the hint's words.

Truth: the per-trainee answer keys behind ``check`` (the autograder's hidden tests), and
nbgrader's gradebook for the slow variant.

* Fast (default run): the source notebook's cells run in this process, in order, with each
  solution region replaced by the filled hint; the points of every graded cell that passes
  (visible and hidden asserts) add up to the lab's automatic points. Plot calls are
  replaced by no-ops (they draw; they define nothing an answer uses).
* The same mistake (one wrong name in a hint) costs the same points for every trainee.
* Slow: the same submissions, made from the *released* notebooks (``raise
  NotImplementedError()`` replaced by the filled lines), autograded by ``course.py
  autograde``, the instructors' command (tests/course/test_course_gate.py uses it too).
"""

from __future__ import annotations

import itertools
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.conftest import ROOT

SECRET = "novice-test-secret"
TRAINEES = ("ana", "ben", "chloe", "dev")
LABS = ("lab0_evidence", "lab1_phone", "lab2_drone", "lab3_dji", "lab4_voip")
AUTO_POINTS = {lab: 10.0 for lab in LABS} | {"lab0_evidence": 7.0}

Fill = str | Callable[[Path], str]


def _zone_from_case_notes(data: Path) -> str:
    """Lab 3's hint: "the zone written in case_notes.txt (printed by the first cell)"."""
    found = re.search(r"zone (\S+?)\.?\s*$", (data / "case_notes.txt").read_text(), re.M)
    assert found, "the case notes name no zone"
    return found.group(1)


# lab -> question -> the words that fill its blanks, in order (from the hint's own text).
FILLS: dict[str, dict[str, list[Fill]]] = {
    "lab0_evidence": {
        "q1": ["EXHIBIT"],  # "the exhibit's path, set in the first cell (EXHIBIT)"
        "q2": ["sealed"],  # the action "sealed" (the question: who sealed the exhibit)
        "q3": ["databases"],  # "the folder where Android apps keep their databases"
        "q4": ["created"],  # "the column that tells when each note was written"
        # "ZDATE is an iOS Core Data column, last_visit_time comes from Chrome, date from an
        # Android database": Cocoa seconds, WebKit microseconds, Unix milliseconds
        "q5": ["from_cocoa", "from_webkit", "from_unix_ms"],
    },
    "lab1_phone": {
        "q1": ["model", "os_version"],  # the keys, as the displayed dictionaries spell them
        "q2": ["address"],
        "q3": ["duration_s"],  # "the column that holds each call's length in seconds"
        "q4": ["Delivery team"],  # "the group chat's name, as the question gives it"
        "q5": ["hidden", "last_connected"],
        "q6": ["dji."],
        "q7": ["lat", "lon", "time_utc"],
    },
    "lab2_drone": {
        "q1": ["takeoff", "lat", "lon"],
        "q2": ["entry"],  # "first enter"
        "q3": ["release_command"],
        "q4": ["0", "0", "alt_rel_m"],
        "q5": ["flight.kml"],  # "exports/flight.kml"
    },
    "lab3_dji": {
        "q1": ["aircraft_serial", "0"],
        "q2": ["0", "0"],
        "q3": ["aircraft_serial"],
        "q4": [_zone_from_case_notes, "time_utc"],
        "q5": ["time_utc", "dji_rel_alt_m"],
    },
    "lab4_voip": {
        "q1": ["state", "REJECTED"],
        "q2": ["lost"],
        "q3": ["stream_ssrcs"],
        "q4": ["first", "inband"],
        "q5": ["caller", "username"],
    },
}

# Plausible novice mistakes: (lab, question, fills replacing FILLS, text edits of the
# filled lines, points the mistake costs). The cost is the graded cells that check the
# question the mistake touches, the same for every trainee.
#
# Lab 3's wrong zone used to cost 2 points for some trainees and 3 for others: besides the
# subtitles' first time (2 points), the lowest photo was read from the video's track
# (`correlate_photos(photos, srt)`), which a wrong zone shifts by hours, so no photo
# matched; the answer then fell on the first photo, right only for the trainees whose
# low photo happens to be DJI_0001 (one in three cases: the generator draws 0 to 2 cruise
# photos before it). The question now reads the height each photo records itself (DJI's
# XMP RelativeAltitude), so only the questions that need the zone depend on it.
Mistake = tuple[str, str, list[Fill] | None, tuple[str, str] | None, float]
_SLOW = pytest.mark.slow  # lab 1 and 2 run ~4.5 s a trainee: their mistakes run in CI
MISTAKES: list[Any] = [
    ("lab0_evidence", "q5", ["from_unix_s", "from_webkit", "from_unix_ms"], None, 2),
    pytest.param(  # the count, not the number
        ("lab1_phone", "q2", None, (".index[0]", ".iloc[0]"), 1), marks=_SLOW, id="lab1-q2"
    ),
    pytest.param(  # when the iPhone added the network, not when it last joined it
        ("lab1_phone", "q5", ["hidden", "time"], None, 1), marks=_SLOW, id="lab1-q5"
    ),
    pytest.param(("lab2_drone", "q2", ["exit"], None, 2), marks=_SLOW, id="lab2-q2"),
    ("lab3_dji", "q4", ["UTC", "time_utc"], None, 2),  # the wall clock taken as UTC
    ("lab3_dji", "q4", ["America/New_York", "time_utc"], None, 2),  # a zone not in the notes
    ("lab4_voip", "q4", None, ('dtmf[dtmf["call_id"] == first["call_id"]]', "dtmf"), 3),
]

_NO_PLOTS = "\n".join(
    f"{name} = lambda *args, **kwargs: None"
    for name in ("plot_timeline", "plot_track", "plot_profile", "plot_call_ladder")
)
_SOLUTION = re.compile(r"### BEGIN SOLUTION\n.*?### END SOLUTION", re.S)
_BLOCK = re.compile(r"```python\n(.*?)\n```", re.S)


_RELEASED = re.compile(r"# YOUR CODE HERE\nraise NotImplementedError\(\)")


def _in_order(pattern: re.Pattern[str], code: str, blocks: list[str]) -> str:
    """``code`` with the k-th match of ``pattern`` replaced by the k-th block."""
    parts = pattern.split(code)
    assert len(parts) == len(blocks) + 1, f"{len(parts) - 1} answer places, {len(blocks)} hints"
    out = parts[0]
    for block, rest in zip(blocks, parts[1:], strict=True):
        out += block + rest
    return out


def _gid(cell: Any) -> str:
    return str(cell.metadata.get("nbgrader", {}).get("grade_id", ""))


def _source(lab: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "notebooks" / lab / f"{lab}.ipynb", as_version=4)


def _hint_blocks(nb: nbformat.NotebookNode) -> dict[str, list[str]]:
    """Question -> the code blocks of its *Your line(s)* paragraph."""
    out = {}
    for cell in nb.cells:
        gid = _gid(cell)
        if cell.cell_type == "markdown" and gid.endswith("_text") and "**Your line" in cell.source:
            out[gid.split("_")[0]] = _BLOCK.findall(cell.source.split("**Your line", 1)[1])
    return out


def _filled(
    blocks: list[str], fills: list[Fill], data: Path, edit: tuple[str, str] | None = None
) -> list[str]:
    """The blocks with their blanks filled in order (and the mistake's edit, if any)."""
    words = [f(data) if callable(f) else f for f in fills]
    assert sum(b.count("____") for b in blocks) == len(words), "one word per blank"
    out = []
    for block in blocks:
        while "____" in block:
            block = block.replace("____", words.pop(0), 1)
        if edit is not None and edit[0] in block:
            block = block.replace(*edit)
        out.append(block)
    return out


def _novice_lines(
    lab: str,
    data: Path,
    mistake: tuple[str, list[Fill] | None, tuple[str, str] | None] | None = None,
) -> dict[str, list[str]]:
    """Question -> the novice's filled lines for every question of ``lab``."""
    hints = _hint_blocks(_source(lab))
    assert sorted(hints) == sorted(FILLS[lab]), f"{lab}: a question without a hint"
    out = {}
    for question, blocks in hints.items():
        fills, edit = FILLS[lab][question], None
        if mistake is not None and mistake[0] == question:
            fills = mistake[1] or fills
            edit = mistake[2]
            if edit is not None:
                assert any(edit[0] in b for b in _filled(blocks, fills, data)), mistake
        out[question] = _filled(blocks, fills, data, edit)
    return out


@pytest.fixture(scope="module")
def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the module: each trainee's data is generated once."""
    return tmp_path_factory.mktemp("novice")


@pytest.fixture
def course_env(monkeypatch: pytest.MonkeyPatch, shared_root: Path) -> Path:
    """The autograder's view: the course secret, the trainee's data under data/<lab>."""
    monkeypatch.setenv("FORENSICS_COURSE_SECRET", SECRET)
    monkeypatch.setenv("FORENSICS_LAB_DATA", str(shared_root / "data"))  # per trainee below
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.chdir(shared_root)
    import matplotlib

    matplotlib.use("Agg")
    return shared_root


def _run_in_process(lab: str, trainee: str, root: Path, mistake: Any = None) -> dict[str, Any]:
    """Run ``lab`` as the novice fills it, for ``trainee``; the points of the graded cells
    that pass and the errors of the cells that failed."""
    from forensics_datasets.course import make_lab_data

    os.environ["FORENSICS_TRAINEE"] = trainee
    os.environ["FORENSICS_LAB_DATA"] = str(root / "data" / trainee)  # lab_data() looks here
    data = root / "data" / trainee / lab
    if not data.is_dir():
        make_lab_data(lab, trainee, data)  # also caches the key `check` compares with
    lines = _novice_lines(lab, data, mistake)
    work = root / "work" / trainee / lab
    work.mkdir(parents=True, exist_ok=True)
    here = Path.cwd()
    os.chdir(work)
    namespace: dict[str, Any] = {"display": lambda *args, **kwargs: None}
    points, errors = 0.0, {}
    try:
        for cell in _source(lab).cells:
            if cell.cell_type != "code":
                continue
            gid, nbg = _gid(cell), cell.metadata.get("nbgrader", {})
            code = cell.source
            if nbg.get("solution"):
                code = _in_order(_SOLUTION, code, lines[gid.split("_")[0]])
            try:
                exec(compile(code, f"{lab}:{gid}", "exec"), namespace)
            except Exception as problem:  # a failing cell, as the autograder records it
                errors[gid] = f"{type(problem).__name__}: {problem}"
            else:
                if nbg.get("grade") and cell.cell_type == "code":
                    points += float(nbg["points"])
            if gid == "setup":
                exec(_NO_PLOTS, namespace)
    finally:
        os.chdir(here)
        del os.environ["FORENSICS_TRAINEE"]
    return {"points": points, "errors": errors}


@pytest.mark.parametrize("lab", LABS)
def test_hints_alone_score_full_marks(lab: str, course_env: Path) -> None:
    for trainee in TRAINEES[:2]:
        run = _run_in_process(lab, trainee, course_env)
        assert run["errors"] == {}, (lab, trainee, run["errors"])
        assert run["points"] == AUTO_POINTS[lab], (lab, trainee, run)


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_mistake_costs_every_trainee_the_same(mistake: Mistake, course_env: Path) -> None:
    lab, question, fills, edit, cost = mistake
    lost = {}
    for trainee in TRAINEES:
        run = _run_in_process(lab, trainee, course_env, (question, fills, edit))
        lost[trainee] = AUTO_POINTS[lab] - run["points"]
        # only the mistaken question's cells fail
        assert all(gid.startswith(f"{question}_") for gid in run["errors"]), run["errors"]
    assert set(lost.values()) == {cost}, lost


def test_every_question_has_a_worked_example_just_above_its_answer() -> None:
    for lab in LABS:
        cells = _source(lab).cells
        for i, cell in enumerate(cells):
            if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
                question = _gid(cell).split("_")[0]
                above = cells[i - 1]
                assert _gid(above) == f"{question}_example", (lab, question)
                assert above.metadata["nbgrader"]["locked"], (lab, question)
                assert "Worked example" in above.source


def test_hints_fix_what_the_issue_lists() -> None:
    """The hints the issue quotes as wrong or missing (issue 15, part 2)."""
    hints = {lab: _hint_blocks(_source(lab)) for lab in LABS}
    text = {lab: "\n".join(itertools.chain(*h.values())) for lab, h in hints.items()}
    every = "\n".join(
        c.source for lab in LABS for c in _source(lab).cells if c.cell_type == "markdown"
    )
    assert "ios_version" not in text["lab1_phone"].replace('"ios_version":', "")
    assert 'iphone.device["ios_version"]' not in every
    assert ".value_counts().index[0]" in hints["lab1_phone"]["q2"][0]
    assert "ascending=False" in hints["lab1_phone"]["q3"][0]
    assert ".sum()" in hints["lab1_phone"]["q4"][0] and ".iloc[0]" in text["lab1_phone"]
    assert "wav_file = " in hints["lab4_voip"]["q3"][0]
    for lab, blocks in hints.items():
        for question, code in blocks.items():
            assert "____" in "".join(code), (lab, question)


def test_checks_accept_numpy_and_say_what_to_fix() -> None:
    import numpy as np
    import pandas as pd
    from forensics_datasets.course import (
        _same_int,
        _top_correspondent,
        _within_m,
        _within_s,
        answer_feedback,
    )

    # numpy scalars and a one-value column are the same answer as the plain value
    assert _same_int(np.int64(11), 11) and _same_int(11.0, 11)
    assert not _same_int(11.4, 11) and not _same_int(True, 1) and not _same_int("x", 1)
    busiest = [{"number": "+447700900516", "name": None}]
    assert _top_correspondent(np.str_("+44 7700 900516"), busiest)
    assert not _top_correspondent(np.int64(7), busiest)
    when = pd.Series(pd.to_datetime(["2024-06-14 21:30:07"], utc=True))
    assert _within_s(1)(when, "2024-06-14T21:30:07+00:00")
    assert not _within_s(1)(np.datetime64("2024-06-14T21:30:07"), "2024-06-14T21:30:07+00:00")
    assert _within_m(1)((np.float64(40.1), np.float64(-4.2)), {"lat": 40.1, "lon": -4.2})
    # the visible checks: the form, in the hints' own words
    assert answer_feedback("lab1_phone", "group_messages", np.int64(11)) is None
    assert "not the count" in str(answer_feedback("lab1_phone", "top_correspondent", 7))
    assert ".sum()" in str(answer_feedback("lab1_phone", "group_messages", np.True_))
    assert ".iloc[0]" in str(answer_feedback("lab3_dji", "scout_serial", pd.Series(["S"])))
    assert "no time zone" in str(
        answer_feedback("lab2_drone", "breach_utc", pd.Timestamp("2024-06-14 21:31"))
    )
    assert "text" in str(answer_feedback("lab2_drone", "breach_utc", "2024-06-14 21:31"))
    assert "exactly the keys" in str(
        answer_feedback("lab1_phone", "longest_call", {"number": "1", "duration": 3})
    )
    assert answer_feedback("lab4_voip", "worst_lost", np.int64(0)) is None
    assert "SSRC" in str(answer_feedback("lab4_voip", "worst_stream", np.int64(12)))


# -- the same submissions through nbgrader (slow) -----------------------------------------


@pytest.fixture(scope="module")
def autograded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, float]]]:
    from tests.course.test_course_gate import SECRET as GATE_SECRET
    from tests.course.test_course_gate import _course_py, _nbgrader

    course = tmp_path_factory.mktemp("novice-course")
    made = _nbgrader(course, "generate_assignment", "lab[0-4]_*", "--force")
    assert made.returncode == 0, made.stderr[-3000:]
    os.environ["FORENSICS_COURSE_SECRET"] = GATE_SECRET
    scratch = tmp_path_factory.mktemp("novice-data")
    try:
        from forensics_datasets.course import make_lab_data

        for lab in LABS:
            release = nbformat.read(course / "release" / lab / f"{lab}.ipynb", as_version=4)
            for trainee in TRAINEES[:3]:
                # the trainee's own data, as `make lab` or the hub gives it to them
                data = scratch / trainee / lab
                make_lab_data(lab, trainee, data)
                lines = _novice_lines(lab, data)
                nb = nbformat.from_dict(release)
                for cell in nb.cells:
                    if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == (
                        "code"
                    ):
                        cell.source = _in_order(
                            _RELEASED, cell.source, lines[_gid(cell).split("_")[0]]
                        )
                folder = course / "submitted" / trainee / lab
                folder.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, folder / f"{lab}.ipynb")
    finally:
        del os.environ["FORENSICS_COURSE_SECRET"]
    done = _course_py(course, "autograde", *LABS, "--jobs", "2")
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {
            lab: {t: float(gb.find_submission(lab, t).score) for t in TRAINEES[:3]} for lab in LABS
        }
    sys.stdout.write(f"\nnovice submissions, automatic points: {scores}\n")
    yield scores


@pytest.mark.slow
@pytest.mark.lab
@pytest.mark.parametrize("lab", LABS)
def test_novice_submissions_autograde_to_full_marks(
    autograded: dict[str, dict[str, float]], lab: str
) -> None:
    assert autograded[lab] == {t: AUTO_POINTS[lab] for t in TRAINEES[:3]}


@pytest.mark.slow
@pytest.mark.lab
def test_check_lab_submits_and_prints_marks(tmp_path: Path) -> None:
    """`make check-lab LAB=lab0_evidence` on a `make lab` build: the novice's notebook is
    submitted, marked and its marks printed per question, without any answer."""
    import subprocess

    from tests.course.test_course_gate import _nbgrader

    build = tmp_path / "build"
    course = build / "course"
    course.mkdir(parents=True)
    made = _nbgrader(course, "generate_assignment", "lab0_evidence", "--force")
    assert made.returncode == 0, made.stderr[-3000:]
    (course / ".course_secret").write_text(SECRET)
    os.environ["FORENSICS_COURSE_SECRET"] = SECRET
    try:
        from forensics_datasets.course import lab_answer_key, make_lab_data

        data = tmp_path / "data" / "lab0_evidence"
        make_lab_data("lab0_evidence", "ana", data)
        key = lab_answer_key("lab0_evidence", "ana")
    finally:
        del os.environ["FORENSICS_COURSE_SECRET"]
    release = course / "release" / "lab0_evidence" / "lab0_evidence.ipynb"
    nb = nbformat.read(release, as_version=4)
    lines = _novice_lines("lab0_evidence", data)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            cell.source = _in_order(_RELEASED, cell.source, lines[_gid(cell).split("_")[0]])
    (build / "lab" / "lab0_evidence").mkdir(parents=True)
    nbformat.write(nb, build / "lab" / "lab0_evidence" / "lab0_evidence.ipynb")
    env = {
        key_: value
        for key_, value in os.environ.items()
        if key_ not in ("FORENSICS_COURSE_SECRET", "FORENSICS_LAB_DATA", "NBGRADER_EXECUTION")
    }
    env["FORENSICS_TRAINEE"] = "ana"
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        [sys.executable, str(ROOT / "grading" / "check_lab.py"), "lab0_evidence",
         "--build", str(build)],
        env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert (course / "submitted" / "ana" / "lab0_evidence" / "lab0_evidence.ipynb").is_file()
    assert "automatic marks: 7 of 7" in done.stdout, done.stdout
    assert "Question 6" in done.stdout and "marked by your instructor" in done.stdout
    for value in (key["exhibit_sha256"], key["note_only_in_wal"], key["custody"]["examiner"]):
        assert str(value) not in done.stdout
