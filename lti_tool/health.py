"""GET /health: for load balancers and monitoring, whether this worker can serve (its database answers).

Answers 200 while the database answers and 503 when it does not. Redis is reported but never makes
the tool unhealthy: without it the tool degrades (see docs/operations.md) and keeps serving. The
answer names no host, version or count: anyone may ask.
"""
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

bp = Blueprint("health", __name__)


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except SQLAlchemyError:
        return "unreachable"
    finally:
        db.session.rollback()


def _redis() -> str:
    if not current_app.config.get("REDIS_URL"):
        return "not configured"
    from redis.exceptions import RedisError
    from .redis_client import redis
    try:
        redis().ping()
        return "ok"
    except (RedisError, OSError):
        return "unreachable"


@bp.route("/health")
def health():
    database = _database()
    answer = jsonify({"status": "ok" if database == "ok" else "unavailable",
                      "database": database, "redis": _redis()})
    answer.headers["Cache-Control"] = "no-store"
    return answer, 200 if database == "ok" else 503
