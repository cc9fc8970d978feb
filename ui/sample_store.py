"""Fill a local store with generated cases, as pulled pages: for screenshots, tests and trials.

Qt-free. The cases come from `operator_app.synthetic` (realistic Mongolian names, numbers and
places, nothing real); the directory (centres, teams, operators) goes in as reference data, so
that names show as they would after a first sync.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import datetime, timedelta
from typing import Any

from operator_app.domain import identifiers
from operator_app.domain.identifiers import format_case_number
from operator_app.domain.records import record_to_json
from operator_app.reference import default_rules
from operator_app.store import Store
from operator_app.synthetic import CaseBundle, DemoDirectory, case_bundles, citizens, demo_directory

PAGE_CASES = 1000
# Generating a bundle and its JSON costs more than storing it: larger fills reuse the JSON of
# generated bundles under fresh ids and numbers (every case is still its own row).
DISTINCT_BUNDLES = 2000


def directory_ops(directory: DemoDirectory) -> list[dict[str, Any]]:
    """The sample centres, teams and operators as reference-data puts."""
    ops: list[dict[str, Any]] = []
    for centre in directory.centres:
        data = {"id": centre.code, "name_mn": centre.name_mn, "name_en": centre.name_en}
        ops.append(_put("centre", centre.code, data))
    for team in directory.teams:
        data = {
            "id": team.id,
            "centre": team.centre,
            "name_mn": team.name_mn,
            "name_en": team.name_en,
        }
        ops.append(_put("team", team.id, data))
    for person in directory.operators:
        data = {
            "id": person.id,
            "display_name": person.display_name,
            "role": person.role.value,
            "centres": list(person.centres),
            "teams": list(person.teams),
        }
        ops.append(_put("operator", person.id, data))
    return ops


def bundle_ops(bundle: CaseBundle) -> list[dict[str, Any]]:
    """One generated case with its notes, calls and timeline, as the central service sends it."""
    case_id = bundle.case.id
    ops = [_put("case", case_id, record_to_json(bundle.case))]
    for kind, records in (("note", bundle.notes), ("call", bundle.calls)):
        for record in records:
            ops.append(_put(kind, record.id, record_to_json(record)))
    for k, entry in enumerate(bundle.timeline):
        data = {**record_to_json(entry), "id": f"{case_id}:{k}"}
        ops.append(_put("timeline", data["id"], data))
    return ops


def sample_ops(
    n: int, *, now: datetime, seed: int = 0, children: bool = True
) -> Iterator[list[dict[str, Any]]]:
    """Per generated case, its ops (the case first; with `children`, its notes, calls and
    timeline), numbered 1..n of their year, registered over the 120 days before `now`.

    Case numbers run to 999,999 a year (YYYY-NNNNNN): past that, each further block of cases
    is a year earlier, registered then and numbered 1.. of a year of its own (as bench/store.py's
    BLOCK does), so that no two cases share a number."""
    directory, rules = demo_directory(), default_rules()
    per_year = identifiers.MAX_CASE_SEQ
    count = min(n, DISTINCT_BUNDLES, per_year)
    people = citizens(max(50, count // 3), seed)

    def templates(block: int, until: datetime) -> list[list[dict[str, Any]]]:
        bundles = case_bundles(
            count, seed=seed + block, now=until, directory=directory, rules=rules, people=people
        )
        return [bundle_ops(b) if children else bundle_ops(b)[:1] for b in bundles]

    block, current = 0, templates(0, now)
    # Block 0 numbers its cases in their registration years; every later block gets a year
    # below all of those.
    first_year = min(int(ops[0]["data"]["registered_at"][:4]) for ops in current) if n else 0
    rng = random.Random(seed + 1)
    for i in range(n):
        if i // per_year != block:
            block = i // per_year
            year = first_year - block
            # A year earlier, and never registered after the year the numbers say.
            until = min(now - timedelta(days=365 * block), _end_of_year(year, now))
            current = templates(block, until)
        ops = current[i % count]
        if i < count:
            yield ops
            continue
        case_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if block == 0:
            yield _renamed(ops, case_id, int(ops[0]["data"]["registered_at"][:4]), i + 1)
        else:
            yield _renamed(ops, case_id, first_year - block, i % per_year + 1)


def _end_of_year(year: int, like: datetime) -> datetime:
    return like.replace(year=year, month=12, day=31, hour=23, minute=59, second=59)


def _renamed(
    ops: list[dict[str, Any]], case_id: str, year: int, number: int
) -> list[dict[str, Any]]:
    """A copy of one case's ops under a new case id and number (children get new ids too)."""
    case = dict(ops[0]["data"])
    case.update(id=case_id, number=format_case_number(year, number))
    out = [_put("case", case_id, case)]
    for k, op in enumerate(ops[1:]):
        child = {**op["data"], "case_id": case_id, "id": f"{case_id}:{op['type']}:{k}"}
        out.append(_put(op["type"], child["id"], child))
    return out


def fill(
    store: Store, n: int, *, now: datetime, seed: int = 0, children: bool = True
) -> DemoDirectory:
    """Apply the directory and `n` generated cases to `store` as pulled pages; waits for all."""
    directory = demo_directory()
    pending: list[Future[Any]] = []

    def apply(ops: list[dict[str, Any]]) -> None:
        page = {
            "cursor": f"sample-{len(pending) + 1}",
            "has_more": True,
            "last_mutation_id": 0,
            "server_time": now.isoformat(),
            "ops": ops,
            "mutation_results": [],
        }
        # A threaded store applies one page while the next is generated here.
        pending.append(store.apply_page(page))
        if len(pending) > 1:
            pending[-2].result()

    apply(directory_ops(directory))
    ops: list[dict[str, Any]] = []
    for count, case_ops in enumerate(sample_ops(n, now=now, seed=seed, children=children), 1):
        ops.extend(case_ops)
        if count % PAGE_CASES == 0:
            apply(ops)
            ops = []
    if ops:
        apply(ops)
    for future in pending:
        future.result()
    return directory


def _put(record_type: str, record_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"op": "put", "type": record_type, "id": record_id, "version": 1, "data": data}
