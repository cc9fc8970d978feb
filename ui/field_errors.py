"""Why a typed value was refused, in the operator's language (from the domain's FieldError)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from operator_app.domain.errors import FieldError, Reason


def _leaf(field: str) -> str:
    """The field a path names: "citizen.phone" and "changes.phone.new" are both "phone"."""
    parts = field.split(".")
    if parts[0] == "changes" and len(parts) > 1:
        return parts[1]
    return parts[-1]


def field_error_text(error: FieldError) -> str:
    """One sentence saying what is wrong and, where it helps, what would be right."""
    field = _leaf(error.field)
    if field == "phone":
        return _phone(error)
    if field == "reg_no":
        return _registration(error)
    return _generic(error)


def _phone(error: FieldError) -> str:
    match error.reason:
        case Reason.REQUIRED:
            return QCoreApplication.translate("FieldErrors", "Enter the phone number.")
        case Reason.NOT_CITIZEN_NUMBER:
            return QCoreApplication.translate(
                "FieldErrors", "This is a short service number, not a citizen's phone number."
            )
        case Reason.BAD_LENGTH:
            return QCoreApplication.translate(
                "FieldErrors", "A phone number has 8 digits; this one has {count}."
            ).format(count=error.details.get("actual", "?"))
        case _:
            return QCoreApplication.translate(
                "FieldErrors", "Not a Mongolian phone number: type 8 digits, e.g. 9911 2233."
            )


def _registration(error: FieldError) -> str:
    match error.reason:
        case Reason.REQUIRED:
            return QCoreApplication.translate("FieldErrors", "Enter the registration number.")
        case Reason.BAD_DATE:
            return QCoreApplication.translate(
                "FieldErrors",
                "Digits 1-6 of a registration number are a birth date; these are not.",
            )
        case _:
            return QCoreApplication.translate(
                "FieldErrors",
                "A registration number is two Cyrillic letters and eight digits, e.g. УБ99112233.",
            )


def _generic(error: FieldError) -> str:
    match error.reason:
        case Reason.REQUIRED:
            return QCoreApplication.translate("FieldErrors", "Required.")
        case Reason.TOO_LONG:
            return QCoreApplication.translate(
                "FieldErrors", "Too long: at most {limit} characters."
            ).format(limit=error.details.get("limit", "?"))
        case Reason.UNKNOWN_VALUE:
            return QCoreApplication.translate("FieldErrors", "Choose a value from the list.")
        case Reason.OUT_OF_RANGE:
            return QCoreApplication.translate("FieldErrors", "This value is not allowed here.")
        case _:
            return QCoreApplication.translate("FieldErrors", "This value is not valid.")
