"""No report takes a picture or a file: refused with an explanation, nothing stored, the words come back."""
import base64
import os

import pytest
import requests

from lti_tool.imagesafe import image_in
from tests.support.browser import text_of
from tests.support.pages import launch

from tests.reports.helpers import open_form, report_fields, reports_of

PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
BLOB = base64.b64encode(os.urandom(400)).decode()

SMUGGLED = {
    "data URL": ("what_happened", "This is the photo: data:image/png;base64," + PNG),
    "img tag": ("what_happened", 'Here it is <img src="https://evil.example/x.jpg"> look'),
    "markdown image": ("holders", "Everyone in ![the chat](https://evil.example/x.png) has it"),
    "base64 blob": ("involved", "Pasted: " + BLOB),
    "data URL as the link": ("link", "data:image/jpeg;base64," + PNG),
}


@pytest.fixture(scope="module")
def student(school_lms):
    school_lms.add_students(12, prefix="img")
    return school_lms


def _refused(resp, category):
    assert resp.status_code == 422, resp.text[:500]
    text = text_of(resp.text)
    assert "cannot contain pictures, screenshots, videos or files" in text
    assert "Nothing has been saved" in text
    if category == "sexual_images":
        for route in ("helpwanted.nl", "takeitdown.ncmec.org", "stopncii.org", "police"):
            assert route in text


@pytest.mark.parametrize("category", ["sexual_images", "cyberbullying"])
def test_a_file_sent_with_a_report_is_refused_and_nothing_is_stored(browser, student, db_session, category):
    user = "img-1" if category == "sexual_images" else "img-2"
    _, token = launch(browser, student, user, locale="en")
    _, action, hidden = open_form(browser, token, category)
    fields = {**hidden, **report_fields(category, what_happened="A photo of me is going round in the class chat.")}
    resp = browser.post(action, data=fields,
                        files={"evidence": ("screenshot.txt", b"\xff\xd8\xff\xe0 not really text", "text/plain")})
    _refused(resp, category)
    assert "A photo of me is going round in the class chat." in resp.text, "the words come back"
    assert "@meanie" in resp.text and "https://www.instagram.com/p/abc123/" in resp.text
    assert reports_of(db_session, student, user) == []


@pytest.mark.parametrize("how", list(SMUGGLED))
def test_an_image_hidden_in_a_text_field_is_refused_and_never_sent_back(browser, student, db_session, how):
    user = f"img-{3 + list(SMUGGLED).index(how)}"
    _, token = launch(browser, student, user, locale="en")
    field, value = SMUGGLED[how]
    _, action, hidden = open_form(browser, token, "sexual_images")
    data = {**hidden, **report_fields("sexual_images", holders="the group chat"), field: value}
    resp = browser.post(action, data=data)
    _refused(resp, "sexual_images")
    assert PNG not in resp.text and BLOB not in resp.text and "evil.example" not in resp.text
    if field != "what_happened":
        assert "Someone keeps posting mean comments" in resp.text, "the other words come back"
    assert "took a picture, file or encoded image out of this field" in resp.text
    assert reports_of(db_session, student, user) == []


def test_the_sexual_images_form_offers_no_upload_and_shows_the_takedown_routes(browser, student):
    _, token = launch(browser, student, "img-9", locale="en")
    page, _, _ = open_form(browser, token, "sexual_images")
    text = text_of(page.text)
    assert 'type="file"' not in page.text and "enctype" not in page.text
    assert "Do not send the picture or video, not even to us" in text
    for route in ("Helpwanted / Offlimits", "Take It Down", "StopNCII", "The police can help"):
        assert route in text
    assert "Who has the image, or where was it sent?" in text, "structured evidence instead"
    assert "Call 112" in text


def test_the_api_refuses_images_and_files_too(tool_url, browser, student, db_session):
    _, token = launch(browser, student, "img-10", locale="en")
    headers = {"X-Launch-Token": token}
    new = requests.get(f"{tool_url}/api/v1/me/reports/new", headers=headers, timeout=30).json()
    body = {**report_fields("sexual_images"), "submission": new["submission"]}
    body.pop("affected")
    for field, value in SMUGGLED.values():
        resp = requests.post(f"{tool_url}/api/v1/me/reports", headers=headers, timeout=30,
                             json={**body, field: value})
        assert resp.status_code == 422 and resp.json()["error"] == "images_refused", resp.text
        assert PNG not in resp.text
    nested = requests.post(f"{tool_url}/api/v1/me/reports", headers=headers, timeout=30,
                           json={**body, "extra": {"deep": ["<img src=x>"]}})
    assert nested.status_code == 422
    multipart = requests.post(f"{tool_url}/api/v1/me/reports", headers=headers, timeout=30,
                              data={"category": "other"}, files={"f": ("a.png", b"\x89PNG\r\n", "image/png")})
    assert multipart.status_code == 422 and multipart.json()["error"] == "images_refused"
    assert reports_of(db_session, student, "img-10") == []


@pytest.mark.parametrize("text", [
    "Someone shared my data: address and phone number.",
    "Gegevens: mijn adres is gedeeld. Data: 12 mei om 20:00.",
    "https://www.instagram.com/p/Cx9-abcDEF_12/?igsh=MWZ5bDhxZmFhcnU=",
    "https://www.nu.nl/binnenland/6301234/leerling-van-middelbare-school-slachtoffer-van-sextortion.html",
    "He wrote <3 and then :-) and said 'I'll find you' [twice] (really).",
    "!!! [urgent] please help",
])
def test_ordinary_words_and_links_are_not_mistaken_for_images(text):
    assert image_in(text) is None
