"""Delivering the mail outbox over SMTP (filled in below)."""
from ..extensions import db

WAKE_KEY = "cases_mail_wake"


def wake_after_commit() -> None:
    """Ask this process's mail sender to look at the outbox once the transaction commits."""
    db.session.info[WAKE_KEY] = True
