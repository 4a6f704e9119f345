"""A school admin grants coordinator and school admin inside the tool; nobody else can, and never across schools.

Everyone on staff the tool knows can get a role, also someone only a roster read brought in; a role
counts from the person's next request; the LMS's administrators stay school admins; no pupil is
ever raised; the school always keeps a school admin; every change is in the audit log.
"""
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from lti_tool.cases.models import AuditEvent
from lti_tool.courses.models import SchoolMember, User
from lti_tool.demo.platform import LEARNER
from tests.courses.conftest import course_of, launch, school_member, school_of
from tests.support.browser import form_of, launch_token_of, text_of


def _member(db_session, lms, user_key):
    sub = lms.users[user_key].sub
    return db_session.scalars(select(SchoolMember).join(User).where(
        User.sub == sub, User.issuer == lms.issuer)).one()


def _home(browser, lms, user_key):
    return browser.follow(browser.launch(lms, user_key))


def _page(browser, token):
    page = browser.get("/school/coordinators", token=token)
    assert page.status_code == 200, page.text
    return page


def _press(browser, page, member_id, role):
    """Press the button of this member's role on the page (its form carries the tokens)."""
    action, fields = form_of(page.text, f"form:has(input[name=member_id][value='{member_id}']):has(input[name=role][value='{role}'])")
    return fields, browser.follow(browser.post(action, data=fields))


def _audit(db_session, school_id, action):
    db_session.expire_all()
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.school_id == school_id,
                                                            AuditEvent.action == action)))


def test_school_admin_designates_and_removes_a_coordinator(browser, lms, db_session, tool_url):
    _home(type(browser)(tool_url), lms, "teacher")
    page = browser.follow(browser.launch(lms, "admin"))
    coordinators = browser.get(page.url.replace(tool_url, "").replace("/?", "/school/coordinators?"))
    assert coordinators.status_code == 200
    teacher = _member(db_session, lms, "teacher")
    fields, done = _press(browser, coordinators, teacher.id, "coordinator")
    assert fields["granted"] == "true"
    assert done.status_code == 200
    db_session.expire_all()
    assert _member(db_session, lms, "teacher").is_coordinator is True
    fields, _ = _press(browser, done, teacher.id, "coordinator")
    assert fields["granted"] == "false"
    db_session.expire_all()
    assert _member(db_session, lms, "teacher").is_coordinator is False
    assert len(_audit(db_session, lms.school_id, "coordinator_designated")) >= 1
    assert len(_audit(db_session, lms.school_id, "coordinator_removed")) >= 1


@pytest.mark.parametrize("user_key", ["student", "teacher"])
def test_students_and_staff_cannot_open_or_change_roles(browser, lms, db_session, user_key):
    home = _home(browser, lms, user_key)
    token = launch_token_of(home.text)
    assert browser.get("/school/coordinators", token=token).status_code == 403
    me = _member(db_session, lms, user_key)
    for role in ("coordinator", "school_admin"):
        resp = browser.post("/school/roles", token=token,
                            data={"member_id": me.id, "role": role, "granted": "true", "csrf_token": "x"})
        assert resp.status_code in (400, 403)
    db_session.expire_all()
    mine = _member(db_session, lms, user_key)
    assert (mine.is_coordinator, mine.granted_role) == (False, None)


def test_relaunching_never_undoes_or_grants_a_role(browser, lms, db_session):
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


def test_bad_input_is_refused_and_changes_nothing(browser, fresh_lms, db_session):
    launch(browser, fresh_lms, "teacher")
    token = launch(browser, fresh_lms, "admin")
    page = _page(browser, token)
    teacher = school_member(db_session, fresh_lms, "teacher")
    action, fields = form_of(page.text, f"form:has(input[name=member_id][value='{teacher.id}'])")
    for bad in ({"member_id": "abc"}, {"granted": "maybe"}, {"member_id": ""}, {"role": "teacher"},
                {"role": "board"}, {"role": ""}, {"member_id": str(2**64)}, {"member_id": "-1"}):
        resp = browser.post(action, data={**fields, **bad})
        assert resp.status_code == 400, (bad, resp.text)
        assert "not valid" in text_of(resp.text) or "niet goed" in text_of(resp.text)
    db_session.expire_all()
    teacher = school_member(db_session, fresh_lms, "teacher")
    assert (teacher.is_coordinator, teacher.granted_role) == (False, None)


def test_an_admin_of_another_school_cannot_touch_this_schools_members(browser, lms, db_session, other_lms):
    _home(browser, lms, "teacher")
    teacher = _member(db_session, lms, "teacher")
    home = _home(browser, other_lms, "admin")
    page = browser.get(home.url.replace("/?", "/school/coordinators?"))
    # Names repeat across demo schools: the teacher is told apart by their membership id.
    assert page.status_code == 200 and f'name="member_id" value="{teacher.id}"' not in page.text
    token = launch_token_of(home.text)
    for role in ("coordinator", "school_admin"):
        resp = browser.post("/school/roles", token=token, data={
            "csrf_token": _csrf(page.text), "member_id": teacher.id, "role": role, "granted": "true"})
        assert resp.status_code == 404
    db_session.expire_all()
    assert (_member(db_session, lms, "teacher").is_coordinator, _member(db_session, lms, "teacher").granted_role) \
        == (False, None)


def test_staff_who_never_opened_the_tool_are_listed_and_can_be_given_a_role(browser, fresh_lms, db_session):
    """The roster brings in Fatima, who never launched: the page lists and marks her, and she can be designated."""
    teacher = launch(browser, fresh_lms, "teacher")
    assert browser.get(f"/school/courses/{course_of(db_session, fresh_lms).id}/overview", token=teacher).status_code == 200
    fatima = school_member(db_session, fresh_lms, "coordinator")
    assert fatima.last_launch_at is None
    token = launch(browser, fresh_lms, "admin")
    page = _page(browser, token)
    row = text_of(page.text).split("Fatima Yilmaz", 1)[1][:80]
    assert "has not opened the tool yet" in row
    assert "even if they never opened it" in text_of(page.text)
    assert "Sanne de Vries" not in page.text  # pupils are not offered a role
    _press(browser, page, fatima.id, "coordinator")
    _press(browser, _page(browser, token), fatima.id, "school_admin")
    db_session.expire_all()
    fatima = school_member(db_session, fresh_lms, "coordinator")
    assert (fatima.is_coordinator, fatima.granted_role) == (True, "school_admin")
    # Her first launch: coordinator and school admin at once.
    her_browser = type(browser)(browser.tool_url)
    hers = launch(her_browser, fresh_lms, "coordinator")
    assert _page(her_browser, hers).status_code == 200
    assert her_browser.get("/cases", token=hers).status_code == 200


def test_a_granted_role_counts_from_the_next_request_and_so_does_taking_it_back(browser, fresh_lms, db_session, tool_url):
    admin = launch(browser, fresh_lms, "admin")
    teachers_browser = type(browser)(tool_url)
    teacher = launch(teachers_browser, fresh_lms, "teacher")
    assert teachers_browser.get("/school/coordinators", token=teacher).status_code == 403
    member = school_member(db_session, fresh_lms, "teacher")
    _press(browser, _page(browser, admin), member.id, "school_admin")
    # The same launch, its next request: now a school admin, with the admin's pages.
    assert teachers_browser.get("/school/coordinators", token=teacher).status_code == 200
    assert teachers_browser.get("/school/overview", token=teacher).status_code == 200
    # And acts as one: names the deputy (a school admin's task), which the audit log records.
    page = teachers_browser.get("/school/coordinators", token=teacher)
    action, fields = form_of(page.text, "form:has(select[name=member_id])")
    named = teachers_browser.post(action, data={**fields, "member_id": str(member.id)})
    assert named.status_code == 303, named.text
    assert len(_audit(db_session, school_of(db_session, fresh_lms).id, "deputy_named")) == 1
    assert len(_audit(db_session, school_of(db_session, fresh_lms).id, "school_admin_granted")) == 1
    _, done = _press(browser, _page(browser, admin), member.id, "school_admin")
    assert "no longer a school admin" in text_of(done.text)
    assert teachers_browser.get("/school/coordinators", token=teacher).status_code == 403
    assert len(_audit(db_session, school_of(db_session, fresh_lms).id, "school_admin_revoked")) == 1


def test_a_pupil_is_never_given_a_role(browser, fresh_lms, db_session):
    launch(browser, fresh_lms, "student")
    token = launch(browser, fresh_lms, "admin")
    page = _page(browser, token)
    pupil = school_member(db_session, fresh_lms, "student")
    csrf = _csrf(page.text)
    for role in ("coordinator", "school_admin"):
        resp = browser.post("/school/roles", token=token,
                            data={"csrf_token": csrf, "member_id": pupil.id, "role": role, "granted": "true"})
        assert resp.status_code == 400 and "pupil" in text_of(resp.text)
    db_session.expire_all()
    pupil = school_member(db_session, fresh_lms, "student")
    assert (pupil.is_coordinator, pupil.granted_role) == (False, None)
    assert not _audit(db_session, pupil.school_id, "school_admin_granted")


def test_a_granted_school_admin_launching_as_a_learner_is_a_pupil_there(browser, fresh_lms, db_session, tool_url):
    admin = launch(browser, fresh_lms, "admin")
    launch(type(browser)(tool_url), fresh_lms, "teacher")
    _press(browser, _page(browser, admin), school_member(db_session, fresh_lms, "teacher").id, "school_admin")
    fresh_lms.users["teacher"].roles = [LEARNER]  # the same account, enrolled as a learner
    other = type(browser)(tool_url)
    token = launch(other, fresh_lms, "teacher")
    assert other.get("/school/coordinators", token=token).status_code == 403


def test_the_lms_administrator_stays_school_admin_and_the_page_says_why(browser, fresh_lms, db_session):
    token = launch(browser, fresh_lms, "admin")
    page = _page(browser, token)
    assert "only the LMS can change this" in text_of(page.text)
    me = school_member(db_session, fresh_lms, "admin")
    assert not BeautifulSoup(page.text, "html.parser").select(
        f"form:has(input[name=member_id][value='{me.id}']):has(input[name=role][value='school_admin'])")
    resp = browser.post("/school/roles", token=token, data={
        "csrf_token": _csrf(page.text), "member_id": me.id, "role": "school_admin", "granted": "false"})
    assert resp.status_code == 409 and "Only the LMS can change that" in text_of(resp.text)
    assert _page(browser, token).status_code == 200


def test_the_last_school_admin_cannot_be_taken_back(browser, fresh_lms, db_session, app, tool_url):
    """A school whose LMS administrator never launched: the one granted school admin stays until there is another."""
    launch(browser, fresh_lms, "teacher")
    school = school_of(db_session, fresh_lms)
    cli = app.test_cli_runner()
    from lti_tool.cli import main
    done = cli.invoke(main, ["schools", "grant", "--school", str(school.id), "--user",
                             fresh_lms.users["teacher"].email, "--role", "school_admin"])
    assert done.exit_code == 0, done.output
    token = launch(browser, fresh_lms, "teacher")
    page = _page(browser, token)
    me = school_member(db_session, fresh_lms, "teacher")
    _, refused = _press(browser, page, me.id, "school_admin")
    assert refused.status_code == 409 and "last school admin" in text_of(refused.text)
    db_session.expire_all()
    assert school_member(db_session, fresh_lms, "teacher").granted_role == "school_admin"


def _csrf(html):
    import re
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
