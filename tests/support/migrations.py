"""Migration tests: an empty database of the run's kind and an app on it, to step Alembic up and down."""
import contextlib
import secrets

from lti_tool import create_app


@contextlib.contextmanager
def empty_database(database_url: str, tmp_path, prefix: str = "vo_mig_"):
    """The URL of an empty database: a new SQLite file, or a PostgreSQL schema of its own."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
    else:
        from tests.conftest import postgres_schema
        with postgres_schema(prefix) as url:
            yield url


@contextlib.contextmanager
def migrations_on(url: str, lti_config_path):
    """In an app context of the tool on that database (its tables left to the migrations), its
    migrations directory; the app's connections are closed afterwards, before the garbage collector
    finds them."""
    from lti_tool.extensions import db
    app = create_app({"TESTING": True, "SECRET_KEY": secrets.token_hex(8), "SQLALCHEMY_DATABASE_URI": url,
                      "LTI_CONFIG": str(lti_config_path)})
    with app.app_context():
        try:
            yield app.extensions["migrate"].directory
        finally:
            db.session.remove()
            db.engine.dispose()
