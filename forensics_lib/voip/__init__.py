"""VoIP capture forensics: SIP calls, RTP streams, DTMF, digest credentials, audio."""

from forensics_lib.voip.capture import CALL_STATES, VoipCapture, read_capture

__all__ = ["CALL_STATES", "VoipCapture", "read_capture"]
