"""The roster (NRPS): every page is read, people are stored in bulk, and a failing LMS loses nothing."""
from urllib.parse import urlencode

import pytest
from sqlalchemy import event, select

from lti_tool.courses import roster
from lti_tool.courses.models import INACTIVE, CourseMember, RosterSync, SchoolMember
from lti_tool.demo.platform import LEARNER, INSTRUCTOR, ServiceError
from lti_tool.extensions import db
from lti_tool.security import SCHOOL_ADMIN, STAFF, STUDENT
from tests.courses.conftest import course_member, course_of, launch, school_member, user_of
from tests.support.browser import text_of


def _overview(browser, db_session, lms, token, query=""):
    course = course_of(db_session, lms)
    return browser.get(f"/school/courses/{course.id}/overview?lt={token}{query}")


def _sync_record(db_session, lms) -> RosterSync:
    db_session.expire_all()
    return db_session.get(RosterSync, course_of(db_session, lms).id)


def _refresh(browser, db_session, lms, token):
    """Press the page's Refresh button (CSRF token and launch token included)."""
    from tests.support.browser import form_of
    page = _overview(browser, db_session, lms, token)
    action, fields = form_of(page.text, "form[method=post]")
    return browser.post(action, data=fields)


def test_a_launch_records_where_the_roster_lives_without_calling_the_lms(browser, fresh_lms, db_session):
    launch(browser, fresh_lms, "student")
    record = _sync_record(db_session, fresh_lms)
    assert record.memberships_url == fresh_lms.memberships_url
    assert record.attempted_at is None and record.status is None
    assert fresh_lms.token_requests == 0


def test_every_page_of_the_roster_is_read(browser, fresh_lms, db_session):
    fresh_lms.nrps_page_size = 3
    fresh_lms.add_students(10)
    token = launch(browser, fresh_lms, "teacher")
    page = _overview(browser, db_session, fresh_lms, token)
    assert page.status_code == 200
    names = [u.name for u in fresh_lms.users.values() if u.in_course]
    assert len(names) == 16
    for name in names:
        assert name in page.text
    record = _sync_record(db_session, fresh_lms)
    assert (record.status, record.member_count, record.message) == (RosterSync.OK, 16, None)


def test_one_token_serves_every_page_and_the_next_sync(browser, fresh_lms, db_session):
    fresh_lms.nrps_page_size = 2
    token = launch(browser, fresh_lms, "teacher")
    _overview(browser, db_session, fresh_lms, token)
    _refresh(browser, db_session, fresh_lms, token)
    assert fresh_lms.token_requests == 1


def test_people_who_never_opened_the_tool_are_stored_with_their_names(browser, fresh_lms, db_session):
    token = launch(browser, fresh_lms, "teacher")
    _overview(browser, db_session, fresh_lms, token)
    noor = user_of(db_session, fresh_lms, "student3")
    assert (noor.name, noor.email) == ("Noor El Amrani", fresh_lms.users["student3"].email)
    member = school_member(db_session, fresh_lms, "student3")
    assert (member.role, member.last_launch_at, member.is_coordinator) == (STUDENT, None, False)
    assert course_member(db_session, fresh_lms, "student3").lms_status == "Active"
    assert school_member(db_session, fresh_lms, "coordinator").role == STAFF


def test_members_absent_from_a_complete_roster_become_inactive_and_are_kept(browser, fresh_lms, db_session):
    token = launch(browser, fresh_lms, "teacher")
    _overview(browser, db_session, fresh_lms, token)
    fresh_lms.users["student3"].in_course = False
    _refresh(browser, db_session, fresh_lms, token)
    page = _overview(browser, db_session, fresh_lms, token)
    assert "Noor El Amrani" not in page.text and "Sanne de Vries" in page.text
    db_session.expire_all()
    assert course_member(db_session, fresh_lms, "student3").lms_status == INACTIVE
    assert user_of(db_session, fresh_lms, "student3").name == "Noor El Amrani"


def test_an_empty_complete_roster_ends_every_membership(browser, fresh_lms, db_session):
    launch(browser, fresh_lms, "student")
    token = launch(browser, fresh_lms, "admin")
    for person in fresh_lms.users.values():
        person.in_course = False
    page = _overview(browser, db_session, fresh_lms, token)
    assert "The tool knows no members of this course yet." in text_of(page.text)
    assert course_member(db_session, fresh_lms, "student").lms_status == INACTIVE
    assert _sync_record(db_session, fresh_lms).member_count == 0


def test_a_roster_that_stops_half_way_marks_nobody_inactive(browser, fresh_lms, db_session, monkeypatch):
    fresh_lms.nrps_page_size = 2
    token = launch(browser, fresh_lms, "teacher")
    _overview(browser, db_session, fresh_lms, token)
    fresh_lms.add_students(3)
    serve_page = fresh_lms.memberships_page

    def second_page_fails(page, limit, role):
        if page == 2:
            raise ServiceError(503, "the LMS is temporarily unavailable")
        return serve_page(page, limit, role)

    monkeypatch.setattr(fresh_lms, "memberships_page", second_page_fails)
    page = browser.follow(_refresh(browser, db_session, fresh_lms, token))
    assert "The LMS roster could not be read: the LMS answered with an error (HTTP 503)." in text_of(page.text)
    record = _sync_record(db_session, fresh_lms)
    assert (record.status, record.message) == (RosterSync.UNAVAILABLE, "http:503")
    statuses = {m.lms_status for m in db_session.scalars(
        select(CourseMember).where(CourseMember.course_id == record.course_id))}
    assert INACTIVE not in statuses


def test_when_the_lms_is_down_the_known_members_are_shown_with_a_notice(browser, fresh_lms, db_session):
    launch(browser, fresh_lms, "student")
    token = launch(browser, fresh_lms, "teacher")
    fresh_lms.fail_rate = 1.0
    page = _overview(browser, db_session, fresh_lms, token)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Sanne de Vries" in text and "Mark Bakker" in text
    assert "Daan Jansen" not in text  # only the roster knew him, and it could not be read
    assert "Showing the members the tool knows." in text
    assert "The LMS roster could not be read: the LMS did not give the tool access to the roster." in text
    record = _sync_record(db_session, fresh_lms)
    assert (record.status, record.message, record.synced_at) == (RosterSync.UNAVAILABLE, "token_refused", None)


def test_a_course_whose_lms_offers_no_roster_says_so(browser, fresh_lms, db_session):
    token = launch(browser, fresh_lms, "teacher")
    record = _sync_record(db_session, fresh_lms)
    record.memberships_url = None
    db_session.commit()
    page = _overview(browser, db_session, fresh_lms, token)
    assert page.status_code == 200
    assert "does not offer this course's roster" in text_of(page.text)
    assert "Mark Bakker" in page.text


def test_an_lms_that_cannot_be_reached_is_said_so(browser, fresh_lms, db_session):
    from tests.support.servers import reserve_port
    token = launch(browser, fresh_lms, "teacher")
    _overview(browser, db_session, fresh_lms, token)  # the token is cached now
    record = _sync_record(db_session, fresh_lms)
    record.memberships_url, record.attempted_at = f"http://127.0.0.1:{reserve_port()}/memberships", None
    db_session.commit()
    page = _overview(browser, db_session, fresh_lms, token)
    assert "the LMS could not be reached" in text_of(page.text)
    assert _sync_record(db_session, fresh_lms).message == "unreachable"


def test_a_slow_lms_is_given_up_on(app, browser, fresh_lms, db_session, monkeypatch):
    import time
    token = launch(browser, fresh_lms, "teacher")
    serve_page = fresh_lms.memberships_page

    def slow(page, limit, role):
        time.sleep(1.0)
        return serve_page(page, limit, role)

    monkeypatch.setattr(fresh_lms, "memberships_page", slow)
    monkeypatch.setitem(app.config, "LTI_HTTP_TIMEOUT", 0.3)
    page = _overview(browser, db_session, fresh_lms, token)
    assert page.status_code == 200 and "the LMS did not answer in time" in text_of(page.text)
    assert _sync_record(db_session, fresh_lms).message == "timeout"


@pytest.mark.parametrize("code", ["no_service", "unreachable", "timeout", "token_refused", "http:502", "loop",
                                  "too_many_pages", "too_many_members", "too_large", "not_a_roster",
                                  "other_course", "other_server"])
def test_every_roster_problem_has_words(app, code):
    from lti_tool.courses.labels import Words
    with app.test_request_context(headers={"Accept-Language": "en"}):
        words = Words.roster_problem(code)
    assert words != code and words.startswith(("the LMS", "a page"))


def test_a_recent_roster_is_not_read_again_on_opening_the_page(browser, fresh_lms, db_session):
    token = launch(browser, fresh_lms, "teacher")
    _overview(browser, db_session, fresh_lms, token)
    fresh_lms.add_students(1, prefix="late")
    page = _overview(browser, db_session, fresh_lms, token)
    assert "Leerling0 Demo" not in page.text
    refreshed = browser.follow(_refresh(browser, db_session, fresh_lms, token))
    assert refreshed.status_code == 200 and "Leerling0 Demo" in refreshed.text
    assert "The roster was read from the LMS: 7 members." in text_of(refreshed.text)


def test_a_stale_roster_is_read_again_on_opening_the_page(browser, fresh_lms, db_session):
    from datetime import timedelta
    token = launch(browser, fresh_lms, "teacher")
    _overview(browser, db_session, fresh_lms, token)
    fresh_lms.add_students(1, prefix="late")
    record = _sync_record(db_session, fresh_lms)
    record.attempted_at -= timedelta(seconds=roster.MAX_AGE_SECONDS + 1)
    db_session.commit()
    assert "Leerling0 Demo" in _overview(browser, db_session, fresh_lms, token).text


# --- roles: what a roster may and may not change ------------------------------------------------

def test_a_roster_never_lowers_the_school_role_a_launch_gave(browser, fresh_lms, db_session):
    launch(browser, fresh_lms, "coordinator")  # staff by launch
    admin_token = launch(browser, fresh_lms, "admin")
    fresh_lms.users["coordinator"].roles = [LEARNER]  # a learner in this course
    fresh_lms.users["admin"].in_course = True
    fresh_lms.users["admin"].roles = [INSTRUCTOR]  # the roster only knows course roles
    _overview(browser, db_session, fresh_lms, admin_token)
    assert school_member(db_session, fresh_lms, "coordinator").role == STAFF
    assert school_member(db_session, fresh_lms, "admin").role == SCHOOL_ADMIN
    # In the course itself the roster is the LMS's current word.
    assert course_member(db_session, fresh_lms, "coordinator").role == STUDENT


def test_a_roster_raises_a_guess_but_never_lowers_it(browser, fresh_lms, db_session):
    token = launch(browser, fresh_lms, "admin")
    fresh_lms.users["student3"].roles = [INSTRUCTOR]
    _overview(browser, db_session, fresh_lms, token)
    assert school_member(db_session, fresh_lms, "student3").role == STAFF
    fresh_lms.users["student3"].roles = [LEARNER]
    _refresh(browser, db_session, fresh_lms, token)
    db_session.expire_all()
    assert school_member(db_session, fresh_lms, "student3").role == STAFF
    assert course_member(db_session, fresh_lms, "student3").role == STUDENT


def test_a_roster_listing_someone_as_institution_admin_does_not_make_a_school_admin(fresh_lms, app, browser, db_session):
    from lti_tool.demo.platform import ADMIN
    token = launch(browser, fresh_lms, "teacher")
    fresh_lms.users["student2"].roles = [ADMIN, LEARNER]
    _overview(browser, db_session, fresh_lms, token)
    assert school_member(db_session, fresh_lms, "student2").role == STAFF
    assert course_member(db_session, fresh_lms, "student2").role == STAFF


# --- guards ---------------------------------------------------------------------------------------

def _serve_pages(lms, monkeypatch, next_url):
    serve_page = lms.memberships_page
    monkeypatch.setattr(lms, "memberships_page",
                        lambda page, limit, role: (serve_page(page, limit, role)[0], next_url(page)))


def test_roster_pages_that_run_in_a_circle_are_refused(browser, fresh_lms, db_session, monkeypatch):
    token = launch(browser, fresh_lms, "teacher")
    _serve_pages(fresh_lms, monkeypatch, lambda page: fresh_lms.memberships_url + "?" + urlencode(
        {"page": 2 if page == 1 else 1}))
    page = _overview(browser, db_session, fresh_lms, token)
    assert page.status_code == 200
    record = _sync_record(db_session, fresh_lms)
    assert (record.status, record.message) == (RosterSync.FAILED, "loop")


def test_the_token_never_follows_a_next_page_to_another_server(browser, fresh_lms, db_session, monkeypatch,
                                                                make_lms):
    elsewhere = make_lms()
    seen = []
    monkeypatch.setattr(elsewhere, "check_token", lambda authorization, *scopes: seen.append(authorization))
    token = launch(browser, fresh_lms, "teacher")
    _serve_pages(fresh_lms, monkeypatch, lambda page: elsewhere.memberships_url)
    _overview(browser, db_session, fresh_lms, token)
    record = _sync_record(db_session, fresh_lms)
    assert (record.status, record.message) == (RosterSync.FAILED, "other_server")
    assert seen == []


def test_a_roster_of_another_course_is_refused(browser, fresh_lms, db_session, monkeypatch):
    token = launch(browser, fresh_lms, "teacher")
    serve_page = fresh_lms.memberships_page

    def other_course(page, limit, role):
        body, next_url = serve_page(page, limit, role)
        return {**body, "context": {"id": "someone-elses-course"}}, next_url

    monkeypatch.setattr(fresh_lms, "memberships_page", other_course)
    _overview(browser, db_session, fresh_lms, token)
    record = _sync_record(db_session, fresh_lms)
    assert (record.status, record.message) == (RosterSync.FAILED, "other_course")


def test_a_revoked_token_is_replaced_once(browser, fresh_lms, db_session):
    token = launch(browser, fresh_lms, "teacher")
    _overview(browser, db_session, fresh_lms, token)
    fresh_lms.tokens.clear()  # the LMS forgets every token it gave out
    fresh_lms.add_students(1, prefix="late")
    _refresh(browser, db_session, fresh_lms, token)
    record = _sync_record(db_session, fresh_lms)
    assert record.status == RosterSync.OK and record.member_count == 7
    assert fresh_lms.token_requests == 2


# --- bulk -----------------------------------------------------------------------------------------

def test_a_large_roster_is_stored_in_a_few_statements(app, browser, fresh_lms, db_session):
    """300 members: a handful of statements, not three per member; a second sync as few."""
    fresh_lms.add_students(294)
    launch(browser, fresh_lms, "teacher")
    course_id = course_of(db_session, fresh_lms).id
    for _ in range(2):
        with app.test_request_context():
            statements = []
            listener = lambda *args: statements.append(args[2])  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                from lti_tool.courses.models import Course
                record = roster.sync(db.session.get(Course, course_id))
                db.session.commit()
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
            assert record.status == RosterSync.OK and record.member_count == 300
            assert len(statements) < 30, statements
    members = db_session.scalars(select(SchoolMember).where(
        SchoolMember.school_id == course_of(db_session, fresh_lms).school_id)).all()
    assert len(members) == 300  # the teacher who launched is one of the 300


@pytest.mark.parametrize("raw, expected", [
    ({"user_id": "u1", "roles": [LEARNER], "name": "A B"}, ("u1", STUDENT, True, "A B")),
    ({"user_id": "u2", "roles": ["Instructor"], "given_name": "C", "family_name": "D"}, ("u2", STAFF, True, "C D")),
    ({"user_id": "u3", "status": "Inactive"}, ("u3", STUDENT, False, None)),
    ({"user_id": "u4", "status": "Deleted", "roles": "not a list"}, ("u4", STUDENT, False, None)),
])
def test_roster_members_are_read_defensively(raw, expected):
    member = roster.parse_member(raw)
    assert (member.sub, member.role, member.active, member.name) == expected


@pytest.mark.parametrize("raw", [None, "x", {}, {"user_id": ""}, {"user_id": 5}, {"user_id": "x" * 256}])
def test_roster_entries_without_a_user_are_skipped(raw):
    assert roster.parse_member(raw) is None
