"""The seeded case: a drone drop into a prison yard, the phones, the calls, and the answer key.

>>> from forensics_datasets.case import make_case          # doctest: +SKIP
>>> case = make_case("case-7", seed=7, size="lab", difficulty="medium")
>>> case.answer_key["facts"]["takeoff_utc"]

The case folder holds the exhibits, each written by the format writers of the drone, phone
and VoIP generators from one :class:`~forensics_datasets.case.story.Story`:

* ``EXH-01_drone_sdcard/``: the aircraft's SD card: the ArduPilot DataFlash log of the drop
  flight (``APM/LOGS/``) and the aerial photos its camera took over the yard (EXIF GPS and
  DJI XMP; with the ``local_time_photos`` trap, local wall time and no offset, as many
  cameras write).
* ``EXH-02_operator_phone.zip``: the operator's Android file-system extraction: the SMS that
  arranged the drop (with ``deleted_message``, deleted: gone from the live ``sms`` table,
  its record left in ``mmssms.db``'s free space for carving), calls, WhatsApp, a softphone,
  browser searches, Wi-Fi networks, photos taken at the launch site and the ground
  station's telemetry log of the flight (plus an earlier training flight with
  ``decoy_flight``; stored under another name with ``renamed_file``).
* ``EXH-03_cell_phone.zip`` or ``.tar``: the contraband phone found in a cell (iOS or
  Android by seed) with Linphone registered to the prison-side VoIP account (its clock off
  by minutes with ``phone_clock_offset``; only the digest HA1 stored with
  ``hashed_sip_password``).
* ``EXH-04_prison_network.pcapng``: the prison Wi-Fi capture: the contraband phone's digest
  REGISTER (a weak password), its calls to outside numbers with RFC 4733 and in-band DTMF,
  and, with ``unrelated_calls``, staff calls that have nothing to do with it.

Case papers: ``brief.md``, ``perimeter.geojson``, ``wordlist.txt`` (the password list the
brief allows), ``custody.jsonl``, ``hashes.json`` and ``answer_key.json``: every fact a
lab asks, with its tolerance.
"""

from __future__ import annotations

import json
import random
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forensics_datasets.case.brief import brief_text
from forensics_datasets.case.geometry import time_inside
from forensics_datasets.case.story import DIFFICULTIES, REALM, SIZES, Story, make_story
from forensics_datasets.case.traps import alibi_window, candidate_plan, decoy_names
from forensics_datasets.drone.dataflash import write_dataflash
from forensics_datasets.drone.flight import Flight, simulate_flight
from forensics_datasets.drone.tlog import write_tlog
from forensics_datasets.media.photo import write_photo
from forensics_datasets.phone import make_phone_extraction
from forensics_datasets.phone.android import MMSSMS_DB
from forensics_datasets.phone.extras import Visit, make_extras
from forensics_datasets.phone.linphone import Linphone, SipAccount, SipCall
from forensics_datasets.phone.scenario import (
    PHRASES,
    Call,
    Contact,
    Message,
    Scenario,
    make_scenario,
)
from forensics_datasets.voip.capture import PlannedCall, SipPhone, make_voip_capture
from forensics_datasets.voip.sip import WEAK_PASSWORDS
from forensics_lib.custody import CustodyLog
from forensics_lib.hashing import build_manifest, sha256_file, write_manifest
from forensics_lib.voip.auth import digest_ha1

__all__ = ["CASE_VERSION", "DIFFICULTIES", "SIZES", "CaseFolder", "make_case"]

CASE_VERSION = 1
DRONE_SD = "EXH-01_drone_sdcard"
OPERATOR = "EXH-02_operator_phone"
CELL = "EXH-03_cell_phone"
CAPTURE = "EXH-04_prison_network.pcapng"
LOG_NAME = "APM/LOGS/00000031.BIN"
# QGroundControl on Android keeps telemetry logs in its app folder on shared storage.
QGC_DIR = "data/media/0/Android/data/org.mavlink.qgroundcontrol/files/QGroundControl/Telemetry"
CAMERA_DIR = "data/media/0/DCIM/Camera"
_DROP_WORDS = ("Drop zone",)


@dataclass(frozen=True)
class CaseFolder:
    """A written case: its folder, answer key and story."""

    root: Path
    answer_key: dict[str, Any]
    story: Story


def _iso(ts: pd.Timestamp | None) -> str | None:
    if ts is None or pd.isna(ts):
        return None
    return pd.Timestamp(ts).tz_convert("UTC").isoformat()


def _shift(flight: Flight, dlat: float, dlon: float) -> Flight:
    """The same flight flown somewhere else (the decoy)."""
    samples = flight.samples.assign(lat=flight.samples["lat"] + dlat)
    samples["lon"] = samples["lon"] + dlon
    home = (flight.home[0] + dlat, flight.home[1] + dlon, flight.home[2])
    mission = [
        {**m, "lat": m["lat"] + dlat, "lon": m["lon"] + dlon} if m["lat"] else dict(m)
        for m in flight.mission
    ]
    return replace(
        flight,
        samples=samples,
        home=home,
        pilot=(flight.pilot[0] + dlat, flight.pilot[1] + dlon),
        target=(flight.target[0] + dlat, flight.target[1] + dlon),
        mission=mission,
        perimeter=[[p[0] + dlon, p[1] + dlat] for p in flight.perimeter],
    )


def _bytes_of(write: Any, flight: Flight) -> bytes:
    with tempfile.TemporaryDirectory(prefix="case-") as tmp:
        path = Path(tmp) / "log"
        write(path, flight)
        return path.read_bytes()


def _photo_bytes(**kwargs: Any) -> bytes:
    with tempfile.TemporaryDirectory(prefix="case-") as tmp:
        path = Path(tmp) / "p.jpg"
        write_photo(path, **kwargs)
        return path.read_bytes()


def _offset_text(local: pd.Timestamp) -> str:
    text = local.strftime("%z")
    return f"{text[:3]}:{text[3:]}"


# -- the operator's phone ---------------------------------------------------------------------


def _drop_text(story: Story, release_local: pd.Timestamp) -> str:
    at = release_local.floor("5min")
    return (
        f"Drop zone B, {story.wall} wall, {at:%H:%M} tonight. Lights off. Wait for three "
        "flashes then go. Do not use the phone after that, take the SIM out and break it."
    )


def _operator_scenario(
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
    plain = [p for p in PHRASES if not any(w in p for w in _DROP_WORDS)]
    rng = random.Random(f"operator:{story.seed}")

    def clean(body: str) -> str:  # the only drop message is the story's
        return rng.choice(plain) if any(w in body for w in _DROP_WORDS) else body

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
        body=_drop_text(story, release_local),
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


def _searches(story: Story) -> list[Visit]:
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


def _launch_photos(story: Story, flight: Flight) -> dict[str, bytes]:
    armed = pd.Timestamp(flight.key["armed_utc"])
    rng = random.Random(f"photos:{story.seed}")
    files: dict[str, bytes] = {}
    for k in range(3):
        when = (armed - pd.Timedelta(seconds=rng.randint(120, 540) - 60 * k)).floor("s")
        local = when.tz_convert(story.zone)
        lat = flight.pilot[0] + rng.uniform(-2e-5, 2e-5)
        lon = flight.pilot[1] + rng.uniform(-2e-5, 2e-5)
        name = f"{CAMERA_DIR}/IMG_{local:%Y%m%d_%H%M%S}.jpg"
        files[name] = _photo_bytes(
            lat=lat, lon=lon, alt_m=flight.home[2] + 1.5, local_time=f"{local:%Y:%m:%d %H:%M:%S}",
            offset=_offset_text(local), gps_utc=when, make="Google", model="Pixel 7",
            serial="", dji=None,
        )  # fmt: skip
    return files


def _check_recoverable(phone_key: dict[str, Any], deleted: list[Message]) -> None:
    """The deleted drop message must still be whole in mmssms.db's free space (or its -wal):
    the trap hides it from the live table, it must not destroy it."""
    written = phone_key.get("writer", {}).get("deleted_sms", [])
    if len(written) != len(deleted) or not all(d["bytes_in_file"] for d in written):
        raise RuntimeError(
            "the deleted drop message was overwritten in mmssms.db; the case would not be "
            f"solvable (writer notes: {written!r})"
        )


# -- the contraband phone and the capture -----------------------------------------------------


def _capture_plan(story: Story, flight: Flight) -> tuple[list[SipPhone], list[PlannedCall]]:
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


def _cell_linphone(story: Story, voip_key: dict[str, Any]) -> Linphone:
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


def _cell_scenario(story: Story) -> Scenario:
    base = make_scenario(story.seed + 1, contacts=2, messages=4, calls=2, wa_messages=3,
                         wa_calls=0)  # fmt: skip
    created = (story.flight_start - pd.Timedelta(days=2)).floor("s")
    contacts = [
        Contact(story.operator_nick_for_organiser, "", (story.organiser.number,), (), None,
                created, created),
        Contact(story.relative.first, "", (story.relative.number,), (), None, created, created),
    ]  # fmt: skip
    return replace(base, contacts=contacts, owner_number=story.operator.number[:-3] + "999")


# -- the drone's SD card ----------------------------------------------------------------------


def _aerial_photos(
    folder: Path, story: Story, flight: Flight, first: int = 1
) -> list[dict[str, Any]]:
    s = flight.samples
    release = pd.Timestamp(flight.key["release_utc"])
    at = int(np.searchsorted(s["time_utc"], release))
    local_trap = "local_time_photos" in story.traps
    shots = []
    folder.mkdir(parents=True, exist_ok=True)
    for n, idx in enumerate((at - 60, at, at + 60)):
        row = s.iloc[idx]
        when = row["time_utc"].floor("s")
        local = when.tz_convert(story.zone)
        name = f"DJI_{n + first:04d}.JPG"
        write_photo(
            folder / name,
            lat=row["lat"],
            lon=row["lon"],
            alt_m=row["alt_amsl_m"],
            local_time=f"{local:%Y:%m:%d %H:%M:%S}",
            offset=None if local_trap else _offset_text(local),
            gps_utc=None if local_trap else when,
            dji={
                "GpsLatitude": row["lat"],
                "GpsLongitude": row["lon"],
                "AbsoluteAltitude": row["alt_amsl_m"],
                "RelativeAltitude": row["alt_rel_m"],
                "GimbalPitchDegree": -90.0,
                "FlightYawDegree": row["heading_deg"] - 360 * (row["heading_deg"] > 180),
            },
        )
        shots.append({"file": f"DCIM/100MEDIA/{name}", "time_utc": _iso(when),
                      "lat": float(row["lat"]), "lon": float(row["lon"])})  # fmt: skip
    return shots


# -- custody and the key ----------------------------------------------------------------------


def _custody(root: Path, story: Story, flight: Flight, exhibits: list[str]) -> None:
    landing = pd.Timestamp(flight.key["touchdown_utc"])
    path = root / "custody.jsonl"
    path.unlink(missing_ok=True)
    log = CustodyLog(path)
    seized = {
        DRONE_SD: (landing + pd.Timedelta(minutes=41), "PC 4711 Example (arresting officer)"),
        OPERATOR: (landing + pd.Timedelta(minutes=43), "PC 4711 Example (arresting officer)"),
        CELL: (landing + pd.Timedelta(hours=9), "SO 2203 Sample (prison search team)"),
        CAPTURE: (landing + pd.Timedelta(hours=14), "IT officer J. Fixture (prison IT)"),
    }
    for name in exhibits:
        key = next(k for k in seized if name.startswith(k))
        when, who = seized[key]
        log.append(who=who, action="seized", exhibit=name, time=when.floor("s"),
                   note="sealed in bag " + f"EB{story.case_number}{len(key)}")  # fmt: skip
    for n, name in enumerate(exhibits):
        when = landing + pd.Timedelta(hours=20, minutes=15 * n)
        target = root / name
        digest = sha256_file(target, progress=False) if target.is_file() else None
        log.append(who="DC 0815 Placeholder (digital forensics unit)", action="acquired",
                   exhibit=name, sha256=digest, time=when.floor("s"),
                   note="read-only copy; hashes in hashes.json")  # fmt: skip


def _drop_note(deleted: bool) -> str:
    if not deleted:
        return f"a live row of the sms table of {MMSSMS_DB}"
    return (
        f"deleted by the operator: not in the live sms table of {MMSSMS_DB}; its record is "
        "still whole in the database's free space (a freed cell, a free page, or a page its "
        "-wal has rewritten): recover it by carving (android.sms_deleted)"
    )


def _facts(story: Story, flight: Flight, *, perimeter: list[list[float]], drop: Message,
           voip_key: dict[str, Any], phone_paths: dict[str, str], shots: list[dict[str, Any]],
           cell_exhibit: str) -> dict[str, Any]:  # fmt: skip
    key = flight.key
    inside = time_inside(flight.samples, perimeter)
    mine = f"{story.sip_user}@{REALM}"
    answered = [c for c in voip_key["calls"] if c["caller"] == mine and c["state"] == "COMPLETED"]
    durations: dict[str, list[float]] = {}
    for c in answered:
        number = c["callee"].split("@")[0]
        durations.setdefault(number, []).append(round((c["end_ns"] - c["answer_ns"]) / 1e9, 3))
    callees = sorted({c["callee"].split("@")[0] for c in voip_key["calls"] if c["caller"] == mine})

    def fact(value: Any, question: str, tolerance: float | None = None, unit: str = "",
             exhibit: str = "") -> dict[str, Any]:  # fmt: skip
        return {"value": value, "question": question, "tolerance": tolerance, "unit": unit,
                "exhibit": exhibit}  # fmt: skip

    facts = {
        "aircraft_board_uid": fact(story.board_uid,
                                   "Which flight controller flew the drop (board UID)?",
                                   exhibit=DRONE_SD),
        "takeoff_utc": fact(_iso(pd.Timestamp(key["liftoff_utc"])), "When did it take off?", 3,
                            "s", DRONE_SD),
        "landing_utc": fact(_iso(pd.Timestamp(key["touchdown_utc"])), "When did it land?", 3, "s",
                            DRONE_SD),
        "release_utc": fact(_iso(pd.Timestamp(key["release_utc"])),
                            "When was the payload released?", 10, "s", DRONE_SD),
        "release_point": fact({"lat": key["release_lat"], "lon": key["release_lon"]},
                              "Where was the payload released?", 15, "m", DRONE_SD),
        "perimeter_entry_utc": fact(_iso(inside["entry_utc"]),
                                    "When did the drone first cross the perimeter?", 3, "s",
                                    DRONE_SD),
        "time_inside_perimeter_s": fact(round(float(inside["seconds"]), 1),
                                        "How long was it inside the perimeter?", 5, "s", DRONE_SD),
        "pilot_position": fact({"lat": flight.pilot[0], "lon": flight.pilot[1]},
                               "Where was the pilot?", 30, "m", OPERATOR),
        "drop_flight_log": fact(phone_paths["drop"],
                                "Which file on the operator's phone holds the drop flight?",
                                exhibit=OPERATOR + ".zip"),
        "decoy_flight_log": fact(phone_paths.get("decoy"),
                                 "Which flight log on the operator's phone is another flight?",
                                 exhibit=OPERATOR + ".zip"),
        "drop_message": {**fact({"time_utc": _iso(drop.time), "sender": drop.address,
                                 "text": drop.body},
                                "Which message arranged the drop?", 1, "s", OPERATOR + ".zip"),
                         "note": _drop_note("deleted_message" in story.traps)},
        "organiser_name": fact(story.organiser.name,
                               "Who sent it, by the operator's contacts?", exhibit=OPERATOR),
        "contraband_phone_exhibit": fact(cell_exhibit, "Which exhibit is the contraband phone?"),
        "contraband_sip_account": fact(mine, "Which SIP account did the contraband phone use?",
                                       exhibit=CAPTURE),
        "contraband_sip_password": fact(story.sip_password, "What is its password?",
                                        exhibit=CAPTURE),
        "callee_numbers": fact(callees, "Which outside numbers did it call?", exhibit=CAPTURE),
        "call_durations_s": fact(durations, "How long did the answered calls last?", 1, "s",
                                 CAPTURE),
        "dialled_pin": fact(story.pin, "Which PIN was keyed (RFC 4733 events)?", exhibit=CAPTURE),
        "inband_digits": fact(story.inband, "Which digits were keyed as tones?", exhibit=CAPTURE),
        "contraband_clock_offset_s": fact(story.clock_offset_s,
                                          "How far off UTC is the contraband phone's clock?", 5,
                                          "s", cell_exhibit),
        "aerial_photo_times_utc": fact({s["file"]: s["time_utc"] for s in shots},
                                       "When were the aerial photos taken (UTC)?", 1, "s",
                                       DRONE_SD),
    }  # fmt: skip
    return facts


def make_case(
    out: str | Path,
    seed: int = 0,
    *,
    size: str = "lab",
    difficulty: str = "medium",
    case_number: str | None = None,
    extra_traps: frozenset[str] = frozenset(),
) -> CaseFolder:
    """Write the case for ``seed`` into ``out`` (created; must be empty or absent).

    ``case_number`` names the case in the brief and the evidence bags (by default the seed,
    zero-padded); a course gives each trainee a number that does not reveal the seed.
    ``extra_traps`` adds traps to the difficulty's (the capstone's judgement traps,
    :mod:`forensics_datasets.case.traps`)."""
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise FileExistsError(f"{root}: not empty; a case is written into a new folder")
    probe = make_scenario(seed, contacts=SIZES[size].contacts if size in SIZES else 1,
                          messages=0, calls=0, wa_messages=0, wa_calls=0)  # fmt: skip
    avoid = {p for c in probe.contacts for p in c.phones} | {probe.owner_number}
    story = make_story(seed, size, difficulty, avoid_numbers=avoid, case_number=case_number,
                       extra_traps=extra_traps)  # fmt: skip
    flight = simulate_flight(
        seed, start=str(_iso(story.flight_start)), loiter_laps=story.size.loiter_laps
    )
    flight.board_uid = story.board_uid
    perimeter = flight.perimeter

    # EXH-01: the aircraft's SD card
    sd = root / DRONE_SD
    (sd / LOG_NAME).parent.mkdir(parents=True)
    write_dataflash(sd / LOG_NAME, flight)
    other: Flight | None = None  # candidate_flights: the night's other flight over the yard
    trap_answers: dict[str, Any] = {}
    if "candidate_flights" in story.traps:
        twice = candidate_plan(seed, story.flight_start)
        other = _shift(
            simulate_flight(seed, start=str(_iso(twice.start)), loiter_laps=story.size.loiter_laps),
            twice.dlat,
            twice.dlon,
        )
        other.board_uid = story.board_uid
        other_log = LOG_NAME.replace("31.BIN", "32.BIN" if twice.later else "30.BIN")
        write_dataflash(sd / other_log, other)
    shots = _aerial_photos(sd / "DCIM" / "100MEDIA", story, flight,
                           first=4 if other is not None and not twice.later else 1)  # fmt: skip
    if other is not None:
        other_shots = _aerial_photos(sd / "DCIM" / "100MEDIA", story, other,
                                     first=1 if not twice.later else 4)  # fmt: skip
        trap_answers["candidate_flights"] = {
            "drop_log": LOG_NAME,
            "other_log": other_log,
            "other_is": "later" if twice.later else "earlier",
            "other_takeoff_utc": _iso(pd.Timestamp(other.key["liftoff_utc"])),
            "other_photos": [s["file"] for s in other_shots],
            "settled_by": "the patrol's time in the brief (and the drop message's time)",
            "answer": "the flight whose release matches the patrol's time: " + LOG_NAME,
        }

    # EXH-02: the operator's phone
    cover = None
    visitors: list[str] = []
    if "decoy_contact" in story.traps:
        taken = {story.organiser.name, story.relative.name, story.operator.name}
        first, last, others = decoy_names(seed, taken)
        cover = (first, last)
        visitors = sorted([story.organiser.name, *others])
        trap_answers["decoy_contact"] = {
            "number": story.organiser.number,
            "names": sorted([story.organiser.name, f"{first} {last}"]),
            "cover_name": f"{first} {last}",
            "visitors": visitors,
            "settled_by": "the visits list in the brief",
            "answer": story.organiser.name,
        }
    scenario, drop = _operator_scenario(story, flight, cover)
    extras = make_extras(seed)
    extras.visits = sorted([*extras.visits, *_searches(story)], key=lambda v: v.time)
    files = _launch_photos(story, flight)
    local = story.flight_start.tz_convert(story.zone)
    drop_path = f"{QGC_DIR}/{local:%Y-%m-%d %H-%M-%S}.tlog"
    if "renamed_file" in story.traps:
        drop_path = f"data/media/0/Download/backup_{local:%m%d}.dat"
    files[drop_path] = _bytes_of(write_tlog, flight)
    paths = {"drop": drop_path}
    if other is not None:
        other_local = pd.Timestamp(other.samples["time_utc"].iloc[0]).tz_convert(story.zone)
        paths["other"] = f"{QGC_DIR}/{other_local:%Y-%m-%d %H-%M-%S}.tlog"
        files[paths["other"]] = _bytes_of(write_tlog, other)
        trap_answers["candidate_flights"]["other_phone_log"] = paths["other"]
        trap_answers["candidate_flights"]["drop_phone_log"] = drop_path
    if "decoy_flight" in story.traps:
        decoy = _shift(simulate_flight(seed + 7919, start=str(_iso(story.decoy_start))),
                       0.045, -0.06)  # fmt: skip
        decoy_local = story.decoy_start.tz_convert(story.zone)
        paths["decoy"] = f"{QGC_DIR}/{decoy_local:%Y-%m-%d %H-%M-%S}.tlog"
        files[paths["decoy"]] = _bytes_of(write_tlog, decoy)
    deleted: list[Message] = []
    if "deleted_message" in story.traps:  # the operator deleted it: only free space holds it
        scenario = replace(scenario, messages=[m for m in scenario.messages if m is not drop])
        deleted = [drop]
    operator = make_phone_extraction(
        root, os="android", seed=seed, container="zip", name=OPERATOR, extras=extras,
        linphone=True, scenario=scenario, files=files, deleted_sms=deleted,
    )  # fmt: skip
    _check_recoverable(operator.answer_key, deleted)
    (root / f"{OPERATOR}.answer_key.json").unlink()

    # EXH-04: the prison network capture, then EXH-03 whose softphone history matches it
    phones, plan = _capture_plan(story, flight)
    voip = make_voip_capture(root / CAPTURE, seed=seed, fmt="pcapng", phones=phones, plan=plan,
                             start=plan[0].start - pd.Timedelta(minutes=3))  # fmt: skip
    container = "zip" if story.contraband_os == "ios" else "tar"
    cell = make_phone_extraction(
        root, os=story.contraband_os, seed=seed + 1, container=container, name=CELL,
        linphone=_cell_linphone(story, voip.answer_key), scenario=_cell_scenario(story),
    )  # fmt: skip
    (root / f"{CELL}.answer_key.json").unlink()

    # Case papers
    (root / "perimeter.geojson").write_text(json.dumps({
        "type": "FeatureCollection",
        "features": [{"type": "Feature",
                      "properties": {"name": "HMP Example outer perimeter (invented)"},
                      "geometry": {"type": "Polygon", "coordinates": [perimeter]}}],
    }, indent=1) + "\n")  # fmt: skip
    words = sorted(set(WEAK_PASSWORDS) | {"shadow", "password1", "trustno1", "iloveyou",
                                          "princess", "abc123", "baseball", "master"})  # fmt: skip
    (root / "wordlist.txt").write_text("\n".join(words) + "\n")
    exhibits = [DRONE_SD, operator.exhibit.name, cell.exhibit.name, CAPTURE]
    notes = []
    if other is not None:
        heard = pd.Timestamp(flight.key["release_utc"]).tz_convert(story.zone)
        notes.append(
            f"The night patrol's log: a drone was heard over the exercise yard at {heard:%H:%M} "
            "(local time), and one parcel was recovered there. No other drone was reported."
        )
    if visitors:
        notes.append(
            "The visits log of the inmate of cell B-14 lists three visitors in the last six "
            f"months: {', '.join(visitors)}."
        )
    if "alibi" in story.traps:
        mine = f"{story.sip_user}@{REALM}"
        starts = [pd.Timestamp(c["start_ns"], tz="UTC") for c in voip.answer_key["calls"]
                  if c["caller"] == mine]  # fmt: skip
        alibi = alibi_window(seed, starts, story.clock_offset_s, story.zone)
        a, b = alibi.start.tz_convert(story.zone), alibi.end.tz_convert(story.zone)
        notes.append(
            "The inmate of cell B-14 says the phone is not his: he says that from "
            f"{a:%A %d %B %Y %H:%M} to {b:%A %d %B %Y %H:%M} (local time) he was in the "
            "healthcare unit, under staff watch, away from his cell; staff records confirm "
            "it. The governor asks whether the phone's account was used while he was away."
        )
        trap_answers["alibi"] = {
            "window_utc": [_iso(alibi.start), _iso(alibi.end)],
            "calls_in_window": alibi.calls,
            "calls_by_phone_clock": alibi.calls_by_phone_clock,
            "clock_offset_s": story.clock_offset_s,
            "settled_by": "the capture's times (UTC), not the phone's own clock",
            "answer": alibi.calls,
        }
    (root / "brief.md").write_text(brief_text(story, exhibits, notes))
    last_flight = flight
    if other is not None and twice.later:
        last_flight = other
    _custody(root, story, last_flight, exhibits)
    manifest = build_manifest([root / e for e in exhibits], root=root, progress=False)
    manifest["root"] = "."
    write_manifest(manifest, root / "hashes.json")
    facts = _facts(story, flight, perimeter=perimeter, drop=drop, voip_key=voip.answer_key,
                   phone_paths=paths, shots=shots, cell_exhibit=cell.exhibit.name)  # fmt: skip
    if "alibi" in trap_answers:
        facts["alibi_calls"] = {
            "value": trap_answers["alibi"]["calls_in_window"],
            "question": "How many calls did the contraband account start while the inmate "
            "was under staff watch?",
            "tolerance": None,
            "unit": "",
            "exhibit": CAPTURE,
        }
    key = {
        "version": CASE_VERSION,
        "seed": seed,
        "size": size,
        "difficulty": difficulty,
        "traps": sorted(story.traps),
        "zone": story.zone,
        "exhibits": exhibits,
        "facts": facts,
    }  # fmt: skip
    if trap_answers:
        key["trap_answers"] = trap_answers
    (root / "answer_key.json").write_text(json.dumps(key, indent=1, default=str) + "\n")
    return CaseFolder(root=root, answer_key=key, story=story)
