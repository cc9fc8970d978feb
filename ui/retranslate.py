"""The one pattern for visible text: a widget sets all of it in ``retranslate_ui()``.

Frescobaldi's translateUI pattern. Build the widget without text, then call
``self.retranslate_ui()`` at the end of ``__init__``; Qt sends every widget a
``QEvent.LanguageChange`` when the language switches, and the mixin calls ``retranslate_ui()``
again, so nothing needs recreating::

    class CaseHeader(Retranslatable, QWidget):   # the mixin first, so its changeEvent runs
        def __init__(self, parent: QWidget | None = None) -> None:
            super().__init__(parent)
            self._title = QLabel(self)
            self.retranslate_ui()

        def retranslate_ui(self) -> None:
            self._title.setText(self.tr("Case"))

Text that depends on data (a count, a name) is rebuilt there as well, from the data the widget
keeps. Models are not widgets and get no LanguageChange: connect them to
``LanguageSwitcher.language_changed`` and emit ``headerDataChanged``/``dataChanged``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent


class Retranslatable:
    """Mixin for QWidget subclasses: calls ``retranslate_ui()`` on every language change."""

    def retranslate_ui(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must set its text in retranslate_ui()")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)  # type: ignore[misc]
