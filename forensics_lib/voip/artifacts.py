"""The VoIP artifacts of the registry: one capture, five tables.

Each parser reads the whole capture with :func:`~forensics_lib.voip.read_capture` and
returns one of its tables; a script that needs several should call ``read_capture`` once.
"""

from __future__ import annotations

import pandas as pd

from forensics_lib.core.registry import artifact
from forensics_lib.sources import Source
from forensics_lib.voip.capture import read_capture
from forensics_lib.voip.specs import AUTH, CALLS, DTMF, MESSAGES, STREAMS

__all__ = ["rtp_streams", "sip_auth", "sip_calls", "sip_dtmf", "sip_messages"]


@artifact(MESSAGES)
def sip_messages(source: Source) -> pd.DataFrame:
    """SIP messages of a capture."""
    return read_capture(source).messages


@artifact(CALLS)
def sip_calls(source: Source) -> pd.DataFrame:
    """Calls (INVITE dialogs) of a capture."""
    return read_capture(source).calls


@artifact(STREAMS)
def rtp_streams(source: Source) -> pd.DataFrame:
    """RTP streams of a capture."""
    return read_capture(source).streams


@artifact(DTMF)
def sip_dtmf(source: Source) -> pd.DataFrame:
    """DTMF digits of a capture: RFC 4733 events, SIP INFO and in-band tones."""
    return read_capture(source, inband=True).dtmf


@artifact(AUTH)
def sip_auth(source: Source) -> pd.DataFrame:
    """SIP digest authentication exchanges of a capture."""
    return read_capture(source).auth
