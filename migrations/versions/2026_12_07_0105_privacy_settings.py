"""privacy settings: how long after leaving a school keeps a person's name, e-mail and LMS ids

privacy_settings: per school, pupil_years (after the end of the school year in which a pupil was
last seen, 2 unless set) and staff_months (after a staff member was last seen, 24 unless set).
No row means the defaults; nothing existing changes.

Revision ID: 20261207_0105
Revises: 20261207_0104
Create Date: 2026-12-07 01:05:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '20261207_0105'
down_revision = '20261207_0104'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'privacy_settings',
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('pupil_years', sa.Integer(), nullable=False, server_default='2'),
        sa.Column('staff_months', sa.Integer(), nullable=False, server_default='24'),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_privacy_settings_school_id_schools')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_privacy_settings_updated_by_id_users')),
        sa.PrimaryKeyConstraint('school_id', name=op.f('pk_privacy_settings')),
    )


def downgrade():
    op.drop_table('privacy_settings')
