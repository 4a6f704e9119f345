"""Reminders: once a school day each coordinator hears how many open cases are past, or within a
day of, a protocol deadline; two counts and the way in, nothing of any case."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from lti_tool.cases import reminders
from lti_tool.cases.models import MailMessage
from lti_tool.db import utcnow
from lti_tool.tasks.threads import Periodic
from tests.cases.conftest import coordinator_token, make_case


@pytest.fixture(scope="module")
def school_cases(app, school_lms):
    """Past a deadline (8 days, no acknowledgement), near one (6.5 days, answered), neither, closed."""
    school, now = school_lms.school_id, utcnow()
    make_case(app, school, what="Sanne is threatened in the 3Q group chat.", age=timedelta(days=8))
    make_case(app, school, age=timedelta(days=6, hours=12), first_response_at=now)
    make_case(app, school, age=timedelta(hours=1), first_response_at=now)
    make_case(app, school, age=timedelta(days=30), status="closed", closed_at=now)
    return school


def _reminders(db_session, school_id) -> list[MailMessage]:
    db_session.expire_all()
    return list(db_session.scalars(select(MailMessage).where(
        MailMessage.school_id == school_id, MailMessage.subject.like("%meldingen wachten%"))))


def test_a_reminder_counts_cases_past_or_near_a_deadline_and_tells_nothing_of_them(
        app, browser, db_session, school_lms, school_cases):
    coordinator_token(browser, db_session, school_lms)
    with app.app_context():
        assert reminders.counts(school_cases, utcnow()) == (1, 1)
        assert reminders.send_reminders() >= 1  # other schools' tests may have cases too
    row, = _reminders(db_session, school_cases)
    assert row.to_address == school_lms.users["coordinator"].email and row.status == "pending"
    assert "1 open melding is over een termijn van het protocol." in row.body  # the school's language
    assert "1 open melding bereikt binnen een dag een termijn van het protocol." in row.body
    for secret in ("Sanne", "3Q", "threatened", "cyberbullying", "Instagram", "@someone"):
        assert secret.lower() not in (row.subject + row.body).lower(), secret


def test_a_second_run_the_same_day_queues_nothing(app, browser, db_session, school_lms, school_cases):
    coordinator_token(browser, db_session, school_lms)
    with app.app_context():
        reminders.send_reminders()
        assert reminders.send_reminders() == 0
    assert len(_reminders(db_session, school_cases)) == 1


def test_reminders_wait_for_a_weekday_morning_in_a_thread_as_on_the_queue(app):
    task = app.extensions["tasks"].tasks["send_reminders"]
    assert task.schedule(app.config) == {"cron": "0 7 * * 1-5"}  # the scheduler's schedule too
    before = datetime.now().astimezone()
    due = before + timedelta(seconds=Periodic.for_task(app, task)._pause() + 1)  # a second: the pause began later
    assert due.weekday() < 5 and (due.hour, due.minute) == (7, 0) and due - before <= timedelta(days=3, hours=1)
