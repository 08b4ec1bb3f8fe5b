"""Generated captures round-trip: everything the writer put in, the reader finds.

Truth: the writer's answer key (forensics_datasets.voip), and tshark's rtp,streams on the
same generated file when tshark is installed.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from forensics_datasets.voip import make_voip_capture

from forensics_lib.voip import read_capture
from forensics_lib.voip.audio import stream_audio
from forensics_lib.voip.auth import check_digest_password, recover_password
from forensics_lib.voip.pcap import iter_packets
from tests.real.test_voip import _check_streams, _tshark_streams

WORDS = ["123456", "password", "sunshine", "letmein", "dragon", "monkey", "football",
         "welcome", "qwerty1"]  # fmt: skip


def _roundtrip(key: dict[str, Any], path: Path) -> None:
    capture = read_capture(path)
    assert capture.packets == key["packets"]
    calls = capture.calls.set_index("call_id")
    assert sorted(calls.index) == sorted(c["call_id"] for c in key["calls"])
    for c in key["calls"]:
        row = calls.loc[c["call_id"]]
        assert row["state"] == c["state"]
        assert row["status_code"] == c["status_code"]
        assert (row["caller"], row["callee"]) == (c["caller"], c["callee"])
        assert (row["caller_ip"], row["callee_ip"]) == (c["caller_ip"], c["callee_ip"])
        assert row["start_utc"].value == c["start_ns"]
        ssrcs = row["stream_ssrcs"] if isinstance(row["stream_ssrcs"], str) else ""
        assert sorted(filter(None, ssrcs.split(","))) == sorted(c["ssrcs"])
    streams = capture.streams.set_index("ssrc")
    assert sorted(streams.index) == sorted(s["ssrc"] for s in key["streams"])
    for s in key["streams"]:
        row = streams.loc[s["ssrc"]]
        for name in ("src_ip", "src_port", "dst_ip", "dst_port", "payload_type", "packets",
                     "expected", "lost"):  # fmt: skip
            assert row[name] == s[name], (s["ssrc"], name)
        assert row["codec"].split(", ")[0] == s["codec"]
        assert row["linked_by"] == "sdp"
    # every RFC 4733 digit, once, in order, on the stream that sent it
    for s in key["streams"]:
        sent = capture.dtmf[
            (capture.dtmf["ssrc"] == s["ssrc"]) & (capture.dtmf["method"] == "rfc4733")
        ]
        assert "".join(sent["digit"]) == "".join(s["rfc4733"])
    # every REGISTER digest, and its weak password recovered from a word list
    auth = capture.auth
    for reg in key["registrations"]:
        row = auth[auth["username"] == reg["username"]].iloc[0]
        assert row["response"] == reg["response"]
        assert row["client"] == reg["client"]
        assert check_digest_password(row, reg["password"])
        assert recover_password(row, WORDS) == reg["password"]


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"fmt": "pcapng"},
        {"nanoseconds": True, "big_endian": True},
        {"link": "vlan"},
        {"link": "sll"},
        {"link": "sll2", "fmt": "pcapng"},
        {"link": "raw"},
        {"sip_transport": "tcp"},
        {"mtu": 576},  # INVITEs with SDP are fragmented
        {"loss": 0.05, "jitter_ms": 3.0, "reorder": 0.03, "seed": 7},
    ],
    ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "default",
)
def test_generated_capture_roundtrips(tmp_path: Path, unchanged, options: dict[str, Any]) -> None:
    path = tmp_path / "case" / f"capture.{options.get('fmt', 'pcap')}"
    path.parent.mkdir()
    case = make_voip_capture(path, **options)
    unchanged(path.parent)
    _roundtrip(case.answer_key, path)


def test_the_fragmented_invite_really_is_fragmented(tmp_path: Path) -> None:
    case = make_voip_capture(tmp_path / "c.pcap", mtu=576)
    # IPv4 flags/fragment offset of Ethernet frames: MF set in at least one packet
    more = [p for p in iter_packets(case.path) if p.data[14 + 6] & 0x20]
    assert more


def test_generated_streams_agree_with_tshark(tmp_path: Path) -> None:
    if shutil.which("tshark") is None:
        pytest.skip("tshark is not installed")
    case = make_voip_capture(tmp_path / "c.pcap", seed=3, loss=0.05, jitter_ms=4.0, reorder=0.05)
    truth = _tshark_streams(case.path)
    assert len(truth) == len(case.answer_key["streams"])
    _check_streams(read_capture(case.path).streams, truth)


def test_generated_audio_decodes_to_the_tone(tmp_path: Path) -> None:
    import numpy as np

    case = make_voip_capture(tmp_path / "c.pcap", digits="", inband_digits="")
    s = case.answer_key["streams"][1]  # callee -> caller: a pure 620 Hz tone
    audio = stream_audio(case.path, int(s["ssrc"], 16))
    assert len(audio.samples) == s["expected"] * 160
    spectrum = np.abs(np.fft.rfft(audio.samples.astype(float)))
    peak_hz = np.argmax(spectrum) * 8000 / len(audio.samples)
    assert abs(peak_hz - s["tone_hz"]) < 2.0


def test_calls_become_timeline_rows(tmp_path: Path) -> None:
    from forensics_lib import timeline
    from forensics_lib.voip.specs import CALLS

    case = make_voip_capture(tmp_path / "c.pcap", answered=1, cancelled=1, rejected=0)
    calls = read_capture(case.path).calls
    tl = timeline.build({"EXH-1": calls}, specs={CALLS.id: CALLS})
    # answered call: started, answered, ended; cancelled call: started, ended (no answer)
    assert sorted(tl["event"]) == sorted(
        ["call started", "call answered", "call ended", "call started", "call ended"]
    )
    assert str(tl["time"].dtype) == "datetime64[ns, UTC]"


def test_inband_dtmf_found_in_the_audio_as_the_writer_put_it(tmp_path: Path) -> None:
    # Truth: the writer's answer key (digits it synthesised as Q.23 tone pairs, 120 ms
    # each, into the caller's G.711 stream; the RFC 4733 digits are events, not tones).
    from forensics_datasets.voip import make_voip_capture

    from forensics_lib.voip import read_capture

    case = make_voip_capture(tmp_path / "c.pcap", seed=3, digits="42", inband_digits="159#*0")
    capture = read_capture(case.path, inband=True)
    inband = capture.dtmf[capture.dtmf["method"] == "inband"]
    expected = {s["ssrc"]: s["inband"] for s in case.answer_key["streams"] if s["inband"]}
    found = {ssrc: list(g["digit"]) for ssrc, g in inband.groupby("ssrc")}
    assert found == expected
    # 120 ms tones, seen in whole 25.6 ms blocks: at least 4 blocks (102 ms), at most 5.
    assert inband["duration_ms"].between(102.0, 128.2).all()
    assert inband["offset"].notna().all()
    # Without inband, only the events and INFO digits.
    plain = read_capture(case.path).dtmf
    assert set(plain["method"]) <= {"rfc4733", "sip-info"}
    assert len(capture.dtmf) == len(plain) + len(inband)


def test_no_inband_digits_in_real_speech(samples: Path) -> None:
    # The MagicJack sample is a real call with speech and no keys pressed; SIP_DTMF2's
    # digits travel as RFC 2833 events only (tshark shows no tones either).
    from forensics_lib.voip import read_capture

    for name in ("MagicJack_short_call.pcap", "SIP_DTMF2.pcap", "sip-rtp-g711.pcap"):
        dtmf = read_capture(samples / "voip" / name, inband=True).dtmf
        assert (dtmf["method"] != "inband").all(), name


def test_every_generated_login_is_accepted(tmp_path: Path) -> None:
    # The writer's registrations all end REGISTER(credentials) -> 200 OK (its answer key).
    from forensics_datasets.voip import make_voip_capture

    from forensics_lib.voip import read_capture

    case = make_voip_capture(tmp_path / "c.pcap")
    auth = read_capture(case.path).auth
    assert len(auth) == len(case.answer_key["registrations"])
    assert auth["status_code"].tolist() == [200] * len(auth)
    assert auth["accepted"].all()


def test_talk_time_is_answer_to_end_as_the_writer_timed_it(tmp_path: Path) -> None:
    """talk_s: from the 200 OK to the INVITE to the end of the dialog, as the writer's key
    timed them; unanswered calls have none."""
    case = make_voip_capture(tmp_path / "c.pcap", seed=5, answered=2, cancelled=1, rejected=1)
    calls = read_capture(case.path).calls.set_index("call_id")
    for call in case.answer_key["calls"]:
        got = calls.loc[call["call_id"], "talk_s"]
        if call.get("answer_ns") is None:
            assert pd.isna(got)
        else:
            assert got == pytest.approx((call["end_ns"] - call["answer_ns"]) / 1e9, abs=1e-9)
