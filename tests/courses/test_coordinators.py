"""A school admin designates coordinators inside the tool; nobody else can, and never across schools."""
import pytest
from sqlalchemy import select

from lti_tool.courses.models import SchoolMember, User
from tests.support.browser import form_of, launch_token_of, text_of


def _member(db_session, lms, user_key):
    sub = lms.users[user_key].sub
    return db_session.scalars(select(SchoolMember).join(User).where(
        User.sub == sub, User.issuer == lms.issuer)).one()


def _home(browser, lms, user_key):
    return browser.follow(browser.launch(lms, user_key))


def test_school_admin_designates_and_removes_a_coordinator(browser, lms, db_session, tool_url):
    _home(type(browser)(tool_url), lms, "teacher")
    page = browser.follow(browser.launch(lms, "admin"))
    coordinators = browser.get(page.url.replace(tool_url, "").replace("/?", "/school/coordinators?"))
    assert coordinators.status_code == 200
    teacher = _member(db_session, lms, "teacher")
    action, fields = form_of(coordinators.text, f"form:has(input[name=member_id][value='{teacher.id}'])")
    assert fields["is_coordinator"] == "true"
    done = browser.follow(browser.post(action, data=fields))
    assert done.status_code == 200
    db_session.expire_all()
    assert _member(db_session, lms, "teacher").is_coordinator is True
    action, fields = form_of(done.text, f"form:has(input[name=member_id][value='{teacher.id}'])")
    assert fields["is_coordinator"] == "false"
    browser.post(action, data=fields)
    db_session.expire_all()
    assert _member(db_session, lms, "teacher").is_coordinator is False


@pytest.mark.parametrize("user_key", ["student", "teacher"])
def test_students_and_staff_cannot_open_or_change_coordinators(browser, lms, db_session, user_key):
    home = _home(browser, lms, user_key)
    token = launch_token_of(home.text)
    assert browser.get("/school/coordinators", token=token).status_code == 403
    me = _member(db_session, lms, user_key)
    resp = browser.post("/school/coordinators", token=token,
                        data={"member_id": me.id, "is_coordinator": "true", "csrf_token": "x"})
    assert resp.status_code in (400, 403)
    db_session.expire_all()
    assert _member(db_session, lms, user_key).is_coordinator is False


def test_relaunching_never_undoes_or_grants_a_designation(browser, lms, db_session):
    _home(browser, lms, "student")
    member = _member(db_session, lms, "student")
    assert member.is_coordinator is False
    _home(browser, lms, "coordinator")
    coordinator = _member(db_session, lms, "coordinator")
    coordinator.is_coordinator = True
    db_session.commit()
    _home(browser, lms, "coordinator")
    db_session.expire_all()
    assert _member(db_session, lms, "coordinator").is_coordinator is True


def test_bad_input_is_refused_and_changes_nothing(browser, lms, db_session):
    home = _home(browser, lms, "admin")
    page = browser.get(home.url.replace("/?", "/school/coordinators?"))
    action, fields = form_of(page.text, "form")
    for bad in ({"member_id": "abc"}, {"is_coordinator": "maybe"}, {"member_id": ""},
                {"member_id": str(2**64)}, {"member_id": "-1"}):
        resp = browser.post(action, data={**fields, **bad})
        assert resp.status_code == 400, resp.text
        assert "not valid" in text_of(resp.text) or "niet goed" in text_of(resp.text)


def test_an_admin_of_another_school_cannot_touch_this_schools_members(browser, lms, db_session, other_lms):
    _home(browser, lms, "teacher")
    teacher = _member(db_session, lms, "teacher")
    home = _home(browser, other_lms, "admin")
    page = browser.get(home.url.replace("/?", "/school/coordinators?"))
    # Names repeat across demo schools: the teacher is told apart by their membership id.
    assert page.status_code == 200 and f'name="member_id" value="{teacher.id}"' not in page.text
    _, fields = form_of(page.text, "form") if "member_id" in page.text else ("", {})
    token = launch_token_of(home.text)
    resp = browser.post("/school/coordinators", token=token, data={
        "csrf_token": fields.get("csrf_token") or _csrf(page.text), "member_id": teacher.id,
        "is_coordinator": "true"})
    assert resp.status_code == 404
    db_session.expire_all()
    assert _member(db_session, lms, "teacher").is_coordinator is False


def _csrf(html):
    import re
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
