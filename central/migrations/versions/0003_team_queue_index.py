"""The teams' queues for the auto-assignment backlog pass: unassigned cases by team, oldest
first (a partial index, so it holds only what waits).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    waiting = sa.text("assignee IS NULL")
    op.create_index(
        "ix_cases_team_queue",
        "cases",
        ["team", "registered_at", "id"],
        postgresql_where=waiting,
        sqlite_where=waiting,
    )


def downgrade() -> None:
    op.drop_index("ix_cases_team_queue", table_name="cases")
