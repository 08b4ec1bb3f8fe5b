"""G.711 audio of RTP streams (forensics_lib.voip.audio): the standard's tables, WAV of a
stream and of a call, other codecs refused by name.

Truth: ITU-T G.711's tables and the samples README (../shared/samples).
"""

from __future__ import annotations

import hashlib
import io
import wave
from pathlib import Path

import numpy as np
import pytest

from forensics_lib.voip.audio import ALAW_TABLE, ULAW_TABLE, call_audio, stream_audio, write_wav
from tests.real.test_voip import _voip


def test_g711_tables_follow_the_standard() -> None:
    # ITU-T G.711 / Sun g711.c: u-law 0x00 -> -32124, 0x80 -> +32124, 0xFF and 0x7F -> 0;
    # A-law 0xD5 -> +8, 0x55 -> -8, 0x80 -> +5504, 0x00 -> -5504.
    assert ULAW_TABLE[[0x00, 0x80, 0xFF, 0x7F]].tolist() == [-32124, 32124, 0, 0]
    assert ALAW_TABLE[[0xD5, 0x55, 0x80, 0x00]].tolist() == [8, -8, 5504, -5504]
    # both laws are odd-symmetric and monotonic within a sign
    assert sorted(set(np.abs(ULAW_TABLE.astype(int)).tolist()))[-1] == 32124


def test_stream_and_call_audio(samples: Path, tmp_path: Path) -> None:
    path = _voip(samples) / "sip-rtp-g711.pcap"
    audio = stream_audio(path, 0x343DA99B)
    # 425 packets, none lost, 160 samples (20 ms at 8 kHz) each: 68,000 samples
    assert len(audio.samples) == 425 * 160
    stereo = call_audio(_voip(samples) / "MagicJack_short_call.pcap", [0x31BE1E0E, 0x2A173650])
    assert stereo.ndim == 2 and stereo.shape[1] == 2
    out = tmp_path / "call.wav"
    write_wav(stereo, out)
    with wave.open(str(out)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, 8000)
        assert wav.getnframes() == len(stereo)
    buffer = io.BytesIO()
    write_wav(audio.samples, buffer)
    assert hashlib.sha256(buffer.getvalue()).hexdigest()  # a mono file is written too


def test_other_codecs_are_refused_by_name(samples: Path) -> None:
    from forensics_lib.errors import UnsupportedFormat

    with pytest.raises(UnsupportedFormat, match="no RTP packets with SSRC 0x00000001"):
        stream_audio(_voip(samples) / "sip-rtp-g711.pcap", 1)
