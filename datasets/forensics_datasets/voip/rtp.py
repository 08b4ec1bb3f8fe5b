"""RTP media: G.711 encoding tables, the tone and DTMF (RFC 4733 events, in-band tones) each
stream carries, and the RTP packet records built as one NumPy array."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from forensics_datasets.voip.packets import PacketWriter, ipv4_packet, link_frame

DTMF_FREQS = {  # ITU-T Q.23 (low, high) Hz
    "1": (697, 1209), "2": (697, 1336), "3": (697, 1477), "A": (697, 1633),
    "4": (770, 1209), "5": (770, 1336), "6": (770, 1477), "B": (770, 1633),
    "7": (852, 1209), "8": (852, 1336), "9": (852, 1477), "C": (852, 1633),
    "*": (941, 1209), "0": (941, 1336), "#": (941, 1477), "D": (941, 1633),
}  # fmt: skip
RFC4733_CODES = {d: i for i, d in enumerate("0123456789*#ABCD")}
PT_EVENT = 101
PT_ILBC = 98  # a dynamic payload type, named only by the SDP rtpmap
CODECS = {0: "g711U", 8: "g711A", PT_ILBC: "iLBC"}  # the names tshark prints
FRAME_MS = 20
SAMPLES = 160  # 20 ms at 8 kHz


# ---------------------------------------------------------------------------------------------
# G.711 encoding (ITU-T G.711): the nearest code of the decoding table, for every sample
# ---------------------------------------------------------------------------------------------


def _decode_tables() -> dict[str, npt.NDArray[np.int32]]:
    b = ~np.arange(256, dtype=np.int32) & 0xFF
    mu = (((b & 0x0F) << 3) + 0x84 << ((b >> 4) & 7)) - 0x84
    mu = np.where(b & 0x80, -mu, mu)
    a = np.arange(256, dtype=np.int32) ^ 0x55
    mag = (a & 0x0F) * 16 + 8
    e = (a >> 4) & 7
    mag = np.where(e != 0, (mag + 0x100) << np.maximum(e - 1, 0), mag)
    return {"u": mu, "a": np.where(a & 0x80, mag, -mag)}


def _encode_table(decoded: npt.NDArray[np.int32]) -> npt.NDArray[np.uint8]:
    order = np.argsort(decoded, kind="stable")
    values = decoded[order]
    x = np.arange(-32768, 32768)
    right = np.clip(np.searchsorted(values, x), 1, len(values) - 1)
    left = right - 1
    pick = np.where(np.abs(values[left] - x) <= np.abs(values[right] - x), left, right)
    return order[pick].astype(np.uint8)


_DECODE = _decode_tables()
_ENCODE = {law: _encode_table(t) for law, t in _DECODE.items()}


def g711_encode(samples: npt.NDArray[np.int16], law: str) -> npt.NDArray[np.uint8]:
    """16-bit samples to G.711 bytes (``law`` "u" or "a"), the nearest code."""
    return _ENCODE[law][samples.astype(np.int32) + 32768]


@dataclass
class RtpStream:
    ssrc: int
    src: tuple[str, int]
    dst: tuple[str, int]
    pt: int
    seq0: int
    ts0: int
    t0_ns: int
    slots: int
    tone_hz: float
    events: list[tuple[int, str]] = field(default_factory=list)  # (slot, digit)
    inband: list[tuple[int, str]] = field(default_factory=list)


def _tone(stream: RtpStream) -> npt.NDArray[np.int16]:
    n = stream.slots * SAMPLES
    t = np.arange(n) / 8000.0
    audio = 6000.0 * np.sin(2 * np.pi * stream.tone_hz * t)
    for slot, digit in stream.inband:
        lo, hi = DTMF_FREQS[digit]
        a, b = slot * SAMPLES, (slot + 6) * SAMPLES  # 120 ms of tone
        tt = t[a:b]
        audio[a:b] = 7000.0 * (np.sin(2 * np.pi * lo * tt) + np.sin(2 * np.pi * hi * tt))
    return np.clip(np.round(audio), -32768, 32767).astype(np.int16)


def rtp_packets(
    writer: PacketWriter,
    streams: list[RtpStream],
    link: str,
    nrng: np.random.Generator,
    loss: float,
    jitter_ms: float,
    reorder: float,
) -> tuple[list[dict[str, Any]], list[Any]]:
    keys = []
    blocks = []
    for st in streams:
        n = st.slots
        event_slots: dict[int, tuple[str, int, bool]] = {}  # slot -> (digit, duration, end)
        for slot, digit in st.events:
            for k in range(7):  # 5 updates then the end packet twice more (3 in all)
                event_slots[slot + k] = (digit, 160 * min(k + 1, 5), k >= 4)
        slot = np.arange(n)
        keep = np.ones(n, dtype=bool)
        if loss:
            drop = nrng.random(n) < loss
            drop[:2] = drop[-2:] = False
            drop[list(event_slots)] = False
            keep &= ~drop
        arrival = st.t0_ns + slot.astype(np.int64) * FRAME_MS * 1_000_000
        if jitter_ms:
            arrival += (np.abs(nrng.normal(0, jitter_ms, n)) * 1e6).astype(np.int64)
        if reorder:
            swap = np.flatnonzero(nrng.random(n - 5) < reorder) + 2
            swap = swap[np.diff(np.concatenate([[-2], swap])) > 1]  # no overlapping swaps
            swap = np.array(
                [s for s in swap if s not in event_slots and s + 1 not in event_slots],
                dtype=np.int64,
            )
            if len(swap):
                a, b = arrival[swap].copy(), arrival[swap + 1].copy()
                arrival[swap], arrival[swap + 1] = b + 1000, a
        arrival = arrival // 1000 * 1000  # microsecond capture resolution
        seq = (st.seq0 + slot) & 0xFFFF
        ts = (st.ts0 + slot * SAMPLES) & 0xFFFFFFFF
        law = "u" if st.pt == 0 else "a"
        payload = g711_encode(_tone(st), law).reshape(n, SAMPLES)
        is_event = np.isin(slot, list(event_slots))
        audio = keep & ~is_event
        blocks.append((st, arrival[audio], seq[audio], ts[audio], payload[audio], slot[audio] == 0))
        event_ts: dict[str, int] = {}
        for s in sorted(event_slots):
            digit, duration, end = event_slots[s]
            start_slot = (
                s
                - [
                    k for k in range(7) if (s - k) in event_slots and event_slots[s - k][0] == digit
                ][-1]
            )
            ev_ts = int(ts[start_slot])
            event_ts[digit] = ev_ts
            body = struct.pack(">BBH", RFC4733_CODES[digit], (0x80 if end else 0) | 10, duration)
            marker = 0x80 if s == start_slot else 0
            rtp = struct.pack(">BBHII", 0x80, marker | PT_EVENT, int(seq[s]), ev_ts, st.ssrc) + body
            writer.udp(int(arrival[s]), st.src, st.dst, rtp)
            writer.ifaces[-1] = 1
        written = np.sort(slot[keep])
        last_slot = int(slot[keep][np.argmax(arrival[keep])])
        first_slot = int(slot[keep][np.argmin(arrival[keep])])
        packets = int(keep.sum())
        expected = last_slot - first_slot + 1
        keys.append({
            "ssrc": f"0x{st.ssrc:08X}", "src_ip": st.src[0], "src_port": st.src[1],
            "dst_ip": st.dst[0], "dst_port": st.dst[1], "payload_type": st.pt,
            "codec": CODECS[st.pt], "packets": packets,
            "expected": expected, "lost": expected - packets, "first_seq": int(seq[written[0]]),
            "rfc4733": [d for _, d in st.events], "inband": [d for _, d in st.inband],
            "tone_hz": st.tone_hz,
        })  # fmt: skip
    return keys, blocks


def audio_records(
    link: str, blocks: list[Any]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """All audio packets as one (n, length) array of link+IP+UDP+RTP bytes, and their times."""
    ip_len = 20 + 8 + 12 + SAMPLES
    head = link_frame(link, bytes(ip_len))[:-ip_len]  # same size packets: the same link prefix
    length = len(head) + ip_len
    total = sum(len(b[1]) for b in blocks)
    rows = np.zeros((total, length), dtype=np.uint8)
    times = np.zeros(total, dtype=np.int64)
    at = 0
    ident = 0
    for st, arrival, seq, ts, payload, first in blocks:
        n = len(arrival)
        r = rows[at : at + n]
        times[at : at + n] = arrival
        r[:, : len(head)] = np.frombuffer(head, dtype=np.uint8)
        o = len(head)
        ip = np.frombuffer(
            ipv4_packet(st.src[0], st.dst[0], 17, bytes(8 + 12 + SAMPLES), 0), dtype=np.uint8
        )[:20]
        r[:, o : o + 20] = ip
        ids = (ident + np.arange(n)) & 0xFFFF
        ident += n
        r[:, o + 4], r[:, o + 5] = ids >> 8, ids & 0xFF
        words = r[:, o : o + 20].astype(np.uint32)
        words[:, 10:12] = 0
        total16 = (words[:, 0::2] << 8 | words[:, 1::2]).sum(axis=1)
        while (total16 >> 16).any():
            total16 = (total16 & 0xFFFF) + (total16 >> 16)
        csum = ~total16 & 0xFFFF
        r[:, o + 10], r[:, o + 11] = csum >> 8, csum & 0xFF
        u = o + 20
        udp = struct.pack(">HHHH", st.src[1], st.dst[1], 8 + 12 + SAMPLES, 0)
        r[:, u : u + 8] = np.frombuffer(udp, dtype=np.uint8)
        h = u + 8
        r[:, h] = 0x80
        r[:, h + 1] = st.pt | np.where(first, 0x80, 0)
        r[:, h + 2], r[:, h + 3] = seq >> 8, seq & 0xFF
        for k in range(4):
            r[:, h + 4 + k] = (ts >> (24 - 8 * k)) & 0xFF
            r[:, h + 8 + k] = (st.ssrc >> (24 - 8 * k)) & 0xFF
        r[:, h + 12 :] = payload
        at += n
    order = np.argsort(times, kind="stable")
    return times[order], rows[order]
