"""The privacy-settings migration: a school without a row keeps the documented defaults, a row
written without the terms gets them from the database too; it goes down and up again cleanly."""
from datetime import datetime, timezone

from sqlalchemy import create_engine, inspect, text

from lti_tool.extensions import db
from tests.support.migrations import fresh_url, migrating_app  # noqa: F401  (fresh_url: a fixture)

BEFORE, THIS = "20261206_0007", "20261207_0105"
AT = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)


def test_the_terms_default_in_the_database_and_the_table_comes_and_goes(fresh_url, lti_config_path):
    from flask_migrate import downgrade, upgrade
    app, directory = migrating_app(fresh_url, lti_config_path)
    with app.app_context():
        upgrade(directory=directory, revision=BEFORE)
        engine = create_engine(fresh_url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO schools (id, name, created_at) VALUES (1, 'Lyceum', :at)"), {"at": AT})
        upgrade(directory=directory, revision=THIS)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO privacy_settings (school_id, updated_at) VALUES (1, :at)"), {"at": AT})
            assert conn.execute(text("SELECT pupil_years, staff_months FROM privacy_settings")).one() == (2, 24)
        downgrade(directory=directory, revision=BEFORE)
        assert "privacy_settings" not in inspect(engine).get_table_names()
        upgrade(directory=directory, revision=THIS)
        assert "privacy_settings" in inspect(engine).get_table_names()
        engine.dispose()
        db.engine.dispose()  # the app's own pool too: the schema is dropped after the test
