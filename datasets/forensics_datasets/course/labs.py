"""The lab data generators: which generator writes each lab's data and the answer key it returns."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forensics_datasets.demo import make_demo_case


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
    from forensics_datasets.media.photo import write_photo

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
    from forensics_datasets.drone.case import make_drone_case
    from forensics_datasets.drone.flight import simulate_flight

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
    from forensics_datasets.drone.dji_txt import simple_dji_flight, write_dji_txt
    from forensics_datasets.drone.flight import simulate_flight
    from forensics_datasets.drone.srt import write_srt

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
    from forensics_datasets.voip.capture import make_voip_capture
    from forensics_datasets.voip.sip import WEAK_PASSWORDS

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
