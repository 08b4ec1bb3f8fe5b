"""A case report as one self-contained HTML file.

Everything is inside the file: the figures are PNG ``data:`` URIs, the style sheet is inline
(with an ``@media print`` part, so the report prints readably), there is no script and no
external link: the report opens on an examiner's laptop without network and shows the same
thing in ten years. Every piece of text that comes from an exhibit (message bodies, names,
file paths) is HTML-escaped: exhibit data is hostile, and a ``<script>`` in a message must be
shown, never run.

Sections: the case (exhibits with their SHA-256 from ``hashes.json``, the chain of custody,
exhibits that could not be read), the findings grouped by section with the evidence behind
each, the flights (map with the perimeter, altitude/speed profile, geofence summary), the
call list, and the timeline (a plot of every event and a table of the first rows only: the
full timeline is exported with ``forensics-lib case timeline``).

The report is deterministic: the same case and findings give the same bytes, except the
generation time, which is written in one place and can be pinned with ``generated_utc``.
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from forensics_lib.case import Case
from forensics_lib.drone.analysis import Polygon, geofence, load_polygon
from forensics_lib.findings import UNVERIFIED_NOTE, EvidenceRef, Finding
from forensics_lib.report._common import (
    call_list,
    case_name,
    exhibit_files,
    exhibit_sha256,
    flight_logs,
    iso,
    json_text,
)

__all__ = ["DEFAULT_TIMELINE_ROWS", "render_html", "write_html"]

DEFAULT_TIMELINE_ROWS = 200  # rows of the timeline table; the plot shows every event
DEFAULT_MAX_CALLS = 1000
MAX_FILES_PER_EXHIBIT = 50  # a folder exhibit may hold thousands: hashes.json has them all
MAX_CELL = 400  # characters of one table cell (a message body can be megabytes)
SECTION_ORDER = ("case", "drone", "phone", "voip")
FIGURE_DPI = 90
PerimeterSource = Polygon | str | os.PathLike[str] | Mapping[str, Any] | None

# C0 controls other than tab/newline and lone surrogates cannot be written as HTML text.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em;
  color: #111; line-height: 1.4; max-width: 80em; }
h1 { border-bottom: 2px solid #333; padding-bottom: .2em; }
h2 { border-bottom: 1px solid #999; margin-top: 2em; }
h3 { margin-bottom: .3em; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .85em; width: 100%; }
th, td { border: 1px solid #bbb; padding: .2em .4em; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { background: #eee; }
tr:nth-child(even) td { background: #fafafa; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: .9em; }
.finding { border: 1px solid #999; border-left: 5px solid #2a5db0; padding: .5em 1em;
  margin: 1em 0; }
.finding .value { font-size: 1.1em; font-weight: 600; white-space: pre-wrap; }
.detail { color: #333; }
.note { color: #555; font-style: italic; }
.problem { color: #a00; }
figure { margin: 1em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: .85em; color: #444; }
nav ul { columns: 2; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  nav { display: none; }
  h2 { page-break-before: always; }
  h2.first { page-break-before: avoid; }
  .finding, figure, tr { page-break-inside: avoid; }
  thead { display: table-header-group; }
  tr:nth-child(even) td { background: none; }
  figure img { max-height: 24cm; }
}
"""


# ----------------------------------------------------------------------------- text


def _esc(value: Any, limit: int | None = None) -> str:
    """Any value as escaped HTML text ("" for missing values), clipped to ``limit``."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        text = iso(value)
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value)
    text = _UNPRINTABLE.sub("\ufffd", text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text, quote=True)


def _table(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, mono: Sequence[int] = ()
) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            klass = ' class="mono"' if i in mono else ""
            cells.append(f"<td{klass}>{_esc(cell, MAX_CELL)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        return '<p class="note">(none)</p>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure(fig: Any, caption: str, alt: str) -> str:
    """A matplotlib figure as an embedded PNG (``data:`` URI), with its caption."""
    buffer = io.BytesIO()
    # No "Software" metadata: the bytes then depend on the picture only.
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<figure><img alt="{_esc(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_esc(caption)}</figcaption></figure>"
    )


def _locator(source_path: Any, row_id: Any = None, offset: Any = None) -> str:
    parts = [str(source_path)] if isinstance(source_path, str) and source_path else []
    if row_id is not None and not pd.isna(row_id):
        parts.append(f"row {int(row_id)}")
    if offset is not None and not pd.isna(offset):
        parts.append(f"offset {int(offset):#x}")
    return ", ".join(parts)


def _cited(case: Case, exhibit: Any, source_path: Any, row_id: Any, offset: Any) -> str:
    """:func:`_locator`, ending in the unverified note for bytes hashes.json does not list."""
    text = _locator(source_path, row_id, offset)
    path = source_path if isinstance(source_path, str) and source_path else None
    if case.cites_unverified(str(exhibit), path):
        text = f"{text}, {UNVERIFIED_NOTE}" if text else UNVERIFIED_NOTE
    return text


def _where(source_path: Any, offset_or_row: Any) -> str:
    """A timeline row's source: its path and its byte offset or row number, as recorded."""
    text = str(source_path) if isinstance(source_path, str) else ""
    if offset_or_row is not None and not pd.isna(offset_or_row):
        text += f" @ {int(offset_or_row)}"
    return text


# ----------------------------------------------------------------------------- sections


def _summary(case: Case, files: Mapping[str, list[dict[str, Any]]]) -> str:
    out = ['<h2 id="case" class="first">Case</h2>']
    out.append(
        f"<p>Case folder <code>{_esc(case_name(case))}</code>: {len(case.exhibits)} exhibit(s), "
        f"{len(case.timeline)} timeline event(s), {len(case.custody)} custody entr"
        f"{'y' if len(case.custody) == 1 else 'ies'}. {_verification(case)}</p>"
    )
    out.append("<h3>Exhibits</h3>")
    rows: list[tuple[Any, ...]] = []
    for name, exhibit in case.exhibits.items():
        artifacts = ", ".join(f"{k} ({len(v)})" for k, v in sorted(exhibit.frames.items()))
        entries = files.get(name, [])
        shown = entries[:MAX_FILES_PER_EXHIBIT]
        if not shown:
            rows.append((name, exhibit.reader, artifacts, "", "", f"({UNVERIFIED_NOTE})"))
        for k, entry in enumerate(shown):
            rows.append(
                (
                    name if k == 0 else "",
                    exhibit.reader if k == 0 else "",
                    artifacts if k == 0 else "",
                    entry.get("path", ""),
                    entry.get("size", ""),
                    entry.get("sha256", ""),
                )
            )
        if len(entries) > len(shown):
            rows.append(
                (
                    "",
                    "",
                    "",
                    f"... {len(entries) - len(shown)} more file(s): see hashes.json",
                    "",
                    "",
                )
            )
    header = ("exhibit", "reader", "artifacts (rows)", "file", "bytes", "SHA-256")
    out.append(_table(header, rows, mono=(3, 5)))
    if case.problems:
        out.append('<h3 class="problem">Exhibits not read</h3>')
        out.append(_table(("exhibit", "problem"), case.problems))
    if case.unlisted:
        how = (
            "read as unverified evidence (--include-unlisted): every citation of them says so"
            if case.include_unlisted
            else "not evidence: not read, and nothing in this report cites them"
        )
        out.append('<h3 class="problem">Not in hashes.json (unlisted)</h3>')
        out.append(f'<p class="note">The acquisition manifest does not list these: {how}.</p>')
        out.append(_table(("path in the case folder",), [(p,) for p in case.unlisted], mono=(0,)))
    summary = case.summary()
    left = summary[summary["outcome"].isin(["skipped", "not read", "undated", "warning"])]
    if not left.empty:
        out.append('<h3 class="problem">Skipped, not read, and warnings</h3>')
        out.append(
            _table(
                ("exhibit", "artifact", "outcome", "detail"),
                left[["exhibit", "artifact", "outcome", "detail"]].itertuples(index=False),
            )
        )
    out.append("<h3>Chain of custody</h3>")
    if case.custody.empty:
        out.append('<p class="note">No custody log (custody.jsonl) in the case folder.</p>')
    else:
        c = case.custody
        custody_rows = [
            (
                r.get("seq"),
                iso(r.get("time")),
                r.get("who"),
                r.get("action"),
                r.get("exhibit"),
                r.get("sha256"),
                r.get("note"),
            )
            for r in c.to_dict(orient="records")
        ]
        custody_header = ("seq", "time (UTC)", "who", "action", "exhibit", "SHA-256 then", "note")
        out.append(_table(custody_header, custody_rows, mono=(5,)))
        out.append(
            '<p class="note">Each entry carries the hash of the previous one; the chain was '
            "verified when the case was opened.</p>"
        )
    return "\n".join(out)


def _verification(case: Case) -> str:
    """The sentence on hashes: "verified" only when every exhibit read was verified."""
    if case.verified:
        return (
            "The exhibits were verified against the acquisition manifest "
            "<code>hashes.json</code> before they were read."
        )
    unverified = [n for n, ex in case.exhibits.items() if not ex.verified]
    names = ", ".join(f"<code>{_esc(n)}</code>" for n in unverified) or "none read"
    return (
        "<strong>Not every exhibit was verified</strong> against the acquisition manifest "
        f"<code>hashes.json</code>: unverified: {names}."
    )


def _evidence_rows(finding: Finding, files: Mapping[str, list[dict[str, Any]]]) -> list[Any]:
    rows = []
    for ref in finding.evidence:
        if not ref.verified:
            rows.append((ref.exhibit, ref.path or "", _ref_where(ref), ref.artifact or "",
                         UNVERIFIED_NOTE))  # fmt: skip
            continue
        sha = ref.sha256 or exhibit_sha256(files.get(ref.exhibit, []), ref.exhibit, ref.path)
        rows.append((ref.exhibit, ref.path or "", _ref_where(ref), ref.artifact or "", sha))
    return rows


def _ref_where(ref: EvidenceRef) -> str:
    where = []
    if ref.row_id is not None:
        where.append(f"row {ref.row_id}")
    if ref.offset is not None:
        where.append(f"offset {ref.offset:#x} ({ref.offset})")
    return ", ".join(where)


def _findings(findings: Sequence[Finding], files: Mapping[str, list[dict[str, Any]]]) -> str:
    out = ['<h2 id="findings">Findings</h2>']
    if not findings:
        out.append('<p class="note">No findings were established for this case.</p>')
        return "\n".join(out)
    sections = sorted(
        {f.section for f in findings},
        key=lambda s: (SECTION_ORDER.index(s) if s in SECTION_ORDER else len(SECTION_ORDER), s),
    )
    for section in sections:
        out.append(f'<h3 id="findings-{_esc(section)}">{_esc(section.capitalize())}</h3>')
        for f in (f for f in findings if f.section == section):
            out.append(f'<div class="finding" id="finding-{_esc(f.id)}">')
            out.append(f"<h4>{_esc(f.title)} <code>[{_esc(f.id)}]</code></h4>")
            out.append(f'<p class="value">{_esc(json_text(f.value))}</p>')
            if f.detail:
                out.append(f'<p class="detail">{_esc(f.detail)}</p>')
            if f.evidence:
                header = ("exhibit", "path in exhibit", "row / offset", "artifact", "SHA-256")
                out.append(_table(header, _evidence_rows(f, files), mono=(1, 4)))
            else:
                out.append('<p class="note">No evidence reference recorded.</p>')
            out.append("</div>")
    return "\n".join(out)


def _polygon(case: Case, perimeter: PerimeterSource) -> Polygon | None:
    if isinstance(perimeter, Polygon):
        return perimeter
    if perimeter is not None:
        return load_polygon(perimeter)
    default = Path(case.root) / "perimeter.geojson"
    return load_polygon(default) if default.is_file() else None


def _flights(case: Case, polygon: Polygon | None) -> str:
    from forensics_lib.plots.flight import plot_profile, plot_track

    logs = list(flight_logs(case))
    out = ['<h2 id="flights">Flights</h2>']
    if not logs:
        out.append('<p class="note">No flight log in the case.</p>')
        return "\n".join(out)
    if polygon is not None:
        out.append(
            f"<p>Perimeter: <code>{_esc(polygon.name or 'given polygon')}</code> "
            "(shaded on the maps).</p>"
        )
    rings = [[ring.tolist() for ring in polygon.rings]] if polygon is not None else []
    for log in logs:
        label = f"{log.exhibit}: {log.source_path}"
        if case.cites_unverified(log.exhibit, log.source_path):
            label += f" ({UNVERIFIED_NOTE})"
        fixes = log.track.dropna(subset=["time_utc", "lat", "lon"])
        out.append(f"<h3>{_esc(label)}</h3>")
        out.append(
            f"<p>{len(log.track)} track points from {_esc(iso(fixes['time_utc'].min()))} to "
            f"{_esc(iso(fixes['time_utc'].max()))} (UTC), {len(log.events)} events.</p>"
        )
        if fixes.empty:
            out.append('<p class="note">No position fix in this log.</p>')
            continue
        fig = plot_track(
            fixes,
            events=log.events if not log.events.empty else None,
            polygons=rings,
            title=f"Track: {label}",
        )
        out.append(_figure(fig, f"Track of {label}, coloured by time; no map tiles.", "track"))
        out.append(_figure(plot_profile(fixes), f"Altitude and speed, {label}", "profile"))
        if polygon is not None:
            fence = geofence(fixes, polygon)
            rows = [
                ("inside at start", fence["inside_at_start"]),
                ("entries", fence["entries"]),
                ("exits", fence["exits"]),
                ("time inside (s)", round(fence["time_inside_s"], 1)),
                ("closest approach (m)", round(fence["closest_m"] or 0.0, 1)),
                ("closest approach at (UTC)", iso(fence["closest_utc"])),
            ]
            out.append(_table(("geofence", "value"), rows))
    return "\n".join(out)


def _calls(case: Case, max_calls: int) -> str:
    calls = call_list(case)
    out = ['<h2 id="calls">Calls</h2>']
    out.append(
        "<p>SIP calls rebuilt from packet captures, the phones' call logs, WhatsApp calls and "
        "softphone (Linphone) history, oldest first. "
        f"{len(calls)} call(s).</p>"
    )
    shown = calls.head(max_calls)
    rows = [
        (
            iso(r["time"]),
            r["kind"],
            r["exhibit"],
            r["direction"],
            r["from"],
            r["to"],
            "" if pd.isna(r["duration_s"]) else f"{float(r['duration_s']):g}",
            r["status"],
            r["call_id"],
            _cited(case, r["exhibit"], r["source_path"], r["row_id"], r["offset"]),
        )
        for r in shown.to_dict(orient="records")
    ]
    header = (
        "start (UTC)",
        "kind",
        "exhibit",
        "direction",
        "from",
        "to",
        "duration (s)",
        "status",
        "Call-ID",
        "source",
    )
    out.append(_table(header, rows, mono=(8, 9)))
    if len(calls) > len(shown):
        out.append(f'<p class="note">First {len(shown)} of {len(calls)} calls shown.</p>')
    return "\n".join(out)


def _timeline(case: Case, rows_shown: int, folder_hint: str) -> str:
    from forensics_lib.plots.timeline import plot_timeline

    tl = case.timeline
    out = ['<h2 id="timeline">Timeline</h2>']
    if tl.empty:
        out.append('<p class="note">No timeline event.</p>')
        return "\n".join(out)
    out.append(
        _figure(plot_timeline(tl), "Every timeline event, one lane per artifact", "timeline")
    )
    shown = tl.head(rows_shown)
    rows = [
        (
            iso(r["time"]),
            r["exhibit"],
            r["artifact"],
            r["event"],
            r["description"],
            r["actor"],
            r["counterpart"],
            _where(r["source_path"], r["offset_or_row"]),
        )
        for r in shown.to_dict(orient="records")
    ]
    header = (
        "time (UTC)",
        "exhibit",
        "artifact",
        "event",
        "description",
        "actor",
        "counterpart",
        "source (offset or row)",
    )
    out.append(_table(header, rows, mono=(7,)))
    command = f"forensics-lib case timeline {folder_hint} -o timeline.csv --format csv"
    if len(tl) > len(shown):
        out.append(
            f'<p class="note">First {len(shown)} of {len(tl)} events shown. The full timeline: '
            f"<code>{_esc(command)}</code> (or <code>--format jsonl</code> / "
            "<code>--format l2tcsv</code>).</p>"
        )
    else:
        out.append(
            f'<p class="note">All {len(tl)} events. Export: <code>{_esc(command)}</code></p>'
        )
    return "\n".join(out)


# ----------------------------------------------------------------------------- document


def render_html(
    case: Case,
    findings: Sequence[Finding],
    *,
    perimeter: PerimeterSource = None,
    title: str = "Forensic examination report",
    generated_utc: Any = None,
    timeline_rows: int = DEFAULT_TIMELINE_ROWS,
    max_calls: int = DEFAULT_MAX_CALLS,
) -> str:
    """The report as one HTML document (text).

    ``perimeter`` is the area drawn on the flight maps (a :class:`Polygon`, a GeoJSON path or
    mapping); by default the case folder's ``perimeter.geojson`` when it has one.
    ``generated_utc`` pins the generation time written in the header (default: now), the
    only part of the document that changes between two runs.
    """
    from forensics_lib import __version__

    generated = iso(pd.Timestamp.now(tz="UTC") if generated_utc is None else generated_utc)
    files = exhibit_files(case)
    polygon = _polygon(case, perimeter)
    body = [
        f"<h1>{_esc(title)}</h1>",
        f"<p>Case <code>{_esc(case_name(case))}</code>. Generated {_esc(generated)} by "
        f"forensics-lib {_esc(__version__)}. All times are UTC.</p>",
        "<nav><ul>"
        '<li><a href="#case">Case, exhibits and custody</a></li>'
        f'<li><a href="#findings">Findings ({len(findings)})</a></li>'
        '<li><a href="#flights">Flights</a></li>'
        '<li><a href="#calls">Calls</a></li>'
        '<li><a href="#timeline">Timeline</a></li>'
        "</ul></nav>",
        _summary(case, files),
        _findings(findings, files),
        _flights(case, polygon),
        _calls(case, max_calls),
        _timeline(case, timeline_rows, case_name(case)),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}: {_esc(case_name(case))}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def write_html(
    case: Case,
    findings: Sequence[Finding],
    target: str | os.PathLike[str],
    **options: Any,
) -> Path:
    """Write :func:`render_html` to ``target`` (UTF-8) and return its path."""
    out = Path(target)
    out.write_text(render_html(case, findings, **options), encoding="utf-8", newline="\n")
    return out
