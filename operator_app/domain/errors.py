"""Typed errors the domain returns instead of raising: the UI translates them by code."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Reason(StrEnum):
    """Why a value was refused. Stable: the UI keys its translated messages on these."""

    REQUIRED = "required"
    TOO_LONG = "too_long"
    BAD_FORMAT = "bad_format"
    BAD_DATE = "bad_date"
    BAD_LENGTH = "bad_length"
    NOT_CITIZEN_NUMBER = "not_citizen_number"
    UNKNOWN_VALUE = "unknown_value"
    OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True, slots=True)
class FieldError:
    """A refused value: which field, why, and the offending text (for the message only)."""

    field: str
    reason: Reason
    value: str = ""
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return f"{self.field}: {self.reason.value}"
