"""The sync state in the status bar: "Offline · 12 changes waiting · last synced 14:02", and a
progress bar while a first sync runs."""

from __future__ import annotations

from datetime import datetime

from babel import dates as babel_dates
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from i18n import formatting
from sync.status import SyncState, SyncStatus
from ui.retranslate import Retranslatable


class SyncStatusWidget(Retranslatable, QWidget):
    """Shows a `SyncStatus` (from the sync engine), or the local outbox alone without one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SyncStatus")
        self._status: SyncStatus | None = None
        self._local_pending = 0
        self._progress: tuple[int, int] | None = None
        self.label = QLabel(self)
        self.label.setObjectName("SyncStatusText")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("FirstSyncProgress")
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.progress)
        layout.addWidget(self.label)
        self.retranslate_ui()

    @property
    def text(self) -> str:
        return self.label.text()

    def set_status(self, status: SyncStatus | None) -> None:
        self._status = status
        self._show()

    def set_local_pending(self, count: int) -> None:
        """Changes waiting in the outbox (shown when no sync engine reports)."""
        self._local_pending = count
        self._show()

    def set_first_sync_progress(self, done: int, total: int) -> None:
        """A first sync's progress; hidden once `done` reaches `total` (or total is 0)."""
        if total <= 0 or done >= total:
            self._progress = None
            self.progress.hide()
        else:
            self._progress = (done, total)
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.show()
        self._show_progress_text()

    def retranslate_ui(self) -> None:
        self.setAccessibleName(self.tr("Sync state"))
        self.progress.setAccessibleName(self.tr("First sync progress"))
        self._show()
        self._show_progress_text()

    def _show_progress_text(self) -> None:
        if self._progress is not None:
            done, total = self._progress
            self.progress.setFormat(
                self.tr("First sync: {done} of {total}").format(
                    done=formatting.format_number(done), total=formatting.format_number(total)
                )
            )

    def _show(self) -> None:
        self.label.setText(self.describe(self._status))
        self.label.setToolTip(self._tooltip())

    def describe(self, status: SyncStatus | None) -> str:
        """The status line's text."""
        if status is None:
            parts = [self.tr("Not connected")]
            if self._local_pending:
                parts.append(self.tr("%n change(s) waiting", "", self._local_pending))
            return " · ".join(parts)
        parts = [self._state_word(status.state)]
        if status.pending:
            parts.append(self.tr("%n change(s) waiting", "", status.pending))
        decisions = status.rejected + status.conflicts
        if decisions:
            parts.append(self.tr("%n need(s) your decision", "", decisions))
        if status.last_synced_at is not None:
            parts.append(self.tr("last synced {time}").format(time=_when(status.last_synced_at)))
        elif status.state is not SyncState.SYNCING:
            parts.append(self.tr("never synced"))
        if status.clock_warning:
            parts.append(self.tr("check this computer's clock"))
        if not status.keyring_available:
            parts.append(self.tr("sign-in is not remembered"))
        return " · ".join(parts)

    def _state_word(self, state: SyncState) -> str:
        match state:
            case SyncState.ONLINE:
                return self.tr("Online")
            case SyncState.OFFLINE:
                return self.tr("Offline")
            case SyncState.SYNCING:
                return self.tr("Syncing…")
            case SyncState.UNAUTHENTICATED:
                return self.tr("Signed out: sign in to sync")
            case SyncState.UPGRADE_REQUIRED:
                return self.tr("Update the desk to sync")
        return str(state)  # pragma: no cover

    def _tooltip(self) -> str:
        status = self._status
        if status is None or status.last_error is None:
            return ""
        return self.tr("Last problem: {code}").format(code=status.last_error.code)


def _when(instant: datetime) -> str:
    """Today's instants as a time ("14:02"), older ones with their date."""
    local = instant.astimezone()
    if local.date() == datetime.now().astimezone().date():
        return babel_dates.format_time(local, format="short", locale=formatting.current_locale())
    return formatting.format_datetime(instant)
