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

A package since issue 16 (it was ``course.py``): ``labs`` (which generator writes each lab),
``answers`` (the comparators, ``QUESTIONS``), ``forms`` (an answer's form, ``FORMS``). The
names notebooks and grading use (``check``, ``assert_answer_form``, ``lab_data``, ``LABS``,
...) stay importable from ``forensics_datasets.course``; the data-access functions live here,
so that patching ``course.trainee_seed`` or ``course.make_lab_data`` patches what they call.
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import hmac
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from forensics_datasets.course.answers import QUESTIONS

# the comparators' old private spellings, which tests of course.py import
from forensics_datasets.course.answers import same_int as _same_int  # noqa: F401
from forensics_datasets.course.answers import top_correspondent as _top_correspondent  # noqa: F401
from forensics_datasets.course.answers import within_m as _within_m  # noqa: F401
from forensics_datasets.course.answers import within_s as _within_s  # noqa: F401
from forensics_datasets.course.forms import FORMS, answer_feedback, assert_answer_form
from forensics_datasets.course.labs import LABS

__all__ = [
    "FORMS",
    "LABS",
    "QUESTIONS",
    "SECRET_FILE",
    "CourseSecretMissing",
    "answer_feedback",
    "assert_answer_form",
    "autograde_data",
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


# Answer keys already made in this process (the autograder's kernel asks for one per
# question): (lab, trainee, seed) -> key.
_KEYS: dict[tuple[str, str, int], dict[str, Any]] = {}


def make_lab_data(
    lab: str, trainee: str, out: str | os.PathLike[str], secret: bytes | None = None
) -> dict[str, Any]:
    """Write ``trainee``'s data for ``lab`` into ``out`` (no answer key left there) and
    return the answer key."""
    target = Path(out)
    seed = trainee_seed(trainee, lab, secret)
    key = LABS[lab](target, seed)
    (target / "answer_key.json").unlink(missing_ok=True)
    _KEYS[(lab, trainee, seed)] = key
    return key


def lab_answer_key(lab: str, trainee: str, secret: bytes | None = None) -> dict[str, Any]:
    """Regenerate ``trainee``'s answer key for ``lab`` (instructor side only)."""
    seed = trainee_seed(trainee, lab, secret)
    known = _KEYS.get((lab, trainee, seed))
    if known is not None:
        return known
    if secret is None and os.environ.get("NBGRADER_EXECUTION") == "autograde":
        # the key written beside the cached data (autograde_data), not a second rebuild
        saved = autograde_data(lab, trainee).with_suffix(".key.json")
        if saved.is_file():
            key: dict[str, Any] = json.loads(saved.read_text())
            _KEYS[(lab, trainee, seed)] = key
            return key
    with tempfile.TemporaryDirectory(prefix="forensics-key-") as tmp:
        return make_lab_data(lab, trainee, tmp, secret)


@functools.cache
def generators_digest() -> str:
    """SHA-256 of the data generators' source (every module of this package, and the
    library's, whose readers some generators call), so a changed kit never reuses data."""
    digest = hashlib.sha256()
    import forensics_lib

    for package in (Path(__file__).parents[1], Path(forensics_lib.__file__).parent):
        for path in sorted(package.rglob("*.py")):
            digest.update(path.relative_to(package.parent).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def autograde_cache_root() -> Path:
    """Where the autograder keeps each trainee's regenerated data (it is the answer to every
    question): ``$FORENSICS_AUTOGRADE_CACHE``, else ``.autograde-cache`` in the course folder
    (``$FORENSICS_COURSE_ROOT``, nbgrader's ``.*`` ignore rule keeps it out of assignments),
    else a per-user folder in the temporary directory; always mode 0700."""
    explicit = os.environ.get("FORENSICS_AUTOGRADE_CACHE")
    course_root = os.environ.get("FORENSICS_COURSE_ROOT")
    if explicit:
        root = Path(explicit)
    elif course_root:
        root = Path(course_root) / ".autograde-cache"
    else:
        root = Path(tempfile.gettempdir()) / f"forensics-autograde-{os.getuid()}"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    root.chmod(0o700)  # also when it existed, or the umask widened it
    return root


def lab_data(lab: str) -> Path:
    """The folder with this trainee's data for ``lab``.

    In a trainee's session: ``$FORENSICS_LAB_DATA/<lab>``, else ``../data/<lab>`` next to
    the lab folder (where ``make lab`` and the hub put it). Under the autograder: the
    trainee's data regenerated from the course secret (in a folder named by a digest of the
    seed, so a changed secret never reuses stale data).
    """
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        return autograde_data(lab, current_trainee())
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


def autograde_data(lab: str, trainee: str, secret: bytes | None = None) -> Path:
    """``trainee``'s data for ``lab`` in the autograder's cache, built once: the folder
    ``<cache>/<trainee>/<lab>-<tag>`` and its answer key beside it (``<lab>-<tag>.key.json``,
    mode 0600), so neither a later run nor :func:`check` rebuilds it. The tag digests the
    seed and the generators' code: a changed secret or kit never reuses stale data."""
    seed = trainee_seed(trainee, lab, secret)
    tag = hashlib.sha256(f"{lab}:{seed}:{generators_digest()}".encode()).hexdigest()[:16]
    cache = autograde_cache_root() / trainee / f"{lab}-{tag}"
    if not (cache / ".complete").is_file():
        cache.mkdir(parents=True, exist_ok=True)
        key = make_lab_data(lab, trainee, cache, secret)
        fd = os.open(cache.with_suffix(".key.json"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(key, fh)
        (cache / ".complete").write_text("")
    return cache


def check(lab: str, question: str, answer: object) -> bool:
    """Is ``answer`` right for this trainee? For the autograder's hidden tests only: it
    needs the course secret, and says nothing but True or False."""
    key = lab_answer_key(lab, current_trainee())
    expected, same = QUESTIONS[lab][question]
    return bool(same(answer, expected(key)))
