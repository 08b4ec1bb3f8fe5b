"""Drone flight forensics: MAVLink tlogs, ArduPilot DataFlash logs, PX4 ULogs, DJI records and
subtitles.

>>> from forensics_lib.drone import read_flight_log
>>> log = read_flight_log("flight.tlog")          # format found by content
>>> log.track.head(); log.events; log.home; log.vehicle
"""

from forensics_lib.drone.flightlog import detect_format, read_flight_log, read_flight_log_bytes
from forensics_lib.drone.model import FlightLog

__all__ = ["FlightLog", "detect_format", "read_flight_log", "read_flight_log_bytes"]
