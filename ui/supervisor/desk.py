"""The supervisor's pages beside the queues (workload board, deadline watch) and their actions:
reassign the queue's selection, rebalance from the board, extend a deadline, team settings.

Everything is read on the query pool and saved on the writer thread; the pages reload when the
store announces changes (only while shown: a hidden page is marked stale and reloads when it
is shown again) and poll the central service for availability while shown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from operator_app.domain.model import Case, Role
from operator_app.domain.mutations import MutationArgs
from operator_app.domain.mutators import Rules
from operator_app.domain.permissions import Action, may
from operator_app.store import Changes, LocalResult, QueueRow
from sync.status import SyncState
from sync.supervisor import OperatorAvailability
from ui.case_actions.base import ActionDialog
from ui.context import DeskContext
from ui.directory_names import DirectoryNames
from ui.refusals import refused_text
from ui.retranslate import Retranslatable
from ui.store_events import StoreEvents
from ui.supervisor.board import WorkloadBoard
from ui.supervisor.extend import ExtendDeadlineDialog, extension_limit
from ui.supervisor.reassign import ReassignDialog
from ui.supervisor.team_settings import TeamAssignmentDialog
from ui.supervisor.watch import DeadlineWatch
from ui.supervisor.workload import (
    BoardData,
    Grouping,
    load_board,
    open_cases_of,
    watched_cases,
)
from ui.widgets.error_label import ERROR_COLOUR

log = logging.getLogger(__name__)

OFFLINE_STATES = frozenset({SyncState.OFFLINE, SyncState.UNAUTHENTICATED})
RELOAD_AFTER_CHANGE_MS = 500
AVAILABILITY_POLL_MS = 30_000


def is_supervisor(context: DeskContext) -> bool:
    """Whether the signed-in role gets the supervisor desk (reassign, extend, workload)."""
    return context.actor.role is Role.SUPERVISOR


def fetch_availability(context: DeskContext) -> dict[str, OperatorAvailability]:
    """Every centre's availability list, merged (query pool)."""
    api = context.supervisor_api
    assert api is not None
    people: dict[str, OperatorAvailability] = {}
    for centre in sorted(context.actor.centres):
        for person in api.availability(centre):
            people[person.user_id] = person
    return people


class SupervisorDesk(Retranslatable, QWidget):
    """The workload board and the deadline watch, one shown at a time."""

    case_activated = Signal(str)
    loaded = Signal()  # after every reload of the figures
    availability_loaded = Signal(bool)  # True: live from the central service
    dialog_opened = Signal(object)  # the reassign, extend or team dialog, once shown

    def __init__(self, context: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SupervisorDesk")
        self._context = context
        self._data: BoardData | None = None
        self._names = DirectoryNames()
        self._seq = 0
        self._stale = True
        self._stopped = False
        self.board = WorkloadBoard(self)
        self.board.set_team_settings_available(context.supervisor_api is not None)
        self.watch = DeadlineWatch(self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.board)
        self.pages.addWidget(self.watch)
        self.message = QLabel(self)
        self.message.setObjectName("SupervisorMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"QLabel {{ color: {ERROR_COLOUR}; }}")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)

        self.board.rebalance_requested.connect(self.rebalance)
        self.board.refresh_requested.connect(self.reload)
        self.board.refresh_requested.connect(self.refresh_availability)
        self.board.team_settings_requested.connect(self.team_settings)
        self.watch.case_activated.connect(self.case_activated)
        self.watch.extend_requested.connect(self.extend_deadline)
        self.watch.cases_wanted.connect(self._load_watched)
        self._watched_seq = 0

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_AFTER_CHANGE_MS)
        self._reload_timer.timeout.connect(self.reload)
        self._poll = QTimer(self)
        self._poll.setInterval(AVAILABILITY_POLL_MS)
        self._poll.timeout.connect(self._poll_tick)
        self._events = StoreEvents(context.store, self)
        self._events.changed.connect(self.on_store_changed)
        self.active_dialog: QDialog | None = None
        self._dialogs: list[QDialog] = []
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setAccessibleName(self.tr("Supervisor desk"))

    @property
    def connected(self) -> bool:
        """Whether the central service's supervisor endpoints can be asked at all."""
        return self._context.supervisor_api is not None

    # -- pages ---------------------------------------------------------------------------------

    def show_workload(self) -> None:
        self.pages.setCurrentWidget(self.board)
        self.show()
        self.board.operators.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_deadlines(self) -> None:
        self.pages.setCurrentWidget(self.watch)
        self.show()
        self.watch.grouping.setFocus(Qt.FocusReason.OtherFocusReason)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()
        if self._context.supervisor_api is not None:
            self.refresh_availability()
            self._poll.start()

    def hideEvent(self, event: object) -> None:  # type: ignore[override]
        self._poll.stop()
        super().hideEvent(event)  # type: ignore[arg-type]

    def stop(self) -> None:
        """No more questions to the store or the server (the window is closing)."""
        self._stopped = True
        self._reload_timer.stop()
        self._poll.stop()
        self._events.close()
        for dialog in list(self._dialogs):
            if isinstance(dialog, ActionDialog):
                dialog.close_without_asking()
            else:
                dialog.close()

    # -- loading -------------------------------------------------------------------------------

    @property
    def data(self) -> BoardData | None:
        return self._data

    @Slot(object)
    def on_store_changed(self, changes: Changes) -> None:
        if not (changes.case_ids or changes.rids or changes.reference):
            return
        self._stale = True
        if self.isVisible():
            self._reload_timer.start()

    @Slot()
    def reload(self) -> None:
        """Read the figures again (query pool)."""
        if self._stopped:
            return
        self._stale = False
        self._seq += 1
        seq, store, centres = self._seq, self._context.store, self._context.actor.centres

        def load() -> tuple[BoardData, float]:
            started = time.perf_counter()
            return load_board(store, centres), time.perf_counter() - started

        self._context.runner.run_query(
            load, lambda loaded: self._loaded(seq, *loaded), self._load_failed, receiver=self
        )

    def _loaded(self, seq: int, data: BoardData, seconds: float = 0.0) -> None:
        if seq != self._seq:
            return
        # A big centre under a first sync changes all the time: never spend more than about
        # a third of the time re-reading it.
        self._reload_timer.setInterval(max(RELOAD_AFTER_CHANGE_MS, int(seconds * 3000)))
        self._data = data
        self._names = DirectoryNames(data.directory)
        self.board.set_data(data, self._names, self._context.actor.centres)
        self.watch.set_snapshot(data.snapshot, self._names)
        self.loaded.emit()

    @Slot(str, str)
    def _load_watched(self, grouping_value: str, key: str) -> None:
        """One group's late and nearly late cases for the deadline watch (query pool)."""
        if self._stopped:
            return
        self._watched_seq += 1
        seq, grouping = self._watched_seq, Grouping(grouping_value)
        store, centres = self._context.store, self._context.actor.centres
        self._context.runner.run_query(
            lambda: watched_cases(store, centres, grouping, key),
            lambda rows: self._watched_loaded(seq, grouping, key, rows),
            self._load_failed,
            receiver=self,
        )

    def _watched_loaded(self, seq: int, grouping: Grouping, key: str, rows: list[QueueRow]) -> None:
        if seq == self._watched_seq:
            self.watch.set_cases(grouping, key, rows)

    def _load_failed(self, exc: BaseException) -> None:
        log.warning("Loading the workload failed: %s", exc)

    @Slot()
    def _poll_tick(self) -> None:
        # Polling a service the sync engine cannot reach only adds timeouts; the board keeps
        # the last known states meanwhile (an explicit refresh still asks).
        board = self._context.status_board
        if board is not None and board.current.state in OFFLINE_STATES:
            return
        self.refresh_availability()

    @Slot()
    def refresh_availability(self) -> None:
        if self._context.supervisor_api is None or self._stopped:
            return
        context = self._context
        self._context.runner.run_query(
            lambda: fetch_availability(context),
            self._availability_known,
            self._availability_failed,
            receiver=self,
        )

    def _availability_known(self, people: dict[str, OperatorAvailability]) -> None:
        self.board.set_live_availability(people)
        self.availability_loaded.emit(True)

    def _availability_failed(self, exc: BaseException) -> None:
        log.info("Availability not reached: %s", type(exc).__name__)
        self.board.set_live_availability(None)
        self.availability_loaded.emit(False)

    # -- actions -------------------------------------------------------------------------------

    def reassign(
        self, *, case_ids: Sequence[str] = (), rids: Sequence[int] = ()
    ) -> ReassignDialog | None:
        """Open the reassignment of these cases (non-blocking)."""
        if not (case_ids or rids) or not is_supervisor(self._context):
            return None
        dialog = ReassignDialog(self._context, case_ids=case_ids, rids=rids, parent=self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.case_activated.connect(self.case_activated)
        self._open(dialog)
        return dialog

    @Slot(object, object)
    def rebalance(self, assignees: Sequence[str], teams: Sequence[str]) -> None:
        """Reassign the open cases of some operators or teams (read first, on the query pool)."""
        if self._stopped:
            return
        store, centres = self._context.store, self._context.actor.centres
        self._context.runner.run_query(
            lambda: [row.id for row in open_cases_of(store, centres, assignees, teams)],
            self._rebalance_loaded,
            self._load_failed,
            receiver=self,
        )

    def _rebalance_loaded(self, case_ids: list[str]) -> None:
        if not case_ids:
            self._show_message(self.tr("The selection holds no open cases."))
            return
        self._show_message("")
        self.reassign(case_ids=case_ids)

    @Slot(str)
    def extend_deadline(self, case_id: str) -> None:
        """Open the extension of one case's deadline (the case is read first)."""
        if not case_id or not is_supervisor(self._context) or self._stopped:
            return
        store = self._context.store

        def read() -> tuple[Case | None, Rules]:
            return store.case(case_id), store.rules()

        self._context.runner.run_query(read, self._extend_loaded, self._load_failed, receiver=self)

    def _extend_loaded(self, loaded: tuple[Case | None, Rules]) -> None:
        case, rules = loaded
        if case is None:
            return
        if not may(self._context.actor, Action.EXTEND_DEADLINE, case):
            self._show_message(self.tr("You may not extend this case's deadline."))
            return
        if case.extension_days:
            self._show_message(self.tr("This case's deadline was already extended once."))
            return
        dialog = ExtendDeadlineDialog(case, extension_limit(case, rules), self.window())
        dialog.finished.connect(partial(self._extend_done, dialog))
        self._open(dialog)

    def _extend_done(self, dialog: ExtendDeadlineDialog, code: int) -> None:
        self._forget(dialog)  # before the save: a synchronous runner answers inside it
        mutation = dialog.result_mutation
        if code == QDialog.DialogCode.Accepted and mutation is not None:
            # Kept (hidden) until the save's answer: a refusal shows the notice again.
            self.submit(mutation, dialog=dialog)
        elif not self._stopped:
            # Once stopped, the window's own deletion takes the dialog along: a deferred
            # delete racing it could outlive the parent.
            dialog.deleteLater()

    def submit(self, args: MutationArgs, *, dialog: ActionDialog | None = None) -> None:
        store, actor = self._context.store, self._context.actor
        self._context.runner.run_write(
            lambda: store.submit(args, actor).result(),
            partial(self._submitted, dialog=dialog),
            partial(self._submit_failed, dialog=dialog),
            receiver=self,
        )

    def _submitted(self, result: LocalResult, dialog: ActionDialog | None = None) -> None:
        refused = result.refused
        text = refused_text(refused) if refused is not None else ""
        self._show_message("" if self._give_back(dialog, text) else text)

    def _submit_failed(self, exc: BaseException, dialog: ActionDialog | None = None) -> None:
        log.error("Saving a change failed", exc_info=exc)
        text = self.tr("The change could not be saved on this computer.")
        self._show_message("" if self._give_back(dialog, text) else text)

    def _give_back(self, dialog: ActionDialog | None, problem: str) -> bool:
        """Reopen a refused dialog as typed, with why; delete it once saved."""
        if dialog is None:
            return False
        if self._stopped:
            return False
        if not problem or self.active_dialog is not None:
            dialog.deleteLater()
            return False
        self.active_dialog = dialog
        self._dialogs.append(dialog)
        dialog.reopen(problem)
        return True

    @Slot(str)
    def team_settings(self, team_id: str | None = None) -> TeamAssignmentDialog | None:
        api = self._context.supervisor_api
        if api is None or self._data is None or not is_supervisor(self._context):
            return None
        teams = [
            t.id for t in self._data.directory.teams if t.centre in self._context.actor.centres
        ]
        dialog = TeamAssignmentDialog(
            api, self._context.runner, self._data.directory, teams, team_id, self.window()
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._open(dialog)
        return dialog

    def _open(self, dialog: QDialog) -> None:
        self.active_dialog = dialog
        self._dialogs.append(dialog)
        dialog.finished.connect(lambda _code: self._forget(dialog))
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _forget(self, dialog: QDialog) -> None:
        if dialog.isVisible():
            return  # shown again already (a refused extension is reopened with its notice)
        if dialog in self._dialogs:
            self._dialogs.remove(dialog)
        if self.active_dialog is dialog:
            self.active_dialog = None

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
