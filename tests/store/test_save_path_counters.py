"""The writer keeps the next mutation id and the provisional counter in memory between saves
(WriteSide.counters): they must always be the stored ones, after a failed transaction and an
import of salvaged mutations too."""

from __future__ import annotations

import pytest

from operator_app.domain.identifiers import device_code_for, provisional_case_number
from operator_app.domain.mutations import AddNote, to_json
from operator_app.store import Store, write_jobs
from operator_app.store.outbox import MUTATION_VERSION, OutboxEntry
from operator_app.store.writer import Priority

from .conftest import OPERATOR, START, create_args, new_id


def _ref(store: Store, counter: int) -> str:
    return provisional_case_number(device_code_for(store.sync_state().client_id), counter)


def _stored(store: Store) -> tuple[int, int]:
    state = store.sync_state()
    return state.next_mutation_id, state.provisional_counter


def test_ids_and_provisional_numbers_follow_on_from_save_to_save(store: Store) -> None:
    first = store.submit(create_args(), OPERATOR).result()
    note = store.submit(AddNote(new_id(), first.case_id, "Тэмдэглэл"), OPERATOR).result()
    second = store.submit(create_args(), OPERATOR).result()
    assert [first.mutation_id, note.mutation_id, second.mutation_id] == [1, 2, 3]
    assert first.outcome.case.provisional_ref == _ref(store, 1)
    assert second.outcome.case.provisional_ref == _ref(store, 2)
    assert _stored(store) == (4, 2)
    # A refused save takes no id and no number.
    refused = store.submit(create_args(subject=""), OPERATOR).result()
    assert not refused.queued
    third = store.submit(create_args(), OPERATOR).result()
    assert third.mutation_id == 4 and third.outcome.case.provisional_ref == _ref(store, 3)
    assert _stored(store) == (5, 3)


def test_a_failed_transaction_gives_its_ids_and_numbers_back(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = store.submit(create_args(), OPERATOR).result()
    assert _stored(store) == (2, 1)
    write_records = write_jobs.write_records
    calls = []

    def fail_third(*args: object) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        write_records(*args)

    monkeypatch.setattr(write_jobs, "write_records", fail_third)
    batch = [create_args(), AddNote(new_id(), created.case_id, "Тэмдэглэл"), create_args()]
    with pytest.raises(RuntimeError):
        store.submit_many(batch, OPERATOR).result()
    monkeypatch.undo()
    # Rolled back: nothing of the batch is stored, and the next saves take what it took.
    assert _stored(store) == (2, 1)
    assert [e.id for e in store.pending()] == [1]
    again = store.submit(create_args(), OPERATOR).result()
    assert again.mutation_id == 2 and again.outcome.case.provisional_ref == _ref(store, 2)
    assert _stored(store) == (3, 2)


def test_an_import_moves_the_next_id_and_number_on(store: Store) -> None:
    created = store.submit(create_args(), OPERATOR).result()
    assert created.mutation_id == 1
    salvaged = OutboxEntry(
        10,
        AddNote.NAME,
        MUTATION_VERSION,
        to_json(AddNote(new_id(), created.case_id, "Аврагдсан тэмдэглэл")),
        OPERATOR,
        START,
        created.case_id,
    )
    state = {"next_mutation_id": 11, "provisional_counter": 7}
    job = store._side.import_entries([salvaged], state)
    assert store._write(job, Priority.CONTROL).result() == 1
    assert _stored(store) == (11, 7)
    after = store.submit(create_args(), OPERATOR).result()
    assert after.mutation_id == 11 and after.outcome.case.provisional_ref == _ref(store, 8)
    assert _stored(store) == (12, 8)


def test_the_sync_engine_cannot_move_the_counters_the_writer_keeps(store: Store) -> None:
    # What the cache relies on: only the writer's saves and imports change them.
    assert store.submit(create_args(), OPERATOR).result().mutation_id == 1
    for field in ("next_mutation_id", "provisional_counter", "client_id"):
        with pytest.raises(ValueError, match="not settable"):
            store.set_sync_state(**{field: 40}).result()
    assert store.submit(create_args(), OPERATOR).result().mutation_id == 2
