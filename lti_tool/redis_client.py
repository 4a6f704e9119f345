"""This app's Redis client, and a memory of Redis being away so that requests do not wait for it.

Redis is optional and never the truth: whoever uses it (the job queue, the JWKS cache) falls back
to the database or to this process when it fails, and this process leaves it alone for a while.
"""
import logging
import time

from flask import Flask, current_app
from redis import Redis

log = logging.getLogger(__name__)


def redis(app: Flask | None = None) -> Redis:
    """This app's Redis client (one connection pool per app and process)."""
    app = app or current_app
    client = app.extensions.get("redis")
    if client is None:
        timeout = app.config["REDIS_TIMEOUT_SECONDS"]
        client = app.extensions["redis"] = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=timeout, socket_timeout=max(timeout, 5.0))
    return client


def usable(app: Flask | None = None) -> Redis | None:
    """This app's Redis; None without REDIS_URL, or for REDIS_RETRY_AFTER_SECONDS after it failed."""
    app = app or current_app
    if not app.config.get("REDIS_URL"):
        return None
    if time.monotonic() < app.extensions.get("redis_down_until", 0.0):
        return None
    return redis(app)


def failed(exc: Exception, fallback: str, app: Flask | None = None) -> None:
    """Note that Redis failed: log what happens instead, and leave Redis alone for a while."""
    app = app or current_app
    app.extensions["redis_down_until"] = time.monotonic() + app.config["REDIS_RETRY_AFTER_SECONDS"]
    log.warning("Redis unreachable (%s): %s", exc, fallback)
