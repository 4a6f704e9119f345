"""The one place that knows how tasks run: per task a thread, an RQ job, or nothing (its switch).

The switch defaults to "off" in tests, "rq" when REDIS_URL is set, else "thread". With REDIS_URL
no web process starts a thread: "thread" is refused, so work never runs twice over.
"""
import logging
import os

from flask import Flask, current_app
from rq import get_current_job

from ..config import setdefaults
from .commits import listen
from .queue import Enqueuer, enqueue
from .registry import MODES, Task
from .threads import Periodic

log = logging.getLogger(__name__)

SETTINGS = {
    "JOBS_QUEUE": "veilig-online",
    # Seconds between a failed job's retries (RQ Retry); as many retries as intervals.
    "JOBS_RETRY_INTERVALS": "10,60,300",
    "JOBS_TIMEOUT_SECONDS": 900,
    "JOBS_SWEEP_SECONDS": 30,  # under RQ, the shortest interval of a scheduled task
}


class Runner:
    """The app's tasks, each with its mode and, for "thread" and "rq", what runs it."""

    def __init__(self, app: Flask, tasks: list[Task]):
        self.app = app
        self.tasks: dict[str, Task] = {}
        self.modes: dict[str, str] = {}
        self.executors: dict[str, object] = {}
        for task in tasks:
            if task.name in self.tasks:
                raise ValueError(f"two tasks are named {task.name}")
            self.tasks[task.name] = task
            self.modes[task.name] = mode = _mode(app, task.switch)
            if task.schedule(app.config) is None and task.wakes_on is None:
                continue  # run only when deferred or by hand
            if mode == "thread":
                self.executors[task.name] = Periodic.for_task(app, task)
            elif mode == "rq":
                self.executors[task.name] = Enqueuer(app, task.name)

    def threads(self) -> list[Periodic]:
        return [e for e in self.executors.values() if isinstance(e, Periodic)]

    def start_threads(self) -> None:
        for thread in self.threads():
            thread.ensure_started()

    def wake_keys(self) -> set[str]:
        return {task.wakes_on for task in self.tasks.values() if task.wakes_on}

    def wake(self, key: str, ids=None) -> None:
        for name, task in self.tasks.items():
            executor = self.executors.get(name)
            if task.wakes_on == key and executor is not None:
                executor.wake(ids) if ids else executor.wake()

    def call(self, name: str, *args):
        """Run task `name` here and now (in the caller's app context)."""
        return self.tasks[name].run(*args)


def _mode(app: Flask, switch: str) -> str:
    default = "off" if app.config.get("TESTING") else "rq" if app.config.get("REDIS_URL") else "thread"
    mode = app.config.setdefault(switch, os.environ.get(switch) or default)
    if mode not in MODES:
        raise ValueError(f"{switch} must be 'thread', 'rq' or 'off'")
    if mode == "rq" and not app.config.get("REDIS_URL"):
        raise ValueError(f"{switch}=rq needs REDIS_URL")
    if mode == "thread" and app.config.get("REDIS_URL"):
        raise ValueError(f"{switch}=thread with REDIS_URL: the job queue runs background work (use rq or off)")
    return mode


def init_app(app: Flask, tasks: list[Task]) -> Runner:
    """Settings, the tasks' executors, and the threads' start with the first request."""
    setdefaults(app, SETTINGS)
    for task in tasks:
        setdefaults(app, dict(task.settings))
    runner = app.extensions["tasks"] = Runner(app, tasks)
    if runner.threads():
        app.before_request(runner.start_threads)
    listen()
    return runner


def defer(name: str, *args):
    """Run task `name` with args: as a job of its own when called from a job, else here and now."""
    if get_current_job() is not None:
        return enqueue(name, *args).id
    return current_app.extensions["tasks"].call(name, *args)
