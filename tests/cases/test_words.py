"""Dutch first, every day: the words a Dutch school would write, counted the way people count, charts
that never show half a report, and a report form that speaks warmly to a child who was hurt."""
from datetime import date

import pytest
from bs4 import BeautifulSoup

from lti_tool.cases import charts
from tests.cases.conftest import designate
from tests.support.browser import Browser, text_of
from tests.support.pages import launch


@pytest.fixture(scope="module")
def dutch(app, school_lms, tool_url):
    """Dutch launches of a coordinator and a student of the module's school: (browser, token) each."""
    people = {}
    for key in ("coordinator", "student"):
        own = Browser(tool_url)
        people[key] = (own, launch(own, school_lms, key, locale="nl")[1])
    from lti_tool.extensions import db
    with app.app_context():
        designate(db.session, school_lms, "coordinator")
    return people


def test_the_settings_do_not_call_weekday_hours_working_hours_nor_good_practice_the_law(dutch):
    browser, token = dutch["coordinator"]
    body = text_of(browser.get("/cases/settings", token=token).text)
    assert "werkuren" not in body and "wettelijk" not in body and "wet vastgelegd" not in body
    assert "in uren op werkdagen" in body
    assert "Goed gebruik" in body and "niet in de wet" in body
    assert "vrijdag 15:00" in body and "maandag om 15:00" in body


def test_the_student_home_asks_once_to_report_and_once_more_in_warm_words(dutch):
    browser, token = dutch["student"]
    page = browser.get("/", token=token).text
    assert page.count("Meld een incident") == 1
    assert "Is er iets gebeurd? Vertel het ons" in page


def test_the_report_form_speaks_warmly_and_blames_nobody(dutch):
    browser, token = dutch["student"]
    body = text_of(browser.get("/reports/new", token=token).text)
    assert "niet wat je ervan vindt" not in body, "a victim's feelings are not waved away"
    assert "Online gepest, buitengesloten" not in body
    form = text_of(browser.get("/reports/new?category=cyberbullying", token=token).text)
    assert "Dat is nooit oké." in body or "Dat is nooit oké." in form
    assert "Het hoeft niet perfect." in body or "Het hoeft niet perfect." in form


def test_an_error_page_gives_a_code_to_mention_not_an_error_code(dutch):
    browser, token = dutch["student"]
    resp = browser.get("/cases/audit?before=abc", token=token)
    assert resp.status_code == 403
    body = text_of(resp.text)
    assert "Foutcode" not in body and "Vraag je hier hulp bij? Noem dan code 403." in body


def test_the_conduct_editor_names_the_right_answer_in_proper_dutch(app):
    from flask_babel import force_locale, gettext
    with app.test_request_context(), force_locale("nl"):
        assert gettext("Right answer (option number)") == "Het juiste antwoord (nummer van de keuze)"


@pytest.mark.parametrize("done,total,percent", [(2, 3, 67), (1, 3, 33), (3, 8, 38), (199, 200, 99), (1, 1000, 1),
                                                (0, 5, 0), (5, 5, 100), (0, 0, 0)])
def test_a_share_is_rounded_as_people_do_never_all_before_everyone_nor_none_after_someone(done, total, percent):
    from lti_tool.courses.overview import ACKNOWLEDGED, STATES, Tally
    tally = Tally()
    other = next(state for state in STATES if state != ACKNOWLEDGED)
    for n in range(total):
        tally.add(ACKNOWLEDGED if n < done else other)
    assert tally.percent == percent


@pytest.mark.parametrize("largest,ticks", [(1, [0, 1]), (2, [0, 1, 2]), (3, [0, 5]), (4, [0, 5]), (7, [0, 5, 10]),
                                           (0, [0, 1])])
def test_a_count_axis_has_whole_numbers_only(largest, ticks):
    month = type("Month", (), {"total": largest, "counts": {"cyberbullying": largest}})()
    chart = charts.stacked_months([month], lambda m: "jan 2026")
    assert [t["value"] for t in chart["ticks"]] == ticks
    assert all(isinstance(t["value"], int) for t in chart["ticks"])


def test_month_labels_are_one_form_of_dutch_month_names(app):
    from flask_babel import force_locale
    from lti_tool.cases.dashboard import _month_label
    with app.test_request_context(), force_locale("nl"):
        labels = [_month_label(type("M", (), {"start": date(2026, m, 1)})()) for m in (1, 2, 3, 12)]
    assert labels == ["jan 2026", "feb 2026", "mrt 2026", "dec 2026"]


def test_the_dashboard_in_dutch_shows_dutch_months_and_no_half_reports(dutch):
    browser, token = dutch["coordinator"]
    soup = BeautifulSoup(browser.get("/cases/dashboard", token=token).text, "html.parser")
    ticks = [t.get_text() for t in soup.select("svg text.tick")]
    assert ticks and all(t.isdigit() for t in ticks), ticks
    axis = [t.get_text() for t in soup.select("svg text.axis")]
    assert axis and all(label[:3].islower() and label[:3].isalpha() and label[3:6] == " ’2" for label in axis), axis
    assert "werkuren" not in soup.get_text()
