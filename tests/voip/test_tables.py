"""The VoIP tables (forensics_lib.voip.tables) built from what a reader gathered.

Truth: the artifact specs (every table has exactly its declared columns, times UTC) and
counts chosen here by hand.
"""

from __future__ import annotations

from forensics_lib.voip.dialogs import Dialogs
from forensics_lib.voip.net import AddressBook, FrameCounts
from forensics_lib.voip.specs import AUTH, CALLS, DTMF, MESSAGES, STREAMS
from forensics_lib.voip.streams import RtpStreams
from forensics_lib.voip.tables import Gathered, build, reasons, summary_lines, why_no_call


def _gathered(counts: FrameCounts, messages: list[dict[str, object]] | None = None) -> Gathered:
    book = AddressBook()
    dialogs = Dialogs(book, lambda text: None)
    return Gathered(
        provenance="x.pcap",
        packets=counts.read,
        addresses=book,
        messages=messages or [],
        auth=[],
        dtmf=[],
        dialogs=dialogs,
        streams=RtpStreams(dialogs.endpoints, lambda text: None),
        problems=(),
        counts=counts,
    )


def test_empty_capture_has_every_table_with_its_columns() -> None:
    capture = build(_gathered(FrameCounts()))
    for table, spec in (
        (capture.messages, MESSAGES),
        (capture.calls, CALLS),
        (capture.streams, STREAMS),
        (capture.dtmf, DTMF),
        (capture.auth, AUTH),
    ):
        assert list(table.columns) == [c.name for c in spec.all_columns]
        assert table.empty
    assert why_no_call(capture) == "the capture holds no frames"


def test_reasons_most_frequent_first_and_summary_counts() -> None:
    counts = FrameCounts(read=10)
    counts.skip("truncated", 3)
    counts.skip("non-IP (EtherType 0x0806)", 7)
    assert reasons(counts) == "non-IP (EtherType 0x0806): 7; truncated: 3"
    capture = build(_gathered(counts))
    # 10 read, 10 skipped: nothing decodable
    assert why_no_call(capture).startswith("no frame could be decoded")
    lines = summary_lines(capture)
    assert "frames read: 10" in lines and "skipped: 10" in lines
    assert lines[-1].startswith("no call found: ")
    assert capture.summary_lines() == lines


def test_a_message_row_becomes_a_utc_message() -> None:
    book_msgs: list[dict[str, object]] = [
        {
            "time_ns": 1_700_000_000_000_000_000,  # 2023-11-14T22:13:20Z
            "frame": 1,
            "src": 0,
            "src_port": 5060,
            "dst": 0,
            "dst_port": 5060,
            "transport": "UDP",
            "method": "OPTIONS",
            "status_code": None,
            "reason": None,
            "call_id": "k",
            "cseq": 1,
            "cseq_method": "OPTIONS",
            "from": "a@x",
            "to": "b@x",
            "user_agent": None,
            "has_sdp": False,
            "offset": 24,
        }
    ]
    counts = FrameCounts(read=1, sip=1)
    g = _gathered(counts, book_msgs)
    g.addresses.intern_text("192.0.2.1")
    capture = build(g)
    row = capture.messages.iloc[0]
    assert str(row["time"]) == "2023-11-14 22:13:20+00:00"
    assert (row["src_ip"], row["summary"], row["offset"]) == ("192.0.2.1", "OPTIONS", 24)
    assert why_no_call(capture) == "no INVITE among the 1 SIP messages"
