"""Photos and videos of a phone (``media``): every file listed with its hash and EXIF.

Truth: the generator's answer key (:func:`forensics_datasets.phone.media.camera_key`: the
shots it wrote, their SHA-256 computed from the bytes it wrote) and the pack's fixed
container time (2024-04-20T14:00:00Z, ``_pack._FIXED_MTIME_UNIX``).
"""

from __future__ import annotations

import hashlib
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from forensics_datasets.phone import Shot, camera_files, camera_key, make_phone_extraction
from forensics_datasets.phone.media import default_shots

from forensics_lib.errors import ForensicsWarning
from forensics_lib.phone import open_extraction
from forensics_lib.phone.media import read_android_media
from forensics_lib.schema import check_frame


@pytest.mark.parametrize(("os_name", "container"), [("android", "zip"), ("ios", "tar")])
def test_media_round_trip(os_name: str, container: str, tmp_path: Path, unchanged: Any) -> None:
    case = make_phone_extraction(
        tmp_path / "out",
        os=os_name,
        seed=4,
        container=container,
        media=True,  # type: ignore[arg-type]
    )
    unchanged(tmp_path / "out")
    want = case.answer_key["writer"]["media"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with open_extraction(case.exhibit) as ext:
            media = ext.read("media")
            spec = ext.specs()[f"{os_name}.media"]
    assert check_frame(media, spec) == []
    got = media.set_index("path")
    assert sorted(got.index) == sorted(w["path"] for w in want)
    for w in want:
        row = got.loc[w["path"]]
        assert row["sha256"] == w["sha256"]
        assert row["size"] == w["size"]
        assert row["kind"] == "photo"
        if w["time_utc"] is None:  # no EXIF time: empty, never the file's mtime
            assert pd.isna(row["time"]) and row["time_source"] == "none"
        else:
            assert row["time"] == pd.Timestamp(w["time_utc"])
        if w["lat"] is None:
            assert pd.isna(row["lat"]) and pd.isna(row["lon"])
        else:
            # DMS rationals with 1e6 seconds denominators: well under 1e-6 degrees
            assert row["lat"] == pytest.approx(w["lat"], abs=1e-7)
            assert row["lon"] == pytest.approx(w["lon"], abs=1e-7)
            assert row["alt_m"] == pytest.approx(w["alt_m"], abs=1e-3)
        assert (None if pd.isna(row["model"]) else row["model"]) == w["model"]
    if container == "tar":  # the tar records member times; they stay out of `time`
        assert (media["file_mtime"] == pd.Timestamp("2024-04-20T14:00:00Z")).all()
        assert not (media["time"] == media["file_mtime"]).any()


def test_exif_time_comes_from_the_offset_not_the_zone_of_the_reader() -> None:
    # 2024-07-01 21:30:05 UTC in Madrid (CEST, +02:00) is written as 23:30:05 +02:00.
    shot = Shot(pd.Timestamp("2024-07-01T21:30:05.700Z"), 40.5, -3.25, 700.0)
    files = camera_files("android", [shot])
    [(path, data)] = files.items()
    assert path == "/data/media/0/DCIM/Camera/IMG_20240701_233005.jpg"
    assert camera_key("android", [shot])[0]["sha256"] == hashlib.sha256(data).hexdigest()


def test_a_photo_with_broken_exif_keeps_its_row(tmp_path: Path) -> None:
    # A JPEG whose APP1 Exif segment claims a TIFF IFD far beyond the file: hostile input.
    good = next(iter(camera_files("android", default_shots(1)[:1]).values()))
    tiff = b"II*\x00" + (0x7FFFFFF0).to_bytes(4, "little")
    app1 = b"Exif\x00\x00" + tiff
    broken = b"\xff\xd8\xff\xe1" + (len(app1) + 2).to_bytes(2, "big") + app1 + good[2:]
    target = tmp_path / "DCIM" / "IMG_1.jpg"
    target.parent.mkdir()
    target.write_bytes(broken)
    frame = read_android_media(target)  # exifread gives up on this IFD: no tags, no crash
    assert len(frame) == 1
    assert frame.loc[0, "sha256"] == hashlib.sha256(broken).hexdigest()
    assert frame.loc[0, "size"] == len(broken)
    assert pd.isna(frame.loc[0, "time"]) and pd.isna(frame.loc[0, "lat"])


def test_unreadable_exif_is_announced_and_the_row_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The EXIF reader's typed failure (ParseError, as exif.py raises for exifread's
    # struct/index errors) must not drop the file from the inventory.
    from forensics_lib.errors import ParseError
    from forensics_lib.phone import media as phone_media

    def refuse(data: bytes, path: str, **_: object) -> dict[str, object]:
        raise ParseError(path, None, "unreadable EXIF: struct.error")

    monkeypatch.setattr(phone_media, "photo_metadata", refuse)
    data = next(iter(camera_files("ios", default_shots(2)[:1]).values()))
    target = tmp_path / "IMG_0001.JPG"
    target.write_bytes(data)
    with pytest.warns(ForensicsWarning, match="EXIF not read"):
        frame = phone_media.read_ios_media(target)
    assert frame.loc[0, "sha256"] == hashlib.sha256(data).hexdigest()
    assert pd.isna(frame.loc[0, "time"]) and frame.loc[0, "time_source"] == "none"


def test_garbage_named_like_a_photo_is_listed_not_crashed(tmp_path: Path) -> None:
    # Random bytes with a .jpg name inside a zip extraction, beside a real tree marker.
    junk = bytes(range(256)) * 3
    exhibit = tmp_path / "ext.zip"
    with zipfile.ZipFile(exhibit, "w") as zf:
        zf.writestr("fs/data/media/0/DCIM/Camera/IMG_0.jpg", junk)
        zf.writestr("fs/data/media/0/DCIM/Camera/VID_0.mp4", b"\x00\x00\x00\x18ftypmp42")
        zf.writestr("fs/system/build.prop", "ro.product.model=Example\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForensicsWarning)
        with open_extraction(exhibit) as ext:
            media = ext.read("media").set_index("file_name")
    assert media.loc["IMG_0.jpg", "sha256"] == hashlib.sha256(junk).hexdigest()
    assert media.loc["VID_0.mp4", "kind"] == "video"
    assert media["time"].isna().all()
