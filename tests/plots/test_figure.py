"""Figures that show themselves in notebooks (forensics_lib.plots._figure): a PNG through
_repr_png_, without pyplot.

Truth: the PNG signature (RFC 2083: 89 50 4E 47 0D 0A 1A 0A).
"""

from __future__ import annotations

import pandas as pd

from forensics_lib import timeline
from tests import test_timeline as timeline_tests
from tests.test_timeline import SPECS

calls = timeline_tests.calls  # the hand-built calls fixture of tests/test_timeline.py


def test_plots_show_themselves_in_notebooks(calls: pd.DataFrame) -> None:
    # Jupyter displays an object through _repr_png_; a plain matplotlib Figure made
    # without pyplot would only show "<Figure size ...>".
    from forensics_lib.plots import plot_timeline

    png = plot_timeline(timeline.build([calls], exhibit="E", specs=SPECS))._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
