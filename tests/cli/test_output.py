"""Terminal tables (forensics_lib.cli.output): wrapped to the width, never a column or a
character lost.

Truth: frames written here; the column spans read back from the rule under the header.
"""

from __future__ import annotations

import pandas as pd

from forensics_lib.cli.output import render_table


def test_render_table_wraps_long_columns_to_the_width() -> None:
    description, path = "x" * 300, "/data/data/com.example.app/databases/" + "y" * 120
    frame = pd.DataFrame(
        {
            "time": pd.to_datetime(["2024-05-01T10:00:00.5Z"], utc=True),
            "description": [description],
            "path": [path],
            "n": [1],
        }
    )
    lines = render_table(frame, width=80).splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert "2024-05-01T10:00:00.500Z" in lines[2] and "…" not in "".join(lines)
    # every character is there, wrapped inside its column
    columns = _columns(lines)
    assert columns["description"] == description and columns["path"] == path


def _columns(lines: list[str]) -> dict[str, str]:
    """Each column's cells of a one-row table, rejoined from its wrapped lines (the
    column spans are the runs of dashes in the rule under the header)."""
    import re

    rule = next(i for i, line in enumerate(lines) if set(line) <= {"-", " "})
    spans = [m.span() for m in re.finditer(r"-+", lines[rule])]

    def join(rows: list[str]) -> list[str]:
        return ["".join(r[a:b].strip() for r in rows) for a, b in spans]

    return dict(zip(join(lines[:rule]), join(lines[rule + 1 :]), strict=True))


def test_render_table_never_drops_columns_and_keeps_times_whole() -> None:
    frame = pd.DataFrame(
        {
            "start_utc": pd.to_datetime(["2005-09-09T12:03:01.333Z"], utc=True),
            **{f"party_{i}": ["2502@192.168.105.105"] for i in range(6)},
        }
    )
    lines = render_table(frame, width=80).splitlines()
    assert lines[2].startswith("2005-09-09T12:03:01.333Z  ")
    # 24 + 6 x (2 + 12) = 108 > 80: wrapped columns keep 12 characters and the table is
    # wider than asked (the terminal folds it) rather than lose a column
    assert max(map(len, lines)) == 108
    columns = _columns(lines)
    assert [columns[f"party_{i}"] for i in range(6)] == ["2502@192.168.105.105"] * 6
    # piped (no width): one line per row, every cell at its natural width
    assert len(render_table(frame, width=None).splitlines()) == 3
