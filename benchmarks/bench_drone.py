"""Drone benchmark: the tlog ``track`` against pymavlink's ``mavlogdump.py`` on the same file.

A generated flight of about one hour (10 Hz GLOBAL_POSITION_INT and ATTITUDE, GPS_RAW_INT,
VFR_HUD, SERVO_OUTPUT_RAW, SYS_STATUS, both systems' HEARTBEATs, GCS position, mission,
parameters, STATUSTEXT: the mix a ground station logs). Both sides run as fresh processes
(interpreter start and imports included, as an investigator runs them):

* ours: ``read_flight_log(path).track`` (CRC-checked frame scan, vectorised decoding);
* baseline: ``mavlogdump.py --types GLOBAL_POSITION_INT --format csv path``.

The target (issue 4) is a ratio of at most 1/3. Peak RSS of each process is reported too.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

_OURS = (
    "import sys; from forensics_lib.drone import read_flight_log; "
    "t = read_flight_log(sys.argv[1]).track; print(len(t))"
)


def _rss_of(argv: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB) and stdout of ``argv``, run under a small wrapper."""
    wrapper = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "p = subprocess.run(sys.argv[1:], capture_output=True); "
        "w = time.perf_counter() - t; "
        "print(w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
        "sys.stdout.write(p.stdout.decode(errors='replace'))"
    )
    done = subprocess.run([sys.executable, "-c", wrapper, *argv], capture_output=True, check=True)
    first, _, rest = done.stdout.decode().partition("\n")
    wall, rss = first.split()
    return float(wall), int(rss), rest


def bench_drone(quick: bool = False) -> str:
    from forensics_datasets.drone import simulate_flight, write_tlog

    laps = 4 if quick else 108  # each survey lap is about 31 s; 108 laps ~ one hour in all
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hour.tlog"
        flight = simulate_flight(0, loiter_laps=laps)
        frames = write_tlog(path, flight)
        minutes = len(flight.samples) / 10 / 60
        mavlogdump = Path(sys.executable).with_name("mavlogdump.py")
        base_cmd = [sys.executable, str(mavlogdump), "--types", "GLOBAL_POSITION_INT",
                    "--format", "csv", str(path)]  # fmt: skip
        ours_cmd = [sys.executable, "-c", _OURS, str(path)]
        best_ours = best_base = float("inf")
        rss_ours = rss_base = 0
        rows_ours = rows_base = 0
        for _ in range(1 if quick else 2):
            wall, rss, out = _rss_of(ours_cmd)
            best_ours, rss_ours, rows_ours = (
                min(best_ours, wall),
                max(rss_ours, rss),
                int(out.split()[0]),
            )
            wall, rss, out = _rss_of(base_cmd)
            best_base, rss_base = min(best_base, wall), max(rss_base, rss)
            rows_base = max(out.count("\n") - 1, 0)  # minus the CSV header
    return (
        f"drone: {minutes:.0f} min tlog, {frames:,} frames, {rows_ours:,} track rows "
        f"(mavlogdump {rows_base:,} rows); ours {best_ours:.2f} s, peak RSS "
        f"{rss_ours / 1024:.0f} MiB; mavlogdump {best_base:.2f} s, {rss_base / 1024:.0f} MiB; "
        f"ratio ours/mavlogdump = {best_ours / best_base:.3f}"
    )
