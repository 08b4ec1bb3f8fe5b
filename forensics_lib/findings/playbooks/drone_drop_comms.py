"""The drone-drop playbook, phones and capture: the contraband phone's SIP account, its calls,
keyed digits and clock; the message that arranged the drop and its sender; the aerial
photos' UTC times. :func:`forensics_lib.findings.playbooks.drone_drop.case_findings` runs
these after the flight findings.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from forensics_lib.case import Case
from forensics_lib.case.correlate import (
    case_numbers,
    case_region,
    dialled_part,
    is_national,
    normalize_number,
    sip_identity,
)
from forensics_lib.core.errors import ForensicsWarning
from forensics_lib.core.times import from_local
from forensics_lib.findings.citing import case_frame, int_or_none, iso_utc, ref_maker
from forensics_lib.findings.model import Candidate, EvidenceRef, Finding, ambiguous_finding
from forensics_lib.voip.auth import digest_ha1, recover_password

__all__ = ["message_findings", "photo_findings", "read_wordlist", "voip_findings"]


def read_wordlist(path: str | os.PathLike[str]) -> list[str]:
    """Candidate passwords, one per line, as cracking lists hold them: lines that are not
    UTF-8 (rockyou has Latin-1 ones) are read as Latin-1, never refused; blank lines and
    line ends are dropped, spaces inside a password kept."""
    words = []
    for raw in Path(path).read_bytes().splitlines():
        try:
            word = raw.decode("utf-8")
        except UnicodeDecodeError:
            word = raw.decode("latin-1")
        if word:
            words.append(word)
    if not words:  # an empty list tries nothing: say so, or "no password found" misleads
        warnings.warn(
            f"{path}: the word list holds no password: none will be tried",
            ForensicsWarning,
            stacklevel=2,
        )
    return words


def voip_findings(
    case: Case, wordlist: Sequence[str] = (), *, region: str | None = None
) -> list[Finding]:
    """The capture's SIP accounts matched to phones' softphones; the calls, digits, clock."""
    ref = ref_maker(case)
    auth = case.frame("voip.auth")
    accounts = case.frame("phone.sip_accounts")
    if auth.empty or accounts.empty:
        return []
    auth = auth.assign(
        identity=pd.Series(
            [sip_identity(u, r) for u, r in zip(auth["username"], auth["realm"], strict=True)],
            index=auth.index,
            dtype="str",
        )
    )
    seen = set(auth["identity"].dropna())
    matched = accounts[accounts["identity"].isin(seen)]
    if matched.empty:
        return []
    account = matched.iloc[0]
    identity = str(account["identity"])
    cell = str(account["exhibit"])
    login = auth[(auth["identity"] == identity)].sort_values("time")
    out = [
        Finding("contraband_phone_exhibit", "Which exhibit is the contraband phone?", cell,
                f"its softphone holds the account {identity} that registers in the capture",
                (ref(cell, account["source_path"], row_id=account["row_id"],
                     artifact="phone.sip_accounts"),), "phone"),
        Finding("contraband_sip_account", "Which SIP account did the contraband phone use?",
                identity, f"digest REGISTER from {login['client'].iloc[0]} in the capture",
                (ref(str(login["exhibit"].iloc[0]), login["source_path"].iloc[0],
                     offset=login["offset"].iloc[0], artifact="voip.auth"),
                 ref(cell, account["source_path"], row_id=account["row_id"],
                     artifact="phone.sip_accounts")), "voip"),
    ]  # fmt: skip
    password, how = _password(account, login, wordlist)
    if password is not None:
        out.append(Finding("contraband_sip_password", "What is its password?", password, how,
                           (ref(str(login["exhibit"].iloc[0]), login["source_path"].iloc[0],
                                offset=login["offset"].iloc[0], artifact="voip.auth"),),
                           "voip"))  # fmt: skip
    out += _call_findings(case, identity, cell, ref, region)
    return out


def _password(
    account: pd.Series, login: pd.DataFrame, wordlist: Sequence[str]
) -> tuple[str | None, str]:
    clear = account.get("password")
    if isinstance(clear, str) and clear:
        return clear, "stored in clear in the softphone's configuration"
    for _, row in login.iterrows():
        word = recover_password({str(k): v for k, v in row.items()}, wordlist)
        if word is not None:
            return word, "recovered from the captured digest response with the case word list"
    ha1 = account.get("ha1")
    if isinstance(ha1, str):
        for word in wordlist:
            word = word.strip()
            if digest_ha1(str(account["username"]), str(account["realm"]), word) == ha1.lower():
                return word, "the softphone's stored HA1 matches a word of the case word list"
    return None, ""


def _call_findings(case: Case, identity: str, cell: str, ref: Callable[..., EvidenceRef],
                   region: str | None = None) -> list[Finding]:  # fmt: skip
    calls = case.frame("voip.calls")
    if calls.empty:
        return []
    mine = calls[[sip_identity(c) == identity for c in calls["caller"]]].sort_values("start_utc")
    if mine.empty:
        return []
    # The softphone dials in its phone's numbering plan: national callees are read there.
    numbers, plan, _ = case_numbers(mine["callee"], case, cell, region)
    mine = mine.assign(number=pd.Series(numbers, index=mine.index, dtype="str"))
    answered = mine[mine["state"] == "COMPLETED"]
    talk: dict[str, list[float]] = {}
    for _, c in answered.iterrows():
        seconds = (c["end_utc"] - c["answer_utc"]).total_seconds()
        talk.setdefault(str(c["number"]), []).append(round(seconds, 3))
    refs = tuple(ref(str(c["exhibit"]), c["source_path"], offset=c["offset"],
                     artifact="voip.calls") for _, c in mine.iterrows())  # fmt: skip
    out = [
        Finding("callee_numbers", "Which outside numbers did it call?",
                sorted({n for n in numbers if n}), f"{len(mine)} INVITEs from {identity}{plan}",
                refs, "voip"),
        Finding("call_durations_s", "How long did the answered calls last?", talk,
                "talk time: 200 OK to the end of the dialog (BYE answered)", refs, "voip"),
    ]  # fmt: skip
    dtmf = case.frame("voip.dtmf")
    if not dtmf.empty:
        dtmf = dtmf[dtmf["call_id"].isin(mine["call_id"])].sort_values("time")
        for key, method, title in (("dialled_pin", "rfc4733", "Which PIN was keyed (RFC 4733)?"),
                                   ("inband_digits", "inband", "Which digits were keyed as "
                                    "tones?")):  # fmt: skip
            rows = dtmf[dtmf["method"] == method]
            if rows.empty:
                continue
            first_call = rows["call_id"].iloc[0]
            rows = rows[rows["call_id"] == first_call]
            out.append(Finding(key, title, "".join(rows["digit"].astype(str)),
                               f"{method} digits in call {first_call}",
                               tuple(ref(str(r["exhibit"]), r["source_path"], offset=r["offset"],
                                         artifact="voip.dtmf") for _, r in rows.iterrows()),
                               "voip"))  # fmt: skip
    history = case.frame("phone.sip_calls")
    if not history.empty:
        history = history[(history["exhibit"] == cell) & history["call_id"].isin(mine["call_id"])]
        if not history.empty:
            both = history.merge(mine[["call_id", "start_utc"]], on="call_id")
            diffs = (both["time"] - both["start_utc"]).dt.total_seconds()
            offset = round(float(diffs.median()))
            out.append(Finding("contraband_clock_offset_s",
                               "How far off UTC is the contraband phone's clock?", offset,
                               f"median of {len(both)} calls: softphone history start minus the "
                               "capture's INVITE time, matched by Call-ID (positive: the phone "
                               "is ahead)",
                               tuple(ref(cell, r["source_path"], row_id=r["row_id"],
                                         artifact="phone.sip_calls")
                                     for _, r in history.iterrows()), "phone"))  # fmt: skip
    return out


_DROP_WORDS = ("drop", "yard", "wall", "parcel", "drone", "flashes")
_LIVE_MESSAGES = ("android.sms", "ios.sms", "android.whatsapp_messages", "ios.whatsapp_messages",
                  "ufdr.sms")  # fmt: skip
# SMS carved from the databases' free space: deleted by the user, absent from the live tables
# (a carved copy of a row that is still live is dropped by the reader).
_DELETED_MESSAGES = ("android.sms_deleted", "ios.sms_deleted")
# sms_deleted's recovered_from in words, for the finding's detail.
_RECOVERED_FROM = {
    "freeblock": "a freed cell (freeblock) of a live page",
    "unallocated": "the unallocated space of a page",
    "freelist": "a page on the freelist",
    "superseded": "the main file's copy of a page that the -wal has since rewritten",
}


def _where_recovered(where: str) -> str:
    if where.startswith("wal-frame"):
        return f"an older copy of a page in the -wal ({where})"
    return _RECOVERED_FROM.get(where, where)


def _drop_message_finding(row: pd.Series, sender: str, ref: Callable[..., EvidenceRef]) -> Finding:
    value = {"time_utc": iso_utc(row["time"]), "sender": sender, "text": str(row["body"])}
    artifact = str(row["artifact"])
    hits = int(row["hits"])
    if artifact in _DELETED_MESSAGES:
        rowid = int_or_none(row.get("message_id"))
        copies = int_or_none(row.get("copies")) or 1
        detail = (
            f"incoming SMS with {hits} drop keywords, the last before take-off. Deleted: not in "
            f"the live table; recovered from the free space of {row['source_path']}: "
            f"{_where_recovered(str(row['recovered_from']))} (page "
            f"{int_or_none(row.get('page'))}, record at byte offset {int_or_none(row['offset'])}"
            f"{f', former row id {rowid}' if rowid is not None else ''}; {copies} "
            f"cop{'y' if copies == 1 else 'ies'} found)"
        )
        evidence = ref(str(row["exhibit"]), row["source_path"], offset=row["offset"],
                       artifact=artifact)  # fmt: skip
        extra = {"deleted": True, "recovered_from": str(row["recovered_from"])}
    else:
        detail = f"incoming {artifact} with {hits} drop keywords, the last before take-off"
        evidence = ref(str(row["exhibit"]), row["source_path"], row_id=row["row_id"],
                       artifact=artifact)  # fmt: skip
        extra = {"deleted": False}
    return Finding("drop_message", "Which message arranged the drop?", value, detail,
                   (evidence,), "phone", extra)  # fmt: skip


def message_findings(
    case: Case,
    before: pd.Timestamp | None,
    exclude: Sequence[str] = (),
    *,
    region: str | None = None,
) -> list[Finding]:
    """The incoming message that arranged the drop (keywords, before take-off) and its
    sender's name in the same phone's contacts.

    The messages searched are the live ones and the deleted SMS carved from free space
    (``android.sms_deleted``, ``ios.sms_deleted``): a message the operator deleted is found
    there, and its evidence is the carved record's byte offset."""
    ref = ref_maker(case)
    messages = case_frame(case, *_LIVE_MESSAGES, *_DELETED_MESSAGES)
    if messages.empty or "body" not in messages:
        return []
    messages = messages[~messages["exhibit"].isin(exclude)]
    body = messages["body"].fillna("").astype(str).str.lower()
    hits = sum(body.str.contains(w, regex=False).astype(int) for w in _DROP_WORDS)
    incoming = messages["direction"].astype(str).str.lower().eq("incoming")
    pick = messages.assign(hits=hits)[incoming & (hits >= 2)]
    if before is not None:
        pick = pick[(pick["time"] <= before) & (pick["time"] >= before - pd.Timedelta(hours=48))]
    if pick.empty:
        return []
    row = pick.sort_values(["hits", "time"]).iloc[-1]
    (number,), plan, hint = case_numbers([row.get("address")], case, str(row["exhibit"]), region)
    sender = number or str(row.get("address"))  # a short code or a name: as the phone wrote it
    drop = _drop_message_finding(row, sender, ref)
    out = [dataclasses.replace(drop, detail=drop.detail + plan)]
    contacts = case_frame(case, "android.contacts", "ios.contacts")
    if not contacts.empty:
        mine = contacts[contacts["exhibit"] == row["exhibit"]]
        phones = {i: str(c["phones"]).split(",") for i, c in mine.iterrows()}
        if hint is None and any(is_national(dialled_part(p) or "") for v in phones.values()
                                for p in v):  # fmt: skip
            hint = case_region(case, str(row["exhibit"]), region)  # the same phone's plan
        where = hint.region if hint else None
        holders = [
            Candidate(str(c["display_name"]), f"contact holding {sender}",
                      (ref(str(c["exhibit"]), c["source_path"], row_id=c["row_id"],
                           artifact=str(c["artifact"])),))
            for i, c in mine.iterrows()
            if sender in {normalize_number(p, where) or dialled_part(p) for p in phones[i]}
        ]  # fmt: skip
        names = list(dict.fromkeys(h.value for h in holders))
        title = "Who sent it, by the operator's contacts?"
        if len(names) == 1:
            h = holders[0]
            out.append(Finding("organiser_name", title, h.value, h.detail, h.evidence, "phone"))
        elif names:  # one number on several cards: the exhibits cannot say which name is right
            out.append(ambiguous_finding(
                "organiser_name", title, holders,
                f"{sender} is saved under {len(names)} contact names on {row['exhibit']}; "
                "which one is the sender's is not in the exhibits (a statement, a visits list "
                "or another phone's contacts settles it)", "phone"))  # fmt: skip
    return out


def photo_findings(case: Case, exhibits: Sequence[str], zone: str | None) -> list[Finding]:
    """UTC times of the photos of ``exhibits`` (the aircraft's camera), applying ``zone``
    where the camera wrote local time with no offset."""
    photos = case.frame("media.exif")
    if photos.empty:
        return []
    photos = photos[photos["exhibit"].isin(exhibits)]
    ref = ref_maker(case)
    times: dict[str, str | None] = {}
    local_used = False
    for _, p in photos.iterrows():
        when = p["time_utc"]
        if pd.isna(when) and zone and isinstance(p["datetime_original"], str):
            when = from_local(p["datetime_original"], zone)
            local_used = True
        elif str(p.get("time_source", "")).startswith("zone "):  # the case read with a zone
            local_used = True
            zone = zone or str(p["time_source"]).removeprefix("zone ")
        times[str(p["source_path"]).lstrip("/")] = iso_utc(when)
    if not times:
        return []
    how = (f"DateTimeOriginal is local wall time with no offset: read as {zone}"
           if local_used else "EXIF time with its offset, or GPS time")  # fmt: skip
    return [Finding("aerial_photo_times_utc", "When were the aerial photos taken (UTC)?", times,
                    how, tuple(ref(str(p["exhibit"]), p["source_path"], artifact="media.exif")
                               for _, p in photos.iterrows()), "drone")]  # fmt: skip
