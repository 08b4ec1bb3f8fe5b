"""DJI SRT variants beyond the five coordinate dialects: the DJI FPV's altitude at 1/10, and
camera-only captions with no position (Mavic Air, Osmo, Action).

Truth: the writer's answer key (datasets/forensics_datasets/srt.py ``simple_srt_flight``:
heights 0 to 40 m in 0.1 m steps, one frame a second from 2022-06-21 16:06:17 local). The
DJI FPV writes ``[altitude: ..]`` at 1/10 of the height (the "DJI FPV Altitude Telemetry
Fix" tool multiplies it by 10), so the writer puts ``height / 10`` and the reader, told the
file is a DJI FPV's, must give the height back.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from forensics_datasets.srt import simple_srt_flight, write_dji_srt

from forensics_lib.drone import read_flight_log
from forensics_lib.drone.srt import ZoneNeededWarning, read_srt


@pytest.fixture(scope="module")
def flight():  # type: ignore[no-untyped-def]
    return simple_srt_flight()


def test_dji_fpv_altitude_is_read_times_ten(flight, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "DJI_0015.SRT"
    write_dji_srt(path, flight, "fpv")
    assert "[altitude: 4.000000]" in path.read_text()  # 40 m written as 4.0 (x 1/10)
    frame = read_srt(path, zone="Europe/Madrid", dji_fpv=True)
    heights = flight.frames["height_m"].to_numpy()
    assert frame["alt_rel_m"].to_numpy() == pytest.approx(heights, abs=1e-5)
    assert frame["alt_abs_m"].isna().all() and frame.attrs["dialect"] == "bracket"
    assert any(
        n.startswith("DJI FPV: [altitude: ..] is written at 1/10") for n in frame.attrs["notes"]
    )
    assert frame["lat"].to_numpy() == pytest.approx(flight.frames["lat"].round(6), abs=1e-9)
    # 16:06:17 CEST (UTC+2) = 14:06:17Z
    assert frame["time_utc"].iloc[0] == pd.Timestamp("2022-06-21T14:06:17Z")
    log = read_flight_log(path, zone="Europe/Madrid", dji_fpv=True)
    assert log.track["alt_rel_m"].max() == pytest.approx(40.0, abs=1e-5)


def test_dji_fpv_without_the_option_is_kept_as_written_and_said(flight, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "DJI_0016.SRT"
    write_dji_srt(path, flight, "fpv")
    frame = read_srt(path, zone="UTC")
    assert frame["alt_abs_m"].max() == pytest.approx(4.0)  # as written, not guessed
    assert any("pass dji_fpv=True" in n for n in frame.attrs["notes"])


def test_other_bracket_files_are_not_scaled(flight, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # rel_alt/abs_alt (Mini 3, Air 2S): dji_fpv changes nothing, no FPV note
    path = tmp_path / "air2s.SRT"
    write_dji_srt(path, flight, "bracket")
    a, b = read_srt(path, zone="UTC"), read_srt(path, zone="UTC", dji_fpv=True)
    assert a["alt_rel_m"].tolist() == b["alt_rel_m"].tolist()
    assert not any("FPV" in n for n in b.attrs["notes"])


def test_camera_only_captions_have_no_track(flight, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "mavic_air.SRT"
    assert write_dji_srt(path, flight, "camera") == len(flight.frames)
    frame = read_srt(path, zone="Europe/Madrid")
    assert frame.attrs["dialect"] == "camera" and frame.attrs["coord_order"] == "none"
    assert len(frame) == len(flight.frames) and frame["lat"].isna().all()
    assert (frame["iso"] == 100).all()
    assert pd.Timestamp(frame["wall_time_local"].iloc[0]) == pd.Timestamp("2022-06-21 16:06:17")
    assert "no position" in frame.attrs["notes"][0] and not frame.attrs["warnings"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ZoneNeededWarning)
        log = read_flight_log(path)
    assert log.track.empty and log.message_counts == {"subtitle": len(flight.frames)}
    assert log.notes[0].startswith("DJI SRT, camera dialect")


def test_cli_dji_fpv_option(flight, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    import json

    from forensics_lib.cli import main

    path = tmp_path / "DJI_0017.SRT"
    write_dji_srt(path, flight, "fpv")
    args = ["drone", "summary", str(path), "--zone", "UTC", "--format", "json"]
    assert main([*args, "--dji-fpv"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["max_alt_rel_m"] == pytest.approx(40.0)  # the answer key's top height


def test_gps_dialect_camera_settings(flight, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The P4 RTK style "F/5.6, SS 400, ISO 100, EV 0" (the writer's fixed camera settings)
    path = tmp_path / "p4_rtk.SRT"
    write_dji_srt(path, flight, "gps")
    frame = read_srt(path, zone="UTC")
    assert (frame["iso"] == 100).all() and (frame["fnum"] == 5.6).all()
    assert (frame["shutter"] == "400").all()
