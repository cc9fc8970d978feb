"""The workload board and the deadline watch against a small hand-made cache whose figures are
known, refreshed live by store changes; rebalancing and extending a deadline from them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from operator_app.domain.deadlines import DeadlineState, local_date
from operator_app.domain.model import Actor, Case, CaseType, Channel, Role, Status
from operator_app.domain.mutations import ReassignCase
from operator_app.domain.records import record_to_json
from operator_app.store import QueueFilter, Store
from operator_app.synthetic import demo_directory
from tests.ui.a11y import assert_accessible
from tests.ui.desk import NOW, SUPERVISOR, WAIT_MS, RecordingStore, clock
from ui.bridge import TaskRunner
from ui.context import DeskContext
from ui.sample_store import directory_ops
from ui.settings import Settings
from ui.supervisor.batch import Stage
from ui.supervisor.desk import SupervisorDesk
from ui.supervisor.extend import ExtendDeadlineDialog
from ui.supervisor.reassign import ReassignDialog
from ui.supervisor.watch import DeadlineWatch
from ui.supervisor.workload import UNASSIGNED, Grouping, load_workload, week_end

TODAY = local_date(NOW)  # Monday 2 March 2026
A, B, C = "op-t1111-a-0", "op-t1111-b-0", "op-t1800-a-0"
AGENCY = "ministry_finance"
HEAD = Actor("sup-c1111", Role.SUPERVISOR, frozenset({"c1111"}), frozenset({"t1111-a"}))


def _case(n: int, assignee: str | None, team: str, due: date, **changes: Any) -> dict[str, Any]:
    case = Case(
        id=f"case-{n}",
        centre=changes.pop("centre", "c1111"),
        channel=Channel.PHONE,
        type=CaseType.COMPLAINT,
        category="utilities_and_heating",
        subject=f"Хандалт {n}",
        description="",
        registered_at=NOW - timedelta(days=20),
        created_by="op-demo",
        status=changes.pop("status", Status.IN_PROGRESS),
        number=f"2026-{n:06d}",
        assignee=assignee,
        team=team,
        due_date=due,
        **changes,
    )
    return {"op": "put", "type": "case", "id": case.id, "version": 1, "data": record_to_json(case)}


def _day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


# The seed, and what the board must show for it (today is Monday; Sunday is day +6).
SEED = [
    _case(1, A, "t1111-a", _day(-3)),  # overdue
    _case(2, A, "t1111-a", _day(0)),  # due today (and due soon)
    _case(3, A, "t1111-a", _day(4)),  # due this week, not yet "due soon"
    _case(4, B, "t1111-b", _day(18)),  # open, nothing pressing
    _case(5, B, "t1111-b", _day(-30), status=Status.RESOLVED),  # answered: not counted
    _case(6, None, "t1111-a", _day(-1)),  # unassigned, overdue
    _case(7, B, "t1111-b", _day(-10), status=Status.TRANSFERRED, agency=AGENCY),  # overdue
    _case(8, C, "t1800-a", _day(-5), centre="c1800"),  # another centre: not this board's
]


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "cache.sqlite3", clock=clock, threaded=False)
    page = {
        "cursor": "seed",
        "has_more": False,
        "last_mutation_id": 0,
        "server_time": NOW.isoformat(),
        "ops": [*directory_ops(demo_directory()), *SEED],
        "mutation_results": [],
    }
    store.apply_page(page).result()
    yield store
    store.close()


@pytest.fixture
def desk_page(
    qtbot: QtBot, seeded: Store, runner: TaskRunner, settings: Settings
) -> Iterator[SupervisorDesk]:
    context = DeskContext(seeded, runner, HEAD, settings, clock=clock)
    page = SupervisorDesk(context)
    qtbot.addWidget(page)
    page.resize(900, 600)
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.show_workload()
    yield page
    page.stop()  # as the main window does when it closes: the runner goes next


def test_the_week_ends_on_sunday() -> None:
    assert week_end(TODAY) == date(2026, 3, 8)
    assert week_end(date(2026, 3, 8)) == date(2026, 3, 8)


def test_the_board_shows_the_known_figures(desk_page: SupervisorDesk) -> None:
    board = desk_page.board
    # open, overdue, due today, due this week
    assert board.load_of(board.operators, A) == (3, 1, 1, 2)
    assert board.load_of(board.operators, B) == (2, 1, 0, 0)
    assert board.load_of(board.operators, UNASSIGNED) == (1, 1, 0, 0)
    assert board.load_of(board.operators, C) is None  # another centre's operator
    assert board.load_of(board.teams, "t1111-a") == (4, 2, 1, 2)
    assert board.load_of(board.teams, "t1111-b") == (2, 1, 0, 0)
    assert board.load_of(board.teams, "t1800-a") is None
    # Every case worker of the centre is listed, idle ones with zeros.
    assert board.load_of(board.operators, "op-t1111-a-1") == (0, 0, 0, 0)


def test_the_deadline_watch_groups_late_and_nearly_late_cases(
    qtbot: QtBot, desk_page: SupervisorDesk
) -> None:
    watch = desk_page.watch
    assert watch.counts(Grouping.CENTRE, "c1111") == (3, 1)
    assert watch.counts(Grouping.TEAM, "t1111-a") == (2, 1)
    assert watch.counts(Grouping.TEAM, "t1111-b") == (1, 0)
    assert watch.counts(Grouping.OPERATOR, A) == (1, 1)
    assert watch.counts(Grouping.OPERATOR, UNASSIGNED) == (1, 0)
    assert watch.counts(Grouping.AGENCY, AGENCY) == (1, 0)
    assert watch.counts(Grouping.CENTRE, "c1800") is None
    with qtbot.waitSignal(watch.cases_shown, timeout=WAIT_MS):
        watch.set_grouping(Grouping.AGENCY)
    assert [row.id for row in watch.shown_cases()] == ["case-7"]
    with qtbot.waitSignal(watch.cases_shown, timeout=WAIT_MS):
        watch.set_grouping(Grouping.CENTRE)
    # Soonest deadline first.
    assert [row.id for row in watch.shown_cases()] == ["case-7", "case-1", "case-6", "case-2"]
    with qtbot.waitSignal(watch.cases_shown, timeout=WAIT_MS):
        watch.set_grouping(Grouping.OPERATOR)
    show_group(qtbot, watch, UNASSIGNED)
    assert [row.id for row in watch.shown_cases()] == ["case-6"]


def test_the_board_follows_changes_in_the_cache(
    qtbot: QtBot, desk_page: SupervisorDesk, seeded: Store
) -> None:
    board = desk_page.board
    seeded.submit(ReassignCase("case-3", A, B, "balance"), HEAD).result()
    qtbot.waitUntil(lambda: board.load_of(board.operators, B) == (3, 1, 0, 1), timeout=WAIT_MS)
    assert board.load_of(board.operators, A) == (2, 1, 1, 1)


def test_rebalancing_an_operator_opens_the_reassignment_of_their_open_cases(
    qtbot: QtBot, desk_page: SupervisorDesk
) -> None:
    board = desk_page.board
    row = board.row_of(board.operators, A)
    assert row is not None
    board.operators.setFocus()
    board.operators.selectRow(row)
    with qtbot.waitSignal(desk_page.dialog_opened, timeout=WAIT_MS) as opened:
        qtbot.keyClick(board.operators, Qt.Key.Key_Return)
    dialog = opened.args[0]
    assert isinstance(dialog, ReassignDialog)
    assert dialog.count == 3
    dialog.close()


def test_extending_a_deadline_from_the_watch_needs_the_notice(
    qtbot: QtBot, desk_page: SupervisorDesk, seeded: Store
) -> None:
    watch = desk_page.watch
    desk_page.show_deadlines()  # the figures are loaded already: no new read
    with qtbot.waitSignal(watch.cases_shown, timeout=WAIT_MS):
        watch.set_grouping(Grouping.OPERATOR)
    show_group(qtbot, watch, A)
    assert {r.id for r in watch.shown_cases()} == {"case-1", "case-2"}
    case_id = watch.current_case_id()
    with qtbot.waitSignal(desk_page.dialog_opened, timeout=WAIT_MS) as opened:
        watch.extend_button.click()
    dialog = opened.args[0]
    assert isinstance(dialog, ExtendDeadlineDialog)
    assert_accessible(dialog)
    qtbot.keyClick(dialog.days, Qt.Key.Key_F12)
    assert dialog.isVisible() and dialog.problem.isVisible()  # no notice yet
    dialog.days.setValue(10)
    dialog.notice.setPlainText("Иргэнд утсаар мэдэгдсэн: хариу 10 хоног хойшилно.")
    qtbot.keyClick(dialog.notice, Qt.Key.Key_F12)

    def extended() -> bool:
        case = seeded.case(case_id)
        return case is not None and case.extension_days == 10 and case.extended_by == HEAD.id

    qtbot.waitUntil(extended, timeout=WAIT_MS)


def test_the_figures_match_a_count_of_every_case(desk_store: Store) -> None:
    """On 400 generated cases: the GROUP BY figures equal a plain count over every row."""
    centres = SUPERVISOR.centres
    snapshot = load_workload(desk_store, centres)
    today, sunday = desk_store.today(), week_end(desk_store.today())
    rows = [r for r in desk_store.rows(desk_store.queue_ids(QueueFilter())) if r.centre in centres]
    expected: dict[str, list[int]] = {}
    watch: dict[str, list[int]] = {}
    for r in rows:
        if r.status in (Status.RESOLVED, Status.CLOSED):
            continue
        due = r.due_date
        load = expected.setdefault(r.assignee or UNASSIGNED, [0, 0, 0, 0])
        load[0] += 1
        load[1] += due is not None and due < today
        load[2] += due == today
        load[3] += due is not None and today <= due <= sunday
        late = watch.setdefault(r.team or UNASSIGNED, [0, 0])
        late[0] += r.deadline is DeadlineState.OVERDUE
        late[1] += r.deadline is DeadlineState.DUE_SOON
    got = {
        k: [v.open, v.overdue, v.due_today, v.due_this_week] for k, v in snapshot.operators.items()
    }
    assert got == expected
    assert sum(v[2] for v in got.values()) > 0 and sum(v[3] for v in got.values()) > 0
    by_team = {k: [w.overdue, w.due_soon] for k, w in snapshot.watch[Grouping.TEAM].items()}
    assert by_team == {k: v for k, v in watch.items() if v != [0, 0]}


def test_the_board_and_watch_are_reachable_and_named(desk_page: SupervisorDesk) -> None:
    assert_accessible(desk_page.board)
    assert_accessible(desk_page.watch)


def test_the_gui_thread_runs_no_sql(
    qtbot: QtBot, seeded: Store, runner: TaskRunner, settings: Settings
) -> None:
    recording = RecordingStore(seeded)
    context = DeskContext(recording, runner, HEAD, settings, clock=clock)  # type: ignore[arg-type]
    page = SupervisorDesk(context)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.show_workload()
    with qtbot.waitSignal(page.dialog_opened, timeout=WAIT_MS) as opened:
        page.rebalance([A], [])
    dialog = opened.args[0]
    qtbot.waitUntil(lambda: dialog.target.count() > 0, timeout=WAIT_MS)
    dialog.choose_target("team:t1111-b")
    dialog.reason.setText("Team B takes these")
    with qtbot.waitSignal(dialog.followed, timeout=WAIT_MS):
        dialog.try_save()
    assert [o.stage for o in dialog.outcomes()] == [Stage.QUEUED] * 3
    qtbot.waitUntil(lambda: board_shows(page, "t1111-b", 5), timeout=WAIT_MS)
    assert recording.sql_calls_on(threading.main_thread()) == []
    assert {"submit_many", "rows", "queue_ids"} <= recording.names()
    page.stop()
    assert not dialog.isVisible()


def board_shows(page: SupervisorDesk, team: str, open_cases: int) -> bool:
    load = page.board.load_of(page.board.teams, team)
    return load is not None and load[0] == open_cases


def show_group(qtbot: QtBot, watch: DeadlineWatch, key: str) -> None:
    """Choose a group in the watch's list and wait for its cases."""
    keys = [watch.groups.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(3)]
    watch.groups.selectRow(keys.index(key))
    qtbot.waitUntil(lambda: watch.shown_group == (watch.current_grouping(), key), timeout=WAIT_MS)
