"""What the HTML report and the CASE/UCO export share: hashes, the call list, flight logs."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_lib.case import Case
from forensics_lib.core.errors import ForensicsError
from forensics_lib.core.hashing import load_manifest

__all__ = [
    "CALL_COLUMNS",
    "THIS_DEVICE",
    "FlightLogFrames",
    "call_list",
    "case_name",
    "exhibit_files",
    "exhibit_sha256",
    "flight_logs",
    "iso",
    "json_text",
]

# Where each call artifact keeps what the call list shows; a missing column is left empty.
# kind: "SIP capture" (calls rebuilt from SIP signalling in a packet capture), "phone"
# (the dialler's call log), "WhatsApp", "softphone" (a SIP client's own history, Linphone).
_PHONE_CALLS = ("android.calls", "ios.calls", "ufdr.calls")
_WHATSAPP_CALLS = ("android.whatsapp_calls", "ios.whatsapp_calls")
CALL_COLUMNS = [
    "time",
    "end_time",
    "kind",
    "exhibit",
    "direction",
    "from",
    "to",
    "duration_s",
    "status",
    "call_id",
    "artifact",
    "source_path",
    "row_id",
    "offset",
]
THIS_DEVICE = "(this device)"


def iso(value: Any) -> str:
    """``2024-06-14T21:30:00.2Z`` (UTC, trailing zeros of the fraction dropped); "" if missing."""
    if value is None or value is pd.NaT:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    text = ts.strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".")
    if ts.nanosecond:
        text = ts.strftime("%Y-%m-%dT%H:%M:%S.%f") + f"{ts.nanosecond:03d}".rstrip("0")
    return text + "Z"


def json_text(value: Any) -> str:
    """A finding's value as text: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def exhibit_files(case: Case) -> dict[str, list[dict[str, Any]]]:
    """The manifest entries (path, size, sha256, md5...) of each exhibit, by exhibit name.

    A file exhibit has one entry (its own path); a folder exhibit has one per file under it.
    An exhibit the manifest does not list (a case opened with ``verify=False``) has none.
    """
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in case.exhibits}
    manifest = case.root / "hashes.json"
    if not manifest.is_file():
        return out
    try:
        entries = load_manifest(manifest)["files"]
    except ForensicsError:
        return out
    for entry in entries:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("path"), str):
            continue
        top = entry["path"].split("/", 1)[0]
        out.setdefault(top, []).append(dict(entry))
    return out


def exhibit_sha256(files: Sequence[Mapping[str, Any]], exhibit: str, path: str | None) -> str:
    """The SHA-256 of an exhibit (a file) or of the file ``path`` inside a folder exhibit."""
    for entry in files:
        if entry.get("path") == exhibit:
            return str(entry.get("sha256") or "")
    if path:
        wanted = f"{exhibit}/{path.lstrip('/')}"
        for entry in files:
            if entry.get("path") == wanted:
                return str(entry.get("sha256") or "")
    return ""


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _text(series: pd.Series) -> pd.Series:
    return series.astype(object).map(lambda v: "" if _missing(v) else str(v))


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _join(*parts: pd.Series) -> pd.Series:
    """ "number (name)" from two text columns, leaving out the empty ones."""
    first = _text(parts[0])
    for extra in parts[1:]:
        more = _text(extra)
        first = pd.Series(
            [f"{a} ({b})" if a and b else a or b for a, b in zip(first, more, strict=True)],
            index=first.index,
            dtype=object,
        )
    return first


def _sides(direction: pd.Series, other: pd.Series) -> tuple[pd.Series, pd.Series]:
    incoming = _text(direction).str.lower().str.startswith("in")
    other_text = _text(other)
    caller = other_text.where(incoming, THIS_DEVICE)
    callee = other_text.where(~incoming, THIS_DEVICE)
    return caller, callee


def call_list(case: Case) -> pd.DataFrame:
    """Every call of the case in one table, oldest first (see ``CALL_COLUMNS``).

    SIP calls rebuilt from captures (``voip.calls``), the phones' call logs, WhatsApp calls
    and softphone (Linphone) history. ``from``/``to`` name the device that holds the log
    as "(this device)"; a capture has no such side and shows both SIP identities.
    """
    parts: list[pd.DataFrame] = []

    for artifact in ("voip.calls",):
        frame = case.frame(artifact)
        if frame.empty:
            continue
        parts.append(
            pd.DataFrame(
                {
                    "time": _column(frame, "start_utc"),
                    "end_time": _column(frame, "end_utc"),
                    "kind": "SIP capture",
                    "exhibit": frame["exhibit"],
                    "direction": "",
                    "from": _text(_column(frame, "caller")),
                    "to": _text(_column(frame, "callee")),
                    "duration_s": _column(frame, "duration_s"),
                    "status": _join(_column(frame, "state"), _column(frame, "status_code")),
                    "call_id": _text(_column(frame, "call_id")),
                    "artifact": artifact,
                    "source_path": _text(_column(frame, "source_path")),
                    "row_id": _column(frame, "row_id"),
                    "offset": _column(frame, "offset"),
                }
            )
        )
    for artifact in (*_PHONE_CALLS, *_WHATSAPP_CALLS, "phone.sip_calls"):
        frame = case.frame(artifact)
        if frame.empty:
            continue
        if artifact == "phone.sip_calls":
            kind, direction = "softphone", _text(_column(frame, "direction_label"))
            caller, callee = _text(_column(frame, "caller")), _text(_column(frame, "callee"))
            status, call_id = _text(_column(frame, "status_label")), _column(frame, "call_id")
        elif artifact in _WHATSAPP_CALLS:
            kind, direction = "WhatsApp", _text(_column(frame, "direction"))
            caller, callee = _sides(direction, _column(frame, "jid"))
            answered = _column(frame, "answered").map(
                lambda v: "" if _missing(v) else ("answered" if v else "not answered")
            )
            status = _join(answered, _column(frame, "result_label"))
            call_id = _column(frame, "call_id")
        else:
            kind, direction = "phone", _text(_column(frame, "direction"))
            caller, callee = _sides(
                direction, _join(_column(frame, "number"), _column(frame, "name"))
            )
            status = _text(_column(frame, "type_label"))
            call_id = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        parts.append(
            pd.DataFrame(
                {
                    "time": _column(frame, "time"),
                    "end_time": _column(frame, "end_time"),
                    "kind": kind,
                    "exhibit": frame["exhibit"],
                    "direction": direction,
                    "from": caller,
                    "to": callee,
                    "duration_s": _column(frame, "duration_s"),
                    "status": status,
                    "call_id": _text(call_id),
                    "artifact": artifact,
                    "source_path": _text(_column(frame, "source_path")),
                    "row_id": _column(frame, "row_id"),
                    "offset": _column(frame, "offset"),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=CALL_COLUMNS)
    calls = pd.concat([p.astype({"row_id": object, "offset": object}) for p in parts])
    for name in ("time", "end_time"):
        calls[name] = pd.to_datetime(calls[name], utc=True)
    calls = calls.sort_values(["time", "exhibit", "artifact"], kind="stable", na_position="last")
    return calls[CALL_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class FlightLogFrames:
    """One flight log of the case: its exhibit, path inside it, track and events."""

    exhibit: str
    source_path: str
    track: pd.DataFrame
    events: pd.DataFrame


def flight_logs(case: Case) -> Iterator[FlightLogFrames]:
    """Each flight log's track and events (``drone.track`` / ``drone.events`` by source)."""
    track = case.frame("drone.track")
    if track.empty:
        return
    events = case.frame("drone.events")
    for (exhibit, source), part in track.groupby(["exhibit", "source_path"], sort=True):
        if events.empty:
            own = events
        else:
            own = events[(events["exhibit"] == exhibit) & (events["source_path"] == source)]
        yield FlightLogFrames(
            exhibit=str(exhibit),
            source_path=str(source),
            track=part.sort_values("time_utc", kind="stable").reset_index(drop=True),
            events=own.reset_index(drop=True),
        )


def case_name(case: Case) -> str:
    return Path(case.root).resolve().name
