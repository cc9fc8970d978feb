"""Bulk reassignment from the centre queue: a few hundred selected rows, each case its own
mutation with its own result, synced to a real central service over HTTP; one case was
reassigned by another supervisor first and comes back as a conflict."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from operator_app.domain.model import Actor
from operator_app.domain.mutations import ReassignCase
from operator_app.domain.mutators import Code
from operator_app.store import QueueFilter, Store
from tests.sync.harness import Central, Desks
from tests.ui.a11y import assert_accessible
from tests.ui.desk import WAIT_MS, press, type_text
from tests.ui.supervisor_central import desk_context, running_central
from ui.bridge import TaskRunner
from ui.context import DeskContext
from ui.language import LanguageSwitcher
from ui.main_window import MainWindow
from ui.navigation import NavTarget
from ui.settings import Settings
from ui.supervisor.batch import Stage, Target, save_reassignment
from ui.supervisor.reassign import ReassignDialog

SEEDED_CASES = 900
SELECTED = 260
NEW_HOLDER = "op-t1111-b-0"
SYNC_MS = 60_000


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Central]:
    with running_central(tmp_path_factory.mktemp("central"), SEEDED_CASES) as service:
        yield service


def test_a_few_hundred_selected_cases_each_get_their_own_result(
    qtbot: QtBot,
    central: Central,
    desks: Desks,
    runner: TaskRunner,
    settings: Settings,
    languages: LanguageSwitcher,
) -> None:
    languages.switch("en")
    mine = desks.new(central.url, "demo-supervisor")
    other = desks.new(central.url, "sup-t1111-a")  # supervises the 11-11 centre too
    assert mine.sync_until_clean().ok and other.sync_until_clean().ok

    window = MainWindow(settings, languages, context=desk_context(mine, runner, settings))
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    window.navigation.choose(NavTarget.CENTRE)
    queue = window.queue
    with qtbot.waitSignal(queue.model.snapshot_applied, timeout=WAIT_MS):
        queue.set_base_filter(QueueFilter(centres=frozenset({"c1111"})))
    assert queue.model.rowCount() >= SELECTED
    rows = mine.store.rows(list(queue.model.rids()[:SELECTED]))
    movable = [r for r in rows if r.assignee != NEW_HOLDER]
    # Another supervisor gets to one of them first, on the server.
    victim = movable[len(movable) // 2]
    first_holder = "op-t1111-a-1" if victim.assignee != "op-t1111-a-1" else "op-t1111-a-2"
    other.submit(ReassignCase(victim.id, victim.assignee, first_holder, "urgent"))
    assert other.sync_until_clean().ok

    view = queue.view
    model = queue.model
    selection = QItemSelection(model.index(0, 0), model.index(SELECTED - 1, 0))
    view.selectionModel().select(
        selection,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    view.setFocus()
    assert window.supervisor is not None
    with qtbot.waitSignal(window.supervisor.dialog_opened, timeout=WAIT_MS) as opened:
        qtbot.keyClick(view, Qt.Key.Key_F9, Qt.KeyboardModifier.ShiftModifier)
    dialog = opened.args[0]
    assert isinstance(dialog, ReassignDialog)
    assert dialog.count == SELECTED
    qtbot.waitUntil(lambda: dialog.target.count() > 0, timeout=WAIT_MS)
    assert_accessible(dialog)

    # Keyboard only: type the operator's name, Tab to the reason, Ctrl+Enter.
    name = next(o.display_name for o in mine.store.directory().operators if o.id == NEW_HOLDER)
    dialog.target.setFocus()
    type_text(name)
    press(Qt.Key.Key_Tab)
    assert dialog.reason.hasFocus()
    type_text("Rebalancing the morning queue")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    outcomes = saved.args[0]
    assert len(outcomes) == SELECTED
    by_case = {o.case_id: o for o in outcomes}
    assert {o.stage for o in outcomes} <= {Stage.QUEUED, Stage.UNCHANGED}
    assert sum(o.stage is Stage.QUEUED for o in outcomes) == len(movable)
    assert by_case[victim.id].stage is Stage.QUEUED  # this desk has not heard of it yet
    assert mine.store.pending_count() == len(movable)
    # The queue already shows the new holder (the local view).
    assert {r.assignee for r in mine.store.rows([r.rid for r in movable])} == {NEW_HOLDER}

    assert mine.sync_until_clean().ok
    qtbot.waitUntil(lambda: all(o.final for o in dialog.outcomes()), timeout=SYNC_MS)
    final = {o.case_id: o for o in dialog.outcomes()}
    conflict = final.pop(victim.id)
    assert conflict.stage is Stage.CONFLICT
    assert conflict.code == Code.ASSIGNEE_CHANGED
    assert conflict.details.get("current") == first_holder
    assert {o.stage for o in final.values()} <= {Stage.APPLIED, Stage.UNCHANGED}
    assert sum(o.stage is Stage.APPLIED for o in final.values()) == len(movable) - 1
    row = [o.case_id for o in dialog.outcomes()].index(victim.id)
    text = dialog.results_model.index(row, 1).data()
    assert text.startswith("Conflict:") and "reassigned it first" in text
    assert f"Applied on the server: {len(movable) - 1}" in dialog.status.text()
    assert mine.store.case(victim.id).assignee == first_holder  # the server's order won
    # Among hundreds of results, the one that did not go through is one click away.
    dialog.problems_only.setChecked(True)
    assert dialog.results_model.rowCount() == 1
    assert dialog.results_model.index(0, 0).data(Qt.ItemDataRole.UserRole) == victim.id
    window.close()


def test_a_refusal_here_is_shown_per_case_and_queues_nothing(
    qtbot: QtBot, desk: DeskContext, languages: LanguageSwitcher
) -> None:
    """Offline (no sync at all): the cases of a centre the supervisor does not run are refused
    locally with the reason; the others wait in the outbox."""
    languages.switch("en")
    store: Store = desk.store
    rows = store.rows(store.queue_ids(QueueFilter(open_only=True)))
    ours = [r for r in rows if r.centre == "c1111" and r.assignee != NEW_HOLDER][:5]
    theirs = [r for r in rows if r.centre == "c1800"][:2]
    head = Actor("sup-c1111", desk.actor.role.SUPERVISOR, frozenset({"c1111"}))
    before = store.pending_count()
    context = DeskContext(store, desk.runner, head, desk.settings, clock=desk.clock)
    dialog = ReassignDialog(context, case_ids=[r.id for r in ours + theirs])
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
    qtbot.waitUntil(lambda: dialog.target.count() > 0, timeout=WAIT_MS)
    dialog.reason.setFocus()
    dialog.choose_target("op:" + NEW_HOLDER)
    qtbot.keyClick(dialog.reason, Qt.Key.Key_F12)
    assert dialog.problem.isVisible()  # the reason is required
    dialog.reason.setText("Shift change")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        qtbot.keyClick(dialog.reason, Qt.Key.Key_F12)
    stages = {o.case_id: o.stage for o in dialog.outcomes()}
    assert [stages[r.id] for r in ours] == [Stage.QUEUED] * len(ours)
    assert [stages[r.id] for r in theirs] == [Stage.REFUSED_HERE] * len(theirs)
    assert store.pending_count() == before + len(ours)
    refused_row = len(ours)
    assert (
        "Refused here: Your role does not allow"
        in dialog.results_model.index(refused_row, 1).data()
    )
    assert "Waiting to sync: 5" in dialog.status.text()


def test_a_case_gone_from_the_cache_is_reported(desk: DeskContext) -> None:
    store: Store = desk.store
    rows = store.rows(store.queue_ids(QueueFilter(open_only=True, centres=frozenset({"c1111"}))))
    head = Actor("sup-c1111", desk.actor.role.SUPERVISOR, frozenset({"c1111"}))
    outcomes = save_reassignment(
        store, head, [rows[0].id, "no-such-case"], Target(None, "t1111-b"), "move to team B"
    )
    assert [o.stage for o in outcomes] == [Stage.QUEUED, Stage.MISSING]
    assert store.case(rows[0].id).team == "t1111-b"
    assert store.case(rows[0].id).assignee is None


def test_a_conflict_dismissed_before_the_dialog_reads_it_still_shows_as_a_conflict(
    qtbot: QtBot,
    central: Central,
    desks: Desks,
    runner: TaskRunner,
    settings: Settings,
    languages: LanguageSwitcher,
) -> None:
    """The verdict comes from the store's results, not the open inbox: once the conflict is
    dismissed (in the inbox panel, say) while the dialog is open, the dialog must not take the
    archived mutation for an applied one."""
    languages.switch("en")
    mine = desks.new(central.url, "demo-supervisor")
    other = desks.new(central.url, "sup-t1111-a")
    assert mine.sync_until_clean().ok and other.sync_until_clean().ok
    store = mine.store
    rows = store.rows(store.queue_ids(QueueFilter(open_only=True, centres=frozenset({"c1111"}))))
    victim, bystander = [r for r in rows if r.assignee not in (NEW_HOLDER, None)][-2:]
    first_holder = "op-t1111-a-1" if victim.assignee != "op-t1111-a-1" else "op-t1111-a-2"
    other.submit(ReassignCase(victim.id, victim.assignee, first_holder, "urgent"))
    assert other.sync_until_clean().ok

    dialog = ReassignDialog(
        desk_context(mine, runner, settings), case_ids=[victim.id, bystander.id]
    )
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
    qtbot.waitUntil(lambda: dialog.target.count() > 0, timeout=WAIT_MS)
    dialog.choose_target("op:" + NEW_HOLDER)
    dialog.reason.setText("Rebalancing")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        dialog.try_save()
    mid = {o.case_id: o.mutation_id for o in saved.args[0]}[victim.id]
    assert mid is not None
    # The pull brings the conflict, and someone dismisses it before the dialog looks: both
    # happen here on the GUI thread, so no event of the dialog runs in between.
    assert mine.sync_until_clean().ok
    assert [item.mutation_id for item in store.inbox()] == [mid]
    assert store.dismiss(mid).result()
    assert store.inbox() == []

    qtbot.waitUntil(lambda: all(o.final for o in dialog.outcomes()), timeout=SYNC_MS)
    final = {o.case_id: o for o in dialog.outcomes()}
    assert final[victim.id].stage is Stage.CONFLICT
    assert final[victim.id].code == Code.ASSIGNEE_CHANGED
    assert final[victim.id].details.get("current") == first_holder
    assert final[bystander.id].stage is Stage.APPLIED
    assert "conflicts: 1" in dialog.status.text()
    dialog.close()
