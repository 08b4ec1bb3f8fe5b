"""`make hub`: the class's JupyterHub on 127.0.0.1:8000 with the course and two demo accounts.

    python grading/hub/launch.py [--root build/hub] [--port 8000]

First start: builds the course (nbgrader generate_assignment), releases every lab to the
exchange, creates a demo instructor and a demo trainee with generated passwords (printed
once; only their bcrypt hashes are kept, in ``<root>/accounts.json``, mode 0600), and
starts JupyterHub (grading/hub/jupyterhub_config.py) in demo mode (FORENSICS_HUB_DEMO=1:
the demo accounts are refused by a hub started any other way). As root, every trainee's
server runs as their own system user (created with useradd); otherwise the hub is a
single-user demo (every server is your own user). Ctrl-C stops the hub and every server
it started.

``HubProcess`` and ``HubClient`` are what the tests use to drive a real hub.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import requests

HUB_DIR = Path(__file__).resolve().parent
KIT = HUB_DIR.parents[1]
sys.path.insert(0, str(HUB_DIR))
sys.path.insert(0, str(KIT / "grading"))

import hubauth  # noqa: E402
import hubsettings as hs  # noqa: E402

CONFIG = HUB_DIR / "jupyterhub_config.py"
DEMO_INSTRUCTOR = "instructor"
DEMO_TRAINEE = "trainee"
ACCOUNTS_FILE = "demo-accounts.json"


class HubError(RuntimeError):
    """The hub did not start, or refused what we asked."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def settings_for(root: Path, port: int | None = None, **overrides: Any) -> hs.HubSettings:
    """Settings with free loopback ports for everything (``port`` for the public one)."""
    return hs.HubSettings(
        root=root.resolve(),
        port=port or free_port(),
        hub_api_port=free_port(),
        proxy_api_port=free_port(),
        formgrader_port=free_port(),
        **overrides,
    )


def prepare_course(settings: hs.HubSettings) -> list[str]:
    """Build every lab's release and publish it to the exchange; return the labs."""
    import course  # grading/course.py
    import exchange  # grading/exchange.py

    course_root = settings.course_root
    course.build_course(course_root)
    course.ensure_secret(course_root)
    labs: list[str] = course.assignments()
    for lab in labs:
        exchange.release(lab, course_root, settings.exchange_root)
    return labs


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc), children first found."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class HubProcess:
    """A real JupyterHub (with its proxy, formgrader service and user servers) that we
    started and that we stop, with everything below it, whatever happens."""

    def __init__(self, settings: hs.HubSettings, extra_env: dict[str, str] | None = None):
        """``extra_env``: more of the hub's environment (e.g. FORENSICS_HUB_UNSAFE_ROOT_SERVERS
        for a test hub run as root with the simple spawner)."""
        self.settings = settings
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = settings.root / "jupyterhub.log"

    @property
    def url(self) -> str:
        return self.settings.url

    def start(self, timeout: float = 90) -> None:
        self.settings.root.mkdir(parents=True, exist_ok=True)
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        env = {**os.environ, "PATH": path, **self.settings.to_env(), **self.extra_env}
        cmd = [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                cmd, cwd=self.settings.root, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HubError(f"jupyterhub exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/hub/api", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise HubError(f"jupyterhub did not answer within {timeout:g} s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.is_file() else ""

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (the hub stops its servers, service and proxy), then SIGKILL to any
        process of ours still there."""
        if self.proc is None:
            return
        below = _descendants(self.proc.pid)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        for pid in below:  # only processes the hub itself started
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc = None

    def __enter__(self) -> HubProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class HubClient:
    """One browser-like session on the hub (cookies + XSRF), and its user's API token."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.token: str | None = None

    def _xsrf(self, page: str) -> str:
        got = self.session.get(f"{self.url}{page}", timeout=30)
        found = re.search(r'name="_xsrf" value="([^"]+)"', got.text)
        if found:
            return found.group(1)
        return str(self.session.cookies.get("_xsrf") or "")

    def signup(self, name: str, password: str) -> str:
        """NativeAuthenticator's sign-up form; returns its message."""
        form = {
            "_xsrf": self._xsrf("/hub/signup"),
            "username": name,
            "signup_password": password,
            "signup_password_confirmation": password,
        }
        got = self.session.post(f"{self.url}/hub/signup", data=form, timeout=30)
        found = re.search(r'class="alert[^"]*"[^>]*>(.*?)</div>', got.text, re.S)
        if not found:
            return got.text[-500:]
        return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())

    def login(self, name: str, password: str) -> bool:
        form = {"_xsrf": self._xsrf("/hub/login"), "username": name, "password": password}
        got = self.session.post(
            f"{self.url}/hub/login", data=form, timeout=30, allow_redirects=False
        )
        return got.status_code == 302 and "jupyterhub-session-id" in self.session.cookies

    def approve(self, name: str) -> None:
        """As an admin: toggle ``name``'s approval (NativeAuthenticator /hub/authorize/...)."""
        got = self.session.get(f"{self.url}/hub/authorize/{name}", timeout=30)
        if not got.ok:
            raise HubError(f"approving {name}: HTTP {got.status_code}")

    def new_token(self, name: str, note: str = "tests") -> str:
        """An API token for this session's user (cookie + XSRF header, as the hub's UI)."""
        xsrf = self.session.cookies.get("_xsrf") or self._xsrf("/hub/token")
        got = self.session.post(
            f"{self.url}/hub/api/users/{name}/tokens",
            json={"note": note, "expires_in": 3600},
            headers={"X-XSRFToken": xsrf},
            timeout=30,
        )
        if got.status_code != 201:
            raise HubError(f"token for {name}: HTTP {got.status_code} {got.text[:300]}")
        self.token = str(got.json()["token"])
        return self.token

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """``path`` under the hub's URL, with this user's token."""
        headers = dict(kwargs.pop("headers", {}))
        if self.token:
            headers["Authorization"] = f"token {self.token}"
        kwargs.setdefault("timeout", 60)
        return requests.request(method, f"{self.url}{path}", headers=headers, **kwargs)

    def start_server(self, name: str, timeout: float = 120) -> None:
        got = self.request("POST", f"/hub/api/users/{name}/server")
        if got.status_code not in (201, 202, 400):  # 400: already running
            raise HubError(f"starting {name}'s server: HTTP {got.status_code} {got.text[:300]}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.request("GET", f"/hub/api/users/{name}").json()
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(0.5)
        raise HubError(f"{name}'s server was not ready within {timeout:g} s")


def create_demo_accounts(root: Path) -> dict[str, str] | None:
    """The demo instructor and trainee (set-up accounts marked demo: they log in only in
    demo mode), with generated passwords; returns them to print once, or None when the
    accounts exist already. No password is stored in clear (an old kit's clear-text
    ``demo-accounts.json`` is removed)."""
    old = root / ACCOUNTS_FILE
    if old.is_file():
        old.unlink()
    known = hubauth.load_accounts(root / hubauth.ACCOUNTS_FILE)
    if DEMO_INSTRUCTOR in known and DEMO_TRAINEE in known:
        return None
    return {
        DEMO_INSTRUCTOR: hubauth.add_account(root, DEMO_INSTRUCTOR, role="instructor", demo=True),
        DEMO_TRAINEE: hubauth.add_account(root, DEMO_TRAINEE, role="trainee", demo=True),
    }


@contextmanager
def running_hub(
    settings: hs.HubSettings, extra_env: dict[str, str] | None = None
) -> Iterator[HubProcess]:
    """A started hub, stopped (with every server it started) on leaving; if the block
    fails, the end of the hub's log goes to stderr first, to say why."""
    hub = HubProcess(settings, extra_env)
    hub.start()
    try:
        yield hub
    except BaseException:
        sys.stderr.write(hub.log_tail(8000))
        raise
    finally:
        hub.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=KIT / "build" / "hub")
    parser.add_argument("--port", type=int, default=int(os.environ.get("HUB_PORT", "8000")))
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if not Path(hs.proxy_command()).exists():
        print("configurable-http-proxy is missing: run `make hub` (it installs it with npm)")
        return 1
    settings = settings_for(root, port=args.port, demo=True, spawner=hs.default_spawner())
    if settings.spawner == "simple":
        print("Not root: a SINGLE-USER DEMO only (every trainee's server runs as you, with no "
              "isolation between them). For a class, run it as root: one system user per "
              "trainee.")  # fmt: skip
    print("Preparing the course (nbgrader generate_assignment, release)...", flush=True)
    labs = prepare_course(settings)
    accounts = create_demo_accounts(root)
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    with running_hub(settings) as hub:
        course = settings.course_id
        print(f"\nJupyterHub is running on {hub.url}/ (log: {hub.log_path})")
        print(f"Labs released to the trainees: {', '.join(labs)}")
        if accounts:
            print("Demo accounts (passwords shown this once; only their hashes are kept):")
            for name, password in accounts.items():
                print(f"  {name:<11} {password}")
        else:
            reset = f"python grading/hub/hubauth.py NAME --demo --root {root}"
            print(f"Demo accounts: {DEMO_INSTRUCTOR}, {DEMO_TRAINEE} (passwords shown at first "
                  f"start; reset one with `{reset}`)")  # fmt: skip
        print(f"Instructor: formgrader at {hub.url}/services/{course}/formgrader ; "
              f"approve sign-ups at {hub.url}/hub/authorize")  # fmt: skip
        print("Trainee: JupyterLab opens; the Assignments panel (Nbgrader menu) lists the labs.")
        print("Ctrl-C stops the hub and every server it started.", flush=True)
        try:
            while not stop and hub.proc is not None and hub.proc.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        print("\nStopping the hub...", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
