"""Disputes of billing lines, and the charge-line kind 'credit' their accepted credits become.

Revision ID: 0019_billing_disputes
Revises: 0018_notification_settings

charge_line's kind check gains 'credit'. PostgreSQL swaps the constraint in place. SQLite
cannot alter a CHECK, so the table is rebuilt the way SQLite documents (new table from the
stored definition with only that clause changed, copy, drop, rename) and its indexes and
append-only triggers are created again from their stored definitions: the rebuilt table
refuses UPDATE and DELETE exactly as before, and keeps any column another revision added.
"""
import re

import sqlalchemy as sa
from alembic import op

from catalog.types import UTCDateTime

revision = "0019_billing_disputes"
down_revision = "0018_notification_settings"
branch_labels = None
depends_on = None

OLD_KIND = "kind IN ('charge', 'correction')"
NEW_KIND = "kind IN ('charge', 'correction', 'credit')"


def _rebuild_sqlite_charge_line(old: str, new: str) -> None:
    bind = op.get_bind()
    table_sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'charge_line'").scalar_one()
    if old not in table_sql:
        raise RuntimeError(f"charge_line's definition has no {old!r}; not rebuilding it")
    # Indexes and triggers on the table (the unique key's automatic index has no SQL: it comes with the table).
    extras = [row[0] for row in bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'charge_line' AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL ORDER BY type, name")]
    rebuilt = re.sub(r'^CREATE TABLE "?charge_line"?', "CREATE TABLE charge_line_rebuilt", table_sql, count=1)
    op.execute(rebuilt.replace(old, new))
    op.execute("INSERT INTO charge_line_rebuilt SELECT * FROM charge_line")
    op.execute("DROP TABLE charge_line")  # its triggers and indexes go with it
    op.execute("ALTER TABLE charge_line_rebuilt RENAME TO charge_line")
    for statement in extras:
        op.execute(statement)


def _swap_kind_check(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite_charge_line(old, new)
    else:
        op.execute("ALTER TABLE charge_line DROP CONSTRAINT ck_charge_line_kind")
        op.execute(f"ALTER TABLE charge_line ADD CONSTRAINT ck_charge_line_kind CHECK ({new})")


def upgrade() -> None:
    op.create_table(
        "billing_dispute",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("booking_id", sa.Integer(), sa.ForeignKey("booking.id"), nullable=False),
        sa.Column("booking_ref", sa.String(20), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("buyer_organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False),
        sa.Column("provider_organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("decision", sa.String(10), nullable=True),
        sa.Column("credit_ore", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("raised_by_name", sa.String(200), nullable=False),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("resolved_by_name", sa.String(200), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'resolved')", name="ck_billing_dispute_status"),
        sa.CheckConstraint("(status = 'open') = (decision IS NULL)", name="ck_billing_dispute_decided"),
        sa.CheckConstraint("decision IS NULL OR decision IN ('accepted', 'rejected')", name="ck_billing_dispute_decision"),
        sa.CheckConstraint("credit_ore >= 0 AND (credit_ore = 0 OR COALESCE(decision, '') = 'accepted')", name="ck_billing_dispute_credit"),
    )
    op.create_index("uq_billing_dispute_open", "billing_dispute", ["booking_id", "period"], unique=True,
                    sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
    op.create_index("ix_billing_dispute_buyer", "billing_dispute", ["buyer_organisation_id", "status"])
    op.create_index("ix_billing_dispute_provider", "billing_dispute", ["provider_organisation_id", "status"])
    op.create_index("ix_billing_dispute_period", "billing_dispute", ["period", "status"])
    _swap_kind_check(OLD_KIND, NEW_KIND)


def downgrade() -> None:
    # Fails (the old check refuses them) while credit lines exist: closed months never change.
    _swap_kind_check(NEW_KIND, OLD_KIND)
    op.drop_table("billing_dispute")
