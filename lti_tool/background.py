"""The tool's in-process background threads: score delivery, the mail sender, the daily purge.

Each is a daemon thread started with the first request a process serves (so it survives a
pre-forking server's fork, and never runs in command-line tools, which have their own commands),
woken early when a transaction that queued work has committed.
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

    def wake(self) -> None:
        self._wake.set()

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


def run_in_thread(app: Flask, switch: str, extension: str, make_worker: Callable[[], "Periodic"]) -> None:
    """Run a worker thread per process when app.config[switch] is "thread" (the default outside tests)."""
    app.config.setdefault(switch, os.environ.get(switch) or ("off" if app.config.get("TESTING") else "thread"))
    if app.config[switch] not in ("thread", "off"):
        raise ValueError(f"{switch} must be 'thread' or 'off'")
    if app.config[switch] == "thread":
        worker = app.extensions[extension] = make_worker()
        app.before_request(worker.ensure_started)


def wake(extension: str) -> None:
    """Have this process's worker stored under app.extensions[extension] look for work now."""
    if has_app_context():
        worker = current_app.extensions.get(extension)
        if worker is not None:
            worker.wake()


_wakers: dict[str, str] = {}  # session.info key -> the extension whose worker it wakes


def wake_on_commit(info_key: str, extension: str) -> None:
    """Wake the worker once a transaction that set session.info[info_key] commits; forget on rollback."""
    if not _wakers:
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
    _wakers[info_key] = extension


def _after_commit(session) -> None:
    for key, extension in list(_wakers.items()):
        if session.info.pop(key, False):
            wake(extension)


def _after_rollback(session, previous_transaction) -> None:
    if not previous_transaction.nested:  # a savepoint's rollback leaves the outer work queued
        for key in _wakers:
            session.info.pop(key, None)
