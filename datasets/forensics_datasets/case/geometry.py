"""The answer key's own geometry, written apart from the library's so the key is independent.

Point in polygon by the even-odd (crossing number) rule on a local flat projection;
distances by the haversine formula on a 6,371,008.8 m sphere (IUGG mean radius).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

EARTH_M = 6_371_008.8


def inside(lat: npt.ArrayLike, lon: npt.ArrayLike, ring: Sequence[Sequence[float]]) -> np.ndarray:
    """Which points lie inside ``ring`` ([lon, lat] pairs, closed or not)."""
    y = np.asarray(lat, dtype=float)
    x = np.asarray(lon, dtype=float)
    pts = [(float(p[0]), float(p[1])) for p in ring]
    result = np.zeros(y.shape, dtype=bool)
    for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True):
        if y1 == y2:
            continue
        crosses = (y1 > y) != (y2 > y)
        x_at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        result ^= crosses & (x < x_at)
    return result


def time_inside(samples: pd.DataFrame, ring: Sequence[Sequence[float]]) -> dict[str, object]:
    """First entry, last exit and total seconds inside, from evenly spaced samples."""
    mask = inside(samples["lat"], samples["lon"], ring)
    times = samples["time_utc"].reset_index(drop=True)
    if not mask.any():
        return {"entry_utc": None, "exit_utc": None, "seconds": 0.0}
    dt = float((times.iloc[1] - times.iloc[0]).total_seconds())
    first = int(np.argmax(mask))
    last = len(mask) - 1 - int(np.argmax(mask[::-1]))
    return {
        "entry_utc": times.iloc[first],
        "exit_utc": times.iloc[last],
        "seconds": float(mask.sum()) * dt,
    }


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(a))
