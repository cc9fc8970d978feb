"""The workload board: per operator and per team, open cases, overdue, due today, due this week,
and who is at their desk. Selecting rows and pressing Rebalance reassigns their open cases."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from operator_app.domain.model import Role
from sync.supervisor import Availability, OperatorAvailability
from ui.directory_names import DirectoryNames
from ui.retranslate import Retranslatable
from ui.supervisor.availability import availability_label
from ui.supervisor.workload import UNASSIGNED, BoardData, Load

ID_ROLE = Qt.ItemDataRole.UserRole
_WORKERS = (Role.OPERATOR.value, Role.SUPERVISOR.value)


SORT_ROLE = Qt.ItemDataRole.UserRole + 1


class SortedItem(QTableWidgetItem):
    """A cell that sorts by a key of its own (a date, a name) rather than by its text."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if mine is None or theirs is None:
            return super().__lt__(other)
        return bool(mine < theirs)


def _number(value: int) -> QTableWidgetItem:
    item = QTableWidgetItem()
    item.setData(Qt.ItemDataRole.DisplayRole, value)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _table(parent: QWidget, name: str, columns: int) -> QTableWidget:
    """A read-only table of whole rows, one line each, sortable by any column."""
    table = QTableWidget(0, columns, parent)
    table.setObjectName(name)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setMinimumSectionSize(60)
    table.setSortingEnabled(True)
    return table


class WorkloadBoard(Retranslatable, QWidget):
    """Two tables, people and teams; `rebalance_requested` names the chosen operators or teams."""

    rebalance_requested = Signal(object, object)  # assignee ids, team ids
    refresh_requested = Signal()
    team_settings_requested = Signal(str)  # team id

    LOAD_COLUMNS = 4  # open, overdue, due today, due this week

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WorkloadBoard")
        self._data: BoardData | None = None
        self._live: Mapping[str, OperatorAvailability] | None = None
        self._names = DirectoryNames()
        self._show_team_settings = False
        self._centres: frozenset[str] = frozenset()
        self.title = QLabel(self)
        self.title.setObjectName("WorkloadTitle")
        self.operators_label = QLabel(self)
        self.operators = _table(self, "WorkloadOperators", 3 + self.LOAD_COLUMNS)
        self.operators_label.setBuddy(self.operators)
        self.operators.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.teams_label = QLabel(self)
        self.teams = _table(self, "WorkloadTeams", 2 + self.LOAD_COLUMNS)
        self.teams_label.setBuddy(self.teams)
        self.rebalance_button = QPushButton(self)
        self.rebalance_button.setObjectName("RebalanceButton")
        self.rebalance_button.clicked.connect(lambda: self.rebalance_selected())
        self.team_settings_button = QPushButton(self)
        self.team_settings_button.setObjectName("TeamSettingsButton")
        self.team_settings_button.clicked.connect(self._team_settings)
        self.team_settings_button.hide()
        self.team_settings_button.setEnabled(False)  # until a team is selected
        self.refresh_button = QPushButton(self)
        self.refresh_button.setObjectName("WorkloadRefresh")
        self.refresh_button.clicked.connect(self.refresh_requested)
        self._last_table: QTableWidget = self.operators
        self.operators.itemSelectionChanged.connect(lambda: self._focus_table(self.operators))
        self.teams.itemSelectionChanged.connect(lambda: self._focus_table(self.teams))
        self.operators.activated.connect(lambda _i: self.rebalance_selected(self.operators))
        self.teams.activated.connect(lambda _i: self.rebalance_selected(self.teams))

        buttons = QHBoxLayout()
        buttons.addWidget(self.rebalance_button)
        buttons.addWidget(self.team_settings_button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.operators_label)
        layout.addWidget(self.operators, 3)
        layout.addWidget(self.teams_label)
        layout.addWidget(self.teams, 1)
        layout.addLayout(buttons)
        for table in (self.operators, self.teams):
            table.sortByColumn(
                table.columnCount() - self.LOAD_COLUMNS, Qt.SortOrder.DescendingOrder
            )
        self.setTabOrder(self.operators, self.teams)
        self.setTabOrder(self.teams, self.rebalance_button)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.operators_label.setText(self.tr("&Operators:"))
        self.teams_label.setText(self.tr("T&eams:"))
        self.operators.setAccessibleName(self.tr("Workload per operator"))
        self.teams.setAccessibleName(self.tr("Workload per team"))
        loads = [
            self.tr("Open"),
            self.tr("Overdue"),
            self.tr("Due today"),
            self.tr("Due this week"),
        ]
        self.operators.setHorizontalHeaderLabels(
            [self.tr("Operator"), self.tr("Teams"), self.tr("Availability"), *loads]
        )
        self.teams.setHorizontalHeaderLabels([self.tr("Team"), self.tr("Centre"), *loads])
        self.rebalance_button.setText(self.tr("Re&balance the selected cases…"))
        self.rebalance_button.setToolTip(
            self.tr("Reassign the open cases of the selected operators or teams (Enter)")
        )
        self.team_settings_button.setText(self.tr("Team &auto-assignment…"))
        self.refresh_button.setText(self.tr("Re&fresh"))
        self._fill()

    # -- data ----------------------------------------------------------------------------------

    def set_team_settings_available(self, available: bool) -> None:
        self._show_team_settings = available
        self.team_settings_button.setVisible(available)

    def set_data(self, data: BoardData, names: DirectoryNames, centres: frozenset[str]) -> None:
        self._data = data
        self._names = names
        self._centres = centres
        self._fill()

    def set_live_availability(self, people: Mapping[str, OperatorAvailability] | None) -> None:
        """Availability from the central service (None: not reachable; the last pulled shows)."""
        self._live = people
        self._fill()

    def availability_of(self, operator_id: str) -> str:
        if self._live is not None and operator_id in self._live:
            return self._live[operator_id].availability.value
        if self._data is not None:
            return self._data.pulled_availability.get(operator_id, "")
        return ""

    def _people(self) -> list[str]:
        """The case workers of the centres, then anyone else holding cases there."""
        assert self._data is not None
        ids = [
            o.id
            for o in self._data.directory.operators
            if o.role in _WORKERS and set(o.centres) & self._centres
        ]
        ids += [key for key in self._data.snapshot.operators if key not in ids]
        return ids

    def _fill(self) -> None:
        if self._data is None:
            self.title.setText(self.tr("Workload of your centres"))
            return
        snapshot = self._data.snapshot
        self.title.setText(
            self.tr("Workload of your centres · open cases: {count}").format(
                count=snapshot.open_cases
            )
        )
        self._fill_table(
            self.operators,
            [
                (
                    key,
                    [
                        self._names.operator(key) if key else self.tr("Unassigned"),
                        ", ".join(self._names.team(t) for t in self._teams_of(key)),
                        self._availability_text(key),
                    ],
                    snapshot.operators.get(key, Load()),
                )
                for key in self._people()
            ],
        )
        teams = [t.id for t in self._data.directory.teams if t.centre in self._centres]
        teams += [key for key in snapshot.teams if key not in teams]
        centre_of = {t.id: t.centre for t in self._data.directory.teams}
        self._fill_table(
            self.teams,
            [
                (
                    key,
                    [
                        self._names.team(key) if key else self.tr("No team"),
                        self._names.centre(centre_of.get(key, "")),
                    ],
                    snapshot.teams.get(key, Load()),
                )
                for key in teams
            ],
        )

    def _teams_of(self, operator_id: str) -> tuple[str, ...]:
        assert self._data is not None
        person = self._data.directory.operator(operator_id) if operator_id else None
        return person.teams if person is not None else ()

    def _availability_text(self, operator_id: str) -> str:
        if not operator_id:
            return ""
        value = self.availability_of(operator_id)
        if value not in Availability._value2member_map_:
            return self.tr("Unknown")
        text = availability_label(Availability(value))
        if self._live is None:
            return self.tr("{state} (last known)").format(state=text)
        return text

    def _fill_table(self, table: QTableWidget, rows: list[tuple[str, list[str], Load]]) -> None:
        selected = set(self._selected_ids(table))
        sorting = table.isSortingEnabled()
        table.setSortingEnabled(False)
        table.setRowCount(len(rows))
        for r, (key, texts, load) in enumerate(rows):
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, key)
                table.setItem(r, c, item)
            values = (load.open, load.overdue, load.due_today, load.due_this_week)
            for c, value in enumerate(values, start=len(texts)):
                table.setItem(r, c, _number(value))
        table.setSortingEnabled(sorting)
        if selected:
            for r in range(table.rowCount()):
                if table.item(r, 0).data(ID_ROLE) in selected:
                    table.selectRow(r)

    # -- rows ----------------------------------------------------------------------------------

    def row_of(self, table: QTableWidget, key: str) -> int | None:
        for r in range(table.rowCount()):
            if table.item(r, 0).data(ID_ROLE) == key:
                return r
        return None

    def load_of(self, table: QTableWidget, key: str) -> tuple[int, int, int, int] | None:
        """The four figures shown for one row (tests, screen readers)."""
        r = self.row_of(table, key)
        if r is None:
            return None
        start = table.columnCount() - self.LOAD_COLUMNS
        return tuple(  # type: ignore[return-value]
            int(table.item(r, c).data(Qt.ItemDataRole.DisplayRole))
            for c in range(start, table.columnCount())
        )

    @staticmethod
    def _selected_ids(table: QTableWidget) -> list[str]:
        rows = sorted({index.row() for index in table.selectionModel().selectedRows()})
        return [str(table.item(r, 0).data(ID_ROLE)) for r in rows if table.item(r, 0)]

    def _focus_table(self, table: QTableWidget) -> None:
        self._last_table = table
        if table is self.teams:
            self.team_settings_button.setEnabled(bool(self._selected_ids(self.teams)))

    def rebalance_selected(self, table: QTableWidget | None = None) -> None:
        """Ask to reassign the open cases of the selected operators (or teams)."""
        table = table or self._last_table
        ids = self._selected_ids(table)
        if not ids:
            return
        if table is self.operators:
            self.rebalance_requested.emit(ids, [])
        else:
            self.rebalance_requested.emit([], ids)

    @Slot()
    def _team_settings(self) -> None:
        ids = [i for i in self._selected_ids(self.teams) if i != UNASSIGNED]
        if ids:
            self.team_settings_requested.emit(ids[0])
