"""Migration tests: an empty database of the run's kind, and an app that migrates it step by step."""
import contextlib
import secrets

import pytest

from lti_tool import create_app


@contextlib.contextmanager
def empty_database(database_url: str, tmp_path):
    """An empty database of the run's kind (a SQLite file, or a PostgreSQL schema of its own); yields its URL."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
    else:
        from tests.conftest import postgres_schema
        with postgres_schema("vo_mig_") as url:
            yield url


@pytest.fixture
def fresh_url(database_url, tmp_path):
    """An empty database of the run's kind, for a test that migrates it itself."""
    with empty_database(database_url, tmp_path) as url:
        yield url


def migrating_app(url: str, lti_config_path):
    """(app, migrations directory) on that database: upgrade/downgrade it inside app.app_context()."""
    app = create_app({"TESTING": True, "SECRET_KEY": secrets.token_hex(8), "SQLALCHEMY_DATABASE_URI": url,
                      "LTI_CONFIG": str(lti_config_path)})
    return app, app.extensions["migrate"].directory
