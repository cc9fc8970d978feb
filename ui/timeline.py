"""A case's history as lines to read: calls, notes, status changes, assignments, transfers and
sync results, newest first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject

from i18n import formatting
from operator_app.domain.assignment import AUTO_ASSIGNMENT_ACTOR
from operator_app.domain.deadlines import DeadlineState, days_left
from operator_app.domain.identifiers import format_phone
from operator_app.domain.model import Status, TimelineEntry, TimelineKind
from ui import labels
from ui.case_snapshot import CaseSnapshot
from ui.refusals import refusal_text

# Notes and calls are listed from their own records (which hold the text); their timeline
# entries would only repeat them.
_LISTED_ELSEWHERE = frozenset({TimelineKind.NOTE, TimelineKind.CALL})
NameOf = Callable[[str | None], str]


@dataclass(frozen=True, slots=True)
class TimelineLine:
    at: datetime
    who: str
    what: str
    kind: str  # a TimelineKind value, or "note", "call", "sync", "pending"


class TimelineWriter(QObject):
    """Words for a case's events, in the interface language (a QObject for its plural forms)."""

    def lines(self, snapshot: CaseSnapshot, name_of: NameOf) -> list[TimelineLine]:
        """Every event of the case, newest first."""
        out: list[TimelineLine] = []
        for entry in snapshot.timeline:
            if entry.kind not in _LISTED_ELSEWHERE:
                what = self.describe(entry, name_of)
                who = name_of(entry.actor)
                if entry.actor == AUTO_ASSIGNMENT_ACTOR:
                    who = self.tr("Auto-assignment")
                out.append(TimelineLine(entry.at, who, what, entry.kind.value))
        for note in snapshot.notes:
            what = self.tr("Note: {text}").format(text=note.body)
            out.append(TimelineLine(note.created_at, name_of(note.author), what, "note"))
        for call in snapshot.calls:
            direction = labels.direction_label(call.direction)
            if call.phone:
                direction = f"{direction} {format_phone(call.phone)}"
            what = self.tr("{direction}, {duration}: {outcome}").format(
                direction=direction,
                duration=formatting.format_duration(call.duration_s),
                outcome=labels.outcome_label(call.outcome),
            )
            out.append(TimelineLine(call.started_at, name_of(call.operator), what, "call"))
        for item in snapshot.inbox:
            if item.status == "conflict":
                text = self.tr("Sync: conflict on “{change}”: {reason}")
            else:
                text = self.tr("Sync: the server refused “{change}”: {reason}")
            what = text.format(
                change=self.mutation_label(item.name),
                reason=refusal_text(item.code, item.details),
            )
            out.append(TimelineLine(item.received_at, self.tr("Central service"), what, "sync"))
        if snapshot.pending:
            last = snapshot.pending[-1]
            what = self.tr(
                "%n change(s) saved on this computer, waiting to sync", "", len(snapshot.pending)
            )
            out.append(TimelineLine(last.client_time, name_of(last.actor.id), what, "pending"))
        return sorted(out, key=lambda line: line.at, reverse=True)

    def describe(self, entry: TimelineEntry, name_of: NameOf) -> str:
        """One timeline entry as a sentence."""
        data = entry.data
        match entry.kind:
            case TimelineKind.CREATED:
                return self.tr("Case registered")
            case TimelineKind.STATUS:
                text = self.tr("Status: {old} → {new}").format(
                    old=_status(data.get("from")), new=_status(data.get("to"))
                )
                return self._with_reason(text, data.get("reason"))
            case TimelineKind.ASSIGNMENT:
                to = data.get("to")
                if to and entry.actor == AUTO_ASSIGNMENT_ACTOR:
                    text = self.tr("Assigned automatically to {person}").format(
                        person=name_of(str(to))
                    )
                elif to:
                    text = self.tr("Assigned to {person}").format(person=name_of(str(to)))
                else:
                    text = self.tr("Unassigned")
                return self._with_reason(text, data.get("reason"))
            case TimelineKind.TRANSFER:
                text = self.tr("Transferred to {agency}").format(
                    agency=labels.agency_name(str(data.get("agency") or ""))
                )
                return self._with_reason(text, data.get("note"))
            case TimelineKind.EXTENSION:
                days = int(str(data.get("days") or 0))
                return self.tr("Deadline extended by %n day(s)", "", days)
            case TimelineKind.AGENCY_ANSWER:
                agency = labels.agency_name(str(data.get("agency") or ""))
                if data.get("final"):
                    return self.tr("{agency} answered: case resolved").format(agency=agency)
                return self.tr("Interim answer from {agency} recorded").format(agency=agency)
            case TimelineKind.LINK:
                if data.get("kind") == "duplicate":
                    return self.tr("Marked as a duplicate of another case")
                return self.tr("Linked to another case")
            case TimelineKind.FIELDS:
                changes = data.get("changes")
                names = sorted(changes) if isinstance(changes, dict) else []
                return self.tr("Changed: {fields}").format(
                    fields=", ".join(labels.field_label(n) for n in names)
                )
            case TimelineKind.CONFLICT_RESOLVED:
                return self.tr("Conflict on “{field}” resolved: {choice}").format(
                    field=labels.field_label(str(data.get("field") or "")),
                    choice=self.choice_label(str(data.get("choice") or "")),
                )
            case TimelineKind.NOTE:
                return self.tr("Note added")
            case TimelineKind.CALL:
                return self.tr("Call logged")
        return entry.kind.value  # pragma: no cover

    def _with_reason(self, text: str, reason: object) -> str:
        if isinstance(reason, str) and reason.strip():
            return self.tr("{event} ({reason})").format(event=text, reason=reason.strip())
        return text

    def choice_label(self, choice: str) -> str:
        match choice:
            case "keep_server":
                return self.tr("kept the server's value")
            case "reapply":
                return self.tr("applied this desk's value again")
            case "merge":
                return self.tr("merged")
        return choice

    def mutation_label(self, name: str) -> str:
        """A mutation's name as the operator knows the change (a noun phrase)."""
        match name:
            case "create_case":
                return self.tr("Registering the case")
            case "add_note":
                return self.tr("Note")
            case "log_call":
                return self.tr("Call")
            case "change_status":
                return self.tr("Status change")
            case "reassign_case":
                return self.tr("Assignment")
            case "update_case_fields":
                return self.tr("Edit")
            case "transfer_case":
                return self.tr("Transfer")
            case "extend_deadline":
                return self.tr("Deadline extension")
            case "record_agency_answer":
                return self.tr("Agency answer")
            case "link_cases":
                return self.tr("Link")
            case "resolve_conflict":
                return self.tr("Conflict resolution")
        return name

    def deadline_phrase(self, snapshot: CaseSnapshot, now: datetime) -> str:
        """ "Due 30 Mar 2026 (in 28 days)", or the state when there is no countdown."""
        row = snapshot.row
        state = row.deadline if row is not None else DeadlineState.NONE
        due = snapshot.case.due_date
        if due is None:
            return labels.deadline_label(DeadlineState.NONE)
        date_text = formatting.format_date(due)
        if state is DeadlineState.ANSWERED:
            return self.tr("Due {date} (answered)").format(date=date_text)
        return self.tr("Due {date} ({countdown})").format(
            date=date_text, countdown=formatting.format_days_left(days_left(due, now))
        )


def _status(code: object) -> str:
    try:
        return labels.status_label(Status(str(code)))
    except ValueError:
        return str(code or "")
