"""What the WhatsApp writers share: the app's paths, the epochs (Unix ms, Cocoa seconds), message
keys, the media records (WaMedia) and the LID JIDs of the scenario's people."""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from forensics_datasets.phone.scenario import Scenario

ANDROID_MSGSTORE = "data/data/com.whatsapp/databases/msgstore.db"
IOS_APP_GROUP = "private/var/mobile/Containers/Shared/AppGroup/1A2B3C4D-0000-4000-8000-00000000A001"
COCOA_EPOCH_NS = 978_307_200 * 10**9


def unix_ms(ts: pd.Timestamp) -> int:
    return int(ts.value // 1_000_000)


def cocoa_s(ts: pd.Timestamp) -> float:
    return (int(ts.value) - COCOA_EPOCH_NS) / 1e9


def message_key(seed: int, i: int) -> str:
    return f"3EB0{seed:04X}{i:012X}"


@dataclass(frozen=True)
class WaMedia:
    """A picture attached to a WhatsApp message (its text is the caption)."""

    index: int  # the message's index in scenario.wa_messages
    file_name: str
    mime_type: str
    size: int
    width: int
    height: int
    media_key: bytes  # the 32-byte key the app downloads and decrypts the file with
    file_hash: str  # base64 SHA-256 of the plain file, as message_media.file_hash holds it
    enc_file_hash: str  # base64 SHA-256 of the encrypted upload

    def android_path(self, outgoing: bool) -> str:
        """``message_media.file_path``: relative to the WhatsApp folder of shared storage
        (``/storage/emulated/0/Android/media/com.whatsapp/WhatsApp/``); sent pictures under
        ``Sent/``."""
        return "Media/WhatsApp Images/" + ("Sent/" if outgoing else "") + self.file_name

    def ios_path(self, chat_jid: str) -> str:
        """``ZWAMEDIAITEM.ZMEDIALOCALPATH``: ``Media/<jid>/<x>/<y>/<uuid>.jpg`` under the app
        group's ``Message/`` folder."""
        uuid = hashlib.sha256(self.media_key).hexdigest()
        stem = f"{uuid[:8]}-{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:32]}"
        return f"Media/{chat_jid}/{uuid[32]}/{uuid[33]}/{stem}.jpg"


def wa_media(scenario: Scenario, every: int = 5) -> dict[int, WaMedia]:
    """The messages of ``scenario.wa_messages`` sent as a picture with a caption: about one
    in ``every``, drawn from the seed apart from the scenario's own draws (so the scenario
    is unchanged). Message type 1 ("Picture") on Android and iOS; the caption is the
    message's text (Android ``message.text_data``, iOS ``ZWAMEDIAITEM.ZTITLE``)."""
    rng = random.Random(f"wa-media-{scenario.seed}")
    out: dict[int, WaMedia] = {}
    for i, message in enumerate(scenario.wa_messages):
        if rng.random() >= 1 / every:
            continue
        n = len(out) + 1
        plain, encrypted = rng.randbytes(32), rng.randbytes(32)
        out[i] = WaMedia(
            index=i,
            file_name=f"IMG-{message.time:%Y%m%d}-WA{n:04d}.jpg",
            mime_type="image/jpeg",
            size=rng.randint(40_000, 2_500_000),
            width=1600,
            height=1200,
            media_key=rng.randbytes(32),
            file_hash=base64.b64encode(plain).decode(),
            enc_file_hash=base64.b64encode(encrypted).decode(),
        )
    return out


def media_notes(
    scenario: Scenario, media: dict[int, WaMedia], os: Literal["android", "ios"]
) -> list[dict[str, Any]]:
    """The answer key of the media rows: per picture message, what the database holds."""
    notes = []
    for i, item in sorted(media.items()):
        m = scenario.wa_messages[i]
        path = item.android_path(m.outgoing) if os == "android" else item.ios_path(m.chat_jid)
        notes.append(
            {
                "index": i,
                "key_id": message_key(scenario.seed, i),
                "file_path": path,
                "mime_type": item.mime_type,
                "size": item.size,
                "caption": m.body,
            }
        )
    return notes


def lid_jids(scenario: Scenario, lid_every: int = 3) -> dict[str, str]:
    """Phone jid -> privacy "LID" jid of every ``lid_every``-th 1:1 chat (in first-message
    order): the chats :func:`write_android_whatsapp` stores under their LID."""
    chats: dict[str, None] = {}
    for message in scenario.wa_messages:
        chats.setdefault(message.chat_jid, None)
    one_to_one = [c for c in chats if c.endswith("@s.whatsapp.net")]
    chosen = [c for n, c in enumerate(one_to_one) if n % lid_every == 0]
    return {chat: f"{90000000000000 + n}@lid" for n, chat in enumerate(chosen)}
