"""A teacher places the code of conduct or the report button; the LMS gets a signed answer."""
import pytest

from tests.support.browser import continues_to, form_of, text_of


def _deep_link_page(browser, lms, user="teacher"):
    resp = browser.launch(lms, user, message_type="LtiDeepLinkingRequest")
    assert "/lti/deep-link" in (continues_to(resp) or ""), resp.text
    return browser.follow(resp)


def test_teacher_places_both_items_and_the_lms_accepts_the_signed_answer(browser, lms):
    page = _deep_link_page(browser, lms)
    action, fields = form_of(page.text)
    resp = browser.post(action, data=list(fields.items()) + [("items", "report")])
    assert resp.status_code == 200
    return_url, answer = form_of(resp.text, "form[data-autosubmit]")
    assert return_url == lms.deep_link_return_url
    before = len(lms.placed_items)
    lms_resp = browser.http.post(return_url, data=answer, timeout=30)
    assert lms_resp.status_code in (200, 302, 303), lms_resp.text
    placed = lms.placed_items[before:]
    titles = {item["title"] for item in placed}
    assert titles == {"Gedragscode", "Meld een incident"}
    code = next(i for i in placed if i["title"] == "Gedragscode")
    assert code["type"] == "ltiResourceLink" and code["lineItem"]["scoreMaximum"] == 1
    assert code["custom"] == {"placement": "code"}


def test_choosing_nothing_is_refused_with_a_message(browser, lms):
    page = _deep_link_page(browser, lms)
    action, fields = form_of(page.text)
    fields.pop("items", None)
    resp = browser.post(action, data=fields)
    assert resp.status_code == 400
    assert "Kies ten minste" in text_of(resp.text)


def test_unknown_items_are_refused(browser, lms):
    page = _deep_link_page(browser, lms)
    action, fields = form_of(page.text)
    fields["items"] = "everything"
    assert browser.post(action, data=fields).status_code == 400


@pytest.mark.parametrize("user", ["student"])
def test_students_cannot_place_items(browser, lms, user):
    resp = browser.launch(lms, user, message_type="LtiDeepLinkingRequest")
    assert browser.follow(resp).status_code == 403


def test_the_deep_link_page_needs_a_deep_linking_launch(browser, lms):
    page = browser.follow(browser.launch(lms, "teacher"))  # the code's link: the code, or the start page
    from urllib.parse import urlsplit
    resp = browser.get(f"/lti/deep-link?{urlsplit(page.url).query}")
    assert resp.status_code == 400


def test_the_picker_recommends_one_activity_and_warns_about_a_separate_report_activity(browser, lms):
    from bs4 import BeautifulSoup
    page = _deep_link_page(browser, lms)
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.select_one("input[name=items][value=code]").has_attr("checked"), "the code alone is the default"
    report = soup.select_one("input[name=items][value=report]")
    assert not report.has_attr("checked"), "a separate report activity stays possible, never the default"
    warning = soup.select_one("#" + report["aria-describedby"])
    # The demo LMS launches in Dutch: the teacher reads the warning in their language.
    assert "Cursusmodule bekeken" in text_of(str(warning)) and "logboeken" in text_of(str(warning))
