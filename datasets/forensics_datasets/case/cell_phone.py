"""The contraband phone and the prison network capture of the case: the SIP phones and planned
calls, the phone's Linphone account and call history, its scenario."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pandas as pd

from forensics_datasets.case.story import REALM, Story
from forensics_datasets.drone.flight import Flight
from forensics_datasets.phone.linphone import Linphone, SipAccount, SipCall
from forensics_datasets.phone.scenario import Contact, Scenario, make_scenario
from forensics_datasets.voip.capture import PlannedCall, SipPhone
from forensics_lib.voip.auth import digest_ha1

# -- the contraband phone and the capture -----------------------------------------------------


def capture_plan(story: Story, flight: Flight) -> tuple[list[SipPhone], list[PlannedCall]]:
    rng = random.Random(f"capture:{story.seed}")
    landing = pd.Timestamp(flight.key["touchdown_utc"])
    first = (landing + pd.Timedelta(minutes=rng.randint(25, 55))).floor("ms")
    seconds = story.size.call_seconds
    user = story.sip_user
    org, rel = story.organiser.number, story.relative.number
    plan = [
        PlannedCall(user, org, first, "answered", seconds, digits=story.pin),
        PlannedCall(user, rel, first + pd.Timedelta(minutes=rng.randint(8, 20)), "cancelled"),
        PlannedCall(user, rel, first + pd.Timedelta(minutes=rng.randint(25, 40)), "answered",
                    seconds, inband_digits=story.inband),
    ]  # fmt: skip
    phones = [SipPhone(user, story.contraband_ip, story.sip_password)]
    if "unrelated_calls" in story.traps:
        phones += [SipPhone(u, ip, pw) for u, ip, pw in story.staff]
        for k in range(story.size.staff_calls):
            a, b = rng.sample(story.staff, 2)
            at = first + pd.Timedelta(seconds=rng.randint(-600, 3000))
            outcome = rng.choice(("answered", "answered", "cancelled", "rejected"))
            plan.append(PlannedCall(a[0], b[0], at.floor("ms"), outcome, min(seconds, 8.0)))
            del k
    plan.sort(key=lambda c: c.start)
    return phones, plan


def cell_linphone(story: Story, voip_key: dict[str, Any]) -> Linphone:
    offset = pd.Timedelta(seconds=story.clock_offset_s)
    hashed = "hashed_sip_password" in story.traps
    account = SipAccount(
        username=story.sip_user,
        domain=REALM,
        proxy=REALM,
        transport="udp",
        realm=REALM,
        password=None if hashed else story.sip_password,
        ha1=digest_ha1(story.sip_user, REALM, story.sip_password) if hashed else None,
        display_name="",
    )
    names = {
        story.organiser.number: story.operator_nick_for_organiser,
        story.relative.number: story.relative.first,
    }
    calls = []
    mine = f"{story.sip_user}@{REALM}"
    for c in voip_key["calls"]:
        if c["caller"] != mine:
            continue
        number = c["callee"].split("@")[0]
        start = pd.Timestamp(c["start_ns"], tz="UTC")
        answered = c["state"] == "COMPLETED"
        connected = pd.Timestamp(c["answer_ns"], tz="UTC") if answered else None
        duration = round((c["end_ns"] - c["answer_ns"]) / 1e9) if answered else 0
        calls.append(
            SipCall(
                start=(start + offset).floor("s"),
                connected=(connected + offset).floor("s") if connected is not None else None,
                duration=duration,
                direction=0,
                # liblinphone LinphoneCallStatus: Success 0, Aborted 1 (caller hung up), Declined 3
                status={"COMPLETED": 0, "CANCELLED": 1, "REJECTED": 3}[c["state"]],
                local=mine,
                remote=f"{number}@{REALM}",
                remote_name=names.get(number, ""),
                call_id=c["call_id"],
                video=False,
                quality=4.2 if answered else -1.0,
            )
        )
    return Linphone(seed=story.seed, accounts=[account], calls=calls)


def cell_scenario(story: Story) -> Scenario:
    base = make_scenario(story.seed + 1, contacts=2, messages=4, calls=2, wa_messages=3,
                         wa_calls=0)  # fmt: skip
    created = (story.flight_start - pd.Timedelta(days=2)).floor("s")
    contacts = [
        Contact(story.operator_nick_for_organiser, "", (story.organiser.number,), (), None,
                created, created),
        Contact(story.relative.first, "", (story.relative.number,), (), None, created, created),
    ]  # fmt: skip
    return replace(base, contacts=contacts, owner_number=story.operator.number[:-3] + "999")
