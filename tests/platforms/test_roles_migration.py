"""The granted-roles migration: existing schools, deployments and members are kept as they were (no one
gains a role), a deployment may then wait without a school, boards start empty; on SQLite and
PostgreSQL, with a downgrade that drops only what cannot exist before it (pending deployments)."""
import secrets
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text

from lti_tool import create_app

BEFORE, HEAD = "20261206_0007", "20261207_0103"
AT = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def test_existing_rows_are_kept_and_nobody_gains_a_role(empty_database_url, lti_config_path):
    fresh_url = empty_database_url
    from flask_migrate import downgrade, upgrade
    app = create_app({"TESTING": True, "SECRET_KEY": secrets.token_hex(8), "SQLALCHEMY_DATABASE_URI": fresh_url,
                      "LTI_CONFIG": str(lti_config_path)})
    directory = app.extensions["migrate"].directory
    with app.app_context():
        upgrade(directory=directory, revision=BEFORE)
        engine = create_engine(fresh_url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO schools (id, name, created_at) VALUES (1, 'Lyceum', :at)"), {"at": AT})
            conn.execute(text("INSERT INTO platforms (id, issuer, client_id, auth_login_url, auth_token_url,"
                              " key_set_url, status, source, created_at) VALUES (1, 'https://lms.example', 'c',"
                              " 'https://lms.example/a', 'https://lms.example/t', 'https://lms.example/k',"
                              " 'active', 'cli', :at)"), {"at": AT})
            conn.execute(text("INSERT INTO deployments (id, platform_id, deployment_id, school_id, created_at)"
                              " VALUES (1, 1, 'd1', 1, :at)"), {"at": AT})
            conn.execute(text("INSERT INTO users (id, issuer, sub, created_at, updated_at) VALUES"
                              " (1, 'https://lms.example', 'u1', :at, :at)"), {"at": AT})
            conn.execute(text("INSERT INTO school_members (id, school_id, user_id, role, is_coordinator, created_at)"
                              " VALUES (1, 1, 1, 'staff', true, :at)"), {"at": AT})
        upgrade(directory=directory, revision=HEAD)
        with engine.begin() as conn:
            assert conn.execute(text("SELECT role, is_coordinator, granted_role FROM school_members")).one() \
                == ("staff", True, None)
            assert conn.execute(text("SELECT school_id FROM deployments WHERE id = 1")).scalar() == 1
            conn.execute(text("INSERT INTO deployments (id, platform_id, deployment_id, school_id, created_at)"
                              " VALUES (2, 1, 'd2', NULL, :at)"), {"at": AT})
            assert conn.execute(text("SELECT count(*) FROM boards")).scalar() == 0
            conn.execute(text("INSERT INTO boards (id, name, created_at) VALUES (1, 'Stichting', :at)"), {"at": AT})
            conn.execute(text("INSERT INTO board_schools (board_id, school_id, created_at) VALUES (1, 1, :at)"),
                         {"at": AT})
        with pytest.raises(Exception):
            with engine.begin() as conn:  # a school belongs to one board at most
                conn.execute(text("INSERT INTO boards (id, name, created_at) VALUES (2, 'Ander', :at)"), {"at": AT})
                conn.execute(text("INSERT INTO board_schools (board_id, school_id, created_at) VALUES (2, 1, :at)"),
                             {"at": AT})
        downgrade(directory=directory, revision=BEFORE)
        with engine.begin() as conn:
            assert [row[0] for row in conn.execute(text("SELECT deployment_id FROM deployments"))] == ["d1"]
            assert conn.execute(text("SELECT is_coordinator FROM school_members")).scalar() in (True, 1)
        upgrade(directory=directory, revision=HEAD)
        engine.dispose()
        from lti_tool.extensions import db
        db.session.remove()
        db.engine.dispose()
