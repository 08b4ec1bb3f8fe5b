"""The VoIP artifact declarations (forensics_lib.voip.specs).

Truth: the capture magics of draft-ietf-opsawg-pcap section 4 / pcapng section 4.1 and the
readers' own tables (every pcap magic the reader accepts is a magic the registry sniffs).
"""

from __future__ import annotations

from forensics_lib.voip.pcap import NETMON_MAGICS, PCAP_MAGICS, PCAPNG_MAGIC
from forensics_lib.voip.specs import AUTH, CALLS, DTMF, MAGIC, MESSAGES, STREAMS


def test_every_magic_the_reader_takes_is_declared() -> None:
    declared = {m for _at, m in MAGIC}
    assert set(PCAP_MAGICS) | {PCAPNG_MAGIC} | set(NETMON_MAGICS) == declared


def test_ids_family_and_timeline_columns() -> None:
    specs = (MESSAGES, CALLS, STREAMS, DTMF, AUTH)
    assert [s.id for s in specs] == [
        "voip.messages",
        "voip.calls",
        "voip.streams",
        "voip.dtmf",
        "voip.auth",
    ]
    for spec in specs:
        names = {c.name for c in spec.columns}
        assert spec.family == "voip"
        assert all(rule.time in names for rule in spec.timeline), spec.id
