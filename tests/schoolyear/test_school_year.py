"""A new school year: earlier acknowledgements count as last year's, newcomers get their own due date.

The clock (schoolyear.queries' today) is moved across the school's first day; nothing else is faked.
"""
from datetime import date, datetime, timezone

import requests
from sqlalchemy import update

from lti_tool.courses.models import SchoolMember
from tests.courses.conftest import course_of, launch, publish, school_member, school_of

from .conftest import save_year

LAST_YEAR = datetime(2025, 10, 1, 8, tzinfo=timezone.utc)


def _status(tool_url, token):
    resp = requests.get(f"{tool_url}/api/v1/me/status", headers={"X-Launch-Token": token}, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()


def _acknowledge(tool_url, token, version_id):
    return requests.post(f"{tool_url}/api/v1/me/acknowledgements", headers={"X-Launch-Token": token},
                         json={"version_id": version_id, "answers": [], "confirm": True}, timeout=30)


def _seen_last_year(db_session, lms, *keys):
    for key in keys:
        member = school_member(db_session, lms, key)
        member.created_at = LAST_YEAR
    db_session.commit()


def test_on_the_first_day_everyone_is_asked_again_without_a_new_version(browser, tool_url, fresh_lms,
                                                                        db_session, clock):
    school_id = school_of(db_session, fresh_lms).id
    version = publish(db_session, school_id, "student")
    token = launch(browser, fresh_lms, "student")
    _seen_last_year(db_session, fresh_lms, "student")
    assert save_year(browser, fresh_lms, first_day="2025-09-01", yearly="on", newcomer_days="14").status_code == 303

    clock.set(date(2026, 6, 15))
    assert _acknowledge(tool_url, token, version.id).status_code == 201
    clock.set(date(2026, 8, 31))
    assert _status(tool_url, token)["state"] == "acknowledged", "the last day of the year still counts"
    assert browser.get("/", token=token).status_code == 200

    clock.set(date(2026, 9, 1))
    status = _status(tool_url, token)
    assert (status["state"], status["due_date"]) == ("outdated", "2026-09-15"), "14 days from the first day"
    assert status["current_version"] == 1, "the same version: nothing was published"
    gate = browser.get("/", token=token, allow_redirects=False)
    assert gate.status_code == 303 and "/code" in gate.headers["Location"]
    code = browser.get("/code", token=token)
    assert "A new school year has started" in code.text and "September 15, 2026" in code.text

    clock.set(date(2026, 9, 16))
    assert _status(tool_url, token)["state"] == "overdue"
    assert _acknowledge(tool_url, token, version.id).status_code == 201, "acknowledged again, for this year"
    assert _status(tool_url, token)["state"] == "acknowledged"
    assert _acknowledge(tool_url, token, version.id).status_code == 409, "once per school year"


def test_a_pupil_who_joins_later_gets_their_own_due_date(browser, tool_url, fresh_lms, db_session, clock):
    school_id = school_of(db_session, fresh_lms).id
    publish(db_session, school_id, "student", due_date=date(2026, 9, 30))
    early, late = launch(browser, fresh_lms, "student"), launch(browser, fresh_lms, "student2")
    teacher = launch(browser, fresh_lms, "teacher")
    overview = f"/school/courses/{course_of(db_session, fresh_lms).id}/overview"
    assert browser.get(overview, token=teacher).status_code == 200  # the roster is read: all are known
    assert save_year(browser, fresh_lms, first_day="2026-09-01", newcomer_days="10").status_code == 303
    db_session.execute(update(SchoolMember).where(SchoolMember.school_id == school_id).values(created_at=LAST_YEAR))
    member = school_member(db_session, fresh_lms, "student2")
    member.created_at = datetime(2026, 10, 20, 9, tzinfo=timezone.utc)
    db_session.commit()

    clock.set(date(2026, 10, 25))
    assert (_status(tool_url, early)["state"], _status(tool_url, early)["due_date"]) == ("overdue", "2026-09-30")
    joined = _status(tool_url, late)
    assert (joined["state"], joined["due_date"]) == ("not_yet", "2026-10-30"), "10 days after first seen"
    clock.set(date(2026, 10, 31))
    assert _status(tool_url, late)["state"] == "overdue"

    page = browser.get(overview, token=teacher)
    assert page.status_code == 200
    assert page.text.count("badge-new\">new this school year") == 1, "the badge on the newcomer only"
    assert "1 person is new this school year" in page.text
    assert "was due Oct 30, 2026" in page.text and "was due Sep 30, 2026" in page.text


def test_a_school_without_the_setting_is_unaffected(browser, tool_url, make_lms, db_session, clock):
    mine, other = make_lms(), make_lms()
    versions = {}
    for lms in (mine, other):
        versions[lms] = publish(db_session, school_of(db_session, lms).id, "student", due_date=date(2026, 9, 30))
    tokens = {lms: launch(browser, lms, "student") for lms in (mine, other)}
    clock.set(date(2026, 6, 15))
    for lms in (mine, other):
        assert _acknowledge(tool_url, tokens[lms], versions[lms].id).status_code == 201
    # Another school starts a new year today; neither this school's acknowledgements nor its due dates move.
    assert save_year(browser, other, first_day="2026-09-01", yearly="on").status_code == 303
    clock.set(date(2027, 3, 1))
    assert _status(tool_url, tokens[mine])["state"] == "acknowledged"
    assert _status(tool_url, tokens[other])["state"] == "overdue", "asked again, 14 days from 1 September"
    assert _acknowledge(tool_url, tokens[mine], versions[mine].id).status_code == 409, "once, as before"
    late = launch(browser, mine, "student2")
    assert _status(tool_url, late)["due_date"] == "2026-09-30", "no own due date without the setting"
    assert db_session.get(SchoolMember, school_member(db_session, mine, "student2").id) is not None
