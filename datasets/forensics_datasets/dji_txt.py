"""Old path of :mod:`forensics_datasets.drone.dji_txt` (moved there by issue 16): a thin
re-export module, kept for the notebooks and tests that import it."""

from forensics_datasets.drone.dji_txt import (
    DJIFlight,
    crc64_bitwise,
    details_bytes,
    old_details_bytes,
    simple_dji_flight,
    write_dji_txt,
    xor_key,
)

__all__ = [
    "DJIFlight",
    "crc64_bitwise",
    "details_bytes",
    "old_details_bytes",
    "simple_dji_flight",
    "write_dji_txt",
    "xor_key",
]
