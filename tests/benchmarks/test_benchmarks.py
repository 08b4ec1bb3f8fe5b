"""The benchmarks still run (a smoke run on small inputs; their figures are not asserted)."""

from __future__ import annotations

import re

import pytest

from benchmarks.__main__ import main


def test_benchmarks_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"hash: 16 MiB .* ratio ours/baseline = \d+\.\d\d", out)
    assert re.search(r"timeline: 20,000 calls -> 40,000 rows .* speed-up \d+\.\dx", out)
    assert re.search(r"voip: [\d,]+ packets .* ratio ours/scapy = \d+\.\d+", out)
    assert re.search(r"phone: 20,000 SMS .* speed-up \d+\.\dx", out)
    assert re.search(r"drone: \d+ min tlog, .* ratio ours/mavlogdump = \d\.\d+", out)
