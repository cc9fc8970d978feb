"""The directory: centres, teams, operators and their memberships, and the reference items."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    bindparam,
    delete,
    insert,
    literal,
    select,
    union_all,
    update,
)

from central.data import meta
from central.data.engine import upsert
from central.data.tables import (
    centres,
    operator_centres,
    operator_teams,
    operators,
    reference_items,
    teams,
)
from central.identity import Account
from operator_app.domain.model import Role

RULE_KINDS = ("holiday", "deadline_rule")


@dataclass(frozen=True, slots=True)
class TeamRow:
    id: str
    centre: str
    name_mn: str
    name_en: str
    deleted: bool


def _account(row: Row[Any], memberships: Iterable[tuple[str, str]]) -> Account:
    centre_set, team_set = set(), set()
    for kind, value in memberships:
        (centre_set if kind == "c" else team_set).add(value)
    return Account(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        centres=frozenset(centre_set),
        teams=frozenset(team_set),
        primary_team=row.primary_team,
        availability=row.availability,
        disabled=row.disabled,
    )


_MEMBERSHIPS = union_all(
    select(literal("c").label("kind"), operator_centres.c.centre.label("value")).where(
        operator_centres.c.operator_id == bindparam("operator_id")
    ),
    select(literal("t").label("kind"), operator_teams.c.team_id.label("value")).where(
        operator_teams.c.operator_id == bindparam("operator_id")
    ),
)


def memberships(conn: Connection, operator_id: str) -> list[tuple[str, str]]:
    """("c", centre) and ("t", team) pairs of one operator, in one round trip."""
    rows = conn.execute(_MEMBERSHIPS, {"operator_id": operator_id})
    return [(kind, value) for kind, value in rows]


def account_from_row(conn: Connection, row: Row[Any]) -> Account:
    """The account of an operators row read elsewhere (e.g. with a token), with memberships."""
    return _account(row, memberships(conn, row.id))


def load_account(conn: Connection, operator_id: str) -> Account | None:
    row = conn.execute(select(operators).where(operators.c.id == operator_id)).first()
    return None if row is None else _account(row, memberships(conn, operator_id))


def account_for_login(conn: Connection, username: str) -> tuple[Account, str] | None:
    """The account and its password hash, by (normalised) username."""
    row = conn.execute(select(operators).where(operators.c.username == username)).first()
    if row is None:
        return None
    return _account(row, memberships(conn, row.id)), row.password_hash


def set_password_hash(conn: Connection, operator_id: str, password_hash: str) -> None:
    conn.execute(
        update(operators).where(operators.c.id == operator_id).values(password_hash=password_hash)
    )


def insert_operator(
    conn: Connection, account: Account, password_hash: str, seq: int, at: datetime
) -> None:
    conn.execute(
        insert(operators).values(
            id=account.id,
            username=account.username,
            display_name=account.display_name,
            role=account.role.value,
            password_hash=password_hash,
            disabled=account.disabled,
            availability=account.availability,
            primary_team=account.primary_team,
            created_at=at,
            seq=seq,
        )
    )
    set_memberships(conn, account.id, account.centres, account.teams)


def update_operator(conn: Connection, account: Account, seq: int) -> None:
    conn.execute(
        update(operators)
        .where(operators.c.id == account.id)
        .values(
            display_name=account.display_name,
            role=account.role.value,
            disabled=account.disabled,
            availability=account.availability,
            primary_team=account.primary_team,
            seq=seq,
        )
    )
    set_memberships(conn, account.id, account.centres, account.teams)


def set_memberships(
    conn: Connection, operator_id: str, centre_codes: Iterable[str], team_ids: Iterable[str]
) -> None:
    conn.execute(delete(operator_centres).where(operator_centres.c.operator_id == operator_id))
    conn.execute(delete(operator_teams).where(operator_teams.c.operator_id == operator_id))
    centre_rows = [{"operator_id": operator_id, "centre": c} for c in sorted(set(centre_codes))]
    team_rows = [{"operator_id": operator_id, "team_id": t} for t in sorted(set(team_ids))]
    if centre_rows:
        conn.execute(insert(operator_centres), centre_rows)
    if team_rows:
        conn.execute(insert(operator_teams), team_rows)


def operator_id_for_username(conn: Connection, username: str) -> str | None:
    return conn.execute(select(operators.c.id).where(operators.c.username == username)).scalar()


def active_account(conn: Connection, operator_id: str) -> Account | None:
    """An enabled operator or supervisor, the only kind a case can be assigned to."""
    account = load_account(conn, operator_id)
    if account is None or account.disabled:
        return None
    if account.role not in (Role.OPERATOR, Role.SUPERVISOR):
        return None
    return account


def save_centre(
    conn: Connection, code: str, name_mn: str, name_en: str, sample: bool, seq: int
) -> None:
    upsert(
        conn,
        centres,
        {
            "code": code,
            "name_mn": name_mn,
            "name_en": name_en,
            "sample": sample,
            "deleted": False,
            "seq": seq,
        },
        ["code"],
    )


def delete_centre(conn: Connection, code: str, seq: int) -> bool:
    result = conn.execute(
        update(centres).where(centres.c.code == code).values(deleted=True, seq=seq)
    )
    return result.rowcount > 0


def centre_exists(conn: Connection, code: str) -> bool:
    stmt = select(centres.c.code).where(centres.c.code == code, centres.c.deleted.is_(False))
    return conn.execute(stmt).first() is not None


def save_team(conn: Connection, team: TeamRow, seq: int) -> None:
    upsert(
        conn,
        teams,
        {
            "id": team.id,
            "centre": team.centre,
            "name_mn": team.name_mn,
            "name_en": team.name_en,
            "deleted": team.deleted,
            "seq": seq,
        },
        ["id"],
    )


def load_team(conn: Connection, team_id: str) -> TeamRow | None:
    row = conn.execute(select(teams).where(teams.c.id == team_id)).first()
    if row is None:
        return None
    return TeamRow(row.id, row.centre, row.name_mn, row.name_en, row.deleted)


def save_reference_item(conn: Connection, kind: str, key: str, data: str, seq: int) -> None:
    save_reference_items(
        conn, [{"kind": kind, "key": key, "data": data, "deleted": False, "seq": seq}]
    )


def save_reference_items(conn: Connection, rows: Sequence[dict[str, object]]) -> None:
    """Bulk form of `save_reference_item`: rows of kind, key, data, deleted and seq."""
    upsert(conn, reference_items, list(rows), ["kind", "key"])
    _touch_rules(conn, rows)


def _touch_rules(conn: Connection, rows: Sequence[dict[str, object]]) -> None:
    """Move the rules version when deadline rules or holidays change (see rules_version)."""
    seqs = [int(str(r["seq"])) for r in rows if r["kind"] in RULE_KINDS]
    if seqs:
        meta.put(conn, meta.RULES_VERSION, str(max(seqs)))


def delete_reference_item(conn: Connection, kind: str, key: str, seq: int) -> bool:
    stmt = (
        update(reference_items)
        .where(
            reference_items.c.kind == kind,
            reference_items.c.key == key,
            reference_items.c.deleted.is_(False),
        )
        .values(deleted=True, seq=seq)
    )
    deleted = conn.execute(stmt).rowcount > 0
    if deleted:
        _touch_rules(conn, [{"kind": kind, "seq": seq}])
    return deleted


def reference_item(conn: Connection, kind: str, key: str) -> str | None:
    """The live item's JSON text, or None if absent or deleted."""
    stmt = select(reference_items.c.data).where(
        reference_items.c.kind == kind,
        reference_items.c.key == key,
        reference_items.c.deleted.is_(False),
    )
    return conn.execute(stmt).scalar()


def reference_items_of(conn: Connection, kinds: Sequence[str]) -> list[tuple[str, str, str]]:
    """Live (kind, key, data) items of the given kinds."""
    stmt = (
        select(reference_items.c.kind, reference_items.c.key, reference_items.c.data)
        .where(reference_items.c.kind.in_(list(kinds)), reference_items.c.deleted.is_(False))
        .order_by(reference_items.c.kind, reference_items.c.key)
    )
    return [(k, key, data) for k, key, data in conn.execute(stmt)]


def rules_version(conn: Connection) -> int:
    """The seq of the last change to deadline rules or holidays: one key lookup, so every
    mutation can check that its cached rules are current."""
    return meta.get_int(conn, meta.RULES_VERSION, 0)


def all_accounts(conn: Connection) -> list[Account]:
    rows = conn.execute(select(operators).order_by(operators.c.username)).all()
    pairs: dict[str, list[tuple[str, str]]] = {row.id: [] for row in rows}
    for oid, centre in conn.execute(
        select(operator_centres.c.operator_id, operator_centres.c.centre)
    ):
        pairs.setdefault(oid, []).append(("c", centre))
    for oid, team in conn.execute(select(operator_teams.c.operator_id, operator_teams.c.team_id)):
        pairs.setdefault(oid, []).append(("t", team))
    return [_account(row, pairs[row.id]) for row in rows]
