"""Citing helpers shared by the playbooks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forensics_lib.findings.citing import flag_unverified, int_or_none, iso_utc
from forensics_lib.findings.model import UNVERIFIED_NOTE, EvidenceRef, Finding


def test_int_or_none_takes_numbers_and_refuses_gaps() -> None:
    assert int_or_none(np.int64(7)) == 7
    assert int_or_none("12") == 12
    assert int_or_none(None) is None
    assert int_or_none(float("nan")) is None
    assert int_or_none("seven") is None


def test_iso_utc_writes_an_aware_time_in_utc() -> None:
    local = pd.Timestamp("2026-03-01 22:04:05", tz="Europe/Madrid")  # CET, UTC+1 in March
    assert iso_utc(local) == "2026-03-01T21:04:05+00:00"
    assert iso_utc(pd.NaT) is None


def test_a_finding_citing_unlisted_bytes_says_so() -> None:
    listed = Finding("a", "?", 1, "read", (EvidenceRef("x", verified=True),))
    assert flag_unverified(listed) is listed
    unlisted = Finding("a", "?", 1, "read", (EvidenceRef("x", verified=False),))
    assert flag_unverified(unlisted).detail == f"read (cites evidence {UNVERIFIED_NOTE})"
