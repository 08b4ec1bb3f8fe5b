"""The Handbook (issue 15, part 5): both editions, every lab, no answers for trainees.

Truth: ``grading/catalogue.json`` (the lab titles, hours and hours per credit) and the source
notebooks' own nbgrader delimiters (the model-answer lines between ``### BEGIN SOLUTION``
and ``### END SOLUTION``, and the hidden tests). The PDF is checked without a PDF library
(pypdf and poppler are not installed): its chapters through ``typst query`` on the compiled
book and through the PDF's own outline (bookmark) objects; its text with a small extractor
written here for Typst's output (each page's content stream, the fonts' ToUnicode maps),
and through the ``.typ`` source it was compiled from; its page count from its page objects.

The fast part (default run) releases the notebooks with nbgrader and builds both editions'
book sources and PDFs without executing the notebooks; the slow part builds everything
(notebooks executed against the demo case, the HTML sites) and checks the HTML.
"""

from __future__ import annotations

import json
import re
import zlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from handbook import build as hb
from tests.conftest import ROOT, snapshot

CATALOGUE = json.loads((ROOT / "grading" / "catalogue.json").read_text())
LAB_TITLES = [lab["title"] for lab in CATALOGUE["labs"]]
SOURCES = sorted((ROOT / "notebooks").glob("*/*.ipynb"))


def _norm(text: str) -> str:
    """Text without Markdown emphasis, Typst markup, escapes or line wrapping (pandoc
    re-wraps, escapes and marks up a paragraph when it writes Typst)."""
    text = re.sub(r"#(emph|strong|link\([^)]*\))\[", "", text)  # Typst's markup functions
    text = re.sub(r"\\(.)", r"\1", text)
    return re.sub(r"\s+", " ", re.sub(r"[*_`\[\]]", "", text)).strip()


def _secret_lines() -> dict[str, list[str]]:
    """Per kind ("code", "markdown"), lines that appear in the kit's notebooks only between
    nbgrader's solution / hidden-test delimiters (a line also given elsewhere, in another
    notebook, a hint or a guide, is no secret), long enough to be distinctive."""
    inside_lines: list[tuple[str, str]] = []
    outside: set[str] = set()
    for guide in (ROOT / "labs").glob("*.md"):
        outside.update(line.strip() for line in guide.read_text().splitlines())
    for path in SOURCES:
        nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
        for cell in nb.cells:
            inside = False
            for line in cell.source.splitlines():
                if re.match(r"\s*#+ BEGIN (SOLUTION|HIDDEN TESTS)", line):
                    inside = True
                elif re.match(r"\s*#+ END (SOLUTION|HIDDEN TESTS)", line):
                    inside = False
                elif inside:
                    inside_lines.append((cell.cell_type, line.strip()))
                else:
                    outside.add(line.strip())
    given = "\n".join(outside)  # a line quoted in a hint or a worked example is given
    flat_given = _norm(given)  # and a sentence a guide says too, however it is wrapped
    found: dict[str, list[str]] = {"code": [], "markdown": []}
    for kind, line in inside_lines:
        if kind == "markdown" and _norm(line) in flat_given:
            continue
        if len(line) >= 25 and line not in given and line not in found[kind]:
            found[kind].append(line)
    return found


SECRETS = _secret_lines()


def test_the_kit_has_model_answers_to_hide() -> None:
    # Without solution lines the absence checks below would prove nothing.
    assert len(SECRETS["code"]) >= 10 and len(SECRETS["markdown"]) >= 5


# -- the PDF, read without a PDF library --------------------------------------------------


def _pdf_objects(pdf: bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated beside it (object streams hold the
    outline dictionaries)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        start = match.end()
        try:
            parts.append(zlib.decompressobj().decompress(pdf[start : start + 10_000_000]))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _pdf_string(token: bytes) -> str:
    if token.startswith(b"<"):
        raw = bytes.fromhex(token[1:-1].decode())
    else:
        body = token[1:-1]
        raw = re.sub(
            rb"\\([nrtbf()\\]|[0-7]{1,3})",
            lambda m: (
                bytes([int(m.group(1), 8)])
                if m.group(1)[:1].isdigit()
                else {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(
                    m.group(1), m.group(1)
                )
            ),
            body,
        )
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be")
    return raw.decode("latin-1")


def pdf_outline(path: Path) -> list[str]:
    """The titles of the PDF's outline (bookmark) entries, in file order."""
    text = _pdf_objects(path.read_bytes())
    titles = re.findall(rb"/Title\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)", text)
    outline_titles = [_pdf_string(t) for t in titles]
    return [t for t in outline_titles if t]


def pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", _pdf_objects(path.read_bytes())))


OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(n): body for n, body in OBJ.findall(pdf)}


def _stream(body: bytes) -> bytes:
    m = re.search(rb"stream\r?\n", body)
    if m is None:
        return b""
    data = body[m.end() :]
    data = data[: data.rfind(b"endstream")] if b"endstream" in data else data
    if b"/FlateDecode" in body[: m.start()]:
        return zlib.decompressobj().decompress(data)
    return data


def _literal(raw: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x5C:  # backslash
            i += 1
            e = raw[i : i + 1]
            if e in b"01234567":
                j = i
                while j < len(raw) and j < i + 3 and raw[j : j + 1] in b"01234567":
                    j += 1
                out.append(int(raw[i:j], 8) & 0xFF)
                i = j
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(e, e)
        else:
            out.append(c)
        i += 1
    return bytes(out)


def _cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            base = int(dst, 16)
            for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(base + k)
    return mapping


def pdf_text(pdf: bytes) -> str:
    """The text of a Typst-made PDF, page by page (form feed between pages): each page's
    content stream, its fonts' ToUnicode maps applied to the 2-byte glyph codes of its
    ``Tj``/``TJ`` strings; a new line at each text object's end."""
    objs = _objects(pdf)
    fonts: dict[int, dict[int, str]] = {}
    pages = []
    for num, body in objs.items():
        if re.search(rb"/Type\s*/Page(?![a-zA-Z])", body[:2000]) and b"/Contents" in body:
            pages.append(num)
    pages.sort()
    texts = []
    for num in pages:
        body = objs[num]
        res = re.search(rb"/Resources\s*(\d+) 0 R", body)
        resources = objs[int(res.group(1))] if res else body
        fdict = re.search(rb"/Font\s*<<(.*?)>>", resources, re.S)
        names: dict[bytes, dict[int, str]] = {}
        if fdict:
            for name, ref in re.findall(rb"/([^\s/<>]+)\s*(\d+) 0 R", fdict.group(1)):
                fobj = objs.get(int(ref), b"")
                tu = re.search(rb"/ToUnicode\s*(\d+) 0 R", fobj)
                if tu:
                    key = int(tu.group(1))
                    if key not in fonts:
                        fonts[key] = _cmap(_stream(objs[key]))
                    names[name] = fonts[key]
        contents = re.search(rb"/Contents\s*(\d+) 0 R", body)
        if not contents:
            continue
        stream = _stream(objs[int(contents.group(1))])
        current: dict[int, str] = {}
        out = []
        for tok in re.finditer(
            rb"/([^\s/\[\]()<>]+)\s+[\d.]+\s+Tf|\[((?:\((?:\\.|[^\\)])*\)|[^\]])*)\]\s*TJ|\(((?:\\.|[^\\)])*)\)\s*Tj|(ET)",
            stream,
            re.S,
        ):
            if tok.group(1) is not None:
                current = names.get(tok.group(1), {})
            elif tok.group(4):
                out.append("\n")
            else:
                parts = (
                    re.findall(rb"\(((?:\\.|[^\\)])*)\)", tok.group(2))
                    if tok.group(2) is not None
                    else [tok.group(3)]
                )
                for part in parts:
                    raw = _literal(part)
                    for k in range(0, len(raw) - 1, 2):
                        out.append(current.get(int.from_bytes(raw[k : k + 2], "big"), ""))
        texts.append("".join(out))
    return "\f".join(texts)


# -- the fast build: sources and PDFs, notebooks not executed ----------------------------


SOURCE_DIRS = ("notebooks", "labs", "grading")
_UNTOUCHED: dict[str, bool] = {}


def _sources() -> dict[str, dict[str, str]]:
    """The kit's sources the build reads (Python's byte-code caches aside)."""
    return {
        d: {k: v for k, v in snapshot(ROOT / d).items() if "__pycache__" not in k}
        for d in SOURCE_DIRS
    }


@pytest.fixture(scope="module")
def fast(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    out = tmp_path_factory.mktemp("handbook")
    before = _sources()
    built = hb.build(out, execute_notebooks=False, html=False, pdf=True)
    _UNTOUCHED["fast"] = before == _sources()
    return built


def test_the_build_leaves_the_sources_untouched(fast: dict[str, dict[str, Path]]) -> None:
    # The release and its gradebook live in a temporary course, never in notebooks/.
    assert _UNTOUCHED["fast"]


def _book_text(book: Path) -> str:
    """Every document of a Jupyter Book source folder (Markdown and notebook cells)."""
    texts = []
    for path in sorted(book.rglob("*")):
        if path.suffix == ".md":
            texts.append(path.read_text())
        elif path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
            for cell in nb.cells:
                texts.append(cell.source)
                for output in cell.get("outputs", []):
                    texts.append(json.dumps(output))
    return "\n".join(texts)


@pytest.mark.parametrize("edition", hb.EDITIONS)
def test_every_lab_is_a_chapter_of_the_pdf(fast: dict[str, dict[str, Path]], edition: str) -> None:
    built = fast[edition]
    typ = built["typst"].read_text()
    chapters = hb.chapter_titles(built["typst"])  # typst query on the compiled book
    outline = pdf_outline(built["pdf"])
    for title in LAB_TITLES:
        assert title in chapters, (title, chapters)
        assert title in outline, (title, outline)
    # The tour opens the book, the labs follow in the catalogue's order.
    lab_chapters = [c for c in chapters if c in LAB_TITLES]
    assert lab_chapters == LAB_TITLES
    assert chapters[0] == "Introduction" and chapters[1].startswith("Lab 00")
    # Each lab chapter has its guide and its notebook (and, for instructors, its notes).
    sections = ["Guide", "Notebook"] + (["Instructor notes"] if edition == "instructor" else [])
    for section in sections:
        assert typ.count(f"== {section}\n") >= len(LAB_TITLES), section
        assert outline.count(section) >= len(LAB_TITLES), section
    if edition == "instructor":
        assert chapters[-1].startswith("Instructor guide")
    else:
        assert not any(c.startswith("Instructor guide") for c in chapters)
        assert "Instructor notes" not in outline
    # A book, not a stub: title page, contents, then one page or more per chapter.
    assert pdf_pages(built["pdf"]) >= 2 + len(LAB_TITLES) + 1


def test_the_trainee_edition_holds_no_solution(fast: dict[str, dict[str, Path]]) -> None:
    built = fast["trainee"]
    texts = {"typst": built["typst"].read_text(), "book": _book_text(built["book"])}
    for where, text in texts.items():
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, where
        assert "BEGIN HIDDEN TESTS" not in text, where
        assert "Model answer" not in text and "Instructor notes" not in text, where
        for line in SECRETS["code"]:
            assert line not in text, (where, line)
    # Written model answers: the book's notebooks keep Markdown as written; pandoc re-wraps
    # and escapes it for print, so the PDF's source is compared without either.
    flat_typ = _norm(texts["typst"])
    for line in SECRETS["markdown"]:
        assert line not in texts["book"], line
        assert _norm(line) not in flat_typ, line
    # What the trainee does see: the stubs nbgrader leaves in place of each answer.
    assert texts["typst"].count("raise NotImplementedError()") >= 10


def test_the_instructor_edition_holds_model_answers_and_credits(
    fast: dict[str, dict[str, Path]],
) -> None:
    built = fast["instructor"]
    typ = built["typst"].read_text()
    book = _book_text(built["book"])
    for line in SECRETS["code"]:
        assert line in typ and line in book, line
    flat_typ = _norm(typ)
    for line in SECRETS["markdown"]:
        assert line in book, line
        assert _norm(line) in flat_typ, line  # the same comparison finds them when present
    for nb in (built["book"] / "notebooks").glob("*.ipynb"):  # delimiters replaced by a note
        assert "BEGIN SOLUTION" not in nb.read_text(), nb.name
    assert typ.count("Model answer") >= len(LAB_TITLES)
    per_credit = CATALOGUE["hours_per_credit"]
    notes = {p.stem: p.read_text() for p in (built["book"] / "instructor").glob("*.md")}
    assert sorted(notes) == sorted(lab["id"] for lab in CATALOGUE["labs"])
    for lab in CATALOGUE["labs"]:
        # e.g. lab 5: 3 h at 25 hours per credit = 0.12 credits
        credits = f"{lab['hours'] / per_credit:.2f} credits"
        assert credits in notes[lab["id"]], (lab["id"], credits)
        assert f"**Credit hours:** {lab['hours']:g} h" in notes[lab["id"]]
        assert "## Rubric" in notes[lab["id"]]
        assert credits in typ
    # The capstone's report rubric (4 points, written) comes from the instructor guide.
    assert "written report" in notes["lab5_capstone"]


def test_relative_links_point_inside_the_book(fast: dict[str, dict[str, Path]]) -> None:
    # MyST resolves a link to another document of the book; any other relative link would be
    # dead in the site, so the builder turns it into text.
    for edition in hb.EDITIONS:
        book = fast[edition]["book"]
        for md in book.rglob("*.md"):
            for target in re.findall(r"(?<!!)\[[^\]\n]+\]\(([^)\s]+)\)", md.read_text()):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                    continue
                assert (md.parent / target.partition("#")[0]).is_file(), (edition, md, target)


# -- the full build: executed notebooks, the HTML sites -----------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.images: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
        if tag == "img" and values.get("src"):
            self.images.append(values["src"] or "")
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    out = tmp_path_factory.mktemp("handbook-full")
    return hb.build(out, execute_notebooks=True, html=True, pdf=True)


@pytest.mark.slow
@pytest.mark.parametrize("edition", hb.EDITIONS)
def test_html_site(full: dict[str, dict[str, Path]], edition: str) -> None:
    site = full[edition]["html"]
    pages = {p: _parse(p) for p in site.rglob("*.html")}
    assert (site / "index.html").is_file()
    text = {p: "".join(parsed.text) for p, parsed in pages.items()}
    everything = "\n".join(text.values())
    for title in LAB_TITLES:
        assert title in everything, title
    # Internal links resolve: each relative href names a file of the site, and its #anchor
    # an id in that file.
    checked = 0
    for page, parsed in pages.items():
        for href in parsed.hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), (page.relative_to(site), href)
            if parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                assert unquote(parts.fragment) in ids, (page.relative_to(site), href)
            checked += 1
    assert checked > 50
    # Figures: the executed notebooks' plots are in the site.
    notebook_pages = [p for p in pages if p.parent.name == "notebooks"]
    assert notebook_pages
    images = [src for p in notebook_pages for src in pages[p].images if src.endswith(".png")]
    assert len(images) >= 3, images
    if edition == "trainee":
        assert "BEGIN SOLUTION" not in everything and "BEGIN HIDDEN TESTS" not in everything
        assert "Model answer" not in everything
        for line in SECRETS["code"]:
            assert line not in everything, line
        flat = _norm(everything)
        for line in SECRETS["markdown"]:
            assert _norm(line) not in flat, line
        assert not (site / "instructor").exists()
    else:
        flat = re.sub(r"\s+", " ", everything)
        for line in SECRETS["code"]:
            assert line in flat, line
        for lab in CATALOGUE["labs"]:
            assert f"{lab['hours'] / CATALOGUE['hours_per_credit']:.2f} credits" in flat


@pytest.mark.slow
def test_full_pdfs(full: dict[str, dict[str, Path]]) -> None:
    for edition in hb.EDITIONS:
        built = full[edition]
        chapters = hb.chapter_titles(built["typst"])
        assert [c for c in chapters if c in LAB_TITLES] == LAB_TITLES
        # The executed notebooks' figures are on paper too.
        media = list((built["typst"].parent / "media").rglob("*.png"))
        assert len(media) >= 3, edition
    trainee = full["trainee"]["typst"].read_text()
    for line in SECRETS["code"]:
        assert line not in trainee, line


def test_points_per_lab_agree_with_the_guides(fast: dict[str, dict[str, Path]]) -> None:
    # The instructor notes count points from the notebooks' nbgrader metadata; each guide
    # states them by hand ("**Points:** 12 (10 automatic, 2 marked by the instructor)").
    notes = fast["instructor"]["book"] / "instructor"
    compared = 0
    for lab in CATALOGUE["labs"]:
        guide = ROOT / "labs" / f"{lab['id']}.md"
        stated = re.search(
            r"\*\*Points:\*\* (\d+) \((\d+) (?:marked )?automatic", guide.read_text()
        )
        if stated is None:
            continue
        total, auto = stated.groups()
        text = (notes / f"{lab['id']}.md").read_text()
        assert f"**Points:** {total} ({auto} automatic" in text, lab["id"]
        compared += 1
    assert compared >= 3


def _instructor_sections() -> dict[str, str]:
    """Each guide's "## For instructors" section (its text up to the next ``## ``)."""
    found = {}
    for guide in sorted((ROOT / "labs").glob("lab*.md")):
        match = re.search(r"^## For instructors\n(.*?)(?=^## |\Z)", guide.read_text(), re.M | re.S)
        if match and match.group(1).strip():
            found[guide.stem] = match.group(1).strip()
    return found


@pytest.mark.skipif(not _instructor_sections(), reason="no guide has a For instructors section")
def test_guides_sections_for_instructors_only_in_their_edition(
    fast: dict[str, dict[str, Path]],
) -> None:
    trainee_book = _book_text(fast["trainee"]["book"])
    trainee_typ = _norm(fast["trainee"]["typst"].read_text())
    instructor_book = _book_text(fast["instructor"]["book"])
    assert "For instructors" not in trainee_book
    for lab, section in _instructor_sections().items():
        first = section.splitlines()[0].lstrip("* ")
        assert first not in trainee_book, lab
        assert _norm(first) not in trainee_typ, lab
        assert first in instructor_book, lab


def _squash(text: str) -> str:
    """No white space at all: a PDF's text runs break where the layout does."""
    return re.sub(r"\s+", "", text)


def test_pdf_text(fast: dict[str, dict[str, Path]]) -> None:
    # The PDFs' own text (extracted above from their content streams and fonts' ToUnicode
    # maps): every lab in both; model answers only in the instructor's.
    texts = {ed: pdf_text(fast[ed]["pdf"].read_bytes()) for ed in hb.EDITIONS}
    for edition, text in texts.items():
        flat = _squash(text)
        assert text.count("\f") + 1 == pdf_pages(fast[edition]["pdf"])
        for title in LAB_TITLES:
            assert _squash(title) in flat, (edition, title)
    trainee, instructor = (_squash(texts[ed]) for ed in ("trainee", "instructor"))
    trainee_prose, instructor_prose = (_squash(_norm(texts[ed])) for ed in hb.EDITIONS)
    assert "BEGINSOLUTION" not in trainee and "BEGINHIDDENTESTS" not in trainee
    assert "Modelanswer" not in trainee and "Modelanswer" in instructor
    for line in SECRETS["code"]:
        assert _squash(line) not in trainee, line
        assert _squash(line) in instructor, line
    found = 0
    for line in SECRETS["markdown"]:
        assert _squash(_norm(line)) not in trainee_prose, line
        found += _squash(_norm(line)) in instructor_prose
    # A few written-answer lines end in a hyphenated or ligatured word the layout changes.
    assert found >= 0.9 * len(SECRETS["markdown"]), (found, len(SECRETS["markdown"]))
    for lab in CATALOGUE["labs"]:
        credits = f"{lab['hours'] / CATALOGUE['hours_per_credit']:.2f}credits"
        assert credits in instructor and credits not in trainee, lab["id"]
