"""SYNC.md's scenarios with real desks and a real central service, on SQLite and PostgreSQL:
concurrent writers, illegal transitions, resets (expired cursor, restores with and without an
epoch bump), a scope move-out with pending work, a poison mutation and a re-used create.

Every scenario ends with the convergence checker: each desk's cache equals the server's view
of its scope, and the audit log shows each desk's mutations applied exactly once.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

import central.push_decision
from central.data import meta
from central.data.engine import create_database_engine, write_transaction
from central.data.tables import audit_log, cases, conflicts, notes
from central.retention import prune
from operator_app.domain.model import Status
from operator_app.domain.mutations import (
    ChangeStatus,
    FieldChange,
    ReassignCase,
    UpdateCaseFields,
)
from sync.headless import HeadlessDesk
from sync.http import CentralClient
from sync.status import SyncState
from tests.central.testbed import copy_database
from tests.sync.checker import assert_audit_holds, assert_converged
from tests.sync.harness import PASSWORD, Central, Desks, new_case, new_id, new_note

OPERATOR = "demo-operator"  # op-demo, team t1111-a of centre c1111
SUPERVISOR = "demo-supervisor"  # sup-demo: centres c1111, c1800, c1900
TEAM_SUPERVISOR = "sup-t1111-a"  # sup-t1111-a: centre c1111


def converge(service: Central, *desks: HeadlessDesk) -> None:
    """Sync every desk until quiet, then check each against the server and the audit log."""
    for _ in range(2):  # the second round brings each desk what the others did last
        for desk in desks:
            report = desk.sync_until_clean()
            assert report.ok, report.problem
    for desk in desks:
        assert_converged(desk.store.path, service.url, desk.username, PASSWORD)  # type: ignore[attr-defined]
    assert_audit_holds(service.db.engine, [d.store.path for d in desks])


def server_case(service: Central, case_id: str) -> dict[str, Any]:
    with service.db.engine.connect() as conn:
        row = conn.execute(select(cases).where(cases.c.id == case_id)).one()
    return dict(row._mapping)


def inbox_of(desk: HeadlessDesk) -> list[tuple[str, str | None]]:
    return [(item.status, item.code) for item in desk.store.inbox()]


# --- concurrent writers -------------------------------------------------------------------


def test_two_supervisors_reassigning_one_case_offline_one_wins_one_hears_why(
    shared_central: Central, desks: Desks
) -> None:
    operator = desks.new(shared_central.url, OPERATOR)
    args = new_case()
    operator.submit(args)
    assert operator.sync_until_clean().ok
    first = desks.new(shared_central.url, SUPERVISOR)
    second = desks.new(shared_central.url, TEAM_SUPERVISOR)
    for desk in (first, second):
        assert desk.engine.run_once().ok
    # Both offline: each moves the case from the operator to someone else.
    for desk, to in ((first, "op-t1111-a-0"), (second, "op-t1111-a-1")):
        local = desk.submit(ReassignCase(args.case_id, "op-demo", to, "бөөгнөрөл"))
        assert local.queued
        case = desk.store.case(args.case_id)
        assert case is not None and case.assignee == to  # each sees their own choice

    assert first.sync_until_clean().ok  # first in server order
    assert second.sync_until_clean().ok
    converge(shared_central, operator, first, second)

    assert server_case(shared_central, args.case_id)["assignee"] == "op-t1111-a-0"
    assert inbox_of(first) == []
    assert inbox_of(second) == [("conflict", "ASSIGNEE_CHANGED")]
    conflict = second.store.inbox()[0]
    assert conflict.details["current"] == "op-t1111-a-0"
    assert conflict.details["by"] == "sup-demo"
    assert second.engine.status.conflicts == 1
    for desk in (first, second):
        case = desk.store.case(args.case_id)
        assert case is not None and case.assignee == "op-t1111-a-0"


def test_concurrent_field_edits_lose_no_value_without_a_conflict_record(
    shared_central: Central, desks: Desks
) -> None:
    operator = desks.new(shared_central.url, OPERATOR)
    args = new_case()
    operator.submit(args)
    assert operator.sync_until_clean().ok
    first = desks.new(shared_central.url, SUPERVISOR)
    second = desks.new(shared_central.url, TEAM_SUPERVISOR)
    for desk in (first, second):
        assert desk.engine.run_once().ok
    base = first.store.case(args.case_id)
    assert base is not None
    typed = {
        first: {"phone": "99110001", "description": "Нэгдүгээр хувилбар"},
        second: {"phone": "99110002", "description": "Хоёрдугаар хувилбар"},
    }
    for desk, values in typed.items():
        changes = {
            "phone": FieldChange(base.phone, values["phone"]),
            "description": FieldChange(base.description, values["description"]),
        }
        assert desk.submit(UpdateCaseFields(args.case_id, changes)).queued

    assert first.sync_until_clean().ok
    assert second.sync_until_clean().ok
    converge(shared_central, operator, first, second)

    stored = server_case(shared_central, args.case_id)
    with shared_central.db.engine.connect() as conn:
        records = [
            dict(r._mapping)
            for r in conn.execute(select(conflicts).where(conflicts.c.case_id == args.case_id))
        ]
    assert stored["phone"] == "+97699110002"  # contact fields: server order
    data = second.store.case(args.case_id)
    assert data is not None and data.description == "Нэгдүгээр хувилбар"  # the first stands
    assert sorted(r["state"] for r in records) == ["open", "overwritten"]
    # Every value anyone typed is either in the case or kept in a conflict record.
    kept = {
        json.dumps(v)
        for r in records
        for k, v in json.loads(r["data"]).items()
        if k in ("current", "proposed")
    }
    for values in typed.values():
        for field_name, value in values.items():
            current = getattr(data, field_name)
            in_case = current in (value, "+976" + value)
            assert in_case or json.dumps(value) in kept or json.dumps("+976" + value) in kept, (
                field_name,
                value,
            )
    assert inbox_of(first) == []
    assert inbox_of(second) == [("conflict", "FIELD_CONFLICT")]


def test_an_illegal_transition_made_offline_becomes_a_conflict(
    shared_central: Central, desks: Desks
) -> None:
    operator = desks.new(shared_central.url, OPERATOR)
    args = new_case()
    operator.submit(args)
    operator.submit(ChangeStatus(args.case_id, Status.IN_PROGRESS, from_=Status.NEW))
    assert operator.sync_until_clean().ok
    supervisor = desks.new(shared_central.url, SUPERVISOR)
    assert supervisor.engine.run_once().ok
    supervisor.submit(
        ChangeStatus(
            args.case_id, Status.RESOLVED, resolution="Хариу өгсөн", from_=Status.IN_PROGRESS
        )
    )
    assert supervisor.sync_until_clean().ok
    # The operator, offline, still sees "in progress" and puts the case on hold.
    local = operator.submit(
        ChangeStatus(args.case_id, Status.WAITING, "иргэнээс баримт", from_=Status.IN_PROGRESS)
    )
    assert local.queued
    assert operator.sync_until_clean().ok
    converge(shared_central, operator, supervisor)
    assert server_case(shared_central, args.case_id)["status"] == "resolved"
    assert inbox_of(operator) == [("conflict", "ILLEGAL_TRANSITION")]
    case = operator.store.case(args.case_id)
    assert case is not None and case.status is Status.RESOLVED


# --- resets --------------------------------------------------------------------------------


def test_an_expired_cursor_resets_and_loses_nothing(central: Central, desks: Desks) -> None:
    operator = desks.new(central.url, OPERATOR)
    supervisor = desks.new(central.url, SUPERVISOR)
    args = new_case()
    operator.submit(args)
    assert operator.sync_until_clean().ok
    assert supervisor.engine.run_once().ok
    old_cursor = operator.store.sync_state().cursor
    for _ in range(3):
        supervisor.submit(new_note(args.case_id, "Ахлахын тэмдэглэл"))
    assert supervisor.sync_until_clean().ok
    horizon = prune(central.db.engine, 0, now=datetime.now(UTC) + timedelta(seconds=1))
    assert horizon > 0
    operator.submit(new_note(args.case_id))  # work made while the cursor aged

    report = operator.engine.run_once()
    assert report.ok, report.problem
    assert report.resets == ("cursor_expired",)
    [copy] = report.recovery_copies
    with sqlite3.connect(copy) as conn:  # the cache as it was, kept aside
        saved = dict(conn.execute("SELECT key, value FROM sync_state"))
        assert saved["cursor"] == old_cursor
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert operator.store.sync_state().cursor != old_cursor
    assert len(operator.store.notes(args.case_id)) == 4
    converge(central, operator, supervisor)


@pytest.fixture
def restore(central: Central, request: pytest.FixtureRequest) -> Iterator[Callable[[bool], None]]:
    """`restore(bump)`: back up the central database now; calling the returned function
    again later stops the service and restarts it on the backup (bumping the epoch or not)."""
    db = central.db
    if db.backend == "sqlite":
        target = db.url.replace(".db", "-backup.db")
    else:
        url = make_url(db.url)
        target = url.set(database=f"{url.database}_bak").render_as_string(hide_password=False)
    taken: list[bool] = []

    def step(bump: bool) -> None:
        if not taken:
            central.stop()
            admin = request.getfixturevalue("pg_admin") if db.backend == "postgresql" else None
            copy_database(db, target, admin)
            central.start()
            taken.append(True)
            return
        central.stop()
        if bump:
            engine = create_database_engine(target)
            with write_transaction(engine) as conn:
                meta.bump_epoch(conn)
            engine.dispose()
        restored = replace(db, url=target, settings=db.settings_with(database_url=target))
        restored.engine = create_database_engine(target, pool_size=2)
        central.db = restored
        central.start(restored.settings)

    yield step
    central.stop()
    central.db.engine.dispose()
    if db.backend == "postgresql":
        name = make_url(target).database
        request.getfixturevalue("pg_admin").execute(
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        )


def _notes_on_server(service: Central, case_id: str) -> list[str]:
    with service.db.engine.connect() as conn:
        return sorted(conn.execute(select(notes.c.id).where(notes.c.case_id == case_id)).scalars())


def test_a_restore_without_an_epoch_bump_gets_back_the_work_it_lost(
    central: Central, desks: Desks, restore: Callable[[bool], None]
) -> None:
    operator = desks.new(central.url, OPERATOR)
    args = new_case()
    operator.submit(args)
    assert operator.sync_until_clean().ok
    restore(False)  # the backup: mutation 1 only
    lost = [new_note(args.case_id, f"Алдагдах тэмдэглэл {i}") for i in range(2)]
    for note in lost:
        operator.submit(note)
    assert operator.sync_until_clean().ok
    assert operator.store.pending_count() == 0  # 2 and 3 acknowledged and archived
    late = new_note(args.case_id, "Сэргээсний дараах тэмдэглэл")
    operator.submit(late)  # 4, pending
    restore(False)  # the server is back on the backup: it forgot 2 and 3

    report = operator.engine.run_once()
    assert report.ok, report.problem
    assert report.gaps >= 1  # 409 MUTATION_GAP {expected_next_id: 2}
    assert report.resent_archived == 2
    assert report.resets == ("cursor_from_future",)
    expected = sorted(n.note_id for n in [*lost, late])
    assert _notes_on_server(central, args.case_id) == expected
    converge(central, operator)


def test_a_restore_with_an_epoch_bump_resets_and_re_sends_the_archive(
    central: Central, desks: Desks, restore: Callable[[bool], None]
) -> None:
    operator = desks.new(central.url, OPERATOR)
    supervisor = desks.new(central.url, SUPERVISOR)
    args = new_case()
    operator.submit(args)
    assert operator.sync_until_clean().ok
    assert supervisor.engine.run_once().ok
    restore(True)
    lost = [new_note(args.case_id, f"Алдагдах тэмдэглэл {i}") for i in range(3)]
    for note in lost:
        operator.submit(note)
    assert operator.sync_until_clean().ok
    restore(True)  # back on the backup, epoch bumped; nothing is pending on the desk

    report = operator.engine.run_once()
    assert report.ok, report.problem
    assert report.resets == ("epoch_changed",)
    assert report.gaps == 0  # nothing pending: the from-scratch pull showed the loss
    assert report.resent_archived == 3
    assert _notes_on_server(central, args.case_id) == sorted(n.note_id for n in lost)
    supervisor_report = supervisor.engine.run_once()
    assert supervisor_report.resets == ("epoch_changed",)
    converge(central, operator, supervisor)


# --- scope ---------------------------------------------------------------------------------


def test_a_case_that_leaves_the_scope_with_pending_work_keeps_it_until_answered(
    shared_central: Central, desks: Desks
) -> None:
    operator = desks.new(shared_central.url, OPERATOR)
    supervisor = desks.new(shared_central.url, SUPERVISOR)
    args = new_case()
    operator.submit(args)
    assert operator.sync_until_clean().ok
    assert supervisor.engine.run_once().ok
    note = new_note(args.case_id, "Оператор офлайн бичсэн")
    operator.submit(note)  # offline
    supervisor.submit(
        ReassignCase(args.case_id, "op-demo", "op-t1111-b-0", "ачаалал", new_team="t1111-b")
    )
    assert supervisor.sync_until_clean().ok

    report = operator.engine.run_once()
    assert report.ok, report.problem
    assert operator.store.case(args.case_id) is None  # gone once its note was answered
    assert operator.store.pending_count() == 0
    assert inbox_of(operator) == []  # the note was accepted: the author lost the case later
    assert _notes_on_server(shared_central, args.case_id) == [note.note_id]
    converge(shared_central, operator, supervisor)
    case = supervisor.store.case(args.case_id)
    assert case is not None and case.assignee == "op-t1111-b-0"
    assert [n.id for n in supervisor.store.notes(args.case_id)] == [note.note_id]


# --- poison and re-used ids ----------------------------------------------------------------

POISON = "☠ хортой мутаци"


def test_a_poison_mutation_is_retired_and_the_queue_moves_on(
    shared_central: Central, desks: Desks, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = central.push_decision.apply_mutation

    def apply(args: Any, *rest: Any) -> Any:
        if getattr(args, "subject", "") == POISON:
            raise RuntimeError("a bug in the mutator")
        return real(args, *rest)

    monkeypatch.setattr(central.push_decision, "apply_mutation", apply)
    operator = desks.new(shared_central.url, OPERATOR)
    fine = new_case()
    bad = new_case(subject=POISON)
    operator.submit(fine)
    operator.submit(bad)
    after = new_note(fine.case_id)
    operator.submit(after)

    report = operator.engine.run_once()
    assert report.problem is not None and report.problem.code == "server_busy"
    assert report.retry_in_s is not None and report.retry_in_s >= 2  # Retry-After honoured
    assert operator.engine.status.state is SyncState.ONLINE
    for _ in range(10):  # the server retires it on its fifth crash
        report = operator.engine.run_once()
        if report.ok:
            break
    assert report.ok, report.problem
    assert inbox_of(operator) == [("rejected", "SERVER_ERROR")]
    assert operator.store.case(bad.case_id) is None
    assert [n.id for n in operator.store.notes(fine.case_id)] == [after.note_id]
    with shared_central.db.engine.connect() as conn:
        retired = conn.execute(
            select(audit_log.c.details).where(
                audit_log.c.client_id == operator.engine.client_id,
                audit_log.c.code == "SERVER_ERROR",
            )
        ).scalar_one()
    assert json.loads(retired)["args"]["subject"] == POISON  # kept for replay once fixed
    monkeypatch.undo()
    converge(shared_central, operator)


def test_a_create_re_sent_with_another_payload_is_refused_and_an_identical_one_is_not(
    shared_central: Central, desks: Desks
) -> None:
    first = desks.new(shared_central.url, OPERATOR)
    second = desks.new(shared_central.url, OPERATOR)  # the same operator's other desk
    changed = new_case(provisional_ref="ТЕСТ-1")
    same = new_case(provisional_ref="ТЕСТ-2")
    for args in (changed, same):
        first.submit(args)
    assert first.sync_until_clean().ok
    # The other desk never pulled them, and sends creates with the same ids.
    assert second.submit(replace(changed, subject="Өөр гарчиг")).queued
    assert second.submit(same).queued
    report = second.engine.run_once()
    assert report.ok, report.problem
    assert [(r.status, r.code) for r in report.results] == [("rejected", "ID_REUSED")]
    assert inbox_of(second) == [("rejected", "ID_REUSED")]
    assert server_case(shared_central, changed.case_id)["id"] == changed.case_id
    case = second.store.case(changed.case_id)
    assert case is not None and case.subject == changed.subject  # the server's version
    converge(shared_central, first, second)


def test_a_changed_scope_resets_and_the_pending_work_still_arrives(
    shared_central: Central, desks: Desks
) -> None:
    admin = CentralClient(shared_central.url, use_system_proxy=False)
    grant = admin.post(
        "/auth/login",
        {"username": "demo-admin", "password": PASSWORD, "device_name": "test"},
        authenticated=False,
    )
    admin.set_access_token(grant["access_token"])
    username = f"moving-{new_id()[:8]}"
    account = admin.post(
        "/admin/operators",
        {
            "username": username,
            "role": "operator",
            "password": PASSWORD,
            "centres": ["c1111"],
            "teams": ["t1111-a"],
        },
    )
    operator = desks.new(shared_central.url, username)
    assert operator.engine.run_once().ok
    args = new_case()
    operator.submit(args)  # pending while the admin moves the operator
    admin.request("PATCH", f"/admin/operators/{account['id']}", payload={"teams": ["t1111-b"]})
    admin.close()

    report = operator.engine.run_once()  # pushes first, then hears of the reset
    assert report.ok, report.problem
    assert report.resets == ("scope_changed",)
    assert operator.store.pending_count() == 0
    case = operator.store.case(args.case_id)
    assert case is not None and case.number is not None  # still theirs: they created it
    assert list((operator.data_dir / "recovery").glob("before-reset-*-scope_changed.db"))
    converge(shared_central, operator)
