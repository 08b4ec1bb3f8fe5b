"""G.711 RTP payloads to 16-bit PCM WAV (ITU-T G.711), with NumPy tables (no ``audioop``).

The decoding tables follow ITU-T G.711 (and the reference expansion in Sun's g711.c that
Wireshark's ``codecs/G711a`` / ``G711u`` use): u-law inverts the byte, takes sign, 3-bit
exponent and 4-bit mantissa, ``((mantissa << 3) + 0x84) << exponent) - 0x84``; A-law
XORs the byte with 0x55, ``(mantissa << 4) + 8`` (+ 0x100 and shifted by exponent - 1 when
the exponent is not 0). Packets are ordered by sequence number (with wrap-around) and placed
by RTP timestamp, so lost packets become silence and reordered ones land where they belong.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Iterable
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt

from forensics_lib.core.errors import UnsupportedFormat
from forensics_lib.sources import Source, display_path
from forensics_lib.voip.net import AddressBook, Decoder
from forensics_lib.voip.pcap import iter_batches
from forensics_lib.voip.rtp import payload_name

__all__ = [
    "ALAW_TABLE",
    "ULAW_TABLE",
    "StreamAudio",
    "call_audio",
    "decode_g711",
    "stream_audio",
    "streams_audio",
    "write_wav",
]

SAMPLE_RATE = 8000
_MAX_GAP_SAMPLES = SAMPLE_RATE * 60  # a gap longer than a minute is not filled


def _ulaw_table() -> npt.NDArray[np.int16]:
    b = ~np.arange(256, dtype=np.int32) & 0xFF
    sign, exponent, mantissa = b & 0x80, (b >> 4) & 0x07, b & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(sign, -magnitude, magnitude).astype(np.int16)


def _alaw_table() -> npt.NDArray[np.int16]:
    b = np.arange(256, dtype=np.int32) ^ 0x55
    sign, exponent, mantissa = b & 0x80, (b >> 4) & 0x07, b & 0x0F
    magnitude = (mantissa << 4) + 8
    magnitude = np.where(
        exponent != 0, (magnitude + 0x100) << np.maximum(exponent - 1, 0), magnitude
    )
    return np.where(sign, magnitude, -magnitude).astype(np.int16)


ULAW_TABLE = _ulaw_table()
ALAW_TABLE = _alaw_table()
_CODECS = {0: ("PCMU", ULAW_TABLE), 8: ("PCMA", ALAW_TABLE)}
_NAMES = {"PCMU": 0, "PCMA": 8}


def decode_g711(payload: bytes | npt.NDArray[np.uint8], law: str) -> npt.NDArray[np.int16]:
    """Decode G.711 bytes (``law`` = "u"/"PCMU" or "a"/"PCMA") to 16-bit samples."""
    table = ULAW_TABLE if law.lower() in ("u", "pcmu", "ulaw", "mu") else ALAW_TABLE
    data = np.frombuffer(payload, dtype=np.uint8) if isinstance(payload, bytes) else payload
    return table[data]


@dataclass(frozen=True)
class StreamAudio:
    """Decoded audio of one stream, starting at its first packet."""

    ssrc: int
    samples: npt.NDArray[np.int16]
    first_ns: int
    rate: int = SAMPLE_RATE
    # Where each packet's audio starts in ``samples``, and the packet's byte offset in the
    # capture (both in sequence order): provenance for what is found in the audio.
    packet_starts: npt.NDArray[np.int64] = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )
    packet_offsets: npt.NDArray[np.int64] = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )

    def offset_at(self, sample: int) -> int | None:
        """Byte offset of the packet carrying ``sample`` (None when unknown)."""
        if not len(self.packet_starts):
            return None
        index = int(np.searchsorted(self.packet_starts, sample, side="right")) - 1
        return int(self.packet_offsets[max(index, 0)])


_Packet = tuple[int, int, int, int, bytes, int]  # seq, timestamp, time_ns, pt, payload, offset


def _collect(source: Source, ssrcs: set[int]) -> dict[int, list[_Packet]]:
    """(seq, timestamp, time_ns, pt, payload, record offset) of every RTP packet of the
    given SSRCs, in one pass over the capture."""
    where = display_path(source)
    decoder = Decoder(where, AddressBook())
    found: dict[int, list[_Packet]] = {s: [] for s in ssrcs}
    for batch in iter_batches(source):
        d = decoder.decode(batch)
        decoder.tcp.clear()
        if not len(d):
            continue
        arr = np.frombuffer(d.buf, dtype=np.uint8)
        top = len(arr) - 12
        poff = np.minimum(d.poff, top)
        ok = (d.plen >= 12) & ((arr[poff] >> 6) == 2)
        ssrc = (
            (arr[poff + 8].astype(np.int64) << 24)
            | (arr[poff + 9].astype(np.int64) << 16)
            | (arr[poff + 10].astype(np.int64) << 8)
            | arr[poff + 11]
        )
        for i in np.flatnonzero(ok & np.isin(ssrc, list(ssrcs))).tolist():
            start, length = int(d.poff[i]), int(d.plen[i])
            pkt = d.buf[start : start + length]
            cc, ext, pad = pkt[0] & 0x0F, pkt[0] & 0x10, pkt[0] & 0x20
            head = 12 + 4 * cc
            if ext and len(pkt) >= head + 4:
                head += 4 + 4 * int.from_bytes(pkt[head + 2 : head + 4], "big")
            body = pkt[head:]
            if pad and body and length == int(d.rlen[i]):
                body = body[: max(len(body) - body[-1], 0)]
            found[int(ssrc[i])].append(
                (
                    int.from_bytes(pkt[2:4], "big"),
                    int.from_bytes(pkt[4:8], "big"),
                    int(d.time_ns[i]),
                    pkt[1] & 0x7F,
                    body,
                    int(d.rec_off[i]),
                )
            )
    return found


def _assemble(ssrc: int, packets: list[_Packet], where: str) -> StreamAudio:
    if not packets:
        raise UnsupportedFormat(where, f"no RTP packets with SSRC 0x{ssrc:08X}")
    audio = [p for p in packets if p[3] in _CODECS]
    if not audio:
        pts = sorted({p[3] for p in packets})
        codecs = ", ".join(f"{payload_name(pt, {})} (payload type {pt})" for pt in pts)
        raise UnsupportedFormat(
            where,
            f"SSRC 0x{ssrc:08X} carries {codecs}, not G.711 (PCMU 0 / PCMA 8); only G.711 "
            "is decoded (a dynamic type's codec is named in the call's SDP: see streams)",
        )
    # Order by extended sequence number (unwrap 16-bit steps), then place by timestamp.
    seqs = np.array([p[0] for p in audio], dtype=np.int64)
    step = ((np.diff(seqs) + 0x8000) & 0xFFFF) - 0x8000
    ext = np.concatenate([[0], np.cumsum(step)])
    order = np.argsort(ext, kind="stable")
    _seen, first_idx = np.unique(ext[order], return_index=True)
    order = order[first_idx]  # duplicates: keep the first copy
    ts = np.array([audio[i][1] for i in order], dtype=np.int64)
    tstep = ((np.diff(ts) + (1 << 31)) & 0xFFFF_FFFF) - (1 << 31)
    pos = np.concatenate([[0], np.cumsum(tstep)])
    pos -= pos.min()
    pieces = [decode_g711(audio[i][4], "u" if audio[i][3] == 0 else "a") for i in order]
    end = int(max(p + len(s) for p, s in zip(pos.tolist(), pieces, strict=True)))
    end = min(end, int(pos.max()) + _MAX_GAP_SAMPLES)
    out = np.zeros(end, dtype=np.int16)
    for p, samples in zip(pos.tolist(), pieces, strict=True):
        if p < end:
            out[p : p + len(samples)] = samples[: end - p]
    first_ns = min(p[2] for p in audio)
    by_position = np.argsort(pos, kind="stable")
    return StreamAudio(
        ssrc=ssrc,
        samples=out,
        first_ns=first_ns,
        packet_starts=pos[by_position].astype(np.int64),
        packet_offsets=np.array([audio[i][5] for i in order], dtype=np.int64)[by_position],
    )


def stream_audio(source: Source, ssrc: int) -> StreamAudio:
    """The decoded audio of one RTP stream (by SSRC); non-G.711 raises UnsupportedFormat."""
    found = _collect(source, {ssrc})
    return _assemble(ssrc, found[ssrc], display_path(source))


def streams_audio(source: Source, ssrcs: Iterable[int]) -> dict[int, StreamAudio]:
    """The decoded audio of several streams in one pass; streams that are not G.711
    (or have no packets) are left out."""
    wanted = set(ssrcs)
    found = _collect(source, wanted) if wanted else {}
    where = display_path(source)
    out = {}
    for ssrc, packets in found.items():
        if any(p[3] in _CODECS for p in packets):
            out[ssrc] = _assemble(ssrc, packets, where)
    return out


def call_audio(source: Source, ssrcs: list[int]) -> npt.NDArray[np.int16]:
    """Two streams of a call as a stereo pair (N, 2), aligned by their capture times."""
    if not 1 <= len(ssrcs) <= 2:
        raise ValueError("a call is rendered from one or two streams")
    found = _collect(source, set(ssrcs))
    tracks = [_assemble(s, found[s], display_path(source)) for s in ssrcs]
    start = min(t.first_ns for t in tracks)
    shifted = []
    for t in tracks:
        lead = round((t.first_ns - start) * SAMPLE_RATE / 1e9)
        shifted.append(np.concatenate([np.zeros(lead, dtype=np.int16), t.samples]))
    length = max(len(s) for s in shifted)
    stereo = np.zeros((length, 2), dtype=np.int16)
    for ch, s in enumerate(shifted):
        stereo[: len(s), ch] = s
    if len(shifted) == 1:
        stereo[:, 1] = stereo[:, 0]
    return stereo


def write_wav(
    samples: npt.NDArray[np.int16],
    target: str | PathLike[str] | io.BytesIO,
    rate: int = SAMPLE_RATE,
) -> None:
    """Write mono (N,) or stereo (N, 2) 16-bit samples as a PCM WAV file."""
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    data = np.ascontiguousarray(samples, dtype="<i2").tobytes()
    if isinstance(target, io.BytesIO):
        _write_wave(target, channels, rate, data)
    else:
        with Path(target).open("wb") as handle:
            _write_wave(handle, channels, rate, data)


def _write_wave(handle: IO[bytes], channels: int, rate: int, data: bytes) -> None:
    with wave.open(handle, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(data)
