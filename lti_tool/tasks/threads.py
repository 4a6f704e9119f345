"""The in-process executor: a daemon thread per task, for the embedded default without Redis.

A thread starts with the first request a process serves (so it survives a pre-forking server's
fork, and never runs in command-line tools), runs its task on the task's schedule, and at once
when a commit woke it. An interval task also runs once at start, for work a previous process left.
"""
import logging
import os
import threading
from datetime import datetime

from croniter import croniter
from flask import Flask

from ..extensions import db
from ..telemetry import JOB_FAILURES
from .registry import Task

log = logging.getLogger(__name__)


class Periodic:
    """Run job() in an app context on a schedule (an interval, or a cron expression), and when woken."""

    def __init__(self, app: Flask, name: str, job, interval: float | None = None, cron: str | None = None):
        self.app, self.name, self.job, self.interval, self.cron = app, name, job, interval, cron
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    @classmethod
    def for_task(cls, app: Flask, task: Task) -> "Periodic":
        when = task.schedule(app.config) or {}
        return cls(app, task.name, task.run, interval=when.get("interval"), cron=when.get("cron"))

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._pid == os.getpid()

    def ensure_started(self) -> None:
        if self.running():
            return
        with self._lock:
            if self.running():
                return
            self._stop.clear()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name=f"task-{self.name}", daemon=True)
            self._thread.start()

    def wake(self, ids=None) -> None:
        self._wake.set()  # a round takes whatever is due, the new ids with it

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _pause(self) -> float | None:
        """Seconds until the next scheduled round (None: only when woken)."""
        if self.cron:
            now = datetime.now().astimezone()
            return max(0.0, (croniter(self.cron, now).get_next(datetime) - now).total_seconds())
        return self.interval

    def _run(self) -> None:
        if self.interval:
            self._wake.set()  # a first round at start: work left by a previous process
        while not self._stop.is_set():
            self._wake.wait(self._pause())
            self._wake.clear()
            if self._stop.is_set():
                return
            with self.app.app_context():
                try:
                    self.job()
                except Exception:  # noqa: BLE001  (the thread outlives a bad round)
                    log.exception("%s: round failed", self.name)
                    JOB_FAILURES.labels(task=self.name).inc()
                    db.session.rollback()
                finally:
                    db.session.remove()
