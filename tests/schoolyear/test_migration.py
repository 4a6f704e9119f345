"""The school year migration: existing acknowledgements count for the school year (from 1 September)
they were made in, a second year's acknowledgement of the same version fits, and a downgrade keeps
the latest of each; on SQLite and PostgreSQL."""
import secrets
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, exc, text

from lti_tool import create_app

BEFORE, HEAD = "20261206_0007", "20261207_0102"
AUGUST = datetime(2026, 8, 20, 10, tzinfo=timezone.utc)
OCTOBER = datetime(2026, 10, 5, 10, tzinfo=timezone.utc)


@pytest.fixture
def fresh_url(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
    else:
        from tests.conftest import postgres_schema
        with postgres_schema("vo_year_") as url:
            yield url


def _ack(conn, user_id, at, school_year=None):
    columns = ", school_year" if school_year is not None else ""
    value = ", :year" if school_year is not None else ""
    conn.execute(text(
        "INSERT INTO acknowledgements (school_id, user_id, code_id, version_id, epoch, locale, acknowledged_at"
        f"{columns}) VALUES (1, :user, 1, 1, 1, 'nl', :at{value})"), {"user": user_id, "at": at, "year": school_year})


def _years(conn):
    return sorted(conn.execute(text("SELECT user_id, school_year FROM acknowledgements")).all())


def test_acknowledgements_get_their_school_year_and_a_downgrade_keeps_the_latest(fresh_url, lti_config_path):
    from flask_migrate import downgrade, upgrade
    app = create_app({"TESTING": True, "SECRET_KEY": secrets.token_hex(8), "SQLALCHEMY_DATABASE_URI": fresh_url,
                      "LTI_CONFIG": str(lti_config_path)})
    directory = app.extensions["migrate"].directory
    with app.app_context():
        upgrade(directory=directory, revision=BEFORE)
        engine = create_engine(fresh_url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO schools (id, name, created_at) VALUES (1, 'Lyceum', :at)"), {"at": AUGUST})
            for user_id in (1, 2):
                conn.execute(text("INSERT INTO users (id, issuer, sub, created_at, updated_at) VALUES "
                                  "(:id, 'https://lms', :sub, :at, :at)"), {"id": user_id, "sub": f"u{user_id}",
                                                                           "at": AUGUST})
            conn.execute(text("INSERT INTO conduct_codes (id, school_id, audience, created_at) VALUES "
                              "(1, 1, 'student', :at)"), {"at": AUGUST})
            conn.execute(text("INSERT INTO conduct_versions (id, school_id, code_id, number, status, change, epoch,"
                              " content, created_at, updated_at) VALUES (1, 1, 1, 1, 'published', 'major', 1,"
                              " '{}', :at, :at)"), {"at": AUGUST})
            _ack(conn, 1, AUGUST)
            _ack(conn, 2, OCTOBER)
        upgrade(directory=directory, revision=HEAD)
        with engine.begin() as conn:
            assert _years(conn) == [(1, 20250901), (2, 20260901)], "August is last school year, October this one"
            _ack(conn, 1, OCTOBER, 20260901)  # the same version again, for the new school year
        with pytest.raises(exc.IntegrityError), engine.begin() as conn:
            _ack(conn, 1, OCTOBER, 20260901)  # but once per year
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO school_year_settings (school_id, first_day, yearly, newcomer_days,"
                              " teacher_digest, staff_reminders, updated_at) VALUES (1, '2026-08-24', true, 14,"
                              " true, false, :at)"), {"at": OCTOBER})
        downgrade(directory=directory, revision=BEFORE)
        with engine.begin() as conn:
            assert sorted(conn.execute(text("SELECT user_id, acknowledged_at FROM acknowledgements")).all())[0][0] == 1
            assert conn.execute(text("SELECT count(*) FROM acknowledgements")).scalar() == 2, "the latest of each"
        upgrade(directory=directory, revision=HEAD)
        engine.dispose()
