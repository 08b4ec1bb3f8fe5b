"""``forensics-lib case`` (forensics_lib.cli.case): info and timeline of a verified case folder.

Truth: the generators' answer keys for the exhibits (the case folder of tests/case/test_case.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from forensics_lib.case import open_case
from tests.case import test_case as case_tests

case = case_tests.case  # the case folder fixture of tests/case/test_case.py


def test_case_cli_info_and_timeline(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from forensics_lib.cli import main

    assert main(["case", "info", str(case), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    rows = {r["exhibit"]: r for r in json.loads(out)}
    assert rows["EXH-002_operator_phone.zip"]["reader"] == "phone"
    assert "android.sms" in rows["EXH-002_operator_phone.zip"]["artifacts"]
    assert "hashes verified, custody chain intact (3 entries)" in err
    target = tmp_path / "tl.csv"
    assert main(["case", "timeline", str(case), "-o", str(target), "--format", "csv"]) == 0
    written = pd.read_csv(target)
    assert len(written) == len(open_case(case).timeline) > 0
