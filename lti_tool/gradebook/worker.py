"""The in-process delivery worker: a daemon thread per web process, woken when scores commit.

Several processes (gunicorn workers) each run one; they share the outbox through row locks. The
thread starts with the first request a process serves, so it also runs after a pre-forking server
forks, and never in command-line tools (they use `lti-tool outbox deliver`).
"""
import logging
import os
import threading

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from .operations import WAKE_KEY

log = logging.getLogger(__name__)
EXTENSION = "gradebook_worker"


class Worker:
    """Deliver due scores every few seconds, and at once when woken."""

    def __init__(self, app: Flask, interval: float | None = None):
        self.app = app
        self.interval = interval if interval is not None else app.config["GRADEBOOK_POLL_SECONDS"]
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._start_lock = threading.Lock()

    def ensure_started(self) -> None:
        """Start the thread in this process unless it runs already (a fork leaves it behind)."""
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        with self._start_lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            self._stop.clear()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="gradebook-delivery", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        from .delivery import deliver_due
        self._wake.set()  # a first round at start: rows left by a previous process
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            with self.app.app_context():
                try:
                    result = deliver_due(max_seconds=60)
                    if result.claimed:
                        log.info("gradebook: %s delivered, %s to retry, %s failed, %s superseded",
                                 result.delivered, result.retrying, result.failed, result.superseded)
                except Exception:  # noqa: BLE001  (the thread outlives a bad round; rows stay pending)
                    log.exception("gradebook: delivery round failed")
                    db.session.rollback()
                finally:
                    db.session.remove()


def init_app(app: Flask) -> None:
    """Settings with their defaults, and the worker thread when GRADEBOOK_DELIVERY is "thread"."""
    env = os.environ
    defaults = {
        "GRADEBOOK_DELIVERY": env.get("GRADEBOOK_DELIVERY") or ("off" if app.config.get("TESTING") else "thread"),
        "GRADEBOOK_POLL_SECONDS": float(env.get("GRADEBOOK_POLL_SECONDS", "5")),
        "GRADEBOOK_BATCH_SIZE": int(env.get("GRADEBOOK_BATCH_SIZE", "20")),
        "GRADEBOOK_MAX_ATTEMPTS": int(env.get("GRADEBOOK_MAX_ATTEMPTS", "12")),
        "GRADEBOOK_BACKOFF_SECONDS": float(env.get("GRADEBOOK_BACKOFF_SECONDS", "10")),
        "GRADEBOOK_BACKOFF_CAP_SECONDS": float(env.get("GRADEBOOK_BACKOFF_CAP_SECONDS", "3600")),
        # Longer than a batch can take (batch size x HTTP timeout): a leased row is not taken twice.
        "GRADEBOOK_LEASE_SECONDS": float(env.get("GRADEBOOK_LEASE_SECONDS", "300")),
    }
    for name, value in defaults.items():
        app.config.setdefault(name, value)
    if app.config["GRADEBOOK_DELIVERY"] not in ("thread", "off"):
        raise ValueError("GRADEBOOK_DELIVERY must be 'thread' or 'off'")
    if app.config["GRADEBOOK_DELIVERY"] == "thread":
        worker = app.extensions[EXTENSION] = Worker(app)
        app.before_request(worker.ensure_started)
    _listen()


def wake() -> None:
    """Have this process's worker look at the outbox now (no-op where no worker runs)."""
    if has_app_context():
        worker = current_app.extensions.get(EXTENSION)
        if worker is not None:
            worker.wake()


_listening = False


def _listen() -> None:
    """Wake the worker once a transaction that queued scores has committed; forget on rollback."""
    global _listening
    if _listening:
        return
    _listening = True

    @event.listens_for(Session, "after_commit")
    def _after_commit(session):
        if session.info.pop(WAKE_KEY, False):
            wake()

    @event.listens_for(Session, "after_soft_rollback")
    def _after_rollback(session, previous_transaction):
        if not previous_transaction.nested:  # a savepoint's rollback leaves the outer work queued
            session.info.pop(WAKE_KEY, None)
