"""Whether the database's schema is the one this version of the tool expects (Alembic heads)."""
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy.exc import DBAPIError, NoSuchTableError, OperationalError, ProgrammingError

from .extensions import db

UPGRADE_FIRST = "Run `lti-tool db upgrade` first."


def schema_problem() -> str | None:
    """A sentence for an administrator when the schema is missing or not at the head; None when it is."""
    config = Config()
    config.set_main_option("script_location", current_app.extensions["migrate"].directory)
    expected = set(ScriptDirectory.from_config(config).get_heads())
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except OperationalError as exc:
        return f"Cannot reach the database ({type(exc.orig).__name__}): check SQLALCHEMY_DATABASE_URI."
    if not current:
        return f"The database has no tables yet. {UPGRADE_FIRST}"
    if current != expected:
        return f"The database schema is not the one this version expects. {UPGRADE_FIRST}"
    return None


def schema_error(exc: BaseException) -> bool:
    """An error that a missing table or column raises (a schema older than the code)."""
    if isinstance(exc, NoSuchTableError):
        return True
    if isinstance(exc, (OperationalError, ProgrammingError)) and isinstance(exc, DBAPIError):
        text = str(exc.orig).lower()
        return "no such table" in text or "no such column" in text or "does not exist" in text
    return False
