"""Read a capture once and answer: which calls, which RTP streams, what SIP, which digits.

:func:`read_capture` streams the capture (pcap or pcapng) batch by batch: SIP messages are
parsed in Python (there are few), RTP headers are decoded and analysed per stream with
NumPy (there are many). Streams are tied to calls through the SDP that announced their
address and port (``linked_by = "sdp"``, as Wireshark does); RTP-looking flows that no
captured SDP announced are reported with ``linked_by = "heuristic"``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from forensics_lib.errors import ForensicsWarning, ParseError
from forensics_lib.sources import Source, display_path, source_path
from forensics_lib.voip import sip as sipmod
from forensics_lib.voip.net import (
    HARMLESS,
    AddressBook,
    Datagrams,
    Decoder,
    FrameCounts,
    TcpSegment,
)
from forensics_lib.voip.pcap import DEFAULT_CHUNK, iter_batches
from forensics_lib.voip.rtp import RtpState, clock_rate

__all__ = ["CALL_STATES", "VoipCapture", "read_capture", "summary_lines", "why_no_call"]

I64 = npt.NDArray[np.int64]

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
# RFC 4733 section 3.2: DTMF event codes.
DTMF_EVENTS = "0123456789*#ABCD"
HEURISTIC_MIN_PACKETS = 8
SIPS_PORT = 5061
SIP_TLS = "TCP port 5061 (SIP over TLS, encrypted)"
_HEADER_NAMES = {"authorization": "Authorization", "proxy-authorization": "Proxy-Authorization"}
_MAX_STREAMS = 200_000


@dataclass
class _Announcement:
    """An address:port that an SDP body announced for media (a Wireshark RTP conversation)."""

    frame: int
    call_id: str | None
    rtpmap: dict[int, tuple[str, int]]
    media: str
    direction: str


@dataclass
class _Stream:
    src: int
    sport: int
    dst: int
    dport: int
    ssrc: int
    state: RtpState = field(default_factory=RtpState)
    linked: _Announcement | None = None
    rtpmap: dict[int, tuple[str, int]] = field(default_factory=dict)
    events: list[tuple[int, int, int, int, int, int]] = field(default_factory=list)


@dataclass
class _Call:
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


@dataclass(frozen=True)
class VoipCapture:
    """Everything :func:`read_capture` found in one capture (DataFrames, UTC times)."""

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


class _Reader:
    def __init__(self, where: str, provenance: str) -> None:
        self.where = where
        self.provenance = provenance
        self.addresses = AddressBook()
        self.decoder = Decoder(where, self.addresses)
        self.counts = self.decoder.counts
        self.udp_frames = self.tcp_frames = self.sip_udp = self.sip_tcp = self.tls_frames = 0
        self.messages: list[dict[str, object]] = []
        self.auth: list[dict[str, object]] = []
        self.dtmf: list[dict[str, object]] = []
        self.calls: dict[str, _Call] = {}
        self.endpoints: dict[tuple[int, int], list[_Announcement]] = {}
        self.streams: dict[tuple[int, int, int, int, int], _Stream] = {}
        self.tcp: dict[tuple[int, int, int, int], sipmod.SipStreamBuffer] = {}
        self.tcp_next: dict[tuple[int, int, int, int], int] = {}
        self.clock_cache: dict[tuple[tuple[int, str, int], ...], I64] = {}
        self.first_ns: int | None = None
        self.packets = 0
        self.problems: list[str] = []
        self._stream_cap_warned = False

    # -- main loop ---------------------------------------------------------------------------
    def run(self, source: Source, chunk_size: int) -> None:
        try:
            self._run(source, chunk_size)
        except ParseError as exc:
            if not self.counts.read:
                raise  # nothing was readable: the typed error is the answer
            # Like tshark, which shows the packets before a damaged record and then the
            # error: what was read is kept, and the damage is said.
            self.decoder.finish()
            self._warn(
                f"the capture is damaged at offset {exc.offset} ({exc.reason}); "
                f"the {self.counts.read:,} frames before it were read, nothing after it"
            )

    def _run(self, source: Source, chunk_size: int) -> None:
        for batch in iter_batches(source, chunk_size):
            if self.first_ns is None and len(batch):
                self.first_ns = int(batch.time_ns[0])
            self.packets += len(batch)
            self.counts.read += len(batch)
            dgrams = self.decoder.decode(batch)
            self._tcp(self.decoder.tcp)
            self.decoder.tcp.clear()
            self._datagrams(dgrams)
        self.decoder.finish()

    def tally(self) -> FrameCounts:
        """:attr:`counts` completed: RTP frames are those of the streams reported."""
        c = self.counts
        c.rtp = sum(s.state.packets for s in self.streams.values() if self._keep(s))
        c.note("UDP, not SIP/RTP/RTCP", self.udp_frames - c.rtp - c.rtcp - self.sip_udp)
        c.note("TCP, not SIP", self.tcp_frames - self.sip_tcp - self.tls_frames)
        c.note(SIP_TLS, self.tls_frames)
        c.sip = self.sip_udp + self.sip_tcp
        return c

    def _datagrams(self, d: Datagrams) -> None:
        if not len(d):
            return
        self.udp_frames += len(d)
        arr = np.frombuffer(d.buf, dtype=np.uint8)
        top = len(arr) - 4
        b0 = np.where(d.plen >= 1, arr[np.minimum(d.poff, top)], 0)
        letter = ((b0 >= 0x41) & (b0 <= 0x5A)) | ((b0 >= 0x61) & (b0 <= 0x7A))
        sip_idx = np.flatnonzero((d.plen >= 8) & letter)
        for i in sip_idx.tolist():
            start = int(d.poff[i])
            data = d.buf[start : start + int(d.plen[i])]
            msg = sipmod.parse_sip(data)
            if msg is None:
                continue
            self.sip_udp += 1
            if int(d.plen[i]) < int(d.rlen[i]):
                self._warn(f"SIP message in frame {int(d.frame[i])} was cut at capture (snaplen)")
            self._sip(
                msg,
                int(d.frame[i]),
                int(d.time_ns[i]),
                int(d.rec_off[i]),
                (int(d.src[i]), int(d.sport[i]), int(d.dst[i]), int(d.dport[i])),
                "UDP",
            )
        self._rtp(d, arr, b0)

    # -- RTP -----------------------------------------------------------------------------------
    def _rtp(self, d: Datagrams, arr: npt.NDArray[np.uint8], b0: I64) -> None:
        top = len(arr) - 12
        cand = (d.plen >= 12) & ((b0 >> 6) == 2)
        idx = np.flatnonzero(cand)
        if not len(idx):
            return
        poff = np.minimum(d.poff[idx], top)
        first = b0[idx]
        second = arr[poff + 1].astype(np.int64)
        pt = second & 0x7F
        marker = (second >> 7).astype(bool)
        header = 12 + 4 * (first & 0x0F) + 4 * ((first >> 4) & 1)
        rtcp = marker & (pt >= 72) & (pt <= 76)  # RTCP packet types 200-204 (RFC 3550 12.1)
        self.counts.rtcp += int(rtcp.sum())
        keep = ~rtcp & (d.plen[idx] >= header)
        idx, poff, pt, marker, header = idx[keep], poff[keep], pt[keep], marker[keep], header[keep]
        if not len(idx):
            return

        def be16(at: I64) -> I64:
            return (arr[at].astype(np.int64) << 8) | arr[at + 1]

        seq = be16(poff + 2)
        ts = (be16(poff + 4) << 16) | be16(poff + 6)
        ssrc = (be16(poff + 8) << 16) | be16(poff + 10)
        src, dst = d.src[idx], d.dst[idx]
        sport, dport = d.sport[idx], d.dport[idx]
        keys = np.empty(len(idx), dtype=[("a", "<i8"), ("b", "<i8")])
        keys["a"] = (src << 32) | dst
        keys["b"] = (sport << 48) | (dport << 32) | ssrc
        uniq, inverse = np.unique(keys, return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(len(uniq) + 1))
        rel = d.time_ns[idx] - (self.first_ns or 0)
        t_ms = (rel // 1_000_000_000).astype(np.float64) * 1000.0 + (rel % 1_000_000_000).astype(
            np.float64
        ) / 1e6
        frames = d.frame[idx]
        for u in range(len(uniq)):
            sel = order[bounds[u] : bounds[u + 1]]
            j = int(sel[0])
            key = (int(src[j]), int(sport[j]), int(dst[j]), int(dport[j]), int(ssrc[j]))
            stream = self._stream(key)
            if stream is None:
                continue
            announced = self._announcements(key, int(frames[sel[-1]]))
            if announced:
                sel = sel[frames[sel] >= announced[0].frame]  # not RTP before its SDP
                if stream.linked is None and len(sel):
                    stream.state = RtpState()  # tshark starts the stream at the SDP
                    stream.events.clear()
                    start = int(frames[sel[0]])
                    stream.linked = max(
                        (a for a in announced if a.frame <= start), key=lambda a: a.frame
                    )
                call_id = stream.linked.call_id if stream.linked else None
                stream.rtpmap = self._rtpmap(key, call_id, int(frames[sel[-1]]) if len(sel) else 0)
            if not len(sel):
                continue
            st = stream.state
            if st.packets == 0:
                k = int(sel[0])
                st.first_ns = int(d.time_ns[idx[k]])
                st.first_frame = int(frames[k])
                st.first_offset = int(d.rec_off[idx[k]])
            st.last_ns = int(d.time_ns[idx[sel[-1]]])
            p = pt[sel]
            st.update(t_ms[sel], seq[sel], ts[sel], p, marker[sel], self._clock(stream.rtpmap)[p])
            events = [
                q for q, (name, _r) in stream.rtpmap.items() if name.lower() == "telephone-event"
            ]
            if events:
                ev = sel[np.isin(p, events) & (d.plen[idx[sel]] >= 16)]
                for k in ev.tolist():
                    o = int(poff[k]) + int(header[k])
                    stream.events.append(
                        (
                            int(d.time_ns[idx[k]]),
                            int(ts[k]),
                            int(arr[o]),
                            int(arr[o + 1]),
                            (int(arr[o + 2]) << 8) | int(arr[o + 3]),
                            int(d.rec_off[idx[k]]),
                        )
                    )

    def _stream(self, key: tuple[int, int, int, int, int]) -> _Stream | None:
        stream = self.streams.get(key)
        if stream is None:
            if len(self.streams) >= _MAX_STREAMS:
                if not self._stream_cap_warned:
                    self._stream_cap_warned = True
                    self._warn(f"more than {_MAX_STREAMS:,} RTP-like flows; later ones ignored")
                return None
            stream = self.streams[key] = _Stream(*key)
        return stream

    def _announcements(
        self, key: tuple[int, int, int, int, int], frame: int
    ) -> list[_Announcement]:
        """SDP announcements of either end of the flow made by ``frame``, oldest first."""
        found = [
            a
            for ep in ((key[0], key[1]), (key[2], key[3]))
            for a in self.endpoints.get(ep, ())
            if a.frame <= frame
        ]
        return sorted(found, key=lambda a: a.frame)

    def _rtpmap(
        self, key: tuple[int, int, int, int, int], call_id: str | None, frame: int
    ) -> dict[int, tuple[str, int]]:
        """The payload names of the flow: the rtpmaps of the SDP bodies of its own dialog
        (a re-used address:port of another call does not rename its payload types), made
        by ``frame``; the receiver's SDP wins, as the receiver's rtpmap is what it decodes."""
        merged: dict[int, tuple[str, int]] = {}
        for ep in ((key[0], key[1]), (key[2], key[3])):
            for a in self.endpoints.get(ep, ()):
                if (call_id is None or a.call_id == call_id) and (not frame or a.frame <= frame):
                    merged.update(a.rtpmap)
        return merged

    def _clock(self, rtpmap: dict[int, tuple[str, int]]) -> I64:
        ck = tuple(sorted((p, n, r) for p, (n, r) in rtpmap.items()))
        table = self.clock_cache.get(ck)
        if table is None:
            table = self.clock_cache[ck] = np.array(
                [clock_rate(p, rtpmap) for p in range(128)], dtype=np.int64
            )
        return table

    # -- TCP -------------------------------------------------------------------------------------
    def _tcp(self, segments: list[TcpSegment]) -> None:
        self.tcp_frames += len(segments)
        # RFC 3261 26.2 / RFC 5630: 5061 is SIP over TLS, which no capture can decode
        self.tls_frames += sum(SIPS_PORT in (seg.sport, seg.dport) for seg in segments)
        for seg in segments:
            key = (seg.src, seg.sport, seg.dst, seg.dport)
            syn = seg.flags & 0x02
            if syn:
                self.tcp_next[key] = (seg.seq + 1) & 0xFFFF_FFFF
                continue
            if not seg.payload:
                continue
            expected = self.tcp_next.get(key)
            payload = seg.payload
            if expected is not None:
                gap = (seg.seq - expected) & 0xFFFF_FFFF
                if gap >= 0x8000_0000:  # retransmission (wholly or partly old data)
                    old = (expected - seg.seq) & 0xFFFF_FFFF
                    if old >= len(payload):
                        continue
                    payload = payload[old:]
                elif gap:
                    self._warn(f"TCP gap of {gap} bytes before frame {seg.frame}; resynchronising")
                    buffer = self.tcp.get(key)
                    if buffer is not None:
                        buffer.data.clear()
            self.tcp_next[key] = (seg.seq + len(seg.payload)) & 0xFFFF_FFFF
            buffer = self.tcp.setdefault(key, sipmod.SipStreamBuffer())
            carried = False
            for msg in buffer.feed(payload):
                carried = True
                self._sip(msg, seg.frame, seg.time_ns, seg.rec_off, key, "TCP")
            if carried or (buffer.data and sipmod.looks_like_sip(bytes(buffer.data[:256]))):
                self.sip_tcp += 1
                if SIPS_PORT in (seg.sport, seg.dport):  # plain SIP on 5061 after all
                    self.tls_frames -= 1

    # -- SIP ---------------------------------------------------------------------------------------
    def _sip(
        self,
        msg: sipmod.SipMessage,
        frame: int,
        time_ns: int,
        offset: int,
        flow: tuple[int, int, int, int],
        transport: str,
    ) -> None:
        src, sport, dst, dport = flow
        cseq, cseq_method = msg.cseq
        sdp = self._sdp(msg)
        ua = msg.header("user-agent") or msg.header("server")
        if msg.truncated:
            self._warn(f"SIP message in frame {frame} is shorter than its Content-Length")
        self.messages.append(
            {
                "time_ns": time_ns,
                "frame": frame,
                "src": src,
                "src_port": sport,
                "dst": dst,
                "dst_port": dport,
                "transport": transport,
                "method": msg.method,
                "status_code": msg.status_code,
                "reason": msg.reason,
                "call_id": msg.call_id,
                "cseq": cseq,
                "cseq_method": cseq_method,
                "from": sipmod.identity(msg.header("from")),
                "to": sipmod.identity(msg.header("to")),
                "user_agent": ua,
                "has_sdp": sdp is not None,
                "offset": offset,
            }
        )
        if sdp is not None:
            for media in sdp.media:
                if media.port == 0 or not media.address:
                    continue
                ident = self.addresses.intern_text(media.address)
                if ident is None or self.addresses.text(ident) in ("0.0.0.0", "::"):
                    continue
                ann = _Announcement(
                    frame, msg.call_id, dict(media.rtpmap), media.media, media.direction
                )
                self.endpoints.setdefault((ident, media.port), []).append(ann)
                call = self.calls.get(msg.call_id or "")
                if call is not None:
                    call.media_ips.add(ident)
        self._call(msg, time_ns, offset, src, dst, cseq, ua, frame)
        if msg.is_request:
            self._auth(msg, time_ns, offset, src, dst, frame)
            if msg.method == "INFO":
                self._info_dtmf(msg, time_ns, offset, src, dst)

    def _sdp(self, msg: sipmod.SipMessage) -> sipmod.SdpSession | None:
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

    def _call(
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
        # Wireshark ui/voip_calls.c sip_calls_packet, with RINGING added on 180/183.
        call_id = msg.call_id
        if not call_id:
            return
        call = self.calls.get(call_id)
        if call is None:
            if msg.method != "INVITE":
                return
            call = self.calls[call_id] = _Call(
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
                self._warn(
                    f"call {call_id}: BYE in frame {frame} but no 2xx answer to its INVITE was "
                    f"captured or decoded; state {call.state}, not COMPLETED"
                )
        elif (
            msg.method == "CANCEL" and cseq == call.invite_cseq and src == call.caller_ip and setup
        ):
            call.state = CANCELLED
            call.sip_state = "CANCEL_SENT"
        call.end_ns = time_ns

    def _auth(
        self, msg: sipmod.SipMessage, time_ns: int, offset: int, src: int, dst: int, frame: int
    ) -> None:
        for header in ("authorization", "proxy-authorization"):
            for value in msg.headers.get(header, ()):
                params = sipmod.parse_digest(value)
                if not params or "response" not in params:
                    continue
                self.auth.append(
                    {
                        "time_ns": time_ns,
                        "frame": frame,
                        "client": src,
                        "server": dst,
                        "username": params.get("username"),
                        "realm": params.get("realm"),
                        "method": msg.method,
                        "uri": params.get("uri"),
                        "nonce": params.get("nonce"),
                        "cnonce": params.get("cnonce"),
                        "nc": params.get("nc"),
                        "qop": params.get("qop"),
                        "algorithm": params.get("algorithm", "MD5"),
                        "response": params.get("response"),
                        "call_id": msg.call_id,
                        "header": _HEADER_NAMES[header],
                        "offset": offset,
                    }
                )

    def _info_dtmf(
        self, msg: sipmod.SipMessage, time_ns: int, offset: int, src: int, dst: int
    ) -> None:
        ctype = msg.content_type
        text = msg.body.decode("utf-8", "replace")
        digit: str | None = None
        duration: float | None = None
        if ctype == "application/dtmf-relay":  # Signal=5 / Duration=160 (ms)
            for line in text.splitlines():
                name, _, value = line.partition("=")
                if name.strip().lower() == "signal" and value.strip():
                    digit = value.strip()[:1].upper()
                elif name.strip().lower() == "duration" and value.strip().isdigit():
                    duration = float(value.strip())
        elif ctype == "application/dtmf" and text.strip():
            value = text.strip()
            digit = DTMF_EVENTS[int(value)] if value.isdigit() and int(value) < 16 else value[:1]
        if digit:
            self.dtmf.append(
                {
                    "time_ns": time_ns,
                    "call_id": msg.call_id,
                    "digit": digit,
                    "method": "sip-info",
                    "duration_ms": duration,
                    "src": src,
                    "dst": dst,
                    "ssrc": None,
                    "offset": offset,
                }
            )

    def _warn(self, text: str) -> None:
        self.problems.append(text)
        warnings.warn(ForensicsWarning(f"{self.where}: {text}"), stacklevel=4)

    # -- results ---------------------------------------------------------------------------
    def explain(self) -> None:
        """Warn when frames were skipped, or when nothing at all could be decoded."""
        c = self.counts
        skipped = sum(c.skipped.values())
        worrying = sum(n for reason, n in c.skipped.items() if reason not in HARMLESS)
        if c.read == 0:
            self._warn("the capture holds no frames")
        elif skipped == c.read:
            self._warn(f"none of the {c.read:,} frames could be decoded ({_reasons(c)})")
        elif worrying:  # ARP, LLDP and the like cannot hide SIP or RTP: counted, not warned
            self._warn(f"{skipped:,} of {c.read:,} frames were skipped ({_reasons(c)})")
        if c.other.get(SIP_TLS):
            self._warn(
                f"{c.other[SIP_TLS]:,} TCP frames on port {SIPS_PORT} (SIP over TLS): "
                "encrypted signalling, not decoded"
            )

    def rfc4733(self) -> None:
        """One row per RFC 4733 event (its retransmitted end packets counted once)."""
        for stream in self.streams.values():
            if not stream.events or not self._keep(stream):
                continue
            rate = next(
                (r for n, r in stream.rtpmap.values() if n.lower() == "telephone-event" and r),
                8000,
            )
            seen: dict[int, dict[str, object]] = {}
            for time_ns, ts, event, flags, duration, offset in stream.events:
                row = seen.get(ts)
                if row is None:
                    digit = DTMF_EVENTS[event] if event < 16 else f"event {event}"
                    row = seen[ts] = {
                        "time_ns": time_ns,
                        "digit": digit,
                        "dur": duration,
                        "offset": offset,
                    }
                row["dur"] = max(int(str(row["dur"])), duration)
                del flags
            for row in seen.values():
                self.dtmf.append(
                    {
                        "time_ns": row["time_ns"],
                        "call_id": stream.linked.call_id if stream.linked else None,
                        "digit": row["digit"],
                        "method": "rfc4733",
                        "duration_ms": int(str(row["dur"])) * 1000.0 / rate,
                        "src": stream.src,
                        "dst": stream.dst,
                        "ssrc": stream.ssrc,
                        "offset": row["offset"],
                    }
                )

    @staticmethod
    def _keep(stream: _Stream) -> bool:
        st = stream.state
        if st.packets == 0:
            return False
        if stream.linked is not None:
            return True
        return (
            st.packets >= HEURISTIC_MIN_PACKETS
            and st.seq_errors <= st.packets // 4
            and len(st.payload_types) <= 3
            and abs(st.lost) <= st.packets
        )


def _reasons(c: FrameCounts) -> str:
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
        return f"no frame could be decoded ({_reasons(c)})"
    if capture.messages.empty:
        why = "no SIP message was decoded"
        return f"{why}; {sum(c.skipped.values()):,} frames were skipped" if c.skipped else why
    methods = capture.messages["method"].dropna()
    if not (methods == "INVITE").any():
        return f"no INVITE among the {len(capture.messages):,} SIP messages"
    return "no INVITE had a Call-ID"


def read_capture(
    source: Source, *, chunk_size: int = DEFAULT_CHUNK, inband: bool = False
) -> VoipCapture:
    """Read a pcap / pcapng / Network Monitor capture into SIP messages, calls, RTP streams,
    DTMF and digests.

    Every frame is accounted for in :attr:`VoipCapture.frames` (also in each table's
    ``attrs["frames"]``): decoded as SIP, RTP, RTCP or other traffic, or skipped by reason;
    frames skipped for a reason that could hide VoIP (an undecoded link type, truncation,
    an unfinished fragment set, encryption) give a warning, and every warning is also in
    ``attrs["warnings"]`` and :attr:`VoipCapture.problems`.

    Bad input: :class:`~forensics_lib.errors.UnsupportedFormat` when it is not a capture,
    :class:`~forensics_lib.errors.ParseError` with the byte offset when the first record or
    block is impossible; damage further on, a truncated file, cut packets or broken SIP give
    warnings and what was readable before them.

    ``inband=True`` also decodes every G.711 stream and adds the keys pressed as tones in
    the audio (``method`` "inband") to ``dtmf``: a second pass over the capture.
    """
    from forensics_lib.voip import frames

    reader = _Reader(display_path(source), source_path(source))
    reader.run(source, chunk_size)
    reader.rfc4733()
    reader.tally()
    reader.explain()
    capture = frames.build(reader)
    if inband:
        capture = frames.with_inband(capture, source)
    for table in (capture.messages, capture.calls, capture.streams, capture.dtmf, capture.auth):
        table.attrs["warnings"] = list(capture.problems)
        table.attrs["frames"] = capture.frames.as_dict()
    return capture
