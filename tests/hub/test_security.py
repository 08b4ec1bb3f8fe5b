"""A trainee owns their server and nothing else (issue 15 part 4, and the image of part 1).

A real JupyterHub (grading/hub/jupyterhub_config.py, NativeAuthenticator hardened by
grading/hub/hubauth.py, configurable-http-proxy) is started on loopback *outside* demo mode,
and driven over HTTP as a curious trainee would: signing up reserved names, logging in to
the demo accounts, locking the instructor out, guessing names from answers and timings.
Every attempt must be refused. Distinct client addresses are real loopback source
addresses (127.0.0.x), which the proxy reports to the hub in X-Forwarded-For.

Root-only tests (CI runs as root) create real system users with useradd and try, as one
trainee (runuser), to read the course state, the hub's secrets and another trainee's home.

Truth: the issue's list of what must be refused; the POSIX permission checks of the kernel
(a read attempt as the trainee's uid); bcrypt's cost (a check takes tens of ms: an answer
that skips it is ~100 times faster, the issue measured 500 ms against 6 ms).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from requests.adapters import HTTPAdapter

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "grading" / "hub"))
sys.path.insert(0, str(ROOT / "grading"))

import hubauth
import hubsettings
import launch

# Real hubs, about a minute: run in CI (make test with CI set) and make test-slow.
pytestmark = pytest.mark.slow

IS_ROOT = os.geteuid() == 0
NEEDS_ROOT = pytest.mark.skipif(not IS_ROOT, reason="useradd and runuser need root (CI is)")
PASSWORDS = {name: f"{name}-Pw-{uuid.uuid4().hex[:12]}" for name in
             ("teacher", "alice", "instructor", "trainee")}  # fmt: skip
WINDOW_S = 6.0  # the hub's lock window here (FORENSICS_HUB_LOCK_WINDOW_S)
BASE_S = 2.0  # the first back-off (FORENSICS_HUB_LOCK_BASE_S)
ADDRESS_LIMIT = 10  # failures one address may make within the window

needs_proxy = pytest.mark.skipif(
    not Path(hubsettings.proxy_command()).exists(),
    reason="configurable-http-proxy is not installed (make hub-proxy)",
)


class _Source(HTTPAdapter):
    """Connections from a chosen loopback source address (127.0.0.x)."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client(url: str, address: str = "127.0.0.1") -> launch.HubClient:
    made = launch.HubClient(url)
    made.session.mount("http://", _Source(address))
    return made


@dataclass
class Hub:
    url: str
    settings: hubsettings.HubSettings
    teacher: launch.HubClient


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    if not Path(hubsettings.proxy_command()).exists():
        pytest.skip("configurable-http-proxy is not installed (make hub-proxy)")
    root = tmp_path_factory.mktemp("hub-security")
    settings = launch.settings_for(root, instructors=("teacher",))  # demo=False
    # the set-up: an instructor account, and the demo accounts a `make hub` would make
    hubauth.add_account(root, "teacher", PASSWORDS["teacher"], role="instructor")
    hubauth.add_account(root, "instructor", PASSWORDS["instructor"], demo=True)
    hubauth.add_account(root, "trainee", PASSWORDS["trainee"], role="trainee", demo=True)
    env = {
        "FORENSICS_HUB_UNSAFE_ROOT_SERVERS": "1",  # no server is started here
        "FORENSICS_HUB_LOCK_BASE_S": str(BASE_S),
        "FORENSICS_HUB_LOCK_WINDOW_S": str(WINDOW_S),
        "FORENSICS_HUB_ADDRESS_LIMIT": str(ADDRESS_LIMIT),
    }
    with launch.running_hub(settings, extra_env=env) as process:
        teacher = client(process.url)
        assert teacher.login("teacher", PASSWORDS["teacher"])
        teacher.new_token("teacher")
        alice = client(process.url)
        assert alice.signup("alice", PASSWORDS["alice"]) == hubauth.SIGNUP_MESSAGE
        teacher.approve("alice")
        assert client(process.url).login("alice", PASSWORDS["alice"])
        yield Hub(process.url, settings, teacher)


def _is_admin(hub: Hub, name: str) -> bool | None:
    got = hub.teacher.request("GET", f"/hub/api/users/{name}")
    return None if got.status_code == 404 else bool(got.json().get("admin"))


@needs_proxy
def test_reserved_names_cannot_sign_up(hub: Hub) -> None:
    """An anonymous sign-up with an instructor's (or any reserved) name: refused, with the
    message any sign-up gets; the name never logs in with the sign-up's password and never
    becomes admin, even when an instructor clicks "approve"."""
    for name in ("teacher", "Teacher", "admin", "root", "instructor", "trainee",
                 hubsettings.COURSE_ID):  # fmt: skip
        mallory = client(hub.url, "127.0.0.5")
        password = f"mallory-{uuid.uuid4().hex}"
        assert mallory.signup(name, password) == hubauth.SIGNUP_MESSAGE, name
        assert not mallory.login(name, password), name
        hub.teacher.session.get(f"{hub.url}/hub/authorize/{name}", timeout=30)
        assert not client(hub.url, "127.0.0.5").login(name, password), name
        assert _is_admin(hub, name.lower()) in (None, name.lower() == "teacher"), name
    # the instructor's own password still works (from another address: the attempts above
    # locked (teacher, 127.0.0.5))
    assert client(hub.url, "127.0.0.13").login("teacher", PASSWORDS["teacher"])


@needs_proxy
def test_demo_accounts_are_refused_outside_demo_mode(hub: Hub) -> None:
    for name in ("instructor", "trainee"):
        assert not client(hub.url, "127.0.0.6").login(name, PASSWORDS[name]), name


@needs_proxy
def test_signup_answers_do_not_tell_whether_a_name_exists(hub: Hub) -> None:
    """A new name, a taken one and a reserved one get the same words, in about the same time
    (each pays one bcrypt hash)."""
    times: dict[str, list[float]] = {"new": [], "taken": [], "reserved": []}
    for _ in range(2):
        for kind, name in (("new", f"carol{uuid.uuid4().hex[:6]}"), ("taken", "alice"),
                           ("reserved", "teacher")):  # fmt: skip
            visitor = client(hub.url, "127.0.0.12")
            visitor._xsrf("/hub/signup")
            start = time.perf_counter()
            message = visitor.signup(name, f"Pw-{uuid.uuid4().hex}")
            times[kind].append(time.perf_counter() - start)
            assert message == hubauth.SIGNUP_MESSAGE, (kind, message)
    medians = {kind: statistics.median(t) for kind, t in times.items()}
    assert max(medians.values()) < 4 * min(medians.values()), medians


@needs_proxy
def test_login_time_does_not_tell_whether_a_name_exists(hub: Hub) -> None:
    unknown, known = [], []
    for i in range(3):
        for name, bucket in ((f"nobody{i}{uuid.uuid4().hex[:4]}", unknown), ("alice", known)):
            visitor = client(hub.url, "127.0.0.11")
            form = {"_xsrf": visitor._xsrf("/hub/login"), "username": name, "password": "wrong!"}
            start = time.perf_counter()
            got = visitor.session.post(
                f"{hub.url}/hub/login", data=form, timeout=30, allow_redirects=False
            )
            bucket.append(time.perf_counter() - start)
            assert got.status_code != 302
    ratio = statistics.median(known) / statistics.median(unknown)
    assert 0.25 < ratio < 4, (known, unknown)  # without the dummy hash: ~100


@needs_proxy
def test_lockout_is_per_account_and_address_and_forgotten(hub: Hub) -> None:
    """An attacker's failures lock only their own (name, address) pair: the instructor,
    elsewhere, logs in; a forged X-Forwarded-For does not move the attacker; the lock is
    forgotten after the window without any success."""
    attacker = "127.0.0.7"
    for _ in range(3):
        assert not client(hub.url, attacker).login("teacher", "guess-guess-guess")
    # locked now: even the right password from the attacker's address is refused
    assert not client(hub.url, attacker).login("teacher", PASSWORDS["teacher"])
    forged = client(hub.url, attacker)
    forged.session.headers["X-Forwarded-For"] = "127.0.0.99"
    assert not forged.login("teacher", PASSWORDS["teacher"])
    # the instructor, from their own address, is not locked out
    assert client(hub.url, "127.0.0.8").login("teacher", PASSWORDS["teacher"])
    time.sleep(WINDOW_S + 0.5)
    assert client(hub.url, attacker).login("teacher", PASSWORDS["teacher"])


@needs_proxy
def test_per_address_limit(hub: Hub) -> None:
    """Many names tried from one address (each below the per-account lock): the address is
    refused, whoever it logs in as; other addresses are not."""
    sprayer = "127.0.0.9"
    for i in range(ADDRESS_LIMIT):
        assert not client(hub.url, sprayer).login(f"guess{i}", "Password123!")
    assert not client(hub.url, sprayer).login("alice", PASSWORDS["alice"])
    assert client(hub.url, "127.0.0.10").login("alice", PASSWORDS["alice"])


# -- the authenticator's parts, without a hub --------------------------------------------------


def test_throttle_back_off_doubles_and_is_forgotten() -> None:
    """free=3, base=2 s: after failures 3, 4, 5 the pair waits 2, 4, 8 s (capped at 10);
    60 s after the last failure it starts afresh; another address is never affected."""
    t = hubauth.Throttle(free=3, base=2, cap=10, window=60, per_address=100)
    now = 1000.0
    for n, wait in ((1, 0), (2, 0), (3, 2), (4, 4), (5, 8), (6, 10), (7, 10)):
        t.failed("teacher", "a", now)
        assert t.wait("teacher", "a", now) == wait, n
        assert t.wait("teacher", "b", now) == 0
    assert t.wait("teacher", "a", now + 59) == 0  # 10 s cap passed
    assert t.wait("teacher", "a", now + 60) == 0
    t.failed("teacher", "a", now + 61)  # counted from 1 again
    assert t.wait("teacher", "a", now + 61) == 0


def test_demo_accounts_log_in_in_demo_mode_only(tmp_path: Path) -> None:
    pytest.importorskip("nativeauthenticator")
    password = hubauth.add_account(tmp_path, "trainee", role="trainee", demo=True)
    stored = (tmp_path / hubauth.ACCOUNTS_FILE).read_text()
    assert password not in stored and "$2b$" in stored  # a bcrypt hash, not the password
    assert oct((tmp_path / hubauth.ACCOUNTS_FILE).stat().st_mode & 0o777) == "0o600"
    cls = hubauth.make_authenticator_class()
    accounts = str(tmp_path / hubauth.ACCOUNTS_FILE)
    demo = cls(add_new_table=False, accounts_file=accounts, demo_mode=True)
    assert demo._check("trainee", password) and not demo._check("trainee", "wrong")
    plain = cls(add_new_table=False, accounts_file=accounts, demo_mode=False)
    assert not plain._check("trainee", password)


def test_launch_keeps_no_clear_password(tmp_path: Path) -> None:
    (tmp_path / launch.ACCOUNTS_FILE).write_text('{"instructor": "old-clear-text"}')
    shown = launch.create_demo_accounts(tmp_path)
    assert shown is not None and set(shown) == {launch.DEMO_INSTRUCTOR, launch.DEMO_TRAINEE}
    assert not (tmp_path / launch.ACCOUNTS_FILE).exists()  # the old clear-text file
    text = "".join(p.read_text() for p in tmp_path.iterdir() if p.is_file())
    assert all(password not in text for password in shown.values())
    assert launch.create_demo_accounts(tmp_path) is None  # made once


# -- the trainees' image ---------------------------------------------------------------------


def _copy_sources(dockerfile: Path) -> list[str]:
    """Every source of every COPY line (not --from stages), continuation lines joined."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    sources = []
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].upper() != "COPY":
            continue
        args = [w for w in words[1:] if not w.startswith("--")]
        assert not any(w.startswith("--from") for w in words), line
        sources += args[:-1]
    return sources


def test_trainee_image_copies_released_notebooks_only() -> None:
    """grading/hub/Dockerfile: no COPY brings in notebooks/ (sources with model answers and
    hidden tests), the instructor guide or the whole checkout; the only notebooks are the
    release (build/course/release); .dockerignore keeps the rest out of the build context."""
    hub_dir = ROOT / "grading" / "hub"
    sources = _copy_sources(hub_dir / "Dockerfile")
    assert "build/course/release" in sources
    for source in sources:
        assert source not in (".", "./", "*", "labs", "labs/") and not source.startswith(
            ("notebooks", "./notebooks", "build/course/source", "build/course/autograded")
        ), source
        if source.startswith("build/"):
            continue  # generated by `make course`; checked below when present
        matched = list(ROOT.glob(source))
        assert matched, source
        for path in matched:
            files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
            assert not [p for p in files if p.suffix == ".ipynb"], source
            assert not [p for p in files if p.name in ("instructor_guide.md", ".course_secret")]
    ignore = (ROOT / ".dockerignore").read_text().split()
    assert {"notebooks", "labs/instructor_guide.md", "build", "!build/course/release"} <= set(
        ignore
    )
    assert ignore.index("!build/course/release") > ignore.index("build")
    release = ROOT / "build" / "course" / "release"
    for notebook in release.rglob("*.ipynb") if release.is_dir() else []:
        text = notebook.read_text()
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, notebook


# -- one system user per trainee (root) ---------------------------------------------------


def _as(user: str, *cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["runuser", "-u", user, "--", *cmd], capture_output=True, text=True)


@pytest.fixture
def machine() -> Iterator[tuple[hubsettings.HubSettings, list[str]]]:
    """A hub root in a world-traversable place (the checkout's build/, as `make hub` uses)
    and two trainees' system accounts, removed afterwards."""
    root = ROOT / "build" / f"test-hub-security-{uuid.uuid4().hex[:8]}"
    root.mkdir(parents=True)
    closed = hubsettings.others_cannot_run(root)
    if closed is not None:
        shutil.rmtree(root)
        pytest.skip(f"other users cannot enter {closed} (the checkout) here")
    names = [f"tr{uuid.uuid4().hex[:8]}" for _ in range(2)]
    settings = hubsettings.HubSettings(root=root, spawner="system")
    try:
        yield settings, names
    finally:
        for name in names:
            subprocess.run(["userdel", name], capture_output=True)
            subprocess.run(["groupdel", name], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@NEEDS_ROOT
def test_trainees_are_system_users_apart_from_course_state(
    machine: tuple[hubsettings.HubSettings, list[str]],
) -> None:
    settings, (alice, bob) = machine
    import course  # grading/course.py

    hubsettings.protect_state(settings)
    course.ensure_secret(settings.course_root)
    (settings.course_root / "gradebook.db").write_bytes(b"SQLite format 3\0")
    (settings.course_root / "source").mkdir()
    (settings.course_root / "source" / "model_answer.md").write_text("the answers")
    hubauth.add_account(settings.root, "teacher", role="instructor")
    secret = settings.root / "jupyterhub_cookie_secret"
    secret.write_bytes(os.urandom(32))
    secret.chmod(0o600)
    homes = {name: hubsettings.ensure_system_user(name, settings.homes) for name in (alice, bob)}
    for name, home in homes.items():
        assert oct(home.stat().st_mode & 0o777) == "0o700"
        assert home.stat().st_uid != 0 and home.owner() == name
        (home / "notes.txt").write_text(f"{name}'s notes")
        shutil.chown(home / "notes.txt", name, name)
    # control: alice reads her own files (so the refusals below are the permissions')
    assert _as(alice, "cat", str(homes[alice] / "notes.txt")).returncode == 0
    assert _as(alice, "id", "-u").stdout.strip() != "0"
    refused = [
        settings.course_root / ".course_secret",
        settings.course_root / "gradebook.db",
        settings.course_root / "source" / "model_answer.md",
        settings.root / hubauth.ACCOUNTS_FILE,
        secret,
        settings.root / "jupyterhub.sqlite",
        homes[bob] / "notes.txt",
    ]
    for path in refused:
        got = _as(alice, "cat", str(path))
        assert got.returncode != 0 and "Permission denied" in got.stderr, path
    assert _as(alice, "ls", str(settings.homes)).returncode != 0  # not even the names
    # an account the hub did not create is never a trainee's
    with pytest.raises(PermissionError):
        hubsettings.ensure_system_user("daemon", settings.homes)


@NEEDS_ROOT
def test_kit_sources_closed_to_trainees(
    machine: tuple[hubsettings.HubSettings, list[str]],
) -> None:
    settings, (alice, _) = machine
    kit = settings.root / "kit"
    (kit / "notebooks" / "lab0").mkdir(parents=True)
    (kit / "labs").mkdir()
    for path in (kit / "notebooks" / "lab0" / "lab0.ipynb", kit / "labs" / "instructor_guide.md"):
        path.write_text("### BEGIN SOLUTION")
    for folder in (settings.root, kit, kit / "notebooks", kit / "notebooks" / "lab0", kit / "labs"):
        folder.chmod(0o755)  # as a checkout is
    hubsettings.ensure_system_user(alice, settings.homes)
    assert _as(alice, "cat", str(kit / "notebooks" / "lab0" / "lab0.ipynb")).returncode == 0
    assert hubsettings.protect_checkout(kit)
    for path in (kit / "notebooks" / "lab0" / "lab0.ipynb", kit / "labs" / "instructor_guide.md"):
        assert _as(alice, "cat", str(path)).returncode != 0, path


@NEEDS_ROOT
@needs_proxy
def test_simple_spawner_refused_as_root(tmp_path: Path) -> None:
    """As root, the demo spawner would give every trainee root: the hub refuses to start."""
    settings = launch.settings_for(tmp_path / "hub", spawner="simple")
    hub = launch.HubProcess(settings)
    with pytest.raises(launch.HubError, match="as root"):
        hub.start(timeout=60)
    hub.stop()
    assert hubsettings.HubSettings.from_env({}).spawner == "system"  # root's default


@NEEDS_ROOT
def test_a_trainee_with_a_system_account_still_logs_in(tmp_path: Path) -> None:
    """Once the hub made a trainee's system account, sign-up refuses that name, but the
    approved trainee's own login is not refused for it."""
    pytest.importorskip("nativeauthenticator")
    cls = hubauth.make_authenticator_class()
    auth = cls(add_new_table=False, accounts_file=str(tmp_path / "none.json"),
               reserve_system_accounts=True)  # fmt: skip
    assert auth.is_reserved("daemon") and not auth.is_reserved("daemon", system=False)
    assert auth.is_reserved("teacher" if "teacher" in hubauth.ALWAYS_RESERVED else "admin")


def _unprivileged_python() -> str:
    """Why an unprivileged trainee cannot run the hub's Python here ('' when they can)."""
    if not IS_ROOT:
        return "the system spawner needs root (CI runs as root)"
    got = subprocess.run(["runuser", "-u", "nobody", "--", sys.executable, "-c", "1"],
                         capture_output=True, text=True)  # fmt: skip
    if got.returncode:
        return f"the hub's Python ({sys.executable}) is not executable by other users here"
    return ""


@pytest.mark.skipif(bool(_unprivileged_python()), reason=_unprivileged_python() or "-")
@needs_proxy
def test_system_spawner_trainee_kernel_reads_nothing_of_others(tmp_path: Path) -> None:
    """A real hub as root with one system user per trainee: alice's kernel runs as her own
    uid (not root) and cannot read the course secret, the gradebook, the set-up accounts,
    the cookie secret or bob's home; nor the kit's source notebooks."""
    import ast
    import asyncio

    import course  # grading/course.py

    from tests.hub.test_hub import _run_cells

    root = ROOT / "build" / f"test-hub-system-{uuid.uuid4().hex[:8]}"
    names = [f"tr{uuid.uuid4().hex[:8]}" for _ in range(2)]
    settings = launch.settings_for(root, instructors=("teacher",), spawner="system")
    try:
        course.ensure_secret(settings.course_root)
        (settings.course_root / "gradebook.db").write_bytes(b"SQLite format 3\0")
        hubauth.add_account(root, "teacher", PASSWORDS["teacher"], role="instructor")
        with launch.running_hub(settings) as process:
            teacher = client(process.url)
            assert teacher.login("teacher", PASSWORDS["teacher"])
            trainees = {}
            for name in names:
                trainee = client(process.url)
                trainee.signup(name, PASSWORDS["alice"])
                teacher.approve(name)
                assert trainee.login(name, PASSWORDS["alice"])
                trainee.new_token(name)
                trainee.start_server(name)
                trainees[name] = trainee
            alice, bob = names
            targets = [settings.course_root / ".course_secret",
                       settings.course_root / "gradebook.db", root / hubauth.ACCOUNTS_FILE,
                       root / "jupyterhub_cookie_secret", root / "jupyterhub.sqlite",
                       settings.homes / bob, ROOT / "notebooks"]  # fmt: skip
            probe = (
                "import os\nout = []\n"
                f"for p in {[str(t) for t in targets]!r}:\n"
                "    try:\n"
                "        os.listdir(p) if os.path.isdir(p) else open(p, 'rb').read(1)\n"
                "        out.append(p)\n"
                "    except OSError:\n"
                "        pass\n"
                "(os.getuid(), out)"
            )
            token = trainees[alice].token
            assert token is not None
            replies = asyncio.run(_run_cells(process.url, alice, token, "probe.ipynb", [probe]))
            uid, readable = ast.literal_eval(replies[0]["result"])  # the kernel's tuple
            assert uid != 0 and uid == pwd_uid(alice)
            assert readable == [], readable
    finally:
        for name in names:
            subprocess.run(["userdel", name], capture_output=True)
            subprocess.run(["groupdel", name], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
        (ROOT / "notebooks").chmod(0o755)  # the checkout as it was
        (ROOT / "labs" / "instructor_guide.md").chmod(0o644)


def pwd_uid(name: str) -> int:
    import pwd

    return pwd.getpwnam(name).pw_uid


def test_others_cannot_run_finds_the_closed_folder() -> None:
    base = ROOT / "build" / f"test-others-{uuid.uuid4().hex[:8]}"  # a 0755 checkout's build/
    closed = base / "home"
    (closed / "bin").mkdir(parents=True)
    program = closed / "bin" / "python"
    program.write_text("")
    try:
        for path in (base, closed / "bin", program):
            path.chmod(0o755)
        closed.chmod(0o700)  # like /root
        above = hubsettings.others_cannot_run(base)
        if above is not None:
            pytest.skip(f"other users cannot enter {above} here")
        assert hubsettings.others_cannot_run(program) == closed
        closed.chmod(0o755)
        assert hubsettings.others_cannot_run(program) is None
    finally:
        shutil.rmtree(base, ignore_errors=True)
