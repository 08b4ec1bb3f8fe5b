"""Write one trainee's data variant of every lab (no answer keys): the hub's init step.

    python grading/hub/prepare_data.py --trainee NAME --out ~/data --secret-file FILE

On Kubernetes it runs as an init container of the trainee's pod (grading/hub/k8s/values.yaml),
the only container that sees the course secret; on one machine the hub's pre-spawn hook
does the same through grading/course.py. A lab already written for this trainee is kept.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path


def prepare(trainee: str, out: Path, secret: bytes) -> list[str]:
    from forensics_datasets.course import LABS, make_lab_data

    made = []
    out.mkdir(parents=True, exist_ok=True)
    for lab in LABS:
        target, stamp = out / lab, out / f".{lab}.trainee"
        if stamp.is_file() and stamp.read_text() == trainee:
            continue
        if target.exists():
            shutil.rmtree(target)
        target.mkdir()
        make_lab_data(lab, trainee, target, secret)
        stamp.write_text(trainee)
        made.append(lab)
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainee", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--secret-file", type=Path, required=True)
    args = parser.parse_args(argv)
    secret = args.secret_file.read_bytes().strip()
    made = prepare(args.trainee, args.out, secret)
    print(f"{args.trainee}: {', '.join(made) or 'data already there'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
