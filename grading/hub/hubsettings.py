"""The hub's settings, read from the environment, and the helpers its config calls.

Shared by ``jupyterhub_config.py`` (inside the hub), ``launch.py`` (``make hub``) and the
tests, so the three agree on every path and port.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HUB_DIR = Path(__file__).resolve().parent
KIT = HUB_DIR.parents[1]
COURSE_ID = "mobile-drone-forensics"

# LTI 1.3 launch claims (IMS LTI Core 1.3, section 5.3.4 "Roles claim", and the LIS v2
# context-role vocabulary of appendix A.2): an Instructor (or one of its sub-roles such as
# TeachingAssistant) of the LMS course is an instructor here; everyone else is a trainee.
LTI_ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"
LTI_INSTRUCTOR_ROLES = (
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#",
)


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


@dataclass(frozen=True)
class HubSettings:
    root: Path
    ip: str = "127.0.0.1"
    port: int = 8000
    hub_api_port: int = 8081
    proxy_api_port: int = 8001
    formgrader_port: int = 9999
    auth: str = "native"
    spawner: str = "simple"
    instructors: tuple[str, ...] = ("instructor",)
    pam_groups: tuple[str, ...] = ()
    grader_user: str = ""
    course_id: str = COURSE_ID
    mem_limit: str = "2G"
    login_banner: str = ""
    demo: bool = False

    @property
    def course_root(self) -> Path:
        return Path(_env("FORENSICS_COURSE_ROOT", str(self.root / "course")))

    @property
    def exchange_root(self) -> Path:
        return Path(_env("FORENSICS_EXCHANGE_ROOT", str(self.root / "exchange")))

    @property
    def grader_home(self) -> Path:
        return self.root / "grader"

    @property
    def homes(self) -> Path:
        return self.root / "homes"

    @property
    def url(self) -> str:
        return f"http://{self.ip}:{self.port}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HubSettings:
        env = os.environ if environ is None else environ

        def get(name: str, default: str) -> str:
            return env.get(name) or default

        def names(value: str) -> tuple[str, ...]:
            return tuple(n.strip() for n in value.split(",") if n.strip())

        return cls(
            root=Path(get("FORENSICS_HUB_ROOT", str(KIT / "build" / "hub"))).resolve(),
            ip=get("FORENSICS_HUB_IP", "127.0.0.1"),
            port=int(get("FORENSICS_HUB_PORT", "8000")),
            hub_api_port=int(get("FORENSICS_HUB_API_PORT", "8081")),
            proxy_api_port=int(get("FORENSICS_HUB_PROXY_API_PORT", "8001")),
            formgrader_port=int(get("FORENSICS_HUB_FORMGRADER_PORT", "9999")),
            auth=get("FORENSICS_HUB_AUTH", "native"),
            spawner=get("FORENSICS_HUB_SPAWNER", default_spawner()),
            instructors=names(get("FORENSICS_HUB_INSTRUCTORS", "instructor")),
            pam_groups=names(get("FORENSICS_HUB_PAM_GROUPS", "")),
            grader_user=get("FORENSICS_HUB_GRADER_USER", ""),
            course_id=get("FORENSICS_COURSE_ID", COURSE_ID),
            mem_limit=get("FORENSICS_HUB_MEM_LIMIT", "2G"),
            login_banner=get("FORENSICS_HUB_BANNER", ""),
            demo=get("FORENSICS_HUB_DEMO", "0").lower() in ("1", "true", "yes"),
        )

    def to_env(self) -> dict[str, str]:
        """The environment that makes ``from_env`` return these settings."""
        return {
            "FORENSICS_HUB_ROOT": str(self.root),
            "FORENSICS_HUB_IP": self.ip,
            "FORENSICS_HUB_PORT": str(self.port),
            "FORENSICS_HUB_API_PORT": str(self.hub_api_port),
            "FORENSICS_HUB_PROXY_API_PORT": str(self.proxy_api_port),
            "FORENSICS_HUB_FORMGRADER_PORT": str(self.formgrader_port),
            "FORENSICS_HUB_AUTH": self.auth,
            "FORENSICS_HUB_SPAWNER": self.spawner,
            "FORENSICS_HUB_INSTRUCTORS": ",".join(self.instructors),
            "FORENSICS_COURSE_ID": self.course_id,
            "FORENSICS_HUB_DEMO": "1" if self.demo else "0",
        }

    @property
    def accounts_file(self) -> Path:
        """The set-up accounts (instructors, demo accounts): bcrypt hashes, mode 0600."""
        return self.root / "accounts.json"


def default_spawner() -> str:
    """``system`` (one system user per trainee) when the hub runs as root, else ``simple``
    (a dev laptop: every server is the hub's own user, a single-user demo only)."""
    return "system" if os.geteuid() == 0 else "simple"


def lti_settings() -> dict[str, str]:
    """The LMS's LTI 1.3 endpoints (from the tool registration in Moodle or another LMS)."""
    wanted = {
        "issuer": "FORENSICS_LTI_ISSUER",
        "client_id": "FORENSICS_LTI_CLIENT_ID",
        "authorize_url": "FORENSICS_LTI_AUTHORIZE_URL",
        "jwks_url": "FORENSICS_LTI_JWKS_URL",
    }
    missing = [var for var in wanted.values() if not os.environ.get(var)]
    if missing:
        raise SystemExit(f"FORENSICS_HUB_AUTH=lti13 needs {', '.join(missing)}")
    out = {key: os.environ[var] for key, var in wanted.items()}
    # Moodle: add the custom parameter `username=$User.username` to the tool, so the hub
    # username is the one in Moodle's grade import (moodle.csv's Username column).
    out["username_key"] = _env("FORENSICS_LTI_USERNAME_KEY", "custom_username")
    out["uri_scheme"] = _env("FORENSICS_LTI_URI_SCHEME", "auto")
    # Seconds of clock drift allowed between the LMS and the hub (ltiauthenticator: 0).
    leeway = _env("FORENSICS_LTI_TIME_LEEWAY", "0")
    if not leeway.isdigit():
        raise SystemExit(f"FORENSICS_LTI_TIME_LEEWAY={leeway!r}: give whole seconds, e.g. 30")
    out["time_leeway"] = leeway
    return out


def is_lti_instructor(auth_state: Mapping[str, Any] | None) -> bool:
    roles = (auth_state or {}).get(LTI_ROLES_CLAIM) or []
    return any(
        isinstance(role, str)
        and (role == LTI_INSTRUCTOR_ROLES[0] or role.startswith(LTI_INSTRUCTOR_ROLES[1]))
        for role in roles
    )


def groups_for(name: str, auth_state: Mapping[str, Any] | None, settings: HubSettings) -> list[str]:
    """The hub groups of a user who just logged in."""
    course = settings.course_id
    if settings.auth == "lti13":
        instructor = is_lti_instructor(auth_state)
    else:
        instructor = name in settings.instructors
    if instructor:
        return ["instructors", f"formgrade-{course}", f"nbgrader-{course}"]
    return [f"nbgrader-{course}"]


def proxy_command() -> str:
    """configurable-http-proxy: on PATH, else the copy `make hub` installs in build/node."""
    found = shutil.which("configurable-http-proxy")
    if found:
        return found
    return str(KIT / "build" / "node" / "node_modules" / ".bin" / "configurable-http-proxy")


def shared_datasets(settings: HubSettings) -> Path:
    """The datasets every trainee shares (the tour's demo, drone, phone and voip folders),
    written once under the hub's root; concurrent first spawns each write a private copy
    and the first to finish is kept."""
    from forensics_datasets.__main__ import make_default

    target = settings.root / "datasets"
    if (target / "datasets.json").is_file():
        return target
    settings.root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".datasets-", dir=settings.root))
    try:
        make_default(scratch, seed=0, force=True)
        with contextlib.suppress(OSError):  # another spawn got there first
            scratch.rename(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def prepare_home(settings: HubSettings, trainee: str, home: Path) -> list[str]:
    """``trainee``'s own data variant of every lab in ``home/data``, plus the shared
    datasets the tour reads (no answer keys anywhere)."""
    grading = str(KIT / "grading")
    if grading not in sys.path:
        sys.path.insert(0, grading)
    import course  # grading/course.py

    home.mkdir(parents=True, exist_ok=True)
    made: list[str] = course.build_trainee_data(settings.course_root, home, trainee)
    made += course.copy_datasets(shared_datasets(settings), home / "data", keep_existing=True)
    return made


def chown_tree(folder: Path, user: str) -> None:
    import pwd

    entry = pwd.getpwnam(user)
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid)


TRAINEES_GROUP = "forensics-trainees"  # the system group of the accounts the hub creates


def ensure_system_user(name: str, homes: Path) -> Path:
    """The trainee's own system account (created with useradd, as JupyterHub's
    LocalAuthenticator.add_system_user does: a private group, a home under ``homes``) and
    its home, mode 0700. An existing account the hub did not create (not in
    TRAINEES_GROUP, e.g. a service or an administrator) is refused."""
    import grp
    import pwd
    import subprocess

    try:
        grp.getgrnam(TRAINEES_GROUP)
    except KeyError:
        subprocess.run(["groupadd", "--system", TRAINEES_GROUP], check=True)
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        homes.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["useradd", "--create-home", "--home-dir", str(homes / name), "--user-group",
             "--groups", TRAINEES_GROUP, "--shell", "/bin/bash", "--no-log-init", name],
            check=True, capture_output=True,
        )  # fmt: skip
        entry = pwd.getpwnam(name)
    members = grp.getgrnam(TRAINEES_GROUP).gr_mem
    if name not in members or entry.pw_uid == 0:
        raise PermissionError(f"{name!r} is a system account the hub did not create")
    home = Path(entry.pw_dir)
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    home.chmod(0o700)
    return home


def others_cannot_run(program: Path) -> Path | None:
    """The first folder (or the file) on ``program``'s real path that other users cannot
    enter (run): a trainee's server started from there would fail. None when they can."""
    import stat

    real = program.resolve()
    for path in [*reversed(real.parents), real]:
        if not path.stat().st_mode & stat.S_IXOTH:
            return path
    return None


def refuse_root_account(name: str) -> None:
    """A server never runs as root (uid 0), whatever account logged in."""
    import pwd

    if pwd.getpwnam(name).pw_uid == 0:
        raise PermissionError(f"{name!r} is root: its server would run as root")


def protect_state(settings: HubSettings) -> None:
    """Course and hub state readable by the hub's owner only (trainees run as others):
    the course (gradebook, course secret, instructor files), the grader's home, the hub's
    database, log and set-up accounts; homes' parent lets each trainee reach only their
    own home."""
    root = settings.root
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o711)
    for folder in (settings.course_root, settings.grader_home):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
    settings.homes.mkdir(parents=True, exist_ok=True)
    settings.homes.chmod(0o711)
    for name in ("jupyterhub.sqlite", "jupyterhub.log", "accounts.json",
                 "jupyterhub_cookie_secret", "demo-accounts.json"):  # fmt: skip
        path = root / name
        if not path.exists() and name in ("jupyterhub.sqlite", "jupyterhub.log"):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        if path.exists():
            path.chmod(0o600)


def protect_checkout(kit: Path = KIT) -> list[Path]:
    """Outside the demo: the kit's source notebooks (solutions, hidden tests) and the
    instructor guide readable by their owner only; trainees get released notebooks from
    the exchange. Returns what was closed."""
    closed = []
    for path, mode in ((kit / "notebooks", 0o700), (kit / "labs" / "instructor_guide.md", 0o600)):
        if path.exists():
            path.chmod(mode)
            closed.append(path)
    return closed
