"""Cross-source correlation (forensics_lib.correlate): E.164 forms, SIP identities, time
windows, distances.

Truth: hand-derived values (E.164 forms, distances), with the derivation beside each.
"""

from __future__ import annotations

import pandas as pd
import pytest

from forensics_lib.correlate import colocated, normalize_number, sip_identity, within


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("07700 900123", None),  # national, and no region given (GB: test_correlate_e164)
        ("+44 (0)7700-900123", "+447700900123"),  # "(0)": the trunk 0 shown for UK callers
        ("0044 7700 900123", "+447700900123"),  # 00 international prefix
        ("tel:+33-1-23-45-67-89", "+33123456789"),
        ("sip:+447700900123@pbx.example.org;user=phone", "+447700900123"),
        ("447700900123", "+447700900123"),  # digits only, international already
        ("alex001", None),
        (None, None),
        ("12", None),
    ],
)
def test_normalize_number(raw: object, expected: str | None) -> None:
    assert normalize_number(raw) == expected


def test_sip_identity() -> None:
    assert sip_identity('"Alex" <sip:alex001@PBX.example.org>;tag=abc') == "alex001@pbx.example.org"
    assert sip_identity("alex001", realm="pbx.example.org") == "alex001@pbx.example.org"
    assert sip_identity("alex001") is None


def _t(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_within_pairs_events_inside_the_window_only() -> None:
    landings = pd.DataFrame({"time": [_t("2024-06-14 21:34:22")], "what": ["landing"]})
    calls = pd.DataFrame(
        {
            "time": [_t("2024-06-14 21:20:00"), _t("2024-06-14 21:40:00"), _t("2024-06-15 01:00")],
            "number": ["+447700900111", "+447700900222", "+447700900333"],
        }
    )
    pairs = within(landings, calls, "10min")
    assert pairs["number_right"].tolist() == ["+447700900222"]
    assert pairs["delta_s"].tolist() == [338.0]  # 21:40:00 - 21:34:22 = 5 min 38 s


def test_colocated_uses_haversine_distance() -> None:
    # One arc-minute of latitude on a sphere of radius 6,371,000 m:
    # 6,371,000 * pi / (180 * 60) = 1,853.25 m.
    phone = pd.DataFrame({"time": [_t("2024-06-14 21:30")], "lat": [40.0], "lon": [-4.2]})
    drone = pd.DataFrame({"time": [_t("2024-06-14 21:31")], "lat": [40.0 + 1 / 60], "lon": [-4.2]})
    near = colocated(phone, drone, max_distance_m=2000, window="5min")
    assert len(near) == 1 and near["distance_m"].iloc[0] == pytest.approx(1853.25, abs=0.01)
    assert colocated(phone, drone, max_distance_m=1000, window="5min").empty
    assert colocated(phone, drone, max_distance_m=2000, window="30s").empty
