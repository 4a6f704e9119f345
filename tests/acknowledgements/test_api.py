"""The acknowledgement API: my code, my status, acknowledging; the launch token header is the only key."""
import pytest
import requests

from tests.support.pages import launch, publish_defaults


@pytest.fixture(scope="module")
def codes(app, school_lms):
    return publish_defaults(app, school_lms.school_id)


def _api(tool_url, token, method="get", path="", **kw):
    headers = {"X-Launch-Token": token} if token else {}
    return requests.request(method, f"{tool_url}/api/v1{path}", headers=headers, timeout=30, **kw)


def test_the_openapi_document_describes_every_path(tool_url):
    spec = requests.get(f"{tool_url}/api/v1/openapi.json", timeout=30).json()
    assert spec["openapi"].startswith("3.")
    assert {"/me/code", "/me/status", "/me/acknowledgements"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["launchToken"]["name"] == "X-Launch-Token"


def test_a_student_reads_the_code_acknowledges_and_sees_the_status(browser, tool_url, school_lms, codes):
    _, token = launch(browser, school_lms, "student")
    code = _api(tool_url, token, path="/me/code")
    assert code.status_code == 200
    body = code.json()
    assert body["id"] == codes["student"] and body["audience"] == "student"
    assert all("answer" not in q for q in body["content"]["questions"]), "the right answers stay secret"
    assert _api(tool_url, token, path="/me/status").json()["state"] == "not_yet"
    wrong = _api(tool_url, token, "post", "/me/acknowledgements",
                 json={"version_id": body["id"], "answers": [0, 1, 1], "confirm": True})
    assert wrong.status_code == 422 and wrong.json()["rules"] == ["phones-in-class"]
    done = _api(tool_url, token, "post", "/me/acknowledgements",
                json={"version_id": body["id"], "answers": [1, 1, 1], "confirm": True, "locale": "en"})
    assert done.status_code == 201, done.text
    assert done.json()["version"] == 1 and done.json()["check_passed"] is True
    status = _api(tool_url, token, path="/me/status").json()
    assert status["state"] == "acknowledged" and status["acknowledgement"]["locale"] == "en"
    again = _api(tool_url, token, "post", "/me/acknowledgements",
                 json={"version_id": body["id"], "answers": [1, 1, 1], "confirm": True})
    assert again.status_code == 409 and again.json()["error"] == "conflict"


@pytest.mark.parametrize("body, status", [
    ({}, 400), ({"version_id": "x", "confirm": True}, 400), ({"version_id": 1, "confirm": False}, 400),
    ({"version_id": 999999, "confirm": True}, 404), ({"version_id": 1, "confirm": True, "user_id": 2}, 400),
    ({"version_id": 1, "confirm": True, "answers": list(range(50))}, 400),
    # An id no database row can have (larger than an integer column, or negative) is invalid, not a 500.
    ({"version_id": 2**53, "confirm": True}, 400), ({"version_id": -2**53, "confirm": True}, 400),
])
def test_bad_bodies_are_refused_with_a_message(browser, tool_url, school_lms, codes, body, status):
    _, token = launch(browser, school_lms, "student2")
    resp = _api(tool_url, token, "post", "/me/acknowledgements", json=body)
    assert resp.status_code == status and resp.json()["message"]
    assert _api(tool_url, token, path="/me/status").json()["state"] == "not_yet"


def test_no_token_or_a_cookie_alone_is_refused(browser, tool_url, school_lms, codes):
    launch(browser, school_lms, "student3")
    assert _api(tool_url, None, path="/me/status").status_code == 401
    assert _api(tool_url, "forged", path="/me/status").status_code == 401
    with_cookie = browser.get("/api/v1/me/status")
    assert with_cookie.status_code == 401, "the session cookie alone never authenticates the API"
    assert _api(tool_url, None, "post", "/me/acknowledgements", json={}).status_code == 401
