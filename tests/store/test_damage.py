"""A damaged cache is moved aside at open, its outbox salvaged and queued again."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from operator_app.domain.mutations import AddNote
from operator_app.store import Store

from .conftest import OPERATOR, FakeClock, create_args, new_id


def _fill(db_path: Path, clock: FakeClock) -> tuple[str, str, list[int]]:
    """A cache with three pending mutations; returns the client id, a case id, their ids."""
    with Store.open(db_path, clock=clock, threaded=False) as store:
        created = store.submit(create_args(), OPERATOR).result()
        case_id = created.case_id
        for body in ("Эхний тэмдэглэл", "Хоёр дахь тэмдэглэл"):
            store.submit(AddNote(new_id(), case_id, body), OPERATOR).result()
        return store.sync_state().client_id, case_id, [e.id for e in store.pending()]


def _overwrite_page(path: Path, table: str) -> None:
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    conn.close()
    with path.open("r+b") as fh:
        fh.seek((root[0] - 1) * page_size)
        fh.write(os.urandom(page_size))


def test_a_damaged_table_is_detected_the_outbox_salvaged_and_queued_again(
    db_path: Path, clock: FakeClock
):
    client_id, case_id, ids = _fill(db_path, clock)
    assert ids == [1, 2, 3]
    _overwrite_page(db_path, "case_view")

    with Store.open(db_path, clock=clock, threaded=False) as store:
        report = store.open_report
        assert report.damage is not None
        assert report.moved_to is not None and report.moved_to.exists()
        assert report.salvaged_mutations == 3
        salvaged = json.loads(report.salvage_file.read_text(encoding="utf-8"))
        assert [m["id"] for m in salvaged["outbox"]] == [1, 2, 3]
        # Same client, same mutation ids: the server will not apply anything twice.
        assert store.sync_state().client_id == client_id
        assert [e.id for e in store.pending()] == [1, 2, 3]
        assert store.sync_state().next_mutation_id == 4
        # The case typed offline is rebuilt from the outbox, notes and all.
        assert store.case(case_id) is not None
        assert [n.body for n in store.notes(case_id)] == ["Эхний тэмдэглэл", "Хоёр дахь тэмдэглэл"]
        follow = store.submit(AddNote(new_id(), case_id, "Дараа нь"), OPERATOR).result()
        assert follow.mutation_id == 4


def test_a_file_that_is_not_a_database_is_moved_aside(db_path: Path, clock: FakeClock):
    db_path.write_bytes(b"this is not SQLite at all" * 100)
    with Store.open(db_path, clock=clock, threaded=False) as store:
        assert store.open_report.damage == "not an SQLite database"
        assert store.open_report.salvaged_mutations == 0
        assert store.open_report.moved_to.read_bytes().startswith(b"this is not")
        assert store.pending() == []
        assert store.submit(create_args(), OPERATOR).result().mutation_id == 1


def test_a_healthy_file_reports_nothing(db_path: Path, clock: FakeClock):
    _fill(db_path, clock)
    with Store.open(db_path, clock=clock, threaded=False, full_check=True) as store:
        assert store.open_report.damage is None
        assert store.verify() is None
        assert len(store.pending()) == 3


def test_a_suspect_file_gets_a_full_check_at_the_next_open(db_path: Path, clock: FakeClock):
    _fill(db_path, clock)
    with Store.open(db_path, clock=clock, threaded=False) as store:
        store.mark_suspect()
    marker = db_path.with_name(db_path.name + ".check")
    assert marker.exists()
    with Store.open(db_path, clock=clock, threaded=False) as store:
        assert store.open_report.damage is None
    assert not marker.exists()
