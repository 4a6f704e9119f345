"""Readers asked to acknowledge again read first what changed; "Read in English" turns the whole page."""
import copy

import pytest
from bs4 import BeautifulSoup

from tests.support.browser import form_of
from tests.support.pages import launch, publish_defaults

NOTE = {"nl": "Regel 1 is strenger: ook in de pauze blijft je telefoon weg.",
        "en": "Rule 1 is stricter: your phone stays away during breaks too."}


@pytest.fixture(scope="module")
def first(app, school_lms):
    return publish_defaults(app, school_lms.school_id, audiences=("student",))["student"]


def _publish(app, school_id, change, note, title_nl):
    """Publish the students' draft with the first rule retitled, as an author would."""
    from lti_tool.conduct import operations
    from lti_tool.extensions import db
    with app.app_context():
        draft = operations.draft_of(school_id, "student", None)
        content = copy.deepcopy(draft.content)
        content["rules"][0]["title"]["nl"] = title_nl
        operations.save_draft(draft, {"content": content, "due_date": None}, None)
        operations.publish(draft, change, None, None, note)
        db.session.commit()


def _acknowledge(browser, page) -> None:
    action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
    answers = {f"answer-{n}": "1" for n in range(3)}
    assert browser.post(action, data={**fields, **answers, "confirm": "true"}).status_code == 303


def _position(html: str, selector: str) -> int:
    soup = BeautifulSoup(html, "html.parser")
    found = soup.select_one(selector)
    return -1 if found is None else list(soup.descendants).index(found)


def test_a_reader_asked_again_sees_what_changed_first_in_their_language(app, browser, school_lms, first):
    dutch, english, newcomer = (type(browser)(browser.tool_url) for _ in range(3))
    page, _ = launch(dutch, school_lms, "student")
    assert "what-changed" not in page.text, "nothing to tell before the first acknowledgement"
    _acknowledge(dutch, page)
    page, _ = launch(english, school_lms, "student4")  # whose LMS speaks English
    _acknowledge(english, page)

    _publish(app, school_lms.school_id, "minor", {"nl": "Spelfout in regel 1 verbeterd.", "en": ""}, "Telefoon in de les.")
    _publish(app, school_lms.school_id, "major", NOTE, "Telefoon op school")

    again, token = launch(dutch, school_lms, "student")
    api = dutch.get("/api/v1/me/code", token=token).json()
    assert [(change["number"], change["note"]["nl"]) for change in api["changes"]] == [
        (3, NOTE["nl"]), (2, "Spelfout in regel 1 verbeterd.")]
    assert api["languages"] == ["nl", "en"]
    box = BeautifulSoup(again.text, "html.parser").select_one(".what-changed")
    assert box is not None
    notes = [p.get_text() for p in box.select(".change-note")]
    assert notes == [NOTE["nl"], "Spelfout in regel 1 verbeterd."], "every change since, newest first"
    assert 0 < _position(again.text, ".what-changed") < _position(again.text, "article.code"), "above the code"

    again_en, _ = launch(english, school_lms, "student4")
    notes = BeautifulSoup(again_en.text, "html.parser").select(".what-changed .change-note")
    assert [(p.get_text(), p["lang"]) for p in notes] == [
        (NOTE["en"], "en"), ("Spelfout in regel 1 verbeterd.", "nl")], "Dutch where the note has no English"

    fresh, _ = launch(newcomer, school_lms, "student2")
    assert "what-changed" not in fresh.text, "a first-time reader reads the code itself"
    _acknowledge(dutch, again)
    done = dutch.get("/code", token=None)
    assert done.status_code == 200 and "article" in done.text
    assert "what-changed" not in done.text, "once acknowledged, the note has done its work"


def test_read_in_english_turns_the_whole_page_and_back(browser, school_lms, first):
    page, token = launch(browser, school_lms, "student3")
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.html["lang"] == "nl"
    dutch_button = soup.select_one("form[action*='/code/acknowledge'] button").get_text(strip=True)
    switch = soup.select_one(".lang-switch a")
    assert switch.get_text() == "Read in English"
    english = browser.get(switch["href"], token=token)
    soup = BeautifulSoup(english.text, "html.parser")
    assert soup.html["lang"] == "en", "the page around the code is English too"
    assert soup.select_one("form[action*='/code/acknowledge'] button").get_text(strip=True) == "Acknowledge"
    assert soup.select_one("article.code")["lang"] == "en"
    assert soup.select_one('form input[name="locale"]')["value"] == "en"
    back = soup.select_one(".lang-switch a")
    assert back.get_text() == "Lees in het Nederlands"
    dutch = BeautifulSoup(browser.get(back["href"], token=token).text, "html.parser")
    assert dutch.html["lang"] == "nl"
    assert dutch.select_one("form[action*='/code/acknowledge'] button").get_text(strip=True) == dutch_button != "Acknowledge"
