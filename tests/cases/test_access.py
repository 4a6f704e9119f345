"""Who sees what: coordinators their own school's cases; school admins the figures, the settings and the
audit log but no case; teachers and students nothing of it. Other schools, guessed ids and references."""
import pytest
import requests
from sqlalchemy import select

from lti_tool.cases.models import AuditEvent
from tests.cases.conftest import coordinator_token, designate, launch, make_case

PAGES = ["/cases", "/cases/{id}", "/cases/new", "/cases/dashboard", "/cases/statistics.csv", "/cases/consistency",
         "/cases/settings", "/cases/audit", "/cases/audit.csv"]
POSTS = ["status", "assign", "notes", "messages", "steps", "staff-suspect", "legal-hold", "close",
         "not-genuine", "reopen"]
# What each kind of person may open (200); everything else is 403.
ALLOWED = {
    "student": set(),
    "teacher": set(),
    "admin": {"/cases/dashboard", "/cases/statistics.csv", "/cases/consistency", "/cases/settings", "/cases/audit",
              "/cases/audit.csv"},
    "coordinator": set(PAGES) - {"/cases/audit", "/cases/audit.csv"},
}


@pytest.fixture(scope="module")
def case(app, school_lms):
    return make_case(app, school_lms.school_id, what="The secret phrase pelican-umbrella.")


@pytest.fixture(scope="module")
def tokens(app, school_lms, tool_url, case):
    from lti_tool.extensions import db
    from tests.support.browser import Browser
    result = {}
    for key in ("student", "teacher", "admin", "coordinator"):
        result[key] = launch(Browser(tool_url), school_lms, key)[1]
    with app.app_context():
        designate(db.session, school_lms, "coordinator")
    return result


@pytest.mark.parametrize("who", ["student", "teacher", "admin", "coordinator"])
@pytest.mark.parametrize("path", PAGES)
def test_pages_by_role(browser, tokens, case, who, path):
    resp = browser.get(path.format(id=case.id), token=tokens[who])
    expected = 200 if path in ALLOWED[who] else 403
    assert resp.status_code == expected, (who, path, resp.status_code)
    assert "pelican-umbrella" not in resp.text or (who == "coordinator" and path == "/cases/{id}")


@pytest.mark.parametrize("who", ["student", "teacher", "admin"])
@pytest.mark.parametrize("action", POSTS)
def test_no_one_but_a_coordinator_changes_a_case(browser, tokens, case, db_session, who, action):
    resp = browser.post(f"/cases/{case.id}/{action}", token=tokens[who], data={"lt": tokens[who]})
    assert resp.status_code in (400, 403), "refused (a missing CSRF token is refused first)"
    db_session.expire_all()
    from lti_tool.reports.models import Report
    assert db_session.get(Report, case.id).status == "new"


@pytest.mark.parametrize("who", ["student", "teacher", "admin"])
def test_the_api_is_for_coordinators_only(tool_url, tokens, case, who):
    headers = {"X-Launch-Token": tokens[who]}
    assert requests.get(f"{tool_url}/api/v1/cases", headers=headers, timeout=30).status_code == 403
    assert requests.get(f"{tool_url}/api/v1/cases/{case.id}", headers=headers, timeout=30).status_code == 403
    resp = requests.post(f"{tool_url}/api/v1/cases/{case.id}/status", json={"status": "acknowledged"},
                         headers=headers, timeout=30)
    assert resp.status_code == 403 and "pelican" not in resp.text


def test_without_a_launch_nothing_opens(browser, tool_url, case):
    assert browser.get("/cases").status_code == 401
    assert browser.get(f"/cases/{case.id}").status_code == 401
    assert requests.get(f"{tool_url}/api/v1/cases", timeout=30).status_code == 401


def test_another_schools_coordinator_finds_nothing_of_this_school(browser, tool_url, db_session, other_lms, case):
    token = coordinator_token(browser, db_session, other_lms)
    assert browser.get(f"/cases/{case.id}", token=token).status_code == 404
    page = browser.get(f"/cases?status=all&q={case.reference}", token=token)
    assert page.status_code == 200 and "No case of this school has that reference" in page.text
    assert f">{case.reference}<" not in page.text
    queue = browser.get("/cases?status=all", token=token)
    assert case.reference not in queue.text
    headers = {"X-Launch-Token": token}
    assert requests.get(f"{tool_url}/api/v1/cases/{case.id}", headers=headers, timeout=30).status_code == 404
    listed = requests.get(f"{tool_url}/api/v1/cases", params={"q": case.reference, "status": "all"},
                          headers=headers, timeout=30).json()
    assert listed["cases"] == []
    form = browser.get("/cases/new", token=token)
    from tests.support.browser import form_of
    _, fields = form_of(form.text, "form.editor")
    for action in POSTS:
        resp = browser.post(f"/cases/{case.id}/{action}", token=token,
                            data={"csrf_token": fields["csrf_token"], "status": "acknowledged", "body": "x",
                                  "step": "parents", "done": "true", "value": "true", "confirm": "true",
                                  "outcome": "resolved", "assignee_id": ""})
        assert resp.status_code == 404, action
    resp = requests.post(f"{tool_url}/api/v1/cases/{case.id}/messages", json={"body": "hello"},
                         headers=headers, timeout=30)
    assert resp.status_code == 404


def test_guessed_ids_are_not_found(browser, tool_url, tokens):
    for guess in (0, 999999, 2**31 - 1):
        assert browser.get(f"/cases/{guess}", token=tokens['coordinator']).status_code == 404
        assert requests.get(f"{tool_url}/api/v1/cases/{guess}", headers={"X-Launch-Token": tokens["coordinator"]},
                            timeout=30).status_code == 404
    assert browser.get("/cases/-1", token=tokens['coordinator']).status_code == 404
    assert browser.get("/cases/abc", token=tokens['coordinator']).status_code == 404


def test_a_school_admin_sees_figures_but_no_case(browser, tokens, case, db_session):
    for path in ("/cases/dashboard", "/cases/audit", "/cases/consistency"):
        page = browser.get(f"{path}", token=tokens['admin'])
        assert "pelican" not in page.text and f"/cases/{case.id}?" not in page.text
    home = browser.get("/?view=home", token=tokens['admin'])
    assert "Audit log" in home.text and "Statistics" in home.text and "Case queue" not in home.text


def test_a_school_admin_who_is_also_coordinator_sees_both(browser, school_lms, db_session, case):
    _, token = launch(browser, school_lms, "admin")
    designate(db_session, school_lms, "admin")
    try:
        assert browser.get(f"/cases/{case.id}", token=token).status_code == 200
        assert browser.get("/cases/audit", token=token).status_code == 200
    finally:
        designate(db_session, school_lms, "admin", False)


def test_teachers_and_students_see_no_link_to_cases(browser, tokens):
    for who in ("student", "teacher"):
        home = browser.get("/?view=home", token=tokens[who])
        assert "/cases" not in home.text


def test_the_audit_log_records_refusals_nowhere_and_views_once(db_session, case, tokens):
    views = db_session.scalars(select(AuditEvent).where(AuditEvent.report_id == case.id,
                                                        AuditEvent.action == "case_viewed")).all()
    assert all(v.actor_user_id is not None for v in views)
