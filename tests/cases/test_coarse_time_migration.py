"""The coarse-time migration: existing pseudonymous reports, their reporter's messages, reads and
audit events move to the start of their part of the day; the exact moment stays in received_at;
named and hand-entered reports and the coordinators' own doings keep their times; on SQLite and
PostgreSQL, with a downgrade that unmasks nobody."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text

from tests.support.migrations import fresh_url, migrating_app  # noqa: F401  (fresh_url: a fixture)

BEFORE, HEAD = "20261125_0004", "20261206_0007"
EXACT = datetime(2026, 11, 30, 8, 47, 23, 123456, tzinfo=timezone.utc)     # Monday 09:47:23 in Amsterdam
LATER = datetime(2026, 11, 30, 13, 5, 9, tzinfo=timezone.utc)              # Monday 14:05:09
MORNING = datetime(2026, 11, 30, 5, 0, tzinfo=timezone.utc)                # Monday 06:00
AFTERNOON = datetime(2026, 11, 30, 11, 0, tzinfo=timezone.utc)             # Monday 12:00


def _utc(value):
    if isinstance(value, str):  # SQLite hands back text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _report(conn, report_id, identity, source):
    conn.execute(text(
        "INSERT INTO reports (id, school_id, reference, category, source, urgent, spreading_now, identity,"
        " pseudonym, status, staff_suspect, not_genuine, legal_hold, updated_at, created_at) VALUES"
        " (:id, 1, :ref, 'other', :source, false, false, :identity, 'Melder 1', 'new', false, false, false,"
        " :at, :at)"), {"id": report_id, "ref": f"VO-TIME-{report_id:04d}", "at": EXACT, "identity": identity,
                        "source": source})
    conn.execute(text("INSERT INTO report_messages (school_id, report_id, author_role, created_at,"
                      " read_by_reporter_at) VALUES (1, :id, 'reporter', :later, :later),"
                      " (1, :id, 'coordinator', :at, :later)"), {"id": report_id, "at": EXACT, "later": LATER})
    conn.execute(text("INSERT INTO audit_events (school_id, report_id, action, detail, created_at) VALUES"
                      " (1, :id, 'report_created', :source, :at), (1, :id, 'message_sent', 'reporter', :later),"
                      " (1, :id, 'case_viewed', NULL, :later)"), {"id": report_id, "source": source, "at": EXACT,
                                                                 "later": LATER})


def _times(conn, report_id):
    report = conn.execute(text("SELECT created_at, received_at, updated_at FROM reports WHERE id = :id"),
                          {"id": report_id}).one()
    messages = {row[0]: tuple(map(_utc, row[1:])) for row in conn.execute(text(
        "SELECT author_role, created_at, received_at, read_by_reporter_at FROM report_messages"
        " WHERE report_id = :id"), {"id": report_id})}
    events = {row[0]: _utc(row[1]) for row in conn.execute(text(
        "SELECT action, created_at FROM audit_events WHERE report_id = :id"), {"id": report_id})}
    return tuple(map(_utc, report)), messages, events


def test_existing_pseudonymous_rows_are_coarsened_and_keep_their_exact_moment(fresh_url, lti_config_path):
    from flask_migrate import downgrade, upgrade
    app, directory = migrating_app(fresh_url, lti_config_path)
    with app.app_context():
        upgrade(directory=directory, revision=BEFORE)
        engine = create_engine(fresh_url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO schools (id, name, created_at) VALUES (1, 'Lyceum', :at)"), {"at": EXACT})
            _report(conn, 1, "pseudonymous", "tool")
            _report(conn, 2, "named", "tool")
            _report(conn, 3, "pseudonymous", "phone")   # entered by a coordinator: timed by them
        upgrade(directory=directory, revision=HEAD)
        with engine.begin() as conn:
            report, messages, events = _times(conn, 1)
            assert report == (MORNING, EXACT, MORNING)
            assert messages["reporter"] == (AFTERNOON, LATER, AFTERNOON)
            assert messages["coordinator"] == (EXACT, EXACT, AFTERNOON), "the reporter's reading is theirs"
            assert events == {"report_created": MORNING, "message_sent": AFTERNOON, "case_viewed": LATER}
            for kept in (2, 3):
                report, messages, events = _times(conn, kept)
                assert report == (EXACT, EXACT, EXACT)
                assert messages["reporter"] == (LATER, LATER, LATER)
                assert events == {"report_created": EXACT, "message_sent": LATER, "case_viewed": LATER}
            conn.execute(text("INSERT INTO mail_outbox (school_id, to_address, subject, body, status, attempts,"
                              " next_attempt_at, created_at, batch_key) VALUES (1, 'c@school.nl', 's', 'b',"
                              " 'pending', 0, :at, :at, 'k')"), {"at": EXACT})
        with pytest.raises(Exception):
            with engine.begin() as conn:  # one notice per coordinator per slot
                conn.execute(text("INSERT INTO mail_outbox (school_id, to_address, subject, body, status, attempts,"
                                  " next_attempt_at, created_at, batch_key) VALUES (1, 'c@school.nl', 's', 'b',"
                                  " 'pending', 0, :at, :at, 'k')"), {"at": EXACT})
        downgrade(directory=directory, revision=BEFORE)
        with engine.begin() as conn:
            created = _utc(conn.execute(text("SELECT created_at FROM reports WHERE id = 1")).scalar())
            assert created == MORNING, "a downgrade unmasks nobody"
        upgrade(directory=directory, revision=HEAD)
        engine.dispose()
        from lti_tool.extensions import db
        db.session.remove()
        db.engine.dispose()  # this app's own connections, closed before the garbage collector finds them
