"""Writers: they take DataFrames and write files; readers never call them."""

from forensics_lib.export.table import (
    TABLE_SUFFIXES,
    table_format,
    write_table,
    write_table_stream,
    write_timeline,
)
from forensics_lib.export.timeline import (
    L2TCSV_HEADER,
    iso_utc,
    timeline_to_csv,
    timeline_to_jsonl,
    timeline_to_l2tcsv,
)

__all__ = [
    "L2TCSV_HEADER",
    "TABLE_SUFFIXES",
    "iso_utc",
    "table_format",
    "timeline_to_csv",
    "timeline_to_jsonl",
    "timeline_to_l2tcsv",
    "write_table",
    "write_table_stream",
    "write_timeline",
]
