"""A drop-down the operator can type into: matches anywhere in the name, in either script.

Typing "emneleg", "эмнэл" or "health" all find "Эрүүл мэнд, эмнэлэг": every item carries a search
key (`translit.search_key` of its names in both languages), and what is typed is folded the
same way. Leaving the field picks the first match; the current item is the value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractProxyModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QComboBox, QCompleter, QWidget

from operator_app.domain.translit import search_key

SEARCH_KEY_ROLE = Qt.ItemDataRole.UserRole + 10
_LEAVING_KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Return, Qt.Key.Key_Enter)
VALUE_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True, slots=True)
class Choice:
    """One item: its value (a code), what it shows, and other words it answers to."""

    value: str
    label: str
    also: str = ""


class _KeyFilter(QSortFilterProxyModel):
    """Keeps the items whose search key holds every typed word."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._words = search_key(text).split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self._words:
            return True
        key = self.sourceModel().index(row, 0, parent).data(SEARCH_KEY_ROLE) or ""
        return all(word in key for word in self._words)


class TypeAheadCombo(QComboBox):
    """An editable combo over fixed choices, with a type-ahead popup."""

    value_changed = Signal(str)  # "" when nothing valid is chosen

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(14)
        self._items = QStandardItemModel(self)
        self.setModel(self._items)
        self._filter = _KeyFilter(self)
        self._filter.setSourceModel(self._items)
        completer = QCompleter(self)
        completer.setModel(self._filter)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)
        self._last_value = ""
        self.lineEdit().textEdited.connect(self._on_edited)
        self.currentIndexChanged.connect(self._announce)
        # Tab must settle the text before focus moves (the next field may depend on the
        # value, e.g. a soum list on its aimag); with the popup open, keys go to the popup.
        # QWidget.event() moves focus on Tab before keyPressEvent() is called: filters it is.
        self.installEventFilter(self)
        self.lineEdit().installEventFilter(self)
        completer.popup().installEventFilter(self)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def set_choices(self, choices: Iterable[Choice], *, keep: bool = True) -> None:
        """Replace the items; the current value stays if it is still offered."""
        value = self.value() if keep else ""
        blocked = self.blockSignals(True)
        self._items.clear()
        for choice in choices:
            item = QStandardItem(choice.label)
            item.setData(choice.value, VALUE_ROLE)
            item.setData(
                search_key(f"{choice.label} {choice.also} {choice.value}"), SEARCH_KEY_ROLE
            )
            self._items.appendRow(item)
        self._filter.set_text("")
        self.blockSignals(blocked)
        self.set_value(value)

    def value(self) -> str:
        """The chosen item's value; "" when the text names no item."""
        index = self.currentIndex()
        if index < 0 or self.currentText().strip() != self.itemText(index).strip():
            return ""
        data = self.itemData(index, VALUE_ROLE)
        return data if isinstance(data, str) else ""

    def set_value(self, value: str) -> None:
        index = self.findData(value, VALUE_ROLE) if value else -1
        self.setCurrentIndex(index)
        if index < 0:
            self.setEditText("")
        self._announce()

    def resolve(self) -> str:
        """Settle typed text on an item (the one highlighted in the popup, the exact name,
        else the first match); the value."""
        highlighted = self._highlighted_row()
        if highlighted is not None:
            self.setCurrentIndex(highlighted)
            self.setEditText(self.itemText(highlighted))
        text = self.currentText().strip()
        if not text:
            if self.currentIndex() >= 0:
                self.setCurrentIndex(-1)
            self._announce()
            return ""
        if self.value():
            return self.value()
        exact = self.findText(text, Qt.MatchFlag.MatchFixedString)
        if exact < 0:
            self._filter.set_text(text)
            if self._filter.rowCount() > 0:
                exact = self._filter.mapToSource(self._filter.index(0, 0)).row()
        if exact >= 0:
            self.setCurrentIndex(exact)
            self.setEditText(self.itemText(exact))
        self._announce()
        return self.value()

    def _highlighted_row(self) -> int | None:
        popup = self.completer().popup()
        if not popup.isVisible() or not popup.currentIndex().isValid():
            return None
        completion = self.completer().completionModel()
        if not isinstance(completion, QAbstractProxyModel):
            return None
        filtered = completion.mapToSource(popup.currentIndex())
        return self._filter.mapToSource(filtered).row() if filtered.isValid() else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            self._before_key(event)
        return super().eventFilter(watched, event)

    def _before_key(self, event: QKeyEvent) -> None:
        if event.key() in _LEAVING_KEYS:
            self.resolve()
            if event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                self.completer().popup().hide()

    @Slot(str)
    def _on_edited(self, text: str) -> None:
        self._filter.set_text(text)
        completer = self.completer()
        if text.strip() and self._filter.rowCount() > 0:
            completer.complete()
        else:
            completer.popup().hide()
        self._announce()

    @Slot()
    def _announce(self) -> None:
        value = self.value()
        if value != self._last_value:
            self._last_value = value
            self.value_changed.emit(value)

    @Slot(QWidget, QWidget)
    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        # Not focusOutEvent: QCompleter eats the focus-out while its popup is open, and Tab
        # with the popup open moves on all the same.
        mine = (self, self.lineEdit(), self.completer().popup())
        if old in mine and new not in mine:
            self.completer().popup().hide()
            self.resolve()
