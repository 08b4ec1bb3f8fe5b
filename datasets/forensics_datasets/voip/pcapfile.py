"""The capture file: every packet record (SIP, RTP, noise frames) sorted by time and written as
pcap or pcapng (section header, interfaces, enhanced packet blocks)."""

from __future__ import annotations

import random
import struct
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from forensics_datasets.voip.packets import (
    LINKS,
    NOISE_IFACE,
    NOISE_LINKTYPE,
    PacketWriter,
    link_frame,
    link_header,
)
from forensics_datasets.voip.rtp import audio_records


def noise_frames(
    writer: PacketWriter, n: int, fmt: str, link: str, start_ns: int, rng: random.Random
) -> dict[str, int]:
    """``n`` frames no reader can take for VoIP, and the reason the reader should give:
    in pcapng, frames of an interface with an undecodable link type; in pcap, ARP on the
    Ethernet and Linux cooked links, IPv4 headers cut short on the others."""
    if not n:
        return {}
    arp = struct.pack(">HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, bytes(6), bytes(4), bytes(6),
                      bytes(4))  # fmt: skip
    for k in range(n):
        t = start_ns + 500_000 + k * 7_000_000 + rng.randrange(1000)
        if fmt == "pcapng":
            frame = bytes(rng.randrange(256) for _ in range(40))
        elif LINKS[link] == 1 or link in ("sll", "sll2"):
            frame = link_header("ethernet" if LINKS[link] == 1 else link, 0x0806) + arp
        else:
            frame = link_frame(link, b"\x45\x00\x00")  # an IPv4 header cut after 3 bytes
        writer.times.append(t)
        writer.frames.append(frame)
        writer.ifaces.append(NOISE_IFACE)
    if fmt == "pcapng":
        return {f"unsupported link type {NOISE_LINKTYPE}": n}
    if LINKS[link] == 1 or link in ("sll", "sll2"):
        return {"non-IP (ARP)": n}
    return {"truncated": n}


def write_capture(
    path: Path,
    writer: PacketWriter,
    blocks: list[Any],
    fmt: str,
    nanoseconds: bool,
    big_endian: bool,
    link: str,
    rtp_link: str,
) -> int:
    rtp_link = rtp_link if fmt == "pcapng" else link
    times, rows = audio_records(rtp_link, blocks)
    var_order = sorted(range(len(writer.times)), key=lambda i: writer.times[i])
    var_times = np.array([writer.times[i] for i in var_order], dtype=np.int64)
    cut = np.searchsorted(times, var_times, side="right")
    linktype = LINKS[link]
    e = ">" if big_endian else "<"
    iface_links = (link, rtp_link)
    with path.open("wb") as fh:
        if fmt == "pcap":
            magic = 0xA1B23C4D if nanoseconds else 0xA1B2C3D4
            fh.write(struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, 262144, linktype))
        else:
            ifaces = [(linktype, 6), (LINKS[rtp_link], 9)]  # SIP in µs, RTP in ns
            if any(i == NOISE_IFACE for i in writer.ifaces):
                ifaces.append((NOISE_LINKTYPE, 6))
            _pcapng_header(fh, e, ifaces)
        prev = 0
        for k, i in enumerate(var_order):
            _write_rows(fh, fmt, e, nanoseconds, times[prev : cut[k]], rows[prev : cut[k]])
            prev = int(cut[k])
            iface = writer.ifaces[i]
            raw = writer.frames[i]
            if iface != NOISE_IFACE:
                raw = link_frame(iface_links[iface] if fmt == "pcapng" else link, raw)
            data = np.frombuffer(raw, dtype=np.uint8)[None, :]
            _write_rows(fh, fmt, e, nanoseconds, var_times[k : k + 1], data, writer.ifaces[i])
        _write_rows(fh, fmt, e, nanoseconds, times[prev:], rows[prev:])
    return len(times) + len(var_times)


def _pcapng_header(fh: IO[bytes], e: str, ifaces: list[tuple[int, int]]) -> None:
    shb = struct.pack(e + "IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack(e + "I", 28)
    fh.write(shb)
    for linktype, resol in ifaces:  # interface 0: µs (SIP); 1: ns (RTP); 2: µs (noise)
        opts = struct.pack(e + "HH", 9, 1) + bytes([resol, 0, 0, 0]) + struct.pack(e + "HH", 0, 0)
        body = struct.pack(e + "HHI", linktype, 0, 262144) + opts
        blen = 12 + len(body)
        fh.write(struct.pack(e + "II", 1, blen) + body + struct.pack(e + "I", blen))


def _write_rows(
    fh: IO[bytes], fmt: str, e: str, nanoseconds: bool, times: npt.NDArray[np.int64],
    rows: npt.NDArray[np.uint8], iface: int = 1,
) -> None:  # fmt: skip
    n, length = rows.shape
    if not n:
        return
    u4 = np.dtype(e + "u4")
    if fmt == "pcap":
        head = np.zeros((n, 4), dtype=u4)
        head[:, 0] = times // 1_000_000_000
        frac = times % 1_000_000_000
        head[:, 1] = frac if nanoseconds else frac // 1000
        head[:, 2] = head[:, 3] = length
        out = np.concatenate([head.view(np.uint8).reshape(n, 16), rows], axis=1)
    else:
        pad = (-length) % 4
        blen = 28 + length + pad + 4
        head = np.zeros((n, 7), dtype=u4)
        ticks = times if iface == 1 else times // 1000
        head[:, 0], head[:, 1], head[:, 2] = 6, blen, iface
        head[:, 3], head[:, 4] = ticks >> 32, ticks & 0xFFFFFFFF
        head[:, 5] = head[:, 6] = length
        tail = np.zeros((n, 1), dtype=u4)
        tail[:, 0] = blen
        out = np.concatenate(
            [head.view(np.uint8).reshape(n, 28), rows, np.zeros((n, pad), dtype=np.uint8),
             tail.view(np.uint8).reshape(n, 4)], axis=1,
        )  # fmt: skip
    fh.write(out.tobytes())
