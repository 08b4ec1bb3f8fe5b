"""RTP stream statistics: the flows of a capture's UDP datagrams decoded as RTP.

A flow is keyed as Wireshark keys an RTP stream (``ui/tap-rtp-common.c``
``rtpstream_id_equal``: source and destination address and port, SSRC); its statistics are
:class:`~.rtp.RtpState`'s. A flow is tied to a call by the SDP that announced either end
(:class:`~.dialogs.Announcement`, ``linked_by = "sdp"``); an RTP-looking flow no SDP
announced is kept only when it looks like RTP for long enough (``linked_by = "heuristic"``).
RFC 4733 telephone-events of a stream become DTMF rows (RFC 4733 section 2.5: the packets
of one event share its timestamp; the end packet is sent three times).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from forensics_lib.voip.dialogs import Announcement, Endpoint
from forensics_lib.voip.net import Datagrams
from forensics_lib.voip.rtp import RtpState, clock_rate

__all__ = ["DTMF_EVENTS", "HEURISTIC_MIN_PACKETS", "MAX_STREAMS", "RtpStreams", "Stream", "keep"]

I64 = npt.NDArray[np.int64]
StreamKey = tuple[int, int, int, int, int]  # src, sport, dst, dport, ssrc

# RFC 4733 section 3.2: DTMF event codes.
DTMF_EVENTS = "0123456789*#ABCD"
HEURISTIC_MIN_PACKETS = 8
MAX_STREAMS = 200_000


@dataclass
class Stream:
    """One RTP stream and its running statistics."""

    src: int
    sport: int
    dst: int
    dport: int
    ssrc: int
    state: RtpState = field(default_factory=RtpState)
    linked: Announcement | None = None
    rtpmap: dict[int, tuple[str, int]] = field(default_factory=dict)
    events: list[tuple[int, int, int, int, int, int]] = field(default_factory=list)


def keep(stream: Stream) -> bool:
    """Whether ``stream`` is reported: announced by SDP, or RTP-like for long enough."""
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


class RtpStreams:
    """The RTP streams of a capture, fed batch by batch with its UDP datagrams."""

    def __init__(
        self, endpoints: dict[Endpoint, list[Announcement]], warn: Callable[[str], None]
    ) -> None:
        self.endpoints = endpoints
        self.warn = warn
        self.streams: dict[StreamKey, Stream] = {}
        self.clock_cache: dict[tuple[tuple[int, str, int], ...], I64] = {}
        self.rtcp = 0
        self._cap_warned = False

    def kept(self) -> list[Stream]:
        """The streams reported, in the order of their first packet."""
        return sorted(
            (s for s in self.streams.values() if keep(s)), key=lambda s: s.state.first_frame
        )

    def packets(self) -> int:
        """RTP packets of the streams reported."""
        return sum(s.state.packets for s in self.streams.values() if keep(s))

    def feed(self, d: Datagrams, arr: npt.NDArray[np.uint8], b0: I64, first_ns: int) -> None:
        """Add the RTP packets among datagrams ``d`` (``arr`` their buffer, ``b0`` the first
        payload byte of each); ``first_ns`` is the capture's first frame time."""
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
        self.rtcp += int(rtcp.sum())
        keep_ = ~rtcp & (d.plen[idx] >= header)
        idx, poff, pt, marker, header = (
            idx[keep_],
            poff[keep_],
            pt[keep_],
            marker[keep_],
            header[keep_],
        )
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
        rel = d.time_ns[idx] - first_ns
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

    def _stream(self, key: StreamKey) -> Stream | None:
        stream = self.streams.get(key)
        if stream is None:
            if len(self.streams) >= MAX_STREAMS:
                if not self._cap_warned:
                    self._cap_warned = True
                    self.warn(f"more than {MAX_STREAMS:,} RTP-like flows; later ones ignored")
                return None
            stream = self.streams[key] = Stream(*key)
        return stream

    def _announcements(self, key: StreamKey, frame: int) -> list[Announcement]:
        """SDP announcements of either end of the flow made by ``frame``, oldest first."""
        found = [
            a
            for ep in ((key[0], key[1]), (key[2], key[3]))
            for a in self.endpoints.get(ep, ())
            if a.frame <= frame
        ]
        return sorted(found, key=lambda a: a.frame)

    def _rtpmap(
        self, key: StreamKey, call_id: str | None, frame: int
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

    def rfc4733_rows(self) -> list[dict[str, object]]:
        """One DTMF row per RFC 4733 event (its retransmitted end packets counted once)."""
        rows: list[dict[str, object]] = []
        for stream in self.streams.values():
            if not stream.events or not keep(stream):
                continue
            rate = next(
                (r for n, r in stream.rtpmap.values() if n.lower() == "telephone-event" and r),
                8000,
            )
            seen: dict[int, dict[str, object]] = {}
            for time_ns, ts, event, _flags, duration, offset in stream.events:
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
            for row in seen.values():
                rows.append(
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
        return rows
