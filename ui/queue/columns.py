"""The queue's columns: order, titles, settings keys, default widths and the sort each offers."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QCoreApplication

from operator_app.store import SortKey


class Column(IntEnum):
    """In display order: what an operator scans first (number, sync, deadline, status) leads."""

    NUMBER = 0
    SYNC = 1
    DEADLINE = 2
    STATUS = 3
    TYPE = 4
    SUBJECT = 5
    CITIZEN = 6
    PHONE = 7
    CATEGORY = 8
    PLACE = 9
    ASSIGNEE = 10
    CENTRE = 11
    CHANNEL = 12
    PRIORITY = 13
    RECEIVED = 14


# Settings keep widths by name, so that adding or moving a column keeps the others' widths.
COLUMN_KEYS: dict[Column, str] = {column: column.name.lower() for column in Column}

# Columns the store can sort by in SQL; the others keep the current order when clicked.
SORT_KEYS: dict[Column, SortKey] = {
    Column.NUMBER: SortKey.NUMBER,
    Column.SUBJECT: SortKey.SUBJECT,
    Column.CITIZEN: SortKey.CITIZEN,
    Column.CATEGORY: SortKey.CATEGORY,
    Column.STATUS: SortKey.STATUS,
    Column.ASSIGNEE: SortKey.ASSIGNEE,
    Column.CENTRE: SortKey.CENTRE,
    Column.PRIORITY: SortKey.PRIORITY,
    Column.RECEIVED: SortKey.REGISTERED_AT,
    Column.DEADLINE: SortKey.DUE_DATE,
}
COLUMN_OF_SORT: dict[SortKey, Column] = {key: column for column, key in SORT_KEYS.items()}

DEFAULT_WIDTHS: dict[Column, int] = {
    Column.NUMBER: 110,
    Column.TYPE: 90,
    Column.SUBJECT: 220,
    Column.CITIZEN: 140,
    Column.PHONE: 120,
    Column.CATEGORY: 160,
    Column.PLACE: 160,
    Column.STATUS: 150,
    Column.ASSIGNEE: 130,
    Column.CENTRE: 130,
    Column.CHANNEL: 80,
    Column.PRIORITY: 80,
    Column.RECEIVED: 120,
    Column.DEADLINE: 140,
    Column.SYNC: 44,
}


def column_title(column: Column) -> str:
    """The header text of a column, in the interface language."""
    match column:
        case Column.NUMBER:
            return QCoreApplication.translate("QueueColumns", "Number")
        case Column.TYPE:
            return QCoreApplication.translate("QueueColumns", "Type")
        case Column.SUBJECT:
            return QCoreApplication.translate("QueueColumns", "Subject")
        case Column.CITIZEN:
            return QCoreApplication.translate("QueueColumns", "Citizen")
        case Column.PHONE:
            return QCoreApplication.translate("QueueColumns", "Phone")
        case Column.CATEGORY:
            return QCoreApplication.translate("QueueColumns", "Category")
        case Column.PLACE:
            return QCoreApplication.translate("QueueColumns", "Place")
        case Column.STATUS:
            return QCoreApplication.translate("QueueColumns", "Status")
        case Column.ASSIGNEE:
            return QCoreApplication.translate("QueueColumns", "Assignee")
        case Column.CENTRE:
            return QCoreApplication.translate("QueueColumns", "Centre")
        case Column.CHANNEL:
            return QCoreApplication.translate("QueueColumns", "Channel")
        case Column.PRIORITY:
            return QCoreApplication.translate("QueueColumns", "Priority")
        case Column.RECEIVED:
            return QCoreApplication.translate("QueueColumns", "Received")
        case Column.DEADLINE:
            return QCoreApplication.translate("QueueColumns", "Deadline")
        case Column.SYNC:
            return QCoreApplication.translate("QueueColumns", "Sync", "column: sync state")
    raise ValueError(column)  # pragma: no cover
