"""ArduPilot DataFlash binary logs (``.bin``), self-described by their FMT records.

Layout (ArduPilot ``libraries/AP_Logger/LogStructure.h``; pymavlink ``DFReader.py``):

* every record starts with ``0xA3 0x95`` and a one-byte message type; its total length
  (header included) is declared by an FMT record (type 128) earlier in the file;
* FMT: ``type u8, length u8, name char[4], format char[16], labels char[64]`` (89 bytes);
* format characters: ``a`` int16[32], ``b`` int8, ``B`` uint8, ``h``/``H`` int16/uint16,
  ``i``/``I`` int32/uint32, ``f`` float, ``d`` double, ``n``/``N``/``Z`` char[4/16/64],
  ``c``/``C`` int16/uint16 x 100, ``e``/``E`` int32/uint32 x 100, ``L`` int32 degE7,
  ``M`` flight mode (uint8), ``q``/``Q`` int64/uint64 (DFReader also reads ``g`` half float);
  the scaling follows DFReader's ``FORMAT_TO_STRUCT`` so our values equal pymavlink's.
* GPS time: ``GWk`` GPS week and ``GMS`` milliseconds of the week, in GPS time (no leap
  seconds): converted with :func:`forensics_lib.core.times.from_gps`. Other records carry ``TimeUS``
  (microseconds since boot), put on the UTC axis through the first GPS record with a week.
  Logs of the 3.2 era and before carry ``TimeMS`` (boot ms) instead; their GPS record has
  the boot ms in ``T`` (its ``TimeMS`` is the GPS time of week), and their MODE, EV and MSG
  records no time at all: they take the last timed record's (pymavlink DFReader likewise
  dates them from the records around them). A log without a GPS week keeps ``time_boot_s``
  only, with a warning and the summary note :data:`~forensics_lib.drone.model.NO_GPS_TIME`.
* vehicle: the boot banner of any era (:data:`FIRMWARE_TYPES`), else the VER record's build
  type; it picks pymavlink's flight-mode table. Unknown: ``Mode(N)`` and a summary note.
* no checksum protects a record: one that hides another record (followed by a header)
  inside it is foreign bytes (a partial record, noise) and is skipped as such.
* EV ids: 10 armed, 11 disarmed (ArduPilot ``Tools/Replay/MsgHandler_Event.cpp`` DATA_ARMED,
  DATA_DISARMED), 18 land complete (``AP_Logger.h`` LogEvent::LAND_COMPLETE), 46 gripper
  grab, 47 gripper release, 51 parachute released (``AP_Logger.h`` LogEvent GRIPPER_GRAB,
  GRIPPER_RELEASE, PARACHUTE_RELEASED; written by ``AP_Gripper_Servo::grab``/``release``).
* RCOU: servo outputs, ``TimeUS`` then one ``H`` (uint16, us) per channel. Current ArduPilot
  (``libraries/AP_Logger/LogStructure.h``): RCOU ``QHHHHHHHHHHHHHH``
  ``TimeUS,C1..C14``, RCO2 ``QHHHH`` ``TimeUS,C15..C18``, RCO3 ``TimeUS,C19..C32``; older
  firmware labels them ``Ch1..Ch12`` or ``Chan1..Chan8`` (signed ``h``). Channels are read
  by label, whatever the FMT says, into ``servo_steps`` (:mod:`forensics_lib.drone.servo`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pymavlink import mavutil

from forensics_lib.core import times
from forensics_lib.core.errors import ForensicsWarning, ParseError, TruncatedInputWarning
from forensics_lib.drone import servo
from forensics_lib.drone.mavlink_common import (
    asof,
    enum_label,
    event_row,
    events_frame,
    mode_rows,
    param_changes,
    text_kind,
)
from forensics_lib.drone.model import (
    BAD_FRAME_COLUMNS,
    HOME_COLUMNS,
    MISSION_COLUMNS,
    NO_GPS_TIME,
    PARAM_COLUMNS,
    PILOT_COLUMNS,
    RELEASE_COMMANDS,
    SERVO_STEP_COLUMNS,
    TRACK_COLUMNS,
    UNKNOWN_VEHICLE,
    VEHICLE_COLUMNS,
    FlightLog,
    arm_events,
    frame_of,
    vehicle_family,
)

__all__ = [
    "FIRMWARE_TYPES",
    "HEADER",
    "Records",
    "read_dataflash",
    "scan_records",
    "vehicle_mav_type",
]

HEADER = b"\xa3\x95"
FMT_TYPE = 128
FMT_LENGTH = 89

# format char -> (numpy dtype, scale); as DFReader.FORMAT_TO_STRUCT (pymavlink 2.4.50).
_FORMAT: dict[str, tuple[Any, float | None]] = {
    "a": (("<i2", (32,)), None),
    "b": ("i1", None),
    "B": ("u1", None),
    "g": ("<f2", None),
    "h": ("<i2", None),
    "H": ("<u2", None),
    "i": ("<i4", None),
    "I": ("<u4", None),
    "f": ("<f4", None),
    "d": ("<f8", None),
    "n": ("S4", None),
    "N": ("S16", None),
    "Z": ("S64", None),
    "c": ("<i2", 0.01),
    "C": ("<u2", 0.01),
    "e": ("<i4", 0.01),
    "E": ("<u4", 0.01),
    "L": ("<i4", 1e-7),
    "M": ("i1", None),
    "q": ("<i8", None),
    "Q": ("<u8", None),
}

# ArduPilot firmware banner (the first word of the boot MSG) -> MAV_TYPE, for the flight-mode
# table (pymavlink mavutil.mode_mapping_bynumber). Every era's spelling: ArduPilot printed
# "ArduCopter V3.1" and "APM:Copter V3.2".."V3.6" (AP_HAL "FIRMWARE_STRING" of each
# release), "ArduCopter V4.x" since; "APMrover2" and "APM:Rover" before "ArduRover".
# pymavlink's DFReader matches the same words inside the MSG text ("Rover", "Plane",
# "Copter", "Antenna", "ArduSub", "Blimp").
FIRMWARE_TYPES: dict[str, int] = {
    "ArduCopter": 2,
    "APM:Copter": 2,
    "ArduPlane": 1,
    "APM:Plane": 1,
    "ArduRover": 10,
    "APMrover2": 10,
    "APM:Rover": 10,
    "APMRover2": 10,
    "ArduSub": 12,
    "APM:Sub": 12,
    "AntennaTracker": 5,
    "APM:AntennaTracker": 5,
    "ArduTracker": 5,
    "Blimp": 7,
}
_FIRMWARE_TYPE = FIRMWARE_TYPES
# VER.BU (APM_BUILD_DIRECTORY, AP_Vehicle/AP_Vehicle_Type.h) -> MAV_TYPE, as DFReader maps it.
_BUILD_TYPES = {1: 10, 2: 2, 3: 1, 4: 5, 7: 12, 12: 7, 13: 4}
_EV = {
    10: ("armed", "motors armed"),
    11: ("disarmed", "motors disarmed"),
    18: ("landing", "land complete (autopilot)"),
}
# EV ids of payload actions (AP_Logger.h LogEvent): kind, text.
_EV_PAYLOAD = {
    46: ("gripper_grab", "gripper grab (autopilot event GRIPPER_GRAB)"),
    47: ("release_event", "gripper release (autopilot event GRIPPER_RELEASE)"),
    51: ("release_event", "parachute released (autopilot event PARACHUTE_RELEASED)"),
}
_SERVO_TABLES = ("RCOU", "RCO2", "RCO3")
_CHANNEL_LABEL = re.compile(r"^(?:C|Ch|Chan)(\d+)$")


# Fields the reader computes with, by name; a corrupt FMT record can give them another type,
# and then they read as missing instead of breaking the arithmetic.
_NUMERIC_LABELS = frozenset(
    {
        "TimeUS", "Lat", "Lng", "Long", "Alt", "Value", "Volt", "RemPct", "Id", "ArmState",
        "Subsys", "ECode", "CId", "CNum", "CTot", "Prm1", "Prm2", "Prm3", "Prm4", "Type",
        "Mode", "ModeNum", "Status", "GMS", "GWk", "Week", "TimeMS", "NSats", "Spd", "GCrs",
        "VZ", "RelHomeAlt", "I", "Inst", "Frame",
    }
)  # fmt: skip
_TEXT_LABELS = frozenset({"Name", "Message"})


@dataclass(frozen=True)
class Format:
    type: int
    length: int
    name: str
    format: str
    labels: tuple[str, ...]

    def dtype(self) -> np.dtype[np.void] | None:
        """The record body (after the 3-byte header) as a structured dtype, or None."""
        if len(self.format) != len(self.labels) or any(c not in _FORMAT for c in self.format):
            return None
        names = [label if label else f"_{k}" for k, label in enumerate(self.labels)]
        if len(set(names)) != len(names):
            return None
        dtype = np.dtype({"names": names, "formats": [_FORMAT[c][0] for c in self.format]})
        return dtype if dtype.itemsize == self.length - 3 else None

    def boot_field(self) -> tuple[str, int] | None:
        """The field holding the record's boot time and its microseconds per unit: ``TimeUS``
        (ArduPilot 3.3+), else ``TimeMS`` (boot ms in older logs), except in the old GPS
        record, whose ``TimeMS`` is GPS time of week and ``T`` the boot ms (3.2 era)."""
        labels = set(self.labels)
        if "TimeUS" in labels:
            return "TimeUS", 1
        if "Week" in labels or "GWk" in labels:
            return ("T", 1000) if "T" in labels else None
        return ("TimeMS", 1000) if "TimeMS" in labels else None


def _numeric(dtype: np.dtype[np.void], name: str) -> bool:
    """Whether ``dtype`` has a numeric field ``name`` (a corrupt FMT can retype it as text)."""
    fields: Mapping[str, Any] = dtype.fields or {}
    return name in fields and fields[name][0].kind in "iuf"


@dataclass(frozen=True)
class Records:
    data: npt.NDArray[np.uint8]
    formats: dict[int, Format]
    starts: dict[int, npt.NDArray[np.int64]]
    bad: tuple[tuple[int, int, str], ...]
    truncated_at: int | None

    def count(self) -> int:
        return sum(len(v) for v in self.starts.values())

    @cached_property
    def _boot_axis(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Offsets (sorted) and boot microseconds of every record that carries a boot time."""
        offsets, values = [], []
        for t, at in self.starts.items():
            fmt = self.formats.get(t)
            if fmt is None:
                continue
            field, dtype = fmt.boot_field(), fmt.dtype()
            if field is None or dtype is None or not _numeric(dtype, field[0]):
                continue
            raw = self.data[at[:, None] + np.arange(3, fmt.length, dtype=np.int64)[None, :]]
            rec = np.ascontiguousarray(raw).view(dtype).reshape(-1)
            us = rec[field[0]].astype(np.float64) * field[1]
            keep = us < _MAX_BOOT_US  # a corrupt TimeUS is no clock for its neighbours
            offsets.append(at[keep])
            values.append(us[keep])
        if not offsets:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        off, us = np.concatenate(offsets), np.concatenate(values)
        order = np.argsort(off, kind="stable")
        return off[order], us[order]

    def boot_us(self, offsets: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Boot microseconds of the records at ``offsets``: their own time, or for a record
        without one (MODE, EV, MSG of 3.2-era logs) the last timed record's before it (the
        first timed record's, for records before any). NaN in a log with no time at all."""
        at = np.asarray(offsets, dtype=np.int64)
        axis_off, axis_us = self._boot_axis
        if not len(axis_off):
            return np.full(len(at), np.nan)
        k = np.searchsorted(axis_off, at, side="right") - 1
        return np.asarray(axis_us[np.maximum(k, 0)], dtype=np.float64)

    def by_name(self, name: str) -> Format | None:
        return next((f for f in self.formats.values() if f.name == name), None)

    def table(self, name: str) -> pd.DataFrame:
        """Every record of one type, scaled as DFReader scales it, with its byte offset."""
        fmt = self.by_name(name)
        if fmt is None or fmt.type not in self.starts:
            return pd.DataFrame({"offset": np.zeros(0, dtype=np.int64), "_boot_us": []})
        dtype = fmt.dtype()
        if dtype is None:
            return pd.DataFrame({"offset": np.zeros(0, dtype=np.int64), "_boot_us": []})
        at = self.starts[fmt.type]
        cols = np.arange(3, fmt.length, dtype=np.int64)
        raw = self.data[at[:, None] + cols[None, :]]
        rec = np.ascontiguousarray(raw).view(dtype).reshape(-1)
        out: dict[str, Any] = {"offset": at}
        field = fmt.boot_field()
        if field is not None and _numeric(dtype, field[0]):
            # own time (an absurd one stays absurd: _utc reports it)
            out["_boot_us"] = rec[field[0]].astype(np.float64) * field[1]
        else:
            out["_boot_us"] = self.boot_us(at)
        for label, char in zip(dtype.names or (), fmt.format, strict=True):
            values = rec[label]
            scale = _FORMAT[char][1]
            if label in _TEXT_LABELS and char not in "nNZ":
                out[label] = [str(v) for v in values]  # a corrupt FMT retyped a text field
            elif label in _NUMERIC_LABELS and char in "nNZa":
                out[label] = np.full(len(values), np.nan)  # ... or a numeric one
            elif char in "nNZ":
                out[label] = [
                    bytes(v).split(b"\x00", 1)[0].decode("utf-8", "replace") for v in values
                ]
            elif char == "a":
                out[label] = list(values)
            elif scale is not None:
                # Divide by 100 or 1e7 rather than multiply by 0.01 or 1e-7: the exact decimal
                # for degE7 and centi-units (what DFReader does, for the same reason).
                out[label] = values.astype(np.float64) / round(1 / scale)
            else:
                out[label] = values
        return pd.DataFrame(out)


def _parse_fmt(buf: bytes, pos: int) -> Format:
    body = buf[pos + 3 : pos + FMT_LENGTH]

    def text(raw: bytes) -> str:
        return raw.split(b"\x00", 1)[0].decode("ascii", "replace")

    labels = text(body[22:86])
    return Format(
        type=body[0],
        length=body[1],
        name=text(body[2:6]),
        format=text(body[6:22]),
        labels=tuple(labels.split(",")) if labels else (),
    )


def _chain_ok(buf: bytes, end: int, formats: dict[int, Format]) -> bool:
    """Whether a record may end at ``end``: the file ends there (or inside the next 3-byte
    header), or the next record's header, of a type declared so far, starts there."""
    if len(buf) - end < 3:
        return True
    return buf[end] == 0xA3 and buf[end + 1] == 0x95 and buf[end + 2] in formats


def _swallows_a_record(buf: bytes, pos: int, length: int, formats: dict[int, Format]) -> bool:
    """Whether a record header whose record is followed by another header (or the end)
    starts inside ``buf[pos : pos + length]``: then the bytes at ``pos`` are foreign (a partial
    record, noise) that merely begin like a record, and the one inside is the real one."""
    size = len(buf)
    end = pos + length + 1  # a header may start at the record's last byte
    hit = buf.find(HEADER, pos + 1, end)
    while hit >= 0:
        fmt = formats.get(buf[hit + 2]) if hit + 2 < size else None
        if (
            fmt is not None
            and fmt.length >= 3
            and hit + fmt.length <= size
            and _chain_ok(buf, hit + fmt.length, formats)
        ):
            return True
        hit = buf.find(HEADER, hit + 1, end)
    return False


def _record_stands(buf: bytes, pos: int, length: int, formats: dict[int, Format]) -> bool:
    """Whether the record at ``pos`` is real. DataFlash records carry no checksum
    (LogStructure.h; pymavlink DFReader takes any header of a known type), so a record is
    doubted when another record, itself followed by a header (or the end), starts inside
    it: then the bytes at ``pos`` are foreign (a partial record, noise) that merely begin
    like a record, and the record inside is the real one. Without a checksum this cannot
    be certain: foreign bytes that happen to hold a whole well-formed record are read as one.
    """
    return not _swallows_a_record(buf, pos, length, formats)


def _record_after(buf: bytes, pos: int, formats: dict[int, Format]) -> bool:
    """Whether a real record (followed by another header or the end) starts after ``pos``:
    then a record at ``pos`` that runs past the end is foreign bytes, not a truncation."""
    return _swallows_a_record(buf, pos, len(buf) - pos, formats)


def scan_records(buf: bytes) -> Records:
    """Find every record; unknown types and broken headers are skipped and listed."""
    size = len(buf)
    formats: dict[int, Format] = {
        FMT_TYPE: Format(
            FMT_TYPE, FMT_LENGTH, "FMT", "BBnNZ", ("Type", "Length", "Name", "Format", "Columns")
        )
    }
    starts: dict[int, list[int]] = {}
    bad: list[tuple[int, int, str]] = []
    truncated_at: int | None = None
    pos = 0
    bad_from = -1
    while pos + 3 <= size:
        fmt = formats.get(buf[pos + 2]) if buf[pos] == 0xA3 and buf[pos + 1] == 0x95 else None
        if fmt is not None and fmt.length >= 3:
            if pos + fmt.length > size:
                if bad_from < 0 and not _record_after(buf, pos, formats):
                    truncated_at = pos
                    break
            else:
                if _record_stands(buf, pos, fmt.length, formats):
                    if bad_from >= 0:
                        bad.append(
                            (bad_from, pos - bad_from, "bytes outside any record; resynchronised")
                        )
                        bad_from = -1
                    if fmt.type == FMT_TYPE:
                        new = _parse_fmt(buf, pos)
                        if new.type != FMT_TYPE:
                            formats[new.type] = new
                    starts.setdefault(fmt.type, []).append(pos)
                    pos += fmt.length
                    continue
        if bad_from < 0:
            bad_from = pos
        nxt = buf.find(HEADER, pos + 1)
        if nxt < 0:
            break
        pos = nxt
    if bad_from >= 0:
        bad.append((bad_from, size - bad_from, "bytes outside any record up to the end"))
    elif truncated_at is None and 0 < size - pos < 3 and pos < size:
        truncated_at = pos
    return Records(
        data=np.frombuffer(buf, dtype=np.uint8),
        formats=formats,
        starts={k: np.asarray(v, dtype=np.int64) for k, v in starts.items()},
        bad=tuple(bad),
        truncated_at=truncated_at,
    )


def _has(table: pd.DataFrame, *columns: str) -> bool:
    """Whether a record table has every column (a corrupt FMT can rename or drop them)."""
    return all(c in table.columns for c in columns)


def _lng(table: pd.DataFrame) -> str:
    return "Lng" if "Lng" in table.columns else "Long"


def _clock(recs: Records) -> tuple[int, int] | None:
    """(boot us, UTC ns) of the first GPS record with a GPS week: the boot-time -> UTC anchor."""
    gps = recs.table("GPS")
    if gps.empty or gps["_boot_us"].isna().all():
        return None
    week_col, ms_col = ("GWk", "GMS") if "GWk" in gps else ("Week", "TimeMS")
    if week_col not in gps or ms_col not in gps:
        return None
    ok = gps[gps[week_col] > 0]
    if ok.empty:
        return None
    first = ok.iloc[0]
    utc = times.from_gps(int(first[week_col]), int(first[ms_col]))
    return int(first["_boot_us"]), int(utc.value)


# Boot-time microseconds of a real log stay far below this (31 years); a larger TimeUS is
# a corrupt record. (TimeUS is unsigned 64-bit: a flipped high bit must not overflow.)
_MAX_BOOT_US = 10**15


def _utc(table: pd.DataFrame, clock: tuple[int, int] | None) -> pd.Series:
    if clock is None or "_boot_us" not in table:
        return pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns, UTC]")
    # float64 holds every plausible TimeUS exactly (< 2**53); absurd ones become NaT.
    us = table["_boot_us"].to_numpy(dtype=np.float64)
    delta = us - float(clock[0])
    with np.errstate(invalid="ignore"):
        valid = np.abs(delta) < _MAX_BOOT_US
    ns = np.zeros(len(us), dtype=np.int64)
    ns[valid] = clock[1] + delta[valid].astype(np.int64) * 1000
    if not valid.all():
        warnings.warn(
            f"{int((~valid).sum())} record(s) with an impossible TimeUS (corrupt): time NaT",
            ForensicsWarning,
            stacklevel=3,
        )
    values = pd.Series(ns, index=table.index, dtype="Int64").mask(~valid)
    result: pd.Series = times.from_unix_ns(values)
    return result


def _firmware(msgs: pd.DataFrame) -> str | None:
    """The boot banner (``ArduCopter V4.5.7 (c0ffee12)``, ``APM:Copter V3.4.4-rc1 ...``)."""
    if msgs.empty or "Message" not in msgs:
        return None
    return next((str(m) for m in msgs["Message"] if str(m).split(" ")[0] in FIRMWARE_TYPES), None)


def vehicle_mav_type(firmware: str | None, ver: pd.DataFrame) -> int | None:
    """The MAV_TYPE of the vehicle: from the firmware banner, else the VER record's build
    type (``BU``), else None (then flight modes can only be shown as numbers)."""
    word = (firmware or "").split(" ")[0]
    if word in FIRMWARE_TYPES:
        return FIRMWARE_TYPES[word]
    if "BU" in ver and len(ver):
        return _BUILD_TYPES.get(int(ver["BU"].iloc[-1]))
    return None


def _mode_names(modes: pd.DataFrame, vtype: int | None) -> list[str]:
    mapping = mavutil.mode_mapping_bynumber(vtype) if vtype is not None else None
    column = "ModeNum" if "ModeNum" in modes else "Mode"
    return [str((mapping or {}).get(int(m), f"Mode({int(m)})")) for m in modes[column]]


def _boot_seconds(recs: Records, offsets: pd.Series) -> npt.NDArray[np.float64]:
    """Boot seconds of the records at ``offsets`` (NaN where an offset is missing)."""
    at = pd.to_numeric(offsets, errors="coerce").to_numpy(dtype=np.float64)
    out = np.full(len(at), np.nan)
    ok = ~np.isnan(at)
    us = recs.boot_us(at[ok].astype(np.int64))
    out[ok] = np.where(us < _MAX_BOOT_US, us / 1e6, np.nan)
    return out


def _track(
    recs: Records, clock: tuple[int, int] | None, modes: pd.DataFrame, arm: pd.DataFrame
) -> pd.DataFrame:
    gps = recs.table("GPS")
    if gps.empty or not _has(gps, "Lat", "Alt", _lng(gps)):
        return frame_of((*TRACK_COLUMNS, BAD_FRAME_COLUMNS[0]), {})
    if "I" in gps:  # newer logs: one GPS message type, instance column
        gps = gps[gps["I"] == 0]
    lng = "Lng" if "Lng" in gps else "Long"
    gps = gps[(gps["Lat"] != 0) | (gps[lng] != 0)].reset_index(drop=True)
    week_col, ms_col = ("GWk", "GMS") if "GWk" in gps else ("Week", "TimeMS")
    if _has(gps, week_col, ms_col) and (gps[week_col] > 0).all():
        when = times.from_gps(gps[week_col].to_numpy(np.int64), gps[ms_col].to_numpy(np.int64))
    else:
        when = _utc(gps, clock)
    base = pd.DataFrame(
        {
            "time_utc": when,
            "lat": gps["Lat"],
            "lon": gps[lng],
            "alt_amsl_m": gps["Alt"],
            "ground_speed_ms": gps.get("Spd", np.nan),
            "climb_ms": -gps["VZ"] if "VZ" in gps else np.nan,
            "heading_deg": gps.get("GCrs", np.nan),
            "sats": gps.get("NSats", pd.NA),
            "fix_type": gps.get("Status", pd.NA),
            "offset": gps["offset"],
            "time_boot_s": gps["_boot_us"] / 1e6,
            # 3.2-era GPS records carry the height over home themselves (RelAlt, m)
            "alt_rel_m": gps.get("RelAlt", np.nan),
        }
    )
    pos = recs.table("POS")
    if "RelHomeAlt" in pos:
        rel = pd.DataFrame({"time_utc": _utc(pos, clock), "alt_rel_m": pos["RelHomeAlt"]})
        base = asof(base.drop(columns="alt_rel_m"), rel, ["alt_rel_m"])
    bat = recs.table("BAT")
    if "Volt" in bat:
        if "Inst" in bat:
            bat = bat[bat["Inst"] == 0]
        bat_frame = pd.DataFrame(
            {
                "time_utc": _utc(bat, clock),
                "voltage_v": bat["Volt"],
                "battery_pct": bat.get("RemPct", np.nan),
            }
        )
        base = asof(base, bat_frame, ["voltage_v", "battery_pct"])
    if not modes.empty:
        base = asof(base, modes[["time_utc", "mode"]], ["mode"])
    if not arm.empty:
        base = asof(base, arm[["time_utc", "armed"]], ["armed"])
    return frame_of((*TRACK_COLUMNS, BAD_FRAME_COLUMNS[0]), base)


def _arm_states(recs: Records, clock: tuple[int, int] | None) -> pd.DataFrame:
    arm = recs.table("ARM")
    if "ArmState" in arm:
        return pd.DataFrame(
            {"time_utc": _utc(arm, clock), "armed": arm["ArmState"] != 0, "offset": arm["offset"]}
        )
    ev = recs.table("EV")
    if "Id" not in ev:
        return pd.DataFrame({"time_utc": [], "armed": [], "offset": []})
    ev = ev[ev["Id"].isin([10, 11])]
    return pd.DataFrame(
        {"time_utc": _utc(ev, clock), "armed": ev["Id"] == 10, "offset": ev["offset"]}
    )


def _events(
    recs: Records, clock: tuple[int, int] | None, modes: pd.DataFrame, arm: pd.DataFrame
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = arm_events(arm, first_is_act=True)
    rows.extend(mode_rows(modes))
    ev = recs.table("EV")
    if "Id" in ev:
        ev = ev.assign(time_utc=_utc(ev, clock))
        for _, r in ev[ev["Id"] == 18].iterrows():
            rows.append(event_row(r["time_utc"], "land_complete", _EV[18][1], r["offset"], "18"))
        for _, r in ev[ev["Id"].isin(list(_EV_PAYLOAD))].iterrows():
            kind, text = _EV_PAYLOAD[int(r["Id"])]
            rows.append(event_row(r["time_utc"], kind, text, r["offset"], str(int(r["Id"]))))
    msg = recs.table("MSG")
    if "Message" in msg:
        msg = msg.assign(time_utc=_utc(msg, clock))
        for _, r in msg.iterrows():
            text = str(r["Message"])
            rows.append(event_row(r["time_utc"], text_kind(text), text, r["offset"]))
    err = recs.table("ERR")
    if _has(err, "Subsys", "ECode"):
        err = err.assign(time_utc=_utc(err, clock))
        for _, r in err.iterrows():
            rows.append(
                event_row(
                    r["time_utc"],
                    "failsafe",
                    f"ERR subsystem {int(r['Subsys'])} code {int(r['ECode'])}",
                    r["offset"],
                    f"{int(r['Subsys'])}/{int(r['ECode'])}",
                )
            )
    cmd = recs.table("CMD")
    if _has(cmd, "CId", "CNum", "Prm1", "Prm2"):
        # ArduPilot logs CMD when a mission is loaded and again when an item starts executing
        # (AP_Mission::start_command): only those logged while armed are actions in flight.
        cmd = cmd.assign(time_utc=_utc(cmd, clock))
        if not arm.empty and cmd["time_utc"].notna().all():
            cmd = asof(cmd, arm[["time_utc", "armed"]], ["armed"])
            cmd = cmd[cmd["armed"].fillna(False).astype(bool)]
        else:
            cmd = cmd.iloc[0:0]
        for _, r in cmd[cmd["CId"].isin(list(RELEASE_COMMANDS))].iterrows():
            rows.append(
                event_row(
                    r["time_utc"],
                    "release_command",
                    f"mission item {int(r['CNum'])} executed: "
                    f"{RELEASE_COMMANDS[int(r['CId'])]}"
                    f"({float(r['Prm1']):g}, {float(r['Prm2']):g})",
                    r["offset"],
                    RELEASE_COMMANDS[int(r["CId"])],
                )
            )
    return rows


def _servo_steps(
    recs: Records, clock: tuple[int, int] | None, params: pd.DataFrame
) -> pd.DataFrame:
    functions = servo.servo_functions(params)
    found = []
    for name in _SERVO_TABLES:
        table = recs.table(name)
        if table.empty:
            continue
        channels = {}
        for label in table.columns:
            match = _CHANNEL_LABEL.match(str(label))
            if match and table[label].dtype.kind in "iuf":
                channels[int(match.group(1))] = table[label].to_numpy()
        steps = servo.servo_steps(_utc(table, clock), table["offset"], channels, name, functions)
        if len(steps):
            found.append(steps)
    if not found:
        return frame_of(SERVO_STEP_COLUMNS, {})
    merged = pd.concat(found, ignore_index=True).sort_values("time_utc", kind="stable")
    return frame_of(SERVO_STEP_COLUMNS, merged)


def _mission(recs: Records) -> pd.DataFrame:
    cmd = recs.table("CMD")
    if not _has(cmd, "CId", "CNum", "Lat", "Alt", _lng(cmd)):
        return frame_of(MISSION_COLUMNS, {})
    cmd = cmd.drop_duplicates("CNum", keep="last").sort_values("CNum", kind="stable")
    lng = "Lng" if "Lng" in cmd else "Long"
    has_pos = (cmd["Lat"] != 0) | (cmd[lng] != 0)
    return frame_of(
        MISSION_COLUMNS,
        {
            "seq": cmd["CNum"].astype(np.int64),
            "command": cmd["CId"].astype(np.int64),
            "command_label": [enum_label("MAV_CMD", int(c), "MAV_CMD_") for c in cmd["CId"]],
            "lat": cmd["Lat"].where(has_pos),
            "lon": cmd[lng].where(has_pos),
            "alt_m": cmd["Alt"].astype(np.float64),
            "frame": cmd.get("Frame", pd.NA),
            **{f"param{k}": cmd.get(f"Prm{k}", np.nan) for k in range(1, 5)},
            "offset": cmd["offset"],
        },
    )


def _home(recs: Records, clock: tuple[int, int] | None) -> pd.DataFrame:
    orgn = recs.table("ORGN")
    if not _has(orgn, "Type", "Lat", "Alt", _lng(orgn)):
        return frame_of(HOME_COLUMNS, {})
    # ORGN Type 0 = EKF origin, 1 = home (AP_AHRS LogStructure ORGN "Position type").
    orgn = orgn[orgn["Type"] == 1]
    lng = "Lng" if "Lng" in orgn else "Long"
    return frame_of(
        HOME_COLUMNS,
        {
            "time_utc": _utc(orgn, clock),
            "lat": orgn["Lat"],
            "lon": orgn[lng],
            "alt_m": orgn["Alt"],
            "source": pd.Series(["ORGN (home)"] * len(orgn), dtype="str", index=orgn.index),
            "offset": orgn["offset"],
        },
    )


def _params(recs: Records, clock: tuple[int, int] | None) -> pd.DataFrame:
    parm = recs.table("PARM")
    if not _has(parm, "Name", "Value"):
        return frame_of(PARAM_COLUMNS, {})
    return frame_of(
        PARAM_COLUMNS,
        {
            "time_utc": _utc(parm, clock),
            "name": pd.Series(parm["Name"], dtype="str"),
            "value": parm["Value"].astype(np.float64),
            "offset": parm["offset"],
        },
    )


def read_dataflash(buf: bytes, path: str) -> FlightLog:
    """Read an ArduPilot DataFlash log held in ``buf``."""
    recs = scan_records(buf)
    if recs.truncated_at is not None and not recs.count():
        # Nothing readable is an error, not an empty log (a cut download, a 0-record file).
        raise ParseError(
            path, recs.truncated_at, "the log ends inside its first record: nothing readable"
        )
    if recs.truncated_at is not None:
        warnings.warn(
            f"{path}: the log ends inside a record at offset {recs.truncated_at}; returning "
            f"the {recs.count()} complete records before it",
            TruncatedInputWarning,
            stacklevel=3,
        )
    if recs.bad:
        warnings.warn(
            f"{path}: {len(recs.bad)} unreadable range(s), first at offset {recs.bad[0][0]}; "
            "skipped and listed in bad_frames",
            ForensicsWarning,
            stacklevel=3,
        )
    clock = _clock(recs)
    notes: list[str] = []
    if clock is None:
        notes.append(NO_GPS_TIME)
        warnings.warn(
            f"{path}: {NO_GPS_TIME}: times are boot-relative (time_boot_s, seconds since the "
            "autopilot booted) and time_utc is empty",
            ForensicsWarning,
            stacklevel=3,
        )
    firmware = _firmware(recs.table("MSG"))
    mav_type = vehicle_mav_type(firmware, recs.table("VER"))
    modes = recs.table("MODE")
    if not modes.empty and ("Mode" in modes or "ModeNum" in modes):
        if mav_type is None:
            notes.append(UNKNOWN_VEHICLE)
        modes = pd.DataFrame(
            {
                "time_utc": _utc(modes, clock),
                "mode": _mode_names(modes, mav_type),
                "offset": modes["offset"],
            }
        )
    else:
        modes = pd.DataFrame({"time_utc": [], "mode": [], "offset": []})
    arm = _arm_states(recs, clock)
    track = _track(recs, clock, modes, arm)
    params = _params(recs, clock)
    steps = _servo_steps(recs, clock, params)
    events = events_frame(
        [*_events(recs, clock, modes, arm), *param_changes(params), *servo.servo_events(steps)],
        track,
    )
    events["time_boot_s"] = _boot_seconds(recs, events["offset"])

    counts = {
        recs.formats[t].name: len(v) for t, v in sorted(recs.starts.items()) if t in recs.formats
    }
    vehicle = frame_of(
        VEHICLE_COLUMNS,
        {
            "vehicle_type": [
                enum_label("MAV_TYPE", mav_type, "MAV_TYPE_") if mav_type is not None else None
            ],
            "autopilot": ["ARDUPILOTMEGA" if firmware or mav_type is not None else None],
            "firmware": [firmware],
            "board_uid": [_board(recs.table("MSG"))],
            "vehicle_family": [vehicle_family(mav_type)],
            "hardware": [_board(recs.table("MSG"), name=True)],
        },
    )
    return FlightLog(
        path=path,
        format="ardupilot_dataflash",
        track=track,
        events=events,
        home=_home(recs, clock),
        vehicle=vehicle,
        mission=_mission(recs),
        params=params,
        pilot_positions=frame_of(PILOT_COLUMNS, {}),
        bad_frames=frame_of(
            BAD_FRAME_COLUMNS,
            {
                "offset": [b[0] for b in recs.bad],
                "length": [b[1] for b in recs.bad],
                "reason": pd.Series([b[2] for b in recs.bad], dtype="str"),
            },
        ),
        message_counts=counts,
        truncated=recs.truncated_at is not None,
        servo_steps=steps,
        notes=tuple(notes),
    )


def _board(msgs: pd.DataFrame, name: bool = False) -> str | None:
    """The board id in the line ArduPilot logs at boot, e.g. ``PX4v4 00360029 30365103
    31323731`` (``name``: the board's name, ``PX4v4``, instead)."""
    if "Message" not in msgs:
        return None
    for m in msgs["Message"]:
        parts = str(m).split()
        if len(parts) == 4 and all(len(p) == 8 for p in parts[1:]):
            return parts[0] if name else " ".join(parts[1:])
    return None
