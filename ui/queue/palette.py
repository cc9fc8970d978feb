"""Colours and glyphs for deadline and sync states.

Hues after the Okabe-Ito palette (told apart with the common colour-vision deficiencies), each
paired with a word or a distinct glyph, so that colour is never the only signal; light
backgrounds with dark text of the same hue keep a contrast ratio above 7:1.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor

from operator_app.domain.deadlines import DeadlineState
from operator_app.store.columns import CaseSyncState


@dataclass(frozen=True, slots=True)
class Swatch:
    background: QColor
    foreground: QColor


DEADLINE_SWATCHES: dict[DeadlineState, Swatch] = {
    DeadlineState.OVERDUE: Swatch(QColor("#f9d3c7"), QColor("#7a1900")),
    DeadlineState.DUE_SOON: Swatch(QColor("#fde9b4"), QColor("#5c4100")),
    DeadlineState.ON_TIME: Swatch(QColor("#d3eee4"), QColor("#00513a")),
    DeadlineState.ANSWERED: Swatch(QColor("#e6e6e6"), QColor("#404040")),
}

SYNC_GLYPHS: dict[CaseSyncState, str] = {
    CaseSyncState.SYNCED: "✓",
    CaseSyncState.PENDING: "↻",
    CaseSyncState.REJECTED: "✕",
    CaseSyncState.CONFLICT: "⚠",
}
SYNC_COLOURS: dict[CaseSyncState, QColor] = {
    CaseSyncState.SYNCED: QColor("#00513a"),
    CaseSyncState.PENDING: QColor("#0a4f94"),
    CaseSyncState.REJECTED: QColor("#a3001b"),
    CaseSyncState.CONFLICT: QColor("#7a4b00"),
}
