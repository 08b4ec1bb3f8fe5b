"""The drone-drop playbook: the questions of a drone drop into a prison, from the exhibits.

:func:`case_findings` answers the standard questions of a drone-drop case the way an
examiner would: every flight log found by content (a renamed file included), the flight
that crossed the perimeter, the SIP account that registered in the capture matched to the
phone whose softphone holds it, and so on. Each step is a small function so a notebook can
run it alone. Where the exhibits hold more than one candidate (two flights of the aircraft
that both entered the perimeter, one number on two contact cards), the playbook lists them
and says the finding is ambiguous (:func:`forensics_lib.findings.model.ambiguous_finding`):
what settles it (the brief, a patrol log, a statement) is not in the exhibits.

The generic model (:class:`Finding`, :class:`EvidenceRef`) is
:mod:`forensics_lib.findings.model`; a second scenario is a second module beside this one.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from forensics_lib.case import Case
from forensics_lib.core.errors import ForensicsError, ForensicsWarning
from forensics_lib.core.evidence import Evidence
from forensics_lib.drone.analysis import (
    Polygon,
    flight_segments,
    geofence,
    haversine_m,
    load_polygon,
    pilot_location,
    release_candidates,
)
from forensics_lib.drone.model import FlightLog
from forensics_lib.findings.citing import (
    exhibit_hashes,
    flag_unverified,
    int_or_none,
    iso_utc,
    ref_maker,
)
from forensics_lib.findings.model import (
    Candidate,
    EvidenceRef,
    Finding,
    ambiguous_finding,
    is_ambiguous,
)
from forensics_lib.findings.playbooks.drone_drop_comms import (
    message_findings,
    photo_findings,
    read_wordlist,
    voip_findings,
)

__all__ = [
    "CaseFlight",
    "case_findings",
    "case_flight_logs",
    "exhibit_hashes",
    "flight_findings",
    "message_findings",
    "photo_findings",
    "read_wordlist",
    "voip_findings",
]


# -- solving a case --------------------------------------------------------------------------
#
# case_findings() answers the standard questions of a drone-drop case from the exhibits alone,
# the way an examiner would: every flight log found by content (a renamed file included), the
# flight that crossed the perimeter, the SIP account that registered in the capture matched
# to the phone whose softphone holds it, and so on. Each step is a small function so a
# notebook can run it alone.


@dataclass(frozen=True)
class CaseFlight:
    """A flight log found in a case: where it is and what it holds."""

    exhibit: str
    path: str  # device path inside the exhibit
    log: FlightLog
    reader: str  # the exhibit's reader: "phone" or "scan"


def case_flight_logs(case: Case) -> list[CaseFlight]:
    """Every flight log in every exhibit, found by content (so a renamed file is found too).

    DJI SRT subtitles are left out: they are video captions, read with the media."""
    from forensics_lib.drone.flightlog import read_flight_log_bytes
    from forensics_lib.phone.dronelogs import sniff_flight_log

    found: list[CaseFlight] = []
    for name, exhibit in case.exhibits.items():
        left_out = set() if case.include_unlisted else set(exhibit.unlisted)
        with Evidence(exhibit.path) as evidence:
            for member in evidence.files():
                if member.path in left_out:  # not in hashes.json: not evidence
                    continue
                with evidence.open(member) as fh:
                    head = fh.read(4096)
                if not sniff_flight_log(head, member.size):  # a DJI record by its size too
                    continue
                where = f"{name}:{member.path}"
                try:
                    log = read_flight_log_bytes(evidence.read_bytes(member), where)
                except ForensicsError as exc:
                    warnings.warn(f"{where}: not read: {exc}", ForensicsWarning, stacklevel=2)
                    continue
                found.append(CaseFlight(name, member.path, log, exhibit.reader))
    return found


def _perimeter(case: Case, perimeter: Polygon | None) -> Polygon | None:
    if perimeter is not None:
        return perimeter
    path = case.root / "perimeter.geojson"
    return load_polygon(path) if path.is_file() else None


def _main_segment(track: pd.DataFrame) -> pd.Series | None:
    segments = flight_segments(track)
    if segments.empty:
        return None
    return segments.iloc[int(segments["duration_s"].to_numpy().argmax())]


def _track_offset(track: pd.DataFrame, when: object) -> int | None:
    if when is None or pd.isna(when) or track.empty:  # type: ignore[call-overload]
        return None
    at = pd.Timestamp(str(when)) if not isinstance(when, pd.Timestamp) else when
    gaps = (track["time_utc"] - at).abs().to_numpy()
    return int_or_none(track["offset"].iloc[int(gaps.argmin())])


_RELEASE_WORDS = ("release", "gripper", "servo", "payload", "winch")


def _release(log: FlightLog, track: pd.DataFrame) -> pd.Series | None:
    candidates = release_candidates(log)
    if candidates.empty:
        return None
    commanded = candidates[
        candidates["reason"].str.lower().str.contains("|".join(_RELEASE_WORDS), regex=True)
        & ~candidates["reason"].str.startswith("low hover")
    ]
    pick = (commanded if not commanded.empty else candidates).sort_values("time_utc").iloc[0]
    if pd.isna(pick["lat"]) or pd.isna(pick["lon"]):
        idx = (track["time_utc"] - pick["time_utc"]).abs().idxmin()
        pick = pick.copy()
        pick["lat"], pick["lon"] = track.loc[idx, "lat"], track.loc[idx, "lon"]
    return pick


def flight_findings(
    case: Case, flights: Sequence[CaseFlight], polygon: Polygon | None
) -> list[Finding]:
    """Which aircraft, take-off, landing, release, perimeter crossing, pilot, which log.

    When the aircraft's own logs hold more than one flight that entered the perimeter (take-
    offs more than two minutes apart), the exhibits alone cannot say which is the drop: every
    fact that differs between them is an ambiguous finding listing each flight's value with
    its evidence (what settles it, such as the time a patrol heard the drone, is outside the
    exhibits)."""
    if polygon is None or not flights:
        return []
    ref = ref_maker(case)
    fences = [geofence(f.log.track, polygon) for f in flights]
    crossing = [f for f, g in zip(flights, fences, strict=True) if g["time_inside_s"] > 0]
    if not crossing:
        return []
    # The aircraft's own log (DataFlash on its SD card) is the primary record; a ground
    # station's telemetry log of the same flight corroborates it.
    own = [f for f in crossing if f.reader == "scan"] or crossing[:1]
    primaries = _distinct_flights(own)
    per_flight = [
        _flight_facts(case, flights, crossing, p, fences[flights.index(p)], ref) for p in primaries
    ]
    if len(per_flight) == 1:
        return per_flight[0]
    return _merge_candidates(primaries, per_flight)


def _takeoff(flight: CaseFlight) -> pd.Timestamp | None:
    segment = _main_segment(flight.log.track)
    return None if segment is None else pd.Timestamp(segment["takeoff_utc"])


def _distinct_flights(logs: Sequence[CaseFlight]) -> list[CaseFlight]:
    """One log per flight: logs whose take-offs lie within two minutes are the same flight."""
    kept: list[CaseFlight] = []
    for log in logs:
        when = _takeoff(log)
        same = [
            k
            for k in kept
            if when is None or (t := _takeoff(k)) is None or abs(t - when) < pd.Timedelta(minutes=2)
        ]
        if not same:
            kept.append(log)
    return kept


def _merge_candidates(
    primaries: Sequence[CaseFlight], per_flight: Sequence[list[Finding]]
) -> list[Finding]:
    """One finding per id: kept where every candidate flight agrees, else ambiguous."""
    names = [f"{p.exhibit}:{p.path}" for p in primaries]
    ids = list(dict.fromkeys(f.id for found in per_flight for f in found))
    why = (
        f"{len(primaries)} flights of the aircraft ({', '.join(names)}) entered the perimeter; "
        "the exhibits alone cannot say which one was the drop (the time the drone was seen or "
        "heard over the yard, or the time the drop message names, settles it)"
    )
    out: list[Finding] = []
    for fid in ids:
        found = [next((f for f in fs if f.id == fid), None) for fs in per_flight]
        present = [f for f in found if f is not None]
        if len(present) == len(found) and all(f.value == present[0].value for f in present):
            out.append(present[0])
            continue
        candidates = [
            Candidate(f.value, f"{name}: {f.detail}", f.evidence)
            for name, f in zip(names, found, strict=True)
            if f is not None
        ]
        out.append(ambiguous_finding(fid, present[0].title, candidates, why, present[0].section))
    return out


def _flight_facts(
    case: Case,
    flights: Sequence[CaseFlight],
    crossing: Sequence[CaseFlight],
    primary: CaseFlight,
    fence: dict[str, Any],
    ref: Callable[..., EvidenceRef],
) -> list[Finding]:
    """The facts of one flight of the aircraft (``primary``) that entered the perimeter."""
    track = primary.log.track
    out: list[Finding] = []
    src = (primary.exhibit, primary.path)
    uid = primary.log.vehicle.get("board_uid")
    if uid is not None and len(uid) and not pd.isna(uid.iloc[0]):
        out.append(Finding("aircraft_board_uid", "Which flight controller flew the drop?",
                           str(uid.iloc[0]),
                           f"board UID recorded by the autopilot in {primary.path}",
                           (ref(*src, artifact="drone.track"),), "drone"))  # fmt: skip
    segment = _main_segment(track)
    if segment is not None:
        for key, col, title in (("takeoff_utc", "takeoff_utc", "When did it take off?"),
                                ("landing_utc", "landing_utc", "When did it land?")):  # fmt: skip
            when = segment[col]
            out.append(Finding(key, title, iso_utc(when),
                               "climb above / descent below 1.5 m over home in the track",
                               (ref(*src, offset=_track_offset(track, when),
                                    artifact="drone.track"),), "drone"))  # fmt: skip
    crossings = fence["crossings"]
    entries = crossings[crossings["kind"] == "entry"]
    entry_time = entries["time_utc"].iloc[0] if len(entries) else None
    out.append(Finding("perimeter_entry_utc", "When did the drone first cross the perimeter?",
                       iso_utc(entry_time), "first track fix inside perimeter.geojson",
                       (ref(*src, offset=_track_offset(track, entry_time),
                            artifact="drone.track"),), "drone"))  # fmt: skip
    out.append(Finding("time_inside_perimeter_s", "How long was it inside the perimeter?",
                       round(float(fence["time_inside_s"]), 1),
                       f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}; closest "
                       f"approach {fence['closest_m']:.0f} m",
                       (ref(*src, artifact="drone.track"),), "drone"))  # fmt: skip
    release = _release(primary.log, track)
    if release is not None:
        out.append(Finding("release_utc", "When was the payload released?",
                           iso_utc(release["time_utc"]), str(release["reason"]),
                           (ref(*src, offset=_track_offset(track, release["time_utc"]),
                                artifact="drone.events"),), "drone"))  # fmt: skip
        out.append(Finding("release_point", "Where was the payload released?",
                           {"lat": float(release["lat"]), "lon": float(release["lon"])},
                           str(release["reason"]), (ref(*src, artifact="drone.track"),),
                           "drone", {"lat": float(release["lat"]),
                                     "lon": float(release["lon"])}))  # fmt: skip
    # the logs of this flight only (the aircraft's and the ground station's of the same take-off)
    this_flight = [f for f in crossing if _distinct_flights([primary, f]) == [primary]]
    out += _pilot_findings(this_flight, ref, _photos_near(case, segment))
    out += _phone_log_findings(flights, crossing, primary, segment, ref)
    return out


_PILOT_KINDS = ("controller", "app", "ground station", "home")


def _photos_near(case: Case, segment: pd.Series | None) -> pd.DataFrame:
    """Phone photos with GPS taken in the hour before take-off (the launch site)."""
    photos = case.frame("phone.photo_locations")
    if photos.empty or segment is None:
        return photos
    takeoff = segment["takeoff_utc"]
    near = (photos["time"] <= takeoff) & (photos["time"] >= takeoff - pd.Timedelta(hours=1))
    picked: pd.DataFrame = photos.loc[near & photos["lat"].notna()]
    return picked


def _pilot_findings(
    crossing: Sequence[CaseFlight], ref: Callable[..., EvidenceRef], photos: pd.DataFrame
) -> list[Finding]:
    best: tuple[int, CaseFlight, pd.Series] | None = None
    for flight in crossing:
        for _, row in pilot_location(flight.log).iterrows():
            rank = _PILOT_KINDS.index(row["kind"]) if row["kind"] in _PILOT_KINDS else 9
            if best is None or rank < best[0]:
                best = (rank, flight, row)
    if best is None:
        return []
    _, flight, row = best
    where = {"lat": float(row["lat"]), "lon": float(row["lon"])}
    detail = f"{row['kind']} position ({row['source']}): {row['why']}"
    refs = [ref(flight.exhibit, flight.path, artifact="drone.track")]
    if not photos.empty:
        dist = haversine_m(photos["lat"], photos["lon"], where["lat"], where["lon"])
        detail += (
            f". {len(photos)} phone photo(s) taken in the hour before take-off lie "
            f"{float(dist.min()):.0f}-{float(dist.max()):.0f} m from it"
        )
        refs += [ref(str(r["exhibit"]), r["source_path"], row_id=r["row_id"],
                     artifact="phone.photo_locations") for _, r in photos.iterrows()]  # fmt: skip
    return [Finding("pilot_position", "Where was the pilot?", where, detail, tuple(refs),
                    "drone", where)]  # fmt: skip


def _phone_log_findings(flights: Sequence[CaseFlight], crossing: Sequence[CaseFlight],
                        primary: CaseFlight, segment: pd.Series | None,
                        ref: Callable[..., EvidenceRef]) -> list[Finding]:  # fmt: skip
    out: list[Finding] = []
    on_phones = [f for f in flights if f.reader == "phone"]
    same = []
    for f in on_phones:
        if f not in crossing or segment is None:
            continue
        other = _main_segment(f.log.track)
        if other is not None and abs(other["takeoff_utc"] - segment["takeoff_utc"]) < pd.Timedelta(
            seconds=120
        ):
            same.append(f)
    if same:
        out.append(Finding("drop_flight_log", "Which file on the operator's phone holds the drop "
                           "flight?", same[0].path,
                           f"same take-off (within 2 min) as {primary.path} and crosses the "
                           "perimeter", tuple(ref(f.exhibit, f.path) for f in same),
                           "drone"))  # fmt: skip
    others = [f for f in on_phones if f not in same]
    if others:
        out.append(Finding("decoy_flight_log", "Which flight log on the operator's phone is "
                           "another flight?", others[0].path if len(others) == 1 else
                           [f.path for f in others],
                           "never inside the perimeter: a different flight",
                           tuple(ref(f.exhibit, f.path) for f in others), "drone"))  # fmt: skip
    return out


def case_findings(
    case: Case,
    *,
    zone: str | None = None,
    wordlist: Sequence[str] | None = None,
    perimeter: Polygon | None = None,
    region: str | None = None,
) -> list[Finding]:
    """Answer a drone-drop case's questions from its exhibits.

    ``zone`` is the IANA zone of local clocks (the brief says it); ``wordlist`` the
    passwords the authorisation allows trying (default: the case's ``wordlist.txt``);
    ``perimeter`` defaults to the case's ``perimeter.geojson``; ``region`` (ISO 3166, e.g.
    "GB") is the numbering plan of national phone numbers when the case says it; by default
    each phone's own (its SIM's country, else its locale: :func:`extraction_region`)."""
    if wordlist is None:
        path = case.root / "wordlist.txt"
        wordlist = read_wordlist(path) if path.is_file() else []
    flights = case_flight_logs(case)
    out = flight_findings(case, flights, _perimeter(case, perimeter))
    by_id = {f.id: f for f in out}
    voip = voip_findings(case, wordlist, region=region)
    out += voip
    cell = next((f.value for f in voip if f.id == "contraband_phone_exhibit"), None)
    takeoff = by_id.get("takeoff_utc")
    before = None
    if takeoff is not None and is_ambiguous(takeoff):  # the latest of the candidate flights
        times = [c["value"] for c in takeoff.extra["candidates"] if c["value"]]
        before = max(pd.Timestamp(t) for t in times) if times else None
    elif takeoff is not None and takeoff.value:
        before = pd.Timestamp(takeoff.value)
    out += message_findings(case, before, exclude=[cell] if cell else [], region=region)
    aircraft = sorted({f.exhibit for f in flights if f.reader == "scan"})
    out += photo_findings(case, aircraft, zone)
    return [flag_unverified(f) for f in out]
