"""The families compose: one timeline over the default datasets, from the CLI's scanner.

Truth: the generators' answer keys (what each exhibit holds) and the registry's specs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.__main__ import make_default

from forensics_lib import timeline
from forensics_lib.errors import ForensicsWarning
from forensics_lib.scan import scan
from forensics_lib.schema import TIMELINE_COLUMNS, check_frame


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("datasets")
    make_default(out, seed=0, force=True)
    return out


def test_one_timeline_over_every_family(datasets: Path) -> None:
    folder = scan(datasets)
    # The demo phones carry a DJI Fly flight record of format 13: its track is AES-encrypted,
    # so the drone readers skip it with a warning (phone.drone_logs still lists its Details).
    with pytest.warns(ForensicsWarning, match="encrypted content"):
        android = scan(datasets / "phone" / "EXH-000_android_ffs.zip")
    with pytest.warns(ForensicsWarning, match="encrypted content"):
        ios = scan(datasets / "phone" / "EXH-001_ios_ffs.zip")
    assert not folder.problems
    for phone in (android, ios):
        assert phone.problems and all("encrypted content" in p[2] for p in phone.problems)
        assert {p[0] for p in phone.problems} <= {"drone.track", "drone.events"}
    merged = timeline.build([folder.timeline(), android.timeline(), ios.timeline()])
    assert check_frame(merged, TIMELINE_COLUMNS) == []
    assert merged["time"].is_monotonic_increasing
    families = {a.split(".")[0] for a in merged["artifact"]}
    assert {"custody", "drone", "media", "voip", "android", "ios"} <= families
    # The phone extractions carry the long-tail artifacts too (browser, Wi-Fi, apps).
    phone_artifacts = set(android.frames) | set(ios.frames)
    for kind in ("browser_history", "wifi_networks", "installed_apps"):
        assert {f"android.{kind}", f"ios.{kind}"} <= phone_artifacts, kind
    # and the softphone: the accounts that tie a phone to SIP logins in a capture
    assert {"phone.sip_accounts", "phone.sip_calls"} <= set(android.frames)

    # Every answered VoIP call of the capture is on it, at its start.
    voip_key = json.loads((datasets / "voip" / "answer_key.json").read_text())
    answered = [c for c in voip_key["calls"] if c["state"] == "COMPLETED"]
    starts = merged[(merged["artifact"] == "voip.calls") & merged["event"].str.contains("start")]
    assert len(starts) == len(voip_key["calls"]) >= len(answered) > 0

    # Every SMS of the Android extraction has one timeline row.
    android_key = json.loads(
        (datasets / "phone" / "EXH-000_android_ffs.answer_key.json").read_text()
    )
    sms_rows = merged[(merged["artifact"] == "android.sms")]
    assert len(sms_rows) == android_key["writer"]["sms_rows"]

    # The drone's take-off is on it, at the answer key's time (within a second).
    drone_key = json.loads((datasets / "drone" / "answer_key.json").read_text())
    takeoff = merged[merged["event"].str.contains("takeoff")]
    assert len(takeoff) >= 1
    expected = pd.Timestamp(drone_key["liftoff_utc"])
    assert abs((takeoff["time"].iloc[0] - expected).total_seconds()) <= 1
