"""The LMS down for AGS and NRPS: acknowledging still works and the score waits in the outbox; the
teacher's overview shows the members the tool knows and says the LMS could not be reached. With
the LMS back on the same address, the outbox worker (its own process) delivers the score and the
roster is read again."""
from sqlalchemy import select, update

from lti_tool.courses.models import Course
from lti_tool.db import utcnow
from lti_tool.extensions import db
from lti_tool.gradebook.models import Placement, ScoreDelivery
from lti_tool.platforms.models import School
from tests.support.browser import Browser, form_of, text_of
from tests.support.faults import lti_tool_command
from tests.support.pages import launch


def _past_the_code(browser, lms, key: str):
    """Launch in English; acknowledge the code when the tool asks first; return (page, launch token)."""
    page, token = launch(browser, lms, key, locale="en")
    if "/code/acknowledge" in page.text:
        action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
        assert browser.post(action, data={**fields, "confirm": "true"}).status_code == 303
    return page, token


def _outbox(app, school_id: int) -> list[tuple[str, int, str | None]]:
    with app.app_context():
        try:
            return [tuple(row) for row in db.session.execute(
                select(ScoreDelivery.status, ScoreDelivery.attempts, ScoreDelivery.last_error)
                .where(ScoreDelivery.school_id == school_id).order_by(ScoreDelivery.id))]
        finally:
            db.session.remove()


def _course_id(app, lms) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(Course.id).join(School).where(
                School.name == lms.school_name, Course.context_id == lms.course_id))
        finally:
            db.session.remove()


def test_with_the_lms_down_scores_wait_in_the_outbox_and_the_overview_shows_who_it_knows(app, production):
    lms, school = production.lms.lms, production.lms.school_id
    teacher = Browser(production.url)
    _, teacher_token = _past_the_code(teacher, lms, "teacher")
    student = Browser(production.url)
    page, _ = launch(student, lms, "student3", locale="en")
    action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
    overview = f"/school/courses/{_course_id(app, lms)}/overview?lt={teacher_token}"

    production.lms.stop()
    try:
        done = student.post(action, data={**fields, "confirm": "true"})
        assert done.status_code == 303, "acknowledging never waits for the LMS"
        assert [status for status, *_ in _outbox(app, school)] == ["pending"]

        page = teacher.get(overview)
        assert page.status_code == 200
        text = text_of(page.text)
        assert "Noor El Amrani" in text and "Mark Bakker" in text
        assert "Daan Jansen" not in text  # only the roster knows him
        assert "Showing the members the tool knows." in text and "the LMS could not be reached" in text

        tried = lti_tool_command(production.env, "outbox", "deliver", "--once")
        assert tried.returncode == 0, tried.stderr
        [(status, attempts, error)] = _outbox(app, school)
        assert (status, attempts) == ("pending", 1) and "connect" in error, "kept, to be tried again"
    finally:
        production.lms.start()  # back, on the same address

    with app.app_context():  # let the backoff pass
        db.session.execute(update(ScoreDelivery).where(ScoreDelivery.school_id == school)
                           .values(next_attempt_at=utcnow()))
        db.session.commit()
    delivered = lti_tool_command(production.env, "outbox", "deliver", "--once")
    assert delivered.returncode == 0 and "1 delivered" in delivered.stdout, delivered.stdout + delivered.stderr
    assert [status for status, *_ in _outbox(app, school)] == ["delivered"]
    with app.app_context():
        line_item = db.session.scalar(select(Placement.lineitem_url).where(Placement.school_id == school))
        db.session.remove()
    score = lms.scores[line_item.rsplit("/", 1)[1]][lms.users["student3"].sub]
    assert (score["scoreGiven"], score["activityProgress"]) == (1, "Completed")

    form_action, form_fields = form_of(teacher.get(overview).text, "form[method=post]")
    refreshed = teacher.follow(teacher.post(form_action, data=form_fields))
    assert refreshed.status_code == 200
    text = text_of(refreshed.text)
    assert "Daan Jansen" in text and "could not be reached" not in text
