"""``forensics-lib drone summary|track|events|geofence|export LOG`` and ``media exif PATH``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_lib.cli.args import exit_for
from forensics_lib.cli.output import FORMATS, emit, render_table
from forensics_lib.core.errors import ForensicsWarning

# Decimals kept in the output: the resolution the logs store (MAVLink degE7, mm, cm/s, cdeg,
# mV), so rounding only removes float noise (a float32 16.795997619628906 V is 16.796 V).
DECIMALS = {
    "lat": 7,
    "lon": 7,
    "alt_amsl_m": 3,
    "alt_rel_m": 3,
    "alt_m": 3,
    "ground_speed_ms": 2,
    "climb_ms": 2,
    "heading_deg": 2,
    "battery_pct": 1,
    "voltage_v": 3,
    "time_inside_s": 3,
    "closest_m": 1,
    "closest_lat": 7,
    "closest_lon": 7,
}
ZONE_HINT = "add --zone ZONE (an IANA name such as Europe/Madrid) to put them on UTC"


def _log_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "log", type=Path, metavar="LOG", help="tlog, DataFlash .bin, PX4 .ulg, DJI .txt or .SRT"
    )
    p.add_argument(
        "--system", type=int, help="MAVLink system id of the vehicle (several in one log)"
    )
    p.add_argument("--zone", help="IANA zone of the aircraft clock, for DJI SRT wall times")
    p.add_argument(
        "--dji-fpv",
        action="store_true",
        help="the DJI SRT is a DJI FPV's: its [altitude: ..] is 1/10 of the height (read x10)",
    )


def _fmt(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="table", help="output format")


def register(subparsers: Any) -> None:
    drone = subparsers.add_parser(
        "drone", help="read drone flight logs (MAVLink, DataFlash, ULog, DJI)"
    )
    sub = drone.add_subparsers(dest="drone_command", metavar="ACTION", required=True)

    p = sub.add_parser("summary", help="which aircraft, when, where: the first facts of a flight")
    _log_args(p)
    _fmt(p)
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("track", help="one row per position fix")
    _log_args(p)
    _fmt(p)
    p.set_defaults(func=cmd_track)

    p = sub.add_parser("events", help="arm/disarm, modes, take-off/landing, messages, releases")
    _log_args(p)
    _fmt(p)
    p.set_defaults(func=cmd_events)

    p = sub.add_parser("geofence", help="entries, exits, time inside and closest approach")
    _log_args(p)
    p.add_argument("--polygon", type=Path, required=True, help="GeoJSON polygon (the perimeter)")
    _fmt(p)
    p.set_defaults(func=cmd_geofence)

    p = sub.add_parser("export", help="write the track as KML, GeoJSON, GPX or CSV (and plots)")
    _log_args(p)
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="file to write: .kml, .geojson/.json, .gpx or .csv",
    )
    p.add_argument("--polygon", type=Path, help="GeoJSON polygon to draw (KML, map plot)")
    p.add_argument("--map", type=Path, help="also save a track map (PNG, SVG or PDF)")
    p.add_argument("--profile", type=Path, help="also save the altitude/speed profile")
    p.set_defaults(func=cmd_export)

    media = subparsers.add_parser("media", help="photo metadata (EXIF GPS and time, DJI XMP)")
    msub = media.add_subparsers(dest="media_command", metavar="ACTION", required=True)
    p = msub.add_parser("exif", help="one row per photo: time (UTC), position, camera, DJI tags")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="JPEG files or folders")
    p.add_argument(
        "--zone",
        help="IANA zone of the camera clock, for local EXIF times without an offset",
    )
    _fmt(p)
    p.set_defaults(func=cmd_media_exif)


def _read(args: argparse.Namespace) -> Any:
    from forensics_lib.drone import read_flight_log
    from forensics_lib.drone.srt import ZoneNeededWarning

    with warnings.catch_warnings():
        # The library says "zone=" (its keyword); here the option is --zone.
        warnings.simplefilter("ignore", ZoneNeededWarning)
        log = read_flight_log(args.log, system_id=args.system, zone=args.zone, dji_fpv=args.dji_fpv)
    if log.format == "dji_srt" and args.zone is None:
        warnings.warn(
            f"{log.path}: SRT times are local wall-clock times, so time_utc is empty; {ZONE_HINT}",
            ForensicsWarning,
            stacklevel=2,
        )
    return log


def _iso_ms(value: Any) -> str | None:
    """ISO 8601 UTC to the millisecond, as the tables print times: 2024-04-12T21:26:29.200Z."""
    if value is None or pd.isna(value):
        return None
    ts = pd.Timestamp(value).tz_convert("UTC")
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns rounded to the resolution the logs store (see :data:`DECIMALS`)."""
    out = frame.copy()
    for name, places in DECIMALS.items():
        if name in out.columns and pd.api.types.is_float_dtype(out[name]):
            out[name] = out[name].round(places)
    return out


def _boot_column(frame: pd.DataFrame) -> list[str]:
    """``time_utc``, and ``time_boot_s`` too when some rows have only boot-relative time (a
    log without GPS time)."""
    if "time_boot_s" in frame and (frame["time_utc"].isna() & frame["time_boot_s"].notna()).any():
        return ["time_utc", "time_boot_s"]
    return ["time_utc"]


def cmd_summary(args: argparse.Namespace) -> int:
    from forensics_lib.core.errors import EncryptedContent
    from forensics_lib.drone.analysis import summary

    try:
        facts = summary(_read(args))
    except EncryptedContent as exc:
        partial = getattr(exc, "log", None)
        details = getattr(exc, "details", None)
        if partial is None or details is None:
            raise
        # A DJI log of version 13+: what its Details block says, and why there is no track.
        facts = summary(partial)
        facts["start_utc"] = details.start_time_utc.isoformat().replace("+00:00", "Z")
        facts["place"] = details.place or None
        facts["track"] = f"encrypted: {exc.reason}. {exc.hint}"
    if args.format == "json":
        sys.stdout.write(json.dumps(facts, indent=2, ensure_ascii=False) + "\n")
        return 0
    # Notes are sentences: printed whole under the table, not clipped into a cell.
    notes = facts.pop("notes", [])
    rows = [
        {
            "field": k,
            "value": json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v,
        }
        for k, v in facts.items()
    ]
    if args.format != "table":  # csv: one row per note
        rows += [{"field": "note", "value": n} for n in notes]
    emit(pd.DataFrame(rows, columns=["field", "value"]), args.format)
    if args.format == "table":
        sys.stdout.write("".join(f"note: {n}\n" for n in notes))
    return 0


def cmd_track(args: argparse.Namespace) -> int:
    log = _read(args)
    frame = _rounded(log.track)
    if args.format == "table":
        frame = frame[
            [*_boot_column(frame), "lat", "lon", "alt_rel_m", "ground_speed_ms", "mode", "armed"]
        ]
    emit(frame, args.format)
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    frame = _read(args).events
    if args.format == "table":
        frame = frame[[*_boot_column(frame), "kind", "text"]]
    emit(frame, args.format)
    return 0


def cmd_geofence(args: argparse.Namespace) -> int:
    from forensics_lib.drone.analysis import geofence, load_polygon

    result = geofence(_read(args).track, load_polygon(args.polygon))
    crossings: pd.DataFrame = _rounded(result.pop("crossings"))
    for key, value in result.items():
        if isinstance(value, float) and key in DECIMALS:
            result[key] = round(value, DECIMALS[key])
    result["closest_utc"] = _iso_ms(result["closest_utc"])
    if args.format == "json":
        out = dict(result)
        out["crossings"] = json.loads(crossings.to_json(orient="records", date_format="iso"))
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0
    facts = pd.DataFrame([{"field": k, "value": v} for k, v in result.items()])
    emit(facts, args.format)
    if len(crossings):
        sys.stdout.write("\n")
        emit(crossings, args.format)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from forensics_lib.drone.analysis import load_polygon, pilot_location
    from forensics_lib.export import geo

    log = _read(args)
    polygon = load_polygon(args.polygon) if args.polygon else None
    rings = [[ring.tolist() for ring in polygon.rings]] if polygon else []
    suffix = args.output.suffix.lower()
    name = args.log.name
    if suffix == ".kml":
        geo.track_to_kml(log.track, args.output, name=name, events=log.events, polygons=rings)
    elif suffix in (".geojson", ".json"):
        geo.track_to_geojson(log.track, args.output, name=name, events=log.events)
    elif suffix == ".gpx":
        geo.track_to_gpx(log.track, args.output, name=name)
    elif suffix == ".csv":
        geo.track_to_csv(log.track, args.output)
    else:
        print(
            f"error: unknown export type {suffix!r} (use .kml, .geojson, .gpx or .csv)",
            file=sys.stderr,
        )
        return 2
    print(f"track written: {args.output} ({len(log.track)} fixes)", file=sys.stderr)
    if args.map:
        from forensics_lib.plots.flight import plot_track

        home = (
            (float(log.home["lat"].iloc[0]), float(log.home["lon"].iloc[0]))
            if len(log.home)
            else None
        )
        pilots = pilot_location(log)
        pilot = (
            (float(pilots["lat"].iloc[0]), float(pilots["lon"].iloc[0])) if len(pilots) else None
        )
        fig = plot_track(
            log.track, events=log.events, polygons=rings, home=home, pilot=pilot, title=name
        )
        fig.savefig(args.map, dpi=120)
        print(f"map written: {args.map}", file=sys.stderr)
    if args.profile:
        from forensics_lib.plots.flight import plot_profile

        plot_profile(log.track, title=name).savefig(args.profile, dpi=120)
        print(f"profile written: {args.profile}", file=sys.stderr)
    return 0


def cmd_media_exif(args: argparse.Namespace) -> int:
    from forensics_lib.media import read_photos

    frame = read_photos(args.paths, zone=args.zone)
    local = frame["datetime_original"].notna() & frame["offset_time"].isna()
    if args.zone is None and local.any():
        from_gps = int((local & (frame["time_source"] == "GPS time stamp")).sum())
        warnings.warn(
            f"{int(local.sum())} photo(s) give DateTimeOriginal as local time without "
            f"OffsetTimeOriginal ({from_gps} with time_utc from the GPS time stamp, "
            f"{int(local.sum()) - from_gps} without time_utc); {ZONE_HINT}",
            ForensicsWarning,
            stacklevel=2,
        )
    if frame.empty:
        return exit_for(0, f"media exif {' '.join(map(str, args.paths))}: no photo")
    if args.format != "table":
        emit(frame, args.format)
        return 0
    table = _rounded(frame).rename(columns={"offset_time": "offset"})
    table.insert(0, "file", _short_names(list(frame["path"])))
    # Position before the offset: an 80-column terminal then still shows where each was taken
    # (time_utc minus datetime_original gives the offset when the photo wrote one).
    columns = ["file", "time_utc", "datetime_original", "lat", "lon", "offset", "alt_m"]
    # Every column, never cut: in a terminal the text columns wrap (cli.output).
    sys.stdout.write(render_table(table[[*columns, "make", "model", "serial"]]))
    return 0


def _short_names(paths: list[str]) -> list[str]:
    """Each path relative to the folder holding them all: the file name when they share one."""
    if not paths:
        return []
    full = [Path(os.path.normpath(Path(p).absolute())) for p in paths]
    common = Path(os.path.commonpath([p.parent for p in full]))
    return [str(p.relative_to(common)) for p in full]
