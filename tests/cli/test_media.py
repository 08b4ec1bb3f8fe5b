"""``forensics-lib media exif``: --zone, its errors, and a table that tells photos apart.

Truth: photos written here by forensics_datasets.drone.write_photo with known EXIF values;
zone offsets derived by hand beside each value.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from pathlib import Path

import pytest
from forensics_datasets.drone import write_photo

from forensics_lib.cli import main
from forensics_lib.errors import ForensicsWarning, TimestampError
from forensics_lib.media import read_photos

LOCAL = "2023:11:05 07:30:15"  # DateTimeOriginal as the camera writes it


def _photo(path: Path, *, offset: str | None, serial: str = "SN-1", lat: float = 10.5) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_photo(
        path,
        lat=lat,
        lon=-20.25,
        alt_m=33.0,
        local_time=LOCAL,
        offset=offset,
        make="DJI",
        model="FC7303",
        serial=serial,
    )
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_zone_puts_local_exif_time_on_utc(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = _photo(tmp_path / "p.jpg", offset=None)  # no OffsetTimeOriginal, no GPS time
    argv = ("media", "exif", str(photo), "--format", "json")
    # New York on 5 Nov 2023 at 07:30 is EST (UTC-5; DST ended at 02:00 that day): 12:30:15Z.
    code, out, _ = run(capsys, *argv, "--zone", "America/New_York")
    [row] = json.loads(out)
    assert code == 0 and row["time_utc"].startswith("2023-11-05T12:30:15")
    assert row["time_source"] == "zone America/New_York"
    # Tokyo is UTC+9 all year: 07:30:15 local is 22:30:15Z the day before.
    code, out, _ = run(capsys, *argv, "--zone", "Asia/Tokyo")
    assert json.loads(out)[0]["time_utc"].startswith("2023-11-04T22:30:15")
    # Without a zone the time stays local, and the command says which option fixes it.
    # (main() prints warnings itself, so they are read from stderr, as a user sees them.)
    with warnings.catch_warnings():
        warnings.simplefilter("always", ForensicsWarning)
        code, out, err = run(capsys, *argv)
    [row] = json.loads(out)
    assert code == 0 and row["time_utc"] is None
    assert row["datetime_original"] == "2023-11-05T07:30:15"
    assert re.search(r"^warning: 1 photo\(s\) .*add --zone ZONE", err, re.M), err
    assert "zone=" not in err


def test_unknown_zone_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = _photo(tmp_path / "p.jpg", offset=None)
    code, out, err = run(capsys, "media", "exif", str(photo), "--zone", "Mars/Olympus")
    assert code == 2 and out == ""
    assert err.startswith("error: unknown time zone 'Mars/Olympus'")
    assert "Traceback" not in err
    with pytest.raises(TimestampError, match="unknown time zone"):
        read_photos([photo], zone="Mars/Olympus")


def test_table_tells_photos_apart_and_shows_local_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two photos of the same name in two folders under a long path (as copied off two cards).
    deep = tmp_path / ("evidence_" + "x" * 60)
    _photo(deep / "card_a" / "DJI_0001.JPG", offset="-05:00", serial="SN-A", lat=10.5)
    _photo(deep / "card_b" / "DJI_0001.JPG", offset="+02:00", serial="SN-B", lat=-33.25)
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run(capsys, "media", "exif", str(deep))
    assert code == 0
    lines = out.splitlines()
    header = lines[0].split()
    assert header == [
        "file",
        "time_utc",
        "datetime_original",
        "lat",
        "lon",
        "offset",
        "alt_m",
        "make",
        "model",
        "serial",
    ]
    rows = [line.split() for line in lines[2:]]
    # 07:30:15 at -05:00 is 12:30:15Z; at +02:00 it is 05:30:15Z.
    assert rows[0] == [
        "card_a/DJI_0001.JPG",
        "2023-11-05T12:30:15Z",
        "2023-11-05T07:30:15",
        "10.5",
        "-20.25",
        "-05:00",
        "33.0",
        "DJI",
        "FC7303",
        "SN-A",
    ]
    assert rows[1][:6] == [
        "card_b/DJI_0001.JPG",
        "2023-11-05T05:30:15Z",
        "2023-11-05T07:30:15",
        "-33.25",
        "-20.25",
        "+02:00",
    ]
    assert rows[1][-1] == "SN-B"
    # An 80-column terminal: no column is dropped and nothing is clipped; times stay
    # whole on one line, text columns wrap (issue 14: output that can be trusted).
    import forensics_lib.cli.output as output

    monkeypatch.setattr(output, "terminal_width", lambda stream=None: 80)
    code, out, _ = run(capsys, "media", "exif", str(deep))
    assert "…" not in out and "not shown" not in out
    assert "2023-11-05T05:30:15Z" in out and "2023-11-05T07:30:15" in out
    assert "SN-A" in out and "SN-B" in out and "FC7303" in out


def test_one_file_shows_its_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = _photo(tmp_path / "deep" / "IMG_7.jpg", offset="+00:00")
    code, out, _ = run(capsys, "media", "exif", str(photo))
    # +00:00: UTC equals the wall time.
    assert code == 0 and out.splitlines()[2].startswith("IMG_7.jpg  2023-11-05T07:30:15Z")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="os.mkfifo is POSIX only")
def test_a_fifo_named_jpg_is_refused_not_opened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Opening a FIFO for reading blocks until a writer comes: the folder walk must count
    # it as refused from its status alone and read the real photo beside it.
    card = tmp_path / "card"
    _photo(card / "DJI_0001.JPG", offset="+00:00")
    os.mkfifo(card / "DJI_0002.JPG")
    with warnings.catch_warnings():  # main() prints warnings itself, on stderr
        warnings.simplefilter("always", ForensicsWarning)
        code, out, err = run(capsys, "media", "exif", str(card))
    assert re.search(r"1 file\(s\) with a photo suffix not read.*DJI_0002.JPG: a FIFO", err)
    assert code == 0 and "DJI_0001.JPG" in out and "DJI_0002.JPG" not in out


def test_an_empty_folder_exits_nonzero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = run(capsys, "media", "exif", str(tmp_path / "empty"))
    assert code == 1 and "nothing read" in err
