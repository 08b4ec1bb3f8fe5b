"""The case's story as plain data: who, where, when, which traps; seeded.

One :class:`Story` is threaded through the drone, phone and VoIP writers, so the exhibits
agree with each other the way a real case's do: the drop message names the time the drone
flew, the contraband phone's softphone account is the one that registers in the prison's
capture, and the numbers it calls are in the operator's contacts.

Everything is invented (``datasets/README.md``): numbers in Ofcom's drama range
``+44 7700 900xxx``, addresses in the documentation ranges, ``example`` domains, names
from small lists of placeholder words.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

__all__ = ["DIFFICULTIES", "SIZES", "TRAPS", "Person", "Size", "Story", "make_story"]

Difficulty = Literal["easy", "medium", "hard"]
SizeName = Literal["lab", "class", "large"]
ZONE = "Europe/Madrid"  # where the invented prison is; the aircraft's clock is set to it
REALM = "pbx.example.org"  # the VoIP provider the contraband phone uses


@dataclass(frozen=True)
class Size:
    """How much of everything a case holds."""

    contacts: int
    messages: int
    calls: int
    wa_messages: int
    wa_calls: int
    loiter_laps: int  # survey laps before the drop: a longer flight log
    call_seconds: float  # media per answered VoIP call
    staff_calls: int  # unrelated calls in the capture (when that trap is on)


SIZES: dict[str, Size] = {
    "lab": Size(10, 40, 20, 30, 6, 0, 6.0, 3),
    "class": Size(40, 400, 150, 300, 30, 2, 20.0, 8),
    "large": Size(300, 20_000, 5_000, 20_000, 500, 12, 120.0, 40),
}

# Which traps each difficulty switches on (datasets/README.md, "The case's traps").
# ``deleted_message`` (the drop SMS deleted, left in mmssms.db's free space) is hard only:
# recovering it means carving SQLite free space, and medium is the capstone lab's level.
TRAPS: dict[str, frozenset[str]] = {
    "easy": frozenset(),
    "medium": frozenset({"local_time_photos", "decoy_flight", "unrelated_calls"}),
    "hard": frozenset(
        {
            "local_time_photos",
            "decoy_flight",
            "unrelated_calls",
            "phone_clock_offset",
            "renamed_file",
            "hashed_sip_password",
            "deleted_message",
        }
    ),
}
DIFFICULTIES = tuple(TRAPS)

_FIRST = ("Dana", "Eli", "Frankie", "Gale", "Harper", "Indy", "Jules", "Kai", "Lane", "Morgan")
_LAST = ("Placeholder", "Fixture", "Mockridge", "Stubbs", "Sampleton", "Exampleby")
_NICK = ("M", "Big J", "Cuz", "The Driver", "Uncle", "Boss")
_WALLS = ("north", "east", "south", "west")
_SIP_USERS = ("cell7", "yard-b", "rx0", "night4", "wing3", "ghost")
_WEAK = ("sunshine", "letmein", "dragon", "monkey", "football", "welcome", "qwerty1", "shadow")


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    number: str  # E.164

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class Story:
    """Everything the writers need to agree on."""

    seed: int
    size_name: str
    size: Size
    difficulty: str
    traps: frozenset[str]
    zone: str
    flight_start: pd.Timestamp  # UTC: when the drone log starts
    decoy_start: pd.Timestamp  # UTC: the earlier (training) flight, when that trap is on
    operator: Person  # owns the Android phone seized at the arrest
    organiser: Person  # arranges the drop by SMS; the inmate calls them afterwards
    relative: Person  # the inmate's second outside number
    operator_nick_for_organiser: str  # how the inmate's phone names the organiser
    wall: str  # the wall the message names
    contraband_os: Literal["android", "ios"]
    sip_user: str
    sip_password: str
    pin: str  # dialled with RFC 4733 events in the first call
    inband: str  # keyed as tones in the last call
    clock_offset_s: int  # the contraband phone's clock minus UTC (0 unless that trap is on)
    contraband_ip: str = "198.51.100.23"
    staff: list[tuple[str, str, str]] = field(default_factory=list)  # (user, ip, password)
    case_number: str = ""  # printed in the brief and the bag numbers (default: the seed)
    board_uid: str = ""  # the drone's flight-controller id (DataFlash MSG at boot)


def _numbers(rng: random.Random, avoid: set[str], k: int) -> list[str]:
    free = [f"+447700900{i:03d}" for i in range(1000) if f"+447700900{i:03d}" not in avoid]
    return rng.sample(free, k)


def _board_uid(seed: int) -> str:
    """A flight-controller unique id for this seed, printed as ArduPilot does (three 32-bit
    hex words; STM32 UIDs start with the wafer's coordinates, here a fixed 0042)."""
    rng = random.Random(f"board:{seed}")
    return f"0042{rng.getrandbits(16):04X} {rng.getrandbits(32):08X} {rng.getrandbits(32):08X}"


def make_story(seed: int, size: str = "lab", difficulty: str = "medium", *,
               avoid_numbers: set[str] | None = None,
               case_number: str | None = None,
               extra_traps: frozenset[str] = frozenset()) -> Story:  # fmt: skip
    """The seeded story; ``avoid_numbers`` are numbers the operator's phone already uses;
    ``case_number`` is what the papers call the case (the seed, zero-padded, by default);
    ``extra_traps`` are switched on besides the difficulty's (the capstone's,
    :mod:`forensics_datasets.case.traps`)."""
    if size not in SIZES:
        raise ValueError(f"size is one of {', '.join(SIZES)}, not {size!r}")
    if difficulty not in TRAPS:
        raise ValueError(f"difficulty is one of {', '.join(TRAPS)}, not {difficulty!r}")
    rng = random.Random(f"case:{seed}")
    traps = TRAPS[difficulty] | frozenset(extra_traps)
    # The operator's phone scenario spans 30 days from 2024-03-14 + seed days; the drop is
    # in its last third, late in the local evening.
    day = pd.Timestamp("2024-03-14") + pd.Timedelta(days=seed % 365 + rng.randint(20, 27))
    local = pd.Timestamp(
        f"{day:%Y-%m-%d} 23:{rng.randint(0, 40):02d}:{rng.randint(0, 59):02d}"
    ).tz_localize(ZONE)
    start = local.tz_convert("UTC")
    decoy = start - pd.Timedelta(days=rng.randint(4, 9), hours=rng.randint(1, 5))
    n_op, n_org, n_rel = _numbers(rng, set(avoid_numbers or ()), 3)
    first = rng.sample(_FIRST, 3)
    last = rng.sample(_LAST, 3)
    staff = [(f"staff{i:02d}", f"198.51.100.{40 + i}", rng.choice(_WEAK)) for i in range(1, 5)]
    return Story(
        seed=seed,
        case_number=case_number or f"{seed:05d}",
        board_uid=_board_uid(seed),
        size_name=size,
        size=SIZES[size],
        difficulty=difficulty,
        traps=traps,
        zone=ZONE,
        flight_start=start,
        decoy_start=decoy,
        operator=Person(first[0], last[0], n_op),
        organiser=Person(first[1], last[1], n_org),
        relative=Person(first[2], last[2], n_rel),
        operator_nick_for_organiser=rng.choice(_NICK),
        wall=rng.choice(_WALLS),
        contraband_os="ios" if rng.random() < 0.5 else "android",
        sip_user=f"{rng.choice(_SIP_USERS)}{rng.randint(10, 99)}",
        sip_password=rng.choice(_WEAK),
        pin="".join(str(rng.randint(0, 9)) for _ in range(4)),
        inband="".join(rng.choice("0123456789*") for _ in range(2)),
        clock_offset_s=(
            rng.choice((-1, 1)) * rng.randint(180, 900) if "phone_clock_offset" in traps else 0
        ),
        staff=staff,
    )
