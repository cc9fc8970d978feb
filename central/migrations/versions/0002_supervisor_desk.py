"""The supervisor desk: when an operator's availability last changed, and each team's
auto-assignment settings with its round-robin pointer.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _id(length: int = 100) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("operators", sa.Column("availability_since", _TS, nullable=True))
    op.create_table(
        "team_assignment",
        sa.Column("team_id", _id(), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("cap", sa.Integer(), nullable=True),
        sa.Column("skills", sa.Text(), nullable=False),
        sa.Column("pointer", _id(), nullable=True),
        sa.Column("updated_by", sa.String(100), nullable=True),
        sa.Column("updated_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name="fk_team_assignment_team_id_teams"),
        sa.PrimaryKeyConstraint("team_id", name="pk_team_assignment"),
    )


def downgrade() -> None:
    op.drop_table("team_assignment")
    with op.batch_alter_table("operators") as batch:
        batch.drop_column("availability_since")
