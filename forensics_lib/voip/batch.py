"""A batch of captured frames, whichever file format held them (pcap, pcapng, NetMon).

The readers of each format (:mod:`.pcap`, :mod:`.netmon`) yield :class:`Batch` es; the
decoder (:mod:`.net`) takes them. Kept apart from the readers so that neither format's
module imports the other's for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["UNMAPPED_MEDIA", "Batch"]

I64 = npt.NDArray[np.int64]

# Link types of frames whose medium has no tcpdump.org LINKTYPE (NetMon media types):
# UNMAPPED_MEDIA + the medium's own number, so the decoder can count them by name.
UNMAPPED_MEDIA = 0x10000


@dataclass(frozen=True)
class Batch:
    """Packets of one chunk: ``buf`` and per-packet arrays (all the same length)."""

    buf: bytes
    frame: I64  # 1-based frame number, as Wireshark counts
    time_ns: I64  # Unix nanoseconds, UTC
    linktype: I64
    data_off: I64  # where the packet's bytes start in ``buf``
    caplen: I64
    origlen: I64
    rec_off: I64  # byte offset of the record (pcap) or block (pcapng) in the file

    def __len__(self) -> int:
        return len(self.frame)
