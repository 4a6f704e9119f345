"""Flask extensions, created unbound and bound in create_app()."""
from flask_babel import Babel
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import any_, bindparam, event
from sqlalchemy.dialects import postgresql

from .db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
babel = Babel()


def tune_sqlite(engine) -> None:
    """On a SQLite file, give every connection write-ahead logging and synchronous=NORMAL.

    WAL lets pages be read while a launch writes, and NORMAL syncs the log at checkpoints instead
    of at every commit; after a power cut (not a crash of the tool) the last commits may be lost,
    never the database's consistency. An in-memory database keeps SQLite's defaults.
    """
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or database in ("", ":memory:") or "mode=memory" in str(engine.url):
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def among(column, values: list):
    """column IN values; on PostgreSQL one array parameter, so the statement's text never grows."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
    return column.in_(values)
