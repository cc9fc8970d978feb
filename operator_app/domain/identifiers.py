"""Parsers for the identifiers operators type while a citizen reads them out over the phone.

Every parser takes whatever was typed and returns either a value in normal form or a
`FieldError`; none of them raises on user input, so the UI can show a message keyed on the
reason instead of catching exceptions. Constructors and formatters that are only ever fed by
code (not by operators) raise `ValueError` on misuse, because that is a bug, not a typo.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from operator_app.domain.errors import FieldError, Reason

Sex = Literal["male", "female"]
CaseKind = Literal["permanent", "provisional"]

# A FieldError keeps the offending text for the message; a pasted page must not flood the dialog.
_ECHO_LIMIT = 64

# Hyphen, non-breaking hyphen, figure/en/em dashes, horizontal bar, minus sign: all reach the
# field from copy-paste out of documents and chat messages.
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"


def _echo(text: str) -> str:
    return text if len(text) <= _ECHO_LIMIT else text[:_ECHO_LIMIT] + "…"


def _refuse(field: str, reason: Reason, text: str, **details: object) -> FieldError:
    return FieldError(field=field, reason=reason, value=_echo(text), details=dict(details))


# --------------------------------------------------------------------------------------------
# Registration number (регистрийн дугаар)
# --------------------------------------------------------------------------------------------

# Only letters that look the same are mapped (a number copied from a scan, or typed with the
# Latin layout active while reading a paper form). Transliteration is deliberately NOT applied:
# Latin "B" looks like "В" but transliterates to "Б", so guessing would silently produce a
# different, valid-looking number. "UB99112233" is therefore refused, "YБ99112233" accepted.
_LOOKALIKES = str.maketrans("ABEKMHOPCTYX", "АВЕКМНОРСТУХ")

# А-Я is U+0410..U+042F; Ё, Ө and Ү live outside that block.
_REG_RE = re.compile(r"[А-ЯЁӨҮ]{2}[0-9]{8}")


def _clean_registration(text: str) -> str:
    kept = "".join(ch for ch in text if not ch.isspace() and ch not in _DASHES)
    return kept.upper().translate(_LOOKALIKES)


def _birth_date(digits: str) -> date | None:
    """Digits 1-6 are YYMMDD; people born from 2000 on have 20 added to the month."""
    yy, mm, dd = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    year, month = (2000 + yy, mm - 20) if mm > 20 else (1900 + yy, mm)
    try:
        return date(year, month, dd)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class RegistrationNumber:
    """A civil registration number in normal form, e.g. ``УБ99112233``.

    Build it with `parse_registration_number`; the constructor only accepts the normal form.
    The last digit is a check digit whose algorithm is unpublished, so it is never verified:
    refusing a real citizen's number would be worse than accepting a mistyped one.
    """

    text: str

    def __post_init__(self) -> None:
        if not _REG_RE.fullmatch(self.text) or _birth_date(self.text[2:8]) is None:
            raise ValueError(f"not a normalised registration number: {self.text!r}")

    @property
    def birth_date(self) -> date:
        born = _birth_date(self.text[2:8])
        assert born is not None  # checked in __post_init__
        return born

    @property
    def sex(self) -> Sex:
        # Character 9 of the ten (the 7th digit): odd for men, even for women.
        return "male" if int(self.text[8]) % 2 else "female"

    def __str__(self) -> str:
        return self.text


def parse_registration_number(text: str, field: str = "reg_no") -> RegistrationNumber | FieldError:
    """Normalise what the operator typed into a `RegistrationNumber`, or say why not.

    Forgives surrounding and inner spaces, dashes, lower case and Latin look-alike letters.
    """
    cleaned = _clean_registration(text)
    if not cleaned:
        return _refuse(field, Reason.REQUIRED, text)
    if not _REG_RE.fullmatch(cleaned):
        return _refuse(field, Reason.BAD_FORMAT, text)
    if _birth_date(cleaned[2:8]) is None:
        return _refuse(field, Reason.BAD_DATE, text)
    return RegistrationNumber(cleaned)


# --------------------------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------------------------

COUNTRY_CODE = "976"
NATIONAL_DIGITS = 8
# 4 digits or fewer are the short service numbers (102, 105, 1111, 11-11...): callers give
# them when asked for "a number to call back on", and they must not be stored as a citizen's.
_SERVICE_MAX_DIGITS = 4
_PHONE_SEPARATORS = "().\u00a0" + _DASHES
_NORMAL_PHONE_RE = re.compile(r"\+976[0-9]{8}")


def phone_digits(text: str) -> str:
    """Only the ASCII digits of whatever was typed: the store matches partial numbers on these."""
    return "".join(ch for ch in text if "0" <= ch <= "9")


def normalize_phone(text: str, field: str = "phone") -> str | FieldError:
    """Normalise a Mongolian phone number to ``+976XXXXXXXX``, or say why not.

    Accepts spaces, dashes, dots and parentheses anywhere, and the prefixes ``+976``,
    ``00976`` and ``976``. Eight digits without a "+" are always a national number, even if
    they start with 976 or 00. Operators' number ranges change, so the leading digits are
    not checked.
    """
    if not text.strip():
        return _refuse(field, Reason.REQUIRED, text)

    plus = False
    digits: list[str] = []
    for ch in text:
        if "0" <= ch <= "9":
            digits.append(ch)
        elif ch == "+" and not plus and not digits:
            plus = True
        elif not (ch.isspace() or ch in _PHONE_SEPARATORS):
            return _refuse(field, Reason.BAD_FORMAT, text)
    typed = "".join(digits)
    if not typed:
        return _refuse(field, Reason.BAD_FORMAT, text)

    prefixed = True
    if plus:
        if not typed.startswith(COUNTRY_CODE):
            return _refuse(field, Reason.BAD_FORMAT, text)  # a foreign number
        national = typed[len(COUNTRY_CODE) :]
    elif len(typed) == NATIONAL_DIGITS:
        national, prefixed = typed, False
    elif typed.startswith("00" + COUNTRY_CODE):
        national = typed[2 + len(COUNTRY_CODE) :]
    elif typed.startswith("00"):
        return _refuse(field, Reason.BAD_FORMAT, text)  # a foreign number
    elif len(typed) == len(COUNTRY_CODE) + NATIONAL_DIGITS and typed.startswith(COUNTRY_CODE):
        national = typed[len(COUNTRY_CODE) :]
    else:
        national, prefixed = typed, False

    if len(national) == NATIONAL_DIGITS:
        return "+" + COUNTRY_CODE + national
    if not prefixed and len(national) <= _SERVICE_MAX_DIGITS:
        return _refuse(field, Reason.NOT_CITIZEN_NUMBER, text)
    return _refuse(field, Reason.BAD_LENGTH, text, expected=NATIONAL_DIGITS, actual=len(national))


def format_phone(normal: str) -> str:
    """Display form ``+976 9911 2233``; anything not in normal form is shown as it is."""
    if not _NORMAL_PHONE_RE.fullmatch(normal):
        return normal
    return f"{normal[:4]} {normal[4:8]} {normal[8:]}"


# --------------------------------------------------------------------------------------------
# Case numbers
# --------------------------------------------------------------------------------------------

# The service was set up long after 2000: an earlier year is a typo, not an archive case.
MIN_CASE_YEAR = 2000
MAX_CASE_YEAR = 9999
MAX_CASE_SEQ = 999_999
# Counters are kept to nine digits so parsing can never reach int()'s huge-number guard.
MAX_DEVICE_COUNTER = 999_999_999

# 32 symbols (5 bits each) without 0/O and 1/I, which operators confuse when reading aloud.
DEVICE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
DEVICE_CODE_LENGTH = 4

_SEP = r"(?:\s*-\s*|\s+)"
_PERMANENT_RE = re.compile(rf"([0-9]{{4}}){_SEP}([0-9]{{1,6}})|([0-9]{{4}})([0-9]{{6}})")
_PROVISIONAL_RE = re.compile(rf"P{_SEP}([0-9A-Z]{{{DEVICE_CODE_LENGTH}}}){_SEP}([0-9]{{1,9}})")


@dataclass(frozen=True, slots=True)
class CaseNumber:
    """A parsed case number.

    Permanent numbers (``2026-000123``) are assigned by the central service; provisional ones
    (``P-7K3Q-17``) are made up on a device while offline and replaced once synced. Device codes
    are a 20-bit hash, so two devices can share one: a provisional number is a label for people,
    never a key.
    """

    kind: CaseKind
    text: str
    year: int | None = None
    seq: int | None = None
    device: str | None = None
    counter: int | None = None

    @property
    def is_provisional(self) -> bool:
        return self.kind == "provisional"

    def __str__(self) -> str:
        return self.text


def _is_device_code(code: str) -> bool:
    return len(code) == DEVICE_CODE_LENGTH and all(ch in DEVICE_ALPHABET for ch in code)


def format_case_number(year: int, seq: int) -> str:
    """``2026-000123``: zero-padded so the numbers sort and read back the same everywhere."""
    if not MIN_CASE_YEAR <= year <= MAX_CASE_YEAR:
        raise ValueError(f"case year out of range: {year}")
    if not 1 <= seq <= MAX_CASE_SEQ:
        raise ValueError(f"case sequence out of range: {seq}")
    return f"{year:04d}-{seq:06d}"


def provisional_case_number(device_code: str, counter: int) -> str:
    """``P-7K3Q-17``: the number a device shows for a case until the central one arrives."""
    if not _is_device_code(device_code):
        raise ValueError(f"not a device code: {device_code!r}")
    if not 1 <= counter <= MAX_DEVICE_COUNTER:
        raise ValueError(f"device counter out of range: {counter}")
    return f"P-{device_code}-{counter}"


def device_code_for(client_id: str) -> str:
    """Four symbols from a hash of the client id: stable across reinstalls of the same client."""
    # surrogatepass: the id is opaque text and must hash even if it is not valid UTF-8.
    digest = hashlib.sha256(client_id.encode("utf-8", "surrogatepass")).digest()
    bits = int.from_bytes(digest[:4], "big")
    return "".join(
        DEVICE_ALPHABET[(bits >> (27 - 5 * i)) & 0x1F] for i in range(DEVICE_CODE_LENGTH)
    )


def parse_case_number(text: str, field: str = "case_no") -> CaseNumber | FieldError:
    """Read a permanent or provisional case number, forgiving case, spacing and dash style.

    The sequence of a permanent number may be typed without its leading zeros
    (``2026-123`` is ``2026-000123``).
    """
    cleaned = text.strip().upper()
    for dash in _DASHES[1:]:
        cleaned = cleaned.replace(dash, "-")
    if not cleaned:
        return _refuse(field, Reason.REQUIRED, text)

    if m := _PERMANENT_RE.fullmatch(cleaned):
        year = int(m.group(1) or m.group(3))
        seq = int(m.group(2) or m.group(4))
        if not (MIN_CASE_YEAR <= year <= MAX_CASE_YEAR and 1 <= seq <= MAX_CASE_SEQ):
            return _refuse(field, Reason.OUT_OF_RANGE, text)
        return CaseNumber("permanent", format_case_number(year, seq), year=year, seq=seq)

    if m := _PROVISIONAL_RE.fullmatch(cleaned):
        device, counter = m.group(1), int(m.group(2))
        if not _is_device_code(device):
            return _refuse(field, Reason.BAD_FORMAT, text)
        if counter < 1:
            return _refuse(field, Reason.OUT_OF_RANGE, text)
        return CaseNumber(
            "provisional",
            provisional_case_number(device, counter),
            device=device,
            counter=counter,
        )

    return _refuse(field, Reason.BAD_FORMAT, text)
