"""Deeply nested or huge JSON is a 4xx with a JSON message, never a 500, wherever it arrives."""
import time

import pytest
import requests
from werkzeug.wrappers import Response

from lti_tool import jsonsafe
from lti_tool.api import json_object
from tests.support.browser import Browser
from tests.support.pages import launch

from .lms_double import registering_lms

DEEP_ARRAY = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 40_000 + "1" + "}" * 40_000  # 240 kB: under the request limit


def _api(tool_url, token, method, path, data):
    return requests.request(method, f"{tool_url}/api/v1{path}", data=data, timeout=30,
                            headers={"X-Launch-Token": token, "Content-Type": "application/json"})


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize("path", ["/me/reports", "/me/acknowledgements"])
def test_deeply_nested_json_to_the_api_is_a_400_with_a_json_message(tool_url, browser, lms, path, body):
    _, token = launch(browser, lms, "student")
    started = time.monotonic()
    resp = _api(tool_url, token, "post", path, body)
    assert resp.status_code == 400, resp.text[:300]
    assert resp.json()["error"] == "invalid_json" and resp.json()["message"]
    assert time.monotonic() - started < 5


def test_deeply_nested_json_to_a_reply_is_a_400(tool_url, browser, lms):
    _, token = launch(browser, lms, "student")
    new = requests.get(f"{tool_url}/api/v1/me/reports/new", headers={"X-Launch-Token": token}, timeout=30).json()
    created = requests.post(f"{tool_url}/api/v1/me/reports", headers={"X-Launch-Token": token}, timeout=30, json={
        "category": "other", "what_happened": "Something odd in the class chat.", "identity": "pseudonymous",
        "spreading_now": False, "submission": new["submission"]})
    assert created.status_code == 201, created.text
    resp = _api(tool_url, token, "post", f"/me/reports/{created.json()['reference']}/messages", DEEP_ARRAY)
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_json"


def test_json_larger_than_the_request_limit_is_a_413_with_a_json_message(tool_url, browser, lms):
    _, token = launch(browser, lms, "student")
    huge = '{"body": "' + "x" * 400_000 + '"}'
    resp = _api(tool_url, token, "post", "/me/reports", huge)
    assert resp.status_code == 413 and resp.json()["error"] == "request_entity_too_large"
    chunked = requests.post(f"{tool_url}/api/v1/me/reports", data=iter([huge.encode()[i:i + 65536]
                                                                         for i in range(0, len(huge), 65536)]),
                            headers={"X-Launch-Token": token, "Content-Type": "application/json"}, timeout=30)
    assert 400 <= chunked.status_code < 500 and chunked.headers["Content-Type"].startswith("application/json")


def test_every_json_request_is_guarded_even_when_read_silently(app):
    """The guard sits in the app's JSON provider, so every endpoint's get_json has it (cases too)."""
    for body in (DEEP_ARRAY, DEEP_OBJECT):
        with app.test_request_context("/api/v1/cases/1/messages", method="POST", data=body,
                                      content_type="application/json"):
            with pytest.raises(jsonsafe.JSONRefused):
                json_object()
    with app.test_request_context("/x", method="POST", data='{"a": [[["[[[[\\"]]]"]]]}', content_type="application/json"):
        from flask import request
        assert request.get_json() == {"a": [[["[[[[\"]]]"]]]}


def test_the_depth_check_takes_linear_time():
    started = time.monotonic()
    assert jsonsafe.depth("[" * 1_000_000) == 1_000_000
    assert jsonsafe.depth('"' + '[\\"' * 300_000 + '"') == 0
    assert time.monotonic() - started < 2


def test_a_deeply_nested_lms_configuration_is_a_400_not_a_500(tool_url, app, monkeypatch, strict_registration):
    monkeypatch.setitem(app.config, "LTI_REGISTRATION_ALLOW_PRIVATE", True)
    with registering_lms() as lms:
        lms.routes["/lms/.well-known/openid-configuration"] = lambda request: Response(
            '{"issuer":' + "[" * 30_000 + "]" * 30_000 + "}", mimetype="application/json")
        resp = Browser(tool_url).get(lms.registration_path())
        assert resp.status_code == 400 and "nested" in resp.text
