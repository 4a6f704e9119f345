"""Closing the loop: a case closes only with a message to its reporter (a template per outcome in the
reporter's language, editable), never while the reporter's message waits unless the coordinator says
why (audited as a reason key, never content); the feedback deadline counts only a sent message."""
from datetime import datetime, timedelta, timezone

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from lti_tool.cases import closing, timeliness
from lti_tool.cases.models import AuditEvent, CaseSettings
from lti_tool.courses.models import User
from lti_tool.db import utcnow
from lti_tool.extensions import db
from lti_tool.reports import operations as reports
from lti_tool.reports.models import Report, ReportMessage
from tests.cases.conftest import coordinator_token, launch, make_case, user_id
from tests.support.browser import Browser, form_of, text_of
from tests.support.pages import publish_defaults


@pytest.fixture(scope="module")
def codes(app, school_lms):
    return publish_defaults(app, school_lms.school_id)


@pytest.fixture
def token(browser, db_session, school_lms, codes):
    return coordinator_token(browser, db_session, school_lms)


def _close(browser, token, case_id, action="close", **data):
    """Post the closing form; past any open protocol steps (their confirmation is tested on its own)."""
    if action == "close":
        data.setdefault("confirm_open_steps", "true")
    page = browser.get(f"/cases/{case_id}", token=token)
    _, fields = form_of(page.text, "form.close-form")
    return browser.post(f"/cases/{case_id}/{action}", token=token,
                        data={"csrf_token": fields["csrf_token"], **data})


def _fresh(db_session, case_id) -> Report:
    db_session.expire_all()
    return db_session.get(Report, case_id)


def _messages(db_session, case_id) -> list[ReportMessage]:
    return db_session.scalars(select(ReportMessage).where(ReportMessage.report_id == case_id)
                              .order_by(ReportMessage.id)).all()


def _reporter_writes(app, case_id, body):
    with app.test_request_context():
        reports.post_message(db.session.get(Report, case_id), ReportMessage.REPORTER, body)
        db.session.commit()


def test_closing_sends_the_closing_message_to_the_reporter_and_counts_as_feedback(
        browser, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id)
    resp = _close(browser, token, case.id, outcome="resolved", message="We spoke to everyone involved.")
    assert resp.status_code == 303
    report = _fresh(db_session, case.id)
    [message] = _messages(db_session, case.id)
    assert report.status == "closed" and message.author_role == "coordinator"
    assert report.feedback_at == message.created_at
    states = {d.kind: d.state for d in timeliness.deadlines(report, CaseSettings(
        first_response_hours=24, urgent_response_minutes=60, retention_months=12))}
    assert states["feedback"] == "done"


def test_a_case_closed_without_a_message_missed_its_feedback_deadline(app):
    settings = CaseSettings(first_response_hours=24, urgent_response_minutes=60, retention_months=12)
    now = datetime(2026, 12, 11, 12, 0, tzinfo=timezone.utc)  # a Friday: made on Tuesday, due by Wednesday
    closed = Report(created_at=now - timedelta(days=3), urgent=False, status="closed", closed_at=now,
                    first_response_at=now, reporter_acknowledged_at=now, feedback_at=None)
    with app.app_context():
        states = {d.kind: d.state for d in timeliness.deadlines(closed, settings, now)}
    assert states == {"first_response": "late", "acknowledgement": "done", "feedback": "missed"}


@pytest.mark.parametrize("data", [{"outcome": "resolved"}, {"outcome": "resolved", "message": " \r\n "},
                                  {"outcome": "resolved", "message": "x" * 5001}])
def test_closing_without_a_message_is_refused_and_nothing_is_saved(browser, token, app, db_session, school_lms, data):
    case = make_case(app, school_lms.school_id)
    resp = _close(browser, token, case.id, **data)
    assert resp.status_code == 400
    assert _fresh(db_session, case.id).status == "new" and _messages(db_session, case.id) == []
    assert "closing message" in text_of(resp.text).lower() or "characters" in text_of(resp.text)


def test_closing_while_the_reporters_message_waits_is_refused_unless_the_coordinator_says_why(
        browser, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id, category="unwanted_images")
    _reporter_writes(app, case.id, "The photo is now on Snapchat too.")
    page = text_of(browser.get(f"/cases/{case.id}", token=token).text)
    assert "The reporter's last message has no answer yet" in page

    refused = _close(browser, token, case.id, outcome="resolved", message="My own closing words.")
    assert refused.status_code == 409
    assert "My own closing words." in refused.text, "the coordinator's text comes back"
    assert _fresh(db_session, case.id).status == "new" and len(_messages(db_session, case.id)) == 1
    assert _close(browser, token, case.id, outcome="resolved", message="Words.",
                  unanswered_reason="because I say so").status_code == 400
    assert _fresh(db_session, case.id).status == "new"

    done = _close(browser, token, case.id, outcome="resolved", message="We talked about the photo in person.",
                  unanswered_reason="answered_in_person")
    assert done.status_code == 303 and _fresh(db_session, case.id).status == "closed"
    [reason] = db_session.scalars(select(AuditEvent).where(AuditEvent.report_id == case.id,
                                                           AuditEvent.action == "closed_unanswered")).all()
    assert reason.detail == "answered_in_person", "a reason key, never content"
    timeline = text_of(browser.get(f"/cases/{case.id}", token=token).text)
    assert "Closed while the reporter's last message had no answer" in timeline
    assert "Answered in person or by phone" in timeline


def test_an_answered_message_needs_no_reason(browser, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id)
    _reporter_writes(app, case.id, "Is anyone reading this?")
    page = browser.get(f"/cases/{case.id}", token=token)
    action, fields = form_of(page.text, "form[action*='/messages']")
    assert browser.post(action, token=token, data={**fields, "body": "Yes, we are on it."}).status_code == 303
    assert _close(browser, token, case.id, outcome="no_action", message="Closing now.").status_code == 303
    assert not db_session.scalars(select(AuditEvent).where(AuditEvent.report_id == case.id,
                                                           AuditEvent.action == "closed_unanswered")).all()


def test_marking_not_genuine_also_needs_a_closing_message(browser, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id)
    page = BeautifulSoup(browser.get(f"/cases/{case.id}", token=token).text, "html.parser")
    assert page.select_one("#not-genuine-message").text.strip(), "a template is filled in"
    assert _close(browser, token, case.id, "not-genuine", confirm="true", message="").status_code == 400
    assert _fresh(db_session, case.id).status == "new"
    assert _close(browser, token, case.id, "not-genuine", confirm="true",
                  message="We are closing your report.").status_code == 303
    report = _fresh(db_session, case.id)
    assert report.not_genuine and report.feedback_at is not None


def test_the_closing_templates_speak_the_reporters_language(browser, token, app, db_session, school_lms):
    launch(Browser(browser.tool_url), school_lms, "student4")  # en-GB in the demo LMS
    english = user_id(db_session, school_lms, "student4")
    assert db_session.get(User, english).locale.startswith("en")
    named = make_case(app, school_lms.school_id, reporter_user_id=english, identity="named")
    hidden = make_case(app, school_lms.school_id, reporter_user_id=english, identity="pseudonymous")

    def examples(case_id):
        soup = BeautifulSoup(browser.get(f"/cases/{case_id}", token=token).text, "html.parser")
        return {o["value"]: o["data-message"] for o in soup.select("select#outcome option[data-message]")}

    assert set(examples(named.id)) == {"resolved", "sanctioned", "referred", "no_action", "withdrawn"}
    assert examples(named.id)["resolved"].startswith("Thank you for telling us.")
    assert "within 30 days" in examples(named.id)["resolved"]
    assert examples(hidden.id)["resolved"].startswith("Bedankt dat je het ons hebt verteld."), \
        "a pseudonym's language is the school's default, Dutch"
    with app.test_request_context():
        assert closing.reporter_locale(db.session.get(Report, hidden.id)) == "nl"


def test_a_message_to_a_purged_case_is_refused(browser, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id, status="closed", closed_at=utcnow(), purged_at=utcnow())
    page = browser.get(f"/cases/{case.id}", token=token)
    assert "close-form" not in page.text and "<textarea" not in page.text
    csrf = form_of(browser.get(f"/cases/{make_case(app, school_lms.school_id).id}", token=token).text,
                   "form.close-form")[1]["csrf_token"]
    resp = browser.post(f"/cases/{case.id}/messages", token=token, data={"csrf_token": csrf, "body": "Hello?"})
    assert resp.status_code == 409
    assert _messages(db_session, case.id) == []


def test_another_schools_coordinator_cannot_close_or_write_to_a_case(tool_url, app, db_session, school_lms, other_lms):
    case = make_case(app, school_lms.school_id)
    other = Browser(tool_url)
    other_token = coordinator_token(other, db_session, other_lms)
    own = make_case(app, other_lms.school_id)
    csrf = form_of(other.get(f"/cases/{own.id}", token=other_token).text, "form.close-form")[1]["csrf_token"]
    for action, data in (("close", {"outcome": "resolved", "message": "x"}), ("messages", {"body": "x"}),
                         ("not-genuine", {"confirm": "true", "message": "x"})):
        resp = other.post(f"/cases/{case.id}/{action}", token=other_token, data={"csrf_token": csrf, **data})
        assert resp.status_code == 404, (action, resp.status_code)
    assert _fresh(db_session, case.id).status == "new" and _messages(db_session, case.id) == []


def test_the_school_sets_how_long_a_reporter_may_reopen(browser, token, db_session, school_lms):
    page = browser.get("/cases/settings", token=token)
    action, fields = form_of(page.text, "form.editor")
    assert fields["reporter_reopen_days"] == "30"
    resp = browser.post(action, token=token, data={**fields, "reporter_reopen_days": "14"})
    assert resp.status_code == 303
    db_session.expire_all()
    assert db_session.get(CaseSettings, school_lms.school_id).reporter_reopen_days == 14
    bad = browser.post(action, token=token, data={**fields, "reporter_reopen_days": "400"})
    assert bad.status_code == 400
    browser.post(action, token=token, data={**fields, "reporter_reopen_days": "30"})
