"""Marking for instructors: autograde every submission, feedback, grades and transcripts.

    python grading/course.py autograde LAB [--jobs N]   # every submitted/<trainee>/LAB
    python grading/course.py feedback LAB
    python grading/course.py export --out DIR           # grades.csv, moodle.csv, transcripts

``grades.csv`` has one row per trainee and lab. ``moodle.csv`` is what Moodle's "Import
grades: CSV file" takes: a ``Username`` column to map to the user's username, then one
column per lab (map each to its grade item). A transcript per trainee lists labs, marks,
training hours and credits (``catalogue.json``: hours per lab, hours per credit, pass mark)
for the recognition of training credits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

GRADING = Path(__file__).resolve().parent
CATALOGUE = GRADING / "catalogue.json"


@dataclass(frozen=True)
class Outcome:
    trainee: str
    ok: bool
    detail: str


def load_catalogue(path: Path = CATALOGUE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def submitted_trainees(course_root: Path, lab: str) -> list[str]:
    folder = course_root / "submitted"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / lab).is_dir())


def _autograde_one(
    lab: str, trainee: str, run: Callable[..., subprocess.CompletedProcess[str]]
) -> Outcome:
    done = run("autograde", lab, "--student", trainee, "--create", "--force")
    tail = (done.stderr or "").strip().splitlines()[-1:] or [""]
    return Outcome(trainee, done.returncode == 0, tail[0])


def autograde_all(
    lab: str,
    course_root: Path,
    run: Callable[..., subprocess.CompletedProcess[str]],
    *,
    jobs: int = 1,
    progress: bool | None = None,
) -> list[Outcome]:
    """Autograde every submission of ``lab`` (``jobs`` at a time) with a progress bar."""
    trainees = submitted_trainees(course_root, lab)
    outcomes: list[Outcome] = []
    with (
        ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool,
        tqdm(total=len(trainees), desc=f"autograde {lab}", unit="trainee",
             disable=None if progress is None else not progress) as bar,
    ):  # fmt: skip
        futures = [pool.submit(_autograde_one, lab, t, run) for t in trainees]
        for future in as_completed(futures):
            outcomes.append(future.result())
            bar.update(1)
    return sorted(outcomes, key=lambda o: o.trainee)


def grades_frame(course_root: Path) -> pd.DataFrame:
    """One row per (trainee, lab) from nbgrader's gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(f"sqlite:///{course_root / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for student in gb.students:
                try:
                    sub = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    continue
                rows.append(
                    {
                        "trainee": student.id,
                        "lab": assignment.name,
                        "score": float(sub.score),
                        "max_score": float(sub.max_score),
                        "auto_score": float(sub.code_score),
                        "needs_manual_grade": bool(sub.needs_manual_grade),
                        "submitted_utc": pd.Timestamp(sub.timestamp, tz="UTC")
                        if sub.timestamp is not None
                        else pd.NaT,
                    }
                )
    columns = ["trainee", "lab", "score", "max_score", "auto_score", "needs_manual_grade",
               "submitted_utc"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns).sort_values(["trainee", "lab"], ignore_index=True)


def moodle_frame(grades: pd.DataFrame, catalogue: dict[str, Any]) -> pd.DataFrame:
    """Moodle's grade-import form: Username, then one column of points per lab."""
    titles = {lab["id"]: lab["title"] for lab in catalogue["labs"]}
    wide = grades.pivot_table(index="trainee", columns="lab", values="score", aggfunc="max")
    wide = wide.rename(columns=lambda lab: titles.get(lab, lab))
    wide.index.name = "Username"
    return wide.reset_index().rename_axis(columns=None)


def transcript(trainee: str, grades: pd.DataFrame, catalogue: dict[str, Any]) -> str:
    """A trainee's record for the recognition of training credits (Markdown)."""
    mine = grades[grades["trainee"] == trainee].set_index("lab")
    lines = [
        f"# Training record: {catalogue['course']}",
        "",
        f"Trainee: **{trainee}**",
        "",
        "| lab | marks | result | hours |",
        "|---|---|---|---|",
    ]
    hours = 0.0
    for lab in catalogue["labs"]:
        if lab["id"] not in mine.index:
            lines.append(f"| {lab['title']} | not submitted | - | 0 |")
            continue
        row = mine.loc[lab["id"]]
        passed = row["max_score"] > 0 and row["score"] >= lab["pass_fraction"] * row["max_score"]
        earned = float(lab["hours"]) if passed else 0.0
        hours += earned
        pending = " (written answers still to mark)" if row["needs_manual_grade"] else ""
        result = "completed" if passed else "not yet passed"
        lines.append(
            f"| {lab['title']} | {row['score']:g} / {row['max_score']:g}{pending} | "
            f"{result} | {earned:g} |"
        )
    credits = hours / float(catalogue["hours_per_credit"])
    lines += [
        "",
        f"Training hours credited: **{hours:g} h**; credits: **{credits:.2f}** "
        f"({catalogue['hours_per_credit']} h per credit).",
        "",
    ]
    return "\n".join(lines)


def pending_manual(course_root: Path) -> list[str]:
    """``trainee/lab`` of every submission whose written answers are not marked yet."""
    grades = grades_frame(course_root)
    waiting = grades[grades["needs_manual_grade"]]
    return [f"{t}/{lab}" for t, lab in zip(waiting["trainee"], waiting["lab"], strict=True)]


def export(course_root: Path, out: Path, catalogue: dict[str, Any]) -> dict[str, Path]:
    """Write grades.csv, moodle.csv and transcripts/<trainee>.md; return their paths."""
    grades = grades_frame(course_root)
    out.mkdir(parents=True, exist_ok=True)
    written = {"grades": out / "grades.csv", "moodle": out / "moodle.csv"}
    table = grades.copy()
    table["submitted_utc"] = table["submitted_utc"].map(
        lambda t: "" if pd.isna(t) else t.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    table.to_csv(written["grades"], index=False)
    moodle_frame(grades, catalogue).to_csv(written["moodle"], index=False)
    folder = out / "transcripts"
    folder.mkdir(exist_ok=True)
    for trainee in sorted(grades["trainee"].unique()):
        path = folder / f"{trainee}.md"
        path.write_text(transcript(trainee, grades, catalogue))
        written[f"transcript:{trainee}"] = path
    return written


def nbgrader_runner(
    course_root: Path, env: dict[str, str]
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """A function running ``nbgrader ARGS`` for this course (from grading/, our config)."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "nbgrader", *args],
            cwd=GRADING,
            env={**env, "FORENSICS_COURSE_ROOT": str(course_root)},
            capture_output=True,
            text=True,
            check=False,
        )

    return run


def default_jobs() -> int:
    """Parallel autograde workers: the cores, at most 4 (each runs a kernel)."""
    return max(1, min(os.cpu_count() or 1, 4))


def print_outcomes(outcomes: Sequence[Outcome]) -> int:
    failed = [o for o in outcomes if not o.ok]
    for o in failed:
        print(f"FAILED {o.trainee}: {o.detail}", file=sys.stderr)
    print(f"autograded {len(outcomes) - len(failed)} of {len(outcomes)} submission(s)")
    return 1 if failed else 0
