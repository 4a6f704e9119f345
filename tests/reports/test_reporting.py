"""The reporter's whole path: the placement opens the form, a receipt, My reports, the thread, unread notices."""
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.reports import operations, queries
from lti_tool.reports.models import Report, ReportMessage
from tests.support.browser import form_of, text_of
from tests.support.pages import launch

from .helpers import reference_of, reports_of, send


def test_the_report_placement_opens_the_form_with_the_112_notice(browser, school_lms):
    page, token = launch(browser, school_lms, "student", link="report", locale="en")
    assert "/reports/new" in page.url and page.status_code == 200
    text = text_of(page.text)
    assert "Call 112" in text and "Report an incident" in text
    for label in ("Sexual or nude images", "A fight or humiliation video", "Cyberbullying or harassment",
                  "Threats", "Impersonation or a hacked account", "Private data shared", "Something else"):
        assert label in text
    form = browser.get("/reports/new?category=threats", token=token)
    assert "Call 112" in text_of(form.text) and "What happened?" in form.text
    assert 'type="file"' not in form.text and "multipart" not in form.text


def test_every_launched_page_links_to_reporting(browser, school_lms):
    page, token = launch(browser, school_lms, "student2", locale="en")
    assert "/reports/new?" in page.text and "/reports/mine?" in page.text
    code = browser.get("/code", token=token)
    assert "/reports/new?" in code.text and "/reports/mine?" in code.text
    start = browser.get("/?view=home", token=token)
    assert start.status_code == 200 and "/reports/mine?" in start.text


def test_a_student_reports_gets_a_receipt_follows_up_and_talks_with_the_coordinator(
        browser, school_lms, app, db_session):
    page, token = launch(browser, school_lms, "student3", link="report", locale="en")
    resp, sent = send(browser, token, "fight_video", spreading_now="yes",
                      holders="the class group chat 2B", identity="named")
    assert resp.status_code == 303, resp.text
    reference = reference_of(resp)
    assert reference.startswith("VO-") and len(reference) == 12
    receipt = browser.follow(resp)
    text = text_of(receipt.text)
    assert reference in text and "What happens next" in text and "marked urgent" in text
    [report] = reports_of(db_session, school_lms, "student3")
    assert report.reference == reference and report.urgent and report.spreading_now
    assert report.category == "fight_video" and report.reporter_user_id is not None
    assert report.identity == "named" and report.reporter_is_affected is True
    assert queries.details(report)["holders"] == "the class group chat 2B"

    mine = browser.get("/reports/mine", token=token)
    assert reference in mine.text and "Received" in text_of(mine.text)

    with app.app_context():
        stored = db.session.get(Report, report.id)
        operations.post_message(stored, ReportMessage.COORDINATOR, "Thank you. Can you come by tomorrow?",
                                author_user_id=None)
        db.session.commit()

    home = browser.get("/?view=home", token=token)
    assert "There is a new answer about your report" in text_of(home.text)
    listing = browser.get("/reports/mine", token=token)
    assert "1 new answer" in text_of(listing.text)

    detail = browser.get(f"/reports/{reference}", token=token)
    text = text_of(detail.text)
    assert "Thank you. Can you come by tomorrow?" in text and "Coordinator" in text and "New" in text
    assert "Someone keeps posting mean comments" in text
    home = browser.get("/?view=home", token=token)
    assert "new answer" not in text_of(home.text), "reading the report marks the answer read"

    action, fields = form_of(detail.text, "form[action*='/messages']")
    answer = browser.post(action, data={**fields, "body": "Yes, after the third hour."})
    assert answer.status_code == 303
    thread = browser.follow(answer)
    assert "Yes, after the third hour." in thread.text
    db_session.expire_all()
    messages = list(db_session.scalars(select(ReportMessage).where(ReportMessage.report_id == report.id)
                                       .order_by(ReportMessage.id)))
    assert [m.author_role for m in messages] == ["coordinator", "reporter"]
    assert messages[1].author_user_id is None, "a reporter's message never names them"
    assert all(m.read_by_reporter_at is not None for m in messages)
    assert messages[1].read_by_school_at is None


def test_a_teacher_reports_like_anyone_and_sees_only_their_own(browser, school_lms, db_session):
    _, student_token = launch(browser, school_lms, "student4", locale="en")
    resp, _ = send(browser, student_token, "threats")
    student_ref = reference_of(resp)
    teacher = type(browser)(browser.tool_url)
    _, token = launch(teacher, school_lms, "teacher", locale="en")
    resp, _ = send(teacher, token, "impersonation", identity="named")
    assert resp.status_code == 303
    own = reference_of(resp)
    mine = teacher.get("/reports/mine", token=token)
    assert own in mine.text and student_ref not in mine.text
    assert teacher.get(f"/reports/{student_ref}", token=token).status_code == 404
    assert teacher.get(f"/reports/{student_ref}/receipt", token=token).status_code == 404
