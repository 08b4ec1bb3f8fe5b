"""Findings: the facts an investigation establishes, each with the evidence behind it.

A :class:`Finding` answers one question of a case (which aircraft, when did it take off,
which SIP account did the contraband phone use...). Its ``id`` is the answer-key field it
answers, so a generated case can be checked finding by finding; its ``evidence`` names
where the fact comes from (exhibit, path inside the exhibit, row or byte offset, the
exhibit's SHA-256 from the acquisition manifest), which is what a court asks first.

Findings are plain data: :mod:`forensics_lib.report` renders them (HTML, CASE/UCO), the CLI
prints them, notebooks show them as a DataFrame (:func:`findings_frame`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_lib.case import Case
from forensics_lib.correlate import (
    case_numbers,
    case_region,
    dialled_part,
    is_national,
    normalize_number,
    sip_identity,
)
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
from forensics_lib.errors import ForensicsError, ForensicsWarning
from forensics_lib.evidence import Evidence
from forensics_lib.voip.auth import recover_password

__all__ = [
    "UNVERIFIED_NOTE",
    "CaseFlight",
    "EvidenceRef",
    "Finding",
    "case_findings",
    "case_flight_logs",
    "exhibit_hashes",
    "findings_frame",
    "flight_findings",
    "message_findings",
    "photo_findings",
    "read_wordlist",
    "voip_findings",
]


#: How a citation of bytes that hashes.json does not list is marked, wherever it is shown.
UNVERIFIED_NOTE = "unverified (not in hashes.json)"


@dataclass(frozen=True)
class EvidenceRef:
    """Where a fact was read: an exhibit, a path inside it and a row or byte offset."""

    exhibit: str
    path: str | None = None  # the artifact's source_path inside the exhibit
    row_id: int | None = None  # SQLite rowid / record number, when the source has rows
    offset: int | None = None  # byte offset, when the source is a binary stream
    sha256: str | None = None  # the exhibit's hash from hashes.json
    artifact: str | None = None  # registry id, e.g. "android.sms"
    # False for bytes hashes.json does not list (read only with include_unlisted)
    verified: bool = True

    def locator(self) -> str:
        """``path`` plus ``row N`` or ``offset 0x..`` in words, and ``unverified`` for a
        file the acquisition manifest does not list."""
        parts = [self.path or self.exhibit]
        if self.row_id is not None:
            parts.append(f"row {self.row_id}")
        if self.offset is not None:
            parts.append(f"offset {self.offset:#x}")
        if not self.verified:
            parts.append(UNVERIFIED_NOTE)
        return ", ".join(parts)


@dataclass(frozen=True)
class Finding:
    """One established fact."""

    id: str  # stable key: the answer-key field it answers, e.g. "takeoff_utc"
    title: str  # the question in words: "When did the drone take off?"
    value: Any  # JSON-ready: str, number, bool, ISO-8601 UTC text, list or dict of those
    detail: str = ""  # how it was established, in a sentence an examiner can repeat in court
    evidence: tuple[EvidenceRef, ...] = ()
    section: str = "case"  # drone | phone | voip | case: groups findings in a report
    extra: Mapping[str, Any] = field(default_factory=dict)  # e.g. {"lat":..,"lon":..} for maps


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """The findings as a table: id, section, title, value, detail, evidence (as text)."""
    rows = [
        {
            "id": f.id,
            "section": f.section,
            "title": f.title,
            "value": f.value,
            "detail": f.detail,
            "evidence": "; ".join(f"{e.exhibit}: {e.locator()}" for e in f.evidence),
        }
        for f in findings
    ]
    columns = ["id", "section", "title", "value", "detail", "evidence"]
    return pd.DataFrame(rows, columns=columns)


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


def exhibit_hashes(root: Path) -> dict[str, str]:
    """SHA-256 by path relative to the case folder, from ``hashes.json`` (empty if absent)."""
    manifest = root / "hashes.json"
    if not manifest.is_file():
        return {}
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return {str(f["path"]): str(f["sha256"]) for f in data.get("files", []) if "sha256" in f}


def _ref_maker(case: Case) -> Callable[..., EvidenceRef]:
    hashes = exhibit_hashes(case.root)

    def ref(exhibit: str, path: object = None, *, row_id: object = None, offset: object = None,
            artifact: str | None = None) -> EvidenceRef:  # fmt: skip
        text = None if path is None or pd.isna(path) else str(path)  # type: ignore[call-overload]
        digest = hashes.get(exhibit)
        if digest is None and text:
            digest = hashes.get(f"{exhibit}/{text.lstrip('/')}")
        unverified = case.cites_unverified(exhibit, text)
        return EvidenceRef(
            exhibit=exhibit,
            path=text,
            row_id=_int_or_none(row_id),
            offset=_int_or_none(offset),
            sha256=None if unverified else digest,
            artifact=artifact,
            verified=not unverified,
        )

    return ref


def _int_or_none(value: object) -> int | None:
    if value is None:
        return None
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return None
        return int(value)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        return None


def _iso(value: object) -> str | None:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    return pd.Timestamp(value).tz_convert("UTC").isoformat()  # type: ignore[arg-type]


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
    return _int_or_none(track["offset"].iloc[int(gaps.argmin())])


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
    """Which aircraft, take-off, landing, release, perimeter crossing, pilot, which log."""
    if polygon is None or not flights:
        return []
    ref = _ref_maker(case)
    fences = [geofence(f.log.track, polygon) for f in flights]
    crossing = [f for f, g in zip(flights, fences, strict=True) if g["time_inside_s"] > 0]
    if not crossing:
        return []
    # The aircraft's own log (DataFlash on its SD card) is the primary record; a ground
    # station's telemetry log of the same flight corroborates it.
    primary = next((f for f in crossing if f.reader == "scan"), crossing[0])
    track = primary.log.track
    fence = fences[flights.index(primary)]
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
            out.append(Finding(key, title, _iso(when),
                               "climb above / descent below 1.5 m over home in the track",
                               (ref(*src, offset=_track_offset(track, when),
                                    artifact="drone.track"),), "drone"))  # fmt: skip
    crossings = fence["crossings"]
    entries = crossings[crossings["kind"] == "entry"]
    entry_time = entries["time_utc"].iloc[0] if len(entries) else None
    out.append(Finding("perimeter_entry_utc", "When did the drone first cross the perimeter?",
                       _iso(entry_time), "first track fix inside perimeter.geojson",
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
                           _iso(release["time_utc"]), str(release["reason"]),
                           (ref(*src, offset=_track_offset(track, release["time_utc"]),
                                artifact="drone.events"),), "drone"))  # fmt: skip
        out.append(Finding("release_point", "Where was the payload released?",
                           {"lat": float(release["lat"]), "lon": float(release["lon"])},
                           str(release["reason"]), (ref(*src, artifact="drone.track"),),
                           "drone", {"lat": float(release["lat"]),
                                     "lon": float(release["lon"])}))  # fmt: skip
    out += _pilot_findings(crossing, ref, _photos_near(case, segment))
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


# -- phones and the capture ------------------------------------------------------------------


def _frame(case: Case, *ids: str) -> pd.DataFrame:
    parts = [case.frame(i) for i in ids]
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _ha1(user: str, realm: str, password: str) -> str:
    # RFC 2617 section 3.2.2.2: HA1 = MD5(username ":" realm ":" password)
    return hashlib.md5(f"{user}:{realm}:{password}".encode(), usedforsecurity=False).hexdigest()


def read_wordlist(path: str | os.PathLike[str]) -> list[str]:
    """Candidate passwords, one per line, as cracking lists hold them: lines that are not
    UTF-8 (rockyou has Latin-1 ones) are read as Latin-1, never refused; blank lines and
    line ends are dropped, spaces inside a password kept."""
    words = []
    for raw in Path(path).read_bytes().splitlines():
        try:
            word = raw.decode("utf-8")
        except UnicodeDecodeError:
            word = raw.decode("latin-1")
        if word:
            words.append(word)
    if not words:  # an empty list tries nothing: say so, or "no password found" misleads
        warnings.warn(
            f"{path}: the word list holds no password: none will be tried",
            ForensicsWarning,
            stacklevel=2,
        )
    return words


def voip_findings(
    case: Case, wordlist: Sequence[str] = (), *, region: str | None = None
) -> list[Finding]:
    """The capture's SIP accounts matched to phones' softphones; the calls, digits, clock."""
    ref = _ref_maker(case)
    auth = case.frame("voip.auth")
    accounts = case.frame("phone.sip_accounts")
    if auth.empty or accounts.empty:
        return []
    auth = auth.assign(
        identity=pd.Series(
            [sip_identity(u, r) for u, r in zip(auth["username"], auth["realm"], strict=True)],
            index=auth.index,
            dtype="str",
        )
    )
    seen = set(auth["identity"].dropna())
    matched = accounts[accounts["identity"].isin(seen)]
    if matched.empty:
        return []
    account = matched.iloc[0]
    identity = str(account["identity"])
    cell = str(account["exhibit"])
    login = auth[(auth["identity"] == identity)].sort_values("time")
    out = [
        Finding("contraband_phone_exhibit", "Which exhibit is the contraband phone?", cell,
                f"its softphone holds the account {identity} that registers in the capture",
                (ref(cell, account["source_path"], row_id=account["row_id"],
                     artifact="phone.sip_accounts"),), "phone"),
        Finding("contraband_sip_account", "Which SIP account did the contraband phone use?",
                identity, f"digest REGISTER from {login['client'].iloc[0]} in the capture",
                (ref(str(login["exhibit"].iloc[0]), login["source_path"].iloc[0],
                     offset=login["offset"].iloc[0], artifact="voip.auth"),
                 ref(cell, account["source_path"], row_id=account["row_id"],
                     artifact="phone.sip_accounts")), "voip"),
    ]  # fmt: skip
    password, how = _password(account, login, wordlist)
    if password is not None:
        out.append(Finding("contraband_sip_password", "What is its password?", password, how,
                           (ref(str(login["exhibit"].iloc[0]), login["source_path"].iloc[0],
                                offset=login["offset"].iloc[0], artifact="voip.auth"),),
                           "voip"))  # fmt: skip
    out += _call_findings(case, identity, cell, ref, region)
    return out


def _password(
    account: pd.Series, login: pd.DataFrame, wordlist: Sequence[str]
) -> tuple[str | None, str]:
    clear = account.get("password")
    if isinstance(clear, str) and clear:
        return clear, "stored in clear in the softphone's configuration"
    for _, row in login.iterrows():
        word = recover_password({str(k): v for k, v in row.items()}, wordlist)
        if word is not None:
            return word, "recovered from the captured digest response with the case word list"
    ha1 = account.get("ha1")
    if isinstance(ha1, str):
        for word in wordlist:
            word = word.strip()
            if _ha1(str(account["username"]), str(account["realm"]), word) == ha1.lower():
                return word, "the softphone's stored HA1 matches a word of the case word list"
    return None, ""


def _call_findings(case: Case, identity: str, cell: str, ref: Callable[..., EvidenceRef],
                   region: str | None = None) -> list[Finding]:  # fmt: skip
    calls = case.frame("voip.calls")
    if calls.empty:
        return []
    mine = calls[[sip_identity(c) == identity for c in calls["caller"]]].sort_values("start_utc")
    if mine.empty:
        return []
    # The softphone dials in its phone's numbering plan: national callees are read there.
    numbers, plan, _ = case_numbers(mine["callee"], case, cell, region)
    mine = mine.assign(number=pd.Series(numbers, index=mine.index, dtype="str"))
    answered = mine[mine["state"] == "COMPLETED"]
    talk: dict[str, list[float]] = {}
    for _, c in answered.iterrows():
        seconds = (c["end_utc"] - c["answer_utc"]).total_seconds()
        talk.setdefault(str(c["number"]), []).append(round(seconds, 3))
    refs = tuple(ref(str(c["exhibit"]), c["source_path"], offset=c["offset"],
                     artifact="voip.calls") for _, c in mine.iterrows())  # fmt: skip
    out = [
        Finding("callee_numbers", "Which outside numbers did it call?",
                sorted({n for n in numbers if n}), f"{len(mine)} INVITEs from {identity}{plan}",
                refs, "voip"),
        Finding("call_durations_s", "How long did the answered calls last?", talk,
                "talk time: 200 OK to the end of the dialog (BYE answered)", refs, "voip"),
    ]  # fmt: skip
    dtmf = case.frame("voip.dtmf")
    if not dtmf.empty:
        dtmf = dtmf[dtmf["call_id"].isin(mine["call_id"])].sort_values("time")
        for key, method, title in (("dialled_pin", "rfc4733", "Which PIN was keyed (RFC 4733)?"),
                                   ("inband_digits", "inband", "Which digits were keyed as "
                                    "tones?")):  # fmt: skip
            rows = dtmf[dtmf["method"] == method]
            if rows.empty:
                continue
            first_call = rows["call_id"].iloc[0]
            rows = rows[rows["call_id"] == first_call]
            out.append(Finding(key, title, "".join(rows["digit"].astype(str)),
                               f"{method} digits in call {first_call}",
                               tuple(ref(str(r["exhibit"]), r["source_path"], offset=r["offset"],
                                         artifact="voip.dtmf") for _, r in rows.iterrows()),
                               "voip"))  # fmt: skip
    history = case.frame("phone.sip_calls")
    if not history.empty:
        history = history[(history["exhibit"] == cell) & history["call_id"].isin(mine["call_id"])]
        if not history.empty:
            both = history.merge(mine[["call_id", "start_utc"]], on="call_id")
            diffs = (both["time"] - both["start_utc"]).dt.total_seconds()
            offset = round(float(diffs.median()))
            out.append(Finding("contraband_clock_offset_s",
                               "How far off UTC is the contraband phone's clock?", offset,
                               f"median of {len(both)} calls: softphone history start minus the "
                               "capture's INVITE time, matched by Call-ID (positive: the phone "
                               "is ahead)",
                               tuple(ref(cell, r["source_path"], row_id=r["row_id"],
                                         artifact="phone.sip_calls")
                                     for _, r in history.iterrows()), "phone"))  # fmt: skip
    return out


_DROP_WORDS = ("drop", "yard", "wall", "parcel", "drone", "flashes")
_LIVE_MESSAGES = ("android.sms", "ios.sms", "android.whatsapp_messages", "ios.whatsapp_messages",
                  "ufdr.sms")  # fmt: skip
# SMS carved from the databases' free space: deleted by the user, absent from the live tables
# (a carved copy of a row that is still live is dropped by the reader).
_DELETED_MESSAGES = ("android.sms_deleted", "ios.sms_deleted")
# sms_deleted's recovered_from in words, for the finding's detail.
_RECOVERED_FROM = {
    "freeblock": "a freed cell (freeblock) of a live page",
    "unallocated": "the unallocated space of a page",
    "freelist": "a page on the freelist",
    "superseded": "the main file's copy of a page that the -wal has since rewritten",
}


def _where_recovered(where: str) -> str:
    if where.startswith("wal-frame"):
        return f"an older copy of a page in the -wal ({where})"
    return _RECOVERED_FROM.get(where, where)


def _drop_message_finding(row: pd.Series, sender: str, ref: Callable[..., EvidenceRef]) -> Finding:
    value = {"time_utc": _iso(row["time"]), "sender": sender, "text": str(row["body"])}
    artifact = str(row["artifact"])
    hits = int(row["hits"])
    if artifact in _DELETED_MESSAGES:
        rowid = _int_or_none(row.get("message_id"))
        copies = _int_or_none(row.get("copies")) or 1
        detail = (
            f"incoming SMS with {hits} drop keywords, the last before take-off. Deleted: not in "
            f"the live table; recovered from the free space of {row['source_path']}: "
            f"{_where_recovered(str(row['recovered_from']))} (page "
            f"{_int_or_none(row.get('page'))}, record at byte offset {_int_or_none(row['offset'])}"
            f"{f', former row id {rowid}' if rowid is not None else ''}; {copies} "
            f"cop{'y' if copies == 1 else 'ies'} found)"
        )
        evidence = ref(str(row["exhibit"]), row["source_path"], offset=row["offset"],
                       artifact=artifact)  # fmt: skip
        extra = {"deleted": True, "recovered_from": str(row["recovered_from"])}
    else:
        detail = f"incoming {artifact} with {hits} drop keywords, the last before take-off"
        evidence = ref(str(row["exhibit"]), row["source_path"], row_id=row["row_id"],
                       artifact=artifact)  # fmt: skip
        extra = {"deleted": False}
    return Finding("drop_message", "Which message arranged the drop?", value, detail,
                   (evidence,), "phone", extra)  # fmt: skip


def message_findings(
    case: Case,
    before: pd.Timestamp | None,
    exclude: Sequence[str] = (),
    *,
    region: str | None = None,
) -> list[Finding]:
    """The incoming message that arranged the drop (keywords, before take-off) and its
    sender's name in the same phone's contacts.

    The messages searched are the live ones and the deleted SMS carved from free space
    (``android.sms_deleted``, ``ios.sms_deleted``): a message the operator deleted is found
    there, and its evidence is the carved record's byte offset."""
    ref = _ref_maker(case)
    messages = _frame(case, *_LIVE_MESSAGES, *_DELETED_MESSAGES)
    if messages.empty or "body" not in messages:
        return []
    messages = messages[~messages["exhibit"].isin(exclude)]
    body = messages["body"].fillna("").astype(str).str.lower()
    hits = sum(body.str.contains(w, regex=False).astype(int) for w in _DROP_WORDS)
    incoming = messages["direction"].astype(str).str.lower().eq("incoming")
    pick = messages.assign(hits=hits)[incoming & (hits >= 2)]
    if before is not None:
        pick = pick[(pick["time"] <= before) & (pick["time"] >= before - pd.Timedelta(hours=48))]
    if pick.empty:
        return []
    row = pick.sort_values(["hits", "time"]).iloc[-1]
    (number,), plan, hint = case_numbers([row.get("address")], case, str(row["exhibit"]), region)
    sender = number or str(row.get("address"))  # a short code or a name: as the phone wrote it
    drop = _drop_message_finding(row, sender, ref)
    out = [dataclasses.replace(drop, detail=drop.detail + plan)]
    contacts = _frame(case, "android.contacts", "ios.contacts")
    if not contacts.empty:
        mine = contacts[contacts["exhibit"] == row["exhibit"]]
        phones = {i: str(c["phones"]).split(",") for i, c in mine.iterrows()}
        if hint is None and any(is_national(dialled_part(p) or "") for v in phones.values()
                                for p in v):  # fmt: skip
            hint = case_region(case, str(row["exhibit"]), region)  # the same phone's plan
        where = hint.region if hint else None
        for i, c in mine.iterrows():
            numbers = {normalize_number(p, where) or dialled_part(p) for p in phones[i]}
            if sender in numbers:
                out.append(Finding("organiser_name", "Who sent it, by the operator's contacts?",
                                   str(c["display_name"]), f"contact holding {sender}",
                                   (ref(str(c["exhibit"]), c["source_path"], row_id=c["row_id"],
                                        artifact=str(c["artifact"])),), "phone"))  # fmt: skip
                break
    return out


def photo_findings(case: Case, exhibits: Sequence[str], zone: str | None) -> list[Finding]:
    """UTC times of the photos of ``exhibits`` (the aircraft's camera), applying ``zone``
    where the camera wrote local time with no offset."""
    photos = case.frame("media.exif")
    if photos.empty:
        return []
    photos = photos[photos["exhibit"].isin(exhibits)]
    ref = _ref_maker(case)
    times: dict[str, str | None] = {}
    local_used = False
    for _, p in photos.iterrows():
        when = p["time_utc"]
        if pd.isna(when) and zone and isinstance(p["datetime_original"], str):
            when = pd.Timestamp(p["datetime_original"]).tz_localize(zone).tz_convert("UTC")
            local_used = True
        elif str(p.get("time_source", "")).startswith("zone "):  # the case read with a zone
            local_used = True
            zone = zone or str(p["time_source"]).removeprefix("zone ")
        times[str(p["source_path"]).lstrip("/")] = _iso(when)
    if not times:
        return []
    how = (f"DateTimeOriginal is local wall time with no offset: read as {zone}"
           if local_used else "EXIF time with its offset, or GPS time")  # fmt: skip
    return [Finding("aerial_photo_times_utc", "When were the aerial photos taken (UTC)?", times,
                    how, tuple(ref(str(p["exhibit"]), p["source_path"], artifact="media.exif")
                               for _, p in photos.iterrows()), "drone")]  # fmt: skip


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
    before = pd.Timestamp(takeoff.value) if takeoff and takeoff.value else None
    out += message_findings(case, before, exclude=[cell] if cell else [], region=region)
    aircraft = sorted({f.exhibit for f in flights if f.reader == "scan"})
    out += photo_findings(case, aircraft, zone)
    return [_flag_unverified(f) for f in out]


def _flag_unverified(finding: Finding) -> Finding:
    """A finding that cites unverified bytes says so in its detail too."""
    if all(e.verified for e in finding.evidence):
        return finding
    note = f"cites evidence {UNVERIFIED_NOTE}"
    detail = f"{finding.detail} ({note})" if finding.detail else note
    return dataclasses.replace(finding, detail=detail)
