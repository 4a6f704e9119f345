"""Who sees what: only the reporter sees their report; anyone else's or a made-up one is a 404; no launch, 401."""
import pytest
import requests

from tests.support.browser import Browser
from tests.support.pages import launch

from .helpers import reference_of, send


@pytest.fixture(scope="module")
def filed(tool_url, school_lms):
    """A report of student4 at this module's school: (reference, student4's browser and token)."""
    browser = Browser(tool_url)
    _, token = launch(browser, school_lms, "student4", locale="en")
    resp, _ = send(browser, token, "threats", identity="named")
    assert resp.status_code == 303
    return reference_of(resp), browser, token


def _not_found_alike(browser, token, reference):
    """The answers for a report someone may not see, next to those for one that does not exist."""
    pages = [browser.get(f"{path}", token=token).status_code
             for path in (f"/reports/{reference}", f"/reports/{reference}/receipt")]
    api = requests.get(f"{browser.tool_url}/api/v1/me/reports/{reference}",
                       headers={"X-Launch-Token": token}, timeout=30)
    reply = requests.post(f"{browser.tool_url}/api/v1/me/reports/{reference}/messages",
                          headers={"X-Launch-Token": token}, json={"body": "hi"}, timeout=30)
    return pages + [api.status_code, reply.status_code], api.json()["message"]


@pytest.mark.parametrize("user", ["student", "teacher", "admin", "coordinator"])
def test_nobody_else_at_the_school_sees_a_report(browser, school_lms, filed, user):
    reference, _, _ = filed
    _, token = launch(browser, school_lms, user, locale="en")
    theirs, message = _not_found_alike(browser, token, reference)
    made_up, made_up_message = _not_found_alike(browser, token, "VO-2222-3333")
    assert theirs == made_up == [404, 404, 404, 404] and message == made_up_message
    mine = browser.get("/reports/mine", token=token)
    assert reference not in mine.text


def test_another_school_never_sees_it(browser, other_lms, filed):
    reference, _, _ = filed
    _, token = launch(browser, other_lms, "student4", locale="en")
    statuses, _ = _not_found_alike(browser, token, reference)
    assert statuses == [404, 404, 404, 404]


def test_the_reporter_sees_it_by_reference_in_any_case(filed):
    reference, browser, token = filed
    assert browser.get(f"/reports/{reference.lower()}", token=token).status_code == 200


def test_without_a_launch_every_report_page_and_call_is_401(tool_url, filed):
    reference, _, _ = filed
    stranger = Browser(tool_url)
    for path in ("/reports/new", "/reports/mine", f"/reports/{reference}", f"/reports/{reference}/receipt"):
        assert stranger.get(path).status_code == 401, path
    for path in ("/me/reports", "/me/reports/new", f"/me/reports/{reference}"):
        assert requests.get(f"{tool_url}/api/v1{path}", timeout=30).status_code == 401
    assert requests.post(f"{tool_url}/api/v1/me/reports", json={}, timeout=30).status_code == 401


def test_a_cookie_alone_does_not_open_the_api(filed):
    reference, browser, _ = filed
    resp = browser.http.get(f"{browser.tool_url}/api/v1/me/reports/{reference}", timeout=30)
    assert resp.status_code == 401
