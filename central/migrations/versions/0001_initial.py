"""The initial schema: directory, reference data, auth, sync clients, cases and the change log.

Revision ID: 0001
Revises:
Create Date: 2026-01-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id(length: int = 100) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


_TS = sa.DateTime(timezone=True)
_AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "server_meta",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_server_meta"),
    )
    op.create_table(
        "sync_clock",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_clock"),
    )
    op.create_table(
        "commits",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("tag", sa.String(32), nullable=False),
        sa.Column("committed_at", _TS, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_commits"),
    )
    op.create_table(
        "centres",
        sa.Column("code", _id(), nullable=False),
        sa.Column("name_mn", sa.String(300), nullable=False),
        sa.Column("name_en", sa.String(300), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_centres"),
    )
    op.create_index("ix_centres_seq", "centres", ["seq"])
    op.create_table(
        "teams",
        sa.Column("id", _id(), nullable=False),
        sa.Column("centre", _id(), nullable=False),
        sa.Column("name_mn", sa.String(300), nullable=False),
        sa.Column("name_en", sa.String(300), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["centre"], ["centres.code"], name="fk_teams_centre_centres"),
        sa.PrimaryKeyConstraint("id", name="pk_teams"),
    )
    op.create_index("ix_teams_seq", "teams", ["seq"])
    op.create_table(
        "operators",
        sa.Column("id", _id(), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("display_name", sa.String(300), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("availability", sa.String(20), nullable=False),
        sa.Column("primary_team", _id(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["primary_team"], ["teams.id"], name="fk_operators_primary_team_teams"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_operators"),
        sa.UniqueConstraint("username", name="uq_operators_username"),
    )
    op.create_index("ix_operators_seq", "operators", ["seq"])
    op.create_table(
        "operator_centres",
        sa.Column("operator_id", _id(), nullable=False),
        sa.Column("centre", _id(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name="fk_operator_centres_operator_id_operators"
        ),
        sa.ForeignKeyConstraint(
            ["centre"], ["centres.code"], name="fk_operator_centres_centre_centres"
        ),
        sa.PrimaryKeyConstraint("operator_id", "centre", name="pk_operator_centres"),
    )
    op.create_table(
        "operator_teams",
        sa.Column("operator_id", _id(), nullable=False),
        sa.Column("team_id", _id(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name="fk_operator_teams_operator_id_operators"
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name="fk_operator_teams_team_id_teams"),
        sa.PrimaryKeyConstraint("operator_id", "team_id", name="pk_operator_teams"),
    )
    op.create_table(
        "reference_items",
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("key", _id(200), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_reference_items"),
    )
    op.create_index("ix_reference_items_seq", "reference_items", ["seq"])
    op.create_table(
        "auth_sessions",
        sa.Column("id", _id(64), nullable=False),
        sa.Column("operator_id", _id(), nullable=False),
        sa.Column("device_name", sa.String(100), nullable=False),
        sa.Column("address", sa.String(100), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name="fk_auth_sessions_operator_id_operators"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_auth_sessions"),
    )
    op.create_index("ix_auth_sessions_operator_id", "auth_sessions", ["operator_id"])
    op.create_table(
        "auth_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("session_id", _id(64), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("used_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"], ["auth_sessions.id"], name="fk_auth_tokens_session_id_auth_sessions"
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_auth_tokens"),
    )
    op.create_index("ix_auth_tokens_session_id", "auth_tokens", ["session_id"])
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", _TS, nullable=False),
        sa.Column("locked_until", _TS, nullable=True),
        sa.PrimaryKeyConstraint("key", name="pk_login_throttle"),
    )
    op.create_table(
        "sync_clients",
        sa.Column("client_id", sa.String(100), nullable=False),
        sa.Column("operator_id", _id(), nullable=False),
        sa.Column("last_mutation_id", sa.BigInteger(), nullable=False),
        sa.Column("app_version", sa.String(100), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("last_push_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name="fk_sync_clients_operator_id_operators"
        ),
        sa.PrimaryKeyConstraint("client_id", name="pk_sync_clients"),
    )
    op.create_table(
        "mutation_results",
        sa.Column("client_id", sa.String(100), nullable=False),
        sa.Column("mutation_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("code", sa.String(64), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("recorded_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("client_id", "mutation_id", name="pk_mutation_results"),
    )
    op.create_index("ix_mutation_results_client_seq", "mutation_results", ["client_id", "seq"])
    op.create_table(
        "mutation_crashes",
        sa.Column("client_id", sa.String(100), nullable=False),
        sa.Column("mutation_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("crashes", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("last_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("client_id", "mutation_id", name="pk_mutation_crashes"),
    )
    op.create_table(
        "cases",
        sa.Column("id", _id(), nullable=False),
        sa.Column("number", sa.String(20), nullable=True),
        sa.Column("provisional_ref", sa.String(40), nullable=True),
        sa.Column("centre", _id(), nullable=False),
        sa.Column("team", _id(), nullable=True),
        sa.Column("assignee", _id(), nullable=True),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("citizen_id", _id(), nullable=True),
        sa.Column("reg_no", sa.String(20), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("registered_at", _TS, nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("number", name="uq_cases_number"),
    )
    op.create_index("ix_cases_provisional_ref", "cases", ["provisional_ref"])
    op.create_index("ix_cases_team", "cases", ["team"])
    op.create_index("ix_cases_assignee", "cases", ["assignee"])
    op.create_index("ix_cases_reg_no", "cases", ["reg_no"])
    op.create_index("ix_cases_phone", "cases", ["phone"])
    op.create_index("ix_cases_centre_id", "cases", ["centre", "id"])
    op.create_index(
        "ix_cases_scope",
        "cases",
        ["id", "centre", "team", "assignee", "confidential", "citizen_id"],
    )
    for child in ("notes", "calls"):
        op.create_table(
            child,
            sa.Column("id", _id(), nullable=False),
            sa.Column("case_id", _id(), nullable=False),
            sa.Column("seq", sa.BigInteger(), nullable=False),
            sa.Column("data", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=f"fk_{child}_case_id_cases"),
            sa.PrimaryKeyConstraint("id", name=f"pk_{child}"),
        )
        op.create_index(f"ix_{child}_case_id_seq", child, ["case_id", "seq"])
    op.create_table(
        "timeline",
        sa.Column("id", _AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("case_id", _id(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_timeline_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_timeline"),
    )
    op.create_index("ix_timeline_case_id_seq", "timeline", ["case_id", "seq"])
    op.create_table(
        "conflicts",
        sa.Column("id", _id(64), nullable=False),
        sa.Column("case_id", _id(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_conflicts_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_conflicts"),
    )
    op.create_index("ix_conflicts_case_id_seq", "conflicts", ["case_id", "seq"])
    op.create_table(
        "case_changes",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("case_id", _id(), nullable=False),
        sa.Column("created", sa.Boolean(), nullable=False),
        sa.Column("b_centre", _id(), nullable=True),
        sa.Column("b_team", _id(), nullable=True),
        sa.Column("b_assignee", _id(), nullable=True),
        sa.Column("b_confidential", sa.Boolean(), nullable=True),
        sa.Column("a_centre", _id(), nullable=False),
        sa.Column("a_team", _id(), nullable=True),
        sa.Column("a_assignee", _id(), nullable=True),
        sa.Column("a_confidential", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("seq", "case_id", name="pk_case_changes"),
    )
    op.create_table(
        "case_numbers",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_case_numbers"),
    )
    op.create_table(
        "citizens",
        sa.Column("id", _id(), nullable=False),
        sa.Column("reg_no", sa.String(20), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_citizens"),
    )
    op.create_index("ix_citizens_reg_no", "citizens", ["reg_no"])
    op.create_index("ix_citizens_phone", "citizens", ["phone"])
    op.create_table(
        "audit_log",
        sa.Column("id", _AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("actor_id", sa.String(100), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("code", sa.String(64), nullable=True),
        sa.Column("case_id", sa.String(100), nullable=True),
        sa.Column("client_id", sa.String(100), nullable=True),
        sa.Column("mutation_id", sa.BigInteger(), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("address", sa.String(100), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor_id", "audit_log", ["actor_id"])
    op.create_index("ix_audit_log_case_id", "audit_log", ["case_id"])

    # The clock starts at 0 (an empty database); the epoch at 1.
    op.bulk_insert(
        sa.table("sync_clock", sa.column("id", sa.Integer()), sa.column("seq", sa.BigInteger())),
        [{"id": 1, "seq": 0}],
    )
    op.bulk_insert(
        sa.table("server_meta", sa.column("key", sa.String()), sa.column("value", sa.Text())),
        [{"key": "epoch", "value": "1"}],
    )


def downgrade() -> None:
    for table in (
        "audit_log",
        "citizens",
        "case_numbers",
        "case_changes",
        "conflicts",
        "timeline",
        "calls",
        "notes",
        "cases",
        "mutation_crashes",
        "mutation_results",
        "sync_clients",
        "login_throttle",
        "auth_tokens",
        "auth_sessions",
        "reference_items",
        "operator_teams",
        "operator_centres",
        "operators",
        "teams",
        "centres",
        "commits",
        "sync_clock",
        "server_meta",
    ):
        op.drop_table(table)
