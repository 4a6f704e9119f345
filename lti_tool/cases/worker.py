"""Background threads of case handling: the mail sender and the daily purge, one of each per web process.

Like the gradebook's delivery thread: a daemon thread started with the first request a process
serves (so it survives a pre-forking server's fork, and never runs in command-line tools, which
have `lti-tool mail send` and `lti-tool cases purge`), woken early when there is work.
"""
import logging
import os
import threading
from typing import Callable

from flask import Flask

from ..extensions import db

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
