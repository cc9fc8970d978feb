"""One case: its fields, deadline, timeline, the actions the signed-in role may take, and the
decisions a sync left for a person (rejections and conflicts: Re-apply, Keep server, Merge).

The case is read on a reader thread (`case_snapshot.load_case`) and read again whenever the
store says it changed; every action is a mutation submitted on the writer thread. Actions the
role may not take are hidden (the server enforces the same rules anyway).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from i18n import formatting
from operator_app.domain.deadlines import DeadlineState
from operator_app.domain.errors import FieldError
from operator_app.domain.identifiers import format_phone
from operator_app.domain.model import Case, FieldConflict, Status
from operator_app.domain.mutations import (
    MutationArgs,
    ResolveConflict,
    parse_mutation,
)
from operator_app.domain.permissions import Action, may
from operator_app.domain.workflow import is_legal
from operator_app.store import Changes, InboxItem, LocalResult
from ui import labels
from ui.case_actions.base import ActionDialog
from ui.case_actions.edit import EditDialog
from ui.case_actions.merge import MergeDialog
from ui.case_actions.note_call import CallDialog, NoteDialog
from ui.case_actions.status import StatusDialog, status_targets
from ui.case_actions.transfer_link import LinkDialog, TransferDialog
from ui.case_decisions import DecisionsPanel, again
from ui.case_snapshot import CaseSnapshot, load_case
from ui.context import DeskContext
from ui.directory_names import DirectoryNames
from ui.queue.palette import DEADLINE_SWATCHES, SYNC_COLOURS, SYNC_GLYPHS
from ui.refusals import refused_text
from ui.retranslate import Retranslatable
from ui.timeline import TimelineWriter
from ui.widgets.error_label import ERROR_COLOUR

log = logging.getLogger(__name__)

RELOAD_MS = 100
# F-keys for every action: Ctrl+letter shortcuts fail under some Cyrillic keyboard layouts.
KEYS: dict[str, tuple[str, ...]] = {
    "edit": ("F4",),
    "note": ("F6", "Ctrl+Shift+N"),
    "call": ("F7",),
    "status": ("F8",),
    "transfer": ("F9",),
    "link": ("Shift+F4",),
}


class CaseView(Retranslatable, QWidget):
    """Shows one case and offers what may be done with it."""

    loaded = Signal(str)  # case id, after each (re)load
    submitted = Signal(object)  # the LocalResult of an action, applied or refused

    def __init__(self, context: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CaseView")
        self._context = context
        self._names = DirectoryNames()
        self._writer = TimelineWriter(self)
        self._case_id = ""
        self._snapshot: CaseSnapshot | None = None
        self._load_seq = 0
        self._message = ""
        self.active_dialog: ActionDialog | None = None
        # Refused changes being sent again (mutation ids): a double click sends one.
        self._reapplying: set[int] = set()
        self._stopped = False
        self._loading = False
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_MS)
        self._reload_timer.timeout.connect(self.reload)
        self._build_actions()
        self._build()
        self._show_snapshot()
        self.retranslate_ui()

    # -- building ------------------------------------------------------------------------------

    def _build_actions(self) -> None:
        self.edit_action = self._action("edit", self.edit_fields)
        self.note_action = self._action("note", self.add_note)
        self.call_action = self._action("call", self.log_call)
        self.status_action = self._action("status", lambda: self.change_status(None))
        self.transfer_action = self._action("transfer", self.transfer)
        self.link_action = self._action("link", self.link_case)
        self.status_menu = QMenu(self)

    def _action(self, key: str, slot: Callable[[], None]) -> QAction:
        action = QAction(self)
        action.setShortcuts([QKeySequence(k) for k in KEYS[key]])
        # The keys work from the queue too: the action acts on the case shown here.
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def actions_for_menu(self) -> list[QAction]:
        return [
            self.note_action,
            self.call_action,
            self.status_action,
            self.transfer_action,
            self.link_action,
            self.edit_action,
        ]

    def _build(self) -> None:
        self.stack = QStackedWidget(self)
        self.empty = QLabel(self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.page = QWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

        self.number = QLabel(self.page)
        self.number.setObjectName("CaseNumber")
        font = QFont(self.number.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.number.setFont(font)
        self.number.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.status_chip = _chip(self.page)
        self.deadline_chip = _chip(self.page)
        self.sync_chip = _chip(self.page)
        self.subject = QLabel(self.page)
        self.subject.setObjectName("CaseSubject")
        self.subject.setWordWrap(True)
        subject_font = QFont(self.subject.font())
        subject_font.setPointSizeF(subject_font.pointSizeF() * 1.15)
        self.subject.setFont(subject_font)
        header = QHBoxLayout()
        header.addWidget(self.number)
        header.addWidget(self.status_chip)
        header.addWidget(self.sync_chip)
        header.addStretch(1)
        deadline_row = QHBoxLayout()
        deadline_row.addWidget(self.deadline_chip)
        deadline_row.addStretch(1)

        # A tool bar folds the actions it has no room for behind a "»" button.
        self.toolbar = QToolBar(self.page)
        self.toolbar.setObjectName("CaseActions")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setFloatable(False)
        self.toolbar.setMovable(False)
        self.buttons: dict[str, QToolButton] = {}
        for key, action in (
            ("note", self.note_action),
            ("call", self.call_action),
            ("status", self.status_action),
            ("transfer", self.transfer_action),
            ("link", self.link_action),
            ("edit", self.edit_action),
        ):
            if key == "status":
                button = QToolButton(self.toolbar)
                button.setDefaultAction(action)
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
                button.setMenu(self.status_menu)
                button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
                self._status_widget_action = self.toolbar.addWidget(button)
            else:
                self.toolbar.addAction(action)
                button = self.toolbar.widgetForAction(action)
                assert isinstance(button, QToolButton)
            self.buttons[key] = button

        self.message = QLabel(self.page)
        self.message.setObjectName("CaseMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"QLabel {{ color: {ERROR_COLOUR}; }}")
        self.message.hide()

        self.decisions = DecisionsPanel(self._writer, self.page)
        self.decisions.resolve.connect(self.resolve_conflict)
        self.decisions.reapply.connect(self.reapply)
        self.decisions.keep_server.connect(self.dismiss)

        self.tabs = QTabWidget(self.page)
        # A text browser rather than a form of labels: long values wrap at any width, and
        # the whole record can be selected and copied at once.
        self.details = QTextBrowser(self.page)
        self.details.setObjectName("CaseDetails")
        self.details.setOpenLinks(False)
        self._detail_titles: dict[str, str] = {}
        # Rich text, like the details: long notes wrap instead of being cut off.
        self.timeline = QTextBrowser(self.page)
        self.timeline.setObjectName("Timeline")
        self.timeline.setOpenLinks(False)
        self._timeline_headers = ("", "", "")
        self.tabs.addTab(self.details, "")
        self.tabs.addTab(self.timeline, "")

        layout = QVBoxLayout(self.page)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(header)
        layout.addLayout(deadline_row)
        layout.addWidget(self.subject)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.message)
        layout.addWidget(self.decisions)
        layout.addWidget(self.tabs, 1)

    def retranslate_ui(self) -> None:
        self.setAccessibleName(self.tr("Case"))
        self.edit_action.setText(self.tr("Edit… (F4)"))
        self.note_action.setText(self.tr("Add note… (F6)"))
        self.call_action.setText(self.tr("Log call… (F7)"))
        self.status_action.setText(self.tr("Change status… (F8)"))
        self.transfer_action.setText(self.tr("Transfer… (F9)"))
        self.link_action.setText(self.tr("Link duplicate… (Shift+F4)"))
        self.number.setAccessibleName(self.tr("Case number"))
        self.tabs.tabBar().setAccessibleName(self.tr("Sections of the case"))
        self.tabs.setTabText(0, self.tr("Details"))
        self.tabs.setTabText(1, self.tr("Timeline"))
        self.timeline.setAccessibleName(self.tr("Timeline of the case"))
        self._timeline_headers = (self.tr("When"), self.tr("Who"), self.tr("What"))
        titles = {
            "type": self.tr("Type:"),
            "category": self.tr("Category:"),
            "citizen": self.tr("Citizen:"),
            "phone": self.tr("Phone:"),
            "reg_no": self.tr("Registration no.:"),
            "address": self.tr("Address:"),
            "place": self.tr("Place:"),
            "centre": self.tr("Centre:"),
            "channel": self.tr("Channel:"),
            "priority": self.tr("Priority:"),
            "assignee": self.tr("Assignee:"),
            "agency": self.tr("Agency:"),
            "received": self.tr("Received:"),
            "deadline": self.tr("Deadline:"),
            "description": self.tr("Description:"),
            "resolution": self.tr("Answer:"),
        }
        self._detail_titles = titles
        self.details.setAccessibleName(self.tr("Details of the case"))
        self._show_snapshot()
        if self._message:
            self._show_message(self._message)

    # -- loading -------------------------------------------------------------------------------

    @property
    def case_id(self) -> str:
        return self._case_id

    @property
    def snapshot(self) -> CaseSnapshot | None:
        return self._snapshot

    def set_names(self, names: DirectoryNames) -> None:
        self._names = names
        self._show_snapshot()

    def show_case(self, case_id: str) -> None:
        """Show this case ("" for none); it is read on a reader thread."""
        if case_id != self._case_id:
            self._message = ""
            self._show_message("")
            # Until the new case is read, actions must not act on the one shown before.
            self._snapshot = None
        self._case_id = case_id
        if not case_id:
            self._show_snapshot()
            return
        self.reload()
        self._show_snapshot()

    def stop(self) -> None:
        """Ask nothing more of the store (the window is closing)."""
        self._reload_timer.stop()
        self._stopped = True

    @Slot()
    def reload(self) -> None:
        if not self._case_id or self._stopped:
            return
        self._load_seq += 1
        self._loading = True
        seq, store, case_id = self._load_seq, self._context.store, self._case_id
        self._context.runner.run_query(
            lambda: load_case(store, case_id),
            lambda snapshot: self._loaded(seq, snapshot),
            lambda exc: log.error("Loading a case failed", exc_info=exc),
            receiver=self,
        )

    def _loaded(self, seq: int, snapshot: CaseSnapshot | None) -> None:
        if seq != self._load_seq:
            return
        self._loading = False
        self._snapshot = snapshot
        self._show_snapshot()
        self.loaded.emit(self._case_id)

    def on_store_changed(self, changes: Changes) -> None:
        """Read the case again if the change touched it."""
        snapshot = self._snapshot
        rid = snapshot.row.rid if snapshot is not None and snapshot.row is not None else None
        if self._case_id in changes.case_ids or (rid is not None and rid in changes.rids):
            self._reload_timer.start()

    # -- showing -------------------------------------------------------------------------------

    def _show_snapshot(self) -> None:
        snapshot = self._snapshot
        if snapshot is None:
            self.stack.setCurrentWidget(self.empty)
            if self._case_id and self._loading:
                self.empty.setText(self.tr("Loading…"))
            elif self._case_id:
                self.empty.setText(self.tr("This case is no longer in this desk's cache."))
            else:
                self.empty.setText(
                    self.tr("Select a case in the queue (Enter opens it), or take a call (F2).")
                )
            self._update_actions(None)
            return
        self.stack.setCurrentWidget(self.page)
        case = snapshot.case
        self.number.setText(case.number or case.provisional_ref or "")
        self.subject.setText(case.subject)
        self.status_chip.setText(labels.status_label(case.status))
        self._show_deadline(snapshot)
        self._show_sync(snapshot)
        self._show_details(snapshot)
        self._show_timeline(snapshot)
        self.decisions.show_decisions(snapshot, self._context.actor)
        self._update_actions(case)

    def _show_deadline(self, snapshot: CaseSnapshot) -> None:
        state = snapshot.row.deadline if snapshot.row is not None else DeadlineState.NONE
        self.deadline_chip.setText(self._writer.deadline_phrase(snapshot, self._context.clock()))
        swatch = DEADLINE_SWATCHES.get(state)
        style = _CHIP_STYLE
        if swatch is not None:
            style += f" background: {swatch.background.name()}; color: {swatch.foreground.name()};"
        self.deadline_chip.setStyleSheet(f"QLabel {{ {style} }}")
        self.deadline_chip.setToolTip(labels.deadline_label(state))

    def _show_sync(self, snapshot: CaseSnapshot) -> None:
        if snapshot.row is None:
            self.sync_chip.hide()
            return
        state = snapshot.row.sync_state
        self.sync_chip.setText(f"{SYNC_GLYPHS[state]} {labels.sync_label(state)}")
        self.sync_chip.setStyleSheet(
            f"QLabel {{ {_CHIP_STYLE} color: {SYNC_COLOURS[state].name()}; }}"
        )
        self.sync_chip.show()

    def _show_details(self, snapshot: CaseSnapshot) -> None:
        case = snapshot.case
        values = {
            "type": labels.type_label(case.type),
            "category": labels.category_name(case.category, full=True),
            "citizen": case.citizen_name or self.tr("Anonymous"),
            "phone": format_phone(case.phone) if case.phone else "",
            "reg_no": case.reg_no or "",
            "address": case.address,
            "place": labels.place_name(case.location, levels=3),
            "centre": self._names.centre(case.centre),
            "channel": labels.channel_label(case.channel),
            "priority": labels.priority_label(case.priority)
            + (self.tr(" · confidential") if case.confidential else ""),
            "assignee": self._names.operator(case.assignee) or self.tr("Unassigned"),
            "agency": labels.agency_name(case.agency) if case.agency else "",
            "received": formatting.format_datetime(case.registered_at),
            "deadline": self._writer.deadline_phrase(snapshot, self._context.clock()),
            "description": case.description,
            "resolution": case.resolution,
        }
        rows = []
        for key, value in values.items():
            if not value and key not in ("type", "category", "citizen", "centre", "deadline"):
                continue
            title = html.escape(self._detail_titles.get(key, key))
            text = html.escape(value).replace("\n", "<br>")
            rows.append(
                f'<tr><td style="color:#555555; padding-right:12px" nowrap>{title}</td>'
                f"<td>{text}</td></tr>"
            )
        self.details.setHtml(f'<table cellspacing="0" cellpadding="2">{"".join(rows)}</table>')

    def details_text(self) -> str:
        """The details as plain text (what a screen reader or a copy gets)."""
        return self.details.toPlainText()

    def _show_timeline(self, snapshot: CaseSnapshot) -> None:
        lines = self._writer.lines(snapshot, self._names.operator)
        head = "".join(
            f'<th align="left" style="padding-right:10px">{html.escape(h)}</th>'
            for h in self._timeline_headers
        )
        rows = []
        for line in lines:
            shade = _TIMELINE_SHADES.get(line.kind, "")
            style = f' style="background-color:{shade}"' if shade else ""
            rows.append(
                f"<tr{style}>"
                f'<td style="padding-right:10px" nowrap>'
                f"{html.escape(formatting.format_datetime(line.at))}</td>"
                f'<td style="padding-right:10px" nowrap>{html.escape(line.who)}</td>'
                f"<td>{html.escape(line.what)}</td></tr>"
            )
        self.timeline.setHtml(
            f'<table cellspacing="0" cellpadding="3" width="100%"><tr>{head}</tr>'
            f"{''.join(rows)}</table>"
        )
        self.tabs.setTabText(1, self.tr("Timeline ({count})").format(count=len(lines)))

    def timeline_text(self) -> str:
        """The timeline as plain text, newest first."""
        return self.timeline.toPlainText()

    def _update_actions(self, case: Case | None) -> None:
        actor = self._context.actor
        shown = {
            "note": case is not None and may(actor, Action.ANNOTATE, case),
            "call": case is not None and may(actor, Action.ANNOTATE, case),
            "status": case is not None
            and may(actor, Action.CHANGE_STATUS, case)
            and bool(status_targets(actor.role, case)),
            "transfer": case is not None
            and may(actor, Action.TRANSFER, case)
            and is_legal(case.status, Status.TRANSFERRED),
            "link": case is not None and may(actor, Action.LINK, case),
            "edit": case is not None and may(actor, Action.EDIT, case),
        }
        actions = {
            "note": self.note_action,
            "call": self.call_action,
            "status": self.status_action,
            "transfer": self.transfer_action,
            "link": self.link_action,
            "edit": self.edit_action,
        }
        for key, visible in shown.items():
            actions[key].setVisible(visible)
            actions[key].setEnabled(visible)
        self._status_widget_action.setVisible(shown["status"])
        self.status_menu.clear()
        if case is not None and shown["status"]:
            for target in status_targets(actor.role, case):
                entry = self.status_menu.addAction(labels.status_label(target))
                entry.triggered.connect(partial(self.change_status, target))

    def _show_message(self, text: str) -> None:
        self._message = text
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- actions -------------------------------------------------------------------------------

    def _case(self) -> Case | None:
        return self._snapshot.case if self._snapshot is not None else None

    @Slot()
    def add_note(self) -> None:
        if (case := self._case()) is not None and self.note_action.isEnabled():
            self._open(NoteDialog(case, self))

    @Slot()
    def log_call(self) -> None:
        if (case := self._case()) is not None and self.call_action.isEnabled():
            self._open(CallDialog(case, self._context.clock(), self))

    def change_status(self, target: Status | None = None) -> None:
        if (case := self._case()) is not None and self.status_action.isEnabled():
            self._open(StatusDialog(case, self._context.actor.role, target, self))

    @Slot()
    def transfer(self) -> None:
        if (case := self._case()) is not None and self.transfer_action.isEnabled():
            self._open(TransferDialog(case, self))

    @Slot()
    def link_case(self) -> None:
        if (case := self._case()) is not None and self.link_action.isEnabled():
            context = self._context
            self._open(LinkDialog(case, context.store, context.runner, self))

    @Slot()
    def edit_fields(self) -> None:
        if (case := self._case()) is not None and self.edit_action.isEnabled():
            self._open(EditDialog(case, self))

    def resolve_conflict(self, conflict: FieldConflict, choice: str) -> None:
        """Re-apply this desk's value, keep the server's, or merge them by hand."""
        if choice == "merge":
            self._open(MergeDialog(conflict, self))
            return
        self.submit(ResolveConflict(conflict.id, conflict.case_id, choice))

    def reapply(self, item: InboxItem) -> None:
        """Send a refused change again, against the case as it is now; then clear the item."""
        case = self._case()
        args = parse_mutation(item.name, item.args)
        if case is None or isinstance(args, FieldError) or item.mutation_id in self._reapplying:
            return
        # Kept once it succeeded: the same write took the item off the list.
        self._reapplying.add(item.mutation_id)
        self.submit(again(args, case), then_dismiss=item.mutation_id)

    def dismiss(self, item: InboxItem) -> None:
        """Keep what the server has: take the item off the list."""
        store = self._context.store
        self._context.runner.run_write(
            lambda: store.dismiss(item.mutation_id).result(),
            lambda _done: self.reload(),
            self._submit_failed,
            receiver=self,
        )

    def _open(self, dialog: ActionDialog) -> None:
        self.active_dialog = dialog
        dialog.finished.connect(partial(self._dialog_done, dialog))
        dialog.open()

    def _dialog_done(self, dialog: ActionDialog, code: int) -> None:
        if self.active_dialog is dialog:
            self.active_dialog = None
        mutation = dialog.result_mutation
        if code == QDialog.DialogCode.Accepted and mutation is not None:
            # Kept (hidden) until the save's answer: a refusal shows the form again, as typed.
            self.submit(mutation, dialog=dialog)
        else:
            dialog.deleteLater()

    def submit(
        self,
        args: MutationArgs,
        *,
        then_dismiss: int | None = None,
        dialog: ActionDialog | None = None,
    ) -> None:
        """Save one mutation locally (writer thread); show the refusal if the rules say no."""
        store, actor = self._context.store, self._context.actor

        def write() -> LocalResult:
            result = store.submit(args, actor).result()
            if then_dismiss is not None and result.refused is None:
                store.dismiss(then_dismiss).result()
            return result

        self._context.runner.run_write(
            write,
            partial(self._submitted, dialog=dialog, reapplied=then_dismiss),
            partial(self._submit_failed, dialog=dialog, reapplied=then_dismiss),
            receiver=self,
        )

    def _submitted(
        self,
        result: LocalResult,
        dialog: ActionDialog | None = None,
        reapplied: int | None = None,
    ) -> None:
        refused = result.refused
        if refused is not None and reapplied is not None:
            self._reapplying.discard(reapplied)  # still on the list: it may be tried again
        text = refused_text(refused) if refused is not None else ""
        self._show_message("" if self._give_back(dialog, text) else text)
        self.submitted.emit(result)
        if result.case_id == self._case_id:
            self.reload()

    def _submit_failed(
        self,
        exc: BaseException,
        dialog: ActionDialog | None = None,
        reapplied: int | None = None,
    ) -> None:
        log.error("Saving a change failed", exc_info=exc)
        if reapplied is not None:
            self._reapplying.discard(reapplied)
        self.reload()  # the decisions' buttons come back
        text = self.tr("The change could not be saved on this computer.")
        self._show_message("" if self._give_back(dialog, text) else text)

    def _give_back(self, dialog: ActionDialog | None, problem: str) -> bool:
        """Reopen a refused action's dialog with what was typed and why it was refused;
        delete it once saved. False when the problem is left for the view to show."""
        if dialog is None:
            return False
        if not problem or self._stopped or self.active_dialog is not None:
            dialog.deleteLater()
            return False
        self.active_dialog = dialog
        dialog.reopen(problem)
        return True


_DETAIL_FIELDS = (
    "type",
    "category",
    "citizen",
    "phone",
    "reg_no",
    "address",
    "place",
    "centre",
    "channel",
    "priority",
    "assignee",
    "agency",
    "received",
    "deadline",
    "description",
    "resolution",
)
_CHIP_STYLE = "padding: 2px 8px; border-radius: 3px; border: 1px solid #c8c8c8;"
# Sync results and work not yet synced stand out from the rest of the history.
_TIMELINE_SHADES = {"sync": "#fbe3dc", "pending": "#e3eefa"}


def _chip(parent: QWidget) -> QLabel:
    chip = QLabel(parent)
    chip.setStyleSheet(f"QLabel {{ {_CHIP_STYLE} }}")
    return chip
