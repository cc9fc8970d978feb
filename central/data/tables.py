"""The central database's tables (SQLAlchemy Core). Alembic migrations create them.

Case records and their children keep the record's wire form (`data`, the JSON of
`operator_app.domain.records.record_to_json`) next to the columns the server queries: pulls
serve the stored text without re-encoding it, and every write derives both from the same domain
record in one function, so they cannot disagree. `seq` is the sequence number of the write
transaction that last wrote the row (the `version` of its pull op).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC instant on both databases (SQLite would hand back naive datetimes)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored as UTC instant")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def ident(length: int = 100) -> String:
    """An identifier column: byte order on PostgreSQL, so keyset pages compare fast and alike."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


# 64-bit ids that autoincrement on both databases (SQLite only does it for INTEGER PRIMARY KEY).
AutoId = BigInteger().with_variant(Integer(), "sqlite")
Seq = BigInteger

server_meta = Table(
    "server_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

sync_clock = Table(
    "sync_clock",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Seq, nullable=False),
)

# One row per write transaction: its sequence number and a random tag. A cursor carries the tag
# of its sequence number, so a database restored to an older state (whose later numbers are
# handed out again to different changes) is recognised even without an epoch bump.
commits = Table(
    "commits",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=False),
    Column("tag", String(32), nullable=False),
    Column("committed_at", UtcDateTime, nullable=False),
    Column("kind", String(32), nullable=False),
)

centres = Table(
    "centres",
    metadata,
    Column("code", ident(), primary_key=True),
    Column("name_mn", String(300), nullable=False),
    Column("name_en", String(300), nullable=False),
    Column("sample", Boolean, nullable=False, default=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("seq", Seq, nullable=False, index=True),
)

teams = Table(
    "teams",
    metadata,
    Column("id", ident(), primary_key=True),
    Column("centre", ident(), ForeignKey("centres.code"), nullable=False),
    Column("name_mn", String(300), nullable=False),
    Column("name_en", String(300), nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("seq", Seq, nullable=False, index=True),
)

operators = Table(
    "operators",
    metadata,
    Column("id", ident(), primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("display_name", String(300), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(300), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("availability", String(20), nullable=False, default="available"),
    Column("availability_since", UtcDateTime, nullable=True),  # None: since created_at
    Column("primary_team", ident(), ForeignKey("teams.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("seq", Seq, nullable=False, index=True),
)

operator_centres = Table(
    "operator_centres",
    metadata,
    Column("operator_id", ident(), ForeignKey("operators.id"), primary_key=True),
    Column("centre", ident(), ForeignKey("centres.code"), primary_key=True),
)

operator_teams = Table(
    "operator_teams",
    metadata,
    Column("operator_id", ident(), ForeignKey("operators.id"), primary_key=True),
    Column("team_id", ident(), ForeignKey("teams.id"), primary_key=True),
)

# Categories, agencies, administrative units, holidays and deadline rules: the records of
# resources/data/*.json, keyed by kind and code, changed by admins through the API.
reference_items = Table(
    "reference_items",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("key", ident(200), primary_key=True),
    Column("data", Text, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("seq", Seq, nullable=False, index=True),
)

auth_sessions = Table(
    "auth_sessions",
    metadata,
    Column("id", ident(64), primary_key=True),
    Column("operator_id", ident(), ForeignKey("operators.id"), nullable=False, index=True),
    Column("device_name", String(100), nullable=False),
    Column("address", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)

# Tokens are stored only as SHA-256 hashes of 256-bit random values.
auth_tokens = Table(
    "auth_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("session_id", ident(64), ForeignKey("auth_sessions.id"), nullable=False, index=True),
    Column("kind", String(10), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),  # a refresh token is good for one rotation
)

login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", UtcDateTime, nullable=False),
    Column("locked_until", UtcDateTime, nullable=True),
)

sync_clients = Table(
    "sync_clients",
    metadata,
    Column("client_id", String(100), primary_key=True),
    Column("operator_id", ident(), ForeignKey("operators.id"), nullable=False),
    Column("last_mutation_id", BigInteger, nullable=False),
    Column("app_version", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_push_at", UtcDateTime, nullable=True),
)

mutation_results = Table(
    "mutation_results",
    metadata,
    Column("client_id", String(100), primary_key=True),
    Column("mutation_id", BigInteger, primary_key=True, autoincrement=False),
    Column("seq", Seq, nullable=False),
    Column("name", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("code", String(64), nullable=True),
    Column("details", Text, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index("ix_mutation_results_client_seq", "client_id", "seq"),
)

# Crashes of one mutation, committed apart from the (rolled back) mutation itself.
mutation_crashes = Table(
    "mutation_crashes",
    metadata,
    Column("client_id", String(100), primary_key=True),
    Column("mutation_id", BigInteger, primary_key=True, autoincrement=False),
    Column("crashes", Integer, nullable=False),
    Column("last_error", Text, nullable=False),
    Column("last_at", UtcDateTime, nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("id", ident(), primary_key=True),
    Column("number", String(20), nullable=True, unique=True),
    Column("provisional_ref", String(40), nullable=True, index=True),
    Column("centre", ident(), nullable=False),
    Column("team", ident(), nullable=True, index=True),
    Column("assignee", ident(), nullable=True, index=True),
    Column("confidential", Boolean, nullable=False),
    Column("status", String(20), nullable=False),
    Column("citizen_id", ident(), nullable=True),
    Column("reg_no", String(20), nullable=True, index=True),
    Column("phone", String(20), nullable=True, index=True),
    Column("registered_at", UtcDateTime, nullable=False),
    Column("due_date", Date, nullable=True),
    Column("seq", Seq, nullable=False),
    Column("data", Text, nullable=False),
    Index("ix_cases_centre_id", "centre", "id"),
    # Covers the scope test of a keyset range, so first-sync pages skip the wide rows.
    Index("ix_cases_scope", "id", "centre", "team", "assignee", "confidential", "citizen_id"),
)
# The teams' queues, oldest first: what the auto-assignment backlog pass reads (only the
# unassigned cases, so it stays small however long the teams' history grows).
Index(
    "ix_cases_team_queue",
    cases.c.team,
    cases.c.registered_at,
    cases.c.id,
    postgresql_where=cases.c.assignee.is_(None),
    sqlite_where=cases.c.assignee.is_(None),
)

notes = Table(
    "notes",
    metadata,
    Column("id", ident(), primary_key=True),
    Column("case_id", ident(), ForeignKey("cases.id"), nullable=False),
    Column("seq", Seq, nullable=False),
    Column("data", Text, nullable=False),
    Index("ix_notes_case_id_seq", "case_id", "seq"),
)

calls = Table(
    "calls",
    metadata,
    Column("id", ident(), primary_key=True),
    Column("case_id", ident(), ForeignKey("cases.id"), nullable=False),
    Column("seq", Seq, nullable=False),
    Column("data", Text, nullable=False),
    Index("ix_calls_case_id_seq", "case_id", "seq"),
)

timeline = Table(
    "timeline",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("case_id", ident(), ForeignKey("cases.id"), nullable=False),
    Column("seq", Seq, nullable=False),
    Column("data", Text, nullable=False),  # without the id, which the pull adds
    Index("ix_timeline_case_id_seq", "case_id", "seq"),
)

conflicts = Table(
    "conflicts",
    metadata,
    Column("id", ident(64), primary_key=True),
    Column("case_id", ident(), ForeignKey("cases.id"), nullable=False),
    Column("state", String(20), nullable=False),
    Column("seq", Seq, nullable=False),
    Column("data", Text, nullable=False),
    Index("ix_conflicts_case_id_seq", "case_id", "seq"),
)

# The change log: one row per (write transaction, case), with where the case stood before and
# after, so a pull can tell a change inside the caller's scope from a move in or out of it.
case_changes = Table(
    "case_changes",
    metadata,
    Column("seq", Seq, primary_key=True, autoincrement=False),
    Column("case_id", ident(), primary_key=True),
    Column("created", Boolean, nullable=False),
    Column("b_centre", ident(), nullable=True),
    Column("b_team", ident(), nullable=True),
    Column("b_assignee", ident(), nullable=True),
    Column("b_confidential", Boolean, nullable=True),
    Column("a_centre", ident(), nullable=False),
    Column("a_team", ident(), nullable=True),
    Column("a_assignee", ident(), nullable=True),
    Column("a_confidential", Boolean, nullable=False),
)

case_numbers = Table(
    "case_numbers",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last", Integer, nullable=False),
)

citizens = Table(
    "citizens",
    metadata,
    Column("id", ident(), primary_key=True),
    Column("reg_no", String(20), nullable=True, index=True),
    Column("phone", String(20), nullable=True, index=True),
    Column("seq", Seq, nullable=False),
    Column("data", Text, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False, index=True),
    Column("actor_id", String(100), nullable=True, index=True),
    Column("action", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("code", String(64), nullable=True),
    Column("case_id", String(100), nullable=True, index=True),
    Column("client_id", String(100), nullable=True),
    Column("mutation_id", BigInteger, nullable=True),
    Column("seq", Seq, nullable=True),
    Column("address", String(100), nullable=True),
    Column("details", Text, nullable=False),
)

# A team's auto-assignment settings (mode, cap, skills as JSON) and the round-robin pointer: the
# last operator given a case. Pushes that auto-assign into the team lock this row.
team_assignment = Table(
    "team_assignment",
    metadata,
    Column("team_id", ident(), ForeignKey("teams.id"), primary_key=True),
    Column("mode", String(20), nullable=False),
    Column("cap", Integer, nullable=True),
    Column("skills", Text, nullable=False),
    Column("pointer", ident(), nullable=True),
    Column("updated_by", String(100), nullable=True),
    Column("updated_at", UtcDateTime, nullable=True),
)
