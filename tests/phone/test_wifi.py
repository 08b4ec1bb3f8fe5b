"""Wi-Fi networks (forensics_lib.phone.wifi): a hostile WifiConfigStore.xml is refused.

Truth: the documented contract (forensics_lib.errors: ParseError naming file and offset).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from forensics_lib.errors import ParseError
from forensics_lib.phone.wifi import read_android_wifi


def test_wifi_entity_bomb_refused(tmp_path: Path) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<WifiConfigStoreData>&b;</WifiConfigStoreData>"
    )
    path = tmp_path / "WifiConfigStore.xml"
    path.write_bytes(bomb)
    with pytest.raises(ParseError, match="refused"):
        read_android_wifi(path)
