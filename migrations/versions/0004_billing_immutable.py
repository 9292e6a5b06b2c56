"""Closed months never change, in the database too: charge lines and recorded files are
append-only, and a closed period cannot be reopened or removed.

Hand-written (triggers are not in the models). Same protection on both engines; the ORM
guard in billing/models.py gives the clearer error first.

Revision ID: 0004_billing
Revises: 0003_catalog_search
"""
from alembic import op

revision = "0004_billing"
down_revision = "0003_catalog_search"
branch_labels = None
depends_on = None

APPEND_ONLY = ("charge_line", "transfer_file")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER billing_period_closed_no_{verb.lower()} BEFORE {verb} ON billing_period "
                       "WHEN OLD.status = 'closed' BEGIN SELECT RAISE(ABORT, 'a closed billing period never changes'); END")
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION billing_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END $$"
    )
    for table in APPEND_ONLY:
        op.execute(f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION billing_refuse_change()")
    op.execute(
        "CREATE TRIGGER billing_period_closed_no_change BEFORE UPDATE OR DELETE ON billing_period "
        "FOR EACH ROW WHEN (OLD.status = 'closed') EXECUTE FUNCTION billing_refuse_change()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS billing_period_closed_no_{verb}")
        return
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
    op.execute("DROP TRIGGER IF EXISTS billing_period_closed_no_change ON billing_period")
    op.execute("DROP FUNCTION IF EXISTS billing_refuse_change()")
