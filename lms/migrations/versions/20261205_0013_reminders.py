"""reminders of due dates: the outbox, and each person's language and opt-outs

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('sms_reminders_off_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('email_reminders_off_at', sa.DateTime(timezone=True),
                                      nullable=True))
    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=10), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'],
                            name=op.f('fk_reminders_assignment_id_assignments'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('user_id', 'assignment_id', 'rule', 'channel',
                        name=op.f('uq_reminders_user_id'))
    )
    op.create_index('ix_reminders_status_next_try_at', 'reminders', ['status', 'next_try_at'],
                    unique=False)
    op.create_index('ix_reminders_assignment_id_status', 'reminders',
                    ['assignment_id', 'status'], unique=False)


def downgrade():
    op.drop_index('ix_reminders_assignment_id_status', table_name='reminders')
    op.drop_index('ix_reminders_status_next_try_at', table_name='reminders')
    op.drop_table('reminders')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_reminders_off_at')
        batch_op.drop_column('sms_reminders_off_at')
        batch_op.drop_column('language')
