"""Switching the interface language at run time, without a restart."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QObject, QTranslator, Signal

from i18n import formatting, languages
from i18n.languages import APP_DOMAIN, DEFAULT_LANGUAGE, ENGLISH, QT_DOMAIN, catalog_path

log = logging.getLogger(__name__)


class LanguageSwitcher(QObject):
    """Installs the catalogs of one language at a time into the application.

    A switch replaces the translators (our strings, then Qt's standard buttons and menus), sets
    the default QLocale and the Babel formatting locale, and posts a LanguageChange: every
    `Retranslatable` widget then sets its text again.
    """

    language_changed = Signal(str)

    def __init__(self, app: QCoreApplication, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._translators: list[QTranslator] = []
        self._language = ""
        self._previous_locale = QLocale()

    @property
    def language(self) -> str:
        """The code of the active language; "" before the first switch."""
        return self._language

    def switch(self, code: str = DEFAULT_LANGUAGE.code) -> None:
        """Make `code` ("mn" or "en") the interface language."""
        lang = languages.language(code)
        translators = [self._load(domain, lang.code) for domain in (APP_DOMAIN, QT_DOMAIN)]
        self._remove_translators()
        for translator in translators:
            if translator is not None:
                self._app.installTranslator(translator)
                self._translators.append(translator)
        QLocale.setDefault(QLocale(lang.code))
        formatting.set_locale(lang.code)
        # Installing a translator already announces a change, but not every switch installs
        # one: post it explicitly (Qt compresses duplicates).
        QCoreApplication.postEvent(self._app, QEvent(QEvent.Type.LanguageChange))
        changed = lang.code != self._language
        self._language = lang.code
        log.info("Interface language: %s", lang.code)
        if changed:
            self.language_changed.emit(lang.code)

    def uninstall(self) -> None:
        """Remove our translators and restore the locale found at construction."""
        self._remove_translators()
        QLocale.setDefault(self._previous_locale)
        QCoreApplication.postEvent(self._app, QEvent(QEvent.Type.LanguageChange))
        self._language = ""

    def _load(self, domain: str, code: str) -> QTranslator | None:
        path = catalog_path(domain, code)
        if not path.exists():
            if (domain, code) != (QT_DOMAIN, ENGLISH.code):  # Qt's own strings are English
                log.error("Translation catalog missing: %s", path)
            return None
        translator = QTranslator(self)
        if not translator.load(str(path)):
            log.error("Could not load the translation catalog %s", path)
            return None
        return translator

    def _remove_translators(self) -> None:
        for translator in self._translators:
            self._app.removeTranslator(translator)
            translator.deleteLater()
        self._translators.clear()
