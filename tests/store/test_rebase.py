"""Rebase: server state plus the pending mutations replayed equals applying them in order."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from operator_app.domain.errors import FieldError
from operator_app.domain.model import LinkKind, Priority, Status
from operator_app.domain.mutations import (
    AddNote,
    ChangeStatus,
    ExtendDeadline,
    FieldChange,
    LinkCases,
    ReassignCase,
    UpdateCaseFields,
    parse_mutation,
    to_json,
)
from operator_app.domain.mutators import Applied, CaseState, apply_mutation
from operator_app.reference import default_rules
from operator_app.store import Store

from .conftest import SUPERVISOR, FakeClock, make_case, page, put

CASE = make_case(assignee="op-9", id="00000000-0000-4000-8000-000000000001")
BODIES = ("Иргэнтэй холбогдов", "Baримт авлаа", "Хариу хүлээж байна")


def mutations() -> st.SearchStrategy:
    case_id = CASE.id
    return st.one_of(
        st.builds(AddNote, st.uuids().map(str), st.just(case_id), st.sampled_from(BODIES)),
        st.builds(
            ChangeStatus,
            st.just(case_id),
            st.sampled_from(list(Status)),
            st.sampled_from(["", "давхардсан"]),
        ),
        st.builds(
            ReassignCase,
            st.just(case_id),
            st.sampled_from([None, "op-9", "op-2"]),
            st.sampled_from([None, "op-2", "op-3"]),
        ),
        st.builds(
            UpdateCaseFields,
            st.just(case_id),
            st.dictionaries(
                st.sampled_from(["subject", "priority", "address"]),
                st.builds(
                    FieldChange,
                    st.sampled_from([None, CASE.subject, "normal", "high"]),
                    st.sampled_from(["Шинэ гарчиг", "high", "urgent", "Баянзүрх"]),
                ),
                min_size=1,
                max_size=2,
            ),
        ),
        st.builds(ExtendDeadline, st.just(case_id), st.integers(1, 40), st.just("Мэдэгдсэн")),
        st.builds(
            LinkCases,
            st.just(case_id),
            st.sampled_from(["other-1", "other-2"]),
            st.sampled_from(list(LinkKind)),
        ),
    )


def _expected(steps, times):
    """The same mutations applied one after another by the domain alone."""
    rules = default_rules()
    case = CASE
    notes = []
    for args, now in zip(steps, times, strict=True):
        if isinstance(parse_mutation(args.NAME, to_json(args)), FieldError):
            continue  # the store refuses what the server could not parse, as documented
        outcome = apply_mutation(args, CaseState(case), SUPERVISOR, now, rules)
        if isinstance(outcome, Applied) and not outcome.noop:
            case = outcome.case
            if outcome.note is not None:
                notes.append(outcome.note)
    return case, notes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutations(), min_size=1, max_size=8))
def test_replaying_pending_mutations_equals_applying_them_in_order(steps):
    clock = FakeClock()
    with (
        tempfile.TemporaryDirectory() as tmp,
        Store.open(Path(tmp) / "cache.db", clock=clock, threaded=False) as store,
    ):
        store.apply_page(page([put("case", CASE)])).result()
        times = []
        for args in steps:
            clock.advance(minutes=7)
            times.append(clock.now)
            store.submit(args, SUPERVISOR).result()
        expected_case, expected_notes = _expected(steps, times)
        assert store.case(CASE.id) == expected_case
        assert store.notes(CASE.id) == expected_notes
        local = (store.case(CASE.id), store.notes(CASE.id), store.timeline(CASE.id))
        queued = [e.id for e in store.pending()]

        # A pulled page touching the case rebuilds it from server state plus the outbox.
        clock.advance(days=1)
        store.apply_page(page([put("case", CASE, version=2)])).result()
        assert (store.case(CASE.id), store.notes(CASE.id), store.timeline(CASE.id)) == local
        assert [e.id for e in store.pending()] == queued


def test_a_rebase_on_changed_server_state_reruns_the_rules():
    clock = FakeClock()
    with (
        tempfile.TemporaryDirectory() as tmp,
        Store.open(Path(tmp) / "cache.db", clock=clock, threaded=False) as store,
    ):
        store.apply_page(page([put("case", CASE)])).result()
        store.submit(ReassignCase(CASE.id, "op-9", "op-2"), SUPERVISOR).result()
        store.submit(
            UpdateCaseFields(CASE.id, {"priority": FieldChange("normal", "high")}), SUPERVISOR
        ).result()
        assert store.case(CASE.id).assignee == "op-2"
        # The server says someone else took the case first: the local reassignment no longer
        # applies (it will come back as a conflict), the priority change still does.
        moved = replace(CASE, assignee="op-5", updated_at=CASE.registered_at + timedelta(hours=1))
        store.apply_page(page([put("case", moved, version=2)])).result()
        seen = store.case(CASE.id)
        assert seen.assignee == "op-5" and seen.priority is Priority.HIGH
        assert len(store.pending()) == 2
