"""Old path of :mod:`forensics_datasets.drone.srt` (moved there by issue 16): a thin
re-export module, kept for the notebooks and tests that import it."""

from forensics_datasets.drone.srt import (
    DIALECTS,
    LATITUDE_FIRST,
    MORE_DIALECTS,
    SrtFlight,
    simple_srt_flight,
    write_dji_srt,
)

__all__ = [
    "DIALECTS",
    "LATITUDE_FIRST",
    "MORE_DIALECTS",
    "SrtFlight",
    "simple_srt_flight",
    "write_dji_srt",
]
