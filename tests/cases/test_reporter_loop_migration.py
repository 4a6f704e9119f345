"""The reporter-loop migration: new columns with their defaults, and a closing without any message
from the school no longer counts as feedback (its feedback_at is cleared), on SQLite and PostgreSQL."""
from datetime import datetime, timezone

from sqlalchemy import create_engine, text

from tests.support.migrations import fresh_url, migrating_app  # noqa: F401  (fresh_url: a fixture)

BEFORE, HEAD = "20261125_0004", "20261206_0005"
AT = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def _report(conn, report_id, *, feedback_at, purged_at=None):
    conn.execute(text(
        "INSERT INTO reports (id, school_id, reference, category, source, urgent, spreading_now, identity,"
        " pseudonym, status, staff_suspect, not_genuine, legal_hold, closed_at, feedback_at, purged_at,"
        " updated_at, created_at) VALUES (:id, 1, :ref, 'other', 'tool', false, false, 'pseudonymous',"
        " 'Melder 1', 'closed', false, false, false, :at, :feedback, :purged, :at, :at)"),
        {"id": report_id, "ref": f"VO-TEST-{report_id:04d}", "at": AT, "feedback": feedback_at,
         "purged": purged_at})


def test_closings_without_a_message_lose_their_feedback_and_the_new_columns_arrive(fresh_url, lti_config_path):
    from flask_migrate import downgrade, upgrade
    app, directory = migrating_app(fresh_url, lti_config_path)
    with app.app_context():
        upgrade(directory=directory, revision=BEFORE)
        engine = create_engine(fresh_url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO schools (id, name, created_at) VALUES (1, 'Lyceum', :at)"), {"at": AT})
            _report(conn, 1, feedback_at=AT)                 # closed, no message: feedback by closing alone
            _report(conn, 2, feedback_at=AT)                 # closed with a message from the school
            conn.execute(text("INSERT INTO report_messages (school_id, report_id, author_role, created_at)"
                              " VALUES (1, 2, 'coordinator', :at)"), {"at": AT})
            _report(conn, 3, feedback_at=AT, purged_at=AT)   # purged: its messages are gone, keep it
        upgrade(directory=directory, revision=HEAD)
        with engine.begin() as conn:
            feedback = dict(conn.execute(text("SELECT id, feedback_at FROM reports ORDER BY id")).all())
            assert feedback[1] is None and feedback[2] is not None and feedback[3] is not None
            conn.execute(text("INSERT INTO case_settings (school_id, first_response_hours, urgent_response_minutes,"
                              " retention_months, updated_at) VALUES (1, 24, 60, 12, :at)"), {"at": AT})
            assert conn.execute(text("SELECT reporter_reopen_days FROM case_settings")).scalar() == 30
            assert conn.execute(text("SELECT reporter_reopened_at, spreading_again_at FROM reports"
                                     " WHERE id = 1")).one() == (None, None)
        downgrade(directory=directory, revision=BEFORE)
        upgrade(directory=directory, revision=HEAD)
        engine.dispose()
        from lti_tool.extensions import db
        db.session.remove()
        db.engine.dispose()  # this app's own connections, closed before the garbage collector finds them
