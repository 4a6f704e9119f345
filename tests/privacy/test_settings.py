"""The privacy officer's page: every term in effect, read from the real settings; the school's own
terms validated (too short or too long: 400, nothing saved); the pupils' privacy statement."""
import pytest
from sqlalchemy import select

from lti_tool.cases.models import AuditEvent, CaseSettings
from lti_tool.privacy.models import PrivacySettings
from tests.privacy.conftest import launch


def test_the_page_lists_every_term_in_effect_and_every_category_of_data(browser, db_session, school):
    lms, school_id = school
    token = launch(browser, lms, "admin")
    page = browser.get("/privacy/", token=token)
    assert page.status_code == 200
    for text in ("2 years", "24 months", "12 months", "30 days", "4 hours", "Report contents",
                 "Link to a pseudonymous reporter", "Acknowledgements", "Images", "Never stored."):
        assert text in page.text, text
    db_session.add(CaseSettings(school_id=school_id, first_response_hours=24, urgent_response_minutes=60,
                                retention_months=18, reporter_reopen_days=14))
    db_session.commit()
    page = browser.get("/privacy/", token=token)
    assert "18 months" in page.text and "14 days" in page.text, "the case settings in effect, not copies"


def test_the_school_changes_its_own_terms_and_it_is_audited(browser, db_session, school):
    lms, school_id = school
    token = launch(browser, lms, "admin")
    saved = browser.post("/privacy/", token=token, data={"pupil_years": "1", "staff_months": "18"})
    assert saved.status_code == 303
    db_session.expire_all()
    stored = db_session.get(PrivacySettings, school_id)
    assert (stored.pupil_years, stored.staff_months) == (1, 18)
    assert "1 year" in browser.get("/privacy/", token=token).text
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.school_id == school_id,
                                                       AuditEvent.action == "privacy_settings_changed")).one()


@pytest.mark.parametrize("form, field", [
    ({"pupil_years": "0", "staff_months": "24"}, "pupil_years"),      # shorter than the law allows
    ({"pupil_years": "3", "staff_months": "24"}, "pupil_years"),      # longer than it allows
    ({"pupil_years": "2", "staff_months": "6"}, "staff_months"),
    ({"pupil_years": "2", "staff_months": "twelve"}, "staff_months"),
    ({"pupil_years": "2"}, "staff_months"),
    ({"pupil_years": "1e3", "staff_months": "24"}, "pupil_years"),
])
def test_a_term_out_of_bounds_is_refused_and_nothing_is_saved(browser, db_session, school, form, field):
    lms, school_id = school
    token = launch(browser, lms, "admin")
    resp = browser.post("/privacy/", token=token, data=form)
    assert resp.status_code == 400 and 'id="error-summary"' in resp.text and f'href="#{field}"' in resp.text
    db_session.expire_all()
    assert db_session.get(PrivacySettings, school_id) is None
    json = browser.post("/privacy/", token=token, data=form, headers={"Accept": "application/json"})
    assert json.status_code == 400


def test_the_page_is_in_dutch_for_a_dutch_admin(browser, school):
    lms, _ = school
    token = launch(browser, lms, "admin", locale="nl-NL")
    page = browser.get("/privacy/", token=token)
    assert "Bewaartermijnen" in page.text and "2 jaar" in page.text


def test_the_report_form_links_to_a_statement_a_pupil_understands(browser, school):
    lms, _ = school
    token = launch(browser, lms, "student", locale="nl-NL")
    form = browser.get("/reports/new", token=token)
    assert "/privacy/statement" in form.text
    page = browser.get("/privacy/statement", token=token)
    assert page.status_code == 200 and "Wat er met je gegevens gebeurt" in page.text and "12 maanden" in page.text
    english = browser.get("/privacy/statement", token=launch(browser, lms, "student4"))
    assert "What happens with your data" in english.text


def test_the_statement_opens_without_a_launch_too_with_the_default_terms(tool_url):
    import requests
    page = requests.get(tool_url + "/privacy/statement", headers={"Accept-Language": "nl"}, timeout=10)
    assert page.status_code == 200 and "Wat er met je gegevens gebeurt" in page.text
    assert "12 maanden" in page.text and "2 jaar" in page.text
