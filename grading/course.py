"""Build the nbgrader course and a trainee workspace; serve JupyterLab on loopback.

    python grading/course.py build --datasets build/datasets --out build
    python grading/course.py serve --root build/lab --port 8888

``build`` runs ``nbgrader generate_assignment`` for every lab in ``notebooks/`` whose
release is missing or older than its source, then lays out ``build/lab``: each released
lab (copied once, so a trainee's work is never overwritten) and the generated datasets
without their answer keys. Re-running it is cheap.
"""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

KIT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # grade.py beside this script
NOTEBOOKS = KIT / "notebooks"
CONFIG_DIR = KIT / "grading"
# Files that must never reach a trainee.
PRIVATE_PATTERNS = ("answer_key.json", "*.answer_key.json", "*.key.json")


def assignments() -> list[str]:
    """Every lab folder in notebooks/ holding at least one notebook."""
    return sorted(
        d.name
        for d in NOTEBOOKS.iterdir()
        if d.is_dir() and not d.name.startswith((".", "_")) and any(d.glob("*.ipynb"))
    )


def _newest_mtime(folder: Path) -> float:
    return max((p.stat().st_mtime for p in folder.rglob("*") if p.is_file()), default=0.0)


def tool_env(**extra: str) -> dict[str, str]:
    """The environment for nbgrader and Jupyter: our venv's bin first on PATH (nbgrader
    runs ``alembic`` by name, and the Makefile does not activate the venv)."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path, **extra}


def _nbgrader(*args: str, course_root: Path) -> None:
    env = tool_env(FORENSICS_COURSE_ROOT=str(course_root))
    cmd = [sys.executable, "-m", "nbgrader", *args]
    subprocess.run(cmd, check=True, cwd=CONFIG_DIR, env=env)


def build_course(course_root: Path, force: bool = False) -> list[str]:
    """Generate the release of every lab that is missing or stale; return the labs built."""
    built = []
    course_root.mkdir(parents=True, exist_ok=True)
    for lab in assignments():
        release = course_root / "release" / lab
        if (
            not force
            and release.is_dir()
            and _newest_mtime(release) >= _newest_mtime(NOTEBOOKS / lab)
        ):
            continue
        _nbgrader(
            "generate_assignment", lab, "--force", "--log-level=WARN", course_root=course_root
        )
        built.append(lab)
    return built


def ensure_secret(course_root: Path) -> bytes:
    """The course secret (created once, readable by the instructor only)."""
    path = course_root / ".course_secret"
    if not path.is_file():
        course_root.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_bytes().strip()


def build_trainee_data(course_root: Path, workspace: Path, trainee: str) -> list[str]:
    """Write ``trainee``'s own data for every per-trainee lab (without answer keys)."""
    return write_trainee_data(workspace / "data", trainee, ensure_secret(course_root))


def write_trainee_data(data: Path, trainee: str, secret: bytes) -> list[str]:
    """``trainee``'s data for every per-trainee lab in ``data/<lab>``; a lab already written
    for this trainee (its ``.<lab>.trainee`` stamp) is kept. Returns the labs written."""
    from forensics_datasets.course import LABS, make_lab_data

    made = []
    for lab in LABS:
        target = data / lab
        stamp = data / f".{lab}.trainee"
        if stamp.is_file() and stamp.read_text() == trainee:
            continue
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        make_lab_data(lab, trainee, target, secret)
        stamp.write_text(trainee)
        made.append(lab)
    return made


def build_workspace(course_root: Path, datasets: Path, workspace: Path) -> None:
    """Copy released labs (once) and the datasets, minus answer keys, into the workspace."""
    workspace.mkdir(parents=True, exist_ok=True)
    for lab in assignments():
        target = workspace / lab
        if not target.exists():
            shutil.copytree(course_root / "release" / lab, target)
    copy_datasets(datasets, workspace / "data")


def copy_datasets(datasets: Path, data: Path, *, keep_existing: bool = False) -> list[str]:
    """Copy every dataset folder (demo, drone, phone, voip) into ``data`` without answer
    keys; with ``keep_existing`` a folder already there is left as it is."""
    copied = []
    if datasets.is_dir():
        for folder in sorted(p for p in datasets.iterdir() if p.is_dir()):
            target = data / folder.name
            if target.exists():
                if keep_existing:
                    continue
                shutil.rmtree(target)
            shutil.copytree(folder, target, ignore=shutil.ignore_patterns(*PRIVATE_PATTERNS))
            copied.append(folder.name)
    return copied


def serve(root: Path, port: int, token: str | None) -> int:
    """Run JupyterLab on 127.0.0.1 with ``root`` as its folder (blocks until stopped)."""
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.port_retries=20",
    ]
    if token is not None:
        cmd.append(f"--IdentityProvider.token={token}")
    if os.geteuid() == 0:  # CI and containers run as root; Jupyter refuses without this
        cmd.append("--allow-root")
    config_path = os.pathsep.join(
        p for p in (str(CONFIG_DIR / "lab_config"), os.environ.get("JUPYTER_CONFIG_PATH")) if p
    )
    print(f"Starting JupyterLab on 127.0.0.1 (port {port}, or the next free one; folder "
          f"{root}).", flush=True)  # fmt: skip
    print("Open the URL with the token that JupyterLab prints below; Ctrl-C stops it.", flush=True)
    return subprocess.call(cmd, env=tool_env(JUPYTER_CONFIG_PATH=config_path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the nbgrader course and the trainee workspace")
    b.add_argument("--datasets", type=Path, required=True)
    b.add_argument("--out", type=Path, required=True, help="build folder (course/ and lab/)")
    b.add_argument("--force", action="store_true")
    c = sub.add_parser("collect", help="collect every trainee's submission from the hub's exchange")
    c.add_argument("lab", nargs="+")
    c.add_argument(
        "--hub-root", type=Path, default=KIT / "build" / "hub",
        help="the hub's state folder (course/ and exchange/ beneath it)",
    )  # fmt: skip
    g = sub.add_parser("autograde", help="autograde every submission of one or more labs")
    g.add_argument("lab", nargs="+")
    g.add_argument("--course", type=Path, default=KIT / "build" / "course")
    g.add_argument(
        "--jobs", type=int, default=None, help="parallel workers (default: cores, max 4)"
    )
    g.add_argument(
        "--workers", type=int, default=None,
        help="local Dask worker processes, one submission each at a time (default: --jobs, "
        "else one per core)",
    )  # fmt: skip
    g.add_argument(
        "--scheduler", default=None, metavar="ADDRESS",
        help="a Dask scheduler (tcp://host:8786) whose workers see the kit and the course "
        "folder at the same paths; default: a local cluster",
    )  # fmt: skip
    g.add_argument(
        "--warm-kernels", action="store_true",
        help="(experimental) each notebook's kernel a fresh fork of a warm process per "
        "worker, which runs no trainee code (grading/warmkernel.py)",
    )  # fmt: skip
    g.add_argument(
        "--engine", choices=["dask", "nbgrader"], default="dask",
        help="dask: nbgrader's converter in long-lived workers (default); nbgrader: one "
        "`nbgrader autograde` process per submission, as before",
    )  # fmt: skip
    f = sub.add_parser("feedback", help="generate feedback for every autograded submission")
    f.add_argument("lab")
    f.add_argument("--course", type=Path, default=KIT / "build" / "course")
    e = sub.add_parser("export", help="grades.csv, moodle.csv and per-trainee transcripts")
    e.add_argument("--course", type=Path, default=KIT / "build" / "course")
    e.add_argument("--out", type=Path, required=True)
    s = sub.add_parser("serve", help="start JupyterLab on loopback")
    s.add_argument("--root", type=Path, required=True)
    s.add_argument("--port", type=int, default=8888)
    s.add_argument("--token", default=None, help="fixed token (default: JupyterLab's own)")
    args = parser.parse_args(argv)
    if args.command == "build":
        course_root = (args.out / "course").resolve()
        built = build_course(course_root, force=args.force)
        workspace = (args.out / "lab").resolve()
        build_workspace(course_root, args.datasets.resolve(), workspace)
        trainee = os.environ.get("FORENSICS_TRAINEE") or getpass.getuser()
        build_trainee_data(course_root, workspace, trainee)
        state = f"generated {', '.join(built)}" if built else "course up to date"
        print(f"{state}; workspace ready in {args.out / 'lab'}", file=sys.stderr)
        return 0
    if args.command == "collect":
        return collect_command(args.lab, args.hub_root.resolve())
    if args.command in ("autograde", "feedback", "export"):
        return grading_command(args)
    return serve(args.root.resolve(), args.port, args.token)


def collect_command(labs: list[str], hub_root: Path) -> int:
    """Submissions from the hub's exchange into ``<hub-root>/course/submitted`` (then
    ``autograde LAB --course <hub-root>/course``)."""
    import exchange

    for lab in labs:
        who = exchange.collect(lab, hub_root / "course", hub_root / "exchange")
        print(f"{lab}: collected {len(who)} submission(s): {', '.join(who) or '-'}")
    return 0


def grading_command(args: argparse.Namespace) -> int:
    """autograde / feedback / export (see grading/grade.py)."""
    import grade

    course_root = args.course.resolve()
    run = grade.nbgrader_runner(course_root, tool_env())
    if args.command == "autograde" and args.engine == "dask":
        import fastgrade

        marked = fastgrade.mark_class(
            course_root,
            args.lab,
            scheduler=args.scheduler,
            workers=args.workers or args.jobs,
            warm=args.warm_kernels,
        )
        many = len(args.lab) > 1
        return grade.print_outcomes(
            [
                grade.Outcome(f"{m.trainee} {m.lab}" if many else m.trainee, m.ok, m.detail)
                for m in marked
            ]
        )
    if args.command == "autograde":
        jobs = args.jobs or grade.default_jobs()
        outcomes = []
        for lab in args.lab:
            done = grade.autograde_all(lab, course_root, run, jobs=jobs)
            # A parallel run can lose a submission to a busy gradebook (SQLite) or a slow
            # kernel start; each failure is retried once, alone, before it is reported.
            for i, outcome in enumerate(done):
                if not outcome.ok:
                    print(f"retrying {lab} {outcome.trainee}: {outcome.detail}", file=sys.stderr)
                    again = run("autograde", lab, "--student", outcome.trainee, "--create",
                                "--force")  # fmt: skip
                    tail = (again.stderr or "").strip().splitlines()[-1:] or [""]
                    done[i] = grade.Outcome(outcome.trainee, again.returncode == 0, tail[0])
            outcomes += done
        return grade.print_outcomes(outcomes)
    if args.command == "feedback":
        done = run("generate_feedback", args.lab, "--force")
        last = (done.stderr or "").strip().splitlines()[-1:] or ["(no message)"]
        print(f"feedback failed: {last[0]}" if done.returncode else "feedback generated")
        return done.returncode
    written = grade.export(course_root, args.out, grade.load_catalogue())
    for name, path in written.items():
        print(f"{name}: {path}")
    pending = grade.pending_manual(course_root)
    if pending:
        print(
            f"warning: {len(pending)} submission(s) still have written answers to mark "
            f"({', '.join(pending[:5])}{', ...' if len(pending) > 5 else ''}); their scores in "
            "moodle.csv are provisional: mark them in the formgrader, then export again",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
