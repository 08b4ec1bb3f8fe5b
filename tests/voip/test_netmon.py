"""Microsoft Network Monitor captures (forensics_lib.voip.netmon): 1.x, 2.0 and 2.3 headers,
times from the start and per-frame deltas, per-frame media and UTC, a frame table past the end.

Truth: the samples README (tshark 4.0.17 facts) and NetMon files built here byte by byte
(Wireshark wiretap/netmon.c layouts), with the expected decoding stated beside them.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pandas as pd
import pytest

from forensics_lib.errors import ForensicsWarning
from forensics_lib.voip import read_capture
from tests.voip.test_net import _balanced, _eth, _invite, _ip4, _quiet, _udp

NETMON_START = (2020, 1, 4, 2, 3, 4, 5, 678)  # year, month, day of week, day, h, m, s, ms


def _netmon(
    path: Path, minor: int, frames: list[tuple[int, int, bytes, int]], reverse: bool = False
) -> Path:
    """A NetMon 2.``minor`` file: frames are (µs since start, media, data, FILETIME)."""
    body, offsets = bytearray(), []
    for delta, media, data, filetime in frames:
        offsets.append(128 + len(body))
        body += struct.pack("<QII", delta, len(data), len(data)) + data
        if minor == 1:
            body += struct.pack("<H", media)
        elif minor == 2:
            body += struct.pack("<HI", media, 0)
        elif minor >= 3:
            body += struct.pack("<HIQB", media, 0, filetime, 0)
    if reverse:  # netmon.c: the table's order is the frame order, not the file's
        offsets = offsets[::-1]
    table_at = 128 + len(body)
    head = b"GMBU" + struct.pack(
        "<BBH8H10I", minor, 2, 1, *NETMON_START, table_at, 4 * len(offsets), *([0] * 8)
    )
    path.write_bytes(
        head.ljust(128, b"\0") + bytes(body) + struct.pack(f"<{len(offsets)}I", *offsets)
    )
    return path


def test_netmon_sample(samples: Path) -> None:
    with pytest.warns(ForensicsWarning, match="Network Monitor 2.0"):
        capture = read_capture(samples / "voip" / "protos_c07_sip_netmon.cap")
    # 39 packets, 12 SIP requests with 12 Call-IDs, 1 INVITE, no replies, no RTP
    assert capture.frames.read == 39 and capture.packets == 39
    m = capture.messages
    assert len(m) == 12 and m["call_id"].nunique() == 12
    assert (m["method"] == "INVITE").sum() == 1 and m["status_code"].isna().all()
    long = m[m["method"] != "INVITE"]["method"]
    assert set("".join(long)) == {"a"} and long.str.len().min() == 9
    assert long.str.len().max() == 4099
    assert len(capture.calls) == 1 and capture.calls["caller"].iloc[0] == "ann@localhost"
    assert capture.streams.empty
    assert (m["time"].dt.strftime("%Y-%m-%d") == "2005-07-17").all()
    _balanced(capture)


def test_netmon_2_0_times_from_start_and_delta(tmp_path: Path) -> None:
    frames = [
        (0, 1, _eth(0x0800, _ip4(17, _udp(_invite(1))))),
        (1_500_000, 1, _eth(0x0800, _ip4(17, _udp(_invite(2))))),
    ]
    path = _netmon(tmp_path / "a.cap", 0, [(d, m, x, 0) for d, m, x in frames])
    with pytest.warns(ForensicsWarning, match="without its zone"):
        capture = read_capture(path)
    start = pd.Timestamp("2020-01-02T03:04:05.678Z")  # the SYSTEMTIME, read as UTC
    assert capture.messages["time"].tolist() == [start, start + pd.Timedelta(seconds=1.5)]


def test_netmon_2_3_per_frame_media_and_utc(tmp_path: Path) -> None:
    # FILETIME: 100 ns units since 1601-01-01; 1970 is 116444736000000000
    ft = 116_444_736_000_000_000 + 1_700_000_000 * 10**7
    frames = [
        (0, 1, _eth(0x0800, _ip4(17, _udp(_invite(1)))), ft),  # Ethernet
        (0, 0xFFFE, b"dns cache", ft),  # DNS cache metadata: not a frame (netmon.c RETRY)
        (0, 0xE000 + 101, _ip4(17, _udp(_invite(2))), ft + 5_000_000),  # converted pcap, raw IP
        (0, 6, b"\x00" * 30, ft),  # 802.11 with NetMon's radio header: not decoded
    ]
    capture, caught = _quiet(_netmon(tmp_path / "b.cap", 3, frames, reverse=True))
    assert not any("without its zone" in m for m in caught)  # 2.3 times are UTC
    base = pd.Timestamp(1_700_000_000, unit="s", tz="UTC")
    # reversed table: the raw-IP frame comes first
    assert capture.messages["call_id"].tolist() == ["call-2@example.org", "call-1@example.org"]
    assert capture.messages["time"].tolist() == [base + pd.Timedelta(seconds=0.5), base]
    assert capture.frames.read == 3
    assert capture.frames.skipped == {"unsupported NetMon media type 6": 1}


def test_netmon_frame_table_past_the_end(tmp_path: Path) -> None:
    from forensics_lib.errors import TruncatedInputWarning

    path = _netmon(tmp_path / "c.cap", 1, [(0, 1, _eth(0x0800, _ip4(17, _udp(_invite(1)))), 0)])
    data = bytearray(path.read_bytes())
    (table_at,) = struct.unpack_from("<I", data, 24)  # frame table offset, then its length
    data += struct.pack("<I", 10**6)  # a second table entry, far past the end of the file
    struct.pack_into("<I", data, 28, 8)
    path.write_bytes(bytes(data))
    assert len(data) == table_at + 8
    with pytest.warns(TruncatedInputWarning), pytest.warns(ForensicsWarning, match="zone"):
        capture = read_capture(path)
    assert capture.frames.read == 1 and len(capture.messages) == 1


def test_netmon_1_x(tmp_path: Path) -> None:
    # NetMon 1.x (magic RTSS): 8-byte records of uint32 ms since the start, uint16 lengths
    frames = [_eth(0x0800, _ip4(17, _udp(_invite(n)))) for n in (1, 2)]
    body, offsets = b"", []
    for ms, frame in zip((0, 2500), frames, strict=True):
        offsets.append(128 + len(body))
        body += struct.pack("<IHH", ms, len(frame), len(frame)) + frame
    table_at = 128 + len(body)
    head = b"RTSS" + struct.pack("<BBH8H10I", 1, 1, 1, *NETMON_START, table_at, 8, *([0] * 8))
    path = tmp_path / "v1.cap"
    path.write_bytes(head.ljust(128, b"\0") + body + struct.pack("<2I", *offsets))
    with pytest.warns(ForensicsWarning, match="Network Monitor 1.1"):
        capture = read_capture(path)
    start = pd.Timestamp("2020-01-02T03:04:05.678Z")
    assert capture.messages["time"].tolist() == [start, start + pd.Timedelta(seconds=2.5)]
