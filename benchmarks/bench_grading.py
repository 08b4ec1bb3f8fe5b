"""Marking a class: our Dask marking against sequential ``nbgrader autograde``, same run.

    python -m benchmarks.bench_grading --trainees 30        # 30 x 6 labs = 180 submissions
    python -m benchmarks grading [--quick]                  # 4 trainees x 6 labs (quick: 2 x 2)

Builds a course (``nbgrader generate_assignment`` of every lab in notebooks/), then N
trainees' submissions of each lab, made from whatever the source notebooks are (as
tests/course/test_course_gate.py makes them): the solution, the blank release, and a wrong one
(one answer replaced), in turn. The same submissions are copied into a second course, each
with its own gradebook and cold autograde cache; one is marked by ``course.py autograde``'s
engine (grading/fastgrade.py), the other by ``nbgrader autograde LAB --student T --create
--force`` run once per submission, as the kit did before. Both runs' scores must agree.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import nbformat

KIT = Path(__file__).resolve().parents[1]
GRADING = KIT / "grading"
SECRET = "bench-grading-secret"
KINDS = ("solution", "blank", "wrong")


def labs() -> list[str]:
    """Every lab folder in notebooks/ (as grading/course.py lists them)."""
    return sorted(
        d.name
        for d in (KIT / "notebooks").iterdir()
        if d.is_dir() and d.name.startswith("lab") and (d / f"{d.name}.ipynb").is_file()
    )


def course_env(course: Path) -> dict[str, str]:
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {
        **os.environ,
        "PATH": path,
        "FORENSICS_COURSE_ROOT": str(course),
        "FORENSICS_COURSE_SECRET": os.environ.get("FORENSICS_COURSE_SECRET", SECRET),
    }


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=GRADING,
        env=course_env(course),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )


def generate(course: Path, which: Iterable[str]) -> None:
    course.mkdir(parents=True, exist_ok=True)
    pattern = "lab*" if set(which) == set(labs()) else None
    for lab in [pattern] if pattern else list(which):
        made = nbgrader(course, "generate_assignment", str(lab), "--force", "--log-level=WARN")
        if made.returncode:
            raise RuntimeError(f"generate_assignment {lab} failed:\n{made.stderr[-2000:]}")


def solution(lab: str) -> dict[str, str]:
    """grade_id -> code of the source notebook's solution cells."""
    source = nbformat.read(KIT / "notebooks" / lab / f"{lab}.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    return {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
    }


def wrong(lab: str) -> dict[str, str]:
    """The solution with its first answer spoiled: the last name it assigns is then set
    to a value no check accepts (or, with no assignment, the cell left as released)."""
    answers = solution(lab)
    first = next(iter(answers))
    names = re.findall(r"^([A-Za-z_]\w*)\s*=[^=]", answers[first], flags=re.MULTILINE)
    answers[first] = (
        f'{answers[first]}\n{names[-1]} = "not the answer"'
        if names
        else "# YOUR CODE HERE\nraise NotImplementedError()"
    )
    return answers


def submission(course: Path, lab: str, kind: str) -> nbformat.NotebookNode:
    """The released notebook of ``lab`` filled in as ``kind`` (solution, blank, wrong)."""
    nb = nbformat.read(course / "release" / lab / f"{lab}.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    answers = {"solution": solution, "wrong": wrong}.get(kind, lambda _lab: {})(lab)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb  # type: ignore[no-any-return]


def submit(course: Path, lab: str, trainee: str, nb: nbformat.NotebookNode) -> Path:
    folder = course / "submitted" / trainee / lab
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{lab}.ipynb"
    nbformat.write(nb, path)  # type: ignore[no-untyped-call]
    return path


def make_class(course: Path, trainees: int, which: list[str]) -> dict[tuple[str, str], str]:
    """``trainees`` x ``which`` submissions; returns (lab, trainee) -> kind."""
    kinds = {}
    for lab in which:
        for i in range(trainees):
            trainee, kind = f"trainee{i + 1:03d}", KINDS[i % len(KINDS)]
            submit(course, lab, trainee, submission(course, lab, kind))
            kinds[(lab, trainee)] = kind
    return kinds


def scores(course: Path) -> dict[tuple[str, str], float]:
    """(lab, trainee) -> score in the course's gradebook."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                out[(assignment.name, sub.student.id)] = float(sub.score)
    return out


def sequential(course: Path, todo: Iterable[tuple[str, str]]) -> list[str]:
    """``nbgrader autograde`` once per submission; returns the failures."""
    failed = []
    for lab, trainee in todo:
        done = nbgrader(course, "autograde", lab, "--student", trainee, "--create", "--force")
        if done.returncode:
            failed.append(f"{trainee}/{lab}")
    return failed


def cpu_seconds() -> float:
    """CPU time of this process and of every child it has waited for (nbgrader's processes
    and their kernels; Dask's worker processes, once the cluster is closed, and theirs)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def bench_grading(
    quick: bool = False,
    trainees: int | None = None,
    workers: int | None = None,
    warm: bool = False,
) -> str:
    """The class marked by ours and by sequential nbgrader (with ``warm``, also by ours with
    warm kernels, on a third copy), and the figures."""
    sys.path.insert(0, str(GRADING))
    import fastgrade

    which = labs()[:2] if quick else labs()
    count = trainees or (2 if quick else 4)
    os.environ.setdefault("FORENSICS_COURSE_SECRET", SECRET)
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        ours, theirs = Path(tmp) / "ours", Path(tmp) / "nbgrader"
        generate(ours, which)
        make_class(ours, count, which)
        shutil.copytree(ours, theirs)
        if warm:
            shutil.copytree(ours, Path(tmp) / "warm")
        total = count * len(which)
        started, cpu = time.perf_counter(), cpu_seconds()
        marked = fastgrade.mark_class(ours, which, workers=workers)
        fast_s, fast_cpu = time.perf_counter() - started, cpu_seconds() - cpu
        warm_line = ""
        if warm:
            started = time.perf_counter()
            hot = fastgrade.mark_class(Path(tmp) / "warm", which, workers=workers, warm=True)
            warm_s = time.perf_counter() - started
            warm_line = (
                f"  ours, warm kernels:               {warm_s:7.1f} s, {warm_s / total:.2f} s a "
                f"submission; {sum(not m.ok for m in hot)} failed; scores identical: "
                f"{scores(Path(tmp) / 'warm') == scores(ours)}"
            )
        started, cpu = time.perf_counter(), cpu_seconds()
        slow_failed = sequential(theirs, fastgrade.submissions(theirs, which))
        slow_s, slow_cpu = time.perf_counter() - started, cpu_seconds() - cpu
        same = scores(ours) == scores(theirs)
    failed = [f"{m.trainee}/{m.lab}" for m in marked if not m.ok]
    cores = workers or os.cpu_count() or 1
    lines = [
        f"grading: {count} trainees x {len(which)} labs = {total} submissions, "
        f"{cores} worker(s) on {os.cpu_count()} core(s)",
        f"  ours (Dask, in-process nbgrader): {fast_s:7.1f} s, {fast_s / total:.2f} s a "
        f"submission; CPU {fast_cpu / total:.2f} s a submission; {len(failed)} failed",
        f"  nbgrader autograde, sequential:   {slow_s:7.1f} s, {slow_s / total:.2f} s a "
        f"submission; CPU {slow_cpu / total:.2f} s a submission; {len(slow_failed)} failed",
        *([warm_line] if warm_line else []),
        f"  ratio {slow_s / fast_s:.2f}x; scores identical: {same}",
        f"  at this rate 180 submissions: ours ~{fast_s / total * 180:.0f} s, "
        f"nbgrader ~{slow_s / total * 180:.0f} s; by CPU on {cores} quiet core(s): ours "
        f"~{fast_cpu / total * 180 / cores:.0f} s, nbgrader ~{slow_cpu / total * 180:.0f} s",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_grading")
    parser.add_argument("--trainees", type=int, default=30)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="the first two labs only")
    parser.add_argument("--warm", action="store_true", help="also time --warm-kernels")
    args = parser.parse_args(argv)
    print(bench_grading(args.quick, args.trainees, args.workers, args.warm), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
