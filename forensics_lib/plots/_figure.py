"""Figures that show themselves in Jupyter without pyplot (and its global state).

A plain :class:`matplotlib.figure.Figure` made without pyplot displays in a notebook only
as ``<Figure size 700x700 with 2 Axes>``: IPython renders figures through pyplot's inline
backend. :class:`NotebookFigure` renders itself instead (``_repr_png_``, IPython's rich
display protocol), so every plot of the kit appears as a picture.
"""

from __future__ import annotations

import io
from typing import Any

from matplotlib.figure import Figure

__all__ = ["NotebookFigure", "new_figure"]


class NotebookFigure(Figure):
    """A :class:`~matplotlib.figure.Figure` with a PNG representation for notebooks."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        return buffer.getvalue()


def new_figure(**kwargs: Any) -> NotebookFigure:
    """A new figure (``Figure(**kwargs)``) that displays itself in Jupyter."""
    return NotebookFigure(**kwargs)
