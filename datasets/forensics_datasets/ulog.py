"""Old path of :mod:`forensics_datasets.drone.ulog` (moved there by issue 16): a thin
re-export module, kept for the notebooks and tests that import it."""

from forensics_datasets.drone.ulog import (
    PX4_NAV_STATE,
    write_ulog,
)

__all__ = [
    "PX4_NAV_STATE",
    "write_ulog",
]
