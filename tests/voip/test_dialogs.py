"""SIP dialog state (forensics_lib.voip.dialogs), message by message.

Truth: Wireshark ui/voip_calls.c ``sip_calls_packet`` (the state names and transitions:
INVITE -> CALL SETUP, 180 -> RINGING, 200 then ACK -> IN CALL, BYE after a 2xx -> COMPLETED,
CANCEL in setup -> CANCELLED, >= 300 -> REJECTED); the messages are written here by hand.
"""

from __future__ import annotations

import pytest

from forensics_lib.errors import ForensicsWarning
from forensics_lib.voip import sip as sipmod
from forensics_lib.voip.dialogs import (
    CALL_STATES,
    Dialogs,
    guess_call,
    sdp_of,
)
from forensics_lib.voip.net import AddressBook

CALLER, CALLEE = 1, 2
SDP = (
    b"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
    b"m=audio 4000 RTP/AVP 0\r\n"
)


def _msg(first_line: str, cseq: str, body: bytes = b"", ctype: str = "") -> sipmod.SipMessage:
    head = (
        f"{first_line}\r\nCall-ID: c1\r\nCSeq: {cseq}\r\n"
        "From: <sip:alice@example.org>\r\nTo: <sip:bob@example.org>\r\n"
    )
    if ctype:
        head += f"Content-Type: {ctype}\r\n"
    head += f"Content-Length: {len(body)}\r\n\r\n"
    msg = sipmod.parse_sip(head.encode() + body)
    assert msg is not None
    return msg


def _feed(d: Dialogs, steps: list[tuple[str, str, int]]) -> None:
    for t, (line, cseq, src) in enumerate(steps):
        msg = _msg(line, cseq)
        dst = CALLEE if src == CALLER else CALLER
        d.observe(msg, t * 10**9, 100 * t, src, dst, msg.cseq[0], None, t + 1)


def _dialogs() -> tuple[Dialogs, list[str]]:
    said: list[str] = []
    return Dialogs(AddressBook(), said.append), said


INVITE = ("INVITE sip:bob@example.org SIP/2.0", "1 INVITE", CALLER)


def test_answered_then_ended_is_completed() -> None:
    d, said = _dialogs()
    _feed(
        d,
        [
            INVITE,
            ("SIP/2.0 180 Ringing", "1 INVITE", CALLEE),
            ("SIP/2.0 200 OK", "1 INVITE", CALLEE),
            ("ACK sip:bob@example.org SIP/2.0", "1 ACK", CALLER),
            ("BYE sip:bob@example.org SIP/2.0", "2 BYE", CALLER),
        ],
    )
    call = d.calls["c1"]
    assert call.state == "COMPLETED" and call.state in CALL_STATES
    # times are the step number in seconds: INVITE 0, 180 at 1 s, 200 at 2 s, BYE at 4 s
    assert (call.start_ns, call.ringing_ns, call.answer_ns, call.end_ns) == (
        0,
        10**9,
        2 * 10**9,
        4 * 10**9,
    )
    assert (call.caller, call.callee, call.status_code) == (
        "alice@example.org",
        "bob@example.org",
        200,
    )
    assert not said


def test_cancel_in_setup_is_cancelled_and_486_is_rejected() -> None:
    d, _ = _dialogs()
    _feed(d, [INVITE, ("CANCEL sip:bob@example.org SIP/2.0", "1 CANCEL", CALLER)])
    assert d.calls["c1"].state == "CANCELLED"
    d, _ = _dialogs()
    _feed(d, [INVITE, ("SIP/2.0 486 Busy Here", "1 INVITE", CALLEE)])
    assert (d.calls["c1"].state, d.calls["c1"].status_code) == ("REJECTED", 486)


def test_bye_without_an_answer_is_said() -> None:
    d, said = _dialogs()
    _feed(d, [INVITE, ("BYE sip:alice@example.org SIP/2.0", "1 BYE", CALLEE)])
    # the callee ended a call never answered: REJECTED (as an ISUP RELEASE in setup)
    assert d.calls["c1"].state == "REJECTED"
    assert len(said) == 1 and "no 2xx answer" in said[0]


def test_no_dialog_without_an_invite() -> None:
    d, _ = _dialogs()
    _feed(d, [("BYE sip:bob@example.org SIP/2.0", "2 BYE", CALLER)])
    assert d.calls == {}


def test_sdp_announces_media_endpoints() -> None:
    d, _ = _dialogs()
    msg = _msg("INVITE sip:bob@example.org SIP/2.0", "1 INVITE", SDP, "application/sdp")
    sdp = sdp_of(msg)
    assert sdp is not None
    d.announce(sdp, 7, "c1")
    [((ident, port), [ann])] = d.endpoints.items()
    assert (d.addresses.text(ident), port, ann.frame, ann.call_id) == ("10.0.0.1", 4000, 7, "c1")
    assert (
        sdp_of(_msg("MESSAGE sip:bob@example.org SIP/2.0", "3 MESSAGE", b"hi", "text/plain"))
        is None
    )


def test_guess_call_needs_exactly_one_fit() -> None:
    d, _ = _dialogs()
    _feed(d, [INVITE, ("SIP/2.0 200 OK", "1 INVITE", CALLEE)])
    calls = list(d.calls.values())
    assert guess_call(CALLER, 9, 0, 10**9, calls) == "c1"
    assert guess_call(8, 9, 0, 10**9, calls) is None  # no shared address
    assert guess_call(CALLER, 9, 60 * 10**9, 61 * 10**9, calls) is None  # long after the end


def test_warnings_channel_is_the_callback() -> None:
    # Dialogs never warns by itself: the reader's callback turns text into ForensicsWarning.
    import warnings

    def warn(text: str) -> None:
        warnings.warn(ForensicsWarning(text), stacklevel=2)

    d = Dialogs(AddressBook(), warn)
    with pytest.warns(ForensicsWarning, match="no 2xx answer"):
        _feed(d, [INVITE, ("BYE sip:bob@example.org SIP/2.0", "2 BYE", CALLER)])
    assert d.calls["c1"].state == "CANCELLED"  # the caller ended it
