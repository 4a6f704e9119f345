"""The jobs on a real RQ worker and Redis: scores reach the real test LMS, each job may run twice
without doing its work twice, and a job that fails is retried."""
import time
from datetime import timedelta

from sqlalchemy import func, select, update

from lti_tool.cases.models import AuditEvent, MailMessage
from lti_tool.courses.models import RosterSync
from lti_tool.db import utcnow
from lti_tool.extensions import db
from lti_tool.gradebook.models import ScoreDelivery
from lti_tool.tasks import queue as job_queue
from lti_tool.reports.models import Report
from tests.cases.conftest import coordinator_token, make_case
from tests.cases.test_mail import smtp, smtp_app  # noqa: F401  (fixtures: an SMTP server on 127.0.0.1)
from tests.gradebook.conftest import acknowledge, item_id, launch, placement_of, publish, rows_for, user_of
from tests.jobs.conftest import enqueue_on_commit, queued_jobs, work


def _placed(browser, lms, link, db_session, queued):
    """A new version of the code, placed at link, its column made by a worker job."""
    version = publish(db_session, lms.school_id)
    db_session.commit()
    launch(browser, lms, "teacher", link)
    launch(browser, lms, "student", link)
    with queued.app_context():
        job_queue.enqueue("deliver_scores")
    work(queued)
    return version


def _posts(lms, placement, key: str) -> list:
    return [s for s in lms.score_log if s["line_item"] == item_id(placement) and s["userId"] == lms.users[key].sub]


def test_a_commit_that_queues_a_score_enqueues_a_job_that_delivers_it(queued, browser, gb_lms, link, db_session):
    version = _placed(browser, gb_lms, link, db_session, queued)
    with enqueue_on_commit(queued, "deliver_scores"):
        acknowledge(db_session, user_of(db_session, gb_lms, "student"), version)
    job, = queued_jobs(queued)
    assert job.args[0] == "deliver_scores" and job.retries_left == 2
    ran = work(queued)
    assert [j.get_status() for j in ran] == ["finished"] and ran[0].return_value()["delivered"] == 1
    placement = placement_of(db_session, gb_lms, link)
    row, = rows_for(db_session, placement)
    assert row.status == "delivered"
    assert gb_lms.scores[item_id(placement)][gb_lms.users["student"].sub]["scoreGiven"] == 1


def test_a_delivery_job_run_twice_sends_the_score_once(queued, browser, gb_lms, link, db_session):
    version = _placed(browser, gb_lms, link, db_session, queued)
    acknowledge(db_session, user_of(db_session, gb_lms, "student"), version)
    placement = placement_of(db_session, gb_lms, link)
    ids = list(db_session.scalars(select(ScoreDelivery.id).where(
        ScoreDelivery.status == "pending", ScoreDelivery.school_id == placement.school_id)))
    with queued.app_context():
        first, second = job_queue.enqueue("deliver_scores", ids), job_queue.enqueue("deliver_scores", ids)
    work(queued)
    assert first.return_value()["delivered"] == len(ids)  # one row per placement of the course's code
    assert second.return_value() == {"claimed": 0}  # found its rows delivered: did nothing
    assert len(_posts(gb_lms, placement, "student")) == 1
    assert [row.attempts for row in rows_for(db_session, placement)] == [1]


def test_a_job_that_fails_is_retried_after_its_interval(queued, monkeypatch, db_session):
    from lti_tool.cases import retention
    real, calls = retention.purge_due, []

    def flaky(**kw):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("database restarting")
        return real(**kw)

    monkeypatch.setattr(retention, "purge_due", flaky)
    with queued.app_context():
        job = job_queue.enqueue("purge_retention")
    work(queued)
    job.refresh()
    assert job.get_status() == "scheduled" and job.retries_left == 1  # back in a second
    time.sleep(1.2)
    work(queued)
    job.refresh()
    assert job.get_status() == "finished" and len(calls) == 2
    assert set(job.return_value()) == {"purged"}


def test_reminders_go_out_by_mail_through_jobs_and_a_second_run_sends_none(
        queued, smtp_app, smtp, browser, db_session, school_lms):
    make_case(queued, school_lms.school_id, age=timedelta(days=8))
    coordinator_token(browser, db_session, school_lms)
    address = school_lms.users["coordinator"].email
    with enqueue_on_commit(queued, "send_mail"), queued.app_context():
        job_queue.enqueue("send_reminders")
        job_queue.enqueue("send_reminders")
        work(queued)  # the reminders' commit enqueued send_mail with their ids: the worker ran it too
    received, = [m for m in smtp.to(address) if school_lms.school_name in m["Subject"]]  # one, not two
    assert "open melding is over een termijn" in received.get_payload(decode=True).decode()
    row, = db_session.scalars(select(MailMessage).where(MailMessage.school_id == school_lms.school_id))
    assert row.to_address == address and row.status == "sent"


def test_a_mail_job_run_twice_sends_the_mail_once(queued, smtp_app, smtp, db_session):
    with queued.app_context():
        row = MailMessage(school_id=None, to_address="twice@school.example", subject="Veilig Online: test",
                          body="Open the tool.\n")
        db.session.add(row)
        db.session.commit()
        first, second = (job_queue.enqueue("send_mail", [row.id]) for _ in range(2))
    work(queued)
    assert first.return_value()["sent"] >= 1 and second.return_value() == {"claimed": 0}
    assert len(smtp.to("twice@school.example")) == 1


def test_a_purge_job_run_twice_purges_once(queued, db_session, school_lms):
    case = make_case(queued, school_lms.school_id, status="closed", closed_at=utcnow() - timedelta(days=400))
    with queued.app_context():
        first, second = job_queue.enqueue("purge_retention"), job_queue.enqueue("purge_retention")
    work(queued)
    assert first.return_value()["purged"] >= 1 and second.return_value() == {"purged": 0}
    db_session.expire_all()
    assert db_session.get(Report, case.id).purged_at is not None
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.report_id == case.id, AuditEvent.action == "contents_purged")) == 1


def test_stale_rosters_of_placed_courses_are_refreshed_by_a_job_per_course(queued, browser, gb_lms, link, db_session):
    _placed(browser, gb_lms, link, db_session, queued)
    course_id = placement_of(db_session, gb_lms, link).course_id
    db_session.execute(update(RosterSync).where(RosterSync.course_id == course_id)
                       .values(attempted_at=utcnow() - timedelta(hours=2)))
    db_session.commit()
    with queued.app_context():
        sweep = job_queue.enqueue("refresh_rosters")
    ran = work(queued)
    assert sweep.return_value()["courses"] >= 1
    refreshed = [j for j in ran if j.args == ("refresh_roster", course_id)]
    assert [j.return_value() for j in refreshed] == [{"refreshed": True}]
    db_session.expire_all()
    record = db_session.get(RosterSync, course_id)
    assert record.status == "ok" and utcnow() - record.attempted_at < timedelta(minutes=1)
    with queued.app_context():
        job_queue.enqueue("refresh_roster", course_id)
    again, = work(queued)
    assert again.return_value() == {"refreshed": False}  # fresh: the LMS is not asked again
