"""coarse time for pseudonymous reporters: received_at keeps the exact moment, created_at the part of the day

reports.received_at and report_messages.received_at (the exact moment, for deadlines and limits
only); mail_outbox.batch_key (one pending notice per coordinator per send slot).

Existing rows: received_at takes created_at. Then, for every pseudonymous report made in the tool,
whatever its reporter caused is moved to the start of its part of the day in the school's time
zone (night 0-6, morning 6-12, afternoon 12-18, evening 18-24): the report's created_at,
updated_at, reporter_reopened_at and spreading_again_at; the reporter's messages (created_at,
read_by_reporter_at); the reporter's reading of the coordinators' messages (read_by_reporter_at);
and the audit events of the reporter's doing.
A downgrade drops the exact times and keeps the coarse ones: it never unmasks anyone.

Revision ID: 20261206_0007
Revises: 20261206_0006
Create Date: 2026-12-06 17:45:00

"""
import os
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261206_0007'
down_revision = '20261206_0006'
branch_labels = None
depends_on = None

# The reporter's doing (lti_tool/cases/audit.py: REPORTER_ACTIONS and REPORTER_EVENTS).
REPORTER_ACTIONS = ('report_created', 'reporter_message', 'reporter_viewed', 'reopened_by_reporter',
                    'spreading_again')
UNIQUE_BATCH = 'uq_mail_outbox_school_id_to_address_batch_key'


def _zone() -> ZoneInfo:
    try:
        from flask import current_app
        name = current_app.config.get('BABEL_DEFAULT_TIMEZONE')
    except RuntimeError:  # run outside the app
        name = None
    return ZoneInfo(name or os.environ.get('SCHOOL_TIMEZONE') or 'Europe/Amsterdam')


def _part_start(moment, zone):
    """The start of the moment's part of the day, in UTC (the same rule as lti_tool/coarse_time.py)."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite gives naive UTC back
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(zone)
    start = datetime.combine(local.date(), time(local.hour // 6 * 6), zone)
    return min(start.astimezone(timezone.utc), moment.astimezone(timezone.utc))


def _coarsen(conn, table, columns, where, zone, filters=()):
    """Move the named columns of the rows matching `where` to the start of their part of the day."""
    t = sa.table(table, sa.column('id'), *(sa.column(c) for c in filters),
                 *(sa.column(c, sa.DateTime(timezone=True)) for c in columns))
    rows = conn.execute(sa.select(t.c.id, *(t.c[c] for c in columns)).where(where(t))).all()
    for row in rows:
        values = {c: _part_start(row[n + 1], zone) for n, c in enumerate(columns)}
        conn.execute(t.update().where(t.c.id == row.id).values(**values))


def upgrade():
    for table in ('reports', 'report_messages'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('received_at', sa.DateTime(timezone=True), nullable=True))
        op.execute(f'UPDATE {table} SET received_at = created_at')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('received_at', existing_type=sa.DateTime(timezone=True), nullable=False)
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_key', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(UNIQUE_BATCH, ['school_id', 'to_address', 'batch_key'])

    conn, zone = op.get_bind(), _zone()
    reports = sa.table('reports', sa.column('id'), sa.column('identity'), sa.column('source'))
    # Pseudonymous reports made in the tool; one entered by a coordinator was timed by them.
    coarse = sa.select(reports.c.id).where(reports.c.identity == 'pseudonymous', reports.c.source == 'tool')
    _coarsen(conn, 'reports', ('created_at', 'updated_at', 'reporter_reopened_at', 'spreading_again_at'),
             lambda t: t.c.id.in_(coarse), zone)
    _coarsen(conn, 'report_messages', ('created_at', 'read_by_reporter_at'),
             lambda t: sa.and_(t.c.report_id.in_(coarse), t.c.author_role == 'reporter'), zone,
             ('report_id', 'author_role'))
    _coarsen(conn, 'report_messages', ('read_by_reporter_at',),
             lambda t: sa.and_(t.c.report_id.in_(coarse), t.c.author_role == 'coordinator'), zone,
             ('report_id', 'author_role'))
    _coarsen(conn, 'audit_events', ('created_at',), lambda t: sa.and_(
        t.c.report_id.in_(coarse),
        sa.or_(t.c.action.in_(REPORTER_ACTIONS), sa.and_(t.c.action == 'message_sent', t.c.detail == 'reporter'))),
        zone, ('report_id', 'action', 'detail'))


def downgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(UNIQUE_BATCH, type_='unique')
        batch_op.drop_column('batch_key')
    for table in ('report_messages', 'reports'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('received_at')
