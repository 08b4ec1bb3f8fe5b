"""VoIP benchmark: calls + streams of a generated capture, against tshark and scapy.

The capture (``forensics_datasets.voip``: 100 answered calls, 200 G.711 streams with 1 %
loss, jitter and reordering, about 1,000,000 packets, about 230 MB; ``--quick``: 10 calls,
about 20,000 packets) is read by :func:`forensics_lib.voip.read_capture` in a child process,
so its peak RSS is measured alone; then ``tshark -n -q -z rtp,streams`` on the same file
(when installed), and scapy's ``PcapReader`` dissecting packets (timed on the first 20,000
and scaled, since scapy needs minutes for a million). Ratios < 1 mean we are faster.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = """
import sys, time, resource
from pathlib import Path
from forensics_lib.voip import read_capture
t = time.perf_counter()
c = read_capture(sys.argv[1])
assert len(c.calls) and len(c.streams)
elapsed = time.perf_counter() - t
# VmHWM is this process's own peak (ru_maxrss would carry the parent's over exec)
status = Path("/proc/self/status")
hwm = [int(x.split()[1]) for x in status.read_text().splitlines() if x.startswith("VmHWM")]
print(elapsed, hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
_SCAPY_SAMPLE = 20_000


def _ours(path: Path) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return float(out[0]), int(out[1]) / 1024  # seconds, MiB (ru_maxrss is KiB on Linux)


def _tshark(path: Path) -> float | None:
    if shutil.which("tshark") is None:
        return None
    start = time.perf_counter()
    subprocess.run(
        ["tshark", "-n", "-r", str(path), "-q", "-z", "rtp,streams"],
        capture_output=True, check=True,
    )  # fmt: skip
    return time.perf_counter() - start


def _scapy_rate(path: Path) -> float:
    import scapy.layers.inet
    import scapy.layers.l2  # registers Ethernet as link type 1
    from scapy.utils import PcapReader

    del scapy

    start = time.perf_counter()
    n = 0
    with PcapReader(str(path)) as reader:
        for _pkt in reader:
            n += 1
            if n >= _SCAPY_SAMPLE:
                break
    return n / (time.perf_counter() - start)


def bench_voip(quick: bool = False) -> str:
    from forensics_datasets.voip import make_voip_capture

    calls, seconds = (10, 20.0) if quick else (100, 100.0)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.pcap"
        case = make_voip_capture(
            path, seed=1, answered=calls, cancelled=0, rejected=0, seconds=seconds,
            loss=0.01, jitter_ms=2.0, reorder=0.01, digits="", inband_digits="",
        )  # fmt: skip
        packets = case.answer_key["packets"]
        mib = path.stat().st_size / 2**20
        t_ours, rss = _ours(path)
        t_tshark = _tshark(path)
        scapy = _scapy_rate(path)
    t_scapy = packets / scapy
    parts = [
        f"voip: {packets:,} packets ({mib:.0f} MiB), calls+streams in {t_ours:.2f} s, "
        f"peak RSS {rss:.0f} MiB",
        f"tshark rtp,streams {t_tshark:.2f} s, ratio ours/tshark = {t_ours / t_tshark:.2f}"
        if t_tshark
        else "tshark not installed",
        f"scapy PcapReader ~{t_scapy:.0f} s ({scapy:,.0f} packets/s), "
        f"ratio ours/scapy = {t_ours / t_scapy:.3f}",
    ]
    return "; ".join(parts)


if __name__ == "__main__":
    print(bench_voip(quick="--quick" in sys.argv))
