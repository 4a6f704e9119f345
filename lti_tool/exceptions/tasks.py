"""The register's background work: reminding granters of exceptions that end soon."""
from ..tasks import Task
from . import reminders


def remind_ending() -> dict:
    """Queue today's reminders (each exception's granter hears once per end date)."""
    return {"queued": reminders.send_reminders()}


TASKS = [
    Task("remind_ending_exceptions", remind_ending, switch="EXCEPTION_REMINDERS", cron="EXCEPTION_REMINDERS_CRON",
         settings={"EXCEPTION_REMINDERS_CRON": "15 7 * * *"}),
]
