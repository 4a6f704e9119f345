"""the school year: a school's first day, acknowledging again each year, due dates for newcomers, digests

school_year_settings: one row per school that set its school year (no row: the school is
unaffected, as before). acknowledgements.school_year: the first day (YYYYMMDD) of the school year
an acknowledgement counts for; the unique key becomes (user, code, epoch, school_year), so a school
that asks again each year stores one acknowledgement per major version per year.

Existing acknowledgements count for the school year (starting 1 September, the Dutch convention)
in which they were made.

Revision ID: 20261207_0102
Revises: 20261207_0101
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261207_0102'
down_revision = '20261207_0101'
branch_labels = None
depends_on = None

OLD_UNIQUE = 'uq_acknowledgements_user_id_code_id_epoch'
NEW_UNIQUE = 'uq_acknowledgements_user_id_code_id_epoch_school_year'


def upgrade():
    op.create_table(
        'school_year_settings',
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('yearly', sa.Boolean(), nullable=False),
        sa.Column('newcomer_days', sa.Integer(), nullable=False),
        sa.Column('teacher_digest', sa.Boolean(), nullable=False),
        sa.Column('staff_reminders', sa.Boolean(), nullable=False),
        sa.Column('scores_reset_for', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id'],
                                name=op.f('fk_school_year_settings_school_id_schools')),
        sa.PrimaryKeyConstraint('school_id', name=op.f('pk_school_year_settings')),
    )
    with op.batch_alter_table('acknowledgements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('school_year', sa.Integer(), nullable=False, server_default='0'))
    # The school year (from 1 September) each existing acknowledgement was made in, as YYYYMMDD.
    if op.get_bind().dialect.name == 'postgresql':
        year = "CAST(EXTRACT(YEAR FROM acknowledged_at AT TIME ZONE 'UTC') AS INTEGER)"
        month = "CAST(EXTRACT(MONTH FROM acknowledged_at AT TIME ZONE 'UTC') AS INTEGER)"
    else:
        year = "CAST(strftime('%Y', acknowledged_at) AS INTEGER)"
        month = "CAST(strftime('%m', acknowledged_at) AS INTEGER)"
    op.execute(f"UPDATE acknowledgements SET school_year = "
               f"(CASE WHEN {month} >= 9 THEN {year} ELSE {year} - 1 END) * 10000 + 901")
    with op.batch_alter_table('acknowledgements', schema=None) as batch_op:
        batch_op.drop_constraint(OLD_UNIQUE, type_='unique')
        batch_op.create_unique_constraint(NEW_UNIQUE, ['user_id', 'code_id', 'epoch', 'school_year'])


def downgrade():
    # Only the latest acknowledgement per (user, code, epoch) can stay under the old key; the
    # earlier years' rows are the history that the downgrade gives up.
    op.execute("DELETE FROM acknowledgements WHERE EXISTS (SELECT 1 FROM acknowledgements later "
               "WHERE later.user_id = acknowledgements.user_id AND later.code_id = acknowledgements.code_id "
               "AND later.epoch = acknowledgements.epoch AND later.school_year > acknowledgements.school_year)")
    with op.batch_alter_table('acknowledgements', schema=None) as batch_op:
        batch_op.drop_constraint(NEW_UNIQUE, type_='unique')
        batch_op.create_unique_constraint(OLD_UNIQUE, ['user_id', 'code_id', 'epoch'])
        batch_op.drop_column('school_year')
    op.drop_table('school_year_settings')
