"""The reporter is safe: a "leave quickly" control on every reporting page that goes to a neutral page
(also without a launch), reporting addresses that name no category or reference, pages the browser
does not keep, help beyond 112 where it fits, and what the LMS records said plainly."""
from urllib.parse import parse_qs

import pytest
from bs4 import BeautifulSoup

from tests.cases.conftest import make_case, user_id
from tests.support.browser import Browser, form_of, text_of
from tests.support.pages import launch, publish_defaults

from .helpers import open_form, reference_of, report_fields

NEUTRAL = "/code/view"


@pytest.fixture(scope="module")
def codes(app, school_lms):
    return publish_defaults(app, school_lms.school_id)


@pytest.fixture
def student(browser, school_lms, codes):
    _, token = launch(browser, school_lms, "student3", locale="en")
    return token


def _soup(resp):
    return BeautifulSoup(resp.text, "html.parser")


def _reporting_pages(app, browser, db_session, school_lms, token):
    """Every page of reporting, as (name, response): both form steps, a refused form, receipt,
    My reports, one report's thread."""
    pages = [("step 1", browser.get("/reports/new", token=token))]
    step1 = pages[0][1]
    action, fields = form_of(step1.text, "form[action*='/reports/new']")
    pages.append(("step 2 (posted)", browser.post(action, data={**fields, "category": "sexual_images"})))
    pages.append(("step 2 (old link)", browser.get("/reports/new?category=threats", token=token)))
    _, form_action, hidden = open_form(browser, token, "cyberbullying")
    pages.append(("refused form", browser.post(form_action, data={**hidden, **report_fields(what_happened="")})))
    sent = browser.post(form_action, data={**hidden, **report_fields()})
    reference = reference_of(sent)
    pages.append(("receipt", browser.get(sent.headers["Location"])))
    pages.append(("my reports", browser.get("/reports/mine", token=token)))
    pages.append(("thread", browser.get(f"/reports/{reference}", token=token)))
    return reference, pages


def test_every_reporting_page_has_a_leave_quickly_link_to_a_neutral_page_and_keeps_no_address(
        app, browser, db_session, school_lms, student):
    reference, pages = _reporting_pages(app, browser, db_session, school_lms, student)
    for name, page in pages:
        assert page.status_code in (200, 400), (name, page.status_code)
        soup = _soup(page)
        [exit_link] = soup.select("a[data-quick-exit]")
        assert exit_link["href"] == NEUTRAL, (name, exit_link["href"])
        assert "Leave quickly" in exit_link.text
        assert soup.select_one("script[src*='quick_exit.js']") is not None, name
        address = soup.select_one('meta[name="vo-page-address"]')
        assert address is not None, f"{name} takes a neutral address in the history"
        path, _, query = address["content"].partition("?")
        assert path in ("/reports/new", "/reports/mine"), (name, address["content"])
        assert set(parse_qs(query)) <= {"ls"}, "at most the launch selector, which names no report"
        assert reference not in soup.title.text and "category" not in address["content"]
        assert page.headers["Cache-Control"] == "no-store", name
    receipt = dict(pages)["receipt"]
    assert reference in text_of(receipt.text), "the reference stays visible on the page itself"


def test_choosing_a_kind_is_posted_so_the_address_never_names_it(browser, student):
    step1 = _soup(browser.get("/reports/new", token=student))
    buttons = step1.select("form[method=post] button[name=category]")
    assert len(buttons) == 8 and not step1.select("a[href*='category=']")


@pytest.mark.parametrize("launched", [True, False])
def test_the_neutral_page_shows_the_code_and_nothing_of_a_report(
        app, tool_url, browser, db_session, school_lms, student, launched):
    reporter = user_id(db_session, school_lms, "student3")
    case = make_case(app, school_lms.school_id, reporter_user_id=reporter, category="sexual_images",
                     what="A picture of me in the group chat.")
    visitor = browser if launched else Browser(tool_url)
    page = visitor.get(NEUTRAL, token=student if launched else None)
    assert page.status_code == (200 if launched else 401), "without a launch: the calm page, as a 401"
    text = text_of(page.text)
    assert "Code of conduct" in text
    for trace in (case.reference, "Sexual or nude images", "group chat", "Received", "new answer"):
        assert trace not in text, trace
    assert "lt=" not in NEUTRAL
    if launched:
        assert "Filming and photographing others" in text, "the school's published code, read-only"
        assert "Acknowledge" not in text and "<form" not in page.text


def test_help_beyond_112_is_offered_where_it_fits(browser, student):
    general = text_of(browser.get("/reports/new", token=student).text)
    for line in ("112", "Kindertelefoon", "0800-0432", "kindertelefoon.nl", "113 Zelfmoordpreventie",
                 "0800-0113", "Veilig Thuis", "0800-2000", "Helpwanted"):
        assert line in general, line
    bullying = text_of(browser.get("/reports/new?category=cyberbullying", token=student).text)
    assert "Kindertelefoon" in bullying and "0800-0113" in bullying and "0800-2000" not in bullying
    threats = text_of(browser.get("/reports/new?category=threats", token=student).text)
    assert "Veilig Thuis" in threats and "0800-2000" in threats
    images = text_of(browser.get("/reports/new?category=fight_video", token=student).text)
    assert "Helpwanted" in images and "0800-0113" not in images


def test_a_report_that_happened_to_me_shows_the_113_line(app, browser, db_session, school_lms, student):
    _, action, hidden = open_form(browser, student, "other")
    sent = browser.post(action, data={**hidden, **report_fields("other", affected="yes")})
    receipt = text_of(browser.get(sent.headers["Location"]).text)
    assert "113 Zelfmoordpreventie" in receipt and "Kindertelefoon" in receipt and "Veilig Thuis" in receipt


def test_help_and_the_pseudonym_example_are_in_the_readers_language(browser, school_lms, codes):
    english = browser.get("/reports/new?category=cyberbullying", token=launch(browser, school_lms, "student2",
                                                                               locale="en")[1])
    assert "“Reporter 4821”" in english.text and "Melder" not in english.text
    assert "Free and anonymous" in text_of(english.text)
    dutch_browser = Browser(browser.tool_url)
    dutch = dutch_browser.get("/reports/new?category=cyberbullying",
                              token=launch(dutch_browser, school_lms, "student2", locale="nl")[1])
    assert "“Melder 4821”" in dutch.text and "Reporter 4821" not in dutch.text
    assert "Gratis en anoniem" in text_of(dutch.text) and "Kindertelefoon" in dutch.text


def test_the_report_form_says_what_the_lms_records(browser, student):
    for page in (browser.get("/reports/new", token=student), browser.get("/reports/new?category=other", token=student)):
        notice = _soup(page).select_one("details.privacy-notice")
        assert notice is not None and "records that you opened Veilig Online" in text_of(str(notice))
        assert "does not record what you do in it" in text_of(str(notice))


def test_the_code_page_offers_reporting_once_in_one_click(browser, school_lms, codes):
    page, token = launch(browser, school_lms, "student4", locale="en")
    assert "/code" in page.url, "a student who has not acknowledged lands on the code"
    main = _soup(page).select_one("main")
    links = [a for a in main.select("a[href]") if a["href"].startswith("/reports/new")]
    assert len(links) == 1 and links[0].text.strip() == "Report an incident"
