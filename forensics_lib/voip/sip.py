"""SIP messages (RFC 3261) and SDP bodies (RFC 8866), recognised by content, not by port.

A datagram or a TCP byte stream holds SIP when it starts with a SIP start line: a request
line ``METHOD SP Request-URI SP SIP/2.0`` or a status line ``SIP/2.0 SP 3DIGIT SP reason``
(RFC 3261 section 7.1 / 7.2). Header names are case-insensitive and may be in their compact
form (RFC 3261 section 7.3.3 and the IANA SIP header registry: i Call-ID, f From, t To,
m Contact, v Via, l Content-Length, c Content-Type, e Content-Encoding, k Supported,
s Subject, o Event, u Allow-Events, r Refer-To, b Referred-By, x Session-Expires).
Over TCP a message is framed by its Content-Length (RFC 3261 section 18.3).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = [
    "COMPACT_HEADERS",
    "MediaDescription",
    "SdpSession",
    "SipMessage",
    "SipStreamBuffer",
    "identity",
    "looks_like_sip",
    "parse_digest",
    "parse_sdp",
    "parse_sip",
]

COMPACT_HEADERS = {
    "i": "call-id",
    "f": "from",
    "t": "to",
    "m": "contact",
    "v": "via",
    "l": "content-length",
    "c": "content-type",
    "e": "content-encoding",
    "k": "supported",
    "s": "subject",
    "o": "event",
    "u": "allow-events",
    "r": "refer-to",
    "b": "referred-by",
    "x": "session-expires",
}

# RFC 3261 section 25.1: Method = token; a token is letters, digits and -.!%*_+`'~
_REQUEST_LINE = re.compile(rb"([A-Za-z][A-Za-z0-9\-.!%*_+`'~]*) +(\S+) +SIP/(\d+\.\d+)\r?$")
_STATUS_LINE = re.compile(rb"SIP/(\d+\.\d+) +(\d{3})(?: +(.*?))?\r?$")
# A request line's method is any token (RFC 3261 7.1: case-sensitive; extension methods
# such as the PROTOS c07 suite's 4,099 'a's are requests too, just not calls).
_START = re.compile(
    rb"(?m)^(?:[A-Za-z][A-Za-z0-9\-.!%*_+`'~]* \S+ SIP/2\.0\r?$|SIP/2\.0 \d{3}[ \r\n])"
)
_MAX_HEADER = 64 * 1024


@dataclass(frozen=True)
class SipMessage:
    """One SIP message: its start line, headers (lower-case full names) and body."""

    method: str | None  # a request's method (None for a response)
    uri: str | None
    status_code: int | None
    reason: str | None
    headers: dict[str, list[str]]
    body: bytes
    truncated: bool = False  # the body is shorter than Content-Length says

    def header(self, name: str) -> str | None:
        values = self.headers.get(name)
        return values[0] if values else None

    @property
    def call_id(self) -> str | None:
        return self.header("call-id")

    @property
    def cseq(self) -> tuple[int | None, str | None]:
        value = self.header("cseq")
        if not value:
            return None, None
        parts = value.split()
        number = int(parts[0]) if parts and parts[0].isdigit() and len(parts[0]) < 11 else None
        return number, (parts[1] if len(parts) > 1 else None)  # case-sensitive (RFC 3261 7.1)

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    @property
    def is_request(self) -> bool:
        return self.method is not None


def looks_like_sip(data: bytes) -> bool:
    """True when ``data`` starts with a SIP request or status line."""
    return bool(_START.match(data))


def _split_head(data: bytes) -> tuple[bytes, bytes] | None:
    for sep in (b"\r\n\r\n", b"\n\n"):
        at = data.find(sep)
        if at >= 0:
            return data[:at], data[at + len(sep) :]
    return None


def _parse_head(
    head: bytes,
) -> tuple[re.Match[bytes] | None, re.Match[bytes] | None, dict[str, list[str]]] | None:
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    first = lines[0].rstrip(b"\r")
    req = _REQUEST_LINE.match(first)
    status = None if req else _STATUS_LINE.match(first)
    if not req and not status:
        return None
    if (req and req.group(3) != b"2.0") or (status and status.group(1) != b"2.0"):
        return None
    headers: dict[str, list[str]] = {}
    last: str | None = None
    for raw in lines[1:]:
        if raw[:1] in (b" ", b"\t") and last is not None:  # folded continuation line
            headers[last][-1] += " " + raw.strip().decode("utf-8", "replace")
            continue
        name, sep, value = raw.partition(b":")
        if not sep:
            continue
        key = name.strip().decode("ascii", "replace").lower()
        key = COMPACT_HEADERS.get(key, key)
        text = value.strip().decode("utf-8", "replace")
        if key in ("via", "contact", "route", "record-route", "allow", "supported"):
            headers.setdefault(key, []).extend(_split_commas(text))
        else:
            headers.setdefault(key, []).append(text)
        last = key
    return req, status, headers


def _split_commas(value: str) -> list[str]:
    """Split a header's comma-separated values, not inside quotes or <...>."""
    out, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(value):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "<":
            depth += 1
        elif not quoted and ch == ">":
            depth = max(depth - 1, 0)
        elif not quoted and depth == 0 and ch == ",":
            out.append(value[start:i].strip())
            start = i + 1
    out.append(value[start:].strip())
    return [v for v in out if v]


def _content_length(headers: dict[str, list[str]]) -> int | None:
    values = headers.get("content-length")
    if not values:
        return None
    text = values[0].strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def parse_sip(data: bytes) -> SipMessage | None:
    """Parse one SIP message from a datagram (``None`` when it is not SIP)."""
    if not looks_like_sip(data):
        return None
    split = _split_head(data)
    head, body = split if split else (data, b"")
    parsed = _parse_head(head[:_MAX_HEADER])
    if parsed is None:
        return None
    req, status, headers = parsed
    length = _content_length(headers)
    truncated = split is None and length not in (None, 0)
    if length is not None:
        truncated = truncated or len(body) < length
        body = body[:length]
    return _message(req, status, headers, body, truncated)


def _message(
    req: re.Match[bytes] | None,
    status: re.Match[bytes] | None,
    headers: dict[str, list[str]],
    body: bytes,
    truncated: bool,
) -> SipMessage:
    if req:
        return SipMessage(
            method=req.group(1).decode("ascii"),  # case-sensitive (RFC 3261 7.1)
            uri=req.group(2).decode("utf-8", "replace"),
            status_code=None,
            reason=None,
            headers=headers,
            body=body,
            truncated=truncated,
        )
    assert status is not None
    return SipMessage(
        method=None,
        uri=None,
        status_code=int(status.group(2)),
        reason=(status.group(3) or b"").decode("utf-8", "replace").strip(),
        headers=headers,
        body=body,
        truncated=truncated,
    )


@dataclass
class SipStreamBuffer:
    """Frame SIP messages out of one direction of a TCP connection by Content-Length."""

    data: bytearray = field(default_factory=bytearray)
    dead: bool = False  # this direction does not carry SIP

    def feed(self, payload: bytes) -> Iterator[SipMessage]:
        if self.dead:
            return
        self.data += payload
        while self.data:
            while self.data[:2] == b"\r\n":  # RFC 5626 keep-alive CRLFs
                del self.data[:2]
            if not self.data:
                return
            if not looks_like_sip(bytes(self.data[:256])):
                found = _START.search(self.data)
                if found is None:
                    if len(self.data) > _MAX_HEADER:
                        self.dead = True
                        self.data.clear()
                    return
                del self.data[: found.start()]
            split = _split_head(bytes(self.data[:_MAX_HEADER]))
            if split is None:
                if len(self.data) > _MAX_HEADER:
                    del self.data[:1]  # not a message after all: resynchronise
                    continue
                return
            head, _ = split
            parsed = _parse_head(head)
            body_at = len(head) + (4 if self.data[len(head) : len(head) + 4] == b"\r\n\r\n" else 2)
            if parsed is None:
                del self.data[:body_at]
                continue
            req, status, headers = parsed
            length = _content_length(headers) or 0
            if len(self.data) < body_at + length:
                return  # wait for the rest of the body
            body = bytes(self.data[body_at : body_at + length])
            del self.data[: body_at + length]
            yield _message(req, status, headers, body, False)


# ---------------------------------------------------------------------------------------------
# Identities and digest credentials
# ---------------------------------------------------------------------------------------------

_URI = re.compile(r"<([^>]*)>")


def identity(value: str | None) -> str | None:
    """``user@host`` of a From / To / Contact value (display name, scheme, params removed)."""
    if not value:
        return None
    found = _URI.search(value)
    uri = found.group(1) if found else value.split(";")[0]
    uri = uri.strip()
    for scheme in ("sips:", "sip:", "tel:"):
        if uri.lower().startswith(scheme):
            uri = uri[len(scheme) :]
            break
    uri = uri.split(";")[0].split("?")[0]
    user, at, host = uri.rpartition("@")
    host = re.sub(r":\d+$", "", host) if not host.endswith("]") else host
    if at:
        user = user.split(":")[0]  # drop a password in user:password@host
        return f"{user}@{host}"
    return host or None


_PARAM = re.compile(r'\s*([A-Za-z0-9_\-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^\s,]*)\s*,?')


def parse_digest(value: str) -> dict[str, str] | None:
    """The parameters of a ``Digest`` Authorization / WWW-Authenticate value (RFC 7616)."""
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    params: dict[str, str] = {}
    pos = 0
    while pos < len(rest):
        found = _PARAM.match(rest, pos)
        if not found or found.end() == pos:
            break
        raw = found.group(3) if found.group(3) is not None else found.group(2)
        params[found.group(1).lower()] = raw.replace('\\"', '"')
        pos = found.end()
    return params


# ---------------------------------------------------------------------------------------------
# SDP
# ---------------------------------------------------------------------------------------------

DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")


@dataclass
class MediaDescription:
    """One ``m=`` line with its attributes."""

    media: str
    port: int
    proto: str
    formats: list[int]
    address: str | None
    rtpmap: dict[int, tuple[str, int]] = field(default_factory=dict)  # pt -> (name, rate)
    direction: str = "sendrecv"
    rtcp_port: int | None = None


@dataclass
class SdpSession:
    address: str | None
    media: list[MediaDescription]
    direction: str = "sendrecv"


def _connection_address(value: str) -> str | None:
    # c=<nettype> <addrtype> <connection-address>[/ttl][/count]
    parts = value.split()
    if len(parts) < 3 or parts[0].upper() != "IN":
        return None
    return parts[2].split("/")[0]


def parse_sdp(body: bytes) -> SdpSession | None:
    """Parse an SDP body; ``None`` when it has no ``v=`` line. Bad lines are skipped."""
    text = body.decode("utf-8", "replace")
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n") if ln.strip()]
    if not lines or not lines[0].startswith("v="):
        return None
    session = SdpSession(address=None, media=[])
    current: MediaDescription | None = None
    for line in lines:
        if len(line) < 2 or line[1] != "=":
            continue
        kind, value = line[0], line[2:].strip()
        if kind == "c":
            address = _connection_address(value)
            if current is None:
                session.address = address
            else:
                current.address = address
        elif kind == "m":
            parts = value.split()
            if len(parts) < 3:
                current = None
                continue
            port_text = parts[1].split("/")[0]
            formats = [int(p) for p in parts[3:] if p.isdigit() and int(p) < 128]
            current = MediaDescription(
                media=parts[0].lower(),
                port=int(port_text) if port_text.isdigit() and int(port_text) < 65536 else 0,
                proto=parts[2],
                formats=formats,
                address=session.address,
                direction=session.direction,
            )
            session.media.append(current)
        elif kind == "a":
            name, _, rest = value.partition(":")
            name = name.strip().lower()
            if name in DIRECTIONS:
                if current is None:
                    session.direction = name
                else:
                    current.direction = name
            elif name == "rtpmap" and current is not None:
                pt_text, _, encoding = rest.strip().partition(" ")
                pieces = encoding.strip().split("/")
                if pt_text.isdigit() and int(pt_text) < 128 and pieces[0]:
                    rate = int(pieces[1]) if len(pieces) > 1 and pieces[1].isdigit() else 0
                    current.rtpmap[int(pt_text)] = (pieces[0], rate)
            elif name == "rtcp" and current is not None:
                port_text = rest.strip().split(" ")[0]
                if port_text.isdigit() and int(port_text) < 65536:
                    current.rtcp_port = int(port_text)
    return session
