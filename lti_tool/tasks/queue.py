"""The RQ executor, with REDIS_URL: a task runs as a job on the queue, its schedule in RQ's CronScheduler.

A job carries the task's name and ids, never objects, and runs `run(name, ...)` in an app context
of its own inside `lti-tool jobs worker`. A commit that queued work enqueues its task at once; when
Redis cannot be reached the work is not lost: it waits in its outbox, and the scheduler's next
round of that task takes it once Redis is back. Cron jobs carry no retries, so the scheduler
enqueues `tick(name)`, which enqueues the task itself with RQ's retries.
"""
import functools

from flask import Flask, current_app, has_app_context
from redis.exceptions import RedisError
from rq import Queue, Retry, SimpleWorker
from rq.cron import CronScheduler
from rq.job import Job

from .. import redis_client
from ..extensions import db
from ..telemetry import JOB_FAILURES


def queue(app: Flask | None = None) -> Queue:
    app = app or current_app
    return Queue(app.config["JOBS_QUEUE"], connection=redis_client.redis(app),
                 default_timeout=int(app.config["JOBS_TIMEOUT_SECONDS"]))


def retry(app: Flask | None = None) -> Retry:
    """RQ retries of a job that raised: as many as there are intervals in JOBS_RETRY_INTERVALS."""
    intervals = [int(s) for s in str((app or current_app).config["JOBS_RETRY_INTERVALS"]).split(",") if s.strip()]
    return Retry(max=len(intervals) or 1, interval=intervals or [0])


def enqueue(name: str, *args, app: Flask | None = None) -> Job:
    """Put task `name` with args on the queue, retried on failure; raises RedisError when Redis is away."""
    app = app or current_app
    return queue(app).enqueue(run, name, *args, retry=retry(app), description=name)


def try_enqueue(name: str, *args, app: Flask | None = None) -> Job | None:
    """Enqueue, or log and return None when Redis is away (the outbox keeps the work for the next round)."""
    app = app or current_app
    if redis_client.usable(app) is None:
        return None
    try:
        return enqueue(name, *args, app=app)
    except RedisError as exc:
        redis_client.failed(exc, f"{name} left in its outbox for the scheduler's next round", app)
        return None


def failed_jobs(app: Flask | None = None) -> int | None:
    """Jobs in RQ's failed registry (their retries used up); None without Redis, or while it is away."""
    app = app or current_app
    if redis_client.usable(app) is None:
        return None
    try:
        return queue(app).failed_job_registry.count
    except RedisError as exc:
        redis_client.failed(exc, "the failed jobs are not counted in /metrics", app)
        return None


class Worker(SimpleWorker):
    """RQ's worker without a fork per job (the app, its pools and its memory live across jobs).

    Its command channel is read every second, not every minute: a burst (or a stop) that ends while
    the channel's thread waits would otherwise wait out that minute.
    """

    def subscribe(self):
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler)


class Enqueuer:
    """Stands where a task's thread would: waking it enqueues the task instead."""

    def __init__(self, app: Flask, name: str):
        self.app, self.name = app, name

    def wake(self, ids=None) -> Job | None:
        args = (sorted(ids),) if isinstance(ids, (set, list, tuple)) and ids else ()
        return try_enqueue(self.name, *args, app=self.app)


def _in_app(job):
    """Run job in a fresh app context (its own session), rolled back on failure and closed after."""
    @functools.wraps(job)
    def wrapped(*args, **kwargs):
        if not has_app_context():
            raise RuntimeError("jobs run inside the app: start workers with `lti-tool jobs worker`")
        with current_app._get_current_object().app_context():
            try:
                return job(*args, **kwargs)
            except BaseException:
                db.session.rollback()
                raise
            finally:
                db.session.remove()
    return wrapped


@_in_app
def run(name: str, *args):
    """The job: run the registered task `name` (its failures count, then RQ retries it)."""
    try:
        return current_app.extensions["tasks"].call(name, *args)
    except Exception:
        JOB_FAILURES.labels(task=name).inc()  # in the worker's process: see PROMETHEUS_MULTIPROC_DIR
        raise


@_in_app
def tick(name: str) -> str:
    """The scheduler's job: enqueue the task `name` with retries (cron jobs carry none)."""
    return enqueue(name).id


def scheduler(app: Flask) -> CronScheduler:
    """A CronScheduler with every scheduled task registered on this app's queue.

    Commits enqueue their task at once, so an interval is never shorter than JOBS_SWEEP_SECONDS
    here: those rounds only take retries that fell due and work left while Redis was away.
    """
    queue_name = app.config["JOBS_QUEUE"]
    sweep = float(app.config["JOBS_SWEEP_SECONDS"])
    cron = CronScheduler(connection=redis_client.redis(app))
    for task in app.extensions["tasks"].tasks.values():
        when = task.schedule(app.config)
        if when is None:
            continue
        if "interval" in when:
            when = {"interval": int(max(when["interval"], sweep))}
        cron.register(tick, queue_name, args=(task.name,), name=f"{queue_name}:{task.name}", **when)
    return cron
