"""Service requests: request types, each request's type, approval, field values and checklist

Revision ID: 0012_requests
Revises: 0008_vendor_pir

One nullable column on `incidents` (a request's own SLA targets, "4h/3bd": no row is
rewritten, incidents keep NULL and their policy's targets), and the requests' own tables
(store/request_models.py). Plain ALTER TABLE ADD COLUMN / CREATE TABLE on both backends.
"""
from alembic import op
import sqlalchemy as sa
import incidentdesk.store.types


revision = '0012_requests'
down_revision = '0011_handover'
branch_labels = None
depends_on = None


def _by(prefix: str) -> list:
    return [sa.Column(f'{prefix}_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
            sa.Column(f'{prefix}_by', sa.String(length=64), nullable=False)]


def upgrade() -> None:
    op.add_column('incidents', sa.Column('sla_target', sa.String(length=40), nullable=True))
    op.create_table(
        'request_types',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('steps', sa.JSON(), nullable=False),
        sa.Column('approval', sa.String(length=120), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('category', sa.String(length=300), nullable=True),
        sa.Column('impact', sa.String(length=8), nullable=False),
        sa.Column('urgency', sa.String(length=8), nullable=False),
        sa.Column('response', sa.String(length=16), nullable=True),
        sa.Column('resolution', sa.String(length=16), nullable=True),
        sa.Column('retired', sa.Boolean(), server_default=sa.false(), nullable=False),
        *_by('created'), *_by('updated'),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_request_types_group_id_groups')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_request_types')),
        sa.UniqueConstraint('name', name=op.f('uq_request_types_name')),
    )
    op.create_table(
        'service_requests',
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('type_id', sa.Integer(), nullable=False),
        sa.Column('approval', sa.String(length=16), nullable=False),
        sa.Column('approver', sa.String(length=120), nullable=False),
        sa.Column('decided_by', sa.String(length=64), nullable=True),
        sa.Column('decided_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                                name=op.f('fk_service_requests_incident_id_incidents'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['type_id'], ['request_types.id'],
                                name=op.f('fk_service_requests_type_id_request_types')),
        sa.PrimaryKeyConstraint('incident_id', name=op.f('pk_service_requests')),
    )
    op.create_index('ix_service_requests_approval', 'service_requests', ['approval'])
    op.create_index(op.f('ix_service_requests_type_id'), 'service_requests', ['type_id'])
    op.create_table(
        'request_values',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                                name=op.f('fk_request_values_incident_id_incidents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_request_values')),
        sa.UniqueConstraint('incident_id', 'name', name='uq_request_values_incident_name'),
    )
    op.create_index('ix_request_values_name', 'request_values', ['name'])
    op.create_table(
        'request_steps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('done_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
        sa.Column('done_by', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                                name=op.f('fk_request_steps_incident_id_incidents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_request_steps')),
        sa.UniqueConstraint('incident_id', 'number', name='uq_request_steps_incident_number'),
    )


def downgrade() -> None:
    op.drop_table('request_steps')
    op.drop_index('ix_request_values_name', table_name='request_values')
    op.drop_table('request_values')
    op.drop_index(op.f('ix_service_requests_type_id'), table_name='service_requests')
    op.drop_index('ix_service_requests_approval', table_name='service_requests')
    op.drop_table('service_requests')
    op.drop_table('request_types')
    op.drop_column('incidents', 'sla_target')
