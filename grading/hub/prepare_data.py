"""Write one trainee's data variant of every lab (no answer keys): the hub's init step.

    python grading/hub/prepare_data.py --trainee NAME --out ~/data --secret-file FILE

On Kubernetes it runs as an init container of the trainee's pod (grading/hub/k8s/values.yaml),
the only container that sees the course secret; on one machine the hub's pre-spawn hook
does the same through grading/course.py. A lab already written for this trainee is kept.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any


def _course() -> Any:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import course  # grading/course.py

    return course


def prepare(trainee: str, out: Path, secret: bytes) -> list[str]:
    made: list[str] = _course().write_trainee_data(out, trainee, secret)
    return made


def shared(out: Path) -> list[str]:
    """The datasets the tour reads (demo, drone, phone, voip), without answer keys, for any
    that ``out`` does not hold yet."""
    if all((out / name).is_dir() for name in ("demo", "drone", "phone", "voip")):
        return []
    from forensics_datasets.__main__ import make_default

    with tempfile.TemporaryDirectory(prefix="datasets-") as tmp:
        make_default(Path(tmp), seed=0, force=True)
        copied: list[str] = _course().copy_datasets(Path(tmp), out, keep_existing=True)
    return copied


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainee", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--secret-file", type=Path, required=True)
    args = parser.parse_args(argv)
    secret = args.secret_file.read_bytes().strip()
    made = prepare(args.trainee, args.out, secret)
    made += shared(args.out)
    print(f"{args.trainee}: {', '.join(made) or 'data already there'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
