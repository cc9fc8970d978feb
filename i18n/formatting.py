"""Dates, numbers, durations and deadlines in the user's language, through Babel (CLDR data).

Qt-free so that tests and tools can format headless. Every function takes ``locale=`` ("mn" or
"en"); without it, the language last chosen with `set_locale` (``ui.language.LanguageSwitcher``
calls it on every switch; Mongolian until then).

Naive datetimes are taken as UTC, as everywhere in the desk. Times are shown in the machine's
own time zone unless ``tz`` says otherwise (Mongolia has two: UTC+8, and UTC+7 in the west).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal

from babel import dates as babel_dates
from babel import lists as babel_lists
from babel import numbers as babel_numbers
from babel import units as babel_units

from i18n.languages import DEFAULT_LANGUAGE, language

_current = DEFAULT_LANGUAGE.code

# CLDR says "in 3 days", but has no phrase for "due today" or "2 days overdue". These two are
# ours; they live here rather than in the Qt catalogs so that formatting needs no Qt.
_DUE_TODAY = {"mn": "өнөөдөр дуусна", "en": "due today"}
_OVERDUE = {"mn": "{duration} хэтэрсэн", "en": "{duration} overdue"}

_CLOCK_UNITS = (("duration-hour", 3600), ("duration-minute", 60), ("duration-second", 1))


def set_locale(code: str) -> None:
    """Make `code` the default language of every formatting function."""
    global _current
    _current = language(code).code


def current_locale() -> str:
    return _current


def _locale(code: str | None) -> str:
    return _current if code is None else language(code).code


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def format_date(value: date, *, format: str = "medium", locale: str | None = None) -> str:
    """A calendar date: "2025 оны 3-р сарын 5" / "Mar 5, 2025" (format: short, medium, long)."""
    return babel_dates.format_date(value, format=format, locale=_locale(locale))


def format_datetime(
    value: datetime,
    *,
    format: str = "short",
    tz: tzinfo | None = None,
    locale: str | None = None,
) -> str:
    """An instant in `tz` (default: the machine's zone): "2025.03.05 22:07" / "3/5/25, 10:07 PM"."""
    instant = _aware(value)
    zone = tz if tz is not None else datetime.now().astimezone().tzinfo
    return babel_dates.format_datetime(
        instant.astimezone(zone), format=format, tzinfo=zone, locale=_locale(locale)
    )


def format_number(value: int | float | Decimal, *, locale: str | None = None) -> str:
    """A number with the language's grouping and decimal signs: "1,234,567.5"."""
    return babel_numbers.format_decimal(value, locale=_locale(locale))


def format_duration(value: timedelta | float, *, locale: str | None = None) -> str:
    """A length of time in its two largest units: "3 мин 25 сек" / "1 hr, 5 min"."""
    seconds = round(value.total_seconds() if isinstance(value, timedelta) else value)
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative: {value!r}")
    code = _locale(locale)
    parts = []
    for unit, size in _CLOCK_UNITS:
        amount, seconds = divmod(seconds, size)
        if amount and len(parts) < 2:
            parts.append(babel_units.format_unit(amount, unit, length="short", locale=code))
        elif parts:
            break  # "1 hr, 0 min, 5 sec" would say less than "1 hr"
    if not parts:
        parts.append(babel_units.format_unit(0, "duration-second", length="short", locale=code))
    return babel_lists.format_list(parts, style="unit-short", locale=code)


def format_relative(when: datetime, now: datetime, *, locale: str | None = None) -> str:
    """How far `when` is from `now`: "5 минутын өмнө" / "in 3 days" (e.g. the last sync)."""
    delta = _aware(when) - _aware(now)
    return babel_dates.format_timedelta(delta, add_direction=True, locale=_locale(locale))


def format_days_left(days: int, *, locale: str | None = None) -> str:
    """A deadline as whole days left: "in 3 days", "due today", "2 days overdue".

    Pass `operator_app.domain.deadlines.days_left(due, now)`: negative when overdue.
    """
    code = _locale(locale)
    if days == 0:
        return _DUE_TODAY[code]
    if days > 0:
        # An infinite threshold keeps the unit at days: CLDR would turn 10 days into "1 week".
        return babel_dates.format_timedelta(
            timedelta(days=days),
            granularity="day",
            threshold=float("inf"),
            add_direction=True,
            locale=code,
        )
    duration = babel_units.format_unit(-days, "duration-day", length="long", locale=code)
    return _OVERDUE[code].format(duration=duration)
