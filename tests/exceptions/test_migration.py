"""The phone-exception migration: its tables as the models describe them, school defaults, and a clean way back."""
import secrets
from datetime import date, datetime, timezone

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from lti_tool import create_app
from lti_tool.db import Base
from lti_tool.extensions import db

BEFORE, OURS = "20261206_0007", "20261207_0101"
TABLES = {"phone_exceptions", "phone_exception_settings"}


def _ours(diff) -> bool:
    """Whether an autogenerate difference concerns this migration's tables."""
    for item in diff if isinstance(diff, list) else [diff]:
        for part in item:
            table = getattr(part, "table", None)
            name = part if isinstance(part, str) else getattr(part, "name", None) if table is None else table.name
            if name in TABLES:
                return True
    return False


def test_upgrade_matches_the_models_keeps_defaults_and_downgrades(fresh_url, lti_config_path):
    from flask_migrate import downgrade, upgrade
    app = create_app({"TESTING": True, "SECRET_KEY": secrets.token_hex(8), "SQLALCHEMY_DATABASE_URI": fresh_url,
                      "LTI_CONFIG": str(lti_config_path)})
    directory = app.extensions["migrate"].directory
    with app.app_context():
        try:
            upgrade(directory=directory, revision=BEFORE)
            now = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
            with db.engine.begin() as conn:
                conn.execute(text("INSERT INTO schools (id, name, created_at) VALUES (1, 'A', :now)"), {"now": now})
                conn.execute(text("INSERT INTO users (id, issuer, sub, created_at, updated_at) VALUES"
                                  " (1, 'i', 'pupil', :now, :now), (2, 'i', 'mentor', :now, :now)"), {"now": now})
            upgrade(directory=directory, revision=OURS)
            with db.engine.connect() as conn:
                differences = [d for d in compare_metadata(MigrationContext.configure(conn), Base.metadata)
                               if _ours(d)]
            assert differences == []
            with db.engine.begin() as conn:
                conn.execute(text("INSERT INTO phone_exception_settings (school_id, changed_at) VALUES (1, :now)"),
                             {"now": now})
                assert conn.execute(text("SELECT school_admins_grant, coordinators_grant, mentors_grant,"
                                         " reminder_days FROM phone_exception_settings")).one() == (True, True, False, 14)
                conn.execute(text("INSERT INTO phone_exceptions (school_id, pupil_id, kind, starts_on, ends_on,"
                                  " granted_by_id, granted_at) VALUES (1, 1, 'medical', :start, :end, 2, :now)"),
                             {"start": date(2026, 12, 7), "end": date(2027, 7, 17), "now": now})
            downgrade(directory=directory, revision=BEFORE)
            assert not TABLES & set(inspect(db.engine).get_table_names())
            upgrade(directory=directory, revision=OURS)
            assert TABLES <= set(inspect(db.engine).get_table_names())
        finally:
            db.engine.dispose()
