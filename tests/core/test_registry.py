"""The registry and the schema contract: every registered parser returns exactly its columns.

Truth: each parser is run on a real input of its kind, generated here or by the kit's
generators; its output must match the spec it declares, column for column and dtype for
dtype, and it must find the rows the generator wrote.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from forensics_datasets.phone.samples import PHONE_SAMPLES, UFDR_SAMPLES

import forensics_lib as fl
from forensics_lib import registry
from forensics_lib.custody import CustodyLog
from forensics_lib.schema import check_frame


def _custody_sample(tmp: Path) -> tuple[Path, int]:
    log = CustodyLog(tmp / "custody.jsonl")
    log.append(
        who="DC A. Example",
        action="seized",
        exhibit="EXH-9",
        time=pd.Timestamp("2024-01-02T03:04:05Z"),
    )
    log.append(who="B. Sample", action="sealed", exhibit="EXH-9", sha256="ab" * 32)
    return log.path, 2


def _voip(count: Callable[[dict[str, Any]], int]) -> Callable[[Path], tuple[Path, int]]:
    """A generated capture and the row count its answer key implies."""

    def make(tmp: Path) -> tuple[Path, int]:
        from forensics_datasets.voip import make_voip_capture

        case = make_voip_capture(tmp / "capture.pcap")
        return case.path, count(case.answer_key)

    return make


def _drone(file: str, count: Callable[[dict[str, Any]], int]) -> Callable[[Path], tuple[Path, int]]:
    """One file of a generated drone case, copied beside the test, and its row count."""

    def make(tmp: Path) -> tuple[Path, int]:
        from forensics_datasets.drone import make_drone_case

        case = make_drone_case(tmp / "case", seed=0)
        target = tmp / Path(file).name
        shutil.copyfile(case.root / file, target)
        return target, count(case.key)

    return make


def _ulog_sample(tmp: Path) -> tuple[Path, int]:
    """A generated PX4 ULog: one row per info value and initial parameter it wrote."""
    from forensics_datasets.drone import simulate_flight
    from forensics_datasets.ulog import write_ulog

    key = write_ulog(tmp / "flight.ulg", simulate_flight(0))
    return tmp / "flight.ulg", len(key["info"]) + len(key["params"])


def _dtmf_count(key: dict[str, Any]) -> int:
    return sum(len(s["rfc4733"]) + len(s["inband"]) for s in key["streams"])


# One sample maker per registered artifact id: a new parser without one fails the test
# below, which is the point.
SAMPLES: dict[str, Callable[[Path], tuple[Path, int]]] = {
    "custody.log": _custody_sample,
    # Default scenario: 8 phones register (REGISTER, 401, REGISTER, 200: 32 messages);
    # 2 answered calls (INVITE, 100, 180, 200, ACK, BYE, 200: 14); 1 cancelled (INVITE,
    # 100, 180, CANCEL, 200, 487, ACK: 7); 1 rejected (INVITE, 100, final, ACK: 4) = 57.
    "voip.messages": _voip(lambda key: 4 * len(key["registrations"]) + 14 + 7 + 4),
    "voip.calls": _voip(lambda key: len(key["calls"])),
    "voip.streams": _voip(lambda key: len(key["streams"])),
    "voip.dtmf": _voip(_dtmf_count),
    "voip.auth": _voip(lambda key: len(key["registrations"])),  # one digest per login
    "drone.track": _drone("flight.tlog", lambda key: key["samples"]),
    # seed 0: 5 mode changes, arm, disarm, 7 STATUSTEXT, PARAM_SET and the change it
    # caused, 2 MISSION_ITEM_REACHED (items 4 and 5), the gripper command and its ACK,
    # the gripper servo's 2 steps (grab_servo, release_servo), take-off, landing
    "drone.events": _drone("flight.tlog", lambda key: 24),
    "drone.srt": _drone("DJI_0001.SRT", lambda key: key["srt_blocks"]),
    "media.exif": _drone("photos/DJI_0001.JPG", lambda key: 1),
    "drone.ulog_info": _ulog_sample,
    **PHONE_SAMPLES,  # phone extractions written by the generator, rows from its answer key
    **UFDR_SAMPLES,  # Cellebrite UFDR reports of the same scenarios
}


def test_every_artifact_has_a_sample() -> None:
    assert sorted(a.id for a in registry.artifacts()) == sorted(SAMPLES)


@pytest.mark.parametrize("artifact_id", sorted(SAMPLES))
def test_parser_output_matches_its_declared_schema(artifact_id: str, tmp_path: Path) -> None:
    art = registry.get(artifact_id)
    path, expected_rows = SAMPLES[artifact_id](tmp_path)
    frame = art.parse(path)
    assert check_frame(frame, art.spec) == []
    assert len(frame) == expected_rows
    assert (frame["artifact"] == artifact_id).all()
    # Inside an exhibit too: the same file read as a member of a directory exhibit.
    with fl.Evidence(tmp_path) as ev:
        [member] = [m for m in ev.files() if m.name == path.relative_to(tmp_path).as_posix()]
        inside = art.parse(ev.file(member))
    assert check_frame(inside, art.spec) == []
    assert len(inside) == expected_rows


def test_registry_lists_and_rejects() -> None:
    table = fl.artifacts()
    assert list(table.columns) == ["id", "family", "description", "columns", "timeline"]
    assert "custody.log" in set(table["id"])
    with pytest.raises(KeyError, match=r"unknown artifact 'nope'; known: .*custody\.log"):
        registry.get("nope")


def test_duplicate_ids_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two modules claiming the same id: discovery must fail loudly, not pick one.
    pkg = tmp_path / "dupe_parsers"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    body = (
        "from forensics_lib.registry import artifact\n"
        "from forensics_lib.custody import CUSTODY_LOG\n"
        "@artifact(CUSTODY_LOG)\n"
        "def parse(source):\n    return None\n"
    )
    (pkg / "one.py").write_text(body)
    (pkg / "two.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ValueError, match="registered twice"):
        registry.artifacts(modules=("dupe_parsers.one", "dupe_parsers.two"))


def test_a_dji_flight_record_matches_the_track_schema(tmp_path: Path) -> None:
    # A second input format of drone.track: a scrambled (version 11) DJI flight record.
    from forensics_datasets.dji_txt import simple_dji_flight, write_dji_txt

    flight = simple_dji_flight(0)
    path = tmp_path / "DJIFlightRecord_2024-06-14_[21-30-00].txt"
    write_dji_txt(path, flight, version=11)
    art = registry.get("drone.track")
    frame = art.parse(path)
    assert check_frame(frame, art.spec) == []
    assert len(frame) == flight.key()["track_points"]
    with fl.Evidence(tmp_path) as ev:  # found by the spec's globs, as a scan would
        from forensics_lib.scan import candidates

        assert [f.path for f in candidates(ev, art.spec)] == ["/" + path.name]
