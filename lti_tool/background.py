"""Background work: in-process threads by default, RQ jobs when REDIS_URL is set.

A thread is a daemon started with the first request a process serves (so it survives a
pre-forking server's fork, and never runs in command-line tools, which have their own commands),
woken early when a transaction that queued work has committed. With Redis the same wake-up
enqueues a job instead (lti_tool.jobs), and `lti-tool jobs scheduler` replaces the periodic rounds.
"""
import logging
import os
import threading
from typing import Callable

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

log = logging.getLogger(__name__)


class Periodic:
    """Run job() in an app context every `interval` seconds, and at once when woken."""

    def __init__(self, app: Flask, name: str, interval: float, job: Callable[[], object]):
        self.app, self.name, self.interval, self.job = app, name, interval, job
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def ensure_started(self) -> None:
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            self._stop.clear()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def wake(self, ids=None) -> None:
        self._wake.set()  # a round takes whatever is due, the new ids with it

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        self._wake.set()  # a first round at start: work left by a previous process
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            with self.app.app_context():
                try:
                    self.job()
                except Exception:  # noqa: BLE001  (the thread outlives a bad round)
                    log.exception("%s: round failed", self.name)
                    db.session.rollback()
                finally:
                    db.session.remove()


def settings(app: Flask, defaults: dict[str, object]) -> None:
    """Fill each setting the app lacks from the environment (typed like its default), else the default."""
    for name, default in defaults.items():
        raw = os.environ.get(name)
        app.config.setdefault(name, type(default)(raw) if raw else default)


def run_in_thread(app: Flask, switch: str, extension: str, make_worker: Callable[[], "Periodic"],
                  task: str | None = None) -> None:
    """Run the work per app.config[switch]: "thread" (a thread per process), "rq" or "off".

    The default is "off" in tests, "rq" when REDIS_URL is set, else "thread". Under "rq" the
    scheduler runs the periodic rounds, and a commit that queued work enqueues the job named
    `task` of lti_tool.jobs.tasks (when given) through app.extensions[extension].
    """
    default = "off" if app.config.get("TESTING") else "rq" if app.config.get("REDIS_URL") else "thread"
    app.config.setdefault(switch, os.environ.get(switch) or default)
    if app.config[switch] not in ("thread", "rq", "off"):
        raise ValueError(f"{switch} must be 'thread', 'rq' or 'off'")
    if app.config[switch] == "rq" and not app.config.get("REDIS_URL"):
        raise ValueError(f"{switch}=rq needs REDIS_URL")
    if app.config[switch] == "thread":
        worker = app.extensions[extension] = make_worker()
        app.before_request(worker.ensure_started)
    elif app.config[switch] == "rq" and task is not None:
        from .jobs.connection import Enqueuer
        app.extensions[extension] = Enqueuer(app, task)


def wake(extension: str, ids=None) -> None:
    """Have this process's worker (or the queue) stored under app.extensions[extension] take the work now."""
    if has_app_context():
        worker = current_app.extensions.get(extension)
        if worker is not None:
            worker.wake(ids) if ids else worker.wake()


def after_commit(info_key: str, ids=None) -> None:
    """Mark the session: once it commits, wake the worker of info_key, for these outbox ids if given."""
    queued = db.session.info.get(info_key)
    if not ids or queued is True:  # work without ids: the job takes whatever is due
        db.session.info[info_key] = True
    else:
        db.session.info[info_key] = (queued or set()) | set(ids)


_wakers: dict[str, str] = {}  # session.info key -> the extension whose worker it wakes


def wake_on_commit(info_key: str, extension: str) -> None:
    """Wake the worker once a transaction that set session.info[info_key] commits; forget on rollback."""
    if not _wakers:
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
    _wakers[info_key] = extension


def _after_commit(session) -> None:
    for key, extension in list(_wakers.items()):
        queued = session.info.pop(key, False)  # True, or the ids of the rows queued
        if queued:
            wake(extension, None if queued is True else queued)


def _after_rollback(session, previous_transaction) -> None:
    if not previous_transaction.nested:  # a savepoint's rollback leaves the outer work queued
        for key in _wakers:
            session.info.pop(key, None)
