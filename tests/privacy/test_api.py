"""The privacy API: a school admin reads the terms and one person's archive (never a pseudonymous
report); a teacher, a coordinator, another school and nobody at all are refused in JSON."""
import json

import pytest
import requests
from sqlalchemy import select

from lti_tool.cases.models import AuditEvent
from tests.privacy.conftest import launch


def _get(tool_url, path, token=None):
    return requests.get(tool_url + "/api/v1" + path, headers={"X-Launch-Token": token} if token else {}, timeout=10)


def test_an_admin_reads_the_archive_as_json_without_the_pseudonymous_report(tool_url, browser, db_session, pupil):
    token = launch(browser, pupil["lms"], "admin")
    resp = _get(tool_url, f"/privacy/people/{pupil['member_id']}", token)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    sections = {section["key"]: section for section in body["sections"]}
    assert sections["profile"]["rows"][0]["Name"] == "Sanne de Vries"
    text = json.dumps(body)
    assert pupil["named"].reference in text and "group chat" in text
    assert pupil["hidden"].reference not in text and "fake account" not in text
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.school_id == pupil["school_id"],
                                                       AuditEvent.action == "access_request_exported",
                                                       AuditEvent.report_id == pupil["named"].id)).one()
    terms = _get(tool_url, "/privacy/terms", token).json()["terms"]
    assert {t["key"]: t["value"] for t in terms}["pupil_years"] == "2 years"


@pytest.mark.parametrize("user_key", ["teacher", "coordinator", "student"])
def test_other_roles_are_refused(tool_url, browser, pupil, user_key):
    token = launch(browser, pupil["lms"], user_key)
    for path in (f"/privacy/people/{pupil['member_id']}", "/privacy/terms"):
        resp = _get(tool_url, path, token)
        assert resp.status_code == 403 and resp.json()["error"] == "forbidden"


def test_another_school_and_nobody_get_nothing(tool_url, browser, pupil, make_lms):
    token = launch(browser, make_lms(), "admin")
    resp = _get(tool_url, f"/privacy/people/{pupil['member_id']}", token)
    assert resp.status_code == 404 and "Sanne" not in resp.text
    assert _get(tool_url, "/privacy/people/99999999999", token).status_code == 404
    assert _get(tool_url, f"/privacy/people/{pupil['member_id']}").status_code == 401


def test_the_openapi_document_describes_the_privacy_api(tool_url):
    spec = requests.get(f"{tool_url}/api/v1/openapi.json", timeout=30).json()
    assert {"/privacy/terms", "/privacy/people/{member_id}"} <= set(spec["paths"])
    assert not any("erase" in path for path in spec["paths"]), "erasure stays behind the page's confirmation"
    assert {"PrivacyTerms", "PrivacyArchive"} <= set(spec["components"]["schemas"])
