"""Phone extractions: Android and iOS file systems, read into one set of DataFrames.

Start with :func:`open_extraction`::

    from forensics_lib.phone import open_extraction
    with open_extraction("EXH-002.zip") as ext:
        ext.artifacts()
        ext.read("sms")
"""

from __future__ import annotations

from forensics_lib.phone.extraction import (
    PHONE_MODULES,
    Extraction,
    artifact_name,
    detect_os,
    open_extraction,
)

__all__ = ["PHONE_MODULES", "Extraction", "artifact_name", "detect_os", "open_extraction"]
