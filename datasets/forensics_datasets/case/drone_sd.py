"""The drone's SD card of the case: the aerial photos taken over the yard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forensics_datasets.case.exhibits import iso_z, offset_text
from forensics_datasets.case.story import Story
from forensics_datasets.drone.flight import Flight
from forensics_datasets.media.photo import dji_xmp, write_photo

# -- the drone's SD card ----------------------------------------------------------------------


def aerial_photos(
    folder: Path, story: Story, flight: Flight, first: int = 1
) -> list[dict[str, Any]]:
    s = flight.samples
    release = pd.Timestamp(flight.key["release_utc"])
    at = int(np.searchsorted(s["time_utc"], release))
    local_trap = "local_time_photos" in story.traps
    shots = []
    folder.mkdir(parents=True, exist_ok=True)
    for n, idx in enumerate((at - 60, at, at + 60)):
        row = s.iloc[idx]
        when = row["time_utc"].floor("s")
        local = when.tz_convert(story.zone)
        name = f"DJI_{n + first:04d}.JPG"
        write_photo(
            folder / name,
            lat=row["lat"],
            lon=row["lon"],
            alt_m=row["alt_amsl_m"],
            local_time=f"{local:%Y:%m:%d %H:%M:%S}",
            offset=None if local_trap else offset_text(local),
            gps_utc=None if local_trap else when,
            dji=dji_xmp(row),
        )
        shots.append({"file": f"DCIM/100MEDIA/{name}", "time_utc": iso_z(when),
                      "lat": float(row["lat"]), "lon": float(row["lon"])})  # fmt: skip
    return shots
