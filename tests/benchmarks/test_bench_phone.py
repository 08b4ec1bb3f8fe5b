"""The phone benchmark still runs (a smoke run on small inputs; its figures are not asserted)."""

from __future__ import annotations

import re

from benchmarks.bench_phone import bench_phone


def test_phone_benchmark_smoke() -> None:
    line = bench_phone(quick=True)
    assert re.search(r"phone: 20,000 SMS \+ 20,000 WhatsApp \+ 4,000 calls -> 44,000 rows", line)
    assert re.search(r"speed-up \d+\.\dx; peak RSS [\d,]+ MiB", line)
