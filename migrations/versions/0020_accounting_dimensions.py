"""The city's accounting dimensions: activity codes (verksamhetskod) on programmes and, as a
default, on organisations; each closed month keeps the activity codes it billed under and
the layout its files are written in.

Revision ID: 0020_accounting_dimensions
Revises: 0019_billing_disputes

programme.activity_code and organisation.default_activity_code are '' when not set (a
programme without its own code is billed under its organisation's default). A month closed
from now on stores, per programme it billed, the activity code used and where it came from
(period_activity_code) and its file layout, 2 (period_file_layout); both append-only like
charge_line. Months closed before this revision have no period_file_layout row, which reads
as layout 1: their files are made exactly as they were, without the dimension columns, so
their bytes never change.
"""
import sqlalchemy as sa
from alembic import op

revision = "0020_accounting_dimensions"
down_revision = "0019_billing_disputes"
branch_labels = None
depends_on = None

TABLES = ("period_activity_code", "period_file_layout")


def upgrade() -> None:
    # Plain ADD COLUMN on both engines (no table copy on SQLite).
    op.add_column("programme", sa.Column("activity_code", sa.String(10), nullable=False, server_default=""))
    op.add_column("organisation", sa.Column("default_activity_code", sa.String(10), nullable=False, server_default=""))
    op.create_table(
        "period_activity_code",
        sa.Column("period", sa.String(7), sa.ForeignKey("billing_period.period"), primary_key=True),
        sa.Column("programme_code", sa.String(40), primary_key=True),
        sa.Column("programme_name", sa.String(200), nullable=False),
        sa.Column("organisation_code", sa.String(16), nullable=False),
        sa.Column("activity_code", sa.String(10), nullable=False),
        sa.Column("source", sa.String(12), nullable=False),
        sa.CheckConstraint("source IN ('programme', 'organisation', 'missing')", name="ck_period_activity_code_source"),
    )
    op.create_table(
        "period_file_layout",
        sa.Column("period", sa.String(7), sa.ForeignKey("billing_period.period"), primary_key=True),
        sa.Column("layout", sa.Integer(), nullable=False),
    )
    for table in TABLES:
        if op.get_bind().dialect.name == "sqlite":
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
        else:
            # billing_refuse_change() is 0004's function, shared by every append-only billing table.
            op.execute(f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION billing_refuse_change()")


def downgrade() -> None:
    for table in TABLES:
        if op.get_bind().dialect.name == "sqlite":
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
        op.drop_table(table)
    # ALTER TABLE … DROP COLUMN on both engines (SQLite 3.35+), no table copy.
    for table, column in (("organisation", "default_activity_code"), ("programme", "activity_code")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
