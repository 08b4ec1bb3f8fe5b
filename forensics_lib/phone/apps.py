"""Installed applications: Android ``packages.xml`` (text or binary "ABX"), iOS
``applicationState.db``.

* Android ``/data/system/packages.xml``: one ``<package>`` per installed app, attributes as
  AOSP ``Settings.writePackageLPr`` writes them: ``name``, ``codePath``, ``ft`` (file time),
  ``it`` (first install), ``ut`` (last update), all Unix **ms** in hex; ``version``
  (versionCode), ``userId`` (uid), ``installer``, ``publicFlags`` (``ApplicationInfo.FLAG_*``,
  bit 0 = FLAG_SYSTEM). Android 12+ writes the same document as Android Binary XML, read here
  by :func:`parse_abx` (AOSP ``BinaryXmlSerializer.java`` / ``BinaryXmlPullParser.java``): magic
  ``41 42 58 00`` ("ABX" + version 0), then one byte per event, its low nibble the XmlPullParser
  token (0 START_DOCUMENT, 1 END_DOCUMENT, 2 START_TAG, 3 END_TAG, 4 TEXT, 5 CDSECT,
  6 ENTITY_REF, 7 IGNORABLE_WHITESPACE, 8 PROCESSING_INSTRUCTION, 9 COMMENT, 10 DOCDECL,
  15 ATTRIBUTE), its high nibble the value type (1 NULL, 2 STRING, 3 STRING_INTERNED,
  4 BYTES_HEX, 5 BYTES_BASE64, 6 INT, 7 INT_HEX, 8 LONG, 9 LONG_HEX, 10 FLOAT, 11 DOUBLE,
  12 BOOLEAN_TRUE, 13 BOOLEAN_FALSE). Numbers are big-endian (``FastDataOutput``); a string is
  a u16 length + modified UTF-8; an interned string is a u16 index into the strings seen so far,
  or 0xFFFF followed by a new string. Typed attributes are turned back into the text the XML
  form holds (``ft`` as hex), so both forms read alike. ALEAPP ``appopSetupWiz.py`` /
  ``packageInfo.py`` read the same fields.
* iOS ``/private/var/mobile/Library/FrontBoard/applicationState.db``: ``kvs`` rows whose
  ``key_tab.key`` is ``compatibilityInfo`` hold an NSKeyedArchiver plist with
  ``bundleIdentifier``, ``bundlePath`` and ``sandboxPath`` (iLEAPP ``applicationstate.py``).
  No install time is recorded there.
"""

from __future__ import annotations

import base64
import struct
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
    empty_frame,
)
from forensics_lib.phone._common import fetch, finish, missing_schema, open_db
from forensics_lib.phone._safe import parse_plist, plist_kind
from forensics_lib.phone.wifi import read_document, safe_xml
from forensics_lib.sources import Source, display_path, source_path

__all__ = [
    "ABX_MAGIC",
    "ANDROID_APPS",
    "APP_COLUMNS",
    "IOS_APPS",
    "parse_abx",
    "parse_packages",
    "read_android_apps",
    "read_ios_apps",
]

#: BinaryXmlSerializer.PROTOCOL_MAGIC_VERSION_0.
ABX_MAGIC = b"ABX\x00"
_ATTRIBUTE = 15
_START_DOCUMENT, _END_DOCUMENT, _START_TAG, _END_TAG = 0, 1, 2, 3
_TEXTUAL = frozenset({4, 5, 6, 7, 8, 9, 10})  # TEXT ... DOCDECL: a NULL or a STRING
_TYPE_NULL, _TYPE_STRING, _TYPE_INTERNED = 1, 2, 3
_TYPE_BYTES_HEX, _TYPE_BYTES_BASE64 = 4, 5
_TYPE_INT, _TYPE_INT_HEX, _TYPE_LONG, _TYPE_LONG_HEX = 6, 7, 8, 9
_TYPE_FLOAT, _TYPE_DOUBLE, _TYPE_TRUE, _TYPE_FALSE = 10, 11, 12, 13
_NEW_STRING = 0xFFFF
_MAX_DEPTH = 256
_FLAG_SYSTEM = 1  # ApplicationInfo.FLAG_SYSTEM

APP_COLUMNS: tuple[Column, ...] = (
    Column("time", TIME, "first installed (UTC; Android it)"),
    Column("updated", TIME, "last updated (UTC; Android ut)"),
    Column("app_id", STR, "package name / bundle identifier"),
    Column("version_code", INT, "Android versionCode"),
    Column("installer", STR, "installing package (com.android.vending = Play Store)"),
    Column("code_path", STR, "APK directory / app bundle path"),
    Column("data_path", STR, "data container (iOS sandboxPath)"),
    Column("uid", INT, "Linux uid (Android userId)"),
    Column("system", BOOL, "a system app (publicFlags & FLAG_SYSTEM)"),
    Column("format", STR, "abx, xml or sqlite"),
)
_TIMELINE = (
    TimelineRule("time", "app installed", "{app_id} {installer}"),
    TimelineRule("updated", "app updated", "{app_id} {version_code}"),
)

ANDROID_APPS = ArtifactSpec(
    id="android.installed_apps",
    family="phone",
    description="Android installed packages (packages.xml, text or binary ABX)",
    columns=APP_COLUMNS,
    globs=("**/data/system/packages.xml",),
    timeline=_TIMELINE,
    references=("AOSP BinaryXmlSerializer.java", "AOSP Settings.writePackageLPr"),
)
IOS_APPS = ArtifactSpec(
    id="ios.installed_apps",
    family="phone",
    description="iOS installed apps (FrontBoard applicationState.db)",
    columns=APP_COLUMNS,
    globs=("**/Library/FrontBoard/applicationState.db",),
    references=("iLEAPP scripts/artifacts/applicationstate.py",),
)


class _Reader:
    """Bounds-checked big-endian reads; every failure names the file and the offset."""

    def __init__(self, data: bytes, path: str) -> None:
        self.data = data
        self.pos = 0
        self.path = path
        self.interned: list[str] = []

    def fail(self, reason: str, at: int | None = None) -> ParseError:
        return ParseError(self.path, self.pos if at is None else at, reason)

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.data):
            raise self.fail(f"truncated ABX: {n} bytes needed, {len(self.data) - self.pos} left")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def u16(self) -> int:
        value: int = self.unpack(">H")
        return value

    def utf(self) -> str:
        at = self.pos
        raw = self.take(self.u16())
        try:
            # Java modified UTF-8: NUL as C0 80, supplementary characters as surrogate pairs.
            text = raw.replace(b"\xc0\x80", b"\x00").decode("utf-8", "surrogatepass")
            return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        except UnicodeError:
            raise self.fail("string is not modified UTF-8", at) from None

    def interned_utf(self) -> str:
        at = self.pos
        ref = self.u16()
        if ref == _NEW_STRING:
            text = self.utf()
            self.interned.append(text)
            return text
        if ref >= len(self.interned):
            raise self.fail(f"interned string #{ref} not yet defined", at)
        return self.interned[ref]


def _attribute_value(r: _Reader, kind: int) -> str:
    """A typed attribute as the text the XML form of the document holds."""
    if kind == _TYPE_STRING:
        return r.utf()
    if kind == _TYPE_INTERNED:
        return r.interned_utf()
    if kind in (_TYPE_BYTES_HEX, _TYPE_BYTES_BASE64):
        raw = r.take(r.u16())
        return raw.hex().upper() if kind == _TYPE_BYTES_HEX else base64.b64encode(raw).decode()
    if kind == _TYPE_INT:
        return str(r.unpack(">i"))
    if kind == _TYPE_INT_HEX:
        return format(r.unpack(">i") & 0xFFFFFFFF, "x")  # Integer.toHexString
    if kind == _TYPE_LONG:
        return str(r.unpack(">q"))
    if kind == _TYPE_LONG_HEX:
        return format(r.unpack(">q") & 0xFFFFFFFFFFFFFFFF, "x")  # Long.toHexString
    if kind == _TYPE_FLOAT:
        return repr(r.unpack(">f"))
    if kind == _TYPE_DOUBLE:
        return repr(r.unpack(">d"))
    if kind == _TYPE_TRUE:
        return "true"
    if kind == _TYPE_FALSE:
        return "false"
    raise r.fail(f"unknown ABX attribute type {kind}", r.pos - 1)


def parse_abx(data: bytes, path: str) -> ET.Element:
    """Android Binary XML as an ElementTree (attributes as text, as in the XML form)."""
    r = _Reader(data, path)
    if r.take(4) != ABX_MAGIC:
        raise ParseError(path, 0, "not Android Binary XML (no ABX\\0 magic)")
    builder = ET.TreeBuilder()
    stack: list[str] = []
    pending: tuple[str, dict[str, str]] | None = None
    root_done = False

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            builder.start(*pending)
            pending = None

    while r.pos < len(data):
        at = r.pos
        byte = r.u8()
        token, kind = byte & 0x0F, byte >> 4
        if token == _ATTRIBUTE:
            if pending is None:
                raise r.fail("attribute outside a start tag", at)
            name = r.interned_utf()
            pending[1][name] = _attribute_value(r, kind)
        elif token == _START_TAG:
            flush()
            if root_done and not stack:
                raise r.fail("a second root element", at)
            if len(stack) >= _MAX_DEPTH:
                raise r.fail(f"elements nested deeper than {_MAX_DEPTH}", at)
            name = r.interned_utf()
            stack.append(name)
            pending = (name, {})
        elif token == _END_TAG:
            flush()
            name = r.interned_utf()
            if not stack or stack[-1] != name:
                raise r.fail(f"end tag </{name}> does not close <{stack[-1] if stack else ''}>", at)
            builder.end(stack.pop())
            root_done = root_done or not stack
        elif token in (_START_DOCUMENT, _END_DOCUMENT):
            if kind != _TYPE_NULL:
                raise r.fail(f"document token with type {kind}", at)
            if token == _END_DOCUMENT:
                break
        elif token in _TEXTUAL:
            flush()
            text = r.utf() if kind == _TYPE_STRING else None
            if kind not in (_TYPE_STRING, _TYPE_NULL):
                raise r.fail(f"text token with type {kind}", at)
            if token in (4, 5, 7) and text and stack:
                builder.data(text)
        else:
            raise r.fail(f"unknown ABX token {token}", at)
    if stack or not root_done:
        raise r.fail("truncated ABX: the document ends inside an element")
    root: ET.Element = builder.close()
    return root


def parse_packages(data: bytes, path: str) -> tuple[ET.Element, str]:
    """``packages.xml`` as an element tree, whichever form it is in."""
    if data.startswith(ABX_MAGIC):
        return parse_abx(data, path), "abx"
    return safe_xml(data, path), "xml"


def _hex_ms(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value, 16)
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


@artifact(ANDROID_APPS)
def read_android_apps(source: Source) -> pd.DataFrame:
    """``packages.xml`` (XML or ABX): one row per ``<package>``."""
    where = display_path(source)
    root, form = parse_packages(read_document(source), where)
    if root.tag != "packages":
        raise ParseError(where, 0, f"root <{root.tag}> is not <packages>")
    rows = []
    for pkg in root.iterfind("package"):
        flags = _int(pkg.get("publicFlags")) or _int(pkg.get("flags"))
        rows.append(
            {
                "time": _hex_ms(pkg.get("it")),
                "updated": _hex_ms(pkg.get("ut")),
                "app_id": pkg.get("name"),
                "version_code": _int(pkg.get("version")),
                "installer": pkg.get("installer"),
                "code_path": pkg.get("codePath"),
                "uid": _int(pkg.get("userId")) or _int(pkg.get("sharedUserId")),
                "system": None if flags is None else bool(flags & _FLAG_SYSTEM),
            }
        )
    n = len(rows)

    def col(name: str, dtype: str) -> pd.Series:
        return pd.Series([r.get(name) for r in rows], dtype=dtype)

    frame = pd.DataFrame(
        {
            "time": times.from_unix_ms(col("time", "Int64")),
            "updated": times.from_unix_ms(col("updated", "Int64")),
            "app_id": col("app_id", "str"),
            "version_code": col("version_code", "Int64"),
            "installer": col("installer", "str"),
            "code_path": col("code_path", "str"),
            "data_path": pd.Series([None] * n, dtype="str"),
            "uid": col("uid", "Int64"),
            "system": col("system", "boolean"),
            "format": pd.Series([form] * n, dtype="str"),
        },
        index=pd.RangeIndex(n),
    )
    frame["artifact"] = ANDROID_APPS.id
    frame["source_path"] = source_path(source)
    frame["row_id"] = pd.Series(range(1, n + 1), dtype="Int64")
    return conform(frame, ANDROID_APPS)


def _unarchive(plist: Any) -> dict[str, Any]:
    """The root dictionary of an NSKeyedArchiver plist (keys and values resolved one level)."""
    if not isinstance(plist, dict) or not isinstance(plist.get("$objects"), list):
        return plist if isinstance(plist, dict) else {}
    objects: list[Any] = plist["$objects"]

    def resolve(value: Any) -> Any:
        if hasattr(value, "data") and type(value).__name__ == "UID":
            index = int(value.data)
            return objects[index] if 0 <= index < len(objects) else None
        return value

    top = plist.get("$top", {})
    root = resolve(top.get("root")) if isinstance(top, dict) else None
    if not isinstance(root, dict):
        return {}
    keys = [resolve(k) for k in root.get("NS.keys", [])]
    values = [resolve(v) for v in root.get("NS.objects", [])]
    return {str(k): v for k, v in zip(keys, values, strict=False)}


@artifact(IOS_APPS)
def read_ios_apps(source: Source) -> pd.DataFrame:
    """``applicationState.db``: one row per app with a ``compatibilityInfo`` entry."""
    with open_db(source) as db:
        for table, cols in (
            ("kvs", ("id", "application_identifier", "key", "value")),
            ("key_tab", ("id", "key")),
            ("application_identifier_tab", ("id", "application_identifier")),
        ):
            if missing_schema(db, table, cols, IOS_APPS.id):
                return empty_frame(IOS_APPS)
        raw = fetch(
            db,
            "SELECT kvs.id AS id, ait.application_identifier AS app_id, kvs.value AS value "
            "FROM kvs JOIN key_tab ON kvs.key = key_tab.id "
            "LEFT JOIN application_identifier_tab AS ait ON ait.id = kvs.application_identifier "
            "WHERE key_tab.key = 'compatibilityInfo' ORDER BY kvs.id",
            {"id": "int", "value": "blob"},
        )
        where = db.path
    info = []
    unreadable: list[str] = []
    for row_id, value in zip(raw["id"], raw["value"], strict=True):
        try:
            data = bytes(value) if isinstance(value, bytes | bytearray | memoryview) else b""
            info.append(_unarchive(parse_plist(data, where)) if data else {})
        except ParseError as exc:
            info.append({})  # one unreadable blob: the app id is still a fact
            unreadable.append(f"kvs row {row_id}: {exc.reason}")

    def field(name: str) -> pd.Series:
        values = []
        for row_id, item in zip(raw["id"], info, strict=True):
            value = item.get(name)
            if value is not None and not isinstance(value, str):
                unreadable.append(
                    f"kvs row {row_id}: key {name!r} holds {plist_kind(value)}, expected a string"
                )
                value = None
            values.append(value)
        return pd.Series(values, dtype="str")

    n = len(raw)
    bundle = field("bundleIdentifier")
    frame = pd.DataFrame(
        {
            "time": pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]"),
            "updated": pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]"),
            "app_id": raw["app_id"].fillna(bundle),
            "version_code": pd.Series(pd.NA, index=raw.index, dtype="Int64"),
            "installer": pd.Series([None] * n, dtype="str"),
            "code_path": field("bundlePath"),
            "data_path": field("sandboxPath"),
            "uid": pd.Series(pd.NA, index=raw.index, dtype="Int64"),
            "system": pd.Series(pd.NA, index=raw.index, dtype="boolean"),
            "format": pd.Series(["sqlite"] * n, dtype="str"),
        },
        copy=False,
    )
    out = finish(frame, IOS_APPS, source, raw["id"])
    if unreadable:
        note = (
            f"{IOS_APPS.id}: {where}: compatibilityInfo not read for {len(unreadable)} "
            f"value(s) (the app ids are kept): {'; '.join(unreadable)}"
        )
        warnings.warn(note, ForensicsWarning, stacklevel=2)
        out.attrs["warnings"] = [note]
    return out
