"""Launching the tool from an LMS: the valid variants the certification suite sends are accepted."""
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lti_tool.courses.models import INACTIVE, Course, CourseMember, SchoolMember, User
from lti_tool.lti.models import LaunchSession
from tests.support.browser import launch_token_of, launched, text_of

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


def launch_with(browser, lms, user="student", **changes):
    """Launch through the real login step with the LMS's claims changed; return the tool's answer."""
    auth = browser.start_login(lms.login_initiation_url(user))
    claims = lms.id_token_claims(user, auth["nonce"])
    claims["sub"] = "u-" + secrets.token_hex(4)
    for key, value in changes.items():
        key = key.replace("LTI_", LTI)
        if value is None:
            claims.pop(key, None)
        else:
            claims[key] = value
    return browser.post_id_token(lms.sign(claims), auth["state"]), claims


def test_student_launch_lands_on_home_with_school_and_course(browser, lms):
    resp = browser.launch(lms, "student")
    assert resp.status_code == 200 and launched(resp), "the launch answers with the first page"
    page = browser.follow(resp)
    assert page.url.split("?")[0] == browser.tool_url + "/" and "lt=" not in page.url, "at the first page's address"
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Test school" in text and "2B Mentoruur" in text


def test_launch_upserts_user_school_member_course_and_membership(browser, lms, db_session):
    resp, claims = launch_with(browser, lms, "teacher")
    assert launched(resp), resp.text
    user = db_session.scalars(select(User).where(User.sub == claims["sub"])).one()
    assert user.issuer == lms.issuer and user.name == claims["name"] and user.email == claims["email"]
    member = db_session.scalars(select(SchoolMember).where(SchoolMember.user_id == user.id)).one()
    assert member.role == "staff" and member.is_coordinator is False
    course = db_session.scalars(select(Course).where(
        Course.context_id == claims[LTI + "context"]["id"], Course.school_id == member.school_id)).one()
    assert course.title == "2B Mentoruur"
    assert db_session.scalars(select(CourseMember).where(
        CourseMember.course_id == course.id, CourseMember.user_id == user.id)).one().role == "staff"


def test_a_second_launch_without_name_or_email_forgets_them(browser, lms, db_session):
    """The LMS stopped sharing them (a privacy setting): the tool keeps nothing it was once told."""
    resp, claims = launch_with(browser, lms, "student")
    sub = claims["sub"]
    auth = browser.start_login(lms.login_initiation_url("student"))
    again = lms.id_token_claims("student", auth["nonce"])
    again["sub"] = sub
    for key in ("name", "given_name", "family_name", "email"):
        again.pop(key, None)
    assert launched(browser.post_id_token(lms.sign(again), auth["state"]))
    user = db_session.scalars(select(User).where(User.sub == sub)).one()
    assert (user.name, user.email) == (None, None)


def _relaunch(browser, lms, sub, user="student", **changes):
    auth = browser.start_login(lms.login_initiation_url(user))
    claims = lms.id_token_claims(user, auth["nonce"])
    claims.update(sub=sub, **changes)
    resp = browser.post_id_token(lms.sign(claims), auth["state"])
    assert launched(resp), resp.text


def _rows(db_session, sub):
    db_session.expire_all()
    user = db_session.scalars(select(User).where(User.sub == sub)).one()
    member = db_session.scalars(select(SchoolMember).where(SchoolMember.user_id == user.id)).one()
    course_member = db_session.scalars(select(CourseMember).where(CourseMember.user_id == user.id)).one()
    return user, member, course_member


def test_a_returning_users_launch_leaves_unchanged_rows_as_they_were(browser, lms, db_session):
    _, claims = launch_with(browser, lms, "student")
    user, member, course_member = _rows(db_session, claims["sub"])
    before = (user.updated_at, member.last_launch_at, course_member.updated_at)
    _relaunch(browser, lms, claims["sub"])
    user, member, course_member = _rows(db_session, claims["sub"])
    assert (user.updated_at, member.last_launch_at, course_member.updated_at) == before
    assert db_session.scalar(select(func.count()).select_from(LaunchSession).where(
        LaunchSession.user_id == user.id)) == 2, "each launch is a session of its own"


def test_a_returning_users_launch_writes_what_the_lms_changed(browser, lms, db_session):
    _, claims = launch_with(browser, lms, "student")
    _relaunch(browser, lms, claims["sub"], name="Renamed Student", email="renamed@example.org",
              **{LTI + "roles": [LIS + "membership#Instructor"]})
    user, member, course_member = _rows(db_session, claims["sub"])
    assert (user.name, user.email) == ("Renamed Student", "renamed@example.org")
    assert member.role == course_member.role == "staff"
    assert course_member.lti_roles == LIS + "membership#Instructor"


def test_a_launch_after_an_hour_marks_the_school_member_as_launched_again(browser, lms, db_session):
    _, claims = launch_with(browser, lms, "student")
    _, member, _ = _rows(db_session, claims["sub"])
    long_ago = member.last_launch_at - timedelta(hours=2)
    member.last_launch_at = long_ago
    db_session.commit()
    _relaunch(browser, lms, claims["sub"])
    _, member, _ = _rows(db_session, claims["sub"])
    assert member.last_launch_at > long_ago + timedelta(hours=1)


def test_a_launch_brings_back_a_membership_the_roster_had_ended(browser, lms, db_session):
    _, claims = launch_with(browser, lms, "student")
    _, _, course_member = _rows(db_session, claims["sub"])
    course_member.lms_status = INACTIVE
    db_session.commit()
    _relaunch(browser, lms, claims["sub"])
    _, _, course_member = _rows(db_session, claims["sub"])
    assert course_member.lms_status is None


@pytest.mark.parametrize("roles, expected", [
    ([LIS + "membership#Learner", LIS + "institution/person#Student"], "student"),
    (["Instructor"], "staff"),
    (["Learner"], "student"),
    (["http://example.org/roles#Unknown"], "student"),
    ([], "student"),
    ([LIS + "institution/person#Administrator", LIS + "membership#Instructor"], "school_admin"),
])
def test_role_variants_are_accepted(browser, lms, db_session, roles, expected):
    resp, claims = launch_with(browser, lms, LTI_roles=roles)
    assert launched(resp), resp.text
    launch = db_session.scalars(select(LaunchSession).join(User).where(User.sub == claims["sub"])).one()
    assert launch.role == expected


@pytest.mark.parametrize("drop", [
    ("name", "given_name", "family_name"),            # email only
    ("email",),                                       # names only
    ("name", "given_name", "family_name", "email"),   # no personal data at all
])
def test_personal_data_variants_are_accepted(browser, lms, db_session, drop):
    resp, claims = launch_with(browser, lms, **{k: None for k in drop})
    assert launched(resp), resp.text
    assert browser.follow(resp).status_code == 200
    user = db_session.scalars(select(User).where(User.sub == claims["sub"])).one()
    assert (user.email is None) == ("email" in drop)
    assert (user.name is None) == ("name" in drop)


def test_launch_without_context_is_accepted_without_a_course(browser, lms, db_session):
    resp, claims = launch_with(browser, lms, LTI_context=None)
    assert launched(resp), resp.text
    launch = db_session.scalars(select(LaunchSession).join(User).where(User.sub == claims["sub"])).one()
    assert launch.course_id is None
    assert browser.follow(resp).status_code == 200


def test_client_id_may_stand_anywhere_in_aud_when_azp_names_it(browser, lms):
    resp, _ = launch_with(browser, lms, aud=["https://other.example", lms.client_id], azp=lms.client_id)
    assert launched(resp), resp.text


def test_single_string_audience_is_accepted(browser, lms):
    resp, _ = launch_with(browser, lms, aud=lms.client_id, azp=None)
    assert launched(resp), resp.text


def test_english_launch_gets_english_pages(browser, lms):
    resp, _ = launch_with(browser, lms, LTI_launch_presentation={"locale": "en-GB", "document_target": "iframe"})
    assert "Your role" in browser.follow(resp).text


def test_dutch_is_the_default_language(browser, lms):
    resp, _ = launch_with(browser, lms, LTI_launch_presentation={"document_target": "iframe"})
    assert "Jouw rol" in browser.follow(resp).text


def test_navigation_works_without_cookies_through_the_launch_token_in_a_header_or_a_post(browser, lms, tool_url):
    token = launch_token_of(browser.follow(browser.launch(lms, "admin")).text)
    cookieless = type(browser)(tool_url, cookies=False)
    page = cookieless.get("/", token=token)
    assert page.status_code == 200 and "Test school" in text_of(page.text)
    assert launch_token_of(page.text), "each page carries a token for its forms and links"
    # What static/js/launch.js sends for a link when the frame keeps no cookies.
    link = cookieless.post("/?view=home", data={"lt": token, "_nav": "1"})
    assert link.status_code == 200 and "Test school" in text_of(link.text)


def test_a_forged_launch_token_opens_nothing(browser, lms):
    assert browser.get("/school/coordinators", token="forged.token.value").status_code == 401
    assert browser.get("/school/coordinators?lt=forged.token.value").status_code == 401


def test_cookies_are_partitioned_and_cross_site(browser, lms):
    resp = browser.http.get(lms.login_initiation_url("student"), allow_redirects=False, timeout=30)
    header = resp.headers["Set-Cookie"]
    assert "SameSite=None" in header and "Secure" in header and "Partitioned" in header
    launched = browser.launch(lms, "student")
    session_cookie = launched.headers["Set-Cookie"]
    assert "vo_session=" in session_cookie and "Partitioned" in session_cookie
