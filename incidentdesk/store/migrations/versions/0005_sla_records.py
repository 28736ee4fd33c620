"""SLA records: when the running targets count from, and the targets a reprioritisation replaced

Revision ID: 0005_sla_records
Revises: 0004_people_audit

`incidents.sla_started_at` is nullable: NULL (every row older than this migration) means the
targets count from the incident's creation, as they always did, so no row is rewritten.
`sla_target_history` keeps each replaced target with the state it had reached (a breach once
recorded stays recorded). Plain ALTER TABLE / CREATE TABLE on both backends (see 0003).
"""
from alembic import op
import sqlalchemy as sa
import incidentdesk.store.types


revision = '0005_sla_records'
down_revision = '0004_people_audit'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('incidents', sa.Column('sla_started_at', incidentdesk.store.types.UTCDateTime(), nullable=True))
    op.create_table(
        'sla_target_history',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('target', sa.String(length=12), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('policy', sa.Text(), nullable=False),
        sa.Column('calendar', sa.String(length=100), nullable=False),
        sa.Column('counted_from', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.Column('due_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('breached_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
        sa.Column('superseded_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                                name=op.f('fk_sla_target_history_incident_id_incidents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_target_history')),
    )
    op.create_index(op.f('ix_sla_target_history_incident_id'), 'sla_target_history', ['incident_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sla_target_history_incident_id'), table_name='sla_target_history')
    op.drop_table('sla_target_history')
    op.drop_column('incidents', 'sla_started_at')
