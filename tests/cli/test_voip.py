"""``forensics-lib voip ...``: the tables and the audio export, run through the real CLI.

Truth: the generator's answer key. The voip module is added to the CLI's module list here
(the lead registers it in forensics_lib/cli/__init__.py).
"""

from __future__ import annotations

import json
import wave
from pathlib import Path

import pytest
from forensics_datasets.voip import make_voip_capture

from forensics_lib import cli


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    modules = tuple(dict.fromkeys((*cli.COMMAND_MODULES, "forensics_lib.cli.voip")))
    monkeypatch.setattr(cli, "COMMAND_MODULES", modules)

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return invoke


def test_tables_in_every_format(run, tmp_path: Path) -> None:
    case = make_voip_capture(tmp_path / "c.pcap")
    code, out, _ = run("voip", "calls", str(case.path), "--format", "json")
    assert code == 0
    calls = json.loads(out)
    assert sorted(c["call_id"] for c in calls) == sorted(
        c["call_id"] for c in case.answer_key["calls"]
    )
    code, out, _ = run("voip", "streams", str(case.path), "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("ssrc,src_ip,src_port")
    for table in ("messages", "dtmf", "auth", "calls", "streams"):
        code, out, _ = run("voip", table, str(case.path))
        assert code == 0
        # Piped output is never cut (issue 14): no elided cell, every callee URI whole.
        assert "…" not in out and "..." not in out
        if table == "calls":
            assert all(c["callee"].split(":")[-1] in out for c in case.answer_key["calls"])


def test_audio_of_a_stream_and_of_a_call(run, tmp_path: Path) -> None:
    case = make_voip_capture(tmp_path / "c.pcap")
    stream = case.answer_key["streams"][0]
    out = tmp_path / "work" / "s.wav"
    out.parent.mkdir()
    code, _, err = run("voip", "audio", str(case.path), "--ssrc", stream["ssrc"], "-o", str(out))
    assert code == 0, err
    with wave.open(str(out)) as wav:
        assert wav.getnchannels() == 1
        assert wav.getnframes() == stream["expected"] * 160
    call = next(c for c in case.answer_key["calls"] if c["ssrcs"])
    code, _, err = run("voip", "audio", str(case.path), "--call", call["call_id"], "-o", str(out))
    assert code == 0, err
    with wave.open(str(out)) as wav:
        assert wav.getnchannels() == 2
    code, _, err = run("voip", "audio", str(case.path), "--call", "nope", "-o", str(out))
    assert code == 2 and "no call" in err


def test_bad_capture_is_a_clean_error(run, tmp_path: Path) -> None:
    path = tmp_path / "x.pcap"
    path.write_bytes(b"nonsense")
    code, _, err = run("voip", "calls", str(path))
    assert code == 2 and "unsupported format" in err
