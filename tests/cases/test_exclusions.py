"""Reports about staff and conflicts of interest: a reporter keeps a coordinator away from their report,
the other coordinators (or the school's deputy) handle it, and the excluded one never learns of it."""
import re

import pytest
import requests
from sqlalchemy import delete, func, select

from lti_tool.cases.models import MailMessage, ReportExclusion, SchoolDeputy
from lti_tool.demo.platform import INSTRUCTOR, DemoUser
from lti_tool.reports.models import Report
from tests.cases.conftest import designate, launch, make_case, member, user_id
from tests.reports.helpers import reference_of, send
from tests.cases.people import drop_mail, launch_people
from tests.support.browser import form_of


@pytest.fixture(scope="module")
def people(app, school_lms, tool_url):
    """Launch everyone once (coordinator, teacher, admin, student, a deputy-to-be); return their tokens."""
    school_lms.users["deputy"] = DemoUser("deputy", "demo-deputy-1", "Dirk", "Dekker", [INSTRUCTOR])
    yield launch_people(tool_url, school_lms, ("coordinator", "teacher", "admin", "student", "student2",
                                                "student3", "student4", "deputy"))
    drop_mail(app, school_lms.school_id)


@pytest.fixture
def setup(db_session, school_lms, people):
    """Set who coordinates (and who deputises) for one test: setup(["coordinator", "teacher"], deputy=None)."""
    def arrange(coordinators, deputy=None):
        for key in ("coordinator", "teacher", "admin", "deputy"):
            designate(db_session, school_lms, key, key in coordinators)
        found = db_session.get(SchoolDeputy, school_lms.school_id)
        if found is not None:
            db_session.delete(found)
        if deputy:
            db_session.add(SchoolDeputy(school_id=school_lms.school_id, user_id=user_id(db_session, school_lms, deputy)))
        db_session.commit()
    return arrange


def _email(lms, key):
    return lms.users[key].email


def _mails_to(db_session, address, since_id):
    db_session.expire_all()
    return db_session.scalars(select(MailMessage).where(MailMessage.to_address == address,
                                                        MailMessage.id > since_id)).all()


def _last_mail_id(db_session):
    return db_session.scalar(select(func.coalesce(func.max(MailMessage.id), 0)))


def _report(db_session, reference):
    db_session.expire_all()
    return db_session.scalars(select(Report).where(Report.reference == reference)).one()


def _reports_count(db_session, school_id):
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(Report).where(Report.school_id == school_id))


def test_a_report_excluding_a_coordinator_never_reaches_them(browser, tool_url, db_session, school_lms, people, setup):
    setup(["coordinator", "teacher"])
    excluded = user_id(db_session, school_lms, "coordinator")
    before = _last_mail_id(db_session)
    resp, _data = send(people["student"].browser, people["student"].token, "cyberbullying", exclude_coordinator_id=str(excluded),
                       what_happened="Fatima posts comments about me: secret marmalade-kite.")
    assert resp.status_code == 303, resp.text
    reference = reference_of(resp)
    report = _report(db_session, reference)
    assert [row.user_id for row in db_session.scalars(
        select(ReportExclusion).where(ReportExclusion.report_id == report.id))] == [excluded]
    # Not notified; the other coordinator is.
    assert not _mails_to(db_session, _email(school_lms, "coordinator"), before)
    assert _mails_to(db_session, _email(school_lms, "teacher"), before)
    token = people["coordinator"].token
    coordinator = people["coordinator"]
    # Not in the queue, not found by its reference, the case page is a 404 as for any unknown id.
    queue = coordinator.get("/cases?status=all")
    assert queue.status_code == 200 and reference not in queue.text
    search = coordinator.get(f"/cases?status=all&q={reference}")
    assert "No case of this school has that reference" in search.text and f">{reference}<" not in search.text
    page = coordinator.get(f"/cases/{report.id}")
    assert page.status_code == 404 and "marmalade" not in page.text
    # Nor can they change it.
    refused = coordinator.post(f"/cases/{report.id}/status", data={"status": "acknowledged"})
    assert refused.status_code in (400, 404)
    # Not in the API.
    headers = {"X-Launch-Token": token}
    listed = requests.get(f"{tool_url}/api/v1/cases?status=all&limit=100", headers=headers, timeout=30).json()
    assert reference not in [case["reference"] for case in listed["cases"]]
    assert requests.get(f"{tool_url}/api/v1/cases/{report.id}", headers=headers, timeout=30).status_code == 404
    # The other coordinator handles it.
    assert "marmalade-kite" in people["teacher"].get(f"/cases/{report.id}").text


def test_an_excluded_coordinator_counts_no_sign_of_the_report(browser, db_session, school_lms, people, setup, app):
    setup(["coordinator", "teacher"])
    def open_cases(person):
        page = person.get("/cases/dashboard")
        assert page.status_code == 200
        return re.findall(r'class="(?:tile-n|num[^"]*)">(\d+)<', page.text)
    excluded = user_id(db_session, school_lms, "coordinator")
    seen_before = open_cases(people["coordinator"])
    other_before = open_cases(people["teacher"])
    resp, _ = send(people["student2"].browser, people["student2"].token, "threats", exclude_coordinator_id=str(excluded))
    assert resp.status_code == 303
    assert open_cases(people["coordinator"]) == seen_before
    assert open_cases(people["teacher"]) != other_before


def test_a_reporter_later_writing_does_not_notify_the_excluded_coordinator(browser, db_session, school_lms, people, setup):
    setup(["coordinator", "teacher"])
    excluded = user_id(db_session, school_lms, "coordinator")
    # A named report's notices leave at once (a pseudonymous one's share a send slot: tests/security/test_coarse_time.py).
    resp, _ = send(people["student"].browser, people["student"].token, "other", exclude_coordinator_id=str(excluded),
                   identity="named")
    reference = reference_of(resp)
    before = _last_mail_id(db_session)
    answer = people["student"].post(f"/reports/{reference}/messages", data={"body": "More to tell."})
    assert answer.status_code in (302, 303), answer.text
    assert not _mails_to(db_session, _email(school_lms, "coordinator"), before)
    assert _mails_to(db_session, _email(school_lms, "teacher"), before)


def test_the_form_offers_the_schools_coordinators_by_name(browser, db_session, school_lms, people, setup):
    setup(["coordinator", "teacher"])
    page = people["student"].get("/reports/new?category=cyberbullying")
    assert "Fatima Yilmaz" in page.text and "Mark Bakker" in page.text
    assert "Ingrid" not in page.text.split('id="exclude_coordinator_id"')[1].split("</select>")[0]


def test_the_api_form_lists_coordinators_and_takes_an_exclusion(tool_url, db_session, school_lms, people, setup):
    setup(["coordinator", "teacher"])
    headers = {"X-Launch-Token": people["student"].token}
    form = requests.get(f"{tool_url}/api/v1/me/reports/new", headers=headers, timeout=30).json()
    names = {c["name"]: c["id"] for c in form["coordinators"]}
    assert set(names) == {"Fatima Yilmaz", "Mark Bakker"}
    before = _last_mail_id(db_session)
    resp = requests.post(f"{tool_url}/api/v1/me/reports", headers=headers, timeout=30, json={
        "submission": form["submission"], "category": "other", "what_happened": "About a coordinator.",
        "exclude_coordinator_id": names["Mark Bakker"]})
    assert resp.status_code == 201, resp.text
    assert "Fatima" not in resp.text and "Mark" not in resp.text, "the reporter is never shown who else sees it"
    assert not _mails_to(db_session, _email(school_lms, "teacher"), before)


@pytest.mark.parametrize("value", ["student", "12345678", "abc", "-1"])
def test_an_exclusion_of_someone_not_a_coordinator_is_refused(browser, db_session, school_lms, people, setup, value):
    setup(["coordinator", "teacher"])
    if value == "student":
        value = str(user_id(db_session, school_lms, "student"))
    count = _reports_count(db_session, school_lms.school_id)
    resp, _ = send(people["student"].browser, people["student"].token, "cyberbullying", exclude_coordinator_id=value)
    assert resp.status_code == 400
    assert "Choose one of the school&#39;s coordinators, or nobody." in resp.text, resp.text[resp.text.find("error-box"):][:600]
    assert "mean comments" in resp.text.lower(), "the text comes back"
    assert _reports_count(db_session, school_lms.school_id) == count


def test_excluding_the_only_coordinator_without_a_deputy_is_refused(browser, tool_url, db_session, school_lms, people, setup):
    setup(["coordinator"])
    only = user_id(db_session, school_lms, "coordinator")
    count, before = _reports_count(db_session, school_lms.school_id), _last_mail_id(db_session)
    resp, _ = send(people["student"].browser, people["student"].token, "cyberbullying", exclude_coordinator_id=str(only))
    assert resp.status_code == 400
    assert "only one at your school who handles reports" in resp.text and "Kindertelefoon" in resp.text
    headers = {"X-Launch-Token": people["student"].token}
    form = requests.get(f"{tool_url}/api/v1/me/reports/new", headers=headers, timeout=30).json()
    api = requests.post(f"{tool_url}/api/v1/me/reports", headers=headers, timeout=30, json={
        "submission": form["submission"], "category": "other", "what_happened": "x",
        "exclude_coordinator_id": only})
    assert api.status_code == 400 and "exclude_coordinator_id" in api.text
    assert _reports_count(db_session, school_lms.school_id) == count
    assert _last_mail_id(db_session) == before, "nothing half-saved, nobody told"


def test_the_deputy_handles_a_report_that_excludes_every_coordinator(browser, db_session, school_lms, people, setup, app):
    setup(["coordinator"], deputy="deputy")
    only = user_id(db_session, school_lms, "coordinator")
    other = make_case(app, school_lms.school_id, what="An ordinary report: plain-teapot.")
    before = _last_mail_id(db_session)
    resp, _ = send(people["student4"].browser, people["student4"].token, "cyberbullying", exclude_coordinator_id=str(only),
                   what_happened="About the coordinator: hidden-walrus.")
    assert resp.status_code == 303, resp.text
    report = _report(db_session, reference_of(resp))
    assert _mails_to(db_session, _email(school_lms, "deputy"), before)
    assert not _mails_to(db_session, _email(school_lms, "coordinator"), before)
    deputy = people["deputy"]
    queue = deputy.get("/cases?status=all")
    assert queue.status_code == 200 and report.reference in queue.text and other.reference not in queue.text
    assert 'href="/cases/dashboard' not in queue.text, "no links to pages a deputy may not open"
    assert "hidden-walrus" in deputy.get(f"/cases/{report.id}").text
    assert deputy.get(f"/cases/{other.id}").status_code == 404, "only such reports"
    assert people["coordinator"].get(f"/cases/{report.id}").status_code == 404
    assert deputy.get("/cases/new").status_code == 403
    home = deputy.get("/")
    assert "deputy" in home.text and 'href="/cases?' in home.text


def test_a_case_is_never_assigned_to_the_coordinator_it_keeps_away(browser, db_session, school_lms, people, setup):
    setup(["coordinator", "teacher"])
    excluded = user_id(db_session, school_lms, "coordinator")
    resp, _ = send(people["student2"].browser, people["student2"].token, "other", exclude_coordinator_id=str(excluded))
    report = _report(db_session, reference_of(resp))
    refused = people["teacher"].post(f"/cases/{report.id}/assign", data={"assignee_id": str(excluded)})
    assert refused.status_code == 400 and "does not see" in refused.text
    assert _report(db_session, report.reference).assignee_id is None


def test_a_report_about_staff_offers_the_board_track(browser, db_session, school_lms, people, setup):
    setup(["coordinator", "teacher"])
    resp, _ = send(people["student3"].browser, people["student3"].token, "cyberbullying", about_staff="yes")
    report = _report(db_session, reference_of(resp))
    assert report.about_staff and not report.staff_suspect, "the coordinator confirms the board track"
    page = people["teacher"].get(f"/cases/{report.id}")
    assert "School board and Inspectorate" in page.text


def test_sexual_images_about_staff_carry_the_required_board_step(browser, db_session, school_lms, people, setup):
    setup(["coordinator", "teacher"])
    resp, _ = send(people["student3"].browser, people["student3"].token, "sexual_images", about_staff="yes")
    report = _report(db_session, reference_of(resp))
    assert report.about_staff and report.staff_suspect


def test_the_coordinators_page_says_a_single_coordinator_needs_a_deputy(browser, db_session, school_lms, people, setup):
    setup(["coordinator"])
    page = people["admin"].get("/school/coordinators")
    assert "Your school needs a deputy" in page.text
    setup(["coordinator", "teacher"])
    assert "Your school needs a deputy" not in people["admin"].get("/school/coordinators").text
    setup(["coordinator"], deputy="deputy")
    assert "Your school needs a deputy" not in people["admin"].get("/school/coordinators").text


def test_a_school_admin_names_and_removes_the_deputy(browser, db_session, school_lms, people, setup):
    setup(["coordinator", "teacher"])
    admin = people["admin"]
    page = admin.get("/school/coordinators")
    action, fields = form_of(page.text, "form[action*='/school/deputy']")
    deputy_member = member(db_session, school_lms, "deputy")
    resp = admin.browser.post(action, data={**fields, "member_id": str(deputy_member.id)})
    assert resp.status_code == 303, resp.text
    db_session.expire_all()
    assert db_session.get(SchoolDeputy, school_lms.school_id).user_id == deputy_member.user_id
    resp = admin.browser.post(action, data={**fields, "member_id": ""})
    assert resp.status_code == 303
    db_session.expire_all()
    assert db_session.get(SchoolDeputy, school_lms.school_id) is None


@pytest.mark.parametrize("value", ["abc", "0", "student"])
def test_a_deputy_must_be_a_staff_member_of_the_school(browser, db_session, school_lms, people, setup, value):
    setup(["coordinator"])
    if value == "student":
        value = str(member(db_session, school_lms, "student").id)
    resp = people["admin"].post("/school/deputy", data={"member_id": value})
    assert resp.status_code == 400
    db_session.expire_all()
    assert db_session.get(SchoolDeputy, school_lms.school_id) is None


@pytest.mark.parametrize("who", ["student", "teacher", "coordinator", "deputy"])
def test_only_a_school_admin_names_the_deputy(browser, db_session, school_lms, people, setup, who):
    setup(["coordinator"], deputy="deputy" if who == "deputy" else None)
    target = str(member(db_session, school_lms, "teacher").id)
    resp = people[who].post("/school/deputy", data={"member_id": target})
    assert resp.status_code == 403
    db_session.expire_all()
    found = db_session.get(SchoolDeputy, school_lms.school_id)
    assert found is None or found.user_id != user_id(db_session, school_lms, "teacher")


def test_another_schools_admin_cannot_name_this_schools_deputy(browser, db_session, school_lms, other_lms, people, setup):
    setup(["coordinator"])
    _, token = launch(browser, other_lms, "admin")
    target = str(member(db_session, school_lms, "teacher").id)
    resp = browser.post("/school/deputy", token=token, data={"lt": token, "member_id": target})
    assert resp.status_code == 404
    db_session.expire_all()
    assert db_session.get(SchoolDeputy, school_lms.school_id) is None


def test_the_last_coordinator_a_report_may_reach_cannot_be_removed_without_a_deputy(
        db_session, school_lms, people, setup):
    setup(["coordinator", "teacher"])
    excluded = user_id(db_session, school_lms, "coordinator")
    resp, _ = send(people["student2"].browser, people["student2"].token, "other", exclude_coordinator_id=str(excluded))
    assert resp.status_code == 303
    teacher = member(db_session, school_lms, "teacher")
    refused = people["admin"].post("/school/coordinators", data={"member_id": str(teacher.id), "is_coordinator": "false"})
    assert refused.status_code == 409 and "Name a deputy first" in refused.text
    assert member(db_session, school_lms, "teacher").is_coordinator
    # With a deputy to step in, the coordinator may go; the deputy then may not, until someone else can.
    setup(["coordinator", "teacher"], deputy="deputy")
    assert people["admin"].post("/school/coordinators", data={"member_id": str(teacher.id),
                                                             "is_coordinator": "false"}).status_code in (302, 303)
    removed = people["admin"].post("/school/deputy", data={"member_id": ""})
    assert removed.status_code == 409
    db_session.expire_all()
    assert db_session.get(SchoolDeputy, school_lms.school_id) is not None


def test_the_deputy_sees_no_report_that_a_coordinator_can_still_handle(db_session, school_lms, people, setup):
    setup(["coordinator", "teacher"], deputy="deputy")
    first, second = (user_id(db_session, school_lms, key) for key in ("coordinator", "teacher"))
    away_from_one, _ = send(people["student3"].browser, people["student3"].token, "other", exclude_coordinator_id=str(first))
    away_from_other, _ = send(people["student4"].browser, people["student4"].token, "other", exclude_coordinator_id=str(second))
    queue = people["deputy"].get("/cases?status=all").text
    for resp in (away_from_one, away_from_other):
        reference = reference_of(resp)
        assert reference not in queue
        assert people["deputy"].get(f"/cases/{_report(db_session, reference).id}").status_code == 404


def test_reminders_never_count_a_case_kept_from_the_coordinator(app, db_session, school_lms, people, setup):
    from datetime import timedelta
    from lti_tool.cases import reminders
    from lti_tool.db import utcnow
    setup(["coordinator", "teacher"])
    kept_from, other = (user_id(db_session, school_lms, key) for key in ("coordinator", "teacher"))
    make_case(app, school_lms.school_id, age=timedelta(days=10))  # overdue for both: both get a reminder
    with app.test_request_context():
        now = utcnow()
        before = reminders.counts(school_lms.school_id, now, kept_from), reminders.counts(school_lms.school_id, now, other)
    report = make_case(app, school_lms.school_id, age=timedelta(days=10))
    db_session.add(ReportExclusion(school_id=school_lms.school_id, report_id=report.id, user_id=kept_from))
    db_session.commit()
    with app.test_request_context():
        assert reminders.counts(school_lms.school_id, now, kept_from) == before[0]
        assert reminders.counts(school_lms.school_id, now, other)[0] == before[1][0] + 1
        mark = _last_mail_id(db_session)
        reminders.send_reminders(now)
    # Every demo school's people share their addresses: read this school's reminders only.
    [to_kept] = [m for m in _mails_to(db_session, _email(school_lms, "coordinator"), mark) if m.school_id == school_lms.school_id]
    [to_other] = [m for m in _mails_to(db_session, _email(school_lms, "teacher"), mark) if m.school_id == school_lms.school_id]
    # The round also wrote to other test schools: take back what this test queued.
    db_session.execute(delete(MailMessage).where(MailMessage.id > mark, MailMessage.school_id != school_lms.school_id))
    db_session.commit()
    # The mail is in the school's language (Dutch); each counts only what its reader may handle.
    assert to_kept.body.startswith(f"{before[0][0]} open ") and to_other.body.startswith(f"{before[1][0] + 1} open ")
