"""Seeded, format-faithful VoIP captures (pcap or pcapng) and their answer keys.

What a capture holds: for each phone a REGISTER challenged by a 401 and repeated with a
correct RFC 2617 / RFC 8760 digest (MD5, qop=auth; the password is a weak word so the
trainee can recover it from a word list); then calls between the phones, each answered
(INVITE / 100 / 180 / 200 / ACK / RTP both ways / BYE / 200), cancelled (INVITE / 100 / 180
/ CANCEL / 200 / 487 / ACK) or rejected (INVITE / 100 / 486 / ACK). Answered calls carry
G.711 (PCMU or PCMA) RTP with a sine tone per direction, DTMF digits sent as RFC 4733
events (with the end packet sent three times, RFC 4733 2.5.1.4) and other digits as
in-band tones; loss, jitter and reordering are configurable. Link layer: Ethernet
(optionally 802.1Q or QinQ tagged), PPPoE, IP-in-IP, GRE, MPLS, VXLAN, Linux SLL / SLL2,
raw IPv4 or BSD loopback; SIP over UDP (fragmented when larger than the MTU) or TCP.

The RTP packets are built as one NumPy array of fixed-size records, so a 1,000,000-packet
capture is written in seconds. Identities follow ``datasets/README.md``: documentation
IP ranges, ``example.org`` hosts, invented names.

A package since issue 16 (it was ``voip.py``), by responsibility: ``packets`` (IP and the link
layers), ``sip`` (SIP/SDP messages and the digest), ``rtp`` (G.711, tones, DTMF, RTP
records), ``pcapfile`` (pcap / pcapng) and ``capture`` (the call plan,
:func:`make_voip_capture`, the answer key). Every name code outside the package imported from
``forensics_datasets.voip`` stays importable from it.
"""

from __future__ import annotations

from forensics_datasets.voip.capture import (
    VOIP_VERSION,
    PlannedCall,
    SipPhone,
    VoipCase,
    make_voip_capture,
    write_answer_key,
)
from forensics_datasets.voip.packets import LINKS
from forensics_datasets.voip.rtp import g711_encode
from forensics_datasets.voip.sip import REALM, WEAK_PASSWORDS

__all__ = [
    "LINKS",
    "REALM",
    "VOIP_VERSION",
    "WEAK_PASSWORDS",
    "PlannedCall",
    "SipPhone",
    "VoipCase",
    "g711_encode",
    "make_voip_capture",
    "write_answer_key",
]
