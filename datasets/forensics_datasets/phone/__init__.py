"""Synthetic Android and iOS full-file-system extractions, with their answer keys.

>>> from forensics_datasets.phone import make_phone_extraction   # doctest: +SKIP
>>> case = make_phone_extraction("out", os="android", seed=3, container="zip")
>>> case.exhibit, case.answer_key["scenario"]["messages"][0]

The same ``seed`` (and sizes) gives the same :class:`Scenario` for both OSes, so the Android
and the iOS extraction hold the same contacts, calls and messages, each in its own formats.
Containers: ``zip`` (names under a vendor folder, Cellebrite-style ``/filesystem1/`` for iOS
or ``Dump/`` for Android), ``tar``/``tgz`` (GrayKey-style, under ``filesystem1/``), or ``dir``.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from forensics_datasets.phone._pack import WalState, pack
from forensics_datasets.phone.android import (
    ACQUISITION_RECORD,
    DEFAULT_ANDROID,
    acquisition_record,
    write_android_tree,
)
from forensics_datasets.phone.extras_model import Extras
from forensics_datasets.phone.ios import write_ios_tree
from forensics_datasets.phone.linphone import Linphone
from forensics_datasets.phone.media import (
    Shot,
    camera_files,
    camera_key,
    default_drone_logs,
    default_shots,
    drone_log_files,
    make_fixes,
    make_places,
    write_android_places,
    write_ios_fixes,
)
from forensics_datasets.phone.media_index import write_android_media_index, write_ios_photos
from forensics_datasets.phone.scenario import Call, Contact, Message, Scenario, make_scenario
from forensics_datasets.phone.whatsapp_contacts import (
    write_android_wa_contacts,
    write_ios_wa_contacts,
)

__all__ = [
    "PHONE_VERSION",
    "Call",
    "Contact",
    "Message",
    "PhoneExtraction",
    "Scenario",
    "Shot",
    "camera_files",
    "camera_key",
    "drone_log_files",
    "make_phone_extraction",
    "make_scenario",
]

PHONE_VERSION = 1
Container = Literal["zip", "tar", "tgz", "dir"]
_DEFAULT_PREFIX = {
    ("android", "zip"): "Dump/",
    ("ios", "zip"): "/filesystem1/",
    ("android", "tar"): "EXH-002/filesystem1/",
    ("ios", "tar"): "filesystem1/",
    ("android", "tgz"): "EXH-002/filesystem1/",
    ("ios", "tgz"): "filesystem1/",
    ("android", "dir"): "Extraction_01/fs/",
    ("ios", "dir"): "Extraction_01/filesystem1/",
}


@dataclass(frozen=True)
class PhoneExtraction:
    """A written extraction, its answer key (also saved as JSON beside it) and scenario."""

    exhibit: Path
    answer_key: dict[str, Any]
    scenario: Scenario


def make_phone_extraction(
    out: str | Path,
    *,
    os: Literal["android", "ios"],
    seed: int = 0,
    container: Container = "zip",
    prefix: str | None = None,
    contacts: int = 8,
    messages: int = 60,
    calls: int = 30,
    wa_messages: int = 40,
    wa_calls: int = 10,
    wal: bool = True,
    whatsapp: Literal["modern", "legacy"] = "modern",
    name: str | None = None,
    extras: bool | Extras = False,
    linphone: bool | Linphone = False,
    scenario: Scenario | None = None,
    files: Mapping[str, bytes] | None = None,
    media: bool | Sequence[Shot] = False,
    locations: bool = False,
    whatsapp_contacts: bool = False,
    drone_logs: bool | Mapping[str, bytes] = False,
    deleted_sms: int | Sequence[Message] = 0,
    android_version: str = DEFAULT_ANDROID,
) -> PhoneExtraction:
    """Write one extraction into ``out`` (created) and its ``<name>.answer_key.json``.

    A composed case passes its own ``scenario`` (else one is made from ``seed`` and the
    sizes), its own ``extras`` / ``linphone`` data (``True`` makes seeded ones), and
    ``files``: more files by device path (photos, drone logs...), written into the tree
    before it is packed.

    Off by default (so existing extractions stay byte-identical): ``media`` camera photos
    (``True``: :func:`~forensics_datasets.phone.media.default_shots`, or your own
    :class:`Shot` list), ``locations`` (Google Maps labelled places on Android, routined
    fixes on iOS), ``whatsapp_contacts`` (ContactsV2.sqlite; Android's wa.db is always
    written, as the app always keeps it), ``drone_logs``
    (``True``: a readable and an encrypted DJI record, or name -> bytes of your own, placed
    by :func:`drone_log_files`), ``deleted_sms`` (messages written then deleted, left in the
    free space of mmssms.db / sms.db: your own :class:`Message` list, or a count of seeded
    ones; listed under ``writer.deleted_sms`` with ``bytes_in_file``). Each adds its answer
    under ``writer`` in the key. ``android_version``: the Android release the phone runs
    (``forensics_datasets.phone.android.ANDROID_RELEASES``); build.prop, the acquisition
    record and every provider database follow it."""
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    if scenario is None:
        scenario = make_scenario(
            seed,
            contacts=contacts,
            messages=messages,
            calls=calls,
            wa_messages=wa_messages,
            wa_calls=wa_calls,
        )
    stem = name or f"EXH-{seed:03d}_{os}_ffs"
    suffix = {"zip": ".zip", "tar": ".tar", "tgz": ".tar.gz", "dir": ""}[container]
    exhibit = root / f"{stem}{suffix}"
    lead = _DEFAULT_PREFIX[(os, container)] if prefix is None else prefix
    with tempfile.TemporaryDirectory(prefix="phone-tree-") as tmp:
        tree = Path(tmp)
        if os == "android":
            notes = write_android_tree(
                tree,
                scenario,
                wal=wal,
                whatsapp=whatsapp,
                extras=extras,
                linphone=linphone,
                deleted_sms=deleted_sms,
                android_version=android_version,
            )
        else:
            notes = write_ios_tree(
                tree, scenario, wal=wal, extras=extras, linphone=linphone, deleted_sms=deleted_sms
            )
        db_wal: WalState = "tail" if wal else "none"
        photos: dict[str, dict[str, Any]] = {}
        zones: dict[str, str] = {}
        if media:
            shots = default_shots(seed) if media is True else list(media)
            notes["media"] = camera_key(os, shots)
            _write_files(tree, camera_files(os, shots))
            photos = {p["path"]: p for p in notes["media"]}
            zones = {p["path"]: s.zone for p, s in zip(notes["media"], shots, strict=True)}
        if locations:
            if os == "android":
                notes["locations"] = write_android_places(tree, make_places(seed), wal=db_wal)
            else:
                notes["locations"] = write_ios_fixes(tree, make_fixes(seed), wal=db_wal)
        if os == "android":  # WhatsApp always keeps wa.db beside msgstore.db
            notes["whatsapp_contacts"] = write_android_wa_contacts(
                tree, scenario, wal=db_wal, lid_every=3 if whatsapp == "modern" else None
            )
        elif whatsapp_contacts:
            notes["whatsapp_contacts"] = write_ios_wa_contacts(tree, scenario, wal=db_wal)
        if drone_logs:
            logs, log_keys = (
                default_drone_logs(seed) if drone_logs is True else (dict(drone_logs), [])
            )
            placed = drone_log_files(os, logs)
            _write_files(tree, placed)
            notes["drone_logs"] = {"paths": list(placed), "logs": log_keys}
        for device_path, data in (files or {}).items():
            target = tree / device_path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if files:
            notes["files"] = sorted(files)
        # Every phone indexes its shared storage: MediaProvider's external.db, Photos.sqlite.
        if os == "android":
            notes["media_index"] = write_android_media_index(tree, photos, wal=db_wal)
        else:
            notes["media_index"] = write_ios_photos(tree, photos, wal=db_wal, zones=zones)
        beside: dict[str, bytes] = {}
        if os == "android":  # the tool's record of what it read over ADB (serial, IMEI)
            record = _record_name(lead)
            beside[record] = (
                json.dumps(acquisition_record(scenario.seed, android_version), indent=2) + "\n"
            ).encode()
            notes["acquisition_record"] = record
        if container == "dir":
            exhibit.mkdir(parents=True, exist_ok=True)
        pack(tree, exhibit, container, lead, beside)
    key: dict[str, Any] = {
        "version": PHONE_VERSION,
        "seed": seed,
        "os": os,
        "container": container,
        "prefix": lead,
        "exhibit": exhibit.name,
        "writer": notes,
        "scenario": scenario.to_json(),
    }
    key_path = root / f"{stem}.answer_key.json"
    key_path.write_text(json.dumps(key, indent=2, ensure_ascii=False) + "\n")
    return PhoneExtraction(exhibit=exhibit, answer_key=key, scenario=scenario)


def _record_name(prefix: str) -> str:
    """Where the tool's acquisition record lies: beside the dump folder, in its parent
    (``Extraction_01/fs/`` -> ``Extraction_01/acquisition_record.json``; ``Dump/`` -> at
    the top)."""
    parts = [p for p in prefix.strip("/").split("/") if p]
    return "/".join([*parts[:-1], ACQUISITION_RECORD])


def _write_files(tree: Path, files: Mapping[str, bytes]) -> None:
    for device_path, data in files.items():
        target = tree / device_path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
