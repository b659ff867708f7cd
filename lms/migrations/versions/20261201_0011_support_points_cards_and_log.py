"""support points and their helpers, learner cards, the support log; consent given through a
helper; progress marked as assisted

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 12:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('support_services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_services')),
    sa.UniqueConstraint('code', name=op.f('uq_support_services_code'))
    )
    op.create_table('support_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('opening_times', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['org_units.id'],
                            name=op.f('fk_support_points_commune_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_points'))
    )
    with op.batch_alter_table('support_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_points_commune_id'), ['commune_id'],
                              unique=False)

    op.create_table('learner_cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('pin_hash', sa.String(length=200), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'],
                            name=op.f('fk_learner_cards_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_learner_cards_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learner_cards')),
    sa.UniqueConstraint('number', name=op.f('uq_learner_cards_number'))
    )
    with op.batch_alter_table('learner_cards', schema=None) as batch_op:
        batch_op.create_index('ix_learner_cards_user_id', ['user_id'], unique=False)

    op.create_table('support_point_helpers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['point_id'], ['support_points.id'],
                            name=op.f('fk_support_point_helpers_point_id_support_points'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_support_point_helpers_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_point_helpers')),
    sa.UniqueConstraint('point_id', 'user_id', name=op.f('uq_support_point_helpers_point_id'))
    )
    with op.batch_alter_table('support_point_helpers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_point_helpers_point_id'), ['point_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_support_point_helpers_user_id'), ['user_id'],
                              unique=False)

    op.create_table('support_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=True),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('helper_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('people_count', sa.Integer(), nullable=False),
    sa.Column('age_group', sa.String(length=10), nullable=False),
    sa.Column('services', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['org_units.id'],
                            name=op.f('fk_support_visits_commune_id_org_units')),
    sa.ForeignKeyConstraint(['helper_id'], ['users.id'],
                            name=op.f('fk_support_visits_helper_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'],
                            name=op.f('fk_support_visits_person_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['point_id'], ['support_points.id'],
                            name=op.f('fk_support_visits_point_id_support_points'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_visits')),
    sa.UniqueConstraint('token', name=op.f('uq_support_visits_token'))
    )
    with op.batch_alter_table('support_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_visits_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_visits_helper_id'), ['helper_id'],
                              unique=False)
        batch_op.create_index('ix_support_visits_point_at', ['point_id', 'at'], unique=False)

    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('read_aloud', sa.Boolean(), nullable=True))

    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assisted_by_id', sa.Integer(), nullable=True))

    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assisted_by_id', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_column('assisted_by_id')

    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_column('assisted_by_id')

    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_column('read_aloud')
        batch_op.drop_column('recorded_by_id')

    with op.batch_alter_table('support_visits', schema=None) as batch_op:
        batch_op.drop_index('ix_support_visits_point_at')
        batch_op.drop_index(batch_op.f('ix_support_visits_helper_id'))
        batch_op.drop_index(batch_op.f('ix_support_visits_at'))

    op.drop_table('support_visits')
    with op.batch_alter_table('support_point_helpers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_point_helpers_user_id'))
        batch_op.drop_index(batch_op.f('ix_support_point_helpers_point_id'))

    op.drop_table('support_point_helpers')
    with op.batch_alter_table('learner_cards', schema=None) as batch_op:
        batch_op.drop_index('ix_learner_cards_user_id')

    op.drop_table('learner_cards')
    with op.batch_alter_table('support_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_points_commune_id'))

    op.drop_table('support_points')
    op.drop_table('support_services')
