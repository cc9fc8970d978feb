"""The queue's count of cases, and the legend of its deadline colours and sync glyphs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from operator_app.domain.deadlines import DeadlineState
from operator_app.store import CaseSyncState
from ui import labels
from ui.queue.palette import DEADLINE_SWATCHES, SYNC_COLOURS, SYNC_GLYPHS
from ui.retranslate import Retranslatable
from ui.widgets.error_label import ERROR_COLOUR
from ui.widgets.flow_layout import FlowLayout

_DEADLINES = (
    DeadlineState.OVERDUE,
    DeadlineState.DUE_SOON,
    DeadlineState.ON_TIME,
    DeadlineState.ANSWERED,
)


class QueueLegend(Retranslatable, QWidget):
    """ "128 cases   Overdue  Due soon  On time  Answered   ✓ Synced  ↻ Waiting ..."."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("QueueLegend")
        self._count: int | None = None
        self._failed = False
        self.count_label = QLabel(self)
        self.count_label.setObjectName("QueueCount")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # The entries flow onto a second line in a narrow window rather than widen it.
        self.entries = QWidget(self)
        self.entries.setAccessibleName("")
        flow = FlowLayout(self.entries, spacing=6)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.entries.setSizePolicy(policy)
        self._deadline_chips: dict[DeadlineState, QLabel] = {}
        self._sync_marks: dict[CaseSyncState, QLabel] = {}
        for state in _DEADLINES:
            swatch = DEADLINE_SWATCHES[state]
            chip = QLabel(self.entries)
            chip.setStyleSheet(
                f"QLabel {{ background: {swatch.background.name()};"
                f" color: {swatch.foreground.name()}; padding: 0px 5px; }}"
            )
            flow.addWidget(chip)
            self._deadline_chips[state] = chip
        for state in CaseSyncState:
            mark = QLabel(self.entries)
            mark.setStyleSheet(f"QLabel {{ color: {SYNC_COLOURS[state].name()}; }}")
            flow.addWidget(mark)
            self._sync_marks[state] = mark
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        layout.setSpacing(12)
        layout.addWidget(self.count_label)
        layout.addWidget(self.entries, 1)
        self.retranslate_ui()

    def set_count(self, count: int | None) -> None:
        """How many cases the queue holds (None while the first answer is awaited)."""
        self._count = count
        self._failed = False
        self._show_count()

    def set_failed(self) -> None:
        """The queue could not be read: say so instead of the count (until the next answer)."""
        self._failed = True
        self._show_count()

    @property
    def failed(self) -> bool:
        return self._failed

    def _show_count(self) -> None:
        self.count_label.setStyleSheet(
            f"QLabel {{ color: {ERROR_COLOUR}; }}" if self._failed else ""
        )
        if self._failed:
            self.count_label.setText(self.tr("The queue could not be read. Press F5 to try again."))
        elif self._count is None:
            self.count_label.setText(self.tr("Loading…"))
        else:
            self.count_label.setText(self.tr("%n case(s)", "", self._count))

    def retranslate_ui(self) -> None:
        self._show_count()
        for state, chip in self._deadline_chips.items():
            chip.setText(labels.deadline_label(state))
        for state, mark in self._sync_marks.items():
            mark.setText(f"{SYNC_GLYPHS[state]} {labels.sync_label(state)}")
        self.entries.setToolTip(self.tr("Legend of colours and sync marks"))
        self.entries.updateGeometry()
