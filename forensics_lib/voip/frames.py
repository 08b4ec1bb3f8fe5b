"""The VoIP artifacts' schemas, and the DataFrames :func:`~.capture.read_capture` returns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from forensics_lib import times
from forensics_lib.schema import (
    BOOL,
    FLOAT,
    INT,
    STR,
    TIME,
    ArtifactSpec,
    Column,
    TimelineRule,
    conform,
)
from forensics_lib.sources import Source, source_path
from forensics_lib.voip.rtp import payload_name

if TYPE_CHECKING:
    from forensics_lib.voip.capture import VoipCapture, _Reader

__all__ = ["AUTH", "CALLS", "DTMF", "MESSAGES", "STREAMS"]

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


def _time(values: list[object]) -> pd.Series:
    return times.from_unix_ns(pd.Series(values, dtype="Int64"))


def _frame(rows: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


_REFUSED = (401, 403, 407)


def _login_outcomes(auth: pd.DataFrame, messages: pd.DataFrame) -> pd.DataFrame:
    """Add ``status_code``/``accepted``: the first final response (>= 200) after each
    authenticated request with its Call-ID, CSeq number and method (RFC 3261 8.1.3)."""
    out = auth.copy()
    out["status_code"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out["accepted"] = pd.Series(pd.NA, index=out.index, dtype="boolean")
    if out.empty or messages.empty:
        return out
    requests = messages[["frame", "call_id", "cseq", "cseq_method", "time"]].rename(
        columns={"time": "request_time"}
    )
    finals = messages.loc[
        messages["status_code"].fillna(0) >= 200,
        ["call_id", "cseq", "cseq_method", "time", "status_code"],
    ]
    keyed = out[["frame"]].reset_index().merge(requests, on="frame", how="left")
    pairs = keyed.merge(finals, on=["call_id", "cseq", "cseq_method"], how="inner")
    pairs = pairs[pairs["time"] >= pairs["request_time"]].sort_values("time", kind="stable")
    first = pairs.drop_duplicates("index").set_index("index")["status_code"]
    out.loc[first.index, "status_code"] = first.astype("Int64")
    code = out["status_code"]
    out["accepted"] = (
        pd.Series(pd.NA, index=out.index, dtype="boolean")
        .mask(code.between(200, 299).fillna(False), True)
        .mask(code.isin(_REFUSED).fillna(False), False)
    )
    return out


def build(reader: _Reader) -> VoipCapture:
    from forensics_lib.voip.capture import VoipCapture

    ip = reader.addresses.text
    prov = {"source_path": reader.provenance}

    # messages
    m = pd.DataFrame(
        reader.messages,
        columns=[
            "time_ns",
            "frame",
            "src",
            "src_port",
            "dst",
            "dst_port",
            "transport",
            "method",
            "status_code",
            "reason",
            "call_id",
            "cseq",
            "cseq_method",
            "from",
            "to",
            "user_agent",
            "has_sdp",
            "offset",
        ],
    )
    m["time"] = _time(m.pop("time_ns").tolist())
    m["src_ip"] = [ip(int(v)) for v in m.pop("src")]
    m["dst_ip"] = [ip(int(v)) for v in m.pop("dst")]
    m["summary"] = [
        str(meth) if isinstance(meth, str) else f"{int(code)} {reason or ''}".strip()
        for meth, code, reason in zip(m["method"], m["status_code"], m["reason"], strict=True)
    ]
    m["artifact"] = MESSAGES.id
    messages = conform(m.assign(**prov), MESSAGES)

    # streams
    srows = []
    ssrcs_by_call: dict[str, list[str]] = {}
    calls = list(reader.calls.values())
    for stream in sorted(reader.streams.values(), key=lambda s: s.state.first_frame):
        if not reader._keep(stream):
            continue
        st = stream.state
        call_id = stream.linked.call_id if stream.linked else _guess_call(reader, stream, calls)
        ssrc = f"0x{stream.ssrc:08X}"
        if call_id:
            ssrcs_by_call.setdefault(call_id, []).append(ssrc)
        srows.append(
            {
                "ssrc": ssrc,
                "src_ip": ip(stream.src),
                "src_port": stream.sport,
                "dst_ip": ip(stream.dst),
                "dst_port": stream.dport,
                "payload_type": st.payload_types[0],
                "codec": ", ".join(payload_name(p, stream.rtpmap) for p in st.payload_types),
                "call_id": call_id,
                "first_ns": st.first_ns,
                "last_ns": st.last_ns,
                "packets": st.packets,
                "expected": st.expected,
                "lost": st.lost,
                "seq_errors": st.seq_errors,
                "max_delta_ms": st.max_delta,
                "mean_jitter_ms": st.mean_jitter,
                "max_jitter_ms": st.max_jitter,
                "linked_by": "sdp" if stream.linked else "heuristic",
                "offset": st.first_offset,
            }
        )
    s = pd.DataFrame(
        srows,
        columns=[
            "ssrc",
            "src_ip",
            "src_port",
            "dst_ip",
            "dst_port",
            "payload_type",
            "codec",
            "call_id",
            "first_ns",
            "last_ns",
            "packets",
            "expected",
            "lost",
            "seq_errors",
            "max_delta_ms",
            "mean_jitter_ms",
            "max_jitter_ms",
            "linked_by",
            "offset",
        ],
    )
    s["first_utc"] = _time(s.pop("first_ns").tolist())
    s["last_utc"] = _time(s.pop("last_ns").tolist())
    s["artifact"] = STREAMS.id
    streams = conform(s.assign(**prov), STREAMS)

    # calls
    crows = []
    for c in calls:
        crows.append(
            {
                "call_id": c.call_id,
                "caller": c.caller,
                "callee": c.callee,
                "caller_ip": ip(c.caller_ip),
                "callee_ip": ip(c.callee_ip),
                "user_agent": c.user_agent,
                "start_ns": c.start_ns,
                "ringing_ns": c.ringing_ns,
                "answer_ns": c.answer_ns,
                "end_ns": c.end_ns,
                "duration_s": (c.end_ns - c.start_ns) / 1e9,
                "talk_s": (c.end_ns - c.answer_ns) / 1e9 if c.answer_ns is not None else None,
                "state": c.state,
                "status_code": c.status_code,
                "reason": c.reason,
                "stream_ssrcs": ",".join(ssrcs_by_call.get(c.call_id, [])) or None,
                "offset": c.offset,
            }
        )
    cf = pd.DataFrame(
        crows,
        columns=[
            "call_id",
            "caller",
            "callee",
            "caller_ip",
            "callee_ip",
            "user_agent",
            "start_ns",
            "ringing_ns",
            "answer_ns",
            "end_ns",
            "duration_s",
            "talk_s",
            "state",
            "status_code",
            "reason",
            "stream_ssrcs",
            "offset",
        ],
    )
    for name in ("start", "ringing", "answer", "end"):
        # From the records, not the frame: a column of ints with gaps is float64 in pandas,
        # which rounds nanoseconds since 1970 to about 256 ns.
        cf.pop(f"{name}_ns")
        cf[f"{name}_utc"] = _time([r[f"{name}_ns"] for r in crows])
    cf["artifact"] = CALLS.id
    calls_frame = conform(cf.assign(**prov), CALLS)

    # dtmf
    d = pd.DataFrame(
        reader.dtmf,
        columns=[
            "time_ns",
            "call_id",
            "digit",
            "method",
            "duration_ms",
            "src",
            "dst",
            "ssrc",
            "offset",
        ],
    )
    d = d.sort_values("time_ns", kind="stable")
    d["time"] = _time(d.pop("time_ns").tolist())
    d["src_ip"] = [ip(int(v)) for v in d.pop("src")]
    d["dst_ip"] = [ip(int(v)) for v in d.pop("dst")]
    d["ssrc"] = [None if pd.isna(v) else f"0x{int(v):08X}" for v in d["ssrc"]]
    d["artifact"] = DTMF.id
    dtmf = conform(d.assign(**prov), DTMF)

    # auth
    a = pd.DataFrame(
        reader.auth,
        columns=[
            "time_ns",
            "frame",
            "client",
            "server",
            "username",
            "realm",
            "method",
            "uri",
            "nonce",
            "cnonce",
            "nc",
            "qop",
            "algorithm",
            "response",
            "call_id",
            "header",
            "offset",
        ],
    )
    a = _login_outcomes(a, messages)
    a = a.drop(columns="frame")
    a["time"] = _time(a.pop("time_ns").tolist())
    a["client"] = [ip(int(v)) for v in a["client"]]
    a["server"] = [ip(int(v)) for v in a["server"]]
    a["artifact"] = AUTH.id
    auth = conform(a.assign(**prov), AUTH)

    return VoipCapture(
        source_path=reader.provenance,
        packets=reader.packets,
        messages=messages,
        calls=calls_frame,
        streams=streams,
        dtmf=dtmf,
        auth=auth,
        problems=tuple(reader.problems),
        frames=reader.counts,
    )


def _guess_call(reader: _Reader, stream: object, calls: Sequence[object]) -> str | None:
    """The call a stream that no SDP announced most likely belongs to (same IPs, overlapping
    in time); ``None`` when no call, or more than one, fits."""
    from forensics_lib.voip.capture import _Call, _Stream

    assert isinstance(stream, _Stream)
    st = stream.state
    fits = []
    for call in calls:
        assert isinstance(call, _Call)
        ips = {call.caller_ip, call.callee_ip, *call.media_ips}
        if stream.src not in ips and stream.dst not in ips:
            continue
        if st.first_ns > call.end_ns + 5 * 10**9 or st.last_ns < call.start_ns:
            continue
        fits.append(call.call_id)
    return fits[0] if len(fits) == 1 else None


def with_inband(capture: VoipCapture, source: Source) -> VoipCapture:
    """``capture`` with the in-band key presses of its G.711 streams added to ``dtmf``."""
    import dataclasses

    from forensics_lib.voip.inband import inband_rows

    found = inband_rows(source, capture.streams)
    if found.empty:
        return capture
    found["artifact"] = DTMF.id
    found["source_path"] = source_path(source)
    merged = pd.concat([capture.dtmf, conform(found, DTMF)], ignore_index=True)
    merged = merged.sort_values("time", kind="stable", ignore_index=True)
    return dataclasses.replace(capture, dtmf=conform(merged, DTMF))
