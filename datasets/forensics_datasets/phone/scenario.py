"""One phone's life as plain data: contacts, messages and calls, seeded.

The same :class:`Scenario` is written as an Android and as an iOS extraction, so a test can
check that both read back to the same contacts, calls and messages. Everything is synthetic:
names from small invented lists, numbers from Ofcom's drama range ``+44 7700 900xxx``,
e-mail at ``example.com`` (see ``datasets/README.md``).

Times are whole milliseconds (Android stores ms); contact times are whole seconds (iOS
AddressBook stores integer Cocoa seconds).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

__all__ = [
    "BASE_TIME",
    "GROUP_JID",
    "GROUP_SUBJECT",
    "Call",
    "Contact",
    "Message",
    "Scenario",
    "WaCall",
    "WaMessage",
    "jid",
    "make_scenario",
]

BASE_TIME = pd.Timestamp("2024-03-14T08:00:00Z")
FIRST = ("Alex", "Sam", "Robin", "Charlie", "Jo", "Kim", "Lou", "Max", "Nico", "Pat", "Ray", "Toni")
LAST = ("Example", "Sample", "Placeholder", "Testcase", "Dummy", "Mock", "Fixture", "Stub")
ORGS = ("Example Logistics", "Sample Couriers Ltd", None, None, None)
PHRASES = (
    "Are you there?",
    "Pick-up at the usual place",
    "Battery charged, 2 spare",
    "Call me after 22:00",
    "Check the wind forecast before tonight",
    "Bring the grey bag",
    "Delete this later",
    "ok",
    "On my way 🚗",
    "Café at 9? Ça marche.",
    "Drop zone B, north wall, 23:40. Lights off. Wait for three flashes then go. "
    "Do not use the phone after that, take the SIM out and break it.",
    "Need 2 more SIMs and a charger",
)


@dataclass(frozen=True)
class Contact:
    first: str
    last: str
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    organization: str | None
    created: pd.Timestamp
    modified: pd.Timestamp

    @property
    def display_name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class Message:
    time: pd.Timestamp
    address: str
    outgoing: bool
    body: str
    read: bool
    mms: bool = False  # written as an MMS on Android


@dataclass(frozen=True)
class Call:
    time: pd.Timestamp
    number: str
    label: str  # incoming, outgoing, missed
    duration_s: int
    name: str | None


@dataclass(frozen=True)
class WaMessage:
    time: pd.Timestamp
    chat_jid: str  # user@s.whatsapp.net or group@g.us
    outgoing: bool
    body: str
    sender_jid: str | None  # who sent an incoming message (a member, in a group)


@dataclass(frozen=True)
class WaCall:
    time: pd.Timestamp
    jid: str
    outgoing: bool
    video: bool
    duration_s: int


GROUP_JID = "120363000000000001@g.us"
GROUP_SUBJECT = "Delivery team"


def jid(number: str) -> str:
    """The WhatsApp jid of a phone number: digits without '+', at s.whatsapp.net."""
    return number.lstrip("+") + "@s.whatsapp.net"


def json_ready(obj: Any) -> Any:
    """``obj`` with every Timestamp as ISO 8601 text and tuples as lists (for answer keys)."""
    if isinstance(obj, pd.Timestamp):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {k: json_ready(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_ready(v) for v in obj]
    return obj


@dataclass
class Scenario:
    seed: int
    owner_number: str
    contacts: list[Contact] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    wa_messages: list[WaMessage] = field(default_factory=list)
    wa_calls: list[WaCall] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The scenario as JSON-ready data (times as ISO 8601 UTC)."""

        return {
            "seed": self.seed,
            "owner_number": self.owner_number,
            "contacts": [
                json_ready({**asdict(c), "display_name": c.display_name}) for c in self.contacts
            ],
            "messages": [json_ready(asdict(m)) for m in self.messages],
            "calls": [json_ready(asdict(c)) for c in self.calls],
            "wa_messages": [json_ready(asdict(m)) for m in self.wa_messages],
            "wa_calls": [json_ready(asdict(c)) for c in self.wa_calls],
            "wa_group": {"jid": GROUP_JID, "subject": GROUP_SUBJECT},
        }


def _number(i: int) -> str:
    """A number in Ofcom's drama range +44 7700 900000-900999."""
    return f"+447700900{i % 1000:03d}"


def make_scenario(
    seed: int = 0,
    *,
    contacts: int = 8,
    messages: int = 60,
    calls: int = 30,
    wa_messages: int = 40,
    wa_calls: int = 10,
) -> Scenario:
    """A seeded scenario; the same arguments always give the same scenario."""
    rng = random.Random(seed)
    start = BASE_TIME + pd.Timedelta(days=seed % 365)
    people: list[Contact] = []
    used = rng.sample(range(1, 999), k=min(contacts * 2 + 10, 998))
    for i in range(contacts):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST) + rng.randrange(3)) % len(LAST)]
        phones = (_number(used[2 * i]),) + (
            (_number(used[2 * i + 1]),) if rng.random() < 0.3 else ()
        )
        emails = (f"{first.lower()}.{last.lower()}{i}@example.com",) if rng.random() < 0.5 else ()
        created = start - pd.Timedelta(days=rng.randint(30, 400), seconds=rng.randint(0, 86_399))
        modified = created + pd.Timedelta(days=rng.randint(0, 20), seconds=rng.randint(0, 86_399))
        people.append(Contact(first, last, phones, emails, rng.choice(ORGS), created, modified))
    strangers = [_number(u) for u in used[2 * contacts : 2 * contacts + 5]]
    numbers = [p.phones[0] for p in people] or strangers
    span_ms = 30 * 86_400_000
    msgs: list[Message] = []
    for _ in range(messages):
        address = rng.choice(numbers) if rng.random() < 0.85 else rng.choice(strangers)
        t = start + pd.Timedelta(milliseconds=rng.randint(0, span_ms))
        outgoing = rng.random() < 0.45
        mms = rng.random() < 0.1
        msgs.append(
            Message(
                time=t.floor("s") if mms else t,  # Android pdu.date holds whole seconds
                address=address,
                outgoing=outgoing,
                body=rng.choice(PHRASES),
                read=True if outgoing else rng.random() < 0.8,
                mms=mms,
            )
        )
    msgs.sort(key=lambda m: m.time)
    by_number = {p: c.display_name for c in people for p in c.phones}
    call_list: list[Call] = []
    for _ in range(calls):
        number = rng.choice(numbers) if rng.random() < 0.8 else rng.choice(strangers)
        label = rng.choices(("incoming", "outgoing", "missed"), weights=(4, 4, 2))[0]
        duration = 0 if label == "missed" else rng.choice((0, rng.randint(3, 1800)))
        if label == "incoming" and duration == 0:
            duration = rng.randint(3, 600)  # an answered incoming call lasts
        t = start + pd.Timedelta(milliseconds=rng.randint(0, span_ms))
        call_list.append(Call(t, number, label, duration, by_number.get(number)))
    call_list.sort(key=lambda c: c.time)
    wa_people = [jid(n) for n in numbers[: max(3, len(numbers) // 2)]]
    members = wa_people[:3]
    chats: list[WaMessage] = []
    for _ in range(wa_messages):
        t = start + pd.Timedelta(milliseconds=rng.randint(0, span_ms))
        outgoing = rng.random() < 0.45
        if rng.random() < 0.3:
            chat, sender = GROUP_JID, None if outgoing else rng.choice(members)
        else:
            chat = rng.choice(wa_people)
            sender = None if outgoing else chat
        chats.append(WaMessage(t, chat, outgoing, rng.choice(PHRASES), sender))
    chats.sort(key=lambda m: m.time)
    wa_call_list = []
    for _ in range(wa_calls):
        t = start + pd.Timedelta(milliseconds=rng.randint(0, span_ms))
        duration = rng.choice((0, rng.randint(5, 900)))
        wa_call_list.append(
            WaCall(t, rng.choice(wa_people), rng.random() < 0.5, rng.random() < 0.3, duration)
        )
    wa_call_list.sort(key=lambda c: c.time)
    owner = _number(used[-1])
    return Scenario(
        seed=seed,
        owner_number=owner,
        contacts=people,
        messages=msgs,
        calls=call_list,
        wa_messages=chats,
        wa_calls=wa_call_list,
    )
