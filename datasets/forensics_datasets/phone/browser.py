"""Browser history: Chrome's History (urls, visits, keyword_search_terms, downloads) and Safari's
History.db, with their epochs (WebKit microseconds, Cocoa seconds)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import unquote_plus

import pandas as pd

from forensics_datasets.phone._pack import WalState, write_db
from forensics_datasets.phone.extras_model import Extras

WEBKIT_EPOCH = pd.Timestamp("1601-01-01T00:00:00Z")
COCOA_EPOCH = pd.Timestamp("2001-01-01T00:00:00Z")

# Chromium components/history/core/browser (a real profile's .schema, Chrome 120).
CHROME_SCHEMA = (
    "CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR)",
    "CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT,url LONGVARCHAR,title LONGVARCHAR,"
    "visit_count INTEGER DEFAULT 0 NOT NULL,typed_count INTEGER DEFAULT 0 NOT NULL,"
    "last_visit_time INTEGER NOT NULL,hidden INTEGER DEFAULT 0 NOT NULL)",
    "CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT,url INTEGER NOT NULL,"
    "visit_time INTEGER NOT NULL,from_visit INTEGER,external_referrer_url TEXT,"
    "transition INTEGER DEFAULT 0 NOT NULL,segment_id INTEGER,visit_duration INTEGER DEFAULT 0 "
    "NOT NULL,incremented_omnibox_typed_score BOOLEAN DEFAULT FALSE NOT NULL,opener_visit "
    "INTEGER,originator_cache_guid TEXT,originator_visit_id INTEGER,originator_from_visit "
    "INTEGER,originator_opener_visit INTEGER,is_known_to_sync BOOLEAN DEFAULT FALSE NOT NULL,"
    "consider_for_ntp_most_visited BOOLEAN DEFAULT FALSE NOT NULL,visited_link_id INTEGER "
    "DEFAULT 0 NOT NULL,app_id TEXT)",
    "CREATE TABLE visit_source(id INTEGER PRIMARY KEY,source INTEGER NOT NULL)",
    "CREATE INDEX visits_url_index ON visits (url)",
    "CREATE INDEX urls_url_index ON urls (url)",
    # download_database.cc (downloads, downloads_url_chains, downloads_slices),
    # keyword_search_term (url_database.cc) and visitsegment_database.cc, as Chrome 120
    # creates them; ALEAPP chrome.py reads downloads and keyword_search_terms.
    "CREATE TABLE downloads (id INTEGER PRIMARY KEY,guid VARCHAR NOT NULL,current_path "
    "LONGVARCHAR NOT NULL,target_path LONGVARCHAR NOT NULL,start_time INTEGER NOT NULL,"
    "received_bytes INTEGER NOT NULL,total_bytes INTEGER NOT NULL,state INTEGER NOT NULL,"
    "danger_type INTEGER NOT NULL,interrupt_reason INTEGER NOT NULL,hash BLOB NOT NULL,"
    "end_time INTEGER NOT NULL,opened INTEGER NOT NULL,last_access_time INTEGER NOT NULL,"
    "transient INTEGER NOT NULL,referrer VARCHAR NOT NULL,site_url VARCHAR NOT NULL,"
    "embedder_download_data VARCHAR NOT NULL,tab_url VARCHAR NOT NULL,tab_referrer_url "
    "VARCHAR NOT NULL,http_method VARCHAR NOT NULL,by_ext_id VARCHAR NOT NULL,by_ext_name "
    "VARCHAR NOT NULL,by_web_app_id VARCHAR NOT NULL,etag VARCHAR NOT NULL,last_modified "
    "VARCHAR NOT NULL,mime_type VARCHAR(255) NOT NULL,original_mime_type VARCHAR(255) NOT NULL)",
    "CREATE TABLE downloads_url_chains (id INTEGER NOT NULL,chain_index INTEGER NOT NULL,url "
    "LONGVARCHAR NOT NULL, PRIMARY KEY (id, chain_index) )",
    "CREATE TABLE downloads_slices (download_id INTEGER NOT NULL,offset INTEGER NOT NULL,"
    "received_bytes INTEGER NOT NULL,finished INTEGER NOT NULL DEFAULT 0,PRIMARY KEY "
    "(download_id, offset) )",
    "CREATE TABLE keyword_search_terms (keyword_id INTEGER NOT NULL,url_id INTEGER NOT NULL,"
    "term LONGVARCHAR NOT NULL,normalized_term LONGVARCHAR NOT NULL)",
    "CREATE INDEX keyword_search_terms_index1 ON keyword_search_terms (keyword_id, "
    "normalized_term)",
    "CREATE INDEX keyword_search_terms_index2 ON keyword_search_terms (url_id)",
    "CREATE INDEX keyword_search_terms_index3 ON keyword_search_terms (term)",
    "CREATE TABLE segments (id INTEGER PRIMARY KEY,name VARCHAR,url_id INTEGER NON NULL)",
    "CREATE INDEX segments_name ON segments(name)",
    "CREATE INDEX segments_url_id ON segments(url_id)",
    "CREATE TABLE segment_usage (id INTEGER PRIMARY KEY,segment_id INTEGER NOT NULL,"
    "time_slot INTEGER NOT NULL,visit_count INTEGER DEFAULT 0 NOT NULL)",
    "CREATE INDEX segment_usage_time_slot_segment_id ON segment_usage(time_slot, segment_id)",
    "CREATE INDEX segments_usage_seg_id ON segment_usage(segment_id)",
)

# Safari History.db (plaso safari_history.py SCHEMAS; iOS 15 .schema).
SAFARI_SCHEMA = (
    "CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT,url TEXT NOT NULL UNIQUE,"
    "domain_expansion TEXT NULL,visit_count INTEGER NOT NULL,daily_visit_counts BLOB NOT NULL,"
    "weekly_visit_counts BLOB NULL,autocomplete_triggers BLOB NULL,"
    "should_recompute_derived_visit_counts INTEGER NOT NULL,visit_count_score INTEGER NOT NULL,"
    "status_code INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT,history_item INTEGER "
    "NOT NULL REFERENCES history_items(id) ON DELETE CASCADE,visit_time REAL NOT NULL,title "
    "TEXT NULL,load_successful BOOLEAN NOT NULL DEFAULT 1,http_non_get BOOLEAN NOT NULL "
    "DEFAULT 0,synthesized BOOLEAN NOT NULL DEFAULT 0,redirect_source INTEGER NULL UNIQUE "
    "REFERENCES history_visits(id) ON DELETE CASCADE,redirect_destination INTEGER NULL UNIQUE "
    "REFERENCES history_visits(id) ON DELETE CASCADE,origin INTEGER NOT NULL DEFAULT 0,"
    "generation INTEGER NOT NULL DEFAULT 0,attributes INTEGER NOT NULL DEFAULT 0,score INTEGER "
    "NOT NULL DEFAULT 0)",
    "CREATE TABLE metadata (key TEXT NOT NULL UNIQUE, value)",
)


def search_term(url: str) -> str | None:
    """The search a ``.../search?q=`` URL ran (``+`` and %-escapes decoded), else None."""
    if "/search?q=" not in url:
        return None
    query = url.split("/search?q=", 1)[1].split("&", 1)[0]
    return unquote_plus(query)


# -- browser ---------------------------------------------------------------------------------


def _webkit_us(ts: pd.Timestamp) -> int:
    return (ts - WEBKIT_EPOCH) // pd.Timedelta(microseconds=1)


def _cocoa_s(ts: pd.Timestamp) -> float:
    return float((ts - COCOA_EPOCH) // pd.Timedelta(seconds=1))


def write_chrome(path: Path, extras: Extras, wal: WalState) -> None:
    urls: dict[str, int] = {}
    for v in extras.visits:
        urls.setdefault(v.url, len(urls) + 1)

    def head(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO meta VALUES ('version', '63')")
        for url, uid in urls.items():
            mine = [v for v in extras.visits if v.url == url]
            conn.execute(
                "INSERT INTO urls (id, url, title, visit_count, typed_count, last_visit_time, "
                "hidden) VALUES (?, ?, ?, ?, ?, ?, 0)",
                (
                    uid,
                    url,
                    mine[-1].title,
                    len(mine),
                    sum(v.typed for v in mine),
                    _webkit_us(mine[-1].time),
                ),
            )
        # visitsegment_database.cc: a segment per top-level site (its name the URL's scheme
        # and host), used per day (time_slot: midnight UTC as WebKit us).
        segments: dict[str, int] = {}
        usage: dict[tuple[int, int], int] = {}
        for i, v in enumerate(extras.visits, start=1):
            # ui/base/page_transition_types.h: LINK 0, TYPED 1; 0x30000000 CHAIN_START|END.
            transition = (1 if v.typed else 0) | 0x30000000
            name = "/".join(v.url.split("/")[:3]) + "/"
            segment = segments.setdefault(name, len(segments) + 1)
            slot = _webkit_us(v.time.floor("D"))
            usage[(segment, slot)] = usage.get((segment, slot), 0) + 1
            conn.execute(
                "INSERT INTO visits (id, url, visit_time, from_visit, transition, segment_id, "
                "visit_duration) VALUES (?, ?, ?, 0, ?, ?, 5000000)",
                (i, urls[v.url], _webkit_us(v.time), transition, segment),
            )
        first_url: dict[str, int] = {}
        for v in extras.visits:
            first_url.setdefault("/".join(v.url.split("/")[:3]) + "/", urls[v.url])
        conn.executemany(
            "INSERT INTO segments (id, name, url_id) VALUES (?, ?, ?)",
            [(sid, name, first_url[name]) for name, sid in segments.items()],
        )
        conn.executemany(
            "INSERT INTO segment_usage (segment_id, time_slot, visit_count) VALUES (?, ?, ?)",
            [(sid, slot, n) for (sid, slot), n in usage.items()],
        )
        conn.executemany(  # keyword_id 2: the default search engine's TemplateURL id
            "INSERT INTO keyword_search_terms (keyword_id, url_id, term, normalized_term) "
            "VALUES (2, ?, ?, ?)",
            [(uid, t, t.lower()) for url, uid in urls.items() if (t := search_term(url))],
        )
        for n, d in enumerate(extras.downloads, start=1):
            # download_item.h: state 1 COMPLETE; danger_type 0 NOT_DANGEROUS.
            conn.execute(
                "INSERT INTO downloads VALUES (?, ?, ?, ?, ?, ?, ?, 1, 0, 0, X'', ?, 1, ?, 0, ?, "
                "?, '', ?, '', 'GET', '', '', '', '', '', ?, ?)",
                (
                    n,
                    f"0000{n:04d}-EXAM-4000-8000-{extras.seed:012d}",
                    d.target_path,
                    d.target_path,
                    _webkit_us(d.start),
                    d.size,
                    d.size,
                    _webkit_us(d.end),
                    _webkit_us(d.end),
                    d.tab_url,
                    "https://" + d.url.split("/")[2] + "/",
                    d.tab_url,
                    d.mime_type,
                    d.mime_type,
                ),
            )
            conn.execute("INSERT INTO downloads_url_chains VALUES (?, 0, ?)", (n, d.url))
            conn.execute("INSERT INTO downloads_slices VALUES (?, 0, ?, 1)", (n, d.size))

    write_db(path, CHROME_SCHEMA, head, wal=wal)


def write_safari(path: Path, extras: Extras, wal: WalState) -> None:
    urls: dict[str, int] = {}
    for v in extras.visits:
        urls.setdefault(v.url, len(urls) + 1)

    def head(conn: sqlite3.Connection) -> None:
        for url, uid in urls.items():
            count = sum(v.url == url for v in extras.visits)
            host = url.split("/")[2]
            conn.execute(
                "INSERT INTO history_items (id, url, domain_expansion, visit_count, "
                "daily_visit_counts, should_recompute_derived_visit_counts, visit_count_score) "
                "VALUES (?, ?, ?, ?, ?, 0, ?)",
                (uid, url, host.split(".")[-2], count, b"\x00" * 4, count * 100),
            )
        for i, v in enumerate(extras.visits, start=1):
            # origin 0: visited on this device (1 is a visit synced from another device
            # through iCloud, which none of these is).
            conn.execute(
                "INSERT INTO history_visits (id, history_item, visit_time, title, origin) "
                "VALUES (?, ?, ?, ?, 0)",
                (i, urls[v.url], _cocoa_s(v.time), v.title),
            )

    write_db(path, SAFARI_SCHEMA, head, wal=wal)
