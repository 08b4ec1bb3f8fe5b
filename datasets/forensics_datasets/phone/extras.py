"""Browser history, Wi-Fi networks and installed apps, written as Android and iOS store them.

Layouts, each from the reference named beside it:

* Chrome ``History`` (``/data/data/com.android.chrome/app_chrome/Default/History``): ``urls``
  and ``visits`` as Chromium creates them (``components/history/core/browser/url_database.cc``
  and ``visit_database.cc``; the same ``CREATE TABLE`` text as a dumped real profile), with
  ``downloads``/``downloads_url_chains``/``downloads_slices``, ``keyword_search_terms``
  (one per search URL visited) and ``segments``/``segment_usage``; times in WebKit
  microseconds since 1601-01-01.
* Safari ``History.db`` (``/private/var/mobile/Library/Safari/History.db``): ``history_items``
  and ``history_visits`` (plaso ``safari_history.py`` SCHEMAS), ``visit_time`` a REAL of Cocoa
  seconds since 2001-01-01, ``origin`` 0 (visited on this device; 1 is synced from another).
* ``WifiConfigStore.xml`` (``/data/misc/apexdata/com.android.wifi/``, Android 11+): the
  ``XmlUtil.WifiConfigurationXmlUtil`` tags (``ConfigKey``, ``SSID``, ``BSSID``,
  ``PreSharedKey``, ``HiddenSSID``, ``CreatorName``), values written by ``XmlUtils.writeValueXml``
  (``<string name=..>``, ``<boolean name=.. value=..>``, ``<null name=..>``).
* ``com.apple.wifi.known-networks.plist`` (``/private/var/preferences/``, iOS 14+): a binary
  plist keyed ``wifi.network.ssid.<SSID>`` with ``SSID`` (data), ``AddedAt``,
  ``JoinedByUserAt``, ``BSSList`` (plaso ``ios_wifi.py``).
* ``packages.xml`` (``/data/system/``) as Android 12+ writes it: binary XML "ABX" (AOSP
  ``BinaryXmlSerializer.java``: magic ``ABX\\0``, one token byte = event | type << 4, interned
  strings as a u16 index or 0xFFFF + u16 length + UTF-8, big-endian numbers), attributes as
  ``Settings.writePackageLPr`` (``name``, ``codePath``, ``ft``/``it``/``ut`` hex ms,
  ``version``, ``userId``, ``installer``); or the same document as text XML (Android <= 11).
* ``applicationState.db`` (``/private/var/mobile/Library/FrontBoard/``): ``kvs`` /
  ``key_tab`` / ``application_identifier_tab``, ``compatibilityInfo`` an NSKeyedArchiver
  plist with ``bundleIdentifier``, ``bundlePath``, ``sandboxPath`` (iLEAPP
  ``applicationstate.py``).

Everything synthetic: ``example.com``/``example.org`` URLs, invented SSIDs and packages.

Since issue 16 one module per artifact: :mod:`forensics_datasets.phone.browser` (Chrome,
Safari), ``.wifi`` (saved networks), ``.apps`` (packages.xml / ABX, applicationState.db) and
``.extras_model`` (the records); this module makes the extras and writes them into a tree,
and re-exports their names (the old path).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_datasets.phone.apps import (
    APPSTATE_SCHEMA,
    ATTRIBUTE,
    END_DOCUMENT,
    END_TAG,
    START_DOCUMENT,
    START_TAG,
    TEXT,
    TYPE_BOOLEAN_FALSE,
    TYPE_BOOLEAN_TRUE,
    TYPE_INT,
    TYPE_LONG,
    TYPE_LONG_HEX,
    TYPE_NULL,
    TYPE_STRING,
    TYPE_STRING_INTERNED,
    abx_document,
    compatibility_info,
    packages_xml_text,
    write_appstate,
)
from forensics_datasets.phone.browser import (
    CHROME_SCHEMA,
    COCOA_EPOCH,
    SAFARI_SCHEMA,
    WEBKIT_EPOCH,
    search_term,
    write_chrome,
    write_safari,
)
from forensics_datasets.phone.extras_model import App, Download, Extras, Visit, WifiNetwork
from forensics_datasets.phone.wifi import known_networks_plist, wifi_config_store

__all__ = [
    "ANDROID_PACKAGES",
    "ANDROID_WIFI",
    "APPSTATE_DB",
    "APPSTATE_SCHEMA",
    "ATTRIBUTE",
    "CHROME_HISTORY",
    "CHROME_SCHEMA",
    "COCOA_EPOCH",
    "END_DOCUMENT",
    "END_TAG",
    "IOS_WIFI",
    "SAFARI_HISTORY",
    "SAFARI_SCHEMA",
    "START_DOCUMENT",
    "START_TAG",
    "TEXT",
    "TYPE_BOOLEAN_FALSE",
    "TYPE_BOOLEAN_TRUE",
    "TYPE_INT",
    "TYPE_LONG",
    "TYPE_LONG_HEX",
    "TYPE_NULL",
    "TYPE_STRING",
    "TYPE_STRING_INTERNED",
    "WEBKIT_EPOCH",
    "App",
    "Download",
    "Extras",
    "Visit",
    "WifiNetwork",
    "abx_document",
    "compatibility_info",
    "known_networks_plist",
    "make_extras",
    "packages_xml_text",
    "search_term",
    "wifi_config_store",
    "write_android_extras",
    "write_ios_extras",
]


CHROME_HISTORY = "data/data/com.android.chrome/app_chrome/Default/History"
SAFARI_HISTORY = "private/var/mobile/Library/Safari/History.db"
ANDROID_WIFI = "data/misc/apexdata/com.android.wifi/WifiConfigStore.xml"
IOS_WIFI = "private/var/preferences/com.apple.wifi.known-networks.plist"
ANDROID_PACKAGES = "data/system/packages.xml"
APPSTATE_DB = "private/var/mobile/Library/FrontBoard/applicationState.db"

_SITES = (
    ("https://www.example.com/", "Example Domain"),
    ("https://news.example.org/weather/wind", "Wind forecast - Example News"),
    ("https://shop.example.com/batteries?q=lipo+6s", "LiPo 6S batteries | Example Shop"),
    ("https://maps.example.org/place/North+Wall", "North Wall - Example Maps"),
    ("https://forum.example.net/t/drone-payload/42", "Payload release - Example Forum"),
    ("https://www.example.com/café?x=1&y=ü", "Café ü — Example"),
    ("https://search.example.com/search?q=lipo+6s+fire+risk", "lipo 6s fire risk - Example Search"),
)
_SSIDS = ("HomeNet-Example", "Cafe Example WiFi", "EXAMPLE-GUEST", "Prison_Staff_Example", "Ü-Net")
_PACKAGES = (
    ("org.linphone", "5.2.5", 520500),
    ("com.whatsapp", "2.24.6.77", 241677000),
    ("dji.go.v5", "1.12.4", 11204),
    ("com.example.notes", "3.1", 31),
)
_BUNDLES = ("net.whatsapp.WhatsApp", "com.dji.golite", "com.example.Notes")


def make_extras(seed: int, *, visits: int = 12) -> Extras:
    """A seeded set of visits, networks and apps; times are whole seconds (exact in every
    store: Chrome us, Safari REAL seconds, packages.xml ms, plists dates)."""
    rng = random.Random(seed * 7919 + 5)
    base = pd.Timestamp("2024-03-14T08:00:00Z")
    out = Extras(seed=seed)
    t = base
    for _ in range(visits):
        t = t + pd.Timedelta(seconds=rng.randint(30, 4000))
        url, title = rng.choice(_SITES)
        out.visits.append(Visit(t, url, title, rng.random() < 0.3))
    for i, ssid in enumerate(_SSIDS):
        added = base - pd.Timedelta(days=rng.randint(2, 300), seconds=rng.randint(0, 86399))
        joined = base + pd.Timedelta(seconds=rng.randint(0, 86399))
        open_net = i == 2
        out.wifi.append(
            WifiNetwork(
                ssid=ssid,
                bssid=f"02:00:5e:10:{i:02x}:{rng.randint(0, 255):02x}",
                security="OPEN" if open_net else "WPA_PSK",
                psk=None if open_net else f"example-pass-{rng.randint(1000, 9999)}",
                hidden=i == 3,
                added=added,
                last_joined=joined,
            )
        )
    for i, (pkg, version, code) in enumerate(_PACKAGES):
        installed = base - pd.Timedelta(days=rng.randint(10, 400), seconds=rng.randint(0, 86399))
        updated = installed + pd.Timedelta(days=rng.randint(0, 9), seconds=rng.randint(0, 999))
        out.apps.append(
            App(pkg, version, code, installed, updated, "com.android.vending", 10150 + i)
        )
    out.ios_apps = list(_BUNDLES)
    # One download a little after the first visit (no draws from rng: the rest stays as it was).
    first = out.visits[0].time if out.visits else base
    name = f"flight_plan_{seed % 1000:03d}.kml"
    out.downloads.append(
        Download(
            start=first + pd.Timedelta(seconds=41),
            end=first + pd.Timedelta(seconds=44),
            url=f"https://files.example.org/plans/{name}",
            tab_url="https://forum.example.net/t/drone-payload/42",
            target_path=f"/storage/emulated/0/Download/{name}",
            mime_type="application/vnd.google-earth.kml+xml",
            size=18_432 + seed % 997,
        )
    )
    return out


# -- trees -----------------------------------------------------------------------------------


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_android_extras(
    root: Path, extras: Extras, *, wal: bool = True, abx: bool = True
) -> dict[str, Any]:
    """Chrome History, WifiConfigStore.xml and packages.xml under ``root``."""
    write_chrome(root / CHROME_HISTORY, extras, "tail" if wal else "none")
    _write_bytes(root / ANDROID_WIFI, wifi_config_store(extras.wifi))
    data = abx_document(extras.apps) if abx else packages_xml_text(extras.apps)
    _write_bytes(root / ANDROID_PACKAGES, data)
    return {"packages_xml": "abx" if abx else "text"}


def write_ios_extras(root: Path, extras: Extras, *, wal: bool = True) -> dict[str, Any]:
    """Safari History.db, the known-networks plist and applicationState.db under ``root``."""
    write_safari(root / SAFARI_HISTORY, extras, "tail" if wal else "none")
    _write_bytes(root / IOS_WIFI, known_networks_plist(extras.wifi))
    write_appstate(root / APPSTATE_DB, extras.ios_apps, "tail" if wal else "none")
    return {}
