"""Why the domain (locally) or the server refused a change, in the operator's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication

from operator_app.domain.errors import FieldError, Reason
from operator_app.domain.mutators import Code, Refused
from ui.field_errors import field_error_text

# What an INVALID refusal's details say besides the field error's own details.
_NOT_FIELD_DETAILS = frozenset({"field", "reason", "value"})


def refusal_text(code: str | None, details: Mapping[str, Any] | None = None) -> str:
    """A refusal code (`Code`) as a sentence; unknown codes get a general one."""
    details = details or {}
    match code:
        case Code.INVALID:
            field, reason = details.get("field"), details.get("reason")
            if isinstance(field, str) and reason in Reason._value2member_map_:
                # The rest of the details (a limit, a count) go into the sentence.
                extra = {k: v for k, v in details.items() if k not in _NOT_FIELD_DETAILS}
                if reason == Reason.TOO_LONG and "limit" not in extra:
                    # A refusal saved before the details were carried: no "at most ?".
                    return QCoreApplication.translate("Refusals", "A text is too long.")
                phone = "phone" in field.split(".")
                if reason == Reason.BAD_LENGTH and phone and "actual" not in extra:
                    return QCoreApplication.translate(
                        "Refusals", "A phone number has 8 digits; this one has a different count."
                    )
                return field_error_text(FieldError(field, Reason(reason), details=extra))
            return QCoreApplication.translate("Refusals", "Some of the values are not valid.")
        case Code.FORBIDDEN:
            return QCoreApplication.translate(
                "Refusals", "Your role does not allow this change for this case."
            )
        case Code.NOT_FOUND:
            return QCoreApplication.translate(
                "Refusals", "The case is no longer in your queue (moved or removed)."
            )
        case Code.ID_REUSED:
            return QCoreApplication.translate(
                "Refusals", "This change was already saved with different content."
            )
        case Code.ILLEGAL_TRANSITION:
            return QCoreApplication.translate(
                "Refusals", "The case's status changed meanwhile; this step is no longer possible."
            )
        case Code.REASON_REQUIRED:
            return QCoreApplication.translate("Refusals", "This status change needs a reason.")
        case Code.ASSIGNEE_CHANGED:
            return QCoreApplication.translate(
                "Refusals", "Someone else assigned the case meanwhile."
            )
        case Code.FIELD_CONFLICT:
            return QCoreApplication.translate(
                "Refusals", "Someone else changed the same field meanwhile."
            )
        case Code.NO_DEADLINE:
            return QCoreApplication.translate("Refusals", "This case has no deadline to extend.")
        case Code.ALREADY_EXTENDED:
            return QCoreApplication.translate("Refusals", "The deadline was already extended once.")
        case Code.EXTENSION_TOO_LONG:
            return QCoreApplication.translate("Refusals", "The extension is longer than allowed.")
        case Code.CONFLICT_CLOSED:
            return QCoreApplication.translate("Refusals", "This conflict was already resolved.")
        case Code.SERVER_ERROR:
            return QCoreApplication.translate(
                "Refusals",
                "The central service failed on this change; the support desk can see it.",
            )
    return QCoreApplication.translate("Refusals", "The change was refused.")


def refused_text(refused: Refused) -> str:
    return refusal_text(refused.code, refused.details)
