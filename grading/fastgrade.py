"""Mark a class fast: nbgrader's own Autograde converter in long-lived Dask workers.

``nbgrader autograde LAB --student T`` per submission pays, each time, nbgrader's start-up
(about 2.4 s of imports and configuration), then a kernel, and inside the kernel the
trainee's data and answer key rebuilt from the course secret. Here:

* each worker process loads nbgrader and the course's ``nbgrader_config.py`` once and runs
  :class:`nbgrader.converters.Autograde` in-process, with the same configuration and the
  same ``--create --force`` behaviour as the command: same gradebook rows, same autograded
  notebooks, same feedback;
* each notebook still gets a fresh kernel (nbgrader's ``Execute``), so a trainee's code, its
  namespace, imported modules and anything it patched die with their notebook: a kernel
  reused across trainees would let one trainee's ``check = lambda *a: True`` grade the next;
* the trainee's data and answer key are built once, by the worker (its generator modules
  already imported), into the course's 0700 autograde cache
  (``forensics_datasets.course.autograde_data``); the kernel reads both from there.

The engine is Dask distributed: a :class:`distributed.LocalCluster` of single-threaded
worker processes (one per core by default), or any scheduler given by address (``dask
scheduler`` / ``dask worker``, the engine the batch runs on) whose workers see the course
folder at the same path. A worker holds a lock around each submission, as nbgrader changes
the process's working directory, so a multi-threaded worker stays correct.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

GRADING = Path(__file__).resolve().parent
KIT = GRADING.parent
# SQLite waits this long for a busy gradebook (two workers writing at once) before failing.
GRADEBOOK_TIMEOUT_S = 60


@dataclass(frozen=True)
class Marked:
    """One graded submission: ``ok`` False with ``detail`` the error when it failed."""

    lab: str
    trainee: str
    ok: bool
    detail: str
    seconds: float


# -- worker side ------------------------------------------------------------------------------

# One submission at a time per process: nbgrader's converter chdirs into the course folder.
_LOCK = threading.Lock()


class _Collect(logging.Handler):
    """nbgrader's error messages for one submission (its converter logs, then carries on)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.errors.append(record.getMessage())


@lru_cache(maxsize=8)
def _course_config(grading: str, course_root: str) -> Any:
    """The course's nbgrader configuration, loaded once per worker and course, as
    ``nbgrader autograde`` run from ``grading/`` loads it."""
    from traitlets.config.loader import PyFileConfigLoader

    os.environ["FORENSICS_COURSE_ROOT"] = course_root
    config = PyFileConfigLoader("nbgrader_config.py", path=grading).load_config()
    # what the command's --create and --force flags set
    config.Autograde.create_student = True
    config.BaseConverter.force = True
    url = str(config.CourseDirectory.db_url)
    if url.startswith("sqlite:///") and "?" not in url:
        config.CourseDirectory.db_url = f"{url}?timeout={GRADEBOOK_TIMEOUT_S}"
    return config


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else text.strip()


_ZYGOTE: list[Any] = []  # this worker's warm-kernel fork server (grading/warmkernel.py)


def _warm_kernels() -> None:
    """Kernels forked from this worker's zygote: ``JUPYTER_PATH`` names its kernelspec."""
    import warmkernel

    if not _ZYGOTE or _ZYGOTE[0].process.poll() is not None:
        _ZYGOTE[:] = [warmkernel.Zygote()]
    folder = _ZYGOTE[0].jupyter_path
    paths = [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    if paths[:1] != [folder]:
        os.environ["JUPYTER_PATH"] = os.pathsep.join([folder, *paths])


def grade_submission(
    kit: str, course_root: str, lab: str, trainee: str, warm: bool = False
) -> dict[str, Any]:
    """Autograde ``trainee``'s submission of ``lab`` in this process (a Dask task); with
    ``warm`` its kernel is a fork of a warm zygote (grading/warmkernel.py).

    Returns a plain dict (it crosses process boundaries): lab, trainee, ok, detail, seconds.
    """
    for path in (str(Path(kit) / "datasets"), kit, str(Path(kit) / "grading")):
        if path not in sys.path:
            sys.path.insert(0, path)
    started = time.perf_counter()
    with _LOCK:
        bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` by name
        if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
        config = _course_config(str(Path(kit) / "grading"), course_root)
        os.environ["FORENSICS_COURSE_ROOT"] = course_root
        if warm:
            _warm_kernels()
        ok, detail = _build_data(lab, trainee)
        if ok:
            ok, detail = _autograde(config, lab, trainee)
    return {
        "lab": lab,
        "trainee": trainee,
        "ok": ok,
        "detail": detail,
        "seconds": time.perf_counter() - started,
    }


def _build_data(lab: str, trainee: str) -> tuple[bool, str]:
    """The trainee's data and key, once, into the autograde cache (the kernel reads them)."""
    from forensics_datasets.course import LABS, CourseSecretMissing, autograde_data

    if lab not in LABS:
        return True, ""
    try:
        autograde_data(lab, trainee)
    except CourseSecretMissing as error:
        return False, f"cannot build {trainee}'s data: {error}"
    return True, ""


def _autograde(config: Any, lab: str, trainee: str) -> tuple[bool, str]:
    from nbgrader.converters import Autograde, NbGraderException
    from nbgrader.coursedir import CourseDirectory
    from sqlalchemy.exc import SAWarning
    from traitlets.config import Config

    logger = logging.getLogger(f"forensics.fastgrade.{os.getpid()}")
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    collect = _Collect()
    logger.handlers = [collect]
    run_config = Config(config)
    coursedir = CourseDirectory(config=run_config, log=logger)
    coursedir.assignment_id = lab
    coursedir.student_id = trainee
    converter = Autograde(coursedir=coursedir, config=run_config, log=logger)
    cwd = Path.cwd()
    try:
        with warnings.catch_warnings():
            # nbgrader's gradebook code trips SQLAlchemy's autoflush notices (as the command does)
            warnings.simplefilter("ignore", SAWarning)
            converter.start()
    except NbGraderException as error:
        # the first traceback's last line ("NotJSONError: Notebook does not appear to be
        # JSON: ..."), else nbgraders's first message
        tracebacks = [e for e in collect.errors if e.startswith("Traceback")]
        return False, _last_line((tracebacks or collect.errors or [str(error)])[0])
    finally:
        os.chdir(cwd)
    return True, ""


# -- client side ------------------------------------------------------------------------------


def submissions(course_root: Path, labs: Iterable[str]) -> list[tuple[str, str]]:
    """(lab, trainee) of every submitted/<trainee>/<lab> folder, lab by lab."""
    folder = course_root / "submitted"
    found = []
    for lab in labs:
        if folder.is_dir():
            found += [(lab, p.name) for p in sorted(folder.iterdir()) if (p / lab).is_dir()]
    return found


class Progress:
    """A tqdm bar on a terminal; on a log file a line every ``every_s`` seconds (and at the
    end): ``graded 60/180 (33%), 41 s elapsed, ~80 s left``."""

    def __init__(
        self,
        total: int,
        stream: IO[str],
        *,
        tty: bool | None = None,
        every_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.stream, self.every_s, self.clock = total, stream, every_s, clock
        self.done = 0
        self.started = clock()
        self.last_line = self.started
        interactive = stream.isatty() if tty is None else tty
        self.bar: Any = None
        if interactive:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="marking", unit="submission", file=stream)

    def line(self) -> str:
        elapsed = self.clock() - self.started
        share = self.done / self.total if self.total else 1.0
        text = f"graded {self.done}/{self.total} ({share:.0%}), {elapsed:.0f} s elapsed"
        if 0 < self.done < self.total:
            text += f", ~{elapsed / self.done * (self.total - self.done):.0f} s left"
        return text

    def update(self) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
            return
        now = self.clock()
        if now - self.last_line >= self.every_s or self.done == self.total:
            self.last_line = now
            print(self.line(), file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A client of the given scheduler, or of a local cluster of ``workers`` single-threaded
    processes (default: one per core)."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:  # type: ignore[no-untyped-call]
            yield client
        return
    count = workers or os.cpu_count() or 1
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=count,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


def mark_class(
    course_root: Path,
    labs: Iterable[str],
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    stream: IO[str] | None = None,
    tty: bool | None = None,
    every_s: float = 10.0,
    retry: bool = True,
    warm: bool = False,
) -> list[Marked]:
    """Autograde every submission of ``labs`` on Dask; a failed one is retried once, alone
    (a gradebook busy beyond its timeout), before it is reported. Sorted by lab, trainee.
    ``warm``: kernels forked from a warm zygote per worker (grading/warmkernel.py)."""
    from distributed import as_completed

    def add_paths(paths: list[str]) -> None:
        # A nested function: Dask sends it by value, so a fresh worker can run it.
        for path in reversed(paths):
            if path not in sys.path:
                sys.path.insert(0, path)

    course = str(course_root.resolve())
    todo = submissions(course_root, labs)
    progress = Progress(len(todo), stream or sys.stderr, tty=tty, every_s=every_s)
    results: dict[tuple[str, str], Marked] = {}
    try:
        with dask_client(scheduler, workers) as client:
            # Workers (a `dask worker` too) import this module from the kit, at this path.
            client.run(add_paths, [str(KIT / "datasets"), str(KIT), str(GRADING)])
            futures = [
                client.submit(grade_submission, str(KIT), course, lab, trainee, warm, pure=False)
                for lab, trainee in todo
            ]
            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                done = Marked(**future.result())
                results[(done.lab, done.trainee)] = done
                progress.update()
            if retry:
                for key, done in sorted(results.items()):
                    if not done.ok:
                        again = client.submit(
                            grade_submission, str(KIT), course, *key, warm, pure=False
                        ).result()
                        results[key] = Marked(**again)
    finally:
        progress.close()
    return [results[key] for key in sorted(results)]
