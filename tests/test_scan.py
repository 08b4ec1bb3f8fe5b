"""Scanning exhibits: parsers applied by path, broken files skipped with a warning.

Truth: custody logs we write ourselves, and a deliberately corrupt one.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from forensics_lib.custody import CustodyLog
from forensics_lib.errors import ForensicsWarning
from forensics_lib.scan import scan


def _log(path: Path, who: str, when: str) -> None:
    CustodyLog(path).append(who=who, action="seized", exhibit="E", time=pd.Timestamp(when))


def test_scan_a_directory_and_a_zip(tmp_path: Path) -> None:
    folder = tmp_path / "case"
    (folder / "a").mkdir(parents=True)
    _log(folder / "a" / "custody.jsonl", "first", "2024-01-01T10:00:00Z")
    archive = tmp_path / "case.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(folder / "a" / "custody.jsonl", "/filesystem1/x/custody.jsonl")
    for exhibit in (folder, archive):
        result = scan(exhibit)
        assert list(result.frames) == ["custody.log"]
        frame = result.frames["custody.log"]
        assert frame["who"].tolist() == ["first"]
        tl = result.timeline()
        assert tl["event"].tolist() == ["custody: seized"]
        assert tl["exhibit"].tolist() == [exhibit.name]
        assert tl["time"].iloc[0] == pd.Timestamp("2024-01-01T10:00:00Z")


def test_a_broken_file_is_skipped_and_the_scan_goes_on(tmp_path: Path) -> None:
    (tmp_path / "good").mkdir()
    (tmp_path / "bad").mkdir()
    _log(tmp_path / "good" / "custody.jsonl", "kept", "2024-01-01T10:00:00Z")
    (tmp_path / "bad" / "custody.jsonl").write_text('{"seq": 1}\nnot json\n')
    with pytest.warns(ForensicsWarning, match=r"skipped .*bad/custody\.jsonl"):
        result = scan(tmp_path)
    assert result.frames["custody.log"]["who"].tolist() == ["kept"]
    [(artifact_id, where, reason)] = result.problems
    assert artifact_id == "custody.log" and where.endswith("/bad/custody.jsonl")
    assert "offset 0" in reason  # the first line is where it breaks


def test_magic_finds_files_by_content_whatever_their_name(tmp_path: Path) -> None:
    from forensics_lib.evidence import Evidence
    from forensics_lib.scan import candidates
    from forensics_lib.schema import ArtifactSpec

    # pcap's magic, little-endian microseconds (a4 b2 c3 d4 written as d4 c3 b2 a1)
    spec = ArtifactSpec(
        id="test.pcap",
        family="test",
        description="x",
        columns=(),
        magic=((0, b"\xd4\xc3\xb2\xa1"),),
    )
    (tmp_path / "renamed.jpg").write_bytes(b"\xd4\xc3\xb2\xa1" + b"\x00" * 20)
    (tmp_path / "capture.pcap").write_bytes(b"not a capture at all")
    with Evidence(tmp_path) as ev:
        assert [f.path for f in candidates(ev, spec)] == ["/renamed.jpg"]


def test_no_file_of_the_shared_samples_is_dropped_silently(samples: Path) -> None:
    """Every real sample file is either read by some artifact's parser (and then counted in
    ``files``), or listed in ``unread`` with the reason; whatever the readers make of it
    (other work changes them), none vanishes. Truth: the folder's own listing."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForensicsWarning)  # the readers' own verdicts
        result = scan(samples)
    on_disk = {f"{samples.name}!/{p.relative_to(samples).as_posix()}"
               for p in samples.rglob("*") if p.is_file()}  # fmt: skip
    read = {path for paths in result.files.values() for path in paths}
    unread = {path for path, _ in result.unread}
    assert on_disk == read | unread and not read & unread
    assert f"{samples.name}!/README.md" in unread  # a text file no reader knows
    refused = {path for _, path, _ in result.problems}
    assert refused <= read  # a refused file was tried by a reader, and says why
