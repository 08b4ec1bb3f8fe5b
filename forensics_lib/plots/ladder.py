"""A SIP call ladder: one lane per endpoint, one arrow per message, time going down.

The picture Wireshark's "Flow Sequence" and sngrep draw, from the ``voip.messages``
table of :func:`forensics_lib.voip.read_capture`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["plot_call_ladder"]

_MAX_MESSAGES = 80  # a ladder longer than this is unreadable; the title says it was cut


def plot_call_ladder(messages: pd.DataFrame, call_id: str, *, width: float = 9.0) -> Any:
    """Return a :class:`matplotlib.figure.Figure` with the ladder of one call.

    ``messages`` is a capture's ``messages`` table. Requests are drawn solid, responses
    dashed, messages carrying SDP in bold; each row is labelled with its time relative to
    the first message and its absolute UTC time at the top.
    """
    from forensics_lib.plots._figure import new_figure

    call = messages[messages["call_id"] == call_id].sort_values("time", kind="stable")
    if call.empty:
        raise ValueError(f"no SIP message with Call-ID {call_id!r}")
    shown = call.head(_MAX_MESSAGES)
    src = shown["src_ip"].astype(str) + ":" + shown["src_port"].astype(str)
    dst = shown["dst_ip"].astype(str) + ":" + shown["dst_port"].astype(str)
    lanes = list(dict.fromkeys([*src, *dst]))
    x = {lane: i for i, lane in enumerate(lanes)}
    rows = len(shown)
    fig = new_figure(figsize=(width, 1.4 + 0.32 * rows), layout="constrained")
    ax = fig.add_subplot()
    for i in range(len(lanes)):
        ax.plot([i, i], [-0.6, rows - 0.4], color="0.6", linewidth=1, zorder=1)
    start = shown["time"].iloc[0]
    requests = shown["method"].notna().tolist()
    with_sdp = shown["has_sdp"].fillna(False).astype(bool).tolist()
    rows_data = zip(src, dst, requests, with_sdp, shown.itertuples(index=False), strict=True)
    for row, (s, d, is_request, sdp, msg) in enumerate(rows_data):
        ax.annotate(
            "",
            xy=(x[d], row),
            xytext=(x[s], row),
            arrowprops={
                "arrowstyle": "-|>",
                "linestyle": "-" if is_request else "--",
                "color": "C0" if is_request else "C2",
                "linewidth": 1.8 if sdp else 1.0,
            },
            zorder=2,
        )
        label = str(msg.summary) + (" (SDP)" if sdp else "")
        ax.text((x[s] + x[d]) / 2, row - 0.12, label, ha="center", va="bottom", fontsize=8)
        offset = (msg.time - start).total_seconds()
        ax.text(-0.35, row, f"+{offset:.3f} s", ha="right", va="center", fontsize=7)
    ax.set_xticks(range(len(lanes)), lanes, fontsize=8)
    ax.xaxis.tick_top()
    ax.set_xlim(-1.0, len(lanes) - 0.5)
    ax.set_ylim(rows - 0.4, -0.8)
    ax.set_yticks([])
    for side in ("left", "right", "bottom", "top"):
        ax.spines[side].set_visible(False)
    cut = f" (first {_MAX_MESSAGES} of {len(call)})" if len(call) > _MAX_MESSAGES else ""
    ax.set_title(
        f"Call-ID {call_id}{cut}\nstarting {start.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} UTC",
        fontsize=9,
        loc="left",
    )
    return fig
