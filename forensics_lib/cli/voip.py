"""``forensics-lib voip``: calls, streams, messages, dtmf, auth and audio of a capture."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from forensics_lib.cli.output import FORMATS, emit

TABLES = ("calls", "streams", "messages", "dtmf", "auth")
# The columns a terminal table shows (csv and json give every column).
SHORT = {
    "calls": ["start_utc", "caller", "callee", "state", "duration_s", "stream_ssrcs"],
    "streams": ["ssrc", "src_ip", "src_port", "dst_ip", "dst_port", "codec", "packets",
                "lost", "max_delta_ms", "mean_jitter_ms", "max_jitter_ms", "linked_by"],
    "messages": ["time", "src_ip", "dst_ip", "summary", "from", "to", "call_id"],
    "dtmf": ["time", "digit", "method", "duration_ms", "src_ip", "call_id"],
    "auth": ["time", "client", "username", "realm", "method", "algorithm", "response"],
}  # fmt: skip


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "voip",
        help="SIP calls, RTP streams, DTMF, digest logins and audio from a pcap/pcapng",
        description="Read a packet capture (read-only) like Wireshark's VoIP tools.",
    )
    sub = p.add_subparsers(dest="voip_command", metavar="TABLE", required=True)
    for name in TABLES:
        t = sub.add_parser(name, help=f"the {name} of a capture")
        t.add_argument("capture", type=Path, metavar="CAPTURE")
        t.add_argument("--format", choices=FORMATS, default="table", help="output format")
        if name == "dtmf":
            t.add_argument(
                "--no-inband",
                dest="inband",
                action="store_false",
                help="skip decoding the audio for keys pressed as tones (faster)",
            )
        t.set_defaults(func=cmd_table, table=name, inband=name == "dtmf")
    m = sub.add_parser(
        "summary",
        help="frames read, decoded as SIP/RTP/RTCP, skipped by reason; calls found or why not",
    )
    m.add_argument("capture", type=Path, metavar="CAPTURE")
    m.add_argument(
        "--format", choices=("text", "json"), default="text", help="text lines or one JSON object"
    )
    m.set_defaults(func=cmd_summary)
    a = sub.add_parser("audio", help="decode G.711 audio of a stream or a call to WAV")
    a.add_argument("capture", type=Path, metavar="CAPTURE")
    which = a.add_mutually_exclusive_group(required=True)
    which.add_argument("--ssrc", help="one stream, e.g. 0x343DA99B (mono)")
    which.add_argument("--call", dest="call_id", metavar="CALL_ID", help="a call (stereo)")
    a.add_argument("-o", "--output", type=Path, required=True, help="WAV file to write")
    a.set_defaults(func=cmd_audio)


# Exit status when the capture held nothing readable (no frame, or none decoded).
NOTHING_READ = 1


def _nothing_read(capture: Any) -> bool:
    frames = capture.frames
    if frames.read and frames.decoded:
        return False
    why = "holds no frames" if not frames.read else "has no frame that could be decoded"
    print(f"error: {capture.source_path}: the capture {why}", file=sys.stderr)
    return True


def cmd_table(args: argparse.Namespace) -> int:
    from forensics_lib.voip import read_capture

    capture = read_capture(args.capture, inband=args.inband)
    if _nothing_read(capture):
        return NOTHING_READ
    frame = getattr(capture, args.table)
    if args.table == "calls" and frame.empty:
        from forensics_lib.voip.capture import why_no_call

        print(f"no call found: {why_no_call(capture)}", file=sys.stderr)
    elif frame.empty:
        print(f"no {args.table} in {args.capture} ({capture.frames.read:,} frames read)",
              file=sys.stderr)  # fmt: skip
    if args.format == "table":
        frame = frame[SHORT[args.table]]
    emit(frame, args.format)
    # Like grep (and `timeline`): an empty table exits 1, so a script notices (README).
    return 0 if len(frame) else NOTHING_READ


def cmd_summary(args: argparse.Namespace) -> int:
    from forensics_lib.voip import read_capture

    capture = read_capture(args.capture)
    if args.format == "json":
        import json

        from forensics_lib.voip.capture import why_no_call

        summary = {
            "capture": capture.source_path,
            "frames": capture.frames.as_dict(),
            "sip_messages": len(capture.messages),
            "calls": len(capture.calls),
            "rtp_streams": len(capture.streams),
            "no_call_because": why_no_call(capture) if capture.calls.empty else None,
            "warnings": list(capture.problems),
        }
        print(json.dumps(summary, indent=2))
    else:
        for line in capture.summary_lines():
            print(line)
    return NOTHING_READ if _nothing_read(capture) else 0


def _ssrc(text: str) -> int:
    try:
        return int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise SystemExit(f"error: --ssrc {text!r} is not a number (0x... or decimal)") from None


def cmd_audio(args: argparse.Namespace) -> int:
    from forensics_lib.voip import read_capture
    from forensics_lib.voip.audio import call_audio, stream_audio, write_wav

    if args.ssrc:
        audio = stream_audio(args.capture, _ssrc(args.ssrc))
        write_wav(audio.samples, args.output)
        seconds = len(audio.samples) / audio.rate
    else:
        calls = read_capture(args.capture).calls
        match = calls[calls["call_id"] == args.call_id]
        if match.empty:
            print(f"error: no call with Call-ID {args.call_id!r}", file=sys.stderr)
            return 2
        ssrcs = match.iloc[0]["stream_ssrcs"]
        if not isinstance(ssrcs, str) or not ssrcs:
            print(f"error: call {args.call_id!r} has no RTP stream", file=sys.stderr)
            return 2
        stereo = call_audio(args.capture, [int(s, 16) for s in ssrcs.split(",")[:2]])
        write_wav(stereo, args.output)
        seconds = len(stereo) / 8000
    print(f"audio written: {args.output} ({seconds:.1f} s)", file=sys.stderr)
    return 0
