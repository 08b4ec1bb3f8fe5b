"""Per-trainee lab data and the autograder's answer checks.

Each trainee gets their own variant of every lab, so copying a neighbour's answers fails.
The variant's seed is ``HMAC-SHA256(course secret, "<lab>:<trainee>")``: without the
course secret nobody can regenerate another trainee's data or answer key with the
(installed, public) generators. The secret lives on the instructor's side only:

* ``FORENSICS_COURSE_SECRET`` (text), or the file ``$FORENSICS_COURSE_ROOT/.course_secret``
  that ``grading/course.py`` creates (mode 0600) on first build;
* the instructor (``make lab``, the hub's set-up) writes each trainee's data, *without*
  its answer key, where the trainee's notebook finds it (``lab_data``);
* the autograder runs the trainee's notebook in ``autograded/<trainee>/<lab>/`` with
  ``NBGRADER_EXECUTION=autograde``; hidden tests call :func:`check`, which regenerates that
  trainee's key and compares, so neither the test text nor its feedback holds an answer.

On a single-user ``make lab`` the secret sits in the trainee's own build folder: fine for
self-study, not for an exam (use the hub, where trainees cannot read the course folder).
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import hmac
import itertools
import json
import math
import os
import random
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from forensics_datasets.demo import make_demo_case

__all__ = [
    "LABS",
    "CourseSecretMissing",
    "answer_feedback",
    "assert_answer_form",
    "autograde_data",
    "check",
    "current_trainee",
    "lab_answer_key",
    "lab_data",
    "make_lab_data",
    "trainee_seed",
]

SECRET_FILE = ".course_secret"


class CourseSecretMissing(RuntimeError):
    """The course secret is not available here (a trainee's own session)."""


def _demo(out: Path, seed: int) -> dict[str, Any]:
    return make_demo_case(out, seed=seed).answer_key


# -- the labs' data ---------------------------------------------------------------------------
#
# Each generator writes one trainee's case into ``out`` and returns its answer key: the
# generator's own key plus the few facts the questions ask, derived here from the generator's
# truth (its scenario or simulated flight), never from the library under test. Exhibit names
# never carry the seed (a seed would let anyone regenerate the key with the public generators).

_ZONES = ("Europe/Madrid", "Europe/London", "Europe/Lisbon", "Europe/Athens", "Europe/Berlin")


def _json_ready(value: dict[str, Any]) -> dict[str, Any]:
    """The key as JSON would store it (times as ISO text)."""
    data: dict[str, Any] = json.loads(json.dumps(value, default=str))
    return data


def _photo_bytes(**kwargs: Any) -> bytes:
    """A JPEG with EXIF GPS/time and DJI XMP from the drone generator's writer, as bytes."""
    from forensics_datasets.drone import write_photo

    with tempfile.TemporaryDirectory(prefix="forensics-photo-") as tmp:
        path = Path(tmp) / "photo.jpg"
        write_photo(path, **kwargs)
        return path.read_bytes()


def _phone(out: Path, seed: int) -> dict[str, Any]:
    """Lab 1: the same phone's life as an Android and as an iOS extraction, plus one photo."""
    from forensics_datasets.phone import make_phone_extraction, make_scenario
    from forensics_datasets.phone.scenario import GROUP_JID

    rng = random.Random(seed)
    sizes = {"contacts": 6, "messages": 40, "calls": 16, "wa_messages": 24, "wa_calls": 6}
    scenario = make_scenario(seed, **sizes)
    zone = rng.choice(_ZONES)
    taken = scenario.messages[-1].time.floor("s") - pd.Timedelta(hours=rng.randint(2, 30))
    local = taken.tz_convert(zone)
    offset = local.strftime("%z")
    lat, lon = 40.1 + rng.uniform(-0.02, 0.02), -4.2 + rng.uniform(-0.02, 0.02)
    photo = _photo_bytes(
        lat=lat,
        lon=lon,
        alt_m=600.0 + rng.uniform(0, 30),
        local_time=local.strftime("%Y:%m:%d %H:%M:%S"),
        offset=f"{offset[:3]}:{offset[3:]}",
        make="Google",
        model="Pixel 7",
        serial="",
        misspelt=False,
    )
    stamp = local.strftime("%Y%m%d_%H%M%S")
    keys = {}
    for os_name, device_path in (
        ("android", f"/data/media/0/DCIM/Camera/PXL_{stamp}.jpg"),
        ("ios", "/private/var/mobile/Media/DCIM/100APPLE/IMG_0042.JPG"),
    ):
        made = make_phone_extraction(
            out,
            os=os_name,  # type: ignore[arg-type]
            seed=seed,
            name=f"EXH-201_{os_name}_ffs",
            extras=True,
            linphone=True,
            scenario=scenario,
            files={device_path: photo},
        )
        made.exhibit.with_name(f"EXH-201_{os_name}_ffs.answer_key.json").unlink()
        keys[os_name] = made.answer_key
    per_number = Counter(m.address for m in scenario.messages)
    top = max(per_number.values())
    names = {p: c.display_name for c in scenario.contacts for p in c.phones}
    longest = max(c.duration_s for c in scenario.calls)
    extras = keys["android"]["writer"]["extras"]
    hidden = next(w for w in extras["wifi"] if w["hidden"])
    dji = next(a for a in extras["apps"] if a["app_id"].startswith("dji."))
    derived = {
        "android_model": keys["android"]["writer"]["device"]["model"],
        "ios_version": keys["ios"]["writer"]["device"]["os_version"],
        "top_correspondents": [
            {"number": n, "name": names.get(n)} for n, k in per_number.items() if k == top
        ],
        "longest_call": {
            "duration_s": longest,
            "numbers": sorted({c.number for c in scenario.calls if c.duration_s == longest}),
        },
        "group_messages": sum(m.chat_jid == GROUP_JID for m in scenario.wa_messages),
        "hidden_wifi": {"ssid": hidden["ssid"], "psk": hidden["psk"]},
        "hidden_wifi_ios_last_joined": hidden["last_joined"],
        "dji_app_installed_utc": dji["installed"],
        "photo": {"lat": lat, "lon": lon, "utc": taken.isoformat(), "zone": zone},
    }
    return _json_ready({**derived, "extractions": keys})


def _inside(lat: np.ndarray, lon: np.ndarray, ring: list[list[float]]) -> np.ndarray:
    """Even-odd ray casting in lon/lat (the perimeter is a few hundred metres wide)."""
    inside = np.zeros(len(lat), dtype=bool)
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        crosses = (y1 > lat) != (y2 > lat)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (lon < x_at)
    return inside


def _drone(out: Path, seed: int) -> dict[str, Any]:
    """Lab 2: the parcel drop (tlog, DataFlash, perimeter, photos) and its first breach."""
    from forensics_datasets.drone import make_drone_case, simulate_flight

    key = dict(make_drone_case(out, seed).key)
    flight = simulate_flight(seed)  # the same flight (seeded): its true samples
    s = flight.samples
    inside = _inside(s["lat"].to_numpy(), s["lon"].to_numpy(), flight.perimeter)
    key["breach_utc"] = s["time_utc"][inside].iloc[0].isoformat()
    key["time_inside_s"] = float(inside.sum()) / 10  # 10 Hz samples
    return _json_ready(key)


def _dji(out: Path, seed: int) -> dict[str, Any]:
    """Lab 3: a readable (scrambled) DJI record of a scouting flight, the drop flight's
    encrypted v13 record, the drop video's subtitles (local time) and three photos."""
    from forensics_datasets.dji_txt import simple_dji_flight, write_dji_txt
    from forensics_datasets.drone import simulate_flight, write_srt

    rng = random.Random(seed)
    zone = rng.choice(_ZONES)
    start = pd.Timestamp("2024-06-10T20:00:00Z") + pd.Timedelta(
        days=rng.randint(0, 9), minutes=rng.randint(0, 150)
    )
    drop = simulate_flight(seed, start=start.isoformat())
    serial = f"1SDEX7Z00{rng.randint(10, 99)}{rng.choice('ABCDEFGH')}{rng.randint(1, 9)}"
    name = rng.choice(("NIGHT OWL", "PARCEL ONE", "YARD RUN", "BLUE KITE", "LOW FLYER"))
    scout = simple_dji_flight(seed)
    scout = replace(
        scout,
        aircraft_name=name,
        aircraft_serial=serial,
        start_ms=int((start - pd.Timedelta(days=1, minutes=rng.randint(10, 300))).value // 10**6),
    )
    version = rng.choice((10, 11, 12))
    scout_file = out / "DJIFlightRecord_scout.txt"
    out.mkdir(parents=True, exist_ok=True)
    write_dji_txt(scout_file, scout, version=version, seed=seed)
    d = drop.samples
    airborne = d[d["alt_rel_m"] > 3]
    took = airborne["time_utc"].iloc[0]
    encrypted = replace(
        scout,
        start_ms=int(took.value // 10**6),
        home=drop.home,
        frames=scout.frames.iloc[:20],
        app_gps=[],
        tips=[],
        warns=[],
    )
    write_dji_txt(out / "DJIFlightRecord_drop.txt", encrypted, version=13, seed=seed + 1)
    write_srt(out / "DJI_0001.SRT", drop, zone=zone, every=10)
    photos = out / "photos"
    photos.mkdir(exist_ok=True)
    # One photo while hovering low over the yard, two at cruise height, in time order.
    low = airborne.index[(airborne["alt_rel_m"] < 10) & (airborne["mode"] == "AUTO")].tolist()
    high = airborne.index[airborne["alt_rel_m"] > 30].tolist()
    before = [i for i in high if i < low[0]]
    after = [i for i in high if i > low[-1]]
    n_before = rng.randint(0, 2)
    picks = sorted(
        [
            rng.choice(low[len(low) // 4 : -len(low) // 4]),
            *rng.sample(before, n_before),
            *rng.sample(after, 2 - n_before),
        ]
    )
    shots = []
    for n, i in enumerate(picks):
        row = d.loc[i]
        when = row["time_utc"].floor("s")
        local = when.tz_convert(zone)
        offset = local.strftime("%z")
        (photos / f"DJI_{n + 1:04d}.JPG").write_bytes(
            _photo_bytes(
                lat=row["lat"],
                lon=row["lon"],
                alt_m=row["alt_amsl_m"],
                local_time=local.strftime("%Y:%m:%d %H:%M:%S"),
                offset=f"{offset[:3]}:{offset[3:]}",
                serial=serial,
                dji={
                    "GpsLatitude": row["lat"],
                    "GpsLongitude": row["lon"],
                    "AbsoluteAltitude": row["alt_amsl_m"],
                    "RelativeAltitude": row["alt_rel_m"],
                },
            )
        )
        shots.append(
            {
                "file": f"DJI_{n + 1:04d}.JPG",
                "utc": when.isoformat(),
                "alt_rel_m": float(row["alt_rel_m"]),
            }
        )
    (out / "case_notes.txt").write_text(
        "Case notes (synthetic). The aircraft and its controller's phone were seized at the\n"
        f"pilot's home. The aircraft's clock was set to local time, zone {zone}.\n"
        "DJIFlightRecord_scout.txt: an earlier flight, from the DJI app on the phone.\n"
        "DJIFlightRecord_drop.txt: the record of the night of the drop (newer app).\n"
        "DJI_0001.SRT and photos/: from the aircraft's memory card.\n"
    )
    app_lat, app_lon = scout.app_gps[0][1], scout.app_gps[0][2]
    return _json_ready(
        {
            "zone": zone,
            "scout": {**scout.key(), "version": version, "pilot": {"lat": app_lat, "lon": app_lon}},
            "drop": {
                "start_utc": took.isoformat(),
                "home": {"lat": drop.home[0], "lon": drop.home[1]},
                "aircraft_serial": serial,
            },
            "srt_first_utc": d["time_utc"].iloc[0].isoformat(),
            "photos": shots,
            "lowest_photo": min(shots, key=lambda p: p["alt_rel_m"])["file"],
        }
    )


# Common weak passwords (the kind every cracking word list starts with) and plain words.
_WORDS = [
    "123456",
    "password",
    "12345678",
    "qwerty",
    "111111",
    "abc123",
    "iloveyou",
    "admin",
    "princess",
    "1234567",
    "000000",
    "trustno1",
    "passw0rd",
    "baseball",
    "master",
    "shadow",
    "superman",
    "batman",
    "access",
    "hello",
    "charlie",
    "donald",
    "freedom",
    "whatever",
    "ninja",
    "mustang",
    "secret",
    "summer",
    "winter",
    "spring",
    "autumn",
    "pepper",
    "ginger",
    "hunter",
    "ranger",
    "tigger",
    "buster",
    "soccer",
    "hockey",
    "killer",
    "michael",
    "jessica",
    "jordan",
    "thomas",
    "daniel",
    "maggie",
    "cheese",
    "coffee",
    "orange",
    "banana",
    "purple",
    "silver",
    "golden",
    "flower",
    "garden",
    "castle",
    "forest",
    "rocket",
    "planet",
    "zebra",
    "falcon",
    "eagle",
    "tiger",
    "lion",
    "panther",
    "phoenix",
    "wizard",
    "pirate",
    "viking",
    "samurai",
]


def _voip(out: Path, seed: int) -> dict[str, Any]:
    """Lab 4: a capture of the prison Wi-Fi with calls, DTMF and digest logins, and a
    word list for the password exercise."""
    from forensics_datasets.voip import WEAK_PASSWORDS, make_voip_capture

    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 6)))
    inband = "".join(rng.choice("0123456789") for _ in range(2))
    seconds = float(rng.randint(3, 6))
    case = make_voip_capture(
        out / "prison_wifi.pcapng",
        seed=seed,
        fmt="pcapng",
        answered=rng.randint(2, 3),
        cancelled=1,
        rejected=1,
        seconds=seconds,
        loss=rng.uniform(0.01, 0.05),
        jitter_ms=rng.uniform(3, 12),
        digits=digits,
        inband_digits=inband,
    )
    words = sorted(set(_WORDS) | set(WEAK_PASSWORDS))
    rng.shuffle(words)
    (out / "wordlist.txt").write_text("\n".join(words) + "\n")
    key = dict(case.answer_key)
    first = next(c for c in key["calls"] if c["state"] == "COMPLETED")
    user = first["caller"].split("@")[0]
    worst = max(s["lost"] for s in key["streams"])
    key.update(
        digits=digits,
        inband=inband,
        media_seconds=seconds,
        first_answered=first["call_id"],
        target_user=user,
        target_password=next(r["password"] for r in key["registrations"] if r["username"] == user),
        worst_lost=worst,
        worst_ssrcs=[s["ssrc"] for s in key["streams"] if s["lost"] == worst],
    )
    return _json_ready(key)


def _capstone(out: Path, seed: int) -> dict[str, Any]:
    """Lab 5: the whole case (drone SD card, operator's phone, contraband phone, prison
    capture) at difficulty "medium": local-time photos, a decoy flight log on the
    operator's phone and unrelated staff calls in the capture; plus the capstone's traps
    (:mod:`forensics_datasets.case.traps`), whose answers the key's ``trap_answers`` holds."""
    from forensics_datasets.case import make_case
    from forensics_datasets.case.traps import capstone_traps

    # The case and its evidence bags are numbered by a one-way tag of the seed, not the seed:
    # with the seed, a trainee could regenerate the key with the public generator.
    number = f"{int(hashlib.sha256(f'capstone:{seed}'.encode()).hexdigest(), 16) % 10**6:06d}"
    # The judgement traps (two candidate flights, a cover contact name, an alibi against a
    # phone whose clock is off): what `case findings` surfaces but cannot settle.
    case = make_case(out, seed, size="lab", difficulty="medium", case_number=number,
                     extra_traps=capstone_traps(seed))  # fmt: skip
    (out / "answer_key.json").unlink(missing_ok=True)
    return _json_ready({**case.answer_key, "case_number": number})


# Which generator writes each lab's data (its answer key is what `check` compares with).
LABS: dict[str, Callable[[Path, int], dict[str, Any]]] = {
    "lab0_evidence": _demo,
    "lab1_phone": _phone,
    "lab2_drone": _drone,
    "lab3_dji": _dji,
    "lab4_voip": _voip,
    "lab5_capstone": _capstone,
}


def course_secret() -> bytes:
    """The course secret, from the environment or the course folder."""
    text = os.environ.get("FORENSICS_COURSE_SECRET")
    if text:
        return text.encode()
    root = os.environ.get("FORENSICS_COURSE_ROOT")
    if root and (Path(root) / SECRET_FILE).is_file():
        return (Path(root) / SECRET_FILE).read_bytes().strip()
    raise CourseSecretMissing(
        "the course secret is not available in this session: only the instructor's tools "
        "and the autograder can generate or check lab data"
    )


def trainee_seed(trainee: str, lab: str, secret: bytes | None = None) -> int:
    """The seed of ``trainee``'s variant of ``lab`` (31 bits)."""
    key = course_secret() if secret is None else secret
    digest = hmac.new(key, f"{lab}:{trainee}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFF_FFFF


def current_trainee() -> str:
    """Who this notebook belongs to: ``FORENSICS_TRAINEE``; under the autograder, the
    student folder it runs in (``autograded/<trainee>/<lab>``); the hub user; the login."""
    explicit = os.environ.get("FORENSICS_TRAINEE")
    if explicit:
        return explicit
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        return Path.cwd().parent.name
    return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


# Answer keys already made in this process (the autograder's kernel asks for one per
# question): (lab, trainee, seed) -> key.
_KEYS: dict[tuple[str, str, int], dict[str, Any]] = {}


def make_lab_data(
    lab: str, trainee: str, out: str | os.PathLike[str], secret: bytes | None = None
) -> dict[str, Any]:
    """Write ``trainee``'s data for ``lab`` into ``out`` (no answer key left there) and
    return the answer key."""
    target = Path(out)
    seed = trainee_seed(trainee, lab, secret)
    key = LABS[lab](target, seed)
    (target / "answer_key.json").unlink(missing_ok=True)
    _KEYS[(lab, trainee, seed)] = key
    return key


def lab_answer_key(lab: str, trainee: str, secret: bytes | None = None) -> dict[str, Any]:
    """Regenerate ``trainee``'s answer key for ``lab`` (instructor side only)."""
    seed = trainee_seed(trainee, lab, secret)
    known = _KEYS.get((lab, trainee, seed))
    if known is not None:
        return known
    if secret is None and os.environ.get("NBGRADER_EXECUTION") == "autograde":
        # the key written beside the cached data (autograde_data), not a second rebuild
        saved = autograde_data(lab, trainee).with_suffix(".key.json")
        if saved.is_file():
            key: dict[str, Any] = json.loads(saved.read_text())
            _KEYS[(lab, trainee, seed)] = key
            return key
    with tempfile.TemporaryDirectory(prefix="forensics-key-") as tmp:
        return make_lab_data(lab, trainee, tmp, secret)


@functools.cache
def generators_digest() -> str:
    """SHA-256 of the data generators' source (every module of this package, and the
    library's, whose readers some generators call), so a changed kit never reuses data."""
    digest = hashlib.sha256()
    import forensics_lib

    for package in (Path(__file__).parent, Path(forensics_lib.__file__).parent):
        for path in sorted(package.rglob("*.py")):
            digest.update(path.relative_to(package.parent).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def autograde_cache_root() -> Path:
    """Where the autograder keeps each trainee's regenerated data (it is the answer to every
    question): ``$FORENSICS_AUTOGRADE_CACHE``, else ``.autograde-cache`` in the course folder
    (``$FORENSICS_COURSE_ROOT``, nbgrader's ``.*`` ignore rule keeps it out of assignments),
    else a per-user folder in the temporary directory; always mode 0700."""
    explicit = os.environ.get("FORENSICS_AUTOGRADE_CACHE")
    course_root = os.environ.get("FORENSICS_COURSE_ROOT")
    if explicit:
        root = Path(explicit)
    elif course_root:
        root = Path(course_root) / ".autograde-cache"
    else:
        root = Path(tempfile.gettempdir()) / f"forensics-autograde-{os.getuid()}"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    root.chmod(0o700)  # also when it existed, or the umask widened it
    return root


def lab_data(lab: str) -> Path:
    """The folder with this trainee's data for ``lab``.

    In a trainee's session: ``$FORENSICS_LAB_DATA/<lab>``, else ``../data/<lab>`` next to
    the lab folder (where ``make lab`` and the hub put it). Under the autograder: the
    trainee's data regenerated from the course secret (in a folder named by a digest of the
    seed, so a changed secret never reuses stale data).
    """
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        return autograde_data(lab, current_trainee())
    base = os.environ.get("FORENSICS_LAB_DATA")
    candidates = [Path(base) / lab] if base else []
    candidates += [Path.cwd().parent / "data" / lab, Path.cwd() / "data" / lab]
    for folder in candidates:
        if folder.is_dir():
            return folder
    raise FileNotFoundError(
        f"no data for {lab}: looked in {', '.join(map(str, candidates))}. Ask your "
        "instructor (or run `make lab`, which prepares it)."
    )


def autograde_data(lab: str, trainee: str, secret: bytes | None = None) -> Path:
    """``trainee``'s data for ``lab`` in the autograder's cache, built once: the folder
    ``<cache>/<trainee>/<lab>-<tag>`` and its answer key beside it (``<lab>-<tag>.key.json``,
    mode 0600), so neither a later run nor :func:`check` rebuilds it. The tag digests the
    seed and the generators' code: a changed secret or kit never reuses stale data."""
    seed = trainee_seed(trainee, lab, secret)
    tag = hashlib.sha256(f"{lab}:{seed}:{generators_digest()}".encode()).hexdigest()[:16]
    cache = autograde_cache_root() / trainee / f"{lab}-{tag}"
    if not (cache / ".complete").is_file():
        cache.mkdir(parents=True, exist_ok=True)
        key = make_lab_data(lab, trainee, cache, secret)
        fd = os.open(cache.with_suffix(".key.json"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(key, fh)
        (cache / ".complete").write_text("")
    return cache


# -- answers --------------------------------------------------------------------------------


def _plain(value: object) -> object:
    """An answer as plain Python: a numpy scalar (``np.int64`` from ``.sum()``, ``np.str_``)
    becomes its Python value, a ``np.datetime64`` a ``pd.Timestamp``, and a column or array
    holding exactly one value (a filtered table's ``["column"]``) that value; tuples, lists
    and dictionaries are converted member by member. Anything else is returned as it is."""
    if isinstance(value, pd.Series | pd.Index | np.ndarray) and value.size == 1:
        value = value.ravel()[0] if isinstance(value, np.ndarray) else value.to_numpy()[0]
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return type(value)(_plain(v) for v in value)
    return value


def _same_text(answer: object, expected: object) -> bool:
    answer = _plain(answer)
    return isinstance(answer, str) and answer.strip() == str(expected).strip()


def _same_hash(answer: object, expected: object) -> bool:
    answer = _plain(answer)
    return isinstance(answer, str) and answer.strip().lower() == str(expected).lower()


def _timestamps(answer: object, expected: object) -> bool:
    """A mapping field -> UTC time, every one within a second of the key's."""
    if not isinstance(answer, dict) or not isinstance(expected, list):
        return False
    for item in expected:
        given = _plain(answer.get(item["field"]))
        try:
            when = pd.Timestamp(given)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        if pd.isna(when) or when.tzinfo is None:
            return False
        if abs((when - pd.Timestamp(item["utc"])).total_seconds()) > 1:
            return False
    return True


def _utc(value: object) -> pd.Timestamp | None:
    """A time given as a timezone-aware value (a naive time is refused: its zone is unknown)."""
    value = _plain(value)
    if isinstance(value, bool | int | float):  # a count or a number of seconds, not a time
        return None
    try:
        when = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if pd.isna(when) or when.tzinfo is None:
        return None
    return when.tz_convert("UTC")


def _within_s(seconds: float) -> Callable[[object, object], bool]:
    """A time within ``seconds`` of the key's."""

    def same(answer: object, expected: object) -> bool:
        when = _utc(answer)
        return (
            when is not None
            and abs((when - pd.Timestamp(str(expected))).total_seconds()) <= seconds
        )

    return same


def _latlon(value: object) -> tuple[float, float] | None:
    """(lat, lon) from a pair or a mapping with lat/lon."""
    value = _plain(value)
    try:
        if isinstance(value, dict):
            pair = (float(value["lat"]), float(value["lon"]))
        else:
            lat, lon = cast("tuple[Any, Any]", value)
            pair = (float(lat), float(lon))
    except (KeyError, TypeError, ValueError):
        return None
    return pair if all(math.isfinite(v) for v in pair) else None


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance on the IUGG mean sphere (6,371,008.8 m)."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))


def _within_m(metres: float) -> Callable[[object, object], bool]:
    """A position within ``metres`` of the key's."""

    def same(answer: object, expected: object) -> bool:
        given, truth = _latlon(answer), _latlon(expected)
        return given is not None and truth is not None and _metres(given, truth) <= metres

    return same


def _close(tolerance: float) -> Callable[[object, object], bool]:
    def same(answer: object, expected: object) -> bool:
        answer = _plain(answer)
        if isinstance(answer, bool):
            return False
        try:
            return abs(float(answer) - float(expected)) <= tolerance  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False

    return same


def _same_int(answer: object, expected: object) -> bool:
    """The same whole number: an ``int``, a numpy integer (``.sum()`` gives one) or a float
    with nothing after the point (``12.0``); never True/False, never 12.7 read as 12."""
    answer = _plain(answer)
    if isinstance(answer, bool):
        return False
    if isinstance(answer, float) and not answer.is_integer():
        return False
    try:
        return bool(int(answer) == int(expected))  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return False


def _digits(value: object) -> str:
    return "".join(ch for ch in str(value) if ch.isdigit() or ch in "*#")


def _top_correspondent(answer: object, expected: object) -> bool:
    """The number (any spacing) or saved name of one of the busiest correspondents."""
    answer = _plain(answer)
    if not isinstance(answer, str) or not isinstance(expected, list):
        return False
    given = answer.strip()
    return any(
        (_digits(given) and _digits(given) == _digits(e["number"])) or given == e["name"]
        for e in expected
    )


def _longest_call(answer: object, expected: object) -> bool:
    if not isinstance(answer, dict) or not isinstance(expected, dict):
        return False
    numbers = {_digits(n) for n in expected["numbers"]}
    number = _plain(answer.get("number", ""))
    return (
        isinstance(number, str)
        and _digits(number) in numbers
        and _close(1)(answer.get("duration_s"), expected["duration_s"])
    )


def _device(answer: object, expected: object) -> bool:
    return (
        isinstance(answer, dict)
        and isinstance(expected, dict)
        and all(_same_text(answer.get(k), v) for k, v in expected.items())
    )


def _kml(answer: object, expected: object) -> bool:
    """A KML track: 100+ fixes, starting at home, passing over the release point."""
    import re

    if not isinstance(answer, str) or not isinstance(expected, dict):
        return False
    coords = re.findall(r"<gx:coord>\s*(\S+)\s+(\S+)", answer)
    try:
        fixes = [(float(lat), float(lon)) for lon, lat in coords]
    except ValueError:
        return False
    home, release = _latlon(expected["home"]), _latlon(expected["release"])
    return (
        len(fixes) >= 100
        and home is not None
        and release is not None
        and _metres(fixes[0], home) <= 20
        and min(_metres(f, release) for f in fixes) <= 10
    )


def _drop_facts(answer: object, expected: object) -> bool:
    if not isinstance(answer, dict) or not isinstance(expected, dict):
        return False
    return (
        _same_text(answer.get("aircraft_serial"), expected["aircraft_serial"])
        and _within_s(2)(answer.get("start_utc"), expected["start_utc"])
        and _within_m(10)(answer.get("home"), expected["home"])
    )


def _photos_utc(answer: object, expected: object) -> bool:
    if not isinstance(answer, dict) or not isinstance(expected, list):
        return False
    return len(answer) == len(expected) and all(
        _within_s(1)(answer.get(p["file"]), p["utc"]) for p in expected
    )


def _call_states(answer: object, expected: object) -> bool:
    if not isinstance(answer, dict) or not isinstance(expected, list):
        return False
    counts = Counter(c["state"] for c in expected)
    given = {str(k).upper(): v for k, v in answer.items() if v}
    return set(given) == set(counts) and all(_same_int(given[s], n) for s, n in counts.items())


def _aor(value: object) -> str:
    text = str(value).strip().strip("<>").lower()
    return text[4:] if text.startswith("sip:") else text


def _same_aor(answer: object, expected: object) -> bool:
    answer = _plain(answer)
    return isinstance(answer, str) and _aor(answer) == _aor(expected)


def _ssrc(value: object) -> int | None:
    value = _plain(value)
    if isinstance(value, bool | float):
        return None
    try:
        return int(value, 16) if isinstance(value, str) else int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _worst_stream(answer: object, expected: object) -> bool:
    given = _ssrc(answer)
    return (
        given is not None and isinstance(expected, list) and given in {_ssrc(s) for s in expected}
    )


def _same_digits(answer: object, expected: object) -> bool:
    answer = _plain(answer)
    return isinstance(answer, str) and answer.replace(" ", "") == str(expected)


Extractor = Callable[[dict[str, Any]], object]
Comparator = Callable[..., bool]


def _tolerant(make: Callable[[float], Comparator]) -> Comparator:
    """Compare with a case fact's value within the fact's own tolerance (answer_key.json
    of :func:`forensics_datasets.case.make_case`: {"value", "tolerance", "unit"...})."""

    def same(answer: object, fact: object) -> bool:
        return isinstance(fact, dict) and make(float(fact["tolerance"]))(answer, fact["value"])

    return same


def _photo_times(answer: object, fact: object) -> bool:
    """A mapping photo file name -> UTC time: every aerial photo, each within the tolerance
    (files named by their name alone or their path on the card)."""
    if not isinstance(answer, dict) or not isinstance(fact, dict):
        return False
    expected = {str(path).rsplit("/", 1)[-1].upper(): when for path, when in fact["value"].items()}
    given = {str(path).rsplit("/", 1)[-1].upper(): when for path, when in answer.items()}
    near = _within_s(float(fact["tolerance"]))
    return given.keys() == expected.keys() and all(
        near(given[name], when) for name, when in expected.items()
    )


def _same_hex_id(answer: object, expected: object) -> bool:
    """The same hexadecimal id (a flight controller's board UID, "0042ABCD 12345678 ..."),
    whatever the spacing or the case of its letters."""
    return (
        isinstance(answer, str)
        and "".join(answer.split()).upper() == "".join(str(expected).split()).upper()
    )


def _same_numbers(answer: object, expected: object) -> bool:
    """The same set of phone numbers (compared by their digits; nothing more, nothing less)."""
    if isinstance(answer, str | bytes) or not isinstance(expected, list):
        return False
    try:
        given = [_digits(n) for n in answer]  # type: ignore[attr-defined]
    except TypeError:
        return False
    return all(given) and set(given) == {_digits(n) for n in expected}


def _report(answer: object, expected: object) -> bool:
    """An HTML report from forensics_lib.report with the trainee's findings: at least six,
    each with its evidence, the contraband phone's SIP account among them."""
    import html

    if not isinstance(answer, str) or not isinstance(expected, dict):
        return False
    if not answer.lstrip().startswith("<!DOCTYPE html>") or '<h2 id="findings">' not in answer:
        return False
    section = answer.split('<h2 id="findings">', 1)[1].split("<h2 ", 1)[0]
    shown = section.count('<div class="finding"')
    return (
        shown >= 6
        and "No evidence reference recorded" not in section
        and html.escape(str(expected["sip_account"])) in section
    )


# lab -> question -> (how to read the expected value from the key, how to compare)
QUESTIONS: dict[str, dict[str, tuple[Extractor, Comparator]]] = {
    "lab0_evidence": {
        "exhibit_sha256": (lambda k: k["exhibit_sha256"], _same_hash),
        "notes_db_path": (lambda k: k["notes_db_device_path"], _same_text),
        "wal_only_note": (lambda k: k["note_only_in_wal"], _same_text),
        "sealed_by": (lambda k: k["custody"]["examiner"], _same_text),
        "decoded": (lambda k: k["timestamps"], _timestamps),
    },
    "lab1_phone": {
        "device": (
            lambda k: {"android_model": k["android_model"], "ios_version": k["ios_version"]},
            _device,
        ),
        "top_correspondent": (lambda k: k["top_correspondents"], _top_correspondent),
        "longest_call": (lambda k: k["longest_call"], _longest_call),
        "group_messages": (lambda k: k["group_messages"], _same_int),
        "hidden_wifi_password": (lambda k: k["hidden_wifi"]["psk"], _same_text),
        "hidden_wifi_ios_last_joined": (lambda k: k["hidden_wifi_ios_last_joined"], _within_s(1)),
        "dji_app_installed": (lambda k: k["dji_app_installed_utc"], _within_s(1)),
        "photo_place": (lambda k: k["photo"], _within_m(10)),
        "photo_utc": (lambda k: k["photo"]["utc"], _within_s(1)),
    },
    "lab2_drone": {
        "liftoff_utc": (lambda k: k["liftoff_utc"], _within_s(2)),
        "home": (lambda k: k["home"], _within_m(10)),
        "breach_utc": (lambda k: k["breach_utc"], _within_s(2)),
        "release_utc": (lambda k: k["release_utc"], _within_s(2)),
        "release_point": (
            lambda k: {"lat": k["release_lat"], "lon": k["release_lon"]},
            _within_m(10),
        ),
        "pilot": (lambda k: k["pilot"], _within_m(15)),
        "max_alt": (lambda k: k["max_alt_rel_m"], _close(2)),
        "kml": (
            lambda k: {
                "home": k["home"],
                "release": {"lat": k["release_lat"], "lon": k["release_lon"]},
            },
            _kml,
        ),
    },
    "lab3_dji": {
        "scout_serial": (lambda k: k["scout"]["aircraft_serial"], _same_text),
        "scout_start_utc": (lambda k: k["scout"]["start_utc"], _within_s(2)),
        "pilot_position": (lambda k: k["scout"]["pilot"], _within_m(15)),
        "drop_facts": (lambda k: k["drop"], _drop_facts),
        "srt_first_utc": (lambda k: k["srt_first_utc"], _within_s(1)),
        "photos_utc": (lambda k: k["photos"], _photos_utc),
        "lowest_photo": (lambda k: k["lowest_photo"], _same_text),
    },
    "lab4_voip": {
        "call_states": (lambda k: k["calls"], _call_states),
        "rejected_caller": (
            lambda k: next(c["caller"] for c in k["calls"] if c["state"] == "REJECTED"),
            _same_aor,
        ),
        "worst_stream": (lambda k: k["worst_ssrcs"], _worst_stream),
        "worst_lost": (lambda k: k["worst_lost"], _same_int),
        "wav_seconds": (lambda k: k["media_seconds"], _close(0.5)),
        "dtmf_digits": (lambda k: k["digits"], _same_digits),
        "inband_digits": (lambda k: k["inband"], _same_digits),
        "sip_password": (lambda k: k["target_password"], _same_text),
    },
    "lab5_capstone": {
        "aircraft_board_uid": (lambda k: k["facts"]["aircraft_board_uid"]["value"], _same_hex_id),
        "takeoff_utc": (lambda k: k["facts"]["takeoff_utc"], _tolerant(_within_s)),
        "time_inside_s": (lambda k: k["facts"]["time_inside_perimeter_s"], _tolerant(_close)),
        "release_point": (lambda k: k["facts"]["release_point"], _tolerant(_within_m)),
        "photo_times_utc": (lambda k: k["facts"]["aerial_photo_times_utc"], _photo_times),
        "pilot_position": (lambda k: k["facts"]["pilot_position"], _tolerant(_within_m)),
        "drop_message_utc": (
            lambda k: {
                **k["facts"]["drop_message"],
                "value": k["facts"]["drop_message"]["value"]["time_utc"],
            },
            _tolerant(_within_s),
        ),
        "sip_account": (lambda k: k["facts"]["contraband_sip_account"]["value"], _same_aor),
        "organiser_name": (lambda k: k["facts"]["organiser_name"]["value"], _same_text),
        # "alibi_calls" and "report": at the end of this module, with their comparators
    },
}


# -- what a check cell tells the trainee about an answer's form (no answer key needed) ------
#
# The visible part of each check cell calls :func:`assert_answer_form`: it says precisely
# what to fix when an answer has the wrong *form* (a count where a phone number is asked, a
# column where one value is asked, a time without its zone), in the words of the notebook's
# hints. It never looks at the answer key, so it can run in the trainee's own session.

Form = Callable[[str, object], "str | None"]

_COLUMN = (
    "{name} is a column of {n} values, not one value: keep the matching row(s) first, "
    "then take the value with .iloc[0] (or count the rows with .sum())"
)


def _shape_problem(name: str, value: object) -> str | None:
    """A table or a column where one value is wanted. (The hidden checks accept a column
    holding a single value; the visible ones ask for the value itself, as the hints do.)"""
    if isinstance(value, pd.DataFrame):
        return (
            f"{name} is a whole table ({len(value)} rows): pick one column with "
            '["column"], then one value with .iloc[0]'
        )
    if isinstance(value, pd.Series | pd.Index | np.ndarray) and value.ndim:
        if value.size == 1:
            return f"{name} is a column holding one value: add .iloc[0] to take the value itself"
        return _COLUMN.format(name=name, n=value.size)
    return None


def _missing(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _text(what: str, number: str | None = None) -> Form:
    """Text (a name, a number as text, a password...); ``number`` is what to say when a
    number was given instead (a count, a row number)."""

    def form(name: str, value: object) -> str | None:
        problem = _shape_problem(name, value)
        value = _plain(value)
        if problem:
            return problem
        if _missing(value):
            return f"{name} is empty (None or NaN): the row you took has no value there"
        if isinstance(value, bool | int | float):
            return number or f"{name} should be {what}, as text (in quotes), not a number"
        if not isinstance(value, str) or not value.strip():
            return f"{name} should be {what}, as text"
        return None

    return form


def _whole(what: str) -> Form:
    def form(name: str, value: object) -> str | None:
        problem = _shape_problem(name, value)
        value = _plain(value)
        if problem:
            return problem
        if isinstance(value, bool):
            return f"{name} is True/False: count the True rows with .sum()"
        if isinstance(value, str):
            return f"{name} is text: give {what} as a number, without quotes"
        if isinstance(value, float) and value.is_integer():
            return None
        if not isinstance(value, int):
            return f"{name} should be {what}, a whole number"
        if value < 0:
            return f"{name} is negative: {what} cannot be"
        return None

    return form


def _number(what: str) -> Form:
    def form(name: str, value: object) -> str | None:
        problem = _shape_problem(name, value)
        value = _plain(value)
        if problem:
            return problem
        if isinstance(value, bool) or not isinstance(value, int | float) or _missing(value):
            return f"{name} should be {what}, a number"
        return None

    return form


def _time(what: str) -> Form:
    def form(name: str, value: object) -> str | None:
        problem = _shape_problem(name, value)
        value = _plain(value)
        if problem:
            return problem
        if isinstance(value, str):
            return (
                f"{name} is text: use the pd.Timestamp from the table (the value of its "
                "time column, .iloc[0]), not the time typed in"
            )
        if isinstance(value, bool | int | float):
            return f"{name} is a number, not a time: take the value of the time column"
        if not isinstance(value, pd.Timestamp) or pd.isna(value):
            return f"{name} should be {what}, a pd.Timestamp"
        if value.tzinfo is None:
            return (
                f"{name} has no time zone: a time without its zone cannot be placed on a "
                "timeline (use the column that ends in _utc, or give the reader the zone)"
            )
        return None

    return form


def _pair(what: str) -> Form:
    def form(name: str, value: object) -> str | None:
        problem = _shape_problem(name, value)
        if problem:
            return problem
        if isinstance(value, tuple | list) and len(value) == 2:
            problem = _shape_problem(f"{name}[0]", value[0]) or _shape_problem(
                f"{name}[1]", value[1]
            )
            if problem:
                return problem
        got = _latlon(value)
        if got is None:
            return f"{name} should be {what}: a pair of numbers (latitude, longitude)"
        if not (-90 <= got[0] <= 90 and -180 <= got[1] <= 180):
            return f"{name}: {got} is not a position; put the latitude first"
        return None

    return form


def _fields(**members: Form) -> Form:
    """A dictionary with exactly these keys, each value of its own form."""

    def form(name: str, value: object) -> str | None:
        if not isinstance(value, dict):
            return f"{name} should be a dictionary with the keys {', '.join(members)}"
        if set(value) != set(members):
            return f"{name} should have exactly the keys {', '.join(members)}"
        for key, member in members.items():
            problem = member(f'{name}["{key}"]', value[key])
            if problem:
                return problem
        return None

    return form


def _each(what: str, member: Form, size: int | None = None) -> Form:
    """A dictionary ``name -> value``, every value of the same form."""

    def form(name: str, value: object) -> str | None:
        if not isinstance(value, dict) or not value:
            return f"{name} should be a dictionary {what}"
        if size is not None and len(value) != size:
            return f"{name} has {len(value)} entries; it should have {size}, {what}"
        for key, item in value.items():
            problem = member(f"{name}[{key!r}]", item)
            if problem:
                return problem
        return None

    return form


FORMS: dict[str, dict[str, Form]] = {
    "lab0_evidence": {
        "exhibit_sha256": _text("the SHA-256 in hexadecimal (64 characters)"),
        "notes_db_path": _text("the path on the device, /data/..."),
        "wal_only_note": _text("the note's title"),
        "sealed_by": _text("the name of the person who sealed the exhibit"),
        "decoded": _each("field -> pd.Timestamp in UTC", _time("a time in UTC"), size=4),
    },
    "lab1_phone": {
        "device": _fields(android_model=_text("the model"), ios_version=_text("the version")),
        "top_correspondent": _text(
            "the phone number",
            "top_correspondent is a count: give the phone number, not the count "
            "(.value_counts().index[0] is the number, .iloc[0] how many times it appears)",
        ),
        "longest_call": _fields(
            number=_text(
                "the phone number",
                'longest_call["number"] is a number: give the phone number as text, from '
                'the "number" column',
            ),
            duration_s=_number("the duration in seconds"),
        ),
        "group_messages": _whole("the number of messages"),
        "hidden_wifi_password": _text("the password"),
        "hidden_wifi_ios_last_joined": _time("a time in UTC"),
        "dji_app_installed": _time("a time in UTC"),
        "photo_place": _pair("where the photo was taken"),
        "photo_utc": _time("a time in UTC"),
    },
    "lab2_drone": {
        "liftoff_utc": _time("a time in UTC"),
        "home": _pair("the home position"),
        "breach_utc": _time("a time in UTC"),
        "release_utc": _time("a time in UTC"),
        "release_point": _pair("the release position"),
        "pilot": _pair("the pilot's position"),
        "max_alt": _number("a height in metres"),
    },
    "lab3_dji": {
        "scout_serial": _text("the serial number"),
        "scout_start_utc": _time("a time in UTC"),
        "pilot_position": _pair("the pilot's position"),
        "drop_facts": _fields(
            aircraft_serial=_text("the serial number"),
            start_utc=_time("a time in UTC"),
            home=_pair("the home position"),
        ),
        "srt_first_utc": _time("a time in UTC (did you give read_srt the zone?)"),
        "photos_utc": _each("file name -> time in UTC", _time("a time in UTC"), size=3),
        "lowest_photo": _text("a file name, e.g. DJI_0001.JPG"),
    },
    "lab4_voip": {
        "call_states": _each("state -> number of calls", _whole("a number of calls")),
        "rejected_caller": _text("a SIP address, user@domain"),
        "worst_stream": _text(
            'the SSRC as shown, e.g. "0x1A2B3C4D"',
            "worst_stream is a number: give the SSRC as shown in the ssrc column "
            '(text such as "0x1A2B3C4D"), not the number of packets lost',
        ),
        "worst_lost": _whole("the number of packets lost"),
        "wav_seconds": _number("a duration in seconds"),
        "dtmf_digits": _text("the digits as text, e.g. '1590'"),
        "inband_digits": _text("the digits as text"),
        "sip_password": _text(
            "the password (None means no word of the list matched: check the user name)"
        ),
    },
}


def answer_feedback(lab: str, question: str, answer: object) -> str | None:
    """What to fix in the *form* of ``answer`` (None when the form is right). Needs no key:
    it cannot say whether the answer is right, only whether it can be."""
    form = FORMS.get(lab, {}).get(question)
    return None if form is None else form(question, answer)


def assert_answer_form(lab: str, question: str, answer: object) -> None:
    """The visible part of a check cell: raise AssertionError saying what to fix."""
    problem = answer_feedback(lab, question, answer)
    if problem:
        raise AssertionError(problem)


def check(lab: str, question: str, answer: object) -> bool:
    """Is ``answer`` right for this trainee? For the autograder's hidden tests only: it
    needs the course secret, and says nothing but True or False."""
    key = lab_answer_key(lab, current_trainee())
    expected, same = QUESTIONS[lab][question]
    return bool(same(answer, expected(key)))


# -- the capstone's judgement questions (issue 15): comparators added after the generic ones --


def _whole_count(answer: object, expected: object) -> bool:
    """A count: a whole number (a numpy integer too, or a float with no fraction) equal to
    the expected one; True/False are not counts."""
    if isinstance(answer, bool | np.bool_) or not isinstance(answer, int | float | np.number):
        return False
    value = float(answer)
    return math.isfinite(value) and value.is_integer() and int(value) == int(expected)  # type: ignore[call-overload]


def _settled_report(answer: object, expected: object) -> bool:
    """The report of :func:`_report`, settled: no finding left ambiguous (a playbook's
    candidates handed on unsettled), and the drop flight's take-off among its findings (an
    ISO time within the key's tolerance)."""
    import re

    if not isinstance(expected, dict) or not _report(answer, expected):
        return False
    assert isinstance(answer, str)
    section = answer.split('<h2 id="findings">', 1)[1].split("<h2 ", 1)[0]
    if "ambiguous" in section.lower():
        return False
    fact = expected["takeoff"]
    near = _within_s(float(fact["tolerance"]))
    stamps = re.findall(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)", section)
    return any(near(t, fact["value"]) for t in stamps)


# The capstone's questions that need judgement (the trap answers of case/traps.py): what
# `case findings` lists as ambiguous or cannot know (the alibi's window is in the brief).
QUESTIONS["lab5_capstone"]["alibi_calls"] = (
    lambda k: k["facts"]["alibi_calls"]["value"],
    _whole_count,
)
QUESTIONS["lab5_capstone"]["report"] = (
    lambda k: {
        "sip_account": k["facts"]["contraband_sip_account"]["value"],
        "takeoff": k["facts"]["takeoff_utc"],
    },
    _settled_report,
)
