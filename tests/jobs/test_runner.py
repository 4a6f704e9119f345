"""One runner for every background task: each is listed, each runs the same in a thread as on the
queue, any runs by hand, and with Redis no web process starts a thread."""
import threading
import time

import pytest

from lti_tool import create_app
from lti_tool.cli import main
from lti_tool.extensions import db
from lti_tool.tasks.queue import Enqueuer, enqueue
from lti_tool.tasks.threads import Periodic
from tests.jobs.conftest import work

# Every task the app declares, with the arguments a test gives it (refresh_roster: a course that is gone).
EVERY_TASK = {"deliver_scores": (), "send_mail": (), "purge_retention": (), "send_reminders": (),
              "refresh_rosters": (), "refresh_roster": (2_000_000_000,), "anonymise_leavers": (),
              "remind_ending_exceptions": (), "start_school_years": (), "send_digests": (),
              "send_staff_reminders": ()}
SWITCHES = ("GRADEBOOK_DELIVERY", "MAIL_DELIVERY", "CASES_PURGE", "CASES_REMINDERS", "ROSTER_REFRESH",
            "PRIVACY_LEAVERS", "EXCEPTION_REMINDERS", "SCHOOL_YEAR_TASKS")


def test_every_task_is_covered_here(app):
    assert set(app.extensions["tasks"].tasks) == set(EVERY_TASK)


def test_jobs_list_shows_every_task_with_its_schedule_and_switch(app):
    result = app.test_cli_runner().invoke(main, ["jobs", "list"])
    assert result.exit_code == 0, result.output
    header, rule, *rows = result.output.splitlines()
    assert header.split()[:2] == ["TASK", "SCHEDULE"] and "WOKEN BY" in header and set(rule.replace(" ", "")) == {"-"}
    lines = {line.split()[0]: line for line in rows}
    assert set(lines) == set(EVERY_TASK)
    assert "every 5 s" in lines["deliver_scores"] and "GRADEBOOK_DELIVERY=off" in lines["deliver_scores"]
    assert lines["deliver_scores"].rstrip().endswith("gradebook_wake")
    assert "cron '30 3 * * *'" in lines["purge_retention"] and "cron '0 7 * * 1-5'" in lines["send_reminders"]
    assert "on demand" in lines["refresh_roster"]
    assert "cron '45 3 * * *'" in lines["anonymise_leavers"] and "PRIVACY_LEAVERS=off" in lines["anonymise_leavers"]


@pytest.mark.parametrize("name", sorted(EVERY_TASK))
def test_jobs_run_once_runs_any_task_here(app, name):
    result = app.test_cli_runner().invoke(main, ["jobs", "run", name, *map(str, EVERY_TASK[name]), "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{name}: {{")


def test_jobs_run_refuses_a_task_that_does_not_exist(app):
    result = app.test_cli_runner().invoke(main, ["jobs", "run", "make_coffee", "--once"])
    assert result.exit_code != 0 and "jobs list" in result.output


def _in_a_thread(app, name: str) -> dict:
    """Run the task as its thread does (a round when woken), and return what the round returned."""
    task, args = app.extensions["tasks"].tasks[name], EVERY_TASK[name]
    results = []
    thread = Periodic(app, name, lambda: results.append(task.run(*args)), interval=3600)
    thread.ensure_started()  # an interval thread's first round, at start
    try:
        deadline = time.monotonic() + 30
        while not results and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        thread.stop()
    assert results, f"{name} did not run in its thread"
    return results[0]


@pytest.mark.parametrize("name", sorted(EVERY_TASK))
def test_each_task_runs_the_same_in_a_thread_as_on_the_queue(queued, name):
    threaded = _in_a_thread(queued, name)
    with queued.app_context():
        job = enqueue(name, *EVERY_TASK[name])
    work(queued)
    job.refresh()
    assert job.get_status() == "finished", job.latest_result().exc_string
    # The same function on the same database: the same summary (the counts may differ, as the
    # first run may have done what there was to do: other tests leave work behind).
    assert set(job.return_value()) == set(threaded) and job.args[0] == name


def test_a_cron_task_waits_for_its_time_in_a_thread(app):
    thread = Periodic.for_task(app, app.extensions["tasks"].tasks["purge_retention"])
    assert thread.cron == "30 3 * * *" and thread.interval is None
    assert 0 < thread._pause() <= 24 * 3600


def test_with_redis_no_web_process_starts_a_thread(app, redis_url, database_url, monkeypatch):
    for switch in SWITCHES:
        monkeypatch.delenv(switch, raising=False)
    config = {"SECRET_KEY": app.config["SECRET_KEY"], "SQLALCHEMY_DATABASE_URI": database_url,
              "LTI_CONFIG": app.config["LTI_CONFIG"], "REDIS_URL": redis_url}
    served = create_app(config)  # not TESTING: the defaults production gets
    runner = served.extensions["tasks"]
    try:
        assert {served.config[switch] for switch in SWITCHES} == {"rq"}
        assert runner.threads() == [] and runner.executors
        assert all(isinstance(executor, Enqueuer) for executor in runner.executors.values())
        before = {t.name for t in threading.enumerate()}
        assert served.test_client().get("/health").status_code == 200  # a web process's first request
        assert not {t.name for t in threading.enumerate()} - before
        with pytest.raises(ValueError, match="REDIS_URL"):
            create_app({**config, "MAIL_DELIVERY": "thread"})
    finally:
        with served.app_context():
            db.session.remove()
            db.engine.dispose()


def test_without_redis_a_web_process_starts_its_threads_with_its_first_request(app, database_url, monkeypatch):
    for switch in SWITCHES:
        monkeypatch.delenv(switch, raising=False)
    served = create_app({"SECRET_KEY": app.config["SECRET_KEY"], "SQLALCHEMY_DATABASE_URI": database_url,
                         "LTI_CONFIG": app.config["LTI_CONFIG"], "REDIS_URL": None, "SMTP_HOST": ""})
    runner = served.extensions["tasks"]
    try:
        assert sorted(t.name for t in runner.threads()) == sorted(set(EVERY_TASK) - {"refresh_roster"})
        assert not any(t.running() for t in runner.threads())  # not at boot
        served.test_client().get("/health")
        assert all(t.running() for t in runner.threads())
    finally:
        for thread in runner.threads():
            thread.stop()
        with served.app_context():
            db.session.remove()
            db.engine.dispose()
