"""Check candidate passwords against captured SIP digest responses (RFC 2617 / RFC 7616,
RFC 8760 for SIP's SHA-256 and SHA-512/256).

``response = H( H(A1) ":" nonce ":" nc ":" cnonce ":" qop ":" H(A2) )`` with qop
(``auth``), or ``H( H(A1) ":" nonce ":" H(A2) )`` without; ``A1 = username ":" realm ":"
password`` (``-sess`` algorithms: ``H(A1) ":" nonce ":" cnonce``), ``A2 = method ":"
digest-uri``. ``qop=auth-int`` also hashes the body, which the auth table does not keep, so it
is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["check_digest_password", "digest_ha1", "digest_response", "recover_password"]

_HASHES: dict[str, Callable[[bytes], str]] = {
    "MD5": lambda b: hashlib.md5(b, usedforsecurity=False).hexdigest(),
    "SHA-256": lambda b: hashlib.sha256(b).hexdigest(),
    "SHA-512-256": lambda b: hashlib.new("sha512_256", b).hexdigest(),
}


def _text(row: Mapping[str, Any], name: str) -> str:
    value = row.get(name)
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def digest_ha1(username: str, realm: str, password: str, algorithm: str = "MD5") -> str:
    """``H(A1)`` = ``H(username ":" realm ":" password)`` (RFC 2617 section 3.2.2.2; RFC 7616
    section 3.4.2 for SHA-256 and SHA-512-256): what a server's user database or a softphone
    that does not keep the clear password stores (Linphone ``sal_auth_compute_ha1``, the
    ``ha1`` of ``[auth_info_N]``). ``-sess`` algorithms hash this again with the nonces."""
    base = (algorithm or "MD5").upper().removesuffix("-SESS")
    if base not in _HASHES:
        raise ValueError(f"unsupported digest algorithm {algorithm!r}")
    return _HASHES[base](f"{username}:{realm}:{password}".encode())


def digest_response(
    *,
    username: str,
    realm: str,
    password: str,
    method: str,
    uri: str,
    nonce: str,
    algorithm: str = "MD5",
    qop: str = "",
    nc: str = "",
    cnonce: str = "",
) -> str:
    """The digest ``response`` a client with ``password`` would send."""
    algo = (algorithm or "MD5").upper()
    sess = algo.endswith("-SESS")
    ha1 = digest_ha1(username, realm, password, algo)
    h = _HASHES[algo.removesuffix("-SESS")]
    if sess:
        ha1 = h(f"{ha1}:{nonce}:{cnonce}".encode())
    qop = (qop or "").lower()
    if qop == "auth-int":
        raise ValueError("qop=auth-int hashes the message body, which is not kept")
    ha2 = h(f"{method}:{uri}".encode())
    if qop == "auth":
        return h(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}".encode())
    return h(f"{ha1}:{nonce}:{ha2}".encode())


def check_digest_password(row: Mapping[str, Any], candidate: str) -> bool:
    """True when ``candidate`` reproduces the ``response`` of an auth row (a dict or a
    ``DataFrame`` row of :func:`~forensics_lib.voip.read_capture` ``.auth``)."""
    expected = _text(row, "response").lower()
    if not expected:
        return False
    answer = digest_response(
        username=_text(row, "username"),
        realm=_text(row, "realm"),
        password=candidate,
        method=_text(row, "method"),
        uri=_text(row, "uri"),
        nonce=_text(row, "nonce"),
        algorithm=_text(row, "algorithm") or "MD5",
        qop=_text(row, "qop"),
        nc=_text(row, "nc"),
        cnonce=_text(row, "cnonce"),
    )
    return answer == expected


def recover_password(row: Mapping[str, Any], candidates: Iterable[str]) -> str | None:
    """The first of ``candidates`` (a word list) matching the row's response, else ``None``.

    A dictionary attack is only feasible against weak passwords: this is for the training
    exercise on synthetic captures, and for lawful casework.
    """
    for word in candidates:
        word = word.rstrip("\r\n")
        if check_digest_password(row, word):
            return word
    return None
