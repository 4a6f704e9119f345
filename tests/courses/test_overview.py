"""The teacher's course overview and the school admin's school overview: who stands where with the code."""
import csv
import io
import re
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup

from lti_tool.spreadsheet import safe_cell
from tests.courses.conftest import acknowledge, course_of, launch, publish, school_of, user_of
from tests.support.browser import form_of, text_of

YESTERDAY = date.today() - timedelta(days=1)


@pytest.fixture
def course_with_every_state(browser, fresh_lms, db_session):
    """Students on version 2 of their code (one acknowledged it, one only version 1, two not yet);
    staff on a code that was due yesterday (the teacher acknowledged it, the coordinator did not)."""
    lms = fresh_lms
    admin = launch(browser, lms, "admin")
    teacher = launch(browser, lms, "teacher")
    course = course_of(db_session, lms)
    assert browser.get(f"/school/courses/{course.id}/overview", token=teacher).status_code == 200
    school_id = school_of(db_session, lms).id
    first = publish(db_session, school_id, "student", number=1, epoch=1)
    second = publish(db_session, school_id, "student", number=2, epoch=2)
    staff_code = publish(db_session, school_id, "staff", number=1, epoch=1, due_date=YESTERDAY)
    acknowledge(db_session, school_id, user_of(db_session, lms, "student").id, second)
    acknowledge(db_session, school_id, user_of(db_session, lms, "student2").id, first)
    acknowledge(db_session, school_id, user_of(db_session, lms, "teacher").id, staff_code)
    return {"lms": lms, "course": course, "admin": admin, "teacher": teacher}


def _rows(html: str) -> dict[str, str]:
    """Name -> the text of the rest of its row."""
    soup = BeautifulSoup(html, "html.parser")
    rows = {}
    for tr in soup.select("table.overview-table tbody tr"):
        name = tr.find("th")
        if name is not None:
            rows[name.contents[0].strip()] = " ".join(tr.get_text(" ").split())
    return rows


def test_every_member_is_shown_with_their_standing(browser, course_with_every_state):
    s = course_with_every_state
    page = browser.get(f"/school/courses/{s['course'].id}/overview", token=s['teacher'])
    assert page.status_code == 200
    rows = _rows(page.text)
    assert set(rows) == {"Sanne de Vries", "Daan Jansen", "Noor El Amrani", "Milan Bos", "Mark Bakker",
                         "Fatima Yilmaz"}
    assert re.search(r"Acknowledged version 2, \w+ \d+, \d{4}", rows["Sanne de Vries"])
    assert "Outdated version acknowledged version 1; now version 2" in rows["Daan Jansen"]
    assert "Not yet" in rows["Noor El Amrani"] and "has not opened the tool yet" in rows["Noor El Amrani"]
    assert "Acknowledged version 1" in rows["Mark Bakker"] and "has not opened" not in rows["Mark Bakker"]
    due = YESTERDAY.strftime("%b %-d, %Y")
    assert f"Overdue was due {due}" in rows["Fatima Yilmaz"]


def test_counts_and_an_accessible_progress_bar(browser, course_with_every_state):
    s = course_with_every_state
    page = browser.get(f"/school/courses/{s['course'].id}/overview", token=s['teacher'])
    soup = BeautifulSoup(page.text, "html.parser")
    bar = soup.select_one("progress#ack-progress")
    assert (bar["value"], bar["max"]) == ("2", "6")
    assert soup.select_one("label[for=ack-progress]").get_text(strip=True) == "2 of 6 acknowledged (33%)"
    counts = {" ".join(a.get_text(" ").split()) for a in soup.select(".counts a")}
    assert counts == {"All 6", "Acknowledged 2", "Outdated version 1", "Not yet 2", "Overdue 1"}


@pytest.mark.parametrize("query, names, total", [
    ("&role=student", {"Sanne de Vries", "Daan Jansen", "Noor El Amrani", "Milan Bos"}, "1 of 4"),
    ("&role=staff", {"Mark Bakker", "Fatima Yilmaz"}, "1 of 2"),
    ("&status=not_yet", {"Noor El Amrani", "Milan Bos"}, "2 of 6"),
    ("&role=staff&status=overdue", {"Fatima Yilmaz"}, "1 of 2"),
    ("&role=&status=", {"Sanne de Vries", "Daan Jansen", "Noor El Amrani", "Milan Bos", "Mark Bakker",
                        "Fatima Yilmaz"}, "2 of 6"),
])
def test_filters_by_role_and_status(browser, course_with_every_state, query, names, total):
    s = course_with_every_state
    page = browser.get(f"/school/courses/{s['course'].id}/overview?lt={s['teacher']}{query}")
    assert page.status_code == 200
    assert set(_rows(page.text)) == names
    assert total + " acknowledged" in text_of(page.text)  # counts follow the role filter only


def test_the_filter_form_keeps_the_tabs_launch_but_opens_nothing_in_another_browser(browser, course_with_every_state):
    s = course_with_every_state
    page = browser.get(f"/school/courses/{s['course'].id}/overview", token=s['teacher'])
    action, fields = form_of(page.text, "form.filters")
    # A GET form drops its action's query: the tab's launch selector travels as a field, never the token.
    assert fields["ls"] and "lt" not in fields
    fields.update(role="staff", status="")
    filtered = browser.http.get(browser.tool_url + action.split("?")[0], params=fields, timeout=30)
    assert filtered.status_code == 200, "with the cookie of the browser that launched"
    assert set(_rows(filtered.text)) == {"Mark Bakker", "Fatima Yilmaz"}
    anonymous = type(browser)(browser.tool_url)  # the same address in another browser
    copied = anonymous.http.get(filtered.url, timeout=30)
    assert copied.status_code == 401 and "Fatima" not in copied.text


@pytest.mark.parametrize("query", ["&role=teacher", "&status=done", "&status=acknowledged&role=admin"])
def test_bad_filters_are_a_400_page(browser, course_with_every_state, query):
    s = course_with_every_state
    page = browser.get(f"/school/courses/{s['course'].id}/overview?lt={s['teacher']}{query}")
    assert page.status_code == 400
    assert "Some fields are not valid." in text_of(page.text)
    csv_page = browser.get(f"/school/courses/{s['course'].id}/overview.csv?lt={s['teacher']}{query}")
    assert csv_page.status_code == 400


def _csv(resp) -> list[list[str]]:
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))


def test_csv_export_has_the_same_rows_and_filters(browser, course_with_every_state):
    s = course_with_every_state
    resp = browser.get(f"/school/courses/{s['course'].id}/overview.csv?role=student", token=s['teacher'])
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/csv")
    assert re.fullmatch(r'attachment; filename="overview-2B-MENTOR-\d{4}-\d\d-\d\d\.csv"',
                        resp.headers["Content-Disposition"])
    lines = _csv(resp)
    assert lines[0] == ["Name", "Role", "Status", "Acknowledged version", "Acknowledged at",
                        "Current version", "Due date", "Opened the tool"]
    by_name = {line[0]: line for line in lines[1:]}
    assert set(by_name) == {"Sanne de Vries", "Daan Jansen", "Noor El Amrani", "Milan Bos"}
    sanne = by_name["Sanne de Vries"]
    assert sanne[1:4] == ["Student", "Acknowledged", "2"] and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", sanne[4])
    assert sanne[5:] == ["2", "", "no"]
    assert by_name["Daan Jansen"][2:4] == ["Outdated version", "1"]
    staff = _csv(browser.get(f"/school/courses/{s['course'].id}/overview.csv?status=overdue", token=s['teacher']))
    assert staff[1] == ["Fatima Yilmaz", "Staff", "Overdue", "", "", "1", YESTERDAY.isoformat(), "no"]


def test_a_dutch_reader_gets_a_file_dutch_excel_opens_in_columns(browser, course_with_every_state):
    """Semicolons, a Dutch file name, dates as dd-mm-jjjj: what Dutch Excel reads without an import wizard."""
    s = course_with_every_state
    teacher_nl = launch(browser, s["lms"], "teacher", locale="nl-NL")
    resp = browser.get(f"/school/courses/{s['course'].id}/overview.csv?status=overdue", token=teacher_nl)
    assert resp.status_code == 200
    assert re.fullmatch(r'attachment; filename="overzicht-2B-MENTOR-\d{4}-\d\d-\d\d\.csv"',
                        resp.headers["Content-Disposition"])
    assert resp.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:3] == ["Naam", "Rol", "Status"] and len(lines[0]) == 8
    assert lines[1][0] == "Fatima Yilmaz" and lines[1][6] == YESTERDAY.strftime("%d-%m-%Y")


def test_csv_cells_cannot_become_spreadsheet_formulas(browser, fresh_lms, db_session):
    fresh_lms.users["student4"].given_name = "=HYPERLINK(\"http://evil.example\")"
    fresh_lms.users["student3"].given_name = "@SUM(A1)"
    token = launch(browser, fresh_lms, "teacher")
    course = course_of(db_session, fresh_lms)
    names = [line[0] for line in _csv(browser.get(f"/school/courses/{course.id}/overview.csv", token=token))]
    assert "'=HYPERLINK(\"http://evil.example\") Bos" in names and "'@SUM(A1) El Amrani" in names


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+31 6", "'+31 6"), ("-2", "'-2"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("Anna", "Anna"), ("", ""), (None, ""), (3, "3"),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_refresh_needs_the_forms_csrf_token(browser, fresh_lms, db_session):
    token = launch(browser, fresh_lms, "teacher")
    course = course_of(db_session, fresh_lms)
    page = browser.get(f"/school/courses/{course.id}/overview?role=student", token=token)
    action, fields = form_of(page.text, "form[method=post]")
    assert fields["role"] == "student"
    # A form that carries its launch token is its own CSRF proof; without it the CSRF token must be right.
    without_token = {k: v for k, v in fields.items() if k != "lt"}
    refused = browser.post(action, data={**without_token, "csrf_token": "forged"})
    assert refused.status_code == 400
    done = browser.post(action, data=fields)
    assert done.status_code == 303
    assert "role=student" in done.headers["Location"] and "lt=" not in done.headers["Location"]


def test_refresh_with_a_bad_filter_is_a_400(browser, fresh_lms, db_session):
    token = launch(browser, fresh_lms, "teacher")
    course = course_of(db_session, fresh_lms)
    page = browser.get(f"/school/courses/{course.id}/overview", token=token)
    action, fields = form_of(page.text, "form[method=post]")
    assert browser.post(action, data={**fields, "status": "everything"}).status_code == 400


def test_the_home_page_links_to_the_overviews(browser, fresh_lms, db_session):
    teacher_home = browser.follow(browser.launch(fresh_lms, "teacher", locale="en-GB"))
    course = course_of(db_session, fresh_lms)
    soup = BeautifulSoup(teacher_home.text, "html.parser")
    links = {a.get_text(strip=True): a["href"] for a in soup.select("a")}
    assert links["In this course"].startswith(f"/school/courses/{course.id}/overview?ls=")
    assert "School overview" not in links
    admin_home = browser.follow(browser.launch(fresh_lms, "admin", locale="en-GB"))
    links = {a.get_text(strip=True) for a in BeautifulSoup(admin_home.text, "html.parser").select("a")}
    assert {"In this course", "School overview"} <= links
    student_home = browser.follow(browser.launch(fresh_lms, "student", locale="en-GB"))
    assert "/overview" not in student_home.text


# --- the school overview ------------------------------------------------------------------------

def test_the_school_overview_counts_students_and_staff_per_course_and_in_total(browser, make_lms, db_session):
    first = make_lms()
    second = make_lms(school=first.school_name, course_id="course-3c")
    second.course_title = "3C Mentoruur"
    admin = launch(browser, first, "admin")  # from 2B, where the roster does not list admins
    for lms in (first, second):  # each course's teacher reads its roster
        teacher = launch(browser, lms, "teacher")
        assert browser.get(f"/school/courses/{course_of(db_session, lms).id}/overview", token=teacher).status_code == 200
    school_id = school_of(db_session, first).id
    version = publish(db_session, school_id, "student")
    publish(db_session, school_id, "staff")
    for key in ("student", "student2"):
        acknowledge(db_session, school_id, user_of(db_session, first, key).id, version)
    acknowledge(db_session, school_id, user_of(db_session, second, "student").id, version)

    page = browser.get("/school/overview", token=admin)
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.select_one("label[for=students-progress]").get_text(strip=True) == "3 of 8 acknowledged (38%)"
    assert soup.select_one("label[for=staff-progress]").get_text(strip=True) == "0 of 5 acknowledged (0%)"
    lines = {tr.th.a.get_text(strip=True): (tr.th.a["href"], " ".join(tr.get_text(" ").split()))
             for tr in soup.select("table.courses-table tbody tr")}
    assert set(lines) == {"2B Mentoruur", "3C Mentoruur"}
    href, text = lines["2B Mentoruur"]
    assert href.startswith(f"/school/courses/{course_of(db_session, first).id}/overview?ls=")
    assert "2 of 4" in text and "0 of 2" in text
    assert "1 of 4" in lines["3C Mentoruur"][1]
    assert browser.get(href).status_code == 200  # the admin may open each course's overview
