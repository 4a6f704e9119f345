"""A school of its own per test (the courses tests' fresh LMSs), its people launched, and the grant form posted as a browser does."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lti_tool.courses.models import SchoolMember
from lti_tool.demo.platform import LIS, DemoUser
from lti_tool.exceptions.models import PhoneException
from lti_tool.exceptions.queries import today
from tests.courses.conftest import course_of, fresh_lms, launch, make_lms, user_of  # noqa: F401  (fixtures)
from tests.support.browser import form_of

MENTOR = LIS + "membership#Mentor"


@pytest.fixture
def school(browser, fresh_lms, db_session):
    """A fresh school whose pupils, teacher and admin opened the tool, with a designated coordinator.

    Returns a namespace: lms, tokens by person, pupil ids by person, the course, a `day(n)` helper.
    """
    lms = fresh_lms
    lms.users["mentor"] = DemoUser("mentor", "mentor-sub-1", "Mila", "Mentor", [MENTOR])
    tokens = {person: launch(browser, lms, person)
              for person in ("student", "student2", "teacher", "coordinator", "admin", "mentor")}
    member = db_session.scalars(select(SchoolMember).where(
        SchoolMember.user_id == user_of(db_session, lms, "coordinator").id)).one()
    member.is_coordinator = True
    db_session.commit()
    tokens["coordinator"] = launch(browser, lms, "coordinator")  # a launch that knows the designation

    class School:
        pass
    found = School()
    found.lms, found.tokens, found.course = lms, tokens, course_of(db_session, lms)
    found.school_id = found.course.school_id
    found.ids = {person: user_of(db_session, lms, person).id for person in tokens}
    return found


def second_course(browser, school, db_session):
    """The same LMS's maths course: the pupil "student" takes it, taught by a maths teacher who is in no other.

    Returns (the course, the maths teacher's launch token).
    """
    from lti_tool.demo.platform import INSTRUCTOR
    lms = school.lms
    lms.users["maths"] = DemoUser("maths", "maths-sub-1", "Wim", "Wiskunde", [INSTRUCTOR])
    lms.course_id, lms.course_title, lms.course_label = "course-maths", "Wiskunde 2B", "WI-2B"
    launch(browser, lms, "student")
    token = launch(browser, lms, "maths")
    return course_of(db_session, lms), token


def day(n: int) -> str:
    """The school's date n days from today, as a date field sends it."""
    return (today() + timedelta(days=n)).isoformat()


def grant_form(browser, token, **fields):
    """Open the grant form and post it with these fields; return the answer."""
    page = browser.get("/exceptions/new", token=token)
    assert page.status_code == 200, page.text
    action, hidden = form_of(page.text, "form.editor")
    data = {**hidden, "kind": "medical", "starts_on": day(0), "ends_on": day(90), "note": "", **fields}
    return browser.post(action, data={key: value for key, value in data.items() if value is not None})


def count(db_session, school_id) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(PhoneException).where(
        PhoneException.school_id == school_id))


def exceptions_of(db_session, school_id) -> list[PhoneException]:
    db_session.expire_all()
    return list(db_session.scalars(select(PhoneException).where(PhoneException.school_id == school_id)
                                   .order_by(PhoneException.id)))
