"""Initial schema, generated from the models by migrations/regenerate.py.

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import catalog.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('organisation_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('object_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('object_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('ip', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_audit_log_action_at', 'audit_log', ['action', 'at'], unique=False)
    op.create_index('ix_audit_log_actor_at', 'audit_log', ['actor_id', 'at'], unique=False)
    op.create_index('ix_audit_log_at', 'audit_log', ['at'], unique=False)
    op.create_index('ix_audit_log_object', 'audit_log', ['object_type', 'object_id'], unique=False)
    op.create_table('category',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('label_sv', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('label_en', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('job_lock',
    sa.Column('job_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('locked_until', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('job_id')
    )
    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('run_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('started_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', catalog.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('result', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job_id', 'run_key', name='uq_job_run')
    )
    op.create_table('login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('ip', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_login_attempt_email_at', 'login_attempt', ['email', 'at'], unique=False)
    op.create_index('ix_login_attempt_ip_at', 'login_attempt', ['ip', 'at'], unique=False)
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('cost_centre', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('cost_account', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('revenue_account', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.CheckConstraint("kind IN ('district', 'administration')", name='ck_organisation_kind'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', catalog.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', catalog.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_outbox_message_sent_at'), 'outbox_message', ['sent_at'], unique=False)
    op.create_table('target_group',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('label_sv', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('label_en', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('roles', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('totp_secret', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
    sa.Column('created_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('password_changed_at', catalog.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    op.create_index(op.f('ix_app_user_organisation_id'), 'app_user', ['organisation_id'], unique=False)
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index(op.f('ix_api_token_user_id'), 'api_token', ['user_id'], unique=False)
    op.create_table('billing_period',
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('closed_at', catalog.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_by_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('total_ore', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name='ck_billing_period_status'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('period')
    )
    op.create_table('log_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('sample_size', sa.Integer(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('sampled_ids', sa.JSON(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deviations_found', sa.Boolean(), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['reviewer_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('period', name='uq_log_review_period')
    )
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('link', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('read_at', catalog.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_notification_user_id'), 'notification', ['user_id'], unique=False)
    op.create_table('programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('eligibility', sa.Text(), nullable=False),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('schedule', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('price_ore', sa.Integer(), nullable=False),
    sa.Column('price_unit', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('min_weeks', sa.Integer(), nullable=True),
    sa.Column('max_weeks', sa.Integer(), nullable=True),
    sa.Column('accessible', sa.Boolean(), nullable=False),
    sa.Column('language_support', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('contact_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('contact_phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('search_name', sa.Text(), nullable=False),
    sa.Column('created_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("price_unit IN ('month', 'day', 'placement')", name='ck_programme_unit'),
    sa.CheckConstraint("status IN ('draft', 'published', 'paused', 'archived')", name='ck_programme_status'),
    sa.CheckConstraint('capacity >= 0', name='ck_programme_capacity'),
    sa.CheckConstraint('price_ore >= 0', name='ck_programme_price'),
    sa.ForeignKeyConstraint(['category_code'], ['category.code'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['updated_by_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_index(op.f('ix_programme_organisation_id'), 'programme', ['organisation_id'], unique=False)
    op.create_index('ix_programme_status_category', 'programme', ['status', 'category_code'], unique=False)
    op.create_index('ix_programme_status_org', 'programme', ['status', 'organisation_id'], unique=False)
    op.create_table('totp_state',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('pending_secret', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('last_step', sa.Integer(), nullable=False),
    sa.Column('enrolled_at', catalog.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('session_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('second_factor_done', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_hash')
    )
    op.create_index(op.f('ix_user_session_user_id'), 'user_session', ['user_id'], unique=False)
    op.create_table('booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('buyer_organisation_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('price_ore', sa.Integer(), nullable=False),
    sa.Column('price_unit', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('participant_reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('participant_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('participant_contact', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('participant_needs', sa.Text(), nullable=True),
    sa.Column('personal_data_erased_at', catalog.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('assignment_purpose', sa.Text(), nullable=False),
    sa.Column('assignment_goals', sa.Text(), nullable=False),
    sa.Column('assignment_sub_goals', sa.Text(), nullable=False),
    sa.Column('assignment_tasks', sa.Text(), nullable=False),
    sa.Column('assignment_participant_view', sa.Text(), nullable=False),
    sa.Column('fia_completed', sa.Boolean(), nullable=False),
    sa.Column('decision_reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('hold_expires_at', catalog.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('waitlisted_at', catalog.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', catalog.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('extension_end_date', sa.Date(), nullable=True),
    sa.Column('created_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('requested','waitlisted','approved','active','ended','rejected','cancelled','expired')", name='ck_booking_status'),
    sa.CheckConstraint('end_date >= start_date', name='ck_booking_dates'),
    sa.ForeignKeyConstraint(['buyer_organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], ),
    sa.ForeignKeyConstraint(['requester_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref')
    )
    op.create_index('ix_booking_buyer_status', 'booking', ['buyer_organisation_id', 'status'], unique=False)
    op.create_index('ix_booking_programme_end_dates', 'booking', ['programme_id', 'end_date', 'start_date'], unique=False, postgresql_include=['status', 'hold_expires_at'])
    op.create_index('ix_booking_programme_status_dates', 'booking', ['programme_id', 'status', 'start_date', 'end_date'], unique=False)
    op.create_index(op.f('ix_booking_requester_id'), 'booking', ['requester_id'], unique=False)
    op.create_table('programme_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_programme_change_programme_id'), 'programme_change', ['programme_id'], unique=False)
    op.create_table('programme_target_group',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('target_group_code', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_group_code'], ['target_group.code'], ),
    sa.PrimaryKeyConstraint('programme_id', 'target_group_code')
    )
    op.create_index(op.f('ix_programme_target_group_target_group_code'), 'programme_target_group', ['target_group_code'], unique=False)
    op.create_table('transfer_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['period'], ['billing_period.period'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('period', 'format', name='uq_transfer_file_period_format')
    )
    op.create_table('attendance_week',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('present_days', sa.Integer(), nullable=False),
    sa.Column('absent_notified_days', sa.Integer(), nullable=False),
    sa.Column('absent_unnotified_days', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('present_days + absent_notified_days + absent_unnotified_days <= 7', name='ck_attendance_week'),
    sa.CheckConstraint('present_days >= 0 AND absent_notified_days >= 0 AND absent_unnotified_days >= 0', name='ck_attendance_non_negative'),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('booking_id', 'week_start', name='uq_attendance_booking_week')
    )
    op.create_index(op.f('ix_attendance_week_booking_id'), 'attendance_week', ['booking_id'], unique=False)
    op.create_table('booking_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_booking_event_booking_id'), 'booking_event', ['booking_id'], unique=False)
    op.create_table('charge_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('corrects_period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('booking_ref', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('programme_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('programme_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('buyer_organisation_id', sa.Integer(), nullable=False),
    sa.Column('buyer_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('buyer_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('buyer_cost_centre', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('buyer_cost_account', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('provider_organisation_id', sa.Integer(), nullable=False),
    sa.Column('provider_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('provider_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('provider_cost_centre', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('provider_revenue_account', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('from_date', sa.Date(), nullable=False),
    sa.Column('to_date', sa.Date(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('unit_price_ore', sa.Integer(), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('amount_ore', sa.Integer(), nullable=False),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('created_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'charge') = (corrects_period = '')", name='ck_charge_line_corrects'),
    sa.CheckConstraint("kind IN ('charge', 'correction')", name='ck_charge_line_kind'),
    sa.CheckConstraint("unit IN ('month', 'day', 'placement')", name='ck_charge_line_unit'),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], ),
    sa.ForeignKeyConstraint(['buyer_organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['provider_organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('booking_id', 'period', 'kind', 'corrects_period', name='uq_charge_line_once')
    )
    op.create_index('ix_charge_line_period_order', 'charge_line', ['period', 'buyer_code', 'provider_code', 'booking_ref', 'kind', 'corrects_period'], unique=False)
    op.create_table('erasure_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('booking_ref', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('erased_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('erased_by_id', sa.Integer(), nullable=True),
    sa.Column('basis', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], ),
    sa.ForeignKeyConstraint(['erased_by_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_erasure_record_booking_id'), 'erasure_record', ['booking_id'], unique=False)
    op.create_table('follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('created_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', catalog.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('attendance_share', sa.Integer(), nullable=True),
    sa.Column('capacity_physical', sa.Integer(), nullable=True),
    sa.Column('capacity_mental', sa.Integer(), nullable=True),
    sa.Column('capacity_social', sa.Integer(), nullable=True),
    sa.Column('participant_view', sa.Text(), nullable=False),
    sa.Column('progress_goals', sa.Text(), nullable=False),
    sa.Column('progress_sub_goals', sa.Text(), nullable=False),
    sa.Column('ready_took_part', sa.Boolean(), nullable=False),
    sa.Column('ready_travels_alone', sa.Boolean(), nullable=False),
    sa.Column('ready_no_active_substance_abuse', sa.Boolean(), nullable=False),
    sa.Column('ready_handles_conflicts', sa.Boolean(), nullable=False),
    sa.Column('ready_motivated', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('reminded_at', catalog.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('attendance_share IS NULL OR (attendance_share >= 0 AND attendance_share <= 100)', name='ck_follow_up_attendance'),
    sa.CheckConstraint('capacity_mental IS NULL OR capacity_mental BETWEEN 1 AND 5', name='ck_follow_up_mental'),
    sa.CheckConstraint('capacity_physical IS NULL OR capacity_physical BETWEEN 1 AND 5', name='ck_follow_up_physical'),
    sa.CheckConstraint('capacity_social IS NULL OR capacity_social BETWEEN 1 AND 5', name='ck_follow_up_social'),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('booking_id', 'sequence', name='uq_follow_up_booking_sequence')
    )
    op.create_index(op.f('ix_follow_up_booking_id'), 'follow_up', ['booking_id'], unique=False)
    op.create_index('ix_follow_up_due_open', 'follow_up', ['done_at', 'due_date'], unique=False)
    op.create_table('idempotency_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('created_at', catalog.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'key', name='uq_idempotency_user_key')
    )


def downgrade() -> None:
    op.drop_table('idempotency_record')
    op.drop_index('ix_follow_up_due_open', table_name='follow_up')
    op.drop_index(op.f('ix_follow_up_booking_id'), table_name='follow_up')
    op.drop_table('follow_up')
    op.drop_index(op.f('ix_erasure_record_booking_id'), table_name='erasure_record')
    op.drop_table('erasure_record')
    op.drop_index('ix_charge_line_period_order', table_name='charge_line')
    op.drop_table('charge_line')
    op.drop_index(op.f('ix_booking_event_booking_id'), table_name='booking_event')
    op.drop_table('booking_event')
    op.drop_index(op.f('ix_attendance_week_booking_id'), table_name='attendance_week')
    op.drop_table('attendance_week')
    op.drop_table('transfer_file')
    op.drop_index(op.f('ix_programme_target_group_target_group_code'), table_name='programme_target_group')
    op.drop_table('programme_target_group')
    op.drop_index(op.f('ix_programme_change_programme_id'), table_name='programme_change')
    op.drop_table('programme_change')
    op.drop_index(op.f('ix_booking_requester_id'), table_name='booking')
    op.drop_index('ix_booking_programme_status_dates', table_name='booking')
    op.drop_index('ix_booking_programme_end_dates', table_name='booking', postgresql_include=['status', 'hold_expires_at'])
    op.drop_index('ix_booking_buyer_status', table_name='booking')
    op.drop_table('booking')
    op.drop_index(op.f('ix_user_session_user_id'), table_name='user_session')
    op.drop_table('user_session')
    op.drop_table('totp_state')
    op.drop_index('ix_programme_status_org', table_name='programme')
    op.drop_index('ix_programme_status_category', table_name='programme')
    op.drop_index(op.f('ix_programme_organisation_id'), table_name='programme')
    op.drop_table('programme')
    op.drop_index(op.f('ix_notification_user_id'), table_name='notification')
    op.drop_table('notification')
    op.drop_table('log_review')
    op.drop_table('billing_period')
    op.drop_index(op.f('ix_api_token_user_id'), table_name='api_token')
    op.drop_table('api_token')
    op.drop_index(op.f('ix_app_user_organisation_id'), table_name='app_user')
    op.drop_table('app_user')
    op.drop_table('target_group')
    op.drop_index(op.f('ix_outbox_message_sent_at'), table_name='outbox_message')
    op.drop_table('outbox_message')
    op.drop_table('organisation')
    op.drop_index('ix_login_attempt_ip_at', table_name='login_attempt')
    op.drop_index('ix_login_attempt_email_at', table_name='login_attempt')
    op.drop_table('login_attempt')
    op.drop_table('job_run')
    op.drop_table('job_lock')
    op.drop_table('category')
    op.drop_index('ix_audit_log_object', table_name='audit_log')
    op.drop_index('ix_audit_log_at', table_name='audit_log')
    op.drop_index('ix_audit_log_actor_at', table_name='audit_log')
    op.drop_index('ix_audit_log_action_at', table_name='audit_log')
    op.drop_table('audit_log')
