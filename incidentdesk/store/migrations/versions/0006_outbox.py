"""The notifications outbox

Revision ID: 0006_outbox
Revises: 0005_sla_records

One row per notification, written in the transaction of the change that caused it; the
delivery worker claims due rows (`ix_outbox_due`: state, next_attempt_at) with a lease.
Plain CREATE TABLE on both backends.
"""
from alembic import op
import sqlalchemy as sa
import incidentdesk.store.types


revision = '0006_outbox'
down_revision = '0005_sla_records'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'outbox',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('created_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.Column('event_kind', sa.String(length=32), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(length=100), nullable=False),
        sa.Column('recipient', sa.String(length=300), nullable=True),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.Column('claimed_by', sa.String(length=100), nullable=True),
        sa.Column('claimed_until', incidentdesk.store.types.UTCDateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('sent_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                                name=op.f('fk_outbox_incident_id_incidents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_idempotency_key')),
    )
    op.create_index(op.f('ix_outbox_incident_id'), 'outbox', ['incident_id'], unique=False)
    op.create_index('ix_outbox_due', 'outbox', ['state', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_due', table_name='outbox')
    op.drop_index(op.f('ix_outbox_incident_id'), table_name='outbox')
    op.drop_table('outbox')
