"""The compatibility paths (issue 16): every module that moved keeps its old import path, and
the old path is the very same module object as the new one (forensics_lib/__init__.py's
meta-path finder), so names, monkeypatches and isinstance checks agree whichever is used.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import forensics_lib

ROOT = Path(__file__).resolve().parents[2]

# old path -> new path: one row per module that moved.
MOVED = {
    "forensics_lib.errors": "forensics_lib.core.errors",
    "forensics_lib.times": "forensics_lib.core.times",
    "forensics_lib.evidence": "forensics_lib.core.evidence",
    "forensics_lib.hashing": "forensics_lib.core.hashing",
    "forensics_lib.sqlite": "forensics_lib.core.sqlite",
    "forensics_lib.registry": "forensics_lib.core.registry",
    "forensics_lib.schema": "forensics_lib.core.schema",
    "forensics_lib.custody": "forensics_lib.core.custody",
    "forensics_lib.correlate": "forensics_lib.case.correlate",
}


def test_every_moved_module_is_listed() -> None:
    assert forensics_lib._MOVED == MOVED


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_old_path_is_the_new_module(old: str, new: str) -> None:
    old_module = importlib.import_module(old)
    new_module = importlib.import_module(new)
    assert old_module is new_module
    assert sys.modules[old] is sys.modules[new]
    # The module keeps its own identity: its name and spec are the new path's.
    assert old_module.__name__ == new
    assert old_module.__spec__ is not None
    assert old_module.__spec__.name == new
    # `forensics_lib.times` as an attribute of the package, too.
    assert getattr(forensics_lib, old.rpartition(".")[2]) is new_module
    # Every public name is the same object through either path.
    names = getattr(new_module, "__all__", None) or [n for n in vars(new_module) if n[0] != "_"]
    assert names
    for name in names:
        assert getattr(old_module, name) is getattr(new_module, name), f"{old}.{name}"


def test_from_imports_and_isinstance_agree() -> None:
    from forensics_lib.core.errors import ForensicsError as NewError
    from forensics_lib.core.evidence import Evidence as NewEvidence
    from forensics_lib.errors import ForensicsError, ParseError
    from forensics_lib.evidence import Evidence
    from forensics_lib.times import from_unix_s

    assert Evidence is NewEvidence
    assert ForensicsError is NewError
    error = ParseError("x.bin", 4, "bad magic")
    assert isinstance(error, NewError)
    with pytest.raises(NewError):
        raise error
    # 1_700_000_000 s after 1970-01-01 is 2023-11-14 22:13:20 UTC (19_675 days + 80_000 s).
    assert from_unix_s(1_700_000_000).isoformat() == "2023-11-14T22:13:20+00:00"


def test_monkeypatch_through_either_path_is_seen_through_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import forensics_lib.core.hashing as new
    import forensics_lib.hashing as old

    monkeypatch.setattr(old, "CHUNK_SIZE", 7)
    assert new.CHUNK_SIZE == 7
    monkeypatch.setattr(new, "MANIFEST_FORMAT", "patched")
    assert old.MANIFEST_FORMAT == "patched"


def test_submodules_of_a_moved_package_follow() -> None:
    import forensics_lib.core.times.gps as new
    import forensics_lib.times.gps as old

    assert old is new
    assert importlib.import_module("forensics_lib.evidence.members") is importlib.import_module(
        "forensics_lib.core.evidence.members"
    )


def test_unknown_names_still_fail() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("forensics_lib.no_such_module")
    with pytest.raises(AttributeError):
        _ = forensics_lib.no_such_name  # type: ignore[attr-defined]


def test_lazy_public_names_resolve_to_the_new_paths() -> None:
    from forensics_lib.case import open_case
    from forensics_lib.core.evidence import Evidence
    from forensics_lib.core.times import decode_timestamp

    assert forensics_lib.Evidence is Evidence
    assert forensics_lib.decode_timestamp is decode_timestamp
    assert forensics_lib.open_case is open_case
    for name, module in forensics_lib._EXPORTS.items():
        if module.startswith("forensics_lib.core."):  # (`scan` is also a submodule's name)
            assert getattr(importlib.import_module(module), name) is getattr(forensics_lib, name)


def test_fresh_interpreter_old_path_first_and_import_stays_cheap() -> None:
    """In a new interpreter: `import forensics_lib` imports no submodule and no pandas; an
    old path imported first still gives the module its own (new) name and spec."""
    code = (
        "import sys, forensics_lib\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('forensics_lib.'))\n"
        "assert loaded == [], loaded\n"
        "assert 'pandas' not in sys.modules\n"
        "import forensics_lib.times as t\n"
        "import forensics_lib.core.times as c\n"
        "assert t is c and t.__spec__.name == 'forensics_lib.core.times', t.__spec__\n"
        "from forensics_lib.correlate import sip_identity\n"
        "import forensics_lib.case.correlate as k\n"
        "assert k.sip_identity is sip_identity and k.__spec__.name == k.__name__\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
