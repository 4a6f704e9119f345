"""A worker killed (SIGKILL) in the middle of a write leaves nothing half-saved, and the client's retry
stores exactly what one request would have.

The test holds a table lock in a connection of its own, so that the worker's transaction stops
half-way: after its first rows and before its last. It kills that worker, then lets go of the lock.
Only PostgreSQL lets a transaction wait half-way like this (SQLite locks the whole file at the
first write), so these tests run on PostgreSQL.
"""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select, text

from lti_tool.acknowledgements.models import Acknowledgement
from lti_tool.cases.models import AuditEvent
from lti_tool.courses.models import User
from lti_tool.extensions import db
from lti_tool.gradebook.models import ScoreDelivery
from lti_tool.reports.models import Report
from tests.reports.helpers import FORM, report_fields
from tests.support.browser import Browser, form_of
from tests.support.faults import kill_worker, process_with_port
from tests.support.pages import launch


@pytest.fixture(autouse=True)
def _postgresql_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("only PostgreSQL lets a transaction wait half-way (SQLite locks the whole file)")


class HalfWay:
    """Hold `LOCK TABLE <table>` so that a worker's INSERT into it waits inside its transaction."""

    def __init__(self, app, table: str):
        self.app, self.table = app, table

    def __enter__(self):
        with self.app.app_context():
            self.conn = db.engine.connect()
        self.conn.execute(text(f"LOCK TABLE {self.table} IN SHARE MODE"))
        self.holder = self.conn.execute(text("SELECT pg_backend_pid()")).scalar()
        return self

    def blocked_backend(self, timeout: float = 20) -> tuple[int, int, bool]:
        """(pid, client port, has written) of the database session waiting for our lock."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.conn.execute(text("SELECT pg_stat_clear_snapshot()"))  # a transaction caches the view
            row = self.conn.execute(text(
                "SELECT pid, client_port, backend_xid IS NOT NULL, query FROM pg_stat_activity "
                "WHERE :holder = ANY(pg_blocking_pids(pid))"), {"holder": self.holder}).first()
            if row:
                return tuple(row[:3])
            time.sleep(0.05)
        raise AssertionError(f"no request came to wait for the lock on {self.table}")

    def __exit__(self, *exc):
        self.conn.rollback()
        self.conn.close()


def _kill_the_worker_writing(app, table: str, send) -> None:
    """Send a request, kill the worker once its transaction waits at `table`, then release the table."""
    with HalfWay(app, table) as lock, ThreadPoolExecutor(1) as pool:
        answer = pool.submit(send)
        backend, port, written = lock.blocked_backend()
        assert written, "the transaction had written its first rows when the worker died"
        kill_worker(process_with_port(port))
        with pytest.raises(requests.ConnectionError):
            answer.result(timeout=30)  # the client sees the connection drop, never an answer
    _wait_until_ended(app, backend)


def _wait_until_ended(app, backend: int, timeout: float = 20) -> None:
    """Wait until the killed worker's database session has ended (its transaction rolled back)."""
    deadline = time.monotonic() + timeout
    with app.app_context(), db.engine.connect() as conn:
        while conn.execute(text("SELECT pg_stat_clear_snapshot()")) and conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                           {"pid": backend}).scalar():
            assert time.monotonic() < deadline, "the killed worker's session never ended"
            time.sleep(0.05)


def _user_id(app, lms, key: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.issuer == lms.issuer,
                                                       User.sub == lms.users[key].sub))


def _count(app, model, *where) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(model).where(*where))
        finally:
            db.session.remove()


def test_a_killed_worker_leaves_no_half_saved_acknowledgement_and_the_retry_stores_one(app, production):
    browser = Browser(production.url)
    page, _ = launch(browser, production.lms.lms, "student", locale="en")  # the code's placement: scores are queued
    action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
    data = {**fields, "confirm": "true"}
    user = _user_id(app, production.lms.lms, "student")
    mine = (Acknowledgement.user_id == user,)
    scores = (ScoreDelivery.user_id == user,)

    # The acknowledgement is inserted first, its gradebook score after: kill the worker in between.
    _kill_the_worker_writing(app, "gradebook_outbox", lambda: browser.post(action, data=data))
    assert (_count(app, Acknowledgement, *mine), _count(app, ScoreDelivery, *scores)) == (0, 0)

    retried = browser.post(action, data=data)  # the browser sends the same form again
    assert retried.status_code == 303, retried.text[:500]
    assert (_count(app, Acknowledgement, *mine), _count(app, ScoreDelivery, *scores)) == (1, 1)

    again = browser.post(action, data=data)
    assert again.status_code == 409 and "already acknowledged" in again.text
    assert (_count(app, Acknowledgement, *mine), _count(app, ScoreDelivery, *scores)) == (1, 1)


def test_a_killed_worker_leaves_no_half_saved_report_and_the_retry_files_it_once(app, production):
    browser = Browser(production.url)
    _, token = launch(browser, production.lms.lms, "student2", link="report", locale="en")
    form = browser.get(f"/reports/new?category=threats&lt={token}")
    action, hidden = form_of(form.text, FORM)
    data = {**hidden, **report_fields("threats")}  # one form: one submission token
    school = production.lms.school_id

    # The report row is inserted first, its audit event after: kill the worker in between.
    _kill_the_worker_writing(app, "audit_events", lambda: browser.post(action, data=data))
    assert _count(app, Report, Report.school_id == school) == 0

    first = browser.post(action, data=data)
    assert first.status_code == 303, first.text[:500]
    second = browser.post(action, data=data)  # and once more: the same report, not a second
    assert second.status_code == 303 and second.headers["Location"] == first.headers["Location"]
    with app.app_context():
        [report] = db.session.scalars(select(Report).where(Report.school_id == school)).all()
        events = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.school_id == school, AuditEvent.report_id == report.id)).all()
        db.session.remove()
    assert report.reference in first.headers["Location"]
    assert events == ["report_created"], "the report and its audit event were saved together"
