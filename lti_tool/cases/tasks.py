"""Case handling's background work: the mail outbox, the retention purge, the coordinators' reminders."""
from dataclasses import asdict

from ..tasks import Task, pending
from . import mail, reminders, retention
from .models import MailMessage


def send_mail(ids: list[int] | None = None) -> dict:
    """Send the due e-mails of the outbox (these new ones among them)."""
    if ids and not pending(MailMessage, ids):
        return {"claimed": 0}
    return {k: v for k, v in asdict(mail.send_due()).items() if k != "errors"}


def purge_retention() -> dict:
    """Purge the cases whose retention ended (a purged case is not purged again)."""
    return {"purged": retention.purge_due().purged}


def send_reminders() -> dict:
    """Queue today's reminders to coordinators (once a day per coordinator and school)."""
    return {"queued": reminders.send_reminders()}


TASKS = [
    Task("send_mail", send_mail, switch="MAIL_DELIVERY", every="MAIL_POLL_SECONDS", wakes_on=mail.WAKE_KEY,
         settings={
             "MAIL_POLL_SECONDS": 30.0,
             "MAIL_BATCH_SIZE": 50,
             "MAIL_MAX_ATTEMPTS": 10,
             "MAIL_BACKOFF_SECONDS": 30.0,
             "MAIL_BACKOFF_CAP_SECONDS": 3600.0,
             "MAIL_LEASE_SECONDS": 300.0,
             "SMTP_TIMEOUT": 20.0,
         }),
    Task("purge_retention", purge_retention, switch="CASES_PURGE", cron="CASES_PURGE_CRON",
         settings={"CASES_PURGE_CRON": "30 3 * * *"}),
    Task("send_reminders", send_reminders, switch="CASES_REMINDERS", cron="CASES_REMINDERS_CRON",
         settings={"CASES_REMINDERS_CRON": "0 7 * * 1-5"}),
]
