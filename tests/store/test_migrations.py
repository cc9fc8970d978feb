"""Schema and migrations: a fresh file, every earlier schema, and a file from a newer version."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from operator_app.domain.records import record_to_json
from operator_app.store import NewerSchemaError, QueueFilter, Sort, SortKey, Store
from operator_app.store.connection import database, open_writer
from operator_app.store.migrations import SCHEMA_VERSION, STEPS, migrate
from operator_app.store.queue import queue_plan
from operator_app.store.search_text import case_doc

from .conftest import FakeClock, make_case


def _tables(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    finally:
        conn.close()


def test_a_fresh_file_gets_every_step_strict_tables_and_wal(db_path: Path, clock: FakeClock):
    with Store.open(db_path, clock=clock, threaded=False) as store:
        conn = store._writer.connection
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        applied = [
            name for (name,) in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")
        ]
        assert applied == list(STEPS)
        assert store.sync_state().client_id
    tables = _tables(db_path)
    own = {
        name: sql
        for name, sql in tables.items()
        if not name.startswith(("sqlite_", "_sqlite", "case_fts", "citizen_fts"))
    }
    assert {
        "case_view",
        "srv_case",
        "srv_note",
        "outbox",
        "outbox_archive",
        "inbox",
        "mutation_result",
        "sync_state",
        "ref_item",
        "srv_citizen",
    } <= own.keys()
    assert all("STRICT" in sql for sql in own.values()), own


def test_reopening_keeps_the_client_id(db_path: Path, clock: FakeClock):
    with Store.open(db_path, clock=clock, threaded=False) as store:
        first = store.sync_state().client_id
    with Store.open(db_path, clock=clock, threaded=False) as store:
        assert store.sync_state().client_id == first


def _seed_before(path: Path, stop_before: str) -> str:
    """A file at an earlier schema, holding one cached case (and an outbox row if it can)."""
    conn = open_writer(path)
    migrate(database(conn), stop_before=stop_before)
    case = make_case(subject="Хогийн цэг дүүрсэн")
    data = record_to_json(case)
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO case_view(rid, id, number, centre, channel, type, category, status,"
        " priority, priority_rank, confidential, is_open, subject, citizen_name,"
        " registered_at, sync_state) VALUES (1, ?, ?, 'c1111', 'phone', 'complaint', ?, 'new',"
        " 'normal', 1, 0, 1, ?, ?, 0, 'synced')",
        (case.id, case.number, case.category, case.subject, case.citizen_name),
    )
    conn.execute("INSERT INTO srv_case(rid, version, data) VALUES (1, 3, ?)", (json.dumps(data),))
    if STEPS.index(stop_before) > STEPS.index("0002_sync"):
        conn.execute(
            "INSERT INTO sync_state(key, value) VALUES ('client_id', 'client-from-before')"
        )
    if STEPS.index(stop_before) > STEPS.index("0004_search"):
        # Indexed as that version indexed what it cached.
        conn.execute("INSERT INTO case_fts(rowid, doc) VALUES (1, ?)", (case_doc(data),))
    conn.execute("COMMIT")
    conn.close()
    return case.id


@pytest.mark.parametrize("stop_before", STEPS[1:])
def test_every_earlier_schema_migrates_and_keeps_its_data(
    db_path: Path, clock: FakeClock, stop_before: str
):
    case_id = _seed_before(db_path, stop_before)
    with Store.open(db_path, clock=clock, threaded=False) as store:
        assert store.case(case_id) is not None
        assert store.case(case_id).subject == "Хогийн цэг дүүрсэн"
        # Search built by the migration indexes what was cached before it existed.
        assert store.search("hogiin") == [store.rid_of(case_id)]
        assert store.queue_ids(QueueFilter()) == [store.rid_of(case_id)]
        if STEPS.index(stop_before) > STEPS.index("0002_sync"):
            assert store.sync_state().client_id == "client-from-before"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_from_a_newer_version_is_refused_and_left_alone(db_path: Path, clock: FakeClock):
    with Store.open(db_path, clock=clock, threaded=False):
        pass
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at)"
        " VALUES ('operator_desk_store', '0005_from_the_future', 'later')"
    )
    conn.commit()
    conn.close()
    before = _digest(db_path)
    with pytest.raises(NewerSchemaError, match="newer version"):
        Store.open(db_path, clock=clock, threaded=False)
    assert _digest(db_path) == before


def test_a_higher_user_version_is_refused_too(db_path: Path, clock: FakeClock):
    with Store.open(db_path, clock=clock, threaded=False):
        pass
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(NewerSchemaError, match="Update the application"):
        Store.open(db_path, clock=clock, threaded=False)


def test_step_8_indexes_the_open_cases_a_cache_held_before_it(db_path: Path, clock: FakeClock):
    case_id = _seed_before(db_path, "0008_open_text_sort_indexes")
    with Store.open(db_path, clock=clock, threaded=False) as store:
        conn = store._conn()
        indexes = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        assert {"ix_open_subject", "ix_open_citizen"} <= indexes
        rid = store.rid_of(case_id)
        for sort, index in (
            (SortKey.SUBJECT, "ix_open_subject"),
            (SortKey.CITIZEN, "ix_open_citizen"),
        ):
            plan = queue_plan(conn, QueueFilter(open_only=True), Sort(sort), store.today())
            assert index in plan[0] and "TEMP B-TREE" not in plan[0], plan
            assert store.queue_ids(QueueFilter(open_only=True), Sort(sort), 200) == [rid]
        # Read from the index alone: what it holds is what the case row says.
        assert (
            conn.execute(
                "SELECT count(*) FROM case_view INDEXED BY ix_open_subject"
                " WHERE is_open = 1 AND subject = 'Хогийн цэг дүүрсэн'"
            ).fetchone()[0]
            == 1
        )
