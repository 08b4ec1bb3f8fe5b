"""``forensics-lib drone summary|track|events|geofence|export LOG`` and ``media exif PATH``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_lib.cli.output import FORMATS, emit


def _log_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("log", type=Path, metavar="LOG", help="tlog, DataFlash .bin, DJI .txt or .SRT")
    p.add_argument(
        "--system", type=int, help="MAVLink system id of the vehicle (several in one log)"
    )
    p.add_argument("--zone", help="IANA zone of the aircraft clock, for DJI SRT wall times")


def _fmt(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="table", help="output format")


def register(subparsers: Any) -> None:
    drone = subparsers.add_parser("drone", help="read drone flight logs (MAVLink, DataFlash, DJI)")
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
    _fmt(p)
    p.set_defaults(func=cmd_media_exif)


def _read(args: argparse.Namespace) -> Any:
    from forensics_lib.drone import read_flight_log

    return read_flight_log(args.log, system_id=args.system, zone=args.zone)


def cmd_summary(args: argparse.Namespace) -> int:
    from forensics_lib.drone.analysis import summary
    from forensics_lib.errors import EncryptedContent

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
    rows = [
        {
            "field": k,
            "value": json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v,
        }
        for k, v in facts.items()
    ]
    emit(pd.DataFrame(rows, columns=["field", "value"]), args.format)
    return 0


def cmd_track(args: argparse.Namespace) -> int:
    log = _read(args)
    frame = log.track
    if args.format == "table":
        frame = frame[["time_utc", "lat", "lon", "alt_rel_m", "ground_speed_ms", "mode", "armed"]]
    emit(frame, args.format)
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    frame = _read(args).events
    if args.format == "table":
        frame = frame[["time_utc", "kind", "text"]]
    emit(frame, args.format)
    return 0


def cmd_geofence(args: argparse.Namespace) -> int:
    from forensics_lib.drone.analysis import geofence, load_polygon

    result = geofence(_read(args).track, load_polygon(args.polygon))
    crossings: pd.DataFrame = result.pop("crossings")
    if args.format == "json":
        out = {k: (v.isoformat() if isinstance(v, pd.Timestamp) else v) for k, v in result.items()}
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

    frame = read_photos(args.paths)
    if args.format == "table":
        frame = frame[["path", "time_utc", "lat", "lon", "alt_m", "make", "model"]]
    emit(frame, args.format)
    return 0
