"""assignments and targets name their audience; units carry expected counts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 13:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # Existing assignments keep reaching everyone the subject allows ("both" is narrowed to the
    # program's declared audience when counted), so the civil-servant program stops reaching
    # citizens without any data being rewritten.
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience', sa.String(length=20), nullable=False,
                                      server_default='both'))
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expected_residents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('expected_civil_servants', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.drop_column('expected_civil_servants')
        batch_op.drop_column('expected_residents')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('audience')
