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

The case generator composes the family writers (drone, phone, voip, media); its exhibits are
written by ``exhibits`` (names, shared helpers), ``operator_phone``, ``cell_phone`` (with the
capture), ``drone_sd`` and ``answer_key`` (custody, facts); :func:`make_case` stays here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_datasets.case.answer_key import case_facts, write_custody
from forensics_datasets.case.brief import brief_text
from forensics_datasets.case.cell_phone import capture_plan, cell_linphone, cell_scenario
from forensics_datasets.case.drone_sd import aerial_photos
from forensics_datasets.case.exhibits import (
    CAPTURE,
    CELL,
    DRONE_SD,
    LOG_NAME,
    OPERATOR,
    QGC_DIR,
    bytes_of,
    iso_z,
    shifted,
)
from forensics_datasets.case.operator_phone import (
    check_recoverable,
    launch_photos,
    operator_scenario,
    operator_searches,
)
from forensics_datasets.case.story import DIFFICULTIES, REALM, SIZES, Story, make_story
from forensics_datasets.case.traps import alibi_window, candidate_plan, decoy_names
from forensics_datasets.drone.dataflash import write_dataflash
from forensics_datasets.drone.flight import Flight, simulate_flight
from forensics_datasets.drone.tlog import write_tlog
from forensics_datasets.phone import make_phone_extraction
from forensics_datasets.phone.extras import make_extras
from forensics_datasets.phone.scenario import Message, make_scenario
from forensics_datasets.voip.capture import make_voip_capture
from forensics_datasets.voip.sip import WEAK_PASSWORDS
from forensics_lib.core.hashing import build_manifest, write_manifest

__all__ = ["CASE_VERSION", "DIFFICULTIES", "SIZES", "CaseFolder", "make_case"]


CASE_VERSION = 1


@dataclass(frozen=True)
class CaseFolder:
    """A written case: its folder, answer key and story."""

    root: Path
    answer_key: dict[str, Any]
    story: Story


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
        seed, start=str(iso_z(story.flight_start)), loiter_laps=story.size.loiter_laps
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
        other = shifted(
            simulate_flight(
                seed, start=str(iso_z(twice.start)), loiter_laps=story.size.loiter_laps
            ),
            twice.dlat,
            twice.dlon,
        )
        other.board_uid = story.board_uid
        other_log = LOG_NAME.replace("31.BIN", "32.BIN" if twice.later else "30.BIN")
        write_dataflash(sd / other_log, other)
    shots = aerial_photos(sd / "DCIM" / "100MEDIA", story, flight,
                           first=4 if other is not None and not twice.later else 1)  # fmt: skip
    if other is not None:
        other_shots = aerial_photos(sd / "DCIM" / "100MEDIA", story, other,
                                     first=1 if not twice.later else 4)  # fmt: skip
        trap_answers["candidate_flights"] = {
            "drop_log": LOG_NAME,
            "other_log": other_log,
            "other_is": "later" if twice.later else "earlier",
            "other_takeoff_utc": iso_z(pd.Timestamp(other.key["liftoff_utc"])),
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
    scenario, drop = operator_scenario(story, flight, cover)
    extras = make_extras(seed)
    extras.visits = sorted([*extras.visits, *operator_searches(story)], key=lambda v: v.time)
    files = launch_photos(story, flight)
    local = story.flight_start.tz_convert(story.zone)
    drop_path = f"{QGC_DIR}/{local:%Y-%m-%d %H-%M-%S}.tlog"
    if "renamed_file" in story.traps:
        drop_path = f"data/media/0/Download/backup_{local:%m%d}.dat"
    files[drop_path] = bytes_of(write_tlog, flight)
    paths = {"drop": drop_path}
    if other is not None:
        other_local = pd.Timestamp(other.samples["time_utc"].iloc[0]).tz_convert(story.zone)
        paths["other"] = f"{QGC_DIR}/{other_local:%Y-%m-%d %H-%M-%S}.tlog"
        files[paths["other"]] = bytes_of(write_tlog, other)
        trap_answers["candidate_flights"]["other_phone_log"] = paths["other"]
        trap_answers["candidate_flights"]["drop_phone_log"] = drop_path
    if "decoy_flight" in story.traps:
        decoy = shifted(simulate_flight(seed + 7919, start=str(iso_z(story.decoy_start))),
                       0.045, -0.06)  # fmt: skip
        decoy_local = story.decoy_start.tz_convert(story.zone)
        paths["decoy"] = f"{QGC_DIR}/{decoy_local:%Y-%m-%d %H-%M-%S}.tlog"
        files[paths["decoy"]] = bytes_of(write_tlog, decoy)
    deleted: list[Message] = []
    if "deleted_message" in story.traps:  # the operator deleted it: only free space holds it
        scenario = replace(scenario, messages=[m for m in scenario.messages if m is not drop])
        deleted = [drop]
    operator = make_phone_extraction(
        root, os="android", seed=seed, container="zip", name=OPERATOR, extras=extras,
        linphone=True, scenario=scenario, files=files, deleted_sms=deleted,
    )  # fmt: skip
    check_recoverable(operator.answer_key, deleted)
    (root / f"{OPERATOR}.answer_key.json").unlink()

    # EXH-04: the prison network capture, then EXH-03 whose softphone history matches it
    phones, plan = capture_plan(story, flight)
    voip = make_voip_capture(root / CAPTURE, seed=seed, fmt="pcapng", phones=phones, plan=plan,
                             start=plan[0].start - pd.Timedelta(minutes=3))  # fmt: skip
    container = "zip" if story.contraband_os == "ios" else "tar"
    cell = make_phone_extraction(
        root, os=story.contraband_os, seed=seed + 1, container=container, name=CELL,
        linphone=cell_linphone(story, voip.answer_key), scenario=cell_scenario(story),
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
            "window_utc": [iso_z(alibi.start), iso_z(alibi.end)],
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
    write_custody(root, story, last_flight, exhibits)
    manifest = build_manifest([root / e for e in exhibits], root=root, progress=False)
    manifest["root"] = "."
    write_manifest(manifest, root / "hashes.json")
    facts = case_facts(story, flight, perimeter=perimeter, drop=drop, voip_key=voip.answer_key,
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
