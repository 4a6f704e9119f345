"""Delivering the mail outbox over SMTP, with retries and backoff; never any report content.

notify_new_report writes MailMessage rows in the report's own transaction; here they leave. Due
rows are claimed under a lease (SKIP LOCKED on PostgreSQL, so several processes share the outbox),
sent over one SMTP connection per round, and marked sent, or retried later with exponential
backoff and jitter; a permanent refusal (5xx) or too many attempts marks them failed.
"""
import logging
import random
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from sqlalchemy import func, select

from ..db import utcnow
from ..extensions import db
from ..tasks import after_commit
from .models import MailMessage

log = logging.getLogger(__name__)
WAKE_KEY = "cases_mail_wake"


def wake_after_commit(ids=None) -> None:
    """Ask the mail sender (this process's thread, or a job) to send these rows once the transaction commits."""
    after_commit(WAKE_KEY, ids)


@dataclass
class SendResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list = field(default_factory=list)


def _backoff(attempts: int) -> timedelta:
    config = current_app.config
    base, cap = config["MAIL_BACKOFF_SECONDS"], config["MAIL_BACKOFF_CAP_SECONDS"]
    delay = min(cap, base * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))


def _claim(limit: int) -> list[int]:
    """Take due rows for this round: push their next attempt past the lease, and commit."""
    now = utcnow()
    rows = list(db.session.scalars(
        select(MailMessage).where(MailMessage.status == MailMessage.PENDING, MailMessage.next_attempt_at <= now)
        .order_by(MailMessage.next_attempt_at, MailMessage.id).limit(limit)
        .with_for_update(skip_locked=True)))
    lease = now + timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    for row in rows:
        row.next_attempt_at = lease
    ids = [row.id for row in rows]
    db.session.commit()
    return ids


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"])
    if config["SMTP_STARTTLS"]:
        smtp.starttls(context=ssl.create_default_context())  # the relay's certificate is checked
    elif config["SMTP_USERNAME"] and config["SMTP_HOST"] not in ("127.0.0.1", "localhost", "::1"):
        raise smtplib.SMTPException("refusing to send the SMTP password unencrypted; set SMTP_STARTTLS=1")
    if config["SMTP_USERNAME"]:
        smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
    return smtp


def _email(row: MailMessage) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=current_app.config["MAIL_FROM"].rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body)
    return message


def _permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500 and not isinstance(
        exc, smtplib.SMTPServerDisconnected)


def send_due(limit: int | None = None) -> SendResult:
    """Send what is due now; each row's outcome is committed as it is known."""
    config = current_app.config
    result = SendResult()
    if not config.get("SMTP_HOST"):
        return result  # no server configured: the rows wait
    ids = _claim(limit or config["MAIL_BATCH_SIZE"])
    result.claimed = len(ids)
    if not ids:
        return result
    smtp, connect_error = None, None
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        connect_error = exc
    try:
        for row_id in ids:
            row = db.session.get(MailMessage, row_id)
            if row is None or row.status != MailMessage.PENDING:
                continue
            error = connect_error
            if error is None:
                try:
                    smtp.send_message(_email(row))
                except (OSError, smtplib.SMTPException) as exc:
                    error = exc
            _record(row, error, result)
            db.session.commit()
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return result


def _record(row: MailMessage, error: Exception | None, result: SendResult) -> None:
    now = utcnow()
    row.attempts += 1
    if error is None:
        row.status, row.sent_at, row.last_error = MailMessage.SENT, now, None
        result.sent += 1
        return
    text = f"{type(error).__name__}: {error}"[:500]
    row.last_error = text
    result.errors.append(text)
    if _permanent(error) or row.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        row.status = MailMessage.FAILED
        result.failed += 1
        log.warning("mail #%s failed for good after %s attempt(s): %s", row.id, row.attempts, text)
    else:
        row.next_attempt_at = now + _backoff(row.attempts)
        result.retrying += 1


def status() -> dict:
    """Rows per status, for `lti-tool mail status`."""
    return dict(db.session.execute(select(MailMessage.status, func.count()).group_by(MailMessage.status)).all())
