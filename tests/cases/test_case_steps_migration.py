"""The protocol-steps migration: steps checked off before it stay done, a step can then hold a note
and be marked not applicable, and a downgrade drops the notes and the not-applicable marks (it never
turns "not applicable" into "done"); on SQLite and PostgreSQL."""
from datetime import datetime, timezone

from sqlalchemy import create_engine, inspect, text

from tests.support.migrations import fresh_url, migrating_app  # noqa: F401  (fresh_url: a fixture)

BEFORE, HEAD = "20261207_0105", "20261207_0107"
AT = datetime(2026, 11, 30, 8, 47, tzinfo=timezone.utc)


def _case(conn, report_id):
    conn.execute(text(
        "INSERT INTO reports (id, school_id, reference, category, source, urgent, spreading_now, identity,"
        " pseudonym, status, staff_suspect, not_genuine, legal_hold, updated_at, created_at, received_at) VALUES"
        " (:id, 1, :ref, 'other', 'tool', false, false, 'named', 'Melder 1', 'new', false, false, false,"
        " :at, :at, :at)"),
        {"id": report_id, "ref": f"VO-STEP-{report_id:04d}", "at": AT})


def test_checked_steps_stay_done_notes_and_not_applicable_come_and_go_cleanly(fresh_url, lti_config_path):
    from flask_migrate import downgrade, upgrade
    app, directory = migrating_app(fresh_url, lti_config_path)
    with app.app_context():
        upgrade(directory=directory, revision=BEFORE)
        engine = create_engine(fresh_url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO schools (id, name, created_at) VALUES (1, 'S', :at)"),
                         {"at": AT})
            _case(conn, 1)
            conn.execute(text("INSERT INTO case_checklist (school_id, report_id, step, done_at) VALUES"
                              " (1, 1, 'victim_support', :at)"), {"at": AT})
        upgrade(directory=directory, revision=HEAD)
        with engine.begin() as conn:
            assert conn.execute(text("SELECT state, note FROM case_checklist")).one() == ("done", None)
            conn.execute(text("INSERT INTO case_checklist (school_id, report_id, step, done_at, state, note) VALUES"
                              " (1, 1, 'parents', :at, 'not_applicable', :note)"), {"at": AT, "note": b"sealed"})
        with engine.connect() as conn:
            indexes = {ix["name"] for ix in inspect(conn).get_indexes("audit_events")}
        assert "ix_audit_events_school_actor_time" in indexes
        downgrade(directory=directory, revision=BEFORE)
        with engine.begin() as conn:
            assert conn.execute(text("SELECT step FROM case_checklist")).scalars().all() == ["victim_support"]
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("case_checklist")}
        assert not {"state", "note"} & columns
        upgrade(directory=directory, revision=HEAD)
        engine.dispose()
        from lti_tool.extensions import db
        db.session.remove()
        db.engine.dispose()  # this app's own connections, closed before the garbage collector finds them
