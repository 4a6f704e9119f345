"""Case settings refused with errors name each field by its label in the coordinator's language, link
to it and mark it for screen readers."""
import pytest

from tests.support.browser import form_of
from tests.support.form_errors import assert_field_tied_to_message, summary_entries
from tests.support.pages import launch

from .conftest import designate

WORDS = {
    "en": {"hours": "First response to a report, in hours on weekdays",
           "hours_range": "Between 1 and 168 hours; weekend hours do not count (120 is a whole week).",
           "months": "Keep the contents of a closed case, in months", "months_blank": "Fill in a number."},
    "nl": {"hours": "Eerste reactie op een melding, in uren op werkdagen",
           "hours_range": "Tussen 1 en 168 uur; uren in het weekend tellen niet mee (120 is een hele week).",
           "months": "Inhoud van een afgesloten zaak bewaren, in maanden", "months_blank": "Vul een getal in."},
}


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_settings_errors_are_named_by_their_labels_and_tied_to_their_fields(browser, db_session, school_lms, locale):
    launch(browser, school_lms, "coordinator", locale=locale)
    designate(db_session, school_lms, "coordinator")
    _, token = launch(browser, school_lms, "coordinator", locale=locale)
    action, fields = form_of(browser.get("/cases/settings", token=token).text, "form.editor")
    resp = browser.post(action, data={**fields, "first_response_hours": "0", "retention_months": ""})
    assert resp.status_code == 400
    words = WORDS[locale]
    entries = summary_entries(resp.text)
    assert ("first_response_hours", f"{words['hours']}: {words['hours_range']}") in entries
    assert ("retention_months", f"{words['months']}: {words['months_blank']}") in entries
    assert "first_response_hours:" not in resp.text and "retention_months:" not in resp.text
    assert_field_tied_to_message(resp.text, "first_response_hours", words["hours_range"])
    assert_field_tied_to_message(resp.text, "retention_months", words["months_blank"])
    assert 'id="urgent_response_minutes"' in resp.text and resp.text.count('aria-invalid="true"') == 2
