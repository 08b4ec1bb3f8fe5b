"""Export benchmark: ``phone read EXTRACTION whatsapp_messages -o FILE`` on 1M messages.

Peak resident memory (the kernel's ``ru_maxrss`` of each child process, what
``/usr/bin/time -v`` prints as "Maximum resident set size") and wall time of, each in a
fresh process on the same extraction (1,000,000 WhatsApp messages in a modern
``msgstore.db``, written by ``bench_phone.write_big_android``; ``--quick``: 20,000):

* ``api``: ``Extraction.read("whatsapp_messages")`` alone, the frame every export starts from;
* ``whole-text``: the former ``phone read -o``: the whole CSV built as one string
  (a copy of the frame with times as text, then ``to_csv()`` to a str), then written;
* ``-o .csv`` / ``-o .parquet``: the command line now, streaming 50,000 rows at a time
  (``forensics_lib.export.write_table``).

Run: ``python -m benchmarks.bench_export [--quick]`` (not in ``python -m benchmarks``'s
default list: the full run takes minutes and several GiB for the baseline).

Measured 2026-12-03 on the shared 2-core box (1,000,000 messages; ``/usr/bin/time -v``
"Maximum resident set size" of ``forensics-lib phone read EXH whatsapp_messages -o F``):

=========================  ===========  ========  ======================================
run                        peak RSS     wall      note
=========================  ===========  ========  ======================================
before (f46535e), ``.csv``  2,643,748 KB  56 s     whole CSV text in memory
after, ``.csv``               551,264 KB  35 s     byte-identical file
after, ``.parquet``           573,032 KB  12 s
after, ``.jsonl``             605,020 KB  59 s
API frame alone               ~537,000 KB  17 s    this module's ``api`` child (524 MiB)
=========================  ===========  ========  ======================================
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_phone import write_big_android

_API = """
import sys
from forensics_lib.phone import open_extraction
with open_extraction(sys.argv[1]) as ext:
    frame = ext.read("whatsapp_messages")
print(len(frame))
"""

# The former cli.phone.cmd_read -o path (render_csv, then write_text), kept as a baseline.
_WHOLE_TEXT = """
import sys
from pathlib import Path
import pandas as pd
from forensics_lib.export.timeline import iso_utc
from forensics_lib.phone import open_extraction
with open_extraction(sys.argv[1]) as ext:
    frame = ext.read("whatsapp_messages")
out = frame.copy()
for name in out.columns:
    if isinstance(out[name].dtype, pd.DatetimeTZDtype):
        out[name] = iso_utc(out[name])
Path(sys.argv[2]).write_text(str(out.to_csv(index=False, lineterminator="\\n")), encoding="utf-8")
print(len(frame))
"""

_CLI = """
import sys
from forensics_lib.cli import main
sys.exit(main(["phone", "read", sys.argv[1], "whatsapp_messages", "-o", sys.argv[2]]))
"""


def _child(script: str, *argv: str) -> tuple[float, float]:
    """Run ``script`` in a fresh interpreter: (peak RSS in MiB, wall seconds)."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(
        [root, str(Path(root) / "datasets"), env.get("PYTHONPATH", "")]
    )
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({proc.returncode}): {err[-2000:]}")
    return usage.ru_maxrss / 1024, wall  # Linux: KiB


def bench_export(quick: bool = False) -> str:
    wa = 20_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        root = Path(tmp) / "EXH-BENCH"
        write_big_android(root, sms=1, wa=wa, calls=1)
        out = Path(tmp) / "out"
        out.mkdir()
        api = _child(_API, str(root))
        whole = _child(_WHOLE_TEXT, str(root), str(out / "whole.csv"))
        streamed = _child(_CLI, str(root), str(out / "messages.csv"))
        parquet = _child(_CLI, str(root), str(out / "messages.parquet"))
        same = (out / "whole.csv").read_bytes() == (out / "messages.csv").read_bytes()
    return (
        f"export: {wa:,} WhatsApp messages, phone read -o; peak RSS / wall: "
        f"API frame only {api[0]:,.0f} MiB / {api[1]:.1f} s; "
        f"whole CSV text (before) {whole[0]:,.0f} MiB / {whole[1]:.1f} s; "
        f"streamed .csv {streamed[0]:,.0f} MiB / {streamed[1]:.1f} s; "
        f".parquet {parquet[0]:,.0f} MiB / {parquet[1]:.1f} s; "
        f"CSV bytes identical: {same}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_export")
    parser.add_argument("--quick", action="store_true", help="20,000 messages (a smoke run)")
    args = parser.parse_args(argv)
    print(bench_export(quick=args.quick), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
