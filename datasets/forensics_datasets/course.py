"""Per-trainee lab data and the autograder's answer checks.

Each trainee gets their own variant of every lab, so copying a neighbour's answers fails.
The variant's seed is ``HMAC-SHA256(course secret, "<lab>:<trainee>")``: without the
course secret nobody can regenerate another trainee's data or answer key with the
(installed, public) generators. The secret lives on the instructor's side only:

* ``FORENSICS_COURSE_SECRET`` (text), or the file ``$FORENSICS_COURSE_ROOT/.course_secret``
  that ``grading/course.py`` creates (mode 0600) on first build;
* the instructor (``make lab``, the hub's set-up) writes each trainee's data, *without*
  its answer key, where the trainee's notebook finds it (``lab_data``);
* the autograder runs the trainee's notebook in ``autograded/<trainee>/<lab>/`` with
  ``NBGRADER_EXECUTION=autograde``; hidden tests call :func:`check`, which regenerates that
  trainee's key and compares, so neither the test text nor its feedback holds an answer.

On a single-user ``make lab`` the secret sits in the trainee's own build folder: fine for
self-study, not for an exam (use the hub, where trainees cannot read the course folder).
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_datasets.demo import make_demo_case

__all__ = [
    "LABS",
    "CourseSecretMissing",
    "check",
    "current_trainee",
    "lab_answer_key",
    "lab_data",
    "make_lab_data",
    "trainee_seed",
]

SECRET_FILE = ".course_secret"


class CourseSecretMissing(RuntimeError):
    """The course secret is not available here (a trainee's own session)."""


def _demo(out: Path, seed: int) -> dict[str, Any]:
    return make_demo_case(out, seed=seed).answer_key


# Which generator writes each lab's data (its answer key is what `check` compares with).
LABS: dict[str, Callable[[Path, int], dict[str, Any]]] = {"lab0_evidence": _demo}


def course_secret() -> bytes:
    """The course secret, from the environment or the course folder."""
    text = os.environ.get("FORENSICS_COURSE_SECRET")
    if text:
        return text.encode()
    root = os.environ.get("FORENSICS_COURSE_ROOT")
    if root and (Path(root) / SECRET_FILE).is_file():
        return (Path(root) / SECRET_FILE).read_bytes().strip()
    raise CourseSecretMissing(
        "the course secret is not available in this session: only the instructor's tools "
        "and the autograder can generate or check lab data"
    )


def trainee_seed(trainee: str, lab: str, secret: bytes | None = None) -> int:
    """The seed of ``trainee``'s variant of ``lab`` (31 bits)."""
    key = course_secret() if secret is None else secret
    digest = hmac.new(key, f"{lab}:{trainee}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFF_FFFF


def current_trainee() -> str:
    """Who this notebook belongs to: ``FORENSICS_TRAINEE``; under the autograder, the
    student folder it runs in (``autograded/<trainee>/<lab>``); the hub user; the login."""
    explicit = os.environ.get("FORENSICS_TRAINEE")
    if explicit:
        return explicit
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        return Path.cwd().parent.name
    return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


def make_lab_data(
    lab: str, trainee: str, out: str | os.PathLike[str], secret: bytes | None = None
) -> dict[str, Any]:
    """Write ``trainee``'s data for ``lab`` into ``out`` (no answer key left there) and
    return the answer key."""
    target = Path(out)
    key = LABS[lab](target, trainee_seed(trainee, lab, secret))
    (target / "answer_key.json").unlink(missing_ok=True)
    return key


def lab_answer_key(lab: str, trainee: str, secret: bytes | None = None) -> dict[str, Any]:
    """Regenerate ``trainee``'s answer key for ``lab`` (instructor side only)."""
    with tempfile.TemporaryDirectory(prefix="forensics-key-") as tmp:
        return make_lab_data(lab, trainee, tmp, secret)


def lab_data(lab: str) -> Path:
    """The folder with this trainee's data for ``lab``.

    In a trainee's session: ``$FORENSICS_LAB_DATA/<lab>``, else ``../data/<lab>`` next to
    the lab folder (where ``make lab`` and the hub put it). Under the autograder: the
    trainee's data regenerated from the course secret.
    """
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        cache = Path(tempfile.gettempdir()) / "forensics-autograde" / current_trainee() / lab
        if not cache.is_dir():
            cache.mkdir(parents=True)
            make_lab_data(lab, current_trainee(), cache)
        return cache
    base = os.environ.get("FORENSICS_LAB_DATA")
    candidates = [Path(base) / lab] if base else []
    candidates += [Path.cwd().parent / "data" / lab, Path.cwd() / "data" / lab]
    for folder in candidates:
        if folder.is_dir():
            return folder
    raise FileNotFoundError(
        f"no data for {lab}: looked in {', '.join(map(str, candidates))}. Ask your "
        "instructor (or run `make lab`, which prepares it)."
    )


# -- answers --------------------------------------------------------------------------------


def _same_text(answer: object, expected: object) -> bool:
    return isinstance(answer, str) and answer.strip() == str(expected).strip()


def _same_hash(answer: object, expected: object) -> bool:
    return isinstance(answer, str) and answer.strip().lower() == str(expected).lower()


def _timestamps(answer: object, expected: object) -> bool:
    """A mapping field -> UTC time, every one within a second of the key's."""
    if not isinstance(answer, dict) or not isinstance(expected, list):
        return False
    for item in expected:
        given = answer.get(item["field"])
        try:
            when = pd.Timestamp(given)
        except (TypeError, ValueError):
            return False
        if pd.isna(when) or when.tzinfo is None:
            return False
        if abs((when - pd.Timestamp(item["utc"])).total_seconds()) > 1:
            return False
    return True


# lab -> question -> (how to read the expected value from the key, how to compare)
QUESTIONS: dict[str, dict[str, tuple[Callable[[dict[str, Any]], object], Callable[..., bool]]]] = {
    "lab0_evidence": {
        "exhibit_sha256": (lambda k: k["exhibit_sha256"], _same_hash),
        "notes_db_path": (lambda k: k["notes_db_device_path"], _same_text),
        "wal_only_note": (lambda k: k["note_only_in_wal"], _same_text),
        "sealed_by": (lambda k: k["custody"]["examiner"], _same_text),
        "decoded": (lambda k: k["timestamps"], _timestamps),
    }
}


def check(lab: str, question: str, answer: object) -> bool:
    """Is ``answer`` right for this trainee? For the autograder's hidden tests only: it
    needs the course secret, and says nothing but True or False."""
    key = lab_answer_key(lab, current_trainee())
    expected, same = QUESTIONS[lab][question]
    return bool(same(answer, expected(key)))
