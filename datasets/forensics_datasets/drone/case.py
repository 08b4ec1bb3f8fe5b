"""The drone parcel-drop case: every format of one simulated flight, its answer key and the prison
perimeter as GeoJSON (make_drone_case)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forensics_datasets.drone.dataflash import write_dataflash
from forensics_datasets.drone.flight import DRONE_VERSION, HZ, iso_utc, simulate_flight
from forensics_datasets.drone.srt import write_srt
from forensics_datasets.drone.tlog import write_tlog
from forensics_datasets.media.photo import dji_xmp, write_photo

# ----------------------------------------------------------------------------- the case


@dataclass(frozen=True)
class DroneCase:
    root: Path
    key: dict[str, Any]


def make_drone_case(out: str | Path, seed: int = 0, *, zone: str = "Europe/Madrid") -> DroneCase:
    """Write flight.tlog, flight.bin, DJI_0001.SRT, photos/, perimeter.geojson, answer_key.json."""
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    flight = simulate_flight(seed)
    key = dict(flight.key)
    key["version"] = DRONE_VERSION
    key["zone"] = zone
    key["tlog_frames"] = write_tlog(root / "flight.tlog", flight)
    key["dataflash_records"] = write_dataflash(root / "flight.bin", flight)
    key["srt_blocks"] = write_srt(root / "DJI_0001.SRT", flight, zone=zone, every=HZ)
    perimeter = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "HMP Example yard perimeter (invented)"},
                "geometry": {"type": "Polygon", "coordinates": [flight.perimeter]},
            }
        ],
    }
    (root / "perimeter.geojson").write_text(json.dumps(perimeter, indent=1))
    photos = root / "photos"
    photos.mkdir(exist_ok=True)
    s = flight.samples
    rel_idx = int(np.searchsorted(s["time_utc"], pd.Timestamp(key["release_utc"])))
    shots = []
    for n, idx in enumerate((rel_idx - 50, rel_idx, rel_idx + 50)):
        row = s.iloc[idx]
        local = row["time_utc"].tz_convert(zone)
        offset = local.strftime("%z")
        offset = f"{offset[:3]}:{offset[3:]}"
        name = f"DJI_{n + 1:04d}.JPG"
        write_photo(
            photos / name,
            lat=row["lat"],
            lon=row["lon"],
            alt_m=row["alt_amsl_m"],
            local_time=local.strftime("%Y:%m:%d %H:%M:%S"),
            offset=offset,
            gps_utc=row["time_utc"].floor("s"),
            dji=dji_xmp(row),
        )
        shots.append(
            {
                "file": name,
                "time_utc": iso_utc(row["time_utc"].floor("s")),
                "lat": row["lat"],
                "lon": row["lon"],
            }
        )
    key["photos"] = shots
    key["perimeter"] = flight.perimeter
    (root / "answer_key.json").write_text(json.dumps(key, indent=1, default=str))
    return DroneCase(root, key)
