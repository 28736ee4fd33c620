"""major incident roles and update cadence: deputy, communications lead, last / next stakeholder update

Revision ID: 0007_major_roles
Revises: 0006_outbox

Plain ALTER TABLE on both backends, nullable columns, no rewrite (see 0003 for why not batch
mode). A major incident declared before this migration has no next update due until its first
update is posted or its command is handed over (NULL: the console shows no countdown for it).
"""
from alembic import op
import sqlalchemy as sa
import incidentdesk.store.types


revision = '0007_major_roles'
down_revision = '0006_outbox'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('incidents', sa.Column('deputy', sa.String(length=64), nullable=True))
    op.add_column('incidents', sa.Column('comms_lead', sa.String(length=64), nullable=True))
    op.add_column('incidents', sa.Column('last_update_at', incidentdesk.store.types.UTCDateTime(), nullable=True))
    op.add_column('incidents', sa.Column('next_update_due', incidentdesk.store.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column('incidents', 'next_update_due')
    op.drop_column('incidents', 'last_update_at')
    op.drop_column('incidents', 'comms_lead')
    op.drop_column('incidents', 'deputy')
