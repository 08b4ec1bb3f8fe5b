"""The capstone cannot be passed by one command (issue 15, part 1).

Truth: each trainee's answer key regenerated from the course secret
(``forensics_datasets.course.lab_answer_key``), the hidden checks themselves
(``forensics_datasets.course.check``) and the points nbgrader reads from the source
notebook's graded cells. For several trainees:

* the playbook's output (``case findings`` through the library API, and the HTML of
  ``case report``: ``write_html`` of the same findings) fed into the hidden checks earns at most
  30% of the capstone's automatic marks;
* the source notebook's solution earns every automatic mark;
* a submission built only from the hints (each hint's line with its blank filled as a novice
  reads it off the brief or the tables; no solution cell) earns every automatic mark;
* the answer keys' traps differ across trainees.

The notebooks run in-process (each code cell ``exec``-ed in one namespace, as a kernel would;
a graded cell that raises earns 0, as under nbgrader), not under nbgrader: the course gate
(tests/course/test_course_gate.py) runs the real thing.
"""

from __future__ import annotations

import json
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

SECRET = "capstone-integrity-secret"
LAB = "lab5_capstone"
TRAINEES = ("ana", "ben", "cai", "dee")  # four seeds (HMAC of the secret and the name)
NOTEBOOK = ROOT / "notebooks" / LAB / f"{LAB}.ipynb"

# The playbook's finding id for each question of the capstone, and how to read the answer
# from it; a question with no finding (the alibi: its window is in the brief) gets None.
PLAYBOOK_ANSWER: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "aircraft_board_uid": ("aircraft_board_uid", lambda v: v),
    "takeoff_utc": ("takeoff_utc", lambda v: v),
    "time_inside_s": ("time_inside_perimeter_s", lambda v: v),
    "release_point": ("release_point", lambda v: v),
    "photo_times_utc": ("aerial_photo_times_utc", lambda v: v),
    "pilot_position": ("pilot_position", lambda v: v),
    "drop_message_utc": ("drop_message", lambda v: v["time_utc"] if isinstance(v, dict) else v),
    "sip_account": ("contraband_sip_account", lambda v: v),
    "organiser_name": ("organiser_name", lambda v: v),
}


def _cells() -> list[dict[str, Any]]:
    return list(json.loads(NOTEBOOK.read_text())["cells"])


def _text(cell: dict[str, Any]) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _points() -> dict[str, float]:
    """Question -> automatic points, from the graded code cells' hidden checks."""
    points: dict[str, float] = {}
    for cell in _cells():
        nbg = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] == "code" and nbg.get("grade"):
            asked = re.findall(rf'check\("{LAB}", "(\w+)"', _text(cell))
            assert len(asked) == 1, nbg["grade_id"]
            points[asked[0]] = float(nbg["points"])
    return points


@pytest.fixture(scope="module")
def course_env() -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("FORENSICS_COURSE_SECRET", "FORENSICS_TRAINEE",
                                            "FORENSICS_LAB_DATA", "MPLBACKEND")}  # fmt: skip
    os.environ["FORENSICS_COURSE_SECRET"] = SECRET
    os.environ["MPLBACKEND"] = "Agg"
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="module")
def cases(course_env: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each trainee's capstone data (as `make lab` writes it: no answer key in it)."""
    from forensics_datasets.course import make_lab_data

    root = tmp_path_factory.mktemp("capstone")
    out = {}
    for trainee in TRAINEES:
        make_lab_data(LAB, trainee, root / trainee / LAB)
        out[trainee] = root / trainee
    return out


def _as(trainee: str, data: Path) -> None:
    os.environ["FORENSICS_TRAINEE"] = trainee
    os.environ["FORENSICS_LAB_DATA"] = str(data)


def _key(trainee: str) -> dict[str, Any]:
    from forensics_datasets.course import lab_answer_key

    return lab_answer_key(LAB, trainee)


def _playbook(folder: Path, tmp: Path) -> tuple[dict[str, Any], str]:
    """`case findings` (by id) and the HTML `case report` writes, for one case folder."""
    from forensics_lib.case import open_case
    from forensics_lib.findings import case_findings
    from forensics_lib.report import write_html

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the CLI prints them; not what is tested here
        case = open_case(folder)
        found = case_findings(case, zone=_key(os.environ["FORENSICS_TRAINEE"])["zone"])
        report = write_html(case, found, tmp / "report.html", title="playbook report")
    return {f.id: f for f in found}, Path(report).read_text(encoding="utf-8")


@pytest.mark.slow  # four cases read by the playbook: ~30 s of CPU, longer on a busy machine
def test_playbook_earns_at_most_30_percent(cases: dict[str, Path], tmp_path: Path) -> None:
    from forensics_datasets.course import check

    points = _points()
    total = sum(points.values())
    assert total == 11  # the course gate's automatic points for the capstone
    earned_by = {}
    for trainee, data in cases.items():
        _as(trainee, data)
        found, report = _playbook(data / LAB, tmp_path)
        earned = 0.0
        for question, value in points.items():
            if question == "report":
                answer: Any = report
            elif question in PLAYBOOK_ANSWER:
                fid, read = PLAYBOOK_ANSWER[question]
                answer = read(found[fid].value) if fid in found else None
            else:
                answer = None
            if check(LAB, question, answer):
                earned += value
        earned_by[trainee] = earned
        # the playbook says "ambiguous" rather than choosing where the brief settles it
        for fid in ("takeoff_utc", "release_point", "pilot_position", "organiser_name"):
            assert found[fid].value == "ambiguous", (trainee, fid)
            assert len(found[fid].extra["candidates"]) == 2, (trainee, fid)
    sys.stdout.write(f"\nplaybook's automatic marks (of {total:g}): {earned_by}\n")
    assert all(e <= 0.3 * total for e in earned_by.values()), earned_by


def test_traps_differ_across_trainees(cases: dict[str, Path]) -> None:
    keys = {t: _key(t) for t in cases}
    for key in keys.values():
        answers = key["trap_answers"]
        assert {"candidate_flights", "decoy_contact", "alibi"} <= answers.keys()
        # the alibi window separates the two clocks: the phone's own history misleads
        alibi = answers["alibi"]
        assert alibi["calls_in_window"] != alibi["calls_by_phone_clock"]
        assert key["facts"]["alibi_calls"]["value"] == alibi["calls_in_window"]
        assert key["facts"]["contraband_clock_offset_s"]["value"] == alibi["clock_offset_s"] != 0
    variants = {
        json.dumps({"traps": k["traps"], **{t: a["answer"] for t, a in k["trap_answers"].items()},
                    "other": k["trap_answers"]["candidate_flights"]["other_is"]}, sort_keys=True)
        for k in keys.values()
    }  # fmt: skip
    assert len(variants) == len(keys)
    assert len({tuple(k["traps"]) for k in keys.values()}) > 1  # the optional traps vary too


# -- running the notebook in-process --------------------------------------------------------


def _run(cells: list[dict[str, Any]], workdir: Path) -> dict[str, float]:
    """Execute the code cells in order in one namespace; points of the graded cells that pass."""
    earned: dict[str, float] = {}
    namespace: dict[str, Any] = {"__name__": "__main__"}
    cwd = Path.cwd()
    os.chdir(workdir)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for cell in cells:
                if cell["cell_type"] != "code":
                    continue
                nbg = cell["metadata"].get("nbgrader", {})
                try:
                    exec(compile(_text(cell), nbg.get("grade_id", "cell"), "exec"), namespace)
                    ok = True
                except Exception:  # a failing cell is a lost mark, as under nbgrader
                    ok = False
                if nbg.get("grade"):
                    earned[nbg["grade_id"]] = float(nbg["points"]) if ok else 0.0
    finally:
        os.chdir(cwd)
        import matplotlib.pyplot as plt

        plt.close("all")
    return earned


def _auto_total() -> float:
    return sum(_points().values())


@pytest.mark.slow
@pytest.mark.parametrize("trainee", TRAINEES)
def test_solution_earns_full_marks(cases: dict[str, Path], trainee: str, tmp_path: Path) -> None:
    _as(trainee, cases[trainee])
    earned = _run(_cells(), tmp_path)
    auto = {g: p for g, p in earned.items() if g != "q9_answer"}
    assert sum(auto.values()) == _auto_total(), auto


# -- a novice: the hints only ---------------------------------------------------------------


def _hint(markdown: str) -> str:
    """The last ```python block of a question's text: the hint's lines, with blanks."""
    blocks = re.findall(r"```python\n(.*?)```", markdown, flags=re.S)
    assert blocks, markdown[:80]
    return str(blocks[-1])


def _novice_fills(brief: str) -> dict[str, list[str]]:
    """What a novice types in each blank, read off the brief and the tables as they show
    them (the patrol's time, the visitors, the window: as the brief writes them)."""
    night = re.search(r"On the night of \w+ (\d+ \w+ \d{4})", brief)
    heard = re.search(r"heard over the exercise yard at (\d\d:\d\d)", brief)
    visitors = re.search(r"in the last six months: (.*)\.", brief)
    window = re.search(
        r"from \w+ (\d+ \w+ \d{4} \d\d:\d\d) to \w+ (\d+ \w+ \d{4} \d\d:\d\d)", brief
    )
    zone = re.search(r"in the time zone (\S+)\.", brief)
    assert night and heard and visitors and window and zone
    import pandas as pd

    def ymd(text: str) -> str:
        return f"{pd.Timestamp(text):%Y-%m-%d %H:%M}"

    return {
        "q1_answer": ["board_uid"],
        "q2_answer": [zone.group(1), f"{pd.Timestamp(night.group(1)):%Y-%m-%d} {heard.group(1)}"],
        "q3_answer": ["datetime_original"],
        "q4_answer": ["takeoff_utc"],
        "q5_answer": ["drop"],
        "q6_answer": ["identity"],
        "q7_answer": [visitors.group(1)],
        "alibi_answer": [ymd(window.group(1)), ymd(window.group(2))],
    }


def _novice(cells: list[dict[str, Any]], brief: str) -> list[dict[str, Any]]:
    fills = _novice_fills(brief)
    out = []
    last_hint = ""
    for cell in cells:
        text = _text(cell)
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        if cell["cell_type"] == "markdown" and "```python" in text:
            last_hint = _hint(text)
        if cell["cell_type"] == "code" and cell["metadata"].get("nbgrader", {}).get("solution"):
            before, _, rest = text.partition("### BEGIN SOLUTION")
            _, _, after = rest.partition("### END SOLUTION")
            answer = last_hint
            for value in fills.get(gid, []):
                assert "___" in answer, gid
                answer = answer.replace("___", value, 1)
            if gid in fills:
                assert "___" not in answer, gid
                text = before + answer + after
            cell = {**cell, "source": text}
        out.append(cell)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("trainee", TRAINEES[:2])
def test_novice_from_hints_earns_full_marks(
    cases: dict[str, Path], trainee: str, tmp_path: Path
) -> None:
    _as(trainee, cases[trainee])
    brief = (cases[trainee] / LAB / "brief.md").read_text()
    cells = _novice(_cells(), brief)
    # no solution code left in the answer cells the novice filled
    assert all("re.search" not in _text(c) for c in cells if c["cell_type"] == "code")
    earned = _run(cells, tmp_path)
    auto = {g: p for g, p in earned.items() if g != "q9_answer"}
    assert sum(auto.values()) == _auto_total(), auto


def test_written_conclusion_is_a_manual_answer_with_points() -> None:
    """The written conclusion: an nbgrader manually graded answer cell, with a model answer
    (solution region) that names the judgement calls; the instructor guide holds the rubric."""
    manual = [c for c in _cells() if c["metadata"]["nbgrader"].get("grade")
              and c["cell_type"] == "markdown"]  # fmt: skip
    assert len(manual) == 1
    nbg = manual[0]["metadata"]["nbgrader"]
    assert nbg["solution"] and nbg["points"] == 4 and nbg["schema_version"] == 3
    model = _text(manual[0])
    for needed in ("### BEGIN SOLUTION", "Rubric", "patrol", "visits list", "clock"):
        assert needed in model, needed
    guide = (ROOT / "labs" / "instructor_guide.md").read_text()
    capstone = guide.split("**The capstone's written report**", 1)[1].split("\n* **", 1)[0]
    for needed in ("two flights", "visits list", "clock"):
        assert needed in capstone, needed
