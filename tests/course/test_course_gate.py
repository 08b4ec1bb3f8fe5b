"""The course gate for every graded lab (issue 7): nbgrader generates, validates and marks.

Truth: the per-trainee answer keys regenerated from the course secret, and nbgrader's own
gradebook. Four submissions per lab: the solution (full marks), the blank release (0), a
plausible wrong one (partial), and one carrying another trainee's answers (less than full).

To stay fast on two cores the nbgrader runs are shared: one course (module fixture), one
``generate_assignment`` over every lab, one ``validate --invert`` over every release, one
``course.py autograde`` over every submission of every lab; assertions are parametrised.
The marks table and each solution's run time are printed (the 60 s budget per notebook is
documented in labs/instructor_guide.md, not asserted).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.lab

SECRET = "gate-test-secret"
TRAINEES = ("alice", "bob", "carol", "dave")  # model answer, blank, mistake, copy of alice


def _literal_time(value: str) -> str:
    return f"pd.Timestamp({value!r})"


def _shown(value: str) -> str:
    """An ISO time as pandas shows it (to the second)."""
    return value[:19].replace("T", " ")


def _capstone_copy(k: dict[str, Any]) -> dict[str, str]:
    """Lab 5's answer cells with another trainee's facts as literals."""
    facts = k["facts"]
    pilot = facts["pilot_position"]["value"]
    return {
        "q1_answer": f"aircraft_board_uid = {facts['aircraft_board_uid']['value']!r}",
        "q4_answer": f"drop_log_path = {'/' + facts['drop_flight_log']['value']!r}\n"
        f"pilot_position = ({pilot['lat']!r}, {pilot['lon']!r})",
        "q6_answer": f"sip_account = {facts['contraband_sip_account']['value']!r}\n"
        f"callee_numbers = {facts['callee_numbers']['value']!r}",
        "q7_answer": f"organiser_name = {facts['organiser_name']['value']!r}",
    }


def _capstone_secrets(k: dict[str, Any]) -> list[str]:
    facts = k["facts"]
    return [
        facts["aircraft_board_uid"]["value"],
        facts["contraband_sip_account"]["value"],
        facts["organiser_name"]["value"],
        facts["drop_message"]["value"]["sender"],
        facts["drop_message"]["value"]["text"],
        f"{facts['pilot_position']['value']['lat']:.5f}",
        f"{facts['release_point']['value']['lat']:.5f}",
    ]


@dataclass(frozen=True)
class Lab:
    """What the gate knows about one lab (its truth is the answer key, not this table)."""

    name: str
    auto_points: float
    title: str  # grading/catalogue.json
    # the plausible mistake: in answer cell grade_id, replace old by new; points it loses
    mistake: tuple[str, str, str, float]
    # answer cells rewritten with alice's key values as literals (dave's copy)
    copy: Callable[[dict[str, Any]], dict[str, str]]
    # values of a key that must never appear in the release
    secrets: Callable[[dict[str, Any]], list[str]]
    source_texts: tuple[str, ...] = field(default=())  # solution code never released
    # values of dave's own key, for the questions he copied, that his feedback must not
    # show (what his notebook displays of his own data is his anyway)
    unshown: Callable[[dict[str, Any]], list[str]] = lambda k: []


LABS: dict[str, Lab] = {
    lab.name: lab
    for lab in (
        Lab(
            "lab0_evidence",
            7,
            "Lab 0: evidence handling and forensic time",
            ("q4_answer", "iloc[-1]", "iloc[0]", 2),  # the first note, read without the WAL
            lambda k: {
                "q1_answer": f"exhibit_sha256 = {k['exhibit_sha256']!r}",
                "q2_answer": f"sealed_by = {k['custody']['examiner']!r}",
                "q4_answer": f"wal_only_note = {k['note_only_in_wal']!r}",
                "q5_answer": "decoded = {"
                + ", ".join(f"{t['field']!r}: {_literal_time(t['utc'])}" for t in k["timestamps"])
                + "}",
            },
            lambda k: [k["exhibit_sha256"], k["note_only_in_wal"], k["custody"]["examiner"]],
            ("fl.sha256_file(EXHIBIT)",),
            lambda k: [k["exhibit_sha256"], k["note_only_in_wal"]],
        ),
        Lab(
            "lab1_phone",
            10,
            "Lab 1: phone extractions, Android and iOS",
            # the shortest call instead of the longest (1) and the iPhone's "added" time
            # instead of its last join (1)
            (
                "q3_answer|q5_answer",
                'sort_values("duration_s").iloc[-1]|"last_connected"].iloc[0]',
                'sort_values("duration_s").iloc[0]|"time"].iloc[0]',
                2,
            ),
            lambda k: {
                "q5_answer": f"hidden_wifi_password = {k['hidden_wifi']['psk']!r}\n"
                "hidden_wifi_ios_last_joined = " + _literal_time(k["hidden_wifi_ios_last_joined"]),
                "q7_answer": f"photo_place = ({k['photo']['lat']!r}, {k['photo']['lon']!r})\n"
                f"photo_utc = {_literal_time(k['photo']['utc'])}",
            },
            lambda k: [k["hidden_wifi"]["psk"], k["dji_app_installed_utc"][:19]],
            ('wifi[wifi["hidden"]]',),
            lambda k: [k["hidden_wifi"]["psk"], _shown(k["hidden_wifi_ios_last_joined"])],
        ),
        Lab(
            "lab2_drone",
            10,
            "Lab 2: drone flight reconstruction",
            ("q2_answer", '== "entry"', '== "exit"', 2),  # left the yard, not entered it
            lambda k: {
                "q1_answer": f"liftoff_utc = {_literal_time(k['liftoff_utc'])}\n"
                f"home = ({k['home']['lat']!r}, {k['home']['lon']!r})",
                "q3_answer": f"release_utc = {_literal_time(k['release_utc'])}\n"
                f"release_point = ({k['release_lat']!r}, {k['release_lon']!r})",
            },
            lambda k: [f"{k['release_lat']:.5f}", f"{k['home']['lat']:.5f}"],
            ('kind"] == "release_command"',),
        ),
        Lab(
            "lab3_dji",
            10,
            "Lab 3: DJI records, subtitles and aerial photos",
            ("q4_answer", "zone=ZONE", 'zone="UTC"', 2),  # local wall time taken as UTC
            lambda k: {
                "q1_answer": f"scout_serial = {k['scout']['aircraft_serial']!r}\n"
                f"scout_start_utc = {_literal_time(k['scout']['start_utc'])}",
                "q4_answer": f"ZONE = {k['zone']!r}\n"
                'srt = read_srt(DATA / "DJI_0001.SRT", zone=ZONE)\n'
                f"srt_first_utc = {_literal_time(k['srt_first_utc'])}",
            },
            lambda k: [k["scout"]["aircraft_serial"], k["srt_first_utc"][:19]],
            ('"aircraft_serial": details.aircraft_serial',),
            lambda k: [_shown(k["srt_first_utc"])],
        ),
        Lab(
            "lab4_voip",
            10,
            "Lab 4: VoIP calls in a network capture",
            # the keys of every call, not only the first answered one
            ("q4_answer", 'dtmf[dtmf["call_id"] == first["call_id"]]', "dtmf", 3),
            lambda k: {
                "q4_answer": f"dtmf_digits = {k['digits']!r}\ninband_digits = {k['inband']!r}",
                "q5_answer": f"sip_password = {k['target_password']!r}",
            },
            lambda k: [k["first_answered"], k["worst_ssrcs"][0]],
            ('capture.auth["username"] == user',),
            lambda k: [k["digits"], k["target_password"]],
        ),
        Lab(
            "lab5_capstone",
            11,
            "Lab 5: capstone, the whole case",
            # the aerial photos' local time taken as UTC (1) and the pilot read from the
            # phone's flight log whose take-off is farthest from the drop flight's (1)
            ("q3_answer|q4_answer", "ZONE)|idxmin()", '"UTC")|idxmax()', 2),
            _capstone_copy,
            _capstone_secrets,
            ("visitors = re.search(",),
            # (the organiser's name is in dave's own brief now, one of its visits list; his
            # pilot's position is shown nowhere but in the answer he copied)
            lambda k: [f"{k['facts']['pilot_position']['value']['lat']:.5f}"],
        ),
    )
}
NAMES = sorted(LABS)


def _env(course: Path, **extra: str) -> dict[str, str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return {
        **os.environ,
        "PATH": path,
        "FORENSICS_COURSE_ROOT": str(course),
        "FORENSICS_COURSE_SECRET": SECRET,
        **extra,
    }


def _nbgrader(
    course: Path, *args: str, cwd: Path | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=cwd or ROOT / "grading",
        env=_env(course, **extra),
        capture_output=True,
        text=True,
        timeout=900,
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


def _key(lab: str, trainee: str) -> dict[str, Any]:
    os.environ["FORENSICS_COURSE_SECRET"] = SECRET
    try:
        from forensics_datasets.course import lab_answer_key

        return lab_answer_key(lab, trainee)
    finally:
        del os.environ["FORENSICS_COURSE_SECRET"]


def _source(lab: str) -> Path:
    return ROOT / "notebooks" / lab / f"{lab}.ipynb"


def _release(course: Path, lab: str) -> Path:
    return course / "release" / lab / f"{lab}.ipynb"


def _with_answers(notebook: Path, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The released notebook with these answer cells' code (by grade_id)."""
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


def _solution(lab: str) -> dict[str, str]:
    source = nbformat.read(_source(lab), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
            if c.metadata.get("nbgrader", {}).get("solution")}  # fmt: skip


def _mistaken(lab: str) -> dict[str, str]:
    answers = _solution(lab)
    cells, olds, news, _ = LABS[lab].mistake
    for gid, old, new in zip(cells.split("|"), olds.split("|"), news.split("|"), strict=True):
        assert old in answers[gid], f"{lab}: the mistake no longer applies to {gid}"
        answers[gid] = answers[gid].replace(old, new)
    return answers


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("course")
    made = _nbgrader(root, "generate_assignment", "lab*", "--force")
    assert made.returncode == 0, made.stderr[-3000:]
    return root


@pytest.fixture(scope="module")
def lab_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every lab's data for the trainee "validator" (as `make lab` writes it)."""
    data = tmp_path_factory.mktemp("data")
    os.environ["FORENSICS_COURSE_SECRET"] = SECRET
    try:
        from forensics_datasets.course import make_lab_data

        for lab in NAMES:
            make_lab_data(lab, "validator", data / lab)
    finally:
        del os.environ["FORENSICS_COURSE_SECRET"]
    return data


def test_every_lab_is_in_the_course() -> None:
    from forensics_datasets.course import LABS as GENERATORS
    from forensics_datasets.course import QUESTIONS

    catalogue = json.loads((ROOT / "grading" / "catalogue.json").read_text())
    assert sorted(GENERATORS) == sorted(QUESTIONS) == NAMES
    assert {lab["id"]: lab["title"] for lab in catalogue["labs"]} == {
        name: lab.title for name, lab in LABS.items()
    }
    for lab in NAMES:
        assert _source(lab).is_file()
        guide = next((ROOT / "labs").glob(f"{lab}*.md"))
        assert f"{lab}/{lab}.ipynb" in guide.read_text()
        # Every hidden test asks about a question the key can answer, and every question
        # is asked by one test; the points of the notebook's autograded cells add up.
        nb = nbformat.read(_source(lab), as_version=4)
        asked = re.findall(rf'check\("{lab}", "(\w+)"', "".join(c.source for c in nb.cells))
        assert sorted(asked) == sorted(QUESTIONS[lab]), lab
        graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
        auto = sum(c.metadata["nbgrader"]["points"] for c in graded if c.cell_type == "code")
        assert auto == LABS[lab].auto_points, lab


def test_capstone_data_carries_no_key_and_no_seed(lab_data: Path) -> None:
    """By default the case generator numbers the case and its evidence bags by the seed;
    with the seed anyone could regenerate the key, so the course gives make_case a one-way
    case number instead (and the custody chain still verifies)."""
    from forensics_datasets.course import trainee_seed

    from forensics_lib.case import open_case

    folder = lab_data / "lab5_capstone"
    seed = trainee_seed("validator", "lab5_capstone", SECRET.encode())
    assert not list(folder.rglob("*answer_key*"))
    for paper in ("brief.md", "custody.jsonl"):
        assert str(seed) not in (folder / paper).read_text(), paper
    case = open_case(folder)  # hashes.json and the custody chain verify
    assert len(case.exhibits) == 4 and not case.problems


@pytest.mark.parametrize("lab", NAMES)
def test_release_hides_solutions_hidden_tests_and_keys(course: Path, lab: str) -> None:
    released = _release(course, lab).read_text()
    for secret_text in ("BEGIN SOLUTION", "HIDDEN TESTS", "check(", *LABS[lab].source_texts):
        assert secret_text not in released, secret_text
    for trainee in ("validator", "alice"):
        for value in LABS[lab].secrets(_key(lab, trainee)):
            assert str(value) not in released


def test_solutions_validate_and_run_end_to_end(
    course: Path, lab_data: Path, tmp_path: Path
) -> None:
    """Each source notebook (its solution) runs under nbgrader and passes every test.

    Run on a copy, so the files a lab writes (exports/) never land in notebooks/."""
    timings = {}
    for lab in NAMES:
        folder = tmp_path / lab
        folder.mkdir()
        shutil.copy(_source(lab), folder)
        started = time.monotonic()
        ok = _nbgrader(
            course,
            "validate",
            str(folder / f"{lab}.ipynb"),
            FORENSICS_LAB_DATA=str(lab_data),
            FORENSICS_TRAINEE="validator",
        )
        timings[lab] = time.monotonic() - started
        assert ok.returncode == 0 and "Success" in ok.stdout, lab + ok.stdout + ok.stderr
    sys.stdout.write(
        "\nsolution run time under `nbgrader validate` (budget 60 s each, kernel start "
        "included): " + ", ".join(f"{lab} {s:.1f} s" for lab, s in timings.items()) + "\n"
    )


def test_blank_releases_fail_every_test(course: Path, lab_data: Path, tmp_path: Path) -> None:
    copies = []
    for lab in NAMES:
        folder = tmp_path / lab
        folder.mkdir()
        copies.append(str(shutil.copy(_release(course, lab), folder)))
    inverted = _nbgrader(
        course,
        "validate",
        "--invert",
        *copies,
        FORENSICS_LAB_DATA=str(lab_data),
        FORENSICS_TRAINEE="validator",
    )
    assert inverted.returncode == 0, inverted.stdout + inverted.stderr[-3000:]
    assert inverted.stdout.count("Success") == len(NAMES), inverted.stdout


@pytest.fixture(scope="module")
def graded(course: Path) -> Iterator[dict[str, dict[str, float]]]:
    """Submit four notebooks per lab, autograde them all with the instructor's command."""
    for lab in NAMES:
        release = _release(course, lab)
        alice = _key(lab, "alice")
        submissions = {
            "alice": _with_answers(release, _solution(lab)),
            "bob": nbformat.read(release, as_version=4),
            "carol": _with_answers(release, _mistaken(lab)),
            "dave": _with_answers(release, {**_solution(lab), **LABS[lab].copy(alice)}),
        }
        for trainee, nb in submissions.items():
            folder = course / "submitted" / trainee / lab
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, folder / f"{lab}.ipynb")
    done = _course_py(course, "autograde", *NAMES, "--jobs", "2")
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    total = len(NAMES) * len(TRAINEES)
    assert f"autograded {total} of {total} submission(s)" in done.stdout
    for line in done.stderr.splitlines():
        if line.startswith("retrying"):  # a transient failure, retried alone (course.py)
            sys.stdout.write(f"\n{line}")

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {
            lab: {t: float(gb.find_submission(lab, t).score) for t in TRAINEES} for lab in NAMES
        }
    lines = ["", "course gate marks (automatic points; alice model, bob blank, carol mistake, "
             "dave copy of alice):"]  # fmt: skip
    lines += [f"  {'lab':14} {'max':>4} " + " ".join(f"{t:>6}" for t in TRAINEES)]
    for lab in NAMES:
        row = " ".join(f"{scores[lab][t]:6g}" for t in TRAINEES)
        lines.append(f"  {lab:14} {LABS[lab].auto_points:4g} {row}")
    sys.stdout.write("\n".join(lines) + "\n")
    yield scores


@pytest.mark.parametrize("lab", NAMES)
def test_marks(graded: dict[str, dict[str, float]], lab: str) -> None:
    scores, spec = graded[lab], LABS[lab]
    assert scores["alice"] == spec.auto_points
    assert scores["bob"] == 0
    assert scores["carol"] == spec.auto_points - spec.mistake[3]
    assert scores["dave"] < spec.auto_points


def test_feedback_hides_hidden_tests_and_answers(
    course: Path, graded: dict[str, dict[str, float]]
) -> None:
    feedback = _nbgrader(course, "generate_feedback", "lab*", "--student", "dave", "--force")
    assert feedback.returncode == 0, feedback.stderr[-3000:]
    for lab in NAMES:
        html = (course / "feedback" / "dave" / lab / f"{lab}.html").read_text()
        assert "check(" not in html and "HIDDEN" not in html
        # (a value dave's case shares with alice's is in his pasted answer: skipped)
        alice = set(LABS[lab].unshown(_key(lab, "alice")))
        for value in set(LABS[lab].unshown(_key(lab, "dave"))) - alice:
            assert str(value) not in html, lab
        assert re.search(r"Score: \d", html)
    shutil.rmtree(course / "feedback")


def test_exports_for_moodle_and_transcripts(
    course: Path, graded: dict[str, dict[str, float]]
) -> None:
    out = course / "export"
    exported = _course_py(course, "export", "--out", str(out))
    assert exported.returncode == 0, exported.stderr[-3000:]
    # written answers are not marked in this run: the export says its scores are provisional
    assert "provisional" in exported.stderr and "alice/lab0_evidence" in exported.stderr
    with (out / "moodle.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    for lab in NAMES:
        moodle = {row["Username"]: float(row[LABS[lab].title]) for row in rows}
        assert moodle == graded[lab]
    alice_record = (out / "transcripts" / "alice.md").read_text()
    assert "completed" in alice_record and "written answers still to mark" in alice_record
    # every lab passed: 0.75 h + 4 x 1.5 h + 3 h (grading/catalogue.json)
    assert "Training hours credited: **9.75 h**" in alice_record
    bob_record = (out / "transcripts" / "bob.md").read_text()
    assert "not yet passed" in bob_record and "**0 h**" in bob_record
