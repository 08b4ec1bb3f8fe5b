"""Cross-source correlation: what no single tool does.

* :func:`normalize_number` writes phone numbers as E.164 (``+447700900123``) whatever the
  source wrote (spaces, ``00`` prefix, a national trunk prefix, a ``tel:``/``sip:`` URI), so
  a number in an SMS database, a contact card and a SIP header compare equal.
* :func:`extraction_region` says which numbering plan a phone dials in (its SIM's country,
  else its locale), so national numbers of that phone can be written as E.164;
  :func:`case_region` takes the case's own region first, and :func:`case_numbers` writes an
  exhibit's numbers with the note a finding states (which region, from where, or that
  none was known and the numbers were kept as written).
* :func:`within` pairs the events of one frame with those of another that happened within
  a time window (a call minutes after a drone landed).
* :func:`colocated` pairs positions of two sources that were close in space *and* time
  (the operator's phone and the drone's home point).
* :func:`sip_identity` reduces SIP URIs and digest usernames to ``user@domain`` so a
  softphone account on a seized phone can be matched to logins in a capture.

E.164 (ITU-T Rec. E.164): ``+``, country code, national significant number, at most 15
digits. Which prefix of a national number is a trunk prefix is the country's numbering plan,
so it is not guessed here: Google's ``phonenumbers`` (libphonenumber's metadata) knows the
UK/German/French/Dutch trunk ``0`` is dropped, that Italy keeps its leading ``0`` after
``+39`` (``06 1234 5678`` -> ``+390612345678``), that Spain has no trunk prefix and that the
NANP's is ``1``. A national number needs the region it was dialled in; without one it is not
a number this module can write as E.164 (:func:`normalize_number` returns None and the caller
keeps the text as written, saying which region it would have assumed).
"""

from __future__ import annotations

import hashlib
import plistlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import phonenumbers

from forensics_lib.case import Case
from forensics_lib.core.errors import ForensicsError
from forensics_lib.core.evidence import Evidence, EvidenceFile, Member
from forensics_lib.core.sqlite import SQLITE_ERRORS, open_sqlite

__all__ = [
    "RegionHint",
    "case_numbers",
    "case_region",
    "colocated",
    "dialled_part",
    "extraction_region",
    "is_national",
    "normalize_number",
    "normalize_numbers",
    "region_code",
    "sip_identity",
    "within",
]

_URI = re.compile(r"^(?:tel:|sips?:)", re.IGNORECASE)
#: An extension as written after a number: RFC 3966 ``;ext=``, "ext.", "x", "#" (E.164 has
#: no extension: the number is the line's, the extension is dropped).
_EXTENSION = re.compile(r"(?:;ext=|\s*(?:ext\.?|extn\.?|x|#)\s*)\d{1,7}$", re.IGNORECASE)
#: RFC 3966 ``phone-context`` of a local tel: URI: the global number prefix it is local to.
_CONTEXT = re.compile(r";phone-context=\+?(\d{1,3})", re.IGNORECASE)
_LETTERS = re.compile(r"[A-Za-z]")
_DIALLABLE = re.compile(r"^[+\d\s().\-/]+$")
#: At most this many digits written without a ``+``/``00`` is a short code (999, 112,
#: 85075 premium SMS), not a subscriber number: kept as written.
_SHORT_CODE_DIGITS = 6


def region_code(spec: object) -> str | None:
    """An ISO 3166-1 alpha-2 region (``"GB"``) from what a source or a caller says.

    ``"44"``/``"+44"`` (a calling code: its main region, libphonenumber's
    ``region_code_for_country_code``, so ``"1"`` is US and ``"7"`` RU), ``"gb"``, or a
    locale (``"en_GB"``, ``"en-GB"``, ``"it-IT"``). None when it names no region
    libphonenumber knows."""
    if spec is None or (isinstance(spec, float) and np.isnan(spec)):
        return None
    text = str(spec).strip()
    if text.lstrip("+").isdigit():
        found = phonenumbers.region_code_for_country_code(int(text.lstrip("+")))
        return None if found == phonenumbers.UNKNOWN_REGION else found
    text = re.split(r"[_\-]", text)[-1].split(".")[0].split("@")[0].upper()
    return text if text in phonenumbers.SUPPORTED_REGIONS else None


def _number_text(value: object) -> tuple[str, str | None] | None:
    """The dialled part of ``value`` (URI scheme, host, parameters and extension removed),
    and the region a tel: URI's ``phone-context`` gives; None when it is not diallable."""
    text = str(value).strip()
    bracketed = re.search(r"<([^>]*)>", text)  # a name-addr: '"Alex" <sip:...>;tag=1'
    if bracketed:
        text = bracketed.group(1).strip()
    context = _CONTEXT.search(text)
    from_context = region_code(context.group(1)) if context else None
    # RFC 3261 19.1 user@host (a SIP URI, or the "user@host" our call tables keep, or a
    # WhatsApp JID): the number is the user part; RFC 3966 parameters after it go, but ext.
    text = _URI.sub("", text).split("@", 1)[0]
    text = re.sub(r";(?!ext=)[^;]*", "", text, flags=re.IGNORECASE)
    text = _EXTENSION.sub("", text.strip())
    if not text or _LETTERS.search(text) or not _DIALLABLE.match(text):
        return None  # an alphanumeric sender ("HSBC"), an account name, a vanity number
    return text, from_context


def dialled_part(value: object) -> str | None:
    """What was dialled, as written (``sip:07700900123@pbx;user=phone`` -> ``07700900123``):
    the text a caller keeps when :func:`normalize_number` cannot write it as E.164; None when
    ``value`` is no diallable number (an account name, an alphanumeric sender)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    found = _number_text(value)
    return None if found is None else found[0]


def normalize_number(
    value: object, region: str | None = None, *, default_country: str | None = None
) -> str | None:
    """E.164 form of a phone number, or None when ``value`` is not one.

    ``region`` is where the number was dialled or stored (ISO 3166 ``"GB"``, a locale, or a
    calling code ``"44"``): it says what a national number (``07700 900123``) means. The
    old keyword ``default_country="44"`` is the same as ``region="44"`` (GB). Without a
    region only numbers written internationally (``+44...``, ``0044...``, a SIP URI's
    ``+44...@host``, bare digits that are a possible international number) are converted;
    a national one gives None: keep the text as written and say which region it needs.
    Short codes (``999``, ``85075``) and alphanumeric senders (``HSBC``) are None too: they
    are not E.164 numbers and stay as written. An extension (``ext. 12``, ``;ext=12``) is
    dropped: E.164 numbers the line. Possible numbers of ranges reserved for drama (Ofcom's
    07700 900xxx, NANP 555-01xx) are converted like assigned ones.

    >>> normalize_number("07700 900123", "GB")
    '+447700900123'
    >>> normalize_number("06 1234 5678", region="IT")  # Italy keeps the leading 0
    '+390612345678'
    >>> normalize_number("0033 1 23 45 67 89")
    '+33123456789'
    >>> normalize_number("sip:+447700900123@pbx.example.org;user=phone")
    '+447700900123'
    >>> normalize_number("07700 900123") is None  # national, and no region known
    True
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    found = _number_text(value)
    if found is None:
        return None
    text, from_context = found
    where = region_code(region) or region_code(default_country) or from_context
    digits = re.sub(r"\D", "", text)
    international = text.startswith("+") or digits.startswith("00")
    if not international and len(digits) <= _SHORT_CODE_DIGITS:
        return None
    candidates: list[tuple[str, str | None]] = []
    if text.startswith("+"):
        candidates.append((text, None))
    else:
        if where is not None:  # the region's own international prefix too (NANP 011)
            candidates.append((text, where))
        if digits.startswith("00"):  # the ITU-T E.164 international prefix of most plans
            candidates.append(("+" + digits[2:], None))
        elif not text.startswith("0"):  # "447700900123": international digits without "+"
            candidates.append(("+" + digits, None))
    for candidate, in_region in candidates:
        number = _parse(candidate, in_region)
        if number is not None:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None  # too short, too long, or only diallable locally (no area code)
    return number


def normalize_numbers(
    values: Iterable[object], region: str | None = None, *, default_country: str | None = None
) -> pd.Series:
    """:func:`normalize_number` over a column (missing where not a number)."""
    numbers = [normalize_number(v, region, default_country=default_country) for v in values]
    return pd.Series(numbers, dtype="str")


@dataclass(frozen=True)
class RegionHint:
    """The region a phone dials in, and where that was read (for the examiner's note)."""

    region: str
    source: str  # e.g. "SIM (telephony.db siminfo.iso_country_code)"


#: Android: the SIM's country, as the telephony provider stores each subscription
#: (AOSP ``Telephony.SimInfo.COLUMN_ISO_COUNTRY_CODE``; ALEAPP ``scripts/artifacts/siminfo.py``).
_SIMINFO = "**/com.android.providers.telephony/databases/telephony.db"
#: Android system properties, strongest first: the SIM's country (a runtime property, held by
#: extractions that record ``getprop``), then the user's country and the build's locale
#: (AOSP ``frameworks/base/core/jni/AndroidRuntime.cpp`` reads persist.sys.locale /
#: ro.product.locale; ``persist.sys.country`` on Android <= 6).
_PROPS = (
    ("gsm.sim.operator.iso-country", "SIM"),
    ("persist.sys.country", "locale"),
    ("persist.sys.locale", "locale"),
    ("ro.product.locale.region", "locale"),
    ("ro.product.locale", "locale"),
)
_PROP_FILES = ("**/build.prop", "**/default.prop", "**/getprop.txt")
#: iOS: the user's locale (iLEAPP ``scripts/artifacts/deviceInfo.py`` reads AppleLocale).
_GLOBAL_PREFS = "**/Library/Preferences/.GlobalPreferences.plist"
#: The same file in an iTunes/Finder backup: SHA-1 of ``domain-relativePath``.
_BACKUP_PREFS = hashlib.sha1(
    b"HomeDomain-Library/Preferences/.GlobalPreferences.plist", usedforsecurity=False
).hexdigest()
_MAX_CONFIG = 4 * 2**20
_DB_ERRORS: tuple[type[Exception], ...] = (ForensicsError, OSError, *SQLITE_ERRORS)


def extraction_region(path: str | Path, exclude: Iterable[str] = ()) -> RegionHint | None:
    """The region an extraction's phone dials in: its SIM's country where the extraction
    holds it (Android ``telephony.db`` ``siminfo``, the ``gsm.sim.operator.iso-country``
    property; iOS: the country of the backup's ``Info.plist`` ``Phone Number``), else its
    locale (``persist.sys.country``/``ro.product.locale``, iOS ``AppleLocale``). None when
    the extraction holds none of them. ``exclude``: device paths not to read (members
    hashes.json does not list). Files that cannot be read are passed over: this is a hint,
    and the caller says where it came from."""
    skip = set(exclude)
    with Evidence(path) as evidence:
        members = [m for m in evidence.files() if m.path not in skip]
        found = _siminfo_region(evidence, members)
        hints = [found] if found else []
        hints += _prop_regions(evidence, members)
        hints += _ios_regions(evidence, members)
    sim = [h for h in hints if h.source.startswith("SIM")]
    best = sim or hints
    return best[0] if best else None


def _matching(evidence: Evidence, members: list[Member], pattern: str) -> list[Member]:
    wanted = {m.path for m in evidence.glob(pattern)}
    return [m for m in members if m.path in wanted]


def _small(evidence: Evidence, member: Member) -> bytes | None:
    if member.size > _MAX_CONFIG:
        return None
    try:
        return evidence.read_bytes(member)
    except (ForensicsError, OSError):
        return None


def _siminfo_region(evidence: Evidence, members: list[Member]) -> RegionHint | None:
    for member in _matching(evidence, members, _SIMINFO):
        try:
            with open_sqlite(EvidenceFile(evidence, member)) as db:
                if not db.has_columns("siminfo", "iso_country_code"):
                    continue
                rows = db.query(
                    "SELECT iso_country_code FROM siminfo "
                    "WHERE iso_country_code IS NOT NULL AND iso_country_code != '' "
                    "ORDER BY _id"
                )
        except _DB_ERRORS:
            continue
        for code in rows["iso_country_code"] if not rows.empty else ():
            region = region_code(code)
            if region:
                return RegionHint(region, "SIM (telephony.db siminfo.iso_country_code)")
    return None


def _prop_regions(evidence: Evidence, members: list[Member]) -> list[RegionHint]:
    props: dict[str, str] = {}
    for pattern in _PROP_FILES:
        for member in _matching(evidence, members, pattern):
            data = _small(evidence, member)
            for line in (data or b"").decode("utf-8", errors="replace").splitlines():
                # build.prop "key=value"; getprop output "[key]: [value]"
                match = re.match(r"^\s*\[?([\w.\-]+)\]?\s*[=:]\s*\[?([^\]]*)\]?\s*$", line)
                if match and not line.lstrip().startswith("#"):
                    props.setdefault(match.group(1), match.group(2).strip())
    hints = []
    for key, kind in _PROPS:
        region = region_code(props.get(key)) if props.get(key) else None
        if region:
            hints.append(RegionHint(region, f"{kind} (property {key})"))
    return hints


def _plist(data: bytes | None) -> dict[str, object]:
    if not data:
        return {}
    try:
        loaded = plistlib.loads(data)
    except (plistlib.InvalidFileException, ValueError, TypeError, OverflowError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _ios_regions(evidence: Evidence, members: list[Member]) -> list[RegionHint]:
    hints = []
    for member in members:
        if member.path.rsplit("/", 1)[-1] != "Info.plist" or member.path.count("/") > 2:
            continue  # the backup's own Info.plist sits at its root, not an app's
        phone = _plist(_small(evidence, member)).get("Phone Number")
        if isinstance(phone, str) and phone.strip().startswith("+"):
            number = _parse(phone, None)
            region = phonenumbers.region_code_for_number(number) if number else None
            if region and region != phonenumbers.UNKNOWN_REGION:
                hints.append(RegionHint(region, "SIM (backup Info.plist Phone Number)"))
    prefs = _matching(evidence, members, _GLOBAL_PREFS)
    prefs += [m for m in members if m.path.rsplit("/", 1)[-1] == _BACKUP_PREFS]
    for member in prefs:
        locale = _plist(_small(evidence, member)).get("AppleLocale")
        region = region_code(locale) if isinstance(locale, str) else None
        if region:
            hints.append(RegionHint(region, "locale (.GlobalPreferences.plist AppleLocale)"))
    return hints


def case_region(case: Case, exhibit: str, given: str | None = None) -> RegionHint | None:
    """The numbering plan of an exhibit's numbers: the one the case gives, else the phone's
    SIM country or locale as its extraction holds them (only files hashes.json lists)."""
    if given is not None:
        found = region_code(given)
        if found is None:
            raise ValueError(f"region {given!r}: not an ISO 3166 region or calling code")
        return RegionHint(found, "the case")
    ex = case.exhibits.get(exhibit)
    if ex is None:
        return None
    try:
        return extraction_region(ex.path, () if case.include_unlisted else ex.unlisted)
    except (ForensicsError, OSError):
        return None


def is_national(written: str) -> bool:
    """Written in national form (no ``+``/``00``; longer than a short code): needs a region."""
    digits = "".join(ch for ch in written if ch.isdigit())
    international = written.startswith("+") or digits.startswith("00")
    return not international and len(digits) > _SHORT_CODE_DIGITS


def case_numbers(
    values: Iterable[object], case: Case, exhibit: str, given: str | None
) -> tuple[list[str | None], str, RegionHint | None]:
    """E.164 of each value of ``exhibit`` (None: not a number), a note for the finding's
    detail, and the region used. The region (:func:`case_region`) is looked up only when a
    national number needs it; the note says which and from where, or, when none is known,
    that those numbers are kept as written, with the region the case's other phones give
    as the stated guess (not applied)."""
    values = list(values)
    written = [dialled_part(v) for v in values]
    needs = any(w is not None and is_national(w) for w in written)
    hint = case_region(case, exhibit, given) if needs else None
    region = hint.region if hint else None
    out: list[str | None] = []
    national: list[str] = []
    for value, text in zip(values, written, strict=True):
        number = normalize_number(value, region)
        if text is not None and is_national(text):
            national.append(text)
            number = number or text  # no region: kept as written
        out.append(number)
    if not national:
        return out, "", hint
    if hint is not None:
        return out, f"; national numbers read as {hint.region} (from {hint.source})", hint
    others = (case_region(case, name) for name in case.exhibits)
    guesses = {found.region for found in others if found is not None}
    guess = f"; region assumed by the case's other phones: {', '.join(sorted(guesses))}"
    return (
        out,
        (
            f"; {len(national)} national number(s) kept as written ({', '.join(national)}): no "
            f"region known from the case or the phone's SIM/locale{guess if guesses else ''}"
        ),
        hint,
    )


def sip_identity(value: object, realm: object = None) -> str | None:
    """``user@domain`` of a SIP URI (``"Alex" <sip:alex001@pbx.example.org>;tag=1``), or of a
    digest username with its realm."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    match = re.search(r"sips?:([^@;>\s]+)@([^;>\s:]+)", text, re.IGNORECASE)
    if match:
        return f"{match.group(1)}@{match.group(2).lower()}"
    if "@" in text:
        user, _, host = text.partition("@")
        return f"{user}@{host.lower()}"
    if realm is not None and not (isinstance(realm, float) and np.isnan(realm)):
        return f"{text}@{str(realm).lower()}"
    return None


def within(
    left: pd.DataFrame,
    right: pd.DataFrame,
    window: pd.Timedelta | str,
    *,
    left_time: str = "time",
    right_time: str = "time",
) -> pd.DataFrame:
    """Every pair (left row, right row) whose times differ by at most ``window``.

    The result has the left columns suffixed ``_left``, the right ones ``_right``, and
    ``delta_s`` (right time minus left time, seconds), sorted by the left time.
    """
    span = pd.Timedelta(window)
    a = left.reset_index(drop=True).add_suffix("_left")
    b = right.reset_index(drop=True).add_suffix("_right")
    at, bt = f"{left_time}_left", f"{right_time}_right"
    b_sorted = b.sort_values(bt, kind="stable", ignore_index=True)
    times = b_sorted[bt].to_numpy(dtype="datetime64[ns]")
    pairs_a: list[int] = []
    pairs_b: list[int] = []
    for i, t in enumerate(a[at].to_numpy(dtype="datetime64[ns]")):
        if np.isnat(t):
            continue
        lo = np.searchsorted(times, t - span.to_numpy(), side="left")
        hi = np.searchsorted(times, t + span.to_numpy(), side="right")
        pairs_a.extend([i] * (hi - lo))
        pairs_b.extend(range(lo, hi))
    out = pd.concat(
        [a.iloc[pairs_a].reset_index(drop=True), b_sorted.iloc[pairs_b].reset_index(drop=True)],
        axis=1,
    )
    out["delta_s"] = (out[bt] - out[at]).dt.total_seconds()
    return out.sort_values([at, "delta_s"], kind="stable", ignore_index=True)


def colocated(
    left: pd.DataFrame,
    right: pd.DataFrame,
    *,
    max_distance_m: float,
    window: pd.Timedelta | str,
    left_time: str = "time",
    right_time: str = "time",
) -> pd.DataFrame:
    """Pairs of positions (``lat``/``lon`` columns) within ``max_distance_m`` metres and
    ``window`` of each other; adds ``distance_m`` (haversine, WGS84 mean radius)."""
    from forensics_lib.drone.analysis import haversine_m

    pairs = within(left, right, window, left_time=left_time, right_time=right_time)
    if pairs.empty:
        return pairs.assign(distance_m=pd.Series(dtype="float64"))
    distance = haversine_m(
        pairs["lat_left"].to_numpy(float),
        pairs["lon_left"].to_numpy(float),
        pairs["lat_right"].to_numpy(float),
        pairs["lon_right"].to_numpy(float),
    )
    pairs["distance_m"] = distance
    return pairs[pairs["distance_m"] <= max_distance_m].reset_index(drop=True)
