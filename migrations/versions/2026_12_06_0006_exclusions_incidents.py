"""reports about staff, coordinators kept away from a report, the school's deputy, incidents

Revision ID: 20261206_0006
Revises: 20261206_0005
Create Date: 2026-12-06 17:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261206_0006'
down_revision = '20261206_0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_incidents_created_by_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_incidents_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incidents_school_id'), ['school_id'], unique=False)

    op.create_table('report_exclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_exclusions_report_id_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_report_exclusions_school_id_schools')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_report_exclusions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_exclusions')),
    sa.UniqueConstraint('report_id', 'user_id', name=op.f('uq_report_exclusions_report_id_user_id'))
    )
    with op.batch_alter_table('report_exclusions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_exclusions_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_exclusions_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_exclusions_user_id'), ['user_id'], unique=False)

    op.create_table('school_deputies',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('named_by_id', sa.Integer(), nullable=True),
    sa.Column('named_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['named_by_id'], ['users.id'], name=op.f('fk_school_deputies_named_by_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_school_deputies_school_id_schools')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_school_deputies_user_id_users')),
    sa.PrimaryKeyConstraint('school_id', name=op.f('pk_school_deputies'))
    )

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('about_staff', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('incident_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reports_incident_id'), ['incident_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_reports_incident_id_incidents'), 'incidents',
                                    ['incident_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reports_incident_id_incidents'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reports_incident_id'))
        batch_op.drop_column('incident_id')
        batch_op.drop_column('about_staff')
    op.drop_table('school_deputies')
    with op.batch_alter_table('report_exclusions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_exclusions_user_id'))
        batch_op.drop_index(batch_op.f('ix_report_exclusions_school_id'))
        batch_op.drop_index(batch_op.f('ix_report_exclusions_report_id'))
    op.drop_table('report_exclusions')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incidents_school_id'))
    op.drop_table('incidents')
