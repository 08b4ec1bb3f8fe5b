"""The artifact registry.

A parser is a plain function that takes a source (a path, or an
:class:`~forensics_lib.core.evidence.EvidenceFile` inside an exhibit) and returns a DataFrame
conforming to its :class:`~forensics_lib.core.schema.ArtifactSpec`. It is marked with the
:func:`artifact` decorator, which only attaches the spec to the function: nothing is
registered globally at import. Discovery happens in one place, :data:`PARSER_MODULES`:
to add a parser, write its module and add the module's name there.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

from forensics_lib.core.schema import ArtifactSpec

__all__ = ["PARSER_MODULES", "Artifact", "artifact", "artifacts", "artifacts_frame", "get"]

# The one place where parser modules are listed. Order is display order only.
PARSER_MODULES: tuple[str, ...] = (
    "forensics_lib.core.custody",
    "forensics_lib.drone.flightlog",
    "forensics_lib.drone.srt",
    "forensics_lib.media.exif",
    "forensics_lib.phone.device",
    "forensics_lib.phone.android",
    "forensics_lib.phone.ios",
    "forensics_lib.phone.sms_deleted",
    "forensics_lib.phone.whatsapp",
    "forensics_lib.phone.browser",
    "forensics_lib.phone.wifi",
    "forensics_lib.phone.apps",
    "forensics_lib.phone.linphone",
    "forensics_lib.phone.media",
    "forensics_lib.phone.locations",
    "forensics_lib.phone.dronelogs",
    "forensics_lib.phone.ufdr",
    "forensics_lib.voip.artifacts",
    "forensics_lib.drone.ulog",
)

_SPEC_ATTR = "__artifact_spec__"

F = TypeVar("F", bound=Callable[..., pd.DataFrame])


def artifact(spec: ArtifactSpec) -> Callable[[F], F]:
    """Mark ``func`` as the parser of ``spec`` (the function is returned unchanged)."""

    def mark(func: F) -> F:
        setattr(func, _SPEC_ATTR, spec)
        return func

    return mark


@dataclass(frozen=True)
class Artifact:
    """A registered parser and the spec it fulfils."""

    spec: ArtifactSpec
    parse: Callable[..., pd.DataFrame]

    @property
    def id(self) -> str:
        return self.spec.id


def _collect(module_names: tuple[str, ...]) -> dict[str, Artifact]:
    found: dict[str, Artifact] = {}
    for name in module_names:
        module = importlib.import_module(name)
        for obj in vars(module).values():
            spec: Any = getattr(obj, _SPEC_ATTR, None)
            if not isinstance(spec, ArtifactSpec) or not callable(obj):
                continue
            if spec.id in found and found[spec.id].parse is not obj:
                raise ValueError(f"artifact id {spec.id!r} registered twice (in {name})")
            found[spec.id] = Artifact(spec=spec, parse=obj)
    return found


def artifacts(
    family: str | None = None, *, modules: tuple[str, ...] = PARSER_MODULES
) -> list[Artifact]:
    """Every registered artifact (optionally of one family), sorted by id."""
    found = _collect(modules)
    return sorted(
        (a for a in found.values() if family is None or a.spec.family == family),
        key=lambda a: a.id,
    )


def get(artifact_id: str, *, modules: tuple[str, ...] = PARSER_MODULES) -> Artifact:
    """The registered artifact with this id; ``KeyError`` lists the known ids otherwise."""
    found = _collect(modules)
    try:
        return found[artifact_id]
    except KeyError:
        raise KeyError(
            f"unknown artifact {artifact_id!r}; known: {', '.join(sorted(found))}"
        ) from None


def artifacts_frame(family: str | None = None) -> pd.DataFrame:
    """The registry as a table: id, family, description, columns, timeline events."""
    rows = [
        {
            "id": a.spec.id,
            "family": a.spec.family,
            "description": a.spec.description,
            "columns": ", ".join(c.name for c in a.spec.columns),
            "timeline": ", ".join(r.event for r in a.spec.timeline),
        }
        for a in artifacts(family)
    ]
    return pd.DataFrame(rows, columns=["id", "family", "description", "columns", "timeline"])
