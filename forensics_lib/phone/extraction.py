"""Open a phone extraction and read its artifacts as DataFrames.

:func:`open_extraction` takes a directory, zip or tar(.gz) holding an Android or iOS file
system (any leading folders, as vendors nest them), or only some of its files at their device
paths (a partial extraction). It opens the exhibit read-only through
:class:`~forensics_lib.core.evidence.Evidence` and tells Android from iOS by what the exhibit
contains, never by its name.

>>> with open_extraction("EXH-002_android.zip") as ext:          # doctest: +SKIP
...     ext.os, ext.device["model"]
...     ext.artifacts()                   # what this extraction holds
...     sms = ext.read("sms")             # SMS and MMS, one set of columns
...     tl = ext.timeline()

An exhibit holding no device path of either OS (a loose ``msgstore.db`` or ``sms.db`` in an
evidence folder, or renamed) is still read when its SQLite databases are recognised by their
schema: the tables and columns each app's database always has (:data:`SCHEMA_SIGNATURES`, as
plaso's SQLite plugins declare ``REQUIRED_STRUCTURE``). Such an extraction has ``kind``
``"loose"``, and every recognition is announced and listed in :attr:`Extraction.notes` (and
in ``attrs["warnings"]`` of the frames read from it).

Artifacts are named two ways: by their registered id (``android.sms``, ``ios.calls``) or by
their common name (``sms``, ``calls``, ``contacts``, ``device``), which gathers every id of
that name (Android ``sms`` is ``android.sms`` + ``android.mms``). A file that fails to parse
is announced with a :class:`~forensics_lib.core.errors.ForensicsWarning` and listed in
:attr:`Extraction.problems`; the other files are still read.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import warnings
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from forensics_lib import timeline
from forensics_lib.core import registry
from forensics_lib.core.errors import (
    ForensicsError,
    ForensicsWarning,
    ParseError,
    UnsupportedFormat,
)
from forensics_lib.core.evidence import (
    DEFAULT_LIMITS,
    Evidence,
    EvidenceFile,
    Limits,
    Member,
    glob_regex,
)
from forensics_lib.core.registry import Artifact
from forensics_lib.core.schema import ArtifactSpec, empty_frame
from forensics_lib.core.sqlite import SQLITE_MAGIC, SqliteDatabase, open_sqlite
from forensics_lib.drone.model import FlightLog
from forensics_lib.phone import ufdr
from forensics_lib.phone._safe import plist_value
from forensics_lib.phone.adb import adb_files, find_adb_root, is_android_backup, unpack_ab
from forensics_lib.phone.backup import BackupFile, backup_files, backup_info, find_backup_root
from forensics_lib.scan import (
    HEAD_BYTES,
    candidates,
    content_rule,
    excluding,
    parse_all,
    sniffed,
)

__all__ = [
    "ALL_PHONE_MODULES",
    "EXTRA_PHONE_MODULES",
    "PHONE_MODULES",
    "SCHEMA_SIGNATURES",
    "UFDR_MODULES",
    "Extraction",
    "OSName",
    "artifact_name",
    "detect_os",
    "open_extraction",
    "phone_artifacts",
    "schema_artifacts",
]

#: Browser history, Wi-Fi networks, installed apps, Linphone SIP accounts/calls: read by
#: default once they are listed in registry.PARSER_MODULES (so the registry and the
#: extractions always agree).
EXTRA_PHONE_MODULES: tuple[str, ...] = (
    "forensics_lib.phone.browser",
    "forensics_lib.phone.wifi",
    "forensics_lib.phone.apps",
    "forensics_lib.phone.linphone",
    "forensics_lib.phone.media",
    "forensics_lib.phone.locations",
    "forensics_lib.phone.dronelogs",
    "forensics_lib.phone.sms_deleted",
)
#: The modules holding phone parsers (the phone family's share of registry.PARSER_MODULES).
PHONE_MODULES: tuple[str, ...] = (
    "forensics_lib.phone.device",
    "forensics_lib.phone.android",
    "forensics_lib.phone.ios",
    "forensics_lib.phone.whatsapp",
    *(m for m in EXTRA_PHONE_MODULES if m in registry.PARSER_MODULES),
)
#: The parsers of a Cellebrite UFDR report (read only for an exhibit detected as one).
UFDR_MODULES: tuple[str, ...] = ("forensics_lib.phone.ufdr",)
#: Every phone parser module this package has, registered or not.
ALL_PHONE_MODULES: tuple[str, ...] = (*PHONE_MODULES[:4], *EXTRA_PHONE_MODULES)

OSName = Literal["android", "ios", "unknown"]

# Common names that differ from the part after the dot.
_NAMES = {
    "android.mms": "sms",
    "phone.device": "device",
    "phone.photo_locations": "locations",
}  # ufdr.<name> keeps its name

# Path fragments that only one OS's file system has (device paths, normalised).
_ANDROID_MARKERS = (
    "/data/data/",
    "/data/user/",
    "/data/user_de/",
    "/data/system/",
    "/data/misc/",
    "/system/build.prop",
    "/data/media/0/",
)
_IOS_MARKERS = (
    "/private/var/mobile/",
    "/var/mobile/",
    "/mobile/Library/",
    "/private/var/containers/",
    "/System/Library/CoreServices/SystemVersion.plist",
    "/private/var/root/",
)


#: What identifies each app database by content, for a database found at no known device
#: path: artifact id -> alternatives, each {table: columns it must have} (plaso's
#: ``REQUIRED_STRUCTURE``: ``android_sms.py`` sms, ``android_calls.py`` calls,
#: ``imessage.py`` message/handle, ``ios_calls`` ZCALLRECORD, ...; the WhatsApp tables as the
#: readers of :mod:`forensics_lib.phone.whatsapp` need them). A database matches an artifact
#: when every table of one alternative is present with at least those columns.
SCHEMA_SIGNATURES: dict[str, tuple[dict[str, tuple[str, ...]], ...]] = {
    "android.sms": ({"sms": ("_id", "address", "date", "read", "type", "body")},),
    "android.sms_deleted": ({"sms": ("_id", "address", "date", "read", "type", "body")},),
    "android.mms": ({"pdu": ("_id", "date", "msg_box"), "addr": ("msg_id", "address", "type")},),
    "android.calls": ({"calls": ("_id", "number", "date", "duration", "type")},),
    "android.contacts": (
        {
            "raw_contacts": ("_id", "display_name"),
            "data": ("_id", "raw_contact_id", "mimetype_id", "data1"),
            "mimetypes": ("_id", "mimetype"),
        },
    ),
    "android.whatsapp_messages": (
        {
            "message": ("_id", "chat_row_id", "from_me", "key_id", "timestamp", "text_data"),
            "chat": ("_id", "jid_row_id"),
        },
        {"messages": ("_id", "key_remote_jid", "key_from_me", "key_id", "timestamp", "data")},
    ),
    "android.whatsapp_calls": (
        {
            "call_log": ("_id", "jid_row_id", "from_me", "call_id", "timestamp", "duration"),
            "jid": ("_id", "raw_string"),
        },
    ),
    "android.whatsapp_contacts": ({"wa_contacts": ("_id", "jid", "is_whatsapp_user")},),
    "android.browser_history": (
        {"urls": ("id", "url", "title"), "visits": ("id", "url", "visit_time")},
    ),
    "ios.sms": (
        {
            "message": ("ROWID", "guid", "text", "date", "is_from_me", "handle_id"),
            "handle": ("ROWID", "id"),
        },
        # iOS 5 and older (forensics_lib.phone.ios notes)
        {"message": ("ROWID", "address", "date", "text", "flags"), "msg_group": ("ROWID",)},
    ),
    "ios.sms_deleted": (
        {
            "message": ("ROWID", "guid", "text", "date", "is_from_me", "handle_id"),
            "handle": ("ROWID", "id"),
        },
    ),
    "ios.calls": (
        {"ZCALLRECORD": ("Z_PK", "ZADDRESS", "ZDATE", "ZDURATION", "ZORIGINATED", "ZANSWERED")},
        # iOS 7 and older call_history.db (forensics_lib.phone.ios notes)
        {"call": ("ROWID", "address", "date", "duration", "flags")},
    ),
    "ios.contacts": (
        {"ABPerson": ("ROWID", "First", "Last"), "ABMultiValue": ("UID", "record_id", "value")},
    ),
    "ios.whatsapp_messages": (
        {"ZWAMESSAGE": ("Z_PK", "ZCHATSESSION", "ZISFROMME", "ZMESSAGEDATE", "ZTEXT")},
    ),
    "ios.whatsapp_calls": ({"ZWACDCALLEVENT": ("Z_PK", "ZDATE", "ZDURATION", "ZOUTCOME")},),
    "ios.whatsapp_contacts": ({"ZWAADDRESSBOOKCONTACT": ("Z_PK", "ZWHATSAPPID")},),
    "ios.browser_history": (
        {
            "history_items": ("id", "url", "visit_count"),
            "history_visits": ("id", "history_item", "visit_time"),
        },
    ),
}
# A loose folder is read by schema only when it is small enough to look at every file, and
# holds only databases (with their companions) and the papers that come with them.
_MAX_LOOSE_FILES = 10_000
_COMPANION_SUFFIXES = ("-wal", "-journal", "-shm")
_PAPER_SUFFIXES = (".txt", ".md", ".json", ".csv", ".pdf", ".sha256", ".md5", ".sha1", ".log")


#: Artifacts an OS may keep twice, old and new database side by side, and the columns that
#: make two rows the same record: Android 7+ moved ``calls`` from contacts2.db to
#: calllog.db (AOSP ``CallLogDatabaseHelper`` migrates the rows), and a contacts2.db
#: keeping its old table holds copies; Samsung's telephony provider keeps an mmssms.db
#: beside AOSP's.
_COPY_KEYS: dict[str, tuple[str, ...]] = {
    "android.calls": ("time_raw", "number", "duration_s", "type"),
    "android.sms": ("time_raw", "address", "body", "type"),
}


def schema_artifacts(db: SqliteDatabase) -> list[str]:
    """The artifact ids whose :data:`SCHEMA_SIGNATURES` ``db`` satisfies, sorted."""
    tables = db.tables()
    found = []
    for artifact_id, alternatives in SCHEMA_SIGNATURES.items():
        for required in alternatives:
            if all(t in tables for t in required) and all(
                not db.missing_columns(t, cols) for t, cols in required.items()
            ):
                found.append(artifact_id)
                break
    return sorted(found)


def artifact_name(artifact_id: str) -> str:
    """The common name of an artifact id: ``android.mms`` -> ``sms``, ``ios.calls`` -> ``calls``."""
    return _NAMES.get(artifact_id, artifact_id.split(".", 1)[-1])


def phone_artifacts(modules: tuple[str, ...] = PHONE_MODULES) -> list[Artifact]:
    """Every phone parser, sorted by id."""
    return registry.artifacts("phone", modules=modules)


def _score(paths: Iterable[str]) -> tuple[int, int]:
    android = ios = 0
    for path in paths:
        if any(m in path for m in _ANDROID_MARKERS):
            android += 1
        if any(m in path for m in _IOS_MARKERS):
            ios += 1
    return android, ios


# Artifact paths that do not tell a phone's OS: photos (any camera card has a DCIM), and
# files macOS keeps at the same paths (Safari History.db, the known-networks plist).
_NOT_OS_EVIDENCE = frozenset(
    {"android.media", "ios.media", "ios.browser_history", "ios.wifi_networks"}
)


def _artifact_score(paths: Iterable[str]) -> tuple[int, int]:
    """How many paths an ``android.*`` and an ``ios.*`` parser's globs match (at any depth:
    the globs start with ``**``), for an exhibit whose folders above the app data are not a
    device root (an Android userdata partition dumped as ``userdata/data/<app>``)."""
    globs = [
        (glob_regex(g), art.id.split(".", 1)[0])
        for art in phone_artifacts()
        if art.id.startswith(("android.", "ios.")) and art.id not in _NOT_OS_EVIDENCE
        for g in art.spec.globs
    ]
    android = ios = 0
    for path in paths:
        for regex, system in globs:
            if regex.fullmatch(path):
                android += system == "android"
                ios += system == "ios"
                break
    return android, ios


def detect_os(evidence: Evidence, *, exclude: Collection[str] = ()) -> OSName:
    """``android`` or ``ios`` by which OS's device paths the exhibit holds (the majority);
    where those say nothing, by which OS's artifact paths it holds, at any depth. The
    device paths ``exclude`` names do not count."""
    paths = [m.path for m in evidence.files() if m.path not in exclude]
    android, ios = _score(paths)
    if android == ios:
        android, ios = _artifact_score(paths)
    if android == ios:
        return "unknown"
    return "android" if android > ios else "ios"


@dataclass
class Extraction:
    """An opened phone extraction: what it holds, and its artifacts as DataFrames."""

    evidence: Evidence
    os: OSName
    kind: str = "filesystem"
    modules: tuple[str, ...] = PHONE_MODULES
    owned: bool = True
    backup: list[BackupFile] | None = None
    backup_meta: dict[str, Any] = field(default_factory=dict, repr=False)
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    #: Files recognised by their schema (kind "loose"): artifact id -> files.
    by_schema: dict[str, list[EvidenceFile]] = field(default_factory=dict, repr=False)
    #: How this extraction was read where it was not by device path (announced too).
    notes: list[str] = field(default_factory=list)
    #: Device paths never opened (files the acquisition manifest does not list): no parser
    #: reads them, and an excluded ``-wal`` or ``-journal`` is as if absent.
    exclude: frozenset[str] = frozenset()
    #: The private folder an ``.ab`` file was unpacked to (deleted by :meth:`close`).
    unpacked: Path | None = field(default=None, repr=False)
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _said: set[str] = field(default_factory=set, repr=False)
    _found: dict[str, list[EvidenceFile] | list[BackupFile]] = field(
        default_factory=dict, repr=False
    )

    # -- lifetime ---------------------------------------------------------------------------

    def __enter__(self) -> Extraction:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the exhibit (and delete its private temporary copies)."""
        if self.owned:
            self.evidence.close()
        if self.unpacked is not None:
            shutil.rmtree(self.unpacked, ignore_errors=True)
            self.unpacked = None

    @property
    def name(self) -> str:
        return self.evidence.name

    # -- what is here -----------------------------------------------------------------------

    def _parsers(self) -> list[Artifact]:
        return phone_artifacts(self.modules)

    def specs(self) -> dict[str, ArtifactSpec]:
        """Every phone artifact spec, by id (for :func:`forensics_lib.timeline.build`)."""
        return {a.id: a.spec for a in self._parsers()}

    def _candidates(self, art: Artifact) -> list[EvidenceFile] | list[BackupFile]:
        """The files ``art``'s parser reads: by device path (in a backup through its
        manifest), and those its content rule recognises (a renamed flight log); found once
        per extraction."""
        if art.id not in self._found:
            self._found[art.id] = self._find(art)
        return self._found[art.id]

    def _find(self, art: Artifact) -> list[EvidenceFile] | list[BackupFile]:
        rule = content_rule(art)
        if self.backup is None:
            listed = candidates(self.evidence, art.spec, rule=rule, exclude=self.exclude)
            seen = {f.member for f in listed}
            loose = [f for f in self.by_schema.get(art.id, []) if f.member not in seen]
            if loose:
                listed = sorted([*listed, *loose], key=lambda f: f.path)
            return self._one_per_alias(art.id, listed)
        patterns = [glob_regex(g) for g in art.spec.globs]
        kept = [f for f in self.backup if f.file.member.path not in self.exclude]
        chosen = [f for f in kept if any(p.fullmatch(f.path) for p in patterns)]
        if rule is None:
            return chosen
        named = {f.path for f in chosen}
        others = {f.path: f for f in kept if f.path not in named}

        def head(path: str) -> bytes:
            with others[path].open() as fh:
                return fh.read(HEAD_BYTES)

        sizes = ((p, f.file.member.size) for p, f in others.items())
        found = sniffed(art.spec, rule, sizes, head, stacklevel=4)
        return sorted([*chosen, *(others[p] for p in found)], key=lambda f: f.path)

    def _one_per_alias(self, artifact_id: str, files: list[EvidenceFile]) -> list[EvidenceFile]:
        """Drop a file that is a byte-identical copy of the same device file under its
        other name (Android ``/data/user/0/<app>`` is ``/data/data/<app>``; tools that do
        not keep the link copy both), with its ``-wal``; say so. Copies whose bytes differ
        are both read (two states of one file) and announced."""
        groups: dict[str, list[EvidenceFile]] = {}
        for f in files:
            groups.setdefault(_ALIAS.sub("/data/data/", f.path, count=1), []).append(f)
        dropped: set[Member] = set()
        for same in groups.values():
            if len(same) < 2:
                continue
            same.sort(key=lambda f: (_ALIAS.search(f.path) is not None, f.path))
            keep = same[0]
            for other in same[1:]:
                identical = keep.member.size == other.member.size and _fingerprint(
                    keep
                ) == _fingerprint(other)
                if identical:
                    dropped.add(other.member)
                note = f"{artifact_id}: {other.display_path} is " + (
                    f"a byte-identical copy of {keep.path} (the same device file under "
                    "its other name): read once"
                    if identical
                    else f"the same device file as {keep.path} but its bytes differ: "
                    "both read (two states of one file)"
                )
                if note not in self.notes:
                    self.notes.append(note)
                    warnings.warn(note, ForensicsWarning, stacklevel=6)
        return [f for f in files if f.member not in dropped]

    def sources(self, artifact_id: str) -> list[Member]:
        """The members a parser would read for ``artifact_id``."""
        art = self._artifact(artifact_id)
        return [
            f.file.member if isinstance(f, BackupFile) else f.member for f in self._candidates(art)
        ]

    def artifacts(self) -> pd.DataFrame:
        """What this extraction holds: name, artifact id, number of files, description."""
        rows = []
        for art in self._parsers():
            found = self._candidates(art)
            if found:
                rows.append(
                    {
                        "name": artifact_name(art.id),
                        "artifact": art.id,
                        "files": len(found),
                        "description": art.spec.description,
                    }
                )
        return pd.DataFrame(rows, columns=["name", "artifact", "files", "description"])

    def _artifact(self, artifact_id: str) -> Artifact:
        for art in self._parsers():
            if art.id == artifact_id:
                return art
        raise KeyError(f"unknown phone artifact {artifact_id!r}; known: {self._known()}")

    def _known(self) -> str:
        ids = [a.id for a in self._parsers()]
        names = sorted({artifact_name(i) for i in ids})
        return ", ".join([*names, *ids])

    def ids_for(self, artifact: str) -> list[str]:
        """The artifact ids a name (or an id) stands for."""
        ids = [a.id for a in self._parsers()]
        if artifact in ids:
            return [artifact]
        chosen = [i for i in ids if artifact_name(i) == artifact]
        if not chosen:
            raise KeyError(f"unknown phone artifact {artifact!r}; known: {self._known()}")
        return chosen

    # -- reading ----------------------------------------------------------------------------

    def read(self, artifact: str) -> pd.DataFrame:
        """The artifact as one DataFrame (every file of it, with ``source_path``/``row_id``)."""
        ids = self.ids_for(artifact)
        read = [self._read_id(i) for i in ids]
        frames = [f for f in read if not f.empty] or read[:1]
        if len(frames) == 1 and len(read) == 1:
            return frames[0]
        result = frames[0].copy() if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        said = list(dict.fromkeys(n for f in read for n in f.attrs.get("warnings", [])))
        if said:
            result.attrs["warnings"] = said
        return result

    def _read_id(self, artifact_id: str) -> pd.DataFrame:
        if artifact_id in self._cache:
            return self._cache[artifact_id]
        art = self._artifact(artifact_id)
        # Every warning a reader gives (a damaged -wal, a table chosen by content, a skipped
        # entry) is passed on as given and also kept in the frame's attrs["warnings"].
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frames = parse_all(art, self._candidates(art), self.problems, stacklevel=3)
            if not frames:
                result = empty_frame(art.spec)
            elif len(frames) == 1:
                result = frames[0]
            else:
                result = _without_copies(artifact_id, frames)
        for item in caught:
            said = str(item.message)
            if issubclass(item.category, ForensicsWarning) and said in self._said:
                continue  # one -wal read for SMS and MMS: announced once per extraction
            self._said.add(said)
            warnings.warn_explicit(
                item.message, item.category, item.filename, item.lineno, source=item.source
            )
        mentioned = {f.path for f in self.by_schema.get(artifact_id, [])}
        notes = [
            *(n for n in self.notes if any(p in n for p in mentioned)),
            *(n for n in self.notes if n.startswith(f"{artifact_id}: ")),
            *(n for f in frames for n in f.attrs.get("warnings", [])),
            *(str(w.message) for w in caught if issubclass(w.category, ForensicsWarning)),
        ]
        if notes:
            result.attrs["warnings"] = list(dict.fromkeys(notes))
        self._cache[artifact_id] = result
        return result

    def read_all(self) -> dict[str, pd.DataFrame]:
        """Every artifact this extraction holds, by artifact id."""
        held = self.artifacts()["artifact"].tolist()
        return {i: self._read_id(i) for i in held}

    @property
    def device(self) -> dict[str, str | None]:
        """Make, model, OS version, build, serial, IMEI: the first value found for each;
        ``serial_source`` / ``imei_source`` say where the serial and IMEI were read (the
        acquisition record, build.prop, Info.plist)."""
        if self.kind == "itunes":
            return self._backup_device()
        frame = self.read("device")
        out: dict[str, str | None] = {}
        for column in ("os", "make", "model", "os_version", "build", "serial", "imei"):
            values = frame[column].dropna() if column in frame else pd.Series(dtype="str")
            out[column] = str(values.iloc[0]) if len(values) else None
        for column in ("serial", "imei"):  # the source of the row the value came from
            source = f"{column}_source"
            values = frame[column].dropna() if column in frame else pd.Series(dtype="str")
            held = frame.loc[values.index[0], source] if len(values) and source in frame else None
            out[source] = None if held is None or pd.isna(held) else str(held)
        if out["os"] is None and self.os != "unknown":
            out["os"] = "Android" if self.os == "android" else "iOS"
        return out

    def _backup_device(self) -> dict[str, str | None]:
        """Identity from the backup's Info.plist (iTunes keys) and Manifest.plist Lockdown."""
        info = self.backup_meta.get("info", {})
        paths = self.backup_meta.get("paths", {})
        manifest_path = str(paths.get("manifest", "Manifest.plist"))
        info_path = str(paths.get("info", "Info.plist"))
        manifest = self.backup_meta.get("manifest", {})
        lockdown = plist_value(manifest, "Lockdown", dict, manifest_path) or {}

        def pick(info_key: str | None, lockdown_key: str | None) -> str | None:
            # A key of another type is a ParseError naming it, never str() of a dictionary.
            values = (
                plist_value(info, info_key, str, info_path) if info_key else None,
                plist_value(lockdown, lockdown_key, str, manifest_path, where="Lockdown")
                if lockdown_key
                else None,
            )
            return next((v for v in values if v not in (None, "")), None)

        out: dict[str, str | None] = {
            "os": "iOS",
            "make": "Apple",
            "model": pick("Product Type", "ProductType"),
            "os_version": pick("Product Version", "ProductVersion"),
            "build": pick("Build Version", "BuildVersion"),
            "serial": pick("Serial Number", "SerialNumber"),
            "imei": pick("IMEI", None),
        }
        out["serial_source"] = "Info.plist" if out["serial"] else None
        out["imei_source"] = "Info.plist" if out["imei"] else None
        return out

    def flight_logs(self) -> dict[str, FlightLog]:
        """The drone flight logs found on the phone (``drone_logs``), read whole, by device
        path: their tracks, events, home points. A file that is no flight log is skipped,
        announced and listed in :attr:`problems`; an encrypted DJI record gives its
        Details-only log (no track)."""
        from forensics_lib.phone.dronelogs import DRONE_LOGS, flight_log

        if DRONE_LOGS.id not in {a.id for a in self._parsers()}:
            return {}
        logs: dict[str, FlightLog] = {}
        for source in self._candidates(self._artifact(DRONE_LOGS.id)):
            try:
                logs[source.path] = flight_log(source)
            except ForensicsError as exc:
                self.problems.append((DRONE_LOGS.id, source.display_path, str(exc)))
                warnings.warn(
                    f"{DRONE_LOGS.id}: skipped {source.display_path}: {exc}",
                    ForensicsWarning,
                    stacklevel=2,
                )
        return logs

    def timeline(self) -> pd.DataFrame:
        """Every dated event of every artifact, one UTC timeline."""
        frames = [f for f in self.read_all().values() if not f.empty]
        return timeline.build({self.name: frames}, specs=self.specs())


_ALIAS = re.compile(r"/data/user/0/")


def _fingerprint(f: EvidenceFile) -> tuple[tuple[int, str], ...]:
    """Size and SHA-256 of a file and of its ``-wal`` (what SQLite would read)."""
    out = []
    for item in (f, f.sibling("-wal")):
        if item is None:
            continue
        digest = hashlib.sha256()
        with item.open() as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
        out.append((item.member.size, digest.hexdigest()))
    return tuple(out)


def _without_copies(artifact_id: str, frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate one artifact's frames from several files, leaving out the rows one file
    holds as copies of another's (:data:`_COPY_KEYS`; the file first by path is kept)."""
    result = pd.concat(frames, ignore_index=True)
    key = _COPY_KEYS.get(artifact_id)
    if key is None or not all(k in result.columns for k in key):
        return result
    copies = result.duplicated(subset=list(key), keep="first")
    # Only copies across files: two identical rows of one file are two rows.
    first_source = result.groupby([result[k].astype("str") for k in key], dropna=False)[
        "source_path"
    ].transform("first")
    copies &= result["source_path"].ne(first_source)
    if not copies.any():
        return result
    kept = result.loc[~copies].reset_index(drop=True)
    sources = sorted(set(result["source_path"].dropna()))
    note = (
        f"{artifact_id}: {int(copies.sum())} row(s) of {', '.join(sources)} are copies of "
        f"rows of another of these files (same {', '.join(key)}): each shown once "
        f"({len(kept)} rows)"
    )
    warnings.warn(note, ForensicsWarning, stacklevel=4)
    kept.attrs["warnings"] = [*result.attrs.get("warnings", []), note]
    return kept


def find_ufdr_report(evidence: Evidence, exclude: Collection[str] = ()) -> EvidenceFile | None:
    """The ``report.xml`` of a Cellebrite UFDR (recognised by its namespace), if any (one
    whose device path ``exclude`` names is not opened)."""
    reports = [m for m in evidence.glob("**/report.xml") if m.path not in exclude]
    for member in sorted(reports, key=lambda m: m.path.count("/")):
        found = evidence.file(member)
        with found.open() as fh:
            head = fh.read(4096)
        if ufdr.is_ufdr_report(head):
            return found
    return None


def _ufdr_os(report: EvidenceFile) -> OSName:
    frame = ufdr.read_device(report)
    name = str(frame["os"].iloc[0]).lower() if len(frame) and frame["os"].notna().any() else ""
    if "android" in name:
        return "android"
    if "ios" in name or "iphone" in name:
        return "ios"
    return "unknown"


def open_extraction(
    path: str | os.PathLike[str] | Evidence,
    *,
    limits: Limits = DEFAULT_LIMITS,
    exclude: Collection[str] = (),
) -> Extraction:
    """Open a phone extraction read-only and detect its OS by content.

    An iTunes/Finder backup (``Manifest.plist`` + ``Manifest.db``) is read through its
    manifest (:mod:`forensics_lib.phone.backup`); a Cellebrite UFDR (a ``report.xml`` in the
    report namespace) through :mod:`forensics_lib.phone.ufdr`; an encrypted backup raises
    :class:`~forensics_lib.core.errors.EncryptedContent`. Raises
    :class:`~forensics_lib.core.errors.UnsupportedFormat` when the exhibit holds neither an
    Android nor an iOS file system (nor a part of one), nor only SQLite databases of a known
    app schema: a folder (or a single file) of loose databases at no device path is opened as
    ``kind`` ``"loose"``, each database recognised by its tables and columns
    (:data:`SCHEMA_SIGNATURES`) and announced with a
    :class:`~forensics_lib.core.errors.ForensicsWarning` (also in :attr:`Extraction.notes`).
    A folder holding other evidence beside its databases is left to the generic scanner.

    The members whose device paths ``exclude`` names (files of an exhibit folder that the
    acquisition manifest does not list) are never opened: no parser reads them, they do not
    count towards the OS, and a database's excluded ``-wal`` or ``-journal`` is as if absent
    (:class:`~forensics_lib.scan.ExcludingFile`), so a stray ``-wal`` cannot change what a
    listed database shows.
    """
    excluded = frozenset(exclude)
    owned = not isinstance(path, Evidence)
    evidence = path if isinstance(path, Evidence) else Evidence(path, limits=limits)
    if evidence.kind == "file" and owned:
        ab = _open_ab(evidence, limits, excluded)
        if ab is not None:
            return ab
    try:
        # An unpacked adb backup holds app trees only: an exhibit with a device file system
        # (an adb backup copied onto a phone's storage, say) is read as that file system.
        adb_root = find_adb_root(evidence, excluded)
        if adb_root is not None and _score(
            m.path for m in evidence.files() if m.path not in excluded
        ) == (0, 0):
            return Extraction(
                evidence=evidence,
                os="android",
                kind="adb",
                owned=owned,
                backup=adb_files(evidence, adb_root, excluded),
                exclude=excluded,
            )
        root = find_backup_root(evidence)
        if root is not None:
            # EncryptedContent for an encrypted backup; an unlisted Manifest.db-wal is absent
            files = backup_files(evidence, root, excluded)
            meta = backup_info(evidence, root)
            return Extraction(
                evidence=evidence,
                os="ios",
                kind="itunes",
                owned=owned,
                backup=files,
                backup_meta=meta,
                exclude=excluded,
            )
        report = find_ufdr_report(evidence, excluded)
        if report is not None:
            return Extraction(
                evidence=evidence,
                os=_ufdr_os(report),
                kind="ufdr",
                modules=UFDR_MODULES,
                owned=owned,
                exclude=excluded,
            )
        system = detect_os(evidence, exclude=excluded)
        if system == "unknown":
            loose = _by_schema(evidence, owned, excluded)
            if loose is not None:
                return loose
            raise UnsupportedFormat(
                evidence.path,
                "no Android or iOS file system found (no /data/data, /private/var/mobile, "
                "build.prop or SystemVersion.plist), and no SQLite database of a known app "
                "schema",
            )
    except BaseException:
        if owned:
            evidence.close()
        raise
    return Extraction(evidence=evidence, os=system, owned=owned, exclude=excluded)


def _open_ab(evidence: Evidence, limits: Limits, exclude: frozenset[str]) -> Extraction | None:
    """An ``adb backup`` file (``ANDROID BACKUP`` header) opened as the tar inside it, or
    None for another single file. The tar is written to a private folder that
    :meth:`Extraction.close` deletes; the exhibit itself is closed at once."""
    members = evidence.files()
    if len(members) != 1:
        return None
    with evidence.open(members[0]) as fh:
        head = fh.read(len("ANDROID BACKUP\n"))
    if not is_android_backup(head):
        return None
    source = evidence.path
    evidence.close()
    tar = unpack_ab(source, limits)  # EncryptedContent for an encrypted backup
    try:
        inner = Evidence(tar, limits=limits)
        inner.name = source.name
        root = find_adb_root(inner, exclude)
        if root is None:
            inner.close()
            raise UnsupportedFormat(source, "adb backup holds no apps/<package>/ tree")
        return Extraction(
            evidence=inner,
            os="android",
            kind="adb",
            owned=True,
            backup=adb_files(inner, root, exclude),
            exclude=exclude,
            unpacked=tar.parent,
        )
    except BaseException:
        shutil.rmtree(tar.parent, ignore_errors=True)
        raise


def _sqlite_files(evidence: Evidence, exclude: Collection[str] = ()) -> list[EvidenceFile]:
    """The SQLite databases of a folder of loose databases; none when the folder also holds
    other evidence (a mixed folder is the generic scanner's, which reads every family) or
    is too large to look at every file. The members ``exclude`` names are not opened."""
    files = [
        m
        for m in evidence.files()
        if not m.path.endswith(_COMPANION_SUFFIXES) and m.path not in exclude
    ]
    if len(files) > _MAX_LOOSE_FILES:
        return []
    out = []
    for member in files:
        head = b""
        if member.size >= 512:
            with evidence.open(member) as fh:
                head = fh.read(len(SQLITE_MAGIC))
        if head == SQLITE_MAGIC:
            out.append(evidence.file(member))
        elif not member.path.lower().endswith(_PAPER_SUFFIXES):
            return []
    return excluding(out, exclude)


def _by_schema(
    evidence: Evidence, owned: bool, exclude: frozenset[str] = frozenset()
) -> Extraction | None:
    """An extraction of the SQLite databases whose schema a phone artifact knows, or None."""
    by_schema: dict[str, list[EvidenceFile]] = {}
    notes: list[str] = []
    unknown: list[str] = []
    for source in _sqlite_files(evidence, exclude):
        try:
            # The readers announce a damaged -wal when they read; not twice.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ForensicsWarning)
                with open_sqlite(source) as db:
                    ids = schema_artifacts(db)
        except (ParseError, UnsupportedFormat) as exc:
            unknown.append(f"{source.display_path} ({exc})")
            continue
        if not ids:
            unknown.append(f"{source.display_path} (no known app schema)")
            continue
        for artifact_id in ids:
            by_schema.setdefault(artifact_id, []).append(source)
        notes.append(
            f"{source.display_path}: at no known device path; recognised by its schema "
            f"(tables and columns) as {', '.join(ids)}"
        )
    if not by_schema:
        return None
    android = sum(len(v) for k, v in by_schema.items() if k.startswith("android."))
    ios = sum(len(v) for k, v in by_schema.items() if k.startswith("ios."))
    system: OSName = "unknown" if android == ios else ("android" if android > ios else "ios")
    if unknown:
        notes.append(f"{len(unknown)} database(s) not read: {'; '.join(unknown)}")
    for note in notes:
        warnings.warn(note, ForensicsWarning, stacklevel=4)
    return Extraction(
        evidence=evidence,
        os=system,
        kind="loose",
        owned=owned,
        by_schema=by_schema,
        notes=notes,
        exclude=exclude,
    )
