"""one valid certificate per subject (revoked ones may be followed), one current PDF per
language, and the append-only audit trail

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

APPEND_ONLY_SQLITE = """
CREATE TRIGGER audit_entries_no_{verb} BEFORE {verb} ON audit_entries
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
"""
APPEND_ONLY_POSTGRESQL = """
CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_entries
FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
"""


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint('uq_certificates_user_id', type_='unique')
        batch_op.create_index('uq_certificates_valid', ['user_id', 'kind', 'subject_slug'],
                              unique=True, sqlite_where=sa.text('revoked_at IS NULL'),
                              postgresql_where=sa.text('revoked_at IS NULL'))
    with op.batch_alter_table('certificate_pdfs', schema=None) as batch_op:
        batch_op.create_index('uq_certificate_pdfs_current', ['certificate_id', 'language'],
                              unique=True, sqlite_where=sa.text('current'),
                              postgresql_where=sa.text('current'))

    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject_user_id', sa.Integer(), nullable=True),
    sa.Column('subject_name', sa.String(length=200), nullable=True),
    sa.Column('unit_path', sa.String(length=400), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_subject_user_id'), ['subject_user_id'],
                              unique=False)
        batch_op.create_index('ix_audit_entries_unit_path_at', ['unit_path', 'at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(APPEND_ONLY_POSTGRESQL)
    else:
        for verb in ('UPDATE', 'DELETE'):
            op.execute(APPEND_ONLY_SQLITE.format(verb=verb))


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_entries_append_only ON audit_entries')
        op.execute('DROP FUNCTION audit_entries_append_only()')
    op.drop_table('audit_entries')
    with op.batch_alter_table('certificate_pdfs', schema=None) as batch_op:
        batch_op.drop_index('uq_certificate_pdfs_current')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('uq_certificates_valid')
        batch_op.create_unique_constraint('uq_certificates_user_id',
                                          ['user_id', 'kind', 'subject_slug'])
