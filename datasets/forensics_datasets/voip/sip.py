"""SIP and SDP messages and the RFC 2617 / RFC 8760 digest a phone answers a 401 with (the realm,
the names and the weak passwords of the synthetic phones)."""

from __future__ import annotations

from dataclasses import dataclass

from forensics_datasets.voip.rtp import PT_EVENT, PT_ILBC
from forensics_lib.voip.auth import digest_response

REALM = "pbx.example.org"
NAMES = ("alex", "sam", "robin", "charlie", "jo", "kim", "lou", "max", "noor", "ari")
WEAK_PASSWORDS = ("sunshine", "letmein", "dragon", "monkey", "football", "welcome", "qwerty1")


# ---------------------------------------------------------------------------------------------
# SIP
# ---------------------------------------------------------------------------------------------


def sip_message(start: str, headers: list[tuple[str, str]], body: str = "") -> bytes:
    lines = [start, *(f"{k}: {v}" for k, v in headers)]
    if body:
        lines.append("Content-Type: application/sdp")
    lines.append(f"Content-Length: {len(body.encode())}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def sdp_body(ip: str, port: int, session: int, pts: list[int]) -> str:
    names = {0: "PCMU/8000", 8: "PCMA/8000", PT_EVENT: "telephone-event/8000",
             PT_ILBC: "iLBC/8000"}  # fmt: skip
    lines = [
        "v=0", f"o=- {session} {session} IN IP4 {ip}", "s=call", f"c=IN IP4 {ip}", "t=0 0",
        f"m=audio {port} RTP/AVP {' '.join(map(str, pts))}",
        *(f"a=rtpmap:{p} {names[p]}" for p in pts), f"a=fmtp:{PT_EVENT} 0-15", "a=sendrecv",
    ]  # fmt: skip
    return "\r\n".join(lines) + "\r\n"


@dataclass(frozen=True)
class Phone:
    user: str
    ip: str
    password: str

    @property
    def aor(self) -> str:
        return f"{self.user}@{REALM}"


def phone_digest(phone: Phone, method: str, uri: str, nonce: str, cnonce: str) -> str:
    # The one implementation of RFC 2617 digest (qop=auth, first use of the nonce: nc 1).
    return digest_response(
        username=phone.user,
        realm=REALM,
        password=phone.password,
        method=method,
        uri=uri,
        nonce=nonce,
        qop="auth",
        nc="00000001",
        cnonce=cnonce,
    )
