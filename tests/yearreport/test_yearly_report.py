"""The school's yearly report: a school year's reports per category and month, response times
against targets, outcomes and consequences, acknowledgement coverage; small counts suppressed; as a
printable page and a PDF (an audited export) for school admins and coordinators only."""
import re
import zlib
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from lti_tool.cases import operations
from lti_tool.cases.models import AuditEvent
from lti_tool.db import utcnow
from lti_tool.extensions import db
from lti_tool.reports.models import Report
from tests.cases.conftest import coordinator_token, designate, launch, make_case, user_id
from tests.support.browser import Browser
from tests.support.pages import launch as launch_in, publish_defaults


@pytest.fixture(scope="module")
def school(app, school_lms, tool_url):
    """This school year: 6 cyberbullying reports, 5 fight videos (three of them about one incident), 2
    threats; last year one more."""
    publish_defaults(app, school_lms.school_id)
    for key in ("coordinator", "student", "teacher", "admin"):
        launch(Browser(tool_url), school_lms, key)
    with app.app_context():
        designate(db.session, school_lms, "coordinator")
        coordinator = user_id(db.session, school_lms, "coordinator")
    now, made = utcnow(), []
    plan = [("cyberbullying", d, 3) for d in (2, 9, 16, 23, 30, 37)] + \
           [("fight_video", d, 100) for d in (3, 10, 17, 24, 31)] + [("threats", 4, None), ("threats", 11, None)]
    for n, (category, days, hours) in enumerate(plan):
        moment = now - timedelta(days=days)
        made.append(make_case(app, school_lms.school_id, category=category, what=f"Secret story number {n}.",
                              created_at=moment, received_at=moment,
                              first_response_at=moment + timedelta(hours=hours) if hours else None))
    old = now - timedelta(days=400)
    make_case(app, school_lms.school_id, category="other", what="Secret story of last year.", created_at=old,
              received_at=old)
    with app.app_context():
        from lti_tool.exceptions.models import PhoneException
        today = utcnow().date()
        db.session.add(PhoneException(school_id=school_lms.school_id, kind="medical", starts_on=today,
                                      ends_on=today + timedelta(days=60), granted_by_id=coordinator,
                                      pupil_id=user_id(db.session, school_lms, "student")))
        db.session.commit()
        actor = operations.Actor(school_lms.school_id, coordinator)
        for case in made[:5]:
            operations.close(db.session.get(Report, case.id), actor, "sanctioned", "filming-others", 0,
                             message="We dealt with it.", open_steps_confirmed=True)
        from lti_tool.cases import incidents
        incidents.create(actor, [db.session.get(Report, case.id) for case in made[6:9]])
        db.session.commit()
    return made


def _tables(html: str) -> dict:
    soup = BeautifulSoup(html, "html.parser")
    return {t.caption.text.strip(): {r.th.text.strip(): [c.text.strip() for c in r.select("td")]
                                     for r in t.select("tbody tr")} for t in soup.select("table.report-table")}


def test_the_coordinator_reads_this_school_years_figures_with_small_counts_hidden(
        browser, db_session, school_lms, school):
    token = coordinator_token(browser, db_session, school_lms)
    page = browser.get("/school/year-report", token=token)
    assert page.status_code == 200
    tables = _tables(page.text)
    per_category = tables["Reports per category"]  # reports, and the incidents they are about
    assert per_category["Cyberbullying or harassment"] == ["6", "6"]
    assert per_category["Threats"] == ["< 5", "< 5"], "two threats: too few to show"
    assert per_category["Fight or humiliation video"] == ["*", "< 5"], \
        "else 13 - 6 - 5 gives the threats away; three of the five videos are one incident"
    assert per_category["Other"] == ["0", "0"], "last school year's report is not in this one"
    assert "Reports this school year: 13. Incidents they are about: 11" in page.text
    months = tables["Reports per month"]
    assert all(len(cells) == 2 for cells in months.values())
    assert all(reports not in ("< 5", "*") or incidents in ("< 5", "*") for reports, incidents in months.values()), \
        "where the reports are hidden, so are the incidents"
    deadlines = tables["Deadlines met"]
    assert deadlines["First response"][1:] == ["6", "7", "0", "46%"], "the fight videos waited 100 hours"
    assert tables["Closed reports by outcome"]["Resolved with sanctions"] == ["5"]
    assert list(tables["Acknowledgement of the code of conduct"]) == ["Pupils", "Staff members"]
    assert tables["Phone exceptions by kind"]["Medical"] == ["< 5"], "one pupil: never recognisable"
    assert "Secret story" not in page.text and "VO-" not in page.text, "counts only"
    assert "Veilig Online" in page.text and "print" in page.text.lower()


def test_an_earlier_school_year_holds_its_own_reports(browser, db_session, school_lms, school):
    token = coordinator_token(browser, db_session, school_lms)
    year = utcnow().year - 1 if utcnow().month >= 8 else utcnow().year - 2
    page = browser.get(f"/school/year-report?year={year}-{year + 1}", token=token)
    assert page.status_code == 200
    assert _tables(page.text)["Reports per category"]["Other"] == ["< 5", "< 5"]


@pytest.mark.parametrize("year", ["2025/2026", "garbage", "2025-2027", "x" * 5000, "2099-2100"])
def test_a_year_that_is_no_school_year_or_has_not_begun_is_a_clear_400(browser, db_session, school_lms, school, year):
    token = coordinator_token(browser, db_session, school_lms)
    page = browser.get("/school/year-report", params={"year": year}, token=token)
    assert page.status_code == 400
    assert "school year" in page.text


def test_the_pdf_holds_the_same_report_and_its_download_is_audited(browser, db_session, school_lms, school):
    token = coordinator_token(browser, db_session, school_lms)
    resp = browser.get("/school/year-report/pdf", token=token)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF") and "yearly-report" in resp.headers["Content-Disposition"]
    text = _pdf_text(resp.content)
    assert "Reports per category" in text and "Cyberbullying or harassment" in text and "< 5" in text
    assert "Secret story" not in text
    db_session.expire_all()
    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.school_id == school_lms.school_id, AuditEvent.action == "statistics_exported",
        AuditEvent.detail == "year_report_pdf")).first()
    assert event and event.actor_user_id == user_id(db_session, school_lms, "coordinator")


def test_the_report_speaks_dutch_to_a_dutch_reader_and_its_pdf_has_a_dutch_name(
        browser, db_session, school_lms, school):
    _, token = launch_in(browser, school_lms, "admin", locale="nl")
    page = browser.get("/school/year-report", token=token)
    assert page.status_code == 200
    assert "Jaarverslag Veilig Online" in page.text and "Meldingen per categorie" in page.text
    assert "Reports per category" not in page.text
    resp = browser.get("/school/year-report/pdf", token=token)
    assert 'filename="jaarverslag-veilig-online-' in resp.headers["Content-Disposition"]
    assert "Meldingen per categorie" in _pdf_text(resp.content)


@pytest.mark.parametrize("who", ["student", "teacher"])
def test_pupils_and_teachers_cannot_open_it(browser, school_lms, school, who):
    _, token = launch(browser, school_lms, who)
    assert browser.get("/school/year-report", token=token).status_code == 403
    assert browser.get("/school/year-report/pdf", token=token).status_code == 403


def test_without_a_launch_nothing_opens(browser, school):
    assert browser.get("/school/year-report").status_code == 401


def test_another_schools_coordinator_sees_only_their_own_school(browser, db_session, other_lms, school):
    token = coordinator_token(browser, db_session, other_lms)
    page = browser.get("/school/year-report", token=token)
    assert page.status_code == 200
    assert set(sum(_tables(page.text)["Reports per category"].values(), [])) == {"0"}


def _pdf_text(body: bytes) -> str:
    """The text drawn on the PDF's pages: its content streams, inflated."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    return "".join(chunks).replace("\\(", "(").replace("\\)", ")")
