"""A draft saved with errors names each problem in the author's words and language, links it to its
field, and marks that field for screen readers; never an internal name like content.rules.0.title."""
import re

import pytest
from bs4 import BeautifulSoup

from tests.support.form_errors import assert_field_tied_to_message, summary_entries
from tests.support.pages import editor_fields, launch

WORDS = {
    "en": {"rule": "Rule 1, title (English)", "question": "Question 1, right answer (option number)",
           "too_long": "Use at most 200 characters.", "answer": "Choose the number of the right option."},
    "nl": {"rule": "Regel 1, titel (English)", "question": "Vraag 1, het juiste antwoord (nummer van de keuze)",
           "too_long": "Gebruik ten hoogste 200 tekens.", "answer": "Kies het nummer van het goede antwoord."},
}


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_a_broken_rule_and_question_are_named_in_the_authors_words_and_tied_to_their_fields(
        browser, school_lms, locale):
    _, token = launch(browser, school_lms, "admin", locale=locale)
    editor = browser.get("/conduct/student/draft", token=token)
    action, fields = editor_fields(editor.text)
    fields["question-0-prompt-nl"] = fields.get("question-0-prompt-nl") or "Vraag"
    fields.update({"rule-0-title-en": "x" * 201, "question-0-answer": "not a number"})
    resp = browser.post(action, data=fields)
    assert resp.status_code == 400
    words = WORDS[locale]
    entries = summary_entries(resp.text)
    texts = [text for _, text in entries]
    assert f"{words['rule']}: {words['too_long']}" in texts
    assert f"{words['question']}: {words['answer']}" in texts
    assert not re.search(r"content\.|rules\.\d|questions\.\d", resp.text), "no internal names"
    links = dict((text, field) for field, text in entries)
    assert links[f"{words['rule']}: {words['too_long']}"] == "rule-0-title-en"
    assert links[f"{words['question']}: {words['answer']}"] == "question-0-answer"
    assert_field_tied_to_message(resp.text, "rule-0-title-en", words["too_long"])
    assert_field_tied_to_message(resp.text, "question-0-answer", words["answer"])
    soup = BeautifulSoup(resp.text, "html.parser")
    assert soup.select('[aria-invalid="true"]') and len(soup.select('[aria-invalid="true"]')) == 2


def test_a_question_that_points_at_no_rule_is_named_by_its_number(browser, school_lms):
    _, token = launch(browser, school_lms, "admin", locale="en")
    action, fields = editor_fields(browser.get("/conduct/student/draft", token=token).text)
    fields["question-0-rule"] = "no-such-rule"
    resp = browser.post(action, data=fields)
    assert resp.status_code == 400
    assert ("question-0-rule", "Question 1, rule it checks: Choose one of the rules of this code.") \
        in summary_entries(resp.text)
    assert_field_tied_to_message(resp.text, "question-0-rule", "Choose one of the rules of this code.")


def test_every_error_path_of_a_draft_has_a_field_of_the_editor(app):
    """The mapping covers each field the editor shows; anything else falls back to a word, not a path."""
    from lti_tool.conduct.schemas import draft_error_place
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert draft_error_place("content.rules.2.ladder.1.nl") == (
            "rule-2-ladder-nl", "Rule 3, consequences, one step per line, step 2 (Nederlands)")
        assert draft_error_place("content.rules.0.ladder") == ("rule-0-ladder-nl", "Rule 1, consequences, one step per line")
        assert draft_error_place("content.rules.0.key") == ("rule-0", "Rule 1")
        assert draft_error_place("content.questions.1.options") == ("question-1-options-nl", "Question 2, options, one per line")
        assert draft_error_place("content.intro.en") == ("intro-en", "Introduction (English)")
        assert draft_error_place("due_date") == ("due_date", "Acknowledge by (optional)")
        assert draft_error_place("content._schema") == ("", "The draft")
