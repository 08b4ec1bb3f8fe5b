"""Phone extractions as real acquisitions vary them, with their answer keys.

Each writer starts from a generated extraction (:func:`forensics_datasets.phone.
make_phone_extraction`, packed as a bare tree) and then re-roots, reduces, rewrites or
damages it the way vendors, app versions and live acquisitions do:

* :func:`write_rooted`: the same tree under every root extraction tools use (a leading
  ``/``, bare ``private/var/...`` or ``data/data/...``, iOS ``var/...``, Android
  ``data/user/0/...``, the vendor folders ``filesystem1/``, ``filesystem2/``, ``fs/``,
  ``Dump/``), optionally nested in case folders, as a folder, a zip, a tar or a tgz;
* :func:`write_single_artifact`: an extraction holding one artifact only;
* :func:`write_loose_database`: one database alone in an evidence folder, at no device
  path (possibly renamed), to be recognised by its schema;
* :func:`write_whatsapp_tables`: an Android ``msgstore.db`` holding both the legacy
  ``messages`` and the new ``message`` table, one of them with only its placeholder row, or
  both with messages (a migration caught half-way, overlapping by ``key_id``);
* :func:`write_damaged_wal`: a database whose last rows are committed one transaction at a
  time in its ``-wal``, then damaged: salts of an earlier WAL generation, a checksum
  mismatch, a torn last frame, a bad WAL header, a transaction without its commit frame;
* :func:`write_ios5_sms`: an iOS 5 ``sms.db``, whose ``message`` table has the same name
  as the iOS 6+ one and other columns;
* :func:`write_ios7_calls`: an iOS 7-or-older ``call_history.db`` (table ``call``) instead
  of ``CallHistory.storedata``;
* :func:`write_adb_backup`: an Android ``adb backup`` (``backup.ab``, its tar, or the
  tar unpacked: ``apps/<package>/db|sp|f|r/``), plain, compressed or encrypted;
* :func:`write_backup_stray_wal`: an iTunes backup with a stray ``Manifest.db-wal``;
* :func:`write_odd_plists` and :func:`write_odd_backup`: iOS property lists (and an iTunes
  backup's Manifest.plist / Info.plist) whose keys hold unexpected types.

Every writer returns a :class:`Variant`: the exhibit and an answer key computed here from
what was written (row counts, frames, keys), never by the kit's readers.
"""

from __future__ import annotations

import io
import plistlib
import shutil
import sqlite3
import struct
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from forensics_datasets.phone import make_phone_extraction
from forensics_datasets.phone._pack import pack
from forensics_datasets.phone.whatsapp import LEGACY_SCHEMA, MODERN_SCHEMA
from forensics_datasets.sqlite_files import (
    WAL_FRAME_HEADER,
    WAL_HEADER,
    fix_wal_salts,
    wal_checksum,
)

__all__ = [
    "DAMAGES",
    "IOS7_CALL_FLAGS",
    "ROOTS",
    "AdbForm",
    "Variant",
    "write_adb_backup",
    "write_android_calls_twice",
    "write_backup_stray_wal",
    "write_damaged_wal",
    "write_ios5_sms",
    "write_ios7_calls",
    "write_loose_database",
    "write_odd_backup",
    "write_odd_plists",
    "write_rooted",
    "write_single_artifact",
    "write_user0_copy",
    "write_whatsapp_tables",
]

OS = Literal["android", "ios"]
Container = Literal["dir", "zip", "tar", "tgz"]
Damage = Literal["salt", "checksum", "torn", "header", "uncommitted"]
DAMAGES: tuple[Damage, ...] = ("salt", "checksum", "torn", "header", "uncommitted")

#: Root name -> (member-name prefix, OSes it applies to). "var" and "data_user_0" rewrite
#: the device path itself (iOS /var is /private/var; Android /data/user/0 is /data/data).
ROOTS: dict[str, tuple[str, tuple[OS, ...]]] = {
    "slash": ("/", ("android", "ios")),
    "bare": ("", ("android", "ios")),
    "var": ("", ("ios",)),
    "slash_var": ("/", ("ios",)),
    "data_user_0": ("", ("android",)),
    "filesystem1": ("filesystem1/", ("android", "ios")),
    "filesystem2": ("filesystem2/", ("android", "ios")),
    "fs": ("fs/", ("android", "ios")),
    "Dump": ("Dump/", ("android", "ios")),
    # the /data partition dumped on its own: userdata/data/<app>, no /system
    "userdata": ("Dump/", ("android",)),
}

_MSGSTORE = "data/data/com.whatsapp/databases/msgstore.db"
_MMSSMS = "data/data/com.android.providers.telephony/databases/mmssms.db"
_SMS_DB = "private/var/mobile/Library/SMS/sms.db"
_SYSTEM_VERSION = "System/Library/CoreServices/SystemVersion.plist"
_KNOWN_NETWORKS = "private/var/preferences/com.apple.wifi.known-networks.plist"


@dataclass(frozen=True)
class Variant:
    """A written variant exhibit and what a correct reader must find in it."""

    exhibit: Path
    answer_key: dict[str, Any]


def _base_tree(tree: Path, os: OS, seed: int, **options: Any) -> dict[str, Any]:
    """Write a generated extraction as a bare tree (device paths without a root) into
    ``tree``; return its answer key."""
    with tempfile.TemporaryDirectory(prefix="variant-base-") as tmp:
        case = make_phone_extraction(
            tmp, os=os, seed=seed, container="dir", prefix="", name="base", **options
        )
        shutil.copytree(case.exhibit, tree, dirs_exist_ok=True)
        return case.answer_key


def _counts(key: dict[str, Any]) -> dict[str, int]:
    scenario = key["scenario"]
    return {
        "messages": len(scenario["messages"]),
        "calls": len(scenario["calls"]),
        "contacts": len(scenario["contacts"]),
        "wa_messages": len(scenario["wa_messages"]),
        "wa_calls": len(scenario["wa_calls"]),
    }


def _reroot(tree: Path, root: str) -> None:
    """Rewrite device paths for the roots that change them (iOS var/, Android data/user/0)."""
    if root in ("var", "slash_var") and (tree / "private" / "var").is_dir():
        shutil.move(tree / "private" / "var", tree / "var")
        (tree / "private").rmdir()
    if root == "userdata" and (tree / "data").is_dir():
        shutil.move(tree / "data", tree / "userdata")
        shutil.rmtree(tree / "system", ignore_errors=True)
    if root == "data_user_0" and (tree / "data" / "data").is_dir():
        (tree / "data" / "user").mkdir(parents=True)
        shutil.move(tree / "data" / "data", tree / "data" / "user" / "0")


def _suffix(container: Container) -> str:
    return {"dir": "", "zip": ".zip", "tar": ".tar", "tgz": ".tar.gz"}[container]


def _pack(tree: Path, out: Path, stem: str, container: Container, prefix: str) -> Path:
    exhibit = out / f"{stem}{_suffix(container)}"
    if container == "dir":
        exhibit.mkdir(parents=True, exist_ok=True)
        # A folder cannot hold a member named "/x": the leading slash is the folder itself.
        pack(tree, exhibit, "dir", prefix.lstrip("/"))
    else:
        pack(tree, exhibit, container, prefix)
    return exhibit


def write_rooted(
    out: str | Path,
    *,
    os: OS,
    root: str,
    container: Container = "zip",
    nest: str = "",
    seed: int = 0,
) -> Variant:
    """A whole extraction under ``root`` (a key of :data:`ROOTS`), inside the folders
    ``nest`` (e.g. ``"Case 117/EXH-002/"``), packed as ``container``."""
    prefix, oses = ROOTS[root]
    if os not in oses:
        raise ValueError(f"root {root!r} is not an {os} root")
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        key = _base_tree(tree, os, seed)
        _reroot(tree, root)
        lead = (prefix + nest) if prefix == "/" else (nest + prefix)
        exhibit = _pack(tree, out, f"{os}_{root}", container, lead)
        names = sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file())
    return Variant(
        exhibit,
        {
            "os": os,
            "root": root,
            "container": container,
            "prefix": lead,
            "members": [lead + n for n in names],
            "counts": _counts(key),
        },
    )


_ARTIFACT_FILES: dict[str, tuple[OS, str, str]] = {
    # name -> (os, device path of its database, counts key)
    "whatsapp": ("android", _MSGSTORE, "wa_messages"),
    "sms_android": ("android", _MMSSMS, "messages"),
    "sms_ios": ("ios", _SMS_DB, "messages"),
}


def _keep_only(tree: Path, device_path: str) -> None:
    wanted = {device_path, device_path + "-wal", device_path + "-journal"}
    for path in sorted(tree.rglob("*"), reverse=True):
        rel = path.relative_to(tree).as_posix()
        if path.is_file() and rel not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def write_single_artifact(
    out: str | Path,
    *,
    artifact: str,
    root: str = "bare",
    container: Container = "zip",
    seed: int = 0,
) -> Variant:
    """An extraction holding one artifact's database (and its ``-wal``) at its device path:
    ``whatsapp`` (msgstore.db), ``sms_android`` (mmssms.db) or ``sms_ios`` (sms.db)."""
    os, device_path, count = _ARTIFACT_FILES[artifact]
    prefix, _oses = ROOTS[root]
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        key = _base_tree(tree, os, seed)
        _keep_only(tree, device_path)
        _reroot(tree, root)
        exhibit = _pack(tree, out, f"only_{artifact}", container, prefix)
    return Variant(
        exhibit,
        {"os": os, "artifact": artifact, "rows": _counts(key)[count], "device_path": device_path},
    )


def write_loose_database(
    out: str | Path, *, artifact: str, name: str | None = None, seed: int = 0
) -> Variant:
    """One database alone in an evidence folder (``out/<artifact>_loose/``), at no device
    path, under its usual name or renamed to ``name``; its ``-wal`` beside it."""
    os, device_path, count = _ARTIFACT_FILES[artifact]
    folder = Path(out) / f"{artifact}_loose"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        key = _base_tree(tree, os, seed)
        filename = name or device_path.rsplit("/", 1)[1]
        for suffix in ("", "-wal"):
            source = tree / (device_path + suffix)
            if source.is_file():
                shutil.copyfile(source, folder / (filename + suffix))
    return Variant(
        folder,
        {"os": os, "artifact": artifact, "rows": _counts(key)[count], "file": filename},
    )


# -- WhatsApp: both message tables ---------------------------------------------------------

_LEGACY_PLACEHOLDER = (
    "INSERT INTO messages (_id, key_remote_jid, key_from_me, key_id, status, timestamp) "
    "VALUES (1, '-1', 0, '-1', -1, 0)"
)  # the row WhatsApp's MessagesTable inserts first, as in real legacy msgstore.db files
_MODERN_PLACEHOLDER = (
    "INSERT INTO message (_id, chat_row_id, from_me, key_id) VALUES (1, -1, 0, '-1')"
)

WhatsAppLayout = Literal["legacy_full", "modern_full", "both"]


def _modern_only_placeholder(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        for statement in MODERN_SCHEMA:
            if statement.startswith(("CREATE TABLE message ", "CREATE UNIQUE INDEX message_")):
                conn.execute(statement)
        conn.execute(_MODERN_PLACEHOLDER)
    conn.close()


def _legacy_from_modern(db: Path, keep: Callable[[int], bool]) -> list[str]:
    """Add the legacy ``messages`` table (placeholder row first) holding the modern
    messages for which ``keep(i)`` is true; return their key_ids."""
    with sqlite3.connect(db) as conn:
        for statement in LEGACY_SCHEMA:
            if statement.startswith(("CREATE TABLE messages ", "CREATE UNIQUE INDEX messages_")):
                conn.execute(statement)
        conn.execute(_LEGACY_PLACEHOLDER)
        rows = conn.execute(
            "SELECT j.raw_string, m.from_me, m.key_id, m.status, m.text_data, m.timestamp, "
            "m.received_timestamp FROM message AS m JOIN chat AS c ON c._id = m.chat_row_id "
            "LEFT JOIN jid_map AS jm ON jm.lid_row_id = c.jid_row_id "
            "JOIN jid AS j ON j._id = coalesce(jm.jid_row_id, c.jid_row_id) "
            "WHERE m.chat_row_id != -1 ORDER BY m._id"
        ).fetchall()
        chosen = [r for i, r in enumerate(rows) if keep(i)]
        conn.executemany(
            "INSERT INTO messages (key_remote_jid, key_from_me, key_id, status, data, "
            "timestamp, received_timestamp, media_wa_type) VALUES (?, ?, ?, ?, ?, ?, ?, '0')",
            chosen,
        )
    conn.close()
    return [str(r[2]) for r in chosen]


def write_whatsapp_tables(
    out: str | Path, *, layout: WhatsAppLayout, container: Container = "zip", seed: int = 0
) -> Variant:
    """An Android extraction whose ``msgstore.db`` holds both message tables.

    ``legacy_full``: the legacy ``messages`` holds every message and the new ``message``
    only its placeholder row (an app that created the new table but has not migrated);
    ``modern_full``: the reverse (a migrated database keeping the old table's placeholder);
    ``both``: a migration caught half-way: the first two thirds in ``messages``, the last
    two thirds in ``message`` (the middle third in both, same ``key_id``)."""
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        if layout == "legacy_full":
            key = _base_tree(tree, "android", seed, wal=False, whatsapp="legacy")
            _modern_only_placeholder(tree / _MSGSTORE)
            total = _counts(key)["wa_messages"]
            answer: dict[str, Any] = {"legacy": total, "modern": 0, "overlap": 0}
        else:
            key = _base_tree(tree, "android", seed, wal=False)
            total = _counts(key)["wa_messages"]
            if layout == "modern_full":
                _legacy_from_modern(tree / _MSGSTORE, lambda _i: False)
                answer = {"legacy": 0, "modern": total, "overlap": 0}
            else:
                third = total // 3
                legacy_keys = _legacy_from_modern(tree / _MSGSTORE, lambda i: i < total - third)
                conn = sqlite3.connect(tree / _MSGSTORE, isolation_level=None)
                conn.execute(
                    "DELETE FROM message WHERE chat_row_id != -1 AND _id IN "
                    "(SELECT _id FROM message WHERE chat_row_id != -1 ORDER BY _id LIMIT ?)",
                    (third,),
                )
                conn.execute("VACUUM")
                modern = conn.execute(
                    "SELECT count(*) FROM message WHERE chat_row_id != -1"
                ).fetchone()[0]
                conn.close()
                answer = {
                    "legacy": len(legacy_keys),
                    "modern": int(modern),
                    "overlap": len(legacy_keys) + int(modern) - total,
                }
        exhibit = _pack(tree, out, f"whatsapp_{layout}", container, "Dump/")
    return Variant(exhibit, {"layout": layout, "messages": total, **answer})


# -- damaged WAL ---------------------------------------------------------------------------


def _commit_per_row(db: Path, table: str, key: str, tail: int) -> list[dict[str, Any]]:
    """Move the last ``tail`` rows of ``table`` into a ``-wal``, one commit per row, as a
    live app leaves them; return per commit the row key and the WAL frame range."""
    with tempfile.TemporaryDirectory(prefix="variant-wal-") as tmp:
        work = Path(tmp) / db.name
        shutil.copyfile(db, work)
        conn = sqlite3.connect(work, isolation_level=None)
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
        rows = conn.execute(
            f'SELECT * FROM "{table}" ORDER BY "{key}" DESC LIMIT ?', (tail,)
        ).fetchall()[::-1]
        conn.execute(f'DELETE FROM "{table}" WHERE "{key}" >= ?', (rows[0][columns.index(key)],))
        conn.execute("VACUUM")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        wal = work.with_name(work.name + "-wal")
        commits = []
        marks = ", ".join("?" for _ in columns)
        for row in rows:
            before = (
                (wal.stat().st_size - WAL_HEADER) // (page_size + WAL_FRAME_HEADER)
                if (wal.exists() and wal.stat().st_size)
                else 0
            )
            conn.execute(f'INSERT INTO "{table}" VALUES ({marks})', row)
            after = (wal.stat().st_size - WAL_HEADER) // (page_size + WAL_FRAME_HEADER)
            commits.append({"key": row[columns.index(key)], "frames": [before + 1, after]})
        shutil.copyfile(work, db)
        shutil.copyfile(wal, db.with_name(db.name + "-wal"))
        conn.close()
    fix_wal_salts(db.with_name(db.name + "-wal"))
    return commits


def _damage(wal: Path, damage: Damage, frame: int) -> None:
    """Damage ``wal`` at 1-based ``frame`` (see :func:`write_damaged_wal`)."""
    data = bytearray(wal.read_bytes())
    magic, _v, page_size = struct.unpack(">3I", data[:12])
    fmt = ">" if magic & 1 else "<"
    size = WAL_FRAME_HEADER + page_size
    at = WAL_HEADER + (frame - 1) * size
    if damage == "salt":  # this frame and the rest belong to an earlier WAL generation
        for pos in range(at, len(data) - size + 1, size):
            data[pos + 8 : pos + 16] = struct.pack(">2I", 0x0BADC0DE, 0x0EA71E55)
    elif damage == "checksum":  # one byte of the page changed after it was written
        data[at + WAL_FRAME_HEADER + page_size // 2] ^= 0xFF
    elif damage == "torn":  # the copy stopped in the middle of the last frame
        del data[WAL_HEADER + (frame - 1) * size + size // 2 :]
    elif damage == "header":  # the WAL header checksum no longer matches
        data[24] ^= 0xFF
    elif damage == "uncommitted":  # the last frame is valid but is no commit frame
        if frame != (len(data) - WAL_HEADER) // size:
            raise ValueError("uncommitted damage applies to the last frame")
        data[at + 4 : at + 8] = b"\x00\x00\x00\x00"
        previous = at - size + 16 if frame > 1 else 24  # the cumulative checksum so far
        s1, s2 = struct.unpack(">2I", data[previous : previous + 8])
        s1, s2 = wal_checksum(bytes(data[at : at + 8]), s1, s2, fmt)
        s1, s2 = wal_checksum(bytes(data[at + WAL_FRAME_HEADER : at + size]), s1, s2, fmt)
        data[at + 16 : at + 24] = struct.pack(">2I", s1, s2)
    wal.write_bytes(bytes(data))


_WAL_TARGETS: dict[OS, tuple[str, str, str]] = {
    # os -> (device path, table, key column)
    "android": (_MMSSMS, "sms", "_id"),
    "ios": (_SMS_DB, "message", "ROWID"),
}


def write_damaged_wal(
    out: str | Path,
    *,
    damage: Damage,
    os: OS = "android",
    tail: int = 4,
    container: Container = "dir",
    seed: int = 0,
) -> Variant:
    """An extraction whose SMS database keeps its last ``tail`` messages in the ``-wal``,
    one commit each, damaged by ``damage``: ``salt`` (the frames of the third commit on
    carry other salts), ``checksum`` (a page byte of the third commit changed), ``torn``
    (the last frame cut in half), ``header`` (the WAL header checksum broken: SQLite ignores
    the whole WAL), ``uncommitted`` (the last frame no commit frame).

    The key gives the frames SQLite applies (``applied_frames``), the damaged frame, the
    first frame not applied (the first of the first commit not applied), and the rows a
    reader must show (``rows``): those of the main file plus those of the commits whose
    commit frame comes before the damage, in ``table`` (``sms`` of mmssms.db, ``message``
    of sms.db)."""
    device_path, table, key_column = _WAL_TARGETS[os]
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        _base_tree(tree, os, seed, wal=False)
        db = tree / device_path
        with sqlite3.connect(db) as conn:
            total = int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
        conn.close()
        commits = _commit_per_row(db, table, key_column, tail)
        frames = commits[-1]["frames"][1]
        if damage in ("salt", "checksum"):
            first_bad = commits[2]["frames"][0] if len(commits) > 2 else 1
        elif damage in ("torn", "uncommitted"):
            first_bad = frames
        else:
            first_bad = 1
        _damage(db.with_name(db.name + "-wal"), damage, first_bad)
        applied = [c for c in commits if c["frames"][1] < first_bad] if damage != "header" else []
        exhibit = _pack(tree, out, f"{os}_wal_{damage}", container, "")
    return Variant(
        exhibit,
        {
            "os": os,
            "damage": damage,
            "device_path": device_path,
            "wal_frames": frames,
            "damaged_frame": first_bad,
            "applied_frames": applied[-1]["frames"][1] if applied else 0,
            # the first frame SQLite does not apply: that of the first commit not applied
            "first_skipped_frame": (applied[-1]["frames"][1] if applied else 0) + 1,
            "commits": commits,
            "table": table,
            "rows": total - tail + len(applied),
            "rows_lost": tail - len(applied),
            "rows_if_all_applied": total,
        },
    )


# -- odd property lists --------------------------------------------------------------------

PlistOddity = Literal["version_dict", "version_bytes", "root_list", "network_not_dict"]


def write_odd_plists(
    out: str | Path, *, oddity: PlistOddity, container: Container = "dir", seed: int = 0
) -> Variant:
    """An iOS extraction with one property list whose types are not the expected ones:
    ``version_dict`` (``SystemVersion.plist`` ``ProductVersion`` a dictionary),
    ``version_bytes`` (``ProductVersion`` data bytes), ``root_list`` (``SystemVersion.plist``
    an array), ``network_not_dict`` (a known-networks entry that is a string, next to a
    well-formed one whose ``SSID`` is data bytes as iOS writes it)."""
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        _base_tree(tree, "ios", seed, wal=False)
        version = tree / _SYSTEM_VERSION
        info = plistlib.loads(version.read_bytes())
        answer: dict[str, Any] = {"oddity": oddity}
        if oddity == "version_dict":
            info["ProductVersion"] = {"major": 17, "minor": 4}
            answer.update(file=_SYSTEM_VERSION, key="ProductVersion")
        elif oddity == "version_bytes":
            info["ProductVersion"] = b"17.4"
            answer.update(file=_SYSTEM_VERSION, key="ProductVersion")
        if oddity in ("version_dict", "version_bytes"):
            version.write_bytes(plistlib.dumps(info, fmt=plistlib.FMT_BINARY))
        elif oddity == "root_list":
            version.write_bytes(plistlib.dumps([info], fmt=plistlib.FMT_XML))
            answer.update(file=_SYSTEM_VERSION, key=None)
        else:
            networks = tree / _KNOWN_NETWORKS
            networks.parent.mkdir(parents=True, exist_ok=True)
            buffer = io.BytesIO()
            plistlib.dump(
                {
                    "wifi.network.ssid.HomeNet": {"SSID": b"HomeNet", "SupportedSecurityTypes": 4},
                    "wifi.network.ssid.Broken": "not a dictionary",
                },
                buffer,
                fmt=plistlib.FMT_BINARY,
            )
            networks.write_bytes(buffer.getvalue())
            answer.update(file=_KNOWN_NETWORKS, key="wifi.network.ssid.Broken", good=1)
        exhibit = _pack(tree, out, f"ios_plist_{oddity}", container, "filesystem1/")
    return Variant(exhibit, answer)


BackupOddity = Literal["encrypted_string", "lockdown_string", "serial_dict", "info_array"]


def write_odd_backup(out: str | Path, *, oddity: BackupOddity, seed: int = 0) -> Variant:
    """An iTunes/Finder backup folder whose ``Manifest.plist`` or ``Info.plist`` holds a type
    the format does not use there: ``encrypted_string`` (``IsEncrypted`` the string "NO"),
    ``lockdown_string`` (``Lockdown`` a string, not a dictionary), ``serial_dict`` (Info.plist
    ``Serial Number`` a dictionary), ``info_array`` (Info.plist an array)."""
    from forensics_datasets.phone.itunes import write_itunes_backup
    from forensics_datasets.phone.scenario import make_scenario

    out = Path(out)
    notes = write_itunes_backup(out, make_scenario(seed))
    root = out / str(notes["udid"])
    manifest = plistlib.loads((root / "Manifest.plist").read_bytes())
    info = plistlib.loads((root / "Info.plist").read_bytes())
    answer: dict[str, Any] = {"oddity": oddity}
    if oddity == "encrypted_string":
        manifest["IsEncrypted"] = "NO"
        answer.update(file="Manifest.plist", key="IsEncrypted", when="open")
    elif oddity == "lockdown_string":
        manifest["Lockdown"] = "iPhone15,2"
        answer.update(file="Manifest.plist", key="Lockdown", when="device")
    elif oddity == "serial_dict":
        info["Serial Number"] = {"value": "EXAMPLESERIAL1"}
        answer.update(file="Info.plist", key="Serial Number", when="device")
    else:
        answer.update(file="Info.plist", key=None, when="open")
    (root / "Manifest.plist").write_bytes(plistlib.dumps(manifest, fmt=plistlib.FMT_BINARY))
    (root / "Info.plist").write_bytes(plistlib.dumps([info] if oddity == "info_array" else info))
    return Variant(root, answer)


# iOS 4/5 sms.db, as dumped from a device of that era (the tables the readers touch).
_IOS5_SMS_SCHEMA = (
    "CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key))",
    "CREATE TABLE msg_group (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, type INTEGER, "
    "newest_message INTEGER, unread_count INTEGER, hash INTEGER)",
    "CREATE TABLE group_member (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER, "
    "address TEXT, country TEXT)",
    "CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT, date "
    "INTEGER, text TEXT, flags INTEGER, replace INTEGER, svc_center TEXT, group_id INTEGER, "
    "association_id INTEGER, height INTEGER, UIFlags INTEGER, version INTEGER, subject TEXT, "
    "country TEXT, headers BLOB, recipients BLOB, read INTEGER, madrid_attributedBody BLOB, "
    "madrid_handle TEXT, madrid_version INTEGER, madrid_guid TEXT, madrid_type INTEGER, "
    "madrid_roomname TEXT, madrid_service TEXT, madrid_account TEXT, madrid_account_guid "
    "TEXT, madrid_flags INTEGER, madrid_attachmentInfo BLOB, madrid_url TEXT, madrid_error "
    "INTEGER, is_madrid INTEGER, madrid_date_read INTEGER, madrid_date_delivered INTEGER)",
)


def write_ios5_sms(out: str | Path, *, imessages: int = 0, seed: int = 0) -> Variant:
    """An iOS extraction whose ``sms.db`` has the iOS 5 (and older) ``message`` table:
    ``address``, ``date`` in Unix seconds, ``flags`` 2 received / 3 sent, ``group_id``; plus
    ``imessages`` iMessage ("madrid") rows, which a reader must announce, not hide."""
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        key = _base_tree(tree, "ios", seed, wal=False)
        db = tree / _SMS_DB
        db.unlink()
        conn = sqlite3.connect(db)
        for statement in _IOS5_SMS_SCHEMA:
            conn.execute(statement)
        messages = key["scenario"]["messages"]
        groups: dict[str, int] = {}
        for m in messages:
            groups.setdefault(m["address"], len(groups) + 1)
        conn.executemany(
            "INSERT INTO msg_group (ROWID, type, newest_message, unread_count, hash) "
            "VALUES (?, 0, 0, 0, 0)",
            [(g,) for g in groups.values()],
        )
        conn.executemany(
            "INSERT INTO group_member (group_id, address, country) VALUES (?, ?, 'gb')",
            [(g, a) for a, g in groups.items()],
        )
        rows = []
        for i, m in enumerate(messages):
            unix = int(pd.Timestamp(m["time"]).timestamp())
            rows.append(
                (
                    i + 1,
                    m["address"],
                    unix,
                    m["body"],
                    3 if m["outgoing"] else 2,
                    groups[m["address"]],
                    int(m["read"]),
                    0,
                )
            )
        for j in range(imessages):
            rows.append((len(messages) + j + 1, None, 0, f"iMessage {j}", 0, 1, 1, 1))
        conn.executemany(
            "INSERT INTO message (ROWID, address, date, text, flags, group_id, read, is_madrid) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.commit()
        conn.close()
        exhibit = _pack(tree, out, "ios5_sms", "dir", "filesystem1/")
    first = messages[0]
    return Variant(
        exhibit,
        {
            "sms": len(messages),
            "imessages": imessages,
            "first": {
                "time": first["time"],
                "address": first["address"],
                "body": first["body"],
                "outgoing": first["outgoing"],
            },
        },
    )


_CALLLOG = "data/data/com.android.providers.contacts/databases/calllog.db"
_CONTACTS2 = "data/data/com.android.providers.contacts/databases/contacts2.db"


def write_android_calls_twice(out: str | Path, *, seed: int = 0) -> Variant:
    """An Android extraction whose contacts2.db still holds the ``calls`` table that
    Android 7+ moved to calllog.db: every call of calllog.db copied there, plus one older
    call that only contacts2.db holds.

    A reader test, not a state a release writes: AOSP ``CallLogDatabaseHelper.
    migrateFromLegacyTables`` copies contacts2.db's ``calls`` into a new calllog.db once
    (on the first boot of Android 7 after an upgrade from 6 or older) and then drops it; the
    table survives only when that migration threw (the calllog.db copy is then rolled
    back). So this tree's declared release (a Pixel 7 on Android 14, which never ran 6) and
    its leftover table do not belong together; a faithful version needs the Android 7
    calllog.db and contacts2.db schemas, which the generator does not have yet."""
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        key = _base_tree(tree, "android", seed, wal=False)
        conn = sqlite3.connect(tree / _CONTACTS2)
        conn.execute("ATTACH DATABASE ? AS new", (str(tree / _CALLLOG),))
        schema = conn.execute(
            "SELECT sql FROM new.sqlite_master WHERE type = 'table' AND name = 'calls'"
        ).fetchone()[0]
        conn.execute(schema)
        conn.execute("INSERT INTO main.calls SELECT * FROM new.calls")
        first = conn.execute("SELECT min(date) FROM main.calls").fetchone()[0]
        conn.execute(
            "INSERT INTO main.calls (_id, number, date, duration, type) "
            "VALUES ((SELECT max(_id) + 1 FROM main.calls), '+447700900999', ?, 42, 2)",
            (int(first) - 86_400_000,),
        )
        conn.commit()
        conn.execute("DETACH DATABASE new")
        conn.close()
        calls = len(key["scenario"]["calls"])
        exhibit = _pack(tree, out, "android_calls_twice", "dir", "Dump/")
    return Variant(exhibit, {"calls": calls + 1, "copies": calls, "only_old": 1})


def write_user0_copy(
    out: str | Path, *, identical: bool = True, container: Container = "zip", seed: int = 0
) -> Variant:
    """An Android extraction holding every app folder twice, as ``/data/data/<app>`` and as
    ``/data/user/0/<app>`` (the same folder on the device: a tool that did not keep the link
    copied both). With ``identical`` False the second mmssms.db lacks its last SMS (a copy
    taken at another time)."""
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        key = _base_tree(tree, "android", seed, wal=False)
        shutil.copytree(tree / "data" / "data", tree / "data" / "user" / "0")
        if not identical:
            conn = sqlite3.connect(
                tree / "data" / "user" / "0" / _MMSSMS.removeprefix("data/data/")
            )
            conn.execute("DELETE FROM sms WHERE _id = (SELECT max(_id) FROM sms)")
            conn.commit()
            conn.execute("VACUUM")
            conn.close()
        exhibit = _pack(
            tree, out, f"android_user0_{'same' if identical else 'differs'}", container, "Dump/"
        )
    return Variant(exhibit, {"identical": identical, "counts": _counts(key)})


_STRAY_RELATIVE = "Library/SMS/Drafts/planted.db"


def write_backup_stray_wal(out: str | Path, *, seed: int = 0) -> Variant:
    """An iTunes/Finder backup folder with a stray ``Manifest.db-wal`` beside ``Manifest.db``:
    one committed WAL transaction adding a ``Files`` row (HomeDomain
    ``Library/SMS/Drafts/planted.db``, its stored file written too). The answer key holds the
    listed file count (without the WAL), the count SQLite shows with it, the planted device
    path and the WAL's name relative to the backup folder."""
    from forensics_datasets.phone.itunes import file_id, write_itunes_backup
    from forensics_datasets.phone.scenario import make_scenario

    out = Path(out)
    notes = write_itunes_backup(out, make_scenario(seed))
    root = out / str(notes["udid"])
    manifest = root / "Manifest.db"
    fid = file_id("HomeDomain", _STRAY_RELATIVE)
    stored = root / fid[:2] / fid
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(b"planted by a stray -wal\n")
    conn = sqlite3.connect(manifest)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()  # checkpointed: the listed Manifest.db (now in WAL mode), no -wal left
    with tempfile.TemporaryDirectory(prefix="stray-wal-") as tmp:
        copy = Path(tmp) / "Manifest.db"
        shutil.copyfile(manifest, copy)
        conn = sqlite3.connect(copy)
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.execute(
            "INSERT INTO Files VALUES (?, 'HomeDomain', ?, 1, NULL)", (fid, _STRAY_RELATIVE)
        )
        conn.commit()
        shutil.copyfile(copy.with_name("Manifest.db-wal"), root / "Manifest.db-wal")
        conn.close()
    listed = int(notes["files"])
    return Variant(
        root,
        {
            "files": listed,
            "files_with_wal": listed + 1,
            "planted": f"/private/var/mobile/{_STRAY_RELATIVE}",
            "companion": "Manifest.db-wal",
        },
    )


# iOS 6 call_history.db, as dumped from a device of that era (richinfante/iphonebackuptools
# schemas/calls/calls2_6.1.6.sql; the outgoing/incoming triggers tell the flags bit 0).
_IOS7_CALL_SCHEMA = (
    "CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key))",
    "CREATE TABLE call (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT, date INTEGER, "
    "duration INTEGER, flags INTEGER, id INTEGER, name TEXT, country_code TEXT, network_code "
    "TEXT, read INTEGER, assisted INTEGER, face_time_data BLOB, originalAddress TEXT)",
    "CREATE INDEX date_index on call(date)",
)
_CALL_HISTORY_DB = "private/var/wireless/Library/CallHistory/call_history.db"
_CALLHISTORY_STOREDATA = "private/var/mobile/Library/CallHistoryDB/CallHistory.storedata"
#: call.flags as an iOS 6 device writes them (The iPhone Wiki "Call History Database").
IOS7_CALL_FLAGS = {"incoming": 4, "missed": 4, "outgoing": 5}


def write_ios7_calls(out: str | Path, *, facetime: int = 0, seed: int = 0) -> Variant:
    """An iOS extraction of iOS 7 or older: the calls in ``call_history.db`` (table ``call``:
    ``date`` Unix seconds, ``flags`` 4 incoming / 5 outgoing, a missed call incoming with
    duration 0) instead of ``CallHistory.storedata``, plus ``facetime`` FaceTime calls
    (``flags`` 16 | 1, outgoing, 60 s). The answer key lists every call as written."""
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp)
        key = _base_tree(tree, "ios", seed, wal=False)
        (tree / _CALLHISTORY_STOREDATA).unlink()
        db = tree / _CALL_HISTORY_DB
        db.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(db)
        for statement in _IOS7_CALL_SCHEMA:
            conn.execute(statement)
        calls: list[dict[str, Any]] = []
        for c in key["scenario"]["calls"]:
            duration = 0 if c["label"] == "missed" else int(c["duration_s"])
            calls.append(
                {
                    "unix": int(pd.Timestamp(c["time"]).timestamp()),
                    "number": c["number"],
                    "name": c["name"],
                    "label": c["label"],
                    "duration_s": duration,
                    "flags": IOS7_CALL_FLAGS[c["label"]],
                    "service": "Phone",
                }
            )
        last = max((c["unix"] for c in calls), default=1_262_304_000)
        for j in range(facetime):
            calls.append(
                {
                    "unix": last + 3600 * (j + 1),
                    "number": f"facetime{j}@example.org",
                    "name": None,
                    "label": "outgoing",
                    "duration_s": 60,
                    "flags": 16 | 1,
                    "service": "FaceTime",
                }
            )
        conn.executemany(
            "INSERT INTO call (ROWID, address, date, duration, flags, id, name, country_code, "
            "network_code, read, assisted, face_time_data, originalAddress) "
            "VALUES (?, ?, ?, ?, ?, -1, ?, '234', '10', 1, 0, NULL, ?)",
            [
                (i, c["number"], c["unix"], c["duration_s"], c["flags"], c["name"], c["number"])
                for i, c in enumerate(calls, start=1)
            ],
        )
        conn.commit()
        conn.close()
        exhibit = _pack(tree, out, "ios7_calls", "dir", "filesystem1/")
    for c in calls:
        c["time"] = pd.Timestamp(c["unix"], unit="s", tz="UTC").isoformat()
    return Variant(exhibit, {"calls": calls, "device_path": f"/{_CALL_HISTORY_DB}"})


AdbForm = Literal["ab", "ab_plain", "ab_encrypted", "tar", "dir"]
#: FullBackup.java tree tokens for the app folders the generated extraction holds.
_ADB_TOKENS = {"databases": "db", "shared_prefs": "sp", "files": "f", "cache": "c"}


def _adb_name(rel: str) -> str | None:
    """``apps/<pkg>/<token>/...`` for ``data/data/<pkg>/...`` (None outside app folders)."""
    parts = rel.split("/")
    if len(parts) < 4 or parts[:2] != ["data", "data"]:
        return None
    pkg, folder, rest = parts[2], parts[3], parts[4:]
    token = _ADB_TOKENS.get(folder)
    if token is None or not rest:
        return "/".join(["apps", pkg, "r", folder, *rest])
    return "/".join(["apps", pkg, token, *rest])


def write_adb_backup(
    out: str | Path, *, form: AdbForm = "ab", wal: bool = True, seed: int = 0
) -> Variant:
    """An Android ``adb backup`` of the generated phone's apps: every ``/data/data/<pkg>``
    file under ``apps/<pkg>/<token>/`` (``db``, ``sp``, ``f``, ``r``; FullBackup.java), an
    ``apps/<pkg>/_manifest`` first for each app and one ``sp/*.xml``; no build.prop (a
    backup holds app data only). ``form``: ``ab`` (header "ANDROID BACKUP\\n5\\n1\\nnone\\n"
    then the zlib-deflated tar), ``ab_plain`` (compressed 0: the bare tar), ``ab_encrypted``
    (AES-256 header, random bytes), ``tar`` (the tar alone) or ``dir`` (the tar unpacked).
    The answer key holds the scenario counts (a reader must find every SMS, call, contact,
    WhatsApp message of it)."""
    import os
    import random
    import tarfile
    import zlib

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="variant-tree-") as tmp:
        tree = Path(tmp) / "tree"
        key = _base_tree(tree, "android", seed, wal=wal)
        adb = Path(tmp) / "adb"
        packages: list[str] = []
        for path in sorted(p for p in tree.rglob("*") if p.is_file()):
            name = _adb_name(path.relative_to(tree).as_posix())
            if name is None:
                continue
            pkg = name.split("/")[1]
            if pkg not in packages:
                packages.append(pkg)
                manifest = adb / "apps" / pkg / "_manifest"
                manifest.parent.mkdir(parents=True, exist_ok=True)
                manifest.write_text(f"1\n{pkg}\n1\n34\n\n0\n0\n", encoding="ascii")
            dest = adb / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
        prefs = adb / "apps" / "com.whatsapp" / "sp" / "com.whatsapp_preferences.xml"
        prefs.parent.mkdir(parents=True, exist_ok=True)
        prefs.write_text(
            "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n"
            '    <string name="registration_jid">447700900000</string>\n</map>\n',
            encoding="utf-8",
        )
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            for pkg in packages:  # each app: its _manifest first, as the backup agent writes
                app = adb / "apps" / pkg
                tar.add(app / "_manifest", arcname=f"apps/{pkg}/_manifest")
                for p in sorted(app.rglob("*")):
                    if p.is_file() and p.name != "_manifest":
                        tar.add(p, arcname=p.relative_to(adb).as_posix())
        raw = buffer.getvalue()
        if form == "dir":
            exhibit = out / "adb_backup"
            shutil.copytree(adb, exhibit)
        elif form == "tar":
            exhibit = out / "backup.tar"
            exhibit.write_bytes(raw)
        else:
            exhibit = out / "backup.ab"
            if form == "ab":
                body = b"ANDROID BACKUP\n5\n1\nnone\n" + zlib.compress(raw, 6)
            elif form == "ab_plain":
                body = b"ANDROID BACKUP\n5\n0\nnone\n" + raw
            else:
                rng = random.Random(seed)
                hexes = [rng.randbytes(n).hex().upper().encode() for n in (64, 64, 16, 96)]
                body = (
                    b"ANDROID BACKUP\n5\n1\nAES-256\n"
                    + hexes[0]
                    + b"\n"
                    + hexes[1]
                    + b"\n10000\n"
                    + hexes[2]
                    + b"\n"
                    + hexes[3]
                    + b"\n"
                    + rng.randbytes(len(raw) // 4 + 16)
                )
            exhibit.write_bytes(body)
            os.utime(exhibit, (1_700_000_000, 1_700_000_000))
    return Variant(
        exhibit,
        {
            "form": form,
            "encrypted": form == "ab_encrypted",
            "packages": packages,
            "counts": _counts(key),
        },
    )
