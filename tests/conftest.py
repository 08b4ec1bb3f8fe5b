"""Shared fixtures: paths to ../shared samples, and helpers to prove inputs are untouched."""

from __future__ import annotations

import hashlib
import os
import signal
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import FrameType

import pytest
from hypothesis import settings
from hypothesis import strategies as st

# Property tests explore new inputs on every local run; in CI (CI=true) they replay a
# fixed sequence, so a CI result is reproducible. A counter-example found locally is
# kept in .hypothesis/ and replayed first until fixed.
settings.register_profile("ci", derandomize=True, print_blob=True)

# Fuzz tests take their example counts through examples(): FORENSICS_FUZZ_SCALE=10 (make
# test-slow, and CI) runs ten times as many hostile inputs.
FUZZ_SCALE = float(os.environ.get("FORENSICS_FUZZ_SCALE", "1"))


def examples(count: int) -> int:
    """``count`` hypothesis examples, scaled for deep runs."""
    return max(1, round(count * FUZZ_SCALE))


if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLES = SHARED / "samples"


def snapshot(directory: Path) -> dict[str, str]:
    """SHA-256 of every file under ``directory`` (relative path -> hex), names included."""
    out: dict[str, str] = {}
    for dirpath, _dirs, files in os.walk(directory):
        for name in files:
            path = Path(dirpath) / name
            out[path.relative_to(directory).as_posix()] = hashlib.sha256(
                path.read_bytes()
            ).hexdigest()
    return out


@pytest.fixture
def unchanged() -> Iterator[Callable[[Path], None]]:
    """Register directories that must be byte-identical (and have the same files) after."""
    watched: list[tuple[Path, dict[str, str]]] = []

    def watch(directory: Path) -> None:
        watched.append((directory, snapshot(directory)))

    yield watch
    for directory, before in watched:
        assert snapshot(directory) == before, f"{directory} changed during the test"


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Fail, rather than hang the suite, if anything opens a FIFO for reading."""

    def alarm(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("blocked: something opened the FIFO")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"real-world samples not found at {SAMPLES} (../shared is absent)")
    return SAMPLES


@st.composite
def damaged_file(draw: st.DrawFn, samples: Mapping[str, bytes]) -> tuple[str, bytes]:
    """One of ``samples`` (name -> bytes) damaged as disks and copies damage SQLite files:
    flipped bytes, a cut tail (the 16-byte magic kept), inserted garbage, a zeroed page."""
    name = draw(st.sampled_from(sorted(samples)))
    data = bytearray(samples[name])
    for _ in range(draw(st.integers(1, 8))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "zero-page"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if action == "flip" and data:
            data[pos] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[max(pos, 16) :]
        elif action == "zero-page":
            start = (pos // 4096) * 4096
            data[start : start + 4096] = bytes(len(data[start : start + 4096]))
        else:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=32))
    return name, bytes(data)
