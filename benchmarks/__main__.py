"""Run the benchmarks: ``python -m benchmarks [NAME ...]`` (``make bench``).

Each benchmark times our code and a baseline on the same input in the same process and
prints the ratio, so the figure means the same on a laptop and on CI.
"""

from __future__ import annotations

import argparse
import sys

from benchmarks import bench_core, bench_drone, bench_phone, bench_voip

BENCHMARKS = {
    "hash": bench_core.bench_hash,
    "timeline": bench_core.bench_timeline,
    "voip": bench_voip.bench_voip,
    "phone": bench_phone.bench_phone,
    "drone": bench_drone.bench_drone,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", help=f"among {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="small inputs (a smoke run)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    for name in args.names or list(BENCHMARKS):
        print(BENCHMARKS[name](quick=args.quick), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
