"""A case: its details, the audited view, status, assignment, notes, messages, the protocol, closing."""
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select, text

from lti_tool.cases.models import AuditEvent, ChecklistEntry
from lti_tool.reports.models import Report, ReportMessage
from tests.cases.conftest import coordinator_token, designate, launch, make_case, user_id
from tests.support.browser import form_of, text_of
from tests.support.pages import publish_defaults


@pytest.fixture(scope="module")
def codes(app, school_lms):
    return publish_defaults(app, school_lms.school_id)


@pytest.fixture
def token(browser, db_session, school_lms, codes):
    return coordinator_token(browser, db_session, school_lms)


def post(browser, token, case_id, action, **data):
    """Send one of the case page's forms as the browser does (with its CSRF token)."""
    page = browser.get(f"/cases/{case_id}", token=token)
    _, fields = form_of(page.text, "form[method=post]")
    return browser.post(f"/cases/{case_id}/{action}", token=token, data={"csrf_token": fields["csrf_token"], **data})


CLOSING = "We looked into it and are closing your report. Thank you for telling us."


def fresh(db_session, case_id) -> Report:
    db_session.expire_all()
    return db_session.get(Report, case_id)


def test_the_case_page_shows_the_report_and_the_view_is_audited(browser, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id, category="threats", what="He said he would wait after school.")
    page = browser.get(f"/cases/{case.id}", token=token)
    assert page.status_code == 200
    body = text_of(page.text)
    assert "He said he would wait after school." in body and "@someone" in body and "Instagram" in body
    assert case.pseudonym in body and "Threats" in body and "Urgent" in body
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.report_id == case.id,
                                                         AuditEvent.action == "case_viewed")).all()
    assert [e.actor_user_id for e in events] == [user_id(db_session, school_lms, "coordinator")]
    assert all(e.detail is None for e in events), "the log holds no content"


def test_a_named_reporter_is_shown_by_name_a_pseudonymous_one_never(browser, token, app, db_session, school_lms):
    launch(browser.__class__(browser.tool_url), school_lms, "student2")
    student = user_id(db_session, school_lms, "student2")
    named = make_case(app, school_lms.school_id, reporter_user_id=student, identity="named")
    hidden = make_case(app, school_lms.school_id, reporter_user_id=student, identity="pseudonymous")
    assert "Daan Jansen" in text_of(browser.get(f"/cases/{named.id}", token=token).text)
    page = text_of(browser.get(f"/cases/{hidden.id}", token=token).text)
    assert "Daan" not in page and hidden.pseudonym in page
    assert fresh(db_session, hidden.id).reporter_user_id is None


def test_acknowledging_is_the_first_response_and_acknowledges_the_reporter(browser, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id)
    resp = post(browser, token, case.id, "status", status="acknowledged")
    assert resp.status_code == 303
    report = fresh(db_session, case.id)
    assert report.status == "acknowledged" and report.first_response_at and report.reporter_acknowledged_at
    assert post(browser, token, case.id, "status", status="in_progress").status_code == 303
    assert fresh(db_session, case.id).status == "in_progress"
    page = text_of(browser.get(f"/cases/{case.id}", token=token).text)
    assert "Status changed (New → Acknowledged)" in page and "Acknowledged → In progress" in page
    assert post(browser, token, case.id, "status", status="new").status_code == 400, "never back to new"
    assert post(browser, token, case.id, "status", status="closed").status_code == 400, "closing has its own form"


def test_a_case_is_assigned_to_a_coordinator_of_the_school_only(browser, token, app, db_session, school_lms, other_lms):
    case = make_case(app, school_lms.school_id)
    me = user_id(db_session, school_lms, "coordinator")
    assert post(browser, token, case.id, "assign", assignee_id=str(me)).status_code == 303
    assert fresh(db_session, case.id).assignee_id == me
    launch(browser.__class__(browser.tool_url), school_lms, "teacher")
    teacher = user_id(db_session, school_lms, "teacher")
    assert post(browser, token, case.id, "assign", assignee_id=str(teacher)).status_code == 400
    other_token = coordinator_token(browser.__class__(browser.tool_url), db_session, other_lms)
    assert other_token
    elsewhere = user_id(db_session, other_lms, "coordinator")
    assert post(browser, token, case.id, "assign", assignee_id=str(elsewhere)).status_code == 400
    assert post(browser, token, case.id, "assign", assignee_id="").status_code == 303
    assert fresh(db_session, case.id).assignee_id is None


def test_notes_are_sealed_and_the_reporter_never_sees_them(browser, token, app, db_session, school_lms):
    reporter = browser.__class__(browser.tool_url)
    _, student_token = launch(reporter, school_lms, "student3")
    case = make_case(app, school_lms.school_id, reporter_user_id=user_id(db_session, school_lms, "student3"))
    assert post(browser, token, case.id, "notes", body="Mentor says the group chat is 2B-only.").status_code == 303
    assert "Mentor says the group chat is 2B-only." in text_of(browser.get(f"/cases/{case.id}", token=token).text)
    raw = db_session.execute(text("SELECT body FROM case_notes WHERE report_id = :id"), {"id": case.id}).scalar()
    assert b"group chat" not in bytes(raw)
    own = reporter.get(f"/reports/{case.reference}", token=student_token)
    assert own.status_code == 200 and "group chat is 2B-only" not in own.text
    api = reporter.get(f"/api/v1/me/reports/{case.reference}", headers={"X-Launch-Token": student_token})
    assert api.status_code == 200 and "group chat is 2B-only" not in api.text
    assert post(browser, token, case.id, "notes", body="   ").status_code == 400


def test_messages_reach_the_reporter_and_their_answers_reach_the_coordinator(browser, token, app, db_session, school_lms):
    reporter = browser.__class__(browser.tool_url)
    _, student_token = launch(reporter, school_lms, "student4")
    case = make_case(app, school_lms.school_id, reporter_user_id=user_id(db_session, school_lms, "student4"))
    assert post(browser, token, case.id, "messages", body="Thank you for telling us. Can we talk on Monday?").status_code == 303
    report = fresh(db_session, case.id)
    assert report.reporter_acknowledged_at is not None and report.feedback_at is None
    own = reporter.get(f"/reports/{case.reference}", token=student_token)
    assert "Can we talk on Monday?" in text_of(own.text)
    assert "Fatima" not in own.text, "the reporter sees the coordinator's role, not their name"
    action, fields = form_of(own.text, "form[action*='/messages']")
    reporter.post(action, data={**fields, "body": "Yes, Monday is fine."})
    page = text_of(browser.get(f"/cases/{case.id}", token=token).text)
    assert "Yes, Monday is fine." in page and "Message from the reporter" in page
    stored = db_session.scalars(select(ReportMessage).where(ReportMessage.report_id == case.id)
                                .order_by(ReportMessage.id)).all()
    assert [m.author_role for m in stored] == ["coordinator", "reporter"]
    assert stored[0].author_user_id == user_id(db_session, school_lms, "coordinator")
    assert stored[1].read_by_school_at is not None, "opening the case reads it"
    post(browser, token, case.id, "status", status="in_progress")
    post(browser, token, case.id, "messages", body="We spoke to those involved.")
    assert fresh(db_session, case.id).feedback_at is not None


@pytest.mark.parametrize("category, present, absent", [
    ("sexual_images", {"victim_support", "parents", "evidence", "police", "takedown", "sanctions", "aftercare"}, {"board_inspectorate"}),
    ("cyberbullying", {"victim_support", "parents", "evidence", "sanctions", "communication", "aftercare"}, {"police", "takedown"}),
    ("threats", {"police"}, {"takedown"}),
])
def test_the_checklist_holds_the_steps_of_the_category(browser, token, app, school_lms, category, present, absent):
    case = make_case(app, school_lms.school_id, category=category)
    page = browser.get(f"/cases/{case.id}", token=token)
    soup = BeautifulSoup(page.text, "html.parser")
    steps = {i["value"] for i in soup.select("#checklist input[name=step]")}
    assert present <= steps and not (absent & steps)
    if category == "sexual_images":
        assert "Never open, save, copy or forward the images" in text_of(page.text)
        assert "16 or younger" in text_of(page.text)


def test_a_step_is_checked_off_with_who_and_when(browser, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id, category="cyberbullying")
    assert post(browser, token, case.id, "steps", step="victim_support", done="true").status_code == 303
    entry = db_session.scalars(select(ChecklistEntry).where(ChecklistEntry.report_id == case.id)).one()
    assert entry.step == "victim_support" and entry.done_by_id == user_id(db_session, school_lms, "coordinator")
    page = text_of(browser.get(f"/cases/{case.id}", token=token).text)
    assert "Done by Fatima Yilmaz" in page
    assert post(browser, token, case.id, "steps", step="victim_support", done="true").status_code == 303, "twice is once"
    assert post(browser, token, case.id, "steps", step="police", done="true").status_code == 400, "not for bullying"
    assert post(browser, token, case.id, "steps", step="victim_support", done="false").status_code == 303
    db_session.expire_all()
    assert db_session.scalars(select(ChecklistEntry).where(ChecklistEntry.report_id == case.id)).all() == []


def test_a_staff_suspect_case_cannot_close_without_the_board_track(browser, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id, category="sexual_images")
    assert post(browser, token, case.id, "staff-suspect", value="true").status_code == 303
    assert fresh(db_session, case.id).staff_suspect
    page = browser.get(f"/cases/{case.id}", token=token)
    assert "School board and Inspectorate" in text_of(page.text) and "required before closing" in page.text
    refused = post(browser, token, case.id, "close", outcome="referred", message=CLOSING)
    assert refused.status_code == 409 and "board" in text_of(refused.text).lower()
    assert post(browser, token, case.id, "not-genuine", confirm="true", message=CLOSING).status_code == 409
    assert fresh(db_session, case.id).status != "closed"
    post(browser, token, case.id, "steps", step="board_inspectorate", done="true")
    assert post(browser, token, case.id, "close", outcome="referred", message=CLOSING,
                confirm_open_steps="true").status_code == 303
    assert fresh(db_session, case.id).status == "closed"


def test_closing_records_the_outcome_the_rule_and_the_step_of_its_ladder(browser, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id, category="unwanted_images")
    page = browser.get(f"/cases/{case.id}", token=token)
    soup = BeautifulSoup(page.text, "html.parser")
    choices = [o["value"] for o in soup.select("select[name=rule] option") if o["value"]]
    assert "filming-others:1" in choices
    assert post(browser, token, case.id, "close", outcome="sanctioned", rule="filming-others:1",
                message=CLOSING, confirm_open_steps="true").status_code == 303
    report = fresh(db_session, case.id)
    assert (report.status, report.outcome, report.rule_key, report.ladder_step) == ("closed", "sanctioned", "filming-others", 1)
    assert report.closed_at and report.feedback_at and report.first_response_at
    shown = text_of(browser.get(f"/cases/{case.id}", token=token).text)
    assert "Filming and photographing others, step 2:" in shown
    assert post(browser, token, case.id, "status", status="in_progress").status_code == 409
    assert post(browser, token, case.id, "reopen").status_code == 303
    report = fresh(db_session, case.id)
    assert report.status == "in_progress" and report.outcome is None and report.rule_key is None


@pytest.mark.parametrize("data", [
    {}, {"outcome": "won"}, {"outcome": "sanctioned", "rule": "no-such-rule:0"},
    {"outcome": "sanctioned", "rule": "filming-others:99"}, {"outcome": "sanctioned", "rule": "filming-others"},
    {"outcome": "sanctioned", "ladder_step": "1"}, {"outcome": "not_genuine"},
    {"outcome": "resolved"}, {"outcome": "resolved", "message": "   "},
])
def test_a_closing_that_does_not_validate_changes_nothing(browser, token, app, db_session, school_lms, data):
    case = make_case(app, school_lms.school_id)
    assert post(browser, token, case.id, "close", **data).status_code == 400
    assert fresh(db_session, case.id).status == "new"
    assert db_session.scalars(select(ReportMessage).where(ReportMessage.report_id == case.id)).all() == []


def test_a_report_marked_not_genuine_closes_without_unmasking_the_reporter(browser, token, app, db_session, school_lms):
    launch(browser.__class__(browser.tool_url), school_lms, "student2")
    case = make_case(app, school_lms.school_id, reporter_user_id=user_id(db_session, school_lms, "student2"))
    assert post(browser, token, case.id, "not-genuine", message=CLOSING).status_code == 400, "the box must be ticked"
    assert post(browser, token, case.id, "not-genuine", confirm="true").status_code == 400, "and a closing message"
    assert post(browser, token, case.id, "not-genuine", confirm="true", message=CLOSING).status_code == 303
    report = fresh(db_session, case.id)
    assert report.not_genuine and report.status == "closed" and report.outcome == "not_genuine"
    assert report.reporter_user_id is None and report.rule_key is None
    page = text_of(browser.get(f"/cases/{case.id}", token=token).text)
    assert "Not genuine" in page and "Daan" not in page
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.report_id == case.id)).all()
    assert "marked_not_genuine" in {e.action for e in events}
    assert user_id(db_session, school_lms, "student2") not in {e.actor_user_id for e in events}


def test_a_coordinator_enters_a_report_that_came_by_phone(browser, token, app, db_session, school_lms):
    form = browser.get("/cases/new", token=token)
    action, fields = form_of(form.text, "form.editor")
    bad = browser.post(action, data={**fields, "source": "phone", "category": "threats", "what_happened": "",
                                     "platform": "WhatsApp"})
    assert bad.status_code == 400 and "not saved" in bad.text and "WhatsApp" in bad.text
    resp = browser.post(action, data={**fields, "source": "phone", "category": "threats", "platform": "WhatsApp",
                                      "what_happened": "A parent called: threats in the class chat.",
                                      "link": "chat.whatsapp.com/abc", "affected": "no"})
    assert resp.status_code == 303, resp.text
    report = db_session.scalars(select(Report).where(Report.school_id == school_lms.school_id,
                                                     Report.source == "phone")).one()
    assert report.urgent and report.reporter_user_id is None and report.reporter_lookup is None
    assert report.reporter_is_affected is False
    page = text_of(browser.follow(resp).text)
    assert "A parent called: threats in the class chat." in page and "By phone" in page
    assert "Report entered by a coordinator" in page and "Fatima Yilmaz" in page
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.report_id == report.id,
                                                        AuditEvent.action == "report_entered")).one()
    assert event.actor_user_id == user_id(db_session, school_lms, "coordinator") and event.detail == "phone"
    assert report.reference in browser.get("/cases?category=threats", token=token).text


def test_a_coordinator_who_is_undesignated_loses_the_queue_at_once(browser, app, db_session, school_lms, codes):
    _, token = launch(browser, school_lms, "teacher")
    designate(db_session, school_lms, "teacher")
    assert browser.get("/cases", token=token).status_code == 200
    designate(db_session, school_lms, "teacher", False)
    assert browser.get("/cases", token=token).status_code == 403
