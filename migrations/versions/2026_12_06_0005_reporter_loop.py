"""the reporter's loop: a reporter reopens a closed case once, says "it is spreading again"

reports.reporter_reopened_at and reports.spreading_again_at; case_settings.reporter_reopen_days
(default 30: how long after closing a reporter may reopen their case).

Feedback to the reporter now counts only when a message reached them. Cases closed before this
without any message from the school had their feedback_at set by the closing alone: it is cleared,
so their feedback deadline shows as missed instead of met (purged cases keep theirs: their
messages are gone, so nobody can tell).

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
    op.execute(
        "UPDATE reports SET feedback_at = NULL"
        " WHERE status = 'closed' AND purged_at IS NULL AND feedback_at IS NOT NULL"
        " AND feedback_at = closed_at AND NOT EXISTS ("
        "  SELECT 1 FROM report_messages m WHERE m.report_id = reports.id AND m.author_role = 'coordinator')")


def downgrade():
    with op.batch_alter_table('case_settings', schema=None) as batch_op:
        batch_op.drop_column('reporter_reopen_days')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('spreading_again_at')
        batch_op.drop_column('reporter_reopened_at')
