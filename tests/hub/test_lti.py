"""LTI 1.3 launches into the class's JupyterHub, for real, on loopback (issue 8).

A fake LMS (``FakeLMS``: an HTTP server in a thread on 127.0.0.1) publishes the JWKS of an
RSA key generated here and plays the platform's side of the launch, as Moodle's
``mod/lti/certs.php`` (JWKS) and ``mod/lti/auth.php`` (authorize) do. A real JupyterHub runs
grading/hub/jupyterhub_config.py with FORENSICS_HUB_AUTH=lti13 (jupyterhub-ltiauthenticator
1.6.3) and the FORENSICS_LTI_* variables the deployment guide tells the admin to set. A
requests session plays the browser, one hop at a time (IMS Security Framework 1.0, 5.1.1):

1. third-party login initiation: the LMS's page POSTs iss, login_hint, target_link_uri,
   client_id, lti_deployment_id and lti_message_hint to /hub/lti13/oauth_login;
2. the hub redirects to the platform's authorize URL with response_type=id_token,
   response_mode=form_post, prompt=none, scope=openid, redirect_uri, state and nonce
   (ltiauthenticator/lti13/handlers.py, LTI13LoginInitHandler.post and .authorize_redirect),
   keeping the state and the nonce's seed in two encrypted cookies (generate_state,
   generate_nonce: the nonce is the SHA-256 of that seed);
3. the platform answers with a page whose form POSTs an RS256 id_token and the state to the
   redirect URI /hub/lti13/oauth_callback;
4. the hub checks the state against its cookie, the signature against the JWKS endpoint
   (a new jwt.PyJWKClient per launch), iss, aud = a configured client id, exp/iat, the LTI
   claims (validator.py validate_id_token) and the nonce against its cookie
   (LTI13CallbackHandler.decode_and_validate_launch_request); the username is the claim
   named by username_key (auth.py get_username: ``custom_username`` reads ``username`` in the
   LTI custom claim, which Moodle fills from the tool's ``username=$User.username``).

Truth: the claims this test signed (username, roles) against the hub's own account of the
user (/hub/api/user, its groups from hubsettings.groups_for), and every refusal against
ltiauthenticator's own error path, status and message: InvalidAudienceError -> 401, the
other validation errors -> 400 (LTI13CallbackHandler.post), check_state and check_nonce ->
400 with "OAuth state ..." / "OAuth nonce mismatch"; PyJWT's messages for a bad signature
or issuer.
"""

from __future__ import annotations

import html
import json
import re
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from tests.conftest import ROOT

pytest.importorskip("ltiauthenticator", reason="the hub extra is not installed (.[hub])")
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

sys.path.insert(0, str(ROOT / "grading" / "hub"))
sys.path.insert(0, str(ROOT / "grading"))

import hubsettings
import launch

pytestmark = pytest.mark.lab

if not Path(hubsettings.proxy_command()).exists():
    pytest.skip(
        "configurable-http-proxy is not installed (make hub, or npm install -g "
        "configurable-http-proxy)",
        allow_module_level=True,
    )

COURSE = hubsettings.COURSE_ID
CLIENT_ID = "forensics-hub-test-client"  # what Moodle shows after the tool is registered
DEPLOYMENT_ID = "3"
JWKS_PATH = "/mod/lti/certs.php"  # Moodle's paths (its openid-configuration.php)
AUTHORIZE_PATH = "/mod/lti/auth.php"
LOGIN_PATH = "/hub/lti13/oauth_login"  # LTI13Authenticator.login_url
CALLBACK_PATH = "/hub/lti13/oauth_callback"  # LTI13Authenticator.callback_url
TOOL_PATH = "/hub/spawn"  # the tool URL's path (grading/hub/README.md)
LTI = "https://purl.imsglobal.org/spec/lti/claim"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TRAINEE_GROUPS = [f"nbgrader-{COURSE}"]
INSTRUCTOR_GROUPS = sorted(["instructors", f"formgrade-{COURSE}", f"nbgrader-{COURSE}"])


@dataclass(frozen=True)
class Person:
    """An LMS account. ``sub`` is Moodle's user id; the hub must use ``username``."""

    username: str
    sub: str
    email: str
    roles: tuple[str, ...]


ALICE = Person("alice", "1042", "alice.martin@example.org", (LEARNER,))
BOB = Person("bob", "1043", "bob.durand@example.org", (LEARNER,))
TOM = Person("tom.teacher", "17", "tom@example.org", (INSTRUCTOR,))


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def launch_claims(
    issuer: str, person: Person, nonce: str, target_link_uri: str, **changes: Any
) -> dict[str, Any]:
    """An LtiResourceLinkRequest id_token's claims (LTI Core 1.3, 5.3 required message
    claims, 5.4 optional ones: context, custom), as Moodle sends them."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": CLIENT_ID,
        "sub": person.sub,
        "iat": now,
        "exp": now + 60,
        "nonce": nonce,
        "email": person.email,
        "name": person.username.title(),
        f"{LTI}/message_type": "LtiResourceLinkRequest",
        f"{LTI}/version": "1.3.0",
        f"{LTI}/deployment_id": DEPLOYMENT_ID,
        f"{LTI}/target_link_uri": target_link_uri,
        f"{LTI}/resource_link": {"id": "cm-42", "title": "Lab 0: evidence"},
        f"{LTI}/roles": list(person.roles),
        f"{LTI}/context": {"id": "7", "label": "FOR101", "title": "Mobile and drone forensics"},
        f"{LTI}/custom": {"username": person.username},
    }
    claims.update(changes)
    return claims


@dataclass(frozen=True)
class Launch:
    person: Person
    target_link_uri: str


class FakeLMS:
    """The platform: a JWKS endpoint and an authorize endpoint on 127.0.0.1."""

    def __init__(self) -> None:
        self.key = new_key()
        self.kid = "lms-key-1"
        self.redirect_uris: set[str] = set()  # the tool's registered redirection URIs
        self.launches: dict[str, Launch] = {}  # lti_message_hint -> launch
        self.jwks_served: list[float] = []
        self.authorize_requests: list[dict[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _LMSHandler)
        self.server.daemon_threads = True
        self.server.lms = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def sign(self, claims: dict[str, Any], key: rsa.RSAPrivateKey | None = None) -> str:
        """RS256, with this platform's key id (``key``: someone else's key, same kid)."""
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def new_launch(self, person: Person, target_link_uri: str) -> str:
        hint = uuid.uuid4().hex
        self.launches[hint] = Launch(person, target_link_uri)
        return hint

    def authorize(self, params: dict[str, str]) -> tuple[int, str]:
        """mod/lti/auth.php: check the authentication request (IMS Security 1.0, 5.1.1.2),
        then answer with the page that POSTs the id_token to the tool (5.1.1.3)."""
        self.authorize_requests.append(params)
        fixed = {"response_type": "id_token", "response_mode": "form_post",
                 "scope": "openid", "prompt": "none", "client_id": CLIENT_ID}  # fmt: skip
        wrong = [name for name, value in fixed.items() if params.get(name) != value]
        if wrong or params.get("redirect_uri") not in self.redirect_uris:
            return 400, f"invalid_request: {wrong or 'redirect_uri'}"
        found = self.launches.get(params.get("lti_message_hint", ""))
        if found is None or found.person.sub != params.get("login_hint"):
            return 400, "invalid_request: unknown launch"
        claims = launch_claims(self.url, found.person, params["nonce"], found.target_link_uri)
        return 200, (
            f'<form id="launch" method="post" action="{html.escape(params["redirect_uri"])}">'
            f'<input type="hidden" name="id_token" value="{self.sign(claims)}">'
            f'<input type="hidden" name="state" value="{html.escape(params["state"])}">'
            "</form><script>document.getElementById('launch').submit()</script>"
        )


class _LMSHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        lms: FakeLMS = self.server.lms  # type: ignore[attr-defined]
        url = urlsplit(self.path)
        if url.path == JWKS_PATH:
            lms.jwks_served.append(time.monotonic())
            self._send(200, "application/json", json.dumps(lms.jwks()))
        elif url.path == AUTHORIZE_PATH:
            status, page = lms.authorize(dict(parse_qsl(url.query)))
            self._send(status, "text/html", page)
        else:
            self._send(404, "text/plain", "not found")

    def _send(self, status: int, content_type: str, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: pytest owns stderr
        pass


class Browser:
    """The user's browser, one hop at a time (no automatic redirects).

    The hub marks its cookies ``Secure; SameSite=None`` (the config: the LMS frames it over
    HTTPS). This browser stands behind the TLS terminator the guide asks for, so it keeps
    sending them over loopback http; it records every Set-Cookie header to check the flags.
    """

    def __init__(self, hub_url: str) -> None:
        self.hub_url = hub_url
        self.session = requests.Session()
        self.session.trust_env = False  # loopback only: no proxy from the environment
        self.set_cookie_headers: list[str] = []

    def send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        got = self.session.request(method, url, allow_redirects=False, timeout=30, **kwargs)
        self.set_cookie_headers += got.raw.headers.getlist("Set-Cookie")
        for cookie in self.session.cookies:
            cookie.secure = False
        return got

    def initiate(self, lms: FakeLMS, person: Person, target_link_uri: str) -> requests.Response:
        """Step 1: the LMS's auto-submitted initiation form."""
        form = {
            "iss": lms.url,
            "login_hint": person.sub,
            "target_link_uri": target_link_uri,
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT_ID,
            "lti_message_hint": lms.new_launch(person, target_link_uri),
        }
        return self.send("POST", f"{self.hub_url}{LOGIN_PATH}", data=form)

    def authorize_request(self, lms: FakeLMS, person: Person) -> dict[str, str]:
        """Steps 1-2: the hub's authentication request to the platform, as sent."""
        got = self.initiate(lms, person, f"{self.hub_url}{TOOL_PATH}")
        assert got.status_code == 302, got.text[:300]
        location = urlsplit(got.headers["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == (
            f"{lms.url}{AUTHORIZE_PATH}"
        )
        return dict(parse_qsl(location.query))

    def launch(self, lms: FakeLMS, person: Person) -> requests.Response:
        """Steps 1-4 through the fake LMS; the hub's answer to the id_token POST."""
        params = self.authorize_request(lms, person)
        page = self.send("GET", f"{lms.url}{AUTHORIZE_PATH}", params=params)
        assert page.status_code == 200, page.text
        action, form = _form(page.text)
        return self.send("POST", action, data=form)

    def post_token(self, token: str, state: str) -> requests.Response:
        """Step 3 by hand: the form the platform's page would POST."""
        return self.send(
            "POST", f"{self.hub_url}{CALLBACK_PATH}", data={"id_token": token, "state": state}
        )

    def user(self) -> requests.Response:
        return self.send("GET", f"{self.hub_url}/hub/api/user")

    def close(self) -> None:
        self.session.close()


def _form(page: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the platform's auto-posting form."""
    action = re.search(r'<form[^>]* action="([^"]+)"', page)
    assert action, page
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    return html.unescape(action.group(1)), {k: html.unescape(v) for k, v in fields}


@dataclass
class LTIHub:
    process: launch.HubProcess
    lms: FakeLMS

    @property
    def url(self) -> str:
        return self.process.url

    def browser(self) -> Browser:
        return Browser(self.url)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LTIHub]:
    lms = FakeLMS()
    lms.start()
    try:
        settings = launch.settings_for(tmp_path_factory.mktemp("lti-hub"), auth="lti13")
        settings.course_root.mkdir(parents=True)  # the formgrader service's folder
        lms.redirect_uris.add(f"{settings.url}{CALLBACK_PATH}")
        env = {  # what grading/hub/README.md has the admin copy from Moodle
            "FORENSICS_LTI_ISSUER": lms.url,
            "FORENSICS_LTI_CLIENT_ID": CLIENT_ID,
            "FORENSICS_LTI_AUTHORIZE_URL": f"{lms.url}{AUTHORIZE_PATH}",
            "FORENSICS_LTI_JWKS_URL": f"{lms.url}{JWKS_PATH}",
            "FORENSICS_LTI_USERNAME_KEY": "",  # empty: the config's default (custom_username)
            "FORENSICS_LTI_URI_SCHEME": "",
            "no_proxy": "127.0.0.1,localhost",  # the hub fetches the JWKS with urllib
            "NO_PROXY": "127.0.0.1,localhost",
            # a test hub's simple spawner as root (CI): allowed for tests only
            "FORENSICS_HUB_UNSAFE_ROOT_SERVERS": "1",
        }
        with launch.running_hub(settings, extra_env=env) as process:
            yield LTIHub(process, lms)
        assert process.proc is None
    finally:
        lms.stop()


@pytest.fixture
def browser(hub: LTIHub) -> Iterator[Browser]:
    client = hub.browser()
    yield client
    client.close()


def _refused(browser: Browser, got: requests.Response, status: int, reason: str) -> None:
    """The hub said no, for ``reason``, and nobody is logged in on this browser."""
    assert got.status_code == status, (got.status_code, got.text[-800:])
    assert reason in html.unescape(got.text), got.text[-800:]
    assert "jupyterhub-hub-login" not in browser.session.cookies
    assert browser.user().status_code == 403
    home = browser.send("GET", f"{browser.hub_url}/hub/home")
    assert home.status_code == 302 and "/hub/login" in home.headers["Location"]


def _groups(browser: Browser) -> list[str]:
    me = browser.user()
    assert me.status_code == 200, me.text[:300]
    return sorted(me.json()["groups"])


def test_hub_asks_the_platform_for_an_id_token(hub: LTIHub, browser: Browser) -> None:
    params = browser.authorize_request(hub.lms, ALICE)
    # IMS Security 1.0, 5.1.1.2: the fixed values, our client id and redirect URI, the hints
    # passed back unaltered, a state and a nonce
    assert params["response_type"] == "id_token" and params["response_mode"] == "form_post"
    assert params["scope"] == "openid" and params["prompt"] == "none"
    assert params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == f"{hub.url}{CALLBACK_PATH}"
    assert params["login_hint"] == ALICE.sub
    assert params["lti_message_hint"] in hub.lms.launches
    assert len(params["nonce"]) == 64 and params["state"]  # nonce: SHA-256 hex of the seed
    # the state and nonce seed wait in cookies the LMS's cross-site POST must bring back
    flags = {h.split("=", 1)[0]: h.lower() for h in browser.set_cookie_headers}
    for name in ("lti13authenticator-state", "lti13authenticator-nonce-state"):
        assert "secure" in flags[name] and "samesite=none" in flags[name], flags[name]


def test_trainee_launch_logs_in_with_the_moodle_username(hub: LTIHub, browser: Browser) -> None:
    fetched = len(hub.lms.jwks_served)
    got = browser.launch(hub.lms, ALICE)
    assert got.status_code == 302, got.text[-800:]
    assert got.headers["Location"] == TOOL_PATH  # the target link's path (handlers.get_state)
    assert len(hub.lms.jwks_served) == fetched + 1  # the signature was checked by the JWKS
    me = browser.user()
    assert me.status_code == 200, me.text[:300]
    # custom_username: Moodle's username, not its user id (sub) nor the e-mail address
    assert me.json()["name"] == ALICE.username
    assert sorted(me.json()["groups"]) == TRAINEE_GROUPS
    home = browser.send("GET", f"{hub.url}/hub/home")  # anonymous: 302 to the login
    assert home.status_code == 200 and 'id="start"' in home.text
    # a trainee is no admin
    assert browser.send("GET", f"{hub.url}/hub/api/users").status_code == 403
    # the login cookies are the ones a framed cross-site launch needs
    login = [h.lower() for h in browser.set_cookie_headers if h.startswith("jupyterhub-")]
    assert login and all("secure" in h and "samesite=none" in h for h in login), login


def test_instructor_role_joins_the_instructor_groups(hub: LTIHub, browser: Browser) -> None:
    got = browser.launch(hub.lms, TOM)
    assert got.status_code == 302, got.text[-800:]
    assert browser.user().json()["name"] == TOM.username
    assert _groups(browser) == INSTRUCTOR_GROUPS
    listed = browser.send("GET", f"{hub.url}/hub/api/users")  # the instructors role's scopes
    assert listed.status_code == 200
    assert TOM.username in {u["name"] for u in listed.json()}


def test_token_signed_by_another_key_is_refused(hub: LTIHub, browser: Browser) -> None:
    params = browser.authorize_request(hub.lms, ALICE)
    claims = launch_claims(hub.lms.url, ALICE, params["nonce"], f"{hub.url}{TOOL_PATH}")
    forged = hub.lms.sign(claims, key=new_key())  # same kid, another key
    _refused(browser, browser.post_token(forged, params["state"]), 400, "Signature verification")


def test_wrong_audience_is_refused(hub: LTIHub, browser: Browser) -> None:
    params = browser.authorize_request(hub.lms, ALICE)
    claims = launch_claims(
        hub.lms.url, ALICE, params["nonce"], f"{hub.url}{TOOL_PATH}", aud="another-tool"
    )
    got = browser.post_token(hub.lms.sign(claims), params["state"])
    _refused(browser, got, 401, "Audience doesn't match")


def test_wrong_issuer_is_refused(hub: LTIHub, browser: Browser) -> None:
    params = browser.authorize_request(hub.lms, ALICE)
    claims = launch_claims(
        "https://other-lms.example.org", ALICE, params["nonce"], f"{hub.url}{TOOL_PATH}"
    )
    got = browser.post_token(hub.lms.sign(claims), params["state"])
    _refused(browser, got, 400, "Invalid issuer")


def test_nonce_of_another_launch_is_refused(hub: LTIHub, browser: Browser) -> None:
    params = browser.authorize_request(hub.lms, ALICE)
    claims = launch_claims(hub.lms.url, ALICE, "0" * 64, f"{hub.url}{TOOL_PATH}")
    got = browser.post_token(hub.lms.sign(claims), params["state"])
    _refused(browser, got, 400, "OAuth nonce mismatch")


def test_unknown_state_is_refused(hub: LTIHub, browser: Browser) -> None:
    mine = browser.authorize_request(hub.lms, ALICE)
    other = hub.browser()
    try:
        theirs = other.authorize_request(hub.lms, BOB)
    finally:
        other.close()
    claims = launch_claims(hub.lms.url, BOB, theirs["nonce"], f"{hub.url}{TOOL_PATH}")
    # bob's state (and nonce) posted from alice's browser: her state cookie differs
    got = browser.post_token(hub.lms.sign(claims), theirs["state"])
    assert mine["state"] != theirs["state"]
    _refused(browser, got, 400, "OAuth state mismatch")


def test_replayed_launch_is_refused(hub: LTIHub, browser: Browser) -> None:
    params = browser.authorize_request(hub.lms, BOB)
    page = browser.send("GET", f"{hub.lms.url}{AUTHORIZE_PATH}", params=params)
    action, form = _form(page.text)
    assert browser.send("POST", action, data=form).status_code == 302  # bob is in
    # the same form again, from a browser that never started a launch (a captured POST)
    thief = hub.browser()
    try:
        _refused(thief, thief.send("POST", action, data=form), 400, "OAuth state missing")
    finally:
        thief.close()
    # and from bob's own browser: the hub cleared the state cookie at the first use
    again = browser.send("POST", action, data=form)
    assert again.status_code == 400 and "OAuth state missing" in again.text


def test_guide_gives_moodle_the_urls_tested_here() -> None:
    """grading/hub/README.md's Moodle table names the paths this module launched through;
    the initiation and redirect paths are the authenticator's own (auth.py login_url,
    callback_url under the hub's base URL /hub/)."""
    from ltiauthenticator.lti13.auth import LTI13Authenticator

    guide = (ROOT / "grading" / "hub" / "README.md").read_text()
    rows = dict(re.findall(r"^\| ([^|]+?) \| `https://HUB(/[^`]*)`", guide, re.M))
    authenticator = LTI13Authenticator()
    assert rows == {
        "Tool URL": TOOL_PATH,
        "Initiate login URL": authenticator.login_url("/hub/"),
        "Redirection URI(s)": authenticator.callback_url("/hub/"),
    }
    assert (rows["Initiate login URL"], rows["Redirection URI(s)"]) == (LOGIN_PATH, CALLBACK_PATH)


def test_kubernetes_values_set_the_same_lti_cookies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The Helm values' LTI snippet gives JupyterHub the tornado settings (cookies, frame
    policy) that the single machine's config gives it, and that the launches above needed."""
    yaml = pytest.importorskip("yaml")
    from jupyterhub.app import JupyterHub
    from traitlets.config import Config

    issuer = "https://moodle.example.org"
    env = {
        "FORENSICS_HUB_ROOT": str(tmp_path),
        "FORENSICS_HUB_AUTH": "lti13",
        "FORENSICS_LTI_ISSUER": issuer,
        "FORENSICS_LTI_CLIENT_ID": CLIENT_ID,
        "FORENSICS_LTI_AUTHORIZE_URL": f"{issuer}{AUTHORIZE_PATH}",
        "FORENSICS_LTI_JWKS_URL": f"{issuer}{JWKS_PATH}",
        # the spawner does not matter here (and the system one wants a Python that
        # trainees can run, which this machine's may not be)
        "FORENSICS_HUB_SPAWNER": "simple",
        "FORENSICS_HUB_UNSAFE_ROOT_SERVERS": "1",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    single = JupyterHub()
    single.load_config_file(str(launch.CONFIG))
    values = yaml.safe_load((ROOT / "grading" / "hub" / "k8s" / "values.yaml").read_text())
    config = Config()
    exec(values["hub"]["extraConfig"]["00-lti"], {"c": config})
    cluster = JupyterHub(config=config)
    expected = {
        "headers": {"Content-Security-Policy": f"frame-ancestors 'self' {issuer}"},
        "cookie_options": {"samesite": "None", "secure": True},
    }
    assert single.tornado_settings == expected
    assert cluster.tornado_settings == expected
    assert single.config.LTI13LaunchValidator.time_leeway == 0  # ltiauthenticator's default
    monkeypatch.setenv("FORENSICS_LTI_TIME_LEEWAY", "30")
    drifting = JupyterHub()
    drifting.load_config_file(str(launch.CONFIG))
    assert drifting.config.LTI13LaunchValidator.time_leeway == 30
