"""A case folder: every exhibit, verified first, read into one timeline.

A case folder holds the exhibits (each a top-level file or folder), the acquisition
manifest ``hashes.json`` and the chain of custody ``custody.jsonl``; ``brief.md``,
``perimeter.geojson`` and answer keys are case papers, not exhibits.

:func:`open_case` refuses to read anything before the manifest verifies
(:class:`~forensics_lib.core.errors.EvidenceIntegrityError` names the first file that differs),
checks the custody chain, then reads each exhibit with the reader that recognises it: a
phone extraction through :func:`forensics_lib.phone.open_extraction`, anything else
through the registry's scanner (drone logs, captures, photos...). A broken exhibit is
recorded in :attr:`Case.problems` and the others are still read.

:func:`as_case` reads any path the way ``forensics-lib timeline`` does: a case folder
(:func:`is_case_folder`) through :func:`open_case`, one exhibit (a file, an archive, an
extraction folder) as a case of one, and a plain folder as its own exhibit plus each zip or
tar inside it as an exhibit of its own.

Only what the manifest lists is evidence. A file or folder of the case folder that
``hashes.json`` does not list (a stray copy, a note dropped in an exhibit folder) is
*unlisted*: it is named in :attr:`Case.unlisted` and in :meth:`Case.summary`, and nothing
reads it, so no timeline row, finding or report cites it. With ``include_unlisted=True`` it
is read, and every citation of it says so: its timeline rows' descriptions start with
``[unverified]``, :meth:`Case.cites_unverified` is true for it (findings and reports mark
their references), and :attr:`Case.verified` is false.

Nothing is dropped silently: :meth:`Case.summary` gives, per exhibit and artifact, the rows
read, the rows without absolute time that the UTC timeline cannot hold (a drone log without
GPS keeps boot-relative ``time_boot_s``; also in the timeline's ``attrs["warnings"]``), the
files each reader refused and why, the files no reader recognises (in file-system
extractions, iTunes backups and UFDR reports alike), and every warning the readers gave.
The files of an exhibit folder that hashes.json does not list are never opened by its
reader (:func:`forensics_lib.phone.open_extraction` ``exclude``).

The package: :mod:`~forensics_lib.case.model` (:class:`Case`, :class:`Exhibit`),
:mod:`~forensics_lib.case.exhibits` (reading one exhibit, what was not read),
:mod:`~forensics_lib.case.folder` (:func:`open_case`, :func:`as_case`) and
:mod:`~forensics_lib.case.correlate` (who is who across exhibits: numbers, SIP identities);
import this package, which re-exports the public names. ``forensics_lib.correlate`` is a
compatibility path for :mod:`forensics_lib.case.correlate` (see ``forensics_lib/__init__.py``).
"""

from __future__ import annotations

from forensics_lib.case.exhibits import is_case_folder, read_exhibit
from forensics_lib.case.folder import as_case, open_case
from forensics_lib.case.model import CASE_PAPERS, SUMMARY_COLUMNS, UNVERIFIED_MARK, Case, Exhibit

__all__ = [
    "CASE_PAPERS",
    "SUMMARY_COLUMNS",
    "UNVERIFIED_MARK",
    "Case",
    "Exhibit",
    "as_case",
    "is_case_folder",
    "open_case",
    "read_exhibit",
]
