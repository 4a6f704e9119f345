"""Redis away: a commit that queues work still succeeds and loses nothing, the work waits in its
outbox, and once Redis is back the scheduler's sweep delivers it. With REDIS_URL the switches
default to the queue instead of threads."""
import time

import pytest
from flask import Flask

from lti_tool import tasks
from lti_tool.gradebook import tasks as gradebook_tasks
from lti_tool.tasks.queue import Enqueuer, scheduler
from tests.gradebook.conftest import acknowledge, item_id, launch, placement_of, publish, rows_for, user_of
from tests.jobs.conftest import enqueue_on_commit, redis_server, using_redis, work


def test_with_redis_url_the_work_goes_to_the_queue_instead_of_threads(monkeypatch):
    monkeypatch.delenv("GRADEBOOK_DELIVERY", raising=False)
    served = Flask("served")
    served.config["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    tasks.init_app(served, gradebook_tasks.TASKS)
    assert served.config["GRADEBOOK_DELIVERY"] == "rq"
    assert isinstance(served.extensions["tasks"].executors["deliver_scores"], Enqueuer)
    wrong = Flask("wrong")
    wrong.config["GRADEBOOK_DELIVERY"] = "rq"
    with pytest.raises(ValueError, match="REDIS_URL"):
        tasks.init_app(wrong, gradebook_tasks.TASKS)


def test_a_score_committed_while_redis_is_away_is_delivered_by_the_sweep_once_it_is_back(
        app, browser, gb_lms, link, db_session):
    with redis_server() as (url, process):
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        with using_redis(app, url, REDIS_RETRY_AFTER_SECONDS=0.5):
            version = publish(db_session, gb_lms.school_id)
            db_session.commit()
            launch(browser, gb_lms, "teacher", link)
            launch(browser, gb_lms, "student2", link)
            launch(browser, gb_lms, "student3", link)
            process.kill()
            process.wait(5)
            with enqueue_on_commit(app, "deliver_scores"):
                started = time.monotonic()
                acknowledge(db_session, user_of(db_session, gb_lms, "student2"), version)  # commits
                took = time.monotonic() - started
                assert app.extensions["redis_down_until"] > time.monotonic()  # not tried again for a while
                acknowledge(db_session, user_of(db_session, gb_lms, "student3"), version)  # Redis left alone
            assert took < 5, f"the commit waited {took:.1f}s for Redis (its connect timeout is 1 s)"
            placement = placement_of(db_session, gb_lms, link)
            assert {row.status for row in rows_for(db_session, placement)} == {"pending"}  # kept in the outbox
            with redis_server(port):  # Redis is back
                time.sleep(0.5)
                with app.app_context():
                    scheduler(app).enqueue_jobs()
                work(app)
            placement = placement_of(db_session, gb_lms, link)
            assert {row.status for row in rows_for(db_session, placement)} == {"delivered"}
            for student in ("student2", "student3"):
                assert gb_lms.scores[item_id(placement)][gb_lms.users[student].sub]["scoreGiven"] == 1
