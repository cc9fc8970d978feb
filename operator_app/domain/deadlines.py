"""The deadline engine: legal answer deadlines from rules that are data, not code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum

from operator_app.domain.model import Case, CaseType, Priority

# Mongolia keeps UTC+8 all year (no daylight saving since 2017): deadlines are local days.
MONGOLIA_TZ = timezone(timedelta(hours=8), "Asia/Ulaanbaatar")


class CalendarKind(StrEnum):
    CALENDAR = "calendar"  # every day counts
    WORKING = "working"  # weekends and public holidays are skipped


class DeadlineState(StrEnum):
    NONE = "none"  # the type has no deadline (thanks, information)
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ANSWERED = "answered"  # resolved or closed: the clock has stopped


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """How long the law gives to answer one case type (optionally one priority)."""

    case_type: CaseType
    days: int | None
    calendar: CalendarKind = CalendarKind.CALENDAR
    extension_limit_days: int = 30
    due_soon_days: int = 3
    priority: Priority | None = None


@dataclass(frozen=True, slots=True)
class DeadlineRules:
    """The rule set in force; the most specific rule (type and priority) wins."""

    rules: tuple[DeadlineRule, ...]
    version: str = ""

    def rule_for(self, case_type: CaseType, priority: Priority | None = None) -> DeadlineRule:
        general = None
        for rule in self.rules:
            if rule.case_type is not case_type:
                continue
            if rule.priority is not None and rule.priority is priority:
                return rule
            if rule.priority is None:
                general = rule
        return general or DeadlineRule(case_type=case_type, days=None, extension_limit_days=0)


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """Public holidays; lunar ones move every year, so the calendar is data entered per year."""

    holidays: frozenset[date] = frozenset()
    version: str = ""

    @classmethod
    def of(cls, days: Iterable[date], version: str = "") -> HolidayCalendar:
        return cls(frozenset(days), version)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (start itself not counted)."""
        day = start
        remaining = days
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day


def local_date(instant: datetime) -> date:
    """The date in Mongolia at an aware instant; naive instants are taken as UTC."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(MONGOLIA_TZ).date()


def add_days(start: date, days: int, kind: CalendarKind, calendar: HolidayCalendar) -> date:
    """Count `days` from `start`; a calendar-day deadline on a day off moves to the next
    working day, as the law gives the citizen's case a full last day of office hours."""
    if kind is CalendarKind.WORKING:
        # With no days to count (a zero-day rule), the last day must still be a working day.
        return calendar.next_working_day(calendar.add_working_days(start, days))
    return calendar.next_working_day(start + timedelta(days=days))


def deadline_for(case: Case, rules: DeadlineRules, calendar: HolidayCalendar) -> date | None:
    """The last day to answer the case, extensions included; None when the type has none."""
    return due_date(
        case.type, case.priority, case.registered_at, case.extension_days, rules, calendar
    )


def due_date(
    case_type: CaseType,
    priority: Priority | None,
    registered_at: datetime,
    extension_days: int,
    rules: DeadlineRules,
    calendar: HolidayCalendar,
) -> date | None:
    rule = rules.rule_for(case_type, priority)
    if rule.days is None:
        return None
    base = add_days(local_date(registered_at), rule.days, rule.calendar, calendar)
    if extension_days <= 0:
        return base
    return add_days(base, extension_days, rule.calendar, calendar)


def deadline_state(
    case: Case, rules: DeadlineRules, now: datetime, due: date | None = None
) -> DeadlineState:
    """The deadline state of a case at an instant. `due` defaults to the case's stored date."""
    if not case.is_open:
        return DeadlineState.ANSWERED
    due = due if due is not None else case.due_date
    if due is None:
        return DeadlineState.NONE
    soon = rules.rule_for(case.type, case.priority).due_soon_days
    return state_at(due, local_date(now), soon)


def state_at(due: date, today: date, due_soon_days: int) -> DeadlineState:
    if today > due:
        return DeadlineState.OVERDUE
    if (due - today).days <= due_soon_days:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME


def days_left(due: date, now: datetime) -> int:
    """Whole days until the deadline (negative when overdue), in Mongolian local dates."""
    return (due - local_date(now)).days


def rules_from_data(raw: Iterable[Mapping[str, object]], version: str = "") -> DeadlineRules:
    """Build rules from reference-data records (as shipped in resources or pulled)."""
    out = []
    for item in raw:
        days = item.get("days")
        priority = item.get("priority")
        out.append(
            DeadlineRule(
                case_type=CaseType(str(item["case_type"])),
                days=None if days is None else int(str(days)),
                calendar=CalendarKind(str(item.get("calendar", "calendar"))),
                extension_limit_days=int(str(item.get("extension_limit_days", 30))),
                due_soon_days=int(str(item.get("due_soon_days", 3))),
                priority=None if priority is None else Priority(str(priority)),
            )
        )
    return DeadlineRules(tuple(out), version)
