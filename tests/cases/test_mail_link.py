"""The coordinators' e-mail leads to the queue: it names the school's LMS, and its link (no token, no
case) asks to open the tool from the LMS, after which a coordinator's launch lands on the queue."""
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from lti_tool.cases.models import MailMessage
from tests.cases.conftest import designate, launch
from tests.cases.people import drop_mail
from tests.reports.helpers import send
from tests.support.browser import Browser, text_of
from tests.support.pages import launch as launch_in


@pytest.fixture(scope="module")
def coordinator(app, school_lms, tool_url):
    own = Browser(tool_url)
    launch(own, school_lms, "coordinator")
    from lti_tool.extensions import db
    with app.app_context():
        designate(db.session, school_lms, "coordinator")
    yield own
    drop_mail(app, school_lms.school_id)


def _notice(db_session, school_lms, address) -> MailMessage:
    db_session.expire_all()
    return db_session.scalars(select(MailMessage).where(MailMessage.school_id == school_lms.school_id,
                                                        MailMessage.to_address == address)
                              .order_by(MailMessage.id.desc())).first()


def test_the_email_names_the_lms_and_links_to_the_queue_page_without_a_token(browser, db_session, school_lms,
                                                                             coordinator, tool_url):
    _, student = launch(browser, school_lms, "student")
    send(browser, student, "threats", identity="named")
    row = _notice(db_session, school_lms, school_lms.users["coordinator"].email)
    assert row is not None
    assert f"{tool_url}/cases/from-mail" in row.body
    assert school_lms.issuer in row.body, "where to go: the school's LMS"
    assert "“Wachtrij met zaken”" in row.body, "what to choose there, in the school's language"
    assert "lt=" not in row.body and "ls=" not in row.body and "/cases/" + "1" not in row.body.replace(
        "/cases/from-mail", "")


def test_the_link_opened_without_a_launch_asks_to_open_the_tool_from_the_lms_in_dutch(tool_url):
    stranger = Browser(tool_url)
    resp = stranger.get("/cases/from-mail", headers={"Accept-Language": "nl"})
    assert resp.status_code == 200
    body = text_of(resp.text)
    assert "Open Veilig Online vanuit je leeromgeving" in body and "wachtrij" in body
    assert resp.headers["Cache-Control"] == "no-store"
    cookie = next(c for c in stranger.http.cookies if c.name == "vo_after_launch")
    assert cookie.value == "queue", "a word, no token, no case"


def test_after_the_link_a_coordinators_launch_lands_on_the_queue_once(school_lms, coordinator, tool_url):
    own = Browser(tool_url)
    own.get("/cases/from-mail")
    page, token = launch_in(own, school_lms, "coordinator")
    assert urlsplit(page.url).path == "/cases", "the launch went on to the queue"
    assert not any(c.name == "vo_after_launch" for c in own.http.cookies), "used once"
    again, _ = launch_in(own, school_lms, "coordinator")
    assert urlsplit(again.url).path != "/cases"


@pytest.mark.parametrize("key", ["student", "teacher"])
def test_the_link_leads_nobody_else_to_the_queue(school_lms, coordinator, tool_url, key):
    own = Browser(tool_url)
    own.get("/cases/from-mail")
    page, token = launch_in(own, school_lms, key)
    assert urlsplit(page.url).path != "/cases" and "Wachtrij met zaken" not in text_of(page.text)
    resp = own.get("/cases/from-mail", token=token)
    assert resp.status_code == 200 and "coördinatoren van de school" in text_of(resp.text)


def test_only_the_coordinators_notices_lead_to_the_queue_other_mail_to_the_tool(app, monkeypatch):
    from lti_tool.cases import notifications
    monkeypatch.setitem(app.config, "TOOL_URL", "https://vo.example.org/")
    with app.app_context():
        assert notifications.queue_link() == "https://vo.example.org/cases/from-mail"
        assert notifications.tool_link() == "https://vo.example.org/", "a teacher's digest opens the tool itself"
