"""A synthetic Cellebrite UFDR report: a zip holding ``report.xml`` and extracted files.

The :class:`~forensics_datasets.phone.scenario.Scenario` the Android and iOS writers use is
written as ``report.xml`` models (namespace ``http://pa.cellebrite.com/report/2.0``), laid out
as real reports are read by SEilers/UFEDLib (``ModelParser.cs``: ``project/decodedData/
modelType/model`` at depth 3; ``MetaData/DeviceInfo.cs``: ``metadata section="Device Info"``
at depth 1) and onbernard/ufdr-rs (``<field><value type=..><![CDATA[..]]></value></field>``,
``modelField``/``multiModelField`` of ``Party`` models). SMS/MMS become ``SMS``/``MMS``
models, calls ``Call``, contacts ``Contact`` (Entries ``PhoneNumber``/``EMailAddress``,
``Organizations``), WhatsApp messages ``Chat`` models holding ``InstantMessage``s. Times are
written in the phone's local offset (``+01:00`` by default) with milliseconds, as Physical
Analyzer writes them; the reader must turn them back into the scenario's UTC.
"""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from forensics_datasets.phone.scenario import (
    GROUP_JID,
    GROUP_SUBJECT,
    Scenario,
    jid,
    make_scenario,
)

__all__ = ["NAMESPACE", "UFDR_VERSION", "UfdrExtras", "make_ufdr", "ufdr_report", "write_ufdr"]

NAMESPACE = "http://pa.cellebrite.com/report/2.0"
UFDR_VERSION = 1
DEVICE_INFO = {
    "DeviceInfoOSType": "Android",
    "DeviceInfoDetectedManufacturer": "samsung",
    "DeviceInfoDetectedModel": "SM-G531BT",
    "DeviceInfoOSVersion": "5.1.1",
    "DeviceInfoRevision": "5.1.1 LMY48B G531BTVJU0AOL1",
    "IMEI": "004999010640000",
}


def _time(ts: pd.Timestamp, offset: str) -> str:
    """``2024-03-14T10:48:45.659+01:00``: the UTC instant shown in the local offset."""
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = offset.lstrip("+-").split(":")
    delta = pd.Timedelta(hours=int(hours), minutes=int(minutes)) * sign
    local = (ts.tz_convert("UTC") + delta).tz_localize(None)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}{offset}"


def _timespan(seconds: int) -> str:
    """A .NET TimeSpan ``hh:mm:ss`` (days as ``d.hh:mm:ss``)."""
    days, rest = divmod(seconds, 86_400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return f"{days}.{text}" if days else text


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.ids = 0

    def _id(self) -> str:
        self.ids += 1
        return f"00000000-0000-4000-8000-{self.ids:012d}"

    def field(self, name: str, value: Any, kind: str = "String") -> None:
        if value is None:
            self.parts.append(f'<field name="{name}" type="{kind}"><empty /></field>')
            return
        text = str(value).replace("]]>", "]]]]><![CDATA[>")
        self.parts.append(
            f'<field name="{name}" type="{kind}"><value type="{kind}"><![CDATA[{text}]]>'
            "</value></field>"
        )

    def open_model(self, kind: str) -> None:
        self.parts.append(
            f'<model type="{kind}" id="{self._id()}" deleted_state="Intact" '
            'decoding_confidence="High" isrelated="False" extractionId="0">'
        )

    def close_model(self) -> None:
        self.parts.append("</model>")

    def party(self, identifier: str, role: str, owner: bool, name: str | None = None) -> None:
        self.open_model("Party")
        self.field("Identifier", identifier)
        self.field("Role", role)
        self.field("Name", name)
        self.field("IsPhoneOwner", "True" if owner else "False", "Boolean")
        self.close_model()

    def parties(self, field: str, items: list[tuple[str, str, bool, str | None]]) -> None:
        self.parts.append(f'<multiModelField name="{field}" type="Party">')
        for identifier, role, owner, name in items:
            self.party(identifier, role, owner, name)
        self.parts.append("</multiModelField>")


def _extras(seed: int) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(seed * 7919 + 5)
    base = pd.Timestamp("2024-02-01T09:00:00Z")
    apps = [
        {
            "app_id": app,
            "time": base - pd.Timedelta(days=rng.randint(1, 300), seconds=rng.randint(0, 86_399)),
        }
        for app in ("com.whatsapp", "org.telegram.messenger", "dji.go.v5", "org.linphone")
    ]
    wifi = [
        {
            "ssid": f"Example-Net-{i}",
            "bssid": ":".join(f"{rng.randrange(256):02x}" for _ in range(6)),
            "security": rng.choice(("WPA2-PSK", "Open", "WPA3-SAE")),
            "last_connected": base + pd.Timedelta(seconds=rng.randint(0, 30 * 86_400)),
        }
        for i in range(3)
    ]
    locations = [
        {
            "time": base + pd.Timedelta(seconds=rng.randint(0, 30 * 86_400)),
            "lat": round(50.80 + rng.random() / 10, 6),
            "lon": round(4.30 + rng.random() / 10, 6),
            "name": f"Place {i}",
        }
        for i in range(4)
    ]
    return {"apps": apps, "wifi": wifi, "locations": locations}


UfdrExtras = dict[str, list[dict[str, Any]]]


def ufdr_report(
    scenario: Scenario, *, offset: str = "+01:00", extras: bool = False
) -> tuple[bytes, dict[str, Any]]:
    """``report.xml`` for ``scenario`` and the writer's notes (what went where)."""
    w = _Writer()
    owner = scenario.owner_number
    w.parts.append(
        f'<?xml version="1.0" encoding="utf-8"?>\n<project id="{w._id()}" '
        f'name="EXH-{scenario.seed:03d}" reportVersion="7.60.0.1" xmlns={quoteattr(NAMESPACE)}>'
    )
    w.parts.append('<metadata section="Device Info">')
    for name, value in DEVICE_INFO.items():
        w.parts.append(
            f'<item id="{w._id()}" name="{name}" sourceExtraction="0"><![CDATA[{value}]]></item>'
        )
    w.parts.append("</metadata>")
    w.parts.append("<decodedData>")

    w.parts.append('<modelType type="Contact">')
    for c in scenario.contacts:
        w.open_model("Contact")
        w.field("Name", c.display_name)
        w.field("Source", "Phone")
        w.field("TimeCreated", _time(c.created, offset), "TimeStamp")
        w.field("TimeModified", _time(c.modified, offset), "TimeStamp")
        w.parts.append('<multiModelField name="Entries" type="ContactEntry">')
        for number in c.phones:
            w.open_model("PhoneNumber")
            w.field("Category", "Mobile")
            w.field("Value", number)
            w.close_model()
        for mail in c.emails:
            w.open_model("EMailAddress")
            w.field("Category", "Home")
            w.field("Value", mail)
            w.close_model()
        w.parts.append("</multiModelField>")
        if c.organization:
            w.parts.append('<multiModelField name="Organizations" type="Organization">')
            w.open_model("Organization")
            w.field("Name", c.organization)
            w.close_model()
            w.parts.append("</multiModelField>")
        w.close_model()
    w.parts.append("</modelType>")

    w.parts.append('<modelType type="Call">')
    for call in scenario.calls:
        outgoing = call.label == "outgoing"
        w.open_model("Call")
        w.field("Source", "Phone")
        w.field("Type", call.label.capitalize())
        w.field("Direction", "Outgoing" if outgoing else "Incoming")
        w.field("TimeStamp", _time(call.time, offset), "TimeStamp")
        w.field("Duration", _timespan(call.duration_s), "TimeSpan")
        w.field("VideoCall", "False", "Boolean")
        them = (call.number, "To" if outgoing else "From", False, call.name)
        me = (owner, "From" if outgoing else "To", True, None)
        w.parties("Parties", [me, them] if outgoing else [them, me])
        w.close_model()
    w.parts.append("</modelType>")

    for kind, mms in (("SMS", False), ("MMS", True)):
        chosen = [m for m in scenario.messages if m.mms == mms]
        w.parts.append(f'<modelType type="{kind}">')
        for m in chosen:
            w.open_model(kind)
            w.field("Source", "Phone" if kind == "SMS" else "MMS")
            w.field("TimeStamp", _time(m.time, offset), "TimeStamp")
            w.field("Folder", "Sent" if m.outgoing else "Inbox")
            w.field("Status", "Sent" if m.outgoing else ("Read" if m.read else "Unread"))
            w.field("Body", m.body)
            them = (m.address, "To" if m.outgoing else "From", False, None)
            me = (owner, "From" if m.outgoing else "To", True, None)
            w.parties("Parties", [me, them] if m.outgoing else [them, me])
            w.close_model()
        w.parts.append("</modelType>")

    w.parts.append('<modelType type="Chat">')
    chats = sorted({m.chat_jid for m in scenario.wa_messages})
    own_jid = jid(owner)
    for chat_jid in chats:
        w.open_model("Chat")
        w.field("Source", "WhatsApp")
        w.field("Id", chat_jid)
        w.field("Name", GROUP_SUBJECT if chat_jid == GROUP_JID else None)
        w.parts.append('<multiModelField name="Messages" type="InstantMessage">')
        for m in (x for x in scenario.wa_messages if x.chat_jid == chat_jid):
            w.open_model("InstantMessage")
            w.field("SourceApplication", "WhatsApp")
            w.field("TimeStamp", _time(m.time, offset), "TimeStamp")
            w.field("Body", m.body)
            w.field("FromIsOwner", "True" if m.outgoing else "False", "Boolean")
            sender = own_jid if m.outgoing else (m.sender_jid or chat_jid)
            w.parts.append('<modelField name="From" type="Party">')
            w.party(sender, "From", m.outgoing)
            w.parts.append("</modelField>")
            w.parties("To", [(own_jid if not m.outgoing else chat_jid, "To", not m.outgoing, None)])
            w.close_model()
        w.parts.append("</multiModelField>")
        w.close_model()
    w.parts.append("</modelType>")

    notes: dict[str, Any] = {"offset": offset, "device": DEVICE_INFO, "chats": chats}
    if extras:
        ext = _extras(scenario.seed)
        w.parts.append('<modelType type="InstalledApplication">')
        for app in ext["apps"]:
            w.open_model("InstalledApplication")
            w.field("Identifier", app["app_id"])
            w.field("Name", app["app_id"].rsplit(".", 1)[-1])
            w.field("PurchaseDate", _time(app["time"], offset), "TimeStamp")
            w.close_model()
        w.parts.append('</modelType><modelType type="WirelessNetwork">')
        for net in ext["wifi"]:
            w.open_model("WirelessNetwork")
            w.field("SSId", net["ssid"])
            w.field("BSSId", net["bssid"])
            w.field("SecurityMode", net["security"])
            w.field("LastConnection", _time(net["last_connected"], offset), "TimeStamp")
            w.close_model()
        w.parts.append('</modelType><modelType type="Location">')
        for loc in ext["locations"]:
            w.open_model("Location")
            w.field("TimeStamp", _time(loc["time"], offset), "TimeStamp")
            w.field("Name", loc["name"])
            w.field("Source", "Google Maps")
            w.parts.append('<modelField name="Position" type="Coordinate">')
            w.open_model("Coordinate")
            w.field("Latitude", loc["lat"], "Double")
            w.field("Longitude", loc["lon"], "Double")
            w.close_model()
            w.parts.append("</modelField>")
            w.close_model()
        w.parts.append("</modelType>")
        notes["extras"] = {
            k: [
                {
                    kk: (vv.isoformat() if isinstance(vv, pd.Timestamp) else vv)
                    for kk, vv in d.items()
                }
                for d in v
            ]
            for k, v in ext.items()
        }
    w.parts.append("</decodedData></project>\n")
    return "\n".join(w.parts).encode("utf-8"), notes


def write_ufdr(
    path: str | Path, scenario: Scenario, *, offset: str = "+01:00", extras: bool = False
) -> dict[str, Any]:
    """Write ``scenario`` as a UFDR zip at ``path``; returns the writer's notes."""
    report, notes = ufdr_report(scenario, offset=offset, extras=extras)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("report.xml", report)
        # Physical Analyzer stores the carved/extracted files beside the report by category.
        zf.writestr("files/Text/readme.txt", escape("Synthetic UFDR; all data invented.\n"))
    return notes


def make_ufdr(
    out: str | Path,
    *,
    seed: int = 0,
    contacts: int = 8,
    messages: int = 60,
    calls: int = 30,
    wa_messages: int = 40,
    wa_calls: int = 10,
    offset: str = "+01:00",
    extras: bool = False,
    name: str | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Write ``<name>.ufdr`` and its ``.answer_key.json`` into ``out``; the same arguments
    give the same scenario as :func:`~forensics_datasets.phone.make_phone_extraction`."""
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    scenario = make_scenario(
        seed,
        contacts=contacts,
        messages=messages,
        calls=calls,
        wa_messages=wa_messages,
        wa_calls=wa_calls,
    )
    stem = name or f"EXH-{seed:03d}_ufdr"
    exhibit = root / f"{stem}.ufdr"
    notes = write_ufdr(exhibit, scenario, offset=offset, extras=extras)
    key = {
        "version": UFDR_VERSION,
        "seed": seed,
        "exhibit": exhibit.name,
        "writer": notes,
        "scenario": scenario.to_json(),
    }
    (root / f"{stem}.answer_key.json").write_text(
        json.dumps(key, indent=2, ensure_ascii=False) + "\n"
    )
    return exhibit, key
