"""Each role's start page shows its figures at a glance: a teacher their course's progress, a school
admin the school's, a coordinator what waits; a student none; never a name, never another school's."""
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from lti_tool.db import utcnow
from lti_tool.reports.models import ReportMessage
from tests.cases.conftest import designate, launch, make_case
from tests.support.browser import Browser


def _tiles(html: str) -> dict:
    soup = BeautifulSoup(html, "html.parser")
    return {t.select_one(".tile-label").text.strip(): t.select_one(".tile-n").text.strip()
            for t in soup.select("ul.glance li.tile")}


@pytest.fixture(scope="module")
def school(app, school_lms, tool_url):
    """A school without a published code (nobody is sent to it first) and four open cases."""
    for key in ("coordinator", "student", "teacher", "admin"):
        launch(Browser(tool_url), school_lms, key)
    from lti_tool.extensions import db
    with app.app_context():
        designate(db.session, school_lms, "coordinator")
    sid = school_lms.school_id
    old = utcnow() - timedelta(days=10)
    make_case(app, sid, category="cyberbullying")                        # new
    make_case(app, sid, category="threats")                              # new and urgent
    make_case(app, sid, category="other", status="in_progress", created_at=old, received_at=old,
              first_response_at=old + timedelta(hours=1))               # past the 7 days to acknowledge
    answered = make_case(app, sid, category="other", status="in_progress", first_response_at=utcnow(),
                         reporter_acknowledged_at=utcnow())
    with app.app_context():
        from lti_tool.reports.operations import post_message
        from lti_tool.reports.models import Report
        post_message(db.session.get(Report, answered.id), ReportMessage.REPORTER, "It started again.")
        db.session.commit()


def test_the_coordinator_sees_what_waits(browser, school_lms, school):
    page, _ = launch(browser, school_lms, "coordinator")
    tiles = _tiles(page.text)
    assert tiles["new, not yet picked up"] == "2"
    assert tiles["urgent and open"] == "1"
    assert tiles["past a deadline"] == "1", "ten days without acknowledging the reporter (the threat has its hour)"
    assert tiles["with an unread message from the reporter"] == "1"
    assert "It started again" not in page.text


def test_the_school_admin_sees_the_schools_progress(browser, school_lms, school):
    page, _ = launch(browser, school_lms, "admin")
    tiles = _tiles(page.text)
    assert "students of the school acknowledged the code" in tiles
    done, total = tiles["students of the school acknowledged the code"].split(" of ")
    assert int(total) >= 1 and int(done) <= int(total)
    assert "urgent and open" not in tiles, "a school admin who is no coordinator sees no queue"


def test_the_teacher_sees_their_courses_progress_and_a_student_sees_no_figures(browser, school_lms, school):
    page, _ = launch(browser, school_lms, "teacher")
    assert "students in this course acknowledged the code" in _tiles(page.text)
    assert "urgent and open" not in _tiles(page.text)
    page, _ = launch(Browser(browser.tool_url), school_lms, "student")
    assert _tiles(page.text) == {}


def test_another_schools_coordinator_counts_only_their_own(browser, db_session, other_lms, school):
    _, token = launch(browser, other_lms, "coordinator")
    designate(db_session, other_lms, "coordinator")
    page = browser.get("/", token=token)
    from sqlalchemy import func, select
    from lti_tool.reports.models import Report
    theirs = db_session.scalar(select(func.count()).select_from(Report).where(
        Report.school_id == other_lms.school_id, Report.status == "new"))
    assert _tiles(page.text)["new, not yet picked up"] == str(theirs)
