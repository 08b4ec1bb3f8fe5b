"""RTP stream statistics (forensics_lib.voip.streams) on datagrams written here by hand.

Truth: RFC 3550 section 5.1 (the header: V=2, PT, sequence number, timestamp, SSRC) and
Wireshark's stream totals (``expected`` = last seq - first seq + 1, ``lost`` = expected -
packets); RFC 4733 section 2.5 (the packets of one event share its timestamp; the end
packet is sent three times, and is counted once).
"""

from __future__ import annotations

import struct

import numpy as np

from forensics_lib.voip.dialogs import Announcement
from forensics_lib.voip.net import Datagrams
from forensics_lib.voip.streams import HEURISTIC_MIN_PACKETS, RtpStreams, Stream, keep

SSRC = 0x1234ABCD


def _rtp(seq: int, ts: int, pt: int = 0, payload: bytes = b"\xff" * 160) -> bytes:
    return struct.pack("!BBHII", 0x80, pt, seq, ts, SSRC) + payload


def _datagrams(payloads: list[bytes], step_ns: int = 20_000_000) -> Datagrams:
    n = len(payloads)
    offsets = np.cumsum([0] + [len(p) for p in payloads[:-1]]).astype(np.int64)
    lengths = np.array([len(p) for p in payloads], dtype=np.int64)

    def col(v: int) -> np.ndarray:
        return np.full(n, v, dtype=np.int64)

    return Datagrams(
        buf=b"".join(payloads),
        frame=np.arange(1, n + 1, dtype=np.int64),
        time_ns=np.arange(n, dtype=np.int64) * step_ns,
        rec_off=np.arange(n, dtype=np.int64) * 1000,
        src=col(1),
        dst=col(2),
        sport=col(4000),
        dport=col(5000),
        poff=offsets,
        plen=lengths,
        rlen=lengths,
    )


def _feed(streams: RtpStreams, d: Datagrams) -> None:
    arr = np.frombuffer(d.buf, dtype=np.uint8)
    b0 = arr[np.minimum(d.poff, len(arr) - 4)].astype(np.int64)
    streams.feed(d, arr, b0, 0)


def test_a_steady_flow_without_sdp_is_a_heuristic_stream() -> None:
    s = RtpStreams({}, lambda text: None)
    # 10 PCMU packets, 20 ms and 160 timestamp units apart, seq 1..10 with 4 missing
    _feed(s, _datagrams([_rtp(seq, 160 * seq) for seq in range(1, 11) if seq != 4]))
    [stream] = s.kept()
    st = stream.state
    assert (stream.ssrc, stream.linked) == (SSRC, None)
    assert (st.packets, st.expected, st.lost) == (9, 10, 1)  # 10 - 1 + 1 expected, 9 seen
    assert s.packets() == 9 and s.rtcp == 0


def test_too_short_a_flow_is_not_kept() -> None:
    s = RtpStreams({}, lambda text: None)
    _feed(s, _datagrams([_rtp(seq, 160 * seq) for seq in range(HEURISTIC_MIN_PACKETS - 1)]))
    assert s.kept() == [] and s.packets() == 0


def test_an_announced_flow_is_kept_however_short() -> None:
    ann = Announcement(frame=1, call_id="c1", rtpmap={}, media="audio", direction="sendrecv")
    s = RtpStreams({(2, 5000): [ann]}, lambda text: None)
    _feed(s, _datagrams([_rtp(1, 160), _rtp(2, 320)]))
    [stream] = s.kept()
    assert stream.linked is ann and keep(stream)


def test_rfc4733_end_packets_count_once() -> None:
    stream = Stream(1, 4000, 2, 5000, SSRC)
    stream.state.packets = 1
    stream.linked = Announcement(1, "c1", {101: ("telephone-event", 8000)}, "audio", "sendrecv")
    stream.rtpmap = {101: ("telephone-event", 8000)}
    # event 5 ("5"), timestamp 8000: a start packet, then the end packet (E bit) three times,
    # duration 800 units = 100 ms at 8000 Hz
    stream.events = [(10, 8000, 5, 0x0A, 400, 1)] + [
        (20 + k, 8000, 5, 0x8A, 800, 2 + k) for k in range(3)
    ]
    s = RtpStreams({}, lambda text: None)
    s.streams[(1, 4000, 2, 5000, SSRC)] = stream
    [row] = s.rfc4733_rows()
    assert (row["digit"], row["duration_ms"], row["call_id"], row["time_ns"]) == (
        "5",
        100.0,
        "c1",
        10,
    )
