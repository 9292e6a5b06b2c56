"""Unmet demand: one counter per day and normalised search that found nothing (no user, no session).

Revision ID: 0023_unmet_searches
Revises: 0022_supervisor_assignments
"""
import sqlalchemy as sa
from alembic import op

revision = "0023_unmet_searches"
down_revision = "0022_supervisor_assignments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unmet_search",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("query", sa.String(200), nullable=False),
        sa.Column("filters", sa.String(400), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.UniqueConstraint("day", "query", "filters", name="uq_unmet_search_day_query_filters"),
    )


def downgrade() -> None:
    op.drop_table("unmet_search")
