"""What the extras generator makes, as records: browser visits and downloads, saved Wi-Fi
networks, installed apps, and the Extras that holds them (the answer key's source)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from forensics_datasets.phone.scenario import json_ready


@dataclass(frozen=True)
class Visit:
    time: pd.Timestamp
    url: str
    title: str
    typed: bool


@dataclass(frozen=True)
class Download:
    """A file Chrome downloaded: ``url`` (the chain's last URL), from the page ``tab_url``."""

    start: pd.Timestamp
    end: pd.Timestamp
    url: str
    tab_url: str
    target_path: str
    mime_type: str
    size: int


@dataclass(frozen=True)
class WifiNetwork:
    ssid: str
    bssid: str
    security: str  # WPA_PSK, OPEN
    psk: str | None
    hidden: bool
    added: pd.Timestamp
    last_joined: pd.Timestamp


@dataclass(frozen=True)
class App:
    app_id: str
    version: str
    version_code: int
    installed: pd.Timestamp
    updated: pd.Timestamp
    installer: str | None
    uid: int


@dataclass
class Extras:
    seed: int
    visits: list[Visit] = field(default_factory=list)
    wifi: list[WifiNetwork] = field(default_factory=list)
    apps: list[App] = field(default_factory=list)
    ios_apps: list[str] = field(default_factory=list)
    downloads: list[Download] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return json_ready(asdict(self))  # type: ignore[no-any-return]
