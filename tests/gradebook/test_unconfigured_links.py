"""A link added to a course without "Select content" carries no custom parameter: the tool asks its
teacher once what it opens instead of making a gradebook column by itself; pupils meanwhile see a
calm start page; the answer holds for everyone in the course, and only for that link."""
import secrets

import pytest
from sqlalchemy import func, select

from lti_tool.cases.models import AuditEvent
from lti_tool.demo.platform import ResourceLink
from lti_tool.gradebook.models import Placement
from lti_tool.lti.models import LinkPurpose
from tests.support.browser import Browser, form_of, text_of
from tests.support.pages import launch, publish_defaults

TAG = "veilig-online-code"


@pytest.fixture
def plain(gb_lms):
    """A link a teacher added in a new course without choosing content (what Moodle then sends)."""
    link_id = "plain-" + secrets.token_hex(4)
    gb_lms.course_id = "course-" + link_id
    gb_lms.links[link_id] = ResourceLink(link_id, "Veilig Online", {})
    return link_id


def _placements(db_session, lms) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(Placement).where(
        Placement.school_id == lms.school_id, Placement.resource_link_id.like("plain-%"),
        Placement.course_id.in_(select(Placement.course_id).where(Placement.resource_link_id.like("plain-%")))))


def _purpose(db_session, lms, link) -> LinkPurpose | None:
    db_session.expire_all()
    return db_session.scalars(select(LinkPurpose).where(
        LinkPurpose.platform_id == lms.platform_id, LinkPurpose.resource_link_id == link)).first()


def _columns(lms) -> list[dict]:
    return [item for item in lms.find_line_items({}, lms.course_id) if item.get("tag") == TAG]


def _choose(browser, page, purpose: str):
    action, fields = form_of(page.text, "form[action*='/link']")
    return browser.post(action, data={**fields, "purpose": purpose})


def test_the_teacher_is_asked_what_the_link_opens_and_no_column_is_made(browser, gb_lms, plain, db_session, deliver):
    page, _ = launch(browser, gb_lms, "teacher", link=plain)
    assert page.status_code == 200 and "/link" in page.url
    text = text_of(page.text)
    assert "Waarvoor is deze link?" in text and "De gedragscode" in text and "De meldknop" in text
    deliver()
    assert _purpose(db_session, gb_lms, plain) is None
    assert db_session.scalars(select(Placement).where(Placement.resource_link_id == plain)).first() is None
    assert _columns(gb_lms) == []


def test_a_pupil_on_an_unset_link_sees_a_calm_start_page_and_cannot_choose(browser, gb_lms, plain, db_session):
    page, token = launch(browser, gb_lms, "student", link=plain)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Je docent heeft nog niet ingesteld wat deze link opent." in text
    assert "Meld een incident" in text and "Waarvoor is deze link?" not in text
    assert browser.get("/link", token=token).status_code == 403
    refused = browser.post("/link", token=token, data={"purpose": "report"})
    assert refused.status_code in (400, 403)
    assert _purpose(db_session, gb_lms, plain) is None


def test_choosing_the_code_makes_one_column_and_every_launch_opens_the_code(
        app, browser, gb_lms, plain, db_session, deliver):
    publish_defaults(app, gb_lms.school_id, audiences=("student",),
                     edit=lambda content, audience: {**content, "questions": []})
    page, _ = launch(browser, gb_lms, "teacher", link=plain)
    done = _choose(browser, page, "code")
    assert done.status_code == 303
    stored = _purpose(db_session, gb_lms, plain)
    teacher = db_session.scalars(select(AuditEvent).where(
        AuditEvent.school_id == gb_lms.school_id, AuditEvent.action == "link_purpose_set")
        .order_by(AuditEvent.id.desc())).first()
    assert (stored.purpose, stored.school_id, teacher.detail) == ("code", gb_lms.school_id, "code")
    assert stored.chosen_by_id == teacher.actor_user_id
    deliver()
    assert len(_columns(gb_lms)) == 1
    # A second hand-made link in the same course, also said to be the code: still one column.
    second = "plain-" + secrets.token_hex(4)
    gb_lms.links[second] = ResourceLink(second, "Gedragscode (2)", {})
    _choose(browser, launch(browser, gb_lms, "teacher", link=second)[0], "code")
    deliver()
    assert len(_columns(gb_lms)) == 1
    # A pupil opening the link now reads the code (the gate), nobody is asked again.
    pupil = Browser(browser.tool_url)
    page, _ = launch(pupil, gb_lms, "student2", link=plain)
    assert "/code" in page.url and "Waarvoor is deze link?" not in page.text


def test_choosing_the_report_button_sends_pupils_to_the_report_form_without_a_column(
        browser, gb_lms, plain, db_session, deliver):
    page, _ = launch(browser, gb_lms, "teacher", link=plain)
    assert _choose(browser, page, "report").status_code == 303
    pupil = Browser(browser.tool_url)
    page, _ = launch(pupil, gb_lms, "student", link=plain)
    assert "/reports/new" in page.url
    deliver()
    assert db_session.scalars(select(Placement).where(Placement.resource_link_id == plain)).first() is None
    assert _columns(gb_lms) == []


@pytest.mark.parametrize("sent", [{}, {"purpose": ""}, {"purpose": "grade"}, {"purpose": "CODE"},
                                  {"purpose": "code' OR 1=1"}, {"purpose": "x" * 10_000}])
def test_a_choice_that_is_not_one_of_the_two_is_a_400_in_dutch_and_stores_nothing(
        browser, gb_lms, plain, db_session, sent):
    page, _ = launch(browser, gb_lms, "teacher", link=plain)
    action, fields = form_of(page.text, "form[action*='/link']")
    answer = browser.post(action, data={**fields, **sent})
    assert answer.status_code == 400
    assert "Kies waarvoor deze link is." in text_of(answer.text)
    assert _purpose(db_session, gb_lms, plain) is None


def test_the_answer_holds_for_that_link_of_that_lms_only(browser, gb_lms, gb_other_lms, plain, db_session):
    page, _ = launch(browser, gb_lms, "teacher", link=plain)
    _choose(browser, page, "report")
    # The school next door has a link with the same id: its teacher is still asked.
    gb_other_lms.links[plain] = ResourceLink(plain, "Veilig Online", {})
    other = Browser(browser.tool_url)
    page, _ = launch(other, gb_other_lms, "teacher", link=plain)
    assert "Waarvoor is deze link?" in text_of(page.text)
    assert _purpose(db_session, gb_other_lms, plain) is None


def test_a_link_placed_by_deep_linking_is_never_asked_about(browser, gb_lms, db_session):
    page, _ = launch(browser, gb_lms, "teacher", link="report")
    assert "/reports/new" in page.url and "Waarvoor is deze link?" not in page.text
