"""A first sync into an empty cache: the view's secondary indexes are built once, at the end.

Every pulled case is one random insert into each of case_view's secondary indexes (the queue,
workload and sort indexes): at a million cases that is most of a first sync's time, and it
grows as the indexes outgrow the page cache. CREATE INDEX over the filled table sorts once
instead. While a first sync fills an empty cache, those indexes are dropped; the page that
ends the first sync (`has_more` false) builds them again, one index per transaction, so a
local save waits for at most one index build.

Crash-safe: the indexes are dropped in the transaction of the first chunk that needs it,
together with a record of their SQL in `sync_state`, and every step of the build at the end
is a transaction of its own. A desk closed or killed half-way opens with that record as it
was, and the first sync goes on in the same way where it stopped: its last page builds what
the record still names. A desk that cannot reach that page (offline) builds it when the sync
engine stops waiting for it (`Store.finish_first_sync`); `restore` builds it at open only
when a migration is about to run. The data is never touched, so nothing is lost; queries
only run slower without the indexes.

Full-text documents are built as cases arrive but wait in `deferred_doc` (schema step 9), and
are indexed at the end too, before the indexes, in rowid order and in batches of FILL_DOCS
(one transaction each), then merged into one segment: FTS5 writes a few large segments
instead of one small segment a transaction and the merges of them. Until then free-text
search and the queue's text filter look in the waiting documents' text as well (a scan, see
search_terms.DEFERRED_WORD), and typed prefixes are not expanded from the vocabulary, which
lacks their words until the end (search_terms.TERMS_KEY). A document written
meanwhile by a local save or a rebase goes to the index at once and replaces the deferred
one (local_view.set_doc); a case that leaves takes its deferred document with it (ON DELETE
CASCADE). The words of those documents go into `search_term` (search_terms.py) from the
index once it is filled, in one step, rather than page by page: splitting every document
into words again and checking them against the vocabulary was a tenth of a first sync's
page time (measured at 200,000 cases: 3.6 s of pages against 0.7 s for reading the
filled index's words).
"""

from __future__ import annotations

import json
import sqlite3

from operator_app.store.search_terms import TERMS_KEY, rebuild_terms, terms_owed

# sync_state key: [[name, sql], ...] of the indexes dropped and not yet built again.
DEFERRED_KEY = "deferred_indexes"
# Pages with fewer cases than this are applied with every index in place (an incremental
# pull, or a scope small enough that the indexes cost little).
MIN_PAGE_CASES = 200
# Helper threads an index build's sort may use.
BUILD_THREADS = 2
# Deferred documents indexed per transaction at the end of a first sync (~0.3 s of work).
FILL_DOCS = 50_000


def droppable(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """case_view's own secondary indexes (name, sql); the key and UNIQUE ones stay."""
    return [
        (name, sql)
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'case_view'"
            " AND sql IS NOT NULL ORDER BY name"
        )
    ]


def active(conn: sqlite3.Connection) -> bool:
    """Whether a first sync is filling the cache (its indexes and documents deferred)."""
    try:
        return (
            conn.execute("SELECT 1 FROM sync_state WHERE key = ?", (DEFERRED_KEY,)).fetchone()
            is not None
        )
    except sqlite3.OperationalError:  # a file from before the sync tables
        return False


def _defers_search(conn: sqlite3.Connection) -> bool:
    """False for a file from before schema step 9 (restore runs before migrations)."""
    return (
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deferred_doc'"
        ).fetchone()
        is not None
    )


def _fill_search(conn: sqlite3.Connection) -> bool:
    """Index the next FILL_DOCS deferred documents, and with the last of them merge the
    segments the fill left; False when none is left."""
    (upto,) = conn.execute(
        "SELECT max(rid) FROM (SELECT rid FROM deferred_doc ORDER BY rid LIMIT ?)", (FILL_DOCS,)
    ).fetchone()
    if upto is None:
        return False
    conn.execute(
        "INSERT INTO case_fts(rowid, doc) SELECT rid, doc FROM deferred_doc WHERE rid <= ?"
        " ORDER BY rid",
        (upto,),
    )
    conn.execute("DELETE FROM deferred_doc WHERE rid <= ?", (upto,))
    if conn.execute("SELECT 1 FROM deferred_doc LIMIT 1").fetchone() is None:
        # Once, in the same transaction: a step of its own, asked whether the index had more
        # than one segment, merged it again whenever a local save had written a document
        # since (every step of the index builds, a rewrite of the whole index each).
        _merge_search(conn)
    return True


def _merge_search(conn: sqlite3.Connection) -> None:
    """Merge the segments the fill left into one.

    Left as they were, the per-chunk merges of the pulls that followed kept rewriting them
    a few pages at a time: at 200,000 cases pulled pages then ran at 4,700-5,100 cases/s and
    1,200-1,500 while saves came, against 7,350 and 1,550 after this (merging in 2,000-page
    steps instead gave the lower figures). One transaction: not timed alone; the whole end of
    a first sync (documents, this, 17 indexes) took 4.1-4.3 s at 200,000 cases, against
    2.3-2.6 s for the indexes alone before (a local save waits for one step of it)."""
    conn.execute("INSERT INTO case_fts(case_fts) VALUES ('optimize')")


def defer_terms(conn: sqlite3.Connection) -> None:
    """Note that documents went to deferred_doc without their words in search_term."""
    conn.execute(
        "INSERT INTO sync_state(key, value) VALUES (?, 1) ON CONFLICT(key) DO NOTHING",
        (TERMS_KEY,),
    )


def _owes_terms(conn: sqlite3.Connection) -> bool:
    try:
        return terms_owed(conn)
    except sqlite3.OperationalError:  # a file from before the sync tables (restore: unmigrated)
        return False


def _fill_terms(conn: sqlite3.Connection) -> bool:
    """Take the filled index's words into search_term, if documents went in without them;
    False when there was nothing to do."""
    if not _owes_terms(conn):
        return False
    rebuild_terms(conn)
    conn.execute("DELETE FROM sync_state WHERE key = ?", (TERMS_KEY,))
    return True


def deferred(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """The indexes a bulk load dropped and has not built again (none before migrations)."""
    try:
        row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (DEFERRED_KEY,)).fetchone()
    except sqlite3.OperationalError:  # a file from before the sync tables
        return []
    if row is None or not row[0]:
        return []
    return [(str(name), str(sql)) for name, sql in json.loads(row[0])]


def _record(conn: sqlite3.Connection, indexes: list[tuple[str, str]]) -> None:
    if indexes:
        conn.execute(
            "INSERT INTO sync_state(key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (DEFERRED_KEY, json.dumps(indexes)),
        )
    else:
        conn.execute("DELETE FROM sync_state WHERE key = ?", (DEFERRED_KEY,))


def begin(conn: sqlite3.Connection) -> bool:
    """Drop the view's secondary indexes if the cache holds no case (inside the caller's
    transaction). True when a bulk load is on."""
    if deferred(conn):
        return True
    if conn.execute("SELECT 1 FROM case_view LIMIT 1").fetchone() is not None:
        return False
    indexes = droppable(conn)
    if not indexes:
        return False
    _record(conn, indexes)
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    return True


def build_one(conn: sqlite3.Connection) -> bool:
    """Index the next batch of deferred documents, or else take their words into the
    vocabulary, or else build the next dropped index (inside the caller's transaction);
    False when nothing is left, and the record is then gone."""
    indexes = deferred(conn)
    if indexes and _defers_search(conn) and _fill_search(conn):
        return True
    # Also with no index left to build: an older desk that finished a first sync this one
    # began left the words owed.
    if _fill_terms(conn):
        return True
    if not indexes:
        return False
    (name, sql), rest = indexes[0], indexes[1:]
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
    ).fetchone()
    if exists is None:
        # The build's sort in worker threads as well as this one (PRAGMA threads; SQLite
        # sorts in parallel only when asked).
        threads = conn.execute("PRAGMA threads").fetchone()[0]
        conn.execute(f"PRAGMA threads = {BUILD_THREADS}")
        try:
            conn.execute(sql)
        finally:
            conn.execute(f"PRAGMA threads = {int(threads)}")
    _record(conn, rest)
    return True


def restore(conn: sqlite3.Connection) -> int:
    """Build every dropped index in one transaction (at open, before a migration), and take
    in words owed to the vocabulary. The number of indexes built."""
    indexes = deferred(conn)
    if not indexes and not _owes_terms(conn):
        return 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        while build_one(conn):
            pass
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(indexes)
