"""The form of an answer (its type and shape), checked without the answer key: the visible part of
a check cell."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forensics_datasets.course.answers import Form, as_plain, parse_latlon

_COLUMN = (
    "{name} is a column of {n} values, not one value: keep the matching row(s) first, "
    "then take the value with .iloc[0] (or count the rows with .sum())"
)


def _shape_problem(name: str, value: object) -> str | None:
    """A table or a column where one value is wanted. (The hidden checks accept a column
    holding a single value; the visible ones ask for the value itself, as the hints do.)"""
    if isinstance(value, pd.DataFrame):
        return (
            f"{name} is a whole table ({len(value)} rows): pick one column with "
            '["column"], then one value with .iloc[0]'
        )
    if isinstance(value, pd.Series | pd.Index | np.ndarray) and value.ndim:
        if value.size == 1:
            return f"{name} is a column holding one value: add .iloc[0] to take the value itself"
        return _COLUMN.format(name=name, n=value.size)
    return None


def _missing(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _text(what: str, number: str | None = None) -> Form:
    """Text (a name, a number as text, a password...); ``number`` is what to say when a
    number was given instead (a count, a row number)."""

    def form(name: str, value: object) -> str | None:
        problem = _shape_problem(name, value)
        value = as_plain(value)
        if problem:
            return problem
        if _missing(value):
            return f"{name} is empty (None or NaN): the row you took has no value there"
        if isinstance(value, bool | int | float):
            return number or f"{name} should be {what}, as text (in quotes), not a number"
        if not isinstance(value, str) or not value.strip():
            return f"{name} should be {what}, as text"
        return None

    return form


def _whole(what: str) -> Form:
    def form(name: str, value: object) -> str | None:
        problem = _shape_problem(name, value)
        value = as_plain(value)
        if problem:
            return problem
        if isinstance(value, bool):
            return f"{name} is True/False: count the True rows with .sum()"
        if isinstance(value, str):
            return f"{name} is text: give {what} as a number, without quotes"
        if isinstance(value, float) and value.is_integer():
            return None
        if not isinstance(value, int):
            return f"{name} should be {what}, a whole number"
        if value < 0:
            return f"{name} is negative: {what} cannot be"
        return None

    return form


def _number(what: str) -> Form:
    def form(name: str, value: object) -> str | None:
        problem = _shape_problem(name, value)
        value = as_plain(value)
        if problem:
            return problem
        if isinstance(value, bool) or not isinstance(value, int | float) or _missing(value):
            return f"{name} should be {what}, a number"
        return None

    return form


def _time(what: str) -> Form:
    def form(name: str, value: object) -> str | None:
        problem = _shape_problem(name, value)
        value = as_plain(value)
        if problem:
            return problem
        if isinstance(value, str):
            return (
                f"{name} is text: use the pd.Timestamp from the table (the value of its "
                "time column, .iloc[0]), not the time typed in"
            )
        if isinstance(value, bool | int | float):
            return f"{name} is a number, not a time: take the value of the time column"
        if not isinstance(value, pd.Timestamp) or pd.isna(value):
            return f"{name} should be {what}, a pd.Timestamp"
        if value.tzinfo is None:
            return (
                f"{name} has no time zone: a time without its zone cannot be placed on a "
                "timeline (use the column that ends in _utc, or give the reader the zone)"
            )
        return None

    return form


def _pair(what: str) -> Form:
    def form(name: str, value: object) -> str | None:
        problem = _shape_problem(name, value)
        if problem:
            return problem
        if isinstance(value, tuple | list) and len(value) == 2:
            problem = _shape_problem(f"{name}[0]", value[0]) or _shape_problem(
                f"{name}[1]", value[1]
            )
            if problem:
                return problem
        got = parse_latlon(value)
        if got is None:
            return f"{name} should be {what}: a pair of numbers (latitude, longitude)"
        if not (-90 <= got[0] <= 90 and -180 <= got[1] <= 180):
            return f"{name}: {got} is not a position; put the latitude first"
        return None

    return form


def _fields(**members: Form) -> Form:
    """A dictionary with exactly these keys, each value of its own form."""

    def form(name: str, value: object) -> str | None:
        if not isinstance(value, dict):
            return f"{name} should be a dictionary with the keys {', '.join(members)}"
        if set(value) != set(members):
            return f"{name} should have exactly the keys {', '.join(members)}"
        for key, member in members.items():
            problem = member(f'{name}["{key}"]', value[key])
            if problem:
                return problem
        return None

    return form


def _each(what: str, member: Form, size: int | None = None) -> Form:
    """A dictionary ``name -> value``, every value of the same form."""

    def form(name: str, value: object) -> str | None:
        if not isinstance(value, dict) or not value:
            return f"{name} should be a dictionary {what}"
        if size is not None and len(value) != size:
            return f"{name} has {len(value)} entries; it should have {size}, {what}"
        for key, item in value.items():
            problem = member(f"{name}[{key!r}]", item)
            if problem:
                return problem
        return None

    return form


FORMS: dict[str, dict[str, Form]] = {
    "lab0_evidence": {
        "exhibit_sha256": _text("the SHA-256 in hexadecimal (64 characters)"),
        "notes_db_path": _text("the path on the device, /data/..."),
        "wal_only_note": _text("the note's title"),
        "sealed_by": _text("the name of the person who sealed the exhibit"),
        "decoded": _each("field -> pd.Timestamp in UTC", _time("a time in UTC"), size=4),
    },
    "lab1_phone": {
        "device": _fields(android_model=_text("the model"), ios_version=_text("the version")),
        "top_correspondent": _text(
            "the phone number",
            "top_correspondent is a count: give the phone number, not the count "
            "(.value_counts().index[0] is the number, .iloc[0] how many times it appears)",
        ),
        "longest_call": _fields(
            number=_text(
                "the phone number",
                'longest_call["number"] is a number: give the phone number as text, from '
                'the "number" column',
            ),
            duration_s=_number("the duration in seconds"),
        ),
        "group_messages": _whole("the number of messages"),
        "hidden_wifi_password": _text("the password"),
        "hidden_wifi_ios_last_joined": _time("a time in UTC"),
        "dji_app_installed": _time("a time in UTC"),
        "photo_place": _pair("where the photo was taken"),
        "photo_utc": _time("a time in UTC"),
    },
    "lab2_drone": {
        "liftoff_utc": _time("a time in UTC"),
        "home": _pair("the home position"),
        "breach_utc": _time("a time in UTC"),
        "release_utc": _time("a time in UTC"),
        "release_point": _pair("the release position"),
        "pilot": _pair("the pilot's position"),
        "max_alt": _number("a height in metres"),
    },
    "lab3_dji": {
        "scout_serial": _text("the serial number"),
        "scout_start_utc": _time("a time in UTC"),
        "pilot_position": _pair("the pilot's position"),
        "drop_facts": _fields(
            aircraft_serial=_text("the serial number"),
            start_utc=_time("a time in UTC"),
            home=_pair("the home position"),
        ),
        "srt_first_utc": _time("a time in UTC (did you give read_srt the zone?)"),
        "photos_utc": _each("file name -> time in UTC", _time("a time in UTC"), size=3),
        "lowest_photo": _text("a file name, e.g. DJI_0001.JPG"),
    },
    "lab4_voip": {
        "call_states": _each("state -> number of calls", _whole("a number of calls")),
        "rejected_caller": _text("a SIP address, user@domain"),
        "worst_stream": _text(
            'the SSRC as shown, e.g. "0x1A2B3C4D"',
            "worst_stream is a number: give the SSRC as shown in the ssrc column "
            '(text such as "0x1A2B3C4D"), not the number of packets lost',
        ),
        "worst_lost": _whole("the number of packets lost"),
        "wav_seconds": _number("a duration in seconds"),
        "dtmf_digits": _text("the digits as text, e.g. '1590'"),
        "inband_digits": _text("the digits as text"),
        "sip_password": _text(
            "the password (None means no word of the list matched: check the user name)"
        ),
    },
}


def answer_feedback(lab: str, question: str, answer: object) -> str | None:
    """What to fix in the *form* of ``answer`` (None when the form is right). Needs no key:
    it cannot say whether the answer is right, only whether it can be."""
    form = FORMS.get(lab, {}).get(question)
    return None if form is None else form(question, answer)


def assert_answer_form(lab: str, question: str, answer: object) -> None:
    """The visible part of a check cell: raise AssertionError saying what to fix."""
    problem = answer_feedback(lab, question, answer)
    if problem:
        raise AssertionError(problem)
