"""The reports API: a form token, submitting once, my reports, one of mine with its messages, replying."""
import pytest
import requests

from lti_tool.extensions import db
from lti_tool.reports import operations
from lti_tool.reports.models import CLOSED, Report, ReportMessage
from tests.support.pages import launch


def _api(tool_url, token, method="get", path="", **kw):
    headers = {"X-Launch-Token": token} if token else {}
    return requests.request(method, f"{tool_url}/api/v1{path}", headers=headers, timeout=30, **kw)


def _body(token_, **extra):
    body = {"category": "cyberbullying", "what_happened": "Mean comments under every post.",
            "platform": "TikTok", "link": "https://www.tiktok.com/@someone/video/1",
            "handle": "@someone", "when": "this week", "spreading_now": False,
            "reporter_is_affected": True, "identity": "pseudonymous", "submission": token_}
    body.update(extra)
    return body


def test_the_openapi_document_describes_the_report_paths(tool_url):
    spec = requests.get(f"{tool_url}/api/v1/openapi.json", timeout=30).json()
    assert {"/me/reports/new", "/me/reports", "/me/reports/{reference}",
            "/me/reports/{reference}/messages"} <= set(spec["paths"])
    assert "422" in spec["paths"]["/me/reports"]["post"]["responses"]
    assert "submission" in spec["components"]["schemas"]["SubmitReport"]["properties"]
    assert "reporter_user_id" not in spec["components"]["schemas"]["MyReportDetail"]["properties"]


def test_a_student_reports_through_the_api_and_follows_up(tool_url, browser, school_lms, app):
    _, token = launch(browser, school_lms, "student", locale="en")
    new = _api(tool_url, token, path="/me/reports/new").json()
    assert "sexual_images" in new["categories"] and "threats" in new["urgent_categories"]
    created = _api(tool_url, token, "post", "/me/reports", json=_body(new["submission"]))
    assert created.status_code == 201, created.text
    report = created.json()
    reference = report["reference"]
    assert report["status"] == "received" and report["details"]["handle"] == "@someone"
    assert report["identity"] == "pseudonymous" and report["messages"] == []
    assert "reporter_user_id" not in report and "assignee" not in report
    again = _api(tool_url, token, "post", "/me/reports", json=_body(new["submission"]))
    assert again.status_code == 200 and again.json()["reference"] == reference, "a second send finds the first"
    other = _api(tool_url, token, "post", "/me/reports",
                 json=_body(new["submission"], what_happened="Something different"))
    assert other.status_code == 409 and other.json()["error"] == "already_sent"

    listing = _api(tool_url, token, path="/me/reports").json()
    assert [r["reference"] for r in listing] == [reference] and listing[0]["unread"] == 0

    with app.app_context():
        stored = db.session.scalars(db.select(Report).where(Report.reference == reference)).one()
        operations.post_message(stored, ReportMessage.COORDINATOR, "We have seen it. Are you OK?", 1)
        db.session.commit()
    assert _api(tool_url, token, path="/me/reports").json()[0]["unread"] == 1
    detail = _api(tool_url, token, path=f"/me/reports/{reference}").json()
    assert detail["unread"] == 1 and detail["messages"][0]["author"] == "coordinator"
    assert detail["messages"][0]["body"] == "We have seen it. Are you OK?"
    assert set(detail["messages"][0]) == {"id", "author", "body", "created_at", "read"}, "never a name"
    assert _api(tool_url, token, path="/me/reports").json()[0]["unread"] == 0, "reading marks it read"

    reply = _api(tool_url, token, "post", f"/me/reports/{reference}/messages", json={"body": "Yes, thanks."})
    assert reply.status_code == 201 and reply.json()["author"] == "reporter"
    assert _api(tool_url, token, "post", f"/me/reports/{reference}/messages",
                json={"body": "x" * 4001}).status_code == 400
    assert _api(tool_url, token, "post", f"/me/reports/{reference}/messages",
                json={"body": "![x](https://e.example/a.png)"}).status_code == 422
    with app.app_context():
        stored = db.session.scalars(db.select(Report).where(Report.reference == reference)).one()
        stored.status = CLOSED
        db.session.commit()
    closed = _api(tool_url, token, "post", f"/me/reports/{reference}/messages", json={"body": "One more"})
    assert closed.status_code == 409
    thread = _api(tool_url, token, path=f"/me/reports/{reference}").json()["messages"]
    assert [m["author"] for m in thread] == ["coordinator", "reporter"]


@pytest.mark.parametrize("change, status, field", [
    ({"category": "nudes"}, 400, "category"),
    ({"link": "javascript:alert(1)"}, 400, "link"),
    ({"what_happened": "y" * 4001}, 400, "what_happened"),
    ({"what_happened": 12}, 400, "what_happened"),
    ({"reporter_user_id": 5}, 400, "reporter_user_id"),
    ({"submission": "forged"}, 400, None),
])
def test_bad_bodies_are_refused_with_a_message_and_nothing_stored(
        tool_url, browser, school_lms, change, status, field):
    _, token = launch(browser, school_lms, "student2", locale="en")
    submission = _api(tool_url, token, path="/me/reports/new").json()["submission"]
    resp = _api(tool_url, token, "post", "/me/reports", json=_body(submission, **change))
    assert resp.status_code == status and resp.json()["message"]
    if field:
        assert field in resp.json()["errors"]
    assert _api(tool_url, token, path="/me/reports").json() == []


def test_a_report_that_is_not_json_is_refused(tool_url, browser, school_lms):
    _, token = launch(browser, school_lms, "student2", locale="en")
    resp = _api(tool_url, token, "post", "/me/reports", data="category=other")
    assert resp.status_code == 415


def test_the_api_rate_limit_answers_429(tool_url, browser, school_lms, app):
    app.config["REPORTS_PER_HOUR"] = 1
    try:
        _, token = launch(browser, school_lms, "student3", locale="en")
        for n, expected in ((0, 201), (1, 429)):
            submission = _api(tool_url, token, path="/me/reports/new").json()["submission"]
            resp = _api(tool_url, token, "post", "/me/reports", json=_body(submission, what_happened=f"n{n}"))
            assert resp.status_code == expected, resp.text
        assert resp.json()["error"] == "rate_limited" and resp.json()["message"]
    finally:
        app.config.pop("REPORTS_PER_HOUR")
