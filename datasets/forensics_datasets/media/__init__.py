"""Synthetic media evidence: photos with EXIF and XMP (``photo``), which the drone and phone
generators put in their extractions."""
