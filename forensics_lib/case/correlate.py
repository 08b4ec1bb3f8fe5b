"""Cross-source correlation: what no single tool does.

* :func:`normalize_number` writes phone numbers as E.164 (``+447700900123``) whatever the
  source wrote (spaces, ``00`` prefix, a national ``0``, a ``tel:``/``sip:`` URI), so a
  number in an SMS database, a contact card and a SIP header compare equal.
* :func:`within` pairs the events of one frame with those of another that happened within
  a time window (a call minutes after a drone landed).
* :func:`colocated` pairs positions of two sources that were close in space *and* time
  (the operator's phone and the drone's home point).
* :func:`sip_identity` reduces SIP URIs and digest usernames to ``user@domain`` so a
  softphone account on a seized phone can be matched to logins in a capture.

E.164 (ITU-T Rec. E.164): ``+``, country code, national significant number, at most 15
digits. Without a numbering-plan database the national ``0`` rule below is the usual
trunk-prefix convention (UK, FR, DE, BE, NL...); numbers from other plans should be given
in international form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["colocated", "normalize_number", "normalize_numbers", "sip_identity", "within"]

_URI = re.compile(r"^(?:tel:|sips?:)", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s().\-/]")


def normalize_number(value: object, default_country: str = "44") -> str | None:
    """E.164 form of a phone number, or None when ``value`` is not one.

    >>> normalize_number("07700 900123")
    '+447700900123'
    >>> normalize_number("0033 1 23 45 67 89")
    '+33123456789'
    >>> normalize_number("sip:+447700900123@pbx.example.org;user=phone")
    '+447700900123'
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = _URI.sub("", str(value).strip())
    text = text.split("@", 1)[0].split(";", 1)[0]
    if text.startswith("+"):  # "+44 (0)7700 900123": the trunk 0 shown for national callers
        text = text.replace("(0)", "", 1)
    text = _SEPARATORS.sub("", text)
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("0"):
        text = f"+{default_country}{text[1:]}"
    elif not text.startswith("+"):
        return None if not text.isdigit() or len(text) < 8 else f"+{text}"
    digits = text[1:]
    if not digits.isdigit() or not 8 <= len(digits) <= 15:
        return None
    return "+" + digits


def normalize_numbers(values: Iterable[object], default_country: str = "44") -> pd.Series:
    """:func:`normalize_number` over a column (missing where not a number)."""
    return pd.Series([normalize_number(v, default_country) for v in values], dtype="str")


def sip_identity(value: object, realm: object = None) -> str | None:
    """``user@domain`` of a SIP URI (``"Alex" <sip:alex001@pbx.example.org>;tag=1``), or of a
    digest username with its realm."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    match = re.search(r"sips?:([^@;>\s]+)@([^;>\s:]+)", text, re.IGNORECASE)
    if match:
        return f"{match.group(1)}@{match.group(2).lower()}"
    if "@" in text:
        user, _, host = text.partition("@")
        return f"{user}@{host.lower()}"
    if realm is not None and not (isinstance(realm, float) and np.isnan(realm)):
        return f"{text}@{str(realm).lower()}"
    return None


def within(
    left: pd.DataFrame,
    right: pd.DataFrame,
    window: pd.Timedelta | str,
    *,
    left_time: str = "time",
    right_time: str = "time",
) -> pd.DataFrame:
    """Every pair (left row, right row) whose times differ by at most ``window``.

    The result has the left columns suffixed ``_left``, the right ones ``_right``, and
    ``delta_s`` (right time minus left time, seconds), sorted by the left time.
    """
    span = pd.Timedelta(window)
    a = left.reset_index(drop=True).add_suffix("_left")
    b = right.reset_index(drop=True).add_suffix("_right")
    at, bt = f"{left_time}_left", f"{right_time}_right"
    b_sorted = b.sort_values(bt, kind="stable", ignore_index=True)
    times = b_sorted[bt].to_numpy(dtype="datetime64[ns]")
    pairs_a: list[int] = []
    pairs_b: list[int] = []
    for i, t in enumerate(a[at].to_numpy(dtype="datetime64[ns]")):
        if np.isnat(t):
            continue
        lo = np.searchsorted(times, t - span.to_numpy(), side="left")
        hi = np.searchsorted(times, t + span.to_numpy(), side="right")
        pairs_a.extend([i] * (hi - lo))
        pairs_b.extend(range(lo, hi))
    out = pd.concat(
        [a.iloc[pairs_a].reset_index(drop=True), b_sorted.iloc[pairs_b].reset_index(drop=True)],
        axis=1,
    )
    out["delta_s"] = (out[bt] - out[at]).dt.total_seconds()
    return out.sort_values([at, "delta_s"], kind="stable", ignore_index=True)


def colocated(
    left: pd.DataFrame,
    right: pd.DataFrame,
    *,
    max_distance_m: float,
    window: pd.Timedelta | str,
    left_time: str = "time",
    right_time: str = "time",
) -> pd.DataFrame:
    """Pairs of positions (``lat``/``lon`` columns) within ``max_distance_m`` metres and
    ``window`` of each other; adds ``distance_m`` (haversine, WGS84 mean radius)."""
    from forensics_lib.drone.analysis import haversine_m

    pairs = within(left, right, window, left_time=left_time, right_time=right_time)
    if pairs.empty:
        return pairs.assign(distance_m=pd.Series(dtype="float64"))
    distance = haversine_m(
        pairs["lat_left"].to_numpy(float),
        pairs["lon_left"].to_numpy(float),
        pairs["lat_right"].to_numpy(float),
        pairs["lon_right"].to_numpy(float),
    )
    pairs["distance_m"] = distance
    return pairs[pairs["distance_m"] <= max_distance_m].reset_index(drop=True)
