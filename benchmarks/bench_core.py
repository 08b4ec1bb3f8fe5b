"""Foundation benchmarks: streaming hashes and the timeline merge.

* hash: ``forensics_lib.core.hashing.hash_file`` (SHA-256 + MD5 in one pass, progress bar
  machinery included) against a bare ``hashlib`` loop over the same file, read twice
  (what a script computing both digests naively does). Ratio < 1 means we are faster.
* timeline: ``timeline.build`` on 200,000 two-time records against a per-row Python loop
  that builds dicts, the way ALEAPP-style tools make timelines.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forensics_lib import timeline
from forensics_lib.core.hashing import hash_file
from forensics_lib.core.schema import FLOAT, STR, TIME, ArtifactSpec, Column, TimelineRule, conform


def _best_of(runs: int, func: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def bench_hash(quick: bool = False) -> str:
    size = (16 if quick else 512) << 20
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "exhibit.bin"
        with path.open("wb") as fh:
            chunk = os.urandom(1 << 20)
            for _ in range(size >> 20):
                fh.write(chunk)

        def ours() -> None:
            hash_file(path, ("sha256", "md5"), progress=False)

        def baseline() -> None:
            for name in ("sha256", "md5"):
                h = hashlib.new(name)
                with path.open("rb") as fh:
                    while block := fh.read(1 << 16):
                        h.update(block)

        t_ours, t_base = _best_of(3, ours), _best_of(3, baseline)
    mib = size >> 20
    return (
        f"hash: {mib} MiB sha256+md5 in {t_ours:.2f} s ({mib / t_ours:.0f} MiB/s); "
        f"two hashlib passes {t_base:.2f} s; ratio ours/baseline = {t_ours / t_base:.2f}"
    )


CALLS = ArtifactSpec(
    id="bench.calls",
    family="bench",
    description="synthetic calls",
    columns=(
        Column("start", TIME, ""),
        Column("end", TIME, ""),
        Column("number", STR, ""),
        Column("duration_s", FLOAT, ""),
    ),
    timeline=(
        TimelineRule("start", "call started", "with {number}", counterpart="number"),
        TimelineRule("end", "call ended", "with {number} after {duration_s:.0f} s"),
    ),
)


def _calls(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    start = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 86_400 * 30, n), unit="s"
    )
    duration = rng.integers(0, 3600, n).astype(float)
    frame = pd.DataFrame(
        {
            "start": start,
            "end": start + pd.to_timedelta(duration, unit="s"),
            "number": [f"+3247{i % 10_000_000:07d}" for i in range(n)],
            "duration_s": duration,
            "artifact": CALLS.id,
            "source_path": "/data/calllog.db",
            "row_id": np.arange(n),
        }
    )
    return conform(frame, CALLS)


def bench_timeline(quick: bool = False) -> str:
    n = 20_000 if quick else 200_000
    calls = _calls(n)

    def ours() -> pd.DataFrame:
        return timeline.build({"phone": calls}, specs={CALLS.id: CALLS})

    def baseline() -> pd.DataFrame:
        rows = []
        for rec in calls.to_dict(orient="records"):
            rows.append(
                {
                    "time": rec["start"],
                    "event": "call started",
                    "description": f"with {rec['number']}",
                }
            )
            rows.append(
                {
                    "time": rec["end"],
                    "event": "call ended",
                    "description": f"with {rec['number']} after {rec['duration_s']:.0f} s",
                }
            )
        return pd.DataFrame(rows).sort_values("time", kind="stable")

    t_ours, t_base = _best_of(2, ours), _best_of(2, baseline)
    return (
        f"timeline: {n:,} calls -> {2 * n:,} rows in {t_ours:.2f} s; per-row dict loop "
        f"{t_base:.2f} s; speed-up {t_base / t_ours:.1f}x"
    )
