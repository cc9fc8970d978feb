"""A first sync into an empty cache: the view's secondary indexes are built once, at the end.

Every pulled case is one random insert into each of case_view's secondary indexes (the queue,
workload and sort indexes): at a million cases that is most of a first sync's time, and it
grows as the indexes outgrow the page cache. CREATE INDEX over the filled table sorts once
instead. While a first sync fills an empty cache, those indexes are dropped; the page that
ends the first sync (`has_more` false) builds them again, one index per transaction, so a
local save waits for at most one index build.

Crash-safe: the indexes are dropped in the transaction of the first chunk that needs it,
together with a record of their SQL in `sync_state`; `restore` (run at open) builds whatever
that record still names. The data is never touched, so nothing is lost; queries only run
slower without the indexes. Full-text documents are written as cases arrive (building them
needs the same work either way).
"""

from __future__ import annotations

import json
import sqlite3

# sync_state key: [[name, sql], ...] of the indexes dropped and not yet built again.
DEFERRED_KEY = "deferred_indexes"
# Pages with fewer cases than this are applied with every index in place (an incremental
# pull, or a scope small enough that the indexes cost little).
MIN_PAGE_CASES = 200


def droppable(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """case_view's own secondary indexes (name, sql); the key and UNIQUE ones stay."""
    return [
        (name, sql)
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'case_view'"
            " AND sql IS NOT NULL ORDER BY name"
        )
    ]


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
    """Build the next dropped index (inside the caller's transaction); False when none is
    left, and the record is then gone."""
    indexes = deferred(conn)
    if not indexes:
        return False
    (name, sql), rest = indexes[0], indexes[1:]
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
    ).fetchone()
    if exists is None:
        conn.execute(sql)
    _record(conn, rest)
    return True


def restore(conn: sqlite3.Connection) -> int:
    """Build every dropped index in one transaction (at open, before anything else writes).
    The number built."""
    indexes = deferred(conn)
    if not indexes:
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
