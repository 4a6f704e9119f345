"""The register as CSV for Dutch Excel, and the same operations through the JSON API."""
import csv
import io

from sqlalchemy import select

from lti_tool.cases.models import AuditEvent
from tests.courses.conftest import launch

from .conftest import day, exceptions_of, grant_form

API = "/api/v1/phone-exceptions"


def test_the_csv_opens_in_columns_in_dutch_excel(browser, school, db_session):
    grant_form(browser, school.tokens["coordinator"], pupil_id=school.ids["student"], note="=HYPERLINK(\"x\")")
    token = launch(browser, school.lms, "admin", locale="nl-NL")
    resp = browser.get("/exceptions/register.csv", token=token)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    disposition = resp.headers["Content-Disposition"]
    assert 'filename="telefoonuitzonderingen-School-' in disposition
    assert resp.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Leerling", "Soort", "Cursus", "Vanaf", "Tot en met", "Status", "Toelichting",
                       "Toegekend door", "Toegekend op", "Beëindigd op"]
    [line] = rows[1:]
    start = day(0).split("-")
    assert line[0] == school.lms.users["student"].name and line[1] == "Medisch"
    assert line[3] == f"{start[2]}-{start[1]}-{start[0]}"  # dd-mm-jjjj
    assert line[6] == "'=HYPERLINK(\"x\")"  # a formula stays text
    assert "phone_exceptions_exported" in db_session.scalars(select(AuditEvent.action).where(
        AuditEvent.school_id == school.school_id)).all()


def test_the_csv_is_for_admins_and_coordinators(browser, school):
    assert browser.get("/exceptions/register.csv", token=school.tokens["coordinator"]).status_code == 200
    for who in ("teacher", "student", "mentor"):
        assert browser.get("/exceptions/register.csv", token=school.tokens[who]).status_code == 403


def test_the_api_grants_changes_and_ends(browser, school, db_session):
    token = school.tokens["coordinator"]
    body = {"pupil_id": school.ids["student"], "kind": "other", "starts_on": day(0), "ends_on": day(30)}
    made = browser.post(API, token=token, json=body)
    assert made.status_code == 201, made.text
    exception = made.json()
    assert exception["state"] == "current" and exception["pupil_name"] == school.lms.users["student"].name
    clash = browser.post(API, token=token, json=body)
    assert clash.status_code == 400 and "starts_on" in clash.json()["errors"]
    changed = browser.http.put(f"{browser.tool_url}{API}/{exception['id']}", headers={"X-Launch-Token": token},
                               json={**body, "ends_on": day(40)}, timeout=30)
    assert changed.status_code == 200 and changed.json()["ends_on"] == day(40)
    ended = browser.post(f"{API}/{exception['id']}/end", token=token)
    assert ended.status_code == 200 and ended.json()["state"] == "ended"
    assert browser.post(f"{API}/{exception['id']}/end", token=token).status_code == 409
    assert [e["id"] for e in browser.get(f"{API}?show=past", token=token).json()["exceptions"]] == [exception["id"]]
    assert browser.get(f"{API}?show=everything", token=token).status_code == 400


def test_the_api_refuses_bad_bodies_with_json_and_stores_nothing(browser, school, db_session):
    token = school.tokens["coordinator"]
    answers = [
        browser.post(API, token=token, json=[1, 2]),
        browser.post(API, token=token, json={}),
        browser.post(API, token=token, json={"pupil_id": school.ids["teacher"], "kind": "medical",
                                             "starts_on": day(0), "ends_on": day(3)}),
        browser.post(API, token=token, json={"pupil_id": school.ids["student"], "kind": "medical",
                                             "starts_on": day(0), "ends_on": day(3),
                                             "note": "data:image/gif;base64,R0lGODlhAQABAAAAACw="}),
        browser.post(API, token=token, data="not json", headers={"Content-Type": "application/json"}),
    ]
    assert [a.status_code for a in answers] == [400, 400, 400, 422, 400]
    assert all(a.json()["message"] for a in answers)
    assert set(answers[1].json()["errors"]) == {"pupil_id", "kind", "starts_on", "ends_on"}
    assert exceptions_of(db_session, school.school_id) == []
