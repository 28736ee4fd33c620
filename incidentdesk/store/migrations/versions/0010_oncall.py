"""On-call rotations

Revision ID: 0010_oncall
Revises: 0008_vendor_pir

Three new tables (no existing row is touched): a rotation per group (cadence, handoff weekday and
time, IANA zone, anchor date), its members in order, and the overrides over it (swaps are pairs
of overrides; removed ones are kept, stamped). Plain CREATE TABLE on both backends.
"""
from alembic import op
import sqlalchemy as sa
import incidentdesk.store.types


revision = '0010_oncall'
down_revision = '0012_requests'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'oncall_rotations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('cadence', sa.String(length=10), nullable=False),
        sa.Column('handoff_weekday', sa.Integer(), nullable=False),
        sa.Column('handoff_time', sa.String(length=5), nullable=False),
        sa.Column('time_zone', sa.String(length=64), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('updated_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'],
                                name=op.f('fk_oncall_rotations_group_id_groups'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_rotations')),
        sa.UniqueConstraint('group_id', name=op.f('uq_oncall_rotations_group_id')),
    )
    op.create_table(
        'oncall_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rotation_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('login', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['rotation_id'], ['oncall_rotations.id'],
                                name=op.f('fk_oncall_members_rotation_id_oncall_rotations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_members')),
        sa.UniqueConstraint('rotation_id', 'position', name='uq_oncall_members_rotation_position'),
    )
    op.create_table(
        'oncall_overrides',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rotation_id', sa.Integer(), nullable=False),
        sa.Column('person', sa.String(length=64), nullable=False),
        sa.Column('starts_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.Column('ends_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('pair_id', sa.Integer(), nullable=True),
        sa.Column('created_at', incidentdesk.store.types.UTCDateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('removed_at', incidentdesk.store.types.UTCDateTime(), nullable=True),
        sa.Column('removed_by', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['rotation_id'], ['oncall_rotations.id'],
                                name=op.f('fk_oncall_overrides_rotation_id_oncall_rotations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_overrides')),
    )
    op.create_index('ix_oncall_overrides_rotation_end', 'oncall_overrides', ['rotation_id', 'ends_at'])


def downgrade() -> None:
    op.drop_index('ix_oncall_overrides_rotation_end', table_name='oncall_overrides')
    op.drop_table('oncall_overrides')
    op.drop_table('oncall_members')
    op.drop_table('oncall_rotations')
