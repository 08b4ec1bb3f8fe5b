"""Saved Wi-Fi networks: Android's WifiConfigStore.xml and iOS's com.apple.wifi.known-
networks.plist."""

from __future__ import annotations

import plistlib
from typing import Any
from xml.sax.saxutils import quoteattr

from forensics_datasets.phone.extras_model import WifiNetwork

# -- wifi ------------------------------------------------------------------------------------


def _quoted(text: str) -> str:
    return quoteattr(text)[1:-1]


def wifi_config_store(networks: list[WifiNetwork]) -> bytes:
    """``WifiConfigStore.xml`` as WifiConfigStore writes it (Android 11+ layout)."""
    lines = [
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>",
        "<WifiConfigStoreData>",
        '<int name="Version" value="3" />',
        "<NetworkList>",
    ]
    for n in networks:
        # WifiConfiguration.getKey(): quoted SSID + key management (WPA_PSK / NONE).
        key_mgmt = "NONE" if n.security == "OPEN" else n.security
        ssid = _quoted(f'"{n.ssid}"')
        psk = (
            f'<string name="PreSharedKey">{_quoted(chr(34) + n.psk + chr(34))}</string>'
            if n.psk
            else '<null name="PreSharedKey" />'
        )
        lines += [
            "<Network>",
            "<WifiConfiguration>",
            f'<string name="ConfigKey">{ssid}{key_mgmt}</string>',
            f'<string name="SSID">{ssid}</string>',
            f'<string name="BSSID">{n.bssid}</string>',
            psk,
            '<null name="WEPKeys" />',
            '<int name="WEPTxKeyIndex" value="0" />',
            f'<boolean name="HiddenSSID" value="{str(n.hidden).lower()}" />',
            '<boolean name="RequirePMF" value="false" />',
            '<byte-array name="AllowedKeyMgmt" num="1">'
            + ("01" if n.security == "OPEN" else "02")
            + "</byte-array>",
            '<int name="CreatorUid" value="1000" />',
            '<string name="CreatorName">android.uid.system:1000</string>',
            '<int name="NumAssociation" value="3" />',
            "</WifiConfiguration>",
            "<NetworkStatus>",
            '<string name="SelectionStatus">NETWORK_SELECTION_ENABLED</string>',
            '<string name="DisableReason">NETWORK_SELECTION_ENABLE</string>',
            '<boolean name="HasEverConnected" value="true" />',
            "</NetworkStatus>",
            "<IpConfiguration>",
            '<string name="IpAssignment">DHCP</string>',
            '<string name="ProxySettings">NONE</string>',
            "</IpConfiguration>",
            "</Network>",
        ]
    lines += ["</NetworkList>", "</WifiConfigStoreData>", ""]
    return "\n".join(lines).encode("utf-8")


def known_networks_plist(networks: list[WifiNetwork]) -> bytes:
    """``com.apple.wifi.known-networks.plist`` (binary), one entry per network."""
    root: dict[str, Any] = {}
    for n in networks:
        entry: dict[str, Any] = {
            "SSID": n.ssid.encode("utf-8"),
            "AddedAt": n.added.tz_convert(None).to_pydatetime(),
            "JoinedByUserAt": n.last_joined.tz_convert(None).to_pydatetime(),
            "SupportedSecurityTypes": 0 if n.security == "OPEN" else 16,
            "Hidden": n.hidden,
            "BSSList": [
                {
                    "BSSID": n.bssid,
                    "Channel": 6,
                    "LastAssociatedAt": n.last_joined.tz_convert(None).to_pydatetime(),
                }
            ],
            "__OSSpecific__": {"TemporarilyDisabled": False},
        }
        root[f"wifi.network.ssid.{n.ssid}"] = entry
    return plistlib.dumps(root, fmt=plistlib.FMT_BINARY, sort_keys=True)
