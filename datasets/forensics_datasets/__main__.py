"""``python -m forensics_datasets make-default --out DIR``: the datasets the labs need."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from forensics_datasets.demo import DEMO_VERSION, make_demo_case


def _current(key_path: Path, seed: int, version: int) -> bool:
    try:
        key = json.loads(key_path.read_text())
    except (OSError, ValueError):
        return False
    return bool(key.get("seed") == seed and key.get("version") == version)


def make_default(out: Path, seed: int, force: bool) -> None:
    demo = out / "demo"
    if not force and _current(demo / "answer_key.json", seed, DEMO_VERSION):
        print(f"datasets up to date in {out}", file=sys.stderr)
        return
    case = make_demo_case(demo, seed=seed)
    print(f"demo case written to {case.root}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m forensics_datasets")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("make-default", help="write the datasets the labs use (idempotent)")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--force", action="store_true", help="rewrite even if up to date")
    args = parser.parse_args(argv)
    make_default(args.out, args.seed, args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
