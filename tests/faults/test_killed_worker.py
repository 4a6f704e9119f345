"""A worker killed (SIGKILL) in the middle of a write leaves nothing half-saved, and the client's retry
stores exactly what one request would have.

The first two tests hold a table lock in a connection of their own, so that the worker's transaction
stops half-way: after its first rows and before its last; they kill that worker, then let go of the
lock. Only PostgreSQL lets a transaction wait half-way like this (SQLite locks the whole file at the
first write), so those run on PostgreSQL. The last kills workers at random moments while they answer
people who launch, acknowledge and report, on either database.
"""
import itertools
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select, text

from lti_tool import sealing
from lti_tool.acknowledgements.models import Acknowledgement
from lti_tool.cases.models import AuditEvent
from lti_tool.courses.models import User
from lti_tool.demo.platform import LEARNER, DemoUser
from lti_tool.extensions import db
from lti_tool.gradebook.models import ScoreDelivery
from lti_tool.reports.models import Report
from tests.reports.helpers import FORM, report_fields
from tests.support.browser import Browser, form_of
from tests.support.faults import busy_workers, kill_worker, process_with_port
from tests.support.pages import launch


@pytest.fixture
def postgresql_only(database_url):
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


def _kill_the_worker_writing(app, table: str, send, has_written: bool = True) -> None:
    """Send a request, kill the worker once its transaction waits at `table`, then release the table.

    has_written: the transaction wrote rows before it came to wait (False where the waiting
    statement is the request's only write).
    """
    with HalfWay(app, table) as lock, ThreadPoolExecutor(1) as pool:
        answer = pool.submit(send)
        backend, port, written = lock.blocked_backend()
        assert written == has_written, "the transaction had written rows when the worker died" if has_written \
            else "the acknowledgement and its scores are one statement: nothing is written before it"
        assert kill_worker(process_with_port(port)), "the worker waited for the table, alive"
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


def test_a_killed_worker_leaves_no_half_saved_acknowledgement_and_the_retry_stores_one(app, production,
                                                                                     postgresql_only):
    browser = Browser(production.url)
    page, _ = launch(browser, production.lms.lms, "student", locale="en")  # the code's placement: scores are queued
    action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
    data = {**fields, "confirm": "true"}
    user = _user_id(app, production.lms.lms, "student")
    mine = (Acknowledgement.user_id == user,)
    scores = (ScoreDelivery.user_id == user,)

    # On PostgreSQL one statement stores the acknowledgement and queues its score: kill the worker
    # while that statement waits for the outbox.
    _kill_the_worker_writing(app, "gradebook_outbox", lambda: browser.post(action, data=data), has_written=False)
    assert (_count(app, Acknowledgement, *mine), _count(app, ScoreDelivery, *scores)) == (0, 0)

    retried = browser.post(action, data=data)  # the browser sends the same form again
    assert retried.status_code == 303, retried.text[:500]
    assert (_count(app, Acknowledgement, *mine), _count(app, ScoreDelivery, *scores)) == (1, 1)

    again = browser.post(action, data=data)
    assert again.status_code == 409 and "already acknowledged" in again.text
    assert (_count(app, Acknowledgement, *mine), _count(app, ScoreDelivery, *scores)) == (1, 1)


def test_a_killed_worker_leaves_no_half_saved_report_and_the_retry_files_it_once(app, production,
                                                                                 postgresql_only):
    browser = Browser(production.url)
    _, token = launch(browser, production.lms.lms, "student2", link="report", locale="en")
    form = browser.get("/reports/new?category=threats", token=token)
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


KILLS = 5
# A worker killed before its answer, or half-way through sending it.
DROPPED = (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)


def _until_answered(send, done: tuple[int, ...], dropped: list):
    """What a person does when the page does not load, or says "try again": the same again."""
    for _attempt in range(40):
        try:
            resp = send()
        except DROPPED:
            dropped.append(1)
            continue
        if resp.status_code in done:
            return resp
        assert resp.status_code == 503, resp.text[:500]  # SQLite busy: a "try again" page
        time.sleep(0.2)
    raise AssertionError("never answered")


def _launched(browser, lms, key: str, dropped: list):
    """Launch until a launch gets through (the LMS starts a dropped launch afresh, with a new nonce)."""
    for _attempt in range(20):
        try:
            page, token = launch(browser, lms, key, locale="en")
        except DROPPED:
            dropped.append(1)
            continue
        if page.status_code == 200:
            return page, token
        assert page.status_code == 503, page.text[:500]
    raise AssertionError("never launched")


def test_workers_killed_at_random_moments_under_load_leave_everything_whole_after_retries(app, production):
    """On either database: people launch, acknowledge and report at once while workers die mid-request."""
    lms, school = production.lms.lms, production.lms.school_id
    stop, killed, dropped, receipts, people = threading.Event(), [], [], [], itertools.count()

    def person(n: int) -> None:
        key = f"busy-{n}"
        lms.users[key] = DemoUser(key, f"busy-sub-{n}", "Leerling", str(n), [LEARNER])
        browser = Browser(production.url)
        page, token = _launched(browser, lms, key, dropped)
        action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
        _until_answered(lambda: browser.post(action, data={**fields, "confirm": "true"}), (303, 409), dropped)
        form = _until_answered(lambda: browser.get("/reports/new?category=cyberbullying", token=token),
                               (200,), dropped)
        action, hidden = form_of(form.text, FORM)
        data = {**hidden, **report_fields("cyberbullying")}
        receipts.append(_until_answered(lambda: browser.post(action, data=data), (303,), dropped)
                        .headers["Location"].split("/")[2])

    def crowd() -> None:
        while not stop.is_set():
            person(next(people))

    def killer() -> None:
        try:
            while len(killed) < KILLS and not stop.wait(0.01):
                workers = busy_workers(production.url)  # each answering a request
                if workers:
                    victim = random.choice(workers)
                    if kill_worker(victim):  # not when it had just ended by itself
                        killed.append(victim)
                        time.sleep(random.uniform(0.3, 0.6))  # let gunicorn start a new one
        finally:
            stop.set()  # the crowd goes home, whatever happened here

    chaos = threading.Thread(target=killer)
    chaos.start()
    try:
        with ThreadPoolExecutor(4) as pool:
            crowds = [pool.submit(crowd) for _ in range(4)]
            try:
                for done in crowds:
                    done.result(timeout=120)
            finally:
                stop.set()  # before the pool waits for its threads: never a crowd that walks on forever
    finally:
        stop.set()
        chaos.join()
    assert len(killed) == KILLS and dropped, "workers died while answering"

    users = [_user_id(app, lms, key) for key in lms.users if key.startswith("busy-")]
    users = [user for user in users if user is not None]  # a launch killed before the user was stored
    assert len(users) == len(receipts)
    for user in users:
        assert _count(app, Acknowledgement, Acknowledgement.user_id == user) == 1
        assert _count(app, ScoreDelivery, ScoreDelivery.user_id == user) == 1
    with app.app_context():
        lookups = [lookup for user in users for lookup in sealing.lookups(school, user)]
        reports = db.session.scalars(select(Report).where(Report.school_id == school,
                                                          Report.reporter_lookup.in_(lookups))).all()
        created = db.session.scalars(select(AuditEvent.report_id).where(
            AuditEvent.report_id.in_([r.id for r in reports]), AuditEvent.action == "report_created")).all()
        db.session.remove()
    assert sorted(r.reference for r in reports) == sorted(receipts), \
        "one report per form, each the one its receipt names"
    assert sorted(created) == sorted(r.id for r in reports), "every report with its audit event"
