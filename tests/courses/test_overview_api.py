"""The courses API: the same overview and export as the pages, as JSON and CSV, and in the OpenAPI document."""
from datetime import date, timedelta

from tests.courses.conftest import acknowledge, course_of, launch, publish, school_of, user_of


def test_the_overview_as_json(browser, fresh_lms, db_session):
    fresh_lms.nrps_page_size = 4
    token = launch(browser, fresh_lms, "teacher")
    course = course_of(db_session, fresh_lms)
    school_id = school_of(db_session, fresh_lms).id
    resp = browser.get(f"/api/v1/courses/{course.id}/overview", headers={"X-Launch-Token": token})
    assert resp.status_code == 200
    version = publish(db_session, school_id, "student", due_date=date.today() + timedelta(days=7))
    ack = acknowledge(db_session, school_id, user_of(db_session, fresh_lms, "student").id, version)

    body = browser.get(f"/api/v1/courses/{course.id}/overview?role=student",
                       headers={"X-Launch-Token": token}).json()
    assert body["course"] == {"id": course.id, "title": "2B Mentoruur", "label": "2B-MENTOR"}
    assert body["roster"]["status"] == "ok" and body["roster"]["member_count"] == 6
    assert body["filters"] == {"role": "student", "status": None}
    assert body["counts"] == {"total": 4, "percent_acknowledged": 25, "acknowledged": 1, "outdated": 0,
                              "not_yet": 3, "overdue": 0, "no_code": 0}
    by_name = {m["name"]: m for m in body["members"]}
    assert list(by_name) == ["Daan Jansen", "Milan Bos", "Noor El Amrani", "Sanne de Vries"]
    sanne = by_name["Sanne de Vries"]
    assert sanne == {"user_id": ack.user_id, "name": "Sanne de Vries", "role": "student", "launched": False,
                     "state": "acknowledged", "current_version": 1,
                     "due_date": (date.today() + timedelta(days=7)).isoformat(),
                     "acknowledged_version": 1, "acknowledged_at": sanne["acknowledged_at"],
                     "phone_exceptions": [], "new_this_year": False}
    assert sanne["acknowledged_at"].startswith(ack.acknowledged_at.date().isoformat())
    assert by_name["Noor El Amrani"]["state"] == "not_yet"
    assert "email" not in sanne


def test_the_api_export_is_the_pages_export(browser, fresh_lms, db_session):
    token = launch(browser, fresh_lms, "teacher")
    course = course_of(db_session, fresh_lms)
    page_csv = browser.get(f"/school/courses/{course.id}/overview.csv?role=staff", token=token)
    api_csv = browser.get(f"/api/v1/courses/{course.id}/overview.csv?role=staff",
                          headers={"X-Launch-Token": token})
    assert api_csv.status_code == 200 and api_csv.headers["Content-Type"].startswith("text/csv")
    assert api_csv.content == page_csv.content
    assert api_csv.content.decode("utf-8-sig").count("\r\n") == 3  # header, teacher, coordinator


def test_the_openapi_document_describes_the_overview(browser):
    spec = browser.get("/api/v1/openapi.json").json()
    overview = spec["paths"]["/courses/{course_id}/overview"]["get"]
    parameters = {p["name"]: p for p in overview["parameters"]}
    assert parameters["course_id"]["in"] == "path"
    assert set(parameters["role"]["schema"]["enum"]) - {None} == {"student", "staff"}
    assert "overdue" in parameters["status"]["schema"]["enum"]
    assert set(overview["responses"]) == {"200", "400", "401", "403", "404"}
    assert "CourseOverview" in spec["components"]["schemas"]
    assert "text/csv" in spec["paths"]["/courses/{course_id}/overview.csv"]["get"]["responses"]["200"]["content"]
    member = spec["components"]["schemas"]["OverviewMemberOut"]["properties"]
    assert "email" not in member and set(member) >= {"name", "role", "state", "acknowledged_at"}
