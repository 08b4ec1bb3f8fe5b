"""nbconvert preprocessors for the feedback trainees receive (see nbgrader_config.py)."""

from __future__ import annotations

from typing import Any

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool


class ShortTracebacks(Preprocessor):  # type: ignore[misc]
    """A failed test shows its message ("a SHA-256 in hexadecimal has 64 characters"),
    not its code: the hidden tests' text stays the instructor's."""

    # nbconvert registers preprocessors disabled unless their trait says otherwise.
    enabled = Bool(True).tag(config=True)

    def preprocess_cell(
        self, cell: Any, resources: dict[str, Any], index: int
    ) -> tuple[Any, dict[str, Any]]:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    message = output.get("evalue") or "a check did not pass"
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {message}"]
        return cell, resources
