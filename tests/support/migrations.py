"""Helpers for migration tests: an empty database of the run's kind, and an app that migrates it."""
import contextlib
import secrets

from lti_tool import create_app


@contextlib.contextmanager
def empty_database(database_url: str, tmp_path, prefix: str):
    """The URL of an empty database of the run's kind: a SQLite file, or a PostgreSQL schema of its own."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
    else:
        from tests.conftest import postgres_schema
        with postgres_schema(prefix) as url:
            yield url


@contextlib.contextmanager
def migrating(url: str, lti_config_path):
    """An app context on url, with Alembic's folder; its connections are closed afterwards."""
    app = create_app({"TESTING": True, "SECRET_KEY": secrets.token_hex(8), "SQLALCHEMY_DATABASE_URI": url,
                      "LTI_CONFIG": str(lti_config_path)})
    with app.app_context():
        yield app.extensions["migrate"].directory
        from lti_tool.extensions import db
        db.session.remove()
        db.engine.dispose()  # this app's own connections, closed before the garbage collector finds them
