"""The pull feed's directory and reference rows: centres, teams, operators and the reference
items, as a snapshot or as the rows written in a sequence window."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Column, ColumnElement, Connection, and_, select, true

from central.data.pulled import Record
from central.data.tables import (
    centres,
    operator_centres,
    operator_teams,
    operators,
    reference_items,
    teams,
)
from central.wire import dumps


def _window(seq_column: Column[int], since: int | None, upto: int | None) -> ColumnElement[bool]:
    clause: ColumnElement[bool] = true()
    if since is not None:
        clause = and_(clause, seq_column > since)
    if upto is not None:
        clause = and_(clause, seq_column <= upto)
    return clause


def reference_records(
    conn: Connection, since: int | None = None, upto: int | None = None
) -> list[Record]:
    """Reference data written in (since, upto]; with no `since`, the live rows only."""
    snapshot = since is None
    out: list[Record] = []

    stmt = select(centres).where(_window(centres.c.seq, since, upto))
    if snapshot:
        stmt = stmt.where(centres.c.deleted.is_(False))
    for row in conn.execute(stmt.order_by(centres.c.code)):
        data = {
            "code": row.code,
            "name_mn": row.name_mn,
            "name_en": row.name_en,
            "sample": row.sample,
        }
        out.append(Record("centre", row.code, row.seq, None if row.deleted else dumps(data)))

    stmt = select(teams).where(_window(teams.c.seq, since, upto))
    if snapshot:
        stmt = stmt.where(teams.c.deleted.is_(False))
    for row in conn.execute(stmt.order_by(teams.c.id)):
        data = {
            "id": row.id,
            "centre": row.centre,
            "name_mn": row.name_mn,
            "name_en": row.name_en,
        }
        out.append(Record("team", row.id, row.seq, None if row.deleted else dumps(data)))

    out.extend(_operator_records(conn, since, upto))

    stmt = select(reference_items).where(_window(reference_items.c.seq, since, upto))
    if snapshot:
        stmt = stmt.where(reference_items.c.deleted.is_(False))
    stmt = stmt.order_by(reference_items.c.kind, reference_items.c.key)
    for row in conn.execute(stmt):
        out.append(Record(row.kind, row.key, row.seq, None if row.deleted else row.data))
    return out


def _operator_records(conn: Connection, since: int | None, upto: int | None) -> list[Record]:
    rows = conn.execute(
        select(operators).where(_window(operators.c.seq, since, upto)).order_by(operators.c.id)
    ).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    centre_map: dict[str, list[str]] = defaultdict(list)
    team_map: dict[str, list[str]] = defaultdict(list)
    for oid, centre in conn.execute(
        select(operator_centres.c.operator_id, operator_centres.c.centre).where(
            operator_centres.c.operator_id.in_(ids)
        )
    ):
        centre_map[oid].append(centre)
    for oid, team in conn.execute(
        select(operator_teams.c.operator_id, operator_teams.c.team_id).where(
            operator_teams.c.operator_id.in_(ids)
        )
    ):
        team_map[oid].append(team)
    out = []
    for row in rows:
        data = {
            "id": row.id,
            "username": row.username,
            "display_name": row.display_name,
            "role": row.role,
            "centres": sorted(centre_map[row.id]),
            "teams": sorted(team_map[row.id]),
            "primary_team": row.primary_team,
            "availability": row.availability,
            "active": not row.disabled,
        }
        out.append(Record("operator", row.id, row.seq, dumps(data)))
    return out
