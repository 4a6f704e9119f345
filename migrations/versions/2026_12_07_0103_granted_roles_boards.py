"""roles the school grants, pending deployments, and boards of many schools

school_members.granted_role: school_admin when a school admin (or `lti-tool schools grant`) made a
staff member one; the LMS's own administrators need no grant. deployments.school_id may be empty:
a deployment that reached an approved registration later waits, pending, until an administrator
names its school. boards, board_schools and board_members: a school board that sees anonymised
figures of its schools side by side.

Revision ID: 20261207_0103
Revises: 20261207_0102
Create Date: 2026-12-07 01:03:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261207_0103'
down_revision = '20261207_0102'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('school_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('granted_role', sa.String(length=20), nullable=True))
    with op.batch_alter_table('deployments', schema=None) as batch_op:
        batch_op.alter_column('school_id', existing_type=sa.Integer(), nullable=True)

    op.create_table('boards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_boards')),
    sa.UniqueConstraint('name', name=op.f('uq_boards_name'))
    )
    op.create_table('board_schools',
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_board_schools_board_id_boards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_board_schools_school_id_schools')),
    sa.PrimaryKeyConstraint('board_id', 'school_id', name=op.f('pk_board_schools')),
    sa.UniqueConstraint('school_id', name=op.f('uq_board_schools_school_id'))
    )
    op.create_table('board_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_board_members_board_id_boards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_board_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_members')),
    sa.UniqueConstraint('board_id', 'user_id', name=op.f('uq_board_members_board_id_user_id'))
    )
    with op.batch_alter_table('board_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_members_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('board_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_members_user_id'))
    op.drop_table('board_members')
    op.drop_table('board_schools')
    op.drop_table('boards')
    # A pending deployment has no school to keep: it goes, as it was never connected.
    op.execute(sa.text('DELETE FROM deployments WHERE school_id IS NULL'))
    with op.batch_alter_table('deployments', schema=None) as batch_op:
        batch_op.alter_column('school_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('school_members', schema=None) as batch_op:
        batch_op.drop_column('granted_role')
