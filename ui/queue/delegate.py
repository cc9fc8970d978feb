"""Paints queue cells: a background and one prepared line of text each, in one trip into Python.

A screenful is some 400 cells, each painted on its own. Qt's `QStyledItemDelegate` asks the
model for seven roles (`multiData`, a call into Python that sets each value through the
binding) and the style then lays the text out and elides it, every paint: 21 µs a cell, 8 ms a
screenful on this machine, and twice that when a reader thread holds the interpreter lock
meanwhile (as it does when a new answer or its rows arrive: the paints that follow them
stalled the event loop for 30 to 60 ms at a million cases). This delegate paints from the
values the model worked out once per row (`QueueModel.painted`) and keeps each cell's text
elided and laid out in a `QStaticText` until the row, its width or the style changes. Medians
of `python -m bench.ui_paint` (a screenful of 33 rows): 3.3 ms against 7.6 ms, 12.9 ms against
26.8 ms while another thread runs Python, 5.0 ms against 7.5 ms when every text is new; at a
million cases the GUI thread's longest stretch of work in `bench.ui` went from 16–30 ms to
9–13 ms.

What it draws is what the stock delegate draws for these cells (the style's default look: no
icons, no check boxes, one line): the selection in the palette's highlight, the cell's own
background otherwise (the view paints alternating rows before the delegate), the text in its
colour, font and alignment, and the focus frame of the current cell. Size hints, tool tips and
accessibility still go through `QStyledItemDelegate` and the model's `data()`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPalette, QStaticText
from PySide6.QtWidgets import (
    QStyle,
    QStyledItemDelegate,
    QStyleOptionFocusRect,
    QStyleOptionViewItem,
    QWidget,
)

from ui.queue.model import PLACEHOLDER, QueueModel

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_SELECTED = QStyle.StateFlag.State_Selected
_ACTIVE = QStyle.StateFlag.State_Active
_ENABLED = QStyle.StateFlag.State_Enabled
_FOCUS = QStyle.StateFlag.State_HasFocus
_H_CENTRE = int(Qt.AlignmentFlag.AlignHCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight)
# Prepared cells kept: a few screenfuls (a cell's text is a few hundred bytes of glyph layout).
CAPACITY = 4000

# (roles it was made from, width, height, text, x and y offsets, font, background, foreground)
_Shown = tuple[dict[int, Any], int, int, QStaticText, float, int, QFont, Any, QColor | None]
_LaidOut = tuple[QStaticText, float, int, QFont]  # text, x and y offsets, font
AnyIndex = QModelIndex | QPersistentModelIndex


class QueueDelegate(QStyledItemDelegate):
    """Paints the cells of a `QueueModel` in a view; `restyle()` after a font or palette change."""

    def __init__(self, model: QueueModel, view: QWidget) -> None:
        super().__init__(view)
        self._model = model
        self._view = view
        self._shown: dict[tuple[int, int], _Shown] = {}
        self._placeholders: dict[tuple[int, int], _Shown] = {}
        self._texts: dict[tuple[str, int, int, bool, int], _LaidOut] = {}
        self.restyle()

    def restyle(self) -> None:
        """Take the view's font and palette again (and prepare every text anew)."""
        view = self._view
        self._font = QFont(view.font())
        self._bold = QFont(self._font)
        self._bold.setBold(True)
        self._metrics = QFontMetrics(self._font)
        self._bold_metrics = QFontMetrics(self._bold)
        palette = view.palette()
        group = QPalette.ColorGroup
        role = QPalette.ColorRole
        self._highlight = {
            True: palette.brush(group.Active, role.Highlight),
            False: palette.brush(group.Inactive, role.Highlight),
        }
        self._highlighted_text = {
            True: palette.color(group.Active, role.HighlightedText),
            False: palette.color(group.Inactive, role.HighlightedText),
        }
        self._text = {
            True: palette.color(group.Active, role.Text),
            False: palette.color(group.Inactive, role.Text),
        }
        self._disabled_text = palette.color(group.Disabled, role.Text)
        style = view.style()
        self._margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        self._shown.clear()
        self._placeholders.clear()
        self._texts.clear()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        column = index.column()
        painted = self._model.painted(index.row())
        if painted is None:
            return
        rid, cells = painted
        rect = option.rect
        width, height = rect.width(), rect.height()
        if cells is None:  # on its way from a reader
            key = (width, height)
            shown = self._placeholders.get(key)
            if shown is None:
                shown = self._placeholders[key] = self._prepare(None, width, height)
        else:
            roles = cells[column]
            shown = self._shown.get((rid, column))
            if shown is None or shown[0] is not roles or shown[1] != width or shown[2] != height:
                if len(self._shown) >= CAPACITY:
                    self._shown.clear()
                shown = self._shown[(rid, column)] = self._prepare(roles, width, height)
        _roles, _width, _height, text, dx, dy, font, background, foreground = shown
        state = option.state
        if state & _SELECTED:
            active = bool(state & _ACTIVE)
            painter.fillRect(rect, self._highlight[active])
            painter.setPen(self._highlighted_text[active])
        else:
            if background is not None:
                painter.fillRect(rect, background)
            if not state & _ENABLED:
                painter.setPen(self._disabled_text)
            else:
                painter.setPen(foreground or self._text[bool(state & _ACTIVE)])
        painter.setFont(font)
        painter.drawStaticText(rect.x() + dx, rect.y() + dy, text)
        if state & _FOCUS:
            self._paint_focus(painter, option)

    def _prepare(self, roles: dict[int, Any] | None, width: int, height: int) -> _Shown:
        """A cell's text elided to its width and laid out, where it goes, and its colours."""
        if roles is None:
            roles = {_DISPLAY: PLACEHOLDER}
        # One line, as the stock delegate shows it: line breaks become spaces.
        line = " ".join(str(roles.get(_DISPLAY, "")).split("\n"))
        key = (line, width, height, _FONT in roles, int(roles.get(_ALIGNMENT, 0)))
        laid_out = self._texts.get(key)
        if laid_out is None:
            if len(self._texts) >= CAPACITY:
                self._texts.clear()
            laid_out = self._texts[key] = self._lay_out(*key)
        background = roles.get(_BACKGROUND)
        if isinstance(background, QColor):
            background = QBrush(background)
        return (roles, width, height, *laid_out, background, roles.get(_FOREGROUND))

    def _lay_out(self, line: str, width: int, height: int, bold: bool, alignment: int) -> _LaidOut:
        # Most cells repeat a text another row has (a status, a category, a place, "in 3
        # days"): laid out once for all of them, a screenful of new rows costs 4.1 ms, not 5.9.
        font, metrics = (self._bold, self._bold_metrics) if bold else (self._font, self._metrics)
        room = max(width - 2 * self._margin, 0)
        text = QStaticText(metrics.elidedText(line, Qt.TextElideMode.ElideRight, room))
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.prepare(font=font)
        dx: float = self._margin
        if alignment & (_H_CENTRE | _RIGHT):
            spare = max(room - text.size().width(), 0.0)
            dx += spare / 2 if alignment & _H_CENTRE else spare
        return text, dx, (height - metrics.height()) // 2, font

    def _paint_focus(self, painter: QPainter, option: QStyleOptionViewItem) -> None:
        """The current cell's focus frame, drawn by the style as it draws it for stock cells."""
        frame = QStyleOptionFocusRect()
        frame.rect = option.rect
        frame.state = option.state | QStyle.StateFlag.State_KeyboardFocusChange
        frame.state |= QStyle.StateFlag.State_Item
        selected = bool(option.state & _SELECTED)
        frame.backgroundColor = option.palette.color(
            QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Window
        )
        style = self._view.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_FrameFocusRect, frame, painter, self._view)
