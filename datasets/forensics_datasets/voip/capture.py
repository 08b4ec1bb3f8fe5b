"""The VoIP capture generator: the call plan, the SIP dialogs and RTP streams of every call,
written as one pcap or pcapng, and its answer key (make_voip_capture, write_answer_key)."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forensics_datasets.voip.packets import LINKS, PacketWriter
from forensics_datasets.voip.pcapfile import noise_frames, write_capture
from forensics_datasets.voip.rtp import FRAME_MS, PT_EVENT, PT_ILBC, RtpStream, rtp_packets
from forensics_datasets.voip.sip import (
    NAMES,
    REALM,
    WEAK_PASSWORDS,
    Phone,
    phone_digest,
    sdp_body,
    sip_message,
)

VOIP_VERSION = 1
BASE_TIME = pd.Timestamp("2024-03-14T08:00:00Z")


# ---------------------------------------------------------------------------------------------
# The case
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoipCase:
    """Where the capture is and what it holds."""

    path: Path
    answer_key: dict[str, Any]


@dataclass(frozen=True)
class SipPhone:
    """A phone of a composed capture: its SIP user (at ``REALM``), address and password."""

    user: str
    ip: str
    password: str


@dataclass(frozen=True)
class PlannedCall:
    """One call of a composed capture. ``caller`` is a phone's user; ``callee`` a phone's
    user or an outside number (``+447700900123``), reached through the gateway."""

    caller: str
    callee: str
    start: pd.Timestamp
    outcome: str = "answered"  # answered | cancelled | rejected
    seconds: float = 4.0
    digits: str = ""  # sent as RFC 4733 events
    inband_digits: str = ""  # sent as in-band tones


_Leg = tuple[Phone, Phone, int, str, float, str, str]


def _call_plan(
    phones: list[Phone],
    plan: Sequence[PlannedCall] | None,
    start_ns: int,
    gateway_ip: str,
    counts: tuple[int, int, int],
    media: tuple[float, str, str],
) -> list[_Leg]:
    """(caller, callee, start ns, outcome, seconds, digits, in-band digits) per call."""
    if plan is None:
        answered, cancelled, rejected = counts
        outcomes = ["answered"] * answered + ["cancelled"] * cancelled + ["rejected"] * rejected
        n_phones = len(phones)
        return [
            (
                phones[(2 * n) % n_phones],
                phones[(2 * n + 1) % n_phones],
                start_ns + 1_000_000_000 + n * 200_000_000,
                outcome,
                *media,
            )
            for n, outcome in enumerate(outcomes)
        ]
    by_user = {p.user: p for p in phones}
    legs: list[_Leg] = []
    for call in plan:
        if call.outcome not in ("answered", "cancelled", "rejected"):
            raise ValueError(f"unknown outcome {call.outcome!r}")
        caller = by_user[call.caller]
        callee = by_user.get(call.callee) or Phone(call.callee, gateway_ip, "")
        legs.append(
            (
                caller,
                callee,
                call.start.value,
                call.outcome,
                call.seconds,
                call.digits,
                call.inband_digits,
            )
        )
    return legs


def make_voip_capture(
    out: str | Path,
    *,
    seed: int = 0,
    answered: int = 2,
    cancelled: int = 1,
    rejected: int = 1,
    seconds: float = 4.0,
    loss: float = 0.0,
    jitter_ms: float = 0.0,
    reorder: float = 0.0,
    fmt: str = "pcap",
    link: str = "ethernet",
    sip_transport: str = "udp",
    mtu: int = 1500,
    nanoseconds: bool = False,
    big_endian: bool = False,
    digits: str = "1590",
    inband_digits: str = "27",
    phones: Sequence[SipPhone] | None = None,
    plan: Sequence[PlannedCall] | None = None,
    start: pd.Timestamp | None = None,
    gateway_ip: str = "203.0.113.20",
    rtp_link: str | None = None,
    noise: int = 0,
    early_media: bool = False,
    renegotiate: str | None = None,
) -> VoipCase:
    """Write one capture to ``out`` (a file path) and return its answer key.

    ``answered`` calls carry ``seconds`` of G.711 RTP in each direction (50 packets a
    second); ``loss`` / ``reorder`` are per-packet probabilities, ``jitter_ms`` the scale of
    random extra delay. ``fmt`` is "pcap" or "pcapng" (two interfaces: SIP on one with
    microsecond, RTP on the other with nanosecond timestamps).

    ``link`` is the link layer or encapsulation every packet is written in (one of
    :data:`LINKS`: Ethernet, 802.1Q, QinQ, PPPoE, IP-in-IP, 4in6, GRE, MPLS, VXLAN, Linux
    SLL / SLL2, raw IPv4, BSD loopback); in pcapng, ``rtp_link`` gives the RTP interface a
    different one. SIP datagrams larger than ``mtu`` are sent as IPv4 fragments. ``noise``
    adds that many frames the reader must skip; the answer key's ``skipped`` gives the
    reason it should report for them.

    ``early_media`` makes answered calls send a 183 Session Progress with the SDP answer and
    start the callee's RTP at once (before the 200 OK); ``renegotiate`` ("update" or
    "reinvite") moves answered calls mid-way to new ports and the dynamic payload type 98,
    named "iLBC" only by the new SDP's rtpmap: two more streams per call.

    A composed case passes its own ``phones`` (who registers, with which password) and
    ``plan`` (who calls whom, when, how it ends, which digits), starting at ``start``;
    a callee that is not one of the phones (an outside number) is reached through the
    PBX's gateway ``gateway_ip``. Without them, ``answered`` / ``cancelled`` /
    ``rejected`` calls are made between seeded phones.
    """
    if fmt not in ("pcap", "pcapng") or link not in LINKS or sip_transport not in ("udp", "tcp"):
        raise ValueError("fmt is pcap|pcapng, link one of LINKS, sip_transport udp|tcp")
    if renegotiate not in (None, "update", "reinvite"):
        raise ValueError("renegotiate is None, 'update' or 'reinvite'")
    if rtp_link is not None and (rtp_link not in LINKS or fmt != "pcapng"):
        raise ValueError("rtp_link (the RTP interface's link) is one of LINKS, pcapng only")
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    path = Path(out)
    start_ns = (BASE_TIME + pd.Timedelta(days=seed % 365) if start is None else start).value
    if phones is None:
        n_phones = max(2, min(len(NAMES), 2 * max(answered + cancelled + rejected, 1)))
        registered = [
            Phone(
                f"{NAMES[i % len(NAMES)]}{i:03d}",
                f"198.51.100.{10 + i}",
                rng.choice(WEAK_PASSWORDS),
            )
            for i in range(n_phones)
        ]
    else:
        registered = [Phone(p.user, p.ip, p.password) for p in phones]
        n_phones = len(registered)
    writer = PacketWriter(link=link, mtu=mtu)
    tcp_seq: dict[tuple[str, str], int] = {}
    key: dict[str, Any] = {"version": VOIP_VERSION, "seed": seed, "format": fmt, "link": link,
                           "rtp_link": rtp_link or link}  # fmt: skip

    def send(t_ns: int, src: Phone | str, dst: Phone | str, msg: bytes) -> None:
        s_ip = src.ip if isinstance(src, Phone) else src
        d_ip = dst.ip if isinstance(dst, Phone) else dst
        if sip_transport == "udp":
            writer.udp(t_ns, (s_ip, 5060), (d_ip, 5060), msg)
            return
        flow = (s_ip, d_ip)
        if flow not in tcp_seq:
            tcp_seq[flow] = rng.randrange(1 << 32)
            writer.tcp(t_ns - 2000, (s_ip, 5060), (d_ip, 5060), tcp_seq[flow], b"", 0x02)
            tcp_seq[flow] = (tcp_seq[flow] + 1) & 0xFFFFFFFF
        writer.tcp(t_ns, (s_ip, 5060), (d_ip, 5060), tcp_seq[flow], msg)
        tcp_seq[flow] = (tcp_seq[flow] + len(msg)) & 0xFFFFFFFF

    registrar = "203.0.113.10"
    proto = sip_transport.upper()
    t = start_ns
    registrations = []
    for phone in registered:
        call_id = f"reg-{rng.randrange(1 << 40):x}@{phone.ip}"
        nonce = f"{rng.randrange(1 << 64):016x}"
        cnonce = f"{rng.randrange(1 << 32):08x}"
        uri = f"sip:{REALM}"
        base = [
            ("Via", f"SIP/2.0/{proto} {phone.ip}:5060;branch=z9hG4bK{rng.randrange(1 << 30)}"),
            ("From", f"<sip:{phone.aor}>;tag={rng.randrange(1 << 30)}"),
            ("To", f"<sip:{phone.aor}>"), ("Call-ID", call_id), ("Max-Forwards", "70"),
            ("Contact", f"<sip:{phone.user}@{phone.ip}:5060>"), ("User-Agent", "ExamplePhone/1.0"),
        ]  # fmt: skip
        send(
            t,
            phone,
            registrar,
            sip_message(f"REGISTER {uri} SIP/2.0", [*base, ("CSeq", "1 REGISTER")]),
        )
        challenge = f'Digest realm="{REALM}", nonce="{nonce}", algorithm=MD5, qop="auth"'
        send(t + 3_000_000, registrar, phone, sip_message("SIP/2.0 401 Unauthorized", [
            *base[:4], ("CSeq", "1 REGISTER"), ("WWW-Authenticate", challenge)]))  # fmt: skip
        response = phone_digest(phone, "REGISTER", uri, nonce, cnonce)
        auth = (
            f'Digest username="{phone.user}", realm="{REALM}", nonce="{nonce}", uri="{uri}", '
            f'response="{response}", algorithm=MD5, cnonce="{cnonce}", qop=auth, nc=00000001'
        )
        send(t + 6_000_000, phone, registrar, sip_message(f"REGISTER {uri} SIP/2.0", [
            *base, ("CSeq", "2 REGISTER"), ("Authorization", auth)]))  # fmt: skip
        send(t + 9_000_000, registrar, phone, sip_message("SIP/2.0 200 OK", [
            *base[:4], ("CSeq", "2 REGISTER")]))  # fmt: skip
        registrations.append({"username": phone.user, "realm": REALM, "password": phone.password,
                              "client": phone.ip, "response": response})  # fmt: skip
        t += 50_000_000
    key["registrations"] = registrations

    calls, streams = [], []
    legs = _call_plan(
        registered, plan, start_ns, gateway_ip, (answered, cancelled, rejected),
        (seconds, digits, inband_digits),
    )  # fmt: skip
    for n, (caller, callee, t, outcome, call_s, call_digits, call_inband) in enumerate(legs):
        call_id = f"{rng.randrange(1 << 48):012x}@{caller.ip}"
        law_pt = 0 if n % 2 == 0 else 8
        ports = (10000 + 4 * n, 20000 + 4 * n)
        frm = f'"{caller.user.title()} Example" <sip:{caller.aor}>;tag={rng.randrange(1 << 30)}'
        to = f"<sip:{callee.aor}>"
        to_tag = f"{to};tag={rng.randrange(1 << 30)}"
        via = f"SIP/2.0/{proto} {caller.ip}:5060;branch=z9hG4bK{rng.randrange(1 << 30)}"

        def hdrs(
            cseq: str, to_value: str = to, via: str = via, frm: str = frm, call_id: str = call_id
        ) -> list[tuple[str, str]]:
            return [
                ("Via", via),
                ("From", frm),
                ("To", to_value),
                ("Call-ID", call_id),
                ("CSeq", cseq),
            ]

        offer = sdp_body(caller.ip, ports[0], rng.randrange(1 << 30), [law_pt, PT_EVENT])
        invite = sip_message(f"INVITE sip:{callee.aor} SIP/2.0", [
            *hdrs("1 INVITE"), ("Max-Forwards", "70"),
            ("Contact", f"<sip:{caller.user}@{caller.ip}>"), ("User-Agent", "ExamplePhone/1.0"),
        ], offer)  # fmt: skip
        send(t, caller, callee, invite)
        send(t + 2_000_000, callee, caller, sip_message("SIP/2.0 100 Trying", hdrs("1 INVITE")))
        call = {"call_id": call_id, "caller": caller.aor, "callee": callee.aor, "outcome": outcome,
                "caller_ip": caller.ip, "callee_ip": callee.ip, "start_ns": t}  # fmt: skip
        if outcome == "rejected":
            send(
                t + 400_000_000,
                callee,
                caller,
                sip_message("SIP/2.0 486 Busy Here", hdrs("1 INVITE", to_tag)),
            )
            send(
                t + 402_000_000,
                caller,
                callee,
                sip_message(f"ACK sip:{callee.aor} SIP/2.0", hdrs("1 ACK", to_tag)),
            )
            call.update(state="REJECTED", status_code=486, ssrcs=[])
            calls.append(call)
            continue
        send(
            t + 50_000_000,
            callee,
            caller,
            sip_message("SIP/2.0 180 Ringing", hdrs("1 INVITE", to_tag)),
        )
        if outcome == "cancelled":
            send(
                t + 3_000_000_000,
                caller,
                callee,
                sip_message(f"CANCEL sip:{callee.aor} SIP/2.0", hdrs("1 CANCEL")),
            )
            send(
                t + 3_002_000_000,
                callee,
                caller,
                sip_message("SIP/2.0 200 OK", hdrs("1 CANCEL", to_tag)),
            )
            send(
                t + 3_003_000_000,
                callee,
                caller,
                sip_message("SIP/2.0 487 Request Terminated", hdrs("1 INVITE", to_tag)),
            )
            send(
                t + 3_005_000_000,
                caller,
                callee,
                sip_message(f"ACK sip:{callee.aor} SIP/2.0", hdrs("1 ACK", to_tag)),
            )
            call.update(state="CANCELLED", status_code=487, ssrcs=[])
            calls.append(call)
            continue
        answer = sdp_body(callee.ip, ports[1], rng.randrange(1 << 30), [law_pt, PT_EVENT])
        t_ok = t + 2_000_000_000
        early_t0 = t + 100_000_000
        if early_media:  # RFC 3960: 183 with the answer's SDP, ringback RTP before the 200
            send(t + 60_000_000, callee, caller, sip_message("SIP/2.0 183 Session Progress",
                 [*hdrs("1 INVITE", to_tag), ("Contact", f"<sip:{callee.user}@{callee.ip}>")],
                 answer))  # fmt: skip
        send(t_ok, callee, caller, sip_message("SIP/2.0 200 OK", [*hdrs("1 INVITE", to_tag),
             ("Contact", f"<sip:{callee.user}@{callee.ip}>"),
             ("Server", "ExamplePhone/1.0")], answer))  # fmt: skip
        send(
            t_ok + 5_000_000,
            caller,
            callee,
            sip_message(f"ACK sip:{callee.aor} SIP/2.0", hdrs("1 ACK", to_tag)),
        )
        media_t0 = t_ok + 20_000_000
        slots = max(int(call_s * 1000 / FRAME_MS), 20)
        first_slots = slots // 2 if renegotiate else slots
        pair = []
        for direction, (src, dst, sp, dp, hz) in enumerate(
            (
                (caller, callee, ports[0], ports[1], 440.0),
                (callee, caller, ports[1], ports[0], 620.0),
            )
        ):
            t0 = media_t0 + direction * 3_000_000
            n_slots = first_slots
            if early_media and direction == 1:  # the callee's stream starts at the 183
                n_slots += (t0 - early_t0) // (FRAME_MS * 1_000_000)
                t0 -= (t0 - early_t0) // (FRAME_MS * 1_000_000) * FRAME_MS * 1_000_000
            st = RtpStream(
                ssrc=rng.randrange(1 << 32), src=(src.ip, sp), dst=(dst.ip, dp), pt=law_pt,
                seq0=rng.randrange(1 << 16), ts0=rng.randrange(1 << 32),
                t0_ns=t0, slots=n_slots, tone_hz=hz,
            )  # fmt: skip
            if direction == 0:
                gap = max(first_slots // (len(call_digits) + len(call_inband) + 2), 10)
                at = gap
                for d in call_digits:  # an event takes 7 packets; digits that do not fit
                    if at + 7 <= n_slots:  # in a short call are not sent (nor in the key)
                        st.events.append((at, d))
                    at += gap
                for d in call_inband:  # 120 ms (6 packets) of tone
                    if at + 6 <= n_slots:
                        st.inband.append((at, d))
                    at += gap
                sent_digits = "".join(d for _, d in st.events)
                sent_inband = "".join(d for _, d in st.inband)
            pair.append(st)
        media_end = media_t0 + slots * FRAME_MS * 1_000_000
        bye_cseq = 2
        if renegotiate:  # mid-call UPDATE / re-INVITE: new ports, dynamic PT 98 (iLBC)
            t_re = media_t0 + first_slots * FRAME_MS * 1_000_000 + 10_000_000
            method = "UPDATE" if renegotiate == "update" else "INVITE"
            new_ports = (ports[0] + 2, ports[1] + 2)
            offer2 = sdp_body(caller.ip, new_ports[0], rng.randrange(1 << 30), [PT_ILBC, PT_EVENT])
            answer2 = sdp_body(callee.ip, new_ports[1], rng.randrange(1 << 30), [PT_ILBC, PT_EVENT])
            send(t_re, caller, callee, sip_message(f"{method} sip:{callee.aor} SIP/2.0",
                 [*hdrs(f"2 {method}", to_tag), ("Contact", f"<sip:{caller.user}@{caller.ip}>")],
                 offer2))  # fmt: skip
            send(t_re + 5_000_000, callee, caller, sip_message("SIP/2.0 200 OK",
                 [*hdrs(f"2 {method}", to_tag), ("Contact", f"<sip:{callee.user}@{callee.ip}>")],
                 answer2))  # fmt: skip
            if method == "INVITE":
                ack = sip_message(f"ACK sip:{callee.aor} SIP/2.0", hdrs("2 ACK", to_tag))
                send(t_re + 8_000_000, caller, callee, ack)
            t0 = t_re + 20_000_000
            for direction, (src, dst, sp, dp, hz) in enumerate(
                (
                    (caller, callee, new_ports[0], new_ports[1], 440.0),
                    (callee, caller, new_ports[1], new_ports[0], 620.0),
                )
            ):
                pair.append(RtpStream(
                    ssrc=rng.randrange(1 << 32), src=(src.ip, sp), dst=(dst.ip, dp), pt=PT_ILBC,
                    seq0=rng.randrange(1 << 16), ts0=rng.randrange(1 << 32),
                    t0_ns=t0 + direction * 3_000_000, slots=slots - first_slots, tone_hz=hz,
                ))  # fmt: skip
            media_end = t0 + (slots - first_slots) * FRAME_MS * 1_000_000
            bye_cseq = 3
        streams.extend(pair)
        t_end = media_end + 100_000_000
        bye = f"{bye_cseq} BYE"
        send(t_end, caller, callee, sip_message(f"BYE sip:{callee.aor} SIP/2.0", hdrs(bye, to_tag)))
        send(t_end + 3_000_000, callee, caller, sip_message("SIP/2.0 200 OK", hdrs(bye, to_tag)))
        call.update(state="COMPLETED", status_code=200, answer_ns=t_ok, end_ns=t_end + 3_000_000,
                    ssrcs=[f"0x{s.ssrc:08X}" for s in pair],
                    digits_rfc4733=sent_digits, digits_inband=sent_inband,
                    early_media=early_media, renegotiate=renegotiate)  # fmt: skip
        calls.append(call)

    stream_keys, blocks = rtp_packets(writer, streams, link, nrng, loss, jitter_ms, reorder)
    key["calls"] = calls
    key["streams"] = stream_keys
    key["skipped"] = noise_frames(writer, noise, fmt, link, start_ns, rng)
    packets = write_capture(
        path, writer, blocks, fmt, nanoseconds, big_endian, link, rtp_link or link
    )
    key["packets"] = packets
    return VoipCase(path=path, answer_key=key)


def write_answer_key(case: VoipCase, path: str | Path) -> None:
    """Save a case's answer key as JSON."""
    Path(path).write_text(json.dumps(case.answer_key, indent=2, default=str))
