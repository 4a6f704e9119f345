"""Leavers: a person their school has not seen for its term loses name, e-mail, LMS ids and
memberships; their acknowledgements stay only as counts (the figures do not move); a case on
legal hold or still open holds them; `lti-tool privacy leavers --dry-run` counts, never names."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from lti_tool.cases import operations as cases
from lti_tool.cases.models import AuditEvent
from lti_tool.cli import main
from lti_tool.courses.models import ACTIVE, INACTIVE, CourseMember, SchoolMember, User
from lti_tool.db import utcnow
from lti_tool.extensions import db
from lti_tool.privacy import leavers, terms, tasks as privacy_tasks
from lti_tool.privacy.models import PrivacySettings
from lti_tool.reports.models import Report
from tests.privacy.conftest import ack_figures, counts, people, report_by, school_of


def _due_for_pupil(seen: datetime, years: int = 2) -> datetime:
    end = terms.school_year_end(seen)
    return end.replace(year=end.year + years)


def _run(app, school_id, now, **kw):
    """The purge for this test's school only: the session's other schools keep their people."""
    with app.app_context():
        return leavers.anonymise_due(now=now, school_ids=[school_id], **kw)


def test_the_school_year_ends_on_1_august_and_a_pupil_goes_two_school_years_later():
    utc = timezone.utc
    assert terms.school_year_end(datetime(2026, 12, 6, tzinfo=utc)) == datetime(2027, 8, 1, tzinfo=utc)
    assert terms.school_year_end(datetime(2027, 7, 31, 23, tzinfo=utc)) == datetime(2027, 8, 1, tzinfo=utc)
    assert terms.school_year_end(datetime(2027, 8, 1, tzinfo=utc)) == datetime(2028, 8, 1, tzinfo=utc)
    settings = PrivacySettings(pupil_years=2, staff_months=24)
    seen = datetime(2026, 12, 6, 10, tzinfo=utc)
    assert terms.due_at(seen, True, settings) == datetime(2029, 8, 1, tzinfo=utc)
    assert terms.due_at(seen, False, settings) == datetime(2028, 12, 6, 10, tzinfo=utc)


def test_after_the_term_a_pupil_is_anonymised_and_the_school_keeps_the_same_figures(
        app, browser, db_session, school):
    lms, school_id = school
    ids = people(browser, app, db_session, lms, "student", "student2", "teacher")
    before, figures = counts(db_session, school_id), ack_figures(db_session, school_id)
    assert before["named_users"] == 3 and before["acknowledgements"] == 3
    now = utcnow()
    not_yet = _run(app, school_id, _due_for_pupil(now) - timedelta(minutes=1))
    assert not_yet.anonymised == 1, "the teacher's 24 months ended before the pupils' school years"
    assert counts(db_session, school_id)["named_users"] == 2
    result = _run(app, school_id, _due_for_pupil(now) + timedelta(minutes=1))
    assert (result.anonymised, result.schools[school_id].pupils) == (2, 2)
    after = counts(db_session, school_id)
    assert after == {"named_users": 0, "school_members": before["school_members"] - 3, "course_members": 0,
                     "acknowledgements": 3}
    assert ack_figures(db_session, school_id) == figures, "the school's figures do not move"
    for user_id in ids.values():
        user = db_session.get(User, user_id)
        assert (user.name, user.email, user.locale, user.issuer) == (None, None, None, "erased")
        assert user.sub != lms.users["student"].sub and lms.issuer not in user.sub
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.school_id == school_id,
                                                         AuditEvent.action == "person_anonymised")).all()
    assert len(events) == 3 and {e.detail for e in events} == {"leaver"} and {e.actor_user_id for e in events} == {None}
    again = _run(app, school_id, _due_for_pupil(now) + timedelta(days=400))
    assert again.anonymised == 0, "an anonymised person is not found again"


def test_a_pupil_seen_again_in_a_roster_or_a_launch_is_no_leaver(app, browser, db_session, school):
    lms, school_id = school
    people(browser, app, db_session, lms, "student")
    member = db_session.scalars(select(SchoolMember).join(User).where(
        SchoolMember.school_id == school_id, User.sub == lms.users["student"].sub)).one()
    # Seen two and a half years ago, by launch; the school's term has not ended since it was set to the longest.
    member.created_at = member.last_launch_at = utcnow() - timedelta(days=365 * 3)
    db_session.commit()
    assert _run(app, school_id, utcnow(), dry_run=True).schools[school_id].pupils == 1
    people(browser, app, db_session, lms, "student", acknowledged=False)  # opens the tool again
    assert school_id not in _run(app, school_id, utcnow(), dry_run=True).schools


def test_a_roster_that_lists_a_pupil_as_active_keeps_them_and_one_that_ended_them_does_not(
        app, browser, db_session, school):
    lms, school_id = school
    ids = people(browser, app, db_session, lms, "student", "student2", acknowledged=False)
    long_ago, now = utcnow() - timedelta(days=365 * 3 + 250), utcnow()
    for key, status in (("student", ACTIVE), ("student2", INACTIVE)):
        member = db_session.scalars(select(SchoolMember).where(SchoolMember.user_id == ids[key])).one()
        member.created_at = member.last_launch_at = long_ago  # no launch for years
        membership = db_session.scalars(select(CourseMember).where(CourseMember.user_id == ids[key])).one()
        # Both still in this week's roster read; the LMS ended student2's enrolment years ago.
        membership.lms_status, membership.roster_seen_at, membership.updated_at = status, now, long_ago
    db_session.commit()
    result = _run(app, school_id, now)
    assert result.anonymised == 1
    db_session.expire_all()
    assert db_session.get(User, ids["student"]).name == "Sanne de Vries"
    assert db_session.get(User, ids["student2"]).name is None


def test_a_case_on_legal_hold_or_still_open_holds_its_reporter(app, browser, db_session, school):
    lms, school_id = school
    ids = people(browser, app, db_session, lms, "student", "student2", "coordinator", acknowledged=False)
    coordinator = db_session.scalars(select(SchoolMember).where(SchoolMember.user_id == ids["coordinator"])).one()
    coordinator.is_coordinator = True
    db_session.commit()
    held = report_by(app, school_id, ids["student"], identity="pseudonymous")
    still_open = report_by(app, school_id, ids["student2"], identity="named")
    with app.test_request_context():
        actor = cases.Actor(school_id, ids["coordinator"])
        report = db.session.get(Report, held.id)
        cases.close(report, actor, "resolved", message="Closed.", open_steps_confirmed=True)
        cases.set_legal_hold(report, actor, True)
        db.session.commit()
    later = _due_for_pupil(utcnow()) + timedelta(days=1)
    result = _run(app, school_id, later)
    assert result.schools[school_id].held == 2 and result.anonymised == 1, "only the coordinator goes"
    assert db_session.get(User, ids["student"]).name is not None
    with app.test_request_context():
        report = db.session.get(Report, held.id)
        cases.set_legal_hold(report, cases.Actor(school_id, ids["coordinator"]), False)
        db.session.commit()
    result = _run(app, school_id, later)
    assert result.anonymised == 1 and result.schools[school_id].held == 1
    db_session.expire_all()
    report = db_session.get(Report, held.id)
    assert report.reporter_lookup is None and report.reporter_link is None, "the sealed link is destroyed"
    assert report.details is not None and report.purged_at is None, "its contents follow the case retention"
    assert db_session.get(Report, still_open.id).reporter_user_id == ids["student2"]
    assert db_session.get(User, ids["student2"]).name is not None


def test_the_dry_run_counts_per_school_and_names_nobody(app, browser, db_session, school, make_lms):
    lms, school_id = school
    people(browser, app, db_session, lms, "student", "teacher", acknowledged=False)
    other = make_lms()
    people(browser, app, db_session, other, "student", acknowledged=False)
    other_id = school_of(db_session, other).id
    db_session.execute(PrivacySettings.__table__.insert().values(
        school_id=school_id, pupil_years=1, staff_months=12, updated_at=utcnow()))
    db_session.commit()
    for user_key in ("student", "teacher"):  # seen long ago
        member = db_session.scalars(select(SchoolMember).join(User).where(
            SchoolMember.school_id == school_id, User.sub == lms.users[user_key].sub)).one()
        member.created_at = member.last_launch_at = utcnow() - timedelta(days=365 * 3)
    db_session.commit()
    runner = app.test_cli_runner()
    dry = runner.invoke(main, ["privacy", "leavers", "--dry-run", "--school", str(school_id)])
    assert dry.exit_code == 0, dry.output
    assert f"school {school_id}: 1 pupil(s), 1 staff, 0 held" in dry.output and "would be anonymised" in dry.output
    for name in ("Sanne", "Vries", "Bakker", lms.users["student"].sub):
        assert name not in dry.output
    assert counts(db_session, school_id)["school_members"] == 2, "a dry run changes nothing"
    done = runner.invoke(main, ["privacy", "leavers", "--school", str(school_id), "--school", str(other_id)])
    assert done.exit_code == 0 and "anonymised" in done.output
    assert counts(db_session, school_id)["school_members"] == 0
    theirs = db_session.scalars(select(User).where(User.issuer == other.issuer,
                                                   User.sub == other.users["student"].sub)).one()
    assert theirs.name == "Sanne de Vries", "another school keeps its pupil"


def test_the_purge_is_a_declared_nightly_task_that_anonymises_today(app, browser, db_session, school):
    lms, school_id = school
    ids = people(browser, app, db_session, lms, "student", "student2", acknowledged=False)
    member = db_session.scalars(select(SchoolMember).where(SchoolMember.user_id == ids["student"])).one()
    member.created_at = member.last_launch_at = utcnow() - timedelta(days=365 * 3 + 250)
    db_session.commit()
    [task] = privacy_tasks.TASKS
    assert task.name == "anonymise_leavers" and task.switch == "PRIVACY_LEAVERS"
    assert task.schedule(app.config) == {"cron": "45 3 * * *"}
    assert "anonymise_leavers" in app.extensions["tasks"].modes
    with app.app_context():  # at today's date: only people unseen for years are due, in any school
        summary = task.run()
    assert summary["anonymised"] >= 1 and set(summary) == {"anonymised", "held"}
    db_session.expire_all()
    assert db_session.get(User, ids["student"]).name is None
    assert db_session.get(User, ids["student2"]).name == "Daan Jansen", "seen today: stays"
