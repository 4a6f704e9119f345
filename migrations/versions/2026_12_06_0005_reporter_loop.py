"""the reporter's loop: a reporter reopens a closed case once, says "it is spreading again"

reports.reporter_reopened_at and reports.spreading_again_at; case_settings.reporter_reopen_days
(default 30: how long after closing a reporter may reopen their case).

Revision ID: 20261206_0005
Revises: 20261125_0004
Create Date: 2026-12-06 17:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261206_0005'
down_revision = '20261125_0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reporter_reopened_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('spreading_again_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('case_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reporter_reopen_days', sa.Integer(), nullable=False, server_default='30'))


def downgrade():
    with op.batch_alter_table('case_settings', schema=None) as batch_op:
        batch_op.drop_column('reporter_reopen_days')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('spreading_again_at')
        batch_op.drop_column('reporter_reopened_at')
