"""``python -m forensics_datasets make-default --out DIR``: the datasets the labs need.

    DIR/demo/    the evidence-handling demo (tour notebook)
    DIR/drone/   a drone parcel-drop case: DataFlash log, tlog, DJI SRT, photos, perimeter
    DIR/phone/   an Android and an iOS file-system extraction
    DIR/voip/    a prison Wi-Fi capture with SIP calls, RTP, DTMF and digest logins

Every folder keeps its answer key(s); ``grading/course.py`` never copies them to trainees.
Re-running with the same seed and version does nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from forensics_datasets.demo import make_demo_case
from forensics_datasets.drone.case import make_drone_case
from forensics_datasets.phone import make_phone_extraction
from forensics_datasets.voip.capture import make_voip_capture, write_answer_key

DEFAULT_VERSION = 4  # bump when a generator's output changes
STAMP = "datasets.json"


def _current(out: Path, seed: int) -> bool:
    try:
        stamp = json.loads((out / STAMP).read_text())
    except (OSError, ValueError):
        return False
    return bool(stamp.get("seed") == seed and stamp.get("version") == DEFAULT_VERSION)


def make_default(out: Path, seed: int, force: bool) -> None:
    if not force and _current(out, seed):
        print(f"datasets up to date in {out}", file=sys.stderr)
        return
    make_demo_case(out / "demo", seed=seed)
    make_drone_case(out / "drone", seed=seed)
    for os_name, phone_seed in (("android", seed), ("ios", seed + 1)):
        make_phone_extraction(
            out / "phone",
            os=os_name,  # type: ignore[arg-type]
            seed=phone_seed,
            extras=True,
            linphone=True,
            media=True,
            locations=True,
            whatsapp_contacts=True,
            drone_logs=True,
        )
    (out / "voip").mkdir(parents=True, exist_ok=True)
    capture = make_voip_capture(out / "voip" / "prison_wifi.pcapng", seed=seed, fmt="pcapng")
    write_answer_key(capture, out / "voip" / "answer_key.json")
    (out / STAMP).write_text(json.dumps({"seed": seed, "version": DEFAULT_VERSION}) + "\n")
    print(f"datasets written to {out} (demo, drone, phone, voip)", file=sys.stderr)


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
