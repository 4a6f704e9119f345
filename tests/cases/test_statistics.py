"""Figures per school, anonymised: reports per category per month, time to first response, overdue
counts, as SVG charts and CSV (exports audited); consistency per rule; the school admin's audit log."""
import csv
import io
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from lti_tool.cases import operations
from lti_tool.cases.models import AuditEvent
from lti_tool.db import utcnow
from lti_tool.extensions import db
from lti_tool.reports.models import Report
from tests.cases.conftest import coordinator_token, launch, make_case, user_id
from tests.support.browser import text_of
from tests.support.pages import publish_defaults


@pytest.fixture(scope="module")
def school(app, school_lms, tool_url):
    """A school with a published code and a year of cases, some answered, closed with rules."""
    from tests.support.browser import Browser
    publish_defaults(app, school_lms.school_id)
    launch(Browser(tool_url), school_lms, "coordinator")
    with app.app_context():
        from tests.cases.conftest import designate
        designate(db.session, school_lms, "coordinator")
        coordinator = user_id(db.session, school_lms, "coordinator")
    sid = school_lms.school_id
    now = utcnow()
    made = []
    for n, (category, days, answered_hours) in enumerate([
            ("cyberbullying", 2, 3), ("cyberbullying", 40, 30), ("threats", 1, None), ("sexual_images", 70, 0.5),
            ("other", 10, None), ("fight_video", 100, 5), ("cyberbullying", 400, 2)]):
        created = now - timedelta(days=days)
        made.append(make_case(app, sid, category=category, what=f"Secret story number {n}.",
                              created_at=created, received_at=created,
                              first_response_at=created + timedelta(hours=answered_hours) if answered_hours else None))
    with app.app_context():
        actor = operations.Actor(sid, coordinator)
        for case, rule, step in ((made[1], "filming-others", 0), (made[3], "filming-others", 1),
                                 (made[5], "filming-others", 1)):
            operations.close(db.session.get(Report, case.id), actor, "sanctioned", rule, step,
                             message="We dealt with it.", open_steps_confirmed=True)
        operations.mark_not_genuine(db.session.get(Report, made[4].id), actor, message="We are closing it.")
        db.session.commit()
    return made


def test_the_dashboard_counts_open_overdue_and_reports_per_category(browser, db_session, school_lms, school):
    token = coordinator_token(browser, db_session, school_lms)
    page = browser.get("/cases/dashboard", token=token)
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    tiles = {t.select_one(".tile-label").text.strip(): t.select_one(".tile-n").text.strip() for t in soup.select(".tile")}
    assert tiles["open cases"] == "3"           # days 2, 1 and 400 (the others closed)
    assert tiles["reports in 12 months"] == "6"
    assert int(tiles["overdue cases"]) >= 2     # the threat waits over an hour, the old one over 3 months
    assert soup.select("svg.chart rect.cat-3"), "cyberbullying bars in the stacked chart"
    assert soup.select("svg.chart rect.bar"), "response time bars"
    assert "Secret story" not in page.text and "VO-" not in page.text
    assert "style=" not in page.text and not soup.select("script:not([src])"), "no inline script or style"


def test_the_figures_download_as_csv_and_the_export_is_audited(browser, db_session, school_lms, school):
    token = coordinator_token(browser, db_session, school_lms)
    resp = browser.get("/cases/statistics.csv", token=token)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.text)))
    counted = sum(int(r[2]) for r in rows[1:] if len(r) == 3 and r[1] == "cyberbullying")
    assert counted == 2, "two cyberbullying reports in the last twelve months"
    assert ["not_genuine_last_12_months", "1"] in rows
    assert "Secret story" not in resp.text
    db_session.expire_all()
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.school_id == school_lms.school_id,
                                                        AuditEvent.action == "statistics_exported")).first()
    assert event and event.actor_user_id == user_id(db_session, school_lms, "coordinator")


def test_consistency_shows_per_rule_which_steps_were_applied_without_names(browser, db_session, school_lms, school):
    _, token = launch(browser, school_lms, "admin")
    page = browser.get("/cases/consistency", token=token)
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    section = next(s for s in soup.select("section.rule-consistency") if "Filming and photographing others" in s.text)
    counts = [li.select_one(".n").text for li in section.select("ol.ladder-use li")]
    assert counts[:2] == ["1", "2"], "one case at step 1, two at step 2"
    assert "3 closed cases" in section.text
    assert "VO-" not in page.text and "Secret" not in page.text and "Fatima" not in page.text


def test_the_school_admin_reads_the_audit_log_without_contents_or_reporters(browser, db_session, school_lms, school, app):
    coordinator = coordinator_token(browser.__class__(browser.tool_url), db_session, school_lms)
    student = launch(browser.__class__(browser.tool_url), school_lms, "student")
    named = make_case(app, school_lms.school_id, reporter_user_id=user_id(db_session, school_lms, "student"),
                      identity="named", what="Secret named story.")
    from tests.support.browser import Browser
    Browser(browser.tool_url).get(f"/cases/{named.id}", token=coordinator)
    assert student
    _, token = launch(browser, school_lms, "admin")
    page = browser.get("/cases/audit", token=token)
    assert page.status_code == 200
    body = text_of(page.text)
    assert "Case viewed" in body and "Fatima Yilmaz" in body and named.reference in body
    assert "Report received" in body and "The reporter" in body
    assert "Sanne" not in body, "the named reporter is not named in the log"
    assert "Secret" not in body
    only = BeautifulSoup(browser.get("/cases/audit?action=case_closed", token=token).text, "html.parser")
    actions = {td.text.split("(")[0].strip() for td in only.select("tbody td[data-label=What]")}
    assert actions == {"Case closed"}
    assert browser.get("/cases/audit?action=x&before=abc", token=token).status_code == 400


def test_the_audit_log_pages_back_in_time(browser, db_session, school_lms, school, app):
    with app.app_context():
        for _ in range(60):
            from lti_tool.cases import audit
            audit.record(school_lms.school_id, None, "settings_changed", None, "retention_months")
        db.session.commit()
    _, token = launch(browser, school_lms, "admin")
    first = BeautifulSoup(browser.get("/cases/audit", token=token).text, "html.parser")
    assert len(first.select("tbody tr")) == 50
    older = first.select_one("a[rel=next]")["href"]
    second = BeautifulSoup(browser.get(older).text, "html.parser")
    assert second.select("tbody tr")
