"""Reassigning one case or hundreds: to an operator or to a team's queue, with a reason.

Each case becomes its own `reassign_case` mutation; the batch is saved in one transaction on
the writer thread, and the dialog then lists every case's result and keeps it current as the
sync brings the server's verdicts (applied, or a conflict when another supervisor got there
first). It works offline: the cases wait in the outbox, and the list says so.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from operator_app.domain.model import Role
from operator_app.store import Changes, Directory
from ui.case_actions.base import SAVE_KEYS
from ui.context import DeskContext
from ui.directory_names import DirectoryNames
from ui.retranslate import Retranslatable
from ui.store_events import StoreEvents
from ui.supervisor import batch
from ui.supervisor.batch import CaseOutcome, Stage, Target
from ui.supervisor.outcome_text import outcome_text
from ui.widgets.error_label import ERROR_COLOUR
from ui.widgets.type_ahead import Choice, TypeAheadCombo

log = logging.getLogger(__name__)

FOLLOW_MS = 150  # a burst of pulled pages is read once
OPERATOR_PREFIX = "op:"
TEAM_PREFIX = "team:"
AnyIndex = QModelIndex | QPersistentModelIndex


def target_choices(
    directory: Directory, names: DirectoryNames, centres: frozenset[str]
) -> list[Choice]:
    """Teams of the centres (their unassigned queue), then the people who work cases there."""
    choices = [
        Choice(TEAM_PREFIX + team.id, names.team(team.id), f"{team.name_mn} {team.name_en}")
        for team in sorted(directory.teams, key=lambda t: names.team(t.id))
        if team.centre in centres
    ]
    workers = (Role.OPERATOR.value, Role.SUPERVISOR.value)
    people = [o for o in directory.operators if o.role in workers and set(o.centres) & centres]
    for person in sorted(people, key=lambda o: o.display_name or o.id):
        teams = ", ".join(names.team(t) for t in person.teams)
        label = f"{person.display_name or person.id} ({teams})" if teams else person.display_name
        choices.append(Choice(OPERATOR_PREFIX + person.id, label or person.id, person.id))
    return choices


def target_of(value: str, directory: Directory) -> Target | None:
    if value.startswith(TEAM_PREFIX):
        return Target(None, value[len(TEAM_PREFIX) :])
    if value.startswith(OPERATOR_PREFIX):
        person = directory.operator(value[len(OPERATOR_PREFIX) :])
        if person is None:
            return None
        teams = frozenset(person.teams)
        return Target(person.id, person.teams[0] if person.teams else None, teams)
    return None


PROBLEM_STAGES = frozenset({Stage.REFUSED_HERE, Stage.CONFLICT, Stage.REJECTED, Stage.MISSING})


class OutcomeModel(QAbstractTableModel):
    """The batch's cases: number and result, one row each (or only those that did not go
    through, with `set_problems_only`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._all: list[CaseOutcome] = []
        self._outcomes: list[CaseOutcome] = []  # the rows shown
        self._problems_only = False
        self._names = DirectoryNames()
        self._headers = ("", "")

    def set_headers(self, number: str, result: str) -> None:
        self._headers = (number, result)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 1)
        if self._outcomes:
            self.dataChanged.emit(self.index(0, 1), self.index(len(self._outcomes) - 1, 1))

    def set_names(self, names: DirectoryNames) -> None:
        self._names = names

    def set_problems_only(self, on: bool) -> None:
        self._problems_only = on
        self.set_outcomes(self._all)

    def set_outcomes(self, outcomes: Sequence[CaseOutcome]) -> None:
        self._all = list(outcomes)
        shown = [o for o in self._all if o.stage in PROBLEM_STAGES or not self._problems_only]
        if [o.case_id for o in shown] == [o.case_id for o in self._outcomes] and shown:
            self._outcomes = shown
            self.dataChanged.emit(self.index(0, 0), self.index(len(shown) - 1, 1))
            return
        self.beginResetModel()
        self._outcomes = shown
        self.endResetModel()

    def outcomes(self) -> list[CaseOutcome]:
        """Every case of the batch, shown or not."""
        return list(self._all)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._outcomes)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section] if 0 <= section < 2 else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._outcomes):
            return None
        outcome = self._outcomes[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if index.column() == 0:
                return outcome.number or outcome.case_id[:8]
            return outcome_text(outcome, self._names)
        if role == Qt.ItemDataRole.UserRole:
            return outcome.case_id
        troubled = outcome.stage in PROBLEM_STAGES
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1 and troubled:
            return QColor(ERROR_COLOUR)
        return None


class ReassignDialog(Retranslatable, QDialog):
    """Choose where the cases go and why; then follow each case's result."""

    saved = Signal(object)  # list[CaseOutcome], once the batch is saved here
    followed = Signal(object)  # list[CaseOutcome], after every update from the cache
    case_activated = Signal(str)

    def __init__(
        self,
        context: DeskContext,
        *,
        case_ids: Sequence[str] = (),
        rids: Sequence[int] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ReassignDialog")
        self._context = context
        self._case_ids = list(dict.fromkeys(case_ids))
        self._rids = list(dict.fromkeys(rids))
        self._directory = Directory()
        self._names = DirectoryNames()
        self._saving = False
        self._follow_seq = 0

        self.summary = QLabel(self)
        self.summary.setObjectName("ReassignSummary")
        self.summary.setWordWrap(True)
        self.target_label, self.target = QLabel(self), TypeAheadCombo(self)
        self.target.setObjectName("ReassignTarget")
        self.reason_label, self.reason = QLabel(self), QLineEdit(self)
        self.reason.setObjectName("ReassignReason")
        form = QFormLayout()
        for label, field in ((self.target_label, self.target), (self.reason_label, self.reason)):
            label.setBuddy(field)
            form.addRow(label, field)
        self.problem = QLabel(self)
        self.problem.setObjectName("ReassignProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"QLabel {{ color: {ERROR_COLOUR}; }}")
        self.problem.hide()
        self.progress = QProgressBar(self)
        self.progress.setObjectName("ReassignProgress")
        self.progress.hide()
        self.status = QLabel(self)
        self.status.setObjectName("ReassignStatus")
        self.status.setWordWrap(True)
        self.results_model = OutcomeModel(self)
        self.results = QTableView(self)
        self.results.setObjectName("ReassignResults")
        self.results.setModel(self.results_model)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setTabKeyNavigation(False)
        self.results.verticalHeader().hide()
        self.results.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.results.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.results.setWordWrap(False)
        self.results.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.results.activated.connect(self._open_case)
        self.results.hide()
        self.problems_only = QCheckBox(self)
        self.problems_only.setObjectName("ReassignProblemsOnly")
        self.problems_only.toggled.connect(self.results_model.set_problems_only)
        self.problems_only.hide()
        self.buttons = QDialogButtonBox(self)
        self.reassign_button = QPushButton(self)
        self.reassign_button.setObjectName("ReassignButton")
        self.reassign_button.setDefault(True)
        self.buttons.addButton(self.reassign_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.reassign_button.clicked.connect(self.try_save)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.problems_only)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.buttons)
        for keys in SAVE_KEYS:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.try_save)
        self.setMinimumSize(560, 260)

        self._follow_timer = QTimer(self)
        self._follow_timer.setSingleShot(True)
        self._follow_timer.setInterval(FOLLOW_MS)
        self._follow_timer.timeout.connect(self.refresh_results)
        self._events = StoreEvents(context.store, self)
        self._events.changed.connect(self._on_store_changed)
        self.finished.connect(self._stop_following)
        self.retranslate_ui()
        self._load_directory()
        self.target.setFocus()

    # -- text --------------------------------------------------------------------------------

    @property
    def count(self) -> int:
        return len(self._case_ids) or len(self._rids)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Reassign cases"))
        self.summary.setText(self.tr("Cases to reassign: {count}").format(count=self.count))
        self.target_label.setText(self.tr("Assign &to:"))
        self.target.setAccessibleName(self.tr("Operator or team to assign to"))
        self.target.lineEdit().setPlaceholderText(self.tr("Type a name or a team"))
        self.reason_label.setText(self.tr("&Reason (required):"))
        self.reassign_button.setText(self.tr("Re&assign"))
        self.reassign_button.setToolTip(self.tr("Reassign (Ctrl+Enter, F12)"))
        self.results.setAccessibleName(self.tr("Result of each case"))
        self.progress.setAccessibleName(self.tr("Reassignment progress"))
        self.results_model.set_headers(self.tr("Case"), self.tr("Result"))
        self.problems_only.setText(self.tr("&Show only the cases that did not go through"))
        self._show_counts()

    # -- the directory -------------------------------------------------------------------------

    def _load_directory(self) -> None:
        store = self._context.store
        self._context.runner.run_query(
            store.directory, self._directory_loaded, self._query_failed, receiver=self
        )

    def _directory_loaded(self, directory: Directory) -> None:
        self._directory = directory
        self._names = DirectoryNames(directory)
        self.results_model.set_names(self._names)
        self.target.set_choices(target_choices(directory, self._names, self._context.actor.centres))

    def choose_target(self, value: str) -> None:
        """Pick a target by value ("op:<id>" or "team:<id>"), as the keyboard would."""
        self.target.set_value(value)

    # -- saving --------------------------------------------------------------------------------

    @Slot()
    def try_save(self) -> None:
        if self._saving or self.results_model.outcomes():
            return
        target = target_of(self.target.resolve(), self._directory)
        if target is None:
            self._show_problem(self.tr("Choose an operator or a team from the list."))
            self.target.setFocus()
            return
        reason = self.reason.text().strip()
        if not reason:
            self._show_problem(self.tr("Say why the cases are reassigned."))
            self.reason.setFocus()
            return
        self._show_problem("")
        self._saving = True
        self.reassign_button.setEnabled(False)
        self.target.setEnabled(False)
        self.reason.setEnabled(False)
        self.progress.setRange(0, 0)  # busy until the save is done
        self.progress.show()
        self.status.setText(
            self.tr("Saving {count} reassignments on this computer…").format(count=self.count)
        )
        store, actor = self._context.store, self._context.actor
        case_ids, rids = list(self._case_ids), list(self._rids)

        def save() -> list[CaseOutcome]:
            if case_ids:
                return batch.save_reassignment(store, actor, case_ids, target, reason)
            return batch.save_reassignment_of_rids(store, actor, rids, target, reason)

        self._context.runner.run_write(save, self._saved, self._save_failed, receiver=self)

    def _saved(self, outcomes: list[CaseOutcome]) -> None:
        if not outcomes:
            # The cases selected in the queue all left this desk's cache meanwhile.
            self._saving_ended()
            self._show_problem(
                self.tr("None of these cases is in this desk's cache any more: nothing to do.")
            )
            return
        self._saving = False
        self.results_model.set_outcomes(outcomes)
        self.results.show()
        self.problems_only.show()
        self._show_counts()
        self.saved.emit(outcomes)
        self.close_button.setFocus()
        self.refresh_results()

    def _save_failed(self, exc: BaseException) -> None:
        log.error("Saving a bulk reassignment failed", exc_info=exc)
        self._saving_ended()
        self._show_problem(self.tr("The reassignment could not be saved on this computer."))

    def _saving_ended(self) -> None:
        """Back to the form: nothing was saved."""
        self._saving = False
        self.progress.hide()
        self.status.setText("")
        self.reassign_button.setEnabled(True)
        self.target.setEnabled(True)
        self.reason.setEnabled(True)

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    # -- following the results -----------------------------------------------------------------

    def outcomes(self) -> list[CaseOutcome]:
        return self.results_model.outcomes()

    @Slot(object)
    def _on_store_changed(self, changes: Changes) -> None:
        if self.results_model.outcomes() and (changes.outbox or changes.case_ids):
            self._follow_timer.start()

    @Slot()
    def refresh_results(self) -> None:
        """Read the verdicts the cache has now (reader thread)."""
        outcomes = self.results_model.outcomes()
        if not any(o.stage is Stage.QUEUED for o in outcomes):
            self.followed.emit(outcomes)
            return
        self._follow_seq += 1
        seq, store = self._follow_seq, self._context.store
        self._context.runner.run_query(
            lambda: batch.follow(store, outcomes),
            lambda updated: self._followed(seq, updated),
            self._query_failed,
            receiver=self,
        )

    def _followed(self, seq: int, outcomes: list[CaseOutcome]) -> None:
        if seq != self._follow_seq:
            return
        self.results_model.set_outcomes(outcomes)
        self._show_counts()
        self.followed.emit(outcomes)

    @Slot(int)
    def _stop_following(self, _code: int = 0) -> None:
        """Closed: no more reads (the results stay in the cache: timeline, inbox)."""
        self._follow_timer.stop()
        self._events.close()

    def _query_failed(self, exc: BaseException) -> None:
        log.warning("Reading for the reassignment failed: %s", exc)

    def _show_counts(self) -> None:
        outcomes = self.results_model.outcomes()
        if not outcomes:
            return
        counts = batch.tally(outcomes)
        waiting = counts[Stage.QUEUED]
        queued_total = sum(1 for o in outcomes if o.mutation_id is not None)
        back = queued_total - waiting
        self.progress.setRange(0, max(queued_total, 1))
        self.progress.setValue(back if queued_total else 1)
        self.progress.setFormat(
            self.tr("Results from the central service: {back} of {total}").format(
                back=back, total=queued_total
            )
        )
        self.progress.setVisible(True)
        lines = [
            self.tr(
                "Applied on the server: {applied} · conflicts: {conflicts} · rejected: {rejected}"
            ).format(
                applied=counts[Stage.APPLIED],
                conflicts=counts[Stage.CONFLICT],
                rejected=counts[Stage.REJECTED],
            ),
            self.tr(
                "Waiting to sync: {waiting} · refused here: {refused} · no change: {same}"
            ).format(
                waiting=waiting,
                refused=counts[Stage.REFUSED_HERE] + counts[Stage.MISSING],
                same=counts[Stage.UNCHANGED],
            ),
        ]
        self.status.setText("\n".join(lines))

    @Slot(QModelIndex)
    def _open_case(self, index: QModelIndex) -> None:
        case_id = index.data(Qt.ItemDataRole.UserRole)
        if isinstance(case_id, str) and case_id:
            self.case_activated.emit(case_id)
