"""The device an extraction comes from: make, model, OS, version, build, serial, IMEI.

* Android ``build.prop`` (``/system/build.prop``, ``/system/system/build.prop``,
  ``/vendor/build.prop``): ``key=value`` lines; ``ro.product.manufacturer``,
  ``ro.product.model``, ``ro.build.version.release``, ``ro.build.id``, ``ro.serialno``, and
  the partition-qualified ``ro.product.system.*``/``ro.product.vendor.*`` of Android 10+
  (AOSP ``build/make/tools/buildinfo.sh``; ALEAPP ``scripts/artifacts/build.py``).
  A release build.prop holds no serial: the bootloader passes it (``androidboot.serialno``)
  and init makes it the runtime property ``ro.serialno`` (AOSP ``system/core/init/
  property_service.cpp``), never written to /system or /data. Some engineering builds do
  write ``ro.serialno``; it is read, with ``serial_source`` "build.prop".
* The extraction tool's acquisition record (``acquisition_record.json`` beside the dump):
  the serial and IMEI the tool read over ADB (``adb get-serialno``, ``service call
  iphonesubinfo``), which no file of the phone holds; ``serial_source``/``imei_source``
  "acquisition record".
* iOS ``/System/Library/CoreServices/SystemVersion.plist``: ``ProductName`` ("iPhone OS"),
  ``ProductVersion``, ``ProductBuildVersion`` (iLEAPP ``scripts/artifacts/lastBuild.py``).

One row per file; ``row_id`` is 1.
"""

from __future__ import annotations

import json

import pandas as pd

from forensics_lib.core.errors import ParseError
from forensics_lib.core.registry import artifact
from forensics_lib.core.schema import STR, ArtifactSpec, Column, conform
from forensics_lib.phone._safe import parse_plist, plist_kind, plist_value
from forensics_lib.sources import Source, display_path, open_binary, source_path

__all__ = ["ACQUISITION_RECORD", "DEVICE", "parse_build_prop", "read_device"]

_MAX_BYTES = 4 * 2**20

#: The file the extraction tool writes beside the dump with what it read over ADB.
ACQUISITION_RECORD = "acquisition_record.json"

DEVICE = ArtifactSpec(
    id="phone.device",
    family="phone",
    description="Device identity (Android build.prop, iOS SystemVersion.plist)",
    columns=(
        Column("os", STR, "Android or iOS"),
        Column("make", STR, "manufacturer"),
        Column("model", STR, "model"),
        Column("os_version", STR, "OS version, e.g. 14 or 17.5.1"),
        Column("build", STR, "build id"),
        Column("serial", STR, "serial number, where recorded"),
        Column("imei", STR, "IMEI, where recorded"),
        Column("fingerprint", STR, "Android build fingerprint"),
        Column("serial_source", STR, "where the serial was read: acquisition record, build.prop"),
        Column("imei_source", STR, "where the IMEI was read: acquisition record, build.prop"),
    ),
    globs=(
        "**/system/build.prop",
        "**/system/system/build.prop",
        "**/vendor/build.prop",
        "**/System/Library/CoreServices/SystemVersion.plist",
        f"**/{ACQUISITION_RECORD}",
    ),
    references=(
        "ALEAPP scripts/artifacts/build.py",
        "iLEAPP scripts/artifacts/lastBuild.py",
        "AOSP system/core/init/property_service.cpp (androidboot.serialno)",
    ),
)

_RECORD = "acquisition record"
#: Acquisition record device keys -> our columns.
_RECORD_KEYS = {
    "manufacturer": "make",
    "model": "model",
    "android_version": "os_version",
    "build_id": "build",
    "serial": "serial",
    "imei": "imei",
}

_PROP_KEYS: dict[str, tuple[str, ...]] = {
    "make": (
        "ro.product.manufacturer",
        "ro.product.system.manufacturer",
        "ro.product.vendor.manufacturer",
        "ro.product.brand",
    ),
    "model": ("ro.product.model", "ro.product.system.model", "ro.product.vendor.model"),
    "os_version": (
        "ro.build.version.release",
        "ro.system.build.version.release",
        "ro.vendor.build.version.release",
    ),
    "build": ("ro.build.id", "ro.system.build.id", "ro.build.display.id"),
    "serial": ("ro.serialno", "ro.boot.serialno"),
    "imei": ("ro.ril.imei", "persist.radio.imei"),
    "fingerprint": (
        "ro.build.fingerprint",
        "ro.system.build.fingerprint",
        "ro.vendor.build.fingerprint",
    ),
}


def parse_build_prop(data: bytes) -> dict[str, str]:
    """``key=value`` pairs of a build.prop (comments and blank lines skipped; last one wins)."""
    props: dict[str, str] = {}
    for line in data.decode("utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        props[key.strip()] = value.strip()
    return props


def _read_capped(source: Source) -> bytes:
    with open_binary(source) as fh:
        data = fh.read(_MAX_BYTES + 1)
    if len(data) > _MAX_BYTES:
        reason = f"over {_MAX_BYTES:,} bytes; not a config file"
        raise ParseError(display_path(source), None, reason)
    return data


@artifact(DEVICE)
def read_device(source: Source) -> pd.DataFrame:
    """Read a ``build.prop`` or ``SystemVersion.plist`` into one row."""
    data = _read_capped(source)
    row: dict[str, str | None] = {c.name: None for c in DEVICE.columns}
    if source_path(source).rsplit("/", 1)[-1] == ACQUISITION_RECORD:
        row.update(_record_row(data, display_path(source)))
    elif data.startswith((b"bplist00", b"<?xml")) or b"<plist" in data[:512]:
        where = display_path(source)
        plist = parse_plist(data, where)
        if not isinstance(plist, dict):
            raise ParseError(
                where, 0, f"SystemVersion.plist holds {plist_kind(plist)}, not a dictionary"
            )
        row.update(
            os="iOS",
            make="Apple",
            os_version=_str(plist_value(plist, "ProductVersion", (str, int, float), where)),
            build=_str(plist_value(plist, "ProductBuildVersion", (str, int), where)),
        )
    else:
        props = parse_build_prop(data)
        if not any(k.startswith("ro.") for k in props):
            raise ParseError(display_path(source), 0, "no ro.* property: not a build.prop")
        row["os"] = "Android"
        for column, keys in _PROP_KEYS.items():
            row[column] = next((props[k] for k in keys if props.get(k)), None)
        row["serial_source"] = "build.prop" if row["serial"] else None
        row["imei_source"] = "build.prop" if row["imei"] else None
    frame = pd.DataFrame({k: pd.Series([v], dtype="str") for k, v in row.items()})
    frame["artifact"] = DEVICE.id
    frame["source_path"] = source_path(source)
    frame["row_id"] = 1
    return conform(frame, DEVICE)


def _record_row(data: bytes, where: str) -> dict[str, str | None]:
    """The device identity of an acquisition record (a JSON object whose ``device`` object
    holds the values the tool read); a value of another type is a ParseError naming it."""
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(where, None, f"not an acquisition record (no JSON: {exc})") from exc
    device = record.get("device") if isinstance(record, dict) else None
    if not isinstance(device, dict):
        raise ParseError(where, 0, "not an acquisition record (no 'device' object)")
    row: dict[str, str | None] = {"os": "Android" if record.get("method") == "adb" else None}
    for key, column in _RECORD_KEYS.items():
        value = device.get(key)
        if value is not None and not isinstance(value, str | int):
            kind = type(value).__name__
            raise ParseError(where, 0, f"key 'device.{key}' holds {kind}, expected a string")
        row[column] = None if value in (None, "") else str(value)
    row["serial_source"] = _RECORD if row["serial"] else None
    row["imei_source"] = _RECORD if row["imei"] else None
    return row


def _str(value: object) -> str | None:
    return None if value is None else str(value)
