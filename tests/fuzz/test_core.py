"""Hostile and broken input: only the kit's typed errors may come out, never a crash from
deep inside a library, and never a hang.

Truth: the documented contract (forensics_lib.errors); inputs are valid exhibits and
custody logs with bytes flipped, inserted or cut off by hypothesis.
"""

from __future__ import annotations

import contextlib
import io
import json
import tarfile
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics_lib.custody import CustodyLog, read_custody_log
from forensics_lib.errors import ForensicsError, ForensicsWarning
from forensics_lib.evidence import Evidence
from tests.conftest import examples

SETTINGS = settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ENTRIES = {
    "/filesystem2/data/data/app/databases/a.db": b"SQLite format 3\x00" + bytes(range(256)) * 8,
    "/filesystem2/data/media/0/b.txt": b"hello " * 50,
    "Dump/c/../d.bin": b"\x00" * 100,
}


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in ENTRIES.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _tar_bytes(mode: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tf:  # type: ignore[call-overload]
        for name, data in ENTRIES.items():
            info = tarfile.TarInfo(name.lstrip("/"))
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


VALID = {"zip": _zip_bytes(), "tar": _tar_bytes("w"), "tgz": _tar_bytes("w:gz")}


@st.composite
def damaged(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(sorted(VALID)))
    data = bytearray(VALID[kind])
    for _ in range(draw(st.integers(1, 6))):
        action = draw(st.sampled_from(["flip", "cut", "insert"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if action == "flip" and data:
            data[pos] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[pos:]
        else:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
    return kind, bytes(data)


def _read_everything(path: Path) -> None:
    with Evidence(path) as ev:
        for member in ev.files():
            ev.read_bytes(member)
        for member in ev.files()[:2]:
            ev.file(member).materialize()


@SETTINGS
@given(case=damaged())
def test_damaged_archives_raise_only_typed_errors(case: tuple[str, bytes], tmp_path: Path) -> None:
    kind, data = case
    path = tmp_path / f"exhibit.{kind}"
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForensicsWarning)  # "listing stopped early" is fine
        with contextlib.suppress(ForensicsError):
            _read_everything(path)
    assert path.read_bytes() == data  # and the exhibit is untouched


def _valid_log(tmp: Path) -> bytes:
    log = CustodyLog(tmp / "seed.jsonl")
    log.append(who="A", action="seized", exhibit="E", time=pd.Timestamp("2024-01-01T00:00:00Z"))
    log.append(who="B", action="sealed", exhibit="E", sha256="ab" * 32)
    return log.path.read_bytes()


@SETTINGS
@given(
    cut=st.integers(0, 600),
    junk=st.binary(max_size=40),
    field=st.sampled_from(["seq", "time_utc", "who", "sha256", "prev_hash"]),
    value=st.one_of(st.none(), st.integers(), st.text(max_size=12), st.floats(), st.booleans()),
)
def test_damaged_custody_logs_raise_parse_errors(
    tmp_path: Path, cut: int, junk: bytes, field: str, value: object
) -> None:
    lines = _valid_log(tmp_path).splitlines(keepends=True)
    record = json.loads(lines[0])
    record[field] = value
    lines[0] = json.dumps(record).encode() + b"\n"
    data = b"".join(lines)
    data = data[:cut] + junk + data[cut:]
    path = tmp_path / "custody.jsonl"
    path.write_bytes(data)
    try:
        frame = read_custody_log(path)
    except ForensicsError:
        return
    assert str(frame["time"].dtype) == "datetime64[ns, UTC]"
    with contextlib.suppress(ForensicsError):
        CustodyLog(path).verify()


def test_a_type_confused_custody_line_names_file_and_offset(tmp_path: Path) -> None:
    data = _valid_log(tmp_path)
    first, second = data.splitlines(keepends=True)
    record = json.loads(second)
    record["time_utc"] = "yesterday-ish"
    path = tmp_path / "custody.jsonl"
    path.write_bytes(first + json.dumps(record).encode() + b"\n")
    with pytest.raises(ForensicsError, match=rf"custody\.jsonl at offset {len(first)}"):
        read_custody_log(path)
