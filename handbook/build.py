"""Build the course Handbook: a static HTML site and a print PDF, in two editions.

    python handbook/build.py --out build/handbook [--no-execute] [--edition trainee]

Everything comes from the kit's own sources, read as they are:

* ``labs/*.md`` (the tour and lab guides; the instructor guide for the instructor edition),
* ``notebooks/<lab>/*.ipynb``: the **trainee** edition shows each lab's *released* notebook,
  made by the course's own release step (``grading/course.py``'s ``build_course``, i.e.
  ``nbgrader generate_assignment``) into a temporary course folder, never the source tree;
  the **instructor** edition shows the source notebook with its model answers and hidden
  tests, marked as such,
* ``grading/catalogue.json`` for each lab's title, hours and the hours per credit.

Figures: each notebook is executed (nbclient, one kernel at a time) against a demo case
generated for a reserved trainee name with a fixed, public handbook secret, plus the kit's
default datasets, in a temporary folder: nothing comes from the network, and the whole
build took 8-9 minutes on a 2-core machine busy with other jobs (a notebook takes a few
seconds to half a minute). Executing the *released* notebook (its answer cells only raise
``NotImplementedError``) means no output of the trainee edition can derive from a model
answer: outputs of answer and test cells, and every error, are dropped; the worked
examples, given tables and plots keep theirs. Error outputs are dropped from the
instructor edition too, and counted in the build's log. ``--no-execute`` renders the
notebooks without outputs (fast; what the default tests use).

Outputs, per edition, under ``--out``: ``<edition>/html/`` (Jupyter Book 1: Sphinx and
MyST-NB with its bundled book theme, built offline, notebooks not re-executed) and
``<edition>/handbook.pdf`` (pandoc 3.9's Typst writer into one ``handbook.typ`` with our
template ``handbook/template.typ``, compiled by the ``typst`` library). The PDF's sources stay
in ``<edition>/typst/`` for inspection.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import pypandoc  # type: ignore[import-untyped]
import typst
from nbformat import NotebookNode

KIT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
LABS_DIR = KIT / "labs"
NOTEBOOKS = KIT / "notebooks"
CATALOGUE = KIT / "grading" / "catalogue.json"
TEMPLATE = HERE / "template.typ"
EDITIONS = ("trainee", "instructor")
TOUR = "00_tour"
# The demo case the handbook's figures come from: a reserved trainee name and a public
# secret, so no real trainee's data (or answer key) can be derived from the handbook.
DEMO_TRAINEE = "handbook-demo"
DEMO_SECRET = b"forensics-handbook-demo (public: the handbook shows a demo case only)"
EXECUTE_TIMEOUT_S = 300
SOLUTION_MARKERS = re.compile(
    r"^[ \t]*#+ (BEGIN|END) (SOLUTION|HIDDEN TESTS)[ \t]*\n?", re.MULTILINE
)  # nbgrader's delimiters, in code (``### BEGIN SOLUTION``) and Markdown cells
_LINK = re.compile(r"(?<!!)\[([^\]\n]+)\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Chapter:
    """One chapter: a lab (or the tour) with its guide and notebook."""

    id: str
    title: str
    guide: Path | None
    notebook: Path | None
    hours: float | None = None
    pass_fraction: float | None = None


@dataclass(frozen=True)
class Points:
    """A notebook's marks, from its nbgrader metadata."""

    auto: float
    manual: float
    questions: tuple[tuple[str, str, float], ...]  # (grade_id, "automatic"|"written", points)


def load_catalogue(path: Path = CATALOGUE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _first_heading(path: Path) -> str | None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return None


def _notebook_of(lab: str) -> Path | None:
    found = sorted((NOTEBOOKS / lab).glob("*.ipynb")) if (NOTEBOOKS / lab).is_dir() else []
    return found[0] if found else None


def chapters(catalogue: dict[str, Any]) -> list[Chapter]:
    """The tour (when the kit has one), then every lab of the catalogue, in its order."""
    found: list[Chapter] = []
    tour_guide = LABS_DIR / f"{TOUR}.md"
    tour_nb = _notebook_of(TOUR)
    if tour_guide.is_file() or tour_nb is not None:
        title = (_first_heading(tour_guide) if tour_guide.is_file() else None) or "Tour"
        found.append(Chapter(TOUR, title, tour_guide if tour_guide.is_file() else None, tour_nb))
    for lab in catalogue["labs"]:
        guide = LABS_DIR / f"{lab['id']}.md"
        found.append(
            Chapter(
                lab["id"],
                lab["title"],
                guide if guide.is_file() else None,
                _notebook_of(lab["id"]),
                float(lab["hours"]),
                float(lab.get("pass_fraction", 0.5)),
            )
        )
    return found


def points(nb: NotebookNode) -> Points:
    auto = manual = 0.0
    questions = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade"):
            continue
        value = float(meta.get("points", 0))
        written = cell.cell_type == "markdown" or bool(meta.get("solution"))
        if written:
            manual += value
        else:
            auto += value
        questions.append((meta.get("grade_id", "?"), "written" if written else "automatic", value))
    return Points(auto, manual, tuple(questions))


def _nbgrader(cell: NotebookNode) -> dict[str, Any]:
    meta: dict[str, Any] = cell.get("metadata", {}).get("nbgrader", {})
    return meta


def _read_nb(path: Path, as_version: int = 4) -> NotebookNode:
    nb: NotebookNode = nbformat.read(path, as_version=as_version)  # type: ignore[no-untyped-call]
    return nb


def _write_nb(nb: NotebookNode, path: Path) -> None:
    nbformat.write(nb, path)  # type: ignore[no-untyped-call]


def _markdown_cell(source: str, metadata: dict[str, Any]) -> NotebookNode:
    cell: NotebookNode = nbformat.v4.new_markdown_cell(source, metadata=metadata)  # type: ignore[no-untyped-call]
    return cell


def _fmt(value: float) -> str:
    return f"{value:g}"


# -- the release, the demo data, execution ------------------------------------------------


def _course_module() -> ModuleType:
    """grading/course.py (a script beside grade.py, not a package): the course's own steps."""
    spec = importlib.util.spec_from_file_location("_kit_course", KIT / "grading" / "course.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def release(course_root: Path) -> dict[str, Path]:
    """Every lab's released notebook (nbgrader's release into ``course_root/release``)."""
    course = _course_module()
    # One nbgrader run over every lab (``build_course`` starts one per lab: 2-3 s each).
    course_root.mkdir(parents=True, exist_ok=True)
    course._nbgrader(
        "generate_assignment", "*", "--force", "--log-level=WARN", course_root=course_root
    )
    released: dict[str, Path] = {}
    for folder in sorted((course_root / "release").iterdir()):
        found = sorted(folder.glob("*.ipynb"))
        if found:
            released[folder.name] = found[0]
    return released


def demo_data(data: Path) -> None:
    """The data every notebook reads, without answer keys: ``data/<lab>`` (a reserved
    trainee, the handbook's public secret) and the kit's default datasets (``data/demo``,
    ``drone``, ``phone``, ``voip``: the tour's), as ``make course`` lays them out."""
    from forensics_datasets.__main__ import make_default  # type: ignore[import-untyped]

    course = _course_module()
    course.write_trainee_data(data, DEMO_TRAINEE, DEMO_SECRET)
    make_default(data, seed=0, force=True)
    for pattern in course.PRIVATE_PATTERNS:
        for path in data.rglob(pattern):
            path.unlink()


def execute(nb: NotebookNode, run_dir: Path) -> NotebookNode:
    """``nb`` executed in ``run_dir`` (errors kept as outputs, so a failing cell never stops
    the book); the kernel is this Python's, with the kit's venv first on PATH."""
    from nbclient import NotebookClient

    run_dir.mkdir(parents=True, exist_ok=True)
    done = copy.deepcopy(nb)
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
    env.pop("NBGRADER_EXECUTION", None)
    env.pop("FORENSICS_COURSE_SECRET", None)
    client = NotebookClient(
        done,
        timeout=EXECUTE_TIMEOUT_S,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(run_dir)}},
        # ipykernel's start-up warning about its loopback TCP transport, once per notebook
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    client.execute(env=env)  # passed on to the kernel manager's start_kernel
    return done


# -- the two editions of each notebook ----------------------------------------------------


def trainee_notebook(released: NotebookNode) -> NotebookNode:
    """The released notebook as the trainee sees it: answer and test cells without outputs,
    no error output anywhere (a later cell that needed an answer simply shows nothing)."""
    nb = copy.deepcopy(released)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = _nbgrader(cell)
        if meta.get("solution") or meta.get("grade"):
            cell.outputs = []
        else:
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
        cell.execution_count = None
    return nb


def drop_errors(nb: NotebookNode) -> tuple[NotebookNode, int]:
    """``nb`` without error outputs, and how many cells had one."""
    done = copy.deepcopy(nb)
    failed = 0
    for cell in done.cells:
        if cell.cell_type == "code":
            kept = [o for o in cell.outputs if o.get("output_type") != "error"]
            failed += len(kept) != len(cell.outputs)
            cell.outputs = kept
    return done, failed


def instructor_notebook(source: NotebookNode) -> NotebookNode:
    """The source notebook with each model answer and hidden test introduced by a note, and
    nbgrader's delimiter lines taken out (a ``### BEGIN SOLUTION`` line would otherwise be a
    heading in a Markdown answer)."""
    nb = copy.deepcopy(source)
    cells = []
    for cell in nb.cells:
        meta = _nbgrader(cell)
        grade_id = meta.get("grade_id", "")
        pts = f", {_fmt(float(meta['points']))} point(s)" if meta.get("points") else ""
        if meta.get("solution"):
            kind = "written answer, marked by hand" if cell.cell_type == "markdown" else "code"
            cells.append(
                _markdown_cell(
                    f"**Model answer** (`{grade_id}`, {kind}{pts}):",
                    metadata={"tags": ["model-answer"]},
                )
            )
        elif "BEGIN HIDDEN TESTS" in cell.source:
            cells.append(
                _markdown_cell(
                    f"**Checks, hidden tests included** (`{grade_id}`{pts}):",
                    metadata={"tags": ["hidden-tests"]},
                )
            )
        cell.source = SOLUTION_MARKERS.sub("", cell.source)
        cells.append(cell)
    nb.cells = cells
    return nb


def plain_notebook(nb: NotebookNode) -> NotebookNode:
    """Without execution: no outputs, no counts."""
    done = copy.deepcopy(nb)
    for cell in done.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return done


# -- Markdown sources ---------------------------------------------------------------------


def _rewrite_links(text: str, source_dir: Path, kept: dict[Path, str]) -> str:
    """Relative links to a file the book holds point at its place in the book; any other
    relative link (a file of the kit the book does not hold) becomes its text."""

    def sub(match: re.Match[str]) -> str:
        label, target = match.group(1), match.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = (source_dir / path).resolve()
        if resolved in kept:
            return f"[{label}]({kept[resolved]}{'#' + anchor if anchor else ''})"
        return label

    return _LINK.sub(sub, text)


def _drop_links(text: str) -> str:
    """For print: every relative link becomes its text (a PDF cannot follow ``lab1.md``)."""

    def sub(match: re.Match[str]) -> str:
        if re.match(r"^[a-z][a-z0-9+.-]*:", match.group(2)):
            return match.group(0)
        return match.group(1)

    return _LINK.sub(sub, text)


INSTRUCTOR_SECTION = re.compile(r"^(#{2,6}) *(for instructors|instructor|marking)\b", re.I)


def drop_instructor_sections(text: str) -> str:
    """A guide without its sections for instructors (a heading "For instructors",
    "Instructor ..." or "Marking ...", down to the next heading of its level or above): the
    trainee edition's guides."""
    kept: list[str] = []
    level = 0
    for line in text.splitlines(keepends=True):
        heading = re.match(r"^(#{1,6}) ", line)
        if level and heading and len(heading.group(1)) <= level:
            level = 0
        match = INSTRUCTOR_SECTION.match(line)
        if not level and match:
            level = len(match.group(1))
        if not level:
            kept.append(line)
    return "".join(kept)


def _drop_title(text: str) -> str:
    """The text without its first ``# `` heading (print chapters carry the catalogue title)."""
    return re.sub(r"^\s*# [^\n]*\n", "", text, count=1)


def _table(rows: Iterable[Iterable[str]], header: Iterable[str]) -> str:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def intro_markdown(
    edition: str, catalogue: dict[str, Any], chs: list[Chapter], pts: dict[str, Points]
) -> str:
    course = catalogue["course"]
    per_credit = float(catalogue["hours_per_credit"])
    if edition == "trainee":
        lead = (
            "This is the trainee edition of the course handbook: each lab's guide and its "
            "notebook as released to you, with the figures of a demo case (your own case "
            "differs: work on your own data in the lab)."
        )
        rows = [[c.title, _fmt(c.hours) + " h" if c.hours else "-"] for c in chs]
        table = _table(rows, ["lab", "time"])
    else:
        lead = (
            "This is the instructor edition of the course handbook: each lab's guide, its "
            "notebook with the model answers and hidden tests, its marking scheme, timings "
            "and credit hours, and the instructor guide. Do not give it to trainees."
        )
        rows = []
        for c in chs:
            p = pts.get(c.id)
            credits = f"{c.hours / per_credit:.2f}" if c.hours else "-"
            marks = f"{_fmt(p.auto)} + {_fmt(p.manual)}" if p and (p.auto or p.manual) else "-"
            rows.append([c.title, _fmt(c.hours) + " h" if c.hours else "-", credits, marks])
        table = _table(rows, ["lab", "hours", "credits", "points (automatic + written)"])
        total = sum(c.hours or 0 for c in chs)
        table += (
            f"\nTotal: {_fmt(total)} training hours, {total / per_credit:.2f} credits "
            f"({_fmt(per_credit)} hours per credit, from `grading/catalogue.json`).\n"
        )
    return f"# {course}\n\n{lead}\n\n{table}"


def instructor_notes(
    chapter: Chapter, catalogue: dict[str, Any], pts: Points | None, rubrics: dict[str, str]
) -> str:
    """A lab's page for instructors: timing, credit hours, pass mark, the marks per question
    and the marking scheme of its written answers."""
    per_credit = float(catalogue["hours_per_credit"])
    lines = [f"# Instructor notes: {chapter.title}", ""]
    if chapter.hours is not None:
        lines += [
            f"**Timing:** {_fmt(chapter.hours)} h ({_fmt(chapter.hours * 60)} minutes). "
            f"**Credit hours:** {_fmt(chapter.hours)} h, that is "
            f"{chapter.hours / per_credit:.2f} credits at {_fmt(per_credit)} hours per credit.",
            "",
        ]
    if pts is not None and pts.questions:
        total = pts.auto + pts.manual
        pass_mark = (chapter.pass_fraction or 0.5) * total
        lines += [
            f"**Points:** {_fmt(total)} ({_fmt(pts.auto)} automatic, {_fmt(pts.manual)} "
            f"written, marked in the formgrader). **Pass mark:** {_fmt(pass_mark)}.",
            "",
            "## Marks per check",
            "",
            _table(([g, k, _fmt(v)] for g, k, v in pts.questions), ["cell", "marked", "points"]),
        ]
    lines += ["## Rubric", ""]
    if pts is not None and pts.manual:
        scheme = rubrics.get("capstone" if chapter.id.endswith("capstone") else "written")
        lines.append(
            scheme
            or "The written answers are marked by hand against the model answer in the notebook."
        )
        lines += ["", "The model answers are shown in this edition's notebook chapter."]
    else:
        lines.append("Not graded.")
    return "\n".join(lines) + "\n"


def rubrics_from_guide(guide: Path) -> dict[str, str]:
    """The marking schemes the instructor guide states (its ``**Written answers**`` and
    ``**The capstone's written report**`` bullets), if it still has them."""
    if not guide.is_file():
        return {}
    text = guide.read_text(encoding="utf-8")
    found = {}
    for key, pattern in (
        ("written", r"\*\*Written answers\*\*"),
        ("capstone", r"\*\*The capstone's written report\*\*"),
    ):
        match = re.search(r"^\* " + pattern + r".*?(?=^\* |^#|\Z)", text, re.M | re.S)
        if match:
            found[key] = re.sub(r"\s*\n\s*", " ", match.group(0)[2:]).strip()
    return found


# -- one edition --------------------------------------------------------------------------


@dataclass
class Edition:
    """An edition's documents, in order: (book path without suffix, content)."""

    name: str
    documents: list[tuple[str, str | NotebookNode]]
    toc: list[dict[str, Any]]
    pdf_chapters: list[tuple[str, list[tuple[str, str | NotebookNode]]]]


def assemble(
    edition: str,
    catalogue: dict[str, Any],
    chs: list[Chapter],
    notebooks: dict[str, NotebookNode],
    pts: dict[str, Points],
) -> Edition:
    """The edition's documents (Markdown text or notebooks), its table of contents and its
    print chapters: the introduction, then per lab its guide, its notebook and (instructor)
    its notes, then (instructor) the instructor guide."""
    guide_names = [c.guide for c in chs if c.guide is not None]
    instructor_guide = LABS_DIR / "instructor_guide.md"
    if edition == "instructor" and instructor_guide.is_file():
        guide_names.append(instructor_guide)
    kept = {p.resolve(): p.name for p in guide_names}  # labs/x.md -> x.md (same folder)
    rubrics = rubrics_from_guide(instructor_guide)

    def guide_source(path: Path) -> str:
        text = path.read_text(encoding="utf-8")
        if edition == "trainee":
            text = drop_instructor_sections(text)
        return text

    def guide_text(path: Path) -> str:
        return _rewrite_links(guide_source(path), path.parent, kept)

    docs: list[tuple[str, str | NotebookNode]] = [
        ("intro", intro_markdown(edition, catalogue, chs, pts))
    ]
    toc: list[dict[str, Any]] = []
    pdf: list[tuple[str, list[tuple[str, str | NotebookNode]]]] = [
        ("Introduction", [("", _drop_title(str(docs[0][1])))])
    ]
    for c in chs:
        sections: list[str] = []
        printed: list[tuple[str, str | NotebookNode]] = []
        head: str | None = None
        if c.guide is not None:
            head = f"labs/{c.guide.stem}"
            text = guide_text(c.guide)
            docs.append((head, text))
            printed.append(("Guide", _drop_title(_drop_links(guide_source(c.guide)))))
        if c.id in notebooks:
            nb = _markdown_cells(notebooks[c.id], lambda s: _rewrite_links(s, LABS_DIR, {}))
            docs.append((f"notebooks/{c.id}", nb))
            sections.append(f"notebooks/{c.id}")
            printed.append(("Notebook", _drop_first_title(nb)))
        if edition == "instructor" and c.hours is not None:
            notes = instructor_notes(c, catalogue, pts.get(c.id), rubrics)
            docs.append((f"instructor/{c.id}", notes))
            sections.append(f"instructor/{c.id}")
            printed.append(("Instructor notes", _drop_title(notes)))
        if head is None and sections:
            head = sections.pop(0)
        if head is None:
            continue
        entry: dict[str, Any] = {"file": head}
        if sections:
            entry["sections"] = [{"file": s} for s in sections]
        toc.append(entry)
        pdf.append((c.title, printed))
    if edition == "instructor" and instructor_guide.is_file():
        docs.append(("labs/instructor_guide", guide_text(instructor_guide)))
        toc.append({"file": "labs/instructor_guide"})
        title = _first_heading(instructor_guide) or "Instructor guide"
        pdf.append((title, [("", _drop_title(_drop_links(instructor_guide.read_text("utf-8"))))]))
    return Edition(edition, docs, toc, pdf)


def _markdown_cells(nb: NotebookNode, change: Any) -> NotebookNode:
    done = copy.deepcopy(nb)
    for cell in done.cells:
        if cell.cell_type == "markdown":
            cell.source = change(cell.source)
    return done


def _drop_first_title(nb: NotebookNode) -> NotebookNode:
    """For print: the notebook without its first ``# `` title (the chapter has it) and without
    relative links."""
    done = _markdown_cells(nb, _drop_links)
    for cell in done.cells:
        if cell.cell_type == "markdown" and re.match(r"^\s*# ", cell.source):
            cell.source = _drop_title(cell.source)
            break
    return done


# -- HTML: Jupyter Book 1 -----------------------------------------------------------------


def _yaml(value: Any, indent: int = 0) -> str:
    """A small YAML writer for the two config files (JSON scalars are valid YAML)."""
    pad = "  " * indent
    if isinstance(value, dict):
        out = []
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                out.append(f"{pad}{key}:\n{_yaml(item, indent + 1)}")
            else:
                out.append(f"{pad}{key}: {json.dumps(item)}")
        return "\n".join(out)
    if isinstance(value, list):
        out = []
        for item in value:
            text = _yaml(item, indent + 1).lstrip()
            out.append(f"{pad}- {text}")
        return "\n".join(out)
    return pad + json.dumps(value)


def write_book_sources(ed: Edition, src: Path, catalogue: dict[str, Any]) -> None:
    """The Jupyter Book project of one edition: its documents, ``_toc.yml``, ``_config.yml``."""
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    for name, content in ed.documents:
        target = src / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.with_suffix(".md").write_text(content, encoding="utf-8")
        else:
            _write_nb(content, target.with_suffix(".ipynb"))
    toc = {"format": "jb-book", "root": "intro", "chapters": ed.toc}
    (src / "_toc.yml").write_text(_yaml(toc) + "\n", encoding="utf-8")
    config = {
        "title": f"{catalogue['course']} ({ed.name} edition)",
        "author": "the course team",
        "copyright": str(datetime.now(UTC).year),
        "only_build_toc_files": True,
        # The notebooks come executed (or deliberately without outputs): never run here.
        "execute": {"execute_notebooks": "off"},
        "html": {
            "use_repository_button": False,
            "use_issues_button": False,
            "use_edit_page_button": False,
            "use_download_button": False,
            "use_multitoc_numbering": False,
        },
        "launch_buttons": {
            "notebook_interface": "classic",
            "binderhub_url": "",
            "jupyterhub_url": "",
            "thebe": False,
            "colab_url": "",
        },
        "repository": {"url": "", "path_to_book": "", "branch": ""},
        "sphinx": {
            "config": {
                "html_show_sourcelink": False,
                "nb_merge_streams": True,
            }
        },
    }
    (src / "_config.yml").write_text(_yaml(config) + "\n", encoding="utf-8")


def build_html(src: Path, out: Path) -> None:
    """``jupyter-book build`` of ``src`` into ``out`` (its ``_build/html``, moved there)."""
    with tempfile.TemporaryDirectory(prefix="handbook-jb-") as tmp:
        run = "import sys; from jupyter_book.cli.main import main; sys.exit(main())"
        cmd = [sys.executable, "-c", run, "build", str(src), "--path-output", tmp]
        cmd += ["--builder", "html", "--quiet"]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(
                f"jupyter-book failed on {src}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(Path(tmp) / "_build" / "html", out)


# -- PDF: pandoc's Typst writer and the typst library -------------------------------------


def _typst_text(text: str) -> str:
    """``text`` as Typst markup (every markup character escaped)."""
    return re.sub(r"([\\#*_`<>@$=\[\]~/-])", r"\\\1", text)


PRINT_MIMES = ("image/png", "text/markdown", "text/plain")  # what paper shows, best first


def _for_print(nb: NotebookNode) -> NotebookNode:
    """Outputs pandoc can put on paper, one form each: a figure, Markdown, else the text
    form (a table's, cut when long) rather than HTML; no HTML-only outputs (an audio
    player)."""
    done = copy.deepcopy(nb)
    for cell in done.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            data = output.get("data")
            if data is not None:
                best = next((m for m in PRINT_MIMES if m in data), None)
                if best is None:
                    continue
                for mime in [m for m in data if m != best]:
                    del data[mime]
                if best == "text/plain":
                    data["text/plain"] = _shorten(data["text/plain"])
            elif output.get("output_type") == "stream":
                output["text"] = _shorten(output.get("text", ""))
            kept.append(output)
        cell.outputs = kept
    return done


PRINT_OUTPUT_LINES = 40


def _shorten(text: str | list[str], limit: int = PRINT_OUTPUT_LINES) -> str:
    """A long text output cut for paper, saying how much was left out."""
    joined = "".join(text) if isinstance(text, list) else text
    lines = joined.splitlines()
    if len(lines) <= limit:
        return joined
    left = len(lines) - limit
    return "\n".join([*lines[:limit], f"... ({left} more lines in the HTML edition)"]) + "\n"


def _pandoc(source: Path, fmt: str, cwd: Path, media: str) -> str:
    cmd = [pypandoc.get_pandoc_path(), str(source), "-f", fmt, "-t", "typst"]
    cmd += ["--shift-heading-level-by=1", f"--extract-media={media}", "--wrap=preserve"]
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pandoc failed on {source}: {done.stderr.strip()}")
    return done.stdout


def write_typst(ed: Edition, work: Path, catalogue: dict[str, Any]) -> Path:
    """One ``handbook.typ`` for the edition (with its media beside it)."""
    if work.exists():
        shutil.rmtree(work)
    (work / "parts").mkdir(parents=True)
    shutil.copy2(TEMPLATE, work / "template.typ")
    date = datetime.now(UTC).strftime("%d %B %Y")
    body = [
        '#import "template.typ": handbook, horizontalrule',
        f"#show: handbook.with(course: {json.dumps(catalogue['course'])}, "
        f"edition: {json.dumps(ed.name.capitalize() + ' edition')}, "
        f'subtitle: "Course handbook", date: {json.dumps(date)})',
        "",
    ]
    n = 0
    for title, parts in ed.pdf_chapters:
        body.append(f"= {_typst_text(title)}\n")
        for heading, content in parts:
            n += 1
            if heading:
                body.append(f"== {_typst_text(heading)}\n")
            if isinstance(content, str):
                path = work / "parts" / f"{n:02d}.md"
                path.write_text(content, encoding="utf-8")
                fmt = "markdown"
            else:
                path = work / "parts" / f"{n:02d}.ipynb"
                _write_nb(_for_print(content), path)
                fmt = "ipynb"
            fragment = _pandoc(path, fmt, work, f"media/{n:02d}")
            if heading:  # the part's own headings one level below its "== Guide" heading
                fragment = re.sub(r"^(=+) ", r"=\1 ", fragment, flags=re.M)
            body.append(fragment)
    book = work / "handbook.typ"
    book.write_text("\n".join(body), encoding="utf-8")
    return book


def build_pdf(book: Path, out: Path) -> None:
    typst.compile(str(book), output=str(out), root=str(book.parent))


def chapter_titles(book: Path) -> list[str]:
    """The level-1 headings of a compiled Typst book (``typst query``): its chapters."""
    found = json.loads(typst.query(str(book), "heading.where(level: 1)", root=str(book.parent)))
    return [_plain(h["body"]) for h in found if h.get("outlined", True)]


def _plain(content: Any) -> str:
    """The text of a queried Typst content tree."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(_plain(c) for c in content)
    if isinstance(content, dict):
        if "text" in content:
            return str(content["text"])
        if content.get("func") == "space":
            return " "
        if "children" in content:
            return _plain(content["children"])
        if "body" in content:
            return _plain(content["body"])
    return ""


# -- the whole build ----------------------------------------------------------------------


def _log(message: str) -> None:
    print(f"handbook: {message}", file=sys.stderr, flush=True)  # noqa: T201 (a script)


def build(
    out: Path,
    *,
    editions: Iterable[str] = EDITIONS,
    execute_notebooks: bool = True,
    html: bool = True,
    pdf: bool = True,
    work: Path | None = None,
) -> dict[str, dict[str, Path]]:
    """Build the chosen editions into ``out/<edition>``; return what was written."""
    catalogue = load_catalogue()
    chs = chapters(catalogue)
    wanted = list(editions)
    written: dict[str, dict[str, Path]] = {}
    with _workdir(work) as tmp:
        start = time.monotonic()
        released = release(tmp / "course")
        _log(f"released {len(released)} notebooks ({time.monotonic() - start:.0f} s)")
        sources = {c.id: _read_nb(c.notebook, as_version=4) for c in chs if c.notebook}
        pts = {lab: points(nb) for lab, nb in sources.items()}
        if execute_notebooks:
            demo_data(tmp / "run" / "data")
            _log(f"demo data ready ({time.monotonic() - start:.0f} s)")
        for edition in wanted:
            notebooks: dict[str, NotebookNode] = {}
            for c in chs:
                if c.id not in sources:
                    continue
                if edition == "trainee":
                    if c.id not in released:
                        raise RuntimeError(f"no released notebook for {c.id}")
                    nb = _read_nb(released[c.id], as_version=4)
                else:
                    nb = sources[c.id]
                if execute_notebooks:
                    nb, failed = drop_errors(execute(nb, tmp / "run" / f"{edition}-{c.id}"))
                    # In the release a cell fails where it needs an answer; in the source
                    # notebook a failure is a fault of the kit, shown here, not printed.
                    why = "needed an answer" if edition == "trainee" else "FAILED (not shown)"
                    _log(
                        f"{edition}: ran {c.id} ({time.monotonic() - start:.0f} s)"
                        + (f"; {failed} cell(s) {why}" if failed else "")
                    )
                else:
                    nb = plain_notebook(nb)
                notebooks[c.id] = (
                    trainee_notebook(nb) if edition == "trainee" else instructor_notebook(nb)
                )
            ed = assemble(edition, catalogue, chs, notebooks, pts)
            target = out / edition
            target.mkdir(parents=True, exist_ok=True)
            result: dict[str, Path] = {}
            src = target / "book"
            write_book_sources(ed, src, catalogue)
            result["book"] = src
            if html:
                build_html(src, target / "html")
                result["html"] = target / "html"
                _log(f"{edition}: HTML in {target / 'html'} ({time.monotonic() - start:.0f} s)")
            book = write_typst(ed, target / "typst", catalogue)
            result["typst"] = book
            if pdf:
                build_pdf(book, target / "handbook.pdf")
                result["pdf"] = target / "handbook.pdf"
                _log(f"{edition}: PDF {target / 'handbook.pdf'} ({time.monotonic() - start:.0f} s)")
            written[edition] = result
    return written


class _workdir:
    """A temporary folder (deleted after), or the given one (kept, for debugging)."""

    def __init__(self, given: Path | None) -> None:
        self.given = given
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> Path:
        if self.given is not None:
            self.given.mkdir(parents=True, exist_ok=True)
            return self.given.resolve()
        self._tmp = tempfile.TemporaryDirectory(prefix="handbook-")
        return Path(self._tmp.name)

    def __exit__(self, *exc: object) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=KIT / "build" / "handbook")
    parser.add_argument("--edition", choices=EDITIONS, action="append", help="default: both")
    parser.add_argument(
        "--no-execute", action="store_true", help="render the notebooks without outputs"
    )
    parser.add_argument("--no-html", action="store_true")
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--work", type=Path, default=None, help="keep the work folder here")
    args = parser.parse_args(argv)
    written = build(
        args.out.resolve(),
        editions=args.edition or EDITIONS,
        execute_notebooks=not args.no_execute,
        html=not args.no_html,
        pdf=not args.no_pdf,
        work=args.work,
    )
    for edition, paths in written.items():
        for kind, path in paths.items():
            print(f"{edition} {kind}: {path}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
