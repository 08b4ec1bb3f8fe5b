"""RTP stream statistics computed exactly as Wireshark's RTP Stream Analysis does.

The per-packet algorithm is Wireshark 4.0's ``rtppacket_analyse`` (``ui/tap-rtp-analysis.c``;
newer releases use extended timestamps, giving other figures on telephone-event streams)
with the totals of ``rtpstream_info_calculate`` (``ui/tap-rtp-common.c``), which
``tshark -z rtp,streams`` prints; it is RFC 3550 appendix A.8 jitter in milliseconds:

* arrival times are milliseconds since the first packet of the capture;
* a packet is *in time sequence* when its RTP timestamp is at most 2**31 after the first
  packet's; only those move the reference arrival time;
* ``delta`` = arrival - arrival of the last in-sequence packet;
* ``nominal`` = (timestamp - first timestamp) / (clock_rate // 1000) (integer division, as
  in C); ``D`` = | arrival - (reference arrival + nominal - reference nominal) |;
  ``jitter = (15 * jitter + D) / 16``; packets whose clock rate is unknown (0), such as
  ``telephone-event``, leave jitter and the reference nominal time as they are;
* "regular" packets (not the first, no marker bit, not comfort noise, not following comfort
  noise, in time sequence) feed ``max_delta``; those with a clock rate also feed
  ``max_jitter`` and ``mean_jitter`` = (mean * (n - 1) + jitter) / n, n counting every
  packet before this one;
* ``expected`` = last seq + 65536 * cycles - first seq + 1, ``lost`` = expected - packets;
  ``seq_errors`` counts packets whose sequence number was not the next one.

The computation is vectorised with NumPy over each batch of a stream, carrying the state
between batches, so a capture is analysed in one streaming pass.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = [
    "CLOCK_RATES",
    "DYNAMIC_CLOCK_RATES",
    "STATIC_NAMES",
    "RtpState",
    "clock_rate",
    "payload_name",
]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

# Wireshark epan/rtp_pt.h numbers and ui/tap-rtp-analysis.c clock_map (IANA RTP parameters).
CLOCK_RATES: dict[int, int] = {
    0: 8000,
    1: 8000,
    2: 8000,
    3: 8000,
    4: 8000,
    5: 8000,
    6: 16000,
    7: 8000,
    8: 8000,
    9: 8000,
    10: 44100,
    11: 44100,
    12: 8000,
    13: 8000,
    14: 90000,
    15: 8000,
    16: 11025,
    17: 22050,
    18: 8000,
    19: 8000,
    25: 90000,
    26: 90000,
    28: 90000,
    31: 90000,
    32: 90000,
    33: 90000,
    34: 90000,
}
# ui/tap-rtp-analysis.c mimetype_and_clock_map (matched as a case-insensitive prefix).
DYNAMIC_CLOCK_RATES: dict[str, int] = {
    "AMR": 8000,
    "AMR-WB": 16000,
    "BMPEG": 90000,
    "BT656": 90000,
    "DV": 90000,
    "EVRC": 8000,
    "EVRC0": 8000,
    "EVRC1": 8000,
    "EVRCB": 8000,
    "EVRCB0": 8000,
    "EVRCB1": 8000,
    "EVRCWB": 16000,
    "EVRCWB0": 16000,
    "EVRCWB1": 16000,
    "EVS": 16000,
    "G7221": 16000,
    "G726-16": 8000,
    "G726-24": 8000,
    "G726-32": 8000,
    "G726-40": 8000,
    "G729D": 8000,
    "G729E": 8000,
    "GSM-EFR": 8000,
    "H263-1998": 90000,
    "H263-2000": 90000,
    "H264": 90000,
    "MP1S": 90000,
    "MP2P": 90000,
    "MP4V-ES": 90000,
    "mpa-robust": 90000,
    "opus": 48000,
    "pointer": 90000,
    "raw": 90000,
    "red": 1000,
    "SMV": 8000,
    "SMV0": 8000,
    "t140": 1000,
    "telephone-event": 8000,
}
# epan/dissectors/packet-rtp.c rtp_payload_type_short_vals (the names tshark prints).
STATIC_NAMES: dict[int, str] = {
    0: "g711U",
    1: "fs-1016",
    2: "g721",
    3: "GSM",
    4: "g723",
    5: "DVI4 8k",
    6: "DVI4 16k",
    7: "Exp. from Xerox PARC",
    8: "g711A",
    9: "g722",
    10: "16-bit audio, stereo",
    11: "16-bit audio, monaural",
    12: "Qualcomm",
    13: "CN",
    14: "MPEG-I/II Audio",
    15: "g728",
    16: "DVI4 11k",
    17: "DVI4 22k",
    18: "g729",
    19: "CN(old)",
    25: "CellB",
    26: "JPEG",
    28: "NV",
    31: "h261",
    32: "MPEG-I/II Video",
    33: "MPEG-II streams",
    34: "h263",
}
PT_CN = (13, 19)


def payload_name(pt: int, rtpmap: dict[int, tuple[str, int]]) -> str:
    """The name tshark shows for a payload type (SDP ``rtpmap`` for dynamic types)."""
    if pt >= 96 and pt in rtpmap:
        return rtpmap[pt][0]
    if pt in STATIC_NAMES:
        return STATIC_NAMES[pt]
    return f"DynamicRTP-Type-{pt}" if pt >= 96 else f"Unknown ({pt})"


def clock_rate(pt: int, rtpmap: dict[int, tuple[str, int]]) -> int:
    """The clock Wireshark analyses a payload type with (0: jitter is not computed)."""
    if pt < 96:
        return CLOCK_RATES.get(pt, 0)
    if pt not in rtpmap:
        return 0
    name, rate = rtpmap[pt]
    if name.lower().startswith("telephone-event"):
        return 0  # RFC 4733 2.2.1: the timestamp does not advance within an event
    if rate:
        return rate
    for mime in sorted(DYNAMIC_CLOCK_RATES, key=str.lower, reverse=True):
        if name.lower().startswith(mime.lower()):
            return DYNAMIC_CLOCK_RATES[mime]
    return 0


def _jitter_series(j0: float, d: F64) -> F64:
    """J_i = (15 J_{i-1} + D_i) / 16 from J_0 = j0 (one C-driven loop)."""
    steps = itertools.accumulate(d.tolist(), lambda j, x: (15.0 * j + x) / 16.0, initial=j0)
    return np.fromiter(steps, dtype=np.float64, count=len(d) + 1)[1:]


@dataclass
class RtpState:
    """The running statistics of one RTP stream (Wireshark's ``tap_rtp_stat_t``)."""

    packets: int = 0
    start_seq: int = 0
    stop_seq: int = 0
    seq_num: int = 0
    cycles: int = 0
    under: bool = False
    seq_errors: int = 0
    first_ts: int = 0  # RTP timestamp of the first packet
    last_nominal: float = 0.0  # nominal time (ms) of the last packet that moved the jitter
    time_ms: float = 0.0  # arrival of the last in-sequence packet
    jitter: float = 0.0
    max_jitter: float = 0.0
    mean_jitter: float = 0.0
    max_delta: float = 0.0
    pt: int = -1
    payload_types: list[int] = field(default_factory=list)
    first_ns: int = 0
    last_ns: int = 0
    first_frame: int = 0
    first_offset: int = 0

    @property
    def expected(self) -> int:
        return self.stop_seq + self.cycles * 0x10000 - self.start_seq + 1

    @property
    def lost(self) -> int:
        return self.expected - self.packets

    def update(
        self,
        t_ms: F64,
        seq: I64,
        ts: I64,
        pt: I64,
        marker: B,
        clock: I64,
    ) -> None:
        """Add a batch of packets of this stream, in capture order."""
        if not len(seq):
            return
        uniq, first_at = np.unique(pt, return_index=True)
        for p in uniq[np.argsort(first_at)].tolist():  # in order of first appearance
            if p not in self.payload_types:
                self.payload_types.append(p)
        if self.packets == 0:
            self._first(float(t_ms[0]), int(seq[0]), int(ts[0]), int(pt[0]))
            t_ms, seq, ts, pt = t_ms[1:], seq[1:], ts[1:], pt[1:]
            marker, clock = marker[1:], clock[1:]
            if not len(seq):
                return
        self._rest(t_ms, seq, ts, pt, marker, clock)

    def _first(self, t: float, seq: int, ts: int, pt: int) -> None:
        self.packets = 1
        self.start_seq = self.stop_seq = self.seq_num = seq
        self.first_ts = ts
        self.time_ms = t
        self.pt = pt

    def _rest(self, t: F64, seq: I64, ts: I64, pt: I64, marker: B, clock: I64) -> None:
        n = len(seq)
        idx = np.arange(n)
        # In time sequence (Wireshark 4.0): the timestamp is at most 2**31 after the first
        # packet's (its "wrap-around" branch can never be true, so a wrapped timestamp is
        # out of sequence, as there).
        nominal_raw = ts - self.first_ts
        in_seq = (nominal_raw >= 0) & (nominal_raw < (1 << 31))
        # Arrival of the last in-sequence packet before each packet.
        last_in = np.maximum.accumulate(np.where(in_seq, idx, -1))
        before = np.concatenate([[-1], last_in[:-1]])
        ref_t = np.where(before >= 0, t[np.maximum(before, 0)], self.time_ms)
        delta = t - ref_t
        # Jitter moves on in-sequence packets with a clock rate: nominal time is the
        # timestamp since the first packet in ms (integer clock_rate / 1000, as in C).
        moving = in_seq & (clock != 0)
        per_ms = np.where(moving, clock // 1000, 1).astype(np.float64)
        nominal = nominal_raw.astype(np.float64) / per_ms
        last_mv = np.maximum.accumulate(np.where(moving, idx, -1))
        mv_before = np.concatenate([[-1], last_mv[:-1]])
        ref_nominal = np.where(mv_before >= 0, nominal[np.maximum(mv_before, 0)], self.last_nominal)
        diff = np.abs(t - (ref_t + (nominal - ref_nominal)))
        jit_m = _jitter_series(self.jitter, diff[moving])
        pos = np.cumsum(moving) - 1
        jitter = np.where(pos >= 0, jit_m[np.maximum(pos, 0)] if len(jit_m) else 0.0, self.jitter)
        prev_pt = np.concatenate([[self.pt], pt[:-1]])
        regular = ~marker & ~np.isin(pt, PT_CN) & in_seq & ~np.isin(prev_pt, PT_CN)
        if regular.any():
            self.max_delta = max(self.max_delta, float(delta[regular].max()))
        counted = regular & moving
        if counted.any():
            self.max_jitter = max(self.max_jitter, float(jitter[counted].max()))
            # mean = (mean * (tn - 1) + J) / tn on counted packets, tn = packets before.
            tn = (self.packets + idx[counted]).astype(np.float64)
            keep = (tn - 1.0) / tn
            after = np.concatenate([np.cumprod(keep[::-1])[::-1][1:], [1.0]])
            self.mean_jitter = float(
                self.mean_jitter * np.prod(keep) + np.sum(jitter[counted] / tn * after)
            )
        self._sequence(seq, in_seq)
        if moving.any():
            self.jitter = float(jit_m[-1])
            self.last_nominal = float(nominal[int(last_mv[-1])])
        if in_seq.any():
            self.time_ms = float(t[int(last_in[-1])])
        self.pt = int(pt[-1])
        self.stop_seq = int(seq[-1])
        self.packets += n

    def _sequence(self, seq: I64, in_seq: B) -> None:
        start = self.start_seq
        prev_stop = np.concatenate([[self.stop_seq], seq[:-1]])
        # Wrap-around cycles: "set" when a lower number than the first arrives in sequence.
        set_ev = in_seq & ((seq < start) | ((seq == 0) & (prev_stop == 65535)))
        reset_ev = ~set_ev & in_seq & (seq > start)
        events = np.where(set_ev, 1, np.where(reset_ev, 0, -1))
        events = events[events >= 0]
        if len(events):
            prev = np.concatenate([[1 if self.under else 0], events[:-1]])
            self.cycles += int(np.count_nonzero((events == 1) & (prev == 0)))
            self.under = bool(events[-1])
        # Sequence errors: walk only where the number is not the expected next one.
        prev_seq = np.concatenate([[self.seq_num], seq[:-1]])
        normal = in_seq & (seq == ((prev_seq + 1) & 0xFFFF))
        bad = np.flatnonzero(~normal).tolist()
        if not bad:
            self.seq_num = int(seq[-1])
            return
        seqs = seq.tolist()
        flags = in_seq.tolist()
        m = len(seqs)
        sn = self.seq_num if bad[0] == 0 else seqs[bad[0] - 1]
        k = 0
        i = bad[0]
        while True:
            s, ok = seqs[i], flags[i]
            if ok and (s == sn + 1 or (sn == 65535 and s == 0)):
                sn = s
            elif ok and (sn + 1 < s or (sn - s) > 0xFF00):
                sn = s
                self.seq_errors += 1
            elif sn + 1 > s:
                self.seq_errors += 1
            if sn == s:  # back in step: jump to the next irregular packet
                while k < len(bad) and bad[k] <= i:
                    k += 1
                if k == len(bad):
                    sn = seqs[-1]
                    break
                i = bad[k]
                sn = seqs[i - 1]
            else:
                i += 1
                if i == m:
                    break
        self.seq_num = sn
