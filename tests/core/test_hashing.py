"""Hashing and manifests. Truth: the FIPS 180-2 and RFC 1321 test vectors for "abc"."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from forensics_lib.errors import EvidenceIntegrityError, ParseError
from forensics_lib.hashing import (
    build_manifest,
    hash_file,
    load_manifest,
    sha256_file,
    verify_manifest,
    write_manifest,
)

# FIPS 180-2, appendix B.1: SHA-256("abc"); RFC 1321 appendix A.5: MD5("abc").
ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
ABC_MD5 = "900150983cd24fb0d6963f7d28e17f72"


def test_known_vectors(tmp_path: Path) -> None:
    f = tmp_path / "abc.bin"
    f.write_bytes(b"abc")
    assert hash_file(f, ("sha256", "md5")) == {"sha256": ABC_SHA256, "md5": ABC_MD5}
    assert sha256_file(f) == ABC_SHA256


def test_streaming_matches_whole_file_across_chunk_boundaries(tmp_path: Path) -> None:
    # 3 MiB + 7 bytes spans several 1 MiB chunks and a short last one.
    data = bytes(range(256)) * (3 * 4096) + b"tail!!!"
    f = tmp_path / "big.bin"
    f.write_bytes(data)
    assert sha256_file(f, progress=False) == hashlib.sha256(data).hexdigest()


def test_unknown_algorithm_rejected(tmp_path: Path) -> None:
    f = tmp_path / "x"
    f.write_bytes(b"x")
    with pytest.raises(ValueError, match="algorithms"):
        hash_file(f, ("crc32",))


@pytest.fixture
def exhibit(tmp_path: Path) -> Path:
    root = tmp_path / "exhibit"
    (root / "sub").mkdir(parents=True)
    (root / "abc.bin").write_bytes(b"abc")
    (root / "sub" / "empty.bin").write_bytes(b"")
    return root


def test_manifest_records_relative_paths_and_hashes(
    exhibit: Path, unchanged: Callable[[Path], None]
) -> None:
    unchanged(exhibit)
    manifest = build_manifest([exhibit])
    files = {e["path"]: e for e in manifest["files"]}
    assert set(files) == {"abc.bin", "sub/empty.bin"}
    assert files["abc.bin"]["sha256"] == ABC_SHA256
    assert files["abc.bin"]["md5"] == ABC_MD5
    # SHA-256 of the empty string (FIPS 180-2 examples, widely published).
    assert files["sub/empty.bin"]["sha256"] == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert manifest["created_utc"].endswith("Z")


def test_verify_detects_every_kind_of_change(exhibit: Path, tmp_path: Path) -> None:
    out = tmp_path / "manifest.json"
    write_manifest(build_manifest([exhibit]), out)
    assert verify_manifest(out).ok

    (exhibit / "abc.bin").write_bytes(b"abd")
    (exhibit / "sub" / "empty.bin").unlink()
    (exhibit / "new.txt").write_text("planted")
    report = verify_manifest(out)
    assert not report.ok
    assert [m[0] for m in report.mismatched] == ["abc.bin"]
    assert report.mismatched[0][1] == ABC_SHA256
    assert report.missing == ["sub/empty.bin"]
    assert report.extra == ["new.txt"]
    table = report.to_frame()
    assert dict(zip(table["path"], table["status"], strict=True)) == {
        "abc.bin": "MISMATCH",
        "new.txt": "EXTRA",
        "sub/empty.bin": "MISSING",
    }
    with pytest.raises(EvidenceIntegrityError, match=r"abc\.bin"):
        report.raise_for_problems()


def test_verify_a_copy_moved_elsewhere(exhibit: Path, tmp_path: Path) -> None:
    manifest = build_manifest([exhibit])
    moved = tmp_path / "copy"
    shutil.copytree(exhibit, moved)
    shutil.rmtree(exhibit)
    # The recorded root is gone: the manifest beside the copy is relative to its folder.
    write_manifest(manifest, moved / "manifest.json")
    report = verify_manifest(moved / "manifest.json")
    assert report.ok, report.to_frame()
    assert sorted(report.matched) == ["abc.bin", "sub/empty.bin"]


def test_load_manifest_rejects_other_json(tmp_path: Path) -> None:
    f = tmp_path / "m.json"
    f.write_text(json.dumps({"files": []}))
    with pytest.raises(ParseError, match="not a forensics-lib-manifest"):
        load_manifest(f)
    f.write_text("{broken")
    with pytest.raises(ParseError, match="offset 1"):
        load_manifest(f)


def test_relative_root_is_relative_to_the_manifest_not_the_cwd(
    exhibit: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = build_manifest([exhibit])
    manifest["root"] = "."
    write_manifest(manifest, exhibit / "hashes.json")
    monkeypatch.chdir(tmp_path)  # somewhere else entirely
    report = verify_manifest(exhibit / "hashes.json")
    assert report.ok, report.to_frame()
    assert report.root == exhibit.resolve()


def test_manifest_of_chosen_files_does_not_report_neighbours(exhibit: Path) -> None:
    manifest = build_manifest([exhibit / "abc.bin"])
    assert manifest["complete"] is False
    (exhibit / "notes.txt").write_text("case notes beside the exhibit")
    assert verify_manifest(manifest).ok
    assert verify_manifest(manifest, check_extra=True).extra == ["notes.txt", "sub/empty.bin"]


def test_a_copied_manifest_verifies_the_copy_not_the_original(
    exhibit: Path, tmp_path: Path
) -> None:
    # The original stays where it was; a copy with one changed byte must fail.
    write_manifest(build_manifest([exhibit]), exhibit / "hashes.json")
    copy = tmp_path / "copy"
    shutil.copytree(exhibit, copy)
    (copy / "abc.bin").write_bytes(b"abd")
    report = verify_manifest(copy / "hashes.json")
    assert report.root == copy.resolve()
    assert [m[0] for m in report.mismatched] == ["abc.bin"]
    assert verify_manifest(exhibit / "hashes.json").ok
