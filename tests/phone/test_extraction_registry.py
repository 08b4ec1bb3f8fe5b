"""Every phone parser returns exactly its declared schema, on a file and inside an exhibit.

Truth: the samples of ``forensics_datasets.phone.samples`` (what the writer stored) and each
artifact's own ArtifactSpec. This mirrors tests/core/test_registry.py for the phone family until
the lead lists the phone modules in registry.PARSER_MODULES.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from forensics_datasets.phone.samples import PHONE_SAMPLES

import forensics_lib as fl
from forensics_lib.phone.extraction import phone_artifacts
from forensics_lib.schema import check_frame


def test_every_phone_artifact_has_a_sample() -> None:
    assert sorted(a.id for a in phone_artifacts()) == sorted(PHONE_SAMPLES)


@pytest.mark.parametrize("artifact_id", sorted(PHONE_SAMPLES))
def test_phone_parser_matches_its_schema(artifact_id: str, tmp_path: Path) -> None:
    art = next(a for a in phone_artifacts() if a.id == artifact_id)
    path, expected = PHONE_SAMPLES[artifact_id](tmp_path)
    frame = art.parse(path)
    assert check_frame(frame, art.spec) == []
    assert len(frame) == expected
    assert (frame["artifact"] == artifact_id).all()
    with fl.Evidence(tmp_path) as ev:
        inside = art.parse(ev.file(path.name))
    assert check_frame(inside, art.spec) == []
    assert len(inside) == expected
