"""Privacy's background work: anonymising the leavers whose term ended, nightly."""
from ..tasks import Task
from . import leavers


def anonymise_leavers() -> dict:
    """Anonymise the people whose school has not seen them for its term (a case may hold them)."""
    result = leavers.anonymise_due()
    return {"anonymised": result.anonymised, "held": result.held}


TASKS = [
    Task("anonymise_leavers", anonymise_leavers, switch="PRIVACY_LEAVERS", cron="PRIVACY_LEAVERS_CRON",
         settings={"PRIVACY_LEAVERS_CRON": "45 3 * * *"}),
]
