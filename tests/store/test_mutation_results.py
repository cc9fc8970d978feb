"""Mutation results: each queued mutation's current sync status, wherever the store keeps it
(outbox, results, inbox with dismissed items, archive)."""

from __future__ import annotations

from dataclasses import replace

from operator_app.domain.mutations import AddNote
from operator_app.store import MutationState, MutationStatus, Store

from .conftest import OPERATOR, FakeClock, make_case, new_id, note_for, page, put


def test_pending_applied_conflict_and_rejected_stay_known_after_a_dismissal(
    store: Store, clock: FakeClock
) -> None:
    case = make_case(assignee="op-1")
    store.apply_page(page([put("case", case)])).result()
    ids = [
        store.submit(AddNote(new_id(), case.id, f"Тэмдэглэл {k}"), OPERATOR).result().mutation_id
        for k in range(5)
    ]
    assert ids == [1, 2, 3, 4, 5]
    assert {m: s.state for m, s in store.mutation_results(ids).items()} == dict.fromkeys(
        ids, MutationState.PENDING
    )

    conflict = {"id": 2, "status": "conflict", "code": "STALE", "details": {"field": "subject"}}
    rejected = {"id": 3, "status": "rejected", "code": "FORBIDDEN", "details": {"why": "role"}}
    results = [{"id": 1, "status": "applied"}, conflict, rejected]
    store.apply_page(page([], last_mutation_id=3, results=results)).result()
    # Acknowledged without a result of its own: it went through.
    store.apply_page(page([], last_mutation_id=4)).result()
    assert [item.mutation_id for item in store.inbox()] == [2, 3]
    assert store.dismiss(2).result() and store.dismiss(3).result()
    assert store.inbox() == []

    assert store.mutation_results([*ids, 99]) == {
        1: MutationStatus(1, MutationState.APPLIED, None, {}),
        2: MutationStatus(2, MutationState.CONFLICT, "STALE", {"field": "subject"}, True),
        3: MutationStatus(3, MutationState.REJECTED, "FORBIDDEN", {"why": "role"}, True),
        4: MutationStatus(4, MutationState.APPLIED),
        5: MutationStatus(5, MutationState.PENDING),
    }
    assert store.mutation_results([]) == {}

    # Past the archive's 30 days the applied ones are forgotten, and left out; the inbox
    # keeps the refused ones (dismissed or not).
    clock.advance(days=31)
    store.apply_page(page([], last_mutation_id=4)).result()
    assert sorted(store.mutation_results(ids)) == [2, 3, 5]
    assert store.mutation_results([2])[2].state is MutationState.CONFLICT


def test_many_ids_at_once(store: Store) -> None:
    case = make_case(assignee="op-1")
    store.apply_page(page([put("case", case)])).result()
    notes = [AddNote(new_id(), case.id, f"Тэмдэглэл {k}") for k in range(1200)]
    saved = store.submit_many(notes, OPERATOR).result()
    ids = [r.mutation_id for r in saved if r.mutation_id is not None]
    assert len(ids) == 1200
    statuses = store.mutation_results(ids)
    assert len(statuses) == 1200
    assert {s.state for s in statuses.values()} == {MutationState.PENDING}


def test_a_pull_acknowledges_mutations_with_its_last_page_only(store: Store) -> None:
    # Every page carries the server's last mutation id as it is now, while the effects of
    # those mutations may come on a later page. Acknowledged at the first page, a note's
    # mutation was archived, the note left the view with the pending count at 0, and came
    # back only if the pull reached its end.
    case = make_case(assignee="op-1")
    store.apply_page(page([put("case", case)])).result()
    note_id = new_id()
    saved = store.submit(AddNote(note_id, case.id, "Дуудлагын тэмдэглэл"), OPERATOR).result()
    assert saved.mutation_id == 1

    store.apply_page(page([], last_mutation_id=1, has_more=True)).result()
    assert store.pending_count() == 1
    assert store.last_mutation_id() == 0
    assert [n.id for n in store.notes(case.id)] == [note_id]
    assert store.mutation_results([1])[1].state == MutationState.PENDING

    note = replace(note_for(case, "Дуудлагын тэмдэглэл"), id=note_id)
    store.apply_page(page([put("note", note)], last_mutation_id=1)).result()
    assert store.pending_count() == 0
    assert store.last_mutation_id() == 1
    assert store.mutation_results([1])[1].state == MutationState.APPLIED
