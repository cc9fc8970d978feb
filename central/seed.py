"""Seeding: the shipped reference data, and the demo's directory, citizens and cases."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, insert

from central.data import cases as case_store
from central.data import directory, meta
from central.data.clock import record_commit, take_seq
from central.data.engine import analyze, write_transaction
from central.data.tables import calls, case_changes, cases, notes, timeline
from central.directory import reference_key
from central.identity import Account
from central.migrate import is_current, upgrade
from central.passwords import Passwords
from central.scope import ScopeKey
from central.settings import Settings
from central.wire import dumps, encode_record
from operator_app.domain.errors import FieldError
from operator_app.domain.identifiers import parse_case_number
from operator_app.reference import default_rules, load_json
from sync.protocol import CitizenRecord

log = logging.getLogger(__name__)
T = TypeVar("T")

DEMO_PASSWORD = "demo"
DEMO_CASE_SEED = 2026
_BATCH = 1000

# (kind, file, list key) of the shipped reference data in resources/data.
_REFERENCE_FILES = (
    ("category", "categories.json", "categories"),
    ("agency", "agencies.json", "agencies"),
    ("admin_unit", "admin_units.json", "units"),
    ("deadline_rule", "deadline_rules.json", "rules"),
)


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _stamp(conn: Connection, kind: str, now: datetime) -> int:
    seq = take_seq(conn)
    record_commit(conn, seq, kind, now)
    return seq


def reference_records() -> list[tuple[str, dict[str, Any]]]:
    """(kind, item) for every shipped reference record."""
    out: list[tuple[str, dict[str, Any]]] = []
    for kind, name, key in _REFERENCE_FILES:
        out.extend((kind, dict(item)) for item in load_json(name)[key])
    for year in load_json("holidays.json")["years"].values():
        out.extend(("holiday", dict(item)) for item in year)
    return out


def seed_reference_data(engine: Engine) -> bool:
    """Load the shipped reference data once (migrating the schema first if it is not
    current); False if it was already there."""
    if not is_current(engine):
        upgrade(engine)
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        if meta.get(conn, meta.REFERENCE_SEEDED) is not None:
            return False
        seq = _stamp(conn, "seed", now)
        rows = [
            {
                "kind": kind,
                "key": reference_key(kind, item),
                "data": dumps(item),
                "deleted": False,
                "seq": seq,
            }
            for kind, item in reference_records()
        ]
        for chunk in _chunks(rows, _BATCH):
            directory.save_reference_items(conn, chunk)
        meta.put(conn, meta.REFERENCE_SEEDED, now.isoformat())
    return True


def seed_demo(
    engine: Engine,
    cases: int = 2000,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    passwords: Passwords | None = None,
    progress: Callable[[int], None] | None = None,
) -> bool:
    """The demo's centres, teams, accounts (password "demo"), citizens and `cases` cases, on a
    database migrated first if needed; once per database: False if it was already seeded."""
    from operator_app.synthetic import case_bundles, citizens, demo_directory

    settings = settings or Settings()
    passwords = passwords or Passwords(settings)
    now = now or datetime.now(UTC)
    seed_reference_data(engine)
    with write_transaction(engine) as conn:
        if meta.get(conn, meta.DEMO_SEEDED) is not None:
            return False
        meta.put(conn, meta.DEMO_SEEDED, now.isoformat())
        demo = demo_directory()
        seq = _stamp(conn, "seed", now)
        for centre in demo.centres:
            directory.save_centre(conn, centre.code, centre.name_mn, centre.name_en, True, seq)
        for team in demo.teams:
            directory.save_team(
                conn,
                directory.TeamRow(team.id, team.centre, team.name_mn, team.name_en, False),
                seq,
            )
        # Every demo account has the same published password; one hash serves them all.
        password_hash = passwords.hash(DEMO_PASSWORD)
        for person in demo.operators:
            account = Account(
                id=person.id,
                username=person.username,
                display_name=person.display_name,
                role=person.role,
                centres=frozenset(person.centres),
                teams=frozenset(person.teams),
                primary_team=person.teams[0] if person.teams else None,
            )
            directory.insert_operator(conn, account, password_hash, seq, now)
    people = citizens(settings.demo_registry_size, settings.demo_registry_seed)
    bundles = case_bundles(
        cases, seed=DEMO_CASE_SEED, now=now, directory=demo, rules=default_rules(), people=people
    )
    by_id = {p.id: p for p in people}
    floors: dict[int, int] = {}
    done = 0
    for chunk in _chunks(bundles, _BATCH):
        with write_transaction(engine) as conn:
            seq = _stamp(conn, "seed", now)
            _insert_bundles(conn, chunk, seq)
            for citizen_id in {b.case.citizen_id for b in chunk if b.case.citizen_id}:
                person = by_id[citizen_id]
                record = CitizenRecord(
                    id=person.id,
                    name=person.name,
                    reg_no=person.reg_no,
                    phone=person.phone,
                    address=person.address,
                    location=person.location,
                )
                case_store.save_citizen(conn, record, seq)
        for bundle in chunk:
            number = parse_case_number(bundle.case.number or "")
            if not isinstance(number, FieldError) and number.year and number.seq:
                floors[number.year] = max(floors.get(number.year, 0), number.seq)
        done += len(chunk)
        if progress is not None:
            progress(done)
    with write_transaction(engine) as conn:
        for year, last in floors.items():
            case_store.set_case_number_floor(conn, year, last)
    analyze(engine)
    log.info("seeded the demo: %d accounts, %d cases", len(demo.operators), done)
    return True


def _insert_bundles(conn: Connection, bundles: Iterable[Any], seq: int) -> None:
    case_rows, note_rows, call_rows, timeline_rows, change_rows = [], [], [], [], []
    for bundle in bundles:
        case = bundle.case
        case_rows.append(case_store.case_row(case, seq))
        change_rows.append(case_store.change_row(seq, case.id, None, ScopeKey.of(case)))
        note_rows.extend(
            {"id": n.id, "case_id": case.id, "seq": seq, "data": encode_record(n)}
            for n in bundle.notes
        )
        call_rows.extend(
            {"id": c.id, "case_id": case.id, "seq": seq, "data": encode_record(c)}
            for c in bundle.calls
        )
        timeline_rows.extend(
            {"case_id": case.id, "seq": seq, "data": encode_record(t)} for t in bundle.timeline
        )
    for table, rows in (
        (cases, case_rows),
        (notes, note_rows),
        (calls, call_rows),
        (timeline, timeline_rows),
        (case_changes, change_rows),
    ):
        if rows:
            conn.execute(insert(table), rows)
