"""The central service sends whole cases kind by kind; the writer applies each case with its
records (pull_apply.grouped_by_case), so each case's search document is folded once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from operator_app.domain.model import Call, CallDirection, CallOutcome
from operator_app.store import Store, bulk_load, pull_apply
from operator_app.store.pull_apply import grouped_by_case
from operator_app.store.search_text import fold_words

from .conftest import START, FakeClock, make_case, note_for, page, put, remove


def _call(case_id: str, n: int) -> Call:
    return Call(
        f"call-{case_id}-{n}",
        case_id,
        "op-1",
        CallDirection.INBOUND,
        "99112233",
        START,
        60,
        CallOutcome.ANSWERED,
    )


def _kind_by_kind(count: int) -> list[dict]:
    """Ops as the service lays out a page of whole cases."""
    cases = [make_case() for _ in range(count)]
    ops = [put("case", c) for c in cases]
    ops += [put("note", note_for(c, f"Тэмдэглэл {k} усны шугам")) for k, c in enumerate(cases)]
    ops += [put("note", note_for(c, "Дахин залгав")) for c in cases[::2]]
    ops += [put("call", _call(c.id, 1)) for c in cases]
    ops += [put("citizen", {"id": f"cit-{k}", "name": "Бат Болд"}, id=f"cit-{k}") for k in range(3)]
    return ops


def _ids(ops: list[dict]) -> list[str]:
    return [op["id"] for op in ops]


def test_each_case_is_followed_by_its_records_and_citizens_come_last() -> None:
    ops = _kind_by_kind(3)
    grouped = grouped_by_case(ops)
    assert sorted(_ids(grouped)) == sorted(_ids(ops))  # the same ops, moved
    case_ids = [op["id"] for op in ops if op["type"] == "case"]
    position = {op["id"]: k for k, op in enumerate(grouped)}
    for case_id in case_ids:
        records = [
            op for op in ops if op["type"] in ("note", "call") and op["data"]["case_id"] == case_id
        ]
        spots = [position[op["id"]] for op in records]
        # Right after the case, in their own order.
        assert spots == list(range(position[case_id] + 1, position[case_id] + 1 + len(records)))
    assert [op["type"] for op in grouped[-3:]] == ["citizen"] * 3


@pytest.mark.parametrize(
    "change",
    [
        lambda ops: ops.insert(4, remove("note", ops[3]["id"])),  # a remove among them
        lambda ops: ops.append(put("category", {"id": "x"}, id="x")),  # reference after cases
        lambda ops: ops.append(put("note", note_for(make_case()))),  # a record after a citizen
        lambda ops: ops.insert(1, put("note", note_for(make_case()))),  # a record among cases
    ],
)
def test_a_page_of_another_form_is_applied_as_it_came(change) -> None:
    ops = _kind_by_kind(3)
    change(ops)
    assert grouped_by_case(ops) is ops


def _state(db: Path) -> tuple[list, list]:
    conn = sqlite3.connect(db)
    try:
        notes = conn.execute(
            "SELECT v.id, n.id, n.data FROM srv_note n JOIN case_view v ON v.rid = n.case_rid"
            " ORDER BY 1, 2"
        ).fetchall()
        docs = conn.execute(
            "SELECT v.id, d.doc FROM (SELECT rowid AS rid, doc FROM case_fts"
            " UNION ALL SELECT rid, doc FROM deferred_doc) d JOIN case_view v ON v.rid = d.rid"
            " ORDER BY 1"
        ).fetchall()
    finally:
        conn.close()
    return notes, [(case_id, sorted(doc.split())) for case_id, doc in docs]


def test_a_first_sync_of_such_pages_folds_each_document_once_to_the_same_state(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ops = _kind_by_kind(bulk_load.MIN_PAGE_CASES)
    refolds: list[int] = []
    set_doc = pull_apply.set_doc
    monkeypatch.setattr(
        pull_apply, "set_doc", lambda *a, **k: refolds.append(1) or set_doc(*a, **k)
    )
    states = []
    for name, layout in (("grouped", ops), ("one-by-one", None)):
        db = tmp_path / f"{name}.db"
        with Store.open(db, clock=clock, threaded=False) as store:
            if layout is not None:
                store.apply_page(page(layout, has_more=True)).result()
                assert refolds == []  # no case's document folded a second time
            else:  # the same ops one page each: no reordering possible
                for op in ops:
                    store.apply_page(page([op], has_more=True)).result()
        states.append(_state(db))
    assert states[0] == states[1]
    assert len(states[0][0]) == sum(op["type"] == "note" for op in ops)
    (word,) = fold_words("шугам")  # a word of every case's first note
    assert all(word in words for _, words in states[0][1])
