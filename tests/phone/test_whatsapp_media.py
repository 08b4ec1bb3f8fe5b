"""WhatsApp picture messages: their media rows as the app writes them, and the kit reports them.

Android ``msgstore.db``: ``message.message_type`` 1 (Picture, ALEAPP's label), the caption in
``message.text_data``, one ``message_media`` row keyed by ``message_row_id`` (``file_path``
relative to the WhatsApp folder, ``mime_type``, ``file_size``, ``media_key``, base64
``file_hash``). iOS ``ChatStorage.sqlite``: ``ZMESSAGETYPE`` 1, ``ZTEXT`` NULL, a
``ZWAMEDIAITEM`` row (``ZMESSAGE`` = the message's ``Z_PK``, ``ZMEDIALOCALPATH``,
``ZFILESIZE``, the caption in ``ZTITLE``). Truth: the writer's answer key
(``writer.whatsapp.media``) and ALEAPP's own message query (``test_gen_aleapp_schema``).
"""

from __future__ import annotations

import base64
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from forensics_datasets.phone import make_phone_extraction

from forensics_lib.phone import open_extraction
from tests.datasets.test_aleapp_schema import ALEAPP_WA_GROUP, ALEAPP_WA_ONE_TO_ONE

SEED = 22


def _phone(out: Path, os_name: str) -> tuple[Path, dict[str, Any]]:
    case = make_phone_extraction(out, os=os_name, seed=SEED, container="dir")  # type: ignore[arg-type]
    return case.exhibit, case.answer_key


@pytest.fixture(scope="module")
def android(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    return _phone(tmp_path_factory.mktemp("wa_android"), "android")


@pytest.fixture(scope="module")
def ios(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    return _phone(tmp_path_factory.mktemp("wa_ios"), "ios")


def _copy(exhibit: Path, name: str, tmp: Path) -> Path:
    found = next(p for p in exhibit.rglob(name) if p.is_file())
    for part in found.parent.glob(name + "*"):
        shutil.copyfile(part, tmp / part.name)
    return tmp / name


def test_android_message_media_rows(android: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    exhibit, key = android
    media = key["writer"]["whatsapp"]["media"]
    messages = key["scenario"]["wa_messages"]
    assert 0 < len(media) < len(messages)  # some pictures, mostly text
    db = _copy(exhibit, "msgstore.db", tmp_path)
    wa = _copy(exhibit, "wa.db", tmp_path)
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT m.key_id, m.message_type, m.text_data, mm.file_path, mm.mime_type, "
            "mm.file_size, length(mm.media_key), mm.file_hash FROM message_media AS mm "
            "JOIN message AS m ON m._id = mm.message_row_id ORDER BY m._id"
        ).fetchall()
        conn.execute("ATTACH DATABASE ? AS wadb", (str(wa),))
        aleapp = conn.execute(ALEAPP_WA_ONE_TO_ONE).fetchall()
        aleapp += conn.execute(ALEAPP_WA_GROUP).fetchall()
    finally:
        conn.close()
    assert [(r[0], r[3], r[4], r[5]) for r in rows] == [
        (m["key_id"], m["file_path"], "image/jpeg", m["size"]) for m in media
    ]
    assert all(r[1] == 1 and r[6] == 32 and len(base64.b64decode(r[7])) == 32 for r in rows)
    assert [r[2] for r in rows] == [m["caption"] for m in media]
    # ALEAPP labels them "Picture" and shows their file path beside the caption.
    pictures = sorted((r[-9], r[-8]) for r in aleapp if "Picture" in r)  # text_data, file_path
    assert pictures == sorted((m["caption"], m["file_path"]) for m in media)
    assert all(p.startswith("Media/WhatsApp Images/") for _c, p in pictures)


def test_android_reader_reports_media_columns(android: tuple[Path, dict[str, Any]]) -> None:
    exhibit, key = android
    media = {m["key_id"]: m for m in key["writer"]["whatsapp"]["media"]}
    with open_extraction(exhibit) as ext:
        frame = ext.read("whatsapp_messages")
    assert len(frame) == len(key["scenario"]["wa_messages"])
    with_media = frame[frame["media_path"].notna()].set_index("key_id")
    assert set(with_media.index) == set(media)
    for key_id, row in with_media.iterrows():
        want = media[str(key_id)]
        assert (row["media_path"], row["media_mime_type"], row["media_size"]) == (
            want["file_path"],
            "image/jpeg",
            want["size"],
        )
        assert row["message_type_label"] == "Picture" and row["body"] == want["caption"]
    text = frame[frame["media_path"].isna()]
    assert set(text["message_type_label"]) == {"Text"}


def test_ios_media_items_and_reader(ios: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    exhibit, key = ios
    media = key["writer"]["whatsapp"]["media"]
    assert media
    db = _copy(exhibit, "ChatStorage.sqlite", tmp_path)
    conn = sqlite3.connect(db)
    try:
        # iLEAPP's join: ZWAMEDIAITEM.ZMESSAGE = ZWAMESSAGE.Z_PK
        rows = conn.execute(
            "SELECT m.ZSTANZAID, m.ZMESSAGETYPE, m.ZTEXT, i.ZMEDIALOCALPATH, i.ZFILESIZE, "
            "i.ZTITLE, m.ZMEDIAITEM = i.Z_PK FROM ZWAMEDIAITEM AS i "
            "JOIN ZWAMESSAGE AS m ON i.ZMESSAGE = m.Z_PK ORDER BY m.Z_PK"
        ).fetchall()
    finally:
        conn.close()
    assert [(r[0], r[3], r[4], r[5]) for r in rows] == [
        (m["key_id"], m["file_path"], m["size"], m["caption"]) for m in media
    ]
    assert all(r[1] == 1 and r[2] is None and r[6] == 1 for r in rows)
    with open_extraction(exhibit) as ext:
        frame = ext.read("whatsapp_messages")
    by_key = frame.set_index("key_id")
    for m in media:
        row = by_key.loc[m["key_id"]]
        assert (row["media_path"], row["media_size"], row["body"]) == (
            m["file_path"],
            m["size"],
            m["caption"],  # ZTEXT is NULL: the caption comes from ZTITLE
        )
        assert row["message_type_label"] == "Picture"
    # Every message still has its text (or caption), as the scenario wrote it.
    assert sorted(frame["body"]) == sorted(x["body"] for x in key["scenario"]["wa_messages"])
