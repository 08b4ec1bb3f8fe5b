"""JupyterHub for the class "Introduction to mobile and drone forensics" on one machine.

    jupyterhub -f grading/hub/jupyterhub_config.py   # or `make hub` (demo accounts: launch.py)

Everything is chosen with environment variables, so no secret and no site detail is in the
repository (the guide is ``grading/hub/README.md``):

FORENSICS_HUB_ROOT        state folder (hub database, cookie secret, course, exchange, homes);
                          default ``build/hub``. The cookie secret is generated there at first
                          start (mode 0600) by JupyterHub itself.
FORENSICS_HUB_IP/_PORT    public address (default 127.0.0.1:8000; put TLS in front of it)
FORENSICS_HUB_AUTH        ``native`` (default: sign-up, then an instructor approves the
                          account), ``pam`` (system accounts; the hub runs as root, as on The
                          Littlest JupyterHub) or ``lti13`` (launch from Moodle or another LMS)
FORENSICS_HUB_SPAWNER     ``system`` (default when the hub runs as root: each trainee's server
                          runs as their own system account, created with useradd at first
                          spawn, home FORENSICS_HUB_ROOT/homes/<name> mode 0700) or
                          ``simple`` (default otherwise: every server runs as the hub's own
                          user: a *single-user demo only*, no isolation between trainees;
                          refused as root, where it would give trainees root)
FORENSICS_HUB_DEMO        ``1``: demo mode (launch.py / ``make hub``): the demo accounts may
                          log in. Anything else: they are refused, and the kit's source
                          notebooks are closed to others (system mode).
FORENSICS_HUB_INSTRUCTORS comma-separated instructor names (native/pam; default ``instructor``).
                          With lti13 the LMS's roles claim decides.
FORENSICS_LTI_*           ISSUER, CLIENT_ID, AUTHORIZE_URL, JWKS_URL, USERNAME_KEY,
                          URI_SCHEME, TIME_LEEWAY (lti13 only; the guide's Moodle section)

Groups (JupyterHub's own, set at every login by ``groups_for``):
``instructors`` (hub admins in native mode: they approve sign-ups), ``formgrade-<course>``
(the formgrader service) and ``nbgrader-<course>`` (trainees and instructors: the course's
assignments). The group prefixes are nbgrader's convention (nbgrader.auth.JupyterHubAuthPlugin).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path
from typing import Any

c = get_config()  # type: ignore[name-defined]  # noqa: F821  (JupyterHub provides it)

HUB_DIR = Path(__file__).resolve().parent
KIT = HUB_DIR.parents[1]
sys.path.insert(0, str(HUB_DIR))
sys.path.insert(0, str(KIT / "grading"))

import hubauth  # noqa: E402  (beside this file: the hardened NativeAuthenticator)
import hubsettings as hs  # noqa: E402  (beside this file; shared with launch.py and the tests)

settings = hs.HubSettings.from_env()
ROOT = settings.root
# trainees' own servers (system mode) may not list the root, nor read the course, the
# grader's home, the database, the log or the set-up accounts
hs.protect_state(settings)
COURSE = settings.course_id
BIN = Path(sys.executable).parent

# -- the hub and its proxy: loopback by default -----------------------------------------
c.JupyterHub.bind_url = f"http://{settings.ip}:{settings.port}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{settings.hub_api_port}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
c.ConfigurableHTTPProxy.command = [hs.proxy_command()]
c.ConfigurableHTTPProxy.pid_file = str(ROOT / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{ROOT / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(ROOT / "jupyterhub_cookie_secret")  # 0600, made once
c.JupyterHub.pid_file = str(ROOT / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every trainee's server
c.JupyterHub.template_vars = {"announcement_login": settings.login_banner}

# -- who may log in --------------------------------------------------------------------------
if settings.auth == "native":
    # NativeAuthenticator, hardened (hubauth.py): instructors come from the set-up
    # (accounts.json, hashes only), reserved names cannot sign up, demo accounts log in in
    # demo mode only, constant-time login, (name, address) back-off and a per-address cap.
    c.JupyterHub.authenticator_class = hubauth.make_authenticator_class()
    # A sign-up waits until an instructor (hub admin) approves it at /hub/authorize.
    c.NativeAuthenticator.open_signup = False
    c.NativeAuthenticator.minimum_password_length = 10
    c.NativeAuthenticator.check_common_password = True
    c.NativeAuthenticator.allowed_failed_logins = 0  # CourseAuthenticator's throttle instead
    c.CourseAuthenticator.accounts_file = str(settings.accounts_file)
    c.CourseAuthenticator.demo_mode = settings.demo
    c.CourseAuthenticator.reserved_names = {*settings.instructors, COURSE}
    c.CourseAuthenticator.reserve_system_accounts = settings.spawner == "system"
    for trait, var in (("lock_base_seconds", "FORENSICS_HUB_LOCK_BASE_S"),
                       ("lock_window_seconds", "FORENSICS_HUB_LOCK_WINDOW_S"),
                       ("address_limit", "FORENSICS_HUB_ADDRESS_LIMIT")):  # fmt: skip
        if os.environ.get(var):
            kind = int if trait == "address_limit" else float
            setattr(c.CourseAuthenticator, trait, kind(os.environ[var]))
    _made = hubauth.load_accounts(settings.accounts_file)
    _missing = [name for name in settings.instructors if name not in _made]
    if _missing:
        print(  # JupyterHub's log
            f"[forensics hub] no set-up account for instructor(s) {', '.join(_missing)}: "
            "create one with `python grading/hub/hubauth.py NAME --root "
            f"{ROOT}` (sign-up of an instructor's name is refused)",
            file=sys.stderr,
        )
    # Approval is NativeAuthenticator's own gate; JupyterHub >= 5 also wants allow_all.
    c.Authenticator.allow_all = True
    c.Authenticator.admin_users = set(settings.instructors)
elif settings.auth == "pam":
    c.JupyterHub.authenticator_class = "pam"
    c.Authenticator.allowed_groups = set(settings.pam_groups) if settings.pam_groups else set()
    c.Authenticator.allow_all = not settings.pam_groups
    c.Authenticator.admin_users = set(settings.instructors)
elif settings.auth == "lti13":
    lti = hs.lti_settings()
    c.JupyterHub.authenticator_class = "ltiauthenticator.lti13.auth.LTI13Authenticator"
    c.LTI13Authenticator.issuer = lti["issuer"]
    c.LTI13Authenticator.client_id = set(lti["client_id"].split(","))
    c.LTI13Authenticator.authorize_url = lti["authorize_url"]
    c.LTI13Authenticator.jwks_endpoint = lti["jwks_url"]
    c.LTI13Authenticator.username_key = lti["username_key"]
    c.LTI13Authenticator.uri_scheme = lti["uri_scheme"]
    c.LTI13Authenticator.tool_name = "Mobile and drone forensics labs"
    # validator.py: added to the token's exp/iat checks (LTI13LaunchValidator(parent=app))
    c.LTI13LaunchValidator.time_leeway = int(lti["time_leeway"])
    c.Authenticator.allow_all = True  # whoever the LMS launches is enrolled on the course
    # The LMS launches the hub inside an iframe or a new window. Its launch is a cross-site
    # POST, which must bring back the state and nonce cookies the login initiation set:
    # SameSite=None, which browsers accept only with Secure (so HTTPS in front of the hub).
    # Lowercase keys: tornado's set_cookie takes capitalised ones only as deprecated aliases.
    c.JupyterHub.tornado_settings = {
        "headers": {"Content-Security-Policy": f"frame-ancestors 'self' {lti['issuer']}"},
        "cookie_options": {"samesite": "None", "secure": True},
    }
else:
    raise ValueError(f"FORENSICS_HUB_AUTH={settings.auth!r}: use native, pam or lti13")

# Group membership is decided here at every login (config, or the LMS's roles claim).
c.Authenticator.manage_groups = True


def _post_auth(authenticator: Any, handler: Any, authentication: dict[str, Any]) -> dict[str, Any]:
    authentication["groups"] = hs.groups_for(
        authentication["name"], authentication.get("auth_state"), settings
    )
    return authentication


c.Authenticator.post_auth_hook = _post_auth

# -- groups and what each may reach ------------------------------------------------------
# (JupyterHub creates the groups named here; with manage_groups it may not load members.)
c.JupyterHub.load_roles = [
    {
        "name": "instructors",
        "description": "the hub's admin page: see trainees, approve sign-ups, stop servers",
        "groups": ["instructors"],
        "scopes": ["admin-ui", "list:users", "admin:users", "admin:servers"],
    },
    {
        "name": f"formgrade-{COURSE}",
        "description": "open the course's formgrader",
        "groups": [f"formgrade-{COURSE}"],
        "scopes": [f"access:services!service={COURSE}"],
    },
    {
        "name": f"nbgrader-{COURSE}",
        "description": "see that the course exists (nbgrader's course list)",
        "groups": [f"nbgrader-{COURSE}"],
        "scopes": ["list:services", f"read:services!service={COURSE}"],
    },
    {
        # A trainee's server may read its owner's name and groups (nbgrader checks the
        # trainee is in nbgrader-<course>) and nothing of anyone else's.
        "name": "server",
        "scopes": [
            "users:activity!user",
            "access:servers!server",
            "read:users:name!user",
            "read:users:groups!user",
        ],
    },
]

# -- the trainees' servers -------------------------------------------------------------------
SINGLEUSER = [str(BIN / "jupyterhub-singleuser")]
# Only the tests' simple-spawner hubs run servers as root (the formgrader service too).
ROOT_ARGS = ["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []
UNSAFE_ROOT = os.environ.get("FORENSICS_HUB_UNSAFE_ROOT_SERVERS") == "1"  # the tests' own hubs
if settings.spawner == "simple":
    # A single-user demo only: one system user for everyone (JupyterHub's own warning
    # applies: SimpleLocalProcessSpawner gives no isolation between users).
    if os.geteuid() == 0 and not UNSAFE_ROOT:
        raise SystemExit(
            "FORENSICS_HUB_SPAWNER=simple as root would run every trainee's server as root: "
            "use FORENSICS_HUB_SPAWNER=system (one system user per trainee)"
        )
    print(  # JupyterHub's log (the hub's config, not the library)
        "[forensics hub] simple spawner: a SINGLE-USER DEMO only; every server runs as "
        f"uid {os.geteuid()}, trainees are not isolated from each other",
        file=sys.stderr,
    )
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(ROOT / "homes" / "{username}")
elif settings.spawner == "system":
    # One system user per trainee (JupyterHub's LocalProcessSpawner: the server runs with
    # the user's uid, gid and groups; the pre-spawn hook creates the account with useradd).
    if os.geteuid() != 0:
        raise SystemExit("FORENSICS_HUB_SPAWNER=system needs the hub to run as root")
    closed = hs.others_cannot_run(Path(sys.executable))
    if closed is not None:
        raise SystemExit(
            f"trainees' servers run as their own users, who cannot enter {closed}: install "
            f"the kit's Python where everyone may run it (e.g. /opt/kit/.venv on a system "
            "Python), not under /root"
        )
    c.JupyterHub.spawner_class = "localprocess"
    c.LocalProcessSpawner.shell_cmd = []
    if not settings.demo:
        hs.protect_checkout()  # the source notebooks (solutions) closed to trainees
else:
    raise ValueError(f"FORENSICS_HUB_SPAWNER={settings.spawner!r}: use simple or system")
c.Spawner.cmd = SINGLEUSER
c.Spawner.args = ROOT_ARGS if settings.spawner == "simple" else []
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60
c.Spawner.mem_limit = settings.mem_limit  # enforced by container spawners; advisory here


def _home(spawner: Any) -> Path:
    if settings.spawner == "simple":
        return Path(spawner.home_dir)
    import pwd

    return Path(pwd.getpwnam(spawner.user.name).pw_dir)


c.Spawner.environment = {
    "PATH": os.pathsep.join([str(BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
    "LANG": "C.UTF-8",
    # the trainees' Jupyter config: the Assignments panel, no instructor tools
    "JUPYTER_CONFIG_PATH": str(HUB_DIR / "singleuser"),
    "FORENSICS_EXCHANGE_ROOT": str(settings.exchange_root),
    "FORENSICS_COURSE_ID": COURSE,
    "FORENSICS_LAB_DATA": lambda spawner: str(_home(spawner) / "data"),
}


async def _pre_spawn(spawner: Any) -> None:
    """Write this trainee's own data variant of every lab into ~/data (no answer keys)."""
    if settings.spawner == "system" and settings.auth == "pam":
        hs.refuse_root_account(spawner.user.name)  # PAM's accounts are the machine's own
    elif settings.spawner == "system":  # names the hub admits: it makes their accounts
        await asyncio.to_thread(hs.ensure_system_user, spawner.user.name, settings.homes)
    home = _home(spawner)
    await asyncio.to_thread(hs.prepare_home, settings, spawner.user.name, home)
    if settings.spawner == "system":
        await asyncio.to_thread(hs.chown_tree, home / "data", spawner.user.name)


c.Spawner.pre_spawn_hook = _pre_spawn

# -- the formgrader: a hub-managed service, for the course's instructors only -------------------
service_env = {
    "PATH": os.pathsep.join([str(BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
    "LANG": "C.UTF-8",
    # grading/ holds the course's nbgrader_config.py; hub/formgrader adds the exchange
    "JUPYTER_CONFIG_PATH": os.pathsep.join([str(HUB_DIR / "formgrader"), str(KIT / "grading")]),
    "FORENSICS_COURSE_ROOT": str(settings.course_root),
    "FORENSICS_EXCHANGE_ROOT": str(settings.exchange_root),
    "FORENSICS_COURSE_ID": COURSE,
    "JUPYTERHUB_DEFAULT_URL": "/formgrader",
    "HOME": str(settings.grader_home),
}
service: dict[str, Any] = {
    "name": COURSE,
    "display": True,
    "url": f"http://127.0.0.1:{settings.formgrader_port}",
    "command": [*SINGLEUSER, f"--ServerApp.root_dir={settings.course_root}", *ROOT_ARGS],
    "cwd": str(settings.course_root),
    "environment": service_env,
    "oauth_no_confirm": True,
    # its API token is generated by the hub at every start (never stored in the repo)
}
if settings.spawner == "system" and settings.grader_user:
    service["user"] = settings.grader_user  # runs as the grader account, not root
elif settings.spawner == "system":
    print(  # JupyterHub's log
        "[forensics hub] the formgrader runs as root, and autograding executes trainees' "
        "submitted code: set FORENSICS_HUB_GRADER_USER to a grader account owning the course",
        file=sys.stderr,
    )
c.JupyterHub.services = [service]

# configurable-http-proxy is found on PATH or in build/node (make hub installs it there)
if shutil.which(c.ConfigurableHTTPProxy.command[0]) is None:
    raise SystemExit(
        "configurable-http-proxy is missing: `make hub` installs it (npm), "
        "or `npm install -g configurable-http-proxy`"
    )
