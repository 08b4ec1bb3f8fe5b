"""Check and submit one lab on a one-machine ``make lab`` (self-study):

    make check-lab LAB=lab1_phone
    python grading/check_lab.py lab1_phone [--build build]

1. *Submit*: the trainee's saved notebook ``build/lab/<lab>/<lab>.ipynb`` is copied into
   the course's ``submitted/<trainee>/<lab>/`` (a later run replaces it: the last one counts).
2. *Check*: the autograder marks it with the hidden tests (``course.py autograde``, as an
   instructor would) and the marks of every question are printed, with what failed. It
   never prints an answer.

Save the notebook first (*File > Save*, Ctrl+S): the check reads the file, not the open
tab. On the class's hub, submit with the *Assignments* tab instead: there the instructor
marks.
"""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
import subprocess
import sys
from pathlib import Path

KIT = Path(__file__).resolve().parents[1]


def trainee_name() -> str:
    """The name ``make lab`` built this trainee's data for (grading/course.py build)."""
    return os.environ.get("FORENSICS_TRAINEE") or getpass.getuser()


def submit(lab: str, build: Path, trainee: str) -> Path:
    """Copy the saved notebook into the course's submissions; return the copy."""
    notebook = build / "lab" / lab / f"{lab}.ipynb"
    if not notebook.is_file():
        raise SystemExit(f"no notebook {notebook}: run `make lab` first")
    folder = build / "course" / "submitted" / trainee / lab
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copy2(notebook, folder / notebook.name)
    return folder / notebook.name


def _question(grade_id: str) -> str:
    number = grade_id.split("_")[0].lstrip("q")
    return f"Question {number}" if number.isdigit() else grade_id


def marks(lab: str, course: Path, trainee: str) -> list[tuple[str, str, float, float]]:
    """(question, cell, score, max score) of every graded cell, in notebook order."""
    import nbformat
    from nbgrader.api import Gradebook  # type: ignore[import-untyped]

    source = nbformat.read(KIT / "notebooks" / lab / f"{lab}.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    cells = [
        c.metadata["nbgrader"]["grade_id"]
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    ]
    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for grade_id in cells:
            grade = gb.find_grade(grade_id, lab, lab, trainee)
            score = grade.score if grade.score is not None else 0.0
            rows.append((_question(grade_id), grade_id, float(score), float(grade.max_score)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lab", help="the lab folder's name, e.g. lab1_phone")
    parser.add_argument("--build", type=Path, default=KIT / "build", help="make lab's folder")
    args = parser.parse_args(argv)
    build = args.build.resolve()
    course = build / "course"
    if not (course / ".course_secret").is_file():
        print("no course here: run `make lab` first", file=sys.stderr)
        return 2
    trainee = trainee_name()
    copy = submit(args.lab, build, trainee)
    print(f"submitted {copy}")
    print("marking it (this runs every cell, about a minute)...", flush=True)
    done = subprocess.run(
        [sys.executable, str(KIT / "grading" / "course.py"), "autograde", args.lab,
         "--course", str(course), "--jobs", "1"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        print(done.stdout + done.stderr, file=sys.stderr)
        print("the autograder could not mark the notebook (see above)", file=sys.stderr)
        return 1
    rows = marks(args.lab, course, trainee)
    manual = [r for r in rows if r[1].endswith("_answer")]
    auto = [r for r in rows if not r[1].endswith("_answer")]
    for question, cell, score, top in auto:
        state = "ok" if score == top else "not yet: read the message under that check cell"
        print(f"  {question:12} {cell:12} {score:g}/{top:g}  {state}")
    for question, cell, _, top in manual:
        print(f"  {question:12} {cell:12}  -/{top:g}  marked by your instructor")
    got, out_of = sum(r[2] for r in auto), sum(r[3] for r in auto)
    print(f"automatic marks: {got:g} of {out_of:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
