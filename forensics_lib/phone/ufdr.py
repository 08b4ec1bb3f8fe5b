"""Cellebrite UFDR reports: ``report.xml`` read into the same frames as Android and iOS.

A UFDR is a zip written by Cellebrite Physical Analyzer / Reader holding ``report.xml``
(XML namespace ``http://pa.cellebrite.com/report/2.0``) and the extracted files. The layout,
as real parsers read it (SEilers/UFEDLib ``UFEDLib/ModelParser.cs``, ``Call.cs``,
``Contact.cs``, ``InstantMessage.cs``, ``Location.cs``, ``Models/ContactEntry.cs``,
``Models/Coordinate.cs``, ``MetaData/DeviceInfo.cs``; onbernard/ufdr-rs
``src/models/metadata.rs``, ``model_field.rs``)::

    <project xmlns="http://pa.cellebrite.com/report/2.0" ...>
      <metadata section="Device Info">                        (depth 1)
        <item name="DeviceInfoDetectedModel"><![CDATA[SM-G531BT]]></item>
      </metadata>
      <decodedData>                                            (depth 1)
        <modelType type="Call">                                (depth 2)
          <model type="Call" id="..." deleted_state="Intact">  (depth 3)
            <field name="TimeStamp" type="TimeStamp">
              <value type="TimeStamp">2024-03-14T10:48:45.659+01:00</value></field>
            <field name="Duration" type="TimeSpan"><value ...>00:01:23</value></field>
            <multiModelField name="Parties" type="Party">
              <model type="Party"><field name="Identifier">..</field>
                <field name="Role">From|To</field>
                <field name="IsPhoneOwner">True|False</field></model>
            </multiModelField>
            <modelField name="From" type="Party"><model type="Party">..</model></modelField>
            <multiField name="Notes"><value>..</value></multiField>

Models read: ``Call`` (Type Incoming/Outgoing/Missed, Direction, Duration as a .NET
``TimeSpan`` ``[d.]hh:mm:ss[.fffffff]``, Parties), ``SMS``/``MMS`` (Folder Inbox/Sent/...,
Status Read/Unread, Body, Parties), ``Chat`` with its ``Messages`` of ``InstantMessage``
(From, To, Body, TimeStamp, SourceApplication), ``Contact`` (Name, Entries of
``PhoneNumber``/``EMailAddress`` with field Value, Organizations, TimeCreated/TimeModified),
``InstalledApplication`` (Identifier, Name, Version, PurchaseDate), ``WirelessNetwork``
(SSId, BSSId, SecurityMode, LastConnection, TimeStamp), ``Location`` (TimeStamp, Name,
Position -> ``Coordinate`` Latitude/Longitude/Elevation) and the device identity from the
``Device Info`` metadata section or ``DeviceInfoEntry`` models (Name/Value).

Times carry their UTC offset and are converted with :func:`forensics_lib.core.times.to_utc`; a
time without an offset is not guessed (warning, NaT). The report is streamed through expat
(no whole-document tree): only the models an artifact needs are built, and a document type
declaration is refused before any entity is seen (no entity expansion), as in
:mod:`forensics_lib.phone._safe`. ``row_id`` is the 1-based position of the model among the
models of its type in the report (for chat messages: among all InstantMessage models).
"""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forensics_lib.core import times
from forensics_lib.core.errors import ForensicsWarning, TimestampError
from forensics_lib.core.registry import artifact
from forensics_lib.core.schema import FLOAT, STR, TIME, ArtifactSpec, Column, TimelineRule
from forensics_lib.phone._common import (
    CALL_COLUMNS,
    CALL_TIMELINE,
    CONTACT_COLUMNS,
    MESSAGE_COLUMNS,
    finish,
)
from forensics_lib.phone._safe import guarded_expat
from forensics_lib.phone.apps import APP_COLUMNS
from forensics_lib.phone.device import DEVICE
from forensics_lib.phone.wifi import WIFI_COLUMNS
from forensics_lib.sources import Source, display_path, open_binary

__all__ = [
    "NAMESPACE",
    "REPORT_GLOBS",
    "UFDR_CALLS",
    "UFDR_CHATS",
    "UFDR_CONTACTS",
    "UFDR_DEVICE",
    "UFDR_INSTALLED_APPS",
    "UFDR_LOCATIONS",
    "UFDR_SMS",
    "UFDR_WIFI",
    "Model",
    "is_ufdr_report",
    "read_calls",
    "read_chat_messages",
    "read_contacts",
    "read_device",
    "read_installed_apps",
    "read_locations",
    "read_models",
    "read_sms",
    "read_wifi_networks",
]

NAMESPACE = "http://pa.cellebrite.com/report/2.0"
REPORT_GLOBS = ("**/report.xml",)
_CHUNK = 1 << 20
_HEAD = 4096  # bytes of report.xml looked at to recognise it

_REFS = ("SEilers/UFEDLib UFEDLib/*.cs", "onbernard/ufdr-rs src/models/*.rs")


def _spec(
    name: str, description: str, columns: tuple[Column, ...], timeline: tuple[TimelineRule, ...]
) -> ArtifactSpec:
    return ArtifactSpec(
        id=f"ufdr.{name}",
        family="phone",
        description=description,
        columns=columns,
        globs=REPORT_GLOBS,
        timeline=timeline,
        references=_REFS,
    )


_MESSAGE_TIMELINE = (
    TimelineRule("time", "{service} {type_label}", "{address}: {body}", counterpart="address"),
)
LOCATION_COLUMNS: tuple[Column, ...] = (
    Column("time", TIME, "when the device was there (UTC)"),
    Column("end_time", TIME, "end of the stay, where recorded (UTC)"),
    Column("lat", FLOAT, "latitude, decimal degrees WGS84"),
    Column("lon", FLOAT, "longitude, decimal degrees WGS84"),
    Column("elevation_m", FLOAT, "elevation in metres, where recorded"),
    Column("name", STR, "place name"),
    Column("address", STR, "address as recorded"),
    Column("category", STR, "category (e.g. Visited, Searched)"),
    Column("source", STR, "the app the location comes from"),
)

UFDR_SMS = _spec("sms", "UFDR SMS and MMS models (report.xml)", MESSAGE_COLUMNS, _MESSAGE_TIMELINE)
UFDR_CHATS = _spec(
    "chat_messages",
    "UFDR Chat / InstantMessage models (report.xml)",
    MESSAGE_COLUMNS,
    _MESSAGE_TIMELINE,
)
UFDR_CALLS = _spec("calls", "UFDR Call models (report.xml)", CALL_COLUMNS, CALL_TIMELINE)
UFDR_CONTACTS = _spec(
    "contacts",
    "UFDR Contact models (report.xml)",
    CONTACT_COLUMNS,
    (TimelineRule("modified", "contact modified", "{display_name} {phones}"),),
)
UFDR_DEVICE = _spec("device", "UFDR device identity (Device Info)", DEVICE.columns, ())
UFDR_INSTALLED_APPS = _spec(
    "installed_apps",
    "UFDR InstalledApplication models (report.xml)",
    APP_COLUMNS,
    (TimelineRule("time", "app installed", "{app_id}"),),
)
UFDR_WIFI = _spec(
    "wifi_networks",
    "UFDR WirelessNetwork models (report.xml)",
    WIFI_COLUMNS,
    (TimelineRule("last_connected", "Wi-Fi joined", "{ssid} {bssid}"),),
)
UFDR_LOCATIONS = _spec(
    "locations",
    "UFDR Location models (report.xml)",
    LOCATION_COLUMNS,
    (TimelineRule("time", "location", "{name} {address}", lat="lat", lon="lon"),),
)


# -- the generic model ------------------------------------------------------------------------


@dataclass
class Model:
    """One ``<model>``: its attributes, its fields (first value each) and nested models."""

    type: str
    attrs: dict[str, str]
    fields: dict[str, str | None] = field(default_factory=dict)
    models: dict[str, list[Model]] = field(default_factory=dict)  # modelField + multiModelField
    multi: dict[str, list[str]] = field(default_factory=dict)  # multiField values

    def get(self, name: str) -> str | None:
        return self.fields.get(name)

    def first(self, name: str) -> Model | None:
        found = self.models.get(name)
        return found[0] if found else None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: ET.Element) -> str | None:
    """A field's value: its ``<value>`` child's text (CDATA included), ``None`` when empty."""
    for child in element:
        if _local(child.tag) == "value":
            return child.text if child.text is not None else ""
        if _local(child.tag) == "empty":
            return None
    text = (element.text or "").strip()
    return text or None


def _model(element: ET.Element) -> Model:
    model = Model(type=element.get("type", ""), attrs=dict(element.attrib))
    for child in element:
        kind = _local(child.tag)
        name = child.get("name", "")
        if kind == "field":
            model.fields.setdefault(name, _text(child))
        elif kind in ("modelField", "multiModelField"):
            subs = [_model(m) for m in child if _local(m.tag) == "model"]
            model.models.setdefault(name, []).extend(subs)
        elif kind == "multiField":
            values = [_text(v) if _local(v.tag) != "value" else v.text for v in child]
            model.multi[name] = [v for v in values if v]
    return model


@dataclass
class _Scan:
    models: dict[str, list[Model]] = field(default_factory=dict)
    device_items: list[tuple[str, str]] = field(default_factory=list)


def _scan(source: Source, wanted: frozenset[str], device_info: bool = False) -> _Scan:
    """Stream ``report.xml``; build only the top-level models of the ``wanted`` types."""
    path = display_path(source)
    result = _Scan(models={t: [] for t in wanted})
    stack: list[str] = []
    state: dict[str, Any] = {"builder": None, "depth": 0, "kind": ""}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        builder: ET.TreeBuilder | None = state["builder"]
        if builder is None:
            parents = stack[-2:]
            top_model = local == "model" and parents == ["decodedData", "modelType"]
            meta = device_info and local.lower() == "metadata" and len(stack) == 1
            if (top_model and attrs.get("type") in wanted) or (
                meta and attrs.get("section") == "Device Info"
            ):
                builder = ET.TreeBuilder()
                state.update(builder=builder, depth=len(stack), kind=local)
        stack.append(local)
        if builder is not None:
            builder.start(tag, attrs)

    def end(tag: str) -> None:
        stack.pop()
        builder: ET.TreeBuilder | None = state["builder"]
        if builder is None:
            return
        builder.end(tag)
        if len(stack) == state["depth"]:
            element = builder.close()
            state["builder"] = None
            if state["kind"] == "model":
                model = _model(element)
                result.models[model.type].append(model)
            else:
                for item in element:
                    name = item.get("name")
                    if name:
                        result.device_items.append((name, (item.text or "").strip()))

    def data(text: str) -> None:
        builder: ET.TreeBuilder | None = state["builder"]
        if builder is not None:
            builder.data(text)

    with guarded_expat(path) as raw, open_binary(source) as fh:
        raw.StartElementHandler = start
        raw.EndElementHandler = end
        raw.CharacterDataHandler = data
        raw.buffer_text = True
        while chunk := fh.read(_CHUNK):
            raw.Parse(chunk, False)
        raw.Parse(b"", True)
    return result


def read_models(source: Source, model_type: str) -> list[Model]:
    """Every top-level ``model`` of ``model_type`` in a ``report.xml``, in document order."""
    return _scan(source, frozenset({model_type})).models[model_type]


def is_ufdr_report(head: bytes) -> bool:
    """Whether the first bytes of a file are a Cellebrite report (its namespace, no DTD)."""
    return NAMESPACE.encode() in head[:_HEAD] and b"<project" in head[:_HEAD]


# -- value helpers ----------------------------------------------------------------------------


def _strs(values: Sequence[str | None]) -> pd.Series:
    return pd.Series(np.array(list(values), dtype=object), dtype="str")


def _utc(values: Sequence[str | None], what: str, path: str) -> pd.Series:
    """ISO 8601 times with their offset, as UTC; a naive or unreadable time warns and is NaT."""
    out: list[Any] = []  # Timestamp or NaT
    bad: list[str] = []
    for value in values:
        if value is None or not value.strip():
            out.append(pd.NaT)
            continue
        try:
            out.append(times.to_utc(value.strip()))
        except TimestampError:
            bad.append(value)
            out.append(pd.NaT)
    if bad:
        warnings.warn(
            f"ufdr: {path}: {len(bad)} {what} time(s) without a UTC offset or unreadable "
            f"(first {bad[0]!r}); left empty",
            ForensicsWarning,
            stacklevel=3,
        )
    return pd.Series(pd.DatetimeIndex(out, tz="UTC"), dtype=TIME)


_TIMESPAN = re.compile(r"^\s*(-)?(?:(\d+)\.)?(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)\s*$")


def parse_timespan(text: str | None) -> float | None:
    """A .NET ``TimeSpan`` text ``[-][d.]hh:mm:ss[.fffffff]`` in seconds; ``None`` if not one."""
    if text is None:
        return None
    match = _TIMESPAN.match(text)
    if match is None:
        try:
            return float(text)  # some exports write plain seconds
        except ValueError:
            return None
    sign, days, hours, minutes, seconds = match.groups()
    total = int(days or 0) * 86_400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    return -total if sign else total


def _float(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


def _bool(text: str | None) -> bool | None:
    if text is None:
        return None
    low = text.strip().lower()
    return True if low == "true" else False if low == "false" else None


def _lower(text: str | None) -> str | None:
    return text.strip().lower() if text and text.strip() else None


def _row_ids(n: int) -> pd.Series:
    return pd.Series(np.arange(1, n + 1, dtype=np.int64))


def _owner(party: Model) -> bool:
    return _bool(party.get("IsPhoneOwner")) is True


def _counterpart(parties: Iterable[Model], outgoing: bool) -> Model | None:
    """The other party: not the phone's owner; the recipient of an outgoing item, else the
    sender."""
    listed = [p for p in parties if not _owner(p)]
    role = "To" if outgoing else "From"
    for party in listed:
        if (party.get("Role") or "") == role:
            return party
    return listed[0] if listed else None


def _joined(parties: Iterable[Model | None], name: str) -> str | None:
    values = [p.get(name) for p in parties if p is not None and p.get(name)]
    return ", ".join(v for v in values if v) or None


# -- artifacts --------------------------------------------------------------------------------

# Cellebrite SMS Folder values (UFEDLib Models/SMS.cs: "Inbox, Draft, Sent"), as Android labels.
_INCOMING_FOLDERS = frozenset({"inbox"})


def _messages(models: list[Model], path: str, chat: dict[int, str] | None = None) -> pd.DataFrame:
    times_text: list[str | None] = []
    direction: list[str | None] = []
    address: list[str | None] = []
    label: list[str | None] = []
    service: list[str | None] = []
    read: list[bool | None] = []
    for model in models:
        folder = _lower(model.get("Folder"))
        owner_sent = _bool(model.get("FromIsOwner"))
        sender = model.first("From")
        if owner_sent is None and sender is not None:
            owner_sent = _owner(sender)
        parties = model.models.get("Parties", [])
        if owner_sent is None and parties:
            owner_sent = any(_owner(p) and p.get("Role") == "From" for p in parties)
        if owner_sent is None and folder is not None:
            owner_sent = folder not in _INCOMING_FOLDERS
        outgoing = bool(owner_sent)
        if parties:
            other = _joined(
                [
                    p
                    for p in parties
                    if not _owner(p) and p.get("Role") == ("To" if outgoing else "From")
                ]
                or [_counterpart(parties, outgoing)],
                "Identifier",
            )
        elif outgoing:
            other = _joined(model.models.get("To", []), "Identifier")
        else:
            other = sender.get("Identifier") if sender is not None else None
        times_text.append(model.get("TimeStamp"))
        direction.append("outgoing" if outgoing else "incoming")
        address.append(other)
        label.append(folder or ("sent" if outgoing else "received"))
        kind = model.type if model.type in ("SMS", "MMS") else None
        service.append(kind or model.get("SourceApplication") or model.get("Source"))
        status = _lower(model.get("Status"))
        read.append(None if status is None else status in ("read", "sent"))
    n = len(models)
    thread = [chat.get(i) for i in range(n)] if chat is not None else [None] * n
    return pd.DataFrame(
        {
            "time": _utc(times_text, "message", path),
            "direction": _strs(direction),
            "address": _strs(address),
            "body": _strs([m.get("Body") for m in models]),
            "type": pd.Series([pd.NA] * n, dtype="Int64"),
            "type_label": _strs(label),
            "service": _strs(service),
            "read": pd.Series(read, dtype="boolean"),
            "thread_id": pd.Series(
                [int(t) if t is not None and t.isdigit() else pd.NA for t in thread], dtype="Int64"
            ),
            "subject": _strs([m.get("Subject") for m in models]),
            "time_raw": pd.Series([pd.NA] * n, dtype="Int64"),
        }
    )


@artifact(UFDR_SMS)
def read_sms(source: Source) -> pd.DataFrame:
    """``SMS`` and ``MMS`` models, in the columns of ``android.sms`` / ``ios.sms``."""
    scan = _scan(source, frozenset({"SMS", "MMS"}))
    frames = []
    done = 0  # row_id runs on from the SMS models through the MMS models
    for kind in ("SMS", "MMS"):
        models = scan.models[kind]
        frame = _messages(models, display_path(source))
        frames.append(finish(frame, UFDR_SMS, source, _row_ids(len(models)) + done))
        done += len(models)
    return pd.concat(frames, ignore_index=True)


@artifact(UFDR_CHATS)
def read_chat_messages(source: Source) -> pd.DataFrame:
    """``InstantMessage`` models inside ``Chat`` models (and any at top level); ``thread_id``
    is the 1-based position of the chat."""
    scan = _scan(source, frozenset({"Chat", "InstantMessage"}))
    messages: list[Model] = []
    chat_of: dict[int, str] = {}
    for number, chat in enumerate(scan.models["Chat"], start=1):
        for message in chat.models.get("Messages", []):
            if message.type == "InstantMessage":
                chat_of[len(messages)] = str(number)
                messages.append(message)
    messages.extend(scan.models["InstantMessage"])
    frame = _messages(messages, display_path(source), chat_of)
    return finish(frame, UFDR_CHATS, source, _row_ids(len(messages)))


# Call Type values (UFEDLib Call.cs "Type"): Incoming, Outgoing, Missed; others kept lowercased.
_INCOMING_CALLS = frozenset({"incoming", "missed", "rejected", "blocked"})


@artifact(UFDR_CALLS)
def read_calls(source: Source) -> pd.DataFrame:
    """``Call`` models, in the columns of ``android.calls`` / ``ios.calls``."""
    path = display_path(source)
    models = read_models(source, "Call")
    kinds = [_lower(m.get("Type")) for m in models]
    directions: list[str | None] = []
    numbers: list[str | None] = []
    names: list[str | None] = []
    for model, kind in zip(models, kinds, strict=True):
        direction = _lower(model.get("Direction"))
        if direction not in ("incoming", "outgoing"):
            direction = (
                "outgoing"
                if kind == "outgoing"
                else "incoming"
                if kind in _INCOMING_CALLS
                else None
            )
        directions.append(direction)
        other = _counterpart(model.models.get("Parties", []), direction == "outgoing")
        numbers.append(other.get("Identifier") if other is not None else None)
        names.append(other.get("Name") if other is not None else None)
    duration = pd.Series([parse_timespan(m.get("Duration")) for m in models], dtype="float64")
    start = _utc([m.get("TimeStamp") for m in models], "call", path)
    kind_s = pd.Series(kinds, dtype=object)
    # As for Android (no answered flag stored): incoming answered, outgoing answered when it
    # lasted, missed/rejected not; an explicit Status "Answered"/"Missed" wins where present.
    answered = (kind_s == "incoming") | ((kind_s == "outgoing") & (duration > 0))
    status = [_lower(m.get("Status")) for m in models]
    answered_l: list[bool | None] = [
        True if s == "answered" else False if s in ("missed", "rejected") else bool(a)
        for s, a in zip(status, answered, strict=True)
    ]
    video = [_bool(m.get("VideoCall")) for m in models]
    frame = pd.DataFrame(
        {
            "time": start,
            "end_time": start + pd.to_timedelta(duration.fillna(0), unit="s"),
            "duration_s": duration,
            "number": _strs(numbers),
            "name": _strs(names),
            "direction": _strs(directions),
            "type": pd.Series([pd.NA] * len(models), dtype="Int64"),
            "type_label": _strs(kinds),
            "answered": pd.Series(answered_l, dtype="boolean"),
            "service": pd.Series([pd.NA] * len(models), dtype="Int64"),
            "service_label": _strs(
                [
                    m.get("Source") or ("Video" if v else "Phone")
                    for m, v in zip(models, video, strict=True)
                ]
            ),
            "country_iso": _strs([m.get("CountryCode") for m in models]),
            "location": _strs([None] * len(models)),
            "time_raw": pd.Series([np.nan] * len(models), dtype="float64"),
        }
    )
    return finish(frame, UFDR_CALLS, source, _row_ids(len(models)))


@artifact(UFDR_CONTACTS)
def read_contacts(source: Source) -> pd.DataFrame:
    """``Contact`` models: phone numbers and e-mails from ``Entries``, company from
    ``Organizations``."""
    path = display_path(source)
    models = read_models(source, "Contact")

    def entries(model: Model, kinds: tuple[str, ...]) -> str | None:
        values = [e.get("Value") for e in model.models.get("Entries", []) if e.type in kinds]
        return "; ".join(v for v in values if v) or None

    def organization(model: Model) -> str | None:
        orgs = model.models.get("Organizations", [])
        return orgs[0].get("Name") if orgs else None

    n = len(models)
    frame = pd.DataFrame(
        {
            "contact_id": _row_ids(n).astype("Int64"),
            "display_name": _strs([m.get("Name") for m in models]),
            "first_name": _strs([None] * n),
            "last_name": _strs([None] * n),
            "organization": _strs([organization(m) for m in models]),
            "phones": _strs([entries(m, ("PhoneNumber",)) for m in models]),
            "emails": _strs([entries(m, ("EMailAddress", "EmailAddress")) for m in models]),
            "created": _utc([m.get("TimeCreated") for m in models], "contact", path),
            "modified": _utc([m.get("TimeModified") for m in models], "contact", path),
            "deleted": pd.Series(
                [m.attrs.get("deleted_state") == "Deleted" for m in models], dtype="boolean"
            ),
        }
    )
    return finish(frame, UFDR_CONTACTS, source, _row_ids(n))


# Device Info item names (ufdr-rs metadata.rs tests; UFEDLib MetaData/DeviceInfo.cs; CASE/UCO
# Cellebrite mapping): the first present wins.
_DEVICE_KEYS: dict[str, tuple[str, ...]] = {
    "os": ("DeviceInfoOSType",),
    "make": ("DeviceInfoDetectedManufacturer", "DeviceInfoSelectedManufacturer"),
    "model": ("DeviceInfoDetectedModel", "DeviceInfoSelectedDeviceName", "DeviceInfoModelNumber"),
    "os_version": ("DeviceInfoOSVersion",),
    "build": ("DeviceInfoBuildNumber", "DeviceInfoRevision"),
    "serial": ("DeviceInfoSerial", "Serial", "Factory Number"),
    "imei": ("IMEI", "DeviceInfoIMEI"),
    "fingerprint": ("DeviceInfoBuildFingerprint",),
}


def device_items(source: Source) -> list[tuple[str, str]]:
    """The ``Device Info`` metadata items and ``DeviceInfoEntry`` models, as (name, value)."""
    scan = _scan(source, frozenset({"DeviceInfoEntry"}), device_info=True)
    items = list(scan.device_items)
    for model in scan.models["DeviceInfoEntry"]:
        name, value = model.get("Name"), model.get("Value")
        if name and value is not None:
            items.append((name, value.strip()))
    return items


@artifact(UFDR_DEVICE)
def read_device(source: Source) -> pd.DataFrame:
    """One row: the device identity recorded by the extraction tool."""
    items = device_items(source)
    values: dict[str, str] = {}
    for name, value in items:
        if value:
            values.setdefault(name, value)
    row = {
        c: next((values[k] for k in keys if k in values), None) for c, keys in _DEVICE_KEYS.items()
    }
    # The extraction tool's report is an acquisition record: what it read from the device.
    for column in ("serial", "imei"):
        row[f"{column}_source"] = "UFDR report" if row[column] else None
    frame = pd.DataFrame({k: _strs([v]) for k, v in row.items()})
    if not items:
        frame = frame.iloc[0:0]
    return finish(frame, UFDR_DEVICE, source, _row_ids(len(frame)))


@artifact(UFDR_INSTALLED_APPS)
def read_installed_apps(source: Source) -> pd.DataFrame:
    """``InstalledApplication`` models (Identifier, PurchaseDate; Name and Version have no
    column in the shared app schema)."""
    path = display_path(source)
    models = read_models(source, "InstalledApplication")
    n = len(models)
    data: dict[str, pd.Series] = {c.name: pd.Series([None] * n, dtype=object) for c in APP_COLUMNS}
    data.update(
        time=_utc([m.get("PurchaseDate") for m in models], "install", path),
        updated=pd.Series(pd.NaT, index=range(n), dtype=TIME),
        app_id=_strs([m.get("Identifier") for m in models]),
        format=_strs(["ufdr"] * n),
    )
    frame = pd.DataFrame({c.name: data[c.name] for c in APP_COLUMNS})
    return finish(frame, UFDR_INSTALLED_APPS, source, _row_ids(n))


@artifact(UFDR_WIFI)
def read_wifi_networks(source: Source) -> pd.DataFrame:
    """``WirelessNetwork`` models (SSId, BSSId, SecurityMode, LastConnection, TimeStamp)."""
    path = display_path(source)
    models = read_models(source, "WirelessNetwork")
    n = len(models)
    data: dict[str, pd.Series] = {c.name: pd.Series([None] * n, dtype=object) for c in WIFI_COLUMNS}
    data.update(
        time=_utc([m.get("TimeStamp") for m in models], "Wi-Fi", path),
        last_connected=_utc([m.get("LastConnection") for m in models], "Wi-Fi", path),
        ssid=_strs([m.get("SSId") for m in models]),
        bssid=_strs([m.get("BSSId") for m in models]),
        security=_strs([m.get("SecurityMode") for m in models]),
        security_raw=pd.Series([pd.NA] * n, dtype="Int64"),
        password=_strs([m.get("Password") for m in models]),
    )
    frame = pd.DataFrame({c.name: data[c.name] for c in WIFI_COLUMNS})
    return finish(frame, UFDR_WIFI, source, _row_ids(n))


@artifact(UFDR_LOCATIONS)
def read_locations(source: Source) -> pd.DataFrame:
    """``Location`` models with their ``Position`` coordinate."""
    path = display_path(source)
    models = read_models(source, "Location")
    positions = [m.first("Position") for m in models]

    def coord(name: str) -> pd.Series:
        return pd.Series(
            [_float(p.get(name)) if p is not None else None for p in positions], dtype="float64"
        )

    address = [
        m.get("PositionAddress") or (p.get("PositionAddress") if p is not None else None)
        for m, p in zip(models, positions, strict=True)
    ]
    frame = pd.DataFrame(
        {
            "time": _utc([m.get("TimeStamp") for m in models], "location", path),
            "end_time": _utc([m.get("EndTime") for m in models], "location", path),
            "lat": coord("Latitude"),
            "lon": coord("Longitude"),
            "elevation_m": coord("Elevation"),
            "name": _strs([m.get("Name") for m in models]),
            "address": _strs(address),
            "category": _strs([m.get("Category") for m in models]),
            "source": _strs([m.get("Source") for m in models]),
        }
    )
    return finish(frame, UFDR_LOCATIONS, source, _row_ids(len(models)))
