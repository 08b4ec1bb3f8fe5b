"""A batch of captured frames (forensics_lib.voip.batch), shared by the format readers.

Truth: the pcap reader's own batches of a capture written here (three records), and the
NetMon mapping of an unmapped medium (UNMAPPED_MEDIA + its number).
"""

from __future__ import annotations

import struct
from pathlib import Path

from forensics_lib.voip import pcap
from forensics_lib.voip.batch import UNMAPPED_MEDIA, Batch


def test_pcap_reader_yields_batches(tmp_path: Path) -> None:
    # classic pcap, little-endian microseconds, LINKTYPE_RAW (101), three 20-byte records
    head = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101)
    records = b"".join(
        struct.pack("<IIII", 1_700_000_000 + i, 0, 20, 20) + bytes(20) for i in range(3)
    )
    path = tmp_path / "three.pcap"
    path.write_bytes(head + records)
    batches = list(pcap.iter_batches(path))
    assert all(isinstance(b, Batch) for b in batches)
    assert sum(len(b) for b in batches) == 3
    first = batches[0]
    assert first.frame.tolist()[:3] == [1, 2, 3]
    assert int(first.time_ns[0]) == 1_700_000_000 * 10**9
    assert int(first.rec_off[0]) == 24  # records start after the 24-byte file header
    assert pcap.UNMAPPED_MEDIA == UNMAPPED_MEDIA  # still importable where it was
