"""The privacy API: a school admin reads the terms and one person's archive (never a pseudonymous
report); a teacher, a coordinator, another school and nobody at all are refused in JSON."""
import json

import pytest
import requests
from sqlalchemy import select

from lti_tool.cases.models import AuditEvent
from lti_tool.courses.models import SchoolMember
from tests.privacy.conftest import launch, people, report_by


@pytest.fixture
def filed(app, browser, db_session, school):
    lms, school_id = school
    ids = people(browser, app, db_session, lms, "student")
    named = report_by(app, school_id, ids["student"], identity="named", what="Named: stolen account.")
    hidden = report_by(app, school_id, ids["student"], identity="pseudonymous", what="Pseudonymous: a threat.")
    member_id = db_session.scalars(select(SchoolMember.id).where(SchoolMember.user_id == ids["student"])).one()
    return {"lms": lms, "school_id": school_id, "member_id": member_id, "named": named, "hidden": hidden}


def _get(tool_url, path, token=None):
    return requests.get(tool_url + "/api/v1" + path, headers={"X-Launch-Token": token} if token else {}, timeout=10)


def test_an_admin_reads_the_archive_as_json_without_the_pseudonymous_report(tool_url, browser, db_session, filed):
    token = launch(browser, filed["lms"], "admin")
    resp = _get(tool_url, f"/privacy/people/{filed['member_id']}", token)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    sections = {section["key"]: section for section in body["sections"]}
    assert sections["profile"]["rows"][0]["Name"] == "Sanne de Vries"
    text = json.dumps(body)
    assert filed["named"].reference in text and "stolen account" in text
    assert filed["hidden"].reference not in text and "a threat" not in text
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.school_id == filed["school_id"],
                                                       AuditEvent.action == "access_request_exported",
                                                       AuditEvent.report_id == filed["named"].id)).one()
    terms = _get(tool_url, "/privacy/terms", token).json()["terms"]
    assert {t["key"]: t["value"] for t in terms}["pupil_years"] == "2 years"


@pytest.mark.parametrize("user_key", ["teacher", "coordinator", "student"])
def test_other_roles_are_refused(tool_url, browser, filed, user_key):
    token = launch(browser, filed["lms"], user_key)
    for path in (f"/privacy/people/{filed['member_id']}", "/privacy/terms"):
        resp = _get(tool_url, path, token)
        assert resp.status_code == 403 and resp.json()["error"] == "forbidden"


def test_another_school_and_nobody_get_nothing(tool_url, browser, filed, make_lms):
    token = launch(browser, make_lms(), "admin")
    resp = _get(tool_url, f"/privacy/people/{filed['member_id']}", token)
    assert resp.status_code == 404 and "Sanne" not in resp.text
    assert _get(tool_url, "/privacy/people/99999999999", token).status_code == 404
    assert _get(tool_url, f"/privacy/people/{filed['member_id']}").status_code == 401


def test_the_openapi_document_describes_the_privacy_api(tool_url):
    spec = requests.get(f"{tool_url}/api/v1/openapi.json", timeout=30).json()
    assert {"/privacy/terms", "/privacy/people/{member_id}"} <= set(spec["paths"])
    assert not any("erase" in path for path in spec["paths"]), "erasure stays behind the page's confirmation"
    assert {"PrivacyTerms", "PrivacyArchive"} <= set(spec["components"]["schemas"])
