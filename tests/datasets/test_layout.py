"""The datasets mirror the families (issue 16), and the move changed no generator's bytes.

Truth: SHA-256 of files written by the generators *before* the restructuring (commit 9416857,
recorded on 2026-12-03 with SQLite 3.40.1 and zlib 1.2.13), for seed 0. SQLite files and zip
members depend on the library that wrote them, so those hashes are checked only under the
versions they were recorded with. The old import paths (notebooks import them) must still
give the very objects the new modules define.
"""

from __future__ import annotations

import hashlib
import importlib
import sqlite3
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

RECORDED_SQLITE = "3.40.1"
RECORDED_ZLIB = "1.2.13"

# old path -> (name, module that defines it now)
OLD_PATHS: list[tuple[str, str, str]] = [
    ("forensics_datasets.drone", "simulate_flight", "forensics_datasets.drone.flight"),
    ("forensics_datasets.drone", "write_tlog", "forensics_datasets.drone.tlog"),
    ("forensics_datasets.drone", "write_dataflash", "forensics_datasets.drone.dataflash"),
    ("forensics_datasets.drone", "write_srt", "forensics_datasets.drone.srt"),
    ("forensics_datasets.drone", "write_photo", "forensics_datasets.media.photo"),
    ("forensics_datasets.drone", "make_drone_case", "forensics_datasets.drone.case"),
    ("forensics_datasets.dji_txt", "write_dji_txt", "forensics_datasets.drone.dji_txt"),
    ("forensics_datasets.dji_txt", "xor_key", "forensics_datasets.drone.dji_txt"),
    ("forensics_datasets.srt", "write_dji_srt", "forensics_datasets.drone.srt"),
    ("forensics_datasets.ulog", "write_ulog", "forensics_datasets.drone.ulog"),
    ("forensics_datasets.voip", "make_voip_capture", "forensics_datasets.voip.capture"),
    ("forensics_datasets.voip", "LINKS", "forensics_datasets.voip.packets"),
    ("forensics_datasets.course", "LABS", "forensics_datasets.course.labs"),
    ("forensics_datasets.course", "QUESTIONS", "forensics_datasets.course.answers"),
    ("forensics_datasets.course", "assert_answer_form", "forensics_datasets.course.forms"),
    ("forensics_datasets.course", "_within_s", "forensics_datasets.course.answers"),
    ("forensics_datasets.phone_variants", "write_rooted", "forensics_datasets.phone.layouts"),
    (
        "forensics_datasets.phone_variants",
        "write_damaged_wal",
        "forensics_datasets.phone.wal_damage",
    ),
    (
        "forensics_datasets.phone_variants",
        "write_adb_backup",
        "forensics_datasets.phone.adb_backup",
    ),
    ("forensics_datasets.phone.android", "write_calllog", "forensics_datasets.phone.android_calls"),
    ("forensics_datasets.phone.android", "MMSSMS_SCHEMA", "forensics_datasets.phone.android_sms"),
    ("forensics_datasets.phone.ios", "SMS_SCHEMA", "forensics_datasets.phone.ios_sms"),
    ("forensics_datasets.phone.extras", "search_term", "forensics_datasets.phone.browser"),
    (
        "forensics_datasets.phone.whatsapp",
        "MODERN_SCHEMA",
        "forensics_datasets.phone.whatsapp_android",
    ),
]


@pytest.mark.parametrize(("old", "name", "new"), OLD_PATHS)
def test_old_import_paths_give_the_new_modules_objects(old: str, name: str, new: str) -> None:
    new_name = name.lstrip("_")  # the old private spelling of a name made public
    assert getattr(importlib.import_module(old), name) is getattr(
        importlib.import_module(new), new_name
    )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _drone(out: Path) -> None:
    from forensics_datasets.drone.dataflash import write_dataflash, write_dataflash_legacy
    from forensics_datasets.drone.dji_txt import simple_dji_flight, write_dji_txt
    from forensics_datasets.drone.flight import simulate_flight
    from forensics_datasets.drone.srt import simple_srt_flight, write_dji_srt, write_srt
    from forensics_datasets.drone.tlog import write_noisy_tlog, write_tlog
    from forensics_datasets.drone.ulog import write_ulog

    flight = simulate_flight(0)
    write_tlog(out / "a.tlog", flight)
    write_dataflash(out / "a.bin", flight)
    write_dataflash_legacy(out / "l.bin", flight)
    write_noisy_tlog(out / "n.tlog", flight, seed=0)
    write_srt(out / "a.srt", flight)
    write_ulog(out / "a.ulg", flight)
    write_dji_txt(out / "a.txt", simple_dji_flight(0), seed=0)
    for dialect in ("bracket", "m300"):
        write_dji_srt(out / f"{dialect}.srt", simple_srt_flight(seed=0), dialect)


def _voip(out: Path) -> None:
    from forensics_datasets.voip.capture import make_voip_capture, write_answer_key

    capture = make_voip_capture(out / "c.pcapng", seed=0, fmt="pcapng")
    write_answer_key(capture, out / "key.json")
    make_voip_capture(out / "c.pcap", seed=0)


def _demo(out: Path) -> None:
    from forensics_datasets.demo import make_demo_case

    make_demo_case(out, seed=0)


def _wal(out: Path) -> None:
    from forensics_datasets.phone.wal_damage import write_damaged_wal

    write_damaged_wal(out, damage="salt", seed=0)


RECORDED: dict[str, tuple[Callable[[Path], None], str | None, dict[str, str]]] = {
    # generator -> (writer, library its bytes depend on, {file: sha256 before issue 16})
    "drone": (
        _drone,
        None,
        {
            "a.tlog": "63781022e3c0acc8b18eff914cb462736dab4923c7ae66a74fecacb36db125a4",
            "a.bin": "fd9ddc949daf9e43e9446cd0d2c3f9d0bbfd0712204a2a8339fd845e4f3735ee",
            "l.bin": "ed121afdc95802c5100ce7e213452b36d2f996bdbfbd96b46001fa04fc26377e",
            "n.tlog": "44211c7b78d7ffb20ae5dbaf3301c362d84d4e8b34bdf7872accffad08726e58",
            "a.srt": "4d3626341dc56d617afa64f53c4df419c4436259f46465febe5717caff16cecc",
            "a.ulg": "6bb5e3037eba9b780a92649782d9eb5007640f870e196ae76fc2192aa9809872",
            "a.txt": "5554179efd3754dfd71767a846b726db9c210c6aa435b1026be2a2b4904bef85",
            "bracket.srt": "76467ea8cdab1bf7585998bb2c9c7510f4bfe63d665cdd6c2b88f029d0002ebe",
            "m300.srt": "713780bedb11680f1da1afb5c92439085e1fddbd5f9dee5bdb486487eaee0c48",
        },
    ),
    "voip": (
        _voip,
        None,
        {
            "c.pcap": "033e561dbabcc0a0f50fababea0066c806e9d706046db34738c1d9f6a85366a8",
            "c.pcapng": "f5031a31d4049dd92d2232c2f549da7758be07e3bf24f41634cdd7d4c024c1a9",
            "key.json": "db0cc285f3014e139c82451e3cbb554b7347b5fe9af422fae2ad5cc088130ab2",
        },
    ),
    "demo": (
        _demo,
        "zlib",
        {
            "EXH-001_phone_excerpt.zip": (
                "03decd9ed64f1daa8eb9c147cb22f33157ce10a304f444c51feebd716c6dbb08"
            ),
            "answer_key.json": "665df7ac11baf0f9baa69f99243b086526bc1515b2ca0e36e8d2043051d0c8fb",
        },
    ),
    "phone_wal_salt": (
        _wal,
        "sqlite",
        {
            "android_wal_salt/data/data/com.android.providers.telephony/databases/mmssms.db": (
                "ed33c26ed432ffc249338896553d234cb4a2f27eae81b21fb004431db047f6ba"
            ),
            "android_wal_salt/data/data/com.android.providers.telephony/databases/mmssms.db-wal": (
                "8f5651280204774a653bdfb9c597cf40c96de241036e4db3ad0fe34c03c736d2"
            ),
            "android_wal_salt/data/data/com.android.providers.contacts/databases/calllog.db": (
                "1e1629d31d110e805a21bd9c8da2f17f313ab3b96f5b281ce957671c5f69ede6"
            ),
            "android_wal_salt/data/data/com.whatsapp/databases/msgstore.db": (
                "9f6bc1d9b026b872f1a472c16b3f079d54ca85d084e76cad549f9ae087236234"
            ),
            "android_wal_salt/system/build.prop": (
                "77c1d0cc1be72884d3b2954f4a56d23e7625817cec81c322cff6836dd989f526"
            ),
        },
    ),
}


@pytest.mark.parametrize("generator", sorted(RECORDED))
def test_generators_write_the_bytes_they_wrote_before_the_move(
    generator: str, tmp_path: Path
) -> None:
    write, depends, expected = RECORDED[generator]
    if depends == "sqlite" and sqlite3.sqlite_version != RECORDED_SQLITE:
        pytest.skip(f"recorded with SQLite {RECORDED_SQLITE}, this is {sqlite3.sqlite_version}")
    if depends == "zlib" and zlib.ZLIB_RUNTIME_VERSION != RECORDED_ZLIB:
        pytest.skip(f"recorded with zlib {RECORDED_ZLIB}, this is {zlib.ZLIB_RUNTIME_VERSION}")
    write(tmp_path)
    got = {name: _sha(tmp_path / name) for name in expected}
    assert got == expected
