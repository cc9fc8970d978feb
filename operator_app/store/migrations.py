"""Schema migrations with sqlite-utils' `Migrations`; a newer file is refused, never touched."""

from __future__ import annotations

import sqlite3

import sqlite_utils
from sqlite_utils.migrations import Migrations

from operator_app.store import schema
from operator_app.store.errors import NewerSchemaError
from operator_app.store.search_terms import rebuild_terms
from operator_app.store.search_text import rebuild_search

MIGRATION_SET = "operator_desk_store"

migrations = Migrations(MIGRATION_SET)


def _run(db: sqlite_utils.Database, statements: tuple[str, ...]) -> None:
    for statement in statements:
        db.execute(statement)


@migrations(name="0001_cases")
def _cases(db: sqlite_utils.Database) -> None:
    _run(db, schema.CASES)


@migrations(name="0002_sync")
def _sync(db: sqlite_utils.Database) -> None:
    _run(db, schema.SYNC)


@migrations(name="0003_queue_indexes")
def _queue_indexes(db: sqlite_utils.Database) -> None:
    _run(db, schema.QUEUE_INDEXES)


@migrations(name="0004_search")
def _search(db: sqlite_utils.Database) -> None:
    _run(db, schema.SEARCH)
    # Cases and citizens cached before search existed become searchable at once.
    rebuild_search(db.conn)


@migrations(name="0005_search_terms")
def _search_terms(db: sqlite_utils.Database) -> None:
    _run(db, schema.SEARCH_TERMS)
    rebuild_terms(db.conn)


@migrations(name="0006_workload_index")
def _workload_index(db: sqlite_utils.Database) -> None:
    _run(db, schema.WORKLOAD_INDEX)


@migrations(name="0007_sort_indexes")
def _sort_indexes(db: sqlite_utils.Database) -> None:
    _run(db, schema.SORT_INDEXES)


@migrations(name="0008_open_text_sort_indexes")
def _open_text_sort_indexes(db: sqlite_utils.Database) -> None:
    _run(db, schema.OPEN_TEXT_SORT_INDEXES)


@migrations(name="0009_deferred_search")
def _deferred_search(db: sqlite_utils.Database) -> None:
    _run(db, schema.DEFERRED_SEARCH)


STEPS: tuple[str, ...] = (
    "0001_cases",
    "0002_sync",
    "0003_queue_indexes",
    "0004_search",
    "0005_search_terms",
    "0006_workload_index",
    "0007_sort_indexes",
    "0008_open_text_sort_indexes",
    "0009_deferred_search",
)
SCHEMA_VERSION = len(STEPS)


def applied_steps(db: sqlite_utils.Database) -> list[str]:
    return [m.name for m in migrations.applied(db)]


def up_to_date(db: sqlite_utils.Database) -> bool:
    """Whether every step this version knows is applied (False for a new file)."""
    try:
        return set(STEPS) <= set(applied_steps(db))
    except sqlite3.OperationalError:  # no migrations table yet
        return False


def refuse_newer(db: sqlite_utils.Database) -> None:
    """Raise NewerSchemaError if the file carries steps this version does not know."""
    user_version = db.execute("PRAGMA user_version").fetchone()[0]
    unknown = [name for name in applied_steps(db) if name not in STEPS]
    if unknown or user_version > SCHEMA_VERSION:
        step = unknown[-1] if unknown else f"version {user_version}"
        raise NewerSchemaError(
            "This cache was written by a newer version of the operator desk "
            f"(schema {step}; this version knows up to {STEPS[-1]}). "
            "Update the application; the file was left untouched."
        )


def migrate(db: sqlite_utils.Database, *, stop_before: str | None = None) -> None:
    """Bring the schema up to date (or up to `stop_before`, for tests of older schemas)."""
    refuse_newer(db)
    try:
        migrations.apply(db, stop_before=stop_before)
    except sqlite3.OperationalError:
        # Another process may have migrated between our check and apply; re-check for a
        # clearer message before giving up.
        refuse_newer(db)
        raise
    db.execute(f"PRAGMA user_version = {len(applied_steps(db))}")
