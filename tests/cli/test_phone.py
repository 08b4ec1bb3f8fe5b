"""``forensics-lib phone info|artifacts|read``: output checked against the generator's key."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from forensics_datasets.phone import make_phone_extraction

import forensics_lib.cli as cli


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> object:
    # Until the lead lists it in COMMAND_MODULES, add the phone commands for this test.
    if "forensics_lib.cli.phone" not in cli.COMMAND_MODULES:
        monkeypatch.setattr(
            cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "forensics_lib.cli.phone")
        )

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_phone_cli(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    case = make_phone_extraction(tmp_path / "x", os="ios", seed=4, container="zip")
    exhibit = str(case.exhibit)
    code, out, _ = run("phone", "info", exhibit, "--format", "json")
    assert code == 0
    info = {row["field"]: row["value"] for row in json.loads(out)}
    assert info["os"] == "iOS" and info["os_version"] == "17.5.1"
    assert info["rows: sms"] == str(len(case.answer_key["scenario"]["messages"]))

    code, out, _ = run("phone", "artifacts", exhibit, "--format", "csv")
    assert code == 0
    ids = {row["artifact"] for row in csv.DictReader(io.StringIO(out))}
    assert {"ios.sms", "ios.calls", "ios.contacts", "ios.whatsapp_messages"} <= ids

    code, out, _ = run("phone", "read", exhibit, "calls", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(case.answer_key["scenario"]["calls"])
    assert rows[0]["time"].endswith("Z")  # UTC ISO 8601

    code, out, _ = run("phone", "read", exhibit, "sms", "--limit", "3")
    assert code == 0
    lines = [line for line in out.splitlines() if not line.startswith("(")]
    assert len(lines) == 5  # header, rule, 3 rows (and maybe a note on hidden columns)
    assert all(len(line) <= 200 for line in out.splitlines())

    out_file = tmp_path / "contacts.csv"
    code, _, err = run("phone", "read", exhibit, "contacts", "-o", str(out_file))
    assert code == 0 and "rows written" in err
    assert len(list(csv.DictReader(io.StringIO(out_file.read_text())))) == len(
        case.answer_key["scenario"]["contacts"]
    )

    json_file = tmp_path / "contacts.json"
    code, _, _ = run("phone", "read", exhibit, "contacts", "--format", "json", "-o", str(json_file))
    assert code == 0
    assert len(json.loads(json_file.read_text())) == len(case.answer_key["scenario"]["contacts"])

    code, _, err = run("phone", "read", exhibit, "nope")
    assert code == 2 and "unknown phone artifact 'nope'" in err


def test_phone_cli_refuses_non_phone(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "empty").mkdir()
    code, _, err = run("phone", "info", str(tmp_path / "empty"))
    assert code == 2 and "no Android or iOS file system" in err
