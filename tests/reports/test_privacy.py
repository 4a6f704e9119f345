"""A pseudonymous report: no reporter id, no plain text anywhere in the database; the school never learns who."""
import pytest
from sqlalchemy import select

from lti_tool.courses.models import SchoolMember
from lti_tool.reports import queries
from tests.support.pages import launch

from .helpers import reference_of, reports_of, send, user_id

PHRASES = {
    "what_happened": "Zebra-violet-quartz rumour about Lotte in the canteen",
    "platform": "Quokkagram",
    "link": "https://quokkagram.example/p/zz-unique-77/",
    "handle": "@marmalade_otter_991",
    "when": "last Thursday around nine-ish pm",
    "involved": "Pietje Puk and Jantje Secret",
    "holders": "the group chat feestje-quartz",
}
REPLY = "Walrus-saffron reply from the reporter"


@pytest.fixture(scope="module")
def coordinator(app, browser_factory, school_lms):
    """A coordinator with an e-mail address at this school, so that notifications are queued."""
    launch(browser_factory(), school_lms, "coordinator", locale="en")
    from lti_tool.extensions import db
    with app.app_context():
        uid = user_id(db.session, school_lms, "coordinator")
        member = db.session.scalars(select(SchoolMember).where(
            SchoolMember.school_id == school_lms.school_id, SchoolMember.user_id == uid)).one()
        member.is_coordinator = True
        db.session.commit()
    return uid


@pytest.fixture(scope="module")
def browser_factory(tool_url):
    from tests.support.browser import Browser
    return lambda: Browser(tool_url)


def _rows(sql, table: str):
    result = sql(f"SELECT * FROM {table}")
    return [dict(zip(result.keys(), row)) for row in result]


def _as_text(value) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("latin-1")
    return str(value)


def test_a_pseudonymous_report_stores_no_reporter_id_and_no_plain_text(
        browser, school_lms, coordinator, db_session, sql):
    _, token = launch(browser, school_lms, "student", locale="en")
    resp, _ = send(browser, token, "sexual_images", identity="pseudonymous", spreading_now="yes", **PHRASES)
    assert resp.status_code == 303, resp.text[:500]
    reference = reference_of(resp)
    show = browser.get(f"/reports/{reference}", token=token)
    from tests.support.browser import form_of
    action, fields = form_of(show.text, "form[action*='/messages']")
    assert browser.post(action, data={**fields, "body": REPLY}).status_code == 303

    [report] = reports_of(db_session, school_lms, "student")
    assert report.reporter_user_id is None and report.identity == "pseudonymous"
    assert report.pseudonym.split()[-1].isdigit() and report.reporter_lookup and report.reporter_link
    assert report.urgent, "sexual images are always urgent"
    assert queries.details(report)["handle"] == PHRASES["handle"], "the tool itself can read it back"

    uid = user_id(db_session, school_lms, "student")
    person = school_lms.users["student"]
    secrets_ = [*PHRASES.values(), REPLY, "Zebra-violet", "marmalade", person.name, person.email, person.sub]
    tables = ("reports", "report_messages", "audit_events", "mail_outbox", "case_notes")
    for table in tables:
        for row in _rows(sql, table):
            for column, value in row.items():
                stored = _as_text(value)
                for phrase in secrets_:
                    assert phrase not in stored, f"{phrase!r} in {table}.{column}"
    [raw] = [row for row in _rows(sql, "reports") if row["reference"] == reference]
    assert raw["reporter_user_id"] is None
    for row in _rows(sql, "report_messages"):
        if row["report_id"] == report.id:
            assert row["author_user_id"] is None
    for row in _rows(sql, "audit_events"):
        if row["report_id"] == report.id:
            assert row["actor_user_id"] != uid, "the audit log never names the reporter"
    mails = [row for row in _rows(sql, "mail_outbox") if row["school_id"] == school_lms.school_id]
    assert mails, "the coordinator is told there is something to look at"
    assert all(reference not in row["body"] and reference not in row["subject"] for row in mails)


def test_a_named_report_keeps_the_reporter_for_the_coordinators(browser, school_lms, db_session):
    _, token = launch(browser, school_lms, "student2", locale="en")
    resp, _ = send(browser, token, "private_data", identity="named")
    assert resp.status_code == 303
    [report] = reports_of(db_session, school_lms, "student2")
    assert report.reporter_user_id == user_id(db_session, school_lms, "student2")
    assert report.identity == "named" and not report.urgent


def test_the_pseudonym_is_random_per_report_and_in_the_schools_language(browser, school_lms, db_session):
    _, token = launch(browser, school_lms, "student3", locale="en")
    for n in range(2):
        assert send(browser, token, "other", what_happened=f"Item {n}")[0].status_code == 303
    first, second = reports_of(db_session, school_lms, "student3")
    assert first.pseudonym != second.pseudonym, "two reports are not linked by their pseudonym"
    dutch = type(browser)(browser.tool_url)
    _, nl_token = launch(dutch, school_lms, "student4", locale="nl")
    assert send(dutch, nl_token, "other")[0].status_code == 303
    [third] = reports_of(db_session, school_lms, "student4")
    assert third.pseudonym.split()[0] == first.pseudonym.split()[0], \
        "the school's language, never a hint of the reporter's own"
