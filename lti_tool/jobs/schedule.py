"""The scheduler (RQ's CronScheduler): sweeps every few seconds, the purge nightly, reminders on school mornings.

Run one per installation (`lti-tool jobs scheduler`); a second one only enqueues each job twice,
which the jobs shrug off. It enqueues `tick(name)`, which enqueues the job itself with retries
(cron jobs carry none). The sweeps also pick up work whose enqueueing failed while Redis was away.
"""
from flask import Flask
from rq.cron import CronScheduler

from . import connection, tasks


def periodic(app: Flask) -> dict[str, dict]:
    """Job name -> its schedule: {"interval": seconds} or {"cron": expression in local time}."""
    config = app.config
    sweep = int(config["JOBS_SWEEP_SECONDS"])
    return {
        "deliver_scores": {"interval": sweep},
        "send_mail": {"interval": sweep},
        "refresh_rosters": {"interval": int(config["ROSTER_REFRESH_SECONDS"])},
        "purge_retention": {"cron": config["JOBS_DAILY_CRON"]},
        "send_reminders": {"cron": config["JOBS_REMINDER_CRON"]},
    }


def scheduler(app: Flask) -> CronScheduler:
    """A CronScheduler with the periodic jobs registered on this app's queue."""
    queue_name = app.config["JOBS_QUEUE"]
    cron = CronScheduler(connection=connection.redis(app))
    for name, when in periodic(app).items():
        cron.register(tasks.tick, queue_name, args=(name,), name=f"{queue_name}:{name}", **when)
    return cron
