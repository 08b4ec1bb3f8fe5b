"""The case's exhibit names and device paths, and the small helpers every exhibit writer of the
case uses (times as ISO text, a flight shifted, a writer's bytes)."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_datasets.drone.flight import Flight
from forensics_datasets.media.photo import write_photo

DRONE_SD = "EXH-01_drone_sdcard"
OPERATOR = "EXH-02_operator_phone"
CELL = "EXH-03_cell_phone"
CAPTURE = "EXH-04_prison_network.pcapng"
LOG_NAME = "APM/LOGS/00000031.BIN"
# QGroundControl on Android keeps telemetry logs in its app folder on shared storage.
QGC_DIR = "data/media/0/Android/data/org.mavlink.qgroundcontrol/files/QGroundControl/Telemetry"
CAMERA_DIR = "data/media/0/DCIM/Camera"
DROP_WORDS = ("Drop zone",)


def iso_z(ts: pd.Timestamp | None) -> str | None:
    if ts is None or pd.isna(ts):
        return None
    return pd.Timestamp(ts).tz_convert("UTC").isoformat()


def shifted(flight: Flight, dlat: float, dlon: float) -> Flight:
    """The same flight flown somewhere else (the decoy)."""
    samples = flight.samples.assign(lat=flight.samples["lat"] + dlat)
    samples["lon"] = samples["lon"] + dlon
    home = (flight.home[0] + dlat, flight.home[1] + dlon, flight.home[2])
    mission = [
        {**m, "lat": m["lat"] + dlat, "lon": m["lon"] + dlon} if m["lat"] else dict(m)
        for m in flight.mission
    ]
    return replace(
        flight,
        samples=samples,
        home=home,
        pilot=(flight.pilot[0] + dlat, flight.pilot[1] + dlon),
        target=(flight.target[0] + dlat, flight.target[1] + dlon),
        mission=mission,
        perimeter=[[p[0] + dlon, p[1] + dlat] for p in flight.perimeter],
    )


def bytes_of(write: Any, flight: Flight) -> bytes:
    with tempfile.TemporaryDirectory(prefix="case-") as tmp:
        path = Path(tmp) / "log"
        write(path, flight)
        return path.read_bytes()


def photo_bytes(**kwargs: Any) -> bytes:
    with tempfile.TemporaryDirectory(prefix="case-") as tmp:
        path = Path(tmp) / "p.jpg"
        write_photo(path, **kwargs)
        return path.read_bytes()


def offset_text(local: pd.Timestamp) -> str:
    text = local.strftime("%z")
    return f"{text[:3]}:{text[3:]}"
