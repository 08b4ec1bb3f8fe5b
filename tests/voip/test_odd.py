"""Capture content real networks send beyond G.711: a G.729 call, ZRTP on the media
ports, a T.38 fax re-INVITE with UDPTL packets.

Truth: built packet by packet here (RFC 3551 payload type 18 = G.729; ZRTP's first byte
0x10 has RTP version bits 0, RFC 6189 section 5; UDPTL is not RTP, ITU-T T.38 annex);
tshark 4.0's rtp,streams when installed.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.utils import wrpcap

from forensics_lib.errors import UnsupportedFormat
from forensics_lib.voip import read_capture
from forensics_lib.voip.audio import stream_audio

A, B = "192.0.2.10", "192.0.2.20"
SSRC = 0x11223344


def _frame(src: str, dst: str, sport: int, dport: int, payload: bytes, t: float) -> Ether:
    pkt = (
        Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
        / IP(src=src, dst=dst)
        / UDP(sport=sport, dport=dport)
        / Raw(payload)
    )
    pkt.time = t
    return pkt


def _sip(start: str, cseq: str, body: str = "", to_tag: str = "") -> bytes:
    body = body.replace("\n", "\r\n")
    head = [
        start,
        f"Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK{cseq.replace(' ', '')}",
        "From: <sip:alex@example.org>;tag=a",
        f"To: <sip:sam@example.org>{to_tag}",
        "Call-ID: odd-1@example.org",
        f"CSeq: {cseq}",
    ]
    if body:
        head.append("Content-Type: application/sdp")
    head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n" + body).encode()


def _sdp(ip: str, media: str) -> str:
    return f"v=0\no=- 1 1 IN IP4 {ip}\ns=-\nc=IN IP4 {ip}\nt=0 0\n{media}\n"


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    t = 1_700_000_000.0
    g729 = "m=audio 4000 RTP/AVP 18\na=rtpmap:18 G729/8000"
    pkts = [
        _frame(
            A,
            B,
            5060,
            5060,
            _sip("INVITE sip:sam@example.org SIP/2.0", "1 INVITE", _sdp(A, g729)),
            t,
        ),
        _frame(
            B,
            A,
            5060,
            5060,
            _sip("SIP/2.0 200 OK", "1 INVITE", _sdp(B, g729.replace("4000", "5000")), ";tag=b"),
            t + 1,
        ),
        _frame(
            A,
            B,
            5060,
            5060,
            _sip("ACK sip:sam@example.org SIP/2.0", "1 ACK", "", ";tag=b"),
            t + 1.1,
        ),
    ]
    for i in range(50):  # G.729: 20 ms, 160 timestamp units per packet
        rtp = struct.pack("!BBHII", 0x80, 18, i, i * 160, SSRC) + bytes(20)
        pkts.append(_frame(A, B, 4000, 5000, rtp, t + 1.2 + i * 0.02))
    for i in range(3):  # ZRTP Hello on the same ports: not RTP
        zrtp = b"\x10\x00" + struct.pack("!H", i) + b"ZRTP" + struct.pack("!I", 0x55667788)
        pkts.append(_frame(B, A, 5000, 4000, zrtp + bytes(80), t + 1.25 + i * 0.1))
    t38 = _sdp(A, "m=image 4002 udptl t38\na=T38FaxVersion:0")
    pkts.append(
        _frame(
            A,
            B,
            5060,
            5060,
            _sip("INVITE sip:sam@example.org SIP/2.0", "2 INVITE", t38, ";tag=b"),
            t + 3,
        )
    )
    pkts.append(
        _frame(
            B,
            A,
            5060,
            5060,
            _sip("SIP/2.0 200 OK", "2 INVITE", _sdp(B, "m=image 5002 udptl t38"), ";tag=b"),
            t + 3.1,
        )
    )
    for i in range(20):  # UDPTL: sequence number then IFP, not RTP
        pkts.append(
            _frame(A, B, 4002, 5002, struct.pack("!H", i) + b"\x06" + bytes(32), t + 3.2 + i * 0.03)
        )
    pkts.append(
        _frame(
            A, B, 5060, 5060, _sip("BYE sip:sam@example.org SIP/2.0", "3 BYE", "", ";tag=b"), t + 5
        )
    )
    pkts.append(_frame(B, A, 5060, 5060, _sip("SIP/2.0 200 OK", "3 BYE", "", ";tag=b"), t + 5.1))
    path = tmp_path_factory.mktemp("odd") / "odd.pcap"
    wrpcap(str(path), pkts)
    return path


def test_g729_zrtp_and_t38_are_read_without_confusion(capture: Path) -> None:
    cap = read_capture(capture, inband=True)
    [call] = cap.calls.itertuples(index=False)
    assert (call.state, call.caller, call.callee) == (
        "COMPLETED",
        "alex@example.org",
        "sam@example.org",
    )
    # One RTP stream: the G.729 audio. ZRTP and UDPTL packets are not RTP.
    [stream] = cap.streams.itertuples(index=False)
    assert (stream.ssrc, stream.codec, stream.packets, stream.lost) == ("0x11223344", "g729", 50, 0)
    assert stream.linked_by == "sdp"
    assert cap.dtmf.empty  # no G.711 to search for tones, no events


def test_audio_of_another_codec_names_it(capture: Path) -> None:
    with pytest.raises(UnsupportedFormat, match=r"g729 \(payload type 18\)"):
        stream_audio(capture, SSRC)


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")
def test_tshark_sees_the_same_single_stream(capture: Path) -> None:
    out = subprocess.run(
        ["tshark", "-n", "-r", str(capture), "-q", "-z", "rtp,streams"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    rows = [
        line for line in out.splitlines() if "0x11223344" in line.lower() or "0x11223344" in line
    ]
    assert len(rows) == 1 and " 50 " in rows[0] and "g729" in rows[0]


def test_call_times_are_the_messages_times_to_the_nanosecond(samples: Path) -> None:
    """A call's ringing/answer/end times are its SIP messages' capture times, exactly: a
    call without one of them must not turn the others into rounded floats."""
    cap = read_capture(samples / "voip" / "SIP_DTMF2.pcap")
    calls, messages = cap.calls, cap.messages
    assert calls["ringing_utc"].isna().any() and calls["ringing_utc"].notna().any()
    for call in calls[calls["ringing_utc"].notna()].itertuples():
        rings = messages[(messages["call_id"] == call.call_id) & (messages["status_code"] == 180)]
        assert call.ringing_utc in set(rings["time"])
        assert call.start_utc == messages[messages["call_id"] == call.call_id]["time"].min()
