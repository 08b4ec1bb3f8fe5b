"""What an opened case is: :class:`Case` (its exhibits, timeline, summary, problems) and
:class:`Exhibit` (one exhibit and what reading it gave), with the case folder's constants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from forensics_lib import timeline

if TYPE_CHECKING:
    pass


# Files of a case folder that are not exhibits.
CASE_PAPERS = frozenset(
    {
        "hashes.json",
        "custody.jsonl",
        "brief.md",
        "perimeter.geojson",
        "answer_key.json",
        "wordlist.txt",
    }
)
EXHIBIT_NAME = re.compile(r"EXH-", re.IGNORECASE)
CUSTODY = "custody.log"
#: The start of the description of a timeline row read from a file hashes.json does not list.
UNVERIFIED_MARK = "[unverified]"
_UNLISTED_REASON = "not in hashes.json: not evidence (--include-unlisted reads it, unverified)"
#: Columns of :meth:`Case.summary`.
SUMMARY_COLUMNS = ["exhibit", "status", "artifact", "rows", "files", "outcome", "detail"]


@dataclass
class Exhibit:
    """One exhibit of a case and what its readers found."""

    name: str
    path: Path
    reader: str  # "phone" or "scan"
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    timeline: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Archives (zip, tar) inside a scanned exhibit, by stored name: not opened by the scan.
    archives: list[str] = field(default_factory=list)
    #: How many files each artifact's reader read (an artifact may have files and no row).
    files: dict[str, int] = field(default_factory=dict)
    #: Files a reader refused: (artifact, file, reason).
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    #: Files no reader recognises: (file, reason).
    unread: list[tuple[str, str]] = field(default_factory=list)
    #: The warnings its readers gave, by artifact id.
    warnings: dict[str, list[str]] = field(default_factory=dict)
    #: Its hashes matched hashes.json before it was read (and nothing unlisted was read).
    verified: bool = False
    #: hashes.json lists it (False: read only because ``include_unlisted`` was given).
    listed: bool = True
    #: Device paths of files inside it that hashes.json does not list: not read, or, with
    #: ``include_unlisted``, read and cited as unverified.
    unlisted: list[str] = field(default_factory=list)
    #: Rows without absolute time, by artifact id: read, but not on the UTC timeline (a
    #: drone log without GPS time keeps boot-relative ``time_boot_s``).
    undated: dict[str, int] = field(default_factory=dict)
    #: Loose app databases read because their schema was recognised (no device path said
    #: what they are): artifact id -> files.
    by_schema: dict[str, list[str]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """ "verified", or "unverified" (no manifest, not checked, or not all listed)."""
        return "verified" if self.verified else "unverified"

    def cites_unverified(self, path: object = None) -> bool:
        """Whether a citation of ``path`` (a device path inside it) is of unverified bytes."""
        if not self.listed:
            return True
        return isinstance(path, str) and path in self.unlisted


@dataclass
class Case:
    """A verified case folder, read."""

    root: Path
    exhibits: dict[str, Exhibit]
    custody: pd.DataFrame
    timeline: pd.DataFrame
    problems: list[tuple[str, str]]
    #: Paths (relative to the case folder, "/" after a folder) hashes.json does not list.
    unlisted: list[str] = field(default_factory=list)
    #: Whether the unlisted files were read (as unverified) or left out.
    include_unlisted: bool = False
    #: Whether hashes.json was checked before reading.
    manifest_verified: bool = False

    @property
    def verified(self) -> bool:
        """True only when hashes.json was checked and every exhibit read was verified: then,
        and only then, may a report say "hashes verified"."""
        return (
            self.manifest_verified
            and bool(self.exhibits)
            and all(ex.verified for ex in self.exhibits.values())
        )

    def cites_unverified(self, exhibit: str, path: object = None) -> bool:
        """Whether a citation (exhibit, device path inside it) is of a file or exhibit that
        hashes.json does not list (read with ``include_unlisted``). Whether the listed ones
        were checked is :attr:`verified`, said once for the whole case."""
        found = self.exhibits.get(exhibit)
        return found is not None and found.cites_unverified(path)

    def summary(self) -> pd.DataFrame:
        """Per exhibit and artifact, what was read and what was not, and why.

        One row per artifact read (``outcome`` "read", ``rows`` and ``files``), per file a
        reader refused ("skipped", the reason), per file no reader recognises ("not read"),
        per warning ("warning"), per artifact whose rows without absolute time are not on
        the UTC timeline ("undated", how many and where their time is), per exhibit that
        could not be read ("not read") and per path hashes.json does not list ("unlisted",
        left out unless ``include_unlisted``).
        """
        rows: list[dict[str, object]] = []

        def add(exhibit: str, status: str, artifact: str, count: int | None,
                files: int | None, outcome: str, detail: str) -> None:  # fmt: skip
            rows.append({"exhibit": exhibit, "status": status, "artifact": artifact,
                         "rows": count, "files": files, "outcome": outcome,
                         "detail": detail})  # fmt: skip

        for name, ex in self.exhibits.items():
            status = ex.status
            for artifact in sorted({*ex.frames, *ex.files}):
                frame = ex.frames.get(artifact)
                count = 0 if frame is None else len(frame)
                loose = ex.by_schema.get(artifact)
                how = f"recognised by schema: {', '.join(loose)}" if loose else ""
                add(name, status, artifact, count, ex.files.get(artifact), "read", how)
            for artifact, n in sorted(ex.undated.items()):
                held = ex.frames.get(artifact)
                cols = [] if held is None else list(held.columns)
                add(name, status, artifact, n, None, "undated",
                    timeline.undated_note(artifact, n, cols))  # fmt: skip
            for artifact, path, reason in ex.problems:
                why = reason.removeprefix(f"{path}: ")  # the error names the file too
                add(name, status, artifact, None, None, "skipped", f"{path}: {why}")
            for path, reason in ex.unread:
                add(name, status, "", None, None, "not read", f"{path}: {reason}")
            refused = {f"{a}: skipped {path}: {reason}" for a, path, reason in ex.problems}
            for artifact, said in sorted(ex.warnings.items()):
                for text in dict.fromkeys(said):  # a refusal is already a "skipped" row
                    if text not in refused:
                        text = text.removeprefix(f"{artifact}: ")
                        add(name, status, artifact, None, None, "warning", text)
            if not ex.listed:
                add(name, status, "", None, None, "unlisted",
                    "not in hashes.json: read as unverified (--include-unlisted)")  # fmt: skip
            for path in ex.unlisted:
                how = "read as unverified" if self.include_unlisted else "not read"
                add(name, status, "", None, None, "unlisted",
                    f"{path}: not in hashes.json: {how}")  # fmt: skip
        for name, problem in self.problems:
            add(name, "", "", None, None, "not read", problem)
        read_names = set(self.exhibits)
        for path in self.unlisted:
            if path.rstrip("/") not in read_names and "/" not in path.rstrip("/"):
                add(path.rstrip("/"), "unlisted", "", None, None, "unlisted", _UNLISTED_REASON)
        frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
        return frame.astype({"rows": "Int64", "files": "Int64"})

    def frame(self, artifact_id: str) -> pd.DataFrame:
        """Every exhibit's rows of one artifact, with an ``exhibit`` column in front."""
        parts = [
            ex.frames[artifact_id].assign(exhibit=name)
            for name, ex in self.exhibits.items()
            if artifact_id in ex.frames
        ]
        if not parts:
            return pd.DataFrame()
        merged = pd.concat(parts, ignore_index=True)
        return merged[["exhibit", *[c for c in merged.columns if c != "exhibit"]]]
