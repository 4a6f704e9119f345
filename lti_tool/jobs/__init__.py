"""The job queue: with REDIS_URL, background work runs as RQ jobs; without it, in-process threads.

Every job works from a durable outbox or table in the database, which stays the truth: a job
takes ids, finds what is still to do, and does it, so running it twice does no harm, and a job
that never ran (Redis away when it was enqueued) is picked up by the scheduler's next sweep.
"""
from flask import Flask

from .. import background


def init_app(app: Flask) -> None:
    """Queue settings, and the in-process threads of the periodic jobs that have no home of their own."""
    background.settings(app, {
        "JOBS_QUEUE": "veilig-online",
        "REDIS_PREFIX": "veilig-online",
        # Seconds between a failed job's retries (RQ Retry); as many retries as intervals.
        "JOBS_RETRY_INTERVALS": "10,60,300",
        "JOBS_TIMEOUT_SECONDS": 900,
        "JOBS_SWEEP_SECONDS": 30,          # the scheduler's delivery and mail sweeps
        "JOBS_DAILY_CRON": "30 3 * * *",    # the retention purge (the scheduler's local time)
        "JOBS_REMINDER_CRON": "0 7 * * 1-5",
        "REDIS_TIMEOUT_SECONDS": 1.0,       # a request that enqueues never waits long for Redis
        "REDIS_RETRY_AFTER_SECONDS": 30.0,  # after Redis failed, do not try again for this long
    })
    from . import rosters
    from ..cases import reminders
    rosters.init_app(app)
    reminders.init_app(app)
