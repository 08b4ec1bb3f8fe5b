"""The autograder's comparators: each lab question's expected value (from the answer key) and how
an answer is compared with it."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pandas as pd

# -- answers --------------------------------------------------------------------------------


def as_plain(value: object) -> object:
    """An answer as plain Python: a numpy scalar (``np.int64`` from ``.sum()``, ``np.str_``)
    becomes its Python value, a ``np.datetime64`` a ``pd.Timestamp``, and a column or array
    holding exactly one value (a filtered table's ``["column"]``) that value; tuples, lists
    and dictionaries are converted member by member. Anything else is returned as it is."""
    if isinstance(value, pd.Series | pd.Index | np.ndarray) and value.size == 1:
        value = value.ravel()[0] if isinstance(value, np.ndarray) else value.to_numpy()[0]
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {as_plain(k): as_plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return type(value)(as_plain(v) for v in value)
    return value


def _same_text(answer: object, expected: object) -> bool:
    answer = as_plain(answer)
    return isinstance(answer, str) and answer.strip() == str(expected).strip()


def _same_hash(answer: object, expected: object) -> bool:
    answer = as_plain(answer)
    return isinstance(answer, str) and answer.strip().lower() == str(expected).lower()


def _timestamps(answer: object, expected: object) -> bool:
    """A mapping field -> UTC time, every one within a second of the key's."""
    if not isinstance(answer, dict) or not isinstance(expected, list):
        return False
    for item in expected:
        given = as_plain(answer.get(item["field"]))
        try:
            when = pd.Timestamp(given)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        if pd.isna(when) or when.tzinfo is None:
            return False
        if abs((when - pd.Timestamp(item["utc"])).total_seconds()) > 1:
            return False
    return True


def _utc(value: object) -> pd.Timestamp | None:
    """A time given as a timezone-aware value (a naive time is refused: its zone is unknown)."""
    value = as_plain(value)
    if isinstance(value, bool | int | float):  # a count or a number of seconds, not a time
        return None
    try:
        when = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if pd.isna(when) or when.tzinfo is None:
        return None
    return when.tz_convert("UTC")


def within_s(seconds: float) -> Callable[[object, object], bool]:
    """A time within ``seconds`` of the key's."""

    def same(answer: object, expected: object) -> bool:
        when = _utc(answer)
        return (
            when is not None
            and abs((when - pd.Timestamp(str(expected))).total_seconds()) <= seconds
        )

    return same


def parse_latlon(value: object) -> tuple[float, float] | None:
    """(lat, lon) from a pair or a mapping with lat/lon."""
    value = as_plain(value)
    try:
        if isinstance(value, dict):
            pair = (float(value["lat"]), float(value["lon"]))
        else:
            lat, lon = cast("tuple[Any, Any]", value)
            pair = (float(lat), float(lon))
    except (KeyError, TypeError, ValueError):
        return None
    return pair if all(math.isfinite(v) for v in pair) else None


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance on the IUGG mean sphere (6,371,008.8 m)."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))


def within_m(metres: float) -> Callable[[object, object], bool]:
    """A position within ``metres`` of the key's."""

    def same(answer: object, expected: object) -> bool:
        given, truth = parse_latlon(answer), parse_latlon(expected)
        return given is not None and truth is not None and _metres(given, truth) <= metres

    return same


def _close(tolerance: float) -> Callable[[object, object], bool]:
    def same(answer: object, expected: object) -> bool:
        answer = as_plain(answer)
        if isinstance(answer, bool):
            return False
        try:
            return abs(float(answer) - float(expected)) <= tolerance  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False

    return same


def same_int(answer: object, expected: object) -> bool:
    """The same whole number: an ``int``, a numpy integer (``.sum()`` gives one) or a float
    with nothing after the point (``12.0``); never True/False, never 12.7 read as 12."""
    answer = as_plain(answer)
    if isinstance(answer, bool):
        return False
    if isinstance(answer, float) and not answer.is_integer():
        return False
    try:
        return bool(int(answer) == int(expected))  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return False


def _digits(value: object) -> str:
    return "".join(ch for ch in str(value) if ch.isdigit() or ch in "*#")


def top_correspondent(answer: object, expected: object) -> bool:
    """The number (any spacing) or saved name of one of the busiest correspondents."""
    answer = as_plain(answer)
    if not isinstance(answer, str) or not isinstance(expected, list):
        return False
    given = answer.strip()
    return any(
        (_digits(given) and _digits(given) == _digits(e["number"])) or given == e["name"]
        for e in expected
    )


def _longest_call(answer: object, expected: object) -> bool:
    if not isinstance(answer, dict) or not isinstance(expected, dict):
        return False
    numbers = {_digits(n) for n in expected["numbers"]}
    number = as_plain(answer.get("number", ""))
    return (
        isinstance(number, str)
        and _digits(number) in numbers
        and _close(1)(answer.get("duration_s"), expected["duration_s"])
    )


def _device(answer: object, expected: object) -> bool:
    return (
        isinstance(answer, dict)
        and isinstance(expected, dict)
        and all(_same_text(answer.get(k), v) for k, v in expected.items())
    )


def _kml(answer: object, expected: object) -> bool:
    """A KML track: 100+ fixes, starting at home, passing over the release point."""
    import re

    if not isinstance(answer, str) or not isinstance(expected, dict):
        return False
    coords = re.findall(r"<gx:coord>\s*(\S+)\s+(\S+)", answer)
    try:
        fixes = [(float(lat), float(lon)) for lon, lat in coords]
    except ValueError:
        return False
    home, release = parse_latlon(expected["home"]), parse_latlon(expected["release"])
    return (
        len(fixes) >= 100
        and home is not None
        and release is not None
        and _metres(fixes[0], home) <= 20
        and min(_metres(f, release) for f in fixes) <= 10
    )


def _drop_facts(answer: object, expected: object) -> bool:
    if not isinstance(answer, dict) or not isinstance(expected, dict):
        return False
    return (
        _same_text(answer.get("aircraft_serial"), expected["aircraft_serial"])
        and within_s(2)(answer.get("start_utc"), expected["start_utc"])
        and within_m(10)(answer.get("home"), expected["home"])
    )


def _photos_utc(answer: object, expected: object) -> bool:
    if not isinstance(answer, dict) or not isinstance(expected, list):
        return False
    return len(answer) == len(expected) and all(
        within_s(1)(answer.get(p["file"]), p["utc"]) for p in expected
    )


def _call_states(answer: object, expected: object) -> bool:
    if not isinstance(answer, dict) or not isinstance(expected, list):
        return False
    counts = Counter(c["state"] for c in expected)
    given = {str(k).upper(): v for k, v in answer.items() if v}
    return set(given) == set(counts) and all(same_int(given[s], n) for s, n in counts.items())


def _aor(value: object) -> str:
    text = str(value).strip().strip("<>").lower()
    return text[4:] if text.startswith("sip:") else text


def _same_aor(answer: object, expected: object) -> bool:
    answer = as_plain(answer)
    return isinstance(answer, str) and _aor(answer) == _aor(expected)


def _ssrc(value: object) -> int | None:
    value = as_plain(value)
    if isinstance(value, bool | float):
        return None
    try:
        return int(value, 16) if isinstance(value, str) else int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _worst_stream(answer: object, expected: object) -> bool:
    given = _ssrc(answer)
    return (
        given is not None and isinstance(expected, list) and given in {_ssrc(s) for s in expected}
    )


def _same_digits(answer: object, expected: object) -> bool:
    answer = as_plain(answer)
    return isinstance(answer, str) and answer.replace(" ", "") == str(expected)


Extractor = Callable[[dict[str, Any]], object]
Comparator = Callable[..., bool]


def _tolerant(make: Callable[[float], Comparator]) -> Comparator:
    """Compare with a case fact's value within the fact's own tolerance (answer_key.json
    of :func:`forensics_datasets.case.make_case`: {"value", "tolerance", "unit"...})."""

    def same(answer: object, fact: object) -> bool:
        return isinstance(fact, dict) and make(float(fact["tolerance"]))(answer, fact["value"])

    return same


def _photo_times(answer: object, fact: object) -> bool:
    """A mapping photo file name -> UTC time: every aerial photo, each within the tolerance
    (files named by their name alone or their path on the card)."""
    if not isinstance(answer, dict) or not isinstance(fact, dict):
        return False
    expected = {str(path).rsplit("/", 1)[-1].upper(): when for path, when in fact["value"].items()}
    given = {str(path).rsplit("/", 1)[-1].upper(): when for path, when in answer.items()}
    near = within_s(float(fact["tolerance"]))
    return given.keys() == expected.keys() and all(
        near(given[name], when) for name, when in expected.items()
    )


def _same_hex_id(answer: object, expected: object) -> bool:
    """The same hexadecimal id (a flight controller's board UID, "0042ABCD 12345678 ..."),
    whatever the spacing or the case of its letters."""
    return (
        isinstance(answer, str)
        and "".join(answer.split()).upper() == "".join(str(expected).split()).upper()
    )


def _same_numbers(answer: object, expected: object) -> bool:
    """The same set of phone numbers (compared by their digits; nothing more, nothing less)."""
    if isinstance(answer, str | bytes) or not isinstance(expected, list):
        return False
    try:
        given = [_digits(n) for n in answer]  # type: ignore[attr-defined]
    except TypeError:
        return False
    return all(given) and set(given) == {_digits(n) for n in expected}


def _report(answer: object, expected: object) -> bool:
    """An HTML report from forensics_lib.report with the trainee's findings: at least six,
    each with its evidence, the contraband phone's SIP account among them."""
    import html

    if not isinstance(answer, str) or not isinstance(expected, dict):
        return False
    if not answer.lstrip().startswith("<!DOCTYPE html>") or '<h2 id="findings">' not in answer:
        return False
    section = answer.split('<h2 id="findings">', 1)[1].split("<h2 ", 1)[0]
    shown = section.count('<div class="finding"')
    return (
        shown >= 6
        and "No evidence reference recorded" not in section
        and html.escape(str(expected["sip_account"])) in section
    )


# lab -> question -> (how to read the expected value from the key, how to compare)
QUESTIONS: dict[str, dict[str, tuple[Extractor, Comparator]]] = {
    "lab0_evidence": {
        "exhibit_sha256": (lambda k: k["exhibit_sha256"], _same_hash),
        "notes_db_path": (lambda k: k["notes_db_device_path"], _same_text),
        "wal_only_note": (lambda k: k["note_only_in_wal"], _same_text),
        "sealed_by": (lambda k: k["custody"]["examiner"], _same_text),
        "decoded": (lambda k: k["timestamps"], _timestamps),
    },
    "lab1_phone": {
        "device": (
            lambda k: {"android_model": k["android_model"], "ios_version": k["ios_version"]},
            _device,
        ),
        "top_correspondent": (lambda k: k["top_correspondents"], top_correspondent),
        "longest_call": (lambda k: k["longest_call"], _longest_call),
        "group_messages": (lambda k: k["group_messages"], same_int),
        "hidden_wifi_password": (lambda k: k["hidden_wifi"]["psk"], _same_text),
        "hidden_wifi_ios_last_joined": (lambda k: k["hidden_wifi_ios_last_joined"], within_s(1)),
        "dji_app_installed": (lambda k: k["dji_app_installed_utc"], within_s(1)),
        "photo_place": (lambda k: k["photo"], within_m(10)),
        "photo_utc": (lambda k: k["photo"]["utc"], within_s(1)),
    },
    "lab2_drone": {
        "liftoff_utc": (lambda k: k["liftoff_utc"], within_s(2)),
        "home": (lambda k: k["home"], within_m(10)),
        "breach_utc": (lambda k: k["breach_utc"], within_s(2)),
        "release_utc": (lambda k: k["release_utc"], within_s(2)),
        "release_point": (
            lambda k: {"lat": k["release_lat"], "lon": k["release_lon"]},
            within_m(10),
        ),
        "pilot": (lambda k: k["pilot"], within_m(15)),
        "max_alt": (lambda k: k["max_alt_rel_m"], _close(2)),
        "kml": (
            lambda k: {
                "home": k["home"],
                "release": {"lat": k["release_lat"], "lon": k["release_lon"]},
            },
            _kml,
        ),
    },
    "lab3_dji": {
        "scout_serial": (lambda k: k["scout"]["aircraft_serial"], _same_text),
        "scout_start_utc": (lambda k: k["scout"]["start_utc"], within_s(2)),
        "pilot_position": (lambda k: k["scout"]["pilot"], within_m(15)),
        "drop_facts": (lambda k: k["drop"], _drop_facts),
        "srt_first_utc": (lambda k: k["srt_first_utc"], within_s(1)),
        "photos_utc": (lambda k: k["photos"], _photos_utc),
        "lowest_photo": (lambda k: k["lowest_photo"], _same_text),
    },
    "lab4_voip": {
        "call_states": (lambda k: k["calls"], _call_states),
        "rejected_caller": (
            lambda k: next(c["caller"] for c in k["calls"] if c["state"] == "REJECTED"),
            _same_aor,
        ),
        "worst_stream": (lambda k: k["worst_ssrcs"], _worst_stream),
        "worst_lost": (lambda k: k["worst_lost"], same_int),
        "wav_seconds": (lambda k: k["media_seconds"], _close(0.5)),
        "dtmf_digits": (lambda k: k["digits"], _same_digits),
        "inband_digits": (lambda k: k["inband"], _same_digits),
        "sip_password": (lambda k: k["target_password"], _same_text),
    },
    "lab5_capstone": {
        "aircraft_board_uid": (lambda k: k["facts"]["aircraft_board_uid"]["value"], _same_hex_id),
        "takeoff_utc": (lambda k: k["facts"]["takeoff_utc"], _tolerant(within_s)),
        "time_inside_s": (lambda k: k["facts"]["time_inside_perimeter_s"], _tolerant(_close)),
        "release_point": (lambda k: k["facts"]["release_point"], _tolerant(within_m)),
        "photo_times_utc": (lambda k: k["facts"]["aerial_photo_times_utc"], _photo_times),
        "pilot_position": (lambda k: k["facts"]["pilot_position"], _tolerant(within_m)),
        "drop_message_utc": (
            lambda k: {
                **k["facts"]["drop_message"],
                "value": k["facts"]["drop_message"]["value"]["time_utc"],
            },
            _tolerant(within_s),
        ),
        "sip_account": (lambda k: k["facts"]["contraband_sip_account"]["value"], _same_aor),
        "organiser_name": (lambda k: k["facts"]["organiser_name"]["value"], _same_text),
        # "alibi_calls" and "report": at the end of this module, with their comparators
    },
}


# -- what a check cell tells the trainee about an answer's form (no answer key needed) ------
#
# The visible part of each check cell calls :func:`assert_answer_form`: it says precisely
# what to fix when an answer has the wrong *form* (a count where a phone number is asked, a
# column where one value is asked, a time without its zone), in the words of the notebook's
# hints. It never looks at the answer key, so it can run in the trainee's own session.

Form = Callable[[str, object], "str | None"]


# -- the capstone's judgement questions (issue 15): comparators added after the generic ones --


def _whole_count(answer: object, expected: object) -> bool:
    """A count: a whole number (a numpy integer too, or a float with no fraction) equal to
    the expected one; True/False are not counts."""
    if isinstance(answer, bool | np.bool_) or not isinstance(answer, int | float | np.number):
        return False
    value = float(answer)
    return math.isfinite(value) and value.is_integer() and int(value) == int(expected)  # type: ignore[call-overload]


def _settled_report(answer: object, expected: object) -> bool:
    """The report of :func:`_report`, settled: no finding left ambiguous (a playbook's
    candidates handed on unsettled), and the drop flight's take-off among its findings (an
    ISO time within the key's tolerance)."""
    import re

    if not isinstance(expected, dict) or not _report(answer, expected):
        return False
    assert isinstance(answer, str)
    section = answer.split('<h2 id="findings">', 1)[1].split("<h2 ", 1)[0]
    if "ambiguous" in section.lower():
        return False
    fact = expected["takeoff"]
    near = within_s(float(fact["tolerance"]))
    stamps = re.findall(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)", section)
    return any(near(t, fact["value"]) for t in stamps)


# The capstone's questions that need judgement (the trap answers of case/traps.py): what
# `case findings` lists as ambiguous or cannot know (the alibi's window is in the brief).
QUESTIONS["lab5_capstone"]["alibi_calls"] = (
    lambda k: k["facts"]["alibi_calls"]["value"],
    _whole_count,
)
QUESTIONS["lab5_capstone"]["report"] = (
    lambda k: {
        "sip_account": k["facts"]["contraband_sip_account"]["value"],
        "takeoff": k["facts"]["takeoff_utc"],
    },
    _settled_report,
)
