"""reporting snapshot and report indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 13:50:10.907407
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seconds', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_snapshots'))
    )
    with op.batch_alter_table('report_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_snapshots_refreshed_at'), ['refreshed_at'], unique=False)

    op.create_table('daily_completions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('certified', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_daily_completions_org_unit_id_org_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_completions'))
    )
    with op.batch_alter_table('daily_completions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_daily_completions_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_daily_completions_org_unit_id'), ['org_unit_id'], unique=False)

    op.create_table('unit_tallies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('age_group', sa.SmallInteger(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('certified', sa.Integer(), nullable=False),
    sa.Column('programs', sa.JSON(), nullable=False),
    sa.Column('courses', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_unit_tallies_org_unit_id_org_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_tallies'))
    )
    with op.batch_alter_table('unit_tallies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_tallies_org_unit_id'), ['org_unit_id'], unique=False)

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_kind_subject_issued', ['kind', 'subject_slug', 'issued_at'], unique=False)

    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.create_index('ix_org_units_path_pattern', ['path'], unique=False, postgresql_ops={'path': 'varchar_pattern_ops'})

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_unit_audience_birth', ['org_unit_id', 'audience', 'birth_year'], unique=False)



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_unit_audience_birth')

    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.drop_index('ix_org_units_path_pattern', postgresql_ops={'path': 'varchar_pattern_ops'})

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_certificates_kind_subject_issued')

    with op.batch_alter_table('unit_tallies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_tallies_org_unit_id'))

    op.drop_table('unit_tallies')
    with op.batch_alter_table('daily_completions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_completions_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_daily_completions_day'))

    op.drop_table('daily_completions')
    with op.batch_alter_table('report_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_snapshots_refreshed_at'))

    op.drop_table('report_snapshots')
