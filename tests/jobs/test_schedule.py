"""The scheduler: the sweeps are enqueued at once and then every few seconds, the purge and the
reminders on their hour; each tick enqueues its job with retries, and a worker runs them."""
from datetime import datetime, timezone

from lti_tool.tasks.queue import scheduler
from tests.jobs.conftest import work


def test_the_sweeps_are_enqueued_at_once_and_the_nightly_jobs_wait_for_their_hour(queued):
    cron = scheduler(queued)
    by_name = {job.args[0]: job for job in cron.get_jobs()}
    assert set(by_name) == {"deliver_scores", "send_mail", "refresh_rosters", "purge_retention", "send_reminders",
                            "remind_ending_exceptions", "anonymise_leavers", "start_school_years", "send_digests",
                            "send_staff_reminders"}
    assert by_name["purge_retention"].cron == "30 3 * * *" and by_name["anonymise_leavers"].cron == "45 3 * * *"
    assert by_name["send_reminders"].next_enqueue_time > datetime.now(timezone.utc)
    assert by_name["remind_ending_exceptions"].cron == "15 7 * * *"
    enqueued = {job.args[0] for job in cron.enqueue_jobs()}
    assert enqueued == {"deliver_scores", "send_mail", "refresh_rosters"}
    ran = work(queued)
    assert sorted((job.func_name.rsplit(".", 1)[1], job.args[0]) for job in ran if job.args[0] != "refresh_roster") \
        == sorted([("tick", name) for name in ("deliver_scores", "send_mail", "refresh_rosters")]
                  + [("run", name) for name in ("deliver_scores", "send_mail", "refresh_rosters")])
    assert all(job.get_status() == "finished" for job in ran)
    assert all(job.retries_left == 2 for job in ran if job.func_name.endswith(".run"))
    assert cron.enqueue_jobs() == []  # not again before the sweep interval
