"""The left-hand list of queues: My cases, Team queue, Centre queue, Search, Conflicts."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from operator_app.domain.model import Actor, Role
from operator_app.store import CaseSyncState, QueueFilter
from ui.retranslate import Retranslatable


class NavTarget(StrEnum):
    MY_CASES = "my_cases"
    TEAM = "team"
    CENTRE = "centre"
    SEARCH = "search"
    INBOX = "inbox"
    WORKLOAD = "workload"  # the supervisor's workload board (ui/supervisor)
    DEADLINES = "deadlines"  # the supervisor's deadline watch


SUPERVISOR_PAGES = frozenset({NavTarget.WORKLOAD, NavTarget.DEADLINES})


def targets_for(actor: Actor) -> tuple[NavTarget, ...]:
    """The queues a role sees: the centre's whole queue, the workload board and the deadline
    watch are for supervisors."""
    targets = [NavTarget.MY_CASES, NavTarget.TEAM]
    if actor.role is Role.SUPERVISOR:
        targets.append(NavTarget.CENTRE)
    targets += [NavTarget.SEARCH, NavTarget.INBOX]
    if actor.role is Role.SUPERVISOR:
        targets += [NavTarget.WORKLOAD, NavTarget.DEADLINES]
    return tuple(targets)


def base_filter(target: NavTarget, actor: Actor) -> QueueFilter:
    """The cases a queue holds, before the filter bar narrows them."""
    match target:
        case NavTarget.MY_CASES:
            return QueueFilter(assignees=frozenset({actor.id}))
        case NavTarget.TEAM:
            if actor.teams:
                return QueueFilter(teams=frozenset(actor.teams))
            return QueueFilter(centres=frozenset(actor.centres))
        case NavTarget.CENTRE | NavTarget.WORKLOAD | NavTarget.DEADLINES:
            return QueueFilter(centres=frozenset(actor.centres))
        case NavTarget.INBOX:
            return QueueFilter(sync=frozenset({CaseSyncState.REJECTED, CaseSyncState.CONFLICT}))
    return QueueFilter()


class NavigationList(Retranslatable, QListWidget):
    """Choosing an entry chooses the queue; `chosen` says which."""

    chosen = Signal(str)  # a NavTarget value

    def __init__(self, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Navigation")
        self._targets = targets_for(actor)
        for target in self._targets:
            item = QListWidgetItem(self)
            item.setData(Qt.ItemDataRole.UserRole, target.value)
        self.setCurrentRow(0)
        self.currentItemChanged.connect(self._on_current)
        self.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustToContents)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setAccessibleName(self.tr("Queues"))
        titles = {
            NavTarget.MY_CASES: self.tr("My cases"),
            NavTarget.TEAM: self.tr("Team queue"),
            NavTarget.CENTRE: self.tr("Centre queue"),
            NavTarget.SEARCH: self.tr("Search"),
            NavTarget.INBOX: self.tr("Conflicts and rejections"),
            NavTarget.WORKLOAD: self.tr("Workload board"),
            NavTarget.DEADLINES: self.tr("Deadline watch"),
        }
        for row, target in enumerate(self._targets):
            self.item(row).setText(titles[target])
        # Wide enough for the longest name in the current language.
        self.setMinimumWidth(self.sizeHintForColumn(0) + 2 * self.frameWidth() + 16)

    def current_target(self) -> NavTarget:
        item = self.currentItem()
        return NavTarget(item.data(Qt.ItemDataRole.UserRole)) if item else self._targets[0]

    def targets(self) -> tuple[NavTarget, ...]:
        return self._targets

    def choose(self, target: NavTarget) -> None:
        if target in self._targets:
            self.setCurrentRow(self._targets.index(target))

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_current(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self.chosen.emit(str(current.data(Qt.ItemDataRole.UserRole)))
