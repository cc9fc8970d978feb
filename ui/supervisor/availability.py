"""The operator's own availability, in the status bar: Available, Away or Offline.

The choice goes to the central service on the query pool (auto-assignment gives cases only to
those available); without a connection the control says so and keeps the last known state.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from operator_app.domain.model import Role
from sync.supervisor import CHOOSABLE, Availability, MyAvailability
from ui.context import DeskContext
from ui.retranslate import Retranslatable

log = logging.getLogger(__name__)


def availability_label(value: Availability) -> str:
    match value:
        case Availability.AVAILABLE:
            return QCoreApplication.translate("Availability", "Available")
        case Availability.BUSY:
            return QCoreApplication.translate("Availability", "Busy")
        case Availability.AWAY:
            return QCoreApplication.translate("Availability", "Away")
        case Availability.OFFLINE:
            return QCoreApplication.translate("Availability", "Offline", "availability")
    return str(value)


class AvailabilityControl(Retranslatable, QToolButton):
    """A button showing the current availability; its menu changes it."""

    changed = Signal(str)  # the availability the server confirmed
    failed = Signal()

    def __init__(self, context: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AvailabilityControl")
        self._context = context
        self._current: Availability | None = None
        self._busy = False
        self._problem = False
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setAutoRaise(True)
        self.menu_ = QMenu(self)
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        self._actions: dict[Availability, QAction] = {}
        for value in CHOOSABLE:
            action = QAction(self._group)
            action.setCheckable(True)
            action.setData(value.value)
            action.triggered.connect(self._chosen)
            self.menu_.addAction(action)
            self._actions[value] = action
        self.setMenu(self.menu_)
        self.setEnabled(context.supervisor_api is not None)
        self.retranslate_ui()
        self.refresh()

    @property
    def current(self) -> Availability | None:
        return self._current

    def retranslate_ui(self) -> None:
        for value, action in self._actions.items():
            action.setText(availability_label(value))
        self.setAccessibleName(self.tr("Your availability"))
        if self._context.supervisor_api is None:
            text = self.tr("Availability: not connected")
        elif self._current is None:
            text = self.tr("Availability: unknown")
        else:
            text = self.tr("Availability: {state}").format(state=availability_label(self._current))
        if self._problem:
            text = self.tr("{text} (could not reach the central service)").format(text=text)
        self.setText(text)
        self.setToolTip(self.tr("Whether new cases may be given to you automatically"))

    def refresh(self) -> None:
        """Ask the central service for the current state (query pool)."""
        api = self._context.supervisor_api
        if api is None:
            return
        self._context.runner.run_query(
            api.my_availability, self._known, self._failed, receiver=self
        )

    def choose(self, value: Availability) -> None:
        """Set the availability on the central service (query pool)."""
        api = self._context.supervisor_api
        if api is None or self._busy:
            return
        self._busy = True
        self._context.runner.run_query(
            lambda: api.set_my_availability(value), self._known, self._failed, receiver=self
        )

    @Slot()
    def _chosen(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.choose(Availability(str(action.data())))

    def _known(self, mine: MyAvailability) -> None:
        self._busy = False
        self._problem = False
        self._current = mine.availability
        action = self._actions.get(mine.availability)
        if action is not None:
            action.setChecked(True)
        self.retranslate_ui()
        self.changed.emit(mine.availability.value)

    def _failed(self, exc: BaseException) -> None:
        log.info("Availability not reached: %s", type(exc).__name__)
        self._busy = False
        self._problem = True
        current = self._actions.get(self._current) if self._current else None
        if current is not None:
            current.setChecked(True)
        self.retranslate_ui()
        self.failed.emit()


def availability_control_for(
    context: DeskContext, parent: QWidget | None = None
) -> AvailabilityControl | None:
    """The control for those who take cases (operators and supervisors); None for the rest."""
    if context.actor.role not in (Role.OPERATOR, Role.SUPERVISOR):
        return None
    return AvailabilityControl(context, parent)
