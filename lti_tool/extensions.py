"""Flask extensions, created unbound and bound in create_app()."""
from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event

from .db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
babel = Babel()


def source_address() -> str:
    """Whom a rate limit counts: the client's address (after ProxyFix), an IPv6 client by its /64."""
    import ipaddress
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


# Storage from RATELIMIT_STORAGE_URI (config.py): memory per process, or Redis when REDIS_URL is set.
# Counters live in that storage only, for the length of their window; no address is stored elsewhere.
limiter = Limiter(key_func=source_address)


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
