"""A first sync into an empty cache defers the view's indexes and builds them at its end."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from operator_app.domain.mutations import AddNote
from operator_app.store import (
    QueueFilter,
    Sort,
    SortKey,
    Store,
    StoreClosedError,
    bulk_load,
    search,
    write_jobs,
)
from operator_app.store.connection import database, open_writer
from operator_app.store.migrations import migrate
from operator_app.store.queue import queue_plan
from operator_app.store.search_terms import term_key
from operator_app.store.write_jobs import WriteSide

from .conftest import OPERATOR, FakeClock, make_case, new_id, note_for, page, put, remove

CASES = bulk_load.MIN_PAGE_CASES


def _cases_page(n: int, *, has_more: bool, **overrides) -> dict:
    ops = []
    for _ in range(n):
        case = make_case(**overrides)
        ops += [put("case", case), put("note", note_for(case))]
    return page(ops, has_more=has_more)


def _view_indexes(conn: sqlite3.Connection) -> set[str]:
    return {name for name, _ in bulk_load.droppable(conn)}


def _fresh_indexes(tmp_path: Path) -> set[str]:
    conn = open_writer(tmp_path / "fresh.db")
    migrate(database(conn))
    names = _view_indexes(conn)
    conn.close()
    return names


def test_a_first_sync_defers_the_view_indexes_and_builds_them_at_its_end(
    store: Store, tmp_path: Path
):
    expected = _fresh_indexes(tmp_path)
    conn = store._conn()
    assert _view_indexes(conn) == expected
    store.apply_page(_cases_page(CASES, has_more=True, assignee=OPERATOR.id)).result()
    assert _view_indexes(conn) == set()
    assert {name for name, _ in bulk_load.deferred(conn)} == expected
    # Everything reads as usual meanwhile, only without the indexes.
    mine = QueueFilter(assignees=frozenset({OPERATOR.id}), open_only=True)
    assert len(store.queue_ids(mine, Sort(SortKey.DUE_DATE))) == CASES
    assert store.workload_counts({"c1111"}).by_assignee[OPERATOR.id].open == CASES
    summary = store.apply_page(_cases_page(CASES, has_more=False)).result()
    assert summary.applied == 2 * CASES
    assert _view_indexes(conn) == expected
    assert bulk_load.deferred(conn) == []
    plan = queue_plan(conn, mine, Sort(SortKey.DUE_DATE), store.today())
    assert "ix_view_assignee" in " ".join(plan), plan
    assert len(store.queue_ids(mine, Sort(SortKey.DUE_DATE))) == CASES
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_pages_into_a_cache_that_holds_cases_keep_every_index(store: Store, tmp_path: Path):
    store.apply_page(page([put("case", make_case())], has_more=True)).result()
    store.apply_page(_cases_page(CASES, has_more=True)).result()
    assert _view_indexes(store._conn()) == _fresh_indexes(tmp_path)


def test_a_local_save_during_a_first_sync_is_indexed_at_its_end(store: Store):
    first = _cases_page(CASES, has_more=True)
    store.apply_page(first).result()
    case_id = first["ops"][0]["id"]
    result = store.submit(AddNote(new_id(), case_id, "Яаралтай"), OPERATOR).result()
    assert result.queued
    store.apply_page(_cases_page(CASES, has_more=False)).result()
    conn = store._conn()
    pending = conn.execute(
        "SELECT rid FROM case_view INDEXED BY ix_view_sync WHERE sync_state <> 'synced'"
    ).fetchall()
    assert pending == [(store.rid_of(case_id),)]
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _first_sync_step_by_step(
    conn: sqlite3.Connection,
    side: WriteSide,
    in_step: Callable[[], None] = lambda: None,
    between: Callable[[], None] = lambda: None,
) -> None:
    """Two pages of a first sync, each step of their jobs in a transaction of its own as the
    writer runs it: `in_step` inside each, `between` after each step but the last of a job."""
    for raw in (_cases_page(CASES, has_more=True), _cases_page(CASES, has_more=False)):
        job = side.apply_page(raw)(conn)
        first = True
        while True:
            conn.execute("BEGIN IMMEDIATE")
            step = next(job) if first else job.send(0.0)
            first = False
            in_step()
            conn.execute("COMMIT")
            if step.last:
                break
            between()


def test_each_index_is_built_in_its_own_transaction(db_path: Path, clock: FakeClock):
    conn = open_writer(db_path)
    migrate(database(conn))
    side = WriteSide(conn, clock)
    count = len(bulk_load.droppable(conn))
    steps: list[int] = []
    _first_sync_step_by_step(
        conn, side, in_step=lambda: steps.append(len(bulk_load.droppable(conn)))
    )
    assert steps[0] == 0  # the first sync's first page: no index
    assert steps[-count - 1 :] == [*range(1, count + 1), count]
    assert not side.bulk
    conn.close()


def test_the_search_index_is_merged_once_though_saves_write_between_the_steps(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
):
    # A save's document goes to the index at once, a new segment: a merge asked again at
    # every step rewrote the whole index before each index build.
    merges: list[int] = []
    merge = bulk_load._merge_search
    monkeypatch.setattr(bulk_load, "_merge_search", lambda conn: merges.append(1) or merge(conn))
    conn = open_writer(db_path)
    migrate(database(conn))
    side = WriteSide(conn, clock)
    written: list[int] = []

    def save() -> None:
        # A save between two steps, its document indexed at once: one more segment.
        written.append(10**9 + len(written))
        with conn:
            conn.execute(
                "INSERT INTO case_fts(rowid, doc) VALUES (?, 'шинэ тэмдэглэл')", (written[-1],)
            )

    _first_sync_step_by_step(conn, side, between=save)
    assert not side.bulk
    assert len(written) > len(bulk_load.droppable(conn)) and merges == [1]
    conn.execute("INSERT INTO case_fts(case_fts) VALUES ('integrity-check')")
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


_KILLED_MID_SYNC = """
import json, os, signal, sys
from operator_app.store import Store
store = Store.open(sys.argv[1])
with open(sys.argv[2], encoding="utf-8") as f:
    store.apply_page(json.load(f)).result()
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_desk_killed_mid_first_sync_goes_on_with_it_where_it_stopped(
    db_path: Path, clock: FakeClock, tmp_path: Path
):
    first = _cases_page(CASES, has_more=True, assignee=OPERATOR.id)
    page_file = tmp_path / "page.json"
    page_file.write_text(json.dumps(first), encoding="utf-8")
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_MID_SYNC, str(db_path), str(page_file)],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        timeout=120,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    conn = sqlite3.connect(db_path)
    assert _view_indexes(conn) == set()  # killed with the indexes dropped
    conn.close()
    with Store.open(db_path, clock=clock, threaded=False) as store:
        conn = store._conn()
        # Opened at once: the first sync goes on as it was, its indexes still deferred.
        assert _view_indexes(conn) == set()
        assert store.first_sync_unfinished() and store._side.bulk
        assert store.sync_state().cursor == first["cursor"]
        mine = QueueFilter(assignees=frozenset({OPERATOR.id}), open_only=True)
        assert len(store.queue_ids(mine, Sort(SortKey.DUE_DATE))) == CASES
        assert len(store.search("halaalt", CASES + 1)) == CASES  # the waiting documents
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # Its last page builds everything it deferred, the pages before it included.
        store.apply_page(_cases_page(CASES, has_more=False)).result()
        assert _view_indexes(conn) == _fresh_indexes(tmp_path)
        assert bulk_load.deferred(conn) == []
        assert conn.execute("SELECT count(*) FROM deferred_doc").fetchone()[0] == 0
        assert len(store.search("halaalt", 3 * CASES)) == 2 * CASES
        assert len(store.queue_ids(mine, Sort(SortKey.DUE_DATE))) == CASES


def test_a_first_sync_left_half_way_is_finished_at_open_when_a_migration_waits(
    db_path: Path, clock: FakeClock, tmp_path: Path
):
    # A file of the step before: a migration runs against a schema with every index.
    conn = open_writer(db_path)
    migrate(database(conn), stop_before="0009_deferred_search")
    conn.execute("BEGIN IMMEDIATE")
    assert bulk_load.begin(conn)
    conn.execute("COMMIT")
    assert _view_indexes(conn) == set()
    conn.close()
    with Store.open(db_path, clock=clock, threaded=False) as store:
        conn = store._conn()
        assert _view_indexes(conn) == _fresh_indexes(tmp_path)
        assert bulk_load.deferred(conn) == []
        assert not store.first_sync_unfinished() and not store._side.bulk


def test_a_first_sync_indexes_its_text_at_its_end_and_a_save_meanwhile_at_once(store: Store):
    first = _cases_page(CASES, has_more=True)
    store.apply_page(first).result()
    conn = store._conn()
    assert conn.execute("SELECT count(*) FROM deferred_doc").fetchone()[0] == CASES
    # Held back from the index until the first sync ends, and found meanwhile all the same.
    assert conn.execute("SELECT count(*) FROM case_fts").fetchone()[0] == 0
    rids = sorted(store.rid_of(op["id"]) for op in first["ops"] if op["type"] == "case")
    assert store.search("halaalt", 2 * CASES) == rids[::-1]
    assert store.search("halaa muu", 5) == rids[::-1][:5]  # every word, as a prefix
    assert store.search("halaalt tsahilgaan") == []
    assert sorted(store.queue_ids(QueueFilter(text="halaa"), Sort())) == rids
    case_id = first["ops"][0]["id"]
    assert store.submit(AddNote(new_id(), case_id, "Цахилгаангүй"), OPERATOR).result().queued
    assert store.search("tsahilgaangui") == [store.rid_of(case_id)]
    assert conn.execute("SELECT count(*) FROM deferred_doc").fetchone()[0] == CASES - 1
    store.apply_page(_cases_page(CASES, has_more=False)).result()
    assert conn.execute("SELECT count(*) FROM deferred_doc").fetchone()[0] == 0
    assert len(store.search("halaalt", 3 * CASES)) == 2 * CASES
    assert store.search("tsahilgaangui") == [store.rid_of(case_id)]
    assert conn.execute("SELECT count(*) FROM case_fts").fetchone()[0] == 2 * CASES


def _terms(conn: sqlite3.Connection) -> set[str]:
    return {term for (term,) in conn.execute("SELECT term FROM search_term")}


def test_a_first_sync_takes_its_words_into_the_vocabulary_from_the_index_at_its_end(
    store: Store, db_path: Path
):
    conn = store._conn()
    before = _terms(conn)
    store.apply_page(_cases_page(CASES, has_more=True)).result()
    # Pages leave the vocabulary alone while their documents wait (one step at the end).
    assert _terms(conn) == before
    assert conn.execute("SELECT 1 FROM sync_state WHERE key = ?", (bulk_load.TERMS_KEY,)).fetchone()
    store.apply_page(_cases_page(CASES, has_more=False)).result()
    assert not conn.execute(
        "SELECT 1 FROM sync_state WHERE key = ?", (bulk_load.TERMS_KEY,)
    ).fetchone()
    # The words of the indexed documents, as adding them page by page gave (numbers as
    # their letters and "0"), and the writer's copy holds them too.
    expected = _terms(conn)
    words = {w for (doc,) in conn.execute("SELECT doc FROM case_fts") for w in doc.split()}
    assert expected == {term_key(w) for w in words} and "halaalt" in expected
    assert store._side.vs.vocabulary.keys == expected
    # A typed prefix is expanded to whole words from it, and finds every case.
    assert len(store.search("halaa", 3 * CASES)) == 2 * CASES


def test_a_desk_killed_before_the_words_were_taken_in_takes_them_when_its_sync_ends(
    db_path: Path, clock: FakeClock
):
    last = _cases_page(CASES, has_more=False)
    conn = open_writer(db_path)
    migrate(database(conn))
    side = WriteSide(conn, clock)
    job = side.apply_page(last)(conn)
    conn.execute("BEGIN IMMEDIATE")
    next(job)  # the page's ops, documents deferred
    conn.execute("COMMIT")
    conn.execute("BEGIN IMMEDIATE")
    assert bulk_load._fill_search(conn)  # every document indexed, then killed
    conn.execute("COMMIT")
    assert "halaalt" not in _terms(conn)
    conn.close()
    with Store.open(db_path, clock=clock, threaded=False) as store:
        conn = store._conn()
        assert store.first_sync_unfinished()  # its cursor never moved: the page comes again
        assert store.sync_state().cursor is None
        store.apply_page(last).result()
        assert "halaalt" in _terms(conn)
        assert store._side.vs.vocabulary.keys == _terms(conn)
        assert bulk_load.deferred(conn) == []
        assert not conn.execute(
            "SELECT 1 FROM sync_state WHERE key = ?", (bulk_load.TERMS_KEY,)
        ).fetchone()
        assert len(store.search("halaa", 2 * CASES)) == CASES


def test_pulled_changes_to_cases_whose_documents_wait_reach_the_index(store: Store, db_path: Path):
    # During a first sync a case's document waits in deferred_doc. A later page of the same
    # sync that updates the case, adds a note to another, or takes a third away must leave
    # the index as a sync of the final states would: nothing stale, nothing lost.
    cases = [make_case() for _ in range(CASES)]
    ops = []
    for case in cases:
        ops += [put("case", case), put("note", note_for(case))]
    store.apply_page(page(ops, has_more=True)).result()
    conn = store._conn()
    assert conn.execute("SELECT count(*) FROM deferred_doc").fetchone()[0] == CASES
    updated, noted, removed = cases[0], cases[1], cases[2]
    store.apply_page(
        page(
            [
                put(
                    "case",
                    replace(updated, subject="Усны шугам хагарсан", description="Ус алдаж байна."),
                    version=2,
                ),
                put("note", note_for(noted, "Цахилгааны компанид шилжүүлэв.")),
                remove("case", removed.id),
            ],
            has_more=True,
        )
    ).result()
    # The changed ones are indexed at once, the removed one's document is gone with it.
    assert conn.execute("SELECT count(*) FROM deferred_doc").fetchone()[0] == CASES - 3
    assert store.search("usny") == [store.rid_of(updated.id)]
    assert store.search("tsahilgaany") == [store.rid_of(noted.id)]
    store.apply_page(page([], has_more=False)).result()
    assert conn.execute("SELECT count(*) FROM deferred_doc").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM case_fts").fetchone()[0] == CASES - 1
    assert store.search("usny") == [store.rid_of(updated.id)]
    assert store.search("tsahilgaany") == [store.rid_of(noted.id)]
    halaalt = set(store.search("halaalt", 2 * CASES))
    assert store.rid_of(updated.id) not in halaalt  # its old subject is not found
    assert len(halaalt) == CASES - 2
    check = sqlite3.connect(db_path)
    check.execute("INSERT INTO case_fts(case_fts) VALUES ('integrity-check')")
    check.close()


def test_an_unfinished_first_sync_can_be_finished_as_it_stands(store: Store, tmp_path: Path):
    assert not store.first_sync_unfinished()
    assert store.finish_first_sync().result() is False  # nothing was deferred
    store.apply_page(_cases_page(CASES, has_more=True)).result()
    assert store.first_sync_unfinished()
    assert store.finish_first_sync().result() is True
    conn = store._conn()
    assert not store.first_sync_unfinished() and not store._side.bulk
    assert _view_indexes(conn) == _fresh_indexes(tmp_path)
    assert len(store.search("halaalt", 2 * CASES)) == CASES
    # The rest of that sync comes with every index in place.
    store.apply_page(_cases_page(CASES, has_more=False)).result()
    assert _view_indexes(conn) == _fresh_indexes(tmp_path)
    assert len(store.search("halaalt", 3 * CASES)) == 2 * CASES


def test_search_finds_every_case_at_every_step_of_a_first_sync(db_path: Path, clock: FakeClock):
    # A typed prefix is expanded to the vocabulary's words. Between the step that indexes the
    # last waiting documents and the one that takes their words, the vocabulary held only
    # the words of saves: "halaa" became ("halaaltgui") and found one case in 200.
    conn = open_writer(db_path)
    migrate(database(conn))
    side = WriteSide(conn, clock)
    with conn:
        conn.execute("INSERT INTO search_term(term) VALUES ('halaaltgui')")  # a save's word
    found: list[tuple[int, int]] = []

    def search_now() -> None:
        cases = conn.execute("SELECT count(*) FROM case_view").fetchone()[0]
        found.append((len(search.free_text(conn, "halaa", 10 * CASES)), cases))

    _first_sync_step_by_step(conn, side, between=search_now)
    search_now()
    assert len(found) > len(bulk_load.droppable(conn))
    assert all(hits == cases for hits, cases in found), found
    assert found[-1] == (2 * CASES, 2 * CASES)
    conn.close()


def test_words_an_older_desk_left_owed_are_taken_at_open(db_path: Path, clock: FakeClock):
    # A first sync this version began and an older one finished: the documents are indexed,
    # the indexes built, and the words still owed.
    with Store.open(db_path, clock=clock, threaded=False) as store:
        store.apply_page(_cases_page(CASES, has_more=False)).result()
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("DELETE FROM search_term")
        conn.execute("INSERT INTO sync_state(key, value) VALUES (?, 1)", (bulk_load.TERMS_KEY,))
    conn.close()
    with Store.open(db_path, clock=clock, threaded=False) as store:
        conn = store._conn()
        assert "halaalt" in _terms(conn)
        assert not conn.execute(
            "SELECT 1 FROM sync_state WHERE key = ?", (bulk_load.TERMS_KEY,)
        ).fetchone()


def _close_when_the_page_has_committed_a_step(store: Store) -> threading.Thread:
    """Close the store from another thread right after the page's first committed step; the
    writer goes on only once the close has begun."""
    writer = store._writer
    stepped = threading.Event()

    def on_change(_changes) -> None:
        if stepped.is_set():
            return
        stepped.set()
        with writer._cond:  # hold the writer here until close() has begun
            assert writer._cond.wait_for(lambda: writer._closed, timeout=30)

    store.subscribe(on_change)
    closer = threading.Thread(target=lambda: (stepped.wait(30), store.close()))
    closer.start()
    return closer


def test_closing_during_the_end_of_a_first_sync_stops_between_steps(
    db_path: Path, clock: FakeClock, tmp_path: Path
):
    # Closing waited for the whole end of a first sync: at a million cases, half a minute of
    # index builds after the window had gone. Now the page stops after the step under way,
    # and the sync goes on at the next opening, where it stopped.
    last = _cases_page(CASES, has_more=False, assignee=OPERATOR.id)
    store = Store.open(db_path, clock=clock)
    closer = _close_when_the_page_has_committed_a_step(store)
    applying = store.apply_page(last)
    closer.join(30)
    assert not closer.is_alive()
    with pytest.raises(StoreClosedError):
        applying.result(0)
    conn = sqlite3.connect(db_path)
    assert bulk_load.deferred(conn)  # the build never began
    assert conn.execute("SELECT count(*) FROM case_view").fetchone()[0] == CASES
    conn.close()
    with Store.open(db_path, clock=clock, threaded=False) as store:
        assert store.first_sync_unfinished() and store.sync_state().cursor is None
        summary = store.apply_page(last).result()  # the same page, pulled again
        assert summary.cursor == last["cursor"]
        conn = store._conn()
        assert _view_indexes(conn) == _fresh_indexes(tmp_path)
        assert len(store.search("halaalt", 2 * CASES)) == CASES
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_closing_finishes_a_started_job_that_cannot_stop_half_way(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
):
    store = Store.open(db_path, clock=clock, threaded=False)
    store.apply_page(_cases_page(CASES, has_more=False)).result()
    store.close()
    store = Store.open(db_path, clock=clock)
    # Several steps; a reset stopped half-way would leave the cache half forgotten.
    monkeypatch.setattr(write_jobs, "_RESET_BATCH", 10)
    closer = _close_when_the_page_has_committed_a_step(store)
    resetting = store.reset_server_state()
    closer.join(30)
    assert not closer.is_alive()
    assert resetting.result(0) == 0
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM case_view").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM srv_case").fetchone()[0] == 0
    conn.close()
