"""Timeline plots (forensics_lib.plots.timeline): a lane per artifact.

Truth: the hand-built frames of tests/test_timeline.py (two calls, three events).
"""

from __future__ import annotations

import pandas as pd

from forensics_lib import timeline
from tests import test_timeline as timeline_tests
from tests.test_timeline import SPECS

calls = timeline_tests.calls  # the hand-built calls fixture of tests/test_timeline.py


def test_plot_has_a_lane_per_artifact(calls: pd.DataFrame) -> None:
    from forensics_lib.plots import plot_timeline

    tl = timeline.build({"A": calls, "B": calls}, specs=SPECS)
    fig = plot_timeline(tl, max_labels=2)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["test.calls"]
    assert ax.get_legend() is not None  # two exhibits
    assert sum(len(c.get_offsets()) for c in ax.collections) == len(tl)
