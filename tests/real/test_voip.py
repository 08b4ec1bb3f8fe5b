"""VoIP capture forensics against real captures and tshark.

Truth: ../shared/samples/README.md (tshark 4.0.17's rtp,streams table and what each capture
holds), a live ``tshark -z rtp,streams`` run when tshark is installed, ``editcap`` to
re-encode the same packets as pcapng / nanosecond pcap (same packets, so the same answers),
and hand-derived values stated beside each assertion.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from forensics_lib.schema import check_frame
from forensics_lib.voip import read_capture
from forensics_lib.voip.auth import check_digest_password, digest_response, recover_password
from forensics_lib.voip.specs import AUTH, CALLS, DTMF, MESSAGES, STREAMS

# README table: ssrc -> (packets, lost, max_delta, mean_jitter, max_jitter)
README_STREAMS = {
    "sip-rtp-g711.pcap": {
        "0x343FFA34": (414, 0, 20.115, 0.004, 0.019),
        "0x343DA99B": (425, 0, 20.049, 0.006, 0.010),
    },
    "SIP_DTMF2.pcap": {
        "0x5711BF84": (666, 0, 30.068, 1.522, 15.767),
        "0x9A7B5382": (665, 2, 60.002, 0.010, 0.019),
    },
    "MagicJack_short_call.pcap": {
        "0x31BE1E0E": (626, 0, 21.187, 0.229, 0.832),
        "0x2A173650": (642, 0, 31.653, 12.234, 12.838),
    },
}


def _voip(samples: Path) -> Path:
    folder = samples / "voip"
    if not folder.is_dir():
        pytest.skip(f"no VoIP samples at {folder}")
    return folder


def _check_streams(
    streams: pd.DataFrame, table: dict[str, tuple[int, int, float, float, float]]
) -> None:
    sdp = streams[streams["linked_by"] == "sdp"].set_index("ssrc")
    assert sorted(sdp.index) == sorted(table)
    for ssrc, (packets, lost, max_delta, mean_jitter, max_jitter) in table.items():
        row = sdp.loc[ssrc]
        assert (row["packets"], row["lost"]) == (packets, lost), ssrc
        # tshark prints 3 decimals: ours must round to within 0.01 ms of them
        assert abs(row["max_delta_ms"] - max_delta) <= 0.01, ssrc
        assert abs(row["mean_jitter_ms"] - mean_jitter) <= 0.01, ssrc
        assert abs(row["max_jitter_ms"] - max_jitter) <= 0.01, ssrc


@pytest.mark.parametrize("name", sorted(README_STREAMS))
def test_streams_match_the_readme_tshark_table(samples: Path, unchanged, name: str) -> None:
    folder = _voip(samples)
    unchanged(folder)
    capture = read_capture(folder / name)
    _check_streams(capture.streams, README_STREAMS[name])
    for frame, spec in (
        (capture.messages, MESSAGES),
        (capture.calls, CALLS),
        (capture.streams, STREAMS),
        (capture.dtmf, DTMF),
        (capture.auth, AUTH),
    ):
        assert check_frame(frame, spec) == []


def _tshark_streams(path: Path) -> dict[str, tuple[int, int, float, float, float]]:
    out = subprocess.run(
        ["tshark", "-n", "-r", str(path), "-q", "-z", "rtp,streams"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    table = {}
    for line in out.splitlines():
        found = re.search(
            r"(0x[0-9A-F]{8})\s+.*?\s(\d+)\s+(-?\d+) \(.*?\)\s+([\d.]+)\s+([\d.]+)"
            r"\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)",
            line,
        )
        if found:
            g = found.groups()
            table[g[0]] = (int(g[1]), int(g[2]), float(g[5]), float(g[7]), float(g[8]))
    return table


@pytest.mark.parametrize("name", sorted(README_STREAMS))
def test_streams_match_a_live_tshark_run(samples: Path, name: str) -> None:
    if shutil.which("tshark") is None:
        pytest.skip("tshark is not installed")
    path = _voip(samples) / name
    truth = _tshark_streams(path)
    assert truth  # the parser of tshark's table found rows
    _check_streams(read_capture(path).streams, truth)


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("pcapng", "SIP_DTMF2.pcap"),
        ("nsecpcap", "MagicJack_short_call.pcap"),
        ("pcapng", "sip-rtp-g711.pcap"),
    ],
)
def test_the_same_packets_as_pcapng_or_nanoseconds_give_the_same_answers(
    samples: Path, tmp_path: Path, fmt: str, name: str
) -> None:
    if shutil.which("editcap") is None:
        pytest.skip("editcap (Wireshark) is not installed")
    path = _voip(samples) / name
    converted = tmp_path / f"converted.{fmt}"
    subprocess.run(["editcap", "-F", fmt, str(path), str(converted)], check=True, timeout=60)
    assert converted.read_bytes()[:4] != path.read_bytes()[:4]  # really another encoding
    _check_streams(read_capture(converted).streams, README_STREAMS[name])


def test_calls_and_credentials_of_the_magicjack_capture(samples: Path) -> None:
    capture = read_capture(_voip(samples) / "MagicJack_short_call.pcap")
    # README: INVITE -> 401 -> INVITE with digest credentials, then 183/200/BYE, on UDP 5070
    assert len(capture.calls) == 1
    call = capture.calls.iloc[0]
    assert call["state"] == "COMPLETED" and call["status_code"] == 200
    assert call["caller"].startswith("E646657195201@")
    assert set(call["stream_ssrcs"].split(",")) == {"0x31BE1E0E", "0x2A173650"}
    assert call["start_utc"] <= call["answer_utc"] <= call["end_utc"]
    assert call["duration_s"] == pytest.approx(
        (call["end_utc"] - call["start_utc"]).total_seconds()
    )
    assert 5070 in set(capture.messages["src_port"]) | set(capture.messages["dst_port"])
    auth = capture.auth
    assert set(auth["username"]) == {"E646657195201"}
    assert set(auth["realm"]) == {"stratus.com"}
    invite = auth[auth["method"] == "INVITE"].iloc[0]
    assert invite["algorithm"] == "MD5" and len(invite["response"]) == 32
    assert not check_digest_password(invite, "not-the-password")


def test_calls_and_dtmf_of_sip_dtmf2(samples: Path) -> None:
    capture = read_capture(_voip(samples) / "SIP_DTMF2.pcap")
    # README: 5 REGISTER, 3 INVITE (one declined 603; the other two are one dialog
    # relayed by a proxy: same Call-ID 25672@192.168.105.110)
    assert (capture.messages["method"] == "REGISTER").sum() == 5
    assert (capture.messages["method"] == "INVITE").sum() == 3
    calls = capture.calls.set_index("call_id")
    assert calls.loc["5514@192.168.105.110", "state"] == "REJECTED"
    assert calls.loc["5514@192.168.105.110", "status_code"] == 603
    assert calls.loc["25672@192.168.105.110", "state"] == "IN CALL"
    # tshark -Y rtpevent: events 6,7,8,9,1,2,3, each 5 packets, the last with E bit and
    # duration 960 (8 kHz clock -> 120 ms); each counted once.
    events = capture.dtmf[capture.dtmf["method"] == "rfc4733"]
    assert "".join(events["digit"]) == "6789123"
    assert (events["duration_ms"] == 120.0).all()
    assert set(events["call_id"]) == {"25672@192.168.105.110"}


def test_two_calls_each_with_its_stream(samples: Path) -> None:
    capture = read_capture(_voip(samples) / "sip-rtp-g711.pcap")
    # README: 2 SIPp calls; each offers 10.0.2.20:6000, so the later SDP owns the later stream
    streams = capture.streams.set_index("ssrc")
    assert streams.loc["0x343DA99B", "call_id"] == "1-1966@10.0.2.20"
    assert streams.loc["0x343FFA34", "call_id"] == "1-1968@10.0.2.20"
    assert streams.loc["0x343DA99B", "codec"] == "g711U"
    assert streams.loc["0x343FFA34", "codec"] == "g711A"


def test_digest_response_rfc2617_example() -> None:
    # RFC 2617 section 3.5: Mufasa / "Circle Of Life", qop=auth, GET /dir/index.html
    assert (
        digest_response(
            username="Mufasa",
            realm="testrealm@host.com",
            password="Circle Of Life",
            method="GET",
            uri="/dir/index.html",
            nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
            qop="auth",
            nc="00000001",
            cnonce="0a4f113b",
        )
        == "6629fae49393a05397450978507c4ef1"
    )
    # RFC 7616 section 3.9.1: the same exchange with SHA-256, password "Circle of Life"
    assert (
        digest_response(
            username="Mufasa",
            realm="http-auth@example.org",
            password="Circle of Life",
            method="GET",
            uri="/dir/index.html",
            algorithm="SHA-256",
            nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            qop="auth",
            nc="00000001",
            cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        )
        == "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    )
    row = {
        "username": "Mufasa",
        "realm": "testrealm@host.com",
        "method": "GET",
        "uri": "/dir/index.html",
        "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "qop": "auth",
        "nc": "00000001",
        "cnonce": "0a4f113b",
        "algorithm": "MD5",
        "response": "6629fae49393a05397450978507c4ef1",
    }
    assert recover_password(row, ["password", "123456", "Circle Of Life\n"]) == "Circle Of Life"
    assert recover_password(row, ["nope"]) is None


def test_digest_logins_carry_their_outcome(samples: Path) -> None:
    # README: INVITE -> 401 -> INVITE with digest credentials -> 183 / 200. The
    # authenticated INVITE was accepted (200); its ACK gets no response (none is sent).
    cap = read_capture(samples / "voip" / "MagicJack_short_call.pcap")
    rows = cap.auth[["method", "status_code", "accepted"]].itertuples(index=False)
    outcome = {r.method: (r.status_code, r.accepted) for r in rows}
    assert outcome["INVITE"] == (200, True)
    assert pd.isna(outcome["ACK"][0]) and pd.isna(outcome["ACK"][1])
