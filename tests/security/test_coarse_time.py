"""Time does not unmask a pseudonymous reporter: every surface the school sees places their report,
their messages and the events they caused in a part of the day at most; named reports keep exact
times; deadlines still run from the exact moment; notices leave at fixed send slots.

The reporter acts at a known moment (the tool's clock is set for the report and the message):
Monday 30 November 2026, 09:47:23 and 10:27:51 in Amsterdam, "Monday morning, 30 November".
"""
import csv
import io
import statistics
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests
from bs4 import BeautifulSoup
from sqlalchemy import delete, select

from lti_tool import coarse_time
from lti_tool.cases import batching, timeliness
from lti_tool.cases.models import AuditEvent, MailMessage
from lti_tool.reports.models import Report, ReportMessage
from tests.cases.conftest import coordinator_token, launch, make_case
from tests.reports.helpers import reference_of, send
from tests.support.browser import form_of, text_of

REPORTED = datetime(2026, 11, 30, 8, 47, 23, 123456, tzinfo=timezone.utc)    # Monday 09:47:23 local
WROTE = datetime(2026, 11, 30, 9, 27, 51, 654321, tzinfo=timezone.utc)       # Monday 10:27:51 local
MORNING = datetime(2026, 11, 30, 5, 0, tzinfo=timezone.utc)                  # Monday 06:00 local
SHOWN = "Monday morning, 30 November"
# Every way the exact moments could show: with their date (so that no time of the test run itself
# matches), in the pages' formats, in ISO (local and UTC), as epoch seconds or microseconds.
EXACT = ("11/30/26, 9:47", "11/30/26, 10:27", "Nov 30, 2026, 9:47", "Nov 30, 2026, 10:27",
         "30-11-2026 09:47", "30-11-2026 10:27", "30 nov 2026 09:47", "30 nov 2026 10:27",
         "2026-11-30T08:47", "2026-11-30T09:47", "2026-11-30T09:27", "2026-11-30T10:27",
         "2026-11-30 08:47", "2026-11-30 09:27", "30 Nov 2026, 09:47", "30 Nov 2026, 10:27",
         "30 nov 2026, 09:47", "30 nov 2026, 10:27",
         str(int(REPORTED.timestamp())), str(int(WROTE.timestamp())), "123456", "654321")


class Clock:
    """The tool's clock for what the reporter does (the server runs in this process)."""

    def __init__(self, monkeypatch):
        self.now = REPORTED
        for module in ("lti_tool.reports.operations", "lti_tool.cases.audit", "lti_tool.cases.notifications"):
            monkeypatch.setattr(f"{module}.utcnow", lambda: self.now)


def _exact_in(text: str) -> list[str]:
    return [token for token in EXACT if token in text]


@pytest.fixture
def filed(browser, app, db_session, school_lms, monkeypatch):
    """A pseudonymous report filed through the page at REPORTED and a reporter's message at WROTE;
    one more report of its kind after it (so the queue's page ends on it); the coordinator's token."""
    coordinator = coordinator_token(browser, db_session, school_lms)
    _, student = launch(browser, school_lms, "student")
    clock = Clock(monkeypatch)
    # Every test files and writes at the same moments of the tool's clock: the limits would count them all.
    for limit in ("REPORTS_PER_HOUR", "REPORTS_PER_DAY", "REPORT_MESSAGES_PER_10_MINUTES"):
        monkeypatch.setitem(app.config, limit, 1000)
    resp, _ = send(browser, student, "impersonation", identity="pseudonymous")
    assert resp.status_code in (302, 303), resp.text
    reference = reference_of(resp)
    clock.now = WROTE
    page = browser.get(f"/reports/{reference}", token=student)
    action, fields = form_of(page.text, "form[action*='/messages']")
    assert browser.post(action, token=student, data={**fields, "body": "It happened again."}).status_code in (302, 303)
    monkeypatch.undo()
    db_session.expire_all()
    report = db_session.scalars(select(Report).where(Report.reference == reference)).one()
    make_case(app, school_lms.school_id, category="impersonation")  # later than ours: ours is not the last
    yield report, coordinator, student
    with app.app_context():
        from lti_tool.extensions import db
        db.session.execute(delete(MailMessage).where(MailMessage.school_id == school_lms.school_id,
                                                     MailMessage.next_attempt_at < MORNING + timedelta(days=1)))
        db.session.commit()


def test_what_the_reporter_caused_is_stored_as_its_part_of_the_day_and_exactly_only_for_deadlines(filed, db_session):
    report, _, _ = filed
    assert (report.created_at, report.received_at) == (MORNING, REPORTED)
    message = db_session.scalars(select(ReportMessage).where(ReportMessage.report_id == report.id)).one()
    assert (message.created_at, message.received_at, message.read_by_reporter_at) == (MORNING, WROTE, MORNING)
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.report_id == report.id,
                                                         AuditEvent.actor_user_id.is_(None))).all()
    assert {e.action for e in events} >= {"report_created", "message_sent"}
    assert {e.created_at for e in events} == {MORNING}


def test_the_case_page_and_its_timeline_show_the_part_of_the_day_only(filed, browser):
    report, coordinator, _ = filed
    page = browser.get(f"/cases/{report.id}", token=coordinator)
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert SHOWN in text_of(page.text)
    timeline = " ".join(li.get_text(" ") for li in soup.select(".when"))
    assert timeline.count(SHOWN) >= 2, "the report and the reporter's message"
    assert _exact_in(page.text) == []


def test_the_reporter_sees_the_same_part_of_the_day_as_the_school(filed, browser):
    report, _, student = filed
    for path in (f"/reports/{report.reference}", "/reports/mine"):
        page = browser.get(path, token=student)
        assert page.status_code == 200 and SHOWN in text_of(page.text)
        assert _exact_in(page.text) == []


def test_the_queue_page_and_its_links_show_the_part_of_the_day_only(filed, browser):
    report, coordinator, _ = filed
    page = browser.get("/cases?status=all&category=impersonation", token=coordinator)
    assert page.status_code == 200
    row = next(tr for tr in BeautifulSoup(page.text, "html.parser").select("tr") if report.reference in tr.text)
    assert SHOWN in row.get_text(" ")
    assert _exact_in(page.text) == []


def test_the_api_gives_parts_of_the_day_and_its_cursor_no_finer_time(filed, tool_url):
    report, coordinator, _ = filed

    def api(path, **params):
        resp = requests.get(f"{tool_url}/api/v1{path}", params=params, headers={"X-Launch-Token": coordinator},
                            timeout=30)
        assert resp.status_code == 200, resp.text
        return resp

    case = api(f"/cases/{report.id}")
    body = case.json()
    assert datetime.fromisoformat(body["created_at"]) == MORNING and body["coarse_time"] is True
    reporter_messages = [m for m in body["messages"] if m["author_role"] == "reporter"]
    assert [datetime.fromisoformat(m["created_at"]) for m in reporter_messages] == [MORNING]
    for deadline in body["deadlines"]:
        assert coarse_time.is_part_start(datetime.fromisoformat(deadline["due"])), deadline
    assert _exact_in(case.text) == []
    # Walk the queue to the page that ends on this case: its cursor carries the shown time only.
    after, found = None, None
    while found is None:
        page = api("/cases", status="all", category="impersonation", limit=100, **({"after": after} if after else {}))
        listed = page.json()
        refs = [c["reference"] for c in listed["cases"]]
        if report.reference in refs:
            found = refs.index(report.reference) + 1
        else:
            assert listed["next"], "the case is in the queue"
            after = listed["next"]
    ending = api("/cases", status="all", category="impersonation", limit=found, **({"after": after} if after else {}))
    cursor = ending.json()["next"]
    urgent, micros, ident = cursor.split("_")
    assert int(ident) == report.id and int(micros) == int(MORNING.timestamp()) * 1_000_000
    assert _exact_in(ending.text) == []


def test_the_audit_log_shows_the_reporters_events_as_a_part_of_the_day(filed, browser, db_session, school_lms):
    report, _, _ = filed
    _, admin = launch(browser, school_lms, "admin")
    page = browser.get("/cases/audit", token=admin)
    assert page.status_code == 200
    rows = [tr.get_text(" ") for tr in BeautifulSoup(page.text, "html.parser").select("tbody tr")
            if report.reference in tr.text]
    mine = [row for row in rows if "The reporter" in row]
    assert len(mine) >= 2 and all(SHOWN in row for row in mine)
    assert _exact_in(page.text) == []
    for link in BeautifulSoup(page.text, "html.parser").select("a[href*='before=']"):
        assert _exact_in(link["href"]) == []


def test_the_audit_log_orders_by_time_so_a_reporters_event_sits_at_its_part_of_the_day(app, school_lms):
    from lti_tool.cases import auditlog
    with app.app_context():
        rows, _ = auditlog.page(school_lms.school_id, {}, limit=500)
    times = [row.at for row in rows]
    assert times == sorted(times, reverse=True)


def test_the_statistics_count_response_hours_from_the_shown_time(filed, browser, app, db_session, school_lms):
    report, coordinator, _ = filed
    page = browser.get(f"/cases/{report.id}", token=coordinator)
    _, fields = form_of(page.text, "form[method=post]")
    assert browser.post(f"/cases/{report.id}/status", token=coordinator,
                        data={"csrf_token": fields["csrf_token"], "status": "acknowledged"}).status_code == 303
    csv_text = browser.get("/cases/statistics.csv", token=coordinator).text
    assert _exact_in(csv_text) == []
    db_session.expire_all()
    november = db_session.execute(select(Report.created_at, Report.first_response_at).where(
        Report.school_id == school_lms.school_id, Report.first_response_at.is_not(None))).all()
    hours = [(fr - created).total_seconds() / 3600 for created, fr in november
             if created.astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%Y-%m") == "2026-11"]
    rows = list(csv.reader(io.StringIO(csv_text)))
    median = next(row[2] for row in rows if row and row[0] == "2026-11" and len(row) == 4)
    assert float(median) == round(statistics.median(hours), 1)


def test_the_notice_waits_for_the_next_send_slot_one_per_coordinator(filed, db_session, school_lms):
    report, _, _ = filed
    rows = db_session.scalars(select(MailMessage).where(MailMessage.school_id == school_lms.school_id,
                                                        MailMessage.batch_key.is_not(None),
                                                        MailMessage.created_at == MORNING)).all()
    noon = datetime(2026, 11, 30, 11, 0, tzinfo=timezone.utc)  # 12:00 in Amsterdam
    assert rows and {row.next_attempt_at for row in rows} == {noon}
    assert len({row.to_address for row in rows}) == len(rows), "one notice per coordinator per slot"
    assert all(report.reference not in row.subject + row.body and "Instagram" not in row.body for row in rows)
    assert _exact_in(" ".join(row.subject + row.body for row in rows)) == []


def test_a_second_report_in_the_slot_adds_nothing_and_an_urgent_one_takes_the_finer_grid(app, school_lms,
                                                                                         monkeypatch):
    from lti_tool.cases import notifications
    from lti_tool.extensions import db
    monkeypatch.setattr(notifications, "utcnow", lambda: REPORTED)
    with app.test_request_context():
        try:
            first = notifications.notify_in_batch(school_lms.school_id, urgent=False)
            again = notifications.notify_in_batch(school_lms.school_id, urgent=False)
            message = notifications.notify_new_message(school_lms.school_id, coarse=True)
            urgent = notifications.notify_in_batch(school_lms.school_id, urgent=True)
            assert first and [m.id for m in again] == [m.id for m in first]
            assert [m.id for m in message] == [m.id for m in first], "a reporter's message shares the slot"
            assert {m.next_attempt_at for m in urgent} == {datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)}  # 10:00
        finally:
            db.session.rollback()


def test_send_slots_fall_on_school_days_and_urgent_ones_within_half_the_target(app):
    class Settings:
        urgent_response_minutes = 60

    with app.app_context():
        friday_evening = datetime(2026, 12, 4, 18, 30, tzinfo=timezone.utc)  # 19:30 local
        assert batching.next_slot(friday_evening, False, Settings) == datetime(2026, 12, 7, 5, 0, tzinfo=timezone.utc)
        assert batching.next_slot(friday_evening, True, Settings) == datetime(2026, 12, 4, 19, 0, tzinfo=timezone.utc)
        Settings.urgent_response_minutes = 20
        assert batching.urgent_step(Settings) == 10
        assert batching.next_slot(REPORTED, True, Settings) == datetime(2026, 11, 30, 8, 50, tzinfo=timezone.utc)


def test_a_named_report_keeps_its_exact_time_and_its_immediate_notice(browser, app, db_session, school_lms,
                                                                      monkeypatch):
    coordinator = coordinator_token(browser, db_session, school_lms)
    _, student = launch(browser, school_lms, "student")
    Clock(monkeypatch)
    monkeypatch.setitem(app.config, "REPORTS_PER_HOUR", 1000)
    monkeypatch.setitem(app.config, "REPORTS_PER_DAY", 1000)
    before = datetime.now(timezone.utc)
    resp, _ = send(browser, student, "private_data", identity="named")
    monkeypatch.undo()
    db_session.expire_all()
    report = db_session.scalars(select(Report).where(Report.reference == reference_of(resp))).one()
    assert report.created_at == report.received_at == REPORTED
    page = browser.get(f"/cases/{report.id}", token=coordinator)
    assert "Mon 30 Nov 2026, 09:47" in text_of(page.text) and SHOWN not in text_of(page.text)
    assert _exact_in(page.text), "the check for exact times finds them where they belong"
    rows = db_session.scalars(select(MailMessage).where(MailMessage.school_id == school_lms.school_id,
                                                        MailMessage.created_at >= before)).all()
    assert rows and all(row.batch_key is None and row.next_attempt_at <= datetime.now(timezone.utc)
                        for row in rows), "it leaves at once"
    db_session.execute(delete(MailMessage).where(MailMessage.id.in_([row.id for row in rows])))
    db_session.commit()


def test_deadlines_run_from_the_exact_moment_and_show_parts_of_the_day(app, school_lms):
    report = make_case(app, school_lms.school_id, category="threats")  # urgent: one hour
    report.received_at, report.created_at = REPORTED, MORNING
    with app.app_context():
        from lti_tool.cases.queries import settings_for
        settings = settings_for(school_lms.school_id)
        first = lambda now: timeliness.deadlines(report, settings, now)[0]  # noqa: E731
        assert first(REPORTED + timedelta(minutes=59)).state == timeliness.OPEN
        assert first(REPORTED + timedelta(minutes=61)).state == timeliness.OVERDUE
        assert first(REPORTED).due == MORNING and first(REPORTED).coarse
        assert timeliness.first_response_due(report, settings) == REPORTED + timedelta(hours=1)


def test_the_overdue_filter_uses_the_exact_moment(app, school_lms):
    from lti_tool.extensions import db
    report = make_case(app, school_lms.school_id, category="threats")
    with app.app_context():
        from lti_tool.cases.queries import settings_for
        stored = db.session.get(Report, report.id)
        stored.received_at, stored.created_at = REPORTED, MORNING
        db.session.commit()
        settings = settings_for(school_lms.school_id)
        overdue = lambda now: db.session.scalar(  # noqa: E731
            select(Report.id).where(Report.id == report.id, timeliness.any_overdue(settings, now))) is not None
        assert not overdue(REPORTED + timedelta(minutes=59))
        assert overdue(REPORTED + timedelta(minutes=61))


def test_a_part_of_the_day_reads_naturally_in_dutch_and_english(app):
    from flask_babel import force_locale
    with app.test_request_context():
        with force_locale("nl"):
            assert coarse_time.describe(REPORTED, today=REPORTED.date()) == "maandagochtend 30 november"
            assert coarse_time.describe(MORNING - timedelta(hours=3)).startswith("nacht van zondag op maandag")
        with force_locale("en"):
            assert coarse_time.describe(REPORTED, today=REPORTED.date()) == SHOWN


def test_no_schema_has_the_exact_moment(tool_url):
    spec = requests.get(f"{tool_url}/api/v1/openapi.json", timeout=30).json()
    for name, schema in spec["components"]["schemas"].items():
        assert "received_at" not in schema.get("properties", {}), name


def test_a_purged_case_keeps_only_its_shown_time(app, school_lms):
    from lti_tool.cases import retention
    from lti_tool.extensions import db
    report = make_case(app, school_lms.school_id, status="closed", closed_at=REPORTED)
    with app.app_context():
        stored = db.session.get(Report, report.id)
        stored.received_at, stored.created_at = REPORTED, MORNING
        db.session.commit()
        retention.purge([report.id], REPORTED + timedelta(days=400))
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(Report, report.id).received_at == MORNING


def test_spreading_again_is_kept_as_the_part_of_the_day_and_notified_at_the_urgent_slot(
        app, browser, db_session, school_lms, monkeypatch):
    from lti_tool.extensions import db
    from lti_tool.reports import operations
    coordinator_token(browser, db_session, school_lms)  # someone to notify
    report = make_case(app, school_lms.school_id, category="cyberbullying")
    Clock(monkeypatch)
    with app.test_request_context():
        try:
            stored = db.session.get(Report, report.id)
            operations.mark_spreading_again(stored)
            assert stored.spreading_again_at == MORNING
            event = db.session.scalars(select(AuditEvent).where(AuditEvent.report_id == report.id,
                                                                AuditEvent.action == "spreading_again")).one()
            assert event.created_at == MORNING
            notices = db.session.scalars(select(MailMessage).where(
                MailMessage.school_id == school_lms.school_id, MailMessage.batch_key.is_not(None),
                MailMessage.status == MailMessage.PENDING)).all()
            assert datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc) in {n.next_attempt_at for n in notices}
        finally:
            db.session.rollback()
