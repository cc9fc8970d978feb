"""What a sync left for a person to decide on one case: field conflicts (Re-apply mine, Keep
server, Merge) and refused changes (Re-apply, Keep server)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from operator_app.domain.identifiers import format_phone
from operator_app.domain.model import Actor, Case, FieldConflict
from operator_app.domain.mutations import (
    AddNote,
    ChangeStatus,
    FieldChange,
    LogCall,
    MutationArgs,
    ReassignCase,
    UpdateCaseFields,
)
from operator_app.domain.mutators import Code, field_value
from operator_app.domain.permissions import Action, may
from operator_app.store import InboxItem
from ui import labels
from ui.case_snapshot import CaseSnapshot
from ui.refusals import refusal_text
from ui.retranslate import Retranslatable
from ui.timeline import TimelineWriter

Choice = tuple[str, str, Callable[[], None]]  # button text, object name, what it does


class DecisionsPanel(Retranslatable, QGroupBox):
    """One row per decision: what happened, and the choices under it (narrow panes still read)."""

    resolve = Signal(object, str)  # FieldConflict, "reapply" | "keep_server" | "merge"
    reapply = Signal(object)  # InboxItem
    keep_server = Signal(object)  # InboxItem

    def __init__(self, writer: TimelineWriter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Decisions")
        self.setStyleSheet(
            "QGroupBox#Decisions { border: 1px solid #b35900; border-radius: 4px;"
            " margin-top: 1.2em; padding-top: 4px; }"
            " QGroupBox#Decisions::title { subcontrol-origin: margin; left: 8px; color: #7a4b00; }"
        )
        self._writer = writer
        self._rows = QVBoxLayout(self)
        self._shown: tuple[CaseSnapshot, Actor] | None = None
        self.hide()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setTitle(self.tr("Needs your decision"))
        if self._shown is not None:
            self.show_decisions(*self._shown)

    def show_decisions(self, snapshot: CaseSnapshot, actor: Actor) -> None:
        """The decisions waiting on this case; hidden when there are none."""
        self._shown = (snapshot, actor)
        while self._rows.count():
            widget = self._rows.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        allowed = may(actor, Action.RESOLVE_CONFLICT, snapshot.case)
        for conflict in snapshot.open_conflicts:
            self._rows.addWidget(self._conflict_row(conflict, allowed))
        for item in snapshot.inbox:
            self._rows.addWidget(self._inbox_row(item, reapplicable(item, snapshot.case, actor)))
        self.setVisible(snapshot.needs_decision)

    def _conflict_row(self, conflict: FieldConflict, allowed: bool) -> QWidget:
        text = self.tr(
            "“{field}” was changed on both sides. Server: “{server}”. This desk: “{mine}”."
        ).format(
            field=labels.field_label(conflict.field),
            server=_value(conflict.field, conflict.current),
            mine=_value(conflict.field, conflict.proposed),
        )
        choices: list[Choice] = []
        if allowed:
            for title, choice in (
                (self.tr("Re-apply mine"), "reapply"),
                (self.tr("Keep server"), "keep_server"),
                (self.tr("Merge…"), "merge"),
            ):
                choices.append(
                    (title, f"conflict-{choice}", partial(self.resolve.emit, conflict, choice))
                )
        return self._row(text, choices)

    def _inbox_row(self, item: InboxItem, again: bool) -> QWidget:
        if item.status == "conflict":
            text = self.tr("Conflict on the server ({action}): {reason}")
        else:
            text = self.tr("Refused by the server ({action}): {reason}")
        choices: list[Choice] = []
        if again:
            choices.append((self.tr("Re-apply"), "inbox-reapply", partial(self.reapply.emit, item)))
        choices.append((self.tr("Keep server"), "inbox-keep", partial(self.keep_server.emit, item)))
        reason = refusal_text(item.code, item.details)
        return self._row(
            text.format(action=self._writer.mutation_label(item.name), reason=reason), choices
        )

    def _row(self, text: str, choices: list[Choice]) -> QWidget:
        row = QWidget(self)
        layout = QVBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 4)
        label = QLabel(text, row)
        label.setWordWrap(True)
        layout.addWidget(label)
        buttons = QHBoxLayout()
        for title, name, slot in choices:
            button = QPushButton(title, row)
            button.setObjectName(name)
            button.clicked.connect(
                lambda _checked=False, run=slot, name=name: self._chosen(row, name, run)
            )
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        return row

    def _chosen(self, row: QWidget, name: str, run: Callable[[], None]) -> None:
        # One decision per row: a second click (a double click) must not send the change
        # twice. The row is rebuilt when the case is read again. Merge opens a dialog that
        # may be cancelled, so its row stays usable.
        if name != "conflict-merge":
            for button in row.findChildren(QPushButton):
                button.setEnabled(False)
        run()


def reapplicable(item: InboxItem, case: Case, actor: Actor) -> bool:
    """Whether sending a refused change again can make sense (not a create, not a field
    conflict: those have their own resolution)."""
    if item.name == "create_case" or item.code in (Code.FIELD_CONFLICT, Code.ID_REUSED):
        return False
    return may(actor, Action.RESOLVE_CONFLICT, case)


def again(args: MutationArgs, case: Case) -> MutationArgs:
    """A refused mutation made anew against the case as it stands (fresh ids, current bases)."""
    match args:
        case ChangeStatus():
            return replace(args, from_=case.status)
        case ReassignCase():
            return replace(args, expected_assignee=case.assignee)
        case AddNote():
            return replace(args, note_id=str(uuid.uuid4()))
        case LogCall():
            return replace(args, call_id=str(uuid.uuid4()))
        case UpdateCaseFields():
            changes = {
                name: FieldChange(field_value(case, name), change.new)
                for name, change in args.changes.items()
            }
            return replace(args, changes=changes)
    return args


def _value(field: str, value: object) -> str:
    if value is None or value == "":
        return "—"
    if field == "phone":
        return format_phone(str(value))
    if field == "category":
        return labels.category_name(str(value), full=True)
    if field == "location":
        return labels.place_name(str(value), levels=3)
    return str(value)
