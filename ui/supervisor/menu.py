"""The Supervisor menu of the main window: reassign the queue's selection (or the case on show),
extend a deadline, open the workload board or the deadline watch, a team's auto-assignment.

F-keys with Shift, as the case actions use F-keys: Ctrl+letter shortcuts fail under some
Cyrillic keyboard layouts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QMenu, QWidget

from ui.retranslate import Retranslatable
from ui.supervisor.desk import SupervisorDesk
from ui.supervisor.reassign import ReassignDialog

REASSIGN_KEYS = ("Shift+F9",)
EXTEND_KEYS = ("Shift+F8",)
WORKLOAD_KEYS = ("Shift+F5",)


class SupervisorMenu(Retranslatable, QMenu):
    """The Supervisor menu: reassign the selected cases, extend a deadline, the pages, teams."""

    def __init__(
        self,
        desk: SupervisorDesk,
        selected_rids: Callable[[], list[int]],
        current_case: Callable[[], str],
        show_page: Callable[[str], None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SupervisorMenu")
        self._desk = desk
        self._selected_rids = selected_rids
        self._current_case = current_case
        self.reassign_action = self._action(parent, REASSIGN_KEYS, self.reassign_selection)
        self.extend_action = self._action(
            parent, EXTEND_KEYS, lambda: desk.extend_deadline(current_case())
        )
        self.workload_action = self._action(parent, WORKLOAD_KEYS, lambda: show_page("workload"))
        self.deadlines_action = self._action(parent, (), lambda: show_page("deadlines"))
        self.team_action = self._action(parent, (), desk.team_settings)
        self.team_action.setVisible(desk.connected)
        self.addActions([self.reassign_action, self.extend_action])
        self.addSeparator()
        self.addActions([self.workload_action, self.deadlines_action, self.team_action])
        self.retranslate_ui()

    def _action(self, window: QWidget, keys: Sequence[str], slot: Callable[[], object]) -> QAction:
        action = QAction(self)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            window.addAction(action)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def reassign_selection(self) -> ReassignDialog | None:
        """The queue's selected rows, else the case on show."""
        rids = self._selected_rids()
        if rids:
            return self._desk.reassign(rids=rids)
        case_id = self._current_case()
        return self._desk.reassign(case_ids=[case_id]) if case_id else None

    def retranslate_ui(self) -> None:
        self.setTitle(self.tr("&Supervisor"))
        self.reassign_action.setText(self.tr("&Reassign the selected cases… (Shift+F9)"))
        self.extend_action.setText(self.tr("&Extend the deadline… (Shift+F8)"))
        self.workload_action.setText(self.tr("&Workload board (Shift+F5)"))
        self.deadlines_action.setText(self.tr("&Deadline watch"))
        self.team_action.setText(self.tr("&Team auto-assignment…"))


def selected_rids(view: QAbstractItemView, rid_at: Callable[[int], int | None]) -> list[int]:
    """The queue rows selected in a view, as rids (rows not fetched yet count too)."""
    rows = sorted({index.row() for index in view.selectionModel().selectedRows()})
    return [rid for row in rows if (rid := rid_at(row)) is not None]
