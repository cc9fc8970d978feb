"""Opening SQLite connections with the settings every part of the store relies on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_MS = 5_000
# Page cache per connection (negative = KiB). The writer's is larger: index pages of a
# million-case cache stay hot while pulled pages are applied.
WRITER_CACHE_KIB = 256 * 1024
# Readers' page caches are private memory, one per reader thread: small ones, since the
# OS's file cache (shared by every connection) holds the rest of the file anyway.
READER_CACHE_KIB = 16 * 1024
# Readers do not map the file. Each connection maps it on its own, and every mapped page
# counts in the process's RSS once per mapping: at 1,000,000 cases (a 2.3 GB file) the desk's
# four readers showed 8.7 GB RSS with 4 GiB maps. Unmapped: 477 MiB, first screens as fast
# (index walks); only whole-table sorts on unindexed columns read slower (1.1 -> 1.75 s).
READER_MMAP_BYTES = 0


def _connect(path: Path | str) -> sqlite3.Connection:
    # isolation_level=None: the store issues BEGIN/COMMIT itself (sqlite-utils' atomic() too),
    # so no implicit transaction ever spans an unexpected statement.
    conn = sqlite3.connect(
        str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def open_writer(path: Path | str) -> sqlite3.Connection:
    """The single write connection: WAL, NORMAL sync (local saves raise it to FULL)."""
    conn = _connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    # Checkpoints run on their own connection (checkpointer.py): a commit that happened to
    # trigger one would hold a local save for tens of milliseconds.
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
    return conn


def open_reader(path: Path | str) -> sqlite3.Connection:
    """A read-only connection for one reader thread."""
    conn = _connect(path)
    conn.execute("PRAGMA query_only = ON")
    conn.execute(f"PRAGMA cache_size = -{READER_CACHE_KIB}")
    conn.execute(f"PRAGMA mmap_size = {READER_MMAP_BYTES}")
    return conn


def open_checkpointer(path: Path | str) -> sqlite3.Connection:
    """A connection that only runs WAL checkpoints."""
    return _connect(path)


def database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """sqlite-utils' view of a connection (migrations, schema inspection)."""
    return sqlite_utils.Database(conn, strict=True, execute_plugins=False)
