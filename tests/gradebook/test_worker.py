"""The in-process worker: off in tests unless asked for, on otherwise, woken when scores commit."""
import time

import pytest
from flask import Flask
from sqlalchemy import text

from lti_tool import tasks
from lti_tool.extensions import db
from lti_tool.gradebook import tasks as gradebook_tasks
from lti_tool.tasks.threads import Periodic
from tests.gradebook.conftest import acknowledge, launch, placement_of, publish, user_of


def _executors(app: Flask) -> dict:
    tasks.init_app(app, gradebook_tasks.TASKS)
    return app.extensions["tasks"].executors


def test_delivery_runs_in_a_thread_except_in_tests(monkeypatch):
    monkeypatch.delenv("GRADEBOOK_DELIVERY", raising=False)
    testing = Flask("testing")
    testing.config["TESTING"] = True
    assert "deliver_scores" not in _executors(testing)
    assert testing.config["GRADEBOOK_DELIVERY"] == "off"
    serving = Flask("serving")
    assert isinstance(_executors(serving)["deliver_scores"], Periodic)
    assert serving.config["GRADEBOOK_DELIVERY"] == "thread"
    enabled = Flask("enabled")
    enabled.config.update(TESTING=True, GRADEBOOK_DELIVERY="thread")
    assert "deliver_scores" in _executors(enabled)
    wrong = Flask("wrong")
    wrong.config["GRADEBOOK_DELIVERY"] = "celery"
    with pytest.raises(ValueError):
        _executors(wrong)


def test_the_thread_delivers_within_a_second_of_the_commit(app, browser, gb_lms, link, db_session):
    version = publish(db_session, gb_lms.school_id)
    db_session.commit()
    launch(browser, gb_lms, "teacher", link)
    launch(browser, gb_lms, "student3", link)
    worker = Periodic(app, "deliver_scores", gradebook_tasks.deliver_scores, interval=60)  # only a wake-up explains a quick delivery
    app.extensions["tasks"].executors["deliver_scores"] = worker
    try:
        worker.ensure_started()
        time.sleep(0.5)  # its first round (line items of new placements) is over
        acknowledge(db_session, user_of(db_session, gb_lms, "student3"), version)  # commits: wakes it
        committed = time.monotonic()
        sub = gb_lms.users["student3"].sub
        while time.monotonic() - committed < 20:
            placement = placement_of(db_session, gb_lms, link)
            item = placement.lineitem_url and placement.lineitem_url.rsplit("/", 1)[1]
            if item and gb_lms.scores.get(item, {}).get(sub):
                break
            db_session.rollback()
            time.sleep(0.05)
        took = time.monotonic() - committed
    finally:
        app.extensions["tasks"].executors.pop("deliver_scores", None)
        worker.stop()
    assert took < 20, f"the score took {took:.2f}s: the worker slept its 60 s instead of waking"
    assert gb_lms.scores[item][sub]["scoreGiven"] == 1


def test_a_rolled_back_transaction_wakes_nobody(app, db_session):
    woken = []

    class Spy:
        def wake(self):
            woken.append(True)

    app.extensions["tasks"].executors["deliver_scores"] = Spy()
    try:
        db.session.execute(text("SELECT 1"))  # in a transaction, as after an operation's flush
        db.session.info["gradebook_wake"] = True
        db.session.rollback()
        db.session.commit()
        assert woken == []
        db.session.execute(text("SELECT 1"))
        db.session.info["gradebook_wake"] = True
        db.session.commit()
        assert woken == [True]
    finally:
        app.extensions["tasks"].executors.pop("deliver_scores", None)
