"""pcap and pcapng containers (forensics_lib.voip.pcap): byte orders and time resolutions,
pcapng if_tsresol in decimal and binary, Kuznetzov's modified pcap.

Truth: files built here byte by byte (the pcap and pcapng specifications), read against the
plain-Ethernet capture of the same seed where one is written.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.voip import make_voip_capture

from forensics_lib.voip.capture import VoipCapture
from tests.voip import test_net as net_tests
from tests.voip.test_net import SMALL, _eth, _invite, _ip4, _ip6, _pcapng, _quiet, _signature, _udp

plain = net_tests.plain  # the plain-Ethernet capture fixture of test_net.py


@pytest.mark.parametrize(
    "options",
    [
        {"nanoseconds": True},
        {"big_endian": True},
        {"nanoseconds": True, "big_endian": True},
        {"fmt": "pcapng", "big_endian": True},
    ],
)
def test_byte_orders_and_resolutions(
    plain: VoipCapture, tmp_path: Path, options: dict[str, object]
) -> None:
    case = make_voip_capture(tmp_path / "v.cap", **SMALL, **options)  # type: ignore[arg-type]
    capture, caught = _quiet(case.path)
    assert not caught
    assert _signature(capture) == _signature(plain)


def test_pcapng_tsresol_decimal_and_binary(tmp_path: Path) -> None:
    t = 1_700_000_000  # 2023-11-14T22:13:20Z
    packets = [
        (0, t * 10**6 + 250_000, _eth(0x0800, _ip4(17, _udp(_invite(1))))),  # 10^-6: +0.25 s
        (1, (t << 20) + (1 << 19), _ip4(17, _udp(_invite(2)))),  # 2^-20 (0x94): +0.5 s
        (2, t * 10**3 + 750, b"\x00\x00\x00\x18" + _ip6(17, _udp(_invite(3)))),  # 10^-3, NULL
    ]
    path = _pcapng(tmp_path / "res.pcapng", [(1, 6), (101, 0x80 | 20), (0, 3)], packets)
    capture, _ = _quiet(path)
    base = pd.Timestamp(t, unit="s", tz="UTC")
    assert capture.messages["time"].tolist() == [
        base + pd.Timedelta(milliseconds=250),
        base + pd.Timedelta(milliseconds=500),
        base + pd.Timedelta(milliseconds=750),
    ]


def test_kuznetzov_modified_pcap(tmp_path: Path) -> None:
    frames = [_eth(0x0800, _ip4(17, _udp(_invite(n)))) for n in (1, 2)]
    out = [struct.pack("<IHHiIII", 0xA1B2CD34, 2, 4, 0, 0, 65535, 1)]
    for i, frame in enumerate(frames):  # 24-byte record: + ifindex, protocol, type, pad
        out.append(struct.pack("<IIIIIHBB", 1_700_000_000 + i, 0, len(frame), len(frame), 2,
                               0x0800, 0, 0) + frame)  # fmt: skip
    path = tmp_path / "modified.pcap"
    path.write_bytes(b"".join(out))
    capture, caught = _quiet(path)
    assert not caught and len(capture.messages) == 2
    assert capture.messages["time"].iloc[1] == pd.Timestamp(1_700_000_001, unit="s", tz="UTC")
