"""CMDB: retired categories, configuration items and their dependencies, changes

Revision ID: 0013_cmdb
Revises: 0008_vendor_pir

`categories.retired` (NOT NULL with a constant default: plain ALTER TABLE on both backends, no
row rewritten) and `incidents.caused_by_change` (nullable). New tables: `cis` (unique name),
`ci_dependencies` (an edge table; cycles allowed), `changes` (CHG- keys, the change tool's
`ref` unique) and `change_cis`. Indexes on the edge tables' second columns serve "what depends
on this CI" and "changes on this CI"; `ix_incidents_ci` (ci, created_at) a CI's recent incidents
(the incident pane's CI tab) without reading every incident.
"""
from alembic import op
import sqlalchemy as sa
import incidentdesk.store.types


revision = '0013_cmdb'
down_revision = '0010_oncall'
branch_labels = None
depends_on = None

UTC = incidentdesk.store.types.UTCDateTime


def upgrade() -> None:
    op.add_column('categories', sa.Column('retired', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('incidents', sa.Column('caused_by_change', sa.String(length=20), nullable=True))
    op.create_index('ix_incidents_ci', 'incidents', ['ci', 'created_at'])
    op.create_table(
        'cis',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('type', sa.String(length=24), nullable=False),
        sa.Column('service', sa.String(length=200), nullable=True),
        sa.Column('owner', sa.String(length=100), nullable=True),
        sa.Column('location', sa.String(length=200), nullable=True),
        sa.Column('criticality', sa.String(length=16), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('updated_at', UTC(), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cis')),
        sa.UniqueConstraint('name', name=op.f('uq_cis_name')),
    )
    op.create_table(
        'ci_dependencies',
        sa.Column('ci_id', sa.Integer(), nullable=False),
        sa.Column('depends_on_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['ci_id'], ['cis.id'], name=op.f('fk_ci_dependencies_ci_id_cis'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['depends_on_id'], ['cis.id'], name=op.f('fk_ci_dependencies_depends_on_id_cis'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('ci_id', 'depends_on_id', name=op.f('pk_ci_dependencies')),
    )
    op.create_index('ix_ci_dependencies_depends_on', 'ci_dependencies', ['depends_on_id'])
    op.create_table(
        'changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=20), nullable=False),
        sa.Column('ref', sa.String(length=100), nullable=True),
        sa.Column('title', sa.String(length=500), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('risk', sa.String(length=8), nullable=False),
        sa.Column('implementer', sa.String(length=64), nullable=True),
        sa.Column('planned_start', UTC(), nullable=True),
        sa.Column('planned_end', UTC(), nullable=True),
        sa.Column('actual_start', UTC(), nullable=True),
        sa.Column('actual_end', UTC(), nullable=True),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('created_at', UTC(), nullable=False),
        sa.Column('updated_at', UTC(), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_changes')),
        sa.UniqueConstraint('key', name=op.f('uq_changes_key')),
        sa.UniqueConstraint('ref', name=op.f('uq_changes_ref')),
    )
    op.create_table(
        'change_cis',
        sa.Column('change_id', sa.Integer(), nullable=False),
        sa.Column('ci_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['change_id'], ['changes.id'], name=op.f('fk_change_cis_change_id_changes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ci_id'], ['cis.id'], name=op.f('fk_change_cis_ci_id_cis'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('change_id', 'ci_id', name=op.f('pk_change_cis')),
    )
    op.create_index('ix_change_cis_ci', 'change_cis', ['ci_id'])


def downgrade() -> None:
    op.drop_index('ix_change_cis_ci', table_name='change_cis')
    op.drop_table('change_cis')
    op.drop_table('changes')
    op.drop_index('ix_ci_dependencies_depends_on', table_name='ci_dependencies')
    op.drop_table('ci_dependencies')
    op.drop_table('cis')
    op.drop_index('ix_incidents_ci', table_name='incidents')
    op.drop_column('incidents', 'caused_by_change')
    op.drop_column('categories', 'retired')
