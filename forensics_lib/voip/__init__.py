"""VoIP capture forensics: SIP calls, RTP streams, DTMF, digest credentials, audio."""

from forensics_lib.voip.capture import (
    CALL_STATES,
    VoipCapture,
    read_capture,
    summary_lines,
    why_no_call,
)
from forensics_lib.voip.net import FrameCounts

__all__ = [
    "CALL_STATES",
    "FrameCounts",
    "VoipCapture",
    "read_capture",
    "summary_lines",
    "why_no_call",
]
