"""protocol steps take a note and may be marked not applicable; the audit log is searched by person

case_checklist.state ('done' or 'not_applicable'; existing rows were checked off, so 'done') and
case_checklist.note (sealed, like case notes). An index on audit_events (school, actor, time) for
the audit log's filter by person. (Branched from 20261206_0007; it follows the privacy settings migration since
main was merged into this branch.) A downgrade drops the notes and the not-applicable marks (a step
marked not applicable is then no longer shown as done).

Revision ID: 20261207_0107
Revises: 20261207_0106
Create Date: 2026-12-07 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261207_0107'
down_revision = '20261207_0106'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_checklist') as batch:
        batch.add_column(sa.Column('state', sa.String(length=20), nullable=False, server_default='done'))
        batch.add_column(sa.Column('note', sa.LargeBinary(), nullable=True))
    op.create_index('ix_audit_events_school_actor_time', 'audit_events',
                    ['school_id', 'actor_user_id', 'created_at'])


def downgrade():
    op.drop_index('ix_audit_events_school_actor_time', table_name='audit_events')
    op.execute(sa.text("DELETE FROM case_checklist WHERE state = 'not_applicable'"))
    with op.batch_alter_table('case_checklist') as batch:
        batch.drop_column('note')
        batch.drop_column('state')
