"""Hostile and broken captures: only typed errors or warnings, never a crash or a hang.

Truth: the documented contract (forensics_lib.errors); inputs are generated captures with
bytes flipped, inserted or cut off by hypothesis, and SIP / SDP text mangled.
"""

from __future__ import annotations

import contextlib
import struct
import warnings
from pathlib import Path

import pytest
from forensics_datasets.voip import make_voip_capture
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics_lib.errors import (
    ForensicsError,
    ForensicsWarning,
    ParseError,
    TruncatedInputWarning,
    UnsupportedFormat,
)
from forensics_lib.voip import read_capture
from forensics_lib.voip.sip import SipStreamBuffer, parse_sdp, parse_sip
from tests.conftest import examples

SETTINGS = settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _valid(tmp: Path, fmt: str) -> bytes:
    case = make_voip_capture(
        tmp / f"seed.{fmt}",
        fmt=fmt,
        seconds=0.5,
        answered=1,
        cancelled=1,
        rejected=0,
        digits="1",
        inband_digits="",
    )
    return case.path.read_bytes()


@SETTINGS
@given(
    fmt=st.sampled_from(["pcap", "pcapng"]),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["flip", "cut", "insert"]),
            st.integers(0, 10**6),
            st.binary(min_size=1, max_size=8),
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_damaged_captures_raise_only_typed_errors(tmp_path: Path, fmt: str, edits: list) -> None:
    data = bytearray(_valid(tmp_path, fmt))
    for action, where, junk in edits:
        pos = where % max(len(data), 1)
        if action == "flip" and data:
            data[pos] ^= junk[0] or 1
        elif action == "cut":
            del data[pos:]
        else:
            data[pos:pos] = junk
    path = tmp_path / f"damaged.{fmt}"
    path.write_bytes(bytes(data))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Warning)  # truncation and per-packet warnings are fine
        with contextlib.suppress(ForensicsError):
            capture = read_capture(path)
            assert capture.packets >= 0
    assert path.read_bytes() == bytes(data)


@SETTINGS
@given(
    text=st.binary(max_size=400),
    start=st.sampled_from([b"INVITE sip:a@b SIP/2.0\r\n", b"SIP/2.0 200 OK\r\n", b""]),
)
def test_garbage_sip_and_sdp_never_crash(text: bytes, start: bytes) -> None:
    msg = parse_sip(start + text)
    if msg is not None:
        _ = (msg.call_id, msg.cseq, msg.content_type)
    parse_sdp(b"v=0\r\n" + text)
    buffer = SipStreamBuffer()
    for _m in buffer.feed(start + text):
        pass


def test_truncated_capture_warns_and_keeps_what_was_read(tmp_path: Path) -> None:
    data = _valid(tmp_path, "pcap")
    path = tmp_path / "cut.pcap"
    path.write_bytes(data[: len(data) - 50])
    with pytest.warns(TruncatedInputWarning, match=r"cut\.pcap: the capture ends inside a packet"):
        capture = read_capture(path)
    assert capture.packets > 0 and len(capture.messages) > 0


def test_impossible_record_length_names_the_offset(tmp_path: Path) -> None:
    data = bytearray(_valid(tmp_path, "pcap"))
    data[24 + 8 : 24 + 12] = struct.pack("<I", 10**8)  # first record: incl_len 100 MB
    path = tmp_path / "bad.pcap"
    path.write_bytes(bytes(data))
    with pytest.raises(ParseError, match=r"bad\.pcap at offset 24 \(0x18\)") as info:
        read_capture(path)
    assert info.value.offset == 24


def test_not_a_capture_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(UnsupportedFormat, match="not a pcap or pcapng"):
        read_capture(path)


def test_cut_packets_still_give_rtp_headers(tmp_path: Path) -> None:
    # Re-write the capture with a 96-byte snaplen: RTP headers survive, payloads do not.
    data = _valid(tmp_path, "pcap")
    out = bytearray(data[:24])
    pos = 24
    while pos + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack_from("<IIII", data, pos)
        body = data[pos + 16 : pos + 16 + incl]
        keep = min(incl, 96) if len(body) > 400 or body[42:43] == b"\x80" else incl
        out += struct.pack("<IIII", sec, frac, keep, orig) + body[:keep]
        pos += 16 + incl
    path = tmp_path / "snap.pcap"
    path.write_bytes(bytes(out))
    full = read_capture(tmp_path / "seed.pcap").streams
    with pytest.warns(ForensicsWarning, match="was cut at capture"):  # the long SIP ones
        cut = read_capture(path).streams
    assert list(cut["packets"]) == list(full["packets"])
    assert list(cut["lost"]) == list(full["lost"])
