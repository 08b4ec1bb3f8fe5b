"""Synthetic drone evidence with an answer key: a parcel drop over a prison yard.

:func:`simulate_flight` flies a quadcopter in a local east/north/up frame at 10 Hz, with
acceleration and climb-rate limits, a steady wind the controller leans against, correlated
GNSS noise and a battery that drains with power drawn. The plan: arm at home, take off, fly
the mission's waypoints, descend over the target, hover low, release (DO_GRIPPER), climb, return
and land. The writers then put the same flight in the formats real aircraft write:

* :func:`write_tlog`: MAVLink telemetry log, frames packed by pymavlink (MAVLink 2 and some
  MAVLink 1 HEARTBEATs), each behind its 8-byte big-endian Unix-microsecond stamp, with the
  ground station's own HEARTBEATs (type 6) and position as a real GCS logs them, and
  SERVO_OUTPUT_RAW at 5 Hz in which the gripper output (SERVO9) steps at the drop;
  :func:`write_noisy_tlog` (:func:`add_foreign_bytes`) adds what ground stations write
  between frames: console text, partial frames, noise, with the count in its key;
* :func:`write_dataflash`: ArduPilot DataFlash ``.bin``: FMT records, then GPS (week + ms, GPS
  time with the leap seconds), POS, BAT, MODE, EV, MSG, CMD, ORGN, PARM, RCOU records; the
  boot banner of any era (:data:`FIRMWARE_BANNERS`), a VER record, or no GPS at all;
* :func:`forensics_datasets.drone.ulog.write_ulog`: PX4 ULog ``.ulg`` (with or without GNSS);
* :func:`write_srt`: DJI bracket-dialect subtitles, wall times local to a given zone;
* :func:`write_photo`: a JPEG with EXIF GPS/time/camera and DJI XMP (misspelt GpsLongtitude
  optional).

:func:`make_drone_case` writes them all with ``answer_key.json`` and the prison perimeter as
GeoJSON. Place names and serials are invented; coordinates are in open countryside.

A package since issue 16 (it was ``drone.py``), one module per format: ``flight``
(:func:`simulate_flight`, :class:`Flight`, what the writers share), ``tlog``, ``dataflash``,
``ulog``, ``srt`` (both SRT writers), ``dji_txt`` and ``case`` (:func:`make_drone_case`); the
photo writer is :mod:`forensics_datasets.media.photo`. Every name this module had stays
importable from ``forensics_datasets.drone``; ``forensics_datasets.srt``, ``.ulog`` and
``.dji_txt`` are thin re-export modules of ``drone.srt``, ``drone.ulog`` and ``drone.dji_txt``.
"""

from __future__ import annotations

from forensics_datasets.drone.case import DroneCase, make_drone_case
from forensics_datasets.drone.dataflash import (
    FIRMWARE_BANNERS,
    write_dataflash,
    write_dataflash_legacy,
)
from forensics_datasets.drone.flight import Flight, servo_outputs, simulate_flight
from forensics_datasets.drone.srt import write_srt
from forensics_datasets.drone.tlog import (
    CONSOLE_LINES,
    add_foreign_bytes,
    tlog_frames,
    write_noisy_tlog,
    write_tlog,
)
from forensics_datasets.media.photo import jpeg_with_exif, write_photo

__all__ = [
    "CONSOLE_LINES",
    "FIRMWARE_BANNERS",
    "DroneCase",
    "Flight",
    "add_foreign_bytes",
    "jpeg_with_exif",
    "make_drone_case",
    "servo_outputs",
    "simulate_flight",
    "tlog_frames",
    "write_dataflash",
    "write_dataflash_legacy",
    "write_noisy_tlog",
    "write_photo",
    "write_srt",
    "write_tlog",
]
