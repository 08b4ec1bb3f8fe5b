"""The case's chain of custody and its answer key (the facts, each with its tolerance and where it
is found)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from forensics_datasets.case.exhibits import CAPTURE, CELL, DRONE_SD, OPERATOR, iso_z
from forensics_datasets.case.geometry import time_inside
from forensics_datasets.case.story import REALM, Story
from forensics_datasets.drone.flight import Flight
from forensics_datasets.phone.android import MMSSMS_DB
from forensics_datasets.phone.scenario import Message
from forensics_lib.core.custody import CustodyLog
from forensics_lib.core.hashing import sha256_file

# -- custody and the key ----------------------------------------------------------------------


def write_custody(root: Path, story: Story, flight: Flight, exhibits: list[str]) -> None:
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


def drop_note(deleted: bool) -> str:
    if not deleted:
        return f"a live row of the sms table of {MMSSMS_DB}"
    return (
        f"deleted by the operator: not in the live sms table of {MMSSMS_DB}; its record is "
        "still whole in the database's free space (a freed cell, a free page, or a page its "
        "-wal has rewritten): recover it by carving (android.sms_deleted)"
    )


def case_facts(story: Story, flight: Flight, *, perimeter: list[list[float]], drop: Message,
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
        "takeoff_utc": fact(iso_z(pd.Timestamp(key["liftoff_utc"])), "When did it take off?", 3,
                            "s", DRONE_SD),
        "landing_utc": fact(iso_z(pd.Timestamp(key["touchdown_utc"])), "When did it land?", 3, "s",
                            DRONE_SD),
        "release_utc": fact(iso_z(pd.Timestamp(key["release_utc"])),
                            "When was the payload released?", 10, "s", DRONE_SD),
        "release_point": fact({"lat": key["release_lat"], "lon": key["release_lon"]},
                              "Where was the payload released?", 15, "m", DRONE_SD),
        "perimeter_entry_utc": fact(iso_z(inside["entry_utc"]),
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
        "drop_message": {**fact({"time_utc": iso_z(drop.time), "sender": drop.address,
                                 "text": drop.body},
                                "Which message arranged the drop?", 1, "s", OPERATOR + ".zip"),
                         "note": drop_note("deleted_message" in story.traps)},
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
