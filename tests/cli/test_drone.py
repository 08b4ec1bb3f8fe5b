"""``forensics-lib drone``: output formatting, the --zone hint, a log that starts in flight.

Truth: the drone generator's answer key (forensics_datasets.drone.make_drone_case: a 10 Hz
simulated flight, so every duration is a whole number of tenths of a second), the real tlog
of ../shared/samples/drone (README facts), and hand-derived values noted beside each.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.drone import make_drone_case

from forensics_lib.cli import main
from forensics_lib.errors import ForensicsWarning

ISO_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    made = make_drone_case(tmp_path_factory.mktemp("drone_cli"), seed=3)
    return made.root, made.key


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    # main() prints warnings itself ("warning: ..." on stderr): let them through to it.
    with warnings.catch_warnings():
        warnings.simplefilter("always", ForensicsWarning)
        code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_geofence_prints_iso_times_and_rounded_numbers(
    case: tuple[Path, dict], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = case
    argv = (
        "drone",
        "geofence",
        str(root / "flight.tlog"),
        "--polygon",
        str(root / "perimeter.geojson"),
    )
    code, out, _ = run(capsys, *argv, "--format", "json")
    fence = json.loads(out)
    assert code == 0 and (fence["entries"], fence["exits"]) == (1, 1)
    # 10 Hz fixes: the time inside is a whole number of tenths, printed without float noise
    # (the sum of 0.1 s steps is 81.99999999999999 before rounding).
    assert fence["time_inside_s"] == round(fence["time_inside_s"], 1) > 0
    assert ISO_MS.fullmatch(fence["closest_utc"])
    # The closest fix is inside the perimeter, at or after the entry crossing.
    entry = pd.Timestamp(fence["crossings"][0]["time_utc"])
    assert fence["closest_m"] == 0.0 and pd.Timestamp(fence["closest_utc"]) >= entry
    code, out, _ = run(capsys, *argv)
    facts = dict(line.split(None, 1) for line in out.splitlines()[2:9])
    assert ISO_MS.fullmatch(facts["closest_utc"].strip()), facts
    assert "+00:00" not in out
    assert facts["time_inside_s"].strip() == str(fence["time_inside_s"])


def test_track_numbers_carry_no_float_noise(
    case: tuple[Path, dict], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = case
    code, out, _ = run(capsys, "drone", "track", str(root / "flight.bin"), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) > 1000

    def decimals(text: str) -> int:
        return len(text.split(".")[1]) if "." in text else 0

    # DataFlash BAT.Volt is a float32 (16.795997619628906 for 16.796 V): shown to the mV.
    volts = [r["voltage_v"] for r in rows if r["voltage_v"]]
    assert volts and max(map(decimals, volts)) <= 3
    assert max(decimals(r["ground_speed_ms"]) for r in rows) <= 2
    assert max(decimals(r["alt_rel_m"]) for r in rows if r["alt_rel_m"]) <= 3


def test_srt_without_zone_names_the_option(
    case: tuple[Path, dict], capsys: pytest.CaptureFixture[str]
) -> None:
    root, key = case
    srt = str(root / "DJI_0001.SRT")
    code, out, err = run(capsys, "drone", "track", srt, "--format", "csv")
    assert code == 0 and "add --zone ZONE" in err and "zone=" not in err
    assert all(not r["time_utc"] for r in csv.DictReader(io.StringIO(out)))
    code, out, err = run(capsys, "drone", "track", srt, "--zone", key["zone"], "--format", "csv")
    first = next(csv.DictReader(io.StringIO(out)))
    assert code == 0 and "warning" not in err and first["time_utc"].endswith("Z")
    code, _, err = run(capsys, "drone", "track", srt, "--zone", "Nowhere/Land")
    assert code == 2 and err.startswith("error: unknown time zone 'Nowhere/Land'")


def test_summary_of_a_log_that_starts_in_flight(
    samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # README: first GLOBAL_POSITION_INT at Unix 1533737161.912 (14:06:01.912Z); pymavlink
    # reads relative_alt 6750 mm there (tests/real/test_drone.py checks it).
    path = str(samples / "drone" / "uavlogviewer_vtol.tlog")
    code, out, _ = run(capsys, "drone", "summary", path, "--format", "json")
    facts = json.loads(out)
    assert code == 0 and facts["takeoff_utc"] is None
    assert facts["notes"] == [
        "the log starts in flight at 2018-08-08T14:06:01.912Z (6.75 m above home); "
        "the take-off is not in this log"
    ]
    code, out, _ = run(capsys, "drone", "events", path, "--format", "csv")
    kinds = [r["kind"] for r in csv.DictReader(io.StringIO(out))]
    assert "takeoff" not in kinds and kinds.count("landing") == 1


def test_summary_heights_carry_no_float_noise(
    samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The Mavic Air 2 SRT gives only "[altitude: ...]" (AMSL): the height above the first
    # block is max - first of those values, to the millimetre the file writes
    # (29.2 - 27.3 is 1.8999999999999986 in floating point).
    path = samples / "drone" / "srt_mavic_air2.srt"
    alts = [float(a) for a in re.findall(r"\[altitude: ([\d.-]+)\]", path.read_text())]
    truth = round(max(alts) - alts[0], 3)
    code, out, _ = run(
        capsys, "drone", "summary", str(path), "--zone", "Europe/Madrid", "--format", "json"
    )
    assert code == 0 and json.loads(out)["max_alt_rel_m"] == truth == 1.9
