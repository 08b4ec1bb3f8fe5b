"""One sample file per phone artifact id, for the registry's schema test.

``PHONE_SAMPLES[artifact_id](tmp)`` writes one real-schema file into ``tmp`` (no ``-wal``)
and returns its path and the number of rows its parser must return, the shape
``tests/core/test_registry.py`` SAMPLES expects.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from forensics_datasets.phone.android import (
    CALLLOG_DB,
    CONTACTS2_DB,
    MMSSMS_DB,
    write_android_tree,
)
from forensics_datasets.phone.extras import (
    ANDROID_PACKAGES,
    ANDROID_WIFI,
    APPSTATE_DB,
    CHROME_HISTORY,
    IOS_WIFI,
    SAFARI_HISTORY,
    make_extras,
)
from forensics_datasets.phone.ios import (
    ADDRESSBOOK_DB,
    CALLHISTORY_DB,
    SMS_DB,
    SYSTEM_VERSION,
    write_ios_tree,
)
from forensics_datasets.phone.linphone import (
    ANDROID_CALL_HISTORY,
    ANDROID_LINPHONERC,
    make_linphone,
)
from forensics_datasets.phone.media import (
    GMM_MYPLACES_DB,
    ROUTINED_CACHE_DB,
    camera_files,
    default_drone_logs,
    default_shots,
    drone_log_files,
    make_fixes,
    make_places,
    write_android_places,
    write_ios_fixes,
)
from forensics_datasets.phone.scenario import Scenario, make_scenario
from forensics_datasets.phone.whatsapp import (
    ANDROID_MSGSTORE,
    ANDROID_WA_DB,
    IOS_APP_GROUP,
    wa_contacts_key,
    write_android_wa_contacts,
    write_ios_wa_contacts,
)
from forensics_lib.core import registry

__all__ = ["EXTRA_SAMPLES", "MORE_SAMPLES", "PHONE_SAMPLES", "UFDR_SAMPLES"]

Maker = Callable[[Path], tuple[Path, int]]


def _scenario() -> Scenario:
    return make_scenario(11, contacts=5, messages=20, calls=7, wa_messages=9, wa_calls=4)


def _maker(os: str, rel: str, count: Callable[[Scenario], int]) -> Maker:
    def make(tmp: Path) -> tuple[Path, int]:
        scenario = _scenario()
        with tempfile.TemporaryDirectory() as work:
            tree = Path(work)
            if os == "android":
                write_android_tree(tree, scenario, wal=False, extras=True, linphone=True)
            else:
                write_ios_tree(tree, scenario, wal=False, extras=True, linphone=True)
            dest = tmp / Path(rel).name
            shutil.copyfile(tree / rel, dest)
        return dest, count(scenario)

    return make


PHONE_SAMPLES: dict[str, Maker] = {
    "android.sms": _maker("android", MMSSMS_DB, lambda s: sum(not m.mms for m in s.messages)),
    "android.mms": _maker("android", MMSSMS_DB, lambda s: sum(m.mms for m in s.messages)),
    "android.calls": _maker("android", CALLLOG_DB, lambda s: len(s.calls)),
    "android.contacts": _maker("android", CONTACTS2_DB, lambda s: len(s.contacts)),
    "android.whatsapp_messages": _maker("android", ANDROID_MSGSTORE, lambda s: len(s.wa_messages)),
    "android.whatsapp_calls": _maker("android", ANDROID_MSGSTORE, lambda s: len(s.wa_calls)),
    "ios.sms": _maker("ios", SMS_DB, lambda s: len(s.messages)),
    "ios.calls": _maker("ios", CALLHISTORY_DB, lambda s: len(s.calls)),
    "ios.contacts": _maker("ios", ADDRESSBOOK_DB, lambda s: len(s.contacts)),
    "ios.whatsapp_messages": _maker(
        "ios", f"{IOS_APP_GROUP}/ChatStorage.sqlite", lambda s: len(s.wa_messages)
    ),
    "ios.whatsapp_calls": _maker(
        "ios", f"{IOS_APP_GROUP}/CallHistory.sqlite", lambda s: len(s.wa_calls)
    ),
    "phone.device": _maker("ios", SYSTEM_VERSION, lambda s: 1),
}

#: Samples of the browser/Wi-Fi/apps parsers, by the module that holds them.
EXTRA_SAMPLES: dict[str, Maker] = {
    "android.browser_history": _maker(
        "android", CHROME_HISTORY, lambda s: len(make_extras(s.seed).visits)
    ),
    "ios.browser_history": _maker("ios", SAFARI_HISTORY, lambda s: len(make_extras(s.seed).visits)),
    "android.wifi_networks": _maker(
        "android", ANDROID_WIFI, lambda s: len(make_extras(s.seed).wifi)
    ),
    "ios.wifi_networks": _maker("ios", IOS_WIFI, lambda s: len(make_extras(s.seed).wifi)),
    "android.installed_apps": _maker(
        "android", ANDROID_PACKAGES, lambda s: len(make_extras(s.seed).apps)
    ),
    "ios.installed_apps": _maker("ios", APPSTATE_DB, lambda s: len(make_extras(s.seed).ios_apps)),
    "phone.sip_accounts": _maker(
        "android", ANDROID_LINPHONERC, lambda s: len(make_linphone(s.seed).accounts)
    ),
    "phone.sip_calls": _maker(
        "android", ANDROID_CALL_HISTORY, lambda s: len(make_linphone(s.seed).calls)
    ),
}


def _file_maker(write: Callable[[Path], tuple[str, int]]) -> Maker:
    """A sample written by ``write(tree)`` (returns the device path and its row count)."""

    def make(tmp: Path) -> tuple[Path, int]:
        with tempfile.TemporaryDirectory() as work:
            rel, rows = write(Path(work))
            dest = tmp / Path(rel).name
            shutil.copyfile(Path(work) / rel.lstrip("/"), dest)
        return dest, rows

    return make


def _photo(tree: Path) -> tuple[str, int]:
    path, data = next(iter(camera_files("android", default_shots(11)).items()))
    (tree / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
    (tree / path.lstrip("/")).write_bytes(data)
    return path, 1


def _drone_log(tree: Path) -> tuple[str, int]:
    logs, _ = default_drone_logs(11)
    path, data = next(iter(drone_log_files("android", logs).items()))
    (tree / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
    (tree / path.lstrip("/")).write_bytes(data)
    return path, 1


def _places(tree: Path) -> tuple[str, int]:
    write_android_places(tree, make_places(11))
    return GMM_MYPLACES_DB, len(make_places(11))


def _fixes(tree: Path) -> tuple[str, int]:
    write_ios_fixes(tree, make_fixes(11))
    return ROUTINED_CACHE_DB, len(make_fixes(11))


def _contacts(os: str) -> Callable[[Path], tuple[str, int]]:
    def write(tree: Path) -> tuple[str, int]:
        scenario = _scenario()
        if os == "android":
            key = write_android_wa_contacts(tree, scenario)
            return ANDROID_WA_DB, len(key["contacts"])  # address book, LID jids, the group
        write_ios_wa_contacts(tree, scenario)
        return f"{IOS_APP_GROUP}/ContactsV2.sqlite", len(wa_contacts_key(scenario))

    return write


def _deleted_sms(os: str) -> Callable[[Path], tuple[str, int]]:
    """A database with 12 deleted messages; its row count is how many the writer's key says
    are still whole in the file (``bytes_in_file``)."""

    def write(tree: Path) -> tuple[str, int]:
        scenario = _scenario()
        if os == "android":
            notes = write_android_tree(tree, scenario, wal=False, deleted_sms=12)
            rel = MMSSMS_DB
        else:
            notes = write_ios_tree(tree, scenario, wal=False, deleted_sms=12)
            rel = SMS_DB
        return rel, sum(bool(k["bytes_in_file"]) for k in notes["deleted_sms"])

    return write


#: Samples of the media, locations, drone-log and WhatsApp-contact parsers.
MORE_SAMPLES: dict[str, Maker] = {
    "android.media": _file_maker(_photo),
    "ios.media": _file_maker(_photo),
    "phone.photo_locations": _file_maker(_photo),  # the first default shot has GPS
    "android.locations": _file_maker(_places),
    "ios.locations": _file_maker(_fixes),
    "phone.drone_logs": _file_maker(_drone_log),
    "android.whatsapp_contacts": _file_maker(_contacts("android")),
    "ios.whatsapp_contacts": _file_maker(_contacts("ios")),
    "android.sms_deleted": _file_maker(_deleted_sms("android")),
    "ios.sms_deleted": _file_maker(_deleted_sms("ios")),
}
_EXTRA_MODULE = {
    "browser_history": "browser",
    "wifi_networks": "wifi",
    "installed_apps": "apps",
    "sip_accounts": "linphone",
    "sip_calls": "linphone",
    "media": "media",
    "locations": "locations",
    "photo_locations": "locations",
    "drone_logs": "dronelogs",
    "sms_deleted": "sms_deleted",
}


def _registered(artifact_id: str) -> bool:
    """Whether the registry lists the module of an extra artifact (see EXTRA_PHONE_MODULES)."""
    module = "forensics_lib.phone." + _EXTRA_MODULE[artifact_id.split(".", 1)[1]]
    return module in registry.PARSER_MODULES


PHONE_SAMPLES.update({k: v for k, v in EXTRA_SAMPLES.items() if _registered(k)})
PHONE_SAMPLES.update({k: v for k, v in MORE_SAMPLES.items() if "whatsapp" in k or _registered(k)})


def _ufdr_maker(count: Callable[[Scenario, dict[str, list[object]]], int]) -> Maker:
    def make(tmp: Path) -> tuple[Path, int]:
        from forensics_datasets.phone.ufdr import ufdr_report

        scenario = _scenario()
        report, notes = ufdr_report(scenario, extras=True)
        dest = tmp / "report.xml"
        dest.write_bytes(report)
        return dest, count(scenario, notes["extras"])

    return make


#: Samples of the UFDR report parsers (forensics_lib.phone.ufdr): one report.xml each.
UFDR_SAMPLES: dict[str, Maker] = {
    "ufdr.sms": _ufdr_maker(lambda s, e: len(s.messages)),
    "ufdr.calls": _ufdr_maker(lambda s, e: len(s.calls)),
    "ufdr.contacts": _ufdr_maker(lambda s, e: len(s.contacts)),
    "ufdr.chat_messages": _ufdr_maker(lambda s, e: len(s.wa_messages)),
    "ufdr.device": _ufdr_maker(lambda s, e: 1),
    "ufdr.installed_apps": _ufdr_maker(lambda s, e: len(e["apps"])),
    "ufdr.wifi_networks": _ufdr_maker(lambda s, e: len(e["wifi"])),
    "ufdr.locations": _ufdr_maker(lambda s, e: len(e["locations"])),
}
