"""Saved Wi-Fi networks: Android ``WifiConfigStore.xml``, iOS known-networks plist.

* Android ``WifiConfigStore.xml`` (``/data/misc/wifi/`` up to Android 10,
  ``/data/misc/apexdata/com.android.wifi/`` from Android 11): ``NetworkList/Network/
  WifiConfiguration`` holds values written by ``XmlUtils.writeValueXml`` (``<string
  name="SSID">``, ``<null name=..>``, ``<boolean name=.. value=..>``), tag names from AOSP
  ``XmlUtil.WifiConfigurationXmlUtil`` (``ConfigKey``, ``SSID``, ``BSSID``, ``PreSharedKey``,
  ``HiddenSSID``, ``CreatorName``, ``CreationTime``); ALEAPP ``wifiProfiles.py``. The SSID
  and key are stored quoted (``"HomeNet"``); an SSID that is not UTF-8 is stored as bare hex.
  AOSP records no usable date for a saved network (``CreationTime`` of old releases is a
  local ``MM-DD hh:mm:ss`` without year or zone), so ``time`` is NaT and the text is kept in
  ``created_raw``.
* iOS ``com.apple.wifi.known-networks.plist`` (``/private/var/preferences/``, iOS 14+): a
  dictionary keyed ``wifi.network.ssid.<SSID>``; ``SSID`` (data), ``AddedAt``,
  ``JoinedByUserAt``/``JoinedBySystemAt``, ``BSSList`` of ``BSSID``/``LastAssociatedAt``
  (plaso ``plist_plugins/ios_wifi.py``; iLEAPP ``wifiKnownNetworks.py``). Plist dates are UTC.

One row per network; ``row_id`` is its position in the file (1-based).
"""

from __future__ import annotations

import datetime as dt
import warnings
import xml.etree.ElementTree as ET
from typing import Any

import pandas as pd

from forensics_lib.core import times
from forensics_lib.core.errors import ForensicsWarning, ParseError
from forensics_lib.core.registry import artifact
from forensics_lib.core.schema import (
    BOOL,
    INT,
    STR,
    TIME,
    ArtifactSpec,
    Column,
    TimelineRule,
    conform,
)
from forensics_lib.phone._safe import parse_plist, parse_xml, plist_kind, plist_value
from forensics_lib.sources import Source, display_path, open_binary, source_path

__all__ = [
    "ANDROID_WIFI",
    "IOS_WIFI",
    "MAX_DOCUMENT_BYTES",
    "WIFI_COLUMNS",
    "read_android_wifi",
    "read_document",
    "read_ios_wifi",
    "safe_xml",
]

MAX_DOCUMENT_BYTES = 64 * 2**20  # a config file; anything larger is not one

WIFI_COLUMNS: tuple[Column, ...] = (
    Column("time", TIME, "network added (UTC; iOS AddedAt, Android: not recorded)"),
    Column("last_connected", TIME, "last joined / associated (UTC)"),
    Column("ssid", STR, "network name"),
    Column("bssid", STR, "access point MAC, where recorded"),
    Column("security", STR, "key management (Android ConfigKey suffix: WPA_PSK, NONE, SAE)"),
    Column("security_raw", INT, "iOS SupportedSecurityTypes"),
    Column("password", STR, "pre-shared key, where stored in clear"),
    Column("hidden", BOOL, "hidden SSID"),
    Column("creator", STR, "app or uid that saved it (Android CreatorName)"),
    Column("created_raw", STR, "Android CreationTime text as stored"),
)
_TIMELINE = (
    TimelineRule("time", "Wi-Fi network added", "{ssid} {bssid}"),
    TimelineRule("last_connected", "Wi-Fi network joined", "{ssid} {bssid}"),
)

ANDROID_WIFI = ArtifactSpec(
    id="android.wifi_networks",
    family="phone",
    description="Android saved Wi-Fi networks (WifiConfigStore.xml)",
    columns=WIFI_COLUMNS,
    globs=(
        "**/data/misc/wifi/WifiConfigStore.xml",
        "**/data/misc/apexdata/com.android.wifi/WifiConfigStore.xml",
    ),
    timeline=_TIMELINE,
    references=(
        "AOSP XmlUtil.WifiConfigurationXmlUtil",
        "ALEAPP scripts/artifacts/wifiProfiles.py",
    ),
)
IOS_WIFI = ArtifactSpec(
    id="ios.wifi_networks",
    family="phone",
    description="iOS known Wi-Fi networks (com.apple.wifi.known-networks.plist)",
    columns=WIFI_COLUMNS,
    globs=("**/com.apple.wifi.known-networks.plist",),
    timeline=_TIMELINE,
    references=("plaso plist_plugins/ios_wifi.py", "iLEAPP wifiKnownNetworks.py"),
)


def read_document(source: Source, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The whole file, refusing one over ``limit`` bytes (a ParseError naming it)."""
    with open_binary(source) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ParseError(display_path(source), limit, f"over {limit:,} bytes; not a config file")
    return data


def safe_xml(data: bytes, path: str) -> ET.Element:
    """:func:`~forensics_lib.phone._safe.parse_xml`, with an unknown encoding declaration
    (``<?xml encoding="x-foo"?>``, which expat reports as LookupError) as a ParseError."""
    try:
        return parse_xml(data, path)
    except LookupError as exc:
        raise ParseError(path, 0, f"malformed XML: {exc}") from None


def _unquote(value: str | None) -> str | None:
    """``"HomeNet"`` -> ``HomeNet``; a bare hex SSID (not UTF-8 text) decoded if it can be."""
    if value is None:
        return None
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    try:
        return bytes.fromhex(value).decode("utf-8")
    except ValueError:
        return value


def _values(config: ET.Element) -> dict[str, Any]:
    """``XmlUtils.readValueXml`` in short: name -> text/bool/int/None for the leaf values."""
    out: dict[str, Any] = {}
    for child in config:
        name = child.get("name")
        if name is None:
            continue
        if child.tag == "null":
            out[name] = None
        elif child.tag == "boolean":
            out[name] = child.get("value") == "true"
        elif child.tag in ("int", "long"):
            out[name] = child.get("value")
        else:
            out[name] = child.text
    return out


def _frame(rows: list[dict[str, Any]], spec: ArtifactSpec, source: Source) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for col in spec.columns:
        values = [r.get(col.name) for r in rows]
        if col.dtype == TIME:
            data[col.name] = times.from_local(pd.Series(values, dtype="datetime64[ns]"), "UTC")
        else:
            data[col.name] = pd.Series(values, dtype=object)
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    frame["artifact"] = spec.id
    frame["source_path"] = source_path(source)
    frame["row_id"] = pd.Series(range(1, len(rows) + 1), dtype="Int64")
    return conform(frame, spec)


@artifact(ANDROID_WIFI)
def read_android_wifi(source: Source) -> pd.DataFrame:
    """``WifiConfigStore.xml``: one row per saved network."""
    root = safe_xml(read_document(source), display_path(source))
    if root.tag != "WifiConfigStoreData":
        raise ParseError(display_path(source), 0, f"root <{root.tag}> is not WifiConfigStoreData")
    rows = []
    for config in root.iterfind("./NetworkList/Network/WifiConfiguration"):
        v = _values(config)
        key = v.get("ConfigKey") or ""
        ssid_raw = v.get("SSID")
        # ConfigKey = quoted SSID + key management (WifiConfiguration.getKey()).
        security = key[len(ssid_raw) :] if ssid_raw and key.startswith(ssid_raw) else None
        hidden = v.get("HiddenSSID")
        rows.append(
            {
                "ssid": _unquote(ssid_raw),
                "bssid": v.get("BSSID"),
                "security": security or None,
                "password": _unquote(v.get("PreSharedKey")),
                "hidden": hidden if isinstance(hidden, bool) else None,
                "creator": v.get("CreatorName"),
                "created_raw": v.get("CreationTime"),
            }
        )
    return _frame(rows, ANDROID_WIFI, source)


def _typed(
    entry: dict[str, Any], key: str, kinds: type | tuple[type, ...], where: str, name: str
) -> Any:
    """``entry[key]`` checked with :func:`plist_value` (the key named inside its network)."""
    return plist_value(entry, key, kinds, where, where=name)


def _ios_network(key: str, entry: dict[str, Any], where: str) -> dict[str, Any]:
    raw_ssid = _typed(entry, "SSID", (bytes, str), where, key)
    if isinstance(raw_ssid, bytes):
        ssid: str | None = raw_ssid.decode("utf-8", errors="replace")
    elif isinstance(raw_ssid, str):
        ssid = raw_ssid
    else:
        ssid = str(key).removeprefix("wifi.network.ssid.")
    bss_list = _typed(entry, "BSSList", list, where, key) or []
    bss = []
    for n, item in enumerate(bss_list):
        if not isinstance(item, dict):
            raise ParseError(
                where,
                None,
                f"key '{key}/BSSList/{n}' holds {plist_kind(item)}, expected a dictionary",
            )
        bss.append(item)
    dates = [
        _typed(entry, k, dt.datetime, where, key) for k in ("JoinedByUserAt", "JoinedBySystemAt")
    ]
    dates += [
        _typed(b, "LastAssociatedAt", dt.datetime, where, f"{key}/BSSList/{n}")
        for n, b in enumerate(bss)
    ]
    joined = [d for d in dates if d is not None]
    bssid = _typed(bss[0], "BSSID", str, where, f"{key}/BSSList/0") if bss else None
    return {
        "time": _typed(entry, "AddedAt", dt.datetime, where, key),
        "last_connected": max(joined) if joined else None,
        "ssid": ssid,
        "bssid": bssid or None,
        "security_raw": _typed(entry, "SupportedSecurityTypes", int, where, key),
        "hidden": _typed(entry, "Hidden", bool, where, key),
    }


@artifact(IOS_WIFI)
def read_ios_wifi(source: Source) -> pd.DataFrame:
    """``com.apple.wifi.known-networks.plist``: one row per known network.

    A network whose entry is not a dictionary, or whose keys hold unexpected types, is left
    out and named (the key and both types) in a :class:`ForensicsWarning` and in
    ``attrs["warnings"]``; the other networks are read."""
    where = display_path(source)
    plist = parse_plist(read_document(source), where)
    if not isinstance(plist, dict):
        raise ParseError(
            where, 0, f"known-networks plist holds {plist_kind(plist)}, not a dictionary"
        )
    rows = []
    skipped: list[str] = []
    for key, entry in plist.items():
        try:
            if not isinstance(entry, dict):
                raise ParseError(
                    where, None, f"key {key!r} holds {plist_kind(entry)}, expected a dictionary"
                )
            rows.append(_ios_network(str(key), entry, where))
        except ParseError as exc:
            skipped.append(exc.reason)
    frame = _frame(rows, IOS_WIFI, source)
    if skipped:
        note = (
            f"{IOS_WIFI.id}: {where}: {len(skipped)} of {len(plist)} network(s) skipped: "
            + "; ".join(skipped)
        )
        warnings.warn(note, ForensicsWarning, stacklevel=2)
        frame.attrs["warnings"] = [note]
    return frame
