"""Browser history: Chrome ``History`` on Android, Safari ``History.db`` on iOS.

* Chrome (``/data/data/com.android.chrome/app_chrome/Default/History``): one row per
  ``visits`` row joined to its ``urls`` row; ``visits.visit_time`` is WebKit microseconds since
  1601-01-01 UTC (Chromium ``base::Time`` internal value; ALEAPP ``chrome.py``). ``transition``
  keeps the raw value; its core type is ``transition & 0xFF`` (``ui/base/page_transition_types.h``:
  0 link, 1 typed, 2 auto_bookmark, 3 auto_subframe, 4 manual_subframe, 5 generated,
  6 auto_toplevel, 7 form_submit, 8 reload, 9 keyword, 10 keyword_generated).
* Safari (``Library/Safari/History.db``, also in the Safari app container on iOS 13+): one row
  per ``history_visits`` row joined to ``history_items``; ``visit_time`` a REAL of Cocoa
  seconds since 2001-01-01 UTC (plaso ``safari_history.py``; iLEAPP ``safariHistory.py``).
"""

from __future__ import annotations

import pandas as pd

from forensics_lib.core import times
from forensics_lib.core.registry import artifact
from forensics_lib.core.schema import (
    FLOAT,
    INT,
    STR,
    TIME,
    ArtifactSpec,
    Column,
    TimelineRule,
    empty_frame,
)
from forensics_lib.phone._common import fetch, finish, labels, missing_schema, open_db
from forensics_lib.sources import Source

__all__ = [
    "ANDROID_BROWSER",
    "BROWSER_COLUMNS",
    "IOS_BROWSER",
    "TRANSITIONS",
    "read_chrome_history",
    "read_safari_history",
]

# ui/base/page_transition_types.h PageTransition core values (transition & 0xFF).
TRANSITIONS: dict[int, str] = {
    0: "link",
    1: "typed",
    2: "auto_bookmark",
    3: "auto_subframe",
    4: "manual_subframe",
    5: "generated",
    6: "auto_toplevel",
    7: "form_submit",
    8: "reload",
    9: "keyword",
    10: "keyword_generated",
}
_CORE_MASK = 0xFF

BROWSER_COLUMNS: tuple[Column, ...] = (
    Column("time", TIME, "visit time (UTC)"),
    Column("url", STR, "URL visited"),
    Column("title", STR, "page title"),
    Column("browser", STR, "Chrome or Safari"),
    Column("visit_count", INT, "visits of this URL (urls.visit_count / history_items)"),
    Column("typed_count", INT, "times typed in the address bar (Chrome only)"),
    Column("transition", INT, "raw Chrome visits.transition (with qualifier bits)"),
    Column("transition_label", STR, "core transition type (transition & 0xFF)"),
    Column("url_id", INT, "urls.id / history_items.id"),
    Column("time_raw", FLOAT, "visit time as stored (WebKit us, Cocoa s)"),
)
_TIMELINE = (TimelineRule("time", "{browser} visit", "{url} {title}"),)

ANDROID_BROWSER = ArtifactSpec(
    id="android.browser_history",
    family="phone",
    description="Chrome history (History urls/visits; WebKit us since 1601)",
    columns=BROWSER_COLUMNS,
    globs=(
        "**/com.android.chrome/app_chrome/Default/History",
        "**/com.chrome.beta/app_chrome/Default/History",
    ),
    timeline=_TIMELINE,
    references=("ALEAPP scripts/artifacts/chrome.py", "ui/base/page_transition_types.h"),
)
IOS_BROWSER = ArtifactSpec(
    id="ios.browser_history",
    family="phone",
    description="Safari history (History.db history_items/history_visits; Cocoa s)",
    columns=BROWSER_COLUMNS,
    globs=("**/Library/Safari/History.db",),
    timeline=_TIMELINE,
    references=("plaso safari_history.py", "iLEAPP scripts/artifacts/safariHistory.py"),
)


@artifact(ANDROID_BROWSER)
def read_chrome_history(source: Source) -> pd.DataFrame:
    """Chrome ``History``: one row per visit."""
    with open_db(source) as db:
        if missing_schema(
            db, "visits", ("id", "url", "visit_time", "transition"), ANDROID_BROWSER.id
        ) or missing_schema(
            db, "urls", ("id", "url", "title", "visit_count", "typed_count"), ANDROID_BROWSER.id
        ):
            return empty_frame(ANDROID_BROWSER)
        raw = fetch(
            db,
            "SELECT v.id AS id, v.visit_time AS visit_time, v.transition AS transition, "
            "u.id AS url_id, u.url AS url, u.title AS title, u.visit_count AS visit_count, "
            "u.typed_count AS typed_count FROM visits AS v LEFT JOIN urls AS u ON v.url = u.id "
            "ORDER BY v.id",
            {
                "id": "int",
                "visit_time": "int",
                "transition": "int",
                "url_id": "int",
                "visit_count": "int",
                "typed_count": "int",
            },
        )
    # visit_time 0 means "unknown" in Chromium; keep it as NaT rather than 1601-01-01.
    stamp = raw["visit_time"].where(raw["visit_time"].ne(0).fillna(False))
    frame = pd.DataFrame(
        {
            "time": times.from_webkit(stamp),
            "url": raw["url"],
            "title": raw["title"],
            "browser": pd.Series("Chrome", index=raw.index, dtype="str"),
            "visit_count": raw["visit_count"],
            "typed_count": raw["typed_count"],
            "transition": raw["transition"],
            "transition_label": labels(raw["transition"] & _CORE_MASK, TRANSITIONS),
            "url_id": raw["url_id"],
            "time_raw": raw["visit_time"].astype("float64"),
        },
        copy=False,
    )
    return finish(frame, ANDROID_BROWSER, source, raw["id"])


@artifact(IOS_BROWSER)
def read_safari_history(source: Source) -> pd.DataFrame:
    """Safari ``History.db``: one row per visit."""
    with open_db(source) as db:
        if missing_schema(
            db, "history_visits", ("id", "history_item", "visit_time", "title"), IOS_BROWSER.id
        ) or missing_schema(db, "history_items", ("id", "url", "visit_count"), IOS_BROWSER.id):
            return empty_frame(IOS_BROWSER)
        raw = fetch(
            db,
            "SELECT v.id AS id, v.visit_time AS visit_time, v.title AS title, "
            "i.id AS url_id, i.url AS url, i.visit_count AS visit_count "
            "FROM history_visits AS v LEFT JOIN history_items AS i ON v.history_item = i.id "
            "ORDER BY v.id",
            {"id": "int", "visit_time": "float", "url_id": "int", "visit_count": "int"},
        )
    frame = pd.DataFrame(
        {
            "time": times.from_cocoa(raw["visit_time"]),
            "url": raw["url"],
            "title": raw["title"],
            "browser": pd.Series("Safari", index=raw.index, dtype="str"),
            "visit_count": raw["visit_count"],
            "typed_count": pd.Series(pd.NA, index=raw.index, dtype="Int64"),
            "transition": pd.Series(pd.NA, index=raw.index, dtype="Int64"),
            "transition_label": pd.Series(None, index=raw.index, dtype="str"),
            "url_id": raw["url_id"],
            "time_raw": raw["visit_time"],
        },
        copy=False,
    )
    return finish(frame, IOS_BROWSER, source, raw["id"])
