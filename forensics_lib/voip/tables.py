"""The VoIP artifacts' schemas, and the DataFrames :func:`~.capture.read_capture` returns.

:func:`build` turns what the reader gathered (SIP message rows, the dialogs of
:mod:`.dialogs`, the RTP streams of :mod:`.streams`) into the five conformed tables of a
:class:`VoipCapture`. This module reads nothing: :mod:`.capture` reads and calls it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pandas as pd

from forensics_lib.core import times
from forensics_lib.core.schema import conform
from forensics_lib.sources import Source, source_path
from forensics_lib.voip.dialogs import Dialogs, guess_call
from forensics_lib.voip.net import AddressBook, FrameCounts
from forensics_lib.voip.rtp import payload_name
from forensics_lib.voip.specs import AUTH, CALLS, DTMF, MESSAGES, STREAMS
from forensics_lib.voip.streams import RtpStreams

__all__ = [
    "AUTH",
    "CALLS",
    "DTMF",
    "MESSAGES",
    "STREAMS",
    "Gathered",
    "VoipCapture",
    "build",
    "reasons",
    "summary_lines",
    "why_no_call",
]


@dataclass(frozen=True)
class VoipCapture:
    """Everything :func:`~.capture.read_capture` found in one capture (DataFrames, UTC times)."""

    source_path: str
    packets: int
    messages: pd.DataFrame
    calls: pd.DataFrame
    streams: pd.DataFrame
    dtmf: pd.DataFrame
    auth: pd.DataFrame
    problems: tuple[str, ...] = ()
    frames: FrameCounts = field(default_factory=FrameCounts)

    def summary_lines(self) -> list[str]:
        """What became of the capture's frames, and why no call was found if none was."""
        return summary_lines(self)


@dataclass(frozen=True)
class Gathered:
    """What one pass of the reader gathered, before it becomes tables."""

    provenance: str
    packets: int
    addresses: AddressBook
    messages: list[dict[str, object]]
    auth: list[dict[str, object]]
    dtmf: list[dict[str, object]]
    dialogs: Dialogs
    streams: RtpStreams
    problems: tuple[str, ...]
    counts: FrameCounts


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


def build(reader: Gathered) -> VoipCapture:
    """The five tables of what ``reader`` gathered, conformed to their specs."""
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
    calls = list(reader.dialogs.calls.values())
    for stream in reader.streams.kept():
        st = stream.state
        call_id = (
            stream.linked.call_id
            if stream.linked
            else guess_call(stream.src, stream.dst, st.first_ns, st.last_ns, calls)
        )
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
        problems=reader.problems,
        frames=reader.counts,
    )


def with_inband(capture: VoipCapture, source: Source) -> VoipCapture:
    """``capture`` with the in-band key presses of its G.711 streams added to ``dtmf``."""
    from forensics_lib.voip.inband import inband_rows

    found = inband_rows(source, capture.streams)
    if found.empty:
        return capture
    found["artifact"] = DTMF.id
    found["source_path"] = source_path(source)
    merged = pd.concat([capture.dtmf, conform(found, DTMF)], ignore_index=True)
    merged = merged.sort_values("time", kind="stable", ignore_index=True)
    return dataclasses.replace(capture, dtmf=conform(merged, DTMF))


def reasons(c: FrameCounts) -> str:
    """The skip reasons of ``c``, most frequent first."""
    ordered = sorted(c.skipped.items(), key=lambda kv: (-kv[1], kv[0]))
    return "; ".join(f"{reason}: {n:,}" for reason, n in ordered)


def summary_lines(capture: VoipCapture) -> list[str]:
    """The lines ``forensics-lib voip summary`` prints (frames by outcome, then calls)."""
    c = capture.frames
    lines = [
        f"frames read: {c.read:,}",
        f"decoded as SIP: {c.sip:,}",
        f"decoded as RTP: {c.rtp:,}",
        f"decoded as RTCP: {c.rtcp:,}",
    ]
    for what, n in sorted(c.other.items()):
        lines.append(f"decoded, other ({what}): {n:,}")
    skipped = c.skipped
    lines.append(f"skipped: {sum(skipped.values()):,}")
    for reason, n in sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {reason}: {n:,}")
    lines.append(f"SIP messages: {len(capture.messages):,}")
    lines.append(f"calls: {len(capture.calls):,}")
    lines.append(f"RTP streams: {len(capture.streams):,}")
    if capture.calls.empty:
        lines.append(f"no call found: {why_no_call(capture)}")
    return lines


def why_no_call(capture: VoipCapture) -> str:
    """Why ``capture`` has no call: no frame, nothing decodable, no SIP, or no INVITE."""
    c = capture.frames
    if c.read == 0:
        return "the capture holds no frames"
    if c.read == sum(c.skipped.values()):
        return f"no frame could be decoded ({reasons(c)})"
    if capture.messages.empty:
        why = "no SIP message was decoded"
        return f"{why}; {sum(c.skipped.values()):,} frames were skipped" if c.skipped else why
    methods = capture.messages["method"].dropna()
    if not (methods == "INVITE").any():
        return f"no INVITE among the {len(capture.messages):,} SIP messages"
    return "no INVITE had a Call-ID"
