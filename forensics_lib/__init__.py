"""forensics_lib: read-only readers for phone, drone and VoIP evidence, to pandas.

Every reader returns DataFrames with documented columns and UTC times, and feeds one
timeline. Start with::

    import forensics_lib as fl
    fl.artifacts()                      # what the kit can read
    with fl.Evidence("phone.zip") as ev:
        ev.glob("**/mmssms.db")
    fl.decode_timestamp(1700000000)     # what might this number be?
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

__version__ = "0.1.0"

# Public names, imported on first use so `import forensics_lib` stays cheap.
_EXPORTS = {
    "Evidence": "forensics_lib.core.evidence",
    "EvidenceFile": "forensics_lib.core.evidence",
    "Limits": "forensics_lib.core.evidence",
    "open_sqlite": "forensics_lib.core.sqlite",
    "hash_file": "forensics_lib.core.hashing",
    "sha256_file": "forensics_lib.core.hashing",
    "build_manifest": "forensics_lib.core.hashing",
    "verify_manifest": "forensics_lib.core.hashing",
    "CustodyLog": "forensics_lib.core.custody",
    "decode_timestamp": "forensics_lib.core.times",
    "scan": "forensics_lib.scan",
    "open_case": "forensics_lib.case",
}

__all__ = ["__version__", "artifacts", *sorted(_EXPORTS)]

if TYPE_CHECKING:
    from importlib.abc import Loader  # not at run time: importlib.abc costs ~50 ms

    import pandas as pd


def artifacts(family: str | None = None) -> pd.DataFrame:
    """Every artifact the kit can read: id, family, description, columns, timeline events."""
    from forensics_lib.core.registry import artifacts_frame

    return artifacts_frame(family)


def __getattr__(name: str) -> Any:
    moved = _moved_target(f"{__name__}.{name}")
    if moved is not None:  # `forensics_lib.times` as an attribute, like before the move
        return importlib.import_module(moved)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'forensics_lib' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


# --------------------------------------------------------------------------------------------
# Compatibility paths (issue 16). The core modules moved into `forensics_lib/core/` and the
# correlation into `forensics_lib/case/`; investigators' scripts, the released notebooks and
# the tests still import the old paths (`from forensics_lib.times import from_local`,
# `import forensics_lib.evidence`). This one finder on `sys.meta_path` answers for the old
# names only, and lazily: importing `forensics_lib.times` imports `forensics_lib.core.times`
# and binds that very module object under the old name too (`sys.modules` and the package
# attribute), so `forensics_lib.times is forensics_lib.core.times`: a monkeypatch through
# either path is seen through both, and classes (`isinstance`, `except`) are the same objects.
# Submodules follow (`forensics_lib.times.epochs` is `forensics_lib.core.times.epochs`).
# New code imports the new paths; docs/architecture.md lists these under "Compatibility paths".
# --------------------------------------------------------------------------------------------

_MOVED = {
    **{
        f"forensics_lib.{name}": f"forensics_lib.core.{name}"
        for name in (
            "errors",
            "times",
            "evidence",
            "hashing",
            "sqlite",
            "registry",
            "schema",
            "custody",
        )
    },
    "forensics_lib.correlate": "forensics_lib.case.correlate",
}


def _moved_target(fullname: str) -> str | None:
    """The new dotted name of an old path (or of a submodule under one), else None."""
    for old, new in _MOVED.items():
        if fullname == old or fullname.startswith(f"{old}."):
            return new + fullname[len(old) :]
    return None


class _MovedModuleFinder:
    """Meta-path finder and loader: an old path is an alias of the module at its new path."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if _moved_target(fullname) is None:
            return None
        return ModuleSpec(fullname, cast("Loader", self))  # a Loader by its two methods

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        # The module is the one already (or now) imported at the new path. The import system
        # keeps the attributes it already has, except __spec__, which it sets to this alias
        # spec: keep the module's own spec aside to put it back in exec_module.
        moved = _moved_target(spec.name)
        assert moved is not None  # find_spec answered for this name only
        module = importlib.import_module(moved)
        spec.loader_state = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # Nothing to run (the module is executed at its new path); restore its own spec, so
        # that `module.__spec__.name` stays the new dotted name whichever path came first.
        alias = module.__spec__
        if alias is not None and isinstance(alias.loader, _MovedModuleFinder):
            module.__spec__ = alias.loader_state


if not any(type(f).__name__ == "_MovedModuleFinder" for f in sys.meta_path):
    sys.meta_path.insert(0, _MovedModuleFinder())
