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
"""

from __future__ import annotations

import plistlib
import random
import sqlite3
import struct
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus
from xml.sax.saxutils import quoteattr

import pandas as pd

from forensics_datasets.phone._pack import WalState, write_db
from forensics_datasets.phone.scenario import json_ready

__all__ = [
    "ANDROID_PACKAGES",
    "ANDROID_WIFI",
    "APPSTATE_DB",
    "APPSTATE_SCHEMA",
    "CHROME_HISTORY",
    "CHROME_SCHEMA",
    "IOS_WIFI",
    "SAFARI_HISTORY",
    "SAFARI_SCHEMA",
    "App",
    "Download",
    "Extras",
    "Visit",
    "WifiNetwork",
    "abx_document",
    "make_extras",
    "packages_xml_text",
    "search_term",
    "write_android_extras",
    "write_ios_extras",
]

CHROME_HISTORY = "data/data/com.android.chrome/app_chrome/Default/History"
SAFARI_HISTORY = "private/var/mobile/Library/Safari/History.db"
ANDROID_WIFI = "data/misc/apexdata/com.android.wifi/WifiConfigStore.xml"
IOS_WIFI = "private/var/preferences/com.apple.wifi.known-networks.plist"
ANDROID_PACKAGES = "data/system/packages.xml"
APPSTATE_DB = "private/var/mobile/Library/FrontBoard/applicationState.db"

WEBKIT_EPOCH = pd.Timestamp("1601-01-01T00:00:00Z")
COCOA_EPOCH = pd.Timestamp("2001-01-01T00:00:00Z")

# Chromium components/history/core/browser (a real profile's .schema, Chrome 120).
CHROME_SCHEMA = (
    "CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR)",
    "CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT,url LONGVARCHAR,title LONGVARCHAR,"
    "visit_count INTEGER DEFAULT 0 NOT NULL,typed_count INTEGER DEFAULT 0 NOT NULL,"
    "last_visit_time INTEGER NOT NULL,hidden INTEGER DEFAULT 0 NOT NULL)",
    "CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT,url INTEGER NOT NULL,"
    "visit_time INTEGER NOT NULL,from_visit INTEGER,external_referrer_url TEXT,"
    "transition INTEGER DEFAULT 0 NOT NULL,segment_id INTEGER,visit_duration INTEGER DEFAULT 0 "
    "NOT NULL,incremented_omnibox_typed_score BOOLEAN DEFAULT FALSE NOT NULL,opener_visit "
    "INTEGER,originator_cache_guid TEXT,originator_visit_id INTEGER,originator_from_visit "
    "INTEGER,originator_opener_visit INTEGER,is_known_to_sync BOOLEAN DEFAULT FALSE NOT NULL,"
    "consider_for_ntp_most_visited BOOLEAN DEFAULT FALSE NOT NULL,visited_link_id INTEGER "
    "DEFAULT 0 NOT NULL,app_id TEXT)",
    "CREATE TABLE visit_source(id INTEGER PRIMARY KEY,source INTEGER NOT NULL)",
    "CREATE INDEX visits_url_index ON visits (url)",
    "CREATE INDEX urls_url_index ON urls (url)",
    # download_database.cc (downloads, downloads_url_chains, downloads_slices),
    # keyword_search_term (url_database.cc) and visitsegment_database.cc, as Chrome 120
    # creates them; ALEAPP chrome.py reads downloads and keyword_search_terms.
    "CREATE TABLE downloads (id INTEGER PRIMARY KEY,guid VARCHAR NOT NULL,current_path "
    "LONGVARCHAR NOT NULL,target_path LONGVARCHAR NOT NULL,start_time INTEGER NOT NULL,"
    "received_bytes INTEGER NOT NULL,total_bytes INTEGER NOT NULL,state INTEGER NOT NULL,"
    "danger_type INTEGER NOT NULL,interrupt_reason INTEGER NOT NULL,hash BLOB NOT NULL,"
    "end_time INTEGER NOT NULL,opened INTEGER NOT NULL,last_access_time INTEGER NOT NULL,"
    "transient INTEGER NOT NULL,referrer VARCHAR NOT NULL,site_url VARCHAR NOT NULL,"
    "embedder_download_data VARCHAR NOT NULL,tab_url VARCHAR NOT NULL,tab_referrer_url "
    "VARCHAR NOT NULL,http_method VARCHAR NOT NULL,by_ext_id VARCHAR NOT NULL,by_ext_name "
    "VARCHAR NOT NULL,by_web_app_id VARCHAR NOT NULL,etag VARCHAR NOT NULL,last_modified "
    "VARCHAR NOT NULL,mime_type VARCHAR(255) NOT NULL,original_mime_type VARCHAR(255) NOT NULL)",
    "CREATE TABLE downloads_url_chains (id INTEGER NOT NULL,chain_index INTEGER NOT NULL,url "
    "LONGVARCHAR NOT NULL, PRIMARY KEY (id, chain_index) )",
    "CREATE TABLE downloads_slices (download_id INTEGER NOT NULL,offset INTEGER NOT NULL,"
    "received_bytes INTEGER NOT NULL,finished INTEGER NOT NULL DEFAULT 0,PRIMARY KEY "
    "(download_id, offset) )",
    "CREATE TABLE keyword_search_terms (keyword_id INTEGER NOT NULL,url_id INTEGER NOT NULL,"
    "term LONGVARCHAR NOT NULL,normalized_term LONGVARCHAR NOT NULL)",
    "CREATE INDEX keyword_search_terms_index1 ON keyword_search_terms (keyword_id, "
    "normalized_term)",
    "CREATE INDEX keyword_search_terms_index2 ON keyword_search_terms (url_id)",
    "CREATE INDEX keyword_search_terms_index3 ON keyword_search_terms (term)",
    "CREATE TABLE segments (id INTEGER PRIMARY KEY,name VARCHAR,url_id INTEGER NON NULL)",
    "CREATE INDEX segments_name ON segments(name)",
    "CREATE INDEX segments_url_id ON segments(url_id)",
    "CREATE TABLE segment_usage (id INTEGER PRIMARY KEY,segment_id INTEGER NOT NULL,"
    "time_slot INTEGER NOT NULL,visit_count INTEGER DEFAULT 0 NOT NULL)",
    "CREATE INDEX segment_usage_time_slot_segment_id ON segment_usage(time_slot, segment_id)",
    "CREATE INDEX segments_usage_seg_id ON segment_usage(segment_id)",
)

# Safari History.db (plaso safari_history.py SCHEMAS; iOS 15 .schema).
SAFARI_SCHEMA = (
    "CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT,url TEXT NOT NULL UNIQUE,"
    "domain_expansion TEXT NULL,visit_count INTEGER NOT NULL,daily_visit_counts BLOB NOT NULL,"
    "weekly_visit_counts BLOB NULL,autocomplete_triggers BLOB NULL,"
    "should_recompute_derived_visit_counts INTEGER NOT NULL,visit_count_score INTEGER NOT NULL,"
    "status_code INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT,history_item INTEGER "
    "NOT NULL REFERENCES history_items(id) ON DELETE CASCADE,visit_time REAL NOT NULL,title "
    "TEXT NULL,load_successful BOOLEAN NOT NULL DEFAULT 1,http_non_get BOOLEAN NOT NULL "
    "DEFAULT 0,synthesized BOOLEAN NOT NULL DEFAULT 0,redirect_source INTEGER NULL UNIQUE "
    "REFERENCES history_visits(id) ON DELETE CASCADE,redirect_destination INTEGER NULL UNIQUE "
    "REFERENCES history_visits(id) ON DELETE CASCADE,origin INTEGER NOT NULL DEFAULT 0,"
    "generation INTEGER NOT NULL DEFAULT 0,attributes INTEGER NOT NULL DEFAULT 0,score INTEGER "
    "NOT NULL DEFAULT 0)",
    "CREATE TABLE metadata (key TEXT NOT NULL UNIQUE, value)",
)

# FrontBoard applicationState.db (iLEAPP applicationstate.py queries these three tables).
APPSTATE_SCHEMA = (
    "CREATE TABLE application_identifier_tab (id INTEGER PRIMARY KEY, application_identifier "
    "TEXT UNIQUE NOT NULL)",
    "CREATE TABLE key_tab (id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL)",
    "CREATE TABLE kvs (id INTEGER PRIMARY KEY, application_identifier INTEGER REFERENCES "
    "application_identifier_tab(id), key INTEGER REFERENCES key_tab(id), value BLOB, "
    "UNIQUE(application_identifier, key))",
)

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


@dataclass(frozen=True)
class Visit:
    time: pd.Timestamp
    url: str
    title: str
    typed: bool


@dataclass(frozen=True)
class Download:
    """A file Chrome downloaded: ``url`` (the chain's last URL), from the page ``tab_url``."""

    start: pd.Timestamp
    end: pd.Timestamp
    url: str
    tab_url: str
    target_path: str
    mime_type: str
    size: int


@dataclass(frozen=True)
class WifiNetwork:
    ssid: str
    bssid: str
    security: str  # WPA_PSK, OPEN
    psk: str | None
    hidden: bool
    added: pd.Timestamp
    last_joined: pd.Timestamp


@dataclass(frozen=True)
class App:
    app_id: str
    version: str
    version_code: int
    installed: pd.Timestamp
    updated: pd.Timestamp
    installer: str | None
    uid: int


@dataclass
class Extras:
    seed: int
    visits: list[Visit] = field(default_factory=list)
    wifi: list[WifiNetwork] = field(default_factory=list)
    apps: list[App] = field(default_factory=list)
    ios_apps: list[str] = field(default_factory=list)
    downloads: list[Download] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return json_ready(asdict(self))  # type: ignore[no-any-return]


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


def search_term(url: str) -> str | None:
    """The search a ``.../search?q=`` URL ran (``+`` and %-escapes decoded), else None."""
    if "/search?q=" not in url:
        return None
    query = url.split("/search?q=", 1)[1].split("&", 1)[0]
    return unquote_plus(query)


# -- browser ---------------------------------------------------------------------------------


def _webkit_us(ts: pd.Timestamp) -> int:
    return (ts - WEBKIT_EPOCH) // pd.Timedelta(microseconds=1)


def _cocoa_s(ts: pd.Timestamp) -> float:
    return float((ts - COCOA_EPOCH) // pd.Timedelta(seconds=1))


def _write_chrome(path: Path, extras: Extras, wal: WalState) -> None:
    urls: dict[str, int] = {}
    for v in extras.visits:
        urls.setdefault(v.url, len(urls) + 1)

    def head(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO meta VALUES ('version', '63')")
        for url, uid in urls.items():
            mine = [v for v in extras.visits if v.url == url]
            conn.execute(
                "INSERT INTO urls (id, url, title, visit_count, typed_count, last_visit_time, "
                "hidden) VALUES (?, ?, ?, ?, ?, ?, 0)",
                (
                    uid,
                    url,
                    mine[-1].title,
                    len(mine),
                    sum(v.typed for v in mine),
                    _webkit_us(mine[-1].time),
                ),
            )
        # visitsegment_database.cc: a segment per top-level site (its name the URL's scheme
        # and host), used per day (time_slot: midnight UTC as WebKit us).
        segments: dict[str, int] = {}
        usage: dict[tuple[int, int], int] = {}
        for i, v in enumerate(extras.visits, start=1):
            # ui/base/page_transition_types.h: LINK 0, TYPED 1; 0x30000000 CHAIN_START|END.
            transition = (1 if v.typed else 0) | 0x30000000
            name = "/".join(v.url.split("/")[:3]) + "/"
            segment = segments.setdefault(name, len(segments) + 1)
            slot = _webkit_us(v.time.floor("D"))
            usage[(segment, slot)] = usage.get((segment, slot), 0) + 1
            conn.execute(
                "INSERT INTO visits (id, url, visit_time, from_visit, transition, segment_id, "
                "visit_duration) VALUES (?, ?, ?, 0, ?, ?, 5000000)",
                (i, urls[v.url], _webkit_us(v.time), transition, segment),
            )
        first_url: dict[str, int] = {}
        for v in extras.visits:
            first_url.setdefault("/".join(v.url.split("/")[:3]) + "/", urls[v.url])
        conn.executemany(
            "INSERT INTO segments (id, name, url_id) VALUES (?, ?, ?)",
            [(sid, name, first_url[name]) for name, sid in segments.items()],
        )
        conn.executemany(
            "INSERT INTO segment_usage (segment_id, time_slot, visit_count) VALUES (?, ?, ?)",
            [(sid, slot, n) for (sid, slot), n in usage.items()],
        )
        conn.executemany(  # keyword_id 2: the default search engine's TemplateURL id
            "INSERT INTO keyword_search_terms (keyword_id, url_id, term, normalized_term) "
            "VALUES (2, ?, ?, ?)",
            [(uid, t, t.lower()) for url, uid in urls.items() if (t := search_term(url))],
        )
        for n, d in enumerate(extras.downloads, start=1):
            # download_item.h: state 1 COMPLETE; danger_type 0 NOT_DANGEROUS.
            conn.execute(
                "INSERT INTO downloads VALUES (?, ?, ?, ?, ?, ?, ?, 1, 0, 0, X'', ?, 1, ?, 0, ?, "
                "?, '', ?, '', 'GET', '', '', '', '', '', ?, ?)",
                (
                    n,
                    f"0000{n:04d}-EXAM-4000-8000-{extras.seed:012d}",
                    d.target_path,
                    d.target_path,
                    _webkit_us(d.start),
                    d.size,
                    d.size,
                    _webkit_us(d.end),
                    _webkit_us(d.end),
                    d.tab_url,
                    "https://" + d.url.split("/")[2] + "/",
                    d.tab_url,
                    d.mime_type,
                    d.mime_type,
                ),
            )
            conn.execute("INSERT INTO downloads_url_chains VALUES (?, 0, ?)", (n, d.url))
            conn.execute("INSERT INTO downloads_slices VALUES (?, 0, ?, 1)", (n, d.size))

    write_db(path, CHROME_SCHEMA, head, wal=wal)


def _write_safari(path: Path, extras: Extras, wal: WalState) -> None:
    urls: dict[str, int] = {}
    for v in extras.visits:
        urls.setdefault(v.url, len(urls) + 1)

    def head(conn: sqlite3.Connection) -> None:
        for url, uid in urls.items():
            count = sum(v.url == url for v in extras.visits)
            host = url.split("/")[2]
            conn.execute(
                "INSERT INTO history_items (id, url, domain_expansion, visit_count, "
                "daily_visit_counts, should_recompute_derived_visit_counts, visit_count_score) "
                "VALUES (?, ?, ?, ?, ?, 0, ?)",
                (uid, url, host.split(".")[-2], count, b"\x00" * 4, count * 100),
            )
        for i, v in enumerate(extras.visits, start=1):
            # origin 0: visited on this device (1 is a visit synced from another device
            # through iCloud, which none of these is).
            conn.execute(
                "INSERT INTO history_visits (id, history_item, visit_time, title, origin) "
                "VALUES (?, ?, ?, ?, 0)",
                (i, urls[v.url], _cocoa_s(v.time), v.title),
            )

    write_db(path, SAFARI_SCHEMA, head, wal=wal)


# -- wifi ------------------------------------------------------------------------------------


def _quoted(text: str) -> str:
    return quoteattr(text)[1:-1]


def wifi_config_store(networks: list[WifiNetwork]) -> bytes:
    """``WifiConfigStore.xml`` as WifiConfigStore writes it (Android 11+ layout)."""
    lines = [
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>",
        "<WifiConfigStoreData>",
        '<int name="Version" value="3" />',
        "<NetworkList>",
    ]
    for n in networks:
        # WifiConfiguration.getKey(): quoted SSID + key management (WPA_PSK / NONE).
        key_mgmt = "NONE" if n.security == "OPEN" else n.security
        ssid = _quoted(f'"{n.ssid}"')
        psk = (
            f'<string name="PreSharedKey">{_quoted(chr(34) + n.psk + chr(34))}</string>'
            if n.psk
            else '<null name="PreSharedKey" />'
        )
        lines += [
            "<Network>",
            "<WifiConfiguration>",
            f'<string name="ConfigKey">{ssid}{key_mgmt}</string>',
            f'<string name="SSID">{ssid}</string>',
            f'<string name="BSSID">{n.bssid}</string>',
            psk,
            '<null name="WEPKeys" />',
            '<int name="WEPTxKeyIndex" value="0" />',
            f'<boolean name="HiddenSSID" value="{str(n.hidden).lower()}" />',
            '<boolean name="RequirePMF" value="false" />',
            '<byte-array name="AllowedKeyMgmt" num="1">'
            + ("01" if n.security == "OPEN" else "02")
            + "</byte-array>",
            '<int name="CreatorUid" value="1000" />',
            '<string name="CreatorName">android.uid.system:1000</string>',
            '<int name="NumAssociation" value="3" />',
            "</WifiConfiguration>",
            "<NetworkStatus>",
            '<string name="SelectionStatus">NETWORK_SELECTION_ENABLED</string>',
            '<string name="DisableReason">NETWORK_SELECTION_ENABLE</string>',
            '<boolean name="HasEverConnected" value="true" />',
            "</NetworkStatus>",
            "<IpConfiguration>",
            '<string name="IpAssignment">DHCP</string>',
            '<string name="ProxySettings">NONE</string>',
            "</IpConfiguration>",
            "</Network>",
        ]
    lines += ["</NetworkList>", "</WifiConfigStoreData>", ""]
    return "\n".join(lines).encode("utf-8")


def known_networks_plist(networks: list[WifiNetwork]) -> bytes:
    """``com.apple.wifi.known-networks.plist`` (binary), one entry per network."""
    root: dict[str, Any] = {}
    for n in networks:
        entry: dict[str, Any] = {
            "SSID": n.ssid.encode("utf-8"),
            "AddedAt": n.added.tz_convert(None).to_pydatetime(),
            "JoinedByUserAt": n.last_joined.tz_convert(None).to_pydatetime(),
            "SupportedSecurityTypes": 0 if n.security == "OPEN" else 16,
            "Hidden": n.hidden,
            "BSSList": [
                {
                    "BSSID": n.bssid,
                    "Channel": 6,
                    "LastAssociatedAt": n.last_joined.tz_convert(None).to_pydatetime(),
                }
            ],
            "__OSSpecific__": {"TemporarilyDisabled": False},
        }
        root[f"wifi.network.ssid.{n.ssid}"] = entry
    return plistlib.dumps(root, fmt=plistlib.FMT_BINARY, sort_keys=True)


# -- apps ------------------------------------------------------------------------------------

# AOSP BinaryXmlSerializer.java: XmlPullParser event in the low nibble, type in the high one.
START_DOCUMENT, END_DOCUMENT, START_TAG, END_TAG, TEXT = 0, 1, 2, 3, 4
ATTRIBUTE = 15
TYPE_NULL = 1 << 4
TYPE_STRING = 2 << 4
TYPE_STRING_INTERNED = 3 << 4
TYPE_INT = 6 << 4
TYPE_LONG = 8 << 4
TYPE_LONG_HEX = 9 << 4
TYPE_BOOLEAN_TRUE = 12 << 4
TYPE_BOOLEAN_FALSE = 13 << 4


class _AbxWriter:
    """A minimal BinaryXmlSerializer (FastDataOutput: big-endian, u16-length UTF-8)."""

    def __init__(self) -> None:
        self.out = bytearray(b"ABX\x00")
        self.interned: dict[str, int] = {}

    def _utf(self, text: str) -> None:
        raw = text.encode("utf-8")
        self.out += struct.pack(">H", len(raw)) + raw

    def _interned(self, text: str) -> None:
        if text in self.interned:
            self.out += struct.pack(">H", self.interned[text])
            return
        self.out += b"\xff\xff"
        self._utf(text)
        self.interned[text] = len(self.interned)

    def token(self, token: int) -> None:
        self.out.append(token)

    def start(self, name: str) -> None:
        self.out.append(START_TAG | TYPE_STRING_INTERNED)
        self._interned(name)

    def end(self, name: str) -> None:
        self.out.append(END_TAG | TYPE_STRING_INTERNED)
        self._interned(name)

    def attr(self, name: str, value: object, kind: str = "str") -> None:
        if kind == "interned":
            self.out.append(ATTRIBUTE | TYPE_STRING_INTERNED)
            self._interned(name)
            self._interned(str(value))
        elif kind == "int":
            self.out.append(ATTRIBUTE | TYPE_INT)
            self._interned(name)
            self.out += struct.pack(">i", int(value))  # type: ignore[call-overload]
        elif kind == "long":
            self.out.append(ATTRIBUTE | TYPE_LONG)
            self._interned(name)
            self.out += struct.pack(">q", int(value))  # type: ignore[call-overload]
        elif kind == "longhex":
            self.out.append(ATTRIBUTE | TYPE_LONG_HEX)
            self._interned(name)
            self.out += struct.pack(">q", int(value))  # type: ignore[call-overload]
        elif kind == "bool":
            self.out.append(ATTRIBUTE | (TYPE_BOOLEAN_TRUE if value else TYPE_BOOLEAN_FALSE))
            self._interned(name)
        else:
            self.out.append(ATTRIBUTE | TYPE_STRING)
            self._interned(name)
            self._utf(str(value))


def _ms(ts: pd.Timestamp) -> int:
    return ts.value // 1_000_000


def _package_attrs(app: App) -> list[tuple[str, object, str]]:
    """Settings.writePackageLPr order and types (Android 12+: typed attributes)."""
    return [
        ("name", app.app_id, "interned"),
        ("codePath", f"/data/app/~~EXAMPLE{app.uid}==/{app.app_id}-EXAMPLE==", "str"),
        ("publicFlags", 0x38C8BE44, "int"),
        ("privateFlags", 0, "int"),
        ("ft", _ms(app.updated), "longhex"),
        ("it", _ms(app.installed), "longhex"),
        ("ut", _ms(app.updated), "longhex"),
        ("version", app.version_code, "long"),
        ("userId", app.uid, "int"),
        ("installer", app.installer, "interned"),
    ]


def abx_document(apps: list[App]) -> bytes:
    """``packages.xml`` in Android Binary XML."""
    w = _AbxWriter()
    w.token(START_DOCUMENT | TYPE_NULL)
    w.start("packages")
    w.start("version")
    w.attr("sdkVersion", 34, "int")
    w.attr("databaseVersion", 3, "int")
    w.attr("fingerprint", "google/panther/panther:14/UQ1A.240205.004/EXAMPLE:user/release-keys")
    w.end("version")
    for app in apps:
        w.start("package")
        for name, value, kind in _package_attrs(app):
            if value is not None:
                w.attr(name, value, kind)
        w.start("sigs")
        w.attr("count", 1, "int")
        w.attr("schemeVersion", 3, "int")
        w.end("sigs")
        w.start("perms")
        w.start("item")
        w.attr("name", "android.permission.INTERNET", "interned")
        w.attr("granted", True, "bool")
        w.attr("flags", 0, "int")
        w.end("item")
        w.end("perms")
        w.end("package")
    w.end("packages")
    w.token(END_DOCUMENT | TYPE_NULL)
    return bytes(w.out)


def packages_xml_text(apps: list[App]) -> bytes:
    """The same ``packages.xml`` as text (Android <= 11; hex ``ft``/``it``/``ut``)."""
    lines = ["<?xml version='1.0' encoding='utf-8' standalone='yes' ?>", "<packages>"]
    lines.append('<version sdkVersion="30" databaseVersion="3" />')
    for app in apps:
        parts = []
        for name, value, kind in _package_attrs(app):
            if value is None:
                continue
            text = format(int(value), "x") if kind == "longhex" else str(value)  # type: ignore[call-overload]
            parts.append(f"{name}={quoteattr(text)}")
        lines.append(f"<package {' '.join(parts)}>")
        lines.append('<sigs count="1" schemeVersion="3" />')
        lines.append("</package>")
    lines += ["</packages>", ""]
    return "\n".join(lines).encode("utf-8")


def compatibility_info(bundle: str, index: int) -> bytes:
    """An NSKeyedArchiver plist as FrontBoard stores ``compatibilityInfo``."""
    uid = plistlib.UID
    bundle_path = f"/private/var/containers/Bundle/Application/0000000{index}-EXAMPLE/App.app"
    sandbox = f"/private/var/mobile/Containers/Data/Application/0000000{index}-EXAMPLE"
    objects: list[Any] = [
        "$null",
        {
            "NS.keys": [uid(2), uid(3), uid(4)],
            "NS.objects": [uid(5), uid(6), uid(7)],
            "$class": uid(8),
        },
        "bundleIdentifier",
        "bundlePath",
        "sandboxPath",
        bundle,
        bundle_path,
        sandbox,
        {"$classname": "NSDictionary", "$classes": ["NSDictionary", "NSObject"]},
    ]
    archive = {
        "$version": 100000,
        "$archiver": "NSKeyedArchiver",
        "$top": {"root": uid(1)},
        "$objects": objects,
    }
    return plistlib.dumps(archive, fmt=plistlib.FMT_BINARY, sort_keys=False)


def _write_appstate(path: Path, bundles: list[str], wal: WalState) -> None:
    def head(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO key_tab VALUES (1, 'compatibilityInfo')")
        conn.execute("INSERT INTO key_tab VALUES (2, 'XBApplicationSnapshotManifest')")
        for i, bundle in enumerate(bundles, start=1):
            conn.execute("INSERT INTO application_identifier_tab VALUES (?, ?)", (i, bundle))
            conn.execute(
                "INSERT INTO kvs (application_identifier, key, value) VALUES (?, 1, ?)",
                (i, compatibility_info(bundle, i)),
            )

    write_db(path, APPSTATE_SCHEMA, head, wal=wal)


# -- trees -----------------------------------------------------------------------------------


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_android_extras(
    root: Path, extras: Extras, *, wal: bool = True, abx: bool = True
) -> dict[str, Any]:
    """Chrome History, WifiConfigStore.xml and packages.xml under ``root``."""
    _write_chrome(root / CHROME_HISTORY, extras, "tail" if wal else "none")
    _write_bytes(root / ANDROID_WIFI, wifi_config_store(extras.wifi))
    data = abx_document(extras.apps) if abx else packages_xml_text(extras.apps)
    _write_bytes(root / ANDROID_PACKAGES, data)
    return {"packages_xml": "abx" if abx else "text"}


def write_ios_extras(root: Path, extras: Extras, *, wal: bool = True) -> dict[str, Any]:
    """Safari History.db, the known-networks plist and applicationState.db under ``root``."""
    _write_safari(root / SAFARI_HISTORY, extras, "tail" if wal else "none")
    _write_bytes(root / IOS_WIFI, known_networks_plist(extras.wifi))
    _write_appstate(root / APPSTATE_DB, extras.ios_apps, "tail" if wal else "none")
    return {}
