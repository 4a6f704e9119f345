"""The loop is closed for the reporter: where the report stands (received → being handled → answered
→ closed, with the last answer's date), "it started again" once within the school's period, and "it
is spreading again", which makes the case urgent and tells the coordinators without any content."""
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from lti_tool.cases import operations as cases
from lti_tool.cases.models import AuditEvent, MailMessage
from lti_tool.db import utcnow
from lti_tool.extensions import db
from lti_tool.reports.models import Report, ReportMessage
from tests.cases.conftest import coordinator_token, make_case, user_id
from tests.support.browser import Browser, form_of, text_of
from tests.support.pages import launch



@pytest.fixture
def filed(app, browser, db_session, school_lms):
    """A fresh report of student2 (filed with the real create_report, past the hourly limit a test
    module would reach through the form): (reference, student2's launch token)."""
    _, token = launch(browser, school_lms, "student2", locale="en")
    student = user_id(db_session, school_lms, "student2")
    return make_case(app, school_lms.school_id, reporter_user_id=student).reference, token


@pytest.fixture
def coordinator(tool_url, db_session, school_lms):
    """The school's coordinator (launched and designated): their user id."""
    coordinator_token(Browser(tool_url), db_session, school_lms)
    return user_id(db_session, school_lms, "coordinator")


def _act(app, reference, school_id, coordinator_id, what, *args, **kw):
    """Do one coordinator operation on the case (as the case page would), committed; a closing goes
    past open protocol steps, as the case page's second step does."""
    if what == "close":
        kw.setdefault("open_steps_confirmed", True)
    with app.test_request_context():
        report = db.session.scalars(select(Report).where(Report.reference == reference)).one()
        getattr(cases, what)(report, cases.Actor(school_id, coordinator_id), *args, **kw)
        db.session.commit()


def _report(db_session, reference) -> Report:
    db_session.expire_all()
    return db_session.scalars(select(Report).where(Report.reference == reference)).one()


def _api(browser, token, method, path, **kw):
    return requests.request(method, f"{browser.tool_url}/api/v1{path}", headers={"X-Launch-Token": token},
                            timeout=30, **kw)


def _status(browser, token, reference) -> tuple[str, str, dict]:
    """Where the report stands on My reports, on its own page, and in the API."""
    mine = text_of(browser.get("/reports/mine", token=token).text)
    shown = text_of(browser.get(f"/reports/{reference}", token=token).text)
    [listed] = [r for r in _api(browser, token, "get", "/me/reports").json() if r["reference"] == reference]
    return mine, shown, listed


def _post_form(browser, token, reference, selector, **data):
    page = browser.get(f"/reports/{reference}", token=token)
    action, fields = form_of(page.text, selector)
    return browser.post(action, data={**fields, **data})


def test_the_reporter_sees_received_being_handled_answered_and_closed_with_the_last_answers_date(
        app, browser, filed, coordinator, school_lms):
    reference, token = filed
    mine, shown, listed = _status(browser, token, reference)
    assert "Received" in mine and "Received" in shown and listed["status"] == "received"
    assert listed["last_answer_at"] is None

    _act(app, reference, school_lms.school_id, coordinator, "send_message", "We read it and talk to the mentor.")
    mine, shown, listed = _status(browser, token, reference)
    assert "Answered" in mine and "Answered" in shown and listed["status"] == "answered"
    assert listed["last_answer_at"] and "last answer" in mine and "Last answer from the coordinator" in shown

    assert _post_form(browser, token, reference, "form[action*='/messages']",
                      body="The photo is now on Snapchat too.").status_code == 303
    _, shown, listed = _status(browser, token, reference)
    assert listed["status"] == "being_handled" and "Being handled" in shown

    _act(app, reference, school_lms.school_id, coordinator, "change_status", "in_progress")
    _act(app, reference, school_lms.school_id, coordinator, "close", "resolved",
         message="We dealt with it.", unanswered_reason="answered_in_person")
    mine, shown, listed = _status(browser, token, reference)
    assert listed["status"] == "closed" and "Closed" in mine and "We dealt with it." in shown
    assert listed["can_reopen"] is True


def test_it_started_again_reopens_a_closed_report_once_and_tells_the_coordinators_without_content(
        app, browser, filed, coordinator, db_session, school_lms):
    reference, token = filed
    _act(app, reference, school_lms.school_id, coordinator, "close", "resolved", message="Closed, thank you.")
    mails = db_session.scalar(select(func.count()).select_from(MailMessage))
    page = browser.get(f"/reports/{reference}", token=token)
    assert "It started again" in text_of(page.text) and "within 30 days" in text_of(page.text)

    resp = _post_form(browser, token, reference, "form.reopen-form", body="They started again today.",
                      spreading_now="yes")
    assert resp.status_code == 303, resp.text
    report = _report(db_session, reference)
    assert report.status == "in_progress" and report.closed_at is None and report.outcome is None
    assert report.reporter_reopened_at is not None and report.urgent and report.spreading_now
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.report_id == report.id)).all()
    reopened = [e for e in events if e.action == "reopened_by_reporter"]
    assert len(reopened) == 1 and reopened[0].actor_user_id is None and reopened[0].detail is None
    new_mail = db_session.scalars(select(MailMessage).order_by(MailMessage.id.desc())
                                  .limit(db_session.scalar(select(func.count()).select_from(MailMessage)) - mails)).all()
    # One notice per coordinator and send slot: within a slot one already pending carries this news too.
    pending = db_session.scalars(select(MailMessage).where(MailMessage.school_id == school_lms.school_id,
                                                           MailMessage.status == MailMessage.PENDING)).all()
    assert new_mail or pending, "the coordinators are told"
    for mail in [*new_mail, *pending]:
        assert reference not in mail.subject + mail.body and "They started" not in mail.body
        assert "bully" not in (mail.subject + mail.body).lower() and "pest" not in (mail.subject + mail.body).lower()

    # Once: closed again, the reporter cannot reopen it a second time.
    _act(app, reference, school_lms.school_id, coordinator, "send_message", "We are on it again.")
    _act(app, reference, school_lms.school_id, coordinator, "close", "resolved", message="Closed again.")
    listed = _api(browser, token, "get", f"/me/reports/{reference}").json()
    assert listed["can_reopen"] is False
    messages = len(listed["messages"])
    again = _api(browser, token, "post", f"/me/reports/{reference}/reopen", json={"body": "And again."})
    assert again.status_code == 409 and "once" in again.json()["message"]
    assert _report(db_session, reference).status == "closed"
    assert len(_api(browser, token, "get", f"/me/reports/{reference}").json()["messages"]) == messages


def test_a_reopen_after_the_period_or_of_an_open_report_or_without_words_is_refused_and_saves_nothing(
        app, browser, filed, coordinator, db_session, school_lms):
    reference, token = filed
    opened = _api(browser, token, "post", f"/me/reports/{reference}/reopen", json={"body": "It started again."})
    assert opened.status_code == 409, "an open report takes a message in its thread instead"
    _act(app, reference, school_lms.school_id, coordinator, "close", "no_action", message="Nothing more to do.")
    count = db_session.scalar(select(func.count()).select_from(ReportMessage)
                              .where(ReportMessage.report_id == _report(db_session, reference).id))
    empty = _post_form(browser, token, reference, "form.reopen-form", body="  ")
    assert empty.status_code == 400 and "Write a message first." in text_of(empty.text)
    picture = _api(browser, token, "post", f"/me/reports/{reference}/reopen",
                   json={"body": "see data:image/png;base64," + "iVBORw0KGgo" * 20})
    assert picture.status_code == 422
    report = _report(db_session, reference)
    report.closed_at = utcnow() - timedelta(days=31)
    db_session.commit()
    late = _api(browser, token, "post", f"/me/reports/{reference}/reopen", json={"body": "It started again."})
    assert late.status_code == 409 and "30 days" in late.json()["message"]
    report = _report(db_session, reference)
    assert report.status == "closed" and report.reporter_reopened_at is None
    assert db_session.scalar(select(func.count()).select_from(ReportMessage)
                             .where(ReportMessage.report_id == report.id)) == count


def test_the_schools_reopen_period_is_a_setting(app, browser, filed, coordinator, db_session, school_lms):
    from lti_tool.cases.models import CaseSettings
    reference, token = filed
    _act(app, reference, school_lms.school_id, coordinator, "close", "resolved", message="Done.")
    report = _report(db_session, reference)
    report.closed_at = utcnow() - timedelta(days=10)
    settings = db_session.get(CaseSettings, school_lms.school_id) or CaseSettings(
        school_id=school_lms.school_id, first_response_hours=24, urgent_response_minutes=60, retention_months=12)
    settings.reporter_reopen_days = 7
    db_session.add(settings)
    db_session.commit()
    try:
        assert _api(browser, token, "post", f"/me/reports/{reference}/reopen",
                    json={"body": "Again."}).status_code == 409
    finally:
        settings.reporter_reopen_days = 30
        db_session.commit()
    assert _api(browser, token, "post", f"/me/reports/{reference}/reopen", json={"body": "Again."}).status_code == 200


def test_it_is_spreading_again_makes_the_case_urgent_and_notifies_once_an_hour(
        app, browser, filed, coordinator, db_session, school_lms):
    reference, token = filed
    assert not _report(db_session, reference).urgent
    before = db_session.scalar(select(func.count()).select_from(MailMessage))
    resp = _post_form(browser, token, reference, "form.spreading-form")
    assert resp.status_code == 303
    report = _report(db_session, reference)
    assert report.urgent and report.spreading_now and report.spreading_again_at is not None
    after = db_session.scalar(select(func.count()).select_from(MailMessage))
    # A pseudonymous reporter's news waits for the urgent send slot, one notice per coordinator per
    # slot: a notice pending there (from another report of the slot) is made urgent, not repeated.
    pending = db_session.scalars(select(MailMessage).where(
        MailMessage.school_id == school_lms.school_id, MailMessage.status == MailMessage.PENDING,
        MailMessage.batch_key.is_not(None)).order_by(MailMessage.next_attempt_at)).all()
    assert after >= before and pending
    newest = pending[0]
    assert "urgent" in newest.subject.lower() or "dringend" in newest.subject.lower()
    assert reference not in newest.subject + newest.body
    again = _api(browser, token, "post", f"/me/reports/{reference}/spreading", json={})
    assert again.status_code == 200 and again.json()["urgent"] is True
    assert db_session.scalar(select(func.count()).select_from(MailMessage)) == after, "once an hour"
    actions = [e.action for e in db_session.scalars(select(AuditEvent).where(AuditEvent.report_id == report.id))]
    assert actions.count("spreading_again") == 2


def test_spreading_again_on_a_closed_report_is_refused(app, browser, filed, coordinator, db_session, school_lms):
    reference, token = filed
    _act(app, reference, school_lms.school_id, coordinator, "close", "resolved", message="Done.")
    resp = _api(browser, token, "post", f"/me/reports/{reference}/spreading", json={})
    assert resp.status_code == 409 and "It started again" in resp.json()["message"]
    assert not _report(db_session, reference).urgent


@pytest.mark.parametrize("who", ["student", "teacher", "coordinator"])
def test_nobody_else_reopens_or_flags_a_report(app, tool_url, filed, coordinator, db_session, school_lms, who):
    reference, _ = filed
    _act(app, reference, school_lms.school_id, coordinator, "close", "resolved", message="Done.")
    other = Browser(tool_url)
    _, token = launch(other, school_lms, who, locale="en")
    for path, body in (("reopen", {"body": "Mine now."}), ("spreading", {})):
        assert _api(other, token, "post", f"/me/reports/{reference}/{path}", json=body).status_code == 404
    _, fields = form_of(other.get("/reports/new", token=token).text, "form[method=post]")
    for path, data in (("reopen", {"body": "Mine now."}), ("spreading", {})):
        resp = other.post(f"/reports/{reference}/{path}", token=token,
                          data={"csrf_token": fields["csrf_token"], **data})
        assert resp.status_code == 404, (path, resp.status_code)
    report = _report(db_session, reference)
    assert report.status == "closed" and not report.urgent and report.reporter_reopened_at is None


def test_another_school_or_no_launch_cannot_reopen_or_flag(tool_url, filed, other_lms, db_session):
    reference, _ = filed
    stranger = Browser(tool_url)
    _, token = launch(stranger, other_lms, "student2", locale="en")
    for path, body in (("reopen", {"body": "x"}), ("spreading", {})):
        assert _api(stranger, token, "post", f"/me/reports/{reference}/{path}", json=body).status_code == 404
        assert requests.post(f"{tool_url}/api/v1/me/reports/{reference}/{path}", json=body,
                             timeout=30).status_code == 401
        assert Browser(tool_url).post(f"/reports/{reference}/{path}", data={}).status_code in (400, 401)
    assert not _report(db_session, reference).urgent


def test_the_reporter_forms_need_their_csrf_token_or_launch_token(browser, filed, db_session):
    """A form sent by the cookie alone, with neither the form's CSRF token nor the tab's launch
    token, could come from another site: refused, nothing changes."""
    reference, _ = filed
    for path in ("spreading", "reopen", "messages"):
        assert browser.post(f"/reports/{reference}/{path}", data={"body": "x"}).status_code == 400, path
    assert not _report(db_session, reference).urgent


def test_a_purged_report_takes_no_message_reopen_or_flag_from_its_reporter(app, browser, filed, coordinator,
                                                                             db_session, school_lms):
    reference, token = filed
    _act(app, reference, school_lms.school_id, coordinator, "close", "resolved", message="Done.")
    report = _report(db_session, reference)
    report.purged_at = utcnow()
    db_session.commit()
    for path, body in (("messages", {"body": "Hello?"}), ("reopen", {"body": "Again."}), ("spreading", {})):
        assert _api(browser, token, "post", f"/me/reports/{reference}/{path}", json=body).status_code == 404
    report = _report(db_session, reference)
    assert report.status == "closed" and not report.urgent and report.reporter_reopened_at is None
