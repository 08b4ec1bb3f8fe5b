"""E.164 with Google's ``phonenumbers``: :func:`normalize_number` and where its region comes
from (:func:`extraction_region`), and the findings that use them.

Truth: each expected number is worked by hand from the country's numbering plan as the
national regulator publishes it and the country code ITU-T assigns (ITU-T E.164 Annex to
Operational Bulletin, "List of ITU-T Recommendation E.164 assigned country codes"); the
derivation is beside each case. The numbers are those the regulators reserve for drama
and documentation where they have such ranges (Ofcom 07700 900xxx and 020 7946 0xxx,
NANPA 555-0100..0199).
"""

from __future__ import annotations

import hashlib
import plistlib
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from forensics_lib.case import Case, Exhibit
from forensics_lib.correlate import (
    dialled_part,
    extraction_region,
    normalize_number,
    normalize_numbers,
    region_code,
)
from forensics_lib.findings import message_findings
from forensics_lib.voip.artifacts import sip_calls


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        # GB (Ofcom National Telephone Numbering Plan): trunk prefix 0 dropped, CC 44.
        # 07700 900123 -> 7700 900123 -> +44 7700900123 (Ofcom drama mobile range).
        ("07700 900123", "GB", "+447700900123"),
        # 020 7946 0018 (London drama range) -> 20 7946 0018 -> +442079460018.
        ("020 7946 0018", "GB", "+442079460018"),
        # "+44 (0)...": the (0) is the trunk prefix shown for national callers, not dialled.
        ("+44 (0)20 7946 0018", None, "+442079460018"),
        # IT (AGCOM Piano di numerazione, CC 39): no trunk prefix; the 0 of a geographic
        # number is part of it and stays after +39: Rome 06 1234 5678 -> +39 06 12345678.
        ("06 1234 5678", "IT", "+390612345678"),
        ("+39 06 1234 5678", None, "+390612345678"),
        # Italian mobile 312 345 6789 (no leading 0) -> +39 3123456789.
        ("312 345 6789", "IT", "+393123456789"),
        # DE (BNetzA Nummernplan, CC 49): trunk 0 dropped: Berlin 030 12345678 -> +49 30 ...
        ("030 12345678", "DE", "+493012345678"),
        # FR (ARCEP plan, CC 33): 10 digits, trunk 0 dropped: 01 23 45 67 89 -> +33 1 23...
        ("01 23 45 67 89", "FR", "+33123456789"),
        # US/NANP (NANPA, CC 1): NPA-NXX-XXXX; 555-0123 is the fictitious range. The NANP
        # trunk prefix is 1: "1 202 555 0123" is the same number.
        ("(202) 555-0123", "US", "+12025550123"),
        ("1 202 555 0123", "US", "+12025550123"),
        # The NANP's international prefix is 011 (not 00): 011 44 ... from the US is +44 ...
        ("011 44 7700 900123", "US", "+447700900123"),
        # ES (CNMC plan, CC 34): closed 9-digit plan, no trunk prefix: 912 345 678 -> +34 9...
        ("912 345 678", "ES", "+34912345678"),
        # NL (ACM Nummerplan, CC 31): trunk 0 dropped: Amsterdam 020 123 4567 -> +31 20 ...
        ("020 123 4567", "NL", "+31201234567"),
        # 00: the international prefix of GB, IT, DE, FR, ES, NL (ITU-T E.164 6.2.1).
        ("0033 1 23 45 67 89", None, "+33123456789"),
        ("0039 06 1234 5678", "GB", "+390612345678"),
    ],
)
def test_national_plans(raw: str, region: str | None, expected: str) -> None:
    assert normalize_number(raw, region) == expected


def test_italian_trunk_zero_is_kept_where_the_old_rule_dropped_it() -> None:
    # The hand-written rule this replaces made "0" + rest into +<cc> + rest: +39612345678,
    # a different (and impossible) number. With the region IT it is +390612345678.
    assert normalize_number("06 1234 5678", region="IT") == "+390612345678"
    assert normalize_number("06 1234 5678", region="IT") != "+39612345678"


def test_old_default_country_keyword_and_calling_codes() -> None:
    # default_country="44": the region of calling code 44 is GB (also "+44", positional).
    assert normalize_number("07700 900123", default_country="44") == "+447700900123"
    assert normalize_number("07700 900123", "44") == "+447700900123"
    assert normalize_number("06 1234 5678", default_country="39") == "+390612345678"
    # region wins over the old keyword when both are given
    assert normalize_number("06 1234 5678", "IT", default_country="44") == "+390612345678"


def test_no_region_no_silent_44() -> None:
    # A national number needs its plan: without one it is not written as E.164 (the caller
    # keeps it as written); international forms need none.
    assert normalize_number("07700 900123") is None
    assert dialled_part("07700 900123") == "07700 900123"
    assert normalize_number("+44 7700 900123") == "+447700900123"
    assert normalize_number("447700900123") == "+447700900123"  # digits of +44 7700 900123


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("sip:+447700900123@pbx.example.org;user=phone", None, "+447700900123"),
        ('"Alex" <sip:+447700900123@pbx.example.org>;tag=abc', None, "+447700900123"),
        ("sips:+390612345678@pbx.example.org", None, "+390612345678"),
        ("+447700900425@gw.example.net", None, "+447700900425"),  # our call tables' user@host
        ("sip:07700900123@pbx.example.org;user=phone", "GB", "+447700900123"),
        ("tel:+33-1-23-45-67-89", None, "+33123456789"),
        # RFC 3966 local number: phone-context +44 gives the plan (GB)
        ("tel:7700900123;phone-context=+44", None, "+447700900123"),
        # extensions: E.164 numbers the line; the extension is not part of it
        ("tel:+44-20-7946-0018;ext=22", None, "+442079460018"),
        ("+44 20 7946 0018 ext. 22", None, "+442079460018"),
        ("020 7946 0018 x22", "GB", "+442079460018"),
        ("447700900001@s.whatsapp.net", None, "+447700900001"),  # a WhatsApp JID
        ("sip:alex001@pbx.example.org", "GB", None),  # an account, not a number
    ],
)
def test_uris_and_extensions(raw: str, region: str | None, expected: str | None) -> None:
    assert normalize_number(raw, region) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "999",  # GB emergency (Ofcom short code)
        "112",  # the EU emergency number
        "85075",  # a GB premium SMS short code
        "tel:112",
        "HSBC",  # alphanumeric senders (3GPP TS 23.040 TP-OA alphanumeric)
        "Amazon",
        "VODAFONE",
        "1-800-FLOWERS",  # vanity letters: a name, not what the record holds as digits
    ],
)
def test_short_codes_and_alphanumeric_senders_are_not_numbers(raw: str) -> None:
    assert normalize_number(raw, "GB") is None


def test_dialled_part_keeps_short_codes_and_drops_names() -> None:
    assert dialled_part("85075") == "85075"
    assert dialled_part("sip:999@pbx.example.org") == "999"
    assert dialled_part("HSBC") is None


@pytest.mark.parametrize(
    "raw",
    [None, float("nan"), "", "   ", "+", "12", "abc", "+999 1234 5678", "+44 1234567890123456"],
)
def test_invalid_input(raw: object) -> None:
    # +999: no country has calling code 999 (ITU-T: spare); 16 digits: over E.164's 15.
    assert normalize_number(raw, "GB") is None


def test_normalize_numbers_column() -> None:
    got = normalize_numbers(["06 1234 5678", "HSBC", None], "IT")
    assert got.tolist()[0] == "+390612345678"
    assert got.isna().tolist() == [False, True, True]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [("44", "GB"), ("+39", "IT"), ("1", "US"), ("gb", "GB"), ("en_GB", "GB"), ("it-IT", "IT"),
     ("de-DE", "DE"), ("zz", None), ("999", None), (None, None)],
)  # fmt: skip
def test_region_code(spec: object, expected: str | None) -> None:
    assert region_code(spec) == expected


# -- where the region comes from ---------------------------------------------------------------


def _siminfo(path: Path, codes: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    # AOSP Telephony.SimInfo: one row per subscription, iso_country_code lower case
    con.execute(
        "CREATE TABLE siminfo (_id INTEGER PRIMARY KEY, icc_id TEXT, iso_country_code TEXT)"
    )
    con.executemany(
        "INSERT INTO siminfo (icc_id, iso_country_code) VALUES (?, ?)",
        [(f"8939{i:015d}", c) for i, c in enumerate(codes)],
    )
    con.commit()
    con.close()


def _build_prop(root: Path, text: str) -> None:
    (root / "system").mkdir(parents=True, exist_ok=True)
    (root / "system" / "build.prop").write_text(text)


_TELEPHONY = "data/user_de/0/com.android.providers.telephony/databases/telephony.db"


def test_android_sim_country_wins_over_locale(tmp_path: Path) -> None:
    _build_prop(tmp_path, "ro.product.model=Pixel 7\nro.product.locale=en-GB\n")
    _siminfo(tmp_path / _TELEPHONY, ["", "it"])
    hint = extraction_region(tmp_path)
    assert hint is not None and hint.region == "IT" and hint.source.startswith("SIM")


def test_android_locale_when_no_sim(tmp_path: Path) -> None:
    _build_prop(tmp_path, "ro.product.model=Pixel 7\nro.product.locale=en-GB\n")
    hint = extraction_region(tmp_path)
    assert hint is not None and hint.region == "GB" and "ro.product.locale" in hint.source
    (tmp_path / "getprop.txt").write_text("[gsm.sim.operator.iso-country]: [de]\n")
    hint = extraction_region(tmp_path)
    assert hint is not None and hint.region == "DE" and hint.source.startswith("SIM")


def test_unlisted_files_are_not_read(tmp_path: Path) -> None:
    _siminfo(tmp_path / _TELEPHONY, ["it"])
    assert extraction_region(tmp_path, exclude=["/" + _TELEPHONY]) is None


def test_ios_locale_and_backup_phone_number(tmp_path: Path) -> None:
    prefs = tmp_path / "private/var/mobile/Library/Preferences/.GlobalPreferences.plist"
    prefs.parent.mkdir(parents=True)
    prefs.write_bytes(plistlib.dumps({"AppleLocale": "de_DE", "AppleLanguages": ["de-DE"]}))
    hint = extraction_region(tmp_path)
    assert hint is not None and hint.region == "DE" and "AppleLocale" in hint.source

    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "Info.plist").write_bytes(plistlib.dumps({"Phone Number": "+39 312 345 6789"}))
    hint = extraction_region(backup)  # +39: Italy's calling code (ITU-T E.164 list)
    assert hint is not None and hint.region == "IT" and "Info.plist" in hint.source

    # An iTunes/Finder backup stores the file under SHA-1("HomeDomain-<relative path>").
    name = hashlib.sha1(b"HomeDomain-Library/Preferences/.GlobalPreferences.plist").hexdigest()
    only_prefs = tmp_path / "backup2"
    (only_prefs / name[:2]).mkdir(parents=True)
    (only_prefs / name[:2] / name).write_bytes(plistlib.dumps({"AppleLocale": "fr_FR"}))
    hint = extraction_region(only_prefs)
    assert hint is not None and hint.region == "FR"


def test_nothing_known(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no phone here")
    assert extraction_region(tmp_path) is None


# -- the findings pass each phone's region -----------------------------------------------------


def _sms_case(
    root: Path, props: str, address: str = "333 123 4567", phones: str = "+39 333 123 4567"
) -> Case:
    phone = root / "EXH-001"
    _build_prop(phone, props)
    t = pd.Timestamp("2026-05-02 09:00", tz="UTC")
    sms = pd.DataFrame(
        {
            "time": [t],
            "direction": ["incoming"],
            "address": [address],  # national Italian mobile: +39 3331234567
            "body": ["the drone drop is at the yard wall"],
            "artifact": ["android.sms"],
            "source_path": ["/data/data/com.android.providers.telephony/databases/mmssms.db"],
            "row_id": [1],
        }
    )
    contacts = pd.DataFrame(
        {
            "display_name": ["Marco"],
            "phones": [phones],
            "artifact": ["android.contacts"],
            "source_path": ["/data/data/com.android.providers.contacts/databases/contacts2.db"],
            "row_id": [7],
        }
    )
    frames = {"android.sms": sms, "android.contacts": contacts}
    exhibit = Exhibit(name="EXH-001", path=phone, reader="phone", frames=frames)
    return Case(root, {"EXH-001": exhibit}, pd.DataFrame(), pd.DataFrame(), [])


def test_message_findings_read_national_numbers_in_the_phones_plan(tmp_path: Path) -> None:
    case = _sms_case(tmp_path, "ro.product.model=Pixel 7\npersist.sys.country=IT\n")
    found = {f.id: f for f in message_findings(case, None)}
    assert found["drop_message"].value["sender"] == "+393331234567"
    assert "read as IT" in found["drop_message"].detail
    assert found["organiser_name"].value == "Marco"  # +39 333 123 4567 in the contacts


def test_message_findings_case_region_overrides(tmp_path: Path) -> None:
    case = _sms_case(tmp_path, "ro.product.model=Pixel 7\n")
    found = {f.id: f for f in message_findings(case, None, region="IT")}
    assert found["drop_message"].value["sender"] == "+393331234567"
    assert "from the case" in found["drop_message"].detail


def test_message_findings_without_region_keep_the_number_as_written(tmp_path: Path) -> None:
    case = _sms_case(tmp_path, "ro.product.model=Pixel 7\n")
    found = {f.id: f for f in message_findings(case, None)}
    assert found["drop_message"].value["sender"] == "333 123 4567"
    assert "kept as written" in found["drop_message"].detail
    assert "no region known" in found["drop_message"].detail
    assert "organiser_name" not in found  # not matched to +39...: no plan to say it is one


def test_without_region_the_guess_is_stated_not_applied(tmp_path: Path) -> None:
    case = _sms_case(tmp_path, "ro.product.model=Pixel 7\n")
    other = tmp_path / "EXH-002"
    _build_prop(other, "ro.product.model=Pixel 8\npersist.sys.country=IT\n")
    case.exhibits["EXH-002"] = Exhibit(name="EXH-002", path=other, reader="phone")
    found = {f.id: f for f in message_findings(case, None)}
    assert found["drop_message"].value["sender"] == "333 123 4567"
    assert "region assumed by the case's other phones: IT" in found["drop_message"].detail


def test_contacts_stored_nationally_match_an_international_sender(tmp_path: Path) -> None:
    case = _sms_case(tmp_path, "persist.sys.country=IT\n", "+393331234567", "333 123 4567")
    found = {f.id: f for f in message_findings(case, None)}
    assert found["drop_message"].value["sender"] == "+393331234567"
    assert found["drop_message"].detail.endswith("before take-off")  # no region was needed
    assert found["organiser_name"].value == "Marco"  # 333 123 4567 read in IT's plan


def test_real_capture_callees(samples: Path) -> None:
    # MagicJack_short_call.pcap (sample README): a MagicJack (US, NANP) call to
    # 9055551212@talk4free.com: NPA 905 (Ontario, NANP), 555-1212 directory assistance, so
    # +1 905 555 1212 in the NANP's plan; without a region the 10 bare digits are no number
    # (not "+90 55551212", Turkey): kept as written.
    (callee,) = sip_calls(samples / "voip" / "MagicJack_short_call.pcap")["callee"]
    assert callee == "9055551212@talk4free.com"
    assert normalize_number(callee, "US") == "+19055551212"
    assert normalize_number(callee) is None
    assert dialled_part(callee) == "9055551212"
    # SIP_DTMF2.pcap: PBX extensions 2502 -> 2504 (four digits): a short code, not E.164.
    calls = sip_calls(samples / "voip" / "SIP_DTMF2.pcap")
    assert {normalize_number(c, "US") for c in calls["callee"]} == {None}
