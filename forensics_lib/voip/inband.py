"""In-band DTMF: keys pressed as audio tones inside a G.711 stream.

A phone that does not send RFC 4733 events (or a caller pressing keys on a line that
forwards audio) leaves the digits only in the sound. Each key is two simultaneous tones,
one from a low group and one from a high group (ITU-T Q.23):

    ========  ======  ======  ======  ======
    Hz        1209    1336    1477    1633
    ========  ======  ======  ======  ======
    697       1       2       3       A
    770       4       5       6       B
    852       7       8       9       C
    941       \\*      0       #       D
    ========  ======  ======  ======  ======

Detection follows the classic receiver design (Goertzel's algorithm on blocks of 205
samples, 25.6 ms at 8 kHz, as in ITU-T Q.24-conformant detectors and the Asterisk/spandsp
DTMF receivers), with these checks on every block:

* level: the block carries audio, not near-silence;
* purity: the strongest low and high tones hold most of the block's energy (speech and
  music spread theirs);
* peak: each chosen tone beats the other tones of its group by 6 dB;
* twist: the two tones are within 8 dB of each other (Q.24 allows 4 dB normal and 8 dB
  reverse twist);
* duration: the same key holds for at least two consecutive blocks (51 ms; Q.24 requires
  acceptance from 40 ms), and a key pressed twice needs a gap between.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from forensics_lib.core import times
from forensics_lib.sources import Source

__all__ = [
    "BLOCK",
    "DTMF_HIGH",
    "DTMF_LOW",
    "KEYPAD",
    "Press",
    "detect_dtmf",
    "goertzel_power",
    "inband_rows",
]

DTMF_LOW = (697.0, 770.0, 852.0, 941.0)  # ITU-T Q.23 low group, Hz
DTMF_HIGH = (1209.0, 1336.0, 1477.0, 1633.0)  # high group
KEYPAD = ("123A", "456B", "789C", "*0#D")  # KEYPAD[low][high]
BLOCK = 205
MIN_BLOCKS = 2
MIN_MEAN_SQUARE = 100.0**2  # about -50 dBov for 16-bit audio: below this, silence
MIN_PURITY = 0.6  # share of the block's energy in the two tones
PEAK_RATIO = 10 ** (6 / 10)  # 6 dB over the other tones of the same group
MAX_TWIST = 10 ** (8 / 10)  # 8 dB between the two tones


@dataclass(frozen=True)
class Press:
    """One key press found in audio: where it starts and ends (in samples), which key."""

    start: int
    end: int
    digit: str


def goertzel_power(
    blocks: npt.NDArray[np.float64], freqs: tuple[float, ...], rate: float
) -> npt.NDArray[np.float64]:
    """Power of each block at each frequency, by Goertzel's recurrence.

    ``blocks`` is (B, N); the result is (B, len(freqs)). For a pure tone of amplitude A at
    one of the frequencies the power is about (A * N / 2) ** 2.
    """
    coeff = 2.0 * np.cos(2.0 * np.pi * np.asarray(freqs) / rate)  # (K,)
    s1 = np.zeros((blocks.shape[0], len(freqs)))
    s2 = np.zeros_like(s1)
    for n in range(blocks.shape[1]):
        s0 = blocks[:, n : n + 1] + coeff * s1 - s2
        s2, s1 = s1, s0
    power: npt.NDArray[np.float64] = s1 * s1 + s2 * s2 - coeff * s1 * s2
    return power


def _block_digits(samples: npt.NDArray[np.int16], rate: float) -> list[str]:
    """The key each block of ``BLOCK`` samples carries ("" when none)."""
    count = len(samples) // BLOCK
    if count == 0:
        return []
    blocks = samples[: count * BLOCK].astype(np.float64).reshape(count, BLOCK)
    energy = np.einsum("ij,ij->i", blocks, blocks)  # sum of squares per block
    power = goertzel_power(blocks, DTMF_LOW + DTMF_HIGH, rate)
    low, high = power[:, :4], power[:, 4:]
    li, hi = low.argmax(axis=1), high.argmax(axis=1)
    rows = np.arange(count)
    lp, hp = low[rows, li], high[rows, hi]
    low_rest = np.sort(low, axis=1)[:, -2]
    high_rest = np.sort(high, axis=1)[:, -2]
    # A pure tone of amplitude A: power (A N/2)^2, energy A^2 N/2, so power / (energy N/2)
    # is the share of the block's energy at that frequency.
    scale = np.maximum(energy * BLOCK / 2.0, 1e-12)
    valid = (
        (energy / BLOCK >= MIN_MEAN_SQUARE)
        & ((lp + hp) / scale >= MIN_PURITY)
        & (lp >= PEAK_RATIO * low_rest)
        & (hp >= PEAK_RATIO * high_rest)
        & (lp <= MAX_TWIST * hp)
        & (hp <= MAX_TWIST * lp)
    )
    return [KEYPAD[r][c] if ok else "" for r, c, ok in zip(li, hi, valid, strict=True)]


def detect_dtmf(samples: npt.NDArray[np.int16], rate: float = 8000.0) -> list[Press]:
    """Every key press in ``samples`` (16-bit PCM), in order."""
    presses: list[Press] = []
    digits = _block_digits(samples, rate)
    run_digit, run_start = "", 0
    for index, digit in enumerate([*digits, ""]):
        if digit == run_digit:
            continue
        if run_digit and index - run_start >= MIN_BLOCKS:
            presses.append(Press(run_start * BLOCK, index * BLOCK, run_digit))
        run_digit, run_start = digit, index
    return presses


G711_PAYLOAD_TYPES = (0, 8)  # PCMU, PCMA (RFC 3551)


def inband_rows(source: Source, streams: pd.DataFrame) -> pd.DataFrame:
    """In-band key presses in every G.711 stream of ``streams`` (a capture's ``streams``
    table), as rows of the ``voip.dtmf`` columns without provenance: time, call_id,
    digit, method="inband", duration_ms, src_ip, dst_ip, ssrc, offset (of the packet
    where the tone starts)."""
    from forensics_lib.voip.audio import streams_audio

    g711 = streams[streams["payload_type"].isin(G711_PAYLOAD_TYPES)]
    by_ssrc = {int(str(row.ssrc), 16): row for row in g711.itertuples(index=False)}
    audio = streams_audio(source, by_ssrc)
    rows = []
    for ssrc, track in audio.items():
        info = by_ssrc[ssrc]
        for press in detect_dtmf(track.samples, track.rate):
            start_ns = track.first_ns + round(press.start * 1e9 / track.rate)
            rows.append(
                {
                    "time": start_ns,
                    "call_id": info.call_id,
                    "digit": press.digit,
                    "method": "inband",
                    "duration_ms": (press.end - press.start) * 1000.0 / track.rate,
                    "src_ip": info.src_ip,
                    "dst_ip": info.dst_ip,
                    "ssrc": info.ssrc,
                    "offset": track.offset_at(press.start),
                }
            )
    frame = pd.DataFrame(
        rows,
        columns=[
            "time", "call_id", "digit", "method", "duration_ms",
            "src_ip", "dst_ip", "ssrc", "offset",
        ],
    )  # fmt: skip
    frame["time"] = times.from_unix_ns(pd.Series(frame["time"], dtype="Int64"))
    return frame
