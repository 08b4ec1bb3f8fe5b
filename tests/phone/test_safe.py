"""Safe XML and plist parsing: no entity expansion, typed errors naming file and offset.

Truth: the "billion laughs" and external-entity documents of the XML security literature
(as defusedxml's tests use them), and well-formed documents parsed by hand.
"""

from __future__ import annotations

import contextlib
import plistlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics_lib.errors import ParseError
from forensics_lib.phone._safe import parse_plist, parse_xml
from tests.conftest import examples

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<lolz>&lol3;</lolz>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>"""


@pytest.mark.parametrize("document", [BOMB, EXTERNAL])
def test_dtd_and_entities_are_refused(document: bytes) -> None:
    with pytest.raises(ParseError, match=r"packages\.xml at offset \d+.*declaration refused"):
        parse_xml(document, "packages.xml")


def test_plain_xml_parses_and_broken_xml_names_the_offset() -> None:
    root = parse_xml(b'<packages><package name="org.example.app"/></packages>', "p.xml")
    assert root[0].get("name") == "org.example.app"
    with pytest.raises(ParseError, match=r"p\.xml at offset \d+.*malformed XML \(line 1"):
        parse_xml(b"<packages><package></packages>", "p.xml")


def test_plist_entities_refused_and_garbage_typed() -> None:
    doc = plistlib.dumps({"a": 1}).replace(b"<plist", b'<!DOCTYPE p [<!ENTITY e "x">]>\n<plist', 1)
    with pytest.raises(ParseError, match="not a readable property list"):
        parse_plist(doc, "Info.plist")
    with pytest.raises(ParseError, match=r"Info\.plist"):
        parse_plist(b"bplist00\x00\x01garbage", "Info.plist")
    assert parse_plist(plistlib.dumps({"k": [1, 2]}, fmt=plistlib.FMT_BINARY), "x") == {"k": [1, 2]}


def test_namespaces_in_clark_notation() -> None:
    ns = "http://pa.cellebrite.com/report/2.0"
    root = parse_xml(f'<project xmlns="{ns}"><decodedData/></project>'.encode(), "report.xml")
    assert root.tag == f"{{{ns}}}project"
    assert root[0].tag == f"{{{ns}}}decodedData"


@settings(max_examples=examples(200), deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_a_tree_or_a_parse_error(data: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_xml(b"<r>" + data + b"</r>", "x.xml")
