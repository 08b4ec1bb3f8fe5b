"""SIP call ladders (forensics_lib.plots.ladder): every message of the call drawn.

Truth: the samples README (../shared/samples) for the call's messages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from forensics_lib.voip import read_capture


def test_call_ladder_draws_every_message_of_the_call(samples: Path) -> None:
    # Truth: the README's account of the MagicJack call (INVITE -> 401 -> INVITE with
    # credentials, then 183/200/BYE), as our messages table lists it.
    from matplotlib.text import Annotation

    from forensics_lib.plots import plot_call_ladder

    capture = read_capture(samples / "voip" / "MagicJack_short_call.pcap")
    call_id = capture.calls["call_id"].iloc[0]
    fig = plot_call_ladder(capture.messages, call_id)
    ax = fig.axes[0]
    arrows = [c for c in ax.get_children() if isinstance(c, Annotation)]
    labels = [
        t.get_text()
        for t in ax.texts
        if not isinstance(t, Annotation) and not t.get_text().startswith("+")
    ]
    own = capture.messages[capture.messages["call_id"] == call_id]
    assert len(arrows) == len(own)
    assert labels[:3] == ["INVITE (SDP)", "100 Trying", "401 Unauthorized"]
    assert "BYE" in labels and labels[-1].startswith("200 OK")
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "192.168.0.10:59205",
        "216.234.64.8:5070",
    ]
    with pytest.raises(ValueError, match="no SIP message"):
        plot_call_ladder(capture.messages, "not-a-call")
