"""Installed apps: Android's packages.xml (as text or Android Binary XML, ABX) and iOS's
FrontBoard applicationState.db."""

from __future__ import annotations

import plistlib
import sqlite3
import struct
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import pandas as pd

from forensics_datasets.phone._pack import WalState, write_db
from forensics_datasets.phone.extras_model import App

# FrontBoard applicationState.db (iLEAPP applicationstate.py queries these three tables).
APPSTATE_SCHEMA = (
    "CREATE TABLE application_identifier_tab (id INTEGER PRIMARY KEY, application_identifier "
    "TEXT UNIQUE NOT NULL)",
    "CREATE TABLE key_tab (id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL)",
    "CREATE TABLE kvs (id INTEGER PRIMARY KEY, application_identifier INTEGER REFERENCES "
    "application_identifier_tab(id), key INTEGER REFERENCES key_tab(id), value BLOB, "
    "UNIQUE(application_identifier, key))",
)


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


def write_appstate(path: Path, bundles: list[str], wal: WalState) -> None:
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
