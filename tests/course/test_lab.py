"""The `make lab` path: datasets, the nbgrader course, the trainee workspace, JupyterLab.

Truth: the demo generator's answer key (what the tour must show), and the server's own
contents API (what a browser would list).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.lab

COURSE = ROOT / "grading" / "course.py"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    made = _run(
        sys.executable, "-m", "forensics_datasets", "make-default", "--out", str(out / "datasets")
    )
    assert made.returncode == 0, made.stderr
    done = _run(
        sys.executable, str(COURSE), "build", "--datasets", str(out / "datasets"), "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    return out


def test_course_release_and_workspace(built: Path) -> None:
    release = built / "course" / "release" / "00_tour" / "tour.ipynb"
    assert release.is_file()
    workspace = built / "lab"
    assert (workspace / "00_tour" / "tour.ipynb").is_file()
    assert (workspace / "data" / "demo" / "EXH-001_phone_excerpt.zip").is_file()
    # The answer key is the instructor's: it never reaches the trainee's folder.
    assert (built / "datasets" / "demo" / "answer_key.json").is_file()
    assert list((built / "datasets").rglob("*answer_key*"))  # the instructor's copy has them
    assert not list(workspace.rglob("*answer_key*"))
    # Every family's data reaches the workspace: drone log, phone extractions, capture.
    for wanted in ("drone/flight.tlog", "phone/EXH-000_android_ffs.zip", "voip/prison_wifi.pcapng"):
        assert (workspace / "data" / wanted).is_file(), wanted


def test_second_build_keeps_trainee_work(built: Path) -> None:
    notebook = built / "lab" / "00_tour" / "tour.ipynb"
    original = notebook.read_bytes()
    notebook.write_bytes(original + b" ")  # the trainee saved their work
    again = _run(
        sys.executable,
        str(COURSE),
        "build",
        "--datasets",
        str(built / "datasets"),
        "--out",
        str(built),
    )
    assert again.returncode == 0, again.stderr
    assert "course up to date" in again.stderr
    assert notebook.read_bytes() == original + b" "
    notebook.write_bytes(original)


def test_tour_runs_end_to_end_and_shows_the_wal_row(built: Path, tmp_path: Path) -> None:
    workspace = built / "lab" / "00_tour"
    out = tmp_path / "executed.ipynb"
    run = _run(
        sys.executable,
        "-m",
        "jupyter",
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--ExecutePreprocessor.timeout=120",
        "tour.ipynb",
        "--output",
        str(out),
        cwd=workspace,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    executed = json.loads(out.read_text())
    text = json.dumps([c.get("outputs", []) for c in executed["cells"]])
    key = json.loads((built / "datasets" / "demo" / "answer_key.json").read_text())
    assert key["note_only_in_wal"] in text  # the row that exists only in the -wal file
    assert key["exhibit_sha256"] in text
    assert "verified: True" in text
    # The tour of the other families shows their facts (truth: their answer keys).
    drone_key = json.loads((built / "datasets" / "drone" / "answer_key.json").read_text())
    assert str(drone_key["liftoff_utc"])[:16].replace("T", " ") in text.replace("T", " ")
    voip_key = json.loads((built / "datasets" / "voip" / "answer_key.json").read_text())
    assert any(call["state"] in text for call in voip_key["calls"])
    assert "Pixel" in text or "android" in text.lower()
    # The plots appear as pictures (the timeline and the flight map), not as "<Figure ...>".
    images = [o for c in executed["cells"] for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]  # fmt: skip
    assert len(images) >= 2


@pytest.fixture
def lab_server(built: Path) -> Iterator[tuple[int, str]]:
    port, token = _free_port(), "test-token-not-secret"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.Popen(
        [
            sys.executable,
            str(COURSE),
            "serve",
            "--root",
            str(built / "lab"),
            "--port",
            str(port),
            "--token",
            token,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield port, token
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def _get(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()


def test_lab_server_serves_the_notebooks(lab_server: tuple[int, str]) -> None:
    port, token = lab_server
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    status, body = 0, b""
    while time.monotonic() < deadline:
        try:
            status, body = _get(f"{base}/api/contents/00_tour", token)
            break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    assert status == 200, body[:500]
    names = [item["name"] for item in json.loads(body)["content"]]
    assert "tour.ipynb" in names
    status, page = _get(f"{base}/lab", token)
    assert status == 200 and b"JupyterLab" in page
    # Without the token the API refuses.
    status, _ = _get(f"{base}/api/contents/00_tour", "wrong-token")
    assert status == 403
