"""Linphone's account config and call history, written as the app stores them.

* ``.linphonerc`` (Android ``/data/data/org.linphone/files/.linphonerc``, linphone-android
  ``LinphoneManager``): lpconfig INI; ``[proxy_N]`` ``reg_identity``/``reg_proxy``/
  ``reg_expires``/``realm`` and ``[auth_info_N]`` ``username``/``userid``/``passwd``/``ha1``/
  ``realm``/``domain`` (liblinphone ``proxy.c``, ``authentication.c``).
* ``call_history`` table (liblinphone ``coreapi/call_log.c``): the ``CREATE TABLE`` then the two
  ``ALTER TABLE`` statements the library runs, rows inserted the way
  ``linphone_core_store_call_log`` does (start/connected times as Unix seconds into TEXT
  columns, so stored as text). Android ``files/call-history.db``; iOS
  ``Library/Application Support/linphone/call-history.db`` in the app's data container.

Everything synthetic: ``example.org`` identities and proxies, invented passwords.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_datasets.phone._pack import WalState, write_db
from forensics_datasets.phone.scenario import json_ready
from forensics_lib.voip.auth import digest_ha1

__all__ = [
    "ANDROID_CALL_HISTORY",
    "ANDROID_LINPHONERC",
    "CALL_HISTORY_SCHEMA",
    "IOS_CALL_HISTORY",
    "IOS_LINPHONERC",
    "Linphone",
    "SipAccount",
    "SipCall",
    "linphonerc_text",
    "make_linphone",
    "write_android_linphone",
    "write_call_history",
    "write_ios_linphone",
]

ANDROID_LINPHONERC = "data/data/org.linphone/files/.linphonerc"
ANDROID_CALL_HISTORY = "data/data/org.linphone/files/call-history.db"
_IOS_CONTAINER = (
    "private/var/mobile/Containers/Data/Application/5B1E2C3D-0000-4000-8000-00000000C0DE"
)
IOS_CALL_HISTORY = f"{_IOS_CONTAINER}/Library/Application Support/linphone/call-history.db"
# linphone-iphone LinphoneManager +preferenceFile: (NSLibraryDirectory + "/Preferences/linphone/",
# later linphone_factory_get_config_dir, the same folder in the app's container).
IOS_LINPHONERC = f"{_IOS_CONTAINER}/Library/Preferences/linphone/linphonerc"

# liblinphone coreapi/call_log.c: linphone_create_call_log_table + linphone_update_call_log_table.
CALL_HISTORY_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS call_history (id             INTEGER PRIMARY KEY AUTOINCREMENT,"
    "caller         TEXT NOT NULL,callee         TEXT NOT NULL,direction      INTEGER,"
    "duration       INTEGER,start_time     TEXT NOT NULL,connected_time TEXT NOT NULL,"
    "status         INTEGER,videoEnabled   INTEGER,quality        REAL);",
    "ALTER TABLE call_history ADD COLUMN call_id TEXT;",
    "ALTER TABLE call_history ADD COLUMN refkey TEXT;",
)

_USERS = ("alex001", "sam.kent", "jo-ellis", "ops7")
_PEERS = (
    ("Robin Example", "robin"),
    ("", "4420000001"),
    ("Desk B", "deskb"),
    ("Ünal Örnek", "unal"),
    ("", "voicemail"),
)


@dataclass(frozen=True)
class SipAccount:
    username: str
    domain: str
    proxy: str  # host
    transport: str  # udp, tcp, tls
    realm: str
    password: str | None
    ha1: str | None
    display_name: str


@dataclass(frozen=True)
class SipCall:
    start: pd.Timestamp
    connected: pd.Timestamp | None
    duration: int
    direction: int  # 0 outgoing, 1 incoming
    status: int
    local: str  # user@domain
    remote: str  # user@domain
    remote_name: str
    call_id: str
    video: bool
    quality: float

    @property
    def caller(self) -> str:
        return self.remote if self.direction == 1 else self.local

    @property
    def callee(self) -> str:
        return self.local if self.direction == 1 else self.remote


@dataclass
class Linphone:
    seed: int
    accounts: list[SipAccount] = field(default_factory=list)
    calls: list[SipCall] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = json_ready(asdict(self))
        for call, raw in zip(self.calls, out["calls"], strict=True):
            raw["caller"], raw["callee"] = call.caller, call.callee
        return out


def make_linphone(seed: int, *, calls: int = 9) -> Linphone:
    """Two accounts (one with a clear password, one with only its HA1) and ``calls`` calls of
    every direction and status; times whole seconds (exact as stored)."""
    rng = random.Random(seed * 104_729 + 17)
    out = Linphone(seed=seed)
    for i, transport in enumerate(("tls", "udp")):
        user = rng.choice(_USERS) + str(i)
        domain = ("sip.example.org", "pbx.example.org")[i]
        password = f"example-{rng.randint(100000, 999999)}"
        out.accounts.append(
            SipAccount(
                username=user,
                domain=domain,
                proxy=domain,
                transport=transport,
                realm=domain,
                password=password if i == 0 else None,
                ha1=None if i == 0 else digest_ha1(user, domain, password),
                display_name=("Alex Example", "")[i],
            )
        )
    t = pd.Timestamp("2024-03-14T09:00:00Z")
    for n in range(calls):
        t = t + pd.Timedelta(seconds=rng.randint(60, 7200))
        account = out.accounts[n % len(out.accounts)]
        name, peer = rng.choice(_PEERS)
        direction = rng.randint(0, 1)
        status = n % 7 if n < 7 else 0  # every LinphoneCallStatus at least once
        answered = status == 0
        ring = rng.randint(1, 20)
        connected = t + pd.Timedelta(seconds=ring) if answered else None
        duration = rng.randint(5, 900) if answered else 0
        out.calls.append(
            SipCall(
                start=t,
                connected=connected,
                duration=duration,
                direction=direction,
                status=status,
                local=f"{account.username}@{account.domain}",
                remote=f"{peer}@{account.domain}",
                remote_name=name,
                call_id=f"{rng.getrandbits(64):016x}@192.0.2.{10 + n}",
                video=rng.random() < 0.2,
                quality=round(rng.uniform(1, 5), 2) if answered else -1.0,
            )
        )
    return out


def linphonerc_text(accounts: list[SipAccount]) -> str:
    """The ``.linphonerc`` the app leaves: [sip], then one proxy_N and auth_info_N per account."""
    lines = ["[sip]", "sip_port=-1", "sip_tcp_port=-1", "default_proxy=0", "store_ha1_passwd=0", ""]
    for i, a in enumerate(accounts):
        identity = f"sip:{a.username}@{a.domain}"
        if a.display_name:
            identity = f'"{a.display_name}" <{identity}>'
        lines += [
            f"[proxy_{i}]",
            f"reg_proxy=<sip:{a.proxy};transport={a.transport}>",
            f"reg_route=<sip:{a.proxy};transport={a.transport};lr>",
            f"reg_identity={identity}",
            f"realm={a.realm}",
            "quality_reporting_enabled=0",
            "reg_expires=3600",
            "reg_sendregister=1",
            "publish=0",
            "dial_escape_plus=0",
            "",
        ]
    for i, a in enumerate(accounts):
        lines += [f"[auth_info_{i}]", f"username={a.username}"]
        if a.password is not None:
            lines.append(f"passwd={a.password}")
        if a.ha1 is not None:
            lines.append(f"ha1={a.ha1}")
        lines += [f"realm={a.realm}", f"domain={a.domain}", "algorithm=MD5", ""]
    return "\n".join(lines)


def _address(user_at_domain: str, name: str) -> str:
    uri = f"sip:{user_at_domain}"
    return f'"{name}" <{uri}>' if name else f"<{uri}>"


def write_call_history(path: Path, calls: list[SipCall], wal: WalState = "none") -> None:
    """``call_history`` rows as ``linphone_core_store_call_log`` inserts them."""

    def head(conn: sqlite3.Connection) -> None:
        for c in calls:
            local_name = ""
            caller = _address(c.caller, c.remote_name if c.direction == 1 else local_name)
            callee = _address(c.callee, local_name if c.direction == 1 else c.remote_name)
            start = int(c.start.timestamp())
            connected = int(c.connected.timestamp()) if c.connected is not None else 0
            conn.execute(
                "INSERT INTO call_history VALUES(NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                (
                    caller,
                    callee,
                    c.direction,
                    c.duration,
                    start,  # %lld into a TEXT column: stored as text
                    connected,
                    c.status,
                    1 if c.video else 0,
                    c.quality,
                    c.call_id,
                ),
            )

    write_db(path, CALL_HISTORY_SCHEMA, head, wal=wal)


def _write(root: Path, rc: str, db: str, data: Linphone, wal: bool) -> dict[str, Any]:
    paths = {"call_history": "/" + db}
    if rc:
        cfg = root / rc
        cfg.parent.mkdir(parents=True, exist_ok=True)
        cfg.write_text(linphonerc_text(data.accounts), encoding="utf-8")
        paths["linphonerc"] = "/" + rc
    write_call_history(root / db, data.calls, wal="tail" if wal else "none")
    return {**data.to_json(), "paths": paths}


def write_android_linphone(root: Path, data: Linphone, *, wal: bool = True) -> dict[str, Any]:
    """``.linphonerc`` and ``call-history.db`` under org.linphone's files dir."""
    return _write(root, ANDROID_LINPHONERC, ANDROID_CALL_HISTORY, data, wal)


def write_ios_linphone(root: Path, data: Linphone, *, wal: bool = True) -> dict[str, Any]:
    """``linphonerc`` and ``call-history.db`` in the app's data container."""
    return _write(root, IOS_LINPHONERC, IOS_CALL_HISTORY, data, wal)
