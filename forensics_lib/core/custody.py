"""An append-only, tamper-evident chain-of-custody log.

Each line of the log is one JSON object: who did what to which exhibit, when (UTC),
with the exhibit's SHA-256 at that moment. Every entry also records the hash of the
previous entry and its own hash over its canonical JSON (sorted keys, no spaces), so
editing, deleting or reordering a past line breaks the chain and :meth:`CustodyLog.verify`
says where. The log is an investigator's record, kept apart from the evidence.

Canonical entry (before ``entry_hash`` is added)::

    {"seq": 1, "time_utc": "2026-05-01T09:30:00.000000Z", "who": "DS Example",
     "action": "acquired", "exhibit": "EXH-001 phone.zip", "sha256": "…", "note": "",
     "prev_hash": "000…000"}
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_lib.core.errors import EvidenceIntegrityError, ParseError
from forensics_lib.core.registry import artifact
from forensics_lib.core.schema import INT, STR, TIME, ArtifactSpec, Column, TimelineRule, conform
from forensics_lib.sources import Source, display_path, open_binary, source_path

__all__ = ["ACTIONS", "CUSTODY_LOG", "CustodyEntry", "CustodyLog", "read_custody_log"]

# Suggested vocabulary; other words are accepted (real procedures differ by force).
ACTIONS = (
    "seized",
    "acquired",
    "sealed",
    "transferred",
    "received",
    "opened",
    "hashed",
    "verified",
    "analysed",
    "copied",
    "returned",
)
GENESIS = "0" * 64
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


@dataclass(frozen=True)
class CustodyEntry:
    """One line of the custody log."""

    seq: int
    time_utc: str
    who: str
    action: str
    exhibit: str
    sha256: str | None
    note: str
    prev_hash: str
    entry_hash: str

    @property
    def time(self) -> pd.Timestamp:
        return pd.Timestamp(self.time_utc).tz_convert("UTC")


def _digest(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_TEXT_FIELDS = ("time_utc", "who", "action", "exhibit", "note", "prev_hash", "entry_hash")


def _field_problem(data: dict[str, Any]) -> str | None:
    """Why a decoded line is not a custody entry (None when it is one)."""
    seq = data.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq < 2**63:
        return f"seq must be a positive 64-bit integer, not {seq!r}"
    for name in _TEXT_FIELDS:
        if not isinstance(data.get(name), str):
            return f"{name} must be text, not {data.get(name)!r}"
    if data.get("sha256") is not None and not isinstance(data["sha256"], str):
        return f"sha256 must be text or null, not {data['sha256']!r}"
    try:
        when = pd.Timestamp(data["time_utc"])
    except ValueError:
        return f"time_utc {data['time_utc']!r} is not an ISO 8601 time"
    if pd.isna(when) or when.tzinfo is None:
        return f"time_utc {data['time_utc']!r} has no UTC offset"
    return None


def _parse_line(raw: bytes, where: str, offset: int) -> CustodyEntry:
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(where, offset, f"custody line is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ParseError(where, offset, "custody line is not a JSON object")
    expected = set(CustodyEntry.__dataclass_fields__)
    if set(data) != expected:
        missing, extra = sorted(expected - set(data)), sorted(set(data) - expected)
        raise ParseError(where, offset, f"custody line: missing {missing}, unexpected {extra}")
    problem = _field_problem(data)
    if problem:
        raise ParseError(where, offset, f"custody line: {problem}")
    return CustodyEntry(**data)


def _iter_entries(source: Source) -> Iterator[tuple[int, CustodyEntry]]:
    where = display_path(source)
    offset = 0
    with open_binary(source) as fh:
        for raw in fh:
            if raw.strip():
                yield offset, _parse_line(raw, where, offset)
            offset += len(raw)


class CustodyLog:
    """A chain-of-custody log file (JSON Lines), appended to, never rewritten."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def entries(self) -> list[CustodyEntry]:
        if not self.path.exists():
            return []
        return [entry for _, entry in _iter_entries(self.path)]

    def append(
        self,
        *,
        who: str,
        action: str,
        exhibit: str,
        sha256: str | None = None,
        note: str = "",
        time: pd.Timestamp | None = None,
    ) -> CustodyEntry:
        """Add one entry (the chain is verified first; a broken log is not extended)."""
        if not who.strip() or not action.strip() or not exhibit.strip():
            raise ValueError("who, action and exhibit are required")
        existing = self.entries()
        self._check_chain(existing)
        when = pd.Timestamp.now(tz="UTC") if time is None else time
        if when.tzinfo is None:
            raise ValueError("custody times must be timezone-aware")
        fields: dict[str, Any] = {
            "seq": len(existing) + 1,
            "time_utc": when.tz_convert("UTC").strftime(_TIME_FORMAT),
            "who": who,
            "action": action,
            "exhibit": exhibit,
            "sha256": sha256.lower() if sha256 else None,
            "note": note,
            "prev_hash": existing[-1].entry_hash if existing else GENESIS,
        }
        entry = CustodyEntry(**fields, entry_hash=_digest(fields))
        line = json.dumps(asdict(entry), ensure_ascii=False, separators=(",", ":"))
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return entry

    def verify(self) -> int:
        """Check the whole chain; return the number of entries or raise."""
        entries = self.entries()
        self._check_chain(entries)
        return len(entries)

    def _check_chain(self, entries: list[CustodyEntry]) -> None:
        prev = GENESIS
        for index, entry in enumerate(entries, start=1):
            fields = asdict(entry)
            recorded = fields.pop("entry_hash")
            problem = None
            if entry.seq != index:
                problem = f"entry {index} has sequence number {entry.seq}"
            elif entry.prev_hash != prev:
                problem = f"entry {index} does not follow entry {index - 1}"
            elif _digest(fields) != recorded:
                problem = f"entry {index} was altered after it was written"
            if problem:
                err = EvidenceIntegrityError(self.path, recorded, _digest(fields))
                err.args = (f"{self.path}: custody chain broken: {problem}",)
                raise err
            prev = recorded


CUSTODY_LOG = ArtifactSpec(
    id="custody.log",
    family="evidence",
    description="Chain-of-custody log (JSON Lines, hash-chained) kept with a case",
    columns=(
        Column("time", TIME, "when the action happened (UTC)"),
        Column("seq", INT, "sequence number in the log, from 1"),
        Column("who", STR, "person who acted"),
        Column("action", STR, "what was done (seized, acquired, sealed, transferred, ...)"),
        Column("exhibit", STR, "exhibit reference"),
        Column("sha256", STR, "exhibit SHA-256 at that moment, if recorded"),
        Column("note", STR, "free text"),
        Column("entry_hash", STR, "SHA-256 of this entry, chained to the previous one"),
    ),
    locator="offset",
    timeline=(
        TimelineRule(
            time="time",
            event="custody: {action}",
            description="{who} {action} {exhibit} {note}",
            actor="who",
        ),
    ),
    globs=("**/custody.jsonl",),
)


@artifact(CUSTODY_LOG)
def read_custody_log(source: Source) -> pd.DataFrame:
    """Read a custody log into the ``custody.log`` schema (the chain is not checked here:
    use :meth:`CustodyLog.verify` for that)."""
    rows = [
        {
            "time": pd.Timestamp(e.time_utc).tz_convert("UTC"),
            "seq": e.seq,
            "who": e.who,
            "action": e.action,
            "exhibit": e.exhibit,
            "sha256": e.sha256,
            "note": e.note,
            "entry_hash": e.entry_hash,
            "offset": offset,
        }
        for offset, e in _iter_entries(source)
    ]
    frame = pd.DataFrame(rows, columns=[c.name for c in CUSTODY_LOG.columns] + ["offset"])
    frame["artifact"] = CUSTODY_LOG.id
    frame["source_path"] = source_path(source)
    return conform(frame, CUSTODY_LOG)
