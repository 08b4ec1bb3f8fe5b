"""SIP dialog state: the calls of a capture and the media addresses their SDP announced.

The call state machine is Wireshark's ``ui/voip_calls.c`` (``sip_calls_packet``), with
RINGING added on 180/183; an SDP body's ``c=``/``m=`` lines announce an address:port for
media (a Wireshark RTP conversation, ``epan/dissectors/packet-sdp.c``), which is how
:mod:`.streams` ties an RTP flow to its call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from forensics_lib.voip import sip as sipmod
from forensics_lib.voip.net import AddressBook

__all__ = [
    "CALL_STATES",
    "Announcement",
    "Call",
    "Dialogs",
    "guess_call",
    "sdp_of",
]

# Wireshark ui/voip_calls.c voip_call_state_name.
CALL_SETUP, RINGING, IN_CALL, CANCELLED, COMPLETED, REJECTED, UNKNOWN = (
    "CALL SETUP",
    "RINGING",
    "IN CALL",
    "CANCELLED",
    "COMPLETED",
    "REJECTED",
    "UNKNOWN",
)
CALL_STATES = (CALL_SETUP, RINGING, IN_CALL, CANCELLED, COMPLETED, REJECTED, UNKNOWN)

Endpoint = tuple[int, int]  # (address id in the AddressBook, port)


@dataclass
class Announcement:
    """An address:port that an SDP body announced for media (a Wireshark RTP conversation)."""

    frame: int
    call_id: str | None
    rtpmap: dict[int, tuple[str, int]]
    media: str
    direction: str


@dataclass
class Call:
    """One INVITE dialog, as ``voip_calls.c`` follows it."""

    call_id: str
    caller: str | None
    callee: str | None
    caller_ip: int
    callee_ip: int
    user_agent: str | None
    start_ns: int
    offset: int
    invite_cseq: int | None
    state: str = CALL_SETUP
    sip_state: str = "INVITE_SENT"
    ringing_ns: int | None = None
    answer_ns: int | None = None
    end_ns: int = 0
    status_code: int | None = None
    reason: str | None = None
    media_ips: set[int] = field(default_factory=set)


def sdp_of(msg: sipmod.SipMessage) -> sipmod.SdpSession | None:
    """The SDP body of ``msg`` (also the SDP part of a multipart body), or ``None``."""
    body = msg.body
    if not body:
        return None
    ctype = msg.content_type
    if ctype.startswith("multipart/"):
        at = body.find(b"v=0")
        if at < 0:
            return None
        body = body[at:]
        end = body.find(b"\r\n--")
        body = body if end < 0 else body[:end]
    elif ctype and ctype != "application/sdp":
        return None
    return sipmod.parse_sdp(body)


class Dialogs:
    """The calls (by Call-ID) and SDP media announcements (by endpoint) seen so far."""

    def __init__(self, addresses: AddressBook, warn: Callable[[str], None]) -> None:
        self.addresses = addresses
        self.warn = warn
        self.calls: dict[str, Call] = {}
        self.endpoints: dict[Endpoint, list[Announcement]] = {}

    def announce(self, sdp: sipmod.SdpSession, frame: int, call_id: str | None) -> None:
        """Record the media address:ports that ``sdp`` (sent in ``frame``) offers."""
        for media in sdp.media:
            if media.port == 0 or not media.address:
                continue
            ident = self.addresses.intern_text(media.address)
            if ident is None or self.addresses.text(ident) in ("0.0.0.0", "::"):
                continue
            ann = Announcement(frame, call_id, dict(media.rtpmap), media.media, media.direction)
            self.endpoints.setdefault((ident, media.port), []).append(ann)
            call = self.calls.get(call_id or "")
            if call is not None:
                call.media_ips.add(ident)

    def observe(
        self,
        msg: sipmod.SipMessage,
        time_ns: int,
        offset: int,
        src: int,
        dst: int,
        cseq: int | None,
        ua: str | None,
        frame: int,
    ) -> None:
        """Move the dialog of ``msg`` on (Wireshark ui/voip_calls.c sip_calls_packet)."""
        call_id = msg.call_id
        if not call_id:
            return
        call = self.calls.get(call_id)
        if call is None:
            if msg.method != "INVITE":
                return
            call = self.calls[call_id] = Call(
                call_id=call_id,
                caller=sipmod.identity(msg.header("from")),
                callee=sipmod.identity(msg.header("to")),
                caller_ip=src,
                callee_ip=dst,
                user_agent=ua,
                start_ns=time_ns,
                offset=offset,
                invite_cseq=cseq,
            )
        setup = call.state in (CALL_SETUP, RINGING)
        code = msg.status_code
        if code is not None:
            if cseq == call.invite_cseq and dst == call.caller_ip:
                if code in (180, 183) and setup:
                    call.state = RINGING
                    call.ringing_ns = call.ringing_ns or time_ns
                elif 200 <= code < 300 and call.sip_state == "INVITE_SENT":
                    call.sip_state = "200_REC"
                    call.answer_ns = call.answer_ns or time_ns
                elif code >= 300 and call.sip_state == "INVITE_SENT":
                    call.state = REJECTED
                if code >= 200:
                    call.status_code, call.reason = code, msg.reason
        elif msg.method == "INVITE" and src == call.caller_ip:
            call.invite_cseq = cseq
            call.state = CALL_SETUP
        elif (
            msg.method == "ACK"
            and cseq == call.invite_cseq
            and src == call.caller_ip
            and call.sip_state == "200_REC"
            and setup
        ):
            call.state = IN_CALL
        elif msg.method == "BYE":
            # voip_calls.c sets COMPLETED on any BYE; a call is COMPLETED here only when a
            # 2xx to its INVITE was seen (answered, then ended). A BYE without one means the
            # answer was not captured or not decoded: the call is classed as voip_calls.c
            # classes an ISUP RELEASE in call setup (isup_calls_packet): CANCELLED when the
            # caller ends it, REJECTED when the other side does, and a warning says why.
            if call.sip_state == "200_REC":
                call.state = COMPLETED
            elif setup:
                call.state = CANCELLED if src == call.caller_ip else REJECTED
                self.warn(
                    f"call {call_id}: BYE in frame {frame} but no 2xx answer to its INVITE was "
                    f"captured or decoded; state {call.state}, not COMPLETED"
                )
        elif (
            msg.method == "CANCEL" and cseq == call.invite_cseq and src == call.caller_ip and setup
        ):
            call.state = CANCELLED
            call.sip_state = "CANCEL_SENT"
        call.end_ns = time_ns


def guess_call(
    src: int, dst: int, first_ns: int, last_ns: int, calls: Iterable[Call]
) -> str | None:
    """The call a flow that no SDP announced most likely belongs to (same IPs, overlapping
    in time); ``None`` when no call, or more than one, fits."""
    fits = []
    for call in calls:
        ips = {call.caller_ip, call.callee_ip, *call.media_ips}
        if src not in ips and dst not in ips:
            continue
        if first_ns > call.end_ns + 5 * 10**9 or last_ns < call.start_ns:
            continue
        fits.append(call.call_id)
    return fits[0] if len(fits) == 1 else None
