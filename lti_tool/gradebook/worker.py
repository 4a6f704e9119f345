"""The in-process delivery worker: a daemon thread per web process, woken when scores commit.

With REDIS_URL set (GRADEBOOK_DELIVERY=rq) there is no thread: the commit enqueues the
deliver_scores job of lti_tool.jobs instead, and the scheduler's sweep takes the retries.

Several processes (gunicorn workers) each run one; they share the outbox through row locks. The
thread starts with the first request a process serves, so it also runs after a pre-forking server
forks, and never in command-line tools (they use `lti-tool outbox deliver`).
"""
import logging

from flask import Flask

from .. import background
from ..background import Periodic, wake_on_commit
from .operations import WAKE_KEY

log = logging.getLogger(__name__)
EXTENSION = "gradebook_worker"


class Worker(Periodic):
    """Deliver due scores every few seconds, and at once when woken."""

    def __init__(self, app: Flask, interval: float | None = None):
        super().__init__(app, "gradebook-delivery",
                         interval if interval is not None else app.config["GRADEBOOK_POLL_SECONDS"],
                         _deliver_round)


def _deliver_round() -> None:
    from .delivery import deliver_due
    result = deliver_due(max_seconds=60)
    if result.claimed:
        log.info("gradebook: %s delivered, %s to retry, %s failed, %s superseded",
                 result.delivered, result.retrying, result.failed, result.superseded)


def init_app(app: Flask) -> None:
    """Settings with their defaults, and the worker thread when GRADEBOOK_DELIVERY is "thread"."""
    background.settings(app, {
        "GRADEBOOK_POLL_SECONDS": 5.0,
        "GRADEBOOK_BATCH_SIZE": 20,
        "GRADEBOOK_MAX_ATTEMPTS": 12,
        "GRADEBOOK_BACKOFF_SECONDS": 10.0,
        "GRADEBOOK_BACKOFF_CAP_SECONDS": 3600.0,
        # Longer than a batch can take (batch size x HTTP timeout): a leased row is not taken twice.
        "GRADEBOOK_LEASE_SECONDS": 300.0,
    })
    background.run_in_thread(app, "GRADEBOOK_DELIVERY", EXTENSION, lambda: Worker(app), task="deliver_scores")
    wake_on_commit(WAKE_KEY, EXTENSION)


def wake() -> None:
    """Have this process's worker look at the outbox now (no-op where no worker runs)."""
    background.wake(EXTENSION)

