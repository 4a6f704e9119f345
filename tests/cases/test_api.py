"""The case API: the queue with filters, a case with its contents, status, assignment, messages."""
import pytest
import requests
from sqlalchemy import select

from lti_tool.cases.models import AuditEvent
from lti_tool.reports.models import Report
from tests.cases.conftest import coordinator_token, make_case, user_id


def api(tool_url, token, method="get", path="", **kw):
    return requests.request(method, f"{tool_url}/api/v1{path}", headers={"X-Launch-Token": token}, timeout=30, **kw)


@pytest.fixture
def token(browser, db_session, school_lms):
    return coordinator_token(browser, db_session, school_lms)


def test_the_openapi_document_describes_the_case_api(tool_url):
    spec = requests.get(f"{tool_url}/api/v1/openapi.json", timeout=30).json()
    assert {"/cases", "/cases/{report_id}", "/cases/{report_id}/status", "/cases/{report_id}/assignee",
            "/cases/{report_id}/messages"} <= set(spec["paths"])
    case = spec["components"]["schemas"]["Case"]["properties"]
    assert "details" in case and "notes" in case
    for schema in ("Case", "CaseSummary"):
        props = spec["components"]["schemas"][schema]["properties"]
        assert not {"reporter_link", "reporter_lookup", "reporter_user_id"} & set(props)
    assert "details" not in spec["components"]["schemas"]["CaseSummary"]["properties"]


def test_the_queue_lists_cases_without_content(tool_url, token, app, school_lms):
    urgent = make_case(app, school_lms.school_id, category="threats", what="Apricot-lighthouse threat.")
    body = api(tool_url, token, path="/cases").json()
    listed = {c["reference"]: c for c in body["cases"]}
    assert urgent.reference in listed and listed[urgent.reference]["urgent"] is True
    assert "Apricot" not in str(body) and "details" not in listed[urgent.reference]
    assert {d["kind"] for d in listed[urgent.reference]["deadlines"]} == {"first_response", "acknowledgement", "feedback"}
    only = api(tool_url, token, path="/cases", params={"category": "threats"}).json()["cases"]
    assert {c["category"] for c in only} == {"threats"}
    assert api(tool_url, token, path="/cases", params={"category": "nope"}).status_code == 400
    assert api(tool_url, token, path="/cases", params={"limit": 500}).status_code == 400


def test_a_case_with_its_contents_and_the_view_audited(tool_url, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id, category="impersonation", what="A fake account of Ms. K.")
    resp = api(tool_url, token, path=f"/cases/{case.id}")
    assert resp.status_code == 200
    body = resp.json()
    assert body["details"]["what_happened"] == "A fake account of Ms. K." and body["reporter"] == f"Pseudonym {case.pseudonym}"
    assert {s["step"] for s in body["checklist"]} >= {"victim_support", "police", "takedown"}
    assert body["messages"] == [] and body["notes"] == []
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.report_id == case.id,
                                                       AuditEvent.action == "case_viewed")).first()


def test_status_assignment_and_a_message_through_the_api(tool_url, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id)
    me = user_id(db_session, school_lms, "coordinator")
    resp = api(tool_url, token, "post", f"/cases/{case.id}/status", json={"status": "acknowledged"})
    assert resp.status_code == 200 and resp.json()["status"] == "acknowledged"
    resp = api(tool_url, token, "post", f"/cases/{case.id}/assignee", json={"assignee_id": me})
    assert resp.status_code == 200 and resp.json()["assignee"] == "Fatima Yilmaz"
    resp = api(tool_url, token, "post", f"/cases/{case.id}/messages", json={"body": "We are on it."})
    assert resp.status_code == 201 and resp.json()["author_role"] == "coordinator"
    thread = api(tool_url, token, path=f"/cases/{case.id}").json()["messages"]
    assert [m["body"] for m in thread] == ["We are on it."]
    db_session.expire_all()
    report = db_session.get(Report, case.id)
    assert report.assignee_id == me and report.first_response_at and report.reporter_acknowledged_at


@pytest.mark.parametrize("path, body", [
    ("status", {}), ("status", {"status": "closed"}), ("status", {"status": "acknowledged", "extra": 1}),
    ("assignee", {}), ("assignee", {"assignee_id": "me"}), ("messages", {}), ("messages", {"body": ""}),
    ("messages", {"body": "x" * 5001}), ("assignee", {"assignee_id": 2**53}), ("assignee", {"assignee_id": -2**53}),
    # JSON that is not an object is refused like any other bad body.
    ("status", True), ("status", ["acknowledged"]), ("assignee", 7), ("messages", "We are on it."),
])
def test_bad_bodies_are_refused(tool_url, token, app, school_lms, path, body):
    case = make_case(app, school_lms.school_id)
    resp = api(tool_url, token, "post", f"/cases/{case.id}/{path}", json=body)
    assert resp.status_code == 400 and resp.json()["message"]


def test_a_cookie_alone_does_not_open_the_api(browser, tool_url, token):
    assert browser.get("/api/v1/cases").status_code == 401
