"""The case and its main findings as CASE/UCO JSON-LD, for other forensic tools.

Target: CASE 1.5.0 and UCO 1.5.0, the ontology bundled with case-utils 0.18.0
(``case_utils/ontology/case-1.5.0.ttl``; ``case_validate`` checks a file against it). Every
class and property used below is defined there; the patterns follow the CASE-Examples
repository (``examples/illustrations/call_log``, ``file``, ``forensic_lifecycle``):

* an exhibit is a ``uco-observable:File`` (or ``Directory`` with its files) with a
  ``FileFacet`` and a ``ContentDataFacet`` holding ``uco-types:Hash`` (``hashMethod`` from
  ``HashNameVocab`` as plain text, "SHA256", "MD5"; ``hashValue`` ``xsd:hexBinary``), the
  values of the acquisition manifest ``hashes.json``;
* each exhibit has a ``case-investigation:ProvenanceRecord`` (``exhibitNumber``: its name);
  each custody entry is a ``case-investigation:InvestigativeAction`` (``uco-core:name`` the
  action, ``uco-action:performer`` a ``uco-identity:Person``, ``uco-action:object`` the
  exhibit, ``uco-action:result`` its provenance record); the analysis by forensics-lib is
  one more, with the tool (``uco-tool:Tool``) as ``uco-action:instrument``;
* records read from the exhibits: calls (``uco-observable:Call`` with a ``CallFacet``),
  messages (``Message`` / ``SMSMessage`` with a ``MessageFacet``), phone numbers
  (``PhoneAccount`` / ``PhoneAccountFacet``), SIP identities seen in captures
  (``SIPAddress`` / ``SIPAddressFacet``), softphone accounts (``DigitalAccount`` with an
  ``AccountFacet``; passwords are not exported), WhatsApp accounts (``ApplicationAccount``),
  phones (``MobilePhone`` with ``DeviceFacet``/``MobileDeviceFacet``), each flight log's
  aircraft (``Drone``) and track (``GeoLocationTrack`` of ``GeoLocationEntry`` objects whose
  ``uco-location:Location`` carries a ``LatLongCoordinatesFacet``). Each record is tied to
  the file it was read from by an ``ObservableRelationship`` "Contained_Within" (with a
  ``PathRelationFacet`` for the path inside the exhibit and a ``DataRangeFacet`` for a byte
  offset; an SQLite row number, which UCO has no property for, is in its description);
* each :class:`~forensics_lib.findings.Finding` is a ``uco-core:Annotation``: its
  ``statement`` the fact, ``object`` the records and files it rests on.

Identifiers are UUIDv5 of the content (the manifest, the record's exhibit, path and row),
so the same case gives the same file on every run; only the analysis time changes, and
``generated_utc`` pins it.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from forensics_lib.case import Case
from forensics_lib.findings import UNVERIFIED_NOTE, EvidenceRef, Finding
from forensics_lib.report._common import (
    case_name,
    exhibit_files,
    flight_logs,
    iso,
    json_text,
)

__all__ = ["CASE_VERSION", "CONTEXT", "case_uco", "write_uco"]

CASE_VERSION = "1.5.0"  # CASE 1.5.0 / UCO 1.5.0 (case-utils 0.18.0 validates against it)
CONTEXT: dict[str, str] = {
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "uco-location": "https://ontology.unifiedcyberontology.org/uco/location/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
DEFAULT_BASE = "http://example.org/kb/"  # the CASE-Examples convention for "kb:" objects
# The root of every UUIDv5 here: uuid5(NAMESPACE_DNS, "forensics-lib.example.org").
_ROOT = uuid.uuid5(uuid.NAMESPACE_DNS, "forensics-lib.example.org")
_HASH_NAMES = {"sha256": "SHA256", "md5": "MD5", "sha1": "SHA1", "sha512": "SHA512"}
MAX_FILES_PER_EXHIBIT = 1000
DEFAULT_MAX_RECORDS = 1000  # per artifact (calls, messages)
DEFAULT_TRACK_POINTS = 100  # fixes per flight log, evenly spaced, first and last included

_PHONE_CALLS = ("android.calls", "ios.calls", "ufdr.calls")
_WA_CALLS = ("android.whatsapp_calls", "ios.whatsapp_calls")
_SMS = ("android.sms", "android.mms", "ios.sms", "ufdr.sms")
_WA_MESSAGES = ("android.whatsapp_messages", "ios.whatsapp_messages")

Node = dict[str, Any]


def _dt(value: Any) -> dict[str, str] | None:
    text = iso(value)
    return {"@type": "xsd:dateTime", "@value": text} if text else None


def _dec(value: float, places: int = 7) -> dict[str, str]:
    """An ``xsd:decimal`` literal (never exponent notation, which xsd:decimal forbids)."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return {"@type": "xsd:decimal", "@value": text if text not in ("", "-0") else "0"}


def _ref(iri: str) -> dict[str, str]:
    return {"@id": iri}


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _str(value: Any) -> str | None:
    return None if _missing(value) or str(value) == "" else str(value)


def _int(value: Any) -> int | None:
    return None if _missing(value) else int(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _prune(node: Node) -> Node:
    """Drop properties without a value (None, empty list)."""
    return {k: v for k, v in node.items() if v is not None and v != []}


class _Graph:
    """The nodes being built, by @id, in a stable order, with content-derived ids."""

    def __init__(self, namespace: uuid.UUID) -> None:
        self.namespace = namespace
        self.nodes: dict[str, Node] = {}

    def iri(self, kind: str, *key: Any) -> str:
        text = "\x1f".join("" if _missing(k) else str(k) for k in key)
        return f"kb:{kind}-{uuid.uuid5(self.namespace, kind + chr(0x1E) + text)}"

    def add(self, node: Node) -> str:
        iri = str(node["@id"])
        if iri not in self.nodes:
            self.nodes[iri] = _prune(node)
        return iri

    def facet(self, owner: str, kind: str, **props: Any) -> Node:
        """A facet node with an id derived from its owner (UCO objects are not blank)."""
        short = kind.split(":", 1)[1]
        return _prune({"@id": self.iri(short, owner), "@type": kind, **props})


class _Builder:
    def __init__(
        self,
        case: Case,
        graph: _Graph,
        *,
        max_records: int,
        track_points: int,
    ) -> None:
        self.case = case
        self.g = graph
        self.max_records = max_records
        self.track_points = track_points
        self.files = exhibit_files(case)
        self.exhibit_node: dict[str, str] = {}
        self.file_node: dict[tuple[str, str], str] = {}  # (exhibit, path inside) -> File
        self.provenance: dict[str, str] = {}
        self.records: dict[tuple[str, str, str, str], str] = {}  # evidence lookup
        self.results: list[str] = []  # what the analysis produced
        self.devices: dict[str, str] = {}  # exhibit -> device node

    # -- exhibits ------------------------------------------------------------------------------

    def _file(self, entry: Mapping[str, Any]) -> str:
        path = str(entry["path"])
        owner = self.g.iri("file", path, entry.get("sha256"))
        hashes = [
            _prune(
                {
                    "@id": self.g.iri("hash", owner, algorithm),
                    "@type": "uco-types:Hash",
                    # Plain text since UCO 1.4.0 (a HashNameVocab value, e.g. "SHA256").
                    "uco-types:hashMethod": name,
                    "uco-types:hashValue": {
                        "@type": "xsd:hexBinary",
                        "@value": str(entry[algorithm]).lower(),
                    },
                }
            )
            for algorithm, name in _HASH_NAMES.items()
            if isinstance(entry.get(algorithm), str)
        ]
        size = _int(entry.get("size"))
        pure = PurePosixPath(path)
        return self.g.add(
            {
                "@id": owner,
                "@type": "uco-observable:File",
                "uco-core:hasFacet": [
                    self.g.facet(
                        owner,
                        "uco-observable:FileFacet",
                        **{
                            "uco-observable:fileName": pure.name,
                            "uco-observable:filePath": path,
                            "uco-observable:extension": pure.suffix.lstrip(".") or None,
                            "uco-observable:isDirectory": False,
                            "uco-observable:sizeInBytes": size,
                        },
                    ),
                    self.g.facet(
                        owner,
                        "uco-observable:ContentDataFacet",
                        **{"uco-observable:sizeInBytes": size, "uco-observable:hash": hashes},
                    ),
                ],
            }
        )

    def _contained(
        self,
        inner: str,
        outer: str,
        *,
        path: str | None = None,
        offset: int | None = None,
        note: str | None = None,
    ) -> str:
        rel = self.g.iri("relationship", inner, outer)
        facets = []
        if path:
            facets.append(
                self.g.facet(
                    rel, "uco-observable:PathRelationFacet", **{"uco-observable:path": path}
                )
            )
        if offset is not None:
            facets.append(
                self.g.facet(
                    rel, "uco-observable:DataRangeFacet", **{"uco-observable:rangeOffset": offset}
                )
            )
        return self.g.add(
            {
                "@id": rel,
                "@type": "uco-observable:ObservableRelationship",
                "uco-core:source": _ref(inner),
                "uco-core:target": _ref(outer),
                "uco-core:kindOfRelationship": "Contained_Within",
                "uco-core:isDirectional": True,
                "uco-core:description": note,
                "uco-core:hasFacet": facets,
            }
        )

    def _unlisted_exhibit(self, name: str) -> str:
        """An exhibit hashes.json does not list: a File or Directory with no hash."""
        exhibit = self.case.exhibits[name]
        folder = Path(exhibit.path).is_dir()
        node = self.g.iri("unlisted", name)
        self.g.add(
            {
                "@id": node,
                "@type": "uco-observable:Directory" if folder else "uco-observable:File",
                "uco-core:name": name,
                "uco-core:description": UNVERIFIED_NOTE,
                "uco-core:hasFacet": [
                    self.g.facet(
                        node,
                        "uco-observable:FileFacet",
                        **{
                            "uco-observable:fileName": name,
                            "uco-observable:filePath": name,
                            "uco-observable:isDirectory": folder,
                        },
                    )
                ],
            }
        )
        return node

    def exhibits(self) -> None:
        for name, exhibit in self.case.exhibits.items():
            entries = self.files.get(name, [])
            own = [e for e in entries if e.get("path") == name]
            if not exhibit.listed:
                node = self._unlisted_exhibit(name)
            elif own:
                node = self._file(own[0])
                self.file_node[(name, f"/{name}")] = node
            else:
                node = self.g.iri("directory", name)
                shown = entries[:MAX_FILES_PER_EXHIBIT]
                more = len(entries) - len(shown)
                self.g.add(
                    {
                        "@id": node,
                        "@type": "uco-observable:Directory",
                        "uco-core:name": name,
                        "uco-core:description": (
                            f"{more} more file(s) are listed in hashes.json" if more else None
                        ),
                        "uco-core:hasFacet": [
                            self.g.facet(
                                node,
                                "uco-observable:FileFacet",
                                **{
                                    "uco-observable:fileName": name,
                                    "uco-observable:filePath": name,
                                    "uco-observable:isDirectory": True,
                                },
                            )
                        ],
                    }
                )
                for entry in shown:
                    inside = "/" + str(entry["path"]).split("/", 1)[1]
                    child = self._file(entry)
                    self.file_node[(name, inside)] = child
                    self._contained(child, node, path=inside)
            self.exhibit_node[name] = node
            self.provenance[name] = self.g.add(
                {
                    "@id": self.g.iri("provenance-record", name, node),
                    "@type": "case-investigation:ProvenanceRecord",
                    "case-investigation:exhibitNumber": name,
                    "uco-core:description": f"Exhibit {name} as recorded in hashes.json"
                    if exhibit.listed
                    else f"Exhibit {name}: {UNVERIFIED_NOTE}",
                    "uco-core:object": [_ref(node)],
                }
            )

    def inner_file(self, exhibit: str, path: str | None) -> str | None:
        """The File at ``path`` inside an exhibit (made on first use); the exhibit itself."""
        outer = self.exhibit_node.get(exhibit)
        if outer is None:
            return None
        if not path:
            return outer
        known = self.file_node.get((exhibit, path))
        if known is not None:
            return known
        node = self.g.iri("file", exhibit, path)
        pure = PurePosixPath(path)
        self.g.add(
            {
                "@id": node,
                "@type": "uco-observable:File",
                "uco-core:description": UNVERIFIED_NOTE
                if self.case.cites_unverified(exhibit, path)
                else None,
                "uco-core:hasFacet": [
                    self.g.facet(
                        node,
                        "uco-observable:FileFacet",
                        **{
                            "uco-observable:fileName": pure.name,
                            "uco-observable:filePath": path,
                            "uco-observable:extension": pure.suffix.lstrip(".") or None,
                        },
                    )
                ],
            }
        )
        self._contained(node, outer, path=path)
        self.file_node[(exhibit, path)] = node
        return node

    def tie(self, record: str, row: Mapping[str, Any], artifact: str) -> None:
        """Record where ``record`` was read and index it for the findings' evidence."""
        exhibit = str(row.get("exhibit", ""))
        path = _str(row.get("source_path"))
        row_id, offset = _int(row.get("row_id")), _int(row.get("offset"))
        where = self.inner_file(exhibit, path)
        if where is not None:
            note = f"{artifact}, {path or exhibit}"
            if row_id is not None:
                note += f", row {row_id}"
            if self.case.cites_unverified(exhibit, path):
                note += f", {UNVERIFIED_NOTE}"
            self._contained(record, where, offset=offset, note=note)
        locator = f"row:{row_id}" if row_id is not None else f"offset:{offset}"
        self.records.setdefault((artifact, exhibit, path or "", locator), record)
        self.results.append(record)

    # -- people, custody, tool -----------------------------------------------------------------

    def person(self, name: str) -> str:
        return self.g.add(
            {
                "@id": self.g.iri("person", name),
                "@type": "uco-identity:Person",
                "uco-core:name": name,
            }
        )

    def custody(self) -> list[str]:
        actions = []
        for row in _records(self.case.custody):
            exhibit = str(row.get("exhibit", ""))
            who = _str(row.get("who")) or "unknown"
            note = f"custody.jsonl entry {row.get('seq')} (entry hash {row.get('entry_hash')})"
            if _str(row.get("sha256")):
                note += f"; exhibit SHA-256 then: {row['sha256']}"
            if _str(row.get("note")):
                note += f"; {row['note']}"
            node = self.g.add(
                {
                    "@id": self.g.iri("investigative-action", "custody", row.get("entry_hash")),
                    "@type": "case-investigation:InvestigativeAction",
                    "uco-core:name": _str(row.get("action")),
                    "uco-core:description": note,
                    "uco-action:startTime": _dt(row.get("time")),
                    "uco-action:performer": _ref(self.person(who)),
                    "uco-action:object": [_ref(self.exhibit_node[exhibit])]
                    if exhibit in self.exhibit_node
                    else [],
                    "uco-action:result": [_ref(self.provenance[exhibit])]
                    if exhibit in self.provenance
                    else [],
                }
            )
            actions.append(node)
        return actions

    # -- records -------------------------------------------------------------------------------

    def organization(self, name: str) -> str:
        return self.g.add(
            {
                "@id": self.g.iri("organization", name),
                "@type": "uco-identity:Organization",
                "uco-core:name": name,
            }
        )

    def application(self, name: str) -> str:
        node = self.g.iri("application", name)
        return self.g.add(
            {"@id": node, "@type": "uco-observable:Application", "uco-core:name": name}
        )

    def device(self, exhibit: str) -> str:
        """The device an extraction comes from (a bare MobilePhone until phone.device says)."""
        if exhibit in self.devices:
            return self.devices[exhibit]
        node = self.g.add(
            {
                "@id": self.g.iri("device", exhibit),
                "@type": "uco-observable:MobilePhone",
                "uco-core:name": f"device of exhibit {exhibit}",
            }
        )
        self.devices[exhibit] = node
        if exhibit in self.exhibit_node:
            rel = self.g.iri("relationship", self.exhibit_node[exhibit], node)
            self.g.add(
                {
                    "@id": rel,
                    "@type": "uco-observable:ObservableRelationship",
                    "uco-core:source": _ref(self.exhibit_node[exhibit]),
                    "uco-core:target": _ref(node),
                    "uco-core:kindOfRelationship": "Extracted_From",
                    "uco-core:isDirectional": True,
                }
            )
        return node

    def phone_devices(self) -> None:
        frame = self.case.frame("phone.device")
        for row in _records(frame):
            exhibit = str(row["exhibit"])
            node = self.g.iri("device", exhibit)
            make, imei = _str(row.get("make")), _str(row.get("imei"))
            facets = [
                self.g.facet(
                    node,
                    "uco-observable:DeviceFacet",
                    **{
                        "uco-observable:manufacturer": _ref(self.organization(make))
                        if make
                        else None,
                        "uco-observable:model": _str(row.get("model")),
                        "uco-observable:serialNumber": _str(row.get("serial")),
                    },
                ),
            ]
            if imei:
                facets.append(
                    self.g.facet(
                        node, "uco-observable:MobileDeviceFacet", **{"uco-observable:IMEI": imei}
                    )
                )
            os_text = " ".join(t for t in (_str(row.get("os")), _str(row.get("os_version"))) if t)
            self.g.add(
                {
                    "@id": node,
                    "@type": "uco-observable:MobilePhone",
                    "uco-core:name": f"device of exhibit {exhibit}",
                    "uco-core:description": f"operating system {os_text}" if os_text else None,
                    "uco-core:hasFacet": facets,
                }
            )
            self.devices[exhibit] = node
            self.device(exhibit)  # the Extracted_From relationship
            self.tie(node, row, "phone.device")

    def phone_account(self, number: str) -> str:
        node = self.g.iri("phone-account", number)
        return self.g.add(
            {
                "@id": node,
                "@type": "uco-observable:PhoneAccount",
                "uco-core:hasFacet": [
                    self.g.facet(
                        node,
                        "uco-observable:PhoneAccountFacet",
                        **{"uco-observable:phoneNumber": number},
                    )
                ],
            }
        )

    def sip_address(self, identity: str) -> str:
        node = self.g.iri("sip-address", identity.lower())
        value = identity if identity.lower().startswith("sip") else f"sip:{identity}"
        return self.g.add(
            {
                "@id": node,
                "@type": "uco-observable:SIPAddress",
                "uco-core:hasFacet": [
                    self.g.facet(
                        node,
                        "uco-observable:SIPAddressFacet",
                        **{"uco-observable:addressValue": value},
                    )
                ],
            }
        )

    def app_account(self, identifier: str, app: str) -> str:
        node = self.g.iri("application-account", app, identifier)
        return self.g.add(
            {
                "@id": node,
                "@type": "uco-observable:ApplicationAccount",
                "uco-core:hasFacet": [
                    self.g.facet(
                        node,
                        "uco-observable:AccountFacet",
                        **{"uco-observable:accountIdentifier": identifier},
                    ),
                    self.g.facet(
                        node,
                        "uco-observable:ApplicationAccountFacet",
                        **{"uco-observable:application": _ref(self.application(app))},
                    ),
                ],
            }
        )

    def sip_accounts(self) -> None:
        frame = self.case.frame("phone.sip_accounts")
        for row in _records(frame):
            identity = _str(row.get("identity")) or _str(row.get("username"))
            if identity is None:
                continue
            node = self.g.iri("digital-account", "sip", identity.lower())
            self.g.add(
                {
                    "@id": node,
                    "@type": "uco-observable:DigitalAccount",
                    "uco-core:name": f"SIP account {identity}",
                    "uco-core:description": " ".join(
                        f"{k}={row[k]}" for k in ("proxy", "transport", "realm") if _str(row.get(k))
                    )
                    or None,
                    "uco-core:hasFacet": [
                        self.g.facet(
                            node,
                            "uco-observable:AccountFacet",
                            **{
                                "uco-observable:accountIdentifier": identity,
                            },
                        ),
                        self.g.facet(
                            node,
                            "uco-observable:DigitalAccountFacet",
                            **{
                                "uco-observable:accountLogin": _str(row.get("username")),
                                "uco-observable:displayName": _str(row.get("display_name")),
                            },
                        ),
                    ],
                }
            )
            self.tie(node, row, "phone.sip_accounts")

    def _rows(self, artifact: str) -> list[dict[str, Any]]:
        frame = self.case.frame(artifact)
        return _records(frame.head(self.max_records))

    def _call(
        self,
        artifact: str,
        row: Mapping[str, Any],
        *,
        start: Any,
        end: Any,
        caller: str | None,
        callee: str | None,
        call_type: str | None,
        application: str | None,
        status: str | None,
    ) -> None:
        key = (row.get("exhibit"), row.get("source_path"), row.get("row_id"), row.get("offset"))
        node = self.g.iri("call", artifact, *key, row.get("call_id"))
        duration: Any = row.get("duration_s")
        self.g.add(
            {
                "@id": node,
                "@type": "uco-observable:Call",
                "uco-core:description": status,
                "uco-core:hasFacet": [
                    self.g.facet(
                        node,
                        "uco-observable:CallFacet",
                        **{
                            "uco-observable:callType": call_type,
                            "uco-observable:startTime": _dt(start),
                            "uco-observable:endTime": _dt(end),
                            "uco-observable:duration": None
                            if _missing(duration)
                            else round(float(duration)),
                            "uco-observable:from": _ref(caller) if caller else None,
                            "uco-observable:to": _ref(callee) if callee else None,
                            "uco-observable:application": _ref(self.application(application))
                            if application
                            else None,
                        },
                    )
                ],
            }
        )
        self.tie(node, row, artifact)

    def _sides(self, row: Mapping[str, Any], other: str | None) -> tuple[str | None, str | None]:
        local = self.device(str(row["exhibit"]))
        incoming = str(row.get("direction") or "").lower().startswith("in")
        return (other, local) if incoming else (local, other)

    def calls(self) -> None:
        for row in self._rows("voip.calls"):
            caller, callee = _str(row.get("caller")), _str(row.get("callee"))
            status = " ".join(
                t
                for t in (
                    _str(row.get("state")),
                    _str(row.get("status_code")),
                    _str(row.get("reason")),
                )
                if t
            )
            self._call(
                "voip.calls",
                row,
                start=row.get("start_utc"),
                end=row.get("end_utc"),
                caller=self.sip_address(caller) if caller else None,
                callee=self.sip_address(callee) if callee else None,
                call_type=None,
                application=None,
                status=f"SIP call {row.get('call_id')}: {status}",
            )
        for artifact in _PHONE_CALLS:
            for row in self._rows(artifact):
                number = _str(row.get("number"))
                caller, callee = self._sides(row, self.phone_account(number) if number else None)
                self._call(
                    artifact,
                    row,
                    start=row.get("time"),
                    end=row.get("end_time"),
                    caller=caller,
                    callee=callee,
                    call_type=_str(row.get("direction")),
                    application=None,
                    status=_str(row.get("type_label")),
                )
        for artifact in _WA_CALLS:
            for row in self._rows(artifact):
                jid = _str(row.get("jid"))
                other = self.app_account(jid, "WhatsApp") if jid else None
                caller, callee = self._sides(row, other)
                self._call(
                    artifact,
                    row,
                    start=row.get("time"),
                    end=row.get("end_time"),
                    caller=caller,
                    callee=callee,
                    call_type=_str(row.get("direction")),
                    application="WhatsApp",
                    status=f"WhatsApp call {row.get('call_id')}",
                )
        for row in self._rows("phone.sip_calls"):
            caller, callee = _str(row.get("caller")), _str(row.get("callee"))
            self._call(
                "phone.sip_calls",
                row,
                start=row.get("time"),
                end=row.get("end_time"),
                caller=self.sip_address(caller) if caller else None,
                callee=self.sip_address(callee) if callee else None,
                call_type=_str(row.get("direction_label")),
                application="Linphone",
                status=f"SIP call {row.get('call_id')}: {row.get('status_label')}",
            )

    def _message(
        self,
        artifact: str,
        row: Mapping[str, Any],
        other: str | None,
        *,
        sms: bool,
        application: str | None,
        kind: str | None,
        message_id: str | None,
    ) -> None:
        key = (row.get("exhibit"), row.get("source_path"), row.get("row_id"), row.get("offset"))
        node = self.g.iri("message", artifact, *key)
        sender, receiver = self._sides(row, other)
        facets = [
            self.g.facet(
                node,
                "uco-observable:MessageFacet",
                **{
                    "uco-observable:messageText": _str(row.get("body")),
                    "uco-observable:sentTime": _dt(row.get("time")),
                    "uco-observable:from": _ref(sender) if sender else None,
                    "uco-observable:to": [_ref(receiver)] if receiver else [],
                    "uco-observable:messageType": kind,
                    "uco-observable:messageID": message_id,
                    "uco-observable:application": _ref(self.application(application))
                    if application
                    else None,
                },
            )
        ]
        if sms and isinstance(row.get("read"), (bool, np.bool_)):
            facets.append(
                self.g.facet(
                    node,
                    "uco-observable:SMSMessageFacet",
                    **{"uco-observable:isRead": bool(row["read"])},
                )
            )
        self.g.add(
            {
                "@id": node,
                "@type": "uco-observable:SMSMessage" if sms else "uco-observable:Message",
                "uco-core:hasFacet": facets,
            }
        )
        self.tie(node, row, artifact)

    def messages(self) -> None:
        for artifact in _SMS:
            for row in self._rows(artifact):
                address = _str(row.get("address"))
                service = _str(row.get("service")) or "SMS"
                self._message(
                    artifact,
                    row,
                    self.phone_account(address) if address else None,
                    sms=service.upper() == "SMS",
                    application=None,
                    kind=service,
                    message_id=None,
                )
        for artifact in _WA_MESSAGES:
            for row in self._rows(artifact):
                jid = _str(row.get("chat_jid"))
                self._message(
                    artifact,
                    row,
                    self.app_account(jid, "WhatsApp") if jid else None,
                    sms=False,
                    application="WhatsApp",
                    kind=_str(row.get("message_type_label")),
                    message_id=_str(row.get("key_id")),
                )

    # -- flights -------------------------------------------------------------------------------

    def _location(self, owner: str, lat: float, lon: float, alt: Any, name: str | None) -> str:
        node = self.g.iri("location", owner)
        return self.g.add(
            {
                "@id": node,
                "@type": "uco-location:Location",
                "uco-core:name": name,
                "uco-core:hasFacet": [
                    self.g.facet(
                        node,
                        "uco-location:LatLongCoordinatesFacet",
                        **{
                            "uco-location:latitude": _dec(lat),
                            "uco-location:longitude": _dec(lon),
                            "uco-location:altitude": None if _missing(alt) else _dec(float(alt), 2),
                        },
                    )
                ],
            }
        )

    def _entry(
        self, row: Mapping[str, Any], artifact: str, name: str | None, text: str | None, track: str
    ) -> str:
        node = self.g.iri(
            "geolocation-entry",
            track,
            artifact,
            row.get("offset"),
            row.get("row_id"),
            row.get("time_utc"),
        )
        location = self._location(
            node, float(row["lat"]), float(row["lon"]), row.get("alt_amsl_m"), name
        )
        self.g.add(
            {
                "@id": node,
                "@type": "uco-observable:GeoLocationEntry",
                "uco-core:name": name,
                "uco-core:description": text,
                "uco-core:hasFacet": [
                    self.g.facet(
                        node,
                        "uco-observable:GeoLocationEntryFacet",
                        **{
                            "uco-observable:location": _ref(location),
                            "uco-observable:observableCreatedTime": _dt(row.get("time_utc")),
                        },
                    )
                ],
            }
        )
        self.tie(node, {**row, "row_id": row.get("row_id")}, artifact)
        return node

    def flights(self) -> None:
        for log in flight_logs(self.case):
            fixes = log.track.dropna(subset=["time_utc", "lat", "lon"]).reset_index(drop=True)
            if fixes.empty:
                continue
            track = self.g.iri("geolocation-track", log.exhibit, log.source_path)
            picks = np.unique(np.linspace(0, len(fixes) - 1, max(self.track_points, 2)).round())
            chosen = _records(fixes.iloc[[int(i) for i in picks]])
            rows = [
                (r["time_utc"], self._entry(r, "drone.track", None, None, track)) for r in chosen
            ]
            events = log.events.dropna(subset=["lat", "lon", "time_utc"])
            for r in _records(events):
                rows.append(
                    (
                        r["time_utc"],
                        self._entry(
                            r, "drone.events", _str(r.get("kind")), _str(r.get("text")), track
                        ),
                    )
                )
            rows.sort(key=lambda pair: pd.Timestamp(pair[0]))
            drone = self.g.add(
                {
                    "@id": self.g.iri("drone", log.exhibit, log.source_path),
                    "@type": "uco-observable:Drone",
                    "uco-core:name": f"aircraft of flight log {log.exhibit}: {log.source_path}",
                }
            )
            self.results.append(drone)
            self.g.add(
                {
                    "@id": track,
                    "@type": "uco-observable:GeoLocationTrack",
                    "uco-core:name": f"flight track {log.exhibit}: {log.source_path}",
                    "uco-core:description": (
                        f"{len(chosen)} of {len(fixes)} fixes (evenly spaced) and "
                        f"{len(events)} located events"
                    ),
                    "uco-core:hasFacet": [
                        self.g.facet(
                            track,
                            "uco-observable:GeoLocationTrackFacet",
                            **{
                                "uco-observable:startTime": _dt(fixes["time_utc"].min()),
                                "uco-observable:endTime": _dt(fixes["time_utc"].max()),
                                "uco-observable:geoLocationEntry": [_ref(n) for _, n in rows],
                            },
                        )
                    ],
                }
            )
            self.results.append(track)
            rel = self.g.iri("relationship", track, drone)
            self.g.add(
                {
                    "@id": rel,
                    "@type": "uco-observable:ObservableRelationship",
                    "uco-core:source": _ref(track),
                    "uco-core:target": _ref(drone),
                    "uco-core:kindOfRelationship": "Characterizes",
                    "uco-core:isDirectional": True,
                }
            )

    # -- findings ------------------------------------------------------------------------------

    def evidence(self, ref: EvidenceRef) -> str | None:
        locator = f"row:{ref.row_id}" if ref.row_id is not None else f"offset:{ref.offset}"
        known = self.records.get((ref.artifact or "", ref.exhibit, ref.path or "", locator))
        if known is not None:
            return known
        where = self.inner_file(ref.exhibit, ref.path)
        if where is None:
            return None
        if ref.row_id is None and ref.offset is None:
            return where
        node = self.g.iri("record", ref.exhibit, ref.path, ref.artifact, ref.row_id, ref.offset)
        self.g.add(
            {
                "@id": node,
                "@type": "uco-observable:ContentData",
                "uco-core:name": f"{ref.artifact or 'record'} at {ref.locator()}",
            }
        )
        note = f"{ref.artifact or 'record'}, {ref.locator()}"
        self._contained(node, where, offset=ref.offset, note=note)
        return node

    def finding(self, f: Finding, fallback: str) -> str:
        node = self.g.iri("annotation", f.id, json_text(f.value))
        objects = [n for n in (self.evidence(ref) for ref in f.evidence) if n is not None]
        lat, lon = f.extra.get("lat"), f.extra.get("lon")
        if isinstance(lat, (int, float)) and isinstance(lon, (int, float)):
            objects.append(
                self._location(node, float(lat), float(lon), f.extra.get("alt_m"), f.title)
            )
        return self.g.add(
            {
                "@id": node,
                "@type": "uco-core:Annotation",
                "uco-core:name": f.title,
                "uco-core:statement": f"{f.id}: {json_text(f.value)}",
                "uco-core:description": f.detail or None,
                "uco-core:tag": [f.section, f.id],
                "uco-core:object": [_ref(o) for o in dict.fromkeys(objects)] or [_ref(fallback)],
            }
        )


def _analysis_note(case: Case) -> str:
    """What the analysis did; "verified" only when every exhibit was."""
    if case.verified:
        return "Exhibits verified against hashes.json, read and analysed by forensics-lib"
    unverified = sorted(n for n, ex in case.exhibits.items() if not ex.verified)
    return (
        "Exhibits read and analysed by forensics-lib; not every exhibit was verified against "
        f"hashes.json (unverified: {', '.join(unverified) or 'none read'})"
    )


def _namespace(case: Case) -> uuid.UUID:
    """Per case: the manifest's bytes (or, without one, the folder name) name every id."""
    manifest = Path(case.root) / "hashes.json"
    seed = hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest.is_file() else ""
    return uuid.uuid5(_ROOT, f"{case_name(case)}\x1f{seed}")


def case_uco(
    case: Case,
    findings: Sequence[Finding],
    *,
    generated_utc: Any = None,
    base: str = DEFAULT_BASE,
    max_records: int = DEFAULT_MAX_RECORDS,
    track_points: int = DEFAULT_TRACK_POINTS,
) -> dict[str, Any]:
    """The case as a CASE/UCO JSON-LD document (a dict ready for :func:`json.dump`).

    ``generated_utc`` pins the time of the analysis action (default: now); ``base`` is the
    IRI the ``kb:`` prefix stands for. ``max_records`` bounds the calls and messages taken
    from each artifact, ``track_points`` the fixes taken from each flight log.
    """
    from forensics_lib import __version__

    g = _Graph(_namespace(case))
    b = _Builder(case, g, max_records=max_records, track_points=track_points)
    tool = g.add(
        {
            "@id": g.iri("tool", "forensics-lib", __version__),
            "@type": "uco-tool:Tool",
            "uco-core:name": "forensics-lib",
            "uco-tool:version": __version__,
            "uco-tool:toolType": "Analysis",
        }
    )
    b.exhibits()
    custody = b.custody()
    b.phone_devices()
    b.sip_accounts()
    b.calls()
    b.messages()
    b.flights()
    investigation = g.iri("investigation", case_name(case))
    annotations = [b.finding(f, investigation) for f in findings]
    when = _dt(pd.Timestamp.now(tz="UTC") if generated_utc is None else generated_utc)
    results = list(dict.fromkeys([*b.results, *annotations]))
    record = g.add(
        {
            "@id": g.iri("provenance-record", "analysis", __version__),
            "@type": "case-investigation:ProvenanceRecord",
            "uco-core:description": "Records read and findings established by forensics-lib",
            "uco-core:object": [_ref(r) for r in results],
        }
    )
    g.add(
        {
            "@id": g.iri("investigative-action", "analysis", __version__),
            "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": "analysed",
            "uco-core:description": _analysis_note(case),
            "uco-action:startTime": when,
            "uco-action:instrument": _ref(tool),
            "uco-action:object": [_ref(b.provenance[n]) for n in b.provenance],
            "uco-action:result": [_ref(record)] if results else [],
            "case-investigation:wasInformedBy": [_ref(a) for a in custody],
        }
    )
    everything = [n for n in g.nodes if n != investigation]
    g.add(
        {
            "@id": investigation,
            "@type": "case-investigation:Investigation",
            "uco-core:name": case_name(case),
            "uco-core:description": f"Case folder {case_name(case)}, {len(case.exhibits)} "
            f"exhibit(s), {len(findings)} finding(s)",
            # Plain text since CASE 1.4.0 (an InvestigationFormVocab value).
            "case-investigation:investigationForm": "case",
            "uco-core:object": [_ref(n) for n in everything],
        }
    )
    context = {"kb": base, **CONTEXT}
    return {"@context": context, "@graph": list(g.nodes.values())}


def write_uco(
    case: Case,
    findings: Sequence[Finding],
    target: str | os.PathLike[str],
    **options: Any,
) -> Path:
    """Write :func:`case_uco` as JSON-LD (UTF-8, sorted keys, indented) to ``target``."""
    out = Path(target)
    text = json.dumps(
        case_uco(case, findings, **options), indent=1, ensure_ascii=False, sort_keys=True
    )
    out.write_text(text + "\n", encoding="utf-8", newline="\n")
    return out
