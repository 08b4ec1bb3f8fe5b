"""Linphone (SIP softphone): its accounts (``.linphonerc``) and its call history database.

Sources read, each cited next to what it gave:

* Call history, liblinphone ``coreapi/call_log.c`` (``linphone_create_call_log_table``,
  ``linphone_update_call_log_table``, ``linphone_core_store_call_log``): table
  ``call_history(id, caller, callee, direction INTEGER, duration INTEGER, start_time TEXT,
  connected_time TEXT, status INTEGER, videoEnabled INTEGER, quality REAL)`` plus ``call_id``
  and ``refkey`` added by ``ALTER TABLE``. Times are written with ``%lld`` (Unix seconds) into
  TEXT columns, so they are stored as text digits; ``connected_time`` is 0 for a call never
  answered. ``caller``/``callee`` are ``linphone_address_as_string`` (``"Name"
  <sip:user@domain>``). File names: ``linphone-log-history.db`` in the app's files dir
  (linphone-android ``LinphoneManager``: ``mCallLogDatabaseFile``), ``call-history.db`` in
  newer releases (liblinphone ``Paths::PathCallHistoryList``; linphone-iphone keeps it in
  ``Library/Application Support/linphone/``), ``.linphone-call-history.db`` on the desktop.
* Direction: ``LinphoneCallDir`` (``LinphoneCallOutgoing`` = 0, ``LinphoneCallIncoming`` = 1).
  Status: ``LinphoneCallStatus`` (include/linphone/types.h: 0 success, 1 aborted, 2 missed,
  3 declined, 4 early aborted, 5 accepted elsewhere, 6 declined elsewhere).
* Duration: ``CallSessionPrivate::computeDuration`` counts from ``connected_date_time`` (from
  the start in newer releases when never connected), so ``end_time`` = (``answered_time`` or
  ``time``) + ``duration``.
* Accounts, ``.linphonerc`` (liblinphone ``lpconfig.c`` INI syntax: ``[section]``,
  ``key=value``, ``#`` comments): ``[proxy_N]`` ``reg_identity``, ``reg_proxy``, ``realm``
  (``linphone_proxy_config_write_to_config_file``) and ``[auth_info_N]`` ``username``,
  ``userid``, ``passwd``, ``ha1``, ``realm``, ``domain`` (``linphone_auth_info_write_config``;
  with ``store_ha1_passwd`` the clear password is dropped once ``ha1`` is computed).

The newer main database ``linphone.db`` (chat, conferences) is not read: its call tables are
not verified here. ``sip_accounts`` has no time (the config stores none), hence no timeline.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import pandas as pd

from forensics_lib.case.correlate import sip_identity
from forensics_lib.core import times
from forensics_lib.core.errors import ForensicsWarning, ParseError
from forensics_lib.core.registry import artifact
from forensics_lib.core.schema import (
    BOOL,
    FLOAT,
    INT,
    STR,
    TIME,
    ArtifactSpec,
    Column,
    TimelineRule,
    conform,
    empty_frame,
)
from forensics_lib.phone._common import fetch, finish, labels, missing_schema, open_db, select_list
from forensics_lib.phone.wifi import read_document
from forensics_lib.sources import Source, display_path, source_path

__all__ = [
    "DIRECTIONS",
    "SIP_ACCOUNTS",
    "SIP_CALLS",
    "STATUSES",
    "parse_linphonerc",
    "read_linphone_calls",
    "read_linphonerc",
]

# LinphoneCallDir (include/linphone/types.h).
DIRECTIONS: dict[int, str] = {0: "outgoing", 1: "incoming"}
# LinphoneCallStatus (include/linphone/types.h, explicit values in liblinphone 5).
STATUSES: dict[int, str] = {
    0: "success",
    1: "aborted",
    2: "missed",
    3: "declined",
    4: "early aborted",
    5: "accepted elsewhere",
    6: "declined elsewhere",
}

SIP_ACCOUNTS = ArtifactSpec(
    id="phone.sip_accounts",
    family="phone",
    description="Linphone SIP accounts (.linphonerc proxy_N / auth_info_N)",
    columns=(
        Column("identity", STR, "user@domain of the account (reg_identity / auth username)"),
        Column("display_name", STR, "display name in reg_identity, if any"),
        Column("username", STR, "digest username (auth_info username)"),
        Column("userid", STR, "digest user id, when different from the username"),
        Column("domain", STR, "SIP domain"),
        Column("realm", STR, "digest realm"),
        Column("proxy", STR, "registrar host[:port] (reg_proxy)"),
        Column("proxy_uri", STR, "reg_proxy as stored"),
        Column("transport", STR, "udp, tcp or tls (reg_proxy transport parameter)"),
        Column("password", STR, "clear-text password, where stored (passwd)"),
        Column("ha1", STR, "stored digest HA1 = MD5(user:realm:password), where stored"),
        Column("section", STR, "config section the row comes from (proxy_0, auth_info_1)"),
    ),
    # Android files/.linphonerc; iOS Library/Preferences/linphone/linphonerc (linphone-iphone
    # LinphoneManager +preferenceFile:); the desktop's ~/.linphonerc.
    globs=("**/.linphonerc", "**/Library/Preferences/linphone/linphonerc"),
    references=("liblinphone coreapi/lpconfig.c, proxy.c, authentication.c",),
)

_CALL_TIMELINE = (
    TimelineRule(
        "time",
        "SIP call started ({direction_label}, {status_label})",
        "{caller} -> {callee}",
        actor="local",
        counterpart="remote",
    ),
    TimelineRule(
        "end_time",
        "SIP call ended ({direction_label}, {status_label})",
        "{caller} -> {callee}, {duration_s} s",
        actor="local",
        counterpart="remote",
    ),
)

SIP_CALLS = ArtifactSpec(
    id="phone.sip_calls",
    family="phone",
    description="Linphone SIP call history (call_history table; Unix seconds)",
    columns=(
        Column("time", TIME, "call started (UTC; start_time)"),
        Column("answered_time", TIME, "call connected (UTC; connected_time, NaT if never)"),
        Column("end_time", TIME, "call ended: (answered_time or time) + duration (UTC)"),
        Column("duration_s", FLOAT, "duration in seconds, counted from connection"),
        Column("direction", INT, "raw LinphoneCallDir: 0 outgoing, 1 incoming"),
        Column("direction_label", STR, "outgoing or incoming"),
        Column("caller", STR, "caller as user@domain"),
        Column("callee", STR, "callee as user@domain"),
        Column("local", STR, "this phone's account: callee if incoming, else caller"),
        Column("remote", STR, "the other party: caller if incoming, else callee"),
        Column("caller_uri", STR, "caller address as stored (display name and URI)"),
        Column("callee_uri", STR, "callee address as stored"),
        Column("status", INT, "raw LinphoneCallStatus"),
        Column("status_label", STR, "success, aborted, missed, declined, ..."),
        Column("call_id", STR, "SIP Call-ID (matches packet captures)"),
        Column("video", BOOL, "video enabled (videoEnabled)"),
        Column("quality", FLOAT, "call quality rating (-1 when not rated)"),
        Column("time_raw", INT, "start_time as stored (Unix seconds)"),
    ),
    globs=(
        "**/org.linphone/files/linphone-log-history.db",
        "**/org.linphone/files/call-history.db",
        "**/org.linphone/databases/call-history.db",
        "**/Library/Application Support/linphone/call-history.db",
        "**/.linphone-call-history.db",
    ),
    timeline=_CALL_TIMELINE,
    references=("liblinphone coreapi/call_log.c", "include/linphone/types.h LinphoneCallStatus"),
)

_SECTION = re.compile(r"\[([^\]]*)\]")
_PROXY_SECTION = re.compile(r"proxy_(\d+)")
_AUTH_SECTION = re.compile(r"auth_info_(\d+)")
_DISPLAY = re.compile(r'^\s*"?([^"<]*?)"?\s*<')
_URI_HOST = re.compile(r"sips?:(?:[^@;>\s]+@)?([^;>\s]+)", re.IGNORECASE)
_TRANSPORT = re.compile(r";\s*transport=([A-Za-z]+)", re.IGNORECASE)


# -- .linphonerc -------------------------------------------------------------------------------


def parse_linphonerc(data: bytes, path: str) -> list[tuple[str, dict[str, str]]]:
    """``(section, {key: value})`` in file order, as lpconfig.c reads an INI file.

    A NUL byte means the file is not a text config (a ParseError at its offset); a line that
    is neither a section, a ``key=value``, a comment nor blank is skipped with one warning.
    """
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ParseError(path, nul, "NUL byte: not a Linphone text config")
    text = data.decode("utf-8", errors="replace")
    sections: list[tuple[str, dict[str, str]]] = []
    current: dict[str, str] | None = None
    skipped = 0
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        match = _SECTION.fullmatch(stripped)
        if match:
            current = {}
            sections.append((match.group(1).strip(), current))
            continue
        key, sep, value = stripped.partition("=")
        if sep and key.strip() and current is not None:
            current[key.strip()] = value.strip()
        else:
            skipped += 1
    if skipped:
        warnings.warn(
            f"{path}: {skipped} line(s) outside any section or without '=' skipped",
            ForensicsWarning,
            stacklevel=2,
        )
    return sections


def _proxy_host(uri: str | None) -> str | None:
    if not uri:
        return None
    match = _URI_HOST.search(uri)
    return match.group(1).lower() if match else uri.strip("<> ").lower() or None


def _transport(uri: str | None) -> str | None:
    if not uri:
        return None
    match = _TRANSPORT.search(uri)
    if match:
        return match.group(1).lower()
    return "tls" if uri.strip("<> ").lower().startswith("sips:") else "udp"


def _display_name(identity: str | None) -> str | None:
    if not identity:
        return None
    match = _DISPLAY.match(identity)
    return match.group(1).strip() or None if match else None


def _split(identity: str | None) -> tuple[str | None, str | None]:
    if identity is None:
        return None, None
    user, _, domain = identity.partition("@")
    return user or None, domain or None


def _auth_matches(auth: dict[str, str], user: str | None, domain: str | None) -> bool:
    if auth.get("username") != user:
        return False
    where = {auth.get("domain", "").lower(), auth.get("realm", "").lower()} - {""}
    return not where or (domain or "") in where


def _account_row(section: str, proxy: dict[str, str], auth: dict[str, str]) -> dict[str, Any]:
    raw_identity = proxy.get("reg_identity")
    identity = sip_identity(raw_identity) if raw_identity else None
    if identity is None and auth.get("username"):
        identity = sip_identity(auth["username"], auth.get("domain") or auth.get("realm"))
    user, domain = _split(identity)
    return {
        "identity": identity,
        "display_name": _display_name(raw_identity),
        "username": auth.get("username") or user,
        "userid": auth.get("userid") or None,
        "domain": (auth.get("domain") or domain or "").lower() or None,
        "realm": auth.get("realm") or proxy.get("realm") or None,
        "proxy": _proxy_host(proxy.get("reg_proxy")),
        "proxy_uri": proxy.get("reg_proxy") or None,
        "transport": _transport(proxy.get("reg_proxy")),
        "password": auth.get("passwd") or None,
        "ha1": auth.get("ha1") or None,
        "section": section,
        "row_id": int(section.rsplit("_", 1)[1]),
    }


@artifact(SIP_ACCOUNTS)
def read_linphonerc(source: Source) -> pd.DataFrame:
    """``.linphonerc``: one row per ``[proxy_N]`` (with its matching ``[auth_info_M]``),
    then one per ``[auth_info_M]`` no proxy uses. ``row_id`` is the section's index N."""
    where = display_path(source)
    sections = parse_linphonerc(read_document(source), where)
    proxies = [(s, v) for s, v in sections if _PROXY_SECTION.fullmatch(s)]
    auths = [(s, v) for s, v in sections if _AUTH_SECTION.fullmatch(s)]
    used: set[str] = set()
    rows = []
    for name, proxy in proxies:
        user, domain = _split(sip_identity(proxy.get("reg_identity")))
        auth_name, auth = next(
            ((s, v) for s, v in auths if s not in used and _auth_matches(v, user, domain)),
            ("", {}),
        )
        if auth_name:
            used.add(auth_name)
        rows.append(_account_row(name, proxy, auth))
    rows += [_account_row(s, {}, v) for s, v in auths if s not in used]
    frame = pd.DataFrame(
        {c.name: pd.Series([r[c.name] for r in rows], dtype=object) for c in SIP_ACCOUNTS.columns}
    )
    frame["artifact"] = SIP_ACCOUNTS.id
    frame["source_path"] = source_path(source)
    frame["row_id"] = pd.Series([r["row_id"] for r in rows], dtype="Int64")
    return conform(frame, SIP_ACCOUNTS)


# -- call history ------------------------------------------------------------------------------

_REQUIRED = ("id", "caller", "callee", "direction", "duration", "start_time", "connected_time")
_OPTIONAL = ("status", "videoEnabled", "quality", "call_id")


def _identities(values: pd.Series) -> pd.Series:
    return pd.Series([sip_identity(v) for v in values], index=values.index, dtype="str")


@artifact(SIP_CALLS)
def read_linphone_calls(source: Source) -> pd.DataFrame:
    """``call_history``: one row per call, newest last (by ``id``)."""
    with open_db(source) as db:
        if missing_schema(db, "call_history", _REQUIRED, SIP_CALLS.id):
            return empty_frame(SIP_CALLS)
        optional = select_list(db, "call_history", "c", _OPTIONAL)
        raw = fetch(
            db,
            "SELECT c.id AS id, c.caller AS caller, c.callee AS callee, "
            "c.direction AS direction, c.duration AS duration, c.start_time AS start_time, "
            f"c.connected_time AS connected_time, {optional} FROM call_history AS c ORDER BY c.id",
            {
                "id": "int",
                "direction": "int",
                "duration": "int",
                "start_time": "int",
                "connected_time": "int",
                "status": "int",
                "videoEnabled": "int",
                "quality": "float",
            },
        )
    start = times.from_unix(raw["start_time"])
    connected_raw = raw["connected_time"].where(raw["connected_time"].ne(0).fillna(False))
    answered = times.from_unix(connected_raw)
    duration = raw["duration"].astype("float64")
    base = answered.where(answered.notna(), start)
    end = base + pd.to_timedelta(duration.fillna(0), unit="s")
    caller = _identities(raw["caller"])
    callee = _identities(raw["callee"])
    incoming = raw["direction"].eq(1).fillna(False).to_numpy(dtype=bool)
    local = caller.where(~incoming, callee)
    remote = callee.where(~incoming, caller)
    frame = pd.DataFrame(
        {
            "time": start,
            "answered_time": answered,
            "end_time": end,
            "duration_s": duration,
            "direction": raw["direction"],
            "direction_label": labels(raw["direction"], DIRECTIONS),
            "caller": caller,
            "callee": callee,
            "local": local,
            "remote": remote,
            "caller_uri": raw["caller"],
            "callee_uri": raw["callee"],
            "status": raw["status"],
            "status_label": labels(raw["status"], STATUSES),
            "call_id": raw["call_id"],
            "video": raw["videoEnabled"]
            .astype("Int64")
            .map(lambda v: None if pd.isna(v) else v != 0)
            .astype("boolean"),
            "quality": raw["quality"],
            "time_raw": raw["start_time"],
        },
        copy=False,
    )
    return finish(frame, SIP_CALLS, source, raw["id"])
