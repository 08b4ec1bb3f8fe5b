"""forensics_lib: read-only readers for phone, drone and VoIP evidence, to pandas.

Every reader returns DataFrames with documented columns and UTC times, and feeds one
timeline. Start with::

    import forensics_lib as fl
    fl.artifacts()                      # what the kit can read
    with fl.Evidence("phone.zip") as ev:
        ev.glob("**/mmssms.db")
    fl.decode_timestamp(1700000000)     # what might this number be?
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public names, imported on first use so `import forensics_lib` stays cheap.
_EXPORTS = {
    "Evidence": "forensics_lib.evidence",
    "EvidenceFile": "forensics_lib.evidence",
    "Limits": "forensics_lib.evidence",
    "open_sqlite": "forensics_lib.sqlite",
    "hash_file": "forensics_lib.hashing",
    "sha256_file": "forensics_lib.hashing",
    "build_manifest": "forensics_lib.hashing",
    "verify_manifest": "forensics_lib.hashing",
    "CustodyLog": "forensics_lib.custody",
    "decode_timestamp": "forensics_lib.times",
    "scan": "forensics_lib.scan",
    "open_case": "forensics_lib.case",
}

__all__ = ["__version__", "artifacts", *sorted(_EXPORTS)]

if TYPE_CHECKING:
    import pandas as pd


def artifacts(family: str | None = None) -> pd.DataFrame:
    """Every artifact the kit can read: id, family, description, columns, timeline events."""
    from forensics_lib.registry import artifacts_frame

    return artifacts_frame(family)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'forensics_lib' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
