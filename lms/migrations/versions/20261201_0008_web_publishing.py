"""courses published through the web: packages, releases and who may publish

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_packages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_slug', sa.String(length=100), nullable=False),
    sa.Column('archive', sa.LargeBinary(), nullable=False),
    sa.Column('file_count', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_name', sa.String(length=200), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                            name=op.f('fk_content_packages_uploaded_by_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_packages'))
    )
    with op.batch_alter_table('content_packages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_packages_course_slug'), ['course_slug'],
                              unique=False)
    op.create_table('content_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_slug', sa.String(length=100), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['package_id'], ['content_packages.id'],
                            name=op.f('fk_content_releases_package_id_content_packages')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                            name=op.f('fk_content_releases_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_releases'))
    )
    with op.batch_alter_table('content_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_releases_course_slug'), ['course_slug'],
                              unique=False)
    op.create_table('course_publishers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_slug', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_course_publishers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_publishers')),
    sa.UniqueConstraint('user_id', 'course_slug', name=op.f('uq_course_publishers_user_id'))
    )
    with op.batch_alter_table('course_publishers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_publishers_user_id'), ['user_id'],
                              unique=False)


def downgrade():
    op.drop_table('course_publishers')
    op.drop_table('content_releases')
    op.drop_table('content_packages')
