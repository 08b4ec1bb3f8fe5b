"""The capstone's judgement traps: what the playbook can surface but not settle.

``make_case(..., extra_traps=CAPSTONE_TRAPS)`` switches them on (the course's lab 5 does, with
a seeded choice of the optional ones: :func:`capstone_traps`). Each is seeded per case, and the
answer key's ``trap_answers`` says which variant the case got and the right answer:

* ``candidate_flights``: the aircraft flew twice that night from nearly the same place, and
  both flights entered the perimeter and released; the SD card and the operator's phone hold a
  log of each. The exhibits cannot say which flight is the drop; the brief's patrol log (the
  time the drone was heard over the yard, local time) and the drop message's time settle it.
  The other flight is earlier or later by seed.
* ``decoy_contact``: the drop message's number is saved on the operator's phone under two
  contact names, the organiser's and a cover name; the brief's visits list (who visits the
  inmate) settles which is the organiser.
* ``alibi`` (with ``phone_clock_offset``): the inmate says he was away from his cell, under
  staff watch, during a window of local time the brief gives; how many calls the contraband
  account started then is read from the capture (UTC). The window is drawn so that the
  contraband phone's own call history, whose clock is off by the seeded offset (visible only
  against the capture, matched by Call-ID), gives a different count.

Everything here is drawn from its own seeded stream (``random.Random(f"traps:{seed}")``), so a
case without these traps is byte-for-byte what it was.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "CAPSTONE_TRAPS",
    "OPTIONAL_TRAPS",
    "Alibi",
    "CandidatePlan",
    "alibi_window",
    "candidate_plan",
    "capstone_traps",
    "decoy_names",
]

#: The traps every capstone case holds (each with a seeded variant).
CAPSTONE_TRAPS = frozenset({"candidate_flights", "decoy_contact", "alibi", "phone_clock_offset"})
#: Traps a capstone case may hold besides (seeded): neither changes what is marked, only the
#: way to it (the drop telemetry log under another name; only the SIP digest HA1 stored).
OPTIONAL_TRAPS = ("renamed_file", "hashed_sip_password")

_DECOY_FIRST = ("Alex", "Billie", "Charlie", "Drew", "Emery", "Finley")
_DECOY_LAST = ("Testwood", "Dummett", "Proxley", "Shamwell")
_COVER = (("Pizza", "Roma"), ("Taxi", "Rank"), ("Garage", "Mike"), ("Gym", "Desk"))


def capstone_traps(seed: int) -> frozenset[str]:
    """The capstone's traps for ``seed``: every one of :data:`CAPSTONE_TRAPS`, and each of
    :data:`OPTIONAL_TRAPS` with an even chance."""
    rng = random.Random(f"traps:optional:{seed}")
    return CAPSTONE_TRAPS | {t for t in OPTIONAL_TRAPS if rng.random() < 0.5}


@dataclass(frozen=True)
class CandidatePlan:
    """The other flight of the night: when, and how far from the drop flight's site."""

    start: pd.Timestamp  # UTC
    dlat: float
    dlon: float
    later: bool  # the other flight came after the drop flight


def candidate_plan(seed: int, drop_start: pd.Timestamp) -> CandidatePlan:
    """The other candidate flight: 45 to 100 minutes before or after the drop flight's start,
    from a site 40 to 55 m away (so its release point and pilot lie outside the tolerances
    of the drop's: 15 m and 30 m)."""
    rng = random.Random(f"traps:flights:{seed}")
    later = rng.random() < 0.5
    gap = pd.Timedelta(minutes=rng.randint(45, 100), seconds=rng.randint(0, 59))
    metres = rng.uniform(40, 55)
    bearing = rng.uniform(0, 2 * math.pi)
    # 1 degree of latitude is 111.2 km; a degree of longitude shrinks with cos(latitude) (40 N)
    dlat = metres * math.cos(bearing) / 111_195
    dlon = metres * math.sin(bearing) / (111_195 * math.cos(math.radians(40.1)))
    start = drop_start + gap if later else drop_start - gap
    return CandidatePlan(start=start, dlat=dlat, dlon=dlon, later=later)


def decoy_names(seed: int, taken: set[str]) -> tuple[str, str, list[str]]:
    """(first, last) of the cover contact card for the organiser's number, and two names of
    other visitors for the brief's visits list (none of them in ``taken``)."""
    rng = random.Random(f"traps:contact:{seed}")
    people = [f"{f} {s}" for f in _DECOY_FIRST for s in _DECOY_LAST if f"{f} {s}" not in taken]
    cover, *visitors = rng.sample(people, 3)
    if rng.random() < 0.5:  # half the cover names are not a person's name at all
        first, last = rng.choice(_COVER)
        return first, last, visitors
    first, last = cover.split(" ")
    return first, last, visitors


@dataclass(frozen=True)
class Alibi:
    """The window (UTC, whole local minutes) the inmate says he was away from the cell."""

    start: pd.Timestamp
    end: pd.Timestamp
    calls: int  # calls of the contraband account started in the window (the capture's time)
    calls_by_phone_clock: int  # the same count read from the phone's own (wrong) clock


def _count(starts: list[pd.Timestamp], start: pd.Timestamp, end: pd.Timestamp) -> int:
    return sum(start <= t <= end for t in starts)


def alibi_window(seed: int, starts: list[pd.Timestamp], offset_s: int, zone: str) -> Alibi:
    """A window of whole local minutes around one of the account's calls (``starts``, UTC)
    such that the count of calls in it differs between the true time and the phone's clock
    (``offset_s``: phone minus UTC, at least 180 s by the story's draw)."""
    if abs(offset_s) < 90:
        raise ValueError("the alibi trap needs the phone's clock off by minutes")
    rng = random.Random(f"traps:alibi:{seed}")
    off = pd.Timedelta(seconds=offset_s)
    for _ in range(200):
        call = rng.choice(starts)
        on_phone = call + off
        inside = rng.random() < 0.5  # is the call in the window by the true (capture) time?
        length = pd.Timedelta(minutes=rng.randint(15, 35))
        # A boundary strictly between the true time and the phone's time of that call.
        early, late = sorted((call, on_phone))
        edge = (early + pd.Timedelta(seconds=1)).tz_convert(zone).ceil("min").tz_convert("UTC")
        if not early < edge < late:
            continue
        # The call is inside the window on the side of the edge where its chosen time lies.
        true_side_after = call >= edge  # True: the call lies after the edge
        if inside == true_side_after:
            start, end = edge, edge + length  # the window starts at the edge
        else:
            start, end = edge - length, edge  # the window ends at the edge
        truth = _count(starts, start, end)
        phone = _count([t + off for t in starts], start, end)
        if truth != phone:
            return Alibi(start=start, end=end, calls=truth, calls_by_phone_clock=phone)
    raise RuntimeError(f"seed {seed}: no alibi window separates the clocks")
