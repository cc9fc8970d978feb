"""The local view: local saves, pulled pages, results, removes and resets."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest

from operator_app.domain.model import ConflictState, FieldConflict, Status
from operator_app.domain.mutations import (
    AddNote,
    ChangeStatus,
    FieldChange,
    ReassignCase,
    UpdateCaseFields,
)
from operator_app.domain.mutators import Refused
from operator_app.store import CaseSyncState, PageError, QueueFilter, Store, write_jobs

from .conftest import (
    OPERATOR,
    START,
    SUPERVISOR,
    FakeClock,
    create_args,
    make_case,
    new_id,
    note_for,
    page,
    put,
    remove,
)


def _row(store: Store, case_id: str):
    rid = store.rid_of(case_id)
    return store.rows([rid])[0] if rid is not None else None


def test_a_local_save_queues_the_mutation_and_updates_the_view_at_once(store: Store):
    result = store.submit(create_args(), OPERATOR).result()
    assert result.queued and result.mutation_id == 1
    case = store.case(result.case_id)
    assert case is not None and case.provisional_ref.startswith("P-")
    assert case.assignee == OPERATOR.id  # the operator who takes the call owns the case
    row = _row(store, result.case_id)
    assert row.sync_state is CaseSyncState.PENDING
    assert [e.name for e in store.pending()] == ["create_case"]
    assert store.pending()[0].wire()["args"]["provisional_ref"] == case.provisional_ref


def test_a_local_refusal_is_returned_and_nothing_is_queued(store: Store):
    case = make_case(status=Status.NEW, assignee=OPERATOR.id)
    store.apply_page(page([put("case", case)])).result()
    refused = store.submit(
        ChangeStatus(case.id, Status.WAITING), OPERATOR
    ).result()  # new -> waiting is not a legal transition
    assert not refused.queued
    assert isinstance(refused.refused, Refused) and refused.refused.code == "ILLEGAL_TRANSITION"
    assert store.pending() == []
    assert _row(store, case.id).sync_state is CaseSyncState.SYNCED
    ok = store.submit(ChangeStatus(case.id, Status.IN_PROGRESS), OPERATOR).result()
    assert ok.mutation_id == 1  # no gap left by the refusal
    assert store.case(case.id).status is Status.IN_PROGRESS


def test_arguments_the_server_could_not_parse_are_refused_locally(store: Store):
    case = make_case()
    store.apply_page(page([put("case", case)])).result()
    bad = UpdateCaseFields(case.id, {"priority": FieldChange("normal", "very high")})
    result = store.submit(bad, SUPERVISOR).result()
    assert not result.queued and result.refused.code == "INVALID"
    assert store.pending() == []


def test_mutation_ids_are_gapless_and_survive_acknowledgement(store: Store):
    ids = [store.submit(create_args(), OPERATOR).result().mutation_id for _ in range(3)]
    assert ids == [1, 2, 3]
    store.apply_page(
        page([], last_mutation_id=3, results=[{"id": i, "status": "applied"} for i in ids])
    ).result()
    assert store.pending() == [] and [e.id for e in store.archived()] == [1, 2, 3]
    assert store.submit(create_args(), OPERATOR).result().mutation_id == 4


def test_puts_are_version_guarded(store: Store):
    case = make_case(subject="Эхний")
    store.apply_page(page([put("case", case, version=5)])).result()
    summary = store.apply_page(page([put("case", replace(case, subject="Хуучин"), 4)])).result()
    assert summary.skipped == 1 and store.case(case.id).subject == "Эхний"
    store.apply_page(page([put("case", replace(case, subject="Шинэ"), 6)])).result()
    assert store.case(case.id).subject == "Шинэ"
    assert store.search("shine") == [store.rid_of(case.id)]
    assert store.search("ehnii") == []


def test_applying_a_page_twice_changes_nothing(store: Store):
    case = make_case()
    ops = [put("case", case), put("note", note_for(case))]
    store.apply_page(page(ops)).result()
    before = (store.case(case.id), store.notes(case.id), store.queue_ids(QueueFilter()))
    again = store.apply_page(page(ops)).result()
    assert again.applied == 0 and again.skipped == 2
    assert (store.case(case.id), store.notes(case.id), store.queue_ids(QueueFilter())) == before


def test_pending_mutations_are_replayed_on_new_server_state(store: Store):
    case = make_case(assignee=OPERATOR.id, subject="Анхны")
    store.apply_page(page([put("case", case)])).result()
    note = AddNote(new_id(), case.id, "Офлайн бичсэн тэмдэглэл")
    store.submit(note, OPERATOR).result()
    store.submit(ChangeStatus(case.id, Status.IN_PROGRESS), OPERATOR).result()
    # Someone else changed the subject on the server meanwhile.
    store.apply_page(page([put("case", replace(case, subject="Засварласан"), 2)])).result()
    seen = store.case(case.id)
    assert seen.subject == "Засварласан" and seen.status is Status.IN_PROGRESS
    assert [n.body for n in store.notes(case.id)] == ["Офлайн бичсэн тэмдэглэл"]
    assert _row(store, case.id).sync_state is CaseSyncState.PENDING
    assert store.search("oflain bichsen") == [store.rid_of(case.id)]
    # The server confirms both; the view equals the server's state again.
    server_note = note_for(case, "Офлайн бичсэн тэмдэглэл")
    server_note = replace(server_note, id=note.note_id)
    confirmed = replace(case, subject="Засварласан", status=Status.IN_PROGRESS)
    store.apply_page(
        page(
            [put("case", confirmed, 3), put("note", server_note)],
            last_mutation_id=2,
            results=[{"id": 1, "status": "applied"}, {"id": 2, "status": "applied"}],
        )
    ).result()
    assert store.pending() == []
    assert _row(store, case.id).sync_state is CaseSyncState.SYNCED
    assert [n.id for n in store.notes(case.id)] == [note.note_id]


def test_a_conflicting_result_lands_in_the_inbox_until_dismissed(store: Store):
    case = make_case(assignee="op-9")
    store.apply_page(page([put("case", case)])).result()
    store.submit(ReassignCase(case.id, "op-9", "op-2", "отпуск"), SUPERVISOR).result()
    taken = replace(case, assignee="op-7", assigned_by="sup-2")
    store.apply_page(
        page(
            [put("case", taken, 2)],
            last_mutation_id=1,
            results=[
                {
                    "id": 1,
                    "status": "conflict",
                    "code": "ASSIGNEE_CHANGED",
                    "details": {"current": "op-7"},
                }
            ],
        )
    ).result()
    assert store.case(case.id).assignee == "op-7"
    [item] = store.inbox()
    assert (item.mutation_id, item.code, item.name) == (1, "ASSIGNEE_CHANGED", "reassign_case")
    assert _row(store, case.id).sync_state is CaseSyncState.CONFLICT
    assert store.queue_ids(QueueFilter(sync=frozenset({CaseSyncState.CONFLICT}))) == [
        store.rid_of(case.id)
    ]
    assert store.dismiss(1).result() is True
    assert store.inbox() == []
    assert _row(store, case.id).sync_state is CaseSyncState.SYNCED


def test_an_open_field_conflict_from_the_server_marks_the_case(store: Store):
    case = make_case()
    conflict = FieldConflict(
        case.id, "category", "a", "b", "c", ConflictState.OPEN, "op-1", START, id="conf-1"
    )
    store.apply_page(page([put("case", case), put("conflict", conflict)])).result()
    assert _row(store, case.id).sync_state is CaseSyncState.CONFLICT
    assert [c.id for c in store.conflicts(case.id)] == ["conf-1"]
    closed = replace(conflict, state=ConflictState.RESOLVED, resolution="keep_server")
    store.apply_page(page([put("conflict", closed, 2)])).result()
    assert _row(store, case.id).sync_state is CaseSyncState.SYNCED


def test_a_removed_case_goes_with_its_records(store: Store):
    case = make_case()
    store.apply_page(page([put("case", case), put("note", note_for(case))])).result()
    rid = store.rid_of(case.id)
    store.apply_page(page([remove("case", case.id)])).result()
    assert store.case(case.id) is None and store.notes(case.id) == []
    assert store.search("halaalt") == [] and store.queue_ids(QueueFilter()) == []
    conn = store._writer.connection
    assert conn.execute("SELECT count(*) FROM srv_note").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM case_fts WHERE rowid = ?", (rid,)).fetchone()[0] == 0


def test_a_removed_case_with_pending_work_stays_until_its_results_arrive(store: Store):
    case = make_case(assignee=OPERATOR.id)
    store.apply_page(page([put("case", case)])).result()
    store.submit(AddNote(new_id(), case.id, "Сүүлийн тэмдэглэл"), OPERATOR).result()
    store.apply_page(page([remove("case", case.id)])).result()
    assert store.case(case.id) is not None
    assert [n.body for n in store.notes(case.id)] == ["Сүүлийн тэмдэглэл"]
    store.apply_page(
        page([], last_mutation_id=1, results=[{"id": 1, "status": "applied"}])
    ).result()
    assert store.case(case.id) is None


def test_reset_keeps_only_what_the_outbox_rebuilds(store: Store):
    server_case = make_case()
    store.apply_page(
        page(
            [
                put("case", server_case),
                put(
                    "citizen",
                    {
                        "id": "cit-1",
                        "name": "Дорж Болд",
                        "reg_no": None,
                        "phone": "+97688001122",
                        "address": "",
                        "location": None,
                    },
                ),
            ]
        )
    ).result()
    mine = store.submit(create_args(), OPERATOR).result()
    assert store.reset_server_state().result() == 1
    assert store.case(server_case.id) is None
    assert store.case(mine.case_id) is not None
    assert store.queue_ids(QueueFilter()) == [store.rid_of(mine.case_id)]
    assert store.find_by_phone("88001122") == []
    assert store.sync_state().cursor is None
    assert [e.id for e in store.pending()] == [1]


def test_the_archive_is_kept_thirty_days(store: Store, clock: FakeClock):
    store.submit(create_args(), OPERATOR).result()
    store.apply_page(
        page([], last_mutation_id=1, results=[{"id": 1, "status": "applied"}])
    ).result()
    assert [e.id for e in store.archived()] == [1]
    clock.advance(days=29)
    store.apply_page(page([])).result()
    assert [e.id for e in store.archived()] == [1]
    clock.advance(days=2)
    store.apply_page(page([])).result()
    assert store.archived() == []


def test_the_cursor_and_acknowledgements_commit_with_the_page(store: Store):
    store.submit(create_args(), OPERATOR).result()
    p = page(
        [put("case", make_case())], last_mutation_id=1, results=[{"id": 1, "status": "applied"}]
    )
    store.apply_page(p).result()
    state = store.sync_state()
    assert (state.cursor, state.last_mutation_id) == (p["cursor"], 1)
    assert state.last_pull_at is not None


def test_a_malformed_page_changes_nothing(store: Store):
    good = put("case", make_case())
    bad = {"op": "put", "type": "case", "id": "x"}  # no version, no data
    with pytest.raises(PageError):
        store.apply_page(page([good, bad])).result()
    assert store.queue_ids(QueueFilter()) == [] and store.sync_state().cursor is None


@pytest.mark.parametrize(
    "spoil",
    [lambda data: data.pop("centre"), lambda data: data.update(status="lost")],
    ids=["missing-field", "unknown-status"],
)
def test_a_case_record_the_desk_cannot_read_refuses_the_whole_page(store: Store, spoil):
    """Regression: a case put lacking a required field passed the page check and failed
    with a KeyError after earlier chunks had already been committed."""
    ops = [put("case", make_case()) for _ in range(600)]
    spoil(ops[-1]["data"])
    with pytest.raises(PageError):
        store.apply_page(page(ops)).result()
    assert store.queue_ids(QueueFilter()) == [] and store.sync_state().cursor is None


def test_the_sync_engine_sets_its_own_fields_only(store: Store, clock: FakeClock):
    state = store.set_sync_state(
        epoch="e2", clock_offset_s=-3.5, last_push_at=clock.now + timedelta(seconds=1)
    ).result()
    assert (state.epoch, state.clock_offset_s) == ("e2", -3.5)
    assert store.sync_state().epoch == "e2"
    with pytest.raises(ValueError):
        store.set_sync_state(next_mutation_id=1).result()


def test_reference_data_feeds_the_directory_and_the_rules(store: Store):
    assert store.rules().deadlines.rules  # shipped rules before anything was pulled
    store.apply_page(
        page(
            [
                put("centre", {"id": "c1111", "name_mn": "11-11 төв", "name_en": "11-11 Centre"}),
                put(
                    "operator",
                    {
                        "id": "op-1",
                        "display_name": "Б. Дорж",
                        "role": "operator",
                        "centres": ["c1111"],
                        "teams": ["t-a"],
                    },
                ),
                put(
                    "deadline_rule",
                    {
                        "case_type": "complaint",
                        "priority": None,
                        "days": 10,
                        "calendar": "calendar",
                        "extension_limit_days": 30,
                        "due_soon_days": 2,
                    },
                    id="complaint",
                ),
            ]
        )
    ).result()
    directory = store.directory()
    assert [c.id for c in directory.centres] == ["c1111"]
    assert directory.operator("op-1").display_name == "Б. Дорж"
    from operator_app.domain.model import CaseType

    assert store.rules().deadlines.rule_for(CaseType.COMPLAINT).days == 10


def test_a_backup_is_a_consistent_copy_that_opens_as_a_store(store: Store, tmp_path, clock):
    case = make_case()
    store.apply_page(page([put("case", case)])).result()
    mine = store.submit(create_args(), OPERATOR).result()
    copy = tmp_path / "recovery.db"
    store.backup_to(copy)
    with Store.open(copy, clock=clock, threaded=False) as restored:
        assert restored.case(case.id) == store.case(case.id)
        assert [e.id for e in restored.pending()] == [mine.mutation_id]
        assert restored.sync_state().client_id == store.sync_state().client_id


def test_a_local_save_rewrites_only_the_view_columns_it_changes(store: Store, db_path):
    # An upsert of the whole row rewrote its entry in every index of case_view (0.75 ms a save
    # at 200,000 cases against 0.03 ms for one column). A trigger on UPDATE OF a column fires
    # whenever the column is set, changed or not: it sees which columns a write touched.
    case = make_case(status=Status.NEW, assignee=OPERATOR.id)
    store.apply_page(page([put("case", case)])).result()
    spy = sqlite3.connect(db_path, isolation_level=None)
    spy.execute("CREATE TABLE touched (name TEXT) STRICT")
    for column in ("centre", "category", "registered_at", "assignee", "sync_state"):
        spy.execute(
            f"CREATE TRIGGER touched_{column} AFTER UPDATE OF {column} ON case_view"
            f" BEGIN INSERT INTO touched VALUES ('{column}'); END"
        )
    assert store.submit(AddNote(new_id(), case.id, "Дахин залгасан."), OPERATOR).result().queued
    assert [name for (name,) in spy.execute("SELECT name FROM touched")] == ["sync_state"]
    assert _row(store, case.id).sync_state is CaseSyncState.PENDING
    assert [n.body for n in store.notes(case.id)] == ["Дахин залгасан."]
    spy.close()


def test_a_case_saved_while_a_reset_runs_stays_in_the_view(
    store: Store, monkeypatch: pytest.MonkeyPatch
):
    # A reset deletes the view in steps, and local saves run between them. The cases with
    # pending work were taken once, at its start: a case saved meanwhile lost its row and
    # was left out of the rebase, gone from the view until a later pull.
    store.apply_page(page([put("case", make_case()) for _ in range(5)])).result()
    monkeypatch.setattr(write_jobs, "_RESET_BATCH", 2)
    side, conn = store._side, store._writer.connection

    def step(job, first: bool = False):
        conn.execute("BEGIN IMMEDIATE")
        done = next(job) if first else job.send(0.0)
        conn.execute("COMMIT")
        return done

    reset = side.reset_server_state()(conn)
    done = step(reset, first=True)
    args = create_args()
    saved = step(side.save_local(args, OPERATOR)(conn), first=True).result
    assert saved.mutation_id == 1
    while not done.last:
        done = step(reset)
    assert done.result == 1
    assert store.case(args.case_id) is not None
    rid = store.rid_of(args.case_id)
    assert rid is not None and store.queue_ids(QueueFilter()) == [rid]
    assert store.pending_count() == 1
