"""Pulled pages reach the same cache whichever way they are applied.

New cases are inserted in bulk (with the view's indexes deferred during a first sync), cases
the view holds are updated column by column: each must leave exactly what applying the final
versions to an empty cache, a page at a time, leaves.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from operator_app.domain.model import Case, Priority, Status
from operator_app.domain.mutations import AddNote, ChangeStatus
from operator_app.store import Store, bulk_load
from operator_app.store.schema import VIEW_COLUMNS

from .conftest import OPERATOR, START, FakeClock, make_case, new_id, note_for, page, put

_COLUMNS = ", ".join(f"v.{c}" for c in VIEW_COLUMNS if c != "rid")


def _snapshot(store: Store) -> dict[str, Any]:
    """Everything a pulled page writes, keyed by case id (rids may differ between stores)."""
    conn = store._conn()
    return {
        "view": conn.execute(f"SELECT {_COLUMNS} FROM case_view v ORDER BY v.id").fetchall(),
        "srv": conn.execute(
            "SELECT v.id, s.version, s.removed, s.data FROM srv_case s"
            " JOIN case_view v ON v.rid = s.rid ORDER BY v.id"
        ).fetchall(),
        "notes": conn.execute(
            "SELECT v.id, n.id, n.version, n.data FROM srv_note n"
            " JOIN case_view v ON v.rid = n.case_rid ORDER BY v.id, n.id"
        ).fetchall(),
        # The words, not their order: the index keeps no positions (detail=none), and a
        # new case's notes come in the page's order, a re-read case's in their ids' order.
        "docs": [
            (case_id, sorted(doc.split()))
            for case_id, doc in conn.execute(
                "SELECT v.id, f.doc FROM case_fts f JOIN case_view v ON v.rid = f.rowid"
                " ORDER BY v.id"
            )
        ],
        "terms": conn.execute("SELECT term FROM search_term ORDER BY term").fetchall(),
        "pending": conn.execute(
            "SELECT v.id, p.mutation_id, p.seq, p.type, p.id, p.data FROM pending_record p"
            " JOIN case_view v ON v.rid = p.case_rid ORDER BY 1, 2, 3"
        ).fetchall(),
    }


def _open(tmp_path: Path, name: str) -> Store:
    return Store.open(tmp_path / f"{name}.db", clock=FakeClock(), threaded=False)


def _updated(case: Case, k: int) -> Case:
    """A second version: a few kinds of change, and some cases unchanged but re-sent."""
    later = START + timedelta(hours=k + 1)
    match k % 5:
        case 0:
            return replace(case, status=Status.IN_PROGRESS, assignee="op-1", updated_at=later)
        case 1:
            return replace(case, subject=f"Шинэ гарчиг {k}", phone="+97688001122")
        case 2:
            return replace(case, priority=Priority.HIGH, due_date=None, updated_at=later)
        case 3:
            return replace(case, description="Ус алга", citizen_name="Оюун Дорж", location=None)
    return case


def _ops(cases: list[Case], version: int, notes: dict[str, list[Any]]) -> list[dict]:
    ops = []
    for case in cases:
        ops.append(put("case", case, version))
        ops += [put("note", note) for note in notes.get(case.id, [])]
    return ops


def test_pulled_updates_of_held_cases_match_a_fresh_pull_of_the_final_versions(
    tmp_path: Path,
):
    first = [make_case(number=f"2026-{k:06d}", assignee=None) for k in range(40)]
    final = [_updated(case, k) for k, case in enumerate(first)]
    notes = {case.id: [note_for(case, f"Тэмдэглэл {k}")] for k, case in enumerate(first[::3])}
    later_notes = {case.id: [note_for(case, "Дахин залгасан")] for case in first[1::4]}
    pending_case, pending_note = first[0].id, new_id()

    updated = _open(tmp_path, "updated")
    updated.apply_page(page(_ops(first, 1, notes))).result()
    # A case with a pending mutation: the pulled row gives way to the rebase.
    updated.submit(AddNote(pending_note, pending_case, "Хүлээгдэж буй"), OPERATOR).result()
    merged = {**notes}
    for case_id, extra in later_notes.items():
        merged[case_id] = merged.get(case_id, []) + extra
    updated.apply_page(page(_ops(final, 2, later_notes))).result()

    fresh = _open(tmp_path, "fresh")
    fresh.apply_page(page(_ops(final, 2, merged))).result()
    fresh.submit(AddNote(pending_note, pending_case, "Хүлээгдэж буй"), OPERATOR).result()
    try:
        assert _snapshot(updated) == _snapshot(fresh)
    finally:
        updated.close()
        fresh.close()


def test_a_bulk_first_sync_fills_the_cache_as_small_pages_do(tmp_path: Path):
    n = bulk_load.MIN_PAGE_CASES
    cases = [
        make_case(
            number=f"2026-{k:06d}",
            status=Status.CLOSED if k % 7 == 0 else Status.NEW,
            assignee=None if k % 3 else "op-1",
            subject=f"Гудамжны гэрэл {k}",
        )
        for k in range(2 * n)
    ]
    notes = {case.id: [note_for(case, f"Тэмдэглэл {k}")] for k, case in enumerate(cases[::4])}
    ops = _ops(cases, 1, notes)
    split = next(i for i, op in enumerate(ops) if op["type"] == "case" and op["id"] == cases[n].id)

    bulk = _open(tmp_path, "bulk")
    bulk.apply_page(page(ops[:split], has_more=True)).result()
    assert bulk_load.deferred(bulk._conn())  # the first sync's path
    # A local save in the middle of the first sync.
    bulk.submit(ChangeStatus(cases[1].id, Status.NEW, Status.IN_PROGRESS), OPERATOR).result()
    bulk.apply_page(page(ops[split:], has_more=False)).result()
    assert not bulk_load.deferred(bulk._conn())

    small = _open(tmp_path, "small")
    step = bulk_load.MIN_PAGE_CASES // 2
    starts = [*[i for i, op in enumerate(ops) if op["type"] == "case"][::step], len(ops)]
    for k, (a, b) in enumerate(itertools.pairwise(starts)):
        small.apply_page(page(ops[a:b], has_more=b < len(ops))).result()
        if k == 0:
            assert not bulk_load.deferred(small._conn())  # every index kept
    small.submit(ChangeStatus(cases[1].id, Status.NEW, Status.IN_PROGRESS), OPERATOR).result()
    try:
        assert _snapshot(bulk) == _snapshot(small)
    finally:
        bulk.close()
        small.close()
