"""The filter bar above the queue: a quick search field and one drop-down per facet, with counts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from i18n import formatting
from operator_app.domain.deadlines import DeadlineState
from operator_app.domain.model import CaseType, Channel, Priority, Status
from operator_app.reference import categories
from operator_app.store import CaseSyncState, Facet, QueueFilter
from ui import labels
from ui.directory_names import DirectoryNames
from ui.retranslate import Retranslatable

SEARCH_DEBOUNCE_MS = 250
OPEN = "open"  # the status choice "open cases"
ME, UNASSIGNED = "me", "unassigned"
Counts = Mapping[Facet, Mapping[str, int]]


@dataclass(frozen=True, slots=True)
class _Choice:
    value: str  # "" means "any"
    label: Callable[[], str]
    count: Callable[[Counts], int | None] = lambda _counts: None


def _count_of(facet: Facet, *keys: str) -> Callable[[Counts], int | None]:
    def count(counts: Counts) -> int | None:
        values = counts.get(facet)
        if values is None:
            return None
        return sum(values.get(key, 0) for key in keys)

    return count


def _count_prefix(facet: Facet, code: str) -> Callable[[Counts], int | None]:
    def count(counts: Counts) -> int | None:
        values = counts.get(facet)
        if values is None:
            return None
        return sum(n for key, n in values.items() if key == code or key.startswith(code + "."))

    return count


class FacetCombo(QComboBox):
    """One facet's drop-down: "any" first, then its values, each with a count when known."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._choices: list[_Choice] = []
        self._counts: Counts = {}
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(6)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_choices(self, choices: Iterable[_Choice]) -> None:
        value = self.value() if self._choices else None
        with QSignalBlocker(self):
            self._choices = list(choices)
            self.clear()
            for choice in self._choices:
                self.addItem("", choice.value)
            self._relabel()
            if value is None:
                self.setCurrentIndex(0)  # the first choice is the default
            else:
                self.set_value(value)

    def value(self) -> str:
        data = self.currentData()
        return data if isinstance(data, str) else ""

    def set_value(self, value: str) -> None:
        index = self.findData(value)
        self.setCurrentIndex(index if index >= 0 else 0)

    def set_counts(self, counts: Counts) -> None:
        self._counts = counts
        self._relabel()

    def _relabel(self) -> None:
        for i, choice in enumerate(self._choices):
            count = choice.count(self._counts) if self._counts else None
            text = choice.label()
            if count is not None and choice.value:
                text = f"{text} ({formatting.format_number(count)})"
            self.setItemText(i, text)


class FilterBar(Retranslatable, QWidget):
    """Emits the operator's filter and quick-search text as they change them."""

    filter_changed = Signal(object)  # QueueFilter
    lookup_changed = Signal(str)

    def __init__(self, operator_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FilterBar")
        self._operator_id = operator_id
        self._names = DirectoryNames()
        self._centre_ids: tuple[str, ...] = ()
        self.search = QLineEdit(self)
        self.search.setObjectName("QuickSearch")
        self.search.setClearButtonEnabled(True)
        self.status = FacetCombo(self)
        self.assignee = FacetCombo(self)
        self.deadline = FacetCombo(self)
        self.type = FacetCombo(self)
        self.category = FacetCombo(self)
        self.centre = FacetCombo(self)
        self.channel = FacetCombo(self)
        self.priority = FacetCombo(self)
        self.sync = FacetCombo(self)
        self.clear_button = QPushButton(self)
        self._combos = (
            self.status,
            self.assignee,
            self.deadline,
            self.type,
            self.category,
            self.centre,
            self.channel,
            self.priority,
            self.sync,
        )
        self._layout()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._emit_lookup)
        self.search.textEdited.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._emit_lookup)
        # The clear button empties the text without a textEdited signal.
        self.search.textChanged.connect(self._on_text_changed)
        for combo in self._combos:
            combo.currentIndexChanged.connect(self._emit_filter)
        self.clear_button.clicked.connect(self.clear)
        self._last_lookup = ""
        self.retranslate_ui()

    def _layout(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.search, 0, 0, 1, 2)
        for column, widget in enumerate((self.status, self.assignee, self.deadline), start=2):
            grid.addWidget(widget, 0, column)
        grid.addWidget(self.clear_button, 0, 5)
        second = (self.type, self.category, self.centre, self.channel, self.priority, self.sync)
        for column, widget in enumerate(second):
            grid.addWidget(widget, 1, column)
        for column in range(6):
            grid.setColumnStretch(column, 1)
        for first, second_widget in zip(
            (self.search, *self._combos), (*self._combos, self.clear_button), strict=True
        ):
            QWidget.setTabOrder(first, second_widget)

    def retranslate_ui(self) -> None:
        self.search.setPlaceholderText(
            self.tr("Search (F3): number, phone, registration no., name or words")
        )
        self.search.setAccessibleName(self.tr("Quick search"))
        self.clear_button.setText(self.tr("Clear filters"))
        self.status.setAccessibleName(self.tr("Status filter"))
        self.assignee.setAccessibleName(self.tr("Assignee filter"))
        self.deadline.setAccessibleName(self.tr("Deadline filter"))
        self.type.setAccessibleName(self.tr("Case type filter"))
        self.category.setAccessibleName(self.tr("Category filter"))
        self.centre.setAccessibleName(self.tr("Centre filter"))
        self.channel.setAccessibleName(self.tr("Channel filter"))
        self.priority.setAccessibleName(self.tr("Priority filter"))
        self.sync.setAccessibleName(self.tr("Sync state filter"))
        self._set_choices()

    def _set_choices(self) -> None:
        open_statuses = [s.value for s in Status if s not in (Status.RESOLVED, Status.CLOSED)]
        self.status.set_choices(
            [
                _Choice(
                    OPEN, lambda: self.tr("Open cases"), _count_of(Facet.STATUS, *open_statuses)
                ),
                _Choice("", lambda: self.tr("All statuses")),
                *(_enum_choice(s, labels.status_label, Facet.STATUS) for s in Status),
            ]
        )
        self.assignee.set_choices(
            [
                _Choice("", lambda: self.tr("Anyone")),
                _Choice(ME, lambda: self.tr("Me"), _count_of(Facet.ASSIGNEE, self._operator_id)),
                _Choice(UNASSIGNED, lambda: self.tr("Unassigned"), _count_of(Facet.ASSIGNEE, "")),
            ]
        )
        self.deadline.set_choices(
            [
                _Choice("", lambda: self.tr("Any deadline")),
                *(
                    _enum_choice(s, labels.deadline_label, Facet.DEADLINE)
                    for s in (
                        DeadlineState.OVERDUE,
                        DeadlineState.DUE_SOON,
                        DeadlineState.ON_TIME,
                        DeadlineState.NONE,
                        DeadlineState.ANSWERED,
                    )
                ),
            ]
        )
        self.type.set_choices(
            [
                _Choice("", lambda: self.tr("All types")),
                *(_enum_choice(t, labels.type_label, Facet.TYPE) for t in CaseType),
            ]
        )
        tops = sorted((c.code for c in categories() if c.parent is None), key=labels.category_name)
        self.category.set_choices(
            [
                _Choice("", lambda: self.tr("All categories")),
                *(
                    _Choice(code, _category_choice_label(code), _count_prefix(Facet.CATEGORY, code))
                    for code in tops
                ),
            ]
        )
        self.centre.set_choices(
            [
                _Choice("", lambda: self.tr("All centres")),
                *(
                    _Choice(c, _centre_choice_label(self._names, c), _count_of(Facet.CENTRE, c))
                    for c in self._centre_ids
                ),
            ]
        )
        self.channel.set_choices(
            [
                _Choice("", lambda: self.tr("All channels")),
                *(_enum_choice(c, labels.channel_label, Facet.CHANNEL) for c in Channel),
            ]
        )
        self.priority.set_choices(
            [
                _Choice("", lambda: self.tr("Any priority")),
                *(_enum_choice(p, labels.priority_label, Facet.PRIORITY) for p in Priority),
            ]
        )
        self.sync.set_choices(
            [
                _Choice("", lambda: self.tr("Any sync state")),
                *(_enum_choice(s, labels.sync_label, Facet.SYNC) for s in CaseSyncState),
            ]
        )

    # -- state ---------------------------------------------------------------------------------

    def set_centres(self, names: DirectoryNames, centre_ids: Iterable[str]) -> None:
        """The centres to offer, named from the directory."""
        self._names = names
        self._centre_ids = tuple(centre_ids)
        self._set_choices()

    def set_counts(self, counts: Counts) -> None:
        for combo in self._combos:
            combo.set_counts(counts)

    def current_filter(self) -> QueueFilter:
        f = QueueFilter()
        status = self.status.value()
        if status == OPEN:
            f = replace(f, open_only=True)
        elif status:
            f = replace(f, statuses=frozenset({Status(status)}))
        assignee = self.assignee.value()
        if assignee == ME:
            f = replace(f, assignees=frozenset({self._operator_id}))
        elif assignee == UNASSIGNED:
            f = replace(f, unassigned=True)
        return replace(
            f,
            deadline=_one(DeadlineState, self.deadline.value()),
            types=_one(CaseType, self.type.value()),
            categories=_one(str, self.category.value()),
            centres=_one(str, self.centre.value()),
            channels=_one(Channel, self.channel.value()),
            priorities=_one(Priority, self.priority.value()),
            sync=_one(CaseSyncState, self.sync.value()),
        )

    def lookup(self) -> str:
        return self.search.text().strip()

    def set_status_choice(self, value: str) -> None:
        """Pick a status choice (OPEN, "" for all, or a status code) as if the operator had."""
        self.status.set_value(value)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def stop(self) -> None:
        """Emit nothing more: a quick search waiting for the operator's pause is dropped."""
        self._search_timer.stop()

    @Slot()
    def clear(self) -> None:
        """Back to the defaults: open cases, everything else "any", no search text."""
        blockers = [QSignalBlocker(c) for c in self._combos]
        for combo in self._combos:
            combo.setCurrentIndex(0)
        del blockers
        self.search.clear()
        self._emit_filter()

    @Slot()
    def _emit_filter(self) -> None:
        self.filter_changed.emit(self.current_filter())

    @Slot(str)
    def _on_text_changed(self, text: str) -> None:
        if not text:
            self._emit_lookup()

    @Slot()
    def _emit_lookup(self) -> None:
        self._search_timer.stop()
        text = self.lookup()
        if text != self._last_lookup:
            self._last_lookup = text
            self.lookup_changed.emit(text)


def _enum_choice(value: StrEnum, label: Callable[[Any], str], facet: Facet) -> _Choice:
    return _Choice(value.value, lambda: label(value), _count_of(facet, value.value))


def _category_choice_label(code: str) -> Callable[[], str]:
    return lambda: labels.category_name(code)


def _centre_choice_label(names: DirectoryNames, centre_id: str) -> Callable[[], str]:
    return lambda: names.centre(centre_id)


def _one(kind: Callable[[str], Any], value: str) -> frozenset[Any]:
    return frozenset({kind(value)}) if value else frozenset()
