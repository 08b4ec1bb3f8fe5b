"""SIP digest (forensics_lib.voip.auth): the one HA1 and response implementation.

Truth: RFC 2617 section 3.5's worked example (user Mufasa, realm testrealm@host.com,
password "Circle Of Life", GET /dir/index.html, qop=auth): response
6629fae49393a05397450978507c4ef1; its HA1 = MD5("Mufasa:testrealm@host.com:Circle Of Life")
= 939e7578ed9e3c518a452acee763bce9 (as sipdump/sipcrack and Linphone's ha1 store it).
"""

from __future__ import annotations

import pytest

from forensics_lib.voip.auth import (
    check_digest_password,
    digest_ha1,
    digest_response,
    recover_password,
)

ROW = {
    "username": "Mufasa",
    "realm": "testrealm@host.com",
    "method": "GET",
    "uri": "/dir/index.html",
    "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093",
    "cnonce": "0a4f113b",
    "nc": "00000001",
    "qop": "auth",
    "algorithm": "MD5",
    "response": "6629fae49393a05397450978507c4ef1",
}


def test_rfc2617_example() -> None:
    assert digest_ha1("Mufasa", "testrealm@host.com", "Circle Of Life") == (
        "939e7578ed9e3c518a452acee763bce9"
    )
    args = {k: str(v) for k, v in ROW.items() if k != "response"}
    assert digest_response(password="Circle Of Life", **args) == ROW["response"]
    assert check_digest_password(ROW, "Circle Of Life")
    assert recover_password(ROW, ["lion", "Circle Of Life\n"]) == "Circle Of Life"


def test_sess_and_unknown_algorithms() -> None:
    # -sess hashes the same HA1 again: digest_ha1 ignores the suffix
    assert digest_ha1("a", "r", "p", "MD5-sess") == digest_ha1("a", "r", "p")
    with pytest.raises(ValueError, match="unsupported"):
        digest_ha1("a", "r", "p", "SHA-1")
