"""The deadline watch: overdue and due-soon cases per centre, team, operator or agency, and the
cases of the chosen group, from which a deadline can be extended."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from i18n import formatting
from operator_app.store import QueueRow
from ui import labels
from ui.directory_names import DirectoryNames
from ui.retranslate import Retranslatable
from ui.supervisor.board import ID_ROLE, SORT_ROLE, SortedItem, _number, _table
from ui.supervisor.workload import Grouping, WorkloadSnapshot


class DeadlineWatch(Retranslatable, QWidget):
    """Groups with late or nearly late cases; their cases; open one or extend its deadline."""

    case_activated = Signal(str)
    extend_requested = Signal(str)  # case id
    cases_wanted = Signal(str, str)  # grouping, group key: the owner reads them, set_cases()
    cases_shown = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DeadlineWatch")
        self._snapshot: WorkloadSnapshot | None = None
        self._shown: tuple[str, str] | None = None  # the group whose cases are listed
        self._rows: list[QueueRow] = []
        self._names = DirectoryNames()
        self.grouping_label, self.grouping = QLabel(self), QComboBox(self)
        self.grouping.setObjectName("WatchGrouping")
        for grouping in Grouping:
            self.grouping.addItem("", grouping.value)
        self.grouping_label.setBuddy(self.grouping)
        self.groups_label = QLabel(self)
        self.groups = _table(self, "WatchGroups", 3)
        self.groups.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.groups_label.setBuddy(self.groups)
        self.cases_label = QLabel(self)
        self.cases = _table(self, "WatchCases", 5)
        self.cases.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.cases_label.setBuddy(self.cases)
        self.open_button = QPushButton(self)
        self.open_button.setObjectName("WatchOpenCase")
        self.extend_button = QPushButton(self)
        self.extend_button.setObjectName("WatchExtend")
        self.open_button.clicked.connect(self._open_current)
        self.extend_button.clicked.connect(self._extend_current)
        self.cases.activated.connect(lambda _i: self._open_current())
        self.grouping.currentIndexChanged.connect(lambda _i: self._fill_groups())
        self.groups.itemSelectionChanged.connect(self._want_cases)

        form = QFormLayout()
        form.addRow(self.grouping_label, self.grouping)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.extend_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.groups_label)
        layout.addWidget(self.groups, 1)
        layout.addWidget(self.cases_label)
        layout.addWidget(self.cases, 2)
        layout.addLayout(buttons)
        self.groups.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # most overdue first
        self.cases.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # soonest deadline first
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.grouping_label.setText(self.tr("&Group by:"))
        titles = {
            Grouping.CENTRE: self.tr("Centre"),
            Grouping.TEAM: self.tr("Team"),
            Grouping.OPERATOR: self.tr("Operator"),
            Grouping.AGENCY: self.tr("Agency (transferred cases)"),
        }
        for i, grouping in enumerate(Grouping):
            self.grouping.setItemText(i, titles[grouping])
        self.groups_label.setText(self.tr("Groups with &late or nearly late cases:"))
        self.cases_label.setText(self.tr("&Cases of the chosen group:"))
        self.groups.setAccessibleName(self.tr("Overdue and due soon per group"))
        self.cases.setAccessibleName(self.tr("Overdue and due-soon cases"))
        self.groups.setHorizontalHeaderLabels(
            [self.tr("Group"), self.tr("Overdue"), self.tr("Due soon")]
        )
        self.cases.setHorizontalHeaderLabels(
            [
                self.tr("Subject"),
                self.tr("Case"),
                self.tr("Assignee"),
                self.tr("Due"),
                self.tr("State"),
            ]
        )
        self.open_button.setText(self.tr("&Open the case"))
        self.extend_button.setText(self.tr("E&xtend the deadline…"))
        self._fill_groups()

    def current_grouping(self) -> Grouping:
        return Grouping(self.grouping.currentData())

    def set_grouping(self, grouping: Grouping) -> None:
        self.grouping.setCurrentIndex(self.grouping.findData(grouping.value))

    def set_snapshot(self, snapshot: WorkloadSnapshot, names: DirectoryNames) -> None:
        self._snapshot = snapshot
        self._names = names
        self._fill_groups()

    def group_name(self, grouping: Grouping, key: str) -> str:
        match grouping:
            case Grouping.CENTRE:
                return self._names.centre(key)
            case Grouping.TEAM:
                return self._names.team(key) if key else self.tr("No team")
            case Grouping.OPERATOR:
                return self._names.operator(key) if key else self.tr("Unassigned")
            case Grouping.AGENCY:
                return labels.agency_name(key)
        return key

    def counts(self, grouping: Grouping, key: str) -> tuple[int, int] | None:
        """Overdue and due soon in one group, as shown (None: no such group)."""
        if self._snapshot is None:
            return None
        watch = self._snapshot.watch.get(grouping, {}).get(key)
        return None if watch is None else (watch.overdue, watch.due_soon)

    @Slot()
    def _fill_groups(self) -> None:
        if self._snapshot is None:
            return
        grouping = self.current_grouping()
        kept = self._selected_key()
        groups = self._snapshot.watch.get(grouping, {})
        self.groups.setSortingEnabled(False)
        self.groups.setRowCount(len(groups))
        ordered = sorted(groups.items(), key=lambda kv: (-kv[1].overdue, -kv[1].due_soon, kv[0]))
        for r, (key, watch) in enumerate(ordered):
            item = QTableWidgetItem(self.group_name(grouping, key))
            item.setData(ID_ROLE, key)
            self.groups.setItem(r, 0, item)
            self.groups.setItem(r, 1, _number(watch.overdue))
            self.groups.setItem(r, 2, _number(watch.due_soon))
        self.groups.setSortingEnabled(True)
        row = next(
            (
                r
                for r in range(self.groups.rowCount())
                if self.groups.item(r, 0).data(ID_ROLE) == kept
            ),
            0 if self.groups.rowCount() else None,
        )
        blocked = self.groups.blockSignals(True)
        if row is not None:
            self.groups.selectRow(row)
        self.groups.blockSignals(blocked)
        self._want_cases()

    def _selected_key(self) -> str | None:
        rows = self.groups.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.groups.item(rows[0].row(), 0)
        return str(item.data(ID_ROLE)) if item else None

    def shown_cases(self) -> list[QueueRow]:
        return list(self._rows)

    @property
    def shown_group(self) -> tuple[Grouping, str] | None:
        """The group whose cases are listed (None before the first list arrives)."""
        return self._shown

    @Slot()
    def _want_cases(self) -> None:
        key = self._selected_key()
        if key is None:
            self.set_cases(self.current_grouping(), "", [])
            return
        self.cases_wanted.emit(self.current_grouping().value, key)

    def wanted(self) -> tuple[Grouping, str] | None:
        """The group whose cases should be listed now."""
        key = self._selected_key()
        return None if key is None else (self.current_grouping(), key)

    def set_cases(self, grouping: Grouping, key: str, rows: list[QueueRow]) -> None:
        """The cases of one group, read by the owner; ignored if another group is chosen."""
        if key and self.wanted() != (grouping, key):
            return
        self._shown = (grouping, key)
        self._rows = list(rows)
        self._fill_cases()
        self.cases_shown.emit()

    def _fill_cases(self) -> None:
        rows = self._rows
        self.cases.setSortingEnabled(False)
        self.cases.setRowCount(len(rows))
        for r, row in enumerate(rows):
            texts = [
                row.subject,
                row.display_number,
                self._names.operator(row.assignee) or self.tr("Unassigned"),
                formatting.format_date(row.due_date, format="short") if row.due_date else "",
                labels.deadline_label(row.deadline),
            ]
            for c, text in enumerate(texts):
                item = SortedItem(text)
                item.setData(ID_ROLE, row.id)
                if c == 3:
                    item.setData(SORT_ROLE, (row.due_date or date.max).isoformat())
                self.cases.setItem(r, c, item)
        self.cases.setSortingEnabled(True)
        has = bool(rows)
        self.open_button.setEnabled(has)
        self.extend_button.setEnabled(has)
        if has and not self.cases.selectionModel().selectedRows():
            self.cases.selectRow(0)

    def current_case_id(self) -> str | None:
        rows = self.cases.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.cases.item(rows[0].row(), 0)
        return str(item.data(ID_ROLE)) if item else None

    @Slot()
    def _open_current(self) -> None:
        if case_id := self.current_case_id():
            self.case_activated.emit(case_id)

    @Slot()
    def _extend_current(self) -> None:
        if case_id := self.current_case_id():
            self.extend_requested.emit(case_id)
