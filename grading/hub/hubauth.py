"""The hub's login: NativeAuthenticator's sign-up and approval, hardened for a class.

* Instructor (and demo) accounts are created by the set-up, never by sign-up approval:
  ``python grading/hub/hubauth.py add <name> --role instructor`` writes a bcrypt hash (never
  the password) to ``<hub root>/accounts.json`` (mode 0600, the hub's owner only). A sign-up
  of a reserved name (every set-up account, every instructor, ``admin``, ``root`` ..., every
  system account on a one-machine hub) is refused.
* Demo accounts (``make hub``) log in only when the hub runs in demo mode
  (``FORENSICS_HUB_DEMO=1``, set by launch.py); outside it they are refused.
* Login: every attempt costs one bcrypt check, of a dummy hash for an unknown name, so the
  answer time does not tell whether a name exists (NativeAuthenticator returns at once for
  an unknown name: ``authenticate`` in nativeauthenticator.py). Failures lock the pair
  (name, address) with an exponential back-off that is forgotten after a quiet window, so
  an attacker elsewhere cannot keep the instructor locked out; and an address with too
  many failures (whatever the names) is refused for a while.
* Sign-up answers do not say whether a name exists or is reserved: a taken, reserved or
  refused name gets the same message (and the same bcrypt cost) as a new request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bcrypt

# Names nobody may sign up with (besides the configured instructors and set-up accounts).
ALWAYS_RESERVED = frozenset(
    {"admin", "administrator", "root", "instructor", "instructors", "teacher", "grader",
     "formgrader", "hub", "jupyterhub", "nbgrader", "service", "services", "trainee"}
)  # fmt: skip
# A hub name is also a system account name in system mode (useradd's own rule, shortened).
NAME_RE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
SIGNUP_MESSAGE = (
    "Thank you: if this name can be used, your request has been sent to the instructor, "
    "who approves it before you can log in."
)
ACCOUNTS_FILE = "accounts.json"


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def write_private_json(path: Path, data: Any) -> None:
    """``data`` as JSON in ``path``, mode 0600 from its creation (replaced atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
    scratch.replace(path)


def load_accounts(path: Path) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        return {}
    data: dict[str, dict[str, Any]] = json.loads(path.read_text())
    return data


def add_account(
    root: Path, name: str, password: str | None = None, role: str = "instructor", demo: bool = False
) -> str:
    """Create (or reset) a set-up account; return its password (generated when not given).
    Only the bcrypt hash is stored."""
    if not NAME_RE.fullmatch(name):
        raise ValueError(f"{name!r}: use lower-case letters, digits, - and _ (32 at most)")
    if role not in ("instructor", "trainee"):
        raise ValueError(f"role {role!r}: instructor or trainee")
    password = password or secrets.token_urlsafe(12)
    path = root / ACCOUNTS_FILE
    accounts = load_accounts(path)
    accounts[name] = {"hash": hash_password(password), "role": role, "demo": demo}
    write_private_json(path, accounts)
    return password


@dataclass
class Throttle:
    """Login failures: per (name, address) exponential back-off, per address a cap.

    After ``free`` failures of one name from one address, that pair waits ``base`` seconds,
    doubling at each further failure up to ``cap``; the pair's count is forgotten ``window``
    seconds after its last failure (not only on success). An address with ``per_address``
    failures within ``window`` (any names) is refused until they age out."""

    free: int = 3
    base: float = 2.0
    cap: float = 300.0
    window: float = 900.0
    per_address: int = 30
    pairs: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)
    addresses: dict[str, list[float]] = field(default_factory=dict)

    def _recent(self, address: str, now: float) -> list[float]:
        kept = [t for t in self.addresses.get(address, []) if now - t < self.window]
        self.addresses[address] = kept
        return kept

    def wait(self, name: str, address: str, now: float | None = None) -> float:
        """Seconds before ``name`` may try again from ``address`` (0: now)."""
        now = time.monotonic() if now is None else now
        if len(self._recent(address, now)) >= self.per_address:
            return float(self.addresses[address][0] + self.window - now)
        count, last = self.pairs.get((name, address), (0, 0.0))
        if not count or now - last >= self.window:
            self.pairs.pop((name, address), None)
            return 0.0
        if count < self.free:
            return 0.0
        delay = min(self.cap, self.base * 2.0 ** (count - self.free))
        return max(0.0, float(last + delay - now))

    def failed(self, name: str, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        count, last = self.pairs.get((name, address), (0, 0.0))
        if count and now - last >= self.window:
            count = 0
        self.pairs[(name, address)] = (count + 1, now)
        self._recent(address, now).append(now)

    def succeeded(self, name: str, address: str) -> None:
        self.pairs.pop((name, address), None)


def _nativeauthenticator() -> Any:
    from nativeauthenticator import NativeAuthenticator  # type: ignore[import-untyped]

    return NativeAuthenticator


def make_authenticator_class() -> type:
    """CourseAuthenticator (built on import of nativeauthenticator, inside the hub only)."""
    from nativeauthenticator.handlers import SignUpHandler  # type: ignore[import-untyped]
    from traitlets import Bool, Float, Int, Set, Unicode

    native = _nativeauthenticator()

    class CourseSignUpHandler(SignUpHandler):  # type: ignore[misc]
        def get_result_message(self, user: Any, human: bool, taken: bool, matches: bool,
                               admin: bool) -> tuple[str, str]:  # fmt: skip
            if not human or not matches:
                return super().get_result_message(user, human, False, matches, False)  # type: ignore[no-any-return]
            if user is None and getattr(self, "_weak_password", False):
                return "alert-danger", (
                    "Your password is too short or too common: use at least "
                    f"{self.authenticator.minimum_password_length} characters."
                )
            return "alert-info", SIGNUP_MESSAGE

        async def post(self) -> None:
            password = self.get_body_argument("signup_password", "", strip=False)
            self._weak_password = not self.authenticator.is_password_strong(password)
            auth = self.authenticator
            auth.signup_address = self.request.remote_ip
            name = auth.normalize_username(self.get_body_argument("username", "", strip=False))
            if auth.user_exists(name):  # the handler skips create_user: pay its bcrypt cost
                await asyncio.to_thread(bcrypt.checkpw, password.encode(), auth.dummy_hash)
            await super().post()

    class CourseAuthenticator(native):  # type: ignore[misc,valid-type]
        accounts_file = Unicode("", config=True, help="set-up accounts (bcrypt hashes)")
        demo_mode = Bool(False, config=True, help="demo accounts may log in")
        reserved_names = Set(config=True, help="names sign-up refuses")
        reserve_system_accounts = Bool(False, config=True, help="refuse existing system names")
        lock_free = Int(3, config=True)
        lock_base_seconds = Float(2.0, config=True)
        lock_cap_seconds = Float(300.0, config=True)
        lock_window_seconds = Float(900.0, config=True)
        address_limit = Int(30, config=True, help="failures per address within the window")

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.throttle = Throttle(
                free=self.lock_free,
                base=self.lock_base_seconds,
                cap=self.lock_cap_seconds,
                window=self.lock_window_seconds,
                per_address=self.address_limit,
            )
            self.dummy_hash = hash_password(secrets.token_urlsafe(16)).encode()
            self.signup_address = ""

        # -- who is who --------------------------------------------------------------
        def setup_accounts(self) -> dict[str, dict[str, Any]]:
            return load_accounts(Path(self.accounts_file)) if self.accounts_file else {}

        def is_reserved(self, name: str, system: bool = True) -> bool:
            """A name sign-up refuses; ``system``: also existing system accounts (which
            include the trainees' own, once the hub made them: not for login checks)."""
            if name in ALWAYS_RESERVED or name in self.reserved_names:
                return True
            if name in self.admin_users or name in self.setup_accounts():
                return True
            if system and self.reserve_system_accounts:
                import pwd

                try:
                    pwd.getpwnam(name)
                except KeyError:
                    return False
                return True
            return False

        def validate_username(self, username: str) -> bool:
            return bool(NAME_RE.fullmatch(username)) and bool(super().validate_username(username))

        def create_user(self, username: str, password: str, **kwargs: Any) -> Any:
            name = self.normalize_username(username)
            if self.user_exists(name) or self.is_reserved(name) or not self.validate_username(name):
                bcrypt.checkpw(password.encode(), self.dummy_hash)  # the same cost as a hash
                self.log.warning("sign-up refused for %r from %s", name, self.signup_address)
                return None
            return super().create_user(name, password, **kwargs)

        # -- login -------------------------------------------------------------------
        def _check(self, name: str, password: str) -> bool:
            """One bcrypt check whatever the name (a dummy hash when no account may log in)."""
            account = self.setup_accounts().get(name)
            stored: bytes | None = None
            allowed = False
            if account is not None:
                stored = str(account["hash"]).encode()
                allowed = self.demo_mode or not account.get("demo")
            elif not self.is_reserved(name, system=False):
                user = self.get_user(name)
                if user is not None:
                    stored = user.password
                    allowed = bool(user.is_authorized)
            try:
                good = bcrypt.checkpw(password.encode(), stored or self.dummy_hash)
            except ValueError:  # a malformed stored hash
                good = False
            return good and allowed and stored is not None

        async def authenticate(self, handler: Any, data: dict[str, Any]) -> str | None:
            name = self.normalize_username(str(data.get("username", "")))
            password = str(data.get("password", ""))
            address = str(getattr(getattr(handler, "request", None), "remote_ip", "") or "")
            waiting = self.throttle.wait(name, address)
            good = await asyncio.to_thread(self._check, name, password)
            if waiting > 0:
                self.log.warning("login of %r from %s refused: wait %.0f s", name, address,
                                 waiting)  # fmt: skip
                return None
            if good:
                self.throttle.succeeded(name, address)
                return str(name)
            self.throttle.failed(name, address)
            return None

        def get_handlers(self, app: Any) -> list[tuple[str, Any]]:
            handlers: list[tuple[str, Any]] = super().get_handlers(app)
            return [(p, CourseSignUpHandler if p == r"/signup" else h) for p, h in handlers]

    return CourseAuthenticator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="create or reset a set-up hub account")
    parser.add_argument("name")
    parser.add_argument(
        "--root", type=Path, default=Path(__file__).resolve().parents[2] / "build" / "hub"
    )
    parser.add_argument("--role", choices=("instructor", "trainee"), default="instructor")
    parser.add_argument("--demo", action="store_true", help="a demo account (demo mode only)")
    args = parser.parse_args(argv)
    password = add_account(args.root.resolve(), args.name, role=args.role, demo=args.demo)
    sys.stdout.write(f"{args.name}: password {password} (shown this once; only its hash is kept)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
