"""The operator's phone of the case: the scenario (the drop message, deleted and recoverable), the
searches and the launch-site photos."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pandas as pd

from forensics_datasets.case.exhibits import CAMERA_DIR, DROP_WORDS, offset_text, photo_bytes
from forensics_datasets.case.story import Story
from forensics_datasets.drone.flight import Flight
from forensics_datasets.phone.extras_model import Visit
from forensics_datasets.phone.scenario import (
    PHRASES,
    Call,
    Contact,
    Message,
    Scenario,
    make_scenario,
)

# -- the operator's phone ---------------------------------------------------------------------


def drop_text(story: Story, release_local: pd.Timestamp) -> str:
    at = release_local.floor("5min")
    return (
        f"Drop zone B, {story.wall} wall, {at:%H:%M} tonight. Lights off. Wait for three "
        "flashes then go. Do not use the phone after that, take the SIM out and break it."
    )


def operator_scenario(
    story: Story, flight: Flight, cover: tuple[str, str] | None = None
) -> tuple[Scenario, Message]:
    size = story.size
    base = make_scenario(
        story.seed,
        contacts=size.contacts,
        messages=size.messages,
        calls=size.calls,
        wa_messages=size.wa_messages,
        wa_calls=size.wa_calls,
    )
    plain = [p for p in PHRASES if not any(w in p for w in DROP_WORDS)]
    rng = random.Random(f"operator:{story.seed}")

    def clean(body: str) -> str:  # the only drop message is the story's
        return rng.choice(plain) if any(w in body for w in DROP_WORDS) else body

    messages = [replace(m, body=clean(m.body)) for m in base.messages]
    wa = [replace(m, body=clean(m.body)) for m in base.wa_messages]
    liftoff = pd.Timestamp(flight.key["liftoff_utc"])
    landing = pd.Timestamp(flight.key["touchdown_utc"])
    release_local = pd.Timestamp(flight.key["release_utc"]).tz_convert(story.zone)
    sent = (liftoff - pd.Timedelta(minutes=rng.randint(150, 420))).floor("ms")
    drop = Message(
        time=sent,
        address=story.organiser.number,
        outgoing=False,
        body=drop_text(story, release_local),
        read=True,
    )
    reply = Message(sent + pd.Timedelta(seconds=rng.randint(40, 300)), story.organiser.number,
                    True, "ok. weather looks fine", True)  # fmt: skip
    done = Message(landing + pd.Timedelta(seconds=rng.randint(120, 600)), story.organiser.number,
                   True, "Done. Parcel is in.", True)  # fmt: skip
    messages = sorted([*messages, drop, reply, done], key=lambda m: m.time)
    created = story.flight_start - pd.Timedelta(days=200)
    contacts = [
        *base.contacts,
        Contact(story.organiser.first, story.organiser.last, (story.organiser.number,), (),
                None, created.floor("s"), created.floor("s")),
        Contact(story.relative.first, story.relative.last, (story.relative.number,), (),
                None, (created + pd.Timedelta(days=3)).floor("s"),
                (created + pd.Timedelta(days=3)).floor("s")),
    ]  # fmt: skip
    talk = Call(
        (landing + pd.Timedelta(seconds=rng.randint(700, 1500))).floor("ms"),
        story.organiser.number,
        "outgoing",
        rng.randint(30, 200),
        story.organiser.name,
    )
    if cover is not None:  # decoy_contact: the organiser's number under a cover name too
        saved = (created + pd.Timedelta(days=rng.randint(20, 150))).floor("s")
        contacts.append(Contact(cover[0], cover[1], (story.organiser.number,), (), None,
                                saved, saved))  # fmt: skip
    calls = sorted([*base.calls, talk], key=lambda c: c.time)
    scenario = Scenario(
        seed=story.seed,
        owner_number=story.operator.number,
        contacts=contacts,
        messages=messages,
        calls=calls,
        wa_messages=wa,
        wa_calls=base.wa_calls,
    )
    return scenario, drop


def operator_searches(story: Story) -> list[Visit]:
    t = story.flight_start - pd.Timedelta(hours=30)
    queries = (
        ("wind+forecast+tonight", "wind forecast tonight - Example Search"),
        ("drone+payload+release+servo+ardupilot", "drone payload release servo - Example Search"),
        ("how+to+wipe+phone+quickly", "how to wipe phone quickly - Example Search"),
    )
    return [
        Visit(
            (t + pd.Timedelta(hours=6 * i, seconds=37 * i)).floor("s"),
            f"https://search.example.com/search?q={q}",
            title,
            True,
        )
        for i, (q, title) in enumerate(queries)
    ]


def launch_photos(story: Story, flight: Flight) -> dict[str, bytes]:
    armed = pd.Timestamp(flight.key["armed_utc"])
    rng = random.Random(f"photos:{story.seed}")
    files: dict[str, bytes] = {}
    for k in range(3):
        when = (armed - pd.Timedelta(seconds=rng.randint(120, 540) - 60 * k)).floor("s")
        local = when.tz_convert(story.zone)
        lat = flight.pilot[0] + rng.uniform(-2e-5, 2e-5)
        lon = flight.pilot[1] + rng.uniform(-2e-5, 2e-5)
        name = f"{CAMERA_DIR}/IMG_{local:%Y%m%d_%H%M%S}.jpg"
        files[name] = photo_bytes(
            lat=lat, lon=lon, alt_m=flight.home[2] + 1.5, local_time=f"{local:%Y:%m:%d %H:%M:%S}",
            offset=offset_text(local), gps_utc=when, make="Google", model="Pixel 7",
            serial="", dji=None,
        )  # fmt: skip
    return files


def check_recoverable(phone_key: dict[str, Any], deleted: list[Message]) -> None:
    """The deleted drop message must still be whole in mmssms.db's free space (or its -wal):
    the trap hides it from the live table, it must not destroy it."""
    written = phone_key.get("writer", {}).get("deleted_sms", [])
    if len(written) != len(deleted) or not all(d["bytes_in_file"] for d in written):
        raise RuntimeError(
            "the deleted drop message was overwritten in mmssms.db; the case would not be "
            f"solvable (writer notes: {written!r})"
        )
