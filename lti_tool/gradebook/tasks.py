"""The gradebook's background work: scores leave the outbox for the LMS."""
import logging
from dataclasses import asdict

from ..tasks import Task, pending
from .delivery import deliver_due
from .models import ScoreDelivery
from .operations import WAKE_KEY

log = logging.getLogger(__name__)


def deliver_scores(ids: list[int] | None = None) -> dict:
    """Deliver the due scores of the outbox (these new ones among them)."""
    if ids and not pending(ScoreDelivery, ids):
        return {"claimed": 0}
    result = deliver_due(max_seconds=60)
    if result.claimed:
        log.info("gradebook: %s delivered, %s to retry, %s failed, %s superseded",
                 result.delivered, result.retrying, result.failed, result.superseded)
    return {k: v for k, v in asdict(result).items() if k != "errors"}


TASKS = [
    Task("deliver_scores", deliver_scores, switch="GRADEBOOK_DELIVERY", every="GRADEBOOK_POLL_SECONDS",
         wakes_on=WAKE_KEY, settings={
             "GRADEBOOK_POLL_SECONDS": 5.0,
             "GRADEBOOK_BATCH_SIZE": 20,
             "GRADEBOOK_MAX_ATTEMPTS": 12,
             "GRADEBOOK_BACKOFF_SECONDS": 10.0,
             "GRADEBOOK_BACKOFF_CAP_SECONDS": 3600.0,
             # Longer than a batch can take (batch size x HTTP timeout): a leased row is not taken twice.
             "GRADEBOOK_LEASE_SECONDS": 300.0,
         }),
]
