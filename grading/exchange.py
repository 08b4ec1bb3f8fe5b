"""The instructor's side of the hub's nbgrader exchange, from a terminal.

    python grading/exchange.py release LAB        # publish the lab to every trainee
    python grading/exchange.py collect LAB        # submissions -> course/submitted/<trainee>/LAB
    python grading/exchange.py release-feedback LAB
    python grading/exchange.py status             # which labs are released, how many submitted

Options: ``--hub-root build/hub`` (the hub's state folder: course and exchange beneath it).
The formgrader (``/services/mobile-drone-forensics/formgrader`` on the hub) has the same
buttons; this is for scripts and for instructors who prefer a shell. Between ``collect``
and ``release-feedback`` run ``course.py autograde LAB`` and ``course.py feedback LAB``
with ``--course <hub-root>/course``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

GRADING = Path(__file__).resolve().parent
KIT = GRADING.parent
HUB_DIR = GRADING / "hub"
COURSE_ID = "mobile-drone-forensics"


def exchange_env(
    course_root: Path, exchange_root: Path, course_id: str = COURSE_ID
) -> dict[str, str]:
    """nbgrader's environment on the instructor's side: the course (grading/) plus the
    hub's exchange (grading/hub/formgrader), the venv's tools first on PATH."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {
        **os.environ,
        "PATH": path,
        "JUPYTER_CONFIG_PATH": os.pathsep.join([str(HUB_DIR / "formgrader"), str(GRADING)]),
        "FORENSICS_COURSE_ROOT": str(course_root),
        "FORENSICS_EXCHANGE_ROOT": str(exchange_root),
        "FORENSICS_COURSE_ID": course_id,
    }


def nbgrader(
    *args: str, course_root: Path, exchange_root: Path, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=GRADING,
        env=exchange_env(course_root, exchange_root),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def outbound(exchange_root: Path, lab: str, course_id: str = COURSE_ID) -> Path:
    """Where a released lab waits for trainees (nbgrader's default exchange layout:
    ``<root>/<course>/outbound/<lab>``)."""
    return exchange_root / course_id / "outbound" / lab


def inbound(exchange_root: Path, course_id: str = COURSE_ID) -> Path:
    return exchange_root / course_id / "inbound"


def release(lab: str, course_root: Path, exchange_root: Path) -> bool:
    """Release ``lab`` unless it already is; True when released now."""
    if outbound(exchange_root, lab).is_dir():
        return False
    done = nbgrader("release_assignment", lab, course_root=course_root, exchange_root=exchange_root)
    if done.returncode:
        raise RuntimeError(f"release_assignment {lab} failed:\n{done.stderr[-2000:]}")
    return True


def collect(lab: str, course_root: Path, exchange_root: Path) -> list[str]:
    """Copy every trainee's latest submission of ``lab`` into the course; return who."""
    done = nbgrader("collect", lab, course_root=course_root, exchange_root=exchange_root)
    if done.returncode:
        raise RuntimeError(f"collect {lab} failed:\n{done.stderr[-2000:]}")
    folder = course_root / "submitted"
    return sorted(p.name for p in folder.iterdir() if (p / lab).is_dir()) if folder.is_dir() else []


def release_feedback(lab: str, course_root: Path, exchange_root: Path) -> None:
    done = nbgrader("release_feedback", lab, course_root=course_root, exchange_root=exchange_root)
    if done.returncode:
        raise RuntimeError(f"release_feedback {lab} failed:\n{done.stderr[-2000:]}")


def status(exchange_root: Path) -> dict[str, int]:
    """Released labs and the number of submissions waiting in the inbound folder."""
    base = exchange_root / COURSE_ID / "outbound"
    labs = sorted(p.name for p in base.iterdir()) if base.is_dir() else []
    box = inbound(exchange_root)
    names = [p.name for p in box.iterdir()] if box.is_dir() else []
    # inbound entries are named "<trainee>+<lab>+<timestamp>[+<random>]" (nbgrader's layout)
    return {lab: sum(1 for n in names if n.split("+")[1:2] == [lab]) for lab in labs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["release", "collect", "release-feedback", "status"])
    parser.add_argument("lab", nargs="?")
    parser.add_argument("--hub-root", type=Path, default=KIT / "build" / "hub")
    args = parser.parse_args(argv)
    root = args.hub_root.resolve()
    course_root, exchange_root = root / "course", root / "exchange"
    if args.command == "status":
        for lab, count in status(exchange_root).items():
            print(f"{lab}: released, {count} submission(s) in the exchange")
        return 0
    if not args.lab:
        parser.error(f"{args.command} needs a LAB")
    if args.command == "release":
        print("released" if release(args.lab, course_root, exchange_root) else "already released")
    elif args.command == "collect":
        who = collect(args.lab, course_root, exchange_root)
        print(f"collected {len(who)} submission(s): {', '.join(who)}")
    else:
        release_feedback(args.lab, course_root, exchange_root)
        print("feedback released")
    return 0


if __name__ == "__main__":
    sys.exit(main())
