"""A pulled page's check gives way to a waiting local save, and still guards every write."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from operator_app.store import PageError
from operator_app.store.connection import database, open_writer
from operator_app.store.migrations import migrate
from operator_app.store.write_jobs import CHECK_SLICE_OPS, WriteSide
from operator_app.store.writer import Step

from .conftest import FakeClock, make_case, note_for, page, put


@pytest.fixture
def writer_side(db_path: Path, clock: FakeClock) -> Iterator[tuple[WriteSide, sqlite3.Connection]]:
    """The writer's side with a local save always waiting (the queue is never empty)."""
    conn = open_writer(db_path)
    migrate(database(conn))
    side = WriteSide(conn, clock)
    side.should_yield = lambda: True
    yield side, conn
    conn.close()


def _run(side: WriteSide, conn: sqlite3.Connection, raw: dict) -> Iterator[Step]:
    """The job's steps, each in its own transaction, as the writer runs them."""
    job = side.apply_page(raw)(conn)
    first = True
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            step = next(job) if first else job.send(0.0)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        first = False
        yield step
        if step.last:
            return


def _big_page() -> dict:
    ops = []
    for _ in range(CHECK_SLICE_OPS):
        case = make_case()
        ops += [put("case", case), put("note", note_for(case))]
    return page(ops)


def _count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM case_view").fetchone()[0]


def test_a_waiting_save_goes_before_the_rest_of_the_check(writer_side):
    side, conn = writer_side
    steps = _run(side, conn, _big_page())
    first = next(steps)
    # Only one slice was checked: the writer got the transaction back before any write.
    assert not first.changes and not first.last
    assert _count(conn) == 0
    rest = list(steps)
    assert rest[-1].last and rest[-1].result.applied == 2 * CHECK_SLICE_OPS
    assert _count(conn) == CHECK_SLICE_OPS


def test_a_bad_op_in_the_last_slice_still_refuses_the_whole_page(writer_side):
    side, conn = writer_side
    raw = _big_page()
    raw["ops"].append({"op": "put", "type": "case", "id": "x", "version": "one", "data": {}})
    steps = _run(side, conn, raw)
    with pytest.raises(PageError, match="integer version"):
        for step in steps:
            assert not step.changes
    assert _count(conn) == 0
