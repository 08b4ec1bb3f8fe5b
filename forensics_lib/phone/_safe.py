"""Safe readers for the XML and property lists found in extractions.

* XML: parsed with expat through :class:`xml.etree.ElementTree.XMLParser`, but any document
  type declaration is refused *before* the parser sees an entity (no entity expansion, no
  "billion laughs", no external entities), as defusedxml does with ``forbid_dtd``. Real
  Android ``packages.xml``, ``WifiConfigStore.xml`` and UFDR ``report.xml`` carry no DTD.
* Property lists: :func:`plistlib.loads`, whose XML parser already rejects entity
  declarations (CPython ``plistlib._PlistParser.handle_entity_decl``); binary plists hold no
  entities. Every library error becomes a :class:`~forensics_lib.core.errors.ParseError`.
* Values read from a property list are checked for their type with :func:`plist_value`: a
  key holding a dictionary where a string is expected (or data, an array, ...) is a
  :class:`~forensics_lib.core.errors.ParseError` naming the key and both types, never a
  traceback or ``str()`` of a dictionary shown as a version number.
"""

from __future__ import annotations

import datetime as dt
import plistlib
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from xml.parsers import expat

from forensics_lib.core.errors import ParseError

__all__ = ["MAX_DOCUMENT_BYTES", "parse_plist", "parse_xml", "plist_kind", "plist_value"]

MAX_DOCUMENT_BYTES = 256 * 2**20  # one XML/plist document; larger is refused


class _Refused(Exception):
    """Raised from an expat handler to stop at a DTD."""


def _refuse(*_args: Any) -> int:
    raise _Refused


@contextmanager
def guarded_expat(path: str) -> Iterator[Any]:
    """An expat parser (namespace separator "}") that refuses any DTD or entity, and
    turns every error it raises while in use into a :class:`ParseError` naming ``path``
    and the byte offset. Used for whole documents (:func:`parse_xml`) and streams (UFDR)."""
    raw = expat.ParserCreate(namespace_separator="}")
    raw.StartDoctypeDeclHandler = _refuse
    raw.EntityDeclHandler = _refuse
    raw.ExternalEntityRefHandler = _refuse
    try:
        yield raw
    except _Refused:
        raise ParseError(
            path,
            raw.CurrentByteIndex,
            "XML document type declaration refused (entities are not expanded)",
        ) from None
    except expat.ExpatError as exc:
        index = raw.CurrentByteIndex
        where = f" (line {exc.lineno}, column {exc.offset})"
        reason = f"malformed XML{where}: {expat.ErrorString(exc.code)}"
        raise ParseError(path, index if index >= 0 else None, reason) from None
    except (LookupError, UnicodeError) as exc:  # <?xml encoding="x-unknown"?> and the like
        raise ParseError(path, 0, f"XML in an encoding that cannot be read: {exc}") from None


def _clark(name: str) -> str:
    """expat's ``uri}local`` (namespace_separator "}") as ElementTree's ``{uri}local``."""
    return "{" + name if "}" in name else name


def parse_xml(data: bytes, path: str) -> ET.Element:
    """Parse ``data`` as XML, refusing any DTD; errors name ``path`` and the byte offset.

    Built on :mod:`xml.parsers.expat` directly (the C ElementTree parser does not expose its
    expat handlers); tags and attributes with a namespace come out as ``{uri}local``.
    """
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ParseError(path, None, f"XML document of {len(data):,} bytes is over the limit")
    builder = ET.TreeBuilder()

    def start(tag: str, attrs: dict[str, str]) -> None:
        builder.start(_clark(tag), {_clark(k): v for k, v in attrs.items()})

    def end(tag: str) -> None:
        builder.end(_clark(tag))

    with guarded_expat(path) as raw:
        raw.StartElementHandler = start
        raw.EndElementHandler = end
        raw.CharacterDataHandler = builder.data
        raw.Parse(data, True)
    try:
        root: ET.Element = builder.close()
    except AssertionError:  # TreeBuilder.close() with no root element
        raise ParseError(path, None, "malformed XML: no root element") from None
    return root


def parse_plist(data: bytes, path: str) -> Any:
    """Parse an XML or binary property list; errors name ``path``."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ParseError(path, None, f"plist of {len(data):,} bytes is over the limit")
    try:
        return plistlib.loads(data)
    except (
        plistlib.InvalidFileException,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        OverflowError,
        RecursionError,
        expat.ExpatError,
    ) as exc:
        raise ParseError(path, None, f"not a readable property list: {exc}") from None


# The property list types (https://developer.apple.com/documentation/foundation/propertylistserialization)
# as plistlib returns them, named as a person reading the plist would call them.
_PLIST_KINDS: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"),
    (int, "an integer"),
    (float, "a real"),
    (str, "a string"),
    (bytes, "data"),
    (dt.datetime, "a date"),
    (dict, "a dictionary"),
    (list, "an array"),
    (plistlib.UID, "a UID"),
)


def plist_kind(value: object) -> str:
    """What a property list value is, in plist words: ``a string``, ``a dictionary``, ..."""
    for kind, name in _PLIST_KINDS:
        if isinstance(value, kind):
            return name
    return type(value).__name__


def plist_value(
    container: Mapping[str, Any],
    key: str,
    expected: type | tuple[type, ...],
    path: str,
    *,
    where: str = "",
) -> Any:
    """``container[key]`` when it is of an ``expected`` type; None when absent.

    A value of another type raises :class:`ParseError` naming the key (inside ``where``, e.g.
    ``"Lockdown"``), what it holds and what was expected. A boolean is not accepted where an
    integer is expected unless ``bool`` is listed (plistlib's ``True`` is an ``int``)."""
    value = container.get(key)
    if value is None:
        return None
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, kinds) and (bool in kinds or not isinstance(value, bool)):
        return value
    wanted = " or ".join(plist_kind_name(k) for k in kinds)
    place = f"{where}/{key}" if where else key
    raise ParseError(path, None, f"key {place!r} holds {plist_kind(value)}, expected {wanted}")


def plist_kind_name(kind: type) -> str:
    """The plist name of a Python type (``str`` -> ``a string``)."""
    return next((name for k, name in _PLIST_KINDS if k is kind), kind.__name__)
