"""The Goertzel DTMF detector on synthetic audio whose content is known by construction."""

from __future__ import annotations

import numpy as np
import pytest

from forensics_lib.voip.inband import BLOCK, DTMF_HIGH, DTMF_LOW, KEYPAD, detect_dtmf

RATE = 8000


def tone(digit: str, ms: float, amp: float = 6000.0, twist_db: float = 0.0) -> np.ndarray:
    row = next(i for i, keys in enumerate(KEYPAD) if digit in keys)
    col = KEYPAD[row].index(digit)
    t = np.arange(int(RATE * ms / 1000)) / RATE
    high = amp * 10 ** (-twist_db / 20)
    return amp * np.sin(2 * np.pi * DTMF_LOW[row] * t) + high * np.sin(
        2 * np.pi * DTMF_HIGH[col] * t
    )


def pcm(*parts: np.ndarray) -> np.ndarray:
    return np.clip(np.concatenate(parts), -32768, 32767).astype(np.int16)


def silence(ms: float) -> np.ndarray:
    return np.zeros(int(RATE * ms / 1000))


def test_every_key_of_the_keypad() -> None:
    keys = "".join(KEYPAD)
    audio = pcm(*[np.concatenate([tone(k, 100), silence(60)]) for k in keys])
    assert [p.digit for p in detect_dtmf(audio)] == list(keys)


def test_positions_are_whole_blocks_around_the_tone() -> None:
    audio = pcm(silence(200), tone("5", 120), silence(200))
    [press] = detect_dtmf(audio)
    start = 1600  # 200 ms of silence at 8 kHz
    assert press.digit == "5"
    assert press.start <= start + BLOCK and press.end >= start + 960 - BLOCK
    assert press.start >= start - BLOCK and press.end <= start + 960 + BLOCK


def test_same_key_twice_needs_a_gap() -> None:
    assert [p.digit for p in detect_dtmf(pcm(tone("7", 100), silence(60), tone("7", 100)))] == [
        "7",
        "7",
    ]


@pytest.mark.parametrize(
    ("audio", "why"),
    [
        (pcm(tone("3", 30)), "30 ms is shorter than two blocks"),
        (pcm(tone("3", 200, amp=40)), "too quiet"),
        (pcm(tone("3", 200, twist_db=12)), "12 dB twist"),
        (pcm(6000 * np.sin(2 * np.pi * 697 * np.arange(1600) / RATE)), "one tone only"),
    ],
)
def test_rejects(audio: np.ndarray, why: str) -> None:
    assert detect_dtmf(audio) == [], why


def test_noise_and_speech_like_sweeps_give_nothing() -> None:
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 3000, RATE * 2)
    t = np.arange(RATE * 2) / RATE
    sweep = 5000 * np.sin(2 * np.pi * (300 * t + 600 * t**2))  # a chirp through both groups
    assert detect_dtmf(pcm(noise)) == []
    assert detect_dtmf(pcm(sweep)) == []


def test_tone_survives_mild_noise() -> None:
    rng = np.random.default_rng(1)
    audio = tone("#", 150) + rng.normal(0, 500, 1200)
    assert [p.digit for p in detect_dtmf(pcm(audio))] == ["#"]
