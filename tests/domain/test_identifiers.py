"""Registration numbers, phone numbers and case numbers as operators actually type them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from operator_app.domain.errors import FieldError, Reason
from operator_app.domain.identifiers import (
    DEVICE_ALPHABET,
    CaseNumber,
    RegistrationNumber,
    device_code_for,
    format_case_number,
    format_phone,
    normalize_phone,
    parse_case_number,
    parse_registration_number,
    phone_digits,
    provisional_case_number,
)

NASTY = ["", " ", "\x00", "\u200b", "😀" * 20, "x" * 10_000, "\ud800", "\r\n\t", "９９１１２２３３"]

REG_LETTERS = "АБВГДЕЁЖЗИЙКЛМНОӨПРСТУҮФХЦЧШЩЪЫЬЭЮЯ"


def reason(result: object) -> Reason:
    assert isinstance(result, FieldError), result
    return result.reason


@st.composite
def registration_numbers(draw: st.DrawFn) -> str:
    letters = draw(st.text(alphabet=REG_LETTERS, min_size=2, max_size=2))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
    month = born.month + (20 if born.year >= 2000 else 0)
    tail = draw(st.integers(0, 99))
    return f"{letters}{born.year % 100:02d}{month:02d}{born.day:02d}{tail:02d}"


# --- registration numbers ----------------------------------------------------------------------


def test_registration_number_example_from_the_last_century() -> None:
    r = parse_registration_number("УБ99112233")
    assert isinstance(r, RegistrationNumber)
    assert r.text == str(r) == "УБ99112233"
    assert r.birth_date == date(1999, 11, 22)
    assert r.sex == "male"


def test_births_from_2000_have_20_added_to_the_month() -> None:
    r = parse_registration_number("УБ01250512")
    assert isinstance(r, RegistrationNumber)
    # Digits 1-6 are 012505: 2001, month 25 - 20 = 5, day 05.
    assert r.birth_date == date(2001, 5, 5)
    r = parse_registration_number("УБ01251234")
    assert isinstance(r, RegistrationNumber)
    assert r.birth_date == date(2001, 5, 12)


def test_sex_is_the_ninth_character() -> None:
    assert parse_registration_number("УБ99112243").sex == "female"  # type: ignore[union-attr]
    assert parse_registration_number("УБ99112253").sex == "male"  # type: ignore[union-attr]


def test_check_digit_is_not_verified() -> None:
    texts = [f"УБ9911223{d}" for d in "0123456789"]
    assert all(isinstance(parse_registration_number(t), RegistrationNumber) for t in texts)


@pytest.mark.parametrize(
    "typed",
    [
        "УБ99112233",
        "  УБ99112233\t",
        "уб99112233",
        "Уб 9911 2233",
        "УБ-99-11-22-33",
        "УБ–99112233",  # en dash pasted from a document
        "YБ99112233",  # Latin Y looks like У
        "yб99112233",
        "Yb99112233".replace("b", "Б"),
    ],
)
def test_registration_number_forgives_typing(typed: str) -> None:
    assert parse_registration_number(typed) == RegistrationNumber("УБ99112233")


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("AB99112233", "АВ99112233"),
        ("KP99112233", "КР99112233"),
        ("mh99112233", "МН99112233"),
        ("Өү99112233", "ӨҮ99112233"),
        ("ёx99112233", "ЁХ99112233"),
    ],
)
def test_latin_lookalikes_become_cyrillic(typed: str, normal: str) -> None:
    r = parse_registration_number(typed)
    assert isinstance(r, RegistrationNumber)
    assert r.text == normal


def test_latin_transliteration_is_not_guessed() -> None:
    # "UB" is how УБ transliterates, but U is no look-alike and B looks like В, not Б:
    # guessing would produce another valid number, so the operator is asked to retype.
    assert reason(parse_registration_number("ub99112233")) is Reason.BAD_FORMAT
    assert reason(parse_registration_number("UB99112233")) is Reason.BAD_FORMAT


@pytest.mark.parametrize("typed", ["", "   ", "\t\n", "--", " - "])
def test_empty_registration_number_is_required(typed: str) -> None:
    assert reason(parse_registration_number(typed)) is Reason.REQUIRED


@pytest.mark.parametrize(
    "typed",
    [
        "УБ9911223",
        "УБ991122334",
        "99112233",
        "У99112233",
        "УБВ99112233",
        "1299112233",
        "QQ99112233",
        "ƏБ99112233",
        "ІБ99112233",  # Ukrainian І is not a Mongolian letter
        "УБ9911223З",  # Cyrillic З for the digit 3
        "УБ٩٩١١٢٢٣٣",  # Arabic-Indic digits
        "УБ99112233 УБ99112233",
        "x" * 10_000,
        "😀😀99112233",
    ],
)
def test_malformed_registration_number(typed: str) -> None:
    assert reason(parse_registration_number(typed)) is Reason.BAD_FORMAT


@pytest.mark.parametrize(
    "typed",
    [
        "УБ99000133",  # month 0
        "УБ99132233",  # month 13
        "УБ99202233",  # month 20, i.e. 2099-00
        "УБ99332233",  # month 33, i.e. 2099-13
        "УБ99910133",
        "УБ99023033",  # 30 February
        "УБ99110033",  # day 0
        "УБ99113233",
        "УБ01222933",  # 29 February 2001
    ],
)
def test_impossible_birth_date(typed: str) -> None:
    assert reason(parse_registration_number(typed)) is Reason.BAD_DATE


def test_leap_day_is_a_birth_date() -> None:
    r = parse_registration_number("УБ00222933")
    assert isinstance(r, RegistrationNumber)
    assert r.birth_date == date(2000, 2, 29)


def test_error_names_the_field_and_quotes_a_bounded_value() -> None:
    err = parse_registration_number("x" * 10_000, field="applicant_reg_no")
    assert isinstance(err, FieldError)
    assert err.field == "applicant_reg_no"
    assert len(err.value) < 100


def test_constructor_only_takes_the_normal_form() -> None:
    for bad in ["уб99112233", "УБ99132233", "", "УБ 99112233"]:
        with pytest.raises(ValueError):
            RegistrationNumber(bad)


@given(registration_numbers())
def test_registration_number_round_trips(text: str) -> None:
    r = parse_registration_number(text)
    assert isinstance(r, RegistrationNumber)
    assert parse_registration_number(str(r)) == r
    assert r.sex in ("male", "female")
    yy, mm, dd = int(text[2:4]), int(text[4:6]), int(text[6:8])
    assert (r.birth_date.year % 100, r.birth_date.month, r.birth_date.day) == (yy, mm % 20, dd)


@given(registration_numbers(), st.data())
def test_registration_number_survives_spacing_and_case(text: str, data: st.DataObject) -> None:
    seps = data.draw(st.lists(st.sampled_from(["", " ", "-", "\u00a0"]), min_size=10, max_size=10))
    messy = "".join(ch.lower() + sep for ch, sep in zip(text, seps, strict=True))
    assert parse_registration_number(f"  {messy} ") == parse_registration_number(text)


@given(st.text())
def test_registration_parser_never_raises(text: str) -> None:
    assert isinstance(parse_registration_number(text), RegistrationNumber | FieldError)


@pytest.mark.parametrize("text", NASTY)
def test_registration_parser_survives_nasty_input(text: str) -> None:
    assert isinstance(parse_registration_number(text), FieldError)


# --- phone numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "99112233",
        "9911 2233",
        "9911-2233",
        "9911.2233",
        "(9911) 2233",
        "+97699112233",
        "+976 9911 2233",
        "+976-9911-2233",
        "(+976) 9911-2233",
        "97699112233",
        "976 9911 2233",
        "0097699112233",
        "00 976 9911 2233",
        "\t99112233\n",
    ],
)
def test_phone_normal_form(typed: str) -> None:
    assert normalize_phone(typed) == "+97699112233"


def test_eight_digits_are_a_national_number_whatever_they_start_with() -> None:
    assert normalize_phone("97611223") == "+97697611223"
    assert normalize_phone("00976112") == "+97600976112"


@pytest.mark.parametrize("typed", ["", "  ", "\n"])
def test_empty_phone_is_required(typed: str) -> None:
    assert reason(normalize_phone(typed)) is Reason.REQUIRED


@pytest.mark.parametrize("typed", ["102", "105", "1111", "11-11", "7", "0"])
def test_service_numbers_are_not_citizen_numbers(typed: str) -> None:
    assert reason(normalize_phone(typed)) is Reason.NOT_CITIZEN_NUMBER


@pytest.mark.parametrize(
    "typed", ["99112", "9911223", "991122334", "+976", "+976 102", "00976 9911", "123456789012"]
)
def test_phone_with_wrong_length(typed: str) -> None:
    assert reason(normalize_phone(typed)) is Reason.BAD_LENGTH


def test_wrong_length_says_how_many_digits_were_expected() -> None:
    err = normalize_phone("9911223")
    assert isinstance(err, FieldError)
    assert err.details == {"expected": 8, "actual": 7}


@pytest.mark.parametrize(
    "typed",
    [
        "9911 22ab",
        "phone",
        "99112233 ext 5",
        "+7 916 123 45 67",  # foreign
        "0079161234567",
        "99+112233",
        "++97699112233",
        "9911/2233",
        "+",
        "()",
        "９９１１２２３３",  # full-width digits
        "😀",
    ],
)
def test_malformed_phone(typed: str) -> None:
    assert reason(normalize_phone(typed)) is Reason.BAD_FORMAT


national_numbers = st.text(alphabet="0123456789", min_size=8, max_size=8)


@given(national_numbers)
def test_phone_normalisation_is_idempotent(national: str) -> None:
    normal = normalize_phone(national)
    assert normal == "+976" + national
    assert normalize_phone(normal) == normal
    assert normalize_phone(format_phone(normal)) == normal


@given(national_numbers, st.data())
def test_phone_separators_do_not_matter(national: str, data: st.DataObject) -> None:
    prefix = data.draw(st.sampled_from(["", "+976", "976", "00976", "+976 ", "(+976) "]))
    seps = data.draw(
        st.lists(st.sampled_from(["", " ", "-", ".", "(", ")"]), min_size=8, max_size=8)
    )
    typed = prefix + "".join(d + s for d, s in zip(national, seps, strict=True))
    assert normalize_phone(typed) == "+976" + national


@given(st.text())
def test_phone_normaliser_never_raises(text: str) -> None:
    result = normalize_phone(text)
    assert isinstance(result, FieldError) or normalize_phone(result) == result
    assert phone_digits(text).isascii()


@pytest.mark.parametrize("text", NASTY)
def test_phone_normaliser_survives_nasty_input(text: str) -> None:
    assert isinstance(normalize_phone(text), FieldError)


def test_phone_digits_keeps_whatever_digits_were_typed() -> None:
    assert phone_digits("+976 (9911) 22-33") == "97699112233"
    assert phone_digits("…2233") == "2233"
    assert phone_digits("no digits 😀") == ""
    assert phone_digits("９٩") == ""  # only ASCII digits, like normalize_phone


def test_format_phone_for_display() -> None:
    assert format_phone("+97699112233") == "+976 9911 2233"
    assert format_phone("99112233") == "99112233"
    assert format_phone("") == ""


# --- case numbers ------------------------------------------------------------------------------


def test_format_case_number() -> None:
    assert format_case_number(2026, 123) == "2026-000123"
    assert format_case_number(2026, 999_999) == "2026-999999"


@pytest.mark.parametrize(("year", "seq"), [(1999, 1), (10_000, 1), (2026, 0), (2026, 1_000_000)])
def test_format_case_number_refuses_out_of_range(year: int, seq: int) -> None:
    with pytest.raises(ValueError):
        format_case_number(year, seq)


@pytest.mark.parametrize(
    "typed",
    ["2026-000123", " 2026-000123 ", "2026 - 000123", "2026 000123", "2026-123", "2026–123"],
)
def test_parse_permanent_case_number(typed: str) -> None:
    assert parse_case_number(typed) == CaseNumber("permanent", "2026-000123", year=2026, seq=123)


def test_parse_case_number_without_separator_needs_all_six_digits() -> None:
    assert parse_case_number("2026000123") == parse_case_number("2026-000123")
    assert reason(parse_case_number("2026123")) is Reason.BAD_FORMAT


@pytest.mark.parametrize(
    "typed", ["P-7K3Q-17", "p-7k3q-17", "  P-7K3Q-017 ", "P 7K3Q 17", "p–7k3q–17"]
)
def test_parse_provisional_case_number(typed: str) -> None:
    parsed = parse_case_number(typed)
    assert parsed == CaseNumber("provisional", "P-7K3Q-17", device="7K3Q", counter=17)
    assert isinstance(parsed, CaseNumber)
    assert parsed.is_provisional
    assert str(parsed) == "P-7K3Q-17"


@pytest.mark.parametrize("typed", ["", "   "])
def test_empty_case_number_is_required(typed: str) -> None:
    assert reason(parse_case_number(typed)) is Reason.REQUIRED


@pytest.mark.parametrize(
    "typed",
    [
        "123",
        "2026-",
        "2026-0000123",
        "26-000123",
        "P-7K3Q",
        "P-7K3-17",
        "P-7K3QQ-17",
        "P-0K3Q-17",  # 0, O, 1 and I are not in the device alphabet
        "P-OK3Q-17",
        "P-1K3Q-17",
        "P-IK3Q-17",
        "P-7K3Q-1234567890",
        "X-7K3Q-17",
        "2026-000123x",
        "😀",
        "x" * 10_000,
        "1" * 10_000,
    ],
)
def test_malformed_case_number(typed: str) -> None:
    assert reason(parse_case_number(typed)) is Reason.BAD_FORMAT


@pytest.mark.parametrize("typed", ["2026-000000", "1999-000001", "0000-000001", "P-7K3Q-0"])
def test_case_number_out_of_range(typed: str) -> None:
    assert reason(parse_case_number(typed)) is Reason.OUT_OF_RANGE


@given(st.integers(2000, 9999), st.integers(1, 999_999))
def test_permanent_case_number_round_trips(year: int, seq: int) -> None:
    text = format_case_number(year, seq)
    parsed = parse_case_number(text)
    assert parsed == CaseNumber("permanent", text, year=year, seq=seq)
    assert parse_case_number(text.lower()) == parsed


@given(st.text(), st.integers(1, 999_999_999))
def test_provisional_case_number_round_trips(client_id: str, counter: int) -> None:
    device = device_code_for(client_id)
    text = provisional_case_number(device, counter)
    parsed = parse_case_number(text)
    assert parsed == CaseNumber("provisional", text, device=device, counter=counter)
    assert parse_case_number(f" {text.lower()} ") == parsed


@given(st.text())
def test_case_number_parser_never_raises(text: str) -> None:
    result = parse_case_number(text)
    assert isinstance(result, CaseNumber | FieldError)
    if isinstance(result, CaseNumber):
        assert parse_case_number(result.text) == result


@given(st.text())
def test_device_code_is_stable_and_readable(client_id: str) -> None:
    code = device_code_for(client_id)
    assert code == device_code_for(client_id)
    assert len(code) == 4
    assert set(code) <= set(DEVICE_ALPHABET)
    assert not set(code) & set("0O1I")


def test_device_codes_differ_between_clients() -> None:
    codes = {device_code_for(f"client-{n}") for n in range(200)}
    assert len(codes) > 190  # 20-bit codes: a rare collision is expected, not a systematic one


def test_device_alphabet_is_32_distinct_symbols() -> None:
    assert len(set(DEVICE_ALPHABET)) == len(DEVICE_ALPHABET) == 32


@pytest.mark.parametrize(
    ("device", "counter"), [("7k3q", 1), ("7K3", 1), ("0K3Q", 1), ("7K3Q", 0), ("7K3Q", 10**9)]
)
def test_provisional_case_number_refuses_bad_arguments(device: str, counter: int) -> None:
    with pytest.raises(ValueError):
        provisional_case_number(device, counter)
