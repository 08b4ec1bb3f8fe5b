"""Read a capture once and answer: which calls, which RTP streams, what SIP, which digits.

:func:`read_capture` streams the capture (pcap or pcapng) batch by batch: SIP messages are
parsed in Python (there are few), RTP headers are decoded and analysed per stream with
NumPy (there are many). Streams are tied to calls through the SDP that announced their
address and port (``linked_by = "sdp"``, as Wireshark does); RTP-looking flows that no
captured SDP announced are reported with ``linked_by = "heuristic"``.

This module reads (frames, TCP reassembly, SIP messages, digests, SIP INFO digits); the
dialog state is :mod:`.dialogs`', the RTP stream statistics :mod:`.streams`', and the
DataFrames are built by :mod:`.tables`.
"""

from __future__ import annotations

import warnings

import numpy as np

from forensics_lib.core.errors import ForensicsWarning, ParseError
from forensics_lib.sources import Source, display_path, source_path
from forensics_lib.voip import sip as sipmod
from forensics_lib.voip.dialogs import CALL_STATES, Dialogs, sdp_of
from forensics_lib.voip.net import (
    HARMLESS,
    AddressBook,
    Datagrams,
    Decoder,
    FrameCounts,
    TcpSegment,
)
from forensics_lib.voip.pcap import DEFAULT_CHUNK, iter_batches
from forensics_lib.voip.streams import DTMF_EVENTS, RtpStreams
from forensics_lib.voip.tables import (
    Gathered,
    VoipCapture,
    build,
    reasons,
    summary_lines,
    why_no_call,
    with_inband,
)

__all__ = ["CALL_STATES", "VoipCapture", "read_capture", "summary_lines", "why_no_call"]

SIPS_PORT = 5061
SIP_TLS = "TCP port 5061 (SIP over TLS, encrypted)"
_HEADER_NAMES = {"authorization": "Authorization", "proxy-authorization": "Proxy-Authorization"}


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
        self.dialogs = Dialogs(self.addresses, self._warn)
        self.rtp = RtpStreams(self.dialogs.endpoints, self._warn)
        self.tcp: dict[tuple[int, int, int, int], sipmod.SipStreamBuffer] = {}
        self.tcp_next: dict[tuple[int, int, int, int], int] = {}
        self.first_ns: int | None = None
        self.packets = 0
        self.problems: list[str] = []

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
        c.rtcp = self.rtp.rtcp
        c.rtp = self.rtp.packets()
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
        self.rtp.feed(d, arr, b0, self.first_ns or 0)

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
        sdp = sdp_of(msg)
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
            self.dialogs.announce(sdp, frame, msg.call_id)
        self.dialogs.observe(msg, time_ns, offset, src, dst, cseq, ua, frame)
        if msg.is_request:
            self._auth(msg, time_ns, offset, src, dst, frame)
            if msg.method == "INFO":
                self._info_dtmf(msg, time_ns, offset, src, dst)

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
            self._warn(f"none of the {c.read:,} frames could be decoded ({reasons(c)})")
        elif worrying:  # ARP, LLDP and the like cannot hide SIP or RTP: counted, not warned
            self._warn(f"{skipped:,} of {c.read:,} frames were skipped ({reasons(c)})")
        if c.other.get(SIP_TLS):
            self._warn(
                f"{c.other[SIP_TLS]:,} TCP frames on port {SIPS_PORT} (SIP over TLS): "
                "encrypted signalling, not decoded"
            )

    def rfc4733(self) -> None:
        """One row per RFC 4733 event (its retransmitted end packets counted once)."""
        self.dtmf.extend(self.rtp.rfc4733_rows())

    def gathered(self) -> Gathered:
        """What was read, for :func:`~.tables.build`."""
        return Gathered(
            provenance=self.provenance,
            packets=self.packets,
            addresses=self.addresses,
            messages=self.messages,
            auth=self.auth,
            dtmf=self.dtmf,
            dialogs=self.dialogs,
            streams=self.rtp,
            problems=tuple(self.problems),
            counts=self.counts,
        )


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

    Bad input: :class:`~forensics_lib.core.errors.UnsupportedFormat` when it is not a capture,
    :class:`~forensics_lib.core.errors.ParseError` with the byte offset when the first record or
    block is impossible; damage further on, a truncated file, cut packets or broken SIP give
    warnings and what was readable before them.

    ``inband=True`` also decodes every G.711 stream and adds the keys pressed as tones in
    the audio (``method`` "inband") to ``dtmf``: a second pass over the capture.
    """
    reader = _Reader(display_path(source), source_path(source))
    reader.run(source, chunk_size)
    reader.rfc4733()
    reader.tally()
    reader.explain()
    capture = build(reader.gathered())
    if inband:
        capture = with_inband(capture, source)
    for table in (capture.messages, capture.calls, capture.streams, capture.dtmf, capture.auth):
        table.attrs["warnings"] = list(capture.problems)
        table.attrs["frames"] = capture.frames.as_dict()
    return capture
