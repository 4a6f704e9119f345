"""Retention: after the school's period, a closed case keeps only an anonymous summary; a legal
hold keeps everything; `lti-tool cases purge` and the daily thread do it."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lti_tool.cases import operations, retention, tasks as cases_tasks
from lti_tool.cases.models import AuditEvent, CaseNote, ChecklistEntry
from lti_tool.cli import main
from lti_tool.db import utcnow
from lti_tool.extensions import db
from lti_tool.reports.models import Report, ReportMessage
from tests.cases.conftest import coordinator_token, launch, make_case, user_id


def _worked_and_closed(app, school_id, coordinator_id, *, months_ago: int, **columns):
    """A case with a message, a note and a checked step, closed months_ago months ago."""
    from lti_tool.reports import operations as reports
    case = make_case(app, school_id, category="fight_video", what="Video of the fight at the station.", **columns)
    with app.test_request_context():
        report = db.session.get(Report, case.id)
        actor = operations.Actor(school_id, coordinator_id)
        operations.add_note(report, actor, "Spoke with the mentor of 3C.")
        reports.post_message(report, ReportMessage.REPORTER, "It is still on TikTok.")
        operations.send_message(report, actor, "We asked TikTok to remove it.")
        operations.check_step(report, actor, "takedown", True)
        operations.close(report, actor, "resolved", message="We are closing your report.",
                         open_steps_confirmed=True)
        report.closed_at = utcnow() - timedelta(days=31 * months_ago)
        db.session.commit()
    return case


@pytest.fixture
def coordinator_id(browser, db_session, school_lms):
    coordinator_token(browser, db_session, school_lms)
    return user_id(db_session, school_lms, "coordinator")


def _count(db_session, model, report_id) -> int:
    return db_session.scalar(select(func.count()).select_from(model).where(model.report_id == report_id))


def test_a_purge_keeps_only_an_anonymous_summary(app, db_session, school_lms, coordinator_id, browser):
    _, reporter_token = launch(browser.__class__(browser.tool_url), school_lms, "student")
    student = user_id(db_session, school_lms, "student")
    old = _worked_and_closed(app, school_lms.school_id, coordinator_id, months_ago=13, reporter_user_id=student,
                             identity="named")
    recent = _worked_and_closed(app, school_lms.school_id, coordinator_id, months_ago=11)
    result = app.test_cli_runner().invoke(main, ["cases", "purge", "--yes"])
    assert result.exit_code == 0, result.output
    assert "purged" in result.output
    db_session.expire_all()
    report = db_session.get(Report, old.id)
    assert report.purged_at is not None and report.details is None and report.reporter_link is None
    assert report.reporter_lookup is None and report.reporter_user_id is None and report.pseudonym == ""
    assert report.assignee_id is None
    assert (report.category, report.outcome, report.status) == ("fight_video", "resolved", "closed")
    assert report.created_at and report.closed_at and report.first_response_at
    for model in (ReportMessage, CaseNote, ChecklistEntry):
        assert _count(db_session, model, old.id) == 0
        assert _count(db_session, model, recent.id) > 0, "the recent case keeps everything"
    assert db_session.get(Report, recent.id).details is not None
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.report_id == old.id,
                                                       AuditEvent.action == "contents_purged")).one()
    page = browser.get(f"/cases/{old.id}", token=coordinator_token(browser, db_session, school_lms))
    assert page.status_code == 200 and "were removed" in page.text and "station" not in page.text
    mine = browser.get("/reports/mine", token=reporter_token)
    assert old.reference not in mine.text, "the reporter's link to it expired with the contents"


def test_purging_on_the_command_line_asks_first_and_no_purges_nothing(app, db_session, school_lms, coordinator_id):
    case = _worked_and_closed(app, school_lms.school_id, coordinator_id, months_ago=15)
    runner = app.test_cli_runner()
    refused = runner.invoke(main, ["cases", "purge"], input="n\n")
    assert refused.exit_code == 1 and "Nothing was changed." in refused.output
    assert "closed case(s) past their retention? This cannot be undone." in refused.output
    db_session.expire_all()
    assert db_session.get(Report, case.id).purged_at is None and _count(db_session, CaseNote, case.id) == 1
    dry = runner.invoke(main, ["cases", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "would be purged" in dry.output and "[y/N]" not in dry.output
    agreed = runner.invoke(main, ["cases", "purge"], input="y\n")
    assert agreed.exit_code == 0, agreed.output
    db_session.expire_all()
    assert db_session.get(Report, case.id).purged_at is not None


def test_a_legal_hold_keeps_the_contents_until_it_is_lifted(app, db_session, school_lms, coordinator_id):
    case = _worked_and_closed(app, school_lms.school_id, coordinator_id, months_ago=20)
    with app.app_context():
        report = db.session.get(Report, case.id)
        operations.set_legal_hold(report, operations.Actor(school_lms.school_id, coordinator_id), True)
        db.session.commit()
        retention.purge_due()
    db_session.expire_all()
    assert db_session.get(Report, case.id).purged_at is None
    assert _count(db_session, CaseNote, case.id) == 1
    with app.app_context():
        report = db.session.get(Report, case.id)
        operations.set_legal_hold(report, operations.Actor(school_lms.school_id, coordinator_id), False)
        db.session.commit()
        retention.purge_due()
    db_session.expire_all()
    assert db_session.get(Report, case.id).purged_at is not None


def test_the_schools_retention_period_decides(app, db_session, school_lms, coordinator_id):
    case = _worked_and_closed(app, school_lms.school_id, coordinator_id, months_ago=14)
    with app.app_context():
        operations.save_settings(school_lms.school_id, coordinator_id, {
            "first_response_hours": 24, "urgent_response_minutes": 60, "retention_months": 24})
        db.session.commit()
        dry = retention.purge_due(dry_run=True)
        retention.purge_due()
    db_session.expire_all()
    assert db_session.get(Report, case.id).purged_at is None
    assert dry.schools.get(school_lms.school_id, 0) == 0
    with app.app_context():
        operations.save_settings(school_lms.school_id, coordinator_id, {
            "first_response_hours": 24, "urgent_response_minutes": 60, "retention_months": 12})
        db.session.commit()
        dry = retention.purge_due(dry_run=True)
        assert dry.schools[school_lms.school_id] >= 1
        db_session.expire_all()
        assert db_session.get(Report, case.id).purged_at is None, "a dry run changes nothing"
        retention.purge_due()
    db_session.expire_all()
    assert db_session.get(Report, case.id).purged_at is not None


def test_open_cases_are_never_purged(app, db_session, school_lms):
    case = make_case(app, school_lms.school_id, age=timedelta(days=800))
    with app.app_context():
        retention.purge_due()
    db_session.expire_all()
    assert db_session.get(Report, case.id).details is not None


def test_a_purged_case_cannot_change_any_more(app, db_session, school_lms, coordinator_id, browser):
    case = _worked_and_closed(app, school_lms.school_id, coordinator_id, months_ago=30)
    with app.app_context():
        retention.purge_due()
    token = coordinator_token(browser, db_session, school_lms)
    page = browser.get(f"/cases/{case.id}", token=token)
    assert "<textarea" not in page.text, "no forms to change a purged case"
    from bs4 import BeautifulSoup
    csrf = BeautifulSoup(browser.get("/cases/new", token=token).text, "html.parser").select_one(
        "input[name=csrf_token]")["value"]
    assert browser.post(f"/cases/{case.id}/reopen", token=token, data={"csrf_token": csrf}).status_code == 409
    assert browser.post(f"/cases/{case.id}/notes", token=token, data={"csrf_token": csrf, "body": "x"}).status_code == 409


def test_the_purge_thread_is_off_in_tests_and_on_by_flag(app, database_url):
    assert "purge_retention" not in app.extensions["tasks"].executors and app.config["CASES_PURGE"] == "off"
    from lti_tool import create_app
    scheduled = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"], "SQLALCHEMY_DATABASE_URI": database_url,
                            "LTI_CONFIG": app.config["LTI_CONFIG"], "CASES_PURGE": "thread"})
    worker = scheduled.extensions["tasks"].executors["purge_retention"]
    assert worker.job is cases_tasks.purge_retention and worker.cron == "30 3 * * *"  # nightly
    with pytest.raises(ValueError):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "LTI_CONFIG": app.config["LTI_CONFIG"],
                    "CASES_PURGE": "sometimes"})
    with scheduled.app_context():
        db.session.remove()
        db.engine.dispose()
