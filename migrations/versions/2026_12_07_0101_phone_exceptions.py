"""phone exceptions: the register of pupils who may use their phone in class, and who keeps it

phone_exceptions (kind, period, optional course, who granted, changed and ended it; never deleted)
and phone_exception_settings (which roles grant, how many days ahead granters are reminded).

Revision ID: 20261207_0101
Revises: 20261206_0007
Create Date: 2026-12-07 10:00:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '20261207_0101'
down_revision = '20261206_0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'phone_exceptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('pupil_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(length=200), nullable=True),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('granted_by_id', sa.Integer(), nullable=True),
        sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_by_id', sa.Integer(), nullable=True),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_phone_exceptions_school_id_schools')),
        sa.ForeignKeyConstraint(['pupil_id'], ['users.id'], name=op.f('fk_phone_exceptions_pupil_id_users')),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_phone_exceptions_course_id_courses'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'],
                                name=op.f('fk_phone_exceptions_granted_by_id_users')),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'],
                                name=op.f('fk_phone_exceptions_changed_by_id_users')),
        sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name=op.f('fk_phone_exceptions_ended_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_exceptions')),
    )
    op.create_index('ix_phone_exceptions_school_pupil', 'phone_exceptions', ['school_id', 'pupil_id'])
    op.create_index('ix_phone_exceptions_ends_on', 'phone_exceptions', ['ends_on'])
    op.create_table(
        'phone_exception_settings',
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('school_admins_grant', sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column('coordinators_grant', sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column('mentors_grant', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('reminder_days', sa.Integer(), nullable=False, server_default='14'),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id'],
                                name=op.f('fk_phone_exception_settings_school_id_schools')),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'],
                                name=op.f('fk_phone_exception_settings_changed_by_id_users')),
        sa.PrimaryKeyConstraint('school_id', name=op.f('pk_phone_exception_settings')),
    )


def downgrade():
    op.drop_table('phone_exception_settings')
    op.drop_index('ix_phone_exceptions_ends_on', table_name='phone_exceptions')
    op.drop_index('ix_phone_exceptions_school_pupil', table_name='phone_exceptions')
    op.drop_table('phone_exceptions')
