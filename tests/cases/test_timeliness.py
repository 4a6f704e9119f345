"""Deadlines: a working day skips the weekend, an urgent report gets an hour, 7 days to acknowledge,
3 months to feed back; the school's targets are settings, validated."""
import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from lti_tool.cases import timeliness
from lti_tool.cases.models import AuditEvent, CaseSettings
from tests.cases.conftest import coordinator_token, launch, make_case
from tests.support.browser import form_of

AMS = ZoneInfo("Europe/Amsterdam")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=AMS).astimezone(timezone.utc)


@pytest.mark.parametrize("start, hours, due", [
    (at(2026, 3, 6, 15), 24, at(2026, 3, 9, 15)),      # Friday 15:00 → Monday 15:00
    (at(2026, 3, 4, 9), 24, at(2026, 3, 5, 9)),        # Wednesday → Thursday
    (at(2026, 3, 7, 10), 24, at(2026, 3, 10, 0)),      # Saturday: the clock starts on Monday
    (at(2026, 3, 6, 23, 30), 1, at(2026, 3, 9, 0, 30)),
    (at(2026, 3, 27, 12), 48, at(2026, 3, 31, 12)),    # over the switch to summer time
])
def test_working_hours_skip_the_weekend(app, start, hours, due):
    with app.app_context():
        assert timeliness.add_working_hours(start, hours) == due


def test_counting_back_is_the_inverse(app):
    rng = random.Random(7)
    with app.app_context():
        for _ in range(300):
            start = at(2026, 1, 1) + timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
            hours = rng.choice([1, 8, 24, 48, 100])
            due = timeliness.add_working_hours(start, hours)
            cutoff = timeliness.subtract_working_hours(due, hours)
            assert cutoff >= start, (start, hours)
            assert timeliness.add_working_hours(cutoff, hours) == due


def test_an_urgent_report_gets_clock_minutes(app):
    class Case:
        urgent, created_at = True, at(2026, 3, 7, 22)  # a Saturday night

    class Defaults:
        first_response_hours, urgent_response_minutes = 24, 60

    with app.app_context():
        assert timeliness.first_response_due(Case, Defaults) == at(2026, 3, 7, 23)


def test_deadlines_stand_as_done_late_open_or_overdue(app, school_lms):
    now = at(2026, 6, 1, 12)
    report = make_case(app, school_lms.school_id, category="other")
    report.created_at = report.received_at = now - timedelta(days=10)
    report.first_response_at = report.created_at + timedelta(hours=2)
    report.reporter_acknowledged_at = None
    with app.app_context():
        from lti_tool.cases.queries import settings_for
        states = {d.kind: d.state for d in timeliness.deadlines(report, settings_for(school_lms.school_id), now)}
    assert states == {"first_response": "done", "acknowledgement": "overdue", "feedback": "open"}


def test_the_case_page_shows_its_deadlines(browser, app, db_session, school_lms):
    token = coordinator_token(browser, db_session, school_lms)
    case = make_case(app, school_lms.school_id, category="other", age=timedelta(days=8))
    page = browser.get(f"/cases/{case.id}", token=token).text
    assert "First response" in page and "Acknowledgement to the reporter" in page and "Feedback to the reporter" in page
    assert page.count("overdue since") == 2


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_the_school_sets_its_targets_and_retention(browser, app, db_session, school_lms, who):
    token = coordinator_token(browser, db_session, school_lms) if who == "coordinator" else launch(browser, school_lms, who)[1]
    page = browser.get("/cases/settings", token=token)
    assert page.status_code == 200
    action, fields = form_of(page.text, "form.editor")
    saved = browser.post(action, data={**fields, "first_response_hours": "8", "urgent_response_minutes": "30",
                                       "retention_months": "24"})
    assert saved.status_code == 303
    db_session.expire_all()
    settings = db_session.get(CaseSettings, school_lms.school_id)
    assert (settings.first_response_hours, settings.urgent_response_minutes, settings.retention_months) == (8, 30, 24)
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.school_id == school_lms.school_id,
                                                        AuditEvent.action == "settings_changed")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.detail and "retention_months" in event.detail


@pytest.mark.parametrize("field, value", [("first_response_hours", "0"), ("first_response_hours", "169"),
                                          ("urgent_response_minutes", "2"), ("retention_months", "0"),
                                          ("retention_months", "121"), ("retention_months", "twelve"),
                                          ("retention_months", "")])
def test_settings_out_of_range_are_refused_and_shown_as_typed(browser, db_session, school_lms, field, value):
    token = coordinator_token(browser, db_session, school_lms)
    page = browser.get("/cases/settings", token=token)
    action, fields = form_of(page.text, "form.editor")
    before = db_session.get(CaseSettings, school_lms.school_id)
    before = before and (before.first_response_hours, before.retention_months)
    resp = browser.post(action, data={**fields, field: value})
    assert resp.status_code == 400 and "not saved" in resp.text
    db_session.expire_all()
    after = db_session.get(CaseSettings, school_lms.school_id)
    assert (after and (after.first_response_hours, after.retention_months)) == before


def test_a_stricter_target_makes_a_case_overdue_in_the_queue(browser, app, db_session, school_lms):
    token = coordinator_token(browser, db_session, school_lms)
    case = make_case(app, school_lms.school_id, category="private_data", age=timedelta(minutes=90))
    with app.app_context():
        from lti_tool.cases import operations
        from lti_tool.extensions import db
        operations.save_settings(school_lms.school_id, None, {"first_response_hours": 24,
                                                              "urgent_response_minutes": 60, "retention_months": 12})
        db.session.commit()
    with app.app_context():
        # Over a weekend 90 minutes may hold less than an hour of working time: ask the clock itself.
        working = timeliness.add_working_hours(case.received_at, 1) < datetime.now(timezone.utc)
    assert case.reference not in browser.get("/cases?overdue=true", token=token).text
    with app.app_context():
        operations.save_settings(school_lms.school_id, None, {"first_response_hours": 1,
                                                              "urgent_response_minutes": 60, "retention_months": 12})
        db.session.commit()
    shown = case.reference in browser.get("/cases?overdue=true", token=token).text
    assert shown == working, "90 minutes of working time pass a 1-hour target (not over a weekend)"
