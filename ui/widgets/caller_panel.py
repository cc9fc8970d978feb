"""The caller as the local cache knows them: matching people, and the cases of the one chosen."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from i18n import formatting
from operator_app.domain.identifiers import format_phone
from operator_app.store import CitizenMatch
from ui import labels
from ui.caller_lookup import CallerHistory
from ui.retranslate import Retranslatable

CASE_ID_ROLE = Qt.ItemDataRole.UserRole


class CallerPanel(Retranslatable, QWidget):
    """Lists the callers found and their cases; empty lists take no keyboard focus."""

    caller_chosen = Signal(object)  # CitizenMatch, or None
    case_chosen = Signal(str)  # a case id, or ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CallerPanel")
        self._history = CallerHistory()
        self._state = "idle"  # idle | looking | shown
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.callers = QListWidget(self)
        self.callers.setObjectName("CallerMatches")
        self.cases_label = QLabel(self)
        self.cases = QTreeWidget(self)
        self.cases.setObjectName("CallerCases")
        self.cases.setRootIsDecorated(False)
        self.cases.setUniformRowHeights(True)
        self.cases.setColumnCount(4)
        self.cases.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.cases_label.setBuddy(self.cases)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        # A few callers at most share a number; their cases need the room.
        self.callers.setMaximumHeight(self.fontMetrics().height() * 5 + 12)
        layout.addWidget(self.callers)
        layout.addWidget(self.cases_label)
        layout.addWidget(self.cases, 1)
        self.callers.currentItemChanged.connect(self._on_caller)
        self.cases.currentItemChanged.connect(self._on_case)
        self._update_focus()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.callers.setAccessibleName(self.tr("Callers found"))
        self.cases.setAccessibleName(self.tr("Cases of the caller"))
        self.cases_label.setText(self.tr("Their cases:"))
        self.cases.setHeaderLabels(
            [self.tr("Number"), self.tr("Subject"), self.tr("Status"), self.tr("Received")]
        )
        self._show_heading()
        self._fill_callers(keep=True)

    # -- state ---------------------------------------------------------------------------------

    def set_looking(self) -> None:
        self._state = "looking"
        self._show_heading()

    def clear(self) -> None:
        self._state = "idle"
        self._history = CallerHistory()
        self._fill_callers(keep=False)
        self._show_heading()

    def show_history(self, history: CallerHistory) -> None:
        self._state = "shown"
        self._history = history
        self._fill_callers(keep=False)
        self._show_heading()

    @property
    def history(self) -> CallerHistory:
        return self._history

    def selected_caller(self) -> CitizenMatch | None:
        item = self.callers.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def selected_case_id(self) -> str:
        item = self.cases.currentItem()
        return str(item.data(0, CASE_ID_ROLE)) if item is not None else ""

    def select_case(self, row: int) -> None:
        item = self.cases.topLevelItem(row)
        if item is not None:
            self.cases.setCurrentItem(item)

    # -- showing -------------------------------------------------------------------------------

    def _show_heading(self) -> None:
        found = len(self._history.callers) + len(self._history.from_registry)
        if self._state == "looking":
            text = self.tr("Looking for earlier calls…")
        elif self._state == "idle":
            text = self.tr("Type the phone or registration number: earlier calls show here.")
        elif not found:
            text = self.tr("No earlier calls from this caller in this desk's cache.")
        else:
            text = self.tr("%n caller(s) found:", "", found)
        self.heading.setText(text)

    def _all_callers(self) -> list[tuple[CitizenMatch, bool]]:
        h = self._history
        return [(c, False) for c in h.callers] + [(c, True) for c in h.from_registry]

    def _fill_callers(self, *, keep: bool) -> None:
        row = self.callers.currentRow() if keep else 0
        blocked = self.callers.blockSignals(True)
        self.callers.clear()
        for caller, registry in self._all_callers():
            item = QListWidgetItem(self._describe(caller, registry))
            item.setData(Qt.ItemDataRole.UserRole, caller)
            self.callers.addItem(item)
        self.callers.blockSignals(blocked)
        if self.callers.count():
            self.callers.setCurrentRow(min(max(row, 0), self.callers.count() - 1))
        else:
            self._on_caller(None, None)
        self._update_focus()

    def _describe(self, caller: CitizenMatch, registry: bool) -> str:
        parts = [caller.name or self.tr("(no name)")]
        if caller.reg_no:
            parts.append(caller.reg_no)
        if caller.phone:
            parts.append(format_phone(caller.phone))
        text = " · ".join(parts)
        if registry:
            return self.tr("{caller} (central registry)").format(caller=text)
        return self.tr("{caller} — %n case(s)", "", len(caller.case_rids)).format(caller=text)

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_caller(self, current: QListWidgetItem | None, _previous: object) -> None:
        caller = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        blocked = self.cases.blockSignals(True)
        self.cases.clear()
        if caller is not None:
            for row in self._history.cases_of(caller):
                item = QTreeWidgetItem(
                    [
                        row.display_number,
                        row.subject,
                        labels.status_label(row.status),
                        formatting.format_date(row.registered_at.date(), format="short"),
                    ]
                )
                item.setData(0, CASE_ID_ROLE, row.id)
                self.cases.addTopLevelItem(item)
        self.cases.blockSignals(blocked)
        for column in range(self.cases.columnCount()):
            self.cases.resizeColumnToContents(column)
        self._update_focus()
        self.caller_chosen.emit(caller)
        self.case_chosen.emit("")

    @Slot(QTreeWidgetItem, QTreeWidgetItem)
    def _on_case(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        self.case_chosen.emit(str(current.data(0, CASE_ID_ROLE)) if current is not None else "")

    def _update_focus(self) -> None:
        # Tab skips an empty list: a new caller's form is filled without dead stops.
        for widget, count in (
            (self.callers, self.callers.count()),
            (self.cases, self.cases.topLevelItemCount()),
        ):
            policy = Qt.FocusPolicy.StrongFocus if count else Qt.FocusPolicy.NoFocus
            widget.setFocusPolicy(policy)
