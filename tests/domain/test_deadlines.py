"""The deadline engine: rules as data, calendar and working days, holidays, Mongolian local
dates, extensions and the deadline state shown in the queue."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from operator_app.domain.deadlines import (
    MONGOLIA_TZ,
    CalendarKind,
    DeadlineRule,
    DeadlineRules,
    DeadlineState,
    HolidayCalendar,
    add_days,
    days_left,
    deadline_for,
    deadline_state,
    due_date,
    local_date,
    rules_from_data,
    state_at,
)
from operator_app.domain.model import CaseType, Priority, Status
from operator_app.domain.mutators import Rules
from operator_app.reference import default_rules

RULES = default_rules()
CALENDAR = RULES.calendar
C = CaseType


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def working(days: int, extension_limit: int = 30) -> DeadlineRules:
    """The proposed amendment: working days for every type with a deadline."""
    return DeadlineRules(
        tuple(
            DeadlineRule(t, days, CalendarKind.WORKING, extension_limit)
            for t in (C.COMPLAINT, C.PETITION, C.REQUEST, C.CRITICISM, C.SUGGESTION)
        )
    )


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------


def test_shipped_rules_match_the_law() -> None:
    days = {t: RULES.deadlines.rule_for(t).days for t in CaseType}
    assert days == {
        C.COMPLAINT: 30,
        C.PETITION: 30,
        C.REQUEST: 30,
        C.CRITICISM: 30,
        C.SUGGESTION: 60,
        C.THANKS: None,
        C.INFORMATION: None,
    }
    for t in CaseType:
        rule = RULES.deadlines.rule_for(t)
        assert rule.case_type is t
        assert rule.extension_limit_days == (30 if rule.days else 0)


@pytest.mark.parametrize("specific_first", [True, False])
def test_the_most_specific_rule_wins_whatever_the_order(specific_first: bool) -> None:
    general = DeadlineRule(C.COMPLAINT, 30)
    urgent = DeadlineRule(C.COMPLAINT, 5, priority=Priority.URGENT)
    rules = DeadlineRules((urgent, general) if specific_first else (general, urgent))
    assert rules.rule_for(C.COMPLAINT, Priority.URGENT) is urgent
    assert rules.rule_for(C.COMPLAINT, Priority.HIGH) is general
    assert rules.rule_for(C.COMPLAINT) is general


def test_a_type_without_a_rule_has_no_deadline_and_no_extension() -> None:
    rule = DeadlineRules(()).rule_for(C.PETITION, Priority.HIGH)
    assert (rule.case_type, rule.days, rule.extension_limit_days) == (C.PETITION, None, 0)


def test_rules_from_data() -> None:
    rules = rules_from_data(
        [
            {"case_type": "complaint", "days": "14", "calendar": "working"},
            {"case_type": "complaint", "days": 3, "priority": "urgent", "due_soon_days": 1},
            {"case_type": "thanks", "days": None},
        ],
        "v7",
    )
    assert rules.version == "v7"
    assert rules.rule_for(C.COMPLAINT) == DeadlineRule(
        C.COMPLAINT, 14, CalendarKind.WORKING, extension_limit_days=30
    )
    urgent = rules.rule_for(C.COMPLAINT, Priority.URGENT)
    assert (urgent.days, urgent.calendar, urgent.due_soon_days) == (3, CalendarKind.CALENDAR, 1)
    assert rules.rule_for(C.THANKS).days is None
    with pytest.raises(ValueError):
        rules_from_data([{"case_type": "gossip", "days": 3}])


# ---------------------------------------------------------------------------------------------
# Calendar, holidays, local dates
# ---------------------------------------------------------------------------------------------


def test_holiday_calendar() -> None:
    assert CALENDAR.is_working_day(date(2026, 7, 10))  # Friday
    assert not CALENDAR.is_working_day(date(2026, 7, 13))  # Naadam, a Monday
    assert not CALENDAR.is_working_day(date(2026, 3, 7))  # Saturday
    assert CALENDAR.next_working_day(date(2026, 7, 10)) == date(2026, 7, 10)
    assert CALENDAR.next_working_day(date(2026, 7, 11)) == date(2026, 7, 16)
    assert CALENDAR.next_working_day(date(2026, 2, 18)) == date(2026, 2, 23)  # Tsagaan Sar
    assert CALENDAR.add_working_days(date(2026, 7, 1), 14) == date(2026, 7, 24)
    assert CALENDAR.add_working_days(date(2026, 7, 10), 1) == date(2026, 7, 16)
    assert HolidayCalendar.of([date(2026, 1, 1)], "v").holidays == frozenset({date(2026, 1, 1)})


@pytest.mark.parametrize(
    ("instant", "local"),
    [
        (utc(2026, 7, 10, 15, 59, 59), date(2026, 7, 10)),
        (utc(2026, 7, 10, 16, 0), date(2026, 7, 11)),  # midnight in Ulaanbaatar
        (utc(2026, 7, 10, 17, 0), date(2026, 7, 11)),  # 01:00 the next local day
        (datetime(2026, 7, 10, 17, 0), date(2026, 7, 11)),  # naive instants are UTC
        (datetime(2026, 7, 11, 0, 30, tzinfo=MONGOLIA_TZ), date(2026, 7, 11)),
        (datetime(2026, 7, 10, 12, 0, tzinfo=timezone(timedelta(hours=-5))), date(2026, 7, 11)),
    ],
)
def test_local_date_is_the_date_in_mongolia(instant: datetime, local: date) -> None:
    assert local_date(instant) == local


def test_a_calendar_deadline_on_a_day_off_moves_to_the_next_working_day() -> None:
    # 11 June + 30 days is Saturday 11 July, the first day of Naadam: Thursday 16 July.
    assert add_days(date(2026, 6, 11), 30, CalendarKind.CALENDAR, CALENDAR) == date(2026, 7, 16)
    assert add_days(date(2026, 6, 10), 30, CalendarKind.CALENDAR, CALENDAR) == date(2026, 7, 10)


def test_a_zero_day_working_rule_still_ends_on_a_working_day() -> None:
    assert add_days(date(2026, 7, 11), 0, CalendarKind.WORKING, CALENDAR) == date(2026, 7, 16)
    assert add_days(date(2026, 7, 10), 0, CalendarKind.WORKING, CALENDAR) == date(2026, 7, 10)


# ---------------------------------------------------------------------------------------------
# Due dates
# ---------------------------------------------------------------------------------------------


def test_due_date_counts_from_the_local_registration_day() -> None:
    # 23:30 on 10 June in Ulaanbaatar, and 00:30 on 11 June.
    late_evening = utc(2026, 6, 10, 15, 30)
    after_midnight = utc(2026, 6, 10, 16, 30)
    assert due_date(C.COMPLAINT, None, late_evening, 0, RULES.deadlines, CALENDAR) == date(
        2026, 7, 10
    )
    assert due_date(C.COMPLAINT, None, after_midnight, 0, RULES.deadlines, CALENDAR) == date(
        2026, 7, 16
    )


def test_due_date_per_type_and_extension() -> None:
    at = utc(2026, 6, 11, 2)
    assert due_date(C.SUGGESTION, None, at, 0, RULES.deadlines, CALENDAR) == date(2026, 8, 10)
    assert due_date(C.THANKS, None, at, 0, RULES.deadlines, CALENDAR) is None
    assert due_date(C.INFORMATION, None, at, 20, RULES.deadlines, CALENDAR) is None
    # Extended by 30 from Thursday 16 July: Saturday 15 August, so Monday 17 August.
    assert due_date(C.COMPLAINT, None, at, 30, RULES.deadlines, CALENDAR) == date(2026, 8, 17)


def test_working_day_rule_skips_naadam() -> None:
    rules = working(14)
    assert due_date(C.COMPLAINT, None, utc(2026, 7, 1, 2), 0, rules, CALENDAR) == date(2026, 7, 24)
    assert due_date(C.COMPLAINT, None, utc(2026, 7, 1, 2), 2, rules, CALENDAR) == date(2026, 7, 28)


def test_deadline_for_a_case_includes_its_extension(d: SimpleNamespace) -> None:
    case = d.make_case(registered_at=utc(2026, 6, 11, 2))
    assert deadline_for(case, RULES.deadlines, CALENDAR) == date(2026, 7, 16)
    extended = replace(case, extension_days=30)
    assert deadline_for(extended, RULES.deadlines, CALENDAR) == date(2026, 8, 17)
    assert deadline_for(replace(case, type=C.THANKS), RULES.deadlines, CALENDAR) is None


# ---------------------------------------------------------------------------------------------
# Deadline state
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (utc(2026, 7, 11, 12), DeadlineState.ON_TIME),  # 5 days left
        (utc(2026, 7, 12, 15, 59), DeadlineState.ON_TIME),  # local 12 July 23:59: 4 days left
        (utc(2026, 7, 12, 16, 0), DeadlineState.DUE_SOON),  # local 13 July: 3 days left
        (utc(2026, 7, 16, 15, 59, 59), DeadlineState.DUE_SOON),  # the last local second
        (utc(2026, 7, 16, 16, 0), DeadlineState.OVERDUE),  # local midnight of the 17th
        (utc(2026, 7, 16, 17, 0), DeadlineState.OVERDUE),  # 17:00 UTC is the next local day
        (utc(2026, 9, 1), DeadlineState.OVERDUE),
    ],
)
def test_deadline_state_at_an_instant(
    d: SimpleNamespace, now: datetime, state: DeadlineState
) -> None:
    case = d.make_case(registered_at=utc(2026, 6, 11, 2), status=Status.IN_PROGRESS)
    assert case.due_date == date(2026, 7, 16)
    assert deadline_state(case, RULES.deadlines, now) is state


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_answered_cases_stop_the_clock(d: SimpleNamespace, status: Status) -> None:
    case = d.make_case(registered_at=utc(2026, 6, 11, 2), status=status)
    assert deadline_state(case, RULES.deadlines, utc(2027, 1, 1)) is DeadlineState.ANSWERED


@pytest.mark.parametrize("case_type", [C.THANKS, C.INFORMATION])
def test_types_without_a_deadline_have_no_state(d: SimpleNamespace, case_type: CaseType) -> None:
    case = d.make_case(type=case_type)
    assert case.due_date is None
    assert deadline_state(case, RULES.deadlines, utc(2027, 1, 1)) is DeadlineState.NONE


def test_deadline_state_takes_an_explicit_due_date_and_the_rule_threshold(
    d: SimpleNamespace,
) -> None:
    case = d.make_case(status=Status.WAITING)  # due 1 April 2026
    now = utc(2026, 3, 20, 4)
    assert deadline_state(case, RULES.deadlines, now) is DeadlineState.ON_TIME
    assert deadline_state(case, RULES.deadlines, now, due=date(2026, 3, 21)) is (
        DeadlineState.DUE_SOON
    )
    wide = DeadlineRules((DeadlineRule(C.COMPLAINT, 30, due_soon_days=14),))
    assert deadline_state(case, wide, now) is DeadlineState.DUE_SOON


def test_state_at_and_days_left() -> None:
    due = date(2026, 7, 16)
    assert state_at(due, date(2026, 7, 16), 0) is DeadlineState.DUE_SOON
    assert state_at(due, date(2026, 7, 15), 0) is DeadlineState.ON_TIME
    assert state_at(due, date(2026, 7, 17), 3) is DeadlineState.OVERDUE
    assert days_left(due, utc(2026, 7, 15, 15, 59)) == 1
    assert days_left(due, utc(2026, 7, 15, 16, 0)) == 0
    assert days_left(due, utc(2026, 7, 18, 16, 0)) == -3


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 10, 1), timezones=st.just(UTC)
)
calendars = st.one_of(
    st.just(CALENDAR),
    st.frozensets(st.dates(date(2026, 1, 1), date(2028, 6, 30)), max_size=60).map(HolidayCalendar),
)
rule_sets = st.builds(
    lambda days, kind, limit: DeadlineRules((DeadlineRule(C.COMPLAINT, days, kind, limit),)),
    st.integers(1, 90),
    st.sampled_from(list(CalendarKind)),
    st.integers(1, 45),
)


@given(
    rules=rule_sets,
    calendar=calendars,
    a=instants,
    b=instants,
    extension=st.integers(0, 45),
)
def test_due_date_is_monotonic_in_the_registration_time(
    rules: DeadlineRules, calendar: HolidayCalendar, a: datetime, b: datetime, extension: int
) -> None:
    early, late = sorted((a, b))
    due_early = due_date(C.COMPLAINT, None, early, extension, rules, calendar)
    due_late = due_date(C.COMPLAINT, None, late, extension, rules, calendar)
    assert due_early is not None and due_late is not None
    assert due_early <= due_late


@given(rules=rule_sets, calendar=calendars, at=instants, extension=st.integers(0, 45))
def test_the_due_date_is_never_a_day_off_and_counts_enough_days(
    rules: DeadlineRules, calendar: HolidayCalendar, at: datetime, extension: int
) -> None:
    rule = rules.rule_for(C.COMPLAINT)
    assert rule.days is not None
    start = local_date(at)
    base = due_date(C.COMPLAINT, None, at, 0, rules, calendar)
    due = due_date(C.COMPLAINT, None, at, extension, rules, calendar)
    assert base is not None and due is not None
    for day in (base, due):
        assert calendar.is_working_day(day)
        assert day.weekday() < 5 and day not in calendar.holidays
    if rule.calendar is CalendarKind.WORKING:
        # Exactly `days` working days after the registration day, the last one being the due date.
        span = [start + timedelta(days=i) for i in range(1, (base - start).days + 1)]
        assert sum(calendar.is_working_day(day) for day in span) == rule.days
    else:
        # The first working day on or after registration + days.
        assert base >= start + timedelta(days=rule.days)
        skipped = (base - start).days - rule.days
        assert all(
            not calendar.is_working_day(start + timedelta(days=rule.days + i))
            for i in range(skipped)
        )


@given(rules=rule_sets, calendar=calendars, at=instants, extension=st.integers(1, 45))
def test_an_extension_only_moves_the_deadline_later_and_by_the_extension(
    rules: DeadlineRules, calendar: HolidayCalendar, at: datetime, extension: int
) -> None:
    rule = rules.rule_for(C.COMPLAINT)
    base = due_date(C.COMPLAINT, None, at, 0, rules, calendar)
    extended = due_date(C.COMPLAINT, None, at, extension, rules, calendar)
    assert base is not None and extended is not None
    assert extended > base
    if rule.calendar is CalendarKind.CALENDAR:
        assert extended >= base + timedelta(days=extension)
        # Beyond the extension only days off are added (to reach a working day).
        gap = [
            base + timedelta(days=extension + i) for i in range((extended - base).days - extension)
        ]
        assert not any(calendar.is_working_day(day) for day in gap)
    else:
        span = [base + timedelta(days=i) for i in range(1, (extended - base).days + 1)]
        assert sum(calendar.is_working_day(day) for day in span) == extension


@given(
    at=instants,
    offset_days=st.integers(-40, 80),
    seconds=st.integers(0, 86_399),
    status=st.sampled_from(list(Status)),
)
def test_deadline_state_agrees_with_the_local_date(
    d: SimpleNamespace, at: datetime, offset_days: int, seconds: int, status: Status
) -> None:
    case = d.make_case(registered_at=at, status=status)
    assert case.due_date is not None
    # Any instant of a given local day gives the same state.
    local_day = case.due_date + timedelta(days=offset_days)
    midnight = datetime.combine(local_day, datetime.min.time(), MONGOLIA_TZ)
    now = (midnight + timedelta(seconds=seconds)).astimezone(UTC)
    state = deadline_state(case, RULES.deadlines, now)
    if status in (Status.RESOLVED, Status.CLOSED):
        assert state is DeadlineState.ANSWERED
    elif offset_days > 0:
        assert state is DeadlineState.OVERDUE
    elif offset_days >= -3:
        assert state is DeadlineState.DUE_SOON
    else:
        assert state is DeadlineState.ON_TIME
    assert days_left(case.due_date, now) == -offset_days


def test_rules_type_is_what_the_mutators_take() -> None:
    assert isinstance(RULES, Rules)
    assert RULES.deadlines.version and RULES.calendar.version
