"""Generated, realistic-looking demo data: the directory of the sample centres and citizens'
cases with Mongolian names, registration and phone numbers, places and notes.

Nothing here is real: names are drawn from common given names, registration and phone numbers
are generated. Used by `central seed-demo` and by the benchmarks; deterministic per seed.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from operator_app.domain.deadlines import due_date
from operator_app.domain.identifiers import format_case_number
from operator_app.domain.model import (
    Call,
    CallDirection,
    CallOutcome,
    Case,
    CaseType,
    Channel,
    Note,
    NoteVisibility,
    Priority,
    Role,
    Status,
    TimelineEntry,
    TimelineKind,
)
from operator_app.domain.mutators import Rules
from operator_app.reference import admin_units, categories


@dataclass(frozen=True, slots=True)
class DemoCentre:
    code: str
    name_mn: str
    name_en: str


@dataclass(frozen=True, slots=True)
class DemoTeam:
    id: str
    centre: str
    name_mn: str
    name_en: str


@dataclass(frozen=True, slots=True)
class DemoOperator:
    id: str
    username: str
    display_name: str
    role: Role
    centres: tuple[str, ...]
    teams: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DemoDirectory:
    centres: tuple[DemoCentre, ...]
    teams: tuple[DemoTeam, ...]
    operators: tuple[DemoOperator, ...]

    def team_members(self, team: str) -> tuple[DemoOperator, ...]:
        return tuple(o for o in self.operators if team in o.teams and o.role is Role.OPERATOR)


@dataclass(frozen=True, slots=True)
class SyntheticCitizen:
    id: str
    name: str
    reg_no: str
    phone: str
    address: str
    location: str


@dataclass(frozen=True, slots=True)
class CaseBundle:
    case: Case
    notes: tuple[Note, ...]
    calls: tuple[Call, ...]
    timeline: tuple[TimelineEntry, ...]


GIVEN_NAMES = tuple(
    [
        "Бат-Эрдэнэ",
        "Болд",
        "Оюунчимэг",
        "Сарангэрэл",
        "Энхжаргал",
        "Ганбаатар",
        "Мөнхбат",
        "Нарантуяа",
        "Түвшинжаргал",
        "Эрдэнэбилэг",
        "Цэцэгмаа",
        "Батбаяр",
        "Алтанцэцэг",
        "Дорж",
        "Наранбаатар",
        "Хонгорзул",
        "Ариунаа",
        "Тэмүүлэн",
        "Билгүүн",
        "Анхбаяр",
        "Золжаргал",
        "Энхтуяа",
        "Мөнхзул",
        "Уянга",
        "Номин",
        "Өлзийбаяр",
        "Баасанжав",
        "Гантулга",
        "Сүхбат",
        "Отгонбаяр",
        "Пүрэвсүрэн",
        "Хулан",
        "Төмөрбаатар",
        "Одгэрэл",
        "Жаргалсайхан",
        "Үүрцайх",
        "Ганзориг",
        "Мандах",
        "Эрдэнэчимэг",
        "Чингүүн",
        "Батцэцэг",
        "Лхагвасүрэн",
        "Содном",
        "Дэлгэрмаа",
        "Түмэндэмбэрэл",
        "Сэлэнгэ",
        "Амарсайхан",
        "Буянтогтох",
        "Цолмон",
        "Халиун",
    ]
)
FATHER_NAMES = tuple(
    [
        "Дорж",
        "Батаа",
        "Гомбо",
        "Цэрэн",
        "Пүрэв",
        "Лхагва",
        "Даваа",
        "Баяр",
        "Ганболд",
        "Батсүх",
        "Нямаа",
        "Очир",
        "Сүрэн",
        "Төмөр",
        "Дамдин",
        "Жамц",
        "Мягмар",
        "Бямба",
        "Ням",
        "Өлзий",
        "Энхбаяр",
        "Ганхуяг",
        "Чулуун",
        "Батжаргал",
        "Эрдэнэ",
        "Сэрээтэр",
        "Хүрэл",
        "Алтангэрэл",
    ]
)
REG_PREFIXES = ("УБ", "УЕ", "УК", "УН", "УП", "УЧ", "ДА", "ДО", "ЕЮ", "ИБ", "ОЮ", "ТА", "ЧЕ")
MOBILE_PREFIXES = ("88", "89", "99", "95", "94", "85", "86", "80", "91", "98", "96", "90")

_SUBJECTS: dict[str, tuple[str, ...]] = {
    "land_and_property": ("Газрын зөвшөөрөл удааширч байна", "Хашааны хил маргаан"),
    "health": ("Эмнэлэгт дугаар авч чадахгүй байна", "Эмийн үнэ өндөр", "Түргэн тусламж удсан"),
    "education": ("Цэцэрлэгт хүүхэд хамрагдаагүй", "Сургуулийн хичээлийн хуваарь"),
    "social_welfare": ("Тэтгэвэр олгогдоогүй", "Хүүхдийн мөнгө ороогүй"),
    "labour": ("Цалин олгоогүй", "Ажлаас үндэслэлгүй халсан"),
    "transport_and_roads": ("Автобус ирэхгүй байна", "Замын нүх засаагүй", "Гэрэл асахгүй"),
    "utilities_and_heating": (
        "Байрны халаалт муу",
        "Халуун ус ирэхгүй байна",
        "Цахилгаан тасарсан",
    ),
    "environment_and_air_quality": ("Гэр хорооллын утаа", "Хог ачихгүй байна"),
    "police_and_public_order": ("Согтуу этгээд шуугиан тарьж байна", "Хулгайн гомдол"),
    "corruption_and_misconduct": ("Албан тушаалтан хээл хахууль авсан", "Ашиг сонирхлын зөрчил"),
    "civil_registration_and_documents": ("Иргэний үнэмлэх солих", "Төрсний гэрчилгээ"),
    "taxes_and_fees": ("Татварын буцаан олголт", "Үл хөдлөхийн татвар"),
    "other": ("Мэдээлэл авах", "Бусад асуудал"),
}
_DESCRIPTION_PARTS = (
    "Иргэн утсаар хандаж {subject} гэж мэдэгдэв.",
    "{place}-д амьдардаг.",
    "Өмнө нь холбогдох байгууллагад хандсан боловч шийдвэрлэгдээгүй гэв.",
    "Хариуг утсаар өгөхийг хүссэн.",
    "Асуудал гурав дахь өдөр үргэлжилж байна.",
    "Хүүхэд, өндөр настан байгаа тул яаралтай шийдвэрлүүлэхийг хүсэв.",
)
_NOTES = (
    "Иргэнтэй дахин холбогдож нэмэлт мэдээлэл авлаа.",
    "Холбогдох байгууллагад шилжүүлэхээр бэлтгэв.",
    "Иргэн хариуг хүлээж байгаа.",
    "Дүүргийн Засаг даргын Тамгын газартай холбогдов.",
    "Баримт бичгийн хуулбарыг цахим шуудангаар авлаа.",
)
_TYPE_WEIGHTS = (
    (CaseType.COMPLAINT, 6465),
    (CaseType.REQUEST, 2098),
    (CaseType.SUGGESTION, 1677),
    (CaseType.INFORMATION, 900),
    (CaseType.PETITION, 600),
    (CaseType.THANKS, 358),
    (CaseType.CRITICISM, 112),
)
_STATUS_WEIGHTS = (
    (Status.NEW, 15),
    (Status.IN_PROGRESS, 25),
    (Status.WAITING, 5),
    (Status.TRANSFERRED, 15),
    (Status.RESOLVED, 25),
    (Status.CLOSED, 15),
)
_CHANNEL_WEIGHTS = (
    (Channel.PHONE, 70),
    (Channel.WEB, 8),
    (Channel.MOBILE_APP, 7),
    (Channel.SMS, 4),
    (Channel.FACEBOOK, 4),
    (Channel.EMAIL, 2),
    (Channel.WEB_CHAT, 2),
    (Channel.WALK_IN, 1),
    (Channel.LETTER, 1),
    (Channel.VOICEMAIL, 1),
)


def demo_directory() -> DemoDirectory:
    """The sample centres (the 11-11 centre and two merged hotlines), teams and people."""
    centres = (
        DemoCentre("c1111", "11-11 төв (жишээ)", "11-11 Centre (sample)"),
        DemoCentre(
            "c1800", "Иргэдийн халамжийн утас 1800 (жишээ)", "Welfare hotline 1800 (sample)"
        ),
        DemoCentre(
            "c1900", "Нийтийн аж ахуйн утас 1900 (жишээ)", "Utilities hotline 1900 (sample)"
        ),
    )
    teams = (
        DemoTeam("t1111-a", "c1111", "Хүлээн авах баг А", "Intake team A"),
        DemoTeam("t1111-b", "c1111", "Хүлээн авах баг Б", "Intake team B"),
        DemoTeam("t1111-f", "c1111", "Хяналтын баг", "Follow-up team"),
        DemoTeam("t1800-a", "c1800", "Халамжийн баг", "Welfare team"),
        DemoTeam("t1900-a", "c1900", "Дулаан, усны баг", "Heating and water team"),
    )
    rng = random.Random(1111)
    operators: list[DemoOperator] = [
        DemoOperator(
            "op-demo", "demo-operator", "Демо Оператор", Role.OPERATOR, ("c1111",), ("t1111-a",)
        ),
        DemoOperator(
            "sup-demo",
            "demo-supervisor",
            "Демо Ахлах",
            Role.SUPERVISOR,
            ("c1111", "c1800", "c1900"),
            ("t1111-a", "t1111-b", "t1111-f"),
        ),
        DemoOperator("admin-demo", "demo-admin", "Демо Админ", Role.ADMIN, (), ()),
        DemoOperator(
            "aud-demo",
            "demo-auditor",
            "Демо Аудитор",
            Role.AUDITOR,
            ("c1111", "c1800", "c1900"),
            (),
        ),
    ]
    for team in teams:
        for i in range(6):
            name = f"{rng.choice(FATHER_NAMES)[0]}. {rng.choice(GIVEN_NAMES)}"
            operators.append(
                DemoOperator(
                    f"op-{team.id}-{i}",
                    f"{team.id}-{i}",
                    name,
                    Role.OPERATOR,
                    (team.centre,),
                    (team.id,),
                )
            )
        operators.append(
            DemoOperator(
                f"sup-{team.id}",
                f"sup-{team.id}",
                f"{rng.choice(GIVEN_NAMES)} (ахлах)",
                Role.SUPERVISOR,
                (team.centre,),
                (team.id,),
            )
        )
    return DemoDirectory(centres, teams, tuple(operators))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _reg_no(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 56))
    month = born.month + (20 if born.year >= 2000 else 0)
    digits = f"{born.year % 100:02d}{month:02d}{born.day:02d}{rng.randrange(100):02d}"
    return rng.choice(REG_PREFIXES) + digits


def _places() -> tuple[list[str], dict[str, str]]:
    units = admin_units()
    names = {u.code: u.name for u in units}
    return [u.code for u in units if u.level == 3], names


def citizens(n: int, seed: int = 0) -> list[SyntheticCitizen]:
    """`n` generated citizens with unique registration and phone numbers."""
    rng = random.Random(seed)
    bags, names = _places()
    out: list[SyntheticCitizen] = []
    seen_reg: set[str] = set()
    seen_phone: set[str] = set()
    while len(out) < n:
        reg = _reg_no(rng)
        phone = "+976" + rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**6):06d}"
        if reg in seen_reg or phone in seen_phone:
            continue
        seen_reg.add(reg)
        seen_phone.add(phone)
        bag = rng.choice(bags)
        soum, aimag = bag[:4], bag[:2]
        address = f"{names[aimag]}, {names[soum]}, {names[bag]}, {rng.randrange(1, 120)}-р байр"
        name = f"{rng.choice(FATHER_NAMES)} {rng.choice(GIVEN_NAMES)}"
        out.append(SyntheticCitizen(_uuid(rng), name, reg, phone, address, bag))
    return out


def _weighted(rng: random.Random, table: tuple[tuple[object, int], ...]) -> list[object]:
    values = [v for v, _ in table]
    weights = [w for _, w in table]
    return rng.choices(values, weights, k=4096)


def case_bundles(
    n: int,
    *,
    seed: int = 0,
    now: datetime,
    directory: DemoDirectory,
    rules: Rules,
    people: list[SyntheticCitizen] | None = None,
    first_number: int = 1,
) -> Iterator[CaseBundle]:
    """`n` generated cases spread over the last 120 days, with notes, calls and a timeline."""
    rng = random.Random(seed)
    people = people if people is not None else citizens(max(50, n // 3), seed)
    bags, place_names = _places()
    top_categories = [c for c in categories() if c.parent is None]
    sub_categories: dict[str, list[str]] = {}
    for c in categories():
        if c.parent:
            sub_categories.setdefault(c.parent, []).append(c.code)
    types = _weighted(rng, _TYPE_WEIGHTS)
    statuses = _weighted(rng, _STATUS_WEIGHTS)
    channels = _weighted(rng, _CHANNEL_WEIGHTS)
    members = {t.id: directory.team_members(t.id) for t in directory.teams}
    teams = [t for t in directory.teams if members[t.id]]
    for i in range(n):
        j = i % 4096
        team = teams[rng.randrange(len(teams))]
        top = rng.choice(top_categories)
        category = rng.choice(sub_categories.get(top.code) or [top.code])
        registered = now - timedelta(seconds=rng.randrange(120 * 86400))
        case_type: CaseType = types[(j + i // 4096) % 4096]  # type: ignore[assignment]
        status: Status = statuses[(j * 7 + i // 4096) % 4096]  # type: ignore[assignment]
        anonymous = rng.random() < 0.08
        person = None if anonymous else people[rng.randrange(len(people))]
        bag = person.location if person else rng.choice(bags)
        subject = rng.choice(_SUBJECTS.get(top.code, _SUBJECTS["other"]))
        description = " ".join(
            part.format(subject=subject.lower(), place=place_names[bag[:4]])
            for part in rng.sample(_DESCRIPTION_PARTS, 3)
        )
        unassigned = status is Status.NEW and rng.random() < 0.6
        assignee = None if unassigned else rng.choice(members[team.id]).id
        case_id = _uuid(rng)
        case = Case(
            id=case_id,
            centre=team.centre,
            channel=channels[(j * 13 + i // 4096) % 4096],  # type: ignore[arg-type]
            type=case_type,
            category=category,
            subject=subject,
            description=description,
            registered_at=registered,
            created_by=assignee or members[team.id][0].id,
            status=status,
            priority=Priority.HIGH if rng.random() < 0.1 else Priority.NORMAL,
            confidential=top.confidential,
            number=format_case_number(registered.year, first_number + i),
            citizen_id=person.id if person else None,
            citizen_name=person.name if person else "",
            reg_no=person.reg_no if person else None,
            phone=person.phone if person else None,
            address=person.address if person else "",
            location=bag,
            assignee=assignee,
            team=team.id,
            assigned_by=assignee and "sup-demo",
            assigned_at=registered if assignee else None,
            agency="capital_city_governor" if status is Status.TRANSFERRED else None,
            resolution="Иргэнд утсаар хариу өгсөн." if status is Status.RESOLVED else "",
            due_date=due_date(case_type, None, registered, 0, rules.deadlines, rules.calendar),
            updated_at=registered,
        )
        author = assignee or case.created_by
        notes = tuple(
            Note(
                _uuid(rng),
                case_id,
                author,
                rng.choice(_NOTES),
                NoteVisibility.INTERNAL,
                registered + timedelta(hours=k + 1),
            )
            for k in range(rng.choice((0, 1, 1, 2, 3)))
        )
        calls = ()
        if case.channel is Channel.PHONE:
            calls = (
                Call(
                    _uuid(rng),
                    case_id,
                    case.created_by,
                    CallDirection.INBOUND,
                    case.phone,
                    registered,
                    rng.randrange(40, 900),
                    CallOutcome.ANSWERED,
                ),
            )
        timeline = (
            TimelineEntry(
                case_id, registered, case.created_by, TimelineKind.CREATED, "create_case"
            ),
        )
        yield CaseBundle(case, notes, calls, timeline)
