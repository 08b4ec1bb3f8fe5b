"""Writers: they take DataFrames and write files; readers never call them."""

from forensics_lib.export.timeline import (
    L2TCSV_HEADER,
    iso_utc,
    timeline_to_csv,
    timeline_to_jsonl,
    timeline_to_l2tcsv,
)

__all__ = [
    "L2TCSV_HEADER",
    "iso_utc",
    "timeline_to_csv",
    "timeline_to_jsonl",
    "timeline_to_l2tcsv",
]
