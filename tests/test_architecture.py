"""The house rules, read from the code's own imports (``ast``; nothing is imported or run).

Rules (each failure names the file and the rule, and says what to do):

* ``no-cycle``: no import cycle among the library's and the datasets' modules, counting every
  import (module level, inside functions, under ``TYPE_CHECKING``): a lazy import hides a
  cycle, it does not remove it.
* ``core-imports-family``: a core module (errors, times, evidence, hashing, sqlite, registry,
  schema, custody: ``forensics_lib/core/``; a ``forensics_lib/<name>.py`` of those names, the
  layout before the move, counts the same) imports no family (phone, drone, voip, media,
  remoteid).
* ``family-imports-upper``: a family module imports no ``report``, ``cli`` or datasets.
* ``private-name``: no module takes another module's private name (``from m import _x``, or
  ``m._x`` on an imported module): a leading underscore means "this file only"; what two
  modules share gets a public name in one module.
* ``private-module``: a private module (``_common.py``) is imported only from its own package.
* ``lib-imports-datasets``: the library never imports ``forensics_datasets``, ``grading``,
  ``notebooks`` (the generators, the course and the hub stand on the library, not under it).
* ``module-size``: no module of the library or the datasets is over 500 lines.
* ``test-module``: every library module has its test module, where ``tests/`` mirrors the
  package: ``forensics_lib/<package>/<module>.py`` -> ``tests/<package>/test_<module>.py`` (a
  private module's without the underscore: ``phone/_safe.py`` -> ``tests/phone/test_safe.py``),
  ``forensics_lib/<module>.py`` -> ``tests/test_<module>.py``.
  More files for one module are ``test_<module>_<aspect>.py`` beside it; the tests of no single
  module live in ``tests/integration/``, ``real/`` (../shared/samples), ``fuzz/``, ``course/``,
  ``hub/``, ``datasets/`` and ``benchmarks/``. A module split out of a former one by
  responsibility (:data:`SPLIT_FROM`) is tested by the former module's test file.

Where the tree still breaks a rule, :data:`ALLOWED` lists it with the reason; the list can
only shrink: a listed violation that disappears fails too, so that its entry is deleted.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = "forensics_lib"
DATASETS = "forensics_datasets"
SOURCE_ROOTS = (ROOT, ROOT / "datasets")  # where each top-level package lives
CORE = ("errors", "times", "evidence", "hashing", "sqlite", "registry", "schema", "custody")
FAMILIES = ("phone", "drone", "voip", "media", "remoteid")
UPPER = ("report", "cli")
OUTSIDE_LIBRARY = (DATASETS, "grading", "notebooks", "hub")
MAX_LINES = 500
# Packages (or modules) split out of one former module by responsibility (issue 16): their
# modules are tested through the package, which re-exports them, by the former module's test
# file (``forensics_lib.core.times.gps`` by ``tests/test_times.py`` or ``tests/core/``).
SPLIT_FROM = {
    "forensics_lib.core.times": "times",
    "forensics_lib.core.evidence": "evidence",
    "forensics_lib.core.hashing": "hashing",
    "forensics_lib.case.model": "case",
    "forensics_lib.case.exhibits": "case",
    "forensics_lib.case.folder": "case",
}

RULES = {
    "no-cycle": "break the cycle: move what both need into a module both import (a public "
    "name), or pass it in as an argument; a lazy import does not count as a fix",
    "core-imports-family": "core is the layer every family stands on: move the family-specific "
    "code into the family, or have the family pass what core needs",
    "family-imports-upper": "a family reads evidence; reports, the CLI and the generators "
    "stand on it: move the code up, or take the value as an argument",
    "private-name": "give the name a public spelling in the module that owns it (or in a "
    "shared module of the package, e.g. drone/mavlink_common.py) and import that",
    "private-module": "import the package's public module instead, or make the helper public",
    "lib-imports-datasets": "the library must not depend on the generators, the course or the "
    "hub: move the shared fact into the library and import it from there",
    "module-size": f"split the module (over {MAX_LINES} lines) by responsibility, one module "
    "per format or artifact",
    "test-module": "add tests/<package>/test_<module>.py for it (tests/ mirrors forensics_lib/; "
    "tests/core/ and tests/case/ for the top-level modules moving there)",
}

_TOO_LONG = (
    "issue 16: over 500 lines; split it by responsibility (one module per format or artifact)"
)
_PHONE_CYCLE = " <-> ".join(
    (
        "forensics_lib/phone/_common.py",
        "forensics_lib/phone/adb.py",
        "forensics_lib/phone/apps.py",
        "forensics_lib/phone/backup.py",
        "forensics_lib/phone/dronelogs.py",
        "forensics_lib/phone/extraction.py",
        "forensics_lib/phone/ufdr.py",
        "forensics_lib/scan.py",
    )
)

# (file or cycle, rule) -> why it is still here. Delete an entry when its violation goes.
ALLOWED: dict[tuple[str, str], str] = {
    (_PHONE_CYCLE, "no-cycle"): "issue 16: the extraction detectors (scan.py) and the phone "
    "readers import each other (lazily); the phone restructuring (android helper) breaks it",
    ("forensics_lib/cli/case.py", "lib-imports-datasets"): "issue 16: `forensics-lib case "
    "generate` runs the case generator; the command belongs to the datasets' own CLI",
    ("forensics_lib/phone/locations.py", "private-name"): "issue 16: takes "
    "media._EXIF_EXTENSIONS; the phone restructuring (android helper) gives it a public name",
    **{
        (path, "module-size"): _TOO_LONG
        for path in (
            "forensics_lib/drone/analysis.py",
            "forensics_lib/drone/dataflash.py",
            "forensics_lib/drone/dji_txt.py",
            "forensics_lib/drone/mavlink_frames.py",
            "forensics_lib/drone/srt.py",
            "forensics_lib/drone/tlog.py",
            "forensics_lib/drone/ulog.py",
            "forensics_lib/phone/extraction.py",
            "forensics_lib/phone/ios.py",
            "forensics_lib/phone/ufdr.py",
            "forensics_lib/phone/whatsapp.py",
            "forensics_lib/report/html.py",
            "forensics_lib/report/uco.py",
            "forensics_lib/sqlite_carve.py",
            "forensics_lib/voip/net.py",
        )
    },
    # tests/ mirrors the package; these modules are still tested only through others
    **{
        (path, "test-module"): f"issue 16: {why}"
        for path, why in {
            "forensics_lib/core/custody.py": "tested through its users: tests/fuzz/test_core.py "
            "(damaged logs), tests/cli/test_core.py (the custody commands), tests/case/",
            "forensics_lib/drone/dataflash.py": "tested against pymavlink in "
            "tests/real/test_drone.py and on every firmware era in tests/drone/test_variants.py",
            "forensics_lib/drone/mavlink_frames.py": "tested against pymavlink in "
            "tests/real/test_drone.py and with foreign bytes in tests/drone/test_variants.py",
            "forensics_lib/drone/model.py": "the drone frames' columns, tested through every "
            "drone reader (tests/drone/test_analysis.py checks TRACK_COLUMNS)",
            "forensics_lib/core/errors.py": "the typed errors, asserted by every reader's tests "
            "and "
            "by tests/fuzz/",
            "forensics_lib/export/geo.py": "KML/GeoJSON/GPX/CSV tracks, tested through `drone "
            "export` in tests/drone/test_flightlog.py",
            "forensics_lib/findings/playbooks/drone_drop.py": "the flight questions, tested "
            "against the generator's answer key in tests/integration/test_case_truth.py",
            "forensics_lib/findings/playbooks/drone_drop_comms.py": "the phone and VoIP "
            "questions, tested in tests/integration/test_case_truth.py and tests/course/",
            "forensics_lib/plots/flight.py": "no unit test yet; plot_track is run only by the "
            "lab5 notebook (tests/course/)",
            "forensics_lib/report/_common.py": "helpers of the HTML and UCO reports, tested "
            "through tests/report/test_html.py",
            "forensics_lib/core/schema.py": "tested through tests/test_timeline.py (conform, "
            "SchemaError) and tests/core/test_registry.py (every spec's check_frame)",
            "forensics_lib/sources.py": "tested through every reader that takes a path or a "
            "member of an exhibit (tests/core/test_evidence.py, tests/phone/)",
            "forensics_lib/voip/artifacts.py": "the VoIP registry entries, tested by "
            "tests/core/test_registry.py",
            "forensics_lib/voip/rtp.py": "tested through tests/voip/test_streams.py and the "
            "samples in tests/real/test_voip.py",
            "forensics_lib/voip/sip.py": "tested through tests/voip/test_dialogs.py and "
            "tests/fuzz/test_voip.py (parse_sip, parse_sdp)",
        }.items()
    },
}


# --------------------------------------------------------------------------------------------
# Reading the tree
# --------------------------------------------------------------------------------------------


@dataclass
class Module:
    name: str  # dotted, e.g. forensics_lib.voip.capture
    path: Path
    is_package: bool
    lines: int = 0
    imports: set[str] = field(default_factory=set)  # modules imported (resolved)
    private_names: set[tuple[str, str]] = field(default_factory=set)  # (module, _name)


def _module_name(path: Path, base: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(base).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def discover(roots: Iterable[tuple[Path, str]]) -> dict[str, Module]:
    """Every module of the packages ``(base, package)`` (``base / package`` holds it)."""
    found: dict[str, Module] = {}
    for base, package in roots:
        for path in sorted((base / package).rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            name, is_package = _module_name(path, base)
            found[name] = Module(name, path, is_package)
    for module in found.values():
        _read(module, found)
    return found


def _resolve(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _target(name: str, known: dict[str, Module]) -> str | None:
    """The known module ``name`` is, or is inside (``pkg.mod.attr`` -> ``pkg.mod``)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _read(module: Module, known: dict[str, Module]) -> None:
    text = module.path.read_text(encoding="utf-8")
    module.lines = len(text.splitlines())
    tree = ast.parse(text, filename=str(module.path))
    aliases: dict[str, str] = {}  # local name -> module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _target(alias.name, known)
                if target is None:
                    continue
                module.imports.add(target)
                if alias.asname:
                    aliases[alias.asname] = target
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            base = _target(source, known)
            for alias in node.names:
                sub = _target(f"{source}.{alias.name}", known)
                if sub is not None and sub != base:  # from pkg import module
                    module.imports.add(sub)
                    aliases[alias.asname or alias.name] = sub
                elif base is not None:
                    module.imports.add(base)
                    if _private(alias.name):
                        module.private_names.add((base, alias.name))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and _private(node.attr)
        ):
            module.private_names.add((aliases[node.value.id], node.attr))
    module.imports.discard(module.name)


# --------------------------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------------------------


def rel(module: Module, root: Path = ROOT) -> str:
    return module.path.relative_to(root).as_posix()


def _layer(name: str) -> tuple[str, str | None]:
    """("core" | "family" | "upper" | "other" | "datasets" | "outside", family or None)."""
    parts = name.split(".")
    if parts[0] == DATASETS or parts[0] in OUTSIDE_LIBRARY:
        return ("datasets" if parts[0] == DATASETS else "outside"), None
    if parts[0] != LIBRARY or len(parts) < 2:
        return "other", None
    if parts[1] == "core" or (len(parts) == 2 and parts[1] in CORE):
        return "core", None
    if parts[1] in FAMILIES:
        return "family", parts[1]
    if parts[1] in UPPER:
        return "upper", parts[1]
    return "other", None


def _cycles(modules: dict[str, Module]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for start in sorted(modules):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(modules[start].imports)))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(modules[child].imports))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        component.append(top)
                        if top == node:
                            break
                    if len(component) > 1:
                        out.append(sorted(component))
    return out


def _test_module(module: Module, root: Path) -> Path:
    """Where ``module``'s tests are: ``tests/`` mirrors the package (see ``test-module``)."""
    parts = module.name.split(".")[1:]  # without forensics_lib
    for key, former in SPLIT_FROM.items():  # a module split out of a former one
        if module.name == key or module.name.startswith(key + "."):
            return root.joinpath("tests", *key.split(".")[1:-1], f"test_{former}.py")
    return root.joinpath("tests", *parts[:-1], f"test_{parts[-1].lstrip('_')}.py")


def violations(modules: dict[str, Module], root: Path = ROOT) -> dict[tuple[str, str], str]:
    """(file or cycle, rule) -> what breaks it."""
    found: dict[tuple[str, str], str] = {}

    def add(where: str, rule: str, detail: str) -> None:
        key = (where, rule)
        found[key] = f"{found[key]}; {detail}" if key in found else detail

    for cycle in _cycles(modules):
        where = " <-> ".join(rel(modules[name], root) for name in cycle)
        edges = [
            f"{a} imports {b}" for a in cycle for b in sorted(modules[a].imports) if b in cycle
        ]
        add(where, "no-cycle", ", ".join(edges))

    for module in modules.values():
        where = rel(module, root)
        layer = _layer(module.name)[0]
        in_library = module.name.split(".")[0] == LIBRARY
        for target in sorted(module.imports):
            t_layer = _layer(target)[0]
            if layer == "core" and t_layer == "family":
                add(where, "core-imports-family", f"imports {target}")
            if layer == "family" and (t_layer in ("upper", "datasets")):
                add(where, "family-imports-upper", f"imports {target}")
            if in_library and t_layer in ("datasets", "outside"):
                add(where, "lib-imports-datasets", f"imports {target}")
            t_parts = target.split(".")
            if _private(t_parts[-1]):
                own = ".".join(t_parts[:-1])
                package = module.name if module.is_package else module.name.rpartition(".")[0]
                if package != own:
                    add(where, "private-module", f"imports {target} from outside {own}")
        for owner, name in sorted(module.private_names):
            if owner != module.name:
                add(where, "private-name", f"uses {owner}.{name}")
        if module.lines > MAX_LINES:
            add(where, "module-size", f"{module.lines} lines")
        leaf = module.name.rpartition(".")[2]
        testable = in_library and leaf not in ("__init__", "__main__") and not module.is_package
        if testable and not (expected := _test_module(module, root)).exists():
            add(where, "test-module", f"no {expected.relative_to(root).as_posix()}")
    return found


# --------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tree_violations() -> dict[tuple[str, str], str]:
    modules = discover([(ROOT, LIBRARY), (ROOT / "datasets", DATASETS)])
    assert f"{LIBRARY}.voip.capture" in modules, "the tree was not found"
    return violations(modules)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_no_new_violation(rule: str, tree_violations: dict[tuple[str, str], str]) -> None:
    new = sorted(
        (where, detail)
        for (where, r), detail in tree_violations.items()
        if r == rule and (where, r) not in ALLOWED
    )
    assert not new, "\n".join(
        f"{where}: breaks rule {rule!r} ({detail}). {RULES[rule]}." for where, detail in new
    )


@pytest.mark.parametrize("rule", sorted(RULES))
def test_allow_list_only_shrinks(rule: str, tree_violations: dict[tuple[str, str], str]) -> None:
    gone = sorted(
        where for (where, r) in ALLOWED if r == rule and (where, r) not in tree_violations
    )
    assert not gone, "\n".join(
        f"{where} no longer breaks rule {rule!r}: delete its entry from ALLOWED in "
        "tests/test_architecture.py (the list only shrinks)"
        for where in gone
    )


def test_allow_list_says_why() -> None:
    for (where, rule), why in ALLOWED.items():
        assert rule in RULES, f"ALLOWED entry {where}: unknown rule {rule!r}"
        assert why.startswith("issue 16: "), f"ALLOWED entry {where}, {rule}: say why"


def test_the_rules_catch_a_broken_tree(tmp_path: Path) -> None:
    """Each rule, on a tree written here that breaks it once (and a clean module beside)."""
    files = {
        "forensics_lib/__init__.py": "",
        # core importing a family
        "forensics_lib/core/__init__.py": "",
        "forensics_lib/core/times.py": "from forensics_lib.voip import sip\n",
        "forensics_lib/core/schema.py": "import forensics_lib.drone.tlog as t\n",
        "forensics_lib/voip/__init__.py": "",
        # a cycle hidden behind a lazy import, and a family importing the report layer
        "forensics_lib/voip/sip.py": "def f():\n    from forensics_lib.voip import rtp\n",
        "forensics_lib/voip/rtp.py": "from forensics_lib.voip.sip import f\n"
        "from forensics_lib.report import html\n",
        "forensics_lib/drone/__init__.py": "",
        # private names: imported, and reached as an attribute of an imported module
        "forensics_lib/drone/tlog.py": "from forensics_lib.drone.frames import _length\n",
        "forensics_lib/drone/frames.py": "from forensics_lib.phone import _common\n"
        "from forensics_lib.drone import tlog as t\nx = t._secret\n",
        "forensics_lib/phone/__init__.py": "",
        "forensics_lib/phone/_common.py": "import forensics_datasets.voip\n" + "x = 1\n" * 501,
        "forensics_lib/report/__init__.py": "",
        "forensics_lib/report/html.py": "",
        "datasets/forensics_datasets/__init__.py": "",
        "datasets/forensics_datasets/voip.py": "from forensics_lib.voip.sip import f\n",
        # tests/ mirrors the package; the old flat names (test_times, test_voip_sip) count no more
        "tests/test_times.py": "",
        "tests/test_voip_sip.py": "",
        "tests/voip/test_rtp.py": "",
        "tests/core/test_schema.py": "",
        "tests/phone/test_common.py": "",  # phone/_common.py's, without the underscore
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    modules = discover([(tmp_path, LIBRARY), (tmp_path / "datasets", DATASETS)])
    found = violations(modules, tmp_path)
    assert set(found) == {
        ("forensics_lib/core/times.py", "core-imports-family"),
        ("forensics_lib/core/schema.py", "core-imports-family"),
        ("forensics_lib/voip/rtp.py <-> forensics_lib/voip/sip.py", "no-cycle"),
        ("forensics_lib/drone/frames.py <-> forensics_lib/drone/tlog.py", "no-cycle"),
        ("forensics_lib/voip/rtp.py", "family-imports-upper"),
        ("forensics_lib/drone/tlog.py", "private-name"),
        ("forensics_lib/drone/frames.py", "private-name"),
        ("forensics_lib/drone/frames.py", "private-module"),
        ("forensics_lib/phone/_common.py", "family-imports-upper"),
        ("forensics_lib/phone/_common.py", "lib-imports-datasets"),
        ("forensics_lib/phone/_common.py", "module-size"),
        # no test module where tests/ mirrors the package
        ("forensics_lib/core/times.py", "test-module"),
        ("forensics_lib/voip/sip.py", "test-module"),
        ("forensics_lib/drone/tlog.py", "test-module"),
        ("forensics_lib/drone/frames.py", "test-module"),
        ("forensics_lib/report/html.py", "test-module"),
    }
    assert found[("forensics_lib/core/times.py", "test-module")] == "no tests/core/test_times.py"
    assert found[("forensics_lib/drone/frames.py", "private-name")] == (
        "uses forensics_lib.drone.tlog._secret"
    )
