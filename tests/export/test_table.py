"""Table exports (forensics_lib.export.table): chunked writing gives the same bytes, parquet in
row groups.

Truth: a frame written here (times from a literal epoch, its derivation beside it).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

from forensics_lib.export import write_table, write_table_stream


def test_chunked_writing_gives_the_same_bytes(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "time": pd.to_datetime([1_700_000_000_123_456_789 + i for i in range(23)], utc=True),
            "n": pd.array([i if i % 5 else None for i in range(23)], dtype="Int64"),
            "text": [f'row {i}, with "quotes"\nand a line' for i in range(23)],
        }
    )
    frame.loc[3, "time"] = pd.NaT
    for fmt in ("csv", "json", "jsonl"):
        whole, chunked = io.StringIO(), io.StringIO()
        write_table_stream(frame, fmt, whole)
        write_table_stream(frame, fmt, chunked, chunk_rows=7)
        assert chunked.getvalue() == whole.getvalue(), fmt
    lines = io.StringIO()
    write_table_stream(frame, "jsonl", lines)
    first, fourth = (json.loads(x) for x in lines.getvalue().splitlines()[0:4:3])
    assert first["time"] == "2023-11-14T22:13:20.123456789Z"  # 1_700_000_000 s = that instant
    assert fourth["time"] is None and first["n"] is None  # 0 % 5 == 0: the missing ones
    import pyarrow.parquet as pq

    write_table(frame, tmp_path / "t.parquet", chunk_rows=7)
    parquet = pq.ParquetFile(tmp_path / "t.parquet")
    assert parquet.metadata.num_row_groups == 4  # ceil(23 / 7)
    back = pd.read_parquet(tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)
