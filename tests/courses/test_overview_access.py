"""Who sees which overview: teachers their own courses, school admins their school, nobody another school.

Each refusal is tried on the page, the CSV export, the refresh button and the API alike.
"""
import pytest
from sqlalchemy import func, select

from lti_tool.courses.models import Course
from lti_tool.demo.platform import LEARNER
from tests.courses.conftest import course_member, course_of, launch
from tests.support.browser import form_of, text_of


def _csrf(browser, token, course_id):
    """A valid CSRF token of this browser's session, from a course overview the user may open, so
    that a refusal below is the role check's and not the CSRF check's."""
    page = browser.get(f"/school/courses/{course_id}/overview", token=token)
    assert page.status_code == 200
    return form_of(page.text, "form[method=post]")[1]["csrf_token"]


def _statuses(browser, token, course_id, csrf="none"):
    """The answers to the page, the CSV, the refresh button and the two API calls for one course."""
    return [
        browser.get(f"/school/courses/{course_id}/overview", token=token).status_code,
        browser.get(f"/school/courses/{course_id}/overview.csv", token=token).status_code,
        browser.post(f"/school/courses/{course_id}/roster", token=token,
                     data={"csrf_token": csrf, "lt": token}).status_code,
        browser.get(f"/api/v1/courses/{course_id}/overview", headers={"X-Launch-Token": token}).status_code,
        browser.get(f"/api/v1/courses/{course_id}/overview.csv", headers={"X-Launch-Token": token}).status_code,
    ]


def _unknown_course_id(db_session) -> int:
    return (db_session.scalar(select(func.max(Course.id))) or 0) + 1000


def test_a_student_opens_no_overview(browser, fresh_lms, db_session):
    teacher = launch(browser, fresh_lms, "teacher")
    course = course_of(db_session, fresh_lms)
    csrf = _csrf(browser, teacher, course.id)  # the same browser, so the same session
    token = launch(browser, fresh_lms, "student")
    assert _statuses(browser, token, course.id, csrf) == [403, 403, 403, 403, 403]
    assert browser.get("/school/overview", token=token).status_code == 403
    page = browser.get(f"/school/courses/{course.id}/overview", token=token)
    assert "Sanne de Vries" not in page.text.split("</header>")[1]  # only the header names her


def test_a_teacher_sees_only_courses_where_they_are_staff(browser, make_lms, db_session):
    mine = make_lms()
    theirs = make_lms(school=mine.school_name, course_id="course-3c")
    launch(browser, theirs, "teacher")
    their_course = course_of(db_session, theirs)
    token = launch(browser, mine, "teacher")
    csrf = _csrf(browser, token, course_of(db_session, mine).id)
    # Same school, not their course: refused, and it says why.
    assert _statuses(browser, token, their_course.id, csrf) == [403, 403, 403, 403, 403]
    page = browser.get(f"/school/courses/{their_course.id}/overview", token=token)
    assert "Only the teachers of this course" in text_of(page.text)
    assert theirs.users["student"].name not in page.text


def test_a_course_id_larger_than_any_row_is_not_found(browser, fresh_lms, db_session):
    token = launch(browser, fresh_lms, "admin")
    csrf = _csrf(browser, token, course_of(db_session, fresh_lms).id)
    for huge in (2**31, 2**64, 10**30):
        assert _statuses(browser, token, huge, csrf) == [404, 404, 404, 404, 404]
    api = browser.get(f"/api/v1/courses/{2**64}/overview", headers={"X-Launch-Token": token})
    assert api.json()["message"]


def test_a_teacher_is_no_school_admin(browser, fresh_lms):
    token = launch(browser, fresh_lms, "teacher")
    assert browser.get("/school/overview", token=token).status_code == 403


def test_another_schools_course_looks_exactly_like_a_made_up_id(browser, fresh_lms, make_lms, db_session):
    launch(browser, fresh_lms, "teacher")
    their_course = course_of(db_session, fresh_lms)
    elsewhere = make_lms()
    for user_key in ("teacher", "admin"):
        token = launch(browser, elsewhere, user_key)
        csrf = _csrf(browser, token, course_of(db_session, elsewhere).id)
        guessed = _statuses(browser, token, their_course.id, csrf)
        made_up = _statuses(browser, token, _unknown_course_id(db_session), csrf)
        assert guessed == made_up == [404, 404, 404, 404, 404]
        page = browser.get(f"/school/courses/{their_course.id}/overview", token=token)
        unknown = browser.get(f"/school/courses/{_unknown_course_id(db_session)}/overview", token=token)
        assert text_of(page.text) == text_of(unknown.text)
        api = browser.get(f"/api/v1/courses/{their_course.id}/overview", headers={"X-Launch-Token": token})
        assert api.json() == {"error": "not_found", "message": "No such course at this school."}


def test_another_schools_admin_sees_nothing_of_this_school(browser, fresh_lms, make_lms, db_session):
    teacher = launch(browser, fresh_lms, "teacher")
    browser.get(f"/school/courses/{course_of(db_session, fresh_lms).id}/overview", token=teacher)
    elsewhere = make_lms()
    elsewhere.course_title = "Elsewhere 1A"
    token = launch(browser, elsewhere, "admin")
    page = browser.get("/school/overview", token=token)
    assert page.status_code == 200
    assert "Elsewhere 1A" in page.text and "2B Mentoruur" not in page.text


def test_without_a_launch_every_overview_asks_for_one(browser, fresh_lms, db_session):
    launch(browser, fresh_lms, "teacher")
    course = course_of(db_session, fresh_lms)
    anonymous = type(browser)(browser.tool_url)
    assert anonymous.get(f"/school/courses/{course.id}/overview").status_code == 401
    assert anonymous.get(f"/school/courses/{course.id}/overview.csv").status_code == 401
    assert anonymous.get("/school/overview").status_code == 401
    assert anonymous.get(f"/api/v1/courses/{course.id}/overview").status_code == 401
    forged = anonymous.get(f"/school/courses/{course.id}/overview?lt=forged.token.value")
    assert forged.status_code == 401


def test_the_api_takes_the_launch_from_the_header_not_the_cookie(browser, fresh_lms, db_session):
    launch(browser, fresh_lms, "teacher")  # the browser now holds the teacher's session cookie
    course = course_of(db_session, fresh_lms)
    assert browser.get(f"/api/v1/courses/{course.id}/overview").status_code == 401


def test_a_teacher_the_lms_made_a_learner_loses_the_overview(browser, fresh_lms, db_session):
    token = launch(browser, fresh_lms, "teacher")
    course = course_of(db_session, fresh_lms)
    page = browser.get(f"/school/courses/{course.id}/overview", token=token)
    action, fields = form_of(page.text, "form[method=post]")
    fresh_lms.users["teacher"].roles = [LEARNER]
    browser.post(action, data=fields)
    db_session.expire_all()
    assert course_member(db_session, fresh_lms, "teacher").role == "student"
    assert browser.get(f"/school/courses/{course.id}/overview", token=token).status_code == 403


def test_a_teacher_the_lms_removed_from_the_course_loses_the_overview(browser, fresh_lms, db_session):
    token = launch(browser, fresh_lms, "teacher")
    course = course_of(db_session, fresh_lms)
    page = browser.get(f"/school/courses/{course.id}/overview", token=token)
    action, fields = form_of(page.text, "form[method=post]")
    fresh_lms.users["teacher"].in_course = False
    browser.post(action, data=fields)
    assert browser.get(f"/school/courses/{course.id}/overview", token=token).status_code == 403
    # A new launch from the course is newer proof than the roster that missed them.
    fresh_lms.users["teacher"].in_course = True
    token = launch(browser, fresh_lms, "teacher")
    assert browser.get(f"/school/courses/{course.id}/overview", token=token).status_code == 200


@pytest.mark.parametrize("query", ["?role=teacher", "?status=all", "?role=student&status=ok"])
def test_bad_filters_are_refused_by_the_api_too(browser, fresh_lms, db_session, query):
    token = launch(browser, fresh_lms, "teacher")
    course = course_of(db_session, fresh_lms)
    resp = browser.get(f"/api/v1/courses/{course.id}/overview{query}", headers={"X-Launch-Token": token})
    assert resp.status_code == 400 and resp.json()["error"] == "invalid"
