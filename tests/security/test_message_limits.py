"""A reporter's messages are limited per person and per case (counted in the database, page and API
alike, nothing lost on the page), and the coordinators get one content-free notice per case until
they have read it, not one per message."""
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from lti_tool.cases.models import MailMessage
from lti_tool.courses.models import SchoolMember, User
from lti_tool.reports.models import Report, ReportMessage
from tests.support.browser import Browser, form_of, text_of
from tests.support.pages import launch


@pytest.fixture(scope="module")
def people(school_lms):
    school_lms.add_students(8, prefix="msg")
    return school_lms


@pytest.fixture
def limits(app, monkeypatch):
    def set_limits(per_person: int = 100, per_case: int = 100):
        monkeypatch.setitem(app.config, "REPORT_MESSAGES_PER_10_MINUTES", per_person)
        monkeypatch.setitem(app.config, "REPORT_MESSAGES_PER_CASE_PER_HOUR", per_case)
    return set_limits


def _api(tool_url, token, method, path, **kw):
    return requests.request(method, f"{tool_url}/api/v1{path}", headers={"X-Launch-Token": token}, timeout=30, **kw)


def new_report(tool_url, token) -> str:
    """File a report through the API; return its reference."""
    submission = _api(tool_url, token, "get", "/me/reports/new").json()["submission"]
    created = _api(tool_url, token, "post", "/me/reports", json={
        "category": "cyberbullying", "what_happened": "Mean comments in the class group chat.",
        "identity": "pseudonymous", "spreading_now": False, "submission": submission})
    assert created.status_code == 201, created.text
    return created.json()["reference"]


def page_reply(browser, token, reference, body):
    page = browser.get(f"/reports/{reference}", token=token)
    action, fields = form_of(page.text, "form[action*='/messages']")
    fields.pop("lt", None)  # the launch token travels in the header, never in an address
    return browser.post(action.split("?", 1)[0], token=token, data={**fields, "body": body})


def test_a_reporter_writes_at_most_so_many_messages_in_10_minutes_on_the_page(
        tool_url, browser, people, limits, db_session):
    limits(per_person=3)
    _, token = launch(browser, people, "msg-0", locale="en")
    first, second = new_report(tool_url, token), new_report(tool_url, token)
    answers = [page_reply(browser, token, ref, f"Message {n}").status_code
               for n, ref in enumerate([first, first, second])]
    assert answers == [303, 303, 303]
    refused = page_reply(browser, token, second, "This text must not be lost.")
    assert refused.status_code == 429
    assert "3 messages in the last 10 minutes" in text_of(refused.text)
    assert "This text must not be lost." in refused.text, "the text comes back in the form"
    assert _count(db_session, ReportMessage, ReportMessage.body.is_not(None),
                  ReportMessage.report_id.in_(_ids(db_session, first, second))) == 3

    # Counted in the database by time: once the messages are older than 10 minutes, writing works again.
    for message in db_session.scalars(select(ReportMessage).where(
            ReportMessage.report_id.in_(_ids(db_session, first, second)))):
        message.created_at -= timedelta(minutes=11)
    db_session.commit()
    assert page_reply(browser, token, second, "Later on.").status_code == 303


def test_a_case_takes_at_most_so_many_reporter_messages_an_hour_through_the_api(
        tool_url, browser, people, limits):
    limits(per_case=2)
    _, token = launch(browser, people, "msg-1", locale="en")
    first, second = new_report(tool_url, token), new_report(tool_url, token)
    sent = [_api(tool_url, token, "post", f"/me/reports/{first}/messages", json={"body": f"Number {n}"}).status_code
            for n in range(2)]
    assert sent == [201, 201]
    refused = _api(tool_url, token, "post", f"/me/reports/{first}/messages", json={"body": "Number 3"})
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited" and "last hour" in refused.json()["message"]
    assert _api(tool_url, token, "post", f"/me/reports/{second}/messages", json={"body": "Other case"}).status_code == 201


def test_the_limit_speaks_the_readers_language(tool_url, browser, people, limits):
    limits(per_person=1)
    _, token = launch(browser, people, "msg-2", locale="nl")
    reference = new_report(tool_url, token)
    assert page_reply(browser, token, reference, "Eerste bericht").status_code == 303
    refused = page_reply(browser, token, reference, "Tweede bericht")
    assert refused.status_code == 429 and "1 berichten" in text_of(refused.text)
    api = _api(tool_url, token, "post", f"/me/reports/{reference}/messages", json={"body": "Derde"})
    assert api.status_code == 429 and "berichten" in api.json()["message"]


def test_coordinators_get_one_notice_per_case_until_they_have_read_it(app, tool_url, browser, people, limits,
                                                                      db_session):
    limits()
    coordinator = Browser(tool_url)
    launch(coordinator, people, "coordinator", locale="en")
    db_session.expire_all()
    member = db_session.scalars(select(SchoolMember).join(User).where(
        User.sub == people.users["coordinator"].sub, User.issuer == people.issuer)).one()
    member.is_coordinator = True
    db_session.commit()
    _, token = launch(browser, people, "msg-3", locale="en")
    reference = new_report(tool_url, token)
    before = _notices(db_session, people.school_id)
    for n in range(5):
        assert _api(tool_url, token, "post", f"/me/reports/{reference}/messages",
                    json={"body": f"More {n}"}).status_code == 201
    assert _notices(db_session, people.school_id) == before + 1, "one notice for five messages"
    notice = db_session.scalars(select(MailMessage).where(MailMessage.school_id == people.school_id)
                                .order_by(MailMessage.id.desc())).first()
    assert "More" not in notice.body and reference not in notice.body and reference not in notice.subject

    with app.test_request_context():
        from lti_tool.cases import operations as cases
        from lti_tool.cases.operations import Actor
        report = db_session.scalars(select(Report).where(Report.reference == reference)).one()
        cases.view(report, Actor(school_id=people.school_id, user_id=member.user_id))
        db_session.commit()
    assert _api(tool_url, token, "post", f"/me/reports/{reference}/messages", json={"body": "After"}).status_code == 201
    assert _notices(db_session, people.school_id) == before + 2, "a new notice once the case was read"


def _notices(db_session, school_id: int) -> int:
    """Notices about reporter messages queued for the school (one per coordinator address)."""
    db_session.expire_all()
    return _count(db_session, MailMessage, MailMessage.school_id == school_id,
                  MailMessage.body.like("%reporter has written%") | MailMessage.body.like("%melder heeft%"))


def _count(db_session, model, *criteria) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model).where(*criteria))


def _ids(db_session, *references) -> list[int]:
    return list(db_session.scalars(select(Report.id).where(Report.reference.in_(references))))
