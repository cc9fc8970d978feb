"""What one queue cell shows for each role: text, colours, tooltips. Pure formatting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont

from i18n import formatting
from operator_app.domain.deadlines import DeadlineState, days_left
from operator_app.domain.identifiers import format_phone
from operator_app.domain.model import Priority
from operator_app.store import QueueRow
from ui import labels
from ui.directory_names import DirectoryNames
from ui.queue.columns import Column
from ui.queue.palette import DEADLINE_SWATCHES, SYNC_COLOURS, SYNC_GLYPHS

NO_VALUE = "—"
_BOLD = QFont()
_BOLD.setBold(True)
_CENTRED = int(Qt.AlignmentFlag.AlignCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def deadline_text(row: QueueRow, now: datetime) -> str:
    """ "in 3 days" / "2 days overdue"; "answered" once the clock has stopped; "" for none."""
    if row.deadline is DeadlineState.ANSWERED:
        return labels.deadline_label(row.deadline)
    if row.deadline is DeadlineState.NONE or row.due_date is None:
        return ""
    return formatting.format_days_left(days_left(row.due_date, now))


def display_text(row: QueueRow, column: Column, names: DirectoryNames, now: datetime) -> str:
    match column:
        case Column.NUMBER:
            return row.display_number
        case Column.TYPE:
            return labels.type_label(row.type)
        case Column.SUBJECT:
            return row.subject
        case Column.CITIZEN:
            return row.citizen_name or (
                QCoreApplication.translate("QueueCells", "Anonymous") if not row.phone else ""
            )
        case Column.PHONE:
            return format_phone(row.phone) if row.phone else ""
        case Column.CATEGORY:
            return labels.category_name(row.category)
        case Column.PLACE:
            return labels.place_name(row.location)
        case Column.STATUS:
            return labels.status_label(row.status)
        case Column.ASSIGNEE:
            return names.operator(row.assignee) or QCoreApplication.translate(
                "QueueCells", "Unassigned"
            )
        case Column.CENTRE:
            return names.centre(row.centre)
        case Column.CHANNEL:
            return labels.channel_label(row.channel)
        case Column.PRIORITY:
            return labels.priority_label(row.priority)
        case Column.RECEIVED:
            return formatting.format_datetime(row.registered_at)
        case Column.DEADLINE:
            return deadline_text(row, now)
        case Column.SYNC:
            return SYNC_GLYPHS[row.sync_state]
    return ""  # pragma: no cover


def tooltip(row: QueueRow, column: Column) -> str | None:
    match column:
        case Column.SYNC:
            return labels.sync_label(row.sync_state)
        case Column.DEADLINE:
            state = labels.deadline_label(row.deadline)
            if row.due_date is None:
                return state
            return QCoreApplication.translate("QueueCells", "{state}: due {date}").format(
                state=state, date=formatting.format_date(row.due_date)
            )
        case Column.SUBJECT:
            return row.subject or None
        case Column.PLACE:
            return labels.place_name(row.location, levels=3) or None
        case Column.CATEGORY:
            return labels.category_name(row.category, full=True)
    return None


def cell_data(
    row: QueueRow, column: Column, role: int, names: DirectoryNames, now: datetime
) -> Any:
    """The value of one cell for one role (None where the view's default serves)."""
    if role == Qt.ItemDataRole.DisplayRole:
        return display_text(row, column, names, now)
    if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
        tip = tooltip(row, column)
        if role == Qt.ItemDataRole.AccessibleTextRole and tip is None:
            return display_text(row, column, names, now)
        return tip
    if column is Column.DEADLINE and role in (
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
    ):
        swatch = DEADLINE_SWATCHES.get(row.deadline)
        if swatch is None:
            return None
        return swatch.background if role == Qt.ItemDataRole.BackgroundRole else swatch.foreground
    if column is Column.SYNC:
        if role == Qt.ItemDataRole.ForegroundRole:
            return SYNC_COLOURS[row.sync_state]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _CENTRED
    if role == Qt.ItemDataRole.FontRole and (
        (column is Column.PRIORITY and row.priority in (Priority.HIGH, Priority.URGENT))
        or (column is Column.DEADLINE and row.deadline is DeadlineState.OVERDUE)
    ):
        return _BOLD
    if role == Qt.ItemDataRole.TextAlignmentRole:
        return _LEFT
    return None


# The roles a delegate asks of every cell it paints: their values are worked out once per row
# and kept (see `QueueModel.multiData` and `QueueDelegate`).
PAINTED_ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.ForegroundRole,
)
Cells = tuple[dict[int, Any], ...]  # per column: role -> value (None values left out)


def row_cells(row: QueueRow, names: DirectoryNames, now: datetime) -> Cells:
    """What every cell of `row` paints, per column. Thread-safe: the model works rows out on
    the reader that fetched them, so that a paint of new rows formats nothing (dates through
    Babel, translated labels: some 120 µs a row, 4 ms of a screenful's paint)."""
    return tuple(
        {
            int(role): value
            for role in PAINTED_ROLES
            if (value := cell_data(row, column, role, names, now)) is not None
        }
        for column in Column
    )
