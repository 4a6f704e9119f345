"""what a link added without choosing content is for (the teacher's answer at its first launch)

Revision ID: 20261207_0104
Revises: 20261207_0103
Create Date: 2026-12-07 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261207_0104'
down_revision = '20261207_0103'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lti_link_purposes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('resource_link_id', sa.String(length=255), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('chosen_by_id', sa.Integer(), nullable=True),
    sa.Column('chosen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chosen_by_id'], ['users.id'], name=op.f('fk_lti_link_purposes_chosen_by_id_users')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_lti_link_purposes_course_id_courses'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_lti_link_purposes_platform_id_platforms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_lti_link_purposes_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_link_purposes')),
    sa.UniqueConstraint('school_id', 'platform_id', 'resource_link_id', name=op.f('uq_lti_link_purposes_school_id_platform_id_resource_link_id'))
    )
    with op.batch_alter_table('lti_link_purposes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_link_purposes_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('lti_link_purposes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_link_purposes_school_id'))
    op.drop_table('lti_link_purposes')
