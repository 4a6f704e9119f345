"""An audit log people can use: views folded per person, case and day; filters by person, case, kind
and dates; a CSV a Dutch spreadsheet opens; every grant, publication and export on the record; every
label in the reader's words; and still never a reporter, never a case kept from the reader."""
import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from lti_tool.cases import audit
from lti_tool.cases.models import AuditEvent
from lti_tool.extensions import db
from tests.cases.conftest import designate, make_case, member, user_id
from tests.cases.people import launch_people
from tests.support.browser import Browser, form_of, text_of
from tests.support.pages import launch as launch_in, publish_defaults

DAY = datetime(2026, 11, 10, 9, 0, tzinfo=timezone.utc)  # a Tuesday, mid-morning in Amsterdam
ON_DAY = "date_from=2026-11-10&date_to=2026-11-10"


@pytest.fixture(scope="module")
def people(app, school_lms, tool_url):
    """Coordinator, teacher, admin and a student of the module's school, launched; the codes published."""
    publish_defaults(app, school_lms.school_id)
    found = launch_people(tool_url, school_lms, ("coordinator", "teacher", "admin", "student"))
    with app.app_context():
        designate(db.session, school_lms, "coordinator")
    return found


def _record(app, school_id, actor_id, action, report_id=None, detail=None, at=DAY):
    """An event at a chosen moment (the log is read by time)."""
    with app.app_context():
        event = audit.record(school_id, actor_id, action, report_id, detail)
        event.created_at = at
        db.session.commit()
        return event.id


def _rows(html) -> list[list[str]]:
    soup = BeautifulSoup(html, "html.parser")
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in soup.select("tbody tr")]
    return [row for row in rows if len(row) == 4]  # not the "nothing found" line


def _table_or_file(resp) -> str:
    """What the log shows: its table (the filter box may echo what was typed), or the CSV."""
    if resp.headers["Content-Type"].startswith("text/csv"):
        return resp.text
    return str(BeautifulSoup(resp.text, "html.parser").select_one("table"))


def _admin_nl(school_lms):
    own = Browser(school_lms.tool_base_url)
    _, token = launch_in(own, school_lms, "admin", locale="nl")
    return own, token


# --- folding -------------------------------------------------------------------------------------------

def test_case_views_are_folded_per_person_case_and_day(app, db_session, school_lms, people):
    case = make_case(app, school_lms.school_id)
    coordinator = user_id(db_session, school_lms, "coordinator")
    teacher = user_id(db_session, school_lms, "teacher")
    for minutes in (0, 20, 95):
        _record(app, school_lms.school_id, coordinator, "case_viewed", case.id, at=DAY + timedelta(minutes=minutes))
    _record(app, school_lms.school_id, teacher, "case_viewed", case.id, at=DAY + timedelta(minutes=30))
    _record(app, school_lms.school_id, coordinator, "case_viewed", case.id, at=DAY + timedelta(days=1))
    page = people["admin"].get(f"/cases/audit?case={case.reference}&date_from=2026-11-10&date_to=2026-11-11")
    rows = [row for row in _rows(page.text) if "Case viewed" in row[2]]
    assert len(rows) == 3, "one row per person, case and day"
    assert "Fatima Yilmaz" in rows[1][1] and "3 times that day" in rows[1][2]
    assert "Mark Bakker" in rows[2][1] and "time" not in rows[2][2]


def test_a_folded_day_split_over_two_pages_is_counted_once_and_whole(app, db_session, school_lms, people):
    case = make_case(app, school_lms.school_id)
    coordinator = user_id(db_session, school_lms, "coordinator")
    day = DAY + timedelta(days=3)
    _record(app, school_lms.school_id, coordinator, "case_viewed", case.id, at=day)
    for n in range(55):
        _record(app, school_lms.school_id, None, "settings_changed", None, "retention_months",
                at=day + timedelta(minutes=1 + n))
    _record(app, school_lms.school_id, coordinator, "case_viewed", case.id, at=day + timedelta(hours=2))
    first = people["admin"].get("/cases/audit?date_from=2026-11-13&date_to=2026-11-13")
    views = [row for row in _rows(first.text) if "Case viewed" in row[2]]
    assert len(views) == 1 and "2 times that day" in views[0][2]
    older = BeautifulSoup(first.text, "html.parser").select_one("a[rel=next]")["href"]
    assert "date_from=2026-11-13" in older, "the filters travel with the pages"
    second = people["admin"].browser.get(older)
    assert second.status_code == 200
    assert not [row for row in _rows(second.text) if "Case viewed" in row[2]], "not shown a second time"
    assert len(_rows(second.text)) == 6


# --- filters -------------------------------------------------------------------------------------------

def test_the_log_filters_by_person_case_kind_and_dates(app, db_session, school_lms, people):
    one, two = make_case(app, school_lms.school_id), make_case(app, school_lms.school_id)
    coordinator = user_id(db_session, school_lms, "coordinator")
    teacher = user_id(db_session, school_lms, "teacher")
    day = DAY + timedelta(days=5)
    _record(app, school_lms.school_id, coordinator, "note_added", one.id, at=day)
    _record(app, school_lms.school_id, teacher, "note_added", two.id, at=day + timedelta(minutes=5))
    _record(app, school_lms.school_id, coordinator, "assigned", two.id, "Mark Bakker", at=day + timedelta(days=2))
    admin = people["admin"]
    by_person = _rows(admin.get(f"/cases/audit?person={teacher}").text)
    assert by_person and all("Mark Bakker" in row[1] for row in by_person)
    by_case = _rows(admin.get(f"/cases/audit?case={two.reference.lower()}").text)
    assert by_case and all(row[3] == two.reference for row in by_case), "a reference typed in small letters"
    by_kind = _rows(admin.get("/cases/audit?action=note_added&date_from=15-11-2026&date_to=2026-11-15").text)
    assert [row[3] for row in by_kind] == [two.reference, one.reference], "dd-mm-jjjj as well as the date field"
    later = _rows(admin.get(f"/cases/audit?case={two.reference}&date_from=2026-11-16").text)
    assert any("Assignment changed" in row[2] for row in later) and not any("note" in row[2] for row in later)
    page = BeautifulSoup(admin.get("/cases/audit").text, "html.parser")
    names = [o.get_text(strip=True) for o in page.select("select[name=person] option") if o["value"]]
    assert "Fatima Yilmaz" in names and "Mark Bakker" in names and "Sanne de Vries" not in names


@pytest.mark.parametrize("query", ["person=abc", "person=0", "case=VO-<b>", "case=" + "A" * 21, "action=case_deleted",
                                   "date_from=2026-13-01", "date_from=31-02-2026", "date_from=yesterday",
                                   "date_from=2026-11-10&date_to=2026-11-01", "before=abc", "sort=name"])
def test_a_filter_that_does_not_validate_is_a_clear_400_in_dutch(school_lms, people, query):
    browser, token = _admin_nl(school_lms)
    for path in ("/cases/audit", "/cases/audit.csv"):
        resp = browser.get(f"{path}?{query}", token=token)
        assert resp.status_code == 400, (path, query)
        assert "lang=\"nl\"" in resp.text and "Traceback" not in resp.text


def test_the_person_filter_never_ties_a_reporter_to_a_case(app, db_session, school_lms, people):
    student = user_id(db_session, school_lms, "student")
    case = make_case(app, school_lms.school_id, identity="named", reporter_user_id=student)
    rows = _rows(people["admin"].get(f"/cases/audit?person={student}").text)
    assert all(case.reference not in row[3] for row in rows)
    assert not any("The reporter" in row[1] for row in rows)


# --- the CSV --------------------------------------------------------------------------------------------

def test_the_csv_opens_in_a_dutch_spreadsheet_and_the_export_is_recorded(app, db_session, school_lms, people):
    case = make_case(app, school_lms.school_id)
    coordinator = user_id(db_session, school_lms, "coordinator")
    day = DAY + timedelta(days=20)
    _record(app, school_lms.school_id, coordinator, "step_checked", case.id, "victim_support", at=day)
    _record(app, school_lms.school_id, coordinator, "settings_changed", None, "retention_months,first_response_hours",
            at=day + timedelta(minutes=1))
    browser, token = _admin_nl(school_lms)
    resp = browser.get("/cases/audit.csv?date_from=30-11-2026&date_to=30-11-2026", token=token)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    assert re.search(r'filename="logboek-veilig-online-\d\d-\d\d-\d{4}\.csv"', resp.headers["Content-Disposition"])
    assert resp.headers["Cache-Control"] == "no-store"
    raw = resp.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
    assert lines[0] == ["Wanneer", "Wie", "Wat", "Details", "Zaak", "Aantal keren"]
    assert lines[1][0] == "30-11-2026 10:01" and lines[2][0] == "30-11-2026 10:00", "the school's time, no seconds"
    assert lines[2][1:] == ["Fatima Yilmaz", "Protocolstap afgevinkt", "Slachtoffer eerst: contact en steun",
                            case.reference, "1"] or lines[2][2] != "step_checked"
    assert "retention_months" not in raw and "victim_support" not in raw and "step_checked" not in raw
    db_session.expire_all()
    exported = db_session.scalars(select(AuditEvent).where(AuditEvent.school_id == school_lms.school_id,
                                                           AuditEvent.action == "audit_exported")).all()
    assert exported and exported[-1].actor_user_id == user_id(db_session, school_lms, "admin")


def test_a_csv_cell_that_a_spreadsheet_would_run_is_defused(app):
    from flask_babel import force_locale
    from lti_tool.cases.auditlog import AuditRow, to_csv
    row = AuditRow(1, DAY, "=HYPERLINK(\"http://x\")", False, "assigned", "VO-AAAA-BBBB", "+31 6", False, 1)
    with app.test_request_context(), force_locale("nl"):
        text = to_csv([row], ["a", "b", "c", "d", "e", "f"], lambda r: (r.actor, "x", r.detail))
    cells = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))[1]
    assert cells[1].startswith("'=HYPERLINK") and cells[3] == "'+31 6"


def test_only_the_school_admin_exports_and_only_their_schools_log(app, db_session, school_lms, other_lms, people):
    case = make_case(app, school_lms.school_id)
    _record(app, school_lms.school_id, user_id(db_session, school_lms, "coordinator"), "case_viewed", case.id)
    for key in ("coordinator", "teacher", "student"):
        assert people[key].get("/cases/audit.csv").status_code == 403, key
    stranger = Browser(other_lms.tool_base_url)
    _, token = launch_in(stranger, other_lms, "admin")
    for path in ("/cases/audit.csv", f"/cases/audit?case={case.reference}", "/cases/audit"):
        resp = stranger.get(path, token=token)
        assert resp.status_code == 200 and case.reference not in _table_or_file(resp)


# --- what is recorded and how it reads --------------------------------------------------------------------

def test_designating_a_coordinator_and_withdrawing_it_are_recorded(app, db_session, school_lms, people):
    admin = people["admin"]
    teacher = member(db_session, school_lms, "teacher")
    page = admin.get("/school/coordinators")
    _, fields = form_of(page.text, "form[method=post]")
    for value in ("true", "false"):
        resp = admin.post("/school/coordinators", data={"csrf_token": fields["csrf_token"],
                                                        "member_id": teacher.id, "is_coordinator": value})
        assert resp.status_code in (302, 303)
    db_session.expire_all()
    events = db_session.scalars(select(AuditEvent).where(
        AuditEvent.school_id == school_lms.school_id,
        AuditEvent.action.in_(("coordinator_designated", "coordinator_removed"))).order_by(AuditEvent.id)).all()
    assert [(e.action, e.detail) for e in events[-2:]] == [("coordinator_designated", "Mark Bakker"),
                                                           ("coordinator_removed", "Mark Bakker")]
    assert events[-1].actor_user_id == user_id(db_session, school_lms, "admin")
    body = text_of(admin.get("/cases/audit?action=coordinator_designated").text)
    assert "Coordinator designated (Mark Bakker)" in body


def test_publishing_a_code_is_recorded_in_words(app, db_session, school_lms, people):
    db_session.expire_all()
    published = db_session.scalars(select(AuditEvent).where(AuditEvent.school_id == school_lms.school_id,
                                                            AuditEvent.action == "code_published")).all()
    assert sorted(e.detail for e in published)[:2] == ["staff;1;major", "student;1;major"]
    body = text_of(people["admin"].get("/cases/audit?action=code_published").text)
    assert "Code of conduct published (for students, version 1, everyone acknowledges again)" in body
    assert "student;1" not in body


def test_no_internal_key_reaches_the_reader(app, db_session, school_lms, people):
    case = make_case(app, school_lms.school_id, category="unwanted_images")
    coordinator = user_id(db_session, school_lms, "coordinator")
    day = DAY + timedelta(days=25)
    for n, (action, detail) in enumerate([
            ("case_closed", "sanctioned; filming-others step 2"), ("case_closed", "resolved; gone-rule step 1"),
            ("step_not_applicable", "takedown"), ("closed_with_open_steps", "parents,sanctions"),
            ("settings_changed", "reporter_reopen_days"), ("data_resealed", "key 3"),
            ("statistics_exported", "csv"), ("incident_linked", "12"), ("phone_exception_granted", "#7 medical"),
            ("phone_exception_changed", "#7 ends_on,note"), ("school_year_changed", "first_day, newcomer_days"),
            ("school_year_started", "2026-08-24")]):
        _record(app, school_lms.school_id, coordinator, action, case.id, detail, at=day + timedelta(minutes=n))
    body = text_of(people["admin"].get("/cases/audit?date_from=2026-12-05&date_to=2026-12-05").text)
    for key in ("filming-others", "gone-rule", "takedown", "parents,sanctions", "reporter_reopen_days", "key 3", "csv",
                "_", "medical", "ends_on", "first_day", "2026-08-24"):
        assert key not in body, key
    assert "Resolved with sanctions; Filming and photographing others, step 2:" in body
    assert "a rule no longer in the code, step 1" in body
    assert "Decide on informing the parents, Sanctions by the consequences ladder" in body
    assert "Days after closing in which a reporter may reopen their case once" in body
    assert "Incident 12" in body and "#7, Medical" in body and "24 August 2026" in body


def test_the_log_leaves_out_a_report_that_keeps_the_reader_away(app, db_session, school_lms, people):
    from lti_tool.cases import exclusions
    from lti_tool.reports.models import Report
    designate(db_session, school_lms, "admin")  # a school admin who also coordinates
    try:
        case = make_case(app, school_lms.school_id)
        with app.app_context():
            exclusions.exclude(db.session.get(Report, case.id), user_id(db.session, school_lms, "admin"))
            db.session.commit()
        _record(app, school_lms.school_id, user_id(db_session, school_lms, "coordinator"), "case_viewed", case.id,
                at=datetime.now(timezone.utc))
        db_session.expire_all()
        kept = db_session.scalars(select(AuditEvent).where(AuditEvent.report_id == case.id,
                                                           AuditEvent.action == "coordinator_excluded")).one()
        assert kept.actor_user_id is None and kept.detail == "Ingrid Smit"
        for path in ("/cases/audit", f"/cases/audit?case={case.reference}", "/cases/audit.csv"):
            assert case.reference not in _table_or_file(people["admin"].get(path)), path
    finally:
        designate(db_session, school_lms, "admin", False)
