"""Redis and the RQ queue, per app; enqueueing that never fails the caller when Redis is away.

A commit that queued work enqueues a job at once. When Redis cannot be reached the work is not
lost: it waits in its outbox, and the scheduler's sweep enqueues it once Redis is back. For a short
while after a failure this process does not try again, so requests are not slowed by a dead Redis.
"""
import logging
import time

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.job import Job

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


def queue(app: Flask | None = None) -> Queue:
    app = app or current_app
    return Queue(app.config["JOBS_QUEUE"], connection=redis(app),
                 default_timeout=int(app.config["JOBS_TIMEOUT_SECONDS"]))


def retry(app: Flask | None = None) -> Retry:
    """RQ retries of a job that raised: as many as there are intervals in JOBS_RETRY_INTERVALS."""
    intervals = [int(s) for s in str((app or current_app).config["JOBS_RETRY_INTERVALS"]).split(",") if s.strip()]
    return Retry(max=len(intervals) or 1, interval=intervals or [0])


def enqueue(task, *args, app: Flask | None = None) -> Job:
    """Put task(*args) on the queue, retried on failure; raises RedisError when Redis is away."""
    app = app or current_app
    return queue(app).enqueue(task, *args, retry=retry(app))


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


def try_enqueue(task, *args, app: Flask | None = None) -> Job | None:
    """Enqueue, or log and return None when Redis is away (the outbox keeps the work for the sweep)."""
    app = app or current_app
    if usable(app) is None:
        return None
    try:
        return enqueue(task, *args, app=app)
    except RedisError as exc:
        failed(exc, f"{task.__name__} left in its outbox for the scheduler's sweep", app)
        return None


class Enqueuer:
    """Stands where a worker thread would (app.extensions): waking it enqueues its job instead."""

    def __init__(self, app: Flask, task: str):
        self.app, self.task = app, task  # a name in lti_tool.jobs.tasks (imported late: it imports us)

    def wake(self, ids=None) -> Job | None:
        from . import tasks
        args = (sorted(ids),) if isinstance(ids, (set, list, tuple)) and ids else ()
        return try_enqueue(getattr(tasks, self.task), *args, app=self.app)
