"""Who reaches the register: the roles the school chose grant; nobody sees another school's, guessed ids find nothing."""
import pytest
from sqlalchemy import select

from lti_tool.courses.models import SchoolMember
from tests.courses.conftest import launch, user_of
from tests.support.browser import form_of, text_of

from .conftest import day, exceptions_of, grant_form

API = "/api/v1/phone-exceptions"


def _granted(browser, school, db_session, who="student"):
    assert grant_form(browser, school.tokens["coordinator"], pupil_id=school.ids[who]).status_code == 303
    return exceptions_of(db_session, school.school_id)[-1]


def _csrf(browser, school) -> str:
    """A CSRF token of this browser's session, so that a refusal below is the role check's."""
    return form_of(browser.get("/exceptions/new", token=school.tokens["coordinator"]).text, "form.editor")[1]["csrf_token"]


def _answers(browser, token, exception_id, csrf):
    body = {"pupil_id": 1, "kind": "medical", "starts_on": day(0), "ends_on": day(9)}
    form = {**body, "csrf_token": csrf, "lt": token}
    return [
        browser.get("/exceptions", token=token).status_code,
        browser.get("/exceptions/new", token=token).status_code,
        browser.post("/exceptions/new", token=token, data=form).status_code,
        browser.get(f"/exceptions/{exception_id}/edit", token=token).status_code,
        browser.post(f"/exceptions/{exception_id}/edit", token=token, data=form).status_code,
        browser.post(f"/exceptions/{exception_id}/end", token=token, data=form).status_code,
        browser.get("/exceptions/register.csv", token=token).status_code,
        browser.get("/exceptions/settings", token=token).status_code,
        browser.get(API, token=token).status_code,
        browser.post(API, token=token, json=body).status_code,
        browser.get(f"{API}/{exception_id}", token=token).status_code,
        browser.put(f"{API}/{exception_id}", token=token, json=body).status_code if hasattr(browser, "put")
        else browser.http.put(f"{browser.tool_url}{API}/{exception_id}", json=body,
                              headers={"X-Launch-Token": token}, timeout=30).status_code,
        browser.post(f"{API}/{exception_id}/end", token=token).status_code,
    ]


@pytest.mark.parametrize("who", ["student", "student2", "teacher", "mentor"])
def test_pupils_teachers_and_mentors_keep_no_register_by_default(browser, school, db_session, who):
    row = _granted(browser, school, db_session)
    assert _answers(browser, school.tokens[who], row.id, _csrf(browser, school)) == [403] * 13
    [row] = exceptions_of(db_session, school.school_id)
    assert row.ended_at is None and row.ends_on.isoformat() == day(90)
    page = browser.get("/exceptions", token=school.tokens[who])
    assert school.lms.users["student"].name not in page.text.split("</header>")[1]


def test_another_schools_coordinator_finds_nothing(browser, school, make_lms, db_session):
    row = _granted(browser, school, db_session)
    elsewhere = make_lms()
    launch(browser, elsewhere, "coordinator")
    member = db_session.scalars(select(SchoolMember).where(
        SchoolMember.user_id == user_of(db_session, elsewhere, "coordinator").id)).one()
    member.is_coordinator = True
    db_session.commit()
    token = launch(browser, elsewhere, "coordinator")
    answers = _answers(browser, token, row.id, _csrf(browser, school))
    # Their own register opens (and is empty); this school's exception is as unknown as a made-up id.
    assert answers[0] == 200 and answers[3:6] == [404, 404, 404] and answers[10:] == [404, 404, 404]
    assert school.lms.users["student"].name not in browser.get("/exceptions", token=token).text
    assert school.lms.users["student"].name not in browser.get("/exceptions/register.csv", token=token).text
    assert browser.get(API, token=token).json() == {"exceptions": []}
    [unchanged] = exceptions_of(db_session, school.school_id)
    assert unchanged.ended_at is None


def test_a_guessed_id_is_not_found(browser, school, db_session):
    row = _granted(browser, school, db_session)
    token = school.tokens["coordinator"]
    for guess in (row.id + 1, row.id + 1000, 2**31 - 1):
        assert browser.get(f"/exceptions/{guess}/edit", token=token).status_code == 404
        assert browser.get(f"{API}/{guess}", token=token).status_code == 404
    assert browser.get(f"/exceptions/{2**40}/edit", token=token).status_code == 404


def test_the_school_admin_lets_mentors_grant_and_coordinators_stop(browser, school, db_session):
    admin = school.tokens["admin"]
    action, fields = form_of(browser.get("/exceptions/settings", token=admin).text, "form.editor")
    assert {"school_admins_grant", "coordinators_grant"} <= set(fields) and "mentors_grant" not in fields
    fields.pop("coordinators_grant")
    resp = browser.post(action, data={**fields, "mentors_grant": "1", "reminder_days": "10"})
    assert resp.status_code == 303
    mentor = school.tokens["mentor"]
    assert grant_form(browser, mentor, pupil_id=school.ids["student"]).status_code == 303
    # The coordinator still reads the register, but no longer grants.
    coordinator = school.tokens["coordinator"]
    assert browser.get("/exceptions", token=coordinator).status_code == 200
    assert browser.get("/exceptions/new", token=coordinator).status_code == 403
    [row] = exceptions_of(db_session, school.school_id)
    assert row.granted_by_id == school.ids["mentor"]
    # A mentor is the LMS's Mentor role: a plain teacher does not become one.
    assert browser.get("/exceptions/new", token=school.tokens["teacher"]).status_code == 403


def test_settings_need_someone_who_grants_and_only_the_admin_sets_them(browser, school):
    admin = school.tokens["admin"]
    action, fields = form_of(browser.get("/exceptions/settings", token=admin).text, "form.editor")
    bare = {key: value for key, value in fields.items() if not key.endswith("_grant")}
    resp = browser.post(action, data={**bare, "reminder_days": "0"})
    assert resp.status_code == 400
    text = text_of(resp.text)
    assert "Choose at least one role that grants exceptions." in text and "Between 1 and 60 days." in text
    assert browser.get("/exceptions/settings", token=school.tokens["coordinator"]).status_code == 403
    assert browser.post(action, token=school.tokens["coordinator"],
                        data={**fields, "mentors_grant": "1"}).status_code == 403


def test_a_pupil_sees_only_their_own_exceptions(browser, school, db_session):
    _granted(browser, school, db_session, "student")
    mine = browser.get("/api/v1/me/phone-exceptions", token=school.tokens["student"]).json()
    assert [e["kind"] for e in mine["exceptions"]] == ["medical"]
    assert "granted_by" not in mine["exceptions"][0] and "note" not in mine["exceptions"][0]
    assert browser.get("/api/v1/me/phone-exceptions", token=school.tokens["student2"]).json() == {"exceptions": []}
    assert browser.get("/api/v1/me/phone-exceptions").status_code == 401
