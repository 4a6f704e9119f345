"""`lti-tool jobs`: every task and its schedule, running any of them here, and the RQ worker and scheduler."""
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import redis_client
from ..cli_support import table
from ..extensions import db
from . import queue


def _runner():
    return current_app.extensions["tasks"]


def _task(name: str):
    runner = _runner()
    if name not in runner.tasks:
        raise click.UsageError(f"no task {name!r}; `lti-tool jobs list` shows them")
    return runner.tasks[name]


@click.group()
def jobs():
    """Background tasks: list them, run one here, or run the job queue (REDIS_URL)."""


@jobs.command("list")
@with_appcontext
def jobs_list():
    """Every task: its schedule, how it runs in the web processes (its switch), and the commit that wakes it."""
    runner = _runner()
    table(["TASK", "SCHEDULE", "IN THE WEB PROCESSES", "WOKEN BY"],
          [[name, task.describe(current_app.config), f"{task.switch}={runner.modes[name]}", task.wakes_on or ""]
           for name, task in runner.tasks.items()])


def rounds(job, summary, once: bool, pause) -> None:
    """Run job() until stopped (or once), saying what each round that found work did; pause() seconds between.

    summary(result) gives (whether the round found work, what to say).
    """
    while True:
        found, text = summary(job())
        if found or once:
            click.echo(text)
        if once:
            return
        db.session.remove()
        time.sleep(pause())


def _pause(task, interval):
    if interval is not None:
        return lambda: interval
    when = task.schedule(current_app.config) or {"interval": 60.0}
    if "interval" in when:
        return lambda: when["interval"]
    from datetime import datetime
    from croniter import croniter

    def until_next():
        now = datetime.now().astimezone()
        return max(1.0, (croniter(when["cron"], now).get_next(datetime) - now).total_seconds())
    return until_next


@jobs.command("run")
@click.argument("name")
@click.argument("args", nargs=-1, type=int)
@click.option("--once", is_flag=True, help="Run it once, then stop.")
@click.option("--interval", type=float, default=None, help="Seconds between rounds (default: its schedule).")
@with_appcontext
def jobs_run(name, args, once, interval):
    """Run task NAME in this process (with ids ARGS if it takes them): on its schedule, or --once."""
    task = _task(name)

    def summary(result):
        return not isinstance(result, dict) or any(result.values()), f"{name}: {result}"
    rounds(lambda: _runner().call(name, *args), summary, once, _pause(task, interval))


def _redis_or_fail():
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: background work runs in the web processes' threads.")


@jobs.command("worker")
@click.option("--burst", is_flag=True, help="Run the queued jobs, then stop.")
@with_appcontext
def jobs_worker(burst):
    """Run queued jobs in this process, in the app (one at a time; start several for more)."""
    _redis_or_fail()
    # with_scheduler moves retries back onto the queue when they are due.
    worker = queue.Worker([queue.queue()], connection=redis_client.redis())
    worker.work(burst=burst, with_scheduler=True)


@jobs.command("scheduler")
@with_appcontext
def jobs_scheduler():
    """Enqueue the scheduled tasks on their schedules (run one per installation)."""
    _redis_or_fail()
    queue.scheduler(current_app).start()


@jobs.command("enqueue")
@click.argument("name")
@click.argument("args", nargs=-1, type=int)
@with_appcontext
def jobs_enqueue(name, args):
    """Enqueue task NAME now (say, the purge after changing a retention period)."""
    _redis_or_fail()
    _task(name)
    click.echo(f"Enqueued {name} as job {queue.enqueue(name, *args).id}.")
