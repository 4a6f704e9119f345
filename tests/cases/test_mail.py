"""Notifications without content: a new report queues an e-mail to each coordinator in the same
transaction; a sender delivers the outbox to a real SMTP server on 127.0.0.1, with retries."""
import time
from datetime import datetime, timedelta, timezone
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from lti_tool.cases import mail
from lti_tool.cases.models import MailMessage
from lti_tool.db import utcnow
from lti_tool.extensions import db
from tests.cases.conftest import designate, launch
from tests.reports.helpers import reference_of, send
from tests.support.servers import reserve_port


class Inbox:
    """An SMTP server's handler: keeps what it accepts, refuses the addresses it is told to."""

    def __init__(self):
        self.messages = []
        self.refuse = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for rcpts, m in self.messages if address in rcpts]


@pytest.fixture(scope="module")
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=reserve_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def smtp_app(app, smtp):
    """The tool's SMTP settings pointed at the test server for one test."""
    saved = {k: app.config[k] for k in ("SMTP_HOST", "SMTP_PORT", "MAIL_BACKOFF_SECONDS", "MAIL_MAX_ATTEMPTS")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, MAIL_BACKOFF_SECONDS=60, MAIL_MAX_ATTEMPTS=3)
    smtp.refuse.clear()
    smtp.messages.clear()
    yield app
    app.config.update(saved)


def _queue(app, address: str) -> int:
    with app.app_context():
        # Due before anything other tests left pending, so a batch claims it first whatever they left.
        row = MailMessage(school_id=None, to_address=address, subject="Veilig Online: test", body="Open the tool.\n",
                          next_attempt_at=datetime(2000, 1, 1, tzinfo=timezone.utc))
        db.session.add(row)
        db.session.commit()
        return row.id


def _row(db_session, row_id) -> MailMessage:
    db_session.expire_all()
    return db_session.get(MailMessage, row_id)


def test_a_new_report_queues_a_content_free_mail_to_each_coordinator(browser, school_lms, db_session, tool_url):
    launch(browser.__class__(browser.tool_url), school_lms, "coordinator")
    launch(browser.__class__(browser.tool_url), school_lms, "teacher")
    designate(db_session, school_lms, "coordinator")
    _, token = launch(browser, school_lms, "student")
    resp, sent = send(browser, token, "sexual_images", what_happened="Nudes of Sanne in the 3Q chat.",
                      platform="Snapchat", handle="@leaky", link="https://snapchat.com/x/123",
                      holders="everyone in 3Q", identity="named")
    assert resp.status_code == 303, resp.text
    reference = reference_of(resp)
    rows = db_session.scalars(select(MailMessage).where(MailMessage.school_id == school_lms.school_id)
                              .order_by(MailMessage.id)).all()
    assert [r.to_address for r in rows] == [school_lms.users["coordinator"].email]
    row = rows[-1]
    assert "urgent" in row.subject and row.status == "pending"
    for secret in ("Sanne", "3Q", "Snapchat", "@leaky", "snapchat.com", reference, "Nude", "sexual", "image"):
        assert secret.lower() not in (row.subject + row.body).lower(), secret
    assert tool_url in row.body and "lt=" not in row.body, "a link to the tool, never with a launch token"


def test_a_refused_report_queues_nothing(browser, school_lms, db_session):
    _, token = launch(browser, school_lms, "student2")
    before = db_session.scalar(select(db.func.count()).select_from(MailMessage))
    resp, _ = send(browser, token, "cyberbullying", what_happened="")
    assert resp.status_code >= 400
    db_session.expire_all()
    assert db_session.scalar(select(db.func.count()).select_from(MailMessage)) == before


def test_the_sender_delivers_over_smtp(smtp_app, smtp, db_session):
    row_id = _queue(smtp_app, "coordinator-a@school.example")
    with smtp_app.app_context():
        result = mail.send_due()
    assert result.sent >= 1
    row = _row(db_session, row_id)
    assert row.status == "sent" and row.sent_at and row.attempts == 1
    [received] = smtp.to("coordinator-a@school.example")
    assert received["Subject"] == "Veilig Online: test" and received["From"] == smtp_app.config["MAIL_FROM"]
    assert received["Auto-Submitted"] == "auto-generated" and received["Message-ID"]


def test_a_temporary_refusal_is_retried_later_with_backoff(smtp_app, smtp, db_session):
    smtp.refuse["busy@school.example"] = "451 4.3.0 Try again later"
    row_id = _queue(smtp_app, "busy@school.example")
    with smtp_app.app_context():
        mail.send_due()
    row = _row(db_session, row_id)
    assert row.status == "pending" and row.attempts == 1 and "451" in row.last_error
    assert utcnow() + timedelta(seconds=40) < row.next_attempt_at < utcnow() + timedelta(seconds=80)
    with smtp_app.app_context():
        mail.send_due()
    assert _row(db_session, row_id).attempts == 1, "not due yet"
    del smtp.refuse["busy@school.example"]
    row.next_attempt_at = datetime(2000, 1, 1, tzinfo=timezone.utc)  # due before any leftover
    db_session.commit()
    with smtp_app.app_context():
        mail.send_due()
    row = _row(db_session, row_id)
    assert row.status == "sent" and row.attempts == 2 and row.last_error is None
    assert len(smtp.to("busy@school.example")) == 1


def test_a_permanent_refusal_fails_at_once(smtp_app, smtp, db_session):
    smtp.refuse["gone@school.example"] = "550 5.1.1 No such user"
    row_id = _queue(smtp_app, "gone@school.example")
    with smtp_app.app_context():
        result = mail.send_due()
    row = _row(db_session, row_id)
    assert row.status == "failed" and row.attempts == 1 and "550" in row.last_error
    assert result.failed >= 1


def test_an_unreachable_server_is_retried_until_the_attempts_run_out(smtp_app, db_session):
    smtp_app.config["SMTP_PORT"] = reserve_port()  # nothing listens there
    row_id = _queue(smtp_app, "later@school.example")
    for attempt in (1, 2, 3):
        with smtp_app.app_context():
            mail.send_due()
        row = _row(db_session, row_id)
        assert row.attempts == attempt
        row.next_attempt_at = datetime(2000, 1, 1, tzinfo=timezone.utc)  # due before any leftover
        db_session.commit()
    assert _row(db_session, row_id).status == "failed"


def test_lti_tool_mail_send_once(smtp_app, smtp):
    _queue(smtp_app, "cli@school.example")
    from lti_tool.cli import main
    result = smtp_app.test_cli_runner().invoke(main, ["mail", "send", "--once"])
    assert result.exit_code == 0, result.output
    assert " sent" in result.output and smtp.to("cli@school.example")
    status = smtp_app.test_cli_runner().invoke(main, ["mail", "status"])
    assert "sent" in status.output


def test_the_sender_thread_is_off_in_tests_and_sends_when_woken_after_a_commit(app, smtp, database_url, tmp_path):
    assert "send_mail" not in app.extensions["tasks"].executors
    from lti_tool import create_app
    threaded = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"], "SQLALCHEMY_DATABASE_URI": database_url,
                           "LTI_CONFIG": app.config["LTI_CONFIG"], "MAIL_DELIVERY": "thread",
                           "MAIL_POLL_SECONDS": 3600, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port})
    import secrets
    address = f"woken-{secrets.token_hex(4)}@school.example"
    worker = threaded.extensions["tasks"].executors["send_mail"]
    worker.ensure_started()
    try:
        time.sleep(0.5)  # the first round, at start
        with threaded.app_context():
            db.session.add(MailMessage(to_address=address, subject="Veilig Online: woken", body="x\n"))
            mail.wake_after_commit()
            db.session.commit()
        deadline = time.monotonic() + 10
        while not smtp.to(address) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert smtp.to(address), "woken by the commit, not by the hour-long poll"
    finally:
        worker.stop()
        with threaded.app_context():
            db.session.remove()
            db.engine.dispose()
