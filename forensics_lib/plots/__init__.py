"""Plots: they take DataFrames and return matplotlib Figures (no pyplot state)."""

from forensics_lib.plots.ladder import plot_call_ladder
from forensics_lib.plots.timeline import plot_timeline

__all__ = ["plot_call_ladder", "plot_timeline"]
