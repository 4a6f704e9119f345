"""The demo, clicked through over its own LMS: the admin starts a new school year today, everyone is
asked again, and a pupil who joins afterwards gets their own due date."""
from datetime import timedelta

from babel.dates import format_date
from sqlalchemy import select

from lti_tool.courses.models import Course
from lti_tool.extensions import db

from lti_tool.schoolcalendar.queries import local_today
from tests.demo.test_demo import _acknowledge, _launch_from_course_page, demo  # noqa: F401  (fixture)
from tests.support.browser import Browser, form_of, launch_token_of, text_of


def test_the_admin_starts_a_new_school_year_and_a_newcomer_gets_their_own_due_date(demo):
    demo_app, url = demo
    pupil = Browser(url)
    page = _launch_from_course_page(pupil, url, "student")
    if "/code/acknowledge" in page.text:
        page = _acknowledge(pupil, page)
    assert "Jouw rol" in page.text

    admin = Browser(url)
    home = _launch_from_course_page(admin, url, "admin")
    assert "Schooljaar" in text_of(home.text)
    with demo_app.app_context():
        today = local_today()
    settings = admin.get(url + "/school/year", token=launch_token_of(home.text))
    action, fields = form_of(settings.text, "form.editor")
    saved = admin.follow(admin.post(action, data={**fields, "first_day": today.isoformat(), "yearly": "on",
                                                  "newcomer_days": "14"}))
    assert "De instellingen van het schooljaar zijn opgeslagen." in saved.text
    assert f"Het huidige schooljaar is begonnen op {format_date(today, 'long', locale='nl')}" in text_of(saved.text)

    again = _launch_from_course_page(Browser(url), url, "student")
    assert "Er is een nieuw schooljaar begonnen" in again.text, "last year's acknowledgement no longer counts"
    due = format_date(today + timedelta(days=14), "long", locale="nl")
    assert f"Bevestig uiterlijk {due}." in text_of(again.text)

    joiner = Browser(url)
    assert joiner.post(url + "/demo/join", allow_redirects=False).status_code == 303
    newcomer = max(k for k in demo_app.extensions["demo_lms"].users if k.startswith("newcomer-"))
    code = _launch_from_course_page(joiner, url, newcomer)
    assert f"Bevestig uiterlijk {due}." in text_of(code.text), "14 days from when the tool first saw them"

    teacher = Browser(url)
    page = _launch_from_course_page(teacher, url, "teacher")
    if "/code/acknowledge" in page.text:
        page = _acknowledge(teacher, page)
    token = launch_token_of(page.text)
    with demo_app.app_context():  # the course of this demo's school (other modules' demos have their own)
        from lti_tool.lti.models import LaunchSession
        school_id = db.session.scalars(select(LaunchSession.school_id).order_by(LaunchSession.created_at.desc())
                                       .limit(1)).first()
        course_id = db.session.scalars(select(Course.id).where(
            Course.context_id == demo_app.extensions["demo_lms"].course_id, Course.school_id == school_id)).first()
    overview = text_of(teacher.get(f"{url}/school/courses/{course_id}/overview", token=token).text)
    assert "nieuw dit schooljaar" in overview
