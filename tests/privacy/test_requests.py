"""Access and erasure requests (AVG art. 15-17): a school admin downloads everything the tool holds
about one person of their own school, never a pseudonymous report; erasure goes the leaver's way;
nobody else gets in, and bad requests change nothing."""
import io
import json
import zipfile

import pytest
from sqlalchemy import select

from lti_tool.cases import operations as cases
from lti_tool.cases.models import AuditEvent
from lti_tool.courses.models import SchoolMember, User
from lti_tool.extensions import db
from lti_tool.privacy.archive import PHONE_EXCEPTIONS
from lti_tool.reports.models import Report
from tests.privacy.conftest import counts, launch, member_id_of


def _unzip(resp) -> tuple[str, dict]:
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "application/zip" and resp.headers["Cache-Control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(resp.content)) as archive:
        assert sorted(archive.namelist()) == ["data.html", "data.json"]
        return archive.read("data.html").decode(), json.loads(archive.read("data.json"))


def test_an_admin_downloads_everything_about_a_pupil_but_never_a_pseudonymous_report(browser, db_session, pupil):
    page = browser.get(f"/privacy/people/{pupil['member_id']}", token=pupil["admin"])
    assert page.status_code == 200 and "Sanne de Vries" in page.text
    html, data = _unzip(browser.get(f"/privacy/people/{pupil['member_id']}/archive.zip", token=pupil["admin"]))
    sections = {section["key"]: section for section in data["sections"]}
    register = PHONE_EXCEPTIONS in db.metadata.tables  # the phone-exception register, where it is installed
    assert list(sections) == ["profile", "membership", "courses", "acknowledgements",
                              *([PHONE_EXCEPTIONS] if register else []), "reports"]
    assert sections["profile"]["rows"][0]["Name"] == "Sanne de Vries"
    assert sections["profile"]["rows"][0]["LMS user id"] == pupil["lms"].users["student"].sub
    assert len(sections["acknowledgements"]["rows"]) == 1 and len(sections["courses"]["rows"]) == 1
    [report] = sections["reports"]["rows"]
    assert report["Reference"] == pupil["named"].reference and "group chat" in json.dumps(report)
    for text in (html, json.dumps(data)):
        assert pupil["hidden"].reference not in text and "fake account" not in text, "that would unmask them"
    assert "Sanne de Vries" in html and pupil["named"].reference in html
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.school_id == pupil["school_id"],
                                                         AuditEvent.action == "access_request_exported")).all()
    assert {e.report_id for e in events} == {None, pupil["named"].id}
    assert all(e.actor_user_id is not None for e in events)


def test_the_reporter_downloads_their_own_reports_pseudonymous_ones_too(app, browser, db_session, pupil):
    token = launch(browser, pupil["lms"], "student")
    mine = browser.get("/reports/mine", token=token)
    assert "/privacy/mine.zip" in mine.text
    html, data = _unzip(browser.get("/privacy/mine.zip", token=token))
    text = json.dumps(data)
    assert pupil["hidden"].reference in text and "fake account" in text and pupil["named"].reference in text
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "reporter_exported",
                                                         AuditEvent.school_id == pupil["school_id"])).all()
    assert {e.report_id for e in events} == {pupil["named"].id, pupil["hidden"].id}
    assert {e.actor_user_id for e in events} == {None}, "the log never names the reporter"
    other = launch(browser, pupil["lms"], "student2")
    _, theirs = _unzip(browser.get("/privacy/mine.zip", token=other))
    assert pupil["hidden"].reference not in json.dumps(theirs) and theirs["sections"][0]["rows"] == []


@pytest.mark.parametrize("user_key", ["teacher", "coordinator", "student"])
def test_nobody_but_a_school_admin_gets_in(browser, db_session, pupil, user_key):
    token = launch(browser, pupil["lms"], user_key)
    if user_key == "coordinator":
        db_session.execute(SchoolMember.__table__.update().where(
            SchoolMember.user_id == db_session.scalars(select(User.id).where(
                User.sub == pupil["lms"].users["coordinator"].sub, User.issuer == pupil["lms"].issuer)).one())
            .values(is_coordinator=True))
        db_session.commit()
    member = pupil["member_id"]
    for method, url in (("get", "/privacy/"), ("get", "/privacy/people"), ("get", f"/privacy/people/{member}"),
                        ("get", f"/privacy/people/{member}/archive.zip"), ("post", f"/privacy/people/{member}/erase"),
                        ("post", "/privacy/")):
        resp = getattr(browser, method)(url, token=token, **({"data": {"confirm": "yes", "pupil_years": "1",
                                                                         "staff_months": "12"}}
                                                              if method == "post" else {}))
        assert resp.status_code == 403, (url, resp.status_code)
        assert pupil["lms"].users["student"].sub not in resp.text and "group chat" not in resp.text
    assert db_session.get(User, pupil["user_id"]).name == "Sanne de Vries"


def test_another_schools_admin_finds_nobody(browser, db_session, pupil, make_lms):
    other = make_lms()
    token = launch(browser, other, "admin")
    member = pupil["member_id"]
    for url in (f"/privacy/people/{member}", f"/privacy/people/{member}/archive.zip", "/privacy/people/99999999"):
        resp = browser.get(url, token=token)
        assert resp.status_code == 404 and "Sanne" not in resp.text
    resp = browser.post(f"/privacy/people/{member}/erase", token=token, data={"confirm": "yes"})
    assert resp.status_code == 404
    listing = browser.get("/privacy/people?q=Sanne", token=token)
    assert listing.status_code == 200 and "Nobody at this school" in listing.text
    assert "Sanne de Vries" not in listing.text
    assert db_session.get(User, pupil["user_id"]).name == "Sanne de Vries"


def test_an_erasure_needs_its_confirmation_and_changes_nothing_without(browser, db_session, pupil):
    before = counts(db_session, pupil["school_id"])
    resp = browser.post(f"/privacy/people/{pupil['member_id']}/erase", token=pupil["admin"], data={})
    assert resp.status_code == 400 and "Tick the box" in resp.text
    resp = browser.post(f"/privacy/people/{pupil['member_id']}/erase", token=pupil["admin"],
                        data={"confirm": "<svg onload=alert(1)>"})
    assert resp.status_code == 400 and "<svg" not in resp.text
    assert counts(db_session, pupil["school_id"]) == before


def test_an_erasure_waits_for_an_open_case_or_a_legal_hold(app, browser, db_session, pupil):
    before = counts(db_session, pupil["school_id"])
    resp = browser.post(f"/privacy/people/{pupil['member_id']}/erase", token=pupil["admin"], data={"confirm": "yes"})
    assert resp.status_code == 409 and "still open or on legal hold" in resp.text
    assert counts(db_session, pupil["school_id"]) == before
    resp = browser.post(f"/privacy/people/{pupil['member_id']}/erase", token=pupil["admin"],
                        data={"confirm": "yes"}, headers={"Accept": "application/json"})
    assert resp.status_code == 409 and resp.json()["error"] == "conflict"


def test_an_erasure_goes_the_leavers_way_and_is_audited(app, browser, db_session, pupil):
    with app.test_request_context():  # both reports closed: nothing holds her now
        for report_id in (pupil["named"].id, pupil["hidden"].id):
            report = db.session.get(Report, report_id)
            cases.close(report, cases.Actor(pupil["school_id"], None), "resolved", message="Closed.",
                        open_steps_confirmed=True)
        db.session.commit()
    figures = counts(db_session, pupil["school_id"])
    resp = browser.post(f"/privacy/people/{pupil['member_id']}/erase", token=pupil["admin"], data={"confirm": "yes"})
    assert resp.status_code == 303
    after = counts(db_session, pupil["school_id"])
    assert after["named_users"] == figures["named_users"] - 1
    assert after["acknowledgements"] == figures["acknowledgements"], "her acknowledgement still counts"
    user = db_session.get(User, pupil["user_id"])
    assert (user.name, user.email, user.issuer) == (None, None, "erased")
    hidden = db_session.get(Report, pupil["hidden"].id)
    assert hidden.reporter_lookup is None and hidden.reporter_link is None
    [event] = db_session.scalars(select(AuditEvent).where(AuditEvent.school_id == pupil["school_id"],
                                                          AuditEvent.action == "person_anonymised")).all()
    assert event.detail == "request" and event.actor_user_id is not None
    again = browser.post(f"/privacy/people/{pupil['member_id']}/erase", token=pupil["admin"], data={"confirm": "yes"})
    assert again.status_code == 404, "an erased person is no longer there"
    relaunch = launch(browser, pupil["lms"], "student")
    assert relaunch, "she can come back: the LMS's next launch is a new person to the tool"
    assert db_session.get(User, pupil["user_id"]).name is None


def test_an_admin_cannot_erase_themself(browser, db_session, pupil):
    admin_id = db_session.scalars(select(User.id).where(User.sub == pupil["lms"].users["admin"].sub,
                                                        User.issuer == pupil["lms"].issuer)).one()
    resp = browser.post(f"/privacy/people/{member_id_of(db_session, admin_id)}/erase", token=pupil["admin"],
                        data={"confirm": "yes"})
    assert resp.status_code == 409 and db_session.get(User, admin_id).name is not None


def test_the_search_finds_people_of_the_school_and_treats_wildcards_literally(browser, pupil):
    found = browser.get("/privacy/people?q=sanne", token=pupil["admin"])
    assert found.status_code == 200 and "Sanne de Vries" in found.text
    assert "Sanne de Vries" not in browser.get("/privacy/people?q=%25", token=pupil["admin"]).text
    assert browser.get("/privacy/people?q=" + "x" * 101, token=pupil["admin"]).status_code == 400


@pytest.fixture
def phone_register(app):
    """The phone-exception register's table: the real one where lti_tool/exceptions is installed, else one
    with its columns, for this test only."""
    from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Table
    if PHONE_EXCEPTIONS in db.metadata.tables:
        yield db.metadata.tables[PHONE_EXCEPTIONS]
        return
    table = Table(PHONE_EXCEPTIONS, db.metadata, Column("id", Integer, primary_key=True),
                  Column("school_id", ForeignKey("schools.id")), Column("pupil_id", ForeignKey("users.id")),
                  Column("kind", String(20)), Column("note", String(200)), Column("starts_on", Date),
                  Column("ends_on", Date), Column("ended_at", DateTime(timezone=True)))
    with app.app_context():
        table.create(db.engine)
    try:
        yield table
    finally:
        with app.app_context():
            table.drop(db.engine)
        db.metadata.remove(table)


def test_the_archive_holds_the_pupils_phone_exceptions_where_the_register_is_kept(
        browser, db_session, pupil, phone_register):
    from datetime import date
    from lti_tool.db import utcnow
    row = {"school_id": pupil["school_id"], "pupil_id": pupil["user_id"], "kind": "medical",
           "note": "Glucose sensor", "starts_on": date(2026, 9, 1), "ends_on": date(2027, 7, 15)}
    if "granted_at" in phone_register.c:  # the real register's
        row["granted_at"] = utcnow()
    db_session.execute(phone_register.insert().values(**row))
    db_session.commit()
    _, data = _unzip(browser.get(f"/privacy/people/{pupil['member_id']}/archive.zip", token=pupil["admin"]))
    [section] = [s for s in data["sections"] if s["key"] == PHONE_EXCEPTIONS]
    assert section["rows"] == [{"Kind": "medical", "From": "2026-09-01", "Until": "2027-07-15",
                                "Note": "Glucose sensor", "Ended early": None}]
