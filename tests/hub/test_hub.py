"""The class's JupyterHub, for real, on loopback (issue 8).

One real JupyterHub (grading/hub/jupyterhub_config.py: NativeAuthenticator, the formgrader
as a hub-managed service, nbgrader's exchange, configurable-http-proxy) is started for the
module on free 127.0.0.1 ports and always stopped. Accounts go through NativeAuthenticator's
real sign-up and an instructor's approval.

Truth: the trainee's answers are checked against their own answer key regenerated from
the course secret (forensics_datasets.course.lab_answer_key); marks against the lab's
points (5 auto-graded questions: 1 + 1 + 1 + 2 + 2 = 7, grading/catalogue.json and the
notebook's nbgrader metadata); access control against JupyterHub's HTTP status codes.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "grading" / "hub"))
sys.path.insert(0, str(ROOT / "grading"))

import hubauth
import hubsettings
import launch

pytestmark = pytest.mark.lab

COURSE = hubsettings.COURSE_ID
LAB = "lab0_evidence"
AUTO_POINTS = 7.0  # q1 1 + q2 1 + q3 1 + q4 2 + q5 2 (the source notebook's grade cells)
FORMGRADER = f"/services/{COURSE}/formgrader"
PASSWORDS = {name: f"{name}-Pw-{uuid.uuid4().hex[:12]}" for name in ("teacher", "alice", "bob")}
CHROMIUM = Path("/usr/bin/chromium")
# Run as root (CI), this test hub's simple spawner would give trainees root: allowed for the
# test only (the servers run the checkout's venv, which an unprivileged user cannot reach
# here); tests/hub/test_security.py checks the system spawner's separation.
UNSAFE_ROOT = {"FORENSICS_HUB_UNSAFE_ROOT_SERVERS": "1"}
SCREENSHOTS = ROOT / "build" / "screenshots"

if not Path(hubsettings.proxy_command()).exists():
    pytest.skip(
        "configurable-http-proxy is not installed (make hub, or npm install -g "
        "configurable-http-proxy)",
        allow_module_level=True,
    )


@dataclass
class Hub:
    process: launch.HubProcess
    settings: hubsettings.HubSettings
    teacher: launch.HubClient
    alice: launch.HubClient
    bob: launch.HubClient


def _approved(hub_url: str, teacher: launch.HubClient, name: str) -> launch.HubClient:
    """Sign ``name`` up, prove the pending account cannot log in, approve it, log in."""
    client = launch.HubClient(hub_url)
    message = client.signup(name, PASSWORDS[name])
    assert message == hubauth.SIGNUP_MESSAGE, message  # waits for approval
    assert not client.login(name, PASSWORDS[name])  # not yet approved
    teacher.approve(name)
    assert client.login(name, PASSWORDS[name])
    client.new_token(name)
    return client


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    root = tmp_path_factory.mktemp("hub")
    settings = launch.settings_for(root, instructors=("teacher",))
    import course  # grading/course.py

    course.build_course(settings.course_root)  # generate_assignment; releasing is a test
    course.ensure_secret(settings.course_root)
    # the instructor account is made by the set-up (a hash in accounts.json), not sign-up
    hubauth.add_account(settings.root, "teacher", PASSWORDS["teacher"], role="instructor")
    with launch.running_hub(settings, extra_env=UNSAFE_ROOT) as process:
        teacher = launch.HubClient(process.url)
        assert teacher.login("teacher", PASSWORDS["teacher"])
        teacher.new_token("teacher")
        alice = _approved(process.url, teacher, "alice")
        bob = _approved(process.url, teacher, "bob")
        yield Hub(process, settings, teacher, alice, bob)
    assert process.proc is None


def _key(hub: Hub, trainee: str) -> dict[str, Any]:
    from forensics_datasets.course import lab_answer_key

    secret = (hub.settings.course_root / ".course_secret").read_bytes().strip()
    return lab_answer_key(LAB, trainee, secret)


def _ok(response: Any) -> dict[str, Any]:
    assert response.ok, f"HTTP {response.status_code}: {response.text[:500]}"
    body: dict[str, Any] = response.json()
    return body


def _formgrader(hub: Hub, method: str, path: str) -> dict[str, Any]:
    """The instructor's formgrader API, through the hub (OAuth-checked by the service)."""
    return _ok(hub.teacher.request(method, f"{FORMGRADER}/api/{path}", timeout=600))


def _assignments(client: launch.HubClient, user: str, action: str = "") -> dict[str, Any]:
    """A trainee's nbgrader Assignments panel API in their own server."""
    path = f"/user/{user}/assignments" + (f"/{action}" if action else "")
    form = {"course_id": COURSE, "assignment_id": LAB}
    if action:
        done = _ok(client.request("POST", path, data=form, timeout=300))
        assert done["success"], done
        return done
    return _ok(client.request("GET", path, params={"course_id": COURSE}))


async def _run_cells(url: str, user: str, token: str, notebook: str, cells: list[str]) -> list[Any]:
    """Run ``cells`` in a kernel of ``user``'s server (a session on ``notebook``, so the
    kernel works in its folder) over the Jupyter websocket protocol; return the
    execute_reply contents."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    client = launch.HubClient(url)
    client.token = token
    session = _ok(
        client.request(
            "POST",
            f"/user/{user}/api/sessions",
            json={"path": notebook, "type": "notebook", "kernel": {"name": "python3"}},
        )
    )
    kernel = session["kernel"]["id"]
    ws_url = url.replace("http", "ws", 1) + f"/user/{user}/api/kernels/{kernel}/channels"
    conn = await websocket_connect(
        HTTPRequest(ws_url, headers={"Authorization": f"token {token}"}, request_timeout=60)
    )
    replies = []
    try:
        for code in cells:
            msg_id = uuid.uuid4().hex
            conn.write_message(
                json.dumps(
                    {
                        "header": {
                            "msg_id": msg_id,
                            "msg_type": "execute_request",
                            "username": user,
                            "session": uuid.uuid4().hex,
                            "version": "5.3",
                            "date": "",
                        },
                        "parent_header": {},
                        "metadata": {},
                        "content": {
                            "code": code,
                            "silent": False,
                            "store_history": True,
                            "user_expressions": {},
                            "allow_stdin": False,
                            "stop_on_error": True,
                        },
                        "channel": "shell",
                        "buffers": [],
                    }
                )
            )
            reply: dict[str, Any] = {}
            result, idle = None, False
            while not (reply and idle):  # the shell reply, and iopub's idle after outputs
                raw = await asyncio.wait_for(conn.read_message(), timeout=300)
                assert raw is not None, "kernel websocket closed"
                msg = json.loads(raw)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "execute_reply":
                    reply = msg["content"]
                elif msg["msg_type"] == "execute_result":
                    result = msg["content"]["data"].get("text/plain")
                elif msg["msg_type"] == "status":
                    idle = msg["content"]["execution_state"] == "idle"
            replies.append({**reply, "result": result})
    finally:
        conn.close()
        client.request("DELETE", f"/user/{user}/api/sessions/{session['id']}")
    return replies


def _solution_cells(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The released notebook with the model answers typed in (by grade_id)."""
    source = nbformat.read(ROOT / "notebooks" / LAB / f"{LAB}.ipynb", as_version=4)
    solution = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
                if c.metadata.get("nbgrader", {}).get("solution")}  # fmt: skip
    for cell in notebook.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in solution:
            cell.source = solution[gid]
    return notebook


def _ensure_released(hub: Hub) -> None:
    """The instructor releases the lab from the formgrader (a hub service), once."""
    if not (hub.settings.exchange_root / COURSE / "outbound" / LAB).is_dir():
        _formgrader(hub, "POST", f"assignment/{LAB}/release")


def test_release_fetch_run_submit_collect_autograde_feedback(hub: Hub) -> None:
    _ensure_released(hub)
    hub.alice.start_server("alice")  # as her first login does; her data is written then
    listed = _assignments(hub.alice, "alice")["value"]
    assert {(a["assignment_id"], a["status"]) for a in listed} >= {(LAB, "released")}

    # alice fetches it into her home, with her own data variant beside it.
    _assignments(hub.alice, "alice", "fetch")
    home = hub.settings.homes / "alice"
    assert (home / LAB / f"{LAB}.ipynb").is_file()
    assert (home / "data" / LAB).is_dir() and not list((home / "data").rglob("answer_key.json"))
    # and the shared datasets the tour reads (../data/demo ...), keys left out
    assert (home / "data" / "demo" / "hashes.json").is_file()
    assert (home / "data" / "voip").is_dir() and not list((home / "data").rglob("*answer_key*"))

    # She runs it in her own kernel: answers typed in, every cell executed, then saved.
    notebook_path = f"{LAB}/{LAB}.ipynb"
    model = _ok(hub.alice.request("GET", f"/user/alice/api/contents/{notebook_path}"))
    nb = _solution_cells(nbformat.from_dict(model["content"]))
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert hub.alice.token is not None
    replies = asyncio.run(
        _run_cells(
            hub.process.url, "alice", hub.alice.token, notebook_path, [*code, "exhibit_sha256"]
        )
    )
    failed = [r for r in replies if r["status"] != "ok"]
    assert not failed, failed[:1]
    # her kernel read her own data variant (its hash is her key's, not bob's)
    assert replies[-1]["result"].strip("'") == _key(hub, "alice")["exhibit_sha256"]
    saved = hub.alice.request(
        "PUT",
        f"/user/alice/api/contents/{notebook_path}",
        json={"type": "notebook", "format": "json", "content": nb},
    )
    assert saved.status_code == 200, saved.text[:300]

    _assignments(hub.alice, "alice", "submit")
    assert any(p.name.startswith(f"alice+{LAB}+") for p in
               (hub.settings.exchange_root / COURSE / "inbound").iterdir())  # fmt: skip

    # The instructor collects from a shell (grading/course.py collect), then autogrades
    # from the formgrader (whose collect button must also work after it).
    import course  # grading/course.py

    assert course.main(["collect", LAB, "--hub-root", str(hub.settings.root)]) == 0
    assert (hub.settings.course_root / "submitted" / "alice" / LAB / f"{LAB}.ipynb").is_file()
    _formgrader(hub, "POST", f"assignment/{LAB}/collect")
    graded = _formgrader(hub, "POST", f"submission/{LAB}/alice/autograde")
    assert graded["success"], graded.get("log", "")[-2000:]
    submission = _formgrader(hub, "GET", f"submission/{LAB}/alice")
    assert submission["code_score"] == AUTO_POINTS  # her answers match her own key
    assert submission["max_code_score"] == AUTO_POINTS
    for step in ("generate_feedback", "release_feedback"):
        done = _formgrader(hub, "POST", f"assignment/{LAB}/alice/{step}")
        assert done["success"], done.get("log", "")[-2000:]

    # alice fetches her feedback: her score; the hidden tests stay hidden.
    _assignments(hub.alice, "alice", "fetch_feedback")
    pages = list((home / LAB / "feedback").glob(f"*/{LAB}.html"))
    assert len(pages) == 1
    html = pages[0].read_text()
    assert f"Score: {AUTO_POINTS:g}" in html or f"{AUTO_POINTS:g} / " in html
    assert "HIDDEN TESTS" not in html and "import check" not in html
    assert "check(&quot;lab0_evidence" not in html and 'check("lab0_evidence' not in html


def test_access_control(hub: Hub) -> None:
    bob = hub.bob
    bob.start_server("bob")
    # bob's own server: yes. alice's server, files and account: no.
    assert bob.request("GET", "/user/bob/api/contents").status_code == 200
    for path in ("/user/alice/api/contents", f"/user/alice/api/contents/{LAB}",
                 "/user/alice/lab"):  # fmt: skip
        got = bob.request("GET", path, allow_redirects=False)
        assert got.status_code in (403, 404), (path, got.status_code)
    assert bob.request("GET", "/hub/api/users/alice").status_code in (403, 404)
    assert bob.request("POST", "/hub/api/users/alice/server").status_code in (403, 404)
    # nor the formgrader, by token or by browser cookie
    got = bob.request("GET", f"{FORMGRADER}/api/assignments", allow_redirects=False)
    assert got.status_code in (302, 403), got.status_code
    page = bob.session.get(f"{hub.process.url}{FORMGRADER}/", timeout=60)
    assert page.status_code == 403
    # nor anyone's feedback: fetching feedback finds only what matches bob's own
    # submissions (nbgrader names feedback by a hash of the submission), so nothing
    _assignments(bob, "bob", "fetch")
    _assignments(bob, "bob", "fetch_feedback")
    assert not list((hub.settings.homes / "bob").rglob("feedback/*/*.html"))
    # the instructor tools are off in a trainee's server
    assert bob.request("GET", "/user/bob/formgrader", allow_redirects=False).status_code == 404
    # a wrong password, an unknown user: refused
    assert not launch.HubClient(hub.process.url).login("alice", "not-her-password")
    assert not launch.HubClient(hub.process.url).login("mallory", PASSWORDS["alice"])
    # and the instructor does reach the formgrader
    assert hub.teacher.request("GET", f"{FORMGRADER}/api/assignments").status_code == 200


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_browser_trainee_opens_lab_and_runs_a_cell(hub: Hub) -> None:
    pytest.importorskip("playwright.sync_api", reason="pip playwright is not installed")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=120_000)

    _ensure_released(hub)
    url = hub.process.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "hub_trainee_lab.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(90_000)
            page.goto(f"{url}/hub/login")
            page.fill("#username_input", "bob")
            page.fill("#password_input", "wrong password")
            page.click("#login_submit")
            expect(page.locator("#login_submit")).to_be_visible()  # still on the login page
            page.fill("#username_input", "bob")
            page.fill("#password_input", PASSWORDS["bob"])
            page.click("#login_submit")
            page.wait_for_url(f"{url}/user/bob/lab**")
            page.locator(".jp-LabShell").wait_for()
            # the Assignments panel (nbgrader's lab extension) lists the lab
            page.get_by_text("Nbgrader", exact=True).click()
            page.get_by_text("Assignment List", exact=True).click()
            panel = page.locator("#assignments")
            expect(panel.get_by_text(LAB).first).to_be_visible()
            if not (hub.settings.homes / "bob" / LAB).is_dir():
                panel.get_by_role("button", name="Fetch").first.click()
                expect(panel.get_by_role("button", name="Submit").first).to_be_visible()
            # open the notebook and run its first code cell
            page.goto(f"{url}/user/bob/lab/tree/{LAB}/{LAB}.ipynb")
            cell = page.locator(".jp-Notebook .jp-CodeCell").first
            cell.wait_for()
            expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible()  # kernel up
            cell.locator(".cm-content").click()
            page.keyboard.press("Shift+Enter")
            expect(cell.locator(".jp-InputArea-prompt")).to_have_text("[1]:")
            # its output lists bob's own data folder
            expect(page.locator(".jp-OutputArea-output").first).to_contain_text("hashes.json")
            page.screenshot(path=str(shot))
        except BaseException:
            page.screenshot(path=str(SCREENSHOTS / "hub_trainee_lab_failed.png"))
            raise
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
