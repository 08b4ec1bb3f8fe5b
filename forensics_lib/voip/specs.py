"""The VoIP artifacts' declarations: one capture, five tables (their columns and timelines).

Column names follow Wireshark's VoIP Calls and RTP Streams dialogs (``ui/voip_calls.c``,
``ui/tap-rtp-analysis.c``) where they have an equivalent.
"""

from __future__ import annotations

from forensics_lib.core.schema import (
    BOOL,
    FLOAT,
    INT,
    STR,
    TIME,
    ArtifactSpec,
    Column,
    TimelineRule,
)

__all__ = ["AUTH", "CALLS", "DTMF", "GLOBS", "MAGIC", "MESSAGES", "REFERENCES", "STREAMS"]

GLOBS = ("**/*.pcap", "**/*.pcapng", "**/*.cap")
MAGIC = (
    (0, b"\xd4\xc3\xb2\xa1"),
    (0, b"\xa1\xb2\xc3\xd4"),
    (0, b"\x4d\x3c\xb2\xa1"),
    (0, b"\xa1\xb2\x3c\x4d"),
    (0, b"\x0a\x0d\x0d\x0a"),
    (0, b"\x34\xcd\xb2\xa1"),  # Kuznetzov's modified pcap
    (0, b"\xa1\xb2\xcd\x34"),
    (0, b"GMBU"),  # Microsoft Network Monitor 2.x
    (0, b"RTSS"),  # Microsoft Network Monitor 1.x
)
REFERENCES = (
    "RFC 3261 (SIP), RFC 8866 (SDP), RFC 3550 (RTP), RFC 4733 (DTMF events)",
    "Wireshark ui/voip_calls.c, ui/tap-rtp-analysis.c",
)


def _spec(
    ident: str, description: str, columns: tuple[Column, ...], timeline: tuple[TimelineRule, ...]
) -> ArtifactSpec:
    return ArtifactSpec(
        id=ident,
        family="voip",
        description=description,
        columns=columns,
        locator="offset",
        timeline=timeline,
        globs=GLOBS,
        magic=MAGIC,
        references=REFERENCES,
    )


MESSAGES = _spec(
    "voip.messages",
    "SIP messages in a packet capture (pcap/pcapng/NetMon)",
    (
        Column("time", TIME, "capture time (UTC)"),
        Column("frame", INT, "frame number (1-based, as Wireshark)"),
        Column("src_ip", STR, "sender IP"),
        Column("src_port", INT, "sender port"),
        Column("dst_ip", STR, "receiver IP"),
        Column("dst_port", INT, "receiver port"),
        Column("transport", STR, "UDP or TCP"),
        Column("method", STR, "request method (INVITE, BYE, ...), empty for a response"),
        Column("status_code", INT, "response status code, empty for a request"),
        Column("reason", STR, "response reason phrase"),
        Column("summary", STR, "method, or status code and reason"),
        Column("call_id", STR, "Call-ID"),
        Column("cseq", INT, "CSeq number"),
        Column("cseq_method", STR, "CSeq method"),
        Column("from", STR, "From identity (user@host)"),
        Column("to", STR, "To identity (user@host)"),
        Column("user_agent", STR, "User-Agent (requests) or Server (responses)"),
        Column("has_sdp", BOOL, "carries an SDP body"),
    ),
    (
        TimelineRule(
            "time",
            "SIP {summary}",
            "{from} -> {to} (Call-ID {call_id})",
            actor="from",
            counterpart="to",
        ),
    ),
)

CALLS = _spec(
    "voip.calls",
    "SIP calls (INVITE dialogs) in a packet capture, like Wireshark's VoIP Calls",
    (
        Column("call_id", STR, "Call-ID"),
        Column("caller", STR, "From of the first INVITE (user@host)"),
        Column("callee", STR, "To of the first INVITE (user@host)"),
        Column("caller_ip", STR, "who sent the first INVITE"),
        Column("callee_ip", STR, "where the first INVITE went (the callee or its proxy)"),
        Column("user_agent", STR, "User-Agent of the first INVITE"),
        Column("start_utc", TIME, "first INVITE"),
        Column("ringing_utc", TIME, "first 180/183 to the INVITE"),
        Column("answer_utc", TIME, "first 2xx to the INVITE"),
        Column("end_utc", TIME, "last SIP message of the dialog (Wireshark's stop time)"),
        Column("duration_s", FLOAT, "end_utc - start_utc, seconds (Wireshark's Duration)"),
        Column("talk_s", FLOAT, "end_utc - answer_utc, seconds: the conversation (if answered)"),
        Column("state", STR, "CALL SETUP, RINGING, IN CALL, CANCELLED, COMPLETED, REJECTED"),
        Column("status_code", INT, "last final response to the INVITE"),
        Column("reason", STR, "its reason phrase"),
        Column("stream_ssrcs", STR, "SSRCs of the call's RTP streams, comma-separated"),
    ),
    (
        TimelineRule(
            "start_utc",
            "call started",
            "{caller} -> {callee} ({state})",
            actor="caller",
            counterpart="callee",
        ),
        TimelineRule(
            "answer_utc",
            "call answered",
            "{caller} -> {callee}",
            actor="caller",
            counterpart="callee",
        ),
        TimelineRule(
            "end_utc",
            "call ended",
            "{caller} -> {callee}, {state} after {duration_s:.1f} s",
            actor="caller",
            counterpart="callee",
        ),
    ),
)

STREAMS = _spec(
    "voip.streams",
    "RTP streams in a packet capture, like tshark -z rtp,streams",
    (
        Column("ssrc", STR, "synchronisation source, hex (0x...)"),
        Column("src_ip", STR, "sender IP"),
        Column("src_port", INT, "sender port"),
        Column("dst_ip", STR, "receiver IP"),
        Column("dst_port", INT, "receiver port"),
        Column("payload_type", INT, "RTP payload type of the first packet"),
        Column("codec", STR, "payload names seen, as tshark prints them"),
        Column("call_id", STR, "Call-ID of the call the stream belongs to"),
        Column("first_utc", TIME, "first packet"),
        Column("last_utc", TIME, "last packet"),
        Column("packets", INT, "packets received"),
        Column("expected", INT, "packets expected from the sequence numbers"),
        Column("lost", INT, "expected - packets (negative: duplicates)"),
        Column("seq_errors", INT, "packets whose sequence number was not the next one"),
        Column("max_delta_ms", FLOAT, "largest gap between packets, ms"),
        Column("mean_jitter_ms", FLOAT, "mean RFC 3550 jitter, ms (as Wireshark)"),
        Column("max_jitter_ms", FLOAT, "largest RFC 3550 jitter, ms"),
        Column("linked_by", STR, "sdp (announced by SDP) or heuristic (no SDP seen)"),
    ),
    (
        TimelineRule(
            "first_utc",
            "RTP stream started",
            "{codec} {src_ip}:{src_port} -> {dst_ip}:{dst_port}, {packets} packets, {lost} lost",
            actor="src_ip",
            counterpart="dst_ip",
        ),
        TimelineRule("last_utc", "RTP stream ended", "{codec} {src_ip} -> {dst_ip}"),
    ),
)

DTMF = _spec(
    "voip.dtmf",
    "DTMF digits in a packet capture (RFC 4733 events, SIP INFO)",
    (
        Column("time", TIME, "when the digit started (UTC)"),
        Column("call_id", STR, "Call-ID"),
        Column("digit", STR, "0-9, *, #, A-D"),
        Column("method", STR, "rfc4733, sip-info or inband"),
        Column("duration_ms", FLOAT, "how long the key was held, ms"),
        Column("src_ip", STR, "sender IP"),
        Column("dst_ip", STR, "receiver IP"),
        Column("ssrc", STR, "RTP stream (rfc4733, inband), hex"),
    ),
    (
        TimelineRule(
            "time",
            "DTMF {digit}",
            "{method} from {src_ip} (Call-ID {call_id})",
            actor="src_ip",
            counterpart="dst_ip",
        ),
    ),
)

AUTH = _spec(
    "voip.auth",
    "SIP digest authentication exchanges in a packet capture (like sipdump)",
    (
        Column("time", TIME, "capture time (UTC)"),
        Column("client", STR, "IP that sent the credentials"),
        Column("server", STR, "IP they were sent to"),
        Column("username", STR, "digest username"),
        Column("realm", STR, "digest realm"),
        Column("method", STR, "SIP method of the request (part of the digest)"),
        Column("uri", STR, "digest-uri"),
        Column("nonce", STR, "server nonce"),
        Column("cnonce", STR, "client nonce (qop)"),
        Column("nc", STR, "nonce count (qop)"),
        Column("qop", STR, "quality of protection"),
        Column("algorithm", STR, "MD5, MD5-sess, SHA-256, ..."),
        Column("response", STR, "the digest response"),
        Column("call_id", STR, "Call-ID"),
        Column("header", STR, "Authorization or Proxy-Authorization"),
        Column("status_code", INT, "final response to this request (same Call-ID and CSeq)"),
        Column(
            "accepted",
            BOOL,
            "the server accepted the credentials (2xx), refused them "
            "(401, 403, 407), or no final response was captured (empty)",
        ),
    ),
    (
        TimelineRule(
            "time",
            "SIP digest login",
            "{username}@{realm} from {client} to {server}: {status_code}",
            actor="username",
            counterpart="server",
        ),
    ),
)
