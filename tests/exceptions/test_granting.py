"""Granting a phone exception: the coordinator records it, the pupil's teachers see the mark, the pupil sees their own."""
from sqlalchemy import select

from lti_tool.cases.models import AuditEvent
from tests.support.browser import text_of

from .conftest import count, day, exceptions_of, grant_form, second_course


def test_a_coordinator_grants_and_the_teacher_and_the_pupil_see_it(browser, school, db_session):
    resp = grant_form(browser, school.tokens["coordinator"], pupil_id=school.ids["student"], ends_on=day(30))
    assert resp.status_code == 303, resp.text
    [row] = exceptions_of(db_session, school.school_id)
    assert (row.pupil_id, row.kind, row.course_id, row.granted_by_id) == (
        school.ids["student"], "medical", None, school.ids["coordinator"])
    overview = text_of(browser.get(f"/school/courses/{school.course.id}/overview",
                                   token=school.tokens["teacher"]).text)
    assert overview.count("Phone allowed: Medical, until") == 1
    home = text_of(browser.follow(browser.get("/", token=school.tokens["student"])).text)
    assert "Your phone exception" in home and "Medical" in home and "in every lesson" in home
    other = text_of(browser.follow(browser.get("/", token=school.tokens["student2"])).text)
    assert "phone exception" not in other
    events = db_session.scalars(select(AuditEvent.action).where(AuditEvent.school_id == school.school_id)).all()
    assert "phone_exception_granted" in events


def test_the_form_warns_against_medical_details(browser, school):
    text = text_of(browser.get("/exceptions/new", token=school.tokens["coordinator"]).text)
    assert "Never write a diagnosis" in text and "at most 200 characters" in text


def test_an_exception_for_one_course_shows_only_in_that_course(browser, school, db_session):
    maths, maths_teacher = second_course(browser, school, db_session)
    resp = grant_form(browser, school.tokens["coordinator"], pupil_id=school.ids["student"], kind="lesson",
                      course_id=maths.id)
    assert resp.status_code == 303, resp.text
    in_maths = text_of(browser.get(f"/school/courses/{maths.id}/overview", token=maths_teacher).text)
    assert "Phone allowed: For lessons or as a teaching aid" in in_maths
    in_mentor_hour = text_of(browser.get(f"/school/courses/{school.course.id}/overview",
                                         token=school.tokens["teacher"]).text)
    assert "Phone allowed" not in in_mentor_hour
    api = browser.get(f"/api/v1/courses/{maths.id}/overview", token=maths_teacher).json()
    [marked] = [m for m in api["members"] if m["phone_exceptions"]]
    assert marked["phone_exceptions"] == [{"kind": "lesson", "ends_on": day(90)}]


def test_an_upcoming_exception_is_not_yet_marked_in_the_overview(browser, school):
    assert grant_form(browser, school.tokens["coordinator"], pupil_id=school.ids["student"],
                      starts_on=day(3), ends_on=day(40)).status_code == 303
    overview = text_of(browser.get(f"/school/courses/{school.course.id}/overview",
                                   token=school.tokens["teacher"]).text)
    assert "Phone allowed" not in overview
    home = text_of(browser.follow(browser.get("/", token=school.tokens["student"])).text)
    assert "Your phone exception" in home  # the pupil sees it coming


def test_changing_and_ending_keep_the_history(browser, school, db_session):
    token = school.tokens["coordinator"]
    grant_form(browser, token, pupil_id=school.ids["student"])
    [row] = exceptions_of(db_session, school.school_id)
    from tests.support.browser import form_of
    action, fields = form_of(browser.get(f"/exceptions/{row.id}/edit", token=token).text, "form.editor")
    assert fields["note"] == "" and 'value="medical" checked' in browser.get(
        f"/exceptions/{row.id}/edit", token=token).text.replace("  ", " ")
    resp = browser.post(action, data={**fields, "kind": "medical", "pupil_id": school.ids["student"],
                                      "ends_on": day(20), "note": "Telefoon op tafel, scherm omlaag"})
    assert resp.status_code == 303, resp.text
    register = browser.get("/exceptions", token=token).text
    action, fields = form_of(register, f"form[action*='/exceptions/{row.id}/end']")
    assert browser.post(action, data=fields).status_code == 303
    [row] = exceptions_of(db_session, school.school_id)
    assert row.ended_at is not None and row.ended_by_id == school.ids["coordinator"]
    assert row.note == "Telefoon op tafel, scherm omlaag" and row.ends_on.isoformat() == day(20)
    assert "Ended early" in text_of(browser.get("/exceptions?show=past", token=token).text)
    assert "No exceptions hold now" in text_of(browser.get("/exceptions", token=token).text)
    # Ended is ended: neither ended again nor changed, and the teacher no longer sees a mark.
    assert browser.post(action, data=fields).status_code == 409
    assert browser.post(f"/exceptions/{row.id}/edit", data={**fields, "pupil_id": school.ids["student"],
                        "kind": "medical", "starts_on": day(0), "ends_on": day(5)}).status_code == 409
    overview = browser.get(f"/school/courses/{school.course.id}/overview", token=school.tokens["teacher"]).text
    assert "Phone allowed" not in overview
    actions = db_session.scalars(select(AuditEvent.action).where(
        AuditEvent.school_id == school.school_id, AuditEvent.action.like("phone_exception%"))
        .order_by(AuditEvent.id)).all()
    assert actions == ["phone_exception_granted", "phone_exception_changed", "phone_exception_ended"]
    assert count(db_session, school.school_id) == 1
