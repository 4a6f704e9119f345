"""The school year settings: the school admin's alone, checked field by field, audited, in Dutch first."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lti_tool.cases.models import AuditEvent
from lti_tool.schoolcalendar.models import SchoolYearSettings
from tests.courses.conftest import launch, school_of
from tests.support.form_errors import assert_field_tied_to_message, summary_entries

from .conftest import save_year


def test_the_page_proposes_the_dutch_convention_until_the_school_sets_its_own(browser, fresh_lms, db_session):
    token = launch(browser, fresh_lms, "admin", locale="nl-NL")
    page = browser.get("/school/year", token=token)
    assert page.status_code == 200
    assert "rond 1 september" in page.text
    assert "-09-01" in page.text and 'value="14"' in page.text
    assert db_session.get(SchoolYearSettings, school_of(db_session, fresh_lms).id) is None, "a look stores nothing"


def test_the_admin_saves_the_first_day_and_it_is_audited_without_content(browser, fresh_lms, db_session):
    resp = save_year(browser, fresh_lms, first_day="2026-08-24", yearly="on", newcomer_days="21")
    assert resp.status_code == 303
    school_id = school_of(db_session, fresh_lms).id
    db_session.expire_all()
    stored = db_session.get(SchoolYearSettings, school_id)
    assert (stored.first_day, stored.yearly, stored.newcomer_days) == (date(2026, 8, 24), True, 21)
    assert stored.teacher_digest and stored.staff_reminders, "the e-mails are on until the school opts out"
    details = db_session.scalars(select(AuditEvent.detail).where(
        AuditEvent.school_id == school_id, AuditEvent.action == "school_year_changed")).all()
    assert details and "first_day" in details[-1] and "2026" not in details[-1]


def test_a_dutch_written_date_is_understood(browser, fresh_lms, db_session):
    assert save_year(browser, fresh_lms, first_day="31-8-2026", newcomer_days="14").status_code == 303
    db_session.expire_all()
    assert db_session.get(SchoolYearSettings, school_of(db_session, fresh_lms).id).first_day == date(2026, 8, 31)


@pytest.mark.parametrize("field, value, message", [
    ("first_day", "de eerste maandag", "Vul een datum in, zoals 31-08-2026 (dag-maand-jaar)."),
    ("first_day", "2026-02-30", "Vul een datum in, zoals 31-08-2026 (dag-maand-jaar)."),
    ("first_day", "1899-09-01", "Vul een datum in tussen 2000 en 2100."),
    ("first_day", "", "Vul de eerste dag van het schooljaar in."),
    ("newcomer_days", "-3", "Tussen 1 en 120 dagen."),
    ("newcomer_days", "0", "Tussen 1 en 120 dagen."),
    ("newcomer_days", "99999999999999999999", "Tussen 1 en 120 dagen."),
    ("newcomer_days", "veertien", "Vul een heel getal in."),
])
def test_bad_values_are_refused_beside_their_field_and_nothing_is_stored(browser, fresh_lms, db_session,
                                                                         field, value, message):
    resp = save_year(browser, fresh_lms, locale="nl-NL", **{field: value})
    assert resp.status_code == 400
    assert field in dict(summary_entries(resp.text))
    assert_field_tied_to_message(resp.text, field, message)
    assert db_session.get(SchoolYearSettings, school_of(db_session, fresh_lms).id) is None


def test_an_unknown_field_is_refused(browser, fresh_lms, db_session):
    resp = save_year(browser, fresh_lms, school_id="1", newcomer_days="14")
    assert resp.status_code == 400
    assert db_session.get(SchoolYearSettings, school_of(db_session, fresh_lms).id) is None


@pytest.mark.parametrize("who", ["student", "teacher"])
def test_only_the_school_admin_sees_or_changes_the_settings(browser, fresh_lms, db_session, who):
    admin = launch(browser, fresh_lms, "admin")
    from tests.support.browser import form_of
    action, fields = form_of(browser.get("/school/year", token=admin).text, "form.editor")
    token = launch(browser, fresh_lms, who)
    assert browser.get("/school/year", token=token).status_code == 403
    fields["lt"] = token
    assert browser.post(action, data={**fields, "yearly": "on"}).status_code == 403
    assert db_session.get(SchoolYearSettings, school_of(db_session, fresh_lms).id) is None


def test_another_schools_admin_changes_only_their_own_school(browser, make_lms, db_session):
    mine, theirs = make_lms(), make_lms()
    assert save_year(browser, theirs, first_day=(date.today() - timedelta(days=1)).isoformat(),
                     yearly="on").status_code == 303
    assert db_session.get(SchoolYearSettings, school_of(db_session, mine).id) is None
