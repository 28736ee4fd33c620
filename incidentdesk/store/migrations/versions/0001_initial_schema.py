"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 00:42:23.394212
"""
from alembic import op
import sqlalchemy as sa
import incidentdesk.store.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('default_group', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('path', name=op.f('uq_categories_path'))
    )
    op.create_table('change_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('at', incidentdesk.store.types.UTCDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_log'))
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_log_incident_id'), ['incident_id'], unique=False)

    op.create_table('groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('manager', sa.String(length=64), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_groups')),
    sa.UniqueConstraint('name', name=op.f('uq_groups_name'))
    )
    op.create_table('services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('owner_group', sa.String(length=100), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services')),
    sa.UniqueConstraint('name', name=op.f('uq_services_name'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('created_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('login', name=op.f('uq_users_login'))
    )
    op.create_table('group_members',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_group_members_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_group_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_group_members'))
    )
    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=20), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('affected_service', sa.String(length=200), nullable=True),
    sa.Column('symptoms', sa.Text(), nullable=False),
    sa.Column('started_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
    sa.Column('impacted', sa.Text(), nullable=False),
    sa.Column('steps_to_reproduce', sa.Text(), nullable=False),
    sa.Column('device_user', sa.Text(), nullable=False),
    sa.Column('recent_changes', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=300), nullable=True),
    sa.Column('ci', sa.String(length=200), nullable=True),
    sa.Column('impact', sa.String(length=8), nullable=False),
    sa.Column('urgency', sa.String(length=8), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('hold_reason', sa.String(length=300), nullable=True),
    sa.Column('reporter', sa.String(length=64), nullable=False),
    sa.Column('assignee', sa.String(length=64), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('acknowledged_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
    sa.Column('resolved_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
    sa.Column('closed_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
    sa.Column('response_due_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
    sa.Column('resolution_due_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
    sa.Column('sla_due_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
    sa.Column('response_sla_state', sa.String(length=12), nullable=False),
    sa.Column('resolution_sla_state', sa.String(length=12), nullable=False),
    sa.Column('response_breached_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
    sa.Column('resolution_breached_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
    sa.Column('sla_paused_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
    sa.Column('sla_paused_seconds', sa.Float(), nullable=False),
    sa.Column('next_sla_check_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
    sa.Column('dedup_key', sa.String(length=300), nullable=True),
    sa.Column('alert_count', sa.Integer(), nullable=False),
    sa.Column('last_alert_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
    sa.Column('resolution_code', sa.String(length=32), nullable=True),
    sa.Column('resolution_notes', sa.Text(), nullable=True),
    sa.Column('first_contact_resolution', sa.Boolean(), nullable=False),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('user_confirmed', sa.Boolean(), nullable=True),
    sa.Column('csat', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('event_count', sa.Integer(), nullable=False),
    sa.Column('last_event_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_incidents_group_id_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents')),
    sa.UniqueConstraint('key', name=op.f('uq_incidents_key'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_assignee_queue', ['assignee', 'is_open', 'priority', 'sla_due_at', 'id'], unique=False)
        batch_op.create_index('ix_incidents_created', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_dedup_key'), ['dedup_key'], unique=False)
        batch_op.create_index('ix_incidents_group_queue', ['group_id', 'is_open', 'priority', 'sla_due_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_next_sla_check_at'), ['next_sla_check_at'], unique=False)
        batch_op.create_index('ix_incidents_queue', ['is_open', 'priority', 'sla_due_at', 'id'], unique=False)
        batch_op.create_index('ix_incidents_status_queue', ['status', 'priority', 'sla_due_at', 'id'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=24), nullable=False),
    sa.Column('fingerprint', sa.String(length=300), nullable=False),
    sa.Column('group_key', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=True),
    sa.Column('annotations', sa.JSON(), nullable=True),
    sa.Column('generator_url', sa.Text(), nullable=True),
    sa.Column('starts_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
    sa.Column('ends_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
    sa.Column('first_seen_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
    sa.Column('occurrences', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_alerts_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_fingerprint'), ['fingerprint'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_incident_id'), ['incident_id'], unique=False)

    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('at', incidentdesk.store.types.UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('from_group', sa.String(length=100), nullable=True),
    sa.Column('from_tier', sa.Integer(), nullable=True),
    sa.Column('to_group', sa.String(length=100), nullable=True),
    sa.Column('to_tier', sa.Integer(), nullable=True),
    sa.Column('to_person', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_escalations_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_incident_id'), ['incident_id'], unique=False)

    op.create_table('timeline_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', incidentdesk.store.types.UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('real_actor', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_timeline_events_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timeline_events')),
    sa.UniqueConstraint('incident_id', 'seq', name='uq_timeline_events_incident_seq')
    )


def downgrade() -> None:
    op.drop_table('timeline_events')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalations_incident_id'))

    op.drop_table('escalations')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_incident_id'))
        batch_op.drop_index(batch_op.f('ix_alerts_fingerprint'))

    op.drop_table('alerts')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_status_queue')
        batch_op.drop_index('ix_incidents_queue')
        batch_op.drop_index(batch_op.f('ix_incidents_next_sla_check_at'))
        batch_op.drop_index('ix_incidents_group_queue')
        batch_op.drop_index(batch_op.f('ix_incidents_dedup_key'))
        batch_op.drop_index('ix_incidents_created')
        batch_op.drop_index('ix_incidents_assignee_queue')

    op.drop_table('incidents')
    op.drop_table('group_members')
    op.drop_table('users')
    op.drop_table('services')
    op.drop_table('groups')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_log_incident_id'))

    op.drop_table('change_log')
    op.drop_table('categories')
