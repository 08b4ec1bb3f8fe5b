"""Case reports: a self-contained HTML report and a CASE/UCO (JSON-LD) export.

Both take an opened :class:`~forensics_lib.case.Case` and its
:class:`~forensics_lib.findings.Finding` list; they read nothing else from disk but the
case's own papers (``hashes.json``, ``perimeter.geojson``).
"""

from forensics_lib.report._common import call_list
from forensics_lib.report.html import render_html, write_html
from forensics_lib.report.uco import CASE_VERSION, case_uco, write_uco

__all__ = [
    "CASE_VERSION",
    "call_list",
    "case_uco",
    "render_html",
    "write_html",
    "write_uco",
]
