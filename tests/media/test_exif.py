"""Photo metadata: EXIF GPS/time/camera and DJI XMP.

Truth: photos written by forensics_datasets.drone.write_photo with known values; sign and
offset arithmetic derived by hand beside each assertion.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.drone import write_photo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import forensics_lib as fl
from forensics_lib.errors import ForensicsError, ForensicsWarning
from forensics_lib.media import dji_xmp, photo_metadata, read_exif, read_photos
from forensics_lib.media.exif import EXIF
from forensics_lib.schema import check_frame
from tests.conftest import examples


def _photo(tmp: Path, name: str = "p.jpg", **kw: object) -> Path:
    args: dict = dict(
        lat=-33.8568,
        lon=151.2153,
        alt_m=-12.5,
        local_time="2023:11:05 07:30:15",
        offset="-05:00",
        make="DJI",
        model="FC7303",
        serial="SN-TEST-1",
        dji={
            "GpsLatitude": -33.8568,
            "GpsLongitude": 151.2153,
            "RelativeAltitude": 42.1,
            "GimbalPitchDegree": -45.0,
        },
    )
    args.update(kw)
    path = tmp / name
    write_photo(path, **args)
    return path


def test_exif_gps_signs_time_offset_and_camera(tmp_path: Path, unchanged) -> None:
    path = _photo(tmp_path)
    unchanged(tmp_path)
    row = read_exif(path).iloc[0]
    # South and East refs: latitude negative, longitude positive; seconds stored to 1e-6.
    assert row["lat"] == pytest.approx(-33.8568, abs=1e-8)
    assert row["lon"] == pytest.approx(151.2153, abs=1e-8)
    assert row["alt_m"] == -12.5  # GPSAltitudeRef 1 = below sea level
    # 07:30:15 at UTC-05:00 is 12:30:15Z.
    assert row["time_utc"] == pd.Timestamp("2023-11-05T12:30:15Z")
    assert row["time_source"] == "OffsetTimeOriginal"
    assert (row["make"], row["model"], row["serial"]) == ("DJI", "FC7303", "SN-TEST-1")
    assert row["dji_lon"] == 151.2153  # written as the misspelt GpsLongtitude
    assert row["dji_rel_alt_m"] == 42.1 and row["gimbal_pitch_deg"] == -45.0
    assert check_frame(read_exif(path), EXIF) == []


def test_time_without_offset_uses_zone_then_gps(tmp_path: Path) -> None:
    gps = pd.Timestamp("2023-11-05T12:30:14Z")
    path = _photo(tmp_path, offset=None, gps_utc=gps)
    data = path.read_bytes()
    row = photo_metadata(data, "p.jpg")
    assert row["time_source"] == "GPS time stamp" and row["time_utc"] == gps
    # New York on 5 Nov 2023 at 07:30 is EST (UTC-5; DST ended at 02:00 that day): 12:30:15Z.
    row = photo_metadata(data, "p.jpg", zone="America/New_York")
    assert row["time_utc"] == pd.Timestamp("2023-11-05T12:30:15Z")
    assert row["time_source"] == "zone America/New_York"
    assert row["datetime_original"] == "2023-11-05T07:30:15"


def test_xmp_forms() -> None:
    attrs = (
        b'<x:xmpmeta><rdf:Description drone-dji:GpsLatitude="+1.5" '
        b'drone-dji:GpsLongtitude="-2.25"/></x:xmpmeta>'
    )
    elems = b"<x:xmpmeta><drone-dji:AbsoluteAltitude>+99.1</drone-dji:AbsoluteAltitude></x:xmpmeta>"
    assert dji_xmp(b"junk" + attrs) == {"GpsLatitude": "+1.5", "GpsLongtitude": "-2.25"}
    assert dji_xmp(elems) == {"AbsoluteAltitude": "+99.1"}
    assert dji_xmp(b"no packet here") == {}


def test_folder_and_evidence_member(tmp_path: Path) -> None:
    _photo(tmp_path, "a.jpg")
    _photo(tmp_path, "b.JPG", lat=10.0, lon=-20.0, alt_m=5.0)
    frame = read_photos([tmp_path])
    assert list(frame["lat"].round(6)) == [-33.8568, 10.0]
    assert list(frame["lon"].round(6)) == [151.2153, -20.0]
    with fl.Evidence(tmp_path) as ev:
        inside = read_exif(ev.file("b.JPG"))
    assert check_frame(inside, EXIF) == [] and inside["lat"].iloc[0] == pytest.approx(10.0)


@settings(
    max_examples=examples(80),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzz_exif_only_typed_errors(tmp_path: Path, data: st.DataObject) -> None:
    buf = bytearray(_photo(tmp_path).read_bytes())
    for _ in range(data.draw(st.integers(1, 6))):
        pos = data.draw(st.integers(0, len(buf) - 1))
        buf[pos] ^= data.draw(st.integers(1, 255))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForensicsWarning)
        try:
            row = photo_metadata(bytes(buf), "fuzz.jpg")
        except ForensicsError:
            return
    if row["lat"] is not None or row["lon"] is not None:  # never an impossible position
        assert -90 <= row["lat"] <= 90 and -180 <= row["lon"] <= 180


# -- issue 14: a file under a photo's name that holds no photo, and a JPEG cut short ---------


def test_a_jpeg_cut_short_is_named_and_what_it_holds_is_read(tmp_path: Path) -> None:
    from forensics_lib.media.exif import image_format, jpeg_cut_short

    whole = tmp_path / "whole.jpg"
    write_photo(
        whole, lat=40.1, lon=-4.2, alt_m=612.0, local_time="2024:06:14 23:30:00", offset="+02:00"
    )
    data = whole.read_bytes()
    assert image_format(data) == "JPEG" and jpeg_cut_short(data) is None
    assert jpeg_cut_short(data + b"vendor trailer") is None  # bytes after EOI are no cut
    # Cut after the EXIF (APP1 is first; its length is bytes 4-5, T.81 B.1.1): the metadata
    # is read whole and the cut is said.
    app1_end = 4 + int.from_bytes(data[4:6], "big")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: app1_end + 10])
    with pytest.warns(ForensicsWarning, match=r"cut\.jpg: JPEG cut short at byte"):
        frame = read_photos([cut])
    assert len(frame) == 1 and frame["lat"].iloc[0] == pytest.approx(40.1, abs=1e-6)
    # Cut inside APP1: nothing to read, so no row; the file is named in the warning.
    inside = tmp_path / "inside.jpg"
    inside.write_bytes(data[:20])
    with pytest.warns(ForensicsWarning, match=r"inside\.jpg: JPEG cut short at byte 20"):
        assert read_photos([inside]).empty


def test_a_file_that_is_no_photo_is_named_not_a_row(tmp_path: Path) -> None:
    from forensics_lib.errors import ParseError

    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "notes.jpg").write_bytes(b"PK\x03\x04 a zip, not a photo")
    with pytest.warns(ForensicsWarning, match=r"2 file\(s\) not read: .*empty\.jpg: empty file"):
        assert read_photos([tmp_path]).empty
    with pytest.raises(ParseError, match="not a photo"):
        read_exif(tmp_path / "notes.jpg")


def test_image_signatures() -> None:
    from forensics_lib.media.exif import image_format, jpeg_cut_short

    # ISO BMFF: a box size, "ftyp", then the major brand (HEIF still image vs MP4 video).
    assert image_format(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00") == "HEIF"
    assert image_format(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00") is None
    assert image_format(b"II*\x00\x08\x00\x00\x00") == "TIFF"
    assert image_format(b"") is None
    # SOI, a fill byte, RST0 (no length), then EOI before any scan: whole as written.
    assert jpeg_cut_short(b"\xff\xd8\xff\xff\xd0\xff\xd9") is None
